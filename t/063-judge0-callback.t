# Judge0's callback_url: a job submitted through sandbox_api judge0 is
# delivered as Judge0 delivers it, a PUT of its submission object in
# base64 whatever the request asked; a native job's callback stays the
# native POST.  A runner of this file's own allows 127.0.0.1; a receiver
# there saves each request it gets.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use IO::Socket::IP ();
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();

no_shuffle();
no_root_location();

our $dir = "$Sbx::Test::Dir/j0hooks";
our ($runner, $receiver, $port);

sub start_receiver {
    system("rm -rf '$dir'") == 0 or die;
    mkdir $dir or die "$dir: $!";

    my $srv = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0,
                                  Listen => 16, ReuseAddr => 1)
        or die "listen: $!";
    $port = $srv->sockport;

    $receiver = fork // die "fork: $!";
    return if $receiver;

    my $n = 0;
    while (my $c = $srv->accept) {
        my $head = '';
        while (defined(my $line = <$c>)) {
            $head .= $line;
            last if $line eq "\r\n";
        }
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        my $body = '';
        read $c, $body, $len // 0;
        $n++;
        open my $fh, '>', "$dir/$n.req" or POSIX::_exit(1);
        print $fh $head, $body;
        close $fh;
        print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                 . "Connection: close\r\n\r\n";
        close $c;
    }
    POSIX::_exit(0);
}

# the n-th request the receiver got, once it is there
sub request {
    my $n = shift;
    Sbx::Test::wait_for(30, sub { -s "$dir/$n.req" });
    open my $fh, '<', "$dir/$n.req" or return;
    my ($head, $body) = split /\r\n\r\n/, do { local $/; <$fh> }, 2;
    return ($head, $body);
}

Sbx::Test::blocks(runner => 'j0hooks', keepalive => 0,
                  upstreams => { hooks => 'j0hooks' },
                  config => <<'_EOC_');
    location /judge0/ {
        sandbox_pass hooks;
        sandbox_api judge0;
    }
    location / {
        sandbox_pass hooks;
    }
_EOC_

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

if ($main::receiver) {
    kill 'TERM', $main::receiver;
    waitpid $main::receiver, 0;
}

__DATA__

=== TEST 1: a Judge0 job's callback is Judge0's: PUT, base64, its fields
--- init
main::start_receiver();
$main::runner = Sbx::Test::runner_start('j0hooks',
    '--callback-allow', '127.0.0.1/32', '--callback-attempts', 1,
    '--callback-timeout', 3);
my ($st, $r) = Sbx::Test::api(POST => '/judge0/submissions',
    { language_id => 71, source_code => "print('hooked')",
      callback_url => "http://127.0.0.1:$main::port/judge0" });
Test::More::is($st, 201, 'created');
my ($head, $body) = main::request(1);
Test::More::like($head, qr{^PUT /judge0 HTTP/1\.1\r?$}m, 'a PUT');
my $doc = JSON::PP->new->utf8->decode($body);
Test::More::is($doc->{token}, $r->{token}, 'its token');
Test::More::is_deeply($doc->{status}, { id => 3, description => 'Accepted' },
                      'its status');
Test::More::is(MIME::Base64::decode_base64($doc->{stdout}), "hooked\n",
               'its output, in base64');
Test::More::is(CORE::join(',', sort keys %$doc),
               'compile_output,memory,message,status,stderr,stdout,time,token',
               "Judge0's default fields");
($st, my $g) = Sbx::Test::api(GET =>
    "/judge0/submissions/$r->{token}?fields=callback_url");
Test::More::is($g->{callback_url}, "http://127.0.0.1:$main::port/judge0",
               'callback_url reads back');
--- request
GET /judge0/statuses
--- error_code: 200



=== TEST 2: a native job's callback stays the native POST
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false',
    { language => 'python', source => "print('native')",
      callback_url => "http://127.0.0.1:$main::port/native" });
Test::More::is($st, 202, 'queued');
my ($head, $body) = main::request(2);
Test::More::like($head, qr{^POST /native HTTP/1\.1\r?$}m, 'a POST');
my $doc = JSON::PP->new->utf8->decode($body);
Test::More::is($doc->{id}, $r->{id}, 'the native result');
Test::More::is($doc->{stdout}, "native\n", 'in plain text');
--- request
GET /judge0/statuses
--- error_code: 200
