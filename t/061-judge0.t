# The Judge0 CE 1.13 dialect (sandbox_api judge0, docs/compat.md):
# languages and statuses, submissions with wait, base64_encoded and
# fields, batches both ways, Judge0's statuses and 422 field errors, and
# the location's native policy applied to the translated submission.
# The client flow of a Judge0 IDE: create with wait=false, poll the
# token, read status.id 3 and the decoded output, for five languages.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use MIME::Base64 ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90, config => <<'_EOC_');
    location /judge0/ {
        sandbox_pass runner;
        sandbox_api judge0;
        sandbox_max_batch 4;
        sandbox_read_timeout 120s;
    }
    location /tight/ {
        sandbox_pass runner;
        sandbox_api judge0;
        sandbox_languages python;
        sandbox_limits wall_time_ms=4000 cpu_time_ms=2000 memory_kb=131072;
    }
    location /small/ {
        sandbox_pass runner;
        sandbox_api judge0;
        client_max_body_size 64;
    }
    location /gone/ {
        sandbox_pass unix:/nonexistent/sandbox-runner.sock;
        sandbox_api judge0;
    }
    location /async/ {
        sandbox_pass runner;
        sandbox_api judge0;
        sandbox_wait async;
    }
    location /refuse/ {
        sandbox_pass runner;
        sandbox_api judge0;
        sandbox_wait refuse;
    }
_EOC_

our %tokens;

# polls a token as a Judge0 client does, until it leaves 1 and 2
sub judge0_poll {
    my ($token, $query) = @_;
    my $r;

    for (1 .. 900) {
        (my $st, $r) = Sbx::Test::api(
            GET => "/judge0/submissions/$token?$query");
        return $r if $st != 200 || $r->{status}{id} > 2;
        Time::HiRes::sleep(0.1);
    }

    return $r;
}

run_tests();

__DATA__

=== TEST 1: languages: Judge0's ids and names for the runner's languages
--- request
GET /judge0/languages
--- error_code: 200
--- json_ok eval
sub {
    my %l = map { $_->{id} => $_ } @{ $_[0] };
    $l{71}{name} eq 'Python (3.11.2)' && $l{50}{name} eq 'C (GCC 12.2.0)'
        && $l{54} && $l{62} && $l{63} && !$l{48}
        && CORE::join(',', sort keys %{ $l{71} }) eq 'id,name'
}



=== TEST 2: statuses: Judge0's fourteen
--- request
GET /judge0/statuses
--- error_code: 200
--- response_json
0: {"id":1,"description":"In Queue"}
2: {"id":3,"description":"Accepted"}
5: {"id":6,"description":"Compilation Error"}
10: {"id":11,"description":"Runtime Error (NZEC)"}
13: {"id":14,"description":"Exec Format Error"}
14 !



=== TEST 3: create without wait: 201 and only the token
--- request
POST /judge0/submissions
{"source_code":"print(1)","language_id":71}
--- error_code: 201
--- response_json
token =~ ^[0-9a-f-]{36}$
status !
--- json_ok eval
sub { keys %{ $_[0] } == 1 }



=== TEST 4: the client flow, five languages, base64_encoded true and false
--- init
my %src = (
    71 => "print(input()[::-1])",
    50 => "#include <stdio.h>\nint main(void){char s[64];scanf(\"%63s\",s);"
          . "for(int i=0;s[i];i++)putchar(s[i]^32);puts(\"\");return 0;}",
    54 => "#include <iostream>\n#include <algorithm>\n#include <string>\n"
          . "int main(){std::string s;std::cin>>s;"
          . "std::reverse(s.begin(),s.end());std::cout<<s<<\"\\n\";}",
    62 => "import java.util.*;\npublic class Main { public static void "
          . "main(String[] a) { String s = new Scanner(System.in).next(); "
          . "System.out.println(new StringBuilder(s).reverse()); } }",
    63 => "const s = require('fs').readFileSync(0, 'utf8').trim();\n"
          . "console.log(s.split('').reverse().join(''));",
);
my %want = (71 => "olleh\n", 50 => "HELLO\n", 54 => "olleh\n",
            62 => "olleh\n", 63 => "olleh\n");
