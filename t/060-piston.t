# The Piston v2 dialect (sandbox_api piston, docs/compat.md): runtimes,
# execute with its files, stdin, args, limits and semver versions, its
# result stages, its {"message"} errors; and the location's native policy
# applied to the translated submission.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90, config => <<'_EOC_');
    location /piston/ {
        sandbox_pass runner;
        sandbox_api piston;
        sandbox_read_timeout 120s;
    }
    location /tight/ {
        sandbox_pass runner;
        sandbox_api piston;
        sandbox_languages python py;
        sandbox_limits wall_time_ms=4000 cpu_time_ms=2000 memory_kb=131072;
        sandbox_read_timeout 120s;
    }
    location /small/ {
        sandbox_pass runner;
        sandbox_api piston;
        client_max_body_size 64;
    }
    location /gone/ {
        sandbox_pass unix:/nonexistent/sandbox-runner.sock;
        sandbox_api piston;
    }
    location /async/ {
        sandbox_pass runner;
        sandbox_api piston;
        sandbox_wait async;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: runtimes: language, version, aliases of every language
--- request
GET /piston/api/v2/runtimes
--- error_code: 200
--- json_ok eval
sub {
    my %rt = map { $_->{language} => $_ } @{ $_[0] };
    $rt{python}{version} eq '3.11.2'
        && grep({ $_ eq 'py' } @{ $rt{python}{aliases} })
        && $rt{c} && $rt{java} && !exists $rt{python}{id}
}



=== TEST 2: execute Python: one unnamed file, Piston's run stage
--- request
POST /piston/api/v2/execute
{"language":"python","version":"3.x","files":[{"content":"import sys\nprint('hi')\nprint('err', file=sys.stderr)"}]}
--- error_code: 200
--- response_json
language: "python"
version: "3.11.2"
compile !
run.stdout: "hi\n"
run.stderr: "err\n"
run.output: "hi\nerr\n"
run.code: 0
run.signal: null
run.status: null
run.message: null
run.cpu_time =~ ^\d+$
run.wall_time =~ ^\d+$
run.memory =~ ^\d+$



=== TEST 3: execute C: a compile stage, then the run
--- request
POST /piston/api/v2/execute
{"language":"c","version":"*","files":[{"name":"prog.c","content":"#include <stdio.h>\nint main(int c, char **v){printf(\"%d %s\\n\", c, v[1]);return 0;}"}],"args":["x"]}
--- error_code: 200
--- response_json
language: "c"
compile.code: 0
compile.status: null
run.stdout: "2 x\n"
run.code: 0



=== TEST 4: a compile error: "run" repeats the compile stage
--- request
POST /piston/api/v2/execute
{"language":"c","version":"12","files":[{"content":"int main( {"}]}
--- error_code: 200
--- response_json
compile.code =~ ^[1-9]
compile.status: "RE"
compile.stderr =~ error
run.stderr =~ error
run.code =~ ^[1-9]



=== TEST 5: Java, named Main.java, with stdin (a line feed is added)
--- request
POST /piston/api/v2/execute
{"language":"java","version":"17","files":[{"name":"Main.java","content":"public class Main { public static void main(String[] a) throws Exception { int c; StringBuilder s = new StringBuilder(); while ((c = System.in.read()) >= 0) s.append(c == 10 ? \"|\" : (char) c); System.out.println(s); } }"}],"stdin":"ab"}
--- error_code: 200
--- response_json
run.stdout: "ab|\n"
run.code: 0



=== TEST 6: semver selectors that match 3.11.2
--- init
for my $v ('*', 'x', '3', '3.x', '3.11', '3.11.x', '3.11.2', '=3.11.2',
           '^3.10', '~3.11.0', '>=3.8 <4', '>3.10', '<=3.11.2', '2 || 3',
           '3.0.0 - 3.12.0', 'v3.11.2') {
    my ($st, $r) = Sbx::Test::api(POST => '/piston/api/v2/execute',
        { language => 'py', version => $v,
          files => [{ content => 'print(1)' }] });
    Test::More::is($st, 200, "version \"$v\" matches")
        or Test::More::diag(Test::More::explain($r));
}
--- request
GET /piston/api/v2/runtimes
--- error_code: 200



=== TEST 7: selectors that do not match, and unknown languages
--- init
for my $v ('2.x', '3.12', '^3.12', '>3.11.2', '<3', '4 || 2', '3.1',
           'latest') {
    my ($st, $r) = Sbx::Test::api(POST => '/piston/api/v2/execute',
        { language => 'python', version => $v,
          files => [{ content => 'print(1)' }] });
    Test::More::is($st, 400, "version \"$v\": 400");
    Test::More::is($r->{message}, "python-$v runtime is unknown",
                   "Piston's message for \"$v\"");
}
--- request
POST /piston/api/v2/execute
{"language":"cobol","version":"*","files":[{"content":"x"}]}
--- error_code: 400
--- response_json
message: "cobol-* runtime is unknown"



=== TEST 8: Piston's validation messages
--- request eval
[map { "POST /piston/api/v2/execute\n$_" }
 '{"version":"*","files":[{"content":"x"}]}',
 '{"language":"python","files":[{"content":"x"}]}',
 '{"language":"python","version":"*"}',
 '{"language":"python","version":"*","files":[{"name":"a.py"}]}',
 '{"language":"python","version":"*","files":[{"content":"eA==","encoding":"base64"}]}',
 '{"language":"python","version":"*","files":[{"content":"x"}],"run_timeout":"1"}',
 '{"language":"python","version":"*","files":[{"content":"x"}],"run_memory_limit":-5}',
 '{"language":"python","version":"*","files":[{"content":"x"}],"compile_timeout":-2}',
 '{"language":"python","version":"*"',
 '[1]']
--- error_code eval
[(400) x 10]
--- response_json eval
['message: "language is required as a string"',
 'message: "version is required as a string"',
 'message: "files is required as an array"',
 'message: "files[0].content is required as a string"',
 'message: "files must include at least one utf8 encoded file"',
 'message: "If specified, run_timeout must be a number"',
 'message: "run_memory_limit must be non-negative"',
 'message: "compile_timeout must be non-negative"',
 'message =~ line 1',
 'message =~ JSON object']



=== TEST 9: files: base64 and hex contents, several files
--- request
POST /piston/api/v2/execute
{"language":"python","version":"3","files":[{"name":"main.py","content":"import helper\nhelper.hi()"},{"name":"helper.py","content":"ZGVmIGhpKCk6IHByaW50KCJiNjQiKQ==","encoding":"base64"},{"name":"data.txt","content":"68657821","encoding":"hex"}],"args":[]}
--- error_code: 200
--- response_json
run.stdout: "b64\n"



=== TEST 10: -1 and 0 mean the defaults; run_timeout is the wall limit
--- request eval
["POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"print(2)"}],"run_timeout":-1,"compile_timeout":-1,"run_memory_limit":-1,"compile_memory_limit":-1,"run_cpu_time":0}',
 "POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"import time\ntime.sleep(3)\nprint(1)"}],"run_timeout":700}']
--- error_code eval
[200, 200]
--- response_json eval
['run.stdout: "2\n"',
 "run.status: \"TO\"\nrun.signal: \"SIGKILL\"\nrun.stdout: \"\"\nrun.code: null"]



=== TEST 11: run_cpu_time and run_memory_limit are the run's limits
--- request eval
["POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"while True: pass"}],"run_cpu_time":300,"run_timeout":5000}',
 "POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"x = bytearray(200 * 1024 * 1024)\nprint(len(x))"}],"run_memory_limit":67108864}']
--- error_code eval
[200, 200]
--- response_json eval
["run.status: \"TO\"\nrun.cpu_time =~ ^[1-9]",
 "run.status: \"SG\"\nrun.signal: \"SIGKILL\"\nrun.stdout: \"\""]



=== TEST 12: a non-zero exit is RE, a signal SG with no code
--- request eval
["POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"import sys\nprint(5)\nsys.exit(3)"}]}',
 "POST /piston/api/v2/execute\n"
 . '{"language":"python","version":"*","files":[{"content":"import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"}]}']
--- error_code eval
[200, 200]
--- response_json eval
["run.code: 3\nrun.status: \"RE\"\nrun.stdout: \"5\\n\"\nrun.signal: null",
 "run.code: null\nrun.status: \"SG\"\nrun.signal: \"SIGSEGV\""]



=== TEST 13: the location's policy applies to the translated request
--- request eval
[map { "POST /tight/api/v2/execute\n$_" }
 '{"language":"bash","version":"*","files":[{"content":"echo 1"}]}',
 '{"language":"python","version":"*","files":[{"content":"print(1)"}],"run_timeout":4001}',
 '{"language":"python","version":"*","files":[{"content":"print(1)"}],"run_cpu_time":2001}',
 '{"language":"python","version":"*","files":[{"content":"print(1)"}],"run_memory_limit":268435456}',
 '{"language":"py","version":"*","files":[{"content":"print(7)"}],"run_timeout":4000}']
--- error_code eval
[400, 400, 400, 400, 200]
--- response_json eval
['message =~ not allowed in this location',
 'message =~ limits.wall_time_ms: must be at most 4000',
 'message =~ limits.cpu_time_ms: must be at most 2000',
 'message =~ limits.memory_kb: must be at most 131072',
 'run.stdout: "7\n"']



=== TEST 14: paths, methods and types answer in Piston's shape
--- request eval
["GET /piston/api/v2/execute",
 "GET /piston/api/v2/packages",
 "GET /piston/languages",
 "POST /piston/api/v2/execute\n{}"]
--- more_headers eval
["", "", "", "Content-Type: application/xml"]
--- error_code eval
[405, 404, 404, 415]
--- response_json eval
['message =~ only POST',
 'message: "no such endpoint"',
 'message: "no such endpoint"',
 'message =~ application/json']



=== TEST 15: piston-client's text/plain body is read as JSON
--- more_headers
Content-Type: text/plain;charset=UTF-8
--- request
POST /piston/api/v2/execute
{"language":"bash","version":"*","files":[{"content":"echo plain"}]}
--- error_code: 200
--- response_json
run.stdout: "plain\n"



=== TEST 16: nginx's own errors answer in Piston's shape too
--- request eval
["POST /small/api/v2/execute\n{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"print(1234567890)\"}]}",
 "GET /gone/api/v2/runtimes"]
--- error_code eval
[413, 502]
--- response_json eval
["message =~ larger than 64 bytes\nerror !",
 "message: \"the runner cannot be reached\""]
--- ignore_error_log



=== TEST 17: execute always waits: a location that never waits refuses it
--- request
POST /async/api/v2/execute
{"language":"python","version":"*","files":[{"content":"print(1)"}]}
--- error_code: 400
--- response_json
message: "wait not allowed"
