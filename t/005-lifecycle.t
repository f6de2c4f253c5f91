# The container goes away on every path (success, time limit, runner
# shutdown), and a runner removes its own leftovers when it starts.  This
# file runs a runner of its own, so that it can stop it.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

our $runner;

Sbx::Test::blocks(runner => 'life', read_timeout => undef);

run_tests();

if ($main::runner) {
    Sbx::Test::runner_stop($main::runner);
}

__DATA__

=== TEST 1: a starting runner removes what a crashed one left behind
Also: the crashed runner's socket file is still there (stale), and the
settings come from a configuration file.
--- init
system("docker create --label org.sandbox.runner=$Sbx::Test::Tag-life"
       . " --name sbx-$Sbx::Test::Tag-life-stray sbx/python true >/dev/null") == 0
    or die "docker create failed";
Test::More::is(Sbx::Test::containers('life'), 1, "a stray container");
require IO::Socket::UNIX;
unlink Sbx::Test::sock('life');
IO::Socket::UNIX->new(Local => Sbx::Test::sock('life'), Listen => 1)
    or die "bind: $!";
Test::More::ok(-S Sbx::Test::sock('life'), "a stale socket");
my $conf = "$Sbx::Test::Dir/life.json";
open my $fh, '>', $conf or die "$conf: $!";
print $fh '{"workers": 3, "shutdown_grace": 1, "queue_size": 7}';
close $fh;
$main::runner = Sbx::Test::runner_start('life', '--config', $conf);
--- request
GET /health
--- error_code: 200
--- response_json
workers.total: 3
queue.capacity: 7
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
Sbx::Test::wait_for(10, sub { Sbx::Test::containers('life') == 1 });
Test::More::is(Sbx::Test::containers('life'), 1, "the job runs");
my $took = Sbx::Test::runner_stop($main::runner);
Test::More::ok(defined $took && $took < 15, "the runner stopped in time");
$main::runner = undef;
Test::More::is(Sbx::Test::containers('life'), 0,
               "no container left after shutdown");
--- request
GET /health
--- error_code: 502
--- response_json
error.code: "runner_unavailable"
--- error_log
life.sock failed (2: No such file or directory)
