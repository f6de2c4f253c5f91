# File descriptors run out in the runner (a low RLIMIT_NOFILE and many
# connections): accept(2) fails with EMFILE while the listening socket
# stays readable.  The runner must not spin on it (its CPU time stays
# flat while saturated) and must serve again once descriptors are free.
# This file runs a runner of its own, under prlimit.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use IO::Socket::UNIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, @conns);

our $Nofile = 64;

Sbx::Test::blocks(runner => 'fds', keepalive => 0);

# utime + stime of the whole process (every thread), in clock ticks
sub cpu_ticks {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/stat" or return undef;
    my $stat = <$fh>;
    $stat =~ s/^.*\)\s+//;                   # past "pid (comm)"
    my @f = split ' ', $stat;
    return $f[11] + $f[12];                  # fields 14 and 15
}

sub fds { my @fd = glob("/proc/$_[0]/fd/*"); return scalar @fd }

sub log_text {
    open my $fh, '<', $main::runner->{log} or return '';
    local $/;
    return <$fh>;
}

run_tests();

close $_ for @main::conns;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: a runner with few descriptors works
--- init
$main::runner = Sbx::Test::runner_start_wrapped('fds',
    ['prlimit', "--nofile=$main::Nofile:$main::Nofile", '--'],
    '--workers', 1);
Test::More::cmp_ok(main::fds($main::runner->{pid}), '<', $main::Nofile - 20,
                   'room for some connections at first');
--- request
POST /submissions
{"language":"bash","source":"echo before"}
--- error_code: 200
--- response_json
stdout: "before\n"



=== TEST 2: saturated: no busy loop on accept
Three times the limit in connections: the runner takes what it can, the
rest wait in the backlog.  Its CPU time over three seconds is measured.
--- init
my $pid = $main::runner->{pid};
for (1 .. 3 * $main::Nofile) {
    my $s = IO::Socket::UNIX->new(Peer => Sbx::Test::sock('fds')) or last;
    push @main::conns, $s;
}
Test::More::cmp_ok(scalar @main::conns, '>', $main::Nofile,
                   'more connections than descriptors');
Test::More::ok(Sbx::Test::wait_for(10, sub {
    main::log_text() =~ /accept: Too many open files/ }),
               'the runner ran out of descriptors');
Test::More::cmp_ok(main::fds($pid), '>=', $main::Nofile - 2,
                   'all its descriptors are in use');
my $t0 = main::cpu_ticks($pid);
sleep 3;
my $used = main::cpu_ticks($pid) - $t0;
Test::More::cmp_ok($used, '<', 60,
                   "CPU time while saturated: $used ticks in 3 s");
my $lines = () = main::log_text() =~ /accept: Too many open files/g;
Test::More::cmp_ok($lines, '<', 100, "the log is not flooded ($lines lines)");
--- config
    location = /t {
        return 200 "saturated\n";
    }
--- request
GET /t
--- error_code: 200



=== TEST 3: descriptors free again: the runner serves at once
--- init
close $_ for @main::conns;
@main::conns = ();
Test::More::ok(Sbx::Test::wait_for(10, sub {
    main::fds($main::runner->{pid}) < $main::Nofile - 20 }),
               'the runner closed the connections');
--- request
POST /submissions
{"language":"bash","source":"echo after"}
--- error_code: 200
--- response_json
stdout: "after\n"
--- timeout: 30
