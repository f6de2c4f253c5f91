# The job id travels with every answer: nginx mints it before the frame
# goes, so a 202, a 200, a 504 (sandbox_read_timeout), a 502 (the runner
# killed while the job runs) and a 499 (the client gave up) all name it,
# in X-Sandbox-Id, Location and, for 502 and 504, the JSON error; the
# access log has $sandbox_id for each, a batch's ids comma-separated, and
# $sandbox_route is the id's first 8 hex digits on POST and GET.  A sync
# client that got a 504 polls the id to the result.  The runner takes an
# id from the frame only when it is well-formed (400) and new (409), a
# batch item's included.  This file runs a runner of its own for the 502.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use HTTP::Tiny ();
use IO::Socket::UNIX ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, $id, @ids);

our $uuid = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

Sbx::Test::blocks(
    upstreams => { runner => 'main', idkill => 'idkill' },
    http_config => <<'_EOC_',
    log_format sbxid '$status $request_method $uri id=$sandbox_id '
                     'route=$sandbox_route lang=$sandbox_language';
_EOC_
    config => <<'_EOC_');
    access_log logs/sbxid.log sbxid;

    location / {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
    }
    location /short/ {
        sandbox_pass runner;
        sandbox_read_timeout 1s;
    }
    location /kill/ {
        sandbox_pass idkill;
        sandbox_read_timeout 60s;
    }
_EOC_

# The access log lines so far, and the last one for METHOD URI STATUS.
sub log_lines {
    my $log = "$Test::Nginx::Util::ServRoot/logs/sbxid.log";
    open my $fh, '<', $log or return ();
    chomp(my @lines = <$fh>);
    return @lines;
}

sub log_line {
    my ($status, $method, $uri) = @_;
    my $line;

    # the log line is written after the answer: allow it a moment
    for (1 .. 20) {
        ($line) = grep { /^\Q$status $method $uri \E/ } reverse log_lines();
        last if defined $line;
        Time::HiRes::sleep(0.1);
    }

    return $line // '';
}

# An SBX/1 frame straight to a runner's socket: (status, attrs, body).
sub raw {
    my ($name, $verb, $attrs, $body) = @_;
    my $s = IO::Socket::UNIX->new(Peer => Sbx::Test::sock($name))
        or die "connect: $!";
    $body //= '';
    print $s "SBX/1 $verb " . length($body)
             . ($attrs ? " $attrs" : '') . "\r\n$body";

    my $head = <$s> // '';
    my ($st, $len, $rest) = $head =~ /^SBX\/1 (\d+) (\d+)(.*)\r\n$/
        or return (0, {}, $head);
    my %a = $rest =~ / ([a-z-]+)=(\S+)/g;
    my $got = '';
    read $s, $got, $len;
    close $s;
    return ($st, \%a, eval { JSON::PP->new->decode($got) } // $got);
}

sub sub_json {
    return JSON::PP->new->canonical->encode({ @_ });
}

# A request in a child that gives up after $secs: nginx logs 499.
sub impatient {
    my ($path, $sub, $secs) = @_;
    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
        HTTP::Tiny->new(timeout => $secs)->request(
            POST => "http://127.0.0.1:$port$path",
            { headers => { 'Content-Type' => 'application/json' },
              content => JSON::PP->new->encode($sub) });
        POSIX::_exit(0);
    }

    waitpid $pid, 0;
}

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: a 202 and the GET after it name the id; the log has id and route
--- init
my ($st, $r, $h) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'python', source => "print('hi')" });
Test::More::is($st, 202, 'status 202');
Test::More::like($r->{id}, $main::uuid, 'a UUID-shaped id');
Test::More::is($h->{'x-sandbox-id'}, $r->{id}, 'X-Sandbox-Id is the id');
Test::More::is($h->{location}, "/submissions/$r->{id}",
               'Location is where to poll');
my $route = substr($r->{id}, 0, 8);
Test::More::is(main::log_line(202, 'POST', '/submissions'),
               "202 POST /submissions id=$r->{id} route=$route lang=python",
               'the POST line: id, route key, language');