for my $b64 (0, 1) {
    for my $id (sort keys %src) {
        # a busy host's JVM and Node start slowly: room as a client gives
        my %sub = (language_id => $id, stdin => "hello\n",
                   source_code => $src{$id},
                   expected_output => $want{$id},
                   cpu_time_limit => 10, wall_time_limit => 20);
        if ($b64) {
            $sub{$_} = MIME::Base64::encode_base64($sub{$_}, '')
                for qw(source_code stdin expected_output);
        }
        my ($st, $r) = Sbx::Test::api(POST =>
            "/judge0/submissions?base64_encoded="
            . ($b64 ? 'true' : 'false') . "&wait=false", \%sub);
        Test::More::is($st, 201, "$id b64=$b64: created");
        $main::tokens{"$id-$b64"} = $r->{token};
    }
}
for my $key (sort keys %main::tokens) {
    my ($id, $b64) = split /-/, $key;
    my $r = main::judge0_poll($main::tokens{$key},
                              "base64_encoded=" . ($b64 ? 'true' : 'false'));
    Test::More::is($r->{status}{id}, 3, "$key: status.id 3")
        or Test::More::diag(Test::More::explain($r));
    Test::More::is($r->{status}{description}, 'Accepted', "$key: Accepted");
    Test::More::is($b64 ? MIME::Base64::decode_base64($r->{stdout}) : $r->{stdout},
                   $want{$id}, "$key: output");
    Test::More::like($r->{time}, qr/^\d+\.\d+$/, "$key: time in seconds");
    Test::More::like($r->{memory}, qr/^\d+$/, "$key: memory in KB");
    Test::More::is($r->{token}, $main::tokens{$key}, "$key: token");
}
--- request
GET /judge0/statuses
--- error_code: 200



=== TEST 5: wait=true: 201 with the default fields
--- request
POST /judge0/submissions?wait=true
{"source_code":"import sys\nprint('out')\nprint('err', file=sys.stderr)","language_id":"71"}
--- error_code: 201
--- response_json
stdout: "out\n"
stderr: "err\n"
compile_output: null
message: null
status: {"id":3,"description":"Accepted"}
time =~ ^\d+\.\d+$
memory =~ ^\d+$
token =~ ^[0-9a-f-]{36}$
--- json_ok eval
sub { CORE::join(',', sort keys %{ $_[0] })
      eq 'compile_output,memory,message,status,stderr,stdout,time,token' }



=== TEST 6: fields=: some, all, unknown ones
--- request eval
["POST /judge0/submissions?wait=true&fields=stdout,exit_code,language_id,status_id,wall_time,cpu_time_limit,memory_limit,language\n"
 . '{"source_code":"print(2)","language_id":71,"cpu_time_limit":1.5,"memory_limit":65536}',
 "POST /judge0/submissions?wait=true&fields=*\n"
 . '{"source_code":"print(2)","language_id":71}',
 "POST /judge0/submissions?wait=true&fields=stdout,bogus,nope\n"
 . '{"source_code":"print(2)","language_id":71}']
--- error_code eval
[201, 201, 400]
--- response_json eval
["stdout: \"2\\n\"\nexit_code: 0\nlanguage_id: 71\nstatus_id: 3\nwall_time =~ ^\\d+\\.\\d+\$\ncpu_time_limit: \"1.5\"\nmemory_limit: 65536\nlanguage: {\"id\":71,\"name\":\"Python (3.11.2)\"}\ntoken !\nstatus !",
 "source_code: null\nnumber_of_runs: 1\nenable_network: false\nstatus.id: 3",
 'error: "invalid fields: [bogus, nope]"']
--- init
my ($st, $r) = Sbx::Test::api(POST => '/judge0/submissions?wait=true&fields=stdout,exit_code',
    { source_code => 'print(2)', language_id => 71 });
