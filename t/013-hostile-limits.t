# Hostile programs against the machine's resources: fork and thread
# bombs, memory bombs (also memory that no process's RSS shows), disk
# fills, output floods, busy loops, programs that never end and children
# left running after the main process exits.
#
# The threat is a submission that takes the host or the runner down with
# it, or that outlives its job and keeps burning resources: a service
# that runs untrusted code for everybody is only as available as its
# worst submission allows.  Each block runs the hostile program and then
# an ordinary one of the same language; both must get their true verdict,
# every container must be gone after each run and no process may be left
# on the host under a sandbox uid.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Hostile;
use JSON::PP ();

no_shuffle();
no_root_location();

Sbx::Hostile::blocks();

run_tests();

__DATA__

=== TEST 1: fork bomb (C): every process forks and spins; cut at the CPU limit
--- request eval
main::then_normal(language => "c",
                  limits => { processes => 16, cpu_time_ms => 1000,
                              wall_time_ms => 10000 },
                  source => <<'_C_')
#include <unistd.h>

int
main(void)
{
    for ( ;; ) {
        (void) fork();      /* parent and child alike go on forking */
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "cpu"
exit_code: null
_J_


=== TEST 2: fork bomb (bash): the classic bomb under a spinning shell
The main script keeps running on builtins only, so it is cut at the CPU
limit; the bomb's processes die with it.
--- request eval
main::then_normal(language => "bash",
                  limits => { processes => 64, cpu_time_ms => 1000,
                              wall_time_ms => 10000, output_kb => 1024 },
                  source => <<'_SH_')
bomb() { bomb | bomb & }
bomb
echo "bomb planted"
while :; do :; done
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "cpu"
stdout: "bomb planted\n"
_J_


=== TEST 3: fork bomb (bash): the main script exits while the bomb goes on
The result comes back at once with the script's own verdict, and every
process of the bomb is gone with the container.
--- request eval
main::then_normal(language => "bash",
                  limits => { processes => 64, wall_time_ms => 20000,
                              output_kb => 1024 },
                  source => <<'_SH_')
bomb() { bomb | bomb & }
bomb
echo "bomb planted"
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "bomb planted\n"
exit_code: 0
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{wall_time_ms} < 5000 })
--- timeout: 15


=== TEST 4: thread bomb (C): pthread_create fails at the process limit
--- request eval
main::then_normal(language => "c",
                  limits => { processes => 16 },
                  source => <<'_C_')
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *
idle(void *arg)
{
    for ( ;; ) {
        pause();
    }

    return arg;
}

int
main(void)
{
    int        n, rc;
    pthread_t  t;

    rc = 0;

    for (n = 0; n < 100000; n++) {
        rc = pthread_create(&t, NULL, idle, NULL);

        if (rc != 0) {
            break;
        }
    }

    printf("pthread_create: %s\n", strerror(rc));
    printf("stayed under the limit: %s\n", n > 0 && n < 16 ? "yes" : "no");

    return 0;
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "pthread_create: Resource temporarily unavailable\nstayed under the limit: yes\n"
_J_


=== TEST 5: thread bomb (Java): the JVM cannot start more native threads
--- request eval
main::then_normal(language => "java",
                  limits => { processes => 48 },
                  source => <<'_JAVA_')
import java.util.ArrayList;
import java.util.List;

public class Main {
    public static void main(String[] args) {
        List<Thread> threads = new ArrayList<>();

        try {
            for (int i = 0; i < 100000; i++) {
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        // ends the thread
                    }
                });
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            System.out.println("no limit");

        } catch (OutOfMemoryError e) {
            System.out.println("stopped: "
                + e.getMessage().contains("unable to create native thread"));
            System.out.println("stayed under the limit: "
                + (threads.size() > 0 && threads.size() < 48));
        }
    }
}
_JAVA_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout =~ stopped: true\nstayed under the limit: true\n$
_J_


=== TEST 6: thread bomb (Go): the runtime dies when it cannot get a thread
Every goroutine pins an OS thread and blocks in read(2); the Go runtime
aborts with exit code 2 when the process limit refuses it one more.
--- request eval
main::then_normal(language => "go",
                  limits => { processes => 16 },
                  source => <<'_GO_')
package main

import (
	"runtime"
	"syscall"
)

