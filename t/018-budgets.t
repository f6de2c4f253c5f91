# A job's budgets, held by the runner whatever nginx let through: tests x
# wall time over the job's wall budget is refused, output is bounded by
# the job's output budget (the test that crosses it ends
# output_limit_exceeded, the rest are skipped, the answer stays small),
# other submissions are served while a big job runs, the runner's memory
# comes back after large results, and a verdict never comes from a
# signal the program sent itself.  This file runs a runner of its own,
# with the runner's default budgets (300 s, 4 MiB).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use JSON::PP ();
use MIME::Base64 ();
use Time::HiRes ();

no_shuffle();
no_root_location();


our ($runner, $baseline);

# 1 MiB of 0xFF on stdout, then on stderr: the result's worst case (each
# byte is U+FFFD in the text and again in base64)
our $ff = join "\n",
    'import sys',
    "sys.stdout.buffer.write(b'\\xff' * 1048576)",
    'sys.stdout.flush()',
    "sys.stderr.buffer.write(b'\\xff' * 1048576)",
    '';

# the edge's budget is off here: what is tested is the runner's
Sbx::Test::blocks(runner => 'budget', timeout => 300, config => <<'_EOC_');
    location / {
        sandbox_pass runner;
        sandbox_read_timeout 300s;
        sandbox_job_budget off;
    }

    location /loc/ {
        sandbox_pass runner;
        sandbox_read_timeout 300s;
        sandbox_job_budget wall_ms=300000 output_kb=256;
    }
_EOC_

# The runner's resident memory, in KiB.
sub rss {
    open my $fh, '<', "/proc/$main::runner->{pid}/status" or return -1;
    while (<$fh>) {
        return $1 if /^VmRSS:\s+(\d+)\s+kB/;
    }
    return -1;
}

# Checks a bounded answer: the first test that is not accepted crossed
# the job's output budget, every test after it was skipped, and what was
# kept of all outputs is within the budget.
sub bounded {
    my ($r, $kib) = @_;

    return 0 unless ref $r eq 'HASH' && ref $r->{tests} eq 'ARRAY';

    my @t = @{ $r->{tests} };
    my ($cross) = grep { $t[$_]{status} ne 'accepted' } 0 .. $#t;
    my $kept = 0;

    return 0 unless defined $cross && $cross < $#t;

    for my $t (@t) {
        for my $s (qw(stdout stderr)) {
            $kept += defined $t->{"${s}_base64"}
                ? length(MIME::Base64::decode_base64($t->{"${s}_base64"}))
                : length($t->{$s});
        }
    }

    return $r->{status} eq 'output_limit_exceeded'
        && $t[$cross]{status} eq 'output_limit_exceeded'
        && $t[$cross]{limit} eq 'job_output'
        && (grep { $_->{status} eq 'skipped' } @t[$cross + 1 .. $#t])
           == $#t - $cross
        && $t[-1]{message} =~ /output budget of $kib KiB is spent/
        && $kept <= $kib * 1024
        && $kept >= ($kib - 1) * 1024;
}

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: tests x wall time over the runner's budget: 422 naming it
16 tests x 20 s is 320 s, over the runner's 300 s; nginx's check is off.
--- init
$main::runner = Sbx::Test::runner_start('budget', '--workers', 2);
Sbx::Test::api(POST => '/submissions', { language => 'python',
                                         source => 'print(1)' });
$main::baseline = main::rss();
--- request eval
Sbx::Test::submit(language => "python", source => "pass",
                  limits => { wall_time_ms => 20000 },
                  tests => [ map { {} } 1 .. 16 ])
--- error_code: 422
--- response_json
error.code: "budget_exceeded"
error.field: "limits.wall_time_ms"
error.message =~ runner's job wall time budget is 300000 ms: 16 tests x 20000 ms



=== TEST 2: the language's default wall time counts too: 61 x 5 s
--- request eval
Sbx::Test::submit(language => "python", source => "pass",
                  tests => [ map { {} } 1 .. 61 ])
--- error_code: 422
--- response_json
error.code: "budget_exceeded"
error.message =~ 61 tests x 5000 ms



=== TEST 3: in a batch, the item over the budget is refused, the other queued
--- request eval
"POST /submissions/batch\n" . JSON::PP->new->encode({ submissions => [
    { language => "python", source => "pass",
      limits => { wall_time_ms => 20000 }, tests => [ map { {} } 1 .. 16 ] },
    { language => "python", source => "pass" } ] })
--- error_code: 202
--- response_json
submissions.0.error.code: "budget_exceeded"
submissions.1.id =~ ^[0-9a-f-]{36}$



=== TEST 4: 60 tests x 1 MiB of 0xFF per stream: bounded by the output budget
The answer keeps at most 4 MiB of output, not 120 MiB, and is small.
--- request eval
Sbx::Test::submit(language => "python", source => $main::ff,
                  limits => { output_kb => 1024 },
                  tests => [ map { {} } 1 .. 60 ])
--- error_code: 200
--- json_ok eval
sub { main::bounded($_[0], 4096)
      && length(JSON::PP->new->utf8->encode($_[0])) < 22_000_000 }



=== TEST 5: a location's smaller output budget travels to the runner
64 KiB on each stream of ten tests, under nginx's output_kb=256 budget
that does not know the default output limit: the runner bounds it.
--- request eval
"POST /loc/submissions\n" . JSON::PP->new->encode({
    language => "python",
    source => "import sys\nsys.stdout.write('a' * 65536)\n"
              . "sys.stdout.flush()\nsys.stderr.write('b' * 65536)\n",
    tests => [ map { {} } 1 .. 10 ] })
--- error_code: 200
--- json_ok eval
sub { main::bounded($_[0], 256) }



=== TEST 6: a big job does not hold up a small one; memory comes back
A big job runs (20 tests, 0xFF output, a pause in each) while a small
one is answered at once.  Then large results one after the other (25,
40 and 60 tests of 1 MiB 0xFF per stream, each read again by GET): every
one is bounded, and the runner's resident memory returns near where it
was after its first small job (TEST 1), before any large result.
--- init
my ($st, $big) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'python', limits => { output_kb => 1024 },
    source => "import time\ntime.sleep(0.4)\n" . $main::ff,
    tests => [ map { {} } 1 .. 20 ] });
