# Scale-out: three runners on loopback TCP with TLS and client
# certificates (each its own --runner-id, uid range and state directory,
# one dockerd) behind one upstream with "hash $sandbox_route consistent".
# 300 async submissions spread over all three, every GET reaches the
# runner that took the job (X-Sandbox-Runner); with one runner killed its
# ids answer 502 runner_unavailable while the others' jobs end and new
# submissions go to the others; started again, its results are served
# again, and the submissions that went past it are still found.  A
# client without a certificate of the runners' CA is refused by the
# runner itself.  This file runs runners of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use HTTP::Tiny ();
use JSON::PP ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our (%runner, %owner, @fresh, %fresh_owner);
our @names = qw(r1 r2 r3);
our %port = map { $names[$_] => Sbx::Test::tcp_port($_ + 1) } 0 .. 2;
our $pki = Sbx::Test::certs('pki');
our $other = Sbx::Test::certs('pki-other');
our $tag = $Sbx::Test::Tag;

our $http = HTTP::Tiny->new(timeout => 60, keep_alive => 1);
our $json = JSON::PP->new->canonical;

# one request through nginx: (status, decoded body, runner header)
sub req {
    my ($method, $path, $body) = @_;
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
    my $res = $http->request($method, "http://127.0.0.1:$port$path",
        defined $body
            ? { headers => { 'Content-Type' => 'application/json' },
                content => $json->encode($body) }
            : {});
    my $doc = eval { $json->decode($res->{content}) };
    return ($res->{status}, $doc, $res->{headers}{'x-sandbox-runner'} // '');
}

# GETs an id until it is done (200, not queued or running), or $secs pass
sub done {
    my ($id, $secs) = @_;
    my ($st, $doc, $who);
    my $end = Time::HiRes::time() + $secs;

    while (Time::HiRes::time() < $end) {
        ($st, $doc, $who) = req(GET => "/submissions/$id");
        return ($st, $doc, $who)
            if $st == 200 && $doc->{status} ne 'queued'
               && $doc->{status} ne 'running';
        Time::HiRes::sleep(0.3);
    }

    return ($st, $doc, $who);
}

sub start {
    my $name = shift;
    $runner{$name} = Sbx::Test::runner_start_tcp($name, $port{$name}, $pki,
                                                 '--shutdown-grace', 1);
}

# the runner's answer to a HEALTH frame over TLS with these client
# credentials (undef: none), or '' when it refuses
sub raw_health {
    my ($port, $cert, $key, $ca) = @_;
    require IO::Socket::SSL;
    my $s = IO::Socket::SSL->new(
        PeerHost => '127.0.0.1', PeerPort => $port,
        SSL_ca_file => $ca, SSL_verifycn_name => 'localhost',
        SSL_hostname => 'localhost',
        defined $cert ? (SSL_cert_file => $cert, SSL_key_file => $key) : (),
        Timeout => 5) or return '';
    print $s "SBX/1 HEALTH 0\r\n";
    my ($got, $buf) = ('', '');
    # the reply is one frame, its body ends with "}"; the runner keeps
    # the connection open for the next
    while (sysread($s, $buf, 4096)) {
        $got .= $buf;
        last if $got =~ /\}\z/;
    }
    close $s;
    return $got;
}

my $servers = join '', map {
    "        server 127.0.0.1:$port{$_} max_fails=1 fail_timeout=2s;\n"
} @names;

Sbx::Test::blocks(
    runner => 'r1',
    http_config => <<"EOF",
    upstream runners {
        hash \$sandbox_route consistent;
$servers        keepalive 16;
    }
EOF
    config => <<"EOF");
    location / {
        sandbox_pass sandboxs://runners;
        sandbox_ssl_certificate $pki/nginx.crt;
        sandbox_ssl_certificate_key $pki/nginx.key;
        sandbox_ssl_trusted_certificate $pki/ca.crt;
        sandbox_ssl_name localhost;
        sandbox_next_upstream error timeout not_found;
        sandbox_read_timeout 120s;
    }
EOF

run_tests();

for my $r (values %main::runner) {
    Sbx::Test::runner_stop($r) if $r;
}

__DATA__

=== TEST 1: 300 submissions spread over three runners
--- init
main::start($_) for @main::names;
my %count;
for my $i (1 .. 300) {
    my ($st, $doc, $who) = main::req(POST => '/submissions?wait=false',
        { language => 'bash', source => "echo job $i" });
    Test::More::is($st, 202, "submission $i accepted") if $st != 202;
    next unless $st == 202;
    $main::owner{$doc->{id}} = $who;
    $count{$who}++;
}
Test::More::is(scalar keys %main::owner, 300, 'all 300 accepted');
for my $n (@main::names) {
    my $c = $count{"$main::tag-$n"} // 0;
    Test::More::cmp_ok($c, '>=', 60, "runner $n took $c of 300 (>= 20 %)");
}
--- request
GET /health
--- error_code: 200
--- response_headers_like
X-Sandbox-Runner: .+-r[123]$
--- response_json
status: "ok"
runner =~ -r[123]$



