# Every error is JSON with a code, a message and a timestamp, never
# nginx's HTML page, and carries the right HTTP status.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(more_headers => undef, config => <<'_EOC_');
    location / {
        client_max_body_size 2k;
        sandbox_pass runner;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: malformed JSON is 400 and says where
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language": "python", "source": }
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json
error.code: "malformed_json"
error.message =~ ^line 1, column \d+
error.timestamp =~ ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$



=== TEST 2: a field of the wrong type is 400 and named
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"python","source":"print(1)","limits":{"memory_kb":"lots"}}
--- error_code: 400
--- response_json
error.code: "invalid_field"
error.field: "limits.memory_kb"
error.message: "must be an integer >= 1"



=== TEST 3: a missing required field is 400
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"source":"print(1)"}
--- error_code: 400
--- response_json
error.code: "missing_field"
error.field: "language"



=== TEST 4: an unknown field is 400, so typos do not pass silently
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"python","source":"print(1)","stdln":"x"}
--- error_code: 400
--- response_json
error.code: "unknown_field"
error.field: "stdln"



=== TEST 5: a body that is not JSON is 415
--- more_headers
Content-Type: text/plain
--- request
POST /submissions
print(1)
--- error_code: 415
--- response_headers
Content-Type: application/json
--- response_json
error.code: "unsupported_media_type"



=== TEST 6: the wrong method is 405 with Allow
--- request
DELETE /submissions
--- error_code: 405
--- response_headers
Allow: POST
Content-Type: application/json
--- response_json
error.code: "method_not_allowed"



=== TEST 7: GET on the submissions collection is 405 too
--- request
GET /submissions
--- error_code: 405
--- response_headers
Allow: POST



=== TEST 8: a body over client_max_body_size is 413 JSON
--- more_headers
Content-Type: application/json
--- request eval
"POST /submissions\n" . '{"language":"python","source":"' . ('#' x 4000) . '"}'
--- error_code: 413
--- response_headers
Content-Type: application/json
--- response_json
error.code: "payload_too_large"



=== TEST 9: a chunked body over client_max_body_size is 413 JSON as well
--- raw_request eval
my $body = '{"language":"python","source":"' . ('#' x 4000) . '"}';
"POST /submissions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n%s\r\n0\r\n\r\n", length $body, $body)
--- error_code: 413
--- response_headers
Content-Type: application/json
--- response_json
error.code: "payload_too_large"



=== TEST 10: an unknown language is 422, from the runner
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"brainfuck","source":"+."}
--- error_code: 422
--- response_json
error.code: "unknown_language"
error.field: "language"



=== TEST 11: a limit above the language's maximum is 422, from the runner
(Just above Python's 20000 ms: far above, it would be over the default
job budget first, at the edge.)
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"python","source":"print(1)","limits":{"wall_time_ms":20001}}
--- error_code: 422
--- response_json
error.code: "limit_exceeded"
error.field: "limits.wall_time_ms"
error.message =~ 20000 for python



=== TEST 12: an unknown path is 404 JSON
--- request
GET /nothing-here
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 13: an unknown submission id is 404 JSON, from the runner
--- request
GET /submissions/00000000-0000-4000-8000-000000000000
--- error_code: 404
--- response_json
error.code: "not_found"
error.field: "id"



=== TEST 14: a runner that is not there is 502 JSON
--- http_config
    upstream runner {
        server unix:/nonexistent/sandbox-runner.sock;
    }
--- config
    location / {
        sandbox_pass runner;
    }
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"python","source":"print(1)"}
--- error_code: 502
--- response_headers
Content-Type: application/json
--- response_json
error.code: "runner_unavailable"
error.message =~ \S
error.timestamp =~ Z$
--- error_log
connect() to unix:/nonexistent/sandbox-runner.sock failed



=== TEST 15: a runner that does not answer in time is 504 JSON
--- config
    location / {
        sandbox_pass runner;
        sandbox_read_timeout 1s;
    }
--- more_headers
Content-Type: application/json
--- request
POST /submissions
{"language":"python","source":"import time\ntime.sleep(4)"}
--- error_code: 504
--- response_headers
Content-Type: application/json
--- response_json
error.code: "runner_timeout"
--- error_log
upstream timed out
--- timeout: 10



=== TEST 16: errors nginx raises itself are JSON too (deny)
--- config
    location / {
        deny all;
        sandbox_pass runner;
    }
--- request
GET /languages
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_json
error.code: "forbidden"
