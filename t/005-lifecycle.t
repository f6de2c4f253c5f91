# The container goes away on every path (success, time limit, runner
# shutdown), and a runner removes its own leftovers when it starts.  This
# file runs a runner of its own, so that it can stop it.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

my $dir = $ENV{SBX_TEST_DIR} || "$Sbx::Test::Top/build/test";
$ENV{TEST_NGINX_LIFE_SOCKET} = "$dir/life.sock";

our $runner;

# --- containers_left: N  checks this runner's containers after a response
add_response_body_check(sub {
    my ($block) = @_;
    my $want = $block->containers_left;
    return unless defined $want;
    Test::More::is(Sbx::Test::containers('test-life'), $want,
                   $block->name . " - containers left");
});

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value(http_config => <<'_EOC_');
    upstream runner {
        server unix:$TEST_NGINX_LIFE_SOCKET;
        keepalive 4;
    }
_EOC_

    $block->set_value(config => <<'_EOC_');
    location / {
        sandbox_pass runner;
    }
_EOC_

    $block->set_value(more_headers => "Content-Type: application/json");
});

run_tests();

if ($main::runner) {
    Sbx::Test::runner_stop($main::runner);
}

__DATA__

=== TEST 1: a starting runner removes what a crashed one left behind
--- init
system("docker create --label org.sandbox.runner=test-life"
       . " --name sbx-test-life-stray sbx/python true >/dev/null") == 0
    or die "docker create failed";
Test::More::is(Sbx::Test::containers('test-life'), 1, "a stray container");
$main::runner = Sbx::Test::runner_start('life', '--shutdown-grace', 1);
--- request
GET /health
--- error_code: 200
--- containers_left: 0



=== TEST 2: after a run, its container is gone
--- request
POST /submissions
{"language":"python","source":"print('ok')"}
--- error_code: 200
--- response_json
stdout: "ok\n"
--- containers_left: 0



=== TEST 3: after a time limit, its container is gone
--- request
POST /submissions
{"language":"python","source":"while True: pass","limits":{"cpu_time_ms":500}}
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "cpu"
--- containers_left: 0



=== TEST 4: a job that is still running when the runner stops
--- request
POST /submissions?wait=false
{"language":"python","source":"import time\ntime.sleep(60)","limits":{"wall_time_ms":20000}}
--- error_code: 202
--- response_json
status: "queued"



=== TEST 5: SIGTERM ends the job after the grace period, and removes it
--- init
for (1 .. 100) {
    last if Sbx::Test::containers('test-life') == 1;
    select undef, undef, undef, 0.1;
}
Test::More::is(Sbx::Test::containers('test-life'), 1, "the job runs");
my $took = Sbx::Test::runner_stop($main::runner);
Test::More::ok(defined $took && $took < 15, "the runner stopped in time");
$main::runner = undef;
Test::More::is(Sbx::Test::containers('test-life'), 0,
               "no container left after shutdown");
--- request
GET /health
--- error_code: 502
--- response_json
error.code: "runner_unavailable"
--- error_log
life.sock failed (2: No such file or directory)
