# Slow clients: a slowloris on nginx (headers and bodies that trickle in)
# and on the runner's socket (SBX/1 frames that never finish) does not
# hold up other submissions, and the runner closes a connection whose
# frame is not whole within --read-timeout of its first byte, however
# steadily its bytes trickle.  This file runs a runner of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use IO::Socket::INET ();
use IO::Socket::UNIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, @slow);

# nginx closes slow headers and bodies after its own timeouts
Sbx::Test::blocks(runner => 'slow', keepalive => 4,
                  http_config => "    client_header_timeout 10s;\n"
                               . "    client_body_timeout 10s;\n");

# a write to a connection the other side closed is an answer, not a death
$SIG{PIPE} = 'IGNORE';

# A normal submission, timed: [seconds, status, answer].
sub timed_submit {
    my $t0 = Time::HiRes::time();
    my ($st, $r) = Sbx::Test::api(POST => '/submissions', {
        language => 'bash', source => "echo $_[0]" });
    return (Time::HiRes::time() - $t0, $st, $r);
}

# Connections that sent what they sent and are still open: a read that
# would block.  A closed one reads EOF (or an error).
sub open_ones {
    my $n = 0;

    for my $s (@_) {
        $s->blocking(0);
        my $got = sysread($s, my $buf, 4096);
        $n++ if !defined $got && $!{EAGAIN};
    }

    return $n;
}

sub nginx_conn {
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)
        or die "connect: $!";
    return $s;
}

sub runner_conn {
    my $s = IO::Socket::UNIX->new(Peer => Sbx::Test::sock('slow'))
        or die "connect: $!";
    return $s;
}

run_tests();

close $_ for @main::slow;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: slowloris on nginx: others are served meanwhile
Forty connections send a request header one byte at a time, ten send a
body of which only a part ever comes.
--- init
$main::runner = Sbx::Test::runner_start('slow', '--read-timeout', 2);
my $head = "POST /submissions HTTP/1.1\r\nHost: x\r\n"
           . "Content-Type: application/json\r\n";
my @hdr = map { main::nginx_conn() } 1 .. 40;
my @body = map { main::nginx_conn() } 1 .. 10;
syswrite $_, "$head" . "Content-Length: 100\r\n\r\n{\"lang" for @body;
for my $i (0 .. 2) {
    syswrite $_, substr($head, $i, 1) for @hdr;
    my ($secs, $st, $r) = main::timed_submit("n$i");
    Test::More::is($st, 200, "submission $i answered meanwhile");
    Test::More::is($r->{stdout}, "n$i\n", "with its output");
    Test::More::cmp_ok($secs, '<', 5, "promptly ($secs s)");
}
Test::More::is(main::open_ones(@hdr, @body), 50, 'the slow ones still wait');
Test::More::ok(Sbx::Test::wait_for(20, sub {
    main::open_ones(@hdr, @body) == 0 }),
               'nginx closes them after its timeouts');
--- request
GET /health
--- error_code: 200



=== TEST 2: frames that never finish on the runner's socket
Twenty connections each send a part of a frame (header or body) and
stop; the runner answers others meanwhile and closes them after its
read timeout (2 s).
--- init
my $body = '{"language":"bash","source":"echo slow"}';
my $frame = "SBX/1 SUBMIT " . length($body) . " wait=1\r\n$body";
my @part = map { main::runner_conn() } 1 .. 20;
for my $i (0 .. $#part) {
    # a cut inside the header, or inside the body
    syswrite $part[$i], substr($frame, 0, 3 + $i * 3 % (length($frame) - 4));
}
my ($secs, $st, $r) = main::timed_submit('beside');
Test::More::is($r->{stdout}, "beside\n", 'a submission is served meanwhile');
Test::More::cmp_ok($secs, '<', 10, "promptly ($secs s)");
Test::More::is(main::open_ones(@part), 20, 'the partial frames wait');
Test::More::ok(Sbx::Test::wait_for(10, sub { main::open_ones(@part) == 0 }),
               'the runner closes them after its read timeout');
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"



=== TEST 3: a frame trickling in byte by byte is closed all the same
The timeout runs from the frame's first byte, not from the last one.
--- init
my $body = '{"language":"bash","source":"echo trickle"}';
my $frame = "SBX/1 SUBMIT " . length($body) . " wait=1\r\n$body";
my @drip = map { main::runner_conn() } 1 .. 5;
my ($sent, $closed, $t0) = (0, 0, Time::HiRes::time());
while (Time::HiRes::time() - $t0 < 8 && $sent < length($frame) - 1) {
    syswrite $_, substr($frame, $sent, 1) for @drip;
    $sent++;
    Time::HiRes::sleep(0.25);
    if (main::open_ones(@drip) == 0) { $closed = 1; last }
}
my $took = Time::HiRes::time() - $t0;
Test::More::ok($closed, "closed while its bytes still came ($sent sent)");
Test::More::cmp_ok($took, '<', 5, "within the timeout and a sweep ($took s)");
push @main::slow, @drip;
my ($secs, $st, $r) = main::timed_submit('after');
Test::More::is($r->{stdout}, "after\n", 'the runner serves normally');
--- request
GET /health
--- error_code: 200



=== TEST 4: nginx's own connections are not the ones closed
Keepalive connections from nginx sit idle between requests (no partial
frame): a submission after a pause longer than the read timeout works.
--- init
sleep 3;
--- request
POST /submissions
{"language":"bash","source":"echo idle"}
--- error_code: 200
--- response_json
stdout: "idle\n"
