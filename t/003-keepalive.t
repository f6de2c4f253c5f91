# upstream { keepalive N; } really reuses connections to the runner: the
# runner counts the connections it accepts (sandbox_connections_total).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

# upstream "runner" with keepalive, unless a block says otherwise
Sbx::Test::blocks(read_timeout => undef);

my $first;

add_response_body_check(sub {
    my ($block, $body, $idx) = @_;

    my $want = $block->new_connections;
    return unless defined $want;

    my ($n) = $body =~ /^sandbox_connections_total (\d+)$/m;
    return unless defined $n;

    if ($idx == 0) {
        $first = $n;
        return;
    }

    Test::More::is($n - $first, $want,
                   $block->name . " - new connections to the runner");
});

run_tests();

__DATA__

=== TEST 1: with keepalive, five requests share one connection
--- request eval
["GET /metrics", "GET /health", "GET /languages", "GET /health",
 "GET /metrics"]
--- error_code eval
[200, 200, 200, 200, 200]
--- new_connections: 0



=== TEST 2: without keepalive, every request connects anew
--- http_config
    upstream runner {
        server unix:$TEST_NGINX_SANDBOX_SOCKET;
    }
--- request eval
["GET /metrics", "GET /health", "GET /languages", "GET /health",
 "GET /metrics"]
--- error_code eval
[200, 200, 200, 200, 200]
--- new_connections: 4



=== TEST 3: a submission on a kept-alive connection, then another
--- request eval
["GET /metrics",
 "POST /submissions\n{\"language\":\"python\",\"source\":\"print(1)\"}",
 "POST /submissions\n{\"language\":\"python\",\"source\":\"print(2)\"}",
 "GET /metrics"]
--- error_code eval
[200, 200, 200, 200]
--- response_json eval
[undef, "stdout: \"1\\n\"", "stdout: \"2\\n\"", undef]
--- new_connections: 0