Sbx::Test::poll("/submissions/$r->{id}");
($st, my $g, $h) = Sbx::Test::api(GET => "/submissions/$r->{id}");
Test::More::is($st, 200, 'GET 200');
Test::More::is($h->{'x-sandbox-id'}, $r->{id}, 'GET: X-Sandbox-Id');
Test::More::is($h->{location}, "/submissions/$r->{id}", 'GET: Location');
Test::More::is(main::log_line(200, 'GET', "/submissions/$r->{id}"),
               "200 GET /submissions/$r->{id} id=$r->{id} route=$route "
               . "lang=python",
               'the GET line: the route key from the URI, the language');
--- request
GET /health
--- error_code: 200



=== TEST 2: a sync 200 names its id too
--- init
my ($st, $r, $h) = Sbx::Test::api(POST => '/submissions', {
    language => 'bash', source => 'echo sync' });
Test::More::is($st, 200, 'status 200');
Test::More::is($r->{status}, 'accepted', 'accepted');
Test::More::is($h->{'x-sandbox-id'}, $r->{id}, 'X-Sandbox-Id');
Test::More::is($h->{location}, "/submissions/$r->{id}", 'Location');
Test::More::like(main::log_line(200, 'POST', '/submissions'),
                 qr/ id=\Q$r->{id}\E route=\Q@{[substr $r->{id}, 0, 8]}\E /,
                 'logged');
--- request
GET /health
--- error_code: 200



=== TEST 3: a 504 names the job, which goes on and can be polled
--- init
my ($st, $r, $h) = Sbx::Test::api(POST => '/short/submissions', {
    language => 'python',
    source => "import time\ntime.sleep(3)\nprint('late')" });
Test::More::is($st, 504, '504 after sandbox_read_timeout');
Test::More::is($r->{error}{code}, 'runner_timeout', 'runner_timeout');
my $id = $h->{'x-sandbox-id'} // '';
Test::More::like($id, $main::uuid, 'X-Sandbox-Id');
Test::More::is($r->{error}{id}, $id, 'the error names the id');
Test::More::is($h->{location}, "/short/submissions/$id",
               'Location under the location it came through');
Test::More::unlike($r->{error}{message}, qr/cannot be reached/,
                   "not 'cannot be reached': $r->{error}{message}");
Test::More::like(main::log_line(504, 'POST', '/short/submissions'),
                 qr/ id=\Q$id\E route=\Q@{[substr $id, 0, 8]}\E /,
                 'the 504 line has the id');
my $done = Sbx::Test::poll("/submissions/$id", 60);
Test::More::is($done->{status}, 'accepted', 'polled: the result');
Test::More::is($done->{stdout}, "late\n", 'with its output');
--- request
GET /health
--- error_code: 200



=== TEST 4: a batch's ids share the route key and are all logged
An item nginx refuses has no id; one only the runner refuses had one
(nginx sent it), which no job ever takes.
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions/batch', {
    submissions => [
        { language => 'bash', source => 'echo 0' },
        { language => 'bash', source => 'x', limits => { memory_kb => 'x' } },
        { language => 'nope', source => 'x' },
        { language => 'bash', source => 'echo 3' } ] });
Test::More::is($st, 202, 'status 202');
my @s = @{ $r->{submissions} };
Test::More::like($s[0]{id}, $main::uuid, 'item 0 has an id');
Test::More::is($s[1]{error}{code}, 'invalid_field', 'item 1: nginx refused');
Test::More::is($s[2]{error}{code}, 'unknown_language',
               'item 2: the runner refused');
Test::More::is(substr($s[0]{id}, 0, 8), substr($s[3]{id}, 0, 8),
               'one route key');
Test::More::is(substr($s[0]{id}, 0, 33), substr($s[3]{id}, 0, 33),
               'one base');
