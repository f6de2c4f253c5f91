# Configuration checks.  nginx -t refuses numbers out of range and names
# the directive at fault (run directly: a configuration that fails never
# gets to a block's requests).  What nginx -t cannot know, the runner's
# language table and --max-batch, the module learns at first contact and
# warns about in the error log.  A runner message that points at an
# endpoint names it under the location's own prefix.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use POSIX ();

no_shuffle();
no_root_location();

our $Dir = "$Sbx::Test::Dir/ops-config";

Sbx::Test::blocks(config => <<'_EOC_');
    location /judge/ {
        sandbox_pass runner;
        sandbox_languages python pyhton bash;
        sandbox_max_batch 100;
    }

    location /api/ {
        sandbox_pass runner;
        sandbox_max_batch 20;
    }

    location ~ ^/(free|paid)/ {
        sandbox_pass runner;
    }
_EOC_

# nginx -t on a server with these lines in a sandbox location: its exit
# status and what it said.
sub nginx_t {
    my ($lines) = @_;
    my $module = $ENV{TEST_NGINX_LOAD_MODULES}
                 || "$Sbx::Test::Top/build/ngx_http_sandbox_module.so";
    my $bin = $ENV{TEST_NGINX_BINARY} || 'nginx';

    mkdir $main::Dir;
    mkdir "$main::Dir/logs";

    open my $fh, '>', "$main::Dir/nginx.conf" or die "nginx.conf: $!";
    print $fh <<"_EOC_";
load_module $module;
error_log logs/error.log;
pid logs/nginx.pid;
events {}
http {
    server {
        listen 127.0.0.1:1;
        location /api/ {
            sandbox_pass unix:/nonexistent.sock;
            $lines
        }
    }
}
_EOC_
    close $fh;

    my $out = "$main::Dir/out";
    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>', $out or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
        no warnings 'exec';
        exec $bin, '-t', '-p', "$main::Dir/", '-c', "$main::Dir/nginx.conf";
        POSIX::_exit(127);
    }

    waitpid $pid, 0;
    my $rc = $? >> 8;

    open $fh, '<', $out or die "$out: $!";
    local $/;
    return ($rc, scalar <$fh>);
}

run_tests();

__DATA__

=== TEST 1: nginx -t refuses numbers out of range, naming the directive
--- init
my ($rc, $out) = main::nginx_t('sandbox_limits memory_kb=65536 processes=64;'
                               . ' sandbox_max_batch 20; sandbox_wait refuse;');
Test::More::is($rc, 0, 'a sane configuration passes') or Test::More::diag($out);
my @cases = (
    ['sandbox_limits memory_kb=9999999999;',
     qr/"memory_kb=9999999999" in "sandbox_limits" directive is too large/],
    ['sandbox_limits memory_kb=0;',
     qr/invalid limit "memory_kb=0" in "sandbox_limits" directive/],
    ['sandbox_limits cpu_time_ms=99999999999999999999;',
     qr/invalid limit .* in "sandbox_limits" directive/],
    ['sandbox_limits processes=5000;',
     qr/"processes=5000" in "sandbox_limits" directive is too large/],
    ['sandbox_limits memroy_kb=1024;',
     qr/unknown limit "memroy_kb" in "sandbox_limits" directive/],
    ['sandbox_max_batch 0;',
     qr/invalid value "0" in "sandbox_max_batch" directive/],
    ['sandbox_max_batch 100000;',
     qr/invalid value "100000" in "sandbox_max_batch" directive/],
    ['sandbox_max_batch -1;', qr/"sandbox_max_batch" directive invalid/],
    ['sandbox_max_tests 5000;',
     qr/invalid value "5000" in "sandbox_max_tests" directive/],
    ['sandbox_job_budget wall_ms=999999999;',
     qr/invalid budget "wall_ms=999999999" in "sandbox_job_budget"/],
    ['sandbox_wait maybe;', qr/invalid value "maybe" in "sandbox_wait"/],
    ['sandbox_next_upstream bogus;',
     qr/invalid value in "sandbox_next_upstream" directive/],
    ['sandbox_languages python all;',
     qr/"all" must be the only value of the "sandbox_languages" directive/],
    ['sandbox_languages py,thon;',
     qr/invalid language "py,thon" in "sandbox_languages" directive/],
);
for my $c (@cases) {
    ($rc, $out) = main::nginx_t($c->[0]);
    Test::More::isnt($rc, 0, "nginx -t fails: $c->[0]");
    Test::More::like($out, $c->[1], "naming the directive: $c->[0]");
    Test::More::like($out, qr/nginx\.conf:\d+/, "and the line: $c->[0]");
}
--- request
GET /api/health
--- error_code: 200



=== TEST 2: first contact: languages the runner does not know, a batch above its own
--- request
GET /judge/health
--- error_code: 200
--- error_log
sandbox_languages of location "/judge/" lists "pyhton", which the runner at
does not know (see GET /judge/languages)
sandbox_max_batch 100 of location "/judge/" is above the --max-batch 20 of the runner
--- no_error_log
lists "python"
lists "bash"



=== TEST 3: a location within the runner's table and batch: no warning
--- request
GET /api/health
--- error_code: 200
--- no_error_log
sandbox_languages of location
sandbox_max_batch



=== TEST 4: a runner message names the endpoint under the location's prefix
--- request eval
["POST /judge/submissions\n{\"language\":\"pyhton\",\"source\":\"print(1)\"}",
 "POST /api/submissions\n{\"language\":\"intercal\",\"source\":\"x\"}",
 "POST /paid/submissions\n{\"language\":\"intercal\",\"source\":\"x\"}",
 "POST /api/submissions/batch\n{\"submissions\":[{\"language\":\"intercal\",\"source\":\"x\"}]}"]
--- error_code eval
[422, 422, 422, 202]
--- response_json eval
["error.code: \"unknown_language\"\nerror.field: \"language\"\nerror.message =~ GET /judge/languages lists them",
 "error.code: \"unknown_language\"\nerror.message =~ GET /api/languages lists them",
 "error.message =~ GET /paid/languages lists them",
 "submissions.0.error.code: \"unknown_language\"\nsubmissions.0.error.message =~ GET /api/languages lists them"]



=== TEST 5: a policy message names the endpoint under the prefix too
--- request
POST /free/submissions/batch?wait=true
{"submissions":[{"language":"bash","source":"echo"}]}
--- error_code: 400
--- response_json
error.message =~ GET /free/submissions/\{id\}