=== TEST 2: one runner killed: its ids are unavailable, the others end
--- init
Test::More::ok(defined Sbx::Test::runner_stop($main::runner{r2}, 'KILL', 10),
               'runner r2 is killed');
$main::runner{r2} = undef;
my $r2 = "$main::tag-r2";
my ($ended, $away, $wrong) = (0, 0, 0);
for my $id (sort keys %main::owner) {
    if ($main::owner{$id} eq $r2) {
        my ($st, $doc) = main::req(GET => "/submissions/$id");
        $away++ if $st == 502 && $doc->{error}{code} eq 'runner_unavailable'
                   && $doc->{error}{id} eq $id;
        next;
    }
    my ($st, $doc, $who) = main::done($id, 120);
    $ended++ if $st == 200 && $doc->{status} eq 'accepted'
                && $doc->{tests}[0]{stdout} =~ /^job \d+\n$/;
    $wrong++ if $who ne $main::owner{$id};
}
my $mine = grep { $_ eq $r2 } values %main::owner;
Test::More::is($away, $mine, "all $mine ids of r2 answer 502 "
                             . 'runner_unavailable, naming the id');
Test::More::is($ended, 300 - $mine, 'every job of r1 and r3 ended accepted');
Test::More::is($wrong, 0, 'every GET was answered by the runner that took it');
for my $i (1 .. 30) {
    my ($st, $doc, $who) = main::req(POST => '/submissions?wait=false',
        { language => 'bash', source => "echo fresh $i" });
    next unless $st == 202;
    push @main::fresh, $doc->{id};
    $main::fresh_owner{$doc->{id}} = $who;
}
Test::More::is(scalar @main::fresh, 30, 'new submissions are accepted');
Test::More::is(scalar(grep { $_ eq $r2 } values %main::fresh_owner), 0,
               'none of them on r2');
my $fine = 0;
for my $id (@main::fresh) {
    my ($st, $doc) = main::done($id, 120);
    $fine++ if $st == 200 && $doc->{status} eq 'accepted';
}
Test::More::is($fine, 30, 'and they end accepted');
--- request
GET /health
--- error_code: 200
--- response_headers_like
X-Sandbox-Runner: .+-r[13]$



=== TEST 3: started again, its results are served again
--- init
main::start('r2');
my $r2 = "$main::tag-r2";
my ($served, $wrong) = (0, 0);
for my $id (sort keys %main::owner) {
    next unless $main::owner{$id} eq $r2;
    my ($st, $doc, $who) = main::done($id, 120);
    $served++ if $st == 200 && $doc->{status} eq 'accepted';
    $wrong++ if $who ne $r2;
}
my $mine = grep { $_ eq $r2 } values %main::owner;
Test::More::is($served, $mine, "all $mine jobs of r2 are served again");
Test::More::is($wrong, 0, 'by r2');
my $found = 0;
for my $id (@main::fresh) {
    my ($st, $doc, $who) = main::req(GET => "/submissions/$id");
    $found++ if $st == 200 && $who eq $main::fresh_owner{$id};
}
Test::More::is($found, 30, 'the submissions that went past r2 are found '
                           . 'where they went');
--- request
GET /submissions/00000000-0000-4000-8000-000000000000
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 4: the runner refuses a client without a certificate of its CA
--- init
my $ok = main::raw_health($main::port{r1}, "$main::pki/nginx.crt",
                          "$main::pki/nginx.key", "$main::pki/ca.crt");
Test::More::like($ok, qr/^SBX\/1 200 \d+ runner=\Q$main::tag\E-r1\r\n/,
                 'a client with a certificate of the CA is answered');
Test::More::is(main::raw_health($main::port{r1}, undef, undef,
                                "$main::pki/ca.crt"),
               '', 'no certificate: refused');
Test::More::is(main::raw_health($main::port{r1}, "$main::other/nginx.crt",
                                "$main::other/nginx.key", "$main::pki/ca.crt"),
               '', 'a certificate of another CA: refused');
my $plain = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $main::port{r1}, Timeout => 5);
print $plain "SBX/1 HEALTH 0\r\n";
my $got = '';
$plain->recv($got, 4096);
Test::More::unlike($got // '', qr/^SBX/, 'plain SBX/1 on the TLS port: '
                                         . 'no answer');
--- request
GET /metrics
--- error_code: 200
--- response_body_like
sandbox_runner_info\{runner="[^"]+-r[123]",version="[^"]+"\} 1
--- response_headers_like
X-Sandbox-Runner: .+-r[123]$