Test::More::is(substr($s[0]{id}, 33), '000', 'item 0: ...000');
Test::More::is(substr($s[3]{id}, 33), '003', 'item 3: ...003');
my $two = substr($s[0]{id}, 0, 33) . '002';
my $route = substr($s[0]{id}, 0, 8);
Test::More::like(main::log_line(202, 'POST', '/submissions/batch'),
                 qr/ id=\Q$s[0]{id},$two,$s[3]{id}\E route=\Q$route\E /,
                 'the log line has the ids sent, comma-separated');
my ($nst) = Sbx::Test::api(GET => "/submissions/$two");
Test::More::is($nst, 404, 'the refused item\'s id is no job');
Test::More::is(Sbx::Test::poll("/submissions/$_->{id}")->{status},
               'accepted', "$_->{id} runs") for @s[0, 3];
--- request
GET /health
--- error_code: 200



=== TEST 5: a client that gives up: 499 is logged with the id, the job ends
--- init
main::impatient('/submissions', { language => 'python',
    source => "import time\ntime.sleep(3)\nprint('unseen')" }, 1);
my $line = main::log_line(499, 'POST', '/submissions');
my ($id) = $line =~ / id=(\S+) /;
Test::More::like($id // '', $main::uuid, "499 logged with the id: $line");
Test::More::is(Sbx::Test::poll("/submissions/$id", 60)->{stdout}, "unseen\n",
               'the job ran to its end and can be polled');
--- request
GET /health
--- error_code: 200



=== TEST 6: the runner killed while the job runs: 502 names the job
--- init
$main::runner = Sbx::Test::runner_start('idkill');
my $file = "$Sbx::Test::Dir/idkill.json";
unlink $file;
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    my ($st, $r, $h) = Sbx::Test::api(POST => '/kill/submissions', {
        language => 'python', source => "import time\ntime.sleep(20)" });
    open my $fh, '>', $file or POSIX::_exit(1);
    print $fh JSON::PP->new->encode({ status => $st, doc => $r,
                                      id => $h->{'x-sandbox-id'},
                                      location => $h->{location} });
    close $fh;
    POSIX::_exit(0);
}
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::containers('idkill') >= 1 }), 'the job runs');
Test::More::ok(defined Sbx::Test::runner_stop($main::runner, 'KILL', 10),
               'the runner is killed');
$main::runner = undef;
waitpid $pid, 0;
open my $fh, '<', $file or die "$file: $!";
my $a = JSON::PP->new->decode(do { local $/; <$fh> });
Test::More::is($a->{status}, 502, 'status 502');
Test::More::like($a->{id} // '', $main::uuid, 'X-Sandbox-Id');
Test::More::is($a->{doc}{error}{id}, $a->{id}, 'the error names the id');
Test::More::is($a->{location}, "/kill/submissions/$a->{id}", 'Location');
Test::More::unlike($a->{doc}{error}{message}, qr/cannot be reached/,
                   "not 'cannot be reached': $a->{doc}{error}{message}");
Test::More::like(main::log_line(502, 'POST', '/kill/submissions'),
                 qr/ id=\Q$a->{id}\E /, 'the 502 line has the id');
# the runner's leftovers go with the next start's sweep
$main::runner = Sbx::Test::runner_start('idkill');
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::containers('idkill') == 0 }), 'no container left');
Sbx::Test::runner_stop($main::runner);
$main::runner = undef;
--- request
GET /health
--- error_code: 200



=== TEST 7: a runner that is not there: 502 says so, and names no job
--- request
POST /kill/submissions
{"language":"bash","source":"echo x"}
--- error_code: 502
--- response_json
error.code: "runner_unavailable"
error.message: "the runner cannot be reached"
error.id !
--- response_headers
!X-Sandbox-Id
!Location
--- error_log
No such file or directory



=== TEST 8: a GET of an id whose runner is not there names the job
--- request
GET /kill/submissions/0123abcd-0000-4000-8000-000000000000
--- error_code: 502
--- response_json
error.code: "runner_unavailable"
error.message: "the runner cannot be reached"
error.id: "0123abcd-0000-4000-8000-000000000000"
--- response_headers
X-Sandbox-Id: 0123abcd-0000-4000-8000-000000000000
Location: /kill/submissions/0123abcd-0000-4000-8000-000000000000
--- error_log
No such file or directory



