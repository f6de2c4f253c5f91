# A site's nginx configuration tested against sandbox-runner
# --test-double: no Docker, no images.  These blocks are the examples
# of docs/testing.md (t/051-testing-doc.t checks that they agree).

use Test::Nginx::Socket 'no_plan';
use File::Temp ();
use IO::Socket::UNIX ();

my $dir = File::Temp::tempdir(CLEANUP => 1);
chmod 0755, $dir;                    # nginx's workers reach the socket
my $sock = "$dir/runner.sock";

my @double = ($ENV{SANDBOX_RUNNER} || 'sandbox-runner', '--test-double',
              '--listen', "unix:$sock", '--socket-mode', '0666',
              '--languages', $ENV{SANDBOX_LANGUAGES}
                             || '/etc/sandbox-runner/languages.json',
              '--state-dir', "$dir/state", '--log-file', "$dir/runner.log");

my $owner = $$;
my $pid = fork // die "fork: $!\n";

if ($pid == 0) {
    exec @double;
    die "$double[0]: $!\n";
}

# only the process that started it stops it (Test::Nginx forks servers)
END { if ($$ == $owner) { kill 'TERM', $pid; waitpid $pid, 0 } }

for (1 .. 100) {
    last if IO::Socket::UNIX->new(Peer => $sock);
    select undef, undef, undef, 0.1;
}

IO::Socket::UNIX->new(Peer => $sock)
    or die "the double did not start: see $dir/runner.log\n";

$ENV{TEST_NGINX_SANDBOX_DOUBLE} = $sock;

run_tests();

__DATA__

=== TEST 1: the double answers: stdin comes back as stdout
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"print(input())","stdin":"hi\n"}
--- response_headers
Content-Type: application/json
--- response_body_like: "status":"accepted",.*"test_double":true,.*"stdout":"hi\\n"

=== TEST 2: a tier refuses a language
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/free/ {
        sandbox_pass sandbox;
        sandbox_languages python javascript;
    }
--- request
POST /api/free/submissions
{"language":"java","source":"class Main {}"}
--- error_code: 422
--- response_body_like: "code":"language_not_allowed","field":"language"

=== TEST 3: a limit above the tier's maximum is 422
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/free/ {
        sandbox_pass sandbox;
        sandbox_limits cpu_time_ms=1000 memory_kb=65536;
    }
--- request
POST /api/free/submissions
{"language":"python","source":"1","limits":{"cpu_time_ms":5000}}
--- error_code: 422
--- response_body_like: "code":"limit_exceeded","field":"limits.cpu_time_ms"

=== TEST 4: a limit above the language's maximum is 422 from the runner
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"1","limits":{"memory_kb":99999999}}
--- error_code: 422
--- response_body_like: "code":"limit_exceeded","field":"limits.memory_kb","message":"must be between 1 and \d+ for python"

=== TEST 5: 401 from auth_request is JSON
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/paid/ {
        auth_request /auth;
        sandbox_pass sandbox;
    }
    location = /auth {
        internal;
        return 401;
    }
