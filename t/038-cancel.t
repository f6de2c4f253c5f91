# DELETE .../submissions/{id} cancels a job: a queued one leaves the
# queue and ends as cancelled at once, a running one's container is
# killed and removed and its result says cancelled; a finished job is
# 409 with its status, an unknown one 404.  The location's own rules
# (limit_except, auth_basic) guard DELETE as they guard the rest.  With
# sandbox_cancel_on_disconnect on, a waiting client that goes away takes
# its job with it; off (the default), the job runs to its end.  This file
# runs a runner of its own, with one worker, so that jobs wait.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use HTTP::Tiny ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, $long, $queued);

my $htpasswd = "$Sbx::Test::Dir/cancel.htpasswd";

# user "u", password "p"
open my $pw, '>', $htpasswd or die "$htpasswd: $!";
print $pw "u:" . crypt('p', 'ab') . "\n";
close $pw;

Sbx::Test::blocks(
    runner => 'cancel',
    http_config => <<'_EOC_',
    log_format sbxcancel '$status $request_method $uri id=$sandbox_id '
                         'status=$sandbox_status';
_EOC_
    config => <<"_EOC_");
    access_log logs/cancel.log sbxcancel;

    location / {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
    }
    location /ro/ {
        sandbox_pass runner;
        limit_except GET POST {
            deny all;
        }
    }
    location /auth/ {
        sandbox_pass runner;
        auth_basic "sandbox";
        auth_basic_user_file $htpasswd;
    }
    location /cod/ {
        sandbox_pass runner;
        sandbox_read_timeout 120s;
        sandbox_cancel_on_disconnect on;
    }
_EOC_

sub sleeper {
    my ($secs, $text) = @_;
    return { language => 'python',
             source => "import time\ntime.sleep($secs)\nprint('$text')" };
}

sub async {
    my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', @_);
    Test::More::is($st, 202, "queued: $r->{id}");
    return $r->{id};
}

# A wait=true request in a child that gives up after $secs.
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

# The id nginx logged for the last 499 on $uri.
sub gave_up_id {
    my $uri = shift;
    my $log = "$Test::Nginx::Util::ServRoot/logs/cancel.log";
    my $id;

    for (1 .. 30) {
        open my $fh, '<', $log or last;
        ($id) = map { / id=(\S+) / } grep { /^499 POST \Q$uri\E / } <$fh>;
        last if defined $id;
        Time::HiRes::sleep(0.1);
    }

    return $id // '';
}

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: a queued job: out of the queue, cancelled at once
--- init
$main::runner = Sbx::Test::runner_start('cancel', '--workers', 1);
$main::long = main::async(main::sleeper(30, 'long'));
Test::More::ok(Sbx::Test::wait_for(30, sub {
    Sbx::Test::containers('cancel') >= 1 }), 'the long job runs');
$main::queued = main::async(main::sleeper(1, 'never'));
my ($st, $r) = Sbx::Test::api(GET => "/submissions/$main::queued");
Test::More::is($r->{status}, 'queued', 'the second one waits');
($st, $r, my $h) = Sbx::Test::api(DELETE => "/submissions/$main::queued");
Test::More::is($st, 200, 'DELETE: status 200');
Test::More::is($r->{id}, $main::queued, 'the job');
Test::More::is($r->{status}, 'cancelled', 'cancelled');
Test::More::like($r->{message}, qr/DELETE/, "saying why: $r->{message}");
Test::More::is($h->{'x-sandbox-id'}, $main::queued, 'X-Sandbox-Id');
Test::More::is($h->{location}, "/submissions/$main::queued", 'Location');
($st, $r) = Sbx::Test::api(GET => "/submissions/$main::queued");
Test::More::is($r->{status}, 'cancelled', 'GET says so too');
Test::More::ok(!exists $r->{stdout}, 'it never ran');
($st, $r) = Sbx::Test::api(DELETE => "/submissions/$main::queued");
Test::More::is($st, 409, 'again: 409');
Test::More::is($r->{error}{code}, 'conflict', 'conflict');
Test::More::is($r->{error}{status}, 'cancelled', 'with its status');
($st, $r) = Sbx::Test::api(GET => "/submissions/$main::long");
Test::More::is($r->{status}, 'running', 'the running job goes on');
--- request
GET /metrics
--- error_code: 200
--- response_body_like chomp
sandbox_jobs_total\{status="cancelled"\} 1\s



