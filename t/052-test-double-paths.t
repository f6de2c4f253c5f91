# The test double behind the real module, beyond the examples of
# docs/testing.md (t/050): asynchronous jobs and GET by id while a job
# is delayed, batches, callbacks, stop_on_failure, compile errors with
# diagnostics, meters, signals, output limits, a directive that does not
# parse, and the runner's own checks (versions, its job budget), all
# answered by the runner's code with only the execution step swapped.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our $double = Sbx::Test::runner_start('double', '--test-double',
    '--workers', 2, '--retry-after', 5, '--max-batch', 3,
    '--job-wall-budget', 16, '--callback-allow', '127.0.0.1/32',
    '--callback-attempts', 1, '--callback-timeout', 5);

my $owner = $$;

END { Sbx::Test::runner_stop($double) if $double && $$ == $owner }

Sbx::Test::blocks(upstreams => { runner => 'double' });

# One callback: listens on a port of its own, saves the request.
sub receive_one {
    my $file = shift;
    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1:0', Listen => 4,
                                    ReuseAddr => 1) or die "listen: $!";
    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        my $c = $srv->accept or POSIX::_exit(1);
        my $head = '';
        while (defined(my $line = <$c>)) {
            $head .= $line;
            last if $line eq "\r\n";
        }
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        read $c, my $body, $len // 0;
        open my $fh, '>', $file or POSIX::_exit(1);
        print $fh $head, $body;
        close $fh;
        print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                 . "Connection: close\r\n\r\n";
        close $c;
        POSIX::_exit(0);
    }

    return ($pid, $srv->sockport);
}

run_tests();

__DATA__

=== TEST 1: asynchronous: queued, running while delayed, then the result
--- request
POST /submissions?wait=false
{"language":"python","source":"# sandbox-double: delay_ms=1500\n","stdin":"x"}
--- error_code: 202
--- json_ok eval
sub {
    my $r = shift;
    my $path = "/submissions/$r->{id}";
    Time::HiRes::sleep(0.5);
    my ($st, $mid) = Sbx::Test::api(GET => $path);
    my $end = Sbx::Test::poll($path, 10);
    Test::More::is($mid->{status}, 'running', 'running during the delay');
    Test::More::is($end->{status}, 'accepted', 'then the result');
    Test::More::is($end->{stdout}, 'x', 'the stdin as stdout');
    Test::More::ok($end->{test_double}, 'labelled');
    $r->{status} eq 'queued' && $st == 200;
}



=== TEST 2: waiting: the answer comes after the delay
--- init
$main::t0 = Time::HiRes::time();
--- request
POST /submissions
{"language":"python","source":"# sandbox-double: delay_ms=700\n"}
--- json_ok eval
sub { Time::HiRes::time() - $main::t0 >= 0.7 && $_[0]{status} eq 'accepted' }



=== TEST 3: a batch: items in order, refused ones in their place
--- request
POST /submissions/batch
{"submissions":[{"language":"python","source":"1","stdin":"a"},{"language":"intercal","source":"1"},{"language":"py","source":"# sandbox-double: verdict=memory_limit_exceeded memory_kb=4096\n"}]}
--- error_code: 202
--- response_json
submissions.0.status: "queued"
submissions.1.error.code: "unknown_language"
submissions.2.status: "queued"
--- json_ok eval
sub {
    my $s = $_[0]{submissions};
    my $a = Sbx::Test::poll("/submissions/$s->[0]{id}", 10);
    my $c = Sbx::Test::poll("/submissions/$s->[2]{id}", 10);
    Test::More::is($a->{stdout}, 'a', 'item 0 echoed');
    Test::More::is($c->{status}, 'memory_limit_exceeded', 'item 2 judged');
    Test::More::is($c->{memory_kb}, 4096, 'with its meter');
    Test::More::like($c->{message}, qr/memory limit of 131072 KiB/,
                     'and the runner\'s message');
    $a->{status} eq 'accepted';
}



=== TEST 4: a batch with a queue_full item is refused whole, with Retry-After
--- request
POST /submissions/batch
{"submissions":[{"language":"python","source":"1"},{"language":"python","source":"# sandbox-double: fail=queue_full\n"}]}
--- error_code: 503
--- response_headers
Retry-After: 5
--- response_json
error.code: "queue_full"



=== TEST 5: a batch over the runner's --max-batch: 422 from the runner
--- config
    location / {
        sandbox_pass runner;
        sandbox_max_batch 10;
    }
--- request
POST /submissions/batch
{"submissions":[{"language":"python","source":"1"},{"language":"python","source":"2"},{"language":"python","source":"3"},{"language":"python","source":"4"}]}
--- error_code: 422
--- response_json
error.code: "batch_too_large"
error.message: "at most 3 submissions in a batch"