--- request
GET /api/paid/languages
--- error_code: 401
--- response_headers
Content-Type: application/json
--- response_body_like: ^\{"error":\{"code":"unauthorized"

=== TEST 6: 403 from auth_request is JSON
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/paid/ {
        auth_request /auth;
        sandbox_pass sandbox;
    }
    location = /auth {
        internal;
        return 403;
    }
--- request
GET /api/paid/languages
--- error_code: 403
--- response_body_like: ^\{"error":\{"code":"forbidden"

=== TEST 7: 403 from deny is JSON
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location = /api/metrics {
        deny all;
        sandbox_pass sandbox;
    }
--- request
GET /api/metrics
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_body_like: ^\{"error":\{"code":"forbidden"

=== TEST 8: 429 from limit_req is JSON
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
    limit_req_zone $binary_remote_addr zone=free:1m rate=1r/m;
--- config
    location /api/free/ {
        limit_req zone=free;
        limit_req_status 429;
        sandbox_pass sandbox;
    }
--- request eval
["GET /api/free/languages", "GET /api/free/languages"]
--- error_code eval
[200, 429]
--- response_body_like eval
['"languages":\[\{"id":"python"', '^\{"error":\{"code":"too_many_requests"']

=== TEST 9: a 503 from a full queue carries Retry-After
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"# sandbox-double: fail=queue_full\n"}
--- error_code: 503
--- response_headers
Retry-After: 2
Content-Type: application/json
--- response_body_like: "code":"queue_full"

=== TEST 10: $sandbox_* appear in the access log
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
    log_format sandbox 'sandbox id=$sandbox_id status=$sandbox_status '
                       'language=$sandbox_language http=$status';
--- config
    location /api/ {
        sandbox_pass sandbox;
        access_log logs/access.log sandbox;
    }
--- request
POST /api/submissions
{"language":"py","source":"print(1)"}
--- access_log eval
[qr/^sandbox id=[0-9a-f]{8}-[0-9a-f-]{27} status=accepted language=python http=200$/]

=== TEST 11: a verdict, an exit code and outputs on demand
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"c","source":"// sandbox-double: verdict=runtime_error exit=3 stderr=\"oops\\n\"\nint main(void) { return 3; }\n"}
--- response_body_like: "status":"runtime_error",.*"exit_code":3,.*"stderr":"oops\\n"

=== TEST 12: wrong_answer from the checker, test by test
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"print(input())","checker":"trimmed","tests":[{"stdin":"1\n","expected_output":"1"},{"stdin":"2\n","expected_output":"3"}]}
--- response_body_like: "status":"wrong_answer",.*"tests":\[\{"status":"accepted",.*\{"status":"wrong_answer",

=== TEST 13: a runner error is a JSON 500
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"# sandbox-double: fail=runner_error\n"}
--- error_code: 500
--- response_body_like: ^\{"error":\{"code":"internal_error","message":"sandbox-double: fail=runner_error"

=== TEST 14: a runner slower than sandbox_read_timeout is a JSON 504
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
        sandbox_read_timeout 500ms;
    }
--- request
POST /api/submissions?wait=false
{"language":"python","source":"# sandbox-double: fail=slow_reply delay_ms=1500\n"}
--- error_code: 504
--- response_body_like: ^\{"error":\{"code":"runner_timeout"

=== TEST 15: a runner that closes the connection is a JSON 502
--- http_config
    upstream sandbox {
        server unix:$TEST_NGINX_SANDBOX_DOUBLE;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- request
POST /api/submissions
{"language":"python","source":"# sandbox-double: fail=close\n"}
--- error_code: 502
--- response_body_like: ^\{"error":\{"code":"runner_unavailable"

=== TEST 16: a mocked runner: a full queue, byte for byte
--- http_config
    upstream sandbox {
        server 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- config
    location /api/ {
        sandbox_pass sandbox;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"SBX/1 503 78 retry-after=30\r\n"
. '{"error":{"code":"queue_full","message":"the job queue is full; retry later"}}'
--- request
GET /api/languages
--- error_code: 503
--- response_headers
Retry-After: 30
--- response_body: {"error":{"code":"queue_full","message":"the job queue is full; retry later"}}

=== TEST 17: a mocked runner: a result, and its attributes in the log
--- http_config
    upstream sandbox {
        server 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
    log_format sandbox 'mocked id=$sandbox_id status=$sandbox_status '
                       'language=$sandbox_language';
--- config
    location /api/ {
        sandbox_pass sandbox;
        access_log logs/access.log sandbox;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"SBX/1 200 81 id=0c9e4a57-6d1b-4e8f-9a3c-2b7d5e1f8a60 status=accepted language=python\r\n"
. '{"id":"0c9e4a57-6d1b-4e8f-9a3c-2b7d5e1f8a60","status":"accepted","stdout":"42\n"}'
--- request
POST /api/submissions
{"language":"python","source":"print(6*7)"}
--- response_body: {"id":"0c9e4a57-6d1b-4e8f-9a3c-2b7d5e1f8a60","status":"accepted","stdout":"42\n"}
--- access_log
mocked id=0c9e4a57-6d1b-4e8f-9a3c-2b7d5e1f8a60 status=accepted language=python
