# limits.memory_kb bounds all the memory a program holds, in every form
# and across all its processes: anonymous memory, shared memory (shared
# anonymous mappings, memfds mapped or not, System V and POSIX shm) and
# the files it writes to tmpfs (/dev/shm, /tmp, the work directory).
# Each hostile program keeps most of its memory where no process's RSS
# shows it and the rest as ordinary anonymous memory; together they are
# over the 64 MiB limit, and the answer must say so with a memory_kb
# over the limit, never "accepted" with a small figure.
#
# The backstops are tested on their own: a program reads the limits of
# its own container's cgroups at run time and they must be the request's
# limits plus init's documented allowance (README, "Security"), with the
# compiler's allowance already taken back.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use JSON::PP ();

no_shuffle();
no_root_location();

# every block: 200, and no container or process of the run left after it
Sbx::Test::blocks(timeout => 90, sections => {
    error_code      => 200,
    containers_left => 0,
    host_clean      => 1,
});

# over the limit, and memory_kb says it
sub over {
    my $r = shift;
    return 1 if $r->{memory_kb} > 65536;
    Test::More::diag("memory_kb $r->{memory_kb} is not over the limit");
    return 0;
}

# the cgroup limits a program printed ("memory N\npids N\ntasks N\n")
sub walls {
    my %w = ($_[0]{stdout} // '') =~ /^(\w+) (-?\d+)$/mg;
    Test::More::diag("read from the cgroups: "
                     . join(', ', map { "$_ $w{$_}" } sort keys %w));
    return \%w;
}

run_tests();

__DATA__

=== TEST 1: shared anonymous mappings (C): four children touch 40 MiB each
Each child's RSS is 40 MiB, under the limit; together they hold 160 MiB.
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { memory_kb => 65536, wall_time_ms => 10000 },
                  source => <<'_C_')
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

int
main(void)
{
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            size_t  n = 40 << 20;
            char   *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);

            if (p == MAP_FAILED) {
                _exit(3);
            }

            for (size_t k = 0; k < n; k += 4096) {
                p[k] = 1;
            }

            sleep(5);
            _exit(0);
        }
    }

    while (wait(NULL) > 0) {
        /* void */
    }

    puts("held");
    return 0;
}
_C_
--- response_json
status: "memory_limit_exceeded"
stdout: ""
--- json_ok eval
sub { main::over($_[0]) && $_[0]{wall_time_ms} < 4000 }


=== TEST 2: memfds (C): 200 of 1000 KB written, never mapped
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { memory_kb => 65536 },
                  source => <<'_C_')
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char  block[1000 * 1024];

int
main(void)
{
    memset(block, 1, sizeof(block));

    for (int i = 0; i < 200; i++) {
        int  fd = memfd_create("hold", 0);

        if (fd == -1 || write(fd, block, sizeof(block)) != sizeof(block)) {
            printf("failed at %d\n", i);
            return 3;
        }
    }

    puts("held");
    fflush(stdout);
    sleep(3);
    return 0;
}
_C_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 3: System V shm (C++): twelve 8 MiB segments, each detached once touched
--- request eval
Sbx::Test::submit(language => "cpp",
                  limits => { memory_kb => 65536 },
                  source => <<'_CPP_')
#include <cstdio>
#include <cstring>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int
main()
{
    for (int i = 0; i < 12; i++) {
        int id = shmget(IPC_PRIVATE, 8 << 20, IPC_CREAT | 0600);

        if (id == -1) {
            std::perror("shmget");
            return 3;
        }

        void *p = shmat(id, nullptr, 0);

        if (p == reinterpret_cast<void *>(-1)) {
            std::perror("shmat");
            return 3;
        }

        std::memset(p, 1, 8 << 20);
        shmdt(p);
    }

    std::puts("held");
    std::fflush(stdout);
    sleep(3);
    return 0;
}
_CPP_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 4: POSIX shm (Python): 15 MiB written through the descriptor, and 48 MiB of bytes
--- request eval
Sbx::Test::submit(language => "python",
                  limits => { memory_kb => 65536, file_size_kb => 16384 },
                  source => <<'_PY_')
import os, time, _posixshmem

fd = _posixshmem.shm_open('/hold', os.O_CREAT | os.O_RDWR, 0o600)
block = b'\1' * (1 << 20)
for i in range(15):
    os.write(fd, block)
os.close(fd)

hoard = b'\1' * (48 << 20)
print('held', len(hoard), flush=True)
time.sleep(3)
_PY_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 5: files in /tmp (Python): 4 of 10 MiB, and 30 MiB of bytes
--- request eval
Sbx::Test::submit(language => "python",
                  limits => { memory_kb => 65536, file_size_kb => 16384 },
                  source => <<'_PY_')
import time

block = b'\1' * (1 << 20)
for i in range(4):
    with open('/tmp/hold%d' % i, 'wb') as f:
        for k in range(10):
            f.write(block)