Test::More::is(CORE::join(',', sort keys %$r), 'exit_code,stdout', 'only those');
($st, $r) = Sbx::Test::api(POST => '/judge0/submissions?wait=true&fields=*',
    { source_code => 'print(2)', language_id => 71 });
Test::More::is(scalar(keys %$r), 35, 'fields=*: all 35');



=== TEST 7: Judge0's verdicts
--- request eval
[map { "POST /judge0/submissions?wait=true&fields=status,exit_code,exit_signal,compile_output,message,stdout\n$_" }
 '{"source_code":"print(3)","language_id":71,"expected_output":"4"}',
 '{"source_code":"while True: pass","language_id":71,"cpu_time_limit":0.5}',
 '{"source_code":"int main( {","language_id":50}',
 '{"source_code":"int main(void){volatile int *p = 0; return *p;}","language_id":50}',
 '{"source_code":"#include <signal.h>\nint main(void){raise(SIGFPE); return 0;}","language_id":50}',
 '{"source_code":"import sys\nsys.exit(4)","language_id":71}',
 '{"source_code":"#include <stdlib.h>\nint main(void){abort();}","language_id":50}',
 '{"source_code":"x = bytearray(300 * 1024 * 1024)","language_id":71,"memory_limit":65536}']
--- error_code eval
[(201) x 8]
--- response_json eval
['status: {"id":4,"description":"Wrong Answer"}',
 'status: {"id":5,"description":"Time Limit Exceeded"}',
 "status: {\"id\":6,\"description\":\"Compilation Error\"}\ncompile_output =~ error",
 "status: {\"id\":7,\"description\":\"Runtime Error (SIGSEGV)\"}\nexit_signal: 11",
 "status: {\"id\":9,\"description\":\"Runtime Error (SIGFPE)\"}\nexit_signal: 8",
 "status: {\"id\":11,\"description\":\"Runtime Error (NZEC)\"}\nexit_code: 4\nexit_signal: null",
 "status: {\"id\":10,\"description\":\"Runtime Error (SIGABRT)\"}\nexit_signal: 6",
 'status: {"id":12,"description":"Runtime Error (Other)"}']



=== TEST 8: 422 with Judge0's field errors
--- request eval
[map { "POST /judge0/submissions\n$_" }
 '{"source_code":"print(1)","language_id":999}',
 '{"language_id":71}',
 '{"source_code":"print(1)"}',
 '{"source_code":"print(1)","language_id":71,"wall_time_limit":0.5}',
 '{"source_code":"print(1)","language_id":71,"memory_limit":1000}',
 '{"source_code":"print(1)","language_id":71,"max_processes_and_or_threads":0}',
 '{"source_code":"print(1)","language_id":71,"cpu_time_limit":"abc"}',
 '{"source_code":"print(1)","language_id":71,"enable_network":true}',
 '{"source_code":"print(1)","language_id":71,"compiler_options":"-O3"}',
 '{"source_code":"print(1)","language_id":71,"redirect_stderr_to_stdout":true}',
 '{"source_code":"print(1)","language_id":71,"command_line_arguments":"' . ('a' x 513) . '"}',
 '{"source_code":"print(1)","language_id":71,"callback_url":"ftp://x"}',
 '{"source_code":"print(1)","language_id":71,"cpu_time_limit":100000}']
--- error_code eval
[(422) x 13]
--- response_json eval
['language_id: ["language with id 999 doesn\'t exist"]',
 'source_code: ["can\'t be blank"]',
 'language_id: ["can\'t be blank"]',
 'wall_time_limit: ["must be greater than or equal to 1"]',
 'memory_limit: ["must be greater than or equal to 2048"]',
 'max_processes_and_or_threads: ["must be greater than 0"]',
 'cpu_time_limit: ["is not a number"]',
 'enable_network: ["enabling network is not allowed"]',
 'compiler_options: ["setting compiler options is not allowed"]',
 'redirect_stderr_to_stdout: ["this option cannot be enabled"]',
 'command_line_arguments: ["is too long (maximum is 512 characters)"]',
 'callback_url.0 =~ http',
 'cpu_time_limit.0 =~ between 1 and']



