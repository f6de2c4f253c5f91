# The kernel's surface inside a box: the runner's own seccomp profile
# (runner/seccomp.json) refuses every system call family a judged program
# never needs, and no counter that the whole host shares can be taken by a
# box.
#
# Each family is attacked from two languages.  The arguments are chosen so
# that without the profile the kernel would answer differently (success,
# EBADF, EFAULT, EINVAL, E2BIG, ENOKEY, ENOSYS where the kernel lacks the
# call): the answer shows that the filter refused it, not the capabilities
# the box lacks anyway.  Refusals are EPERM, and ENOSYS where runtimes fall
# back when the call seems missing (io_uring, AIO, clone3).
#
# Host-wide counters: kernel.pty.max counts the ptys of every devpts
# instance (every container's), fs.aio-max-nr every AIO context.  A box
# tries to take them all and holds what it got, while a process on the
# host tries again and again to take one (a pty in a devpts instance of
# its own, as a container would; an AIO context): it must always get one.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);


# ---- what every probe shares ----------------------------------------------

our $C = <<'_C_';
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void
report(const char *what, long rc)
{
    printf("%s: %s\n", what, rc == -1 ? strerrorname_np(errno) : "OK");
    fflush(stdout);
}
_C_

our $PY = <<'_PY_';
import ctypes, errno, os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def sc(what, nr, *args):
    args = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(nr), *args)
    print(what + ':', errno.errorcode[ctypes.get_errno()] if rc == -1
          else 'OK', flush=True)
    return rc
_PY_

our $GO = <<'_GO_';
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"unsafe"
)

var names = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOSYS: "ENOSYS",
	syscall.EINVAL: "EINVAL", syscall.EBADF: "EBADF",
	syscall.EFAULT: "EFAULT", syscall.ENOENT: "ENOENT",
}

func report(what string, e syscall.Errno) {
	if e == 0 {
		fmt.Printf("%s: OK\n", what)
	} else if n, ok := names[e]; ok {
		fmt.Printf("%s: %s\n", what, n)
	} else {
		fmt.Printf("%s: %d\n", what, int(e))
	}
}

var _ = errors.As
var _ = exec.Command
var _ = os.Args
var _ = unsafe.Pointer(nil)
_GO_


# ---- the host side of the host-wide counters --------------------------------
#
#   --- init
#   main::host_takes('pty')    or 'aio': before the requests
#   --- host_took: 1           checked after the first request

our $Take;

# A pty from a devpts instance of our own (in a mount namespace of our
# own), as a container gets one: the instances share kernel.pty.max less
# the ptys reserved for the host's own instance.
sub pty_setup {
    my $dir = "$Sbx::Test::Dir/pts-host";

    my ($root, $devpts, $opts) = ('/', 'devpts', 'newinstance,ptmxmode=0666');

    mkdir $dir;

    # unshare(CLONE_NEWNS), mount --make-rprivate /, mount devpts
    syscall(272, 0x20000) == 0 or die "unshare: $!\n";
    syscall(165, 0, $root, 0, 0x4000 | 0x40000, 0) == 0
        or die "mount --make-rprivate: $!\n";
    syscall(165, $devpts, $dir, $devpts, 0, $opts) == 0
        or die "mount devpts: $!\n";

    return sub {
        sysopen my $fh, "$dir/ptmx", POSIX::O_RDWR() | POSIX::O_NOCTTY()
            or return $! + 0;
        close $fh;
        return 0;
    };
}

sub aio_setup {
    return sub {
        my $ctx = pack 'Q', 0;

        syscall(206, 1, $ctx) == 0 or return $! + 0;     # io_setup
        syscall(207, unpack 'Q', $ctx);                 # io_destroy
        return 0;
    };
}

my %counter = (pty => '/proc/sys/kernel/pty/nr', aio => '/proc/sys/fs/aio-nr');

sub counter {
    open my $fh, '<', $counter{$_[0]} or return -1;
    my $n = <$fh>;
    return $n + 0;
}

