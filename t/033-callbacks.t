# Callbacks: the result POSTed to callback_url, signed with the operator's
# secret, retried with backoff on 5xx and connection errors but not on
# other 4xx, and refused for loopback, private, reserved and the host's
# own addresses unless the operator allows them.  A receiver on every
# local address records what arrives; a runner of this file's own allows
# 127.0.0.1, the suite's main runner does not, and a third ("strict")
# allows nothing and resolves names from a hosts file of its own.
#
# Network traffic stays on this host: the IPv6 ranges tried are routed
# to loopback while this file runs, so that a missing guard shows as a
# delivery rather than as packets leaving the machine.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Digest::SHA ();
use IO::Select ();
use IO::Socket::IP ();
use JSON::PP ();
use POSIX ();
use Socket qw(SOL_SOCKET SO_LINGER);
use Time::HiRes ();

no_shuffle();
no_root_location();

our $dir = "$Sbx::Test::Dir/hooks";
our $secret = 'correct horse battery staple';
our ($runner, $strict, $receiver, $port, %id);
our ($holes, $hole_port, $reset_port, @routes, $own4, @own6, $own_made);
our ($names, @bad);

# The receiver: answers each request with the next status of $dir/plan
# (200 when the plan is used up) and saves it as $dir/<n>.req.
sub start_receiver {
    system("rm -rf '$dir'") == 0 or die;
    mkdir $dir or die "$dir: $!";

    # every address of the host, IPv4 ones included: a callback that got
    # through to any of them arrives here
    my $srv = IO::Socket::IP->new(LocalHost => '::', LocalPort => 0,
                                  V6Only => 0, Listen => 16, ReuseAddr => 1)
           // IO::Socket::IP->new(LocalHost => '0.0.0.0', LocalPort => 0,
                                  Listen => 16, ReuseAddr => 1)
        or die "listen: $!";
    $port = $srv->sockport;

    $receiver = fork // die "fork: $!";
    return if $receiver;

    my ($n, $seen) = (0, '');
    while (my $c = $srv->accept) {
        my $head = '';
        while (defined(my $line = <$c>)) {
            $head .= $line;
            last if $line eq "\r\n";
        }
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        my $body = '';
        read $c, $body, $len // 0;
        my $plan = -e "$dir/plan" ? `cat '$dir/plan'` : '';
        ($n, $seen) = (0, $plan) if $plan ne $seen;    # a new plan
        my (undef, @codes) = split ' ', $plan;
        my $code = $codes[$n] // 200;
        $n++;
        open my $fh, '>', "$dir/$n.req" or POSIX::_exit(1);
        print $fh $head, $body;
        close $fh;
        print $c "HTTP/1.1 $code X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        close $c;
    }
    POSIX::_exit(0);
}

our $plans = 0;

# A new plan: the next requests answer these codes, counted from 1.req.
sub plan_codes {
    unlink glob "$dir/*.req";
    open my $fh, '>', "$dir/plan" or die;
    print $fh join ' ', 'plan' . ++$plans, @_;
    close $fh;
}

# The requests received so far: [{head => …, body => …}, …]
sub received {
    my @r;
    for my $n (1 .. 100) {
        open my $fh, '<', "$dir/$n.req" or last;
        my $text = do { local $/; <$fh> };
        my ($head, $body) = split /\r\n\r\n/, $text, 2;
        push @r, { head => $head, body => $body };
    }
    return @r;
}

sub header {
    my ($req, $name) = @_;
    return $req->{head} =~ /^\Q$name\E:\s*(.*?)\r?$/mi ? $1 : undef;
}

# Polls GET (of the runner behind $prefix) for up to $secs (20) seconds,
# until the callback is no longer pending.
sub settled {
    my ($id, $secs, $prefix) = @_;
    my $path = ($prefix // '') . "/submissions/$id";
    my $r;
    Sbx::Test::wait_for($secs // 20, sub {
        (undef, $r) = Sbx::Test::api(GET => $path);
        $r->{callback} && $r->{callback}{status} ne 'pending';
    });
    return $r;
}

