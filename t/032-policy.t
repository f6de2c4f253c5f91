# Per-location policy: a free and a paid tier on two locations of one
# server.  What the free tier's policy refuses is refused by nginx (422)
# before it reaches the runner: its sandbox_pass points at a socket that
# does not exist, so anything that got through would be a 502.  And the
# module's variables, in headers and in an access log.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

# a block with --- reuse_nginx keeps the running nginx (and its logs)
Sbx::Test::blocks(http_config => <<'_EOC_', config => <<'_EOC_');

    log_format sandbox 'id=$sandbox_id status=$sandbox_status '
                       'language=$sandbox_language http=$status';
_EOC_
    location /free/ {
        sandbox_pass unix:/nonexistent/sandbox-runner.sock;
        sandbox_languages python bash;
        sandbox_limits cpu_time_ms=1000 memory_kb=65536;
        sandbox_max_tests 2;
        sandbox_max_batch 2;
        sandbox_wait off;
    }

    location /free-real/ {
        sandbox_pass runner;
        sandbox_languages python bash;
        sandbox_limits memory_kb=65536;
        sandbox_max_batch 3;
    }

    location /paid/ {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        access_log logs/sandbox.log sandbox;
        add_header X-Log-Id $sandbox_id always;
        add_header X-Sandbox-Status $sandbox_status always;
        add_header X-Sandbox-Language $sandbox_language always;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: a language the tier does not allow: 422, not sent on
--- request
POST /free/submissions
{"language":"java","source":"class Main {}"}
--- error_code: 422
--- response_json
error.code: "language_not_allowed"
error.field: "language"



=== TEST 2: a limit above the tier's maximum: 422, naming it
--- request
POST /free/submissions
{"language":"python","source":"print(1)","limits":{"memory_kb":131072}}
--- error_code: 422
--- response_json
error.code: "limit_exceeded"
error.field: "limits.memory_kb"
error.message =~ 65536



=== TEST 3: more tests than the tier allows: 422
--- request
POST /free/submissions
{"language":"python","source":"print(1)","tests":[{},{},{}]}
--- error_code: 422
--- response_json
error.code: "too_many_tests"
error.field: "tests"



=== TEST 4: a larger batch than the tier allows: 422
--- request
POST /free/submissions/batch
{"submissions":[{"language":"bash","source":"true"},{"language":"bash","source":"true"},{"language":"bash","source":"true"}]}
--- error_code: 422
--- response_json
error.code: "batch_too_large"



=== TEST 5: what the tier allows does go on to the runner (here: none)
--- request
POST /free/submissions
{"language":"python","source":"print(1)","limits":{"memory_kb":65536}}
--- error_code: 502
--- response_json
error.code: "runner_unavailable"
--- error_log
nonexistent/sandbox-runner.sock



=== TEST 6: a batch: items beyond the tier's policy come back as errors
--- request
POST /free-real/submissions/batch
{"submissions":[{"language":"python","source":"print(1)"},{"language":"ruby","source":"puts 1"},{"language":"bash","source":"true","limits":{"memory_kb":999999}}]}
--- error_code: 202
--- response_json
submissions.0.status: "queued"
submissions.1.error.code: "language_not_allowed"
submissions.2.error.code: "limit_exceeded"
submissions.2.error.field: "limits.memory_kb"



=== TEST 7: the paid tier runs what the free tier refuses
--- request
POST /paid/submissions
{"language":"ruby","source":"puts 6 * 7","limits":{"memory_kb":131072}}
--- error_code: 200
--- response_json
stdout: "42\n"



=== TEST 8: $sandbox_id, $sandbox_status, $sandbox_language
--- request
POST /paid/submissions
{"language":"bash","source":"exit 4"}
--- error_code: 200
--- response_headers_like
X-Log-Id: [0-9a-f]{8}-[0-9a-f-]{27}
X-Sandbox-Id: [0-9a-f]{8}-[0-9a-f-]{27}
X-Sandbox-Status: runtime_error
X-Sandbox-Language: bash
--- json_ok eval
sub { $main::last_id = $_[0]{id}; 1 }



=== TEST 9: the same variables in log_format
--- reuse_nginx
--- init
my $log = "$Test::Nginx::Util::ServRoot/logs/sandbox.log";
open my $fh, '<', $log or die "$log: $!";
my @lines = grep { !/ http=200$/ || !/language= / } <$fh>;
chomp @lines;
Test::More::like($lines[-1],
    qr/^id=\Q$main::last_id\E status=runtime_error language=bash http=200$/,
    'the access log line');
--- more_headers
Content-Type: application/json
--- request
GET /paid/health
--- error_code: 200
