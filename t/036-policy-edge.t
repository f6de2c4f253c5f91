# The location's policy where a request could slip around it: limits
# left out take the language's defaults, clamped to the location's
# maxima by the runner (and the result says what applied); only the
# exact endpoint paths under a location are served; $sandbox_language is
# a language id the runner or the location named, never the client's
# string; and a job's budget (tests x wall time, tests x output) and the
# default number of tests are held at the edge.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90, http_config => <<'_EOH_', config => <<'_EOC_');

    log_format sandbox 'language=$sandbox_language http=$status $uri';
_EOH_
    location / {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        access_log logs/sandbox.log sandbox;
    }

    location = /metrics {
        deny all;
        sandbox_pass runner;
    }

    location /tier/ {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        sandbox_limits cpu_time_ms=1000 memory_kb=65536;
    }

    location /listed/ {
        sandbox_pass runner;
        sandbox_languages python py;
        sandbox_limits memory_kb=65536;
        access_log logs/sandbox.log sandbox;
    }

    location /budget/ {
        sandbox_pass runner;
        sandbox_job_budget wall_ms=10000 output_kb=1024;
    }

    location /capped/ {
        sandbox_pass runner;
        sandbox_limits wall_time_ms=5000 output_kb=512;
    }

    location ~ ^/(re|rx)/ {
        sandbox_pass runner;
    }

    location = /exact/health {
        sandbox_pass runner;
    }
_EOC_

sub tests {
    my ($n, %t) = @_;
    return '"tests":[' . join(',', ('{}') x $n) . ']';
}

run_tests();

__DATA__

=== TEST 1: tier bypass (Python), no limits at all: 100 MiB over a 64 MiB tier
--- request
POST /tier/submissions
{"language":"python","source":"b = b'x' * (100 * 1024 * 1024)\nprint(len(b))"}
--- error_code: 200
--- response_json
status: "memory_limit_exceeded"
limits.memory_kb: 65536
limits.cpu_time_ms: 1000
limits.wall_time_ms: 5000
message =~ 65536



=== TEST 2: tier bypass (Python), limits without the CPU key: 1.5 s of CPU
--- request
POST /tier/submissions
{"language":"python","source":"import time\nt = time.process_time()\nwhile time.process_time() - t < 1.5:\n    pass\nprint('done')","limits":{"wall_time_ms":4000}}
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "cpu"
limits.cpu_time_ms: 1000
limits.memory_kb: 65536
limits.wall_time_ms: 4000
stdout: ""



=== TEST 3: tier bypass (C), limits without the memory key: 100 MiB
--- request
POST /tier/submissions
{"language":"c","source":"#include <stdio.h>\n#include <stdlib.h>\nint main(void) {\n    size_t i, n = 100u << 20;\n    volatile char *p = malloc(n);\n    if (p == NULL) return 3;\n    for (i = 0; i < n; i += 4096) p[i] = 1;\n    printf(\"%d\\n\", p[n - 4096]);\n    return 0;\n}\n","limits":{"processes":8}}
--- error_code: 200
--- response_json
status: "memory_limit_exceeded"
limits.memory_kb: 65536
limits.cpu_time_ms: 1000
limits.processes: 8



=== TEST 4: tier bypass (C), no limits at all: 1.5 s of CPU
--- request
POST /tier/submissions
{"language":"c","source":"#include <stdio.h>\n#include <time.h>\nint main(void) {\n    while (clock() < 3 * CLOCKS_PER_SEC / 2) { }\n    puts(\"done\");\n    return 0;\n}\n"}
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "cpu"
limits.cpu_time_ms: 1000
limits.memory_kb: 65536
stdout: ""



=== TEST 5: the tier's maximum is still refused when asked for outright
--- request
POST /tier/submissions
{"language":"c","source":"int main(void) { return 0; }","limits":{"cpu_time_ms":1001}}
--- error_code: 422
--- response_json
error.code: "limit_exceeded"
error.field: "limits.cpu_time_ms"



=== TEST 6: without a tier the language's defaults apply, and say so
--- request
POST /submissions
{"language":"python","source":"print(1)"}
--- error_code: 200
--- response_json
status: "accepted"
limits.memory_kb: 131072
limits.cpu_time_ms: 2000



=== TEST 7: a batch under the tier: its items are clamped too
--- request
POST /tier/submissions/batch
{"submissions":[{"language":"python","source":"b = b'x' * (100 * 1024 * 1024)\nprint(len(b))"}]}
--- error_code: 202
--- response_json
submissions.0.status: "queued"
--- json_ok eval
sub {
    my $r = Sbx::Test::poll("/submissions/$_[0]{submissions}[0]{id}");
    $r->{status} eq 'memory_limit_exceeded'
        && $r->{limits}{memory_kb} == 65536
        or die "got $r->{status}, memory_kb $r->{limits}{memory_kb}\n";
}



=== TEST 8: routing: GET /x/metrics is not the metrics endpoint
--- request
GET /x/metrics
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 9: routing: /free/metrics under "location /" is not either
--- request
GET /free/metrics
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 10: routing: the guard on /metrics holds
--- request
GET /metrics
--- error_code: 403
--- response_json
error.code: "forbidden"



=== TEST 11: routing: no id has two segments
--- request
GET /submissions/x/y
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 12: routing: /foo/languages, /languagesX, POST /x/submissions
--- request eval
["GET /foo/languages", "GET /languagesX", "POST /x/submissions\n{}",
 "GET /tier/x/health", "GET /tier/submissions/x/batch",
 "GET /re/x/health", "GET /tierhealth"]