=== TEST 2: the location's rules guard DELETE
--- init
for my $p ('/ro', '/auth') {
    my ($st, $r) = Sbx::Test::api(DELETE => "$p/submissions/$main::long");
    Test::More::is($st, $p eq '/ro' ? 403 : 401, "DELETE $p: refused");
    Test::More::like($r->{error}{code}, qr/^(forbidden|unauthorized)$/,
                     'as JSON');
}
my ($st, $r) = Sbx::Test::api(GET => "/ro/submissions/$main::long");
Test::More::is($st, 200, 'GET under /ro is let through');
Test::More::is($r->{status}, 'running', 'and the job still runs');
# a DELETE that is no cancel: on an endpoint other than an id
($st, $r, my $h) = Sbx::Test::api(DELETE => '/submissions');
Test::More::is($st, 405, 'DELETE /submissions: status 405');
Test::More::is($h->{allow}, 'POST', 'Allow: POST');
($st, $r, $h) = Sbx::Test::api(DELETE => '/languages');
Test::More::is($st, 405, 'DELETE /languages: status 405');
($st, $r, $h) = Sbx::Test::api(PUT => "/submissions/$main::long");
Test::More::is($st, 405, 'PUT on an id: status 405');
Test::More::is($h->{allow}, 'GET, DELETE', 'Allow: GET, DELETE');
($st, $r) = Sbx::Test::api(GET => "/submissions/$main::long");
Test::More::is($r->{status}, 'running', 'the job still runs');
--- request
DELETE /auth/submissions/00000000-0000-4000-8000-000000000000
--- more_headers
Authorization: Basic dTpw
--- error_code: 404
--- response_json
error.code: "not_found"



=== TEST 3: a running job: its container goes, its result says cancelled
--- init
my ($st, $r) = Sbx::Test::api(DELETE => "/submissions/$main::long");
Test::More::is($st, 200, 'DELETE: status 200');
Test::More::is($r->{status}, 'cancelled', 'cancelled at once');
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('cancel') == 0 }), 'the container is gone');
$r = Sbx::Test::poll("/submissions/$main::long", 30);
Test::More::is($r->{status}, 'cancelled', 'the result says cancelled');
Test::More::ok(!defined $r->{stdout} || $r->{stdout} eq '',
               'no output of a run cut short');
Test::More::like($r->{timestamps}{finished_at} // '', qr/Z$/, 'finished');
($st, $r) = Sbx::Test::api(DELETE => "/submissions/$main::long");
Test::More::is($st, 409, 'cancelled already: 409');
Test::More::is($r->{error}{status}, 'cancelled', 'with its status');
--- request
POST /submissions
{"language":"bash","source":"echo after"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "after\n"



=== TEST 4: finished is 409 with its status, unknown 404
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions', {
    language => 'bash', source => 'echo done' });
Test::More::is($r->{status}, 'accepted', 'a job that ends');
my ($dst, $d, $h) = Sbx::Test::api(DELETE => "/submissions/$r->{id}");
Test::More::is($dst, 409, 'DELETE: status 409');
Test::More::is($d->{error}{code}, 'conflict', 'conflict');
Test::More::is($d->{error}{status}, 'accepted', 'with its status');
Test::More::is($h->{'x-sandbox-id'}, $r->{id}, 'naming the job');
($st, $r) = Sbx::Test::api(GET => "/submissions/$r->{id}");
Test::More::is($r->{status}, 'accepted', 'and it stays as it was');
--- request
DELETE /submissions/00000000-0000-4000-8000-000000000000
--- error_code: 404
--- response_json
error.code: "not_found"
error.field: "id"



=== TEST 5: sandbox_cancel_on_disconnect on: the job goes with its client
--- init
main::impatient('/cod/submissions', main::sleeper(30, 'unseen'), 3);
my $id = main::gave_up_id('/cod/submissions');
Test::More::like($id, qr/^[0-9a-f-]{36}$/, "the 499 is logged: $id");
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('cancel') == 0 }), 'the container is gone');
my $r = Sbx::Test::poll("/submissions/$id", 30);
Test::More::is($r->{status}, 'cancelled', 'the result says cancelled');
Test::More::like($r->{message}, qr/client went away/,
                 "saying why: $r->{message}");
--- request
GET /health
--- error_code: 200



=== TEST 6: off (the default): the job runs to its end unseen
--- init
main::impatient('/submissions', main::sleeper(4, 'unseen'), 1);
my $id = main::gave_up_id('/submissions');
Test::More::like($id, qr/^[0-9a-f-]{36}$/, "the 499 is logged: $id");
my $r = Sbx::Test::poll("/submissions/$id", 30);
Test::More::is($r->{status}, 'accepted', 'it ran to its end');
Test::More::is($r->{stdout}, "unseen\n", 'with its output');
--- request
GET /health
--- error_code: 200
--- containers_left: 0
