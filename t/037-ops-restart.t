# Planned restarts keep the work: SIGTERM lets running jobs end within the
# grace period and leaves queued ones on disk for the next start (a job
# cut by the end of the grace period is left too), never turning them
# into internal_error; a client waiting for a kept job gets 202 and its
# id.  SIGQUIT drains: new submissions get 503, the jobs it has run to
# their end, then the runner exits.  A cancel outlives a runner that dies
# before the cancelled job ends.  This file runs a runner of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, %id, $sync, $wait);

our @flags = ('--workers', 1);

Sbx::Test::blocks(runner => 'keep', keepalive => 4);

sub submit {
    my ($wait, %sub) = @_;
    my ($st, $r) = Sbx::Test::api(POST => "/submissions?wait=$wait", \%sub);
    die "submit: $st\n" unless $st == 202 || $st == 200;
    return $r->{id};
}

# A synchronous submission in a child; its answer lands in a file.
sub sync_client {
    my ($name, $source) = @_;
    my $file = "$Sbx::Test::Dir/keep-$name.json";

    unlink $file;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        my ($st, undef, $h, $body) = Sbx::Test::api(
            POST => '/submissions?wait=true',
            { language => 'bash', source => $source });
        open my $fh, '>', $file or POSIX::_exit(1);
        print $fh JSON::PP->new->encode({ status => $st, body => $body });
        close $fh;
        POSIX::_exit(0);
    }

    return { pid => $pid, file => $file };
}

sub sync_answer {
    my $c = shift;

    waitpid $c->{pid}, 0;
    open my $fh, '<', $c->{file} or return {};
    local $/;
    my $a = JSON::PP->new->decode(<$fh>);
    $a->{doc} = eval { JSON::PP->new->decode($a->{body}) };
    return $a;
}

# Waits for the runner to exit by itself.
sub exits_within {
    my ($r, $secs) = @_;

    return Sbx::Test::wait_for($secs, sub {
        waitpid($r->{pid}, POSIX::WNOHANG()) == $r->{pid} });
}

sub status_of {
    my (undef, $r) = Sbx::Test::api(GET => "/submissions/" . shift);
    return $r->{status} // '';
}

run_tests();

kill 'KILL', $main::sync->{pid} if $main::sync;
kill 'KILL', $main::wait->{pid} if $main::wait;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: SIGTERM: the running job ends within the grace period, the queued ones stay
One worker: "a" runs, "q", "b" and a synchronous "s" wait behind it.
--- init
$main::runner = Sbx::Test::runner_start('keep', @main::flags,
                                        '--shutdown-grace', 5);
$main::id{a} = main::submit('false', language => 'python',
    source => "import time\ntime.sleep(1.5)\nprint('a')");
$main::id{q} = main::submit('false', language => 'python',
    source => "import time\ntime.sleep(4)\nprint('q')");
$main::id{b} = main::submit('false', language => 'bash', source => 'echo b');
$main::sync = main::sync_client('s', 'echo s');
Test::More::ok(Sbx::Test::wait_for(20, sub {
    main::status_of($main::id{a}) eq 'running' }), '"a" runs');
select undef, undef, undef, 0.5;
my $took = Sbx::Test::runner_stop($main::runner);
$main::runner = undef;
Test::More::ok(defined $took && $took < 5, 'the runner stopped within the '
               . 'grace period, once "a" ended');
my $s = main::sync_answer($main::sync);
$main::sync = undef;
Test::More::is($s->{status}, 202, 'the waiting client gets 202');
Test::More::is($s->{doc}{status}, 'queued', 'its job is queued');
Test::More::like($s->{doc}{id} // '', qr/^[0-9a-f-]{36}$/, 'with its id');
$main::id{s} = $s->{doc}{id};
--- request
GET /health
--- error_code: 502
--- error_log
keep.sock failed



=== TEST 2: started again, then stopped while "q" runs: the grace period ends first
"q" was queued at the first stop: that stop does not count as a run cut
short, so being cut now leaves it one more run.
--- init
$main::runner = Sbx::Test::runner_start('keep', @main::flags,
                                        '--shutdown-grace', 1);
Test::More::is(main::status_of($main::id{a}), 'accepted',
               '"a" ended within the grace period');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    main::status_of($main::id{q}) eq 'running' }), '"q" runs');
select undef, undef, undef, 0.5;
my $took = Sbx::Test::runner_stop($main::runner);
$main::runner = undef;
Test::More::ok(defined $took && $took < 8, 'stopped after the grace period');
Test::More::is(Sbx::Test::containers('keep'), 0, 'its container is gone');
--- request
GET /health
--- error_code: 502
--- error_log
keep.sock failed



=== TEST 3: after the restarts every job ran, none is internal_error
--- init
$main::runner = Sbx::Test::runner_start('keep', @main::flags);
for my $k (qw(a q b s)) {
    my $r = Sbx::Test::poll("/submissions/$main::id{$k}", 60);
    Test::More::is($r->{status}, 'accepted', "\"$k\" accepted"
                   . ($r->{message} ? ": $r->{message}" : ''));
    Test::More::is($r->{stdout}, "$k\n", "\"$k\" ran to its end");
}
open my $fh, '<', "$Sbx::Test::Dir/keep.log" or die "keep.log: $!";
my $log = do { local $/; <$fh> };
Test::More::like($log, qr/queued jobs left for the next start/,
                 'the stop said what it kept');
