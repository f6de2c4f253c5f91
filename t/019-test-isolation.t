# Every test of a job starts from the compiled state: the work directory,
# /tmp and /dev/shm as they were after the compile (after the files, for
# an interpreted language), no POSIX queue or System V object, and no
# process left.  Each block is one job whose first test attacks that
# state and whose next test looks at it: it must find exactly what the
# first test found when it started.
#
# - leaks: a test writes its stdin to /tmp/x, /dev/shm/y and ./z (and
#   leaves FIFOs, symlinks, directories it locked, a System V segment, a
#   message queue, a tree deeper than PATH_MAX); the next prints the
#   three directories and those files;
# - breakage: a test deletes or overwrites its program or compiled
#   output, plants a symlink in its place, takes the work directory's
#   permissions; the next runs normally;
# - leftovers: a test leaves a process that left its session through a
#   double fork and keeps writing files; the next sees neither;
# - space: a test fills /tmp, /dev/shm and the work directory; the next
#   can still write in each.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

# n tests, each with this stdin and this expected output
sub tests {
    my ($expected, @stdin) = @_;
    return [ map { { stdin => $_, expected_output => $expected } } @stdin ];
}

# What each language's program finds in a job's compiled state.
our %Clean;

for my $l (['python', 'main.py'], ['c', 'main main.c'],
           ['java', 'Main.class Main.java'], ['javascript', 'main.js'])
{
    $Clean{ $l->[0] } = "work: [$l->[1]]\ntmp: []\nshm: []\nmqueue: []\n"
                        . "/tmp/x: -\n/dev/shm/y: -\nz: -\n";
}

$Clean{c} .= "shm segment: -\n";

Sbx::Test::main_runner_blocks();

run_tests();

__DATA__

=== TEST 1: Python: what a test writes or leaves in /tmp, /dev/shm and . is gone for the next
--- request eval
Sbx::Test::submit(language => 'python',
                  tests => main::tests($main::Clean{python},
                                       "secret-1\n", "secret-2\n", ""),
                  source => <<'PY')
import os, sys

def ls(d):
    return '[' + ' '.join(sorted(n for n in os.listdir(d)
                                 if not n.startswith('.'))) + ']'

def cat(p):
    try:
        with open(p) as f:
            return f.read().strip()
    except OSError:
        return '-'

print('work:', ls('.'))
print('tmp:', ls('/tmp'))
print('shm:', ls('/dev/shm'))
print('mqueue:', ls('/dev/mqueue'))
for p in ('/tmp/x', '/dev/shm/y', 'z'):
    print(p + ':', cat(p))
sys.stdout.flush()

data = sys.stdin.read()
for p in ('/tmp/x', '/dev/shm/y', 'z'):
    with open(p, 'w') as f:
        f.write(data)
os.mkfifo('/tmp/fifo')
os.mkfifo('fifo')
os.symlink('/etc/hostname', 'link')
os.symlink('main.py', '/tmp/main.py')
os.makedirs('locked/in/side')
with open('locked/in/side/f', 'w') as f:
    f.write(data)
os.chmod('locked/in', 0)
os.chmod('locked', 0o500)
os.mkdir('/dev/shm/d')
os.chmod('/dev/shm/d', 0)
PY
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.2.status: "accepted"
tests.2.stdout: "work: [main.py]\ntmp: []\nshm: []\nmqueue: []\n/tmp/x: -\n/dev/shm/y: -\nz: -\n"



=== TEST 2: C: files, a System V segment, a message queue and a tree deeper than PATH_MAX do not reach the next test
--- request eval
Sbx::Test::submit(language => 'c',
                  tests => main::tests($main::Clean{c}, "secret-1\n", ""),
                  source => <<'C')
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

static int visible(const struct dirent *d) { return d->d_name[0] != '.'; }

static void ls(const char *label, const char *dir)
{
    struct dirent **v;
    int n = scandir(dir, &v, visible, alphasort);

    printf("%s: [", label);
    for (int i = 0; i < n; i++) printf(i ? " %s" : "%s", v[i]->d_name);
    printf("]\n");
}

static void cat(const char *p)
{
    char buf[64] = "-";
    FILE *f = fopen(p, "r");

    if (f) { buf[fread(buf, 1, 63, f)] = '\0'; fclose(f); }
    printf("%s: %s", p, buf);
    if (!f) printf("\n");
}