# Two listeners on 127.0.0.1 that never deliver: the "hole" accepts and
# never answers (an attempt ends only by its timeout), the "reset" one
# reads the request and resets the connection.  $dir/hole says how many
# connections the hole took and the most it held open at once.
sub start_holes {
    my %o = (LocalHost => '127.0.0.1', LocalPort => 0, Listen => 64,
             ReuseAddr => 1);
    my $hole = IO::Socket::IP->new(%o) or die "listen: $!";
    my $rst = IO::Socket::IP->new(%o) or die "listen: $!";
    ($hole_port, $reset_port) = ($hole->sockport, $rst->sockport);

    $holes = fork // die "fork: $!";
    return if $holes;

    my $sel = IO::Select->new($hole, $rst);
    my ($n, $open, $max) = (0, 0, 0);
    my $note = sub {
        open my $fh, '>', "$dir/hole.new" or POSIX::_exit(1);
        print $fh "$n $max\n";
        close $fh;
        rename "$dir/hole.new", "$dir/hole";
    };
    $note->();

    while (1) {
        # ends before starts: a retry may come in with the timed-out close
        for my $s (sort { ($a == $hole || $a == $rst)
                          <=> ($b == $hole || $b == $rst) } $sel->can_read)
        {
            if ($s == $hole) {
                my $c = $hole->accept or next;
                $sel->add($c);
                $n++;
                $max = $open if ++$open > $max;
                $note->();
            } elsif ($s == $rst) {
                my $c = $rst->accept or next;
                my $buf;
                sysread $c, $buf, 65536;
                setsockopt $c, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0);
                close $c;
            } elsif (!sysread $s, my $buf, 65536) {
                $sel->remove($s);
                close $s;
                $open--;
            }
        }
    }
}

# { n => connections the hole took, max => the most open at once }
sub hole {
    open my $fh, '<', "$dir/hole" or return { n => 0, max => 0 };
    my ($n, $max) = split ' ', scalar <$fh>;
    return { n => $n, max => $max };
}

# This host's own addresses, as `ip` lists them: one IPv4 address that
# is not loopback (made on a dummy interface, or on lo, if there is none
# or if the only ones are in ranges refused anyway) and the global IPv6
# ones.
sub own_addresses {
    my @v4;
    for (split /\n/, `ip -o addr show 2>/dev/null`) {
        push @v4, $1 if /\binet (\d+\.\d+\.\d+\.\d+)\//;
        push @own6, $1 if /\binet6 ([0-9a-f:]+)\/\d+ scope global/;
    }
    # refused by their range anyway: they would not show that the host's
    # own addresses are refused for being its own
    my @other = grep { !/^(127|10|0)\./ && !/^192\.168\./
                       && !/^172\.(1[6-9]|2\d|3[01])\./
                       && !/^169\.254\./
                       && !/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./ } @v4;
    $own4 = $other[0];
    return if defined $own4;

    $own4 = '203.0.113.77';
    if (system('ip link add sbxcb0 type dummy 2>/dev/null') == 0) {
        system('ip', 'addr', 'add', "$own4/32", 'dev', 'sbxcb0');
        system('ip link set sbxcb0 up');
        $own_made = 'sbxcb0';
    } elsif (system('ip', 'addr', 'add', "$own4/32", 'dev', 'lo') == 0) {
        $own_made = 'lo';
    } else {
        $own4 = undef;
    }
}

# Routes each network to this host (or, failing that, nowhere) while
# this file runs.
sub route_here {
    for my $net (@_) {
        for my $type ('local', 'unreachable') {
            if (system("ip -6 route add $type $net dev lo 2>/dev/null") == 0) {
                push @routes, [$type, $net];
                last;
            }
        }
    }
}

sub cleanup {
    for (@routes) {
        system("ip -6 route del $_->[0] $_->[1] dev lo 2>/dev/null");
    }
    @routes = ();
    if ($own_made && $own_made eq 'sbxcb0') {
        system('ip link del sbxcb0 2>/dev/null');
    } elsif ($own_made) {
        system("ip addr del $own4/32 dev lo 2>/dev/null");
    }
    $own_made = undef;
}

END { cleanup() }

# A runner that allows no address and resolves the names of $hosts from
# that file (in a mount namespace of its own); without namespaces, one
# with the host's /etc/hosts.  Returns whether the names can be used.
sub start_strict {
    my ($hosts) = @_;
    my $names = system('unshare -m sh -c "mount --bind /etc/hosts '
                       . '/etc/hosts" 2>/dev/null') == 0;
    $strict = $names
        ? Sbx::Test::runner_start_wrapped('strict',
              ['unshare', '-m', 'sh', '-c',
               'mount --bind "$0" /etc/hosts && exec "$@"', $hosts],
              '--callback-attempts', 2, '--callback-backoff-ms', 100)
        : Sbx::Test::runner_start('strict',
              '--callback-attempts', 2, '--callback-backoff-ms', 100);
    return $names;
}

