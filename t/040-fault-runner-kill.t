# kill -9 of the runner while sync and async jobs are in flight: the sync
# clients get a JSON 502 at once; the runner started again on the same
# state directory ends every accepted async job with a result or an
# explicit error (never 404, never stuck in "running"), and no container
# is left.  A job that was running at two crashes in a row ends as
# internal_error, saying why.  This file runs a runner of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, @async, @sync, $killed);

our @flags = ('--workers', 3, '--shutdown-grace', 1);

Sbx::Test::blocks(runner => 'kill', keepalive => 4);

# A sync submission in a child process; its answer lands in a file:
# {status, body, at} (at: when the answer came, epoch seconds).
sub sync_client {
    my ($n) = @_;
    my $file = "$Sbx::Test::Dir/kill-sync-$n.json";

    unlink $file;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        my ($st, undef, undef, $body) = Sbx::Test::api(
            POST => '/submissions', {
                language => 'python',
                source => "import time\ntime.sleep(8)\nprint('sync')" });
        open my $fh, '>', $file or POSIX::_exit(1);
        print $fh JSON::PP->new->encode({ status => $st, body => $body,
                                          at => Time::HiRes::time() });
        close $fh;
        POSIX::_exit(0);
    }

    return { pid => $pid, file => $file };
}

sub slurp_json {
    open my $fh, '<', shift or return undef;
    local $/;
    return eval { JSON::PP->new->decode(<$fh>) };
}

run_tests();

kill 'KILL', $_->{pid} for @main::sync;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: jobs in flight, then kill -9
Two sync clients wait on their jobs, four async jobs are accepted (the
long one runs, three wait in the queue).
--- init
$main::runner = Sbx::Test::runner_start('kill', @main::flags);
@main::sync = map { main::sync_client($_) } 1 .. 2;
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('kill') >= 2 }), 'the sync jobs run');
for my $i (1 .. 4) {
    my $secs = $i == 1 ? 8 : 1;
    my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
        language => 'python',
        source => "import time\ntime.sleep($secs)\nprint('async $i')" });
    Test::More::is($st, 202, "async job $i accepted");
    push @main::async, $r->{id};
}
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('kill') >= 3 }), 'an async job runs too');
$main::killed = Time::HiRes::time();
Test::More::ok(defined Sbx::Test::runner_stop($main::runner, 'KILL', 10),
               'the runner is killed');
$main::runner = undef;
for my $c (@main::sync) {
    waitpid $c->{pid}, 0;
    my $a = main::slurp_json($c->{file});
    Test::More::is($a->{status}, 502, 'the sync client gets a 502');
    my $doc = eval { JSON::PP->new->decode($a->{body}) };
    Test::More::ok($doc && $doc->{error}{code},
                   'a JSON error: ' . ($doc ? $doc->{error}{code} : $a->{body}));
    my $took = $a->{at} - $main::killed;
    Test::More::cmp_ok($took, '<', 3, "at once ($took s after the kill)");
}
--- request
GET /health
--- error_code: 502
--- response_json
error.code: "runner_unavailable"



=== TEST 2: started again, and killed again while the jobs run again
--- init
$main::runner = Sbx::Test::runner_start('kill', @main::flags);
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::containers('kill') >= 3 }), 'the interrupted jobs run again');
Test::More::ok(defined Sbx::Test::runner_stop($main::runner, 'KILL', 10),
               'the runner is killed again');
$main::runner = undef;
--- request
GET /health
--- error_code: 502
--- response_json
error.code: "runner_unavailable"



=== TEST 3: after the second restart, every accepted job ends
--- init
$main::runner = Sbx::Test::runner_start('kill', @main::flags);
for my $i (0 .. $#main::async) {
    my $id = $main::async[$i];
    my $r = Sbx::Test::poll("/submissions/$id", 60);
    my ($st) = Sbx::Test::api(GET => "/submissions/$id");
    Test::More::is($st, 200, "async job $i is known after the restart");
    Test::More::ok($r->{status} && $r->{status} ne 'queued'
                   && $r->{status} ne 'running',
                   "async job $i ended: $r->{status}");
    if ($i == 0) {
        Test::More::is($r->{status}, 'internal_error',
                       'the job running at both crashes gives up');
    }
    if ($r->{status} eq 'accepted') {
        Test::More::like($r->{stdout}, qr/^async \d\n$/, "with its output");
    } else {
        Test::More::ok(length($r->{message} // ''),
                       "an explicit error: " . ($r->{message} // 'none'));
    }
}
Test::More::ok(Sbx::Test::runner_idle(60),
               'nothing left running or queued (the sync jobs too)');
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"
--- containers_left: 0
--- timeout: 30