func main() {
	for i := 0; i < 64; i++ {
		go func() {
			runtime.LockOSThread()
			var fds [2]int
			syscall.Pipe(fds[:])
			buf := make([]byte, 1)
			syscall.Read(fds[0], buf)
		}()
	}
	select {}
}
_GO_
--- response_json eval
main::then_ok(<<'_J_')
status: "runtime_error"
exit_code: 2
stderr =~ ^runtime: failed to create new OS thread
_J_


=== TEST 7: memory bomb (JavaScript): Buffers until the cgroup kills it
--- request eval
main::then_normal(language => "javascript",
                  limits => { memory_kb => 65536 },
                  source => <<'_JS_')
const hoard = [];
for (;;) {
    hoard.push(Buffer.alloc(1 << 20, 1));
}
_JS_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
stdout: ""
_J_


=== TEST 8: memory bomb (C): malloc and touch until killed
--- request eval
main::then_normal(language => "c",
                  limits => { memory_kb => 32768 },
                  source => <<'_C_')
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(void)
{
    char  *p;

    for ( ;; ) {
        p = malloc(1 << 20);

        if (p == NULL) {
            puts("malloc failed");
            return 0;
        }

        memset(p, 1, 1 << 20);
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
stdout: ""
signal: "SIGKILL"
_J_


=== TEST 9: memory bomb (Ruby): ever more strings
--- request eval
main::then_normal(language => "ruby",
                  limits => { memory_kb => 65536 },
                  source => <<'_RB_')
hoard = []
loop { hoard << ("x" * (1 << 20)) }
_RB_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
stdout: ""
_J_


=== TEST 10: memory bomb that no RSS shows: unmapped memfd pages
The memory sits in anonymous files that are never mapped, so the
program's peak RSS stays small; the container's shared memory counts
them, and memory_kb says more than the limit.  When the descriptors run
out a child carries on.
--- request eval
main::then_normal(language => "c",
                  limits => { memory_kb => 32768 },
                  source => <<'_C_')
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char  block[1 << 16];

int
main(void)
{
    int  fd, i;

    memset(block, 1, sizeof(block));

    for ( ;; ) {
        fd = memfd_create("hoard", 0);

        if (fd == -1) {
            if (fork() > 0) {
                for ( ;; ) {
                    pause();
                }
            }

            close_range(3, ~0U, 0);     /* the parent keeps them */
            continue;
        }

        for (i = 0; i < 16; i++) {
            (void) write(fd, block, sizeof(block));
        }
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
stdout: ""
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{memory_kb} > 32768 })


=== TEST 11: memory spread over processes (C): each under the limit, together over
Four children each hold 40 MiB against a 64 MiB limit for the program.
--- request eval
main::then_normal(language => "c",
                  limits => { memory_kb => 65536, wall_time_ms => 10000 },
                  source => <<'_C_')
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int
main(void)
{
    for (int i = 0; i < 4; i++) {
        if (fork() == 0) {
            /* volatile: the compiler may not drop what is never read */
            volatile char *p = malloc(40 << 20);

            for (size_t k = 0; k < (40 << 20); k += 4096) {
                p[k] = 1;
            }

            sleep(5);
            _exit(0);
        }
    }

    while (wait(NULL) > 0) {
        /* void */
    }

    return 0;
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
_J_
--- json_ok eval
sub { $_[0]{wall_time_ms} < 4000 }


=== TEST 12: a program that lowers its OOM score to get init killed instead
It sets its oom_score_adj back to 0, fills init's output buffers, then
fills memory nothing maps (memfd): whoever the OOM killer takes, the
verdict is the program's.
--- request eval
main::then_normal(language => "c",
                  limits => { memory_kb => 32768, output_kb => 1024 },
                  source => <<'_C_')
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int
main(void)
{
    static char  chunk[65536];
    FILE        *f;

    f = fopen("/proc/self/oom_score_adj", "w");
    if (f != NULL) {
        fprintf(f, "0\n");
        printf("lowered: %s\n", fclose(f) == 0 ? "yes" : "no");
        fflush(stdout);
    }

    memset(chunk, 'x', sizeof(chunk));

    for (int i = 0; i < 15; i++) {
        if (write(1, chunk, sizeof(chunk)) < 0
            || write(2, chunk, sizeof(chunk)) < 0)
        {
            return 2;
        }
    }

    for ( ;; ) {
        int fd = memfd_create("fill", 0);
        for (int i = 0; i < 16; i++) {
            if (write(fd, chunk, sizeof(chunk)) < 0) {
                return 3;
            }
        }
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "memory_limit_exceeded"
_J_


=== TEST 13: disk fill (Python): /tmp until ENOSPC; the next run's /tmp is empty
--- request eval
[Sbx::Test::submit(language => "python", source => <<'_PY_'),
import errno

n = 0
try:
    while True:
        with open('/tmp/fill%d' % n, 'wb') as f:
            f.write(b'\0' * (1 << 20))
        n += 1
except OSError as e:
    print(errno.errorcode[e.errno], 'after', n, 'files of 1 MiB')
_PY_
 Sbx::Test::submit(language => "python",
              source => "import os\nprint(os.listdir('/tmp'), os.listdir('/work'))")]
--- response_json eval
[<<'_J1_', <<'_J2_']
status: "accepted"
stdout =~ ^ENOSPC after (4[89]|5\d|6[0-4]) files of 1 MiB\n$
_J1_
status: "accepted"
stdout: "[] ['main.py']\n"
_J2_


=== TEST 14: disk fill (C): the work directory until ENOSPC
--- request eval
main::then_normal(language => "c",
                  source => <<'_C_')
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char  block[1 << 16];

int
main(void)
{
    int      fd, i, j;
    char     name[32];
    long     total;
    ssize_t  n;

    total = 0;

    for (i = 0; ; i++) {
        snprintf(name, sizeof(name), "/work/fill%d", i);

        fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);

        if (fd == -1) {
            printf("open: %s\n", strerror(errno));
            return 0;
        }

        for (j = 0; j < 16; j++) {
            n = write(fd, block, sizeof(block));

            if (n > 0) {
                total += n;
            }

            if (n != sizeof(block)) {
                if (n >= 0) {
                    (void) write(fd, block, sizeof(block));
                }

                printf("%s after %ld MiB\n", strerror(errno), total >> 20);
                return 0;
            }
        }

        close(fd);
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout =~ ^No space left on device after 6[0-3] MiB\n$
_J_


=== TEST 15: disk fill (bash): /dev/shm until ENOSPC
--- request eval
main::then_normal(language => "bash",
                  source => <<'_SH_')
i=0
while head -c 1048576 /dev/zero > /dev/shm/fill$i 2>/dev/null; do
    i=$((i + 1))
done
echo "filled $i MiB"
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout =~ ^filled 1[0-6] MiB\n$
_J_


=== TEST 16: one file beyond file_size_kb (C): SIGXFSZ
--- request eval
main::then_normal(language => "c",
                  limits => { file_size_kb => 256 },
                  source => <<'_C_')
#include <stdio.h>

int
main(void)
{
    static char  block[4096];
    FILE        *f;

    f = fopen("/tmp/big", "w");

    for ( ;; ) {
        fwrite(block, 1, sizeof(block), f);
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "runtime_error"
signal: "SIGXFSZ"
_J_


=== TEST 17: output flood (Python) on stdout: cut at output_kb, truncated
--- request eval
main::then_normal(language => "python",
                  limits => { output_kb => 8 },
                  source => <<'_PY_')
while True:
    print('x' * 999)
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "output_limit_exceeded"
truncated: {"stdout": true, "stderr": false}
stdout =~ ^[x\n]{8192}$
stderr: ""
_J_


=== TEST 18: output flood (JavaScript) on stderr: cut at output_kb, truncated
--- request eval
main::then_normal(language => "javascript",
                  limits => { output_kb => 8 },
                  source => <<'_JS_')
const line = 'e'.repeat(999) + '\n';
console.log('before the flood');
for (;;) {
    process.stderr.write(line);
}
_JS_
--- response_json eval
main::then_ok(<<'_J_')
status: "output_limit_exceeded"
truncated: {"stdout": false, "stderr": true}
stdout: "before the flood\n"
stderr =~ ^[e\n]{8192}$
_J_


=== TEST 19: output flood (bash): yes(1) on stdout
--- request eval
main::then_normal(language => "bash",
                  limits => { output_kb => 4 },
                  source => "yes hello")
--- response_json eval
main::then_ok(<<'_J_')
status: "output_limit_exceeded"
truncated: {"stdout": true, "stderr": false}
stdout =~ ^(hello\n){682}hell$
_J_


=== TEST 20: busy loop without output (Java): cut at the CPU limit
--- request eval
main::then_normal(language => "java",
                  limits => { cpu_time_ms => 1000 },
                  source => <<'_JAVA_')
public class Main {
    public static void main(String[] args) {
        long n = 0;
        while (true) {
            n++;
        }
    }
}
_JAVA_
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "cpu"
stdout: ""
_J_


=== TEST 21: busy loop without output (Ruby): cut at the CPU limit
--- request eval
main::then_normal(language => "ruby",
                  limits => { cpu_time_ms => 1000 },
                  source => "x = 0\nloop { x += 1 }\n")
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "cpu"
stdout: ""
_J_


=== TEST 22: sleep forever (bash): cut at the wall-time limit
--- request eval
main::then_normal(language => "bash",
                  limits => { wall_time_ms => 1500 },
                  source => "echo going to sleep\nsleep infinity\n")
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "wall"
stdout: "going to sleep\n"
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{wall_time_ms} >= 1500 && $_[0]{time_ms} < 500 })


=== TEST 23: stopped for ever (Python): SIGSTOP to itself, cut at the wall limit
--- request eval
main::then_normal(language => "python",
                  limits => { wall_time_ms => 1500 },
                  source => <<'_PY_')
import os, signal

print('stopping', flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
print('resumed')
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "wall"
stdout: "stopping\n"
_J_


=== TEST 24: deaf for ever (C): every signal blocked, its own session, pause()
--- request eval
main::then_normal(language => "c",
                  limits => { wall_time_ms => 1500 },
                  source => <<'_C_')
#include <signal.h>
#include <unistd.h>

int
main(void)
{
    sigset_t  all;

    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    setsid();

    for ( ;; ) {
        pause();
    }
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "time_limit_exceeded"
limit: "wall"
_J_


=== TEST 25: background children (bash) outlive the script: the result is prompt
nohup, setsid, ignored SIGHUP and SIGTERM, disown: all die when the script
exits, and the answer does not wait for the 20 s wall limit.
--- request eval
main::then_normal(language => "bash",
                  limits => { wall_time_ms => 20000 },
                  source => <<'_SH_')
( trap '' HUP TERM; exec sleep 1000 ) &
nohup sleep 1000 > /dev/null 2>&1 &
setsid sleep 1000 &
disown -a
echo "main done"
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "main done\n"
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{wall_time_ms} < 2000 })
--- timeout: 10


=== TEST 26: a daemon (Python) that holds the output pipe: the result is prompt
A double-forked, setsid()ed grandchild keeps stdout open and would write
for ever; the main process's exit ends the run all the same.
--- request eval
main::then_normal(language => "python",
                  limits => { wall_time_ms => 20000 },
                  source => <<'_PY_')
import os, time

r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print('daemon started', flush=True)
        os.write(w, b'x')
        while True:
            time.sleep(0.5)
            print('daemon still here', flush=True)
    os._exit(0)
os.read(r, 1)
print('main done')
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "daemon started\nmain done\n"
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{wall_time_ms} < 2000 })
--- timeout: 10


=== TEST 27: a detached child (JavaScript), unref()ed: the result is prompt
--- request eval
main::then_normal(language => "javascript",
                  limits => { wall_time_ms => 20000 },
                  source => <<'_JS_')
const { spawn } = require('child_process');
const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
child.unref();
console.log('spawned', typeof child.pid);
_JS_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "spawned number\n"
_J_
--- json_ok eval
main::hostile_ok(sub { $_[0]{wall_time_ms} < 2000 })
--- timeout: 10


=== TEST 28: nothing a test leaves running reaches the next test
The first test plants a daemon; the second, in the same container, finds
no process but itself and init.
--- request eval
main::then_normal(language => "python",
                  tests => [{ stdin => "plant" }, { stdin => "look" }],
                  limits => { wall_time_ms => 20000 },
                  source => <<'_PY_')
import os, sys, time

if sys.stdin.read() == 'plant':
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(w, b'x')
            while True:
                time.sleep(1)
        os._exit(0)
    os.read(r, 1)
    print('planted')
else:
    me = os.getpid()
    print('others:', sorted(int(p) for p in os.listdir('/proc')
                            if p.isdigit() and int(p) not in (1, me)))
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
tests.0.stdout: "planted\n"
tests.1.stdout: "others: []\n"
_J_
--- timeout: 10