hoard = b'\1' * (30 << 20)
print('held', len(hoard), flush=True)
time.sleep(3)
_PY_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 6: files in the work directory (Go): 4 of 10 MiB, and 30 MiB of heap
--- request eval
Sbx::Test::submit(language => "go",
                  limits => { memory_kb => 65536, file_size_kb => 16384 },
                  source => <<'_GO_')
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = 1
	}

	for n := 0; n < 4; n++ {
		f, err := os.Create(fmt.Sprintf("/work/hold%d", n))
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		for i := 0; i < 10; i++ {
			if _, err := f.Write(block); err != nil {
				fmt.Println(err)
				os.Exit(3)
			}
		}
		f.Close()
	}

	hoard := make([]byte, 30<<20)
	for i := 0; i < len(hoard); i += 4096 {
		hoard[i] = 1
	}
	fmt.Println("held", len(hoard))
	time.Sleep(3 * time.Second)
}
_GO_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 7: files in /dev/shm (Go): 15 MiB, and 55 MiB of heap
--- request eval
Sbx::Test::submit(language => "go",
                  limits => { memory_kb => 65536, file_size_kb => 16384 },
                  source => <<'_GO_')
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = 1
	}

	f, err := os.Create("/dev/shm/hold")
	if err != nil {
		fmt.Println(err)
		os.Exit(3)
	}
	for i := 0; i < 15; i++ {
		if _, err := f.Write(block); err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
	}
	f.Close()

	hoard := make([]byte, 55<<20)
	for i := 0; i < len(hoard); i += 4096 {
		hoard[i] = 1
	}
	fmt.Println("held", len(hoard))
	time.Sleep(3 * time.Second)
}
_GO_
--- response_json
status: "memory_limit_exceeded"
--- json_ok eval
sub { main::over($_[0]) }


=== TEST 8: 40 MiB of heap and a 10 MiB file in /tmp (C): accepted, about 50 MiB
Both are held for a moment before the exit, so that the samples see them
together.
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { memory_kb => 65536, file_size_kb => 16384 },
                  source => <<'_C_')
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
    static char   block[65536];
    char         *p;
    FILE         *f;

    memset(block, 1, sizeof(block));

    f = fopen("/tmp/ten", "w");

    for (int i = 0; i < 160; i++) {
        fwrite(block, 1, sizeof(block), f);
    }

    fclose(f);

    p = malloc(40 << 20);
    memset(p, 1, 40 << 20);
    usleep(200000);

    printf("%d\n", p[(40 << 20) - 1]);
    return 0;
}
_C_
--- response_json
status: "accepted"
stdout: "1\n"
--- json_ok eval
sub {
    my $kb = $_[0]{memory_kb};
    return 1 if $kb >= 51200 && $kb <= 51200 + 1024;
    Test::More::diag("memory_kb $kb, not 50 MiB and a little");
    return 0;
}


=== TEST 9: the container's own limits, read at run time after compiling (C)
memory.limit_in_bytes is memory_kb plus init's allowance (16 MiB, the
tests' data and a result of this size: well under 1 MiB here), not the
compiler's 512 MiB; pids.max is processes + 8; pids.current counts the
program's threads (and init), as RLIMIT_NPROC does.
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { memory_kb => 65536, processes => 16 },
                  source => <<'_C_')
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *
idle(void *arg)
{
    for ( ;; ) {
        pause();
    }

    return arg;
}

static long long
num(const char *path)
{
    long long   v;
    FILE       *f;

    f = fopen(path, "r");

    if (f == NULL) {
        return -1;
    }

    if (fscanf(f, "%lld", &v) != 1) {
        v = -2;                             /* "max": no limit */
    }

    fclose(f);

    return v;
}

int
main(void)
{
    pthread_t  t;

    for (int i = 0; i < 10; i++) {
        if (pthread_create(&t, NULL, idle, NULL) != 0) {
            return 3;
        }
    }

    printf("memory %lld\n",
           num("/sys/fs/cgroup/memory/memory.limit_in_bytes") / 1024);
    printf("pids %lld\n", num("/sys/fs/cgroup/pids/pids.max"));
    printf("tasks %lld\n", num("/sys/fs/cgroup/pids/pids.current"));

    return 0;
}
_C_
--- response_json
status: "accepted"
--- json_ok eval
sub {
    my $w = main::walls($_[0]);
    $w->{memory} >= 65536 + 16384 && $w->{memory} < 65536 + 16384 + 1024
    && $w->{pids} == 16 + 8 && $w->{tasks} == 1 + 11
}


=== TEST 10: the container's own limits, read at run time (Python, no compile)
--- request eval
Sbx::Test::submit(language => "python",
                  limits => { memory_kb => 98304, processes => 20 },
                  source => <<'_PY_')
def num(path):
    with open(path) as f:
        v = f.read().strip()
    return int(v) if v.isdigit() else -2

print('memory', num('/sys/fs/cgroup/memory/memory.limit_in_bytes') // 1024)
print('pids', num('/sys/fs/cgroup/pids/pids.max'))
_PY_
--- response_json
status: "accepted"
--- json_ok eval
sub {
    my $w = main::walls($_[0]);
    $w->{memory} >= 98304 + 16384 && $w->{memory} < 98304 + 16384 + 1024
    && $w->{pids} == 20 + 8
}
