# Docker goes away in the middle of a job: the job ends with an explicit
# error, new submissions get 503 (docker_unavailable) instead of hanging,
# /health says so, and when Docker is back the runner works again and
# removes what it could not remove meanwhile.  This restarts dockerd (the
# sandbox's own engine, never the host's default one: tools/dockerd.sh),
# so it runs last, with a runner of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

our ($runner, $id);

sub docker_up { system('docker info >/dev/null 2>&1') == 0 }

Sbx::Test::blocks(runner => 'dock', keepalive => 0, read_timeout => '60s');

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;
system("$Sbx::Test::Top/tools/dockerd.sh") unless main::docker_up();

__DATA__

=== TEST 1: dockerd stops while a job runs: the job ends, saying why
--- init
$main::runner = Sbx::Test::runner_start('dock');
my (undef, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'python', source => "import time\ntime.sleep(60)",
    limits => { wall_time_ms => 20000 } });
$main::id = $r->{id};
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('dock') == 1 }),
               'the job runs in its container');
system("$Sbx::Test::Top/tools/dockerd.sh stop");
Test::More::ok(Sbx::Test::wait_for(60, sub { !main::docker_up() }),
               'dockerd is down');
$r = Sbx::Test::poll("/submissions/$main::id", 60);
Test::More::is($r->{status}, 'internal_error', 'the job ended');
Test::More::like($r->{message}, qr/docker/i, 'blaming Docker');
Test::More::ok(Sbx::Test::wait_for(15, sub {
    (Sbx::Test::api(GET => '/health'))[0] == 503 }), '/health noticed');
--- request
GET /health
--- error_code: 503
--- response_json
status: "degraded"
docker.reachable: false
--- timeout: 10



=== TEST 2: while Docker is down, submissions are refused at once
--- request
POST /submissions
{"language":"python","source":"print(1)"}
--- error_code: 503
--- response_headers
Retry-After: 2
--- response_json
error.code: "docker_unavailable"



=== TEST 3: Docker is back: the runner works again and cleans up
--- init
Test::More::is(system("$Sbx::Test::Top/tools/dockerd.sh"), 0,
               'dockerd started again');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    (Sbx::Test::api(GET => '/health'))[0] == 200 }), 'the runner noticed');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::containers('dock') == 0 }),
               "the interrupted job's container is removed");
--- request
POST /submissions
{"language":"python","source":"print('back')"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "back\n"
--- containers_left: 0
--- timeout: 60