Test::More::is($st, 202, 'the big job is queued');
Time::HiRes::sleep(1);

my $t0 = Time::HiRes::time();
my ($st2, $small) = Sbx::Test::api(POST => '/submissions', {
    language => 'python', source => 'print(2)' });
my $took = Time::HiRes::time() - $t0;
my (undef, $now) = Sbx::Test::api(GET => "/submissions/$big->{id}");

Test::More::is($small->{status}, 'accepted', 'the small job is served');
Test::More::cmp_ok($took, '<', 15, 'promptly') or Test::More::diag($took);
Test::More::is($now->{status}, 'running', 'while the big one runs');
Test::More::ok(main::bounded(Sbx::Test::poll("/submissions/$big->{id}", 240),
                             4096), 'the big one ends bounded');

for my $n (25, 40, 60) {
    my ($s, $r, undef, $body) = Sbx::Test::api(POST => '/submissions', {
        language => 'python', source => $main::ff,
        limits => { output_kb => 1024 }, tests => [ map { {} } 1 .. $n ] });
    Test::More::ok(main::bounded($r, 4096), "$n tests: bounded");
    Test::More::cmp_ok(length($body), '<', 22_000_000, "$n tests: small");
    ($s, $r) = Sbx::Test::api(GET => "/submissions/$r->{id}");
    Test::More::is($s, 200, "$n tests: read again");
}

sleep 1;
my $after = main::rss();
Test::More::cmp_ok($after, '<', $main::baseline + 16 * 1024,
                   'resident memory back near its baseline')
    or Test::More::diag("baseline $main::baseline KiB, after $after KiB");
--- request
GET /health
--- error_code: 200



=== TEST 7: C raising SIGXCPU after 20 ms of CPU: a runtime error
--- request eval
Sbx::Test::submit(language => "c", limits => { cpu_time_ms => 1000 },
    source => "#include <signal.h>\n#include <time.h>\n"
              . "int main(void) {\n"
              . "    while (clock() < CLOCKS_PER_SEC / 50) { }\n"
              . "    raise(SIGXCPU);\n    return 0;\n}\n")
--- error_code: 200
--- response_json
status: "runtime_error"
signal: "SIGXCPU"
limit !
message: "the program was killed by SIGXCPU"



=== TEST 8: Python sending itself SIGXCPU: a runtime error
--- request eval
Sbx::Test::submit(language => "python", limits => { cpu_time_ms => 1000 },
    source => "import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)\n")
--- error_code: 200
--- response_json
status: "runtime_error"
signal: "SIGXCPU"



=== TEST 9: SIGKILL sent to itself (C, Python): runtime errors
--- request eval
[Sbx::Test::submit(language => "c",
    source => "#include <signal.h>\nint main(void) { raise(SIGKILL); }\n"),
 Sbx::Test::submit(language => "python",
    source => "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")]
--- error_code eval
[200, 200]
--- response_json eval
["status: \"runtime_error\"\nsignal: \"SIGKILL\"\n",
 "status: \"runtime_error\"\nsignal: \"SIGKILL\"\n"]



=== TEST 10: SIGSEGV sent to itself: a runtime error, whatever the limits
--- request eval
Sbx::Test::submit(language => "c", limits => { memory_kb => 16384 },
    source => "#include <signal.h>\nint main(void) { raise(SIGSEGV); }\n")
--- error_code: 200
--- response_json
status: "runtime_error"
signal: "SIGSEGV"



=== TEST 11: the limits still hold: a real CPU hog is time_limit_exceeded
--- request eval
Sbx::Test::submit(language => "c", limits => { cpu_time_ms => 500 },
    source => "int main(void) { for (volatile unsigned long i = 0;; i++); }")
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "cpu"