=== TEST 9: base64_encoded=true both ways; bad base64 is refused
--- request eval
["POST /judge0/submissions?wait=true&base64_encoded=true&fields=stdout,stderr,message,status_id\n"
 . '{"source_code":"' . MIME::Base64::encode_base64("import sys\nprint(input())\nsys.stderr.write('e')\nsys.exit(1)", '') . '","stdin":"' . MIME::Base64::encode_base64("hej\n", '') . '","language_id":71}',
 "POST /judge0/submissions?base64_encoded=true\n"
 . '{"source_code":"not base64!","language_id":71}']
--- error_code eval
[201, 422]
--- response_json eval
["stdout: \"aGVqCg==\"\nstderr: \"ZQ==\"\nstatus_id: 11\nmessage =~ ^[A-Za-z0-9+/]+=*\$",
 'source_code.0 =~ base64']



=== TEST 10: command_line_arguments become the program's arguments
--- request
POST /judge0/submissions?wait=true&fields=stdout
{"source_code":"import sys\nprint(sys.argv[1:])","language_id":71,"command_line_arguments":" a  b\t'c d' "}
--- error_code: 201
--- response_json
stdout: "['a', 'b', \"'c\", \"d'\"]\n"



=== TEST 11: a batch: tokens and field errors in order; then read back
--- init
my ($st, $r) = Sbx::Test::api(POST => '/judge0/submissions/batch', {
    submissions => [
        { language_id => 71, source_code => 'print(11)' },
        { language_id => 1234, source_code => 'x' },
        { language_id => 46, source_code => 'echo 12' } ] });
Test::More::is($st, 201, 'batch: 201');
Test::More::like($r->[0]{token}, qr/^[0-9a-f-]{36}$/, 'item 0: token');
Test::More::is_deeply($r->[1],
    { language_id => ["language with id 1234 doesn't exist"] },
    'item 1: its field error');
Test::More::like($r->[2]{token}, qr/^[0-9a-f-]{36}$/, 'item 2: token');
main::judge0_poll($_, '') for $r->[0]{token}, $r->[2]{token};
my $tokens = CORE::join ',', $r->[0]{token}, $r->[2]{token},
                       '00000000-0000-4000-8000-000000000000';
($st, my $b) = Sbx::Test::api(GET =>
    "/judge0/submissions/batch?tokens=$tokens&fields=stdout,status_id");
Test::More::is($st, 200, 'batch lookup: 200');
Test::More::is_deeply($b, { submissions => [
    { stdout => "11\n", status_id => 3 },
    { stdout => "12\n", status_id => 3 }, undef ] }, 'in order, null unknown');
($st, $b) = Sbx::Test::api(GET =>
    "/judge0/submissions/batch?tokens=$tokens&base64_encoded=true");
Test::More::is($b->{submissions}[0]{stdout}, 'MTEK', 'base64 in a batch');
--- request
POST /judge0/submissions/batch
{"submissions":[{"language_id":1,"source_code":"x"},{"source_code":"x"}]}
--- error_code: 422
--- response_json
0.language_id: ["language with id 1 doesn't exist"]
1.language_id: ["can't be blank"]



=== TEST 12: batch refusals
--- request eval
["POST /judge0/submissions/batch\n{\"submissions\":[]}",
 "POST /judge0/submissions/batch\n{\"submissions\":["
 . CORE::join(',', ('{"language_id":71,"source_code":"print(1)"}') x 5) . "]}",
 "GET /judge0/submissions/batch",
 "GET /judge0/submissions/batch?tokens=a,b,c,d,e",
 "POST /judge0/submissions/batch?wait=true\n{\"submissions\":[{\"language_id\":71,\"source_code\":\"print(1)\"}]}",
 "DELETE /judge0/submissions/batch"]
