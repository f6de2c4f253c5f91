# sandbox_max_body_size: the most body a sandbox location buffers, even
# where client_max_body_size is 0 (no limit).  Attacked with a declared
# length (refused before any body is read, without inviting it with
# "100 Continue"), and with chunked bodies, in one chunk and in many.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 60, config => <<'_EOC_');
    location / {
        client_max_body_size 0;
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        sandbox_max_body_size 2k;
    }
    location /default/ {
        client_max_body_size 0;
        sandbox_pass runner;
    }
    location /nginx/ {
        client_max_body_size 1k;
        sandbox_pass runner;
    }
_EOC_

# a submission of $n bytes, exactly
sub sub_of {
    my $n = shift;
    my $s = '{"language":"python","source":"print(1)#"}';
    substr($s, -2, 0) = '#' x ($n - length $s);
    return $s;
}

sub chunked {
    my ($path, $body, $size) = @_;
    my $out = "POST $path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\nContent-Type: application/json\r\n"
            . "Transfer-Encoding: chunked\r\n\r\n";
    while (length $body) {
        my $c = substr($body, 0, $size, '');
        $out .= sprintf("%x\r\n%s\r\n", length $c, $c);
    }
    return $out . "0\r\n\r\n";
}

run_tests();

__DATA__

=== TEST 1: a body at the cap is a submission
--- request eval
"POST /submissions\n" . main::sub_of(2048)
--- error_code: 200
--- response_json
status: "accepted"
stdout: "1\n"



=== TEST 2: one byte over it, by Content-Length, is 413 JSON naming the cap
--- request eval
"POST /submissions\n" . main::sub_of(2049)
--- error_code: 413
--- response_headers
Content-Type: application/json
--- response_json
error.code: "payload_too_large"
error.message: "the request body is larger than 2048 bytes"
--- error_log
over sandbox_max_body_size: 2049 bytes



=== TEST 3: a declared length over it is refused before the body comes
(No "100 Continue", no body sent: the answer comes at once.)
--- raw_request eval
"POST /submissions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "Content-Type: application/json\r\nExpect: 100-continue\r\n"
. "Content-Length: 1000000000\r\n\r\n"
--- error_code: 413
--- raw_response_headers_unlike: 100 Continue
--- response_json
error.code: "payload_too_large"
--- timeout: 10



=== TEST 4: a chunked body over it, in one chunk, is 413 JSON
--- raw_request eval
main::chunked('/submissions', main::sub_of(2049), 100000)
--- error_code: 413
--- response_headers
Content-Type: application/json
--- response_json
error.code: "payload_too_large"
error.message: "the request body is larger than 2048 bytes"
--- error_log
over sandbox_max_body_size: more than 2048 bytes



=== TEST 5: in many small chunks, the total counts
--- raw_request eval
main::chunked('/submissions', main::sub_of(4000), 10)
--- error_code: 413
--- response_json
error.code: "payload_too_large"



=== TEST 6: a chunked body at the cap passes
--- raw_request eval
main::chunked('/submissions', main::sub_of(2048), 100)
--- error_code: 200
--- response_json
status: "accepted"



=== TEST 7: the batch endpoint is capped as well
--- request eval
"POST /submissions/batch\n{\"submissions\":["
. CORE::join(',', (main::sub_of(200)) x 11) . "]}"
--- error_code: 413
--- response_json
error.code: "payload_too_large"



=== TEST 8: without the directive the cap is 4 MiB, by length
--- raw_request eval
"POST /default/submissions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "Content-Type: application/json\r\nContent-Length: 4194305\r\n\r\n"
--- error_code: 413
--- response_json
error.code: "payload_too_large"
error.message: "the request body is larger than 4194304 bytes"
--- timeout: 10



=== TEST 9: and chunked
--- raw_request eval
main::chunked('/default/submissions', main::sub_of(4194305), 65536)
--- error_code: 413
--- response_json
error.code: "payload_too_large"
error.message: "the request body is larger than 4194304 bytes"
--- timeout: 20



=== TEST 10: a smaller client_max_body_size is nginx's, and named so
--- request eval
"POST /nginx/submissions\n" . main::sub_of(1025)
--- error_code: 413
--- response_json
error.code: "payload_too_large"
error.message: "the request body is larger than 1024 bytes"
