# sandbox_json_errors on: a server that serves only the API answers every
# error as the API's JSON error, also those nginx raises before any
# location was chosen (the request line, the header, the URI), and in
# locations that are not the sandbox's.  An error_page of its own still
# wins; without the switch, nginx's pages stay.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(more_headers => undef, config => <<'_EOC_');
    sandbox_json_errors on;

    location /api/ {
        sandbox_pass runner;
    }
    location /static/ {
        root html;
    }
    location /closed/ {
        return 403;
    }
_EOC_

our $Json = <<'_EOJ_';
error.code: "bad_request"
error.message: "the request is malformed"
error.timestamp =~ Z$
_EOJ_

run_tests();

__DATA__

=== TEST 1: %00 in the path is 400 JSON
--- raw_request eval
"GET /api/languages%00 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json eval
$main::Json



=== TEST 2: a URI that climbs above the root is 400 JSON
--- raw_request eval
"GET /api/../../languages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json eval
$main::Json



=== TEST 3: a malformed request line is 400 JSON
--- raw_request eval
"get /api/languages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json eval
$main::Json



=== TEST 4: a header too large is 400 JSON
--- raw_request eval
"GET /api/languages HTTP/1.1\r\nHost: localhost\r\nX-Big: " . ('a' x 10000)
. "\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_json eval
$main::Json



=== TEST 5: a URI too long is 414 JSON
--- raw_request eval
"GET /api/" . ('a' x 10000) . " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 414
--- response_headers
Content-Type: application/json
--- response_json
error.code: "uri_too_long"



=== TEST 6: an unknown Transfer-Encoding is 501 JSON
--- raw_request eval
"POST /api/submissions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n"
--- error_code: 501
--- response_headers
Content-Type: application/json
--- response_json
error.code: "not_implemented"



=== TEST 7: a missing file in another location is 404 JSON
--- request
GET /static/nothing.txt
--- error_code: 404
--- response_headers
Content-Type: application/json
--- response_json
error.code: "not_found"



=== TEST 8: an unknown method outside the sandbox is 405 JSON
--- request
FROB /static/nothing.txt
--- error_code: 405
--- response_headers
Content-Type: application/json
--- response_json
error.code: "method_not_allowed"



=== TEST 9: return in another location is JSON
--- request
GET /closed/x
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_json
error.code: "forbidden"



=== TEST 10: an error_page of the server's own still wins
--- config
    sandbox_json_errors on;
    error_page 404 /404.txt;

    location /static/ {
        root html;
    }
    location = /404.txt {
        root html;
    }
--- user_files
>>> 404.txt
our own page
--- request
GET /static/nothing.txt
--- error_code: 404
--- response_body
our own page



=== TEST 11: without the switch, a server keeps nginx's pages
--- config
    location /api/ {
        sandbox_pass runner;
    }
--- raw_request eval
"GET /api/languages%00 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: text/html
--- response_body_like: ^<html>



=== TEST 12: nor does the switch reach another server
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name other.test;
        sandbox_json_errors on;
        location / {
            return 404;
        }
    }
--- config
    location /static/ {
        root html;
    }
--- request
GET /static/nothing.txt
--- error_code: 404
--- response_headers
Content-Type: text/html