--- error_code eval
[400, 400, 400, 400, 201, 405]
--- response_json eval
['error: "there should be at least one submission in a batch"',
 'error =~ at most 4',
 'error: "there should be at least one submission in a batch"',
 'error: "number of submissions in a batch should be less than or equal to 4"',
 '0.token =~ ^[0-9a-f-]{36}$',
 'error =~ only GET, POST']



=== TEST 13: unknown tokens and paths, wrong methods, malformed JSON
--- request eval
["GET /judge0/submissions/00000000-0000-4000-8000-000000000000",
 "GET /judge0/health",
 "PUT /judge0/submissions\n{}",
 "POST /judge0/submissions\n{\"source_code\":",
 "GET /judge0/statuses?fields=x"]
--- error_code eval
[404, 404, 405, 400, 200]
--- response_json eval
['error =~ no such submission',
 'error: "no such endpoint"',
 'error =~ only POST',
 'error =~ line 1',
 '0.id: 1']



=== TEST 14: the location's policy applies to the translated submission
--- request eval
[map { "POST /tight/submissions?wait=true\n$_" }
 '{"source_code":"int main(void){return 0;}","language_id":50}',
 '{"source_code":"print(1)","language_id":71,"cpu_time_limit":2.5}',
 '{"source_code":"print(1)","language_id":71,"wall_time_limit":4.5}',
 '{"source_code":"print(1)","language_id":71,"memory_limit":262144}',
 '{"source_code":"print(8)","language_id":71,"cpu_time_limit":2,"wall_time_limit":4}']
--- error_code eval
[422, 422, 422, 422, 201]
--- response_json eval
['language_id.0 =~ not allowed in this location',
 'cpu_time_limit.0 =~ at most 2000',
 'wall_time_limit.0 =~ at most 4000',
 'memory_limit.0 =~ at most 131072',
 'stdout: "8\n"']



=== TEST 15: GET shows a queued or running job as status 1 or 2
--- init
my ($st, $r) = Sbx::Test::api(POST => '/judge0/submissions',
    { language_id => 71, source_code => "import time\ntime.sleep(2)" });
($st, my $g) = Sbx::Test::api(GET =>
    "/judge0/submissions/$r->{token}?fields=status,stdout,time,token");
Test::More::is($st, 200, 'GET while it waits');
Test::More::like($g->{status}{id}, qr/^[12]$/, "status $g->{status}{id}");
Test::More::is($g->{stdout}, undef, 'no output yet');
Test::More::is($g->{time}, undef, 'no time yet');
$g = main::judge0_poll($r->{token}, '');
Test::More::is($g->{status}{id}, 3, 'then Accepted');
--- request
GET /judge0/statuses
--- error_code: 200



=== TEST 16: nginx's own errors answer in Judge0's shape too
--- request eval
["POST /small/submissions\n{\"language_id\":71,\"source_code\":\"print(1234567890123456789012345678901234567890)\"}",
 "GET /gone/languages"]
--- error_code eval
[413, 502]
--- response_json eval
["error =~ larger than 64 bytes",
 "error: \"the runner cannot be reached\""]
--- ignore_error_log



=== TEST 17: sandbox_wait async queues wait=true; refuse refuses it
--- request eval
["POST /async/submissions?wait=true\n{\"language_id\":71,\"source_code\":\"print(1)\"}",
 "POST /refuse/submissions?wait=true\n{\"language_id\":71,\"source_code\":\"print(1)\"}",
 "POST /refuse/submissions\n{\"language_id\":71,\"source_code\":\"print(1)\"}",
 "HEAD /judge0/statuses"]
--- error_code eval
[201, 400, 201, 200]
--- response_json eval
["token =~ ^[0-9a-f-]{36}\$\nstatus !",
 'error: "wait not allowed"',
 "token =~ ^[0-9a-f-]{36}\$\nstatus !",
 undef]