--- error_code eval
[404, 404, 404, 404, 404, 404, 404]
--- response_json eval
[("error.code: \"not_found\"") x 7]



=== TEST 13: routing: what is under each kind of location is served
--- request eval
["GET /languages", "GET /tier/health", "GET /re/health", "GET /rx/health",
 "GET /exact/health", "POST /tier/submissions/batch\n{}"]
--- error_code eval
[200, 200, 200, 200, 200, 400]



=== TEST 14: $sandbox_language: unknown, alias, refused at the edge, batch
--- request eval
["POST /submissions\n" . '{"language":"cobol-\u00e9vil","source":"x"}',
 "POST /submissions\n" . '{"language":"py","source":"print(1)"}',
 "POST /listed/submissions\n"
 . '{"language":"py","source":"x","limits":{"memory_kb":99999}}',
 "POST /submissions/batch\n"
 . '{"submissions":[{"language":"py","source":"x"}]}']
--- error_code eval
[422, 200, 422, 202]
--- response_json eval
["error.code: \"unknown_language\"", "status: \"accepted\"",
 "error.code: \"limit_exceeded\"", undef]
--- json_ok eval
sub { $main::id = $_[0]{id} if defined $_[0]{id}; 1 }



=== TEST 15: $sandbox_language in the log: the runner's id or the listed one
--- reuse_nginx
--- init
my ($st) = Sbx::Test::api(GET => "/submissions/$main::id");
Test::More::is($st, 200, 'GET by id');
select undef, undef, undef, 0.5;
my $log = "$Test::Nginx::Util::ServRoot/logs/sandbox.log";
open my $fh, '<', $log or die "$log: $!";
my @lines = <$fh>;
chomp @lines;
my %by = map { /^language=(\S+) http=(\d+) (\S+)$/ ? ("$3 $2" => $1) : () }
         @lines;
Test::More::is($by{"/submissions 422"}, '-', 'unknown language: none');
Test::More::is($by{"/submissions 200"}, 'python', 'an alias: the id');
Test::More::is($by{"/submissions/$main::id 200"}, 'python', 'GET by id');
Test::More::is($by{"/listed/submissions 422"}, 'py',
               'refused at the edge: the name the location lists');
Test::More::is($by{"/submissions/batch 202"}, '-', 'a batch: none');
--- more_headers
Content-Type: application/json
--- request
GET /health
--- error_code: 200



=== TEST 16: budget: many tests x a big wall time: 422, naming it
--- request eval
"POST /budget/submissions\n"
. '{"language":"bash","source":"true","limits":{"wall_time_ms":5000},'
. main::tests(3) . '}'
--- error_code: 422
--- response_json
error.code: "budget_exceeded"
error.field: "limits.wall_time_ms"
error.message =~ wall time budget here is 10000 ms



=== TEST 17: budget: many tests x a big output: 422, naming it
--- request eval
"POST /budget/submissions\n"
. '{"language":"bash","source":"true","limits":{"output_kb":1024},'
. main::tests(2) . '}'
--- error_code: 422
--- response_json
error.code: "budget_exceeded"
error.field: "limits.output_kb"
error.message =~ output budget here is 1024 KB



=== TEST 18: budget: defaults are counted at the location's maxima
64 tests x 512 KB x 2 is over the default 32 MiB; 64 x 5 s over 300 s.
--- request eval
["POST /capped/submissions\n"
 . '{"language":"bash","source":"true","limits":{"wall_time_ms":1000},'
 . main::tests(64) . '}',
 "POST /capped/submissions\n"
 . '{"language":"bash","source":"true","limits":{"output_kb":64},'
 . main::tests(64) . '}']
--- error_code eval
[422, 422]
--- response_json eval
["error.code: \"budget_exceeded\"\nerror.field: \"limits.output_kb\"",
 "error.code: \"budget_exceeded\"\nerror.field: \"limits.wall_time_ms\""]



=== TEST 19: budget: the default budget, in a batch item too
--- request eval
["POST /submissions\n"
 . '{"language":"bash","source":"true","limits":{"wall_time_ms":20000},'
 . main::tests(16) . '}',
 "POST /budget/submissions/batch\n"
 . '{"submissions":[{"language":"bash","source":"true"},'
 . '{"language":"bash","source":"true","limits":{"wall_time_ms":4000},'
 . main::tests(3) . '}]}']
--- error_code eval
[422, 202]
--- response_json eval
["error.code: \"budget_exceeded\"\nerror.message =~ 300000 ms",
 "submissions.0.status: \"queued\"\n"
 . "submissions.1.error.code: \"budget_exceeded\""]



=== TEST 20: budget: within it, the job runs
--- request eval
"POST /budget/submissions\n"
. '{"language":"bash","source":"echo ok","limits":{"wall_time_ms":3000,'
. '"output_kb":128},' . main::tests(3) . '}'
--- error_code: 200
--- response_json
status: "accepted"
tests.2.stdout: "ok\n"



=== TEST 21: the default sandbox_max_tests is 64, not unlimited
--- request eval
["POST /submissions\n"
 . '{"language":"bash","source":"true",' . main::tests(65) . '}',
 "POST /submissions/batch\n"
 . '{"submissions":[{"language":"bash","source":"true",'
 . main::tests(65) . '}]}']
--- error_code eval
[422, 202]
--- response_json eval
["error.code: \"too_many_tests\"\nerror.message =~ at most 64 tests",
 "submissions.0.error.code: \"too_many_tests\""]
