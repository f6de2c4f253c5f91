# HEAD on what GET reads (RFC 9110, 9.3.2): the same status and header
# fields as GET, Content-Length included, and no body.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use IO::Socket::INET ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(more_headers => undef);

# The raw answer to METHOD PATH, read to the connection's end: the status,
# the header fields (lowercased names) and every byte after the header.
sub raw {
    my ($method, $path) = @_;

    my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                  Timeout => 30) or die "connect: $!";
    print $s "$method $path HTTP/1.1\r\nHost: localhost\r\n"
             . "Connection: close\r\n\r\n";

    local $/;
    my $all = <$s> // '';
    my ($head, $body) = split /\r\n\r\n/, $all, 2;
    my ($status) = $head =~ m{^HTTP/1\.1 (\d+)};
    my %h = map { my ($k, $v) = split /:\s*/, $_, 2; (lc $k, $v) }
            grep { /:/ } split /\r\n/, $head;

    return ($status, \%h, $body // '');
}

# HEAD and GET alike on PATH; $stable: the body does not change between
# the two (metrics and health count and time, so their length may)
sub same {
    my ($path, $stable) = @_;

    my ($gs, $gh, $gb) = raw(GET => $path);
    my ($hs, $hh, $hb) = raw(HEAD => $path);

    Test::More::is($hs, $gs, "HEAD $path: status $gs as GET's");
    Test::More::is($hh->{'content-type'}, $gh->{'content-type'},
                   "HEAD $path: the Content-Type of GET");
    Test::More::ok(defined $gh->{'content-length'}
                   && $gh->{'content-length'} == length $gb,
                   "GET $path: Content-Length is its body's");
    Test::More::like($hh->{'content-length'} // '', qr/^\d+$/,
                     "HEAD $path: a Content-Length");
    Test::More::is($hh->{'content-length'}, $gh->{'content-length'},
                   "HEAD $path: GET's Content-Length") if $stable;
    Test::More::is($hb, '', "HEAD $path: no body");
}

run_tests();

__DATA__

=== TEST 1: languages, health and metrics answer HEAD as GET, without a body
--- init
main::same('/languages', 1);
main::same('/health', 0);
main::same('/metrics', 0);
--- request
GET /health
--- error_code: 200



=== TEST 2: a submission, and one that is not there
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions',
                              { language => 'python', source => 'print(1)' });
Test::More::is($st, 200, 'a submission to read back');
main::same("/submissions/$r->{id}", 1);
my ($gs) = main::raw(GET => "/submissions/$r->{id}");
Test::More::is($gs, 200, 'found');
main::same('/submissions/00000000-0000-4000-8000-000000000000', 1);
--- request
GET /health
--- error_code: 200



=== TEST 3: HEAD through the harness: the header, no body
--- request
HEAD /languages
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_headers_like
Content-Length: \d+
--- response_body



=== TEST 4: the Allow of a GET endpoint names HEAD
--- request
DELETE /health
--- error_code: 405
--- response_headers
Allow: GET, HEAD
Content-Type: application/json
--- response_json
error.code: "method_not_allowed"
error.message: "DELETE is not allowed here, only GET, HEAD"



=== TEST 5: HEAD on a POST endpoint is 405, with Allow, and no body
--- request
HEAD /submissions
--- error_code: 405
--- response_headers
Allow: POST
Content-Type: application/json
--- response_body
