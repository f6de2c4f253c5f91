# dockerd frozen (SIGSTOP) under load for longer than the runner's ping
# timeout and nginx's read timeout, then resumed (SIGCONT): every request
# meanwhile ends with a result or a JSON 503/504, none hangs, and the
# runner serves normally within seconds after.
#
# Only dockerd is stopped, not its containerd: the runner speaks to
# dockerd alone, and a dockerd that stops answering (a deadlock, a long
# GC pause, a stuck disk) is the failure met in practice; the programs in
# running containers go on meanwhile, as they would then.
#
# This stops the sandbox's own engine (tools/dockerd.sh), never the
# host's default one, and resumes it on every way out: an END block, and
# a detached watchdog that sends SIGCONT even if this test is killed.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, $dockerd, $watchdog, @load, $stop, $async, $frozen);

our $Freeze = 14;                        # seconds dockerd stays stopped

$stop = "$Sbx::Test::Dir/freeze-stop";

Sbx::Test::blocks(runner => 'freeze', keepalive => 4, read_timeout => '8s');

sub dockerd_pid {
    open my $fh, '<', '/run/sandbox-docker.pid' or return undef;
    my ($pid) = <$fh> =~ /(\d+)/;
    return $pid;
}

sub freeze {
    $main::dockerd = dockerd_pid() or die "no dockerd pid\n";

    # the watchdog: a process of its own session, outliving this one
    $main::watchdog = fork // die "fork: $!";
    if ($main::watchdog == 0) {
        POSIX::setsid();
        no warnings 'exec';
        exec 'sh', '-c', "sleep $main::Freeze; sleep 20;"
                         . " kill -CONT $main::dockerd";
        POSIX::_exit(127);
    }

    kill 'STOP', $main::dockerd;
}

sub thaw {
    kill 'CONT', $main::dockerd if $main::dockerd;
    kill 'KILL', -$main::watchdog if $main::watchdog;
    $main::watchdog = undef;
}

END { main::thaw() }

# A child that submits one program after the other until $stop exists,
# one line of JSON per answer: status, code, secs.
sub load_client {
    my ($n) = @_;
    my $file = "$Sbx::Test::Dir/freeze-load-$n.jsonl";
    my $pid = fork // die "fork: $!";

    return { pid => $pid, file => $file } if $pid;

    open my $out, '>', $file or POSIX::_exit(1);
    $out->autoflush(1);

    for (1 .. 500) {
        last if -e $main::stop;
        my $t0 = Time::HiRes::time();
        my ($st, $doc) = Sbx::Test::api(POST => '/submissions', {
            language => 'bash', source => "echo load $n" });
        print $out JSON::PP->new->canonical->encode({
            status => $st, secs => Time::HiRes::time() - $t0,
            json => $doc ? 1 : 0,
            code => $doc && ref $doc->{error} ? $doc->{error}{code}
                  : $doc ? $doc->{status} : undef }), "\n";
        Time::HiRes::sleep(0.3) if $st == 503 || $st == 599;
    }

    POSIX::_exit(0);
}

sub answers {
    my @all;
    for my $c (@_) {
        open my $fh, '<', $c->{file} or next;
        push @all, map { JSON::PP->new->decode($_) } grep { /\S/ } <$fh>;
    }
    return @all;
}

run_tests();

main::thaw();
open my $fh, '>', $main::stop;
kill 'KILL', map { $_->{pid} } @main::load;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: under load dockerd stops answering, then resumes
--- init
unlink $main::stop;
$main::runner = Sbx::Test::runner_start('freeze', '--workers', 2,
                                        '--queue-size', 4);
@main::load = map { main::load_client($_) } 1 .. 3;
my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'python', source => "import time\ntime.sleep(3)\nprint(1)" });
$main::async = $r->{id};
sleep 2;
main::freeze();
$main::frozen = Time::HiRes::time();
Test::More::ok(Sbx::Test::wait_for(15, sub {
    (Sbx::Test::api(GET => '/health'))[0] == 503 }),
               '/health says degraded');
my $t0 = Time::HiRes::time();
($st, $r) = Sbx::Test::api(POST => '/submissions', {
    language => 'bash', source => 'echo frozen' });
my $took = Time::HiRes::time() - $t0;
Test::More::is($st, 503, 'a submission meanwhile: 503');
Test::More::is($r->{error}{code}, 'docker_unavailable', 'saying why');
Test::More::cmp_ok($took, '<', 2, "at once ($took s)");
($st, $r) = Sbx::Test::api(GET => '/health');
Test::More::is($r->{docker}{reachable}, JSON::PP::false(),
               'docker.reachable: false');
# dockerd resumes: the runner serves within seconds (one block: nginx
# must not restart under the load)
my $left = $main::Freeze - (Time::HiRes::time() - $main::frozen);
Time::HiRes::sleep($left) if $left > 0;
main::thaw();
$t0 = Time::HiRes::time();
Test::More::ok(Sbx::Test::wait_for(15, sub {
    (Sbx::Test::api(GET => '/health'))[0] == 200 }), '/health is ok again');
($st, $r) = Sbx::Test::api(POST => '/submissions', {
    language => 'bash', source => 'echo thawed' });
$took = Time::HiRes::time() - $t0;
Test::More::is($r->{stdout}, "thawed\n", 'a submission runs');
Test::More::cmp_ok($took, '<', 20, "within seconds of the resume ($took s)");
open my $fh, '>', $main::stop;
close $fh;
waitpid $_->{pid}, 0 for @main::load;
my @a = main::answers(@main::load);
Test::More::cmp_ok(scalar @a, '>', 3, scalar(@a) . ' answers under load');
my (%seen, @bad, $slowest);
for my $a (@a) {
    $seen{$a->{status}}++;
    push @bad, $a unless $a->{json} && $a->{status} =~ /^(200|503|504)$/;
    $slowest = $a->{secs} if !defined $slowest || $a->{secs} > $slowest;
}
Test::More::is(scalar @bad, 0, 'every answer a result or a JSON 503/504')
    or Test::More::diag(JSON::PP->new->encode(\@bad));
Test::More::cmp_ok($slowest, '<', 14, "none hung: the slowest took $slowest s");
Test::More::ok($seen{503} || $seen{504}, 'the freeze was felt: '
               . join ', ', map { "$_ x $seen{$_}" } sort keys %seen);
$r = Sbx::Test::poll("/submissions/$main::async", 60);
Test::More::ok($r->{status} && $r->{status} !~ /^(queued|running)$/,
               "the async job ended: $r->{status}");
Test::More::ok(Sbx::Test::runner_idle(45),
               'nothing wedged: no job left running or queued');
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"
--- containers_left: 0
--- timeout: 20
