# Nothing shared between boxes: two submissions that run at the same time
# cannot see each other.  A "holder" takes everything a program can take
# that another container might reach: flock and POSIX locks on
# sandbox-init, on the language's own binary and library files (image
# files, shared read-only through overlayfs), on the device nodes of /dev
# (which Docker binds from the host's /dev under user namespaces), on
# files in /tmp, /work and /dev/shm; an abstract UNIX socket name; SysV
# shared memory, semaphore and message queue keys; a POSIX message queue
# and a POSIX shm object of fixed names; inotify watches on all those
# paths (or the refusal of inotify, which closes that channel).  While it
# holds them, a "checker" started after it looks for every one of them,
# and reads and runs the watched files.  The checker must find nothing,
# the holder must have seen no event, its processes must not be in the
# checker's /proc, and the two must have overlapped in time.  Each
# prints its mounts: no mount is the same in both boxes, and none names a
# host path of the runner (its state directory, the sandbox-init file).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();
Sbx::Test::blocks(timeout => 90);

our %Holder;

# One C program, both roles: "hold" or "check" as its argument.
our $C_PROBE = <<'_EOC_';
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define KEY   0x5b0c1
#define NAME  "/sbx-shared-probe"
#define WINDOW_MS  14000

static const char *files[] = {
    "/sbx/init", "/usr/bin/x86_64-linux-gnu-gcc-12",
    "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
    "/usr/lib/x86_64-linux-gnu/libc.so.6", "/dev/null", "/dev/zero",
    "/dev/full", "/dev/random", "/dev/urandom",
    "/tmp/sbx-lock", "/work/sbx-lock", "/dev/shm/sbx-lock", NULL
};
static const char *dirs[] = {
    "/sbx", "/usr/bin", "/usr/lib/x86_64-linux-gnu", "/tmp", "/work",
    "/dev", "/dev/shm", NULL
};

static long long now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *why(int e) {
    return e == EACCES ? "unreachable" : e == ENOENT ? "absent"
         : e == EPERM || e == ENOSYS ? "refused" : strerror(e);
}

static void hold(void) {
    int i, fd, in, e, s, n;
    struct flock fl;
    struct sockaddr_un a;
    char buf[4096];
    long long end;

    for (i = 0; files[i]; i++) {
        fd = open(files[i], O_RDONLY | O_CREAT, 0644);
        if (fd == -1) { printf("lock %s %s\n", files[i], why(errno)); continue; }
        memset(&fl, 0, sizeof(fl));
        fl.l_type = F_RDLCK;
        if (flock(fd, LOCK_SH) == 0 && fcntl(fd, F_SETLK, &fl) == 0)
            printf("lock %s took\n", files[i]);
        else
            printf("lock %s %s\n", files[i], why(errno));
    }

    s = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, NAME + 1, strlen(NAME) - 1);
    if (bind(s, (void *) &a, offsetof(struct sockaddr_un, sun_path) + strlen(NAME)) == 0
        && listen(s, 8) == 0)
        printf("ipc abstract-socket took\n");
    else
        printf("ipc abstract-socket %s\n", why(errno));

    printf("ipc sysv-shm %s\n", shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0666) != -1 ? "took" : why(errno));
    printf("ipc sysv-sem %s\n", semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0666) != -1 ? "took" : why(errno));
    printf("ipc sysv-msg %s\n", msgget(KEY, IPC_CREAT | IPC_EXCL | 0666) != -1 ? "took" : why(errno));
    printf("ipc posix-mq %s\n", mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0666, NULL) != (mqd_t) -1 ? "took" : why(errno));
    printf("ipc posix-shm %s\n", shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0666) != -1 ? "took" : why(errno));

    /* no inotify at all (seccomp) is a refusal of every watch */
    in = inotify_init1(IN_NONBLOCK);
    e = errno;
    for (i = 0; files[i]; i++)
        printf("watch %s %s\n", files[i], in == -1 ? why(e) : inotify_add_watch(in, files[i], IN_ALL_EVENTS) >= 0 ? "took" : why(errno));
    for (i = 0; dirs[i]; i++)
        printf("watch %s %s\n", dirs[i], in == -1 ? why(e) : inotify_add_watch(in, dirs[i], IN_ALL_EVENTS) >= 0 ? "took" : why(errno));

    printf("host %s\n", gethostname(buf, sizeof(buf)) == 0 ? buf : "?");
    printf("uid %d\n", (int) getuid());
    printf("ready %lld\n", now());
    fflush(stdout);

    /* every event: none may come, nothing here touches the paths; with
     * no inotify (fd -1, which poll() ignores) this holds the rest */
    end = now() + WINDOW_MS;
    n = 0;
    while (now() < end) {
        struct pollfd p = { in, POLLIN, 0 };
        if (poll(&p, 1, (int) (end - now())) > 0) {
            ssize_t r = read(in, buf, sizeof(buf));
            if (r > 0) n += (int) r;
        }
    }
    printf("events %s\n", in == -1 ? "refused" : n ? "SEEN" : "none");
    printf("end %lld\n", now());
}

