# Who may talk to a runner.  Plain TCP is refused at start-up off
# loopback (every address, a local interface's address, IPv6 too) and TLS
# needs its three files together; on the UNIX socket, --auth-key-file
# makes a client without the key's token (none, a wrong one, the key
# itself) get a JSON 401 or 403 frame and its connection closed, while
# nginx with sandbox_auth_key_file goes through, and a key file others
# may read is refused.  This file runs runners of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use IO::Select ();
use IO::Socket::UNIX ();
use POSIX ();

no_shuffle();
no_root_location();

our $runner;
our $dir = $Sbx::Test::Dir;
our $key = "$dir/auth.key";
our $wrong = "$dir/auth-wrong.key";
our $pki = Sbx::Test::certs('pki-auth');

# a key file of root's alone
sub key_file {
    my ($file, $text, $mode) = @_;
    open my $fh, '>', $file or die "$file: $!";
    print $fh $text;
    close $fh;
    chmod $mode // 0600, $file;
}

key_file($key, "a shared key of thirty-two bytes!\n");
key_file($wrong, "not the key the runner was given\n");

# Runs a runner that must refuse to start; (exit status, its log).
sub refused {
    my ($name, @flags) = @_;
    my $log = "$dir/$name.log";
    unlink $log;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>>', $log or POSIX::_exit(1);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(1);
        no warnings "exec";
        exec "$Sbx::Test::Top/tools/runner.sh", "$Sbx::Test::Tag-$name",
             "$dir/$name.sock", "$dir/state-$name",
             '--uid-base', $Sbx::Test::UidBase + 900, '--uid-count', 50,
             @flags;
        POSIX::_exit(127);
    }

    my $status;

    for (1 .. 100) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $status = $? >> 8;
            last;
        }
        Time::HiRes::sleep(0.1);
    }

    unless (defined $status) {
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }

    open my $fh, '<', $log or return ($status, '');
    local $/;
    return ($status, <$fh>);
}

# one raw frame on the runner's socket: (the reply, whether it closed)
sub raw {
    my ($header) = @_;
    my $s = IO::Socket::UNIX->new(Peer => Sbx::Test::sock('auth'))
        or die "connect: $!";
    print $s $header;
    my ($got, $buf) = ('', '');
    # until the runner closes; a runner that does not (no key checked)
    # leaves the connection open, and 5 s end the wait
    my $sel = IO::Select->new($s);
    while ($sel->can_read(5) && sysread($s, $buf, 4096)) {
        $got .= $buf;
    }
    my $closed = !$sel->can_read(0) ? 0 : !sysread($s, $buf, 1);
    close $s;
    return $closed ? $got : "$got(left open)";
}

# a local interface's address that is not loopback, if there is one
sub local_address {
    for (`ip -o -4 addr show 2>/dev/null`) {
        return $1 if m{inet (\d+\.\d+\.\d+\.\d+)/} && $1 !~ /^127\./;
    }
    return undef;
}

Sbx::Test::blocks(runner => 'auth', http_config => '',
                  config => <<"EOF");
    location / {
        sandbox_pass runner;
        sandbox_auth_key_file $key;
    }
    location /wrong/ {
        sandbox_pass runner;
        sandbox_auth_key_file $wrong;
    }
    location /none/ {
        sandbox_pass runner;
    }
EOF

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: plain TCP off loopback is refused at start-up
--- init
my $port = Sbx::Test::tcp_port(9);
my @off = ("tcp:0.0.0.0:$port", ":$port", "tcp:[::]:$port");
my $addr = main::local_address();
push @off, "tcp:$addr:$port" if defined $addr;
for my $listen (@off) {
    my ($st, $log) = main::refused('plain', '--listen', $listen,
                                   '--log-file', "$main::dir/plain.log");
    Test::More::is($st, 1, "$listen: the runner does not start");
    Test::More::like($log, qr/plain TCP is accepted on loopback addresses/,
                     "$listen: and says why");
}
my ($st, $log) = main::refused('half', '--listen', "tcp:127.0.0.1:$port",
                               '--tls-certificate', "$main::pki/runner.crt",
                               '--log-file', "$main::dir/half.log");
Test::More::is($st, 2, 'TLS without its key and client CA: refused');
Test::More::like($log, qr/goes? together/, 'and says why');
my $r = Sbx::Test::runner_start_tcp('loop', $port, undef);
Test::More::ok($r, 'plain TCP on loopback starts');
Sbx::Test::runner_stop($r);
--- request
GET /no-such-endpoint
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 2: a key file others may read is refused
--- init
main::key_file("$main::dir/open.key", "a shared key of thirty-two bytes!\n",
               0644);
my ($st, $log) = main::refused('open', '--auth-key-file',
                               "$main::dir/open.key",
                               '--log-file', "$main::dir/open.log");
Test::More::is($st, 1, 'the runner does not start');
Test::More::like($log, qr/no one else may read/, 'and says why');
main::key_file("$main::dir/short.key", "short\n");
($st, $log) = main::refused('short', '--auth-key-file',
                            "$main::dir/short.key",
                            '--log-file', "$main::dir/short.log");
Test::More::is($st, 1, 'a short key: the runner does not start');
Test::More::unlike($log, qr/short\n/, 'the key is not logged');
$main::runner = Sbx::Test::runner_start('auth', '--auth-key-file', $main::key);
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"



=== TEST 3: nginx with the key goes through
--- request
POST /submissions
{"language":"bash","source":"echo with the key"}
--- error_code: 200
--- response_json
status: "accepted"
tests.0.stdout: "with the key\n"



=== TEST 4: nginx with a wrong key, or none, is refused
--- request eval
["GET /wrong/health", "GET /none/health"]
--- error_code eval
[403, 401]
--- response_json eval
["error.code: \"forbidden\"", "error.code: \"unauthorized\""]



=== TEST 5: a raw client without the key's token is refused and closed
--- init
my $got = main::raw("SBX/1 HEALTH 0\r\n");
Test::More::like($got, qr/^SBX\/1\ 401\ \d+\ runner=\S+\r\n
                          \{"error":\{"code":"unauthorized"[^\n]*\}\z/x,
                 'no token: 401, closed');
$got = main::raw("SBX/1 HEALTH 0 auth=" . ('0' x 64) . "\r\n");
Test::More::like($got, qr/^SBX\/1\ 403\ \d+\ runner=\S+\r\n
                          \{"error":\{"code":"forbidden"[^\n]*\}\z/x,
                 'a wrong token: 403, closed');
$got = main::raw("SBX/1 HEALTH 0 auth=a-shared-key-of-thirty-two-bytes\r\n");
Test::More::like($got, qr/^SBX\/1 403 /, 'the key itself is no token');
$got = main::raw("SBX/1 HEALTH 0 auth=\r\nSBX/1 HEALTH 0\r\n");
Test::More::like($got, qr/^SBX\/1 400 /, 'an empty token: a bad frame');
$got = main::raw("SBX/1 SUBMIT 2\r\n{}SBX/1 HEALTH 0\r\n");
Test::More::like($got, qr/^SBX\/1 401 [^\n]*\n[^\n]*\}\z/,
                 'one refusal, then closed: the next frame is not read');
open my $fh, '<', "$Sbx::Test::Dir/auth.log" or die;
my $log = do { local $/; <$fh> };
Test::More::unlike($log, qr/auth=|thirty-two/, 'no token or key logged');
--- request
GET /health
--- error_code: 200