# One bash job per URL on the runner behind $prefix; the settled
# "callback" of each, by URL.
sub callbacks_of {
    my ($prefix, @urls) = @_;
    my (%id, %cb);
    for my $u (@urls) {
        my (undef, $r) = Sbx::Test::api(POST => "$prefix/submissions", {
            language => 'bash', source => 'true', callback_url => $u });
        $id{$u} = $r->{id};
    }
    for my $u (@urls) {
        my $r;
        for (1 .. 1200) {
            (undef, $r) = Sbx::Test::api(GET => "$prefix/submissions/$id{$u}");
            last if $r->{callback} && $r->{callback}{status} ne 'pending';
            Time::HiRes::sleep(0.1);
        }
        $cb{$u} = $r->{callback};
    }
    return \%cb;
}

# Each [what, URL]: its callback refused by the strict runner, with the
# same words whatever the address, and nothing arrived.
sub all_refused {
    my @cases = @_;
    main::plan_codes();
    my $cb = callbacks_of('/strict', map { $_->[1] } @cases);
    for (@cases) {
        my ($what, $u) = @$_;
        Test::More::is($cb->{$u}{status}, 'refused', "$what: $u refused")
            or Test::More::diag(JSON::PP->new->encode($cb->{$u} // {}));
        Test::More::is($cb->{$u}{error},
                       'the address is not allowed for callbacks',
                       "$what: $u: not saying which address");
    }
    Test::More::is(scalar(() = main::received()), 0, 'nothing arrived');
}

sub submit_with_callback {
    my ($url) = @_;
    my (undef, $r) = Sbx::Test::api(POST => '/submissions?wait=true', {
        language => 'python', source => "print('hooked')",
        callback_url => $url });
    return $r->{id};
}

Sbx::Test::blocks(runner => 'hooks', keepalive => 0,
                  upstreams => { hooks => 'hooks', main => 'main',
                                 strict => 'strict' },
                  config => <<'_EOC_');
    location / {
        sandbox_pass hooks;
        sandbox_read_timeout 60s;
    }
    location /main/ {
        sandbox_pass main;
        sandbox_read_timeout 60s;
    }
    location /strict/ {
        sandbox_pass strict;
        sandbox_read_timeout 60s;
    }
_EOC_

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;
Sbx::Test::runner_stop($main::strict) if $main::strict;
for my $pid ($main::receiver, $main::holes) {
    next unless $pid;
    kill 'TERM', $pid;
    waitpid $pid, 0;
}
main::cleanup();

__DATA__

=== TEST 1: the result is POSTed to callback_url, signed
--- init
main::start_receiver();
main::plan_codes();
open my $fh, '>', "$main::dir/secret" or die;
print $fh "$main::secret\n";
close $fh;
$main::runner = Sbx::Test::runner_start('hooks',
    '--callback-allow', '127.0.0.1/32',
    '--callback-secret-file', "$main::dir/secret",
    '--callback-attempts', 3, '--callback-backoff-ms', 100,
    '--callback-timeout', 3);
my $id = main::submit_with_callback("http://127.0.0.1:$main::port/done?x=1");
my $r = main::settled($id);
Test::More::is($r->{callback}{status}, 'delivered', 'delivered');
Test::More::is($r->{callback}{attempts}, 1, 'at the first attempt');
my @got = main::received();
Test::More::is(scalar @got, 1, 'one request arrived');
Test::More::like($got[0]{head}, qr{^POST /done\?x=1 HTTP/1\.1\r?$}m, 'a POST');
Test::More::like(main::header($got[0], 'Content-Type'), qr{^application/json},
                 'of JSON');
Test::More::is(main::header($got[0], 'X-Sandbox-Id'), $id, 'naming the job');
my $res = JSON::PP->new->utf8->decode($got[0]{body});
Test::More::is($res->{id}, $id, 'the result: its id');
Test::More::is($res->{status}, 'accepted', 'its status');
Test::More::is($res->{stdout}, "hooked\n", 'its output');
my $ts = main::header($got[0], 'X-Sandbox-Timestamp');
Test::More::like($ts, qr/^\d{10}$/, 'a timestamp');
Test::More::is(main::header($got[0], 'X-Sandbox-Signature'),
               'sha256=' . Digest::SHA::hmac_sha256_hex("$ts.$got[0]{body}",
                                                        $main::secret),
               'signed: HMAC-SHA256 of "timestamp.body" with the secret');
--- request
GET /health
--- error_code: 200



=== TEST 2: 5xx answers are retried, with backoff, until delivered
--- init
main::plan_codes(500, 503);
my $id = main::submit_with_callback("http://127.0.0.1:$main::port/retry");
my $r = main::settled($id);
Test::More::is($r->{callback}{status}, 'delivered', 'delivered');
Test::More::is($r->{callback}{attempts}, 3, 'at the third attempt');
Test::More::is(scalar(() = main::received()), 3, 'three requests arrived');
--- request
GET /health
--- error_code: 200



=== TEST 3: the number of attempts is bounded
--- init
main::plan_codes(500, 500, 500, 500, 500);
my $id = main::submit_with_callback("http://127.0.0.1:$main::port/down");
my $r = main::settled($id);
Test::More::is($r->{callback}{status}, 'failed', 'given up');
Test::More::is($r->{callback}{attempts}, 3, 'after three attempts');
Test::More::is($r->{callback}{error}, 'delivery failed',
               'saying only that it failed');
Test::More::is(scalar(() = main::received()), 3, 'three requests arrived');
--- request
GET /health
--- error_code: 200



=== TEST 4: a 4xx answer is final
--- init
main::plan_codes(404);
my $id = main::submit_with_callback("http://127.0.0.1:$main::port/gone");
my $r = main::settled($id);
Test::More::is($r->{callback}{status}, 'failed', 'failed');
Test::More::is($r->{callback}{attempts}, 1, 'without retrying');
--- request
GET /health
--- error_code: 200



=== TEST 5: connection errors are retried too
--- init
my $id = main::submit_with_callback("http://127.0.0.1:1/closed");
my $r = main::settled($id);
Test::More::is($r->{callback}{status}, 'failed', 'failed');
Test::More::is($r->{callback}{attempts}, 3, 'after three attempts');
Test::More::is($r->{callback}{error}, 'delivery failed',
               'saying only that it failed');
--- request
GET /health
--- error_code: 200



=== TEST 6: without an allow-list, loopback and private addresses are refused
--- init
main::plan_codes();
for my $host ('127.0.0.1', 'localhost', '[::1]', '169.254.169.254',
              '10.1.2.3', '192.168.0.1') {
    my (undef, $r) = Sbx::Test::api(POST => '/main/submissions', {
        language => 'bash', source => 'true',
        callback_url => "http://$host:$main::port/no" });
    $r = main::settled($r->{id}, undef, '/main');
    Test::More::is($r->{callback}{status}, 'refused', "$host refused");
}
Test::More::like($main::last = (Sbx::Test::api(GET => '/main/metrics'))[3],
                 qr/^sandbox_callbacks_total\{result="refused"\} [1-9]/m,
                 'counted in the metrics');
Test::More::is(scalar(() = main::received()), 0, 'nothing arrived');
--- request
GET /health
--- error_code: 200



=== TEST 7: the host's own addresses are refused, however written
--- init
main::own_addresses();
open my $fh, '>', "$main::dir/hosts" or die;
print $fh <<"_EOH_";
127.0.0.1 localhost
64:ff9b::7f00:1 nat64.cb.test
64:ff9b:1::7f00:1 nat64-local.cb.test
2002:7f00:1::1 6to4.cb.test
::7f00:1 compat.cb.test
::ffff:0:7f00:1 translated.cb.test
::ffff:127.0.0.1 mapped.cb.test
2001::7f00:1 teredo.cb.test
fec0::1 site-local.cb.test
${\ ($main::own4 // '192.0.2.254')} own.cb.test
_EOH_
close $fh;
$main::names = main::start_strict("$main::dir/hosts");
Test::More::diag('no mount namespace: names not tried') unless $main::names;
SKIP: {
    Test::More::skip('no address but loopback, and none can be made', 1)
        unless defined $main::own4;
    my $p = $main::port;
    my $int = unpack 'N', pack 'C4', split /\./, $main::own4;
    main::all_refused(
        map({ ['own', "http://$_:$p/own"] }
            $main::own4, "[::ffff:$main::own4]", $int,
            ($main::names ? 'own.cb.test' : ())),
        map({ ['own IPv6', "http://[$_]:$p/own"] } @main::own6));
}
--- request
GET /health
--- error_code: 200



=== TEST 8: IPv6 forms that reach IPv4, tunnels and site-local are refused
--- init
main::route_here('64:ff9b::/96', '64:ff9b:1::/48', '2002::/16', '::/96',
                 '::ffff:0:0:0/96', '2001::/32', 'fec0::/10');
my $p = $main::port;
my %forms = (
    'NAT64' => ['64:ff9b::7f00:1', '64:ff9b::127.0.0.1',
                '0064:ff9b:0000:0000:0000:0000:7f00:0001', 'nat64.cb.test'],
    'NAT64 local-use' => ['64:ff9b:1::7f00:1', '64:ff9b:1:0:0:0:7f00:1',
                          'nat64-local.cb.test'],
    '6to4' => ['2002:7f00:1::1', '2002:7f00:0001:0:0:0:0:1', '6to4.cb.test'],
    'IPv4-compatible' => ['::7f00:1', '::127.0.0.1', '0:0:0:0:0:0:7f00:1',
                          'compat.cb.test'],
    'IPv4-translated' => ['::ffff:0:7f00:1', '0:0:0:0:ffff:0:7f00:1',
                          'translated.cb.test'],
    'IPv4-mapped' => ['::ffff:127.0.0.1', '::ffff:7f00:1',
                      '0:0:0:0:0:ffff:7f00:1', 'mapped.cb.test'],
    'Teredo' => ['2001::7f00:1', '2001:0:4136:e378:8000:63bf:3fff:fdd2',
                 'teredo.cb.test'],
    'site-local' => ['fec0::1', 'fec0:0:0:0:0:0:0:1', 'feff::1',
                     'site-local.cb.test'],
);
my @cases;
for my $what (sort keys %forms) {
    for my $host (@{ $forms{$what} }) {
        next if $host =~ /\.test$/ && !$main::names;
        push @cases, [$what, $host =~ /:/ ? "http://[$host]:$p/v6"
                                          : "http://$host:$p/v6"];
    }
}
main::all_refused(@cases);
--- request
GET /health
--- error_code: 200



=== TEST 9: a black-holed destination delays only its own callbacks
--- init
main::start_holes();
main::plan_codes();
my $hole = "http://127.0.0.1:$main::hole_port/hole";
for (1 .. 4) {
    my (undef, $r) = Sbx::Test::api(POST => '/submissions', {
        language => 'bash', source => 'true', callback_url => $hole });
    push @main::bad, $r->{id};
}
my $until = Time::HiRes::time() + 60;
Time::HiRes::sleep(0.1)
    while main::hole()->{n} < 2 && Time::HiRes::time() < $until;
Test::More::cmp_ok(main::hole()->{n}, '>=', 2, 'the hole holds attempts');
my (undef, $r) = Sbx::Test::api(POST => '/submissions?wait=true', {
    language => 'bash', source => 'true',
    callback_url => "http://127.0.0.1:$main::port/good" });
my $t0 = Time::HiRes::time();
Time::HiRes::sleep(0.05)
    while !main::received() && Time::HiRes::time() < $t0 + 30;
my $took = Time::HiRes::time() - $t0;
Test::More::is(scalar(() = main::received()), 1, 'the good one arrived');
Test::More::cmp_ok($took, '<', 1.5,
                   sprintf 'at once, not behind the hole (%.2f s)', $took)
    or Test::More::diag("it took $took s");
my @pending = grep {
    (Sbx::Test::api(GET => "/submissions/$_"))[1]->{callback}{status}
        eq 'pending' } @main::bad;
Test::More::is(scalar @pending, 4, 'while the hole\'s are still pending');
--- request
GET /health
--- error_code: 200



=== TEST 10: the error says nothing of why: closed, reset, 500, timeout
--- init
main::plan_codes(500, 500, 500);
my %url = (
    'HTTP 500' => "http://127.0.0.1:$main::port/five",
    'closed port' => 'http://127.0.0.1:1/closed',
    'reset' => "http://127.0.0.1:$main::reset_port/reset",
);
my %id = map { $_ => main::submit_with_callback($url{$_}) } sort keys %url;
my %cb = map { $_ => main::settled($id{$_})->{callback} } keys %id;
my $n = 0;
$cb{'timeout ' . ++$n} = main::settled($_, 90)->{callback} for @main::bad;
for my $what (sort keys %cb) {
    Test::More::is($cb{$what}{status}, 'failed', "$what: failed");
    Test::More::is($cb{$what}{attempts}, 3, "$what: after three attempts");
    Test::More::is($cb{$what}{error}, 'delivery failed',
                   "$what: the same words");
}
Test::More::cmp_ok(main::hole()->{max}, '<=', 2,
                   'at most two attempts at once to one destination');
Test::More::is(main::hole()->{n}, 12, 'every attempt was made');
--- request
GET /health
--- error_code: 200