static void check(void) {
    int i, fd, s;
    struct flock fl;
    struct sockaddr_un a;
    socklen_t len;
    char buf[4096];

    printf("start %lld\n", now());

    for (i = 0; files[i]; i++) {
        fd = open(files[i], O_RDONLY);
        if (fd == -1) { printf("lock %s %s\n", files[i], why(errno)); continue; }
        (void) read(fd, buf, sizeof(buf));
        memset(&fl, 0, sizeof(fl));
        fl.l_type = F_WRLCK;
        if (flock(fd, LOCK_EX | LOCK_NB) == -1)
            printf("lock %s SEEN flock %s\n", files[i], strerror(errno));
        else if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
            printf("lock %s SEEN fcntl pid %d\n", files[i], (int) fl.l_pid);
        else
            printf("lock %s free\n", files[i]);
    }

    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, NAME + 1, strlen(NAME) - 1);
    len = offsetof(struct sockaddr_un, sun_path) + strlen(NAME);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(s, (void *) &a, len) == 0) {
        printf("ipc abstract-socket SEEN connect\n");
    } else {
        s = socket(AF_UNIX, SOCK_STREAM, 0);
        printf("ipc abstract-socket %s\n", bind(s, (void *) &a, len) == 0 ? "free" : "SEEN bind");
    }

    printf("ipc sysv-shm %s\n", shmget(KEY, 0, 0) != -1 ? "SEEN" : errno == ENOENT ? "free" : why(errno));
    printf("ipc sysv-sem %s\n", semget(KEY, 0, 0) != -1 ? "SEEN" : errno == ENOENT ? "free" : why(errno));
    printf("ipc sysv-msg %s\n", msgget(KEY, 0) != -1 ? "SEEN" : errno == ENOENT ? "free" : why(errno));
    printf("ipc posix-mq %s\n", mq_open(NAME, O_RDONLY) != (mqd_t) -1 ? "SEEN" : errno == ENOENT ? "free" : why(errno));
    printf("ipc posix-shm %s\n", shm_open(NAME, O_RDONLY, 0) != -1 ? "SEEN" : errno == ENOENT ? "free" : why(errno));

    /* touch what the holder watches: in its box only if shared */
    for (i = 0; dirs[i]; i++) {
        fd = open(dirs[i], O_RDONLY | O_DIRECTORY);
        if (fd != -1) { (void) getdents64(fd, buf, sizeof(buf)); close(fd); }
    }
    fd = open("/tmp/sbx-touch", O_WRONLY | O_CREAT, 0644);
    close(fd);
    fd = open("/work/sbx-touch", O_WRONLY | O_CREAT, 0644);
    close(fd);
    fd = open("/dev/shm/sbx-touch", O_WRONLY | O_CREAT, 0644);
    close(fd);

    printf("host %s\n", gethostname(buf, sizeof(buf)) == 0 ? buf : "?");
    printf("procs");
    {
        DIR *d = opendir("/proc");
        struct dirent *e;
        struct stat st;
        while (d && (e = readdir(d)) != NULL) {
            snprintf(buf, sizeof(buf), "/proc/%s", e->d_name);
            if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && stat(buf, &st) == 0)
                printf(" %s:%d", e->d_name, (int) st.st_uid);
        }
    }
    printf("\n");
    printf("done %lld\n", now());
}

