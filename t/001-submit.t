# A submission through nginx, the module, the runner and a fresh Docker
# container, answered synchronously; the language table.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

# the API at the root and under a prefix
Sbx::Test::blocks(read_timeout => undef, config => <<'_EOC_');
    location / {
        sandbox_pass runner;
    }
    location /api/ {
        sandbox_pass runner;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: a Python program runs and its output comes back
--- request
POST /submissions
{"language":"python","source":"print(6*7)"}
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_json
status: "accepted"
stdout: "42\n"
stderr: ""
exit_code: 0
signal: null
language.id: "python"
id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$
wall_time_ms =~ ^[1-9]\d*$
time_ms =~ ^\d+$
memory_kb =~ ^[1-9]\d*$
truncated: {"stdout": false, "stderr": false}
timestamps.created_at =~ ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$
timestamps.started_at =~ ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$
timestamps.finished_at =~ ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$
--- no_error_log
[error]



=== TEST 2: stdin reaches the program, stderr and the exit code come back
--- request
POST /api/submissions?wait=true
{"language":"python","source":"import sys\nname = input()\nprint('hello,', name)\nprint('to stderr', file=sys.stderr)\nsys.exit(3)","stdin":"world\n"}
--- error_code: 200
--- response_json
status: "runtime_error"
stdout: "hello, world\n"
stderr: "to stderr\n"
exit_code: 3
message: "the program exited with code 3"



=== TEST 3: the language table lists what the runner has
--- request
GET /api/languages
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_json
languages.0.id =~ ^[a-z]
languages =~ "id":"python"
languages =~ "source_file":"main.py"
languages =~ "compiled":false



=== TEST 4: the runner is healthy and reaches Docker
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"
docker.reachable: true
workers.total =~ ^[1-9]
queue.capacity =~ ^[1-9]



=== TEST 5: a submission in a file, the result is the same
--- more_headers
Content-Type: application/json; charset=utf-8
--- request
POST /submissions
{"language":"py","files":[{"name":"main.py","content":"import helper\nhelper.hi()"},{"name":"helper.py","content":"ZGVmIGhpKCk6CiAgICBwcmludCgiaGkgZnJvbSBoZWxwZXIiKQo=","encoding":"base64"}]}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hi from helper\n"



=== TEST 6: what a one-line curl -d sends is read as JSON
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- request
POST /submissions
{"language":"python","source":"print(6*7)"}
--- error_code: 200
--- response_json
stdout: "42\n"