int main(void)
{
    char in[64] = "";
    const char *paths[] = { "/tmp/x", "/dev/shm/y", "z" };
    int i, id, top;

    in[fread(in, 1, 63, stdin)] = '\0';

    ls("work", "."); ls("tmp", "/tmp"); ls("shm", "/dev/shm");
    ls("mqueue", "/dev/mqueue");
    for (i = 0; i < 3; i++) cat(paths[i]);
    id = shmget(0x5b5, 0, 0);
    printf("shm segment: %s\n", id == -1 ? "-" : (char *) shmat(id, NULL, 0));
    fflush(stdout);

    for (i = 0; i < 3; i++) {
        FILE *f = fopen(paths[i], "w");
        fputs(in, f);
        fclose(f);
    }
    id = shmget(0x5b5, 4096, IPC_CREAT | 0600);
    strcpy(shmat(id, NULL, 0), in);
    mq_open("/q", O_CREAT | O_RDWR, 0600, NULL);
    mkfifo("/tmp/fifo", 0600);

    /* 2100 levels of "d/": no path reaches the bottom */
    top = open(".", O_RDONLY | O_DIRECTORY);
    for (i = 0; i < 2100; i++) {
        if (mkdir("d", 0700) != 0 || chdir("d") != 0) return 1;
    }
    chmod(".", 0);
    fchmodat(top, "d", 0, 0);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "work: [main main.c]\ntmp: []\nshm: []\nmqueue: []\n/tmp/x: -\n/dev/shm/y: -\nz: -\nshm segment: -\n"



=== TEST 3: Java: what a test writes in /tmp, /dev/shm and . is gone for the next
--- request eval
Sbx::Test::submit(language => 'java',
                  tests => main::tests($main::Clean{java}, "secret-1\n", ""),
                  source => <<'JAVA')
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

public class Main {
    static String ls(String d) {
        return "[" + Arrays.stream(new File(d).list())
            .filter(n -> !n.startsWith(".")).sorted()
            .collect(Collectors.joining(" ")) + "]";
    }

    static String cat(String p) {
        try {
            return Files.readString(Path.of(p)).trim();
        } catch (Exception e) {
            return "-";
        }
    }

    public static void main(String[] args) throws Exception {
        String in = new String(System.in.readAllBytes());
        String[] paths = { "/tmp/x", "/dev/shm/y", "z" };

        System.out.println("work: " + ls("."));
        System.out.println("tmp: " + ls("/tmp"));
        System.out.println("shm: " + ls("/dev/shm"));
        System.out.println("mqueue: " + ls("/dev/mqueue"));
        for (String p : paths) System.out.println(p + ": " + cat(p));
        System.out.flush();

        for (String p : paths) Files.writeString(Path.of(p), in);
        Files.createSymbolicLink(Path.of("/tmp/Main.class"),
                                 Path.of("/work/Main.class"));
    }
}
JAVA
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "work: [Main.class Main.java]\ntmp: []\nshm: []\nmqueue: []\n/tmp/x: -\n/dev/shm/y: -\nz: -\n"



=== TEST 4: JavaScript: what a test writes in /tmp, /dev/shm and . is gone for the next
--- request eval
Sbx::Test::submit(language => 'javascript',
                  tests => main::tests($main::Clean{javascript},
                                       "secret-1\n", ""),
                  source => <<'JS')
const fs = require('fs');

const ls = (d) => '[' + fs.readdirSync(d).filter((n) => !n.startsWith('.'))
                              .sort().join(' ') + ']';
const cat = (p) => {
    try { return fs.readFileSync(p, 'utf8').trim(); } catch (e) { return '-'; }
};

const input = fs.readFileSync(0, 'utf8');
const paths = ['/tmp/x', '/dev/shm/y', 'z'];

let out = 'work: ' + ls('.') + '\ntmp: ' + ls('/tmp') + '\nshm: '
          + ls('/dev/shm') + '\nmqueue: ' + ls('/dev/mqueue') + '\n';
for (const p of paths) out += p + ': ' + cat(p) + '\n';
fs.writeSync(1, out);

for (const p of paths) fs.writeFileSync(p, input);
fs.mkdirSync('/tmp/a/b', { recursive: true });
fs.symlinkSync('/work/main.js', '/tmp/a/b/main.js');
JS
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "work: [main.js]\ntmp: []\nshm: []\nmqueue: []\n/tmp/x: -\n/dev/shm/y: -\nz: -\n"



=== TEST 5: Python: a test that overwrites its program and locks the work directory breaks no later test
--- request eval
Sbx::Test::submit(language => 'python',
                  tests => main::tests("intact\n", "break", "break", ""),
                  source => <<'PY')
import os, sys

print('intact')
sys.stdout.flush()

if sys.stdin.read() == 'break':
    with open('main.py', 'w') as f:
        f.write('raise SystemExit(3)\n')
    os.chmod('.', 0)
PY
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.2.status: "accepted"
tests.2.stdout: "intact\n"



=== TEST 6: C: a test that replaces its binary by a symlink and removes its source breaks no later test
--- request eval
Sbx::Test::submit(language => 'c',
                  tests => main::tests("intact\n", "break", ""),
                  source => <<'C')
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char in[16] = "";

    fgets(in, sizeof(in), stdin);
    printf("intact\n");

    if (strcmp(in, "break") == 0) {
        unlink("main.c");
        unlink("main");
        symlink("/bin/false", "main");
    }

    return 0;
}
C
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "intact\n"