# Starts a host process that takes one of the resource every 100 ms and
# gives it back, noting each failure and how often it tried while a
# program of the box was running.
sub host_takes {
    my $what = shift;
    my $base = counter($what);

    my $w = Sbx::Test::host_watch('host-takes', 0.1, sub {
        my $try = eval { $what eq 'pty' ? pty_setup() : aio_setup() };
        my ($during, $peak, @failed) = (0, $base);

        unless ($try) {
            push @failed, "setting up: $@";
            $try = sub { 0 };
        }

        my $tick = sub {
            my $box = Sbx::Test::sandbox_processes();
            my $err = $try->();
            my $n = counter($what);

            $peak = $n if $n > $peak;
            $during++ if $box;
            push @failed, POSIX::strerror($err) if $err;
        };

        return ($tick, sub { ("$during $base $peak", @failed) });
    });

    $Take = { %$w, what => $what };
}

sub check_took {
    my ($block, $body, $idx) = @_;

    return unless defined $block->host_took && $idx == 0 && $Take;

    my $name = $block->name;
    my $t = $Take;
    undef $Take;

    my ($head, @failed) = Sbx::Test::host_watch_end($t);

    my ($during, $base, $peak) = split ' ', $head;

    Test::More::cmp_ok($during, '>=', 10, "$name - the host tried while "
                       . "the program ran ($during times)");
    Test::More::is_deeply(\@failed, [], "$name - the host always got a "
                          . "$t->{what} (in use: $base before, $peak at most)");
}

Test::Nginx::Socket::add_response_body_check(\&check_took);

run_tests();

__DATA__

=== TEST 1: io_uring (C, Python): ENOSYS, so that runtimes fall back
Without the profile io_uring_setup gives a ring, the others EBADF.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
int
main(void)
{
    char  params[120];          /* struct io_uring_params */

    memset(params, 0, sizeof(params));

    report("io_uring_setup", syscall(425, 8, params));
    report("io_uring_enter", syscall(426, -1, 1, 0, 0, NULL, 0));
    report("io_uring_register", syscall(427, -1, 0, NULL, 0));

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
params = ctypes.create_string_buffer(120)
sc('io_uring_setup', 425, 8, params)
sc('io_uring_enter', 426, -1, 1, 0, 0, None, 0)
sc('io_uring_register', 427, -1, 0, None, 0)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "io_uring_setup: ENOSYS\nio_uring_enter: ENOSYS\nio_uring_register: ENOSYS\n"
_J_
status: "accepted"
stdout: "io_uring_setup: ENOSYS\nio_uring_enter: ENOSYS\nio_uring_register: ENOSYS\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 2: kernel AIO (C, Go): ENOSYS
Without the profile io_setup gives a context, io_submit says EINVAL.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
int
main(void)
{
    unsigned long  ctx = 0;

    report("io_setup", syscall(206, 1, &ctx));
    report("io_submit", syscall(209, 0UL, 1L, NULL));
    report("io_getevents", syscall(208, 0UL, 1L, 1L, NULL, NULL));
    report("io_cancel", syscall(210, 0UL, NULL, NULL));
    report("io_destroy", syscall(207, 0UL));

    return 0;
}
_C_
 Sbx::Test::submit(language => "go", source => $main::GO . <<'_GO_')]