=== TEST 9: ids in URIs: only the runner's shape reaches it
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'bash', source => 'echo x' });
$main::id = $r->{id};
my $up = uc $main::id;
for my $bad ($up, substr($main::id, 0, 35), $main::id . '0',
             substr($main::id, 0, 8) . '_' . substr($main::id, 9),
             '..%2fetc%2fpasswd', '%2e%2e', "$main::id/x",
             "$main::id%20") {
    for my $m (qw(GET DELETE)) {
        my ($st, $e) = Sbx::Test::api($m => "/submissions/$bad");
        Test::More::is($st, 404, "$m /submissions/$bad: 404");
        Test::More::is($e->{error}{code}, 'not_found', 'as JSON');
    }
}
Test::More::like(main::log_line(404, 'GET', "/submissions/$up"),
                 qr/ id=- route=- /, 'no id, no route for a bad one');
--- request
GET /health
--- error_code: 200



=== TEST 10: the runner takes a well-formed, new id only
--- init
my $sub = main::sub_json(language => 'bash', source => 'echo raw');
my $id = 'abcdef01-2345-4678-89ab-cdef01234567';
for my $bad (uc($id), substr($id, 0, 35), "${id}0", "../../../../etc/passwd",
             'abcdef01-2345-4678-89ab-cdef0123456g', 'abcdef0112345-4678-'
             . '89ab-cdef01234567-') {
    my ($st, undef, $e) = main::raw('main', 'SUBMIT', "wait=0 id=$bad", $sub);
    Test::More::is($st, 400, "id=$bad: 400");
    Test::More::is($e->{error}{code}, 'invalid_id', 'invalid_id');
}
my ($st, $a, $r) = main::raw('main', 'SUBMIT', "wait=0 id=$id", $sub);
Test::More::is($st, 202, 'a new one is taken');
Test::More::is($r->{id}, $id, 'as the job id');
Test::More::is($a->{id}, $id, 'in the frame too');
($st, undef, $r) = main::raw('main', 'SUBMIT', "wait=0 id=$id", $sub);
Test::More::is($st, 409, 'the same again: 409');
Test::More::is($r->{error}{code}, 'conflict', 'conflict');
Test::More::is(Sbx::Test::poll("/submissions/$id")->{stdout}, "raw\n",
               'the first one ran, once');
# a batch whose item 1 would be that id: that item only is refused
my $base = substr($id, 0, 33) . 'fff';
my $item = substr($id, 0, 33) . '001';
($st, $a, $r) = main::raw('main', 'SUBMIT', "wait=0 id=$item", $sub);
Test::More::is($st, 202, "$item taken by a single job");
($st, undef, $r) = main::raw('main', 'BATCH', "id=$base",
    JSON::PP->new->encode({ submissions => [
        { language => 'bash', source => 'echo b0' },
        { language => 'bash', source => 'echo b1' },
        { language => 'bash', source => 'echo b2' } ] }));
Test::More::is($st, 202, 'the batch is taken');
my @s = @{ $r->{submissions} };
Test::More::is($s[0]{id}, substr($id, 0, 33) . '000', 'item 0 derived');
Test::More::is($s[1]{error}{code}, 'conflict', 'item 1 collides: conflict');
Test::More::is($s[2]{id}, substr($id, 0, 33) . '002', 'item 2 derived');
Test::More::is(Sbx::Test::poll("/submissions/$item")->{stdout}, "raw\n",
               'the job that had the id is untouched');
($st, undef, $r) = main::raw('main', 'BATCH', "id=" . uc($base),
    JSON::PP->new->encode({ submissions => [
        { language => 'bash', source => 'echo x' } ] }));
Test::More::is($st, 400, 'a batch with a malformed base id: 400');
# without an id the runner mints one, as before
($st, $a, $r) = main::raw('main', 'SUBMIT', 'wait=0', $sub);
Test::More::is($st, 202, 'no id: 202');
Test::More::like($r->{id}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/,
                 'with an id of its own');
--- request
GET /health
--- error_code: 200