int main(int argc, char **argv) {
    FILE *f;
    char line[4096];
    int a, b;
    char maj[64], root[2048], mp[2048], rest[2048], fs[256];

    if (argc > 1 && strcmp(argv[1], "hold") == 0) hold(); else check();

    f = fopen("/proc/self/mountinfo", "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%d %d %63s %2047s %2047s %2047[^-]- %255s",
                   &a, &b, maj, root, mp, rest, fs) == 7)
            printf("mount %s %s %s %s\n", maj, root, mp, fs);
        printf("mountinfo %s", line);
    }
    return 0;
}
_EOC_

# The same in Python, through ctypes where the standard library has no call.
our $PY_PROBE = <<'_EOP_';
import ctypes, errno, fcntl, os, select, socket, struct, sys, time

KEY = 0x5b0c1
NAME = b"/sbx-shared-probe"
WINDOW = 14.0
FILES = ["/sbx/init", "/usr/bin/python3.11", "/usr/lib/python3.11/os.py",
         "/usr/lib/x86_64-linux-gnu/libc.so.6", "/dev/null", "/dev/zero",
         "/dev/full", "/dev/random", "/dev/urandom",
         "/tmp/sbx-lock", "/work/sbx-lock", "/dev/shm/sbx-lock"]
DIRS = ["/sbx", "/usr/bin", "/usr/lib/python3.11", "/tmp", "/work",
        "/dev", "/dev/shm"]
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open.restype = ctypes.c_int
IN_ALL_EVENTS = 0xfff

def now():
    return int(time.time() * 1000)

def why(e):
    return {errno.EACCES: "unreachable", errno.ENOENT: "absent",
            errno.EPERM: "refused", errno.ENOSYS: "refused"}.get(
                e, os.strerror(e))

def ok(rc):
    return "took" if rc != -1 else why(ctypes.get_errno())

def found(rc):
    if rc != -1:
        return "SEEN"
    e = ctypes.get_errno()
    return "free" if e == errno.ENOENT else why(e)

