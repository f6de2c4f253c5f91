# Callbacks: the result POSTed to callback_url, signed with the operator's
# secret, retried with backoff on 5xx and connection errors but not on
# other 4xx, and refused for loopback and private addresses unless the
# operator allows them.  A receiver on 127.0.0.1 records what arrives; a
# runner of this file's own allows 127.0.0.1, the suite's main runner
# does not.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Digest::SHA ();
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();

no_shuffle();
no_root_location();

our $dir = "$Sbx::Test::Dir/hooks";
our $secret = 'correct horse battery staple';
our ($runner, $receiver, $port, %id);

# The receiver: answers each request with the next status of $dir/plan
# (200 when the plan is used up) and saves it as $dir/<n>.req.
sub start_receiver {
    system("rm -rf '$dir'") == 0 or die;
    mkdir $dir or die "$dir: $!";

    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
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

# Polls GET (of the runner behind $prefix) until the callback is no
# longer pending.
sub settled {
    my ($id, $prefix) = @_;
    my $path = ($prefix // '') . "/submissions/$id";
    my $r;
    Sbx::Test::wait_for(20, sub {
        (undef, $r) = Sbx::Test::api(GET => $path);
        $r->{callback} && $r->{callback}{status} ne 'pending';
    });
    return $r;
}

sub submit_with_callback {
    my ($url) = @_;
    my (undef, $r) = Sbx::Test::api(POST => '/submissions?wait=true', {
        language => 'python', source => "print('hooked')",
        callback_url => $url });
    return $r->{id};
}

Sbx::Test::blocks(runner => 'hooks', keepalive => 0,
                  upstreams => { hooks => 'hooks', main => 'main' },
                  config => <<'_EOC_');
    location / {
        sandbox_pass hooks;
        sandbox_read_timeout 60s;
    }
    location /main/ {
        sandbox_pass main;
        sandbox_read_timeout 60s;
    }
_EOC_

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;
kill 'TERM', $main::receiver if $main::receiver;
waitpid $main::receiver, 0 if $main::receiver;

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
    '--callback-attempts', 3, '--callback-backoff-ms', 100);
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
Test::More::like($r->{callback}{error}, qr/HTTP 500/, 'saying why');
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
Test::More::like($r->{callback}{error}, qr/connect/i, 'could not connect');
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
    $r = main::settled($r->{id}, '/main');
    Test::More::is($r->{callback}{status}, 'refused', "$host refused");
}
Test::More::like($main::last = (Sbx::Test::api(GET => '/main/metrics'))[3],
                 qr/^sandbox_callbacks_total\{result="refused"\} [1-9]/m,
                 'counted in the metrics');
Test::More::is(scalar(() = main::received()), 0, 'nothing arrived');
--- request
GET /health
--- error_code: 200
