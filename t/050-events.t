# GET …/submissions/{id}/events: Server-Sent Events as the job runs,
# through nginx unbuffered, the result last; late joiners get what
# happened first; many listeners on one job; output bounded by the
# limits; a compile failure; an unknown id; a client that goes away
# mid-stream disturbs nothing; a program cannot forge an event; a live
# verdict is the one the result gives.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Programs;

no_shuffle();
no_root_location();

Sbx::Test::blocks();

our ($live, %seen);

my $json = JSON::PP->new->utf8->canonical;

# Streams $path; returns (status, headers, [{event, data, t}]) where t
# is when the event arrived.  $stop->($ev) true: hang up right there.
sub events {
    my ($path, $stop) = @_;
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
    my ($buf, @ev) = ('');

    my $res = HTTP::Tiny->new(timeout => 60)->request(
        GET => "http://127.0.0.1:$port$path", {
            data_callback => sub {
                $buf .= $_[0];
                while ($buf =~ s/\A(.*?)\n\n//s) {
                    my %e = (t => Time::HiRes::time());
                    for (split /\n/, $1) {
                        $e{event} = $1 if /^event: (.*)$/;
                        $e{raw} = $1 if /^data: (.*)$/;
                    }
                    $e{data} = eval { $json->decode($e{raw}) };
                    push @ev, \%e;
                    die "hang up\n" if $stop && $stop->(\%e);
                }
            } });

    return ($res->{status}, $res->{headers}, \@ev, $buf, $res->{content});
}

sub names { join ' ', map { $_->{event} } @{ $_[0] } }

# the concatenated output of one stream of one step
sub output {
    my ($ev, $stream, $test) = @_;
    join '', map { $_->{data}{data} }
        grep { $_->{event} eq $stream
               && (defined $test ? ($_->{data}{test} // -1) == $test
                                 : $_->{data}{step} eq 'compile') } @$ev;
}

sub submit_async {
    my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', @_);
    Test::More::is($st, 202, 'queued');
    return $r->{id};
}

our $slow = <<'_PY_';
import sys, time
s = sys.stdin.read().strip()
for i in range(3):
    print(s + str(i), flush=True)
    time.sleep(0.4)
print("e" + s, file=sys.stderr, flush=True)
_PY_

run_tests();

__DATA__

=== TEST 1: live: status, then each test's output in order as it is printed, its verdict, the result last
--- init
my $id = main::submit_async({ language => 'python', source => $main::slow,
    tests => [{ stdin => "a\n", expected_output => "a0\na1\na2\n" },
              { stdin => "b\n", expected_output => "b0\nb1\nb2\n" }] });
$main::live = $id;
my ($st, $h, $ev) = main::events("/submissions/$id/events");
Test::More::is($st, 200, 'status 200');
Test::More::like($h->{'content-type'}, qr{^text/event-stream}, 'SSE');
Test::More::is($h->{'x-accel-buffering'}, 'no', 'X-Accel-Buffering: no');
Test::More::is($h->{'cache-control'}, 'no-cache', 'not cached');
my $names = main::names($ev);
Test::More::like($names,
    qr/^status status (stdout |stderr )*test (stdout |stderr )*test result$/,
    "order: $names");
Test::More::is($ev->[0]{data}{status}, 'queued', 'queued first');
Test::More::is($ev->[1]{data}{status}, 'running', 'then running');
Test::More::is(main::output($ev, 'stdout', 0), "a0\na1\na2\n",
               'test 0 stdout, in order');
Test::More::is(main::output($ev, 'stdout', 1), "b0\nb1\nb2\n",
               'test 1 stdout, in order');
Test::More::is(main::output($ev, 'stderr', 1), "eb\n", 'test 1 stderr');
my @t = grep { $_->{event} eq 'test' } @$ev;
Test::More::is_deeply([map { "$_->{data}{test}:$_->{data}{status}" } @t],
                      ['0:accepted', '1:accepted'], 'verdicts');
Test::More::like($t[0]{data}{time_ms}, qr/^\d+$/, 'with time');
Test::More::like($t[0]{data}{memory_kb}, qr/^\d+$/, 'and memory');
my ($idx_t0) = grep { $ev->[$_]{event} eq 'test' } 0 .. $#$ev;
my ($idx_s1) = grep { $ev->[$_]{event} eq 'stdout'
                      && $ev->[$_]{data}{test} == 1 } 0 .. $#$ev;
Test::More::ok($idx_t0 < $idx_s1, "test 0's verdict before test 1's output");
# live: the first line came well before the end (the program sleeps 2.4 s)
my ($first) = grep { $_->{event} eq 'stdout' } @$ev;
Test::More::cmp_ok($ev->[-1]{t} - $first->{t}, '>', 1.5,
                   'the first line arrived long before the result');
Test::More::cmp_ok(scalar(grep { $_->{event} eq 'stdout' } @$ev), '>=', 3,
                   'output came in pieces');
my ($gs, $get) = Sbx::Test::api(GET => "/submissions/$id");
Test::More::is_deeply($ev->[-1]{data}, $get, 'result is what GET says');
Test::More::is($get->{status}, 'accepted', 'accepted');
--- request
GET /health
--- error_code: 200



=== TEST 2: late join after the end: the whole history, then the result
--- init
my $id = $main::live;
my ($st, $h, $ev) = main::events("/submissions/$id/events");
Test::More::is($st, 200, 'status 200');
my $names = main::names($ev);
Test::More::like($names,
    qr/^status status (stdout |stderr )*test (stdout |stderr )*test result$/,
    "order: $names");
Test::More::is(main::output($ev, 'stdout', 0), "a0\na1\na2\n", 'test 0');
Test::More::is(main::output($ev, 'stdout', 1), "b0\nb1\nb2\n", 'test 1');
Test::More::is(main::output($ev, 'stderr', 0), "ea\n", 'stderr');
Test::More::is($ev->[-1]{data}{status}, 'accepted', 'result');
--- request
GET /health
--- error_code: 200



=== TEST 3: late join while it runs: what happened first, then live
--- init
my $id = main::submit_async({ language => 'python', source => $main::slow,
                              stdin => "x\n" });
Sbx::Test::wait_for(30, sub {
    my (undef, $r) = Sbx::Test::api(GET => "/submissions/$id");
    $r->{status} eq 'running' }) or Test::More::fail('never ran');
Time::HiRes::sleep(1.0);
my ($st, $h, $ev) = main::events("/submissions/$id/events");
my $names = main::names($ev);
Test::More::like($names, qr/^status status (stdout |stderr )*test result$/,
                 "order: $names");
Test::More::is(main::output($ev, 'stdout', 0), "x0\nx1\nx2\n",
               'nothing lost, nothing twice');
--- request
GET /health
--- error_code: 200



=== TEST 4: many listeners on one job all get the same events
--- init
my $id = main::submit_async({ language => 'python', source => $main::slow,
                              stdin => "m\n" });
my @kids;
for my $n (1 .. 5) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        Time::HiRes::sleep(0.2 * $n);
        my (undef, undef, $ev) = main::events("/submissions/$id/events");
        open my $fh, '>', "$Sbx::Test::Dir/listener-$n" or POSIX::_exit(1);
        print $fh main::names($ev), "\n", main::output($ev, 'stdout', 0);
        close $fh;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}