Test::More::like($log, qr/runs again at the next start/,
                 'and which running job it left');
--- request
GET /health
--- error_code: 200
--- containers_left: 0



=== TEST 4: SIGQUIT drains: no new job, the others run to their end
--- init
$main::id{d1} = main::submit('false', language => 'python',
    source => "import time\ntime.sleep(3)\nprint('d1')");
$main::id{d2} = main::submit('false', language => 'bash', source => 'echo d2');
$main::wait = main::sync_client('w', 'echo w');
Test::More::ok(Sbx::Test::wait_for(20, sub {
    main::status_of($main::id{d1}) eq 'running' }), '"d1" runs');
kill 'QUIT', $main::runner->{pid};
select undef, undef, undef, 0.3;
my ($st, $r, $h) = Sbx::Test::api(POST => '/submissions',
    { language => 'bash', source => 'echo late' });
Test::More::is($st, 503, 'a new submission is refused');
Test::More::is($r->{error}{code}, 'shutting_down', 'as JSON');
Test::More::like($r->{error}{message}, qr/draining/, 'saying why');
Test::More::ok($h->{'retry-after'}, 'with Retry-After');
($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false',
    { language => 'bash', source => 'echo late' });
Test::More::is($st, 503, 'an asynchronous one too');
($st, $r) = Sbx::Test::api(POST => '/submissions/batch',
    { submissions => [ { language => 'bash', source => 'echo late' } ] });
Test::More::is($st, 503, 'and a batch');
($st, $r) = Sbx::Test::api(GET => "/submissions/$main::id{d1}");
Test::More::is($st, 200, 'results are still served');
($st, $r) = Sbx::Test::api(GET => '/health');
Test::More::is($st, 503, 'health says 503');
Test::More::is($r->{status}, 'draining', 'draining');
Test::More::ok(main::exits_within($main::runner, 30),
               'the runner exits once its jobs ended');
$main::runner = undef;
my $w = main::sync_answer($main::wait);
$main::wait = undef;
Test::More::is($w->{status}, 200, 'the waiting client got its result');
Test::More::is($w->{doc}{stdout}, "w\n", 'all of it');
--- request
GET /health
--- error_code: 502
--- error_log
keep.sock failed



=== TEST 5: what ran during the drain is there after a start
--- init
$main::runner = Sbx::Test::runner_start('keep', @main::flags);
for my $k (qw(d1 d2)) {
    my ($st, $r) = Sbx::Test::api(GET => "/submissions/$main::id{$k}");
    Test::More::is($r->{status}, 'accepted', "\"$k\" accepted");
    Test::More::is($r->{stdout}, "$k\n", "\"$k\" ran during the drain");
}
--- request
GET /health
--- error_code: 200
--- containers_left: 0



=== TEST 6: a cancel outlives a crash: the job is not run again
dockerd is stopped (SIGSTOP) for a moment, so that the kill the cancel
sends cannot end the run before the runner dies; without the mark on
disk the next start would run the job again, to "c" 30 s later.
--- init
my $id = main::submit('false', language => 'python',
    source => "import time\ntime.sleep(30)\nprint('c')");
my $label = "org.sandbox.runner=$Sbx::Test::Tag-keep";
Test::More::ok(Sbx::Test::wait_for(20, sub {
    main::status_of($id) eq 'running'
    && `docker ps -q --filter label=$label --filter status=running` =~ /\S/
}), 'the job runs in its container');
chomp(my $engine = `$Sbx::Test::Top/tools/dockerd.sh pid`);
Test::More::ok($engine, "the suite's own dockerd, to stop for a moment");
if ($engine) {
    kill 'STOP', $engine;
    my ($st, $r) = eval { Sbx::Test::api(DELETE => "/submissions/$id") };
    my $status = main::status_of($id);
    kill 'KILL', $main::runner->{pid};
    waitpid $main::runner->{pid}, 0;
    kill 'CONT', $engine;
    $main::runner = undef;
    Test::More::is($st, 200, 'DELETE: status 200');
    Test::More::is($r->{status}, 'cancelled', 'cancelled');
    Test::More::is($status, 'cancelled', 'and says so');
    $main::runner = Sbx::Test::runner_start('keep', @main::flags);
    $r = Sbx::Test::poll("/submissions/$id", 10);
    Test::More::is($r->{status}, 'cancelled', 'after the restart: cancelled'
                   . ($r->{message} ? ": $r->{message}" : ''));
    Test::More::like($r->{message} // '', qr/cancelled by a DELETE request/,
                     'saying why');
    Test::More::ok(!defined $r->{stdout} || $r->{stdout} eq '',
                   'it did not run again');
    open my $fh, '<', "$Sbx::Test::Dir/keep.log" or die "keep.log: $!";
    my $log = do { local $/; <$fh> };
    Test::More::ok($log =~ /\Q$id\E: cancelled by a DELETE request; it is not run again/,
                     'the start said so');
}
opendir my $dh, "$Sbx::Test::Dir/state-keep/jobs" or die "jobs: $!";
Test::More::is_deeply([grep { /\.cancel$/ } readdir $dh], [],
                      'no cancel mark is left');
--- request
GET /health
--- error_code: 200
--- containers_left: 0
