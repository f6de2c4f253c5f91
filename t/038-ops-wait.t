# sandbox_wait binds: "refuse" answers a client that asks to wait with
# 422, however it asks; "async" queues its submission all the same (202
# and an id); "off" is only a default the client may override.  The
# refusing location points at a socket that does not exist, so anything
# that got through to a runner would be a 502.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(config => <<'_EOC_');
    location /free/ {
        sandbox_pass unix:/nonexistent/sandbox-runner.sock;
        sandbox_wait refuse;
    }

    location /cheap/ {
        sandbox_pass runner;
        sandbox_wait async;
        sandbox_read_timeout 120s;
    }

    location /paid/ {
        sandbox_pass runner;
        sandbox_wait off;
        sandbox_read_timeout 120s;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: refuse: ?wait=true is 422, as JSON
--- request
POST /free/submissions?wait=true
{"language":"bash","source":"echo hi"}
--- error_code: 422
--- response_json
error.code: "wait_not_allowed"
error.field: "wait"



=== TEST 2: refuse: ?wait=1, ?WAIT=true, or after another argument
--- request eval
["POST /free/submissions?wait=1\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /free/submissions?WAIT=true\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /free/submissions?x=1&wait=true\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /free/submissions?wait=true&wait=false\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /free/submissions/batch?wait=true\n{\"submissions\":[{\"language\":\"bash\",\"source\":\"echo hi\"}]}"]
--- error_code eval
[422, 422, 422, 422, 422]
--- response_json eval
['error.code: "wait_not_allowed"', 'error.code: "wait_not_allowed"',
 'error.code: "wait_not_allowed"', 'error.code: "wait_not_allowed"',
 'error.code: "wait_not_allowed"']



=== TEST 3: refuse: other spellings are no way around it
"True" is not a value of wait (400), and the body has no "wait" field
(400): neither gets to a runner.
--- request eval
["POST /free/submissions?wait=True\n{\"language\":\"bash\",\"source\":\"echo hi\"}",
 "POST /free/submissions\n{\"language\":\"bash\",\"source\":\"echo hi\",\"wait\":true}"]
--- error_code eval
[400, 400]
--- response_json eval
['error.code: "invalid_query"', "error.code: \"unknown_field\"\nerror.field: \"wait\""]



=== TEST 4: refuse: without wait=true the submission goes on (here to no runner)
--- request
POST /free/submissions?wait=false
{"language":"bash","source":"echo hi"}
--- error_code: 502
--- error_log
sandbox-runner.sock failed



=== TEST 5: async: ?wait=true is queued all the same, with its id
--- init
for my $q ('wait=true', 'wait=1', 'WAIT=true', '') {
    my ($st, $r) = Sbx::Test::api(POST => "/cheap/submissions?$q",
        { language => 'bash', source => 'echo later' });
    Test::More::is($st, 202, "async, ?$q: 202");
    Test::More::is($r->{status}, 'queued', "async, ?$q: queued");
    my $done = Sbx::Test::poll("/cheap/submissions/$r->{id}");
    Test::More::is($done->{stdout}, "later\n", "async, ?$q: it ran");
}
--- request
POST /cheap/submissions?wait=true
{"language":"bash","source":"echo hi"}
--- error_code: 202
--- response_json
status: "queued"
id =~ ^[0-9a-f-]{36}$



=== TEST 6: off is only a default: ?wait=true still waits there
--- request
POST /paid/submissions?wait=true
{"language":"bash","source":"echo hi"}
--- error_code: 200
--- response_json
stdout: "hi\n"