waitpid $_, 0 for @kids;
my %got;
for my $n (1 .. 5) {
    open my $fh, '<', "$Sbx::Test::Dir/listener-$n" or die "listener $n: $!";
    local $/;
    my $text = <$fh>;
    my ($names, $out) = split /\n/, $text, 2;
    Test::More::like($names, qr/^status status .*test result$/,
                     "listener $n: $names");
    Test::More::is($out, "m0\nm1\nm2\n", "listener $n: the output");
}
--- request
GET /health
--- error_code: 200



=== TEST 5: the output limit bounds what streams, every way of writing
--- init
for my $src ("import sys\nsys.stdout.write('x' * 100000)\n",
             "import sys\nsys.stderr.write('y' * 100000)\n",
             "import os\nfor i in range(20000): os.write(1, b'z')\n",
             "import os\nfor i in range(3000): os.write(1, b'ab' * 7)\n") {
    my $id = main::submit_async({ language => 'python', source => $src,
                                  limits => { output_kb => 8 } });
    my (undef, undef, $ev) = main::events("/submissions/$id/events");
    my $out = main::output($ev, 'stdout', 0) . main::output($ev, 'stderr', 0);
    Test::More::cmp_ok(length $out, '<=', 8192, 'at most output_kb streamed');
    Test::More::cmp_ok(length $out, '>=', 8000, 'up to the limit');
    Test::More::is($ev->[-1]{data}{status}, 'output_limit_exceeded',
                   'and the verdict');
}
# every test of a job is bounded on its own
my $id = main::submit_async({ language => 'python',
    source => "import sys\nsys.stdout.write('w' * 50000)\n",
    limits => { output_kb => 8 },
    tests => [map { { stdin => "$_" } } 1 .. 3] });
my (undef, undef, $ev) = main::events("/submissions/$id/events");
for my $t (0 .. 2) {
    Test::More::cmp_ok(length(main::output($ev, 'stdout', $t)), '<=', 8192,
                       "test $t: at most output_kb streamed");
}
--- request
GET /health
--- error_code: 200
--- timeout: 120



=== TEST 6: a compile failure streams compiling, the diagnostics, the result
--- init
my $id = main::submit_async({ language => 'c',
    source => "int main(void)\n{\n    return 0\n}\n" });
