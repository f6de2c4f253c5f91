# The runner as a service: results expire after their TTL, stay readable
# beyond the memory cap, survive a crash and a restart (unfinished jobs run
# again), and SIGHUP reopens the log.  This file runs a runner of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

our ($runner, %id, $log);

$log = "$Sbx::Test::Dir/jobs-runner.log";

our @flags = ('--workers', 1, '--result-ttl', 4, '--result-memory', 1,
              '--log-file', $log, '--shutdown-grace', 1);

Sbx::Test::blocks(runner => 'jobs');

sub submit {
    my ($wait, %sub) = @_;
    my ($st, $r) = Sbx::Test::api(POST => "/submissions?wait=$wait", \%sub);
    return $r->{id};
}

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: a result is there until its TTL, then 404
--- init
$main::runner = Sbx::Test::runner_start('jobs', @main::flags);
my $id = main::submit('true', language => 'bash', source => 'echo ttl');
my ($st, $r) = Sbx::Test::api(GET => "/submissions/$id");
Test::More::is($st, 200, 'readable at once');
Test::More::is($r->{stdout}, "ttl\n", 'with its output');
sleep 6;
($st, $r) = Sbx::Test::api(GET => "/submissions/$id");
Test::More::is($st, 404, 'gone after the TTL (4 s)');
Test::More::ok(!-e "$Sbx::Test::Dir/state-jobs/jobs/$id.job",
               'and its file with it');
--- request
GET /health
--- error_code: 200



=== TEST 2: results beyond the memory cap (1 MiB) are still readable
Three results of ~400 KiB each: at most two fit in memory.
--- init
my @ids = map {
    main::submit('true', language => 'python',
                 source => "print('$_' * 400000)",
                 limits => { output_kb => 512 })
} qw(a b c);
for my $i (0 .. 2) {
    my ($st, $r) = Sbx::Test::api(GET => "/submissions/$ids[$i]");
    Test::More::is(length($r->{stdout}), 400001, "result $i is all there");
}
my $bytes = Sbx::Test::metric('sandbox_result_bytes');
Test::More::cmp_ok($bytes, '<=', 1 << 20, 'results in memory: at most 1 MiB');
--- request
GET /metrics
--- error_code: 200



=== TEST 3: a crash while jobs wait and run, then a restart
A finished result, a running job and a queued one; the runner is killed
(SIGKILL: no clean-up at all) and started again.
--- init
$main::id{done} = main::submit('true', language => 'bash', source => 'echo done');
$main::id{running} = main::submit('false', language => 'python',
    source => "import time\ntime.sleep(2)\nprint('ran')");
$main::id{queued} = main::submit('false', language => 'bash',
                                 source => 'echo queued');
select undef, undef, undef, 1;
Test::More::is(Sbx::Test::containers('jobs'), 1, 'a job runs');
Test::More::ok(defined Sbx::Test::runner_stop($main::runner, 'KILL', 10),
               'the runner is killed');
Test::More::is(Sbx::Test::containers('jobs'), 1,
               'its container outlives it');
$main::runner = Sbx::Test::runner_start('jobs', @main::flags);
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"



=== TEST 4: after the restart, nothing accepted was lost
--- init
my ($st, $r) = Sbx::Test::api(GET => "/submissions/$main::id{done}");
Test::More::is($r->{stdout}, "done\n", 'the finished result is served');
$r = Sbx::Test::poll("/submissions/$main::id{running}");
Test::More::is($r->{status}, 'accepted', 'the running job ran again');
Test::More::is($r->{stdout}, "ran\n", 'to its end');
$r = Sbx::Test::poll("/submissions/$main::id{queued}");
Test::More::is($r->{stdout}, "queued\n", 'the queued job ran');
--- request
GET /health
--- error_code: 200
--- containers_left: 0



=== TEST 5: SIGHUP reopens the log file (for logrotate)
--- init
rename $main::log, "$main::log.1" or die "rename: $!";
kill 'HUP', $main::runner->{pid};
select undef, undef, undef, 0.5;
main::submit('true', language => 'bash', source => 'echo after');
Test::More::ok(-s $main::log, 'a new log file');
open my $fh, '<', $main::log or die "$!";
my $text = do { local $/; <$fh> };
Test::More::like($text, qr/bash accepted/, 'with the new lines');
--- request
GET /health
--- error_code: 200