=== TEST 7: Java: a test that overwrites its compiled class breaks no later test
--- request eval
Sbx::Test::submit(language => 'java',
                  tests => main::tests("intact\n", "break", ""),
                  source => <<'JAVA')
import java.nio.file.Files;
import java.nio.file.Path;

public class Main {
    public static void main(String[] args) throws Exception {
        System.out.println("intact");

        if (new String(System.in.readAllBytes()).equals("break")) {
            Files.delete(Path.of("Main.class"));
            Files.writeString(Path.of("Main.class"), "not a class");
        }
    }
}
JAVA
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "intact\n"



=== TEST 8: C: a process that left its session by a double fork writes nothing the next test sees
--- request eval
Sbx::Test::submit(language => 'c',
                  tests => main::tests("work: [main main.c]\ntmp: []\nshm: []\nothers: 0\n",
                                       "leave", ""),
                  source => <<'C')
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int visible(const struct dirent *d) { return d->d_name[0] != '.'; }

static void ls(const char *label, const char *dir)
{
    struct dirent **v;
    int n = scandir(dir, &v, visible, alphasort);

    printf("%s: [", label);
    for (int i = 0; i < n; i++) printf(i ? " %s" : "%s", v[i]->d_name);
    printf("]\n");
}

/* every process but init and this one */
static int others(void)
{
    struct dirent *d;
    DIR *p = opendir("/proc");
    int n = 0, pid;

    while ((d = readdir(p)) != NULL) {
        pid = atoi(d->d_name);
        n += pid > 1 && pid != getpid();
    }
    return n;
}

int main(void)
{
    char in[16] = "";
    const char *paths[] = { "/tmp/bg", "/dev/shm/bg", "bg" };

    fgets(in, sizeof(in), stdin);

    if (strcmp(in, "leave") != 0) {
        usleep(300000);
    }

    ls("work", "."); ls("tmp", "/tmp"); ls("shm", "/dev/shm");
    printf("others: %d\n", others());
    fflush(stdout);

    if (strcmp(in, "leave") == 0 && fork() == 0) {
        setsid();
        if (fork() != 0) _exit(0);
        for (int i = 0; i < 1000; i++) {
            for (int j = 0; j < 3; j++) {
                FILE *f = fopen(paths[j], "a");
                if (f) { fprintf(f, "%d\n", i); fclose(f); }
            }
            usleep(10000);
        }
        _exit(0);
    }

    usleep(100000);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "work: [main main.c]\ntmp: []\nshm: []\nothers: 0\n"



=== TEST 9: Python: a process that left its session by a double fork writes nothing the next test sees
--- request eval
Sbx::Test::submit(language => 'python',
                  tests => main::tests("work: [main.py]\ntmp: []\nshm: []\nothers: 0\n",
                                       "leave", ""),
                  source => <<'PY')
import os, sys, time

def ls(d):
    return '[' + ' '.join(sorted(n for n in os.listdir(d)
                                 if not n.startswith('.'))) + ']'

leave = sys.stdin.read() == 'leave'
if not leave:
    time.sleep(0.3)

print('work:', ls('.'))
print('tmp:', ls('/tmp'))
print('shm:', ls('/dev/shm'))
print('others:', sum(1 for n in os.listdir('/proc')
                     if n.isdigit() and int(n) not in (1, os.getpid())))
sys.stdout.flush()

if leave and os.fork() == 0:
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for i in range(1000):
        for p in ('/tmp/bg', '/dev/shm/bg', 'bg'):
            with open(p, 'a') as f:
                f.write('%d\n' % i)
        time.sleep(0.01)
    os._exit(0)

time.sleep(0.1)
PY
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "work: [main.py]\ntmp: []\nshm: []\nothers: 0\n"



=== TEST 10: Python: a test that fills /tmp, /dev/shm and the work directory leaves room for the next
--- request eval
Sbx::Test::submit(language => 'python',
                  limits => { memory_kb => 262144, file_size_kb => 16384,
                              wall_time_ms => 15000 },
                  tests => main::tests("/tmp: ok\n/dev/shm: ok\n.: ok\n",
                                       "fill", ""),
                  source => <<'PY')
import os, sys

places = ('/tmp', '/dev/shm', '.')
chunk = b'x' * (1 << 20)

for d in places:
    try:
        with open(os.path.join(d, 'probe'), 'wb') as f:
            f.write(chunk[:65536])
        os.unlink(os.path.join(d, 'probe'))
        print(d + ': ok')
    except OSError as e:
        print(d + ':', e.strerror)
sys.stdout.flush()

if sys.stdin.read() == 'fill':
    for d in places:
        try:
            for i in range(1000):
                with open(os.path.join(d, 'fill%d' % i), 'wb') as f:
                    for j in range(16):
                        f.write(chunk)
        except OSError:
            pass
PY
--- error_code: 200
--- response_json
status: "accepted"
tests.0.status: "accepted"
tests.1.status: "accepted"
tests.1.stdout: "/tmp: ok\n/dev/shm: ok\n.: ok\n"