func main() {
	var ctx uint64

	_, _, e := syscall.Syscall(syscall.SYS_IO_SETUP, 1,
		uintptr(unsafe.Pointer(&ctx)), 0)
	report("io_setup", e)
	_, _, e = syscall.Syscall(syscall.SYS_IO_SUBMIT, 0, 1, 0)
	report("io_submit", e)
	_, _, e = syscall.Syscall(syscall.SYS_IO_DESTROY, 0, 0, 0)
	report("io_destroy", e)
}
_GO_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "io_setup: ENOSYS\nio_submit: ENOSYS\nio_getevents: ENOSYS\nio_cancel: ENOSYS\nio_destroy: ENOSYS\n"
_J_
status: "accepted"
stdout: "io_setup: ENOSYS\nio_submit: ENOSYS\nio_destroy: ENOSYS\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 3: userfaultfd (C, Python): EPERM, even for user-mode faults only
Without the profile UFFD_USER_MODE_ONLY gives a descriptor to anybody.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
int
main(void)
{
    report("userfaultfd user mode", syscall(323, O_CLOEXEC | 1));
    report("userfaultfd", syscall(323, O_CLOEXEC));
    report("open /dev/userfaultfd", open("/dev/userfaultfd", O_RDWR));

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
sc('userfaultfd user mode', 323, os.O_CLOEXEC | 1)
sc('userfaultfd', 323, os.O_CLOEXEC)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "userfaultfd user mode: EPERM\nuserfaultfd: EPERM\nopen /dev/userfaultfd: ENOENT\n"
_J_
status: "accepted"
stdout: "userfaultfd user mode: EPERM\nuserfaultfd: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 4: perf_event_open (C, Python): EPERM
Without the profile a software counter on oneself is allowed
(perf_event_paranoid 2) and a NULL attribute is EFAULT.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
#include <linux/perf_event.h>

int
main(void)
{
    struct perf_event_attr  attr;

    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;

    report("perf_event_open task clock", syscall(298, &attr, 0, -1, -1, 0));
    report("perf_event_open NULL", syscall(298, NULL, 0, -1, -1, 0));

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
import struct

attr = ctypes.create_string_buffer(128)
# PERF_TYPE_SOFTWARE, size, PERF_COUNT_SW_TASK_CLOCK; disabled,
# exclude_kernel, exclude_hv
struct.pack_into('<IIQ', attr, 0, 1, 128, 1)
struct.pack_into('<Q', attr, 40, 0x61)
sc('perf_event_open task clock', 298, attr, 0, -1, -1, 0)
sc('perf_event_open NULL', 298, None, 0, -1, -1, 0)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "perf_event_open task clock: EPERM\nperf_event_open NULL: EPERM\n"
_J_
status: "accepted"
stdout: "perf_event_open task clock: EPERM\nperf_event_open NULL: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 5: bpf (C++, Python): EPERM
Without the profile an attribute longer than a page with a non-zero tail
is E2BIG (the kernel reads it before it looks at privileges).
--- request eval
[Sbx::Test::submit(language => "cpp", source => <<'_CPP_'),
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>
#include <sys/syscall.h>
#include <unistd.h>

static void
report(const char *what, long rc)
{
    std::printf("%s: %s\n", what, rc == -1 ? strerrorname_np(errno) : "OK");
}

int
main()
{
    std::vector<char>  attr(8192, 0);
    unsigned int       map[4] = { 2, 4, 4, 1 };  /* an array of one int */

    attr.back() = 1;

    report("bpf long attribute", syscall(321, 0, attr.data(), attr.size()));
    report("bpf map create", syscall(321, 0, map, sizeof(map)));
    report("bpf prog load", syscall(321, 5, map, sizeof(map)));

    return 0;
}
_CPP_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
attr = ctypes.create_string_buffer(8192)
attr[8191] = b'\x01'
sc('bpf long attribute', 321, 0, attr, 8192)
m = (ctypes.c_uint * 4)(2, 4, 4, 1)
sc('bpf map create', 321, 0, m, 16)
sc('bpf prog load', 321, 5, m, 16)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "bpf long attribute: EPERM\nbpf map create: EPERM\nbpf prog load: EPERM\n"
_J_
status: "accepted"
stdout: "bpf long attribute: EPERM\nbpf map create: EPERM\nbpf prog load: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 6: keyrings (C, Python): keyctl, add_key and request_key are EPERM
Without the profile any process gets a session keyring and may add keys
(counted per uid in the kernel's key quota); request_key says ENOKEY.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
int
main(void)
{
    report("keyctl session keyring", syscall(250, 0, -3, 1));
    report("add_key", syscall(248, "user", "sbx", "secret", 6, -2));
    report("request_key", syscall(249, "user", "sbx-none", NULL, -2));

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
sc('keyctl session keyring', 250, 0, -3, 1)
sc('add_key', 248, b'user', b'sbx', b'secret', 6, -2)
sc('request_key', 249, b'user', b'sbx-none', None, -2)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "keyctl session keyring: EPERM\nadd_key: EPERM\nrequest_key: EPERM\n"
_J_
status: "accepted"
stdout: "keyctl session keyring: EPERM\nadd_key: EPERM\nrequest_key: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 7: kexec, kernel modules and reboot (C, Python): EPERM
The capabilities are missing too, so where the kernel has these calls it
says EPERM itself; where it lacks them (kexec and modules configured out)
it says ENOSYS, and only the profile says EPERM.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
int
main(void)
{
    report("kexec_load", syscall(246, 0, 0, NULL, 0));
    report("kexec_file_load", syscall(320, -1, -1, 0, "", 0));
    report("init_module", syscall(175, NULL, 0, ""));
    report("finit_module", syscall(313, -1, "", 0));
    report("delete_module", syscall(176, "sbx", 0));
    /* LINUX_REBOOT_CMD_CAD_OFF: harmless had it been allowed */
    report("reboot", syscall(169, 0xfee1dead, 672274793, 0, NULL));

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
sc('kexec_load', 246, 0, 0, None, 0)
sc('kexec_file_load', 320, -1, -1, 0, b'', 0)
sc('init_module', 175, None, 0, b'')
sc('finit_module', 313, -1, b'', 0)
sc('delete_module', 176, b'sbx', 0)
sc('reboot', 169, 0xfee1dead, 672274793, 0, None)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "kexec_load: EPERM\nkexec_file_load: EPERM\ninit_module: EPERM\nfinit_module: EPERM\ndelete_module: EPERM\nreboot: EPERM\n"
_J_
status: "accepted"
stdout: "kexec_load: EPERM\nkexec_file_load: EPERM\ninit_module: EPERM\nfinit_module: EPERM\ndelete_module: EPERM\nreboot: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 8: namespaces and mounts (C, Go): no new namespace, no mount
clone with a CLONE_NEW* flag, unshare and setns are EPERM, clone3 is
ENOSYS (libc falls back to clone).  Without the profile a user namespace
is created, setns says EBADF, mount EFAULT, umount2 EINVAL, open_tree
gives a descriptor.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
static long
clone_ns(unsigned long flags)
{
    long  pid;

    pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);

    if (pid == 0) {
        _exit(0);
    }

    if (pid > 0) {
        (void) waitpid(pid, NULL, 0);
    }

    return pid;
}

int
main(void)
{
    report("clone new user namespace", clone_ns(0x10000000));
    report("clone new pid namespace", clone_ns(0x20000000));
    report("clone3", syscall(435, NULL, 0));
    report("unshare user", syscall(272, 0x10000000));
    report("unshare mount", syscall(272, 0x20000));
    report("setns", syscall(308, -1, 0));
    report("mount", syscall(165, (char *) 1, "/tmp", (char *) 1, 0, NULL));
    report("umount2", syscall(166, "/", 0xffff));
    report("open_tree", syscall(428, AT_FDCWD, "/", 0));
    report("fsopen", syscall(430, "tmpfs", 0));
    report("chroot", syscall(161, "/"));
    report("pivot_root", syscall(155, "/", "/"));

    return 0;
}
_C_
 Sbx::Test::submit(language => "go", source => $main::GO . <<'_GO_')]

func main() {
	var e syscall.Errno

	if len(os.Args) > 1 {
		return
	}

	cmd := exec.Command("/proc/self/exe", "child")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
	}
	if err := cmd.Run(); err != nil && !errors.As(err, &e) {
		fmt.Println("exec in new namespaces:", err)
	} else {
		report("exec in new namespaces", e)
	}

	_, _, e = syscall.RawSyscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWNS,
		0, 0)
	report("unshare mount", e)
	_, _, e = syscall.RawSyscall(308, ^uintptr(0), 0, 0) // setns
	report("setns", e)
	_, _, e = syscall.Syscall6(syscall.SYS_MOUNT, 1, 1, 1, 0, 0, 0)
	report("mount", e)
}
_GO_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "clone new user namespace: EPERM\nclone new pid namespace: EPERM\nclone3: ENOSYS\nunshare user: EPERM\nunshare mount: EPERM\nsetns: EPERM\nmount: EPERM\numount2: EPERM\nopen_tree: EPERM\nfsopen: EPERM\nchroot: EPERM\npivot_root: EPERM\n"
_J_
status: "accepted"
stdout: "exec in new namespaces: EPERM\nunshare mount: EPERM\nsetns: EPERM\nmount: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 9: ptrace, process_vm_*, kcmp, pidfd_getfd (C, Python): EPERM
Even on the program's own child or itself, which the kernel would allow
without the profile.
--- request eval
[Sbx::Test::submit(language => "c", source => $main::C . <<'_C_'),
#include <sys/ptrace.h>
#include <sys/uio.h>

int
main(void)
{
    int           pidfd;
    char          src[8] = "secret", dst[8];
    pid_t         child;
    struct iovec  local, remote;

    child = fork();

    if (child == 0) {
        pause();
        _exit(0);
    }

    local.iov_base = dst;
    local.iov_len = sizeof(dst);
    remote.iov_base = src;
    remote.iov_len = sizeof(src);

    report("ptrace attach child", ptrace(PTRACE_ATTACH, child, NULL, NULL));
    report("ptrace traceme", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
    report("process_vm_readv self",
           process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
    report("process_vm_writev self",
           process_vm_writev(getpid(), &remote, 1, &local, 1, 0));
    report("kcmp", syscall(312, getpid(), child, 1, 0, 0));

    pidfd = syscall(434, getpid(), 0);
    report("pidfd_open self", pidfd);
    report("pidfd_getfd self", syscall(438, pidfd, 0, 0));

    kill(child, SIGKILL);
    (void) waitpid(child, NULL, 0);

    return 0;
}
_C_
 Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_')]
import signal


class iovec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]


child = os.fork()
if child == 0:
    signal.pause()
    os._exit(0)

src = ctypes.create_string_buffer(b'secret', 8)
dst = ctypes.create_string_buffer(8)
local = iovec(ctypes.addressof(dst), 8)
remote = iovec(ctypes.addressof(src), 8)

sc('ptrace attach child', 101, 16, child, None, None)
sc('process_vm_readv self', 310, os.getpid(), ctypes.byref(local), 1,
   ctypes.byref(remote), 1, 0)
sc('kcmp', 312, os.getpid(), child, 1, 0, 0)
pidfd = sc('pidfd_open self', 434, os.getpid(), 0)
sc('pidfd_getfd self', 438, pidfd, 0, 0)
os.kill(child, signal.SIGKILL)
os.waitpid(child, 0)
_PY_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "ptrace attach child: EPERM\nptrace traceme: EPERM\nprocess_vm_readv self: EPERM\nprocess_vm_writev self: EPERM\nkcmp: EPERM\npidfd_open self: OK\npidfd_getfd self: EPERM\n"
_J_
status: "accepted"
stdout: "ptrace attach child: EPERM\nprocess_vm_readv self: EPERM\nkcmp: EPERM\npidfd_open self: OK\npidfd_getfd self: EPERM\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 10: sockets and personality (Python, C): the ordinary ones only
TCP, UDP, UNIX and routing netlink sockets open; AF_VSOCK, AF_ALG, SCTP,
sock_diag netlink and socketcall do not, nor a personality that turns
address randomisation off.
--- request eval
[Sbx::Test::submit(language => "python", source => $main::PY . <<'_PY_'),
import socket


def sock(what, *args):
    try:
        socket.socket(*args).close()
        print(what + ':', 'OK')
    except OSError as e:
        print(what + ':', errno.errorcode[e.errno])


sock('tcp', socket.AF_INET, socket.SOCK_STREAM)
sock('udp6', socket.AF_INET6, socket.SOCK_DGRAM)
sock('unix', socket.AF_UNIX, socket.SOCK_SEQPACKET)
sock('netlink route', socket.AF_NETLINK, socket.SOCK_RAW, 0)
sock('vsock', 40, socket.SOCK_STREAM)
sock('alg', 38, socket.SOCK_SEQPACKET)
sock('sctp', socket.AF_INET, socket.SOCK_STREAM, 132)
sock('netlink sock_diag', socket.AF_NETLINK, socket.SOCK_RAW, 4)
sc('personality no randomisation', 135, 0x0040000)
sc('personality query', 135, 0xffffffff)
_PY_
 Sbx::Test::submit(language => "c", source => $main::C . <<'_C_')]
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>

static void
sock(const char *what, int family, int type, int protocol)
{
    int  fd;

    fd = socket(family, type, protocol);
    report(what, fd);
    (void) close(fd);
}

/* the 32-bit entry: its own system call numbers, filtered as "x86" */
static long
int80(long nr, long a, long b)
{
    long  rc;

    __asm__ volatile ("int $0x80" : "=a" (rc) : "a" (nr), "b" (a), "c" (b)
                      : "memory");

    if (rc < 0 && rc > -4096) {
        errno = -rc;
        return -1;
    }

    return rc;
}

int
main(void)
{
    unsigned int  *args;

    sock("tcp", AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sock("vsock", 40, SOCK_STREAM, 0);
    sock("alg", 38, SOCK_SEQPACKET, 0);
    sock("dccp", AF_INET, 6 /* SOCK_DCCP */, 0);
    report("personality no randomisation", personality(ADDR_NO_RANDOMIZE));

    /* socketcall's arguments are behind a pointer the filter cannot read */
    args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    args[0] = 40;
    args[1] = SOCK_STREAM;
    args[2] = 0;

    report("32-bit socketcall vsock", int80(102, 1, (long) args));
    report("32-bit socket vsock", int80(359, 40, SOCK_STREAM));
    report("32-bit getpid", int80(20, 0, 0) > 0 ? 0 : -1);

    return 0;
}
_C_
--- error_code eval
[200, 200]
--- response_json eval
[<<'_J_', <<'_J_']
status: "accepted"
stdout: "tcp: OK\nudp6: OK\nunix: OK\nnetlink route: OK\nvsock: EPERM\nalg: EPERM\nsctp: EPERM\nnetlink sock_diag: EPERM\npersonality no randomisation: EPERM\npersonality query: OK\n"
_J_
status: "accepted"
stdout: "tcp: OK\nvsock: EPERM\nalg: EPERM\ndccp: EPERM\npersonality no randomisation: EPERM\n32-bit socketcall vsock: EPERM\n32-bit socket vsock: EPERM\n32-bit getpid: OK\n"
_J_
--- containers_left: 0
--- host_clean


=== TEST 11: ptys (Python): none to take, so the host always gets one
Sixteen children (each has 256 descriptors at most) open /dev/ptmx
until they cannot, then the program tries
os.openpty, posix_openpt and /dev/ptmx itself, and holds what it got for
four seconds.  Without the pty block this takes every pty containers may
have (kernel.pty.max less kernel.pty.reserve), and a new devpts instance
on the host gets ENOSPC.  The box's own /dev has no /dev/pts at all
(Docker's would have an empty one, masked).
--- init
main::host_takes('pty');
--- request eval
Sbx::Test::submit(language => "python",
                  limits => { wall_time_ms => 15000, cpu_time_ms => 5000,
                              memory_kb => 262144 },
                  source => <<'_PY_')
import ctypes, errno, os, signal, time

libc = ctypes.CDLL(None, use_errno=True)


def ptmx():
    os.open('/dev/ptmx', os.O_RDWR | os.O_NOCTTY)


def openpt():
    if libc.posix_openpt(os.O_RDWR | os.O_NOCTTY) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def take(fn, limit):
    n = 0
    while n < limit:
        try:
            fn()
        except OSError as e:
            return n, errno.errorcode[e.errno]
        n += 1
    return n, 'none'


r, w = os.pipe()
kids = []
for i in range(16):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, b'%d\n' % take(ptmx, 1000)[0])
        time.sleep(60)
        os._exit(0)
    kids.append(pid)
os.close(w)
with os.fdopen(r) as f:
    took = sum(int(f.readline()) for _ in kids)

print('/dev/pts', 'holds %d' % len(os.listdir('/dev/pts'))
      if os.path.exists('/dev/pts') else 'absent')
print('children took', took)
print('os.openpty', *take(os.openpty, 200))
print('posix_openpt', *take(openpt, 200))
print('open /dev/ptmx', *take(ptmx, 200), flush=True)
time.sleep(4)
for pid in kids:
    os.kill(pid, signal.SIGKILL)
_PY_
--- error_code: 200
--- response_json
status: "accepted"
stdout =~ ^/dev/pts (absent|holds 0)\nchildren took 0\nos.openpty 0 ENOENT\nposix_openpt 0 ENOENT\nopen /dev/ptmx 0 ENOENT\n$
--- host_took: 1
--- containers_left: 0
--- host_clean
--- timeout: 60


=== TEST 12: ptys (C): posix_openpt and /dev/ptmx from many processes
--- init
main::host_takes('pty');
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { wall_time_ms => 15000, cpu_time_ms => 5000,
                              memory_kb => 262144 },
                  source => $main::C . <<'_C_')
#include <stdlib.h>

static int
take(void)
{
    int  n;

    for (n = 0; n < 1000; n++) {
        if ((n % 2 ? posix_openpt(O_RDWR | O_NOCTTY)
                   : open("/dev/ptmx", O_RDWR | O_NOCTTY)) == -1)
        {
            break;
        }
    }

    return n;
}

int
main(void)
{
    int    i, n, took, fds[2];
    pid_t  kids[16];

    if (pipe(fds) == -1) {
        return 1;
    }

    for (i = 0; i < 16; i++) {
        kids[i] = fork();

        if (kids[i] == 0) {
            n = take();
            (void) write(fds[1], &n, sizeof(int));
            sleep(60);
            _exit(0);
        }
    }

    for (took = 0, i = 0; i < 16; i++) {
        if (read(fds[0], &n, sizeof(int)) == sizeof(int)) {
            took += n;
        }
    }

    printf("children took %d\n", took);
    report("posix_openpt", posix_openpt(O_RDWR | O_NOCTTY));
    report("open /dev/ptmx", open("/dev/ptmx", O_RDWR | O_NOCTTY));
    report("open /dev/pts/ptmx", open("/dev/pts/ptmx", O_RDWR | O_NOCTTY));

    sleep(4);

    for (i = 0; i < 16; i++) {
        kill(kids[i], SIGKILL);
    }

    return 0;
}
_C_
--- error_code: 200
--- response_json
status: "accepted"
stdout: "children took 0\nposix_openpt: ENOENT\nopen /dev/ptmx: ENOENT\nopen /dev/pts/ptmx: ENOENT\n"
--- host_took: 1
--- containers_left: 0
--- host_clean
--- timeout: 60


=== TEST 13: AIO contexts (C): none to take, so the host always gets one
Without the profile a loop of io_setup takes every context of
fs.aio-max-nr and the host's own io_setup(1) gets EAGAIN.
--- init
main::host_takes('aio');
--- request eval
Sbx::Test::submit(language => "c",
                  limits => { wall_time_ms => 15000, cpu_time_ms => 5000 },
                  source => $main::C . <<'_C_')
int
main(void)
{
    long           n, events;
    unsigned long  ctx;

    for (n = 0, events = 4096; n < 100000 && events > 0; ) {
        ctx = 0;

        if (syscall(206, events, &ctx) == 0) {
            n++;
        } else if (errno == EAGAIN) {
            events /= 2;
        } else {
            break;
        }
    }

    printf("contexts %ld\n", n);
    report("io_setup", syscall(206, 1, &ctx));

    sleep(4);

    return 0;
}
_C_
--- error_code: 200
--- response_json
status: "accepted"
stdout: "contexts 0\nio_setup: ENOSYS\n"
--- host_took: 1
--- containers_left: 0
--- host_clean
--- timeout: 60


=== TEST 14: AIO contexts (Python): the same through ctypes
--- init
main::host_takes('aio');
--- request eval
Sbx::Test::submit(language => "python",
                  limits => { wall_time_ms => 15000, cpu_time_ms => 5000 },
                  source => $main::PY . <<'_PY_')
import time

n, events = 0, 4096
while n < 100000 and events > 0:
    ctx = ctypes.c_ulong(0)
    if libc.syscall(ctypes.c_long(206), ctypes.c_long(events),
                    ctypes.byref(ctx)) == 0:
        n += 1
    elif ctypes.get_errno() == errno.EAGAIN:
        events //= 2
    else:
        break
print('contexts', n)
sc('io_setup', 206, 1, ctypes.byref(ctypes.c_ulong(0)))
time.sleep(4)
_PY_
--- error_code: 200
--- response_json
status: "accepted"
stdout: "contexts 0\nio_setup: ENOSYS\n"
--- host_took: 1
--- containers_left: 0
--- host_clean
--- timeout: 60
