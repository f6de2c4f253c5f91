# limit_except in a sandbox location: the methods it does not list are
# served by a hidden location of its own, which must still be the
# sandbox's (real answers, JSON errors), whether access is allowed or
# denied there.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 60, config => <<'_EOC_');
    location /api/ {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        limit_except GET {
            allow 127.0.0.1;
            deny all;
        }
    }
    location /closed/ {
        sandbox_pass runner;
        limit_except GET {
            deny 127.0.0.1;
        }
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: POST from an allowed address is a real submission
--- request
POST /api/submissions
{"language":"python","source":"print(6 * 7)"}
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_json
status: "accepted"
stdout: "42\n"



=== TEST 2: the module's own checks run there: the query
--- request
POST /api/submissions/batch?wait=maybe
{"submissions":[{"language":"python","source":"print(1)"}]}
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json
error.code: "invalid_query"
error.field: "wait"



=== TEST 3: an unknown path under it is the module's 404, not a file's
--- request
POST /api/nothing
{}
--- error_code: 404
--- response_headers
Content-Type: application/json
--- response_json
error.code: "not_found"
error.message: "no such endpoint"



=== TEST 4: a method the endpoint does not take is the module's 405
--- request
DELETE /api/languages
--- error_code: 405
--- response_headers
Allow: GET, HEAD
Content-Type: application/json
--- response_json
error.code: "method_not_allowed"



=== TEST 5: POST from a denied address is 403 JSON
--- request
POST /closed/submissions
{"language":"python","source":"print(1)"}
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_json
error.code: "forbidden"



=== TEST 6: any other method it does not list is denied as JSON too
--- request
DELETE /closed/submissions/00000000-0000-4000-8000-000000000000
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_json
error.code: "forbidden"



=== TEST 7: the listed method passes the limit, to the runner
--- request
GET /closed/health
--- error_code: 200
--- response_headers
Content-Type: application/json



=== TEST 8: HEAD, which GET implies, passes it too
--- request
HEAD /closed/languages
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_body
