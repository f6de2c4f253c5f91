# Asynchronous submissions and batches: 202 with an id, the state while
# queued and running, then the result; a full queue answers 503 with
# Retry-After and never hangs; jobs start in the order they came.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

our (@ids, $slow);

Sbx::Test::blocks(upstreams => { runner => 'main', small => 'small' },
                  config => <<'_EOC_');
    location / {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
    }
    location /small/ {
        sandbox_pass small;
        sandbox_wait off;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: ?wait=false answers 202 at once with an id
--- request
POST /submissions?wait=false
{"language":"python","source":"import time\ntime.sleep(1.5)\nprint('done')"}
--- error_code: 202
--- response_json
status: "queued"
id =~ ^[0-9a-f-]{36}$
--- json_ok eval
sub { $main::slow = $_[0]{id}; 1 }



=== TEST 2: GET shows it queued or running, then the result
(Requests are fixed before the blocks run, so this one checks from Perl.)
--- init
my ($st, $r) = Sbx::Test::api(GET => "/submissions/$main::slow");
Test::More::is($st, 200, "GET while it runs");
Test::More::like($r->{status}, qr/^(queued|running)$/, "state: $r->{status}");
Test::More::ok(!exists $r->{stdout}, "no output yet");
Test::More::like($r->{timestamps}{created_at}, qr/Z$/, "created_at");
$r = Sbx::Test::poll("/submissions/$main::slow");
Test::More::is($r->{status}, 'accepted', 'then the result');
Test::More::is($r->{stdout}, "done\n", 'with its output');
Test::More::like($r->{timestamps}{finished_at}, qr/Z$/, "finished_at");
($st, $r) = Sbx::Test::api(GET => "/submissions/$main::slow");
Test::More::is($r->{stdout}, "done\n", 'and again: results stay');
--- request
GET /health
--- error_code: 200



=== TEST 3: a batch: ids for the good items, errors for the bad, in order
--- request
POST /submissions/batch
{"submissions":[
  {"language":"python","source":"print(1)"},
  {"language":"nope","source":"x"},
  {"language":"python","source":"print(2)","limits":{"memory_kb":"x"}},
  {"language":"bash","source":"echo 3"}]}
--- error_code: 202
--- response_json
submissions.0.status: "queued"
submissions.0.id =~ ^[0-9a-f-]{36}$
submissions.1.error.code: "unknown_language"
submissions.1.error.field: "language"
submissions.2.error.code: "invalid_field"
submissions.2.error.field: "limits.memory_kb"
submissions.3.status: "queued"
--- json_ok eval
sub {
    @main::ids = map { $_->{id} } @{ $_[0]{submissions} }[0, 3];
    1;
}



=== TEST 4: each queued item of the batch ends with its own result
--- init
my $a = Sbx::Test::poll("/submissions/$main::ids[0]");
my $b = Sbx::Test::poll("/submissions/$main::ids[1]");
Test::More::is($a->{stdout}, "1\n", "first item ran");
Test::More::is($b->{stdout}, "3\n", "last item ran");
Test::More::is($b->{language}{id}, "bash", "as bash");
--- request
GET /health
--- error_code: 200



=== TEST 5: a batch over the runner's maximum is 422
--- request eval
"POST /submissions/batch\n{\"submissions\":["
. CORE::join(',', ('{"language":"python","source":"print(1)"}') x 21) . "]}"
--- error_code: 422
--- response_json
error.code: "batch_too_large"



=== TEST 6: a full queue answers 503 with Retry-After, at once
One worker, three places: one job runs, three wait, the fifth is refused.
--- init
@main::ids = ();
for my $i (1 .. 4) {
    my ($st, $r) = Sbx::Test::api(POST => '/small/submissions', {
        language => 'python',
        source => $i == 1 ? "import time\ntime.sleep(2)" : "print($i)" });
    Test::More::is($st, 202, "job $i accepted");
    push @main::ids, $r->{id};
    select undef, undef, undef, 0.2 if $i == 1;   # let the worker take it
}
--- request
POST /small/submissions
{"language":"python","source":"print(5)"}
--- error_code: 503
--- response_headers
Retry-After: 2
Content-Type: application/json
--- response_json
error.code: "queue_full"
--- timeout: 5



=== TEST 7: the waiting jobs started in the order they came (FIFO)
--- init
my @r = map { Sbx::Test::poll("/small/submissions/$_") } @main::ids;
Test::More::is($_->{status}, 'accepted', "$_->{id} done") for @r;
my @started = map { $_->{timestamps}{started_at} } @r;
Test::More::ok($started[1] le $started[2] && $started[2] le $started[3],
               "started in order: @started[1..3]");
Test::More::is(join('', map { $_->{stdout} } @r[1..3]), "2\n3\n4\n",
               "each with its own output");
--- request
GET /small/health
--- error_code: 200
--- response_json
queue.depth: 0
workers.total: 1



=== TEST 8: with sandbox_wait off, POST queues unless ?wait=true
--- request eval
["POST /small/submissions\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /small/submissions?wait=true\n{\"language\":\"bash\",\"source\":\"echo hi\"}"]
--- error_code eval
[202, 200]
--- response_json eval
["status: \"queued\"", "stdout: \"hi\\n\""]