def hold():
    keep = []
    for f in FILES:
        try:
            fd = os.open(f, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError as e:
            print("lock", f, why(e.errno))
            continue
        keep.append(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            fcntl.fcntl(fd, fcntl.F_SETLK,
                        struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0))
            print("lock", f, "took")
        except OSError as e:
            print("lock", f, why(e.errno))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(b"\0" + NAME[1:])
        s.listen(8)
        print("ipc abstract-socket took")
    except OSError as e:
        print("ipc abstract-socket", why(e.errno))
    print("ipc sysv-shm", ok(libc.shmget(KEY, 4096, 0o1000 | 0o2000 | 0o666)))
    print("ipc sysv-sem", ok(libc.semget(KEY, 1, 0o1000 | 0o2000 | 0o666)))
    print("ipc sysv-msg", ok(libc.msgget(KEY, 0o1000 | 0o2000 | 0o666)))
    print("ipc posix-mq", ok(libc.mq_open(NAME, os.O_CREAT | os.O_EXCL
                                           | os.O_RDWR, 0o666, None)))
    print("ipc posix-shm", ok(libc.shm_open(NAME, os.O_CREAT | os.O_EXCL
                                             | os.O_RDWR, 0o666)))
    # no inotify at all (seccomp) is a refusal of every watch
    ino = libc.inotify_init1(os.O_NONBLOCK)
    e = ctypes.get_errno()
    for p in FILES + DIRS:
        print("watch", p, why(e) if ino == -1 else
              ok(libc.inotify_add_watch(ino, p.encode(), IN_ALL_EVENTS)))
    print("host", socket.gethostname())
    print("uid", os.getuid())
    print("ready", now(), flush=True)
    end = time.time() + WINDOW
    seen = 0
    while time.time() < end:
        if ino == -1:
            time.sleep(max(0, end - time.time()))
            break
        r, _, _ = select.select([ino], [], [], max(0, end - time.time()))
        if r:
            try:
                seen += len(os.read(ino, 4096))
            except BlockingIOError:
                pass
    print("events", "refused" if ino == -1 else "SEEN" if seen else "none")
    print("end", now())

def check():
    print("start", now())
    for f in FILES:
        try:
            fd = os.open(f, os.O_RDONLY)
        except OSError as e:
            print("lock", f, why(e.errno))
            continue
        os.read(fd, 4096)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            print("lock", f, "SEEN flock", e.strerror)
            continue
        t = fcntl.fcntl(fd, fcntl.F_GETLK,
                        struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
        if struct.unpack("hhqqi", t)[0] != fcntl.F_UNLCK:
            print("lock", f, "SEEN fcntl")
        else:
            print("lock", f, "free")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(b"\0" + NAME[1:])
        print("ipc abstract-socket SEEN connect")
    except OSError:
        try:
            socket.socket(socket.AF_UNIX).bind(b"\0" + NAME[1:])
            print("ipc abstract-socket free")
        except OSError:
            print("ipc abstract-socket SEEN bind")
    print("ipc sysv-shm", found(libc.shmget(KEY, 0, 0)))
    print("ipc sysv-sem", found(libc.semget(KEY, 0, 0)))
    print("ipc sysv-msg", found(libc.msgget(KEY, 0)))
    print("ipc posix-mq", found(libc.mq_open(NAME, os.O_RDONLY)))
    print("ipc posix-shm", found(libc.shm_open(NAME, os.O_RDONLY, 0)))
    for d in DIRS:
        try:
            os.listdir(d)
        except OSError:
            pass
    for p in ["/tmp/sbx-touch", "/work/sbx-touch", "/dev/shm/sbx-touch"]:
        open(p, "w").close()
    print("host", socket.gethostname())
    procs = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                procs.append("%s:%d" % (p, os.stat("/proc/" + p).st_uid))
            except OSError:
                pass
    print("procs", " ".join(procs))
    print("done", now())

hold() if sys.argv[1:] == ["hold"] else check()
for line in open("/proc/self/mountinfo"):
    f = line.split()
    print("mount", f[2], f[3], f[4], f[f.index("-") + 1])
    print("mountinfo", line, end="")
_EOP_

our %Probe = (c => $C_PROBE, python => $PY_PROBE);

# Starts the holder of a language without waiting for it, then waits
# until it runs and has had time to take everything.
sub hold {
    my ($lang) = @_;

    my ($status, $doc) = Sbx::Test::api(POST => '/submissions?wait=false', {
        language => $lang, source => $Probe{$lang}, args => ['hold'],
        limits => { wall_time_ms => 20000, output_kb => 256 } });
    die "holder not queued: $status\n" unless $status == 202;

    my $id = $doc->{id};

    for (1 .. 300) {
        (undef, $doc) = Sbx::Test::api(GET => "/submissions/$id");
        last if $doc->{status} ne 'queued';
        Time::HiRes::sleep(0.1);
    }

    # compiling (C) and starting take a while on a busy host; the
    # holder's window is long enough for this and the checker's compile
    Time::HiRes::sleep($lang eq 'c' ? 4 : 2);

    return $id;
}

sub lines {
    my ($out) = @_;
    my %l;

    for (split /\n/, $out // '') {
        my ($k, $rest) = /^(\w+) (.*)$/ or next;
        if ($k eq 'lock' || $k eq 'ipc' || $k eq 'watch') {
            my ($what, $state) = $rest =~ /^(\S+) (.*)$/;
            $l{"$k $what"} = $state;
        } elsif ($k eq 'mount' || $k eq 'mountinfo') {
            push @{ $l{$k} }, $rest;
        } else {
            $l{$k} = $rest;
        }
    }

    return \%l;
}

# The checker's answer against the holder's: both saw nothing of the
# other, while they overlapped.
sub judge {
    my ($lang, $c) = @_;
    my $t = "$lang: ";
    my $h = Sbx::Test::poll("/submissions/$Holder{$lang}", 60);
    my $ok = 1;
    my $test = sub {
        my ($cond, $name) = @_;
        $ok &&= $cond;
        return Test::More::ok($cond, $name);
    };

    $test->($h->{status} eq 'accepted', "${t}the holder ran")
        or Test::More::diag(JSON::PP->new->encode($h));
    $test->($c->{status} eq 'accepted', "${t}the checker ran")
        or Test::More::diag(JSON::PP->new->encode($c));

    my ($hl, $cl) = (lines($h->{stdout}), lines($c->{stdout}));

    $test->($hl->{ready} && $cl->{start} && $hl->{ready} < $cl->{start}
            && $cl->{done} < $hl->{end}, "${t}the two ran at the same time")
        or Test::More::diag("holder ready $hl->{ready} end $hl->{end}, "
                            . "checker $cl->{start}..$cl->{done}");

    # the holder took every name and lock it could reach; what it could
    # not reach (sandbox-init) or what the sandbox refuses (inotify, POSIX
    # queues) is fine: a refused watch or name is a closed channel
    my @held = grep { /^(lock|ipc|watch) / } sort keys %$hl;
    $test->(scalar(@held) >= 30, "${t}the holder tried everything")
        or Test::More::diag("holder: $h->{stdout}");

    for my $k (@held) {
        my $want = $k =~ m{^lock /sbx\b} ? qr/^unreachable$/
                 : $k =~ m{^watch /sbx\b} ? qr/^(unreachable|refused)$/
                 : $k =~ /^(ipc|watch) / ? qr/^(took|refused)$/ : qr/^took$/;
        $test->(scalar($hl->{$k} =~ $want), "${t}holder $k: $hl->{$k}");
    }

    for my $k (grep { /^(lock|ipc) / } sort keys %$hl) {
        $test->(scalar(defined $cl->{$k} && $cl->{$k} !~ /SEEN/),
                "${t}checker $k: " . ($cl->{$k} // 'missing'));
    }

    # none if it watched anything; refused only if it could watch nothing
    my $watched = grep { /^watch / && $hl->{$_} eq 'took' } @held;
    $test->(defined $hl->{events}
            && ($hl->{events} eq 'none'
                || (!$watched && $hl->{events} eq 'refused')),
            "${t}the holder's watches saw nothing of the checker")
        or Test::More::diag("events: " . ($hl->{events} // 'missing'));

    $test->($hl->{host} ne $cl->{host}, "${t}each box its own host name");

    my @procs = split / /, $cl->{procs} // '';
    $test->(scalar(@procs >= 2 && !grep { /:\Q$hl->{uid}\E$/ } @procs),
            "${t}the checker's /proc shows none of the holder's processes")
        or Test::More::diag("holder uid $hl->{uid}, checker sees @procs");

    my %hm = map { $_ => 1 } @{ $hl->{mount} || [] };
    my @both = grep { $hm{$_} } @{ $cl->{mount} || [] };
    $test->(@{ $cl->{mount} || [] } > 5 && !@both,
            "${t}no mount is the same filesystem and root in both boxes")
        or Test::More::diag("in both: @both");

    my $info = join "\n", @{ $hl->{mountinfo} || [] },
                          @{ $cl->{mountinfo} || [] };
    for my $host ($Sbx::Test::Dir, "$Sbx::Test::Top/build/sandbox-init",
                  'sandbox-init', 'state-main')
    {
        $test->(index($info, $host) < 0,
                "${t}mountinfo does not name $host")
            or Test::More::diag($info);
    }

    return $ok;
}

run_tests();

__DATA__

=== TEST 1: C: two boxes at once, the second sees nothing of the first
--- init
$main::Holder{c} = main::hold('c');
--- request eval
Sbx::Test::submit(language => 'c', source => $main::C_PROBE,
                  args => ['check'], limits => { output_kb => 256 })
--- timeout: 120
--- error_code: 200
--- json_ok eval
sub { main::judge('c', shift) }



=== TEST 2: Python: two boxes at once, the second sees nothing of the first
--- init
$main::Holder{python} = main::hold('python');
--- request eval
Sbx::Test::submit(language => 'python', source => $main::PY_PROBE,
                  args => ['check'], limits => { output_kb => 256 })
--- timeout: 120
--- error_code: 200
--- json_ok eval
sub { main::judge('python', shift) }



=== TEST 3: a box's program cannot reach /sbx: not init, not the FIFOs
--- request eval
Sbx::Test::submit(language => 'python', source => <<'_EOS_')
import os
for p in ["/sbx", "/sbx/init", "/sbx/io", "/sbx/io/ctl"]:
    try:
        os.stat(p)
        open(p, "rb").close() if p != "/sbx" and p != "/sbx/io" else os.listdir(p)
        print(p, "reached")
    except OSError as e:
        print(p, e.strerror)
_EOS_
--- error_code: 200
--- response_json
status: "accepted"
stdout: "/sbx Permission denied\n/sbx/init Permission denied\n/sbx/io Permission denied\n/sbx/io/ctl Permission denied\n"
--- containers_left: 0
