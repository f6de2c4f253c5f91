# The warm pool: started containers wait for jobs, each is used once and
# replaced; a job that needs more than the defaults still fits one; a
# dead one is noticed and passed over; nothing is left at shutdown.  A
# runner of this file's own keeps two Python and one C container warm.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

our ($runner, @uids);

sub submit_json {
    my (undef, $r) = Sbx::Test::api(POST => '/submissions', {@_});
    return $r;
}

Sbx::Test::blocks(runner => 'warm', read_timeout => '60s');

run_tests();

if ($main::runner) {
    Test::More::ok(defined Sbx::Test::runner_stop($main::runner),
                   'the runner stops');
    Test::More::is(Sbx::Test::containers('warm'), 0,
                   'and removes its warm containers');
}

__DATA__

=== TEST 1: the pool fills at start
--- init
$main::runner = Sbx::Test::runner_start('warm', '--warm', 'python:2,c:1');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    (Sbx::Test::metric('sandbox_warm_ready') // 0) == 3 }), 'three are ready');
Test::More::is(Sbx::Test::containers('warm'), 3, 'three containers exist');
--- request
GET /metrics
--- error_code: 200
--- response_body_like
sandbox_warm_ready 3



=== TEST 2: a job takes a warm container, which is then replaced
--- init
my $r = main::submit_json(language => 'python',
                  source => "import os\nprint(os.getuid())");
Test::More::is($r->{status}, 'accepted', 'the job ran');
push @main::uids, $r->{stdout};
Test::More::is(Sbx::Test::metric('sandbox_warm_hits_total'), 1,
               'from the pool');
my $id = $r->{id};
my $timing;
Test::More::ok(Sbx::Test::wait_for(30, sub {
    open my $f, '<', "$Sbx::Test::Dir/warm.log" or return 0;
    ($timing) = grep { /job \Q$id\E: timing ms:/ } <$f>;
    defined $timing }), 'its stages are timed once its container is gone');
my $stages = join ' ', map { "$_ [\\d.]+" }
    qw(queue box handover start program result reply removed overhead total);
Test::More::like($timing // '', qr/ $stages calls 0$/,
    'every stage, and no Engine API call on its path');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::metric('sandbox_warm_ready') == 3
    && Sbx::Test::containers('warm') == 3 }), 'the pool is full again, '
    . 'the used container gone');
--- request
GET /health
--- error_code: 200



=== TEST 3: warm, never reused: a job sees nothing of the one before
--- init
my $r = main::submit_json(language => 'python', source =>
    "import os\nopen('/tmp/left', 'w').write('x')\nprint(os.getuid())");
push @main::uids, $r->{stdout};
$r = main::submit_json(language => 'python', source =>
    "import os\nprint(os.path.exists('/tmp/left'), os.listdir('/work'))\n"
    . "print(os.getuid())");
Test::More::like($r->{stdout}, qr/^False \['main\.py'\]\n/, 'a clean sandbox');
push @main::uids, ($r->{stdout} =~ /(\d+)\n$/)[0] . "\n";
my %seen;
Test::More::ok(!grep({ $seen{$_}++ } @main::uids),
               "each job its own uid: @main::uids");
--- request
GET /health
--- error_code: 200



=== TEST 4: a compiled language from the pool (compile, then tighter limits)
--- request
POST /submissions
{"language":"c","source":"#include <stdio.h>\nint main(void) { int n; scanf(\"%d\", &n); printf(\"%d\\n\", n * 2); }","stdin":"21"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "42\n"
compile.status: "ok"



=== TEST 5: a job that needs more than the defaults gets a warm one of its class
--- init
my $hits = Sbx::Test::metric('sandbox_warm_hits_total');
my $misses = Sbx::Test::metric('sandbox_warm_misses_total');
my $updates = Sbx::Test::metric('sandbox_docker_calls_total{call="update"}');
my $r = main::submit_json(language => 'python',
    source => "b = bytearray(300 << 20)\nprint(len(b) >> 20)",
    limits => { memory_kb => 524288 });
Test::More::is($r->{status}, 'accepted', '300 MiB under a 512 MiB limit');
Test::More::is($r->{stdout}, "300\n", 'allocated');
Test::More::is(Sbx::Test::metric('sandbox_warm_misses_total'), $misses + 1,
               'not in a container made for the defaults');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::metric('sandbox_warm_ready') >= 4 }),
    'its class is kept warm from then on');
$r = main::submit_json(language => 'python',
    source => "b = bytearray(300 << 20)\nprint(len(b) >> 20)",
    limits => { memory_kb => 524288 });
Test::More::is($r->{stdout}, "300\n", 'allocated again');
Test::More::is(Sbx::Test::metric('sandbox_warm_hits_total'), $hits + 1,
               'in a warm container of its class');
$r = main::submit_json(language => 'python',
    source => "b = bytearray(300 << 20)", limits => { memory_kb => 131072 });
Test::More::is($r->{status}, 'memory_limit_exceeded', 'and limits still hold');
Test::More::is(Sbx::Test::metric('sandbox_docker_calls_total{call="update"}'),
               $updates, 'no container was resized for a job');
--- request
GET /health
--- error_code: 200



=== TEST 6: a dead warm container is passed over
--- init
Sbx::Test::wait_for(30, sub { Sbx::Test::metric('sandbox_warm_ready') >= 3 });
my @ids = grep { /\S/ } split /\n/,
    `docker ps -q --filter label=org.sandbox.runner=$Sbx::Test::Tag-warm`;
system("docker kill @ids >/dev/null 2>&1");
my $r = main::submit_json(language => 'python', source => "print('still fine')");
Test::More::is($r->{stdout}, "still fine\n", 'the job ran anyway');
--- request
GET /health
--- error_code: 200