=== TEST 6: a callback is delivered, labelled like the result
--- request
GET /health
--- json_ok eval
sub {
    my $file = "$Sbx::Test::Dir/double-callback.req";
    unlink $file;
    my ($pid, $port) = main::receive_one($file);
    my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false',
        { language => 'python', source => 'print(1)', stdin => "cb\n",
          callback_url => "http://127.0.0.1:$port/done" });
    my $cb;
    Sbx::Test::wait_for(10, sub {
        (undef, $cb) = Sbx::Test::api(GET => "/submissions/$r->{id}");
        $cb->{callback} && $cb->{callback}{status} ne 'pending';
    });
    waitpid $pid, 0;
    my $req = do { local $/; open my $fh, '<', $file or die; <$fh> };
    Test::More::is($cb->{callback}{status}, 'delivered', 'delivered');
    Test::More::like($req, qr/^X-Sandbox-Id: \Q$r->{id}\E\r?$/mi,
                     'with the job id');
    Test::More::like($req, qr/"test_double":true/, 'the result, labelled');
    Test::More::like($req, qr/"stdout":"cb\\n"/, 'the echo');
    $_[0]{test_double} && $_[0]{status} eq 'ok';
}



=== TEST 7: /health: up without Docker, and says it is a double
--- request
GET /health
--- response_json
status: "ok"
test_double: true
docker.reachable: false
queue.capacity: 100



=== TEST 8: stop_on_failure: the tests after the first failure are skipped
--- request
POST /submissions
{"language":"python","source":"print(input())","stop_on_failure":true,"tests":[{"stdin":"1","expected_output":"2"},{"stdin":"2"},{"stdin":"3"}]}
--- response_json
status: "wrong_answer"
tests.0.status: "wrong_answer"
tests.1.status: "skipped"
tests.2.status: "skipped"
message: "the output differs from the expected output"



=== TEST 9: regex and float checkers judge the echo
--- request eval
[Sbx::Test::submit(language => 'python', source => '1',
     checker => { type => 'float', abs => 0.01 },
     tests => [{ stdin => "3.141\n", expected_output => "3.14\n" },
               { stdin => "2.5\n", expected_output => "2.6\n" }]),
 Sbx::Test::submit(language => 'python', source => '1',
     checker => { type => 'regex', pattern => 'a+b' },
     tests => [{ stdin => 'aaab' }, { stdin => 'ba' }])]
--- response_json eval
["tests.0.status: \"accepted\"\ntests.1.status: \"wrong_answer\"",
 "tests.0.status: \"accepted\"\ntests.1.status: \"wrong_answer\""]



=== TEST 10: a compile error, its diagnostics parsed by the language's pattern
--- request
POST /submissions
{"language":"c","source":"// sandbox-double: verdict=compilation_error stderr=\"main.c:3:5: error: expected ';' before '}' token\\n\"\n"}
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.exit_code: 1
compile.diagnostics.0.line: 3
compile.diagnostics.0.column: 5
compile.diagnostics.0.message =~ ^expected ';'
tests: []



=== TEST 11: a compiled language compiles, then runs
--- request
POST /submissions
{"language":"go","source":"package main\n","stdin":"go\n"}
--- response_json
status: "accepted"
compile.status: "ok"
stdout: "go\n"



=== TEST 12: a signal, an output limit, the wall time
--- request eval
[Sbx::Test::submit(language => 'bash',
     source => "# sandbox-double: signal=SIGSEGV\n"),
 Sbx::Test::submit(language => 'bash',
     source => "# sandbox-double: verdict=output_limit_exceeded\n"),
 Sbx::Test::submit(language => 'bash',
     source => "# sandbox-double: verdict=time_limit_exceeded limit=wall time_ms=5001\n")]
--- response_json eval
["status: \"runtime_error\"\nexit_code: null\nsignal: \"SIGSEGV\"\nmessage: \"the program was killed by SIGSEGV\"",
 "status: \"output_limit_exceeded\"\ntruncated.stdout: true",
 "status: \"time_limit_exceeded\"\nlimit: \"wall\"\nwall_time_ms: 5001\nmessage =~ wall time limit of 5000 ms"]



=== TEST 13: a directive that does not parse ends the job saying why
--- request eval
[Sbx::Test::submit(language => 'python',
     source => "# sandbox-double: verdit=accepted\n"),
 Sbx::Test::submit(language => 'python',
     source => "# sandbox-double: exit=300\n")]
--- response_json eval
["status: \"internal_error\"\nmessage: \"sandbox-double: unknown key \\\"verdit\\\"\"",
 "status: \"internal_error\"\nmessage: \"sandbox-double: exit: 0 to 255\""]



=== TEST 14: the runner's own checks: versions and its job budget
--- request eval
[Sbx::Test::submit(language => 'python', version => '2', source => '1'),
 Sbx::Test::submit(language => 'python', source => '1',
     limits => { wall_time_ms => 5000 },
     tests => [{ stdin => '1' }, { stdin => '2' }, { stdin => '3' },
               { stdin => '4' }])]
--- error_code eval
[422, 422]
--- response_json eval
["error.code: \"unknown_version\"",
 "error.code: \"budget_exceeded\"\nerror.field: \"limits.wall_time_ms\"\nerror.message =~ the runner's job wall time budget is 16000 ms"]
