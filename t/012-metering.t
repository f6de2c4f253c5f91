# Metering is right on calibration programs: CPU time within a few ms of
# what the program measures of itself, peak memory within a few hundred
# KiB of what it allocates, wall time within a few ms of a known sleep;
# per test and overall.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use JSON::PP ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

# Burns CPU until its own CPU clock reads N ms (N on stdin), then prints
# what that clock says at exit, in ms.
our $burn = <<'_C_';
#include <stdio.h>
#include <time.h>

static double
cpu_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(void)
{
    int                n;
    volatile unsigned  x = 0;

    if (scanf("%d", &n) != 1) {
        return 2;
    }

    while (cpu_ms() < n) {
        x++;
    }

    printf("%.0f\n", cpu_ms());
    return 0;
}
_C_

# Allocates and touches N KiB (N on stdin), then exits.
our $alloc = <<'_C_';
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(void)
{
    long   n;
    char  *p;

    if (scanf("%ld", &n) != 1) {
        return 2;
    }

    if (n > 0) {
        p = malloc(n * 1024);
        memset(p, 1, n * 1024);
        printf("%d\n", p[n * 1024 - 1]);
    }

    return 0;
}
_C_

# |a - b| <= tol, or a diagnostic.
sub near {
    my ($what, $a, $b, $tol) = @_;
    return 1 if abs($a - $b) <= $tol;
    Test::More::diag("$what: $a vs $b (tolerance $tol)");
    return 0;
}

run_tests();

__DATA__

=== TEST 1: CPU time: 300 ms and 600 ms of busy loop, to the millisecond
--- request eval
Sbx::Test::submit(language => "c", source => $main::burn,
             tests => [{ stdin => "300" }, { stdin => "600" }],
             limits => { cpu_time_ms => 2000 })
--- error_code: 200
--- response_json
status: "accepted"
--- json_ok eval
sub {
    my $r = shift;
    my ($t0, $t1) = @{ $r->{tests} };
    main::near("test 0", $t0->{time_ms}, $t0->{stdout}, 5)
    && main::near("test 1", $t1->{time_ms}, $t1->{stdout}, 5)
    && main::near("overall is the slowest", $r->{time_ms}, $t1->{time_ms}, 0)
    && $t0->{wall_time_ms} >= $t0->{time_ms}
}



=== TEST 2: peak memory: 64 MiB more than a program that allocates nothing
--- request eval
Sbx::Test::submit(language => "c", source => $main::alloc,
             tests => [{ stdin => "0" }, { stdin => "65536" },
                       { stdin => "16384" }],
             limits => { memory_kb => 131072 })
--- error_code: 200
--- response_json
status: "accepted"
--- json_ok eval
sub {
    my $r = shift;
    my ($base, $big, $small) = map { $_->{memory_kb} } @{ $r->{tests} };
    main::near("64 MiB", $big - $base, 65536, 300)
    && main::near("16 MiB", $small - $base, 16384, 300)
    && main::near("overall is the largest", $r->{memory_kb}, $big, 0)
}



=== TEST 3: wall time: a known sleep, and almost no CPU for it
--- request eval
Sbx::Test::submit(language => "bash", source => "sleep 0.5",
             limits => { wall_time_ms => 3000 })
--- error_code: 200
--- response_json
status: "accepted"
--- json_ok eval
sub {
    my $r = shift;
    $r->{wall_time_ms} >= 500 && main::near("wall", $r->{wall_time_ms}, 500, 40)
    && $r->{time_ms} < 30
}



=== TEST 4: CPU time counts every process of the program, orphans too
Two children burn 300 ms each; the parent waits for neither.
--- request eval
Sbx::Test::submit(language => "python",
             source => "import os, time\nfor i in range(2):\n    if os.fork() == 0:\n        t = time.process_time()\n        while time.process_time() - t < 0.3:\n            pass\n        os._exit(0)\ntime.sleep(1)",
             limits => { cpu_time_ms => 3000, wall_time_ms => 5000 })
--- error_code: 200
--- response_json
status: "accepted"
--- json_ok eval
sub { $_[0]{time_ms} >= 600 && $_[0]{time_ms} < 800 }



=== TEST 5: the compile step is metered on its own
--- request eval
Sbx::Test::submit(language => "c", source => $main::burn,
             stdin => "100", limits => { cpu_time_ms => 1000 })
--- error_code: 200
--- response_json
status: "accepted"
compile.status: "ok"
--- json_ok eval
sub {
    my $r = shift;
    $r->{compile}{time_ms} > 0 && $r->{compile}{memory_kb} > 1000
    && main::near("run", $r->{time_ms}, $r->{stdout}, 5)
}