my ($st, $h, $ev) = main::events("/submissions/$id/events");
my $names = main::names($ev);
Test::More::like($names, qr/^status status (stderr |stdout )+result$/,
                 "order: $names");
Test::More::is($ev->[1]{data}{status}, 'compiling', 'compiling');
Test::More::like(main::output($ev, 'stderr'), qr/main\.c:3/,
                 "the compiler's output, live");
Test::More::is($ev->[-1]{data}{status}, 'compilation_error', 'result');
Test::More::is($ev->[-1]{data}{compile}{diagnostics}[0]{line}, 3,
               'with its diagnostics');
--- request
GET /health
--- error_code: 200
--- timeout: 90



=== TEST 7: an unknown id is a 404 in JSON
--- request
GET /submissions/00000000-0000-4000-8000-000000000000/events
--- error_code: 404
--- response_headers
Content-Type: application/json
--- response_json
error.code: "not_found"



=== TEST 8: no events for what is not an id
--- request eval
["GET /submissions/../events", "GET /submissions/a.b/events",
 "POST /submissions/00000000-0000-4000-8000-000000000000/events\n{}"]
--- error_code eval
[404, 404, 405]



=== TEST 9: a client that hangs up mid-stream: the job ends, the runner and keepalive are fine
--- init
my $id = main::submit_async({ language => 'python', source => $main::slow,
                              stdin => "d\n" });
my ($st, $h, $ev) = main::events("/submissions/$id/events",
                                 sub { $_[0]{event} eq 'stdout' });
Test::More::is(main::names($ev), 'status status stdout', 'hung up early');
my $r = Sbx::Test::poll("/submissions/$id");
Test::More::is($r->{status}, 'accepted', 'the job still ended');
Test::More::is($r->{stdout}, "d0\nd1\nd2\n", 'with all its output');
# a whole stream leaves its connection to the runner reusable
my $c0 = Sbx::Test::metric('sandbox_connections_total');
main::events("/submissions/$id/events") for 1 .. 3;
Sbx::Test::api(GET => '/health') for 1 .. 3;
my $c1 = Sbx::Test::metric('sandbox_connections_total');
Test::More::is($c1 - $c0, 0, 'streams that ended kept their connections');
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"



=== TEST 10: a program cannot forge an event: frame bytes it prints are output
--- init
my $forge = join '', map { "$_\\r\\n" }
    'SBX/1 RESULT 11', '{"tests":[]}',
    'SBX/1 STATUS 0 status=compiling',
    'SBX/1 TEST 22 test=0', '{"status":"accepted"}',
    'SBX/1 OUT 4 step=0 stream=stdout', 'QUJD',
    'SBX/1 EVENT 2 event=result', '{}';
my $src = "import sys, os\nf = b'$forge'\n"
        . "os.write(1, f)\nos.write(2, f)\nsys.exit(3)\n";
my $id = main::submit_async({ language => 'python', source => $src });
my (undef, undef, $ev) = main::events("/submissions/$id/events");
my $names = main::names($ev);
Test::More::like($names, qr/^status status (stdout |stderr )+test result$/,
                 "no forged events: $names");
(my $want = $forge) =~ s/\\r\\n/\r\n/g;
Test::More::is(main::output($ev, 'stdout', 0), $want,
               'the bytes are its stdout');
Test::More::is(main::output($ev, 'stderr', 0), $want, 'and its stderr');
Test::More::is($ev->[-1]{data}{status}, 'runtime_error', 'its own verdict');
Test::More::is($ev->[-1]{data}{exit_code}, 3, 'its own exit code');
--- request
GET /health
--- error_code: 200



=== TEST 11: a live verdict is the result's: a runtime's full heap is memory_limit_exceeded in both
The JVM throws OutOfMemoryError of its own before the cgroup's limit is
reached; the result remaps that runtime error by the language's
memory_error pattern, and so must the test's live event, which init
sends without the test's stderr.
--- init
for my $lang (qw(java kotlin)) {
    my $id = main::submit_async({ language => $lang,
        source => $Sbx::Programs::Torture{$lang},
        tests => [ map { { stdin => "$_\n" } } qw(crash eat) ] });
    my (undef, undef, $ev) = main::events("/submissions/$id/events");
    my @t = grep { $_->{event} eq 'test' } @$ev;
    my $res = $ev->[-1]{data};
    Test::More::like(main::output($ev, 'stderr', 1), qr/OutOfMemoryError/,
                     "$lang: its own heap was full");
    Test::More::is_deeply([map { $_->{data}{status} } @t],
                          ['runtime_error', 'memory_limit_exceeded'],
                          "$lang: the live verdicts");
    Test::More::is_deeply([map { $_->{data}{status} } @t],
                          [map { $_->{status} } @{ $res->{tests} || [] }],
                          "$lang: as the result says");
}
--- request
GET /health
--- error_code: 200
--- timeout: 180
