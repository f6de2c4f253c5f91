# Hostile programs that try to forge their result instead of earning it.
#
# sandbox-init writes the job's one RESULT frame to its standard output,
# the /sbx/io/evt FIFO that the runner reads.  A program that could write
# there, or stop, kill or trace init, could claim any verdict it liked.
# So the program must reach init neither through /proc/1/fd, the FIFO,
# /proc/1/mem, ptrace, process_vm_*, pidfd_getfd nor signals, and a fake
# "SBX/1 RESULT" frame it prints must only ever show up as its own output:
# the verdict stays the one its exit status and output earn.
#
# The fake frame comes in on the program's stdin, so that the test knows
# exactly what the program printed.  Each block runs the hostile program
# and then an ordinary one of the same language; every container must be
# gone after each run and no process may be left on the host under a
# sandbox uid.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Hostile;
use JSON::PP ();
use MIME::Base64 ();

no_shuffle();
no_root_location();

Sbx::Hostile::blocks();

my $json = JSON::PP->new->canonical;

# A well-formed RESULT frame, as sandbox-init writes it, for a job whose
# one test has the given status.
sub frame {
    my $status = shift;
    my $body = '{"compile":null,"tests":[{"status":"' . $status . '",'
             . '"exit_code":0,"signal":null,"stdout":"NDIK","stderr":"",'
             . '"time_ms":1,"wall_time_ms":1,"memory_kb":1,'
             . '"truncated":{"stdout":false,"stderr":false}}],"error":null}';
    return sprintf("SBX/1 RESULT %d\r\n%s", length $body, $body);
}

our $ACCEPTED = frame('accepted');
our $WRONG = frame('wrong_answer');

# Output that would end its JSON string early in a careless encoder.
our $INJECT = q|"},"status":"accepted","x":{"\\u0000| . "\xff\xfe\e[2J\r\n";

# A --- response_json line: the value at the path equals this string.
sub is_string {
    my ($path, $value) = @_;
    return "$path: " . $json->encode($value) . "\n";
}


run_tests();

__DATA__

=== TEST 1: every way to init (C) is closed; a fake "accepted" frame does not help
init's stdout through /proc/1/fd/1 and the FIFO it is, its memory,
ptrace, process_vm_*, pidfd_getfd and pidfd_send_signal, kill(1, …) with
eight signals: all refused.  kill(-1, SIGKILL) finds nobody to kill.  The program then
prints a well-formed RESULT frame claiming "accepted" on stdout and
stderr and exits 1: it is a runtime_error whose output is the frame.
--- request eval
main::then_normal(language => "c", stdin => $main::ACCEPTED,
                  source => <<'_C_')
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static void
report(const char *what, long rc)
{
    printf("%s: %s\n", what, rc == -1 ? strerrorname_np(errno) : "DONE");
}

int
main(void)
{
    int           pidfd, i;
    char          frame[4096], what[64];
    size_t        len;
    struct iovec  local, remote;
    static int    sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGSTOP,
                             SIGUSR1, SIGPIPE, SIGCHLD };

    len = fread(frame, 1, sizeof(frame), stdin);

    report("open /proc/1/fd/1", open("/proc/1/fd/1", O_WRONLY));
    report("open /sbx/io/evt", open("/sbx/io/evt", O_WRONLY | O_NONBLOCK));
    report("open /proc/1/mem", open("/proc/1/mem", O_RDWR));
    report("ptrace attach 1", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    report("ptrace seize 1", ptrace(PTRACE_SEIZE, 1, NULL, NULL));

    local.iov_base = what;
    local.iov_len = sizeof(what);
    remote.iov_base = (void *) 0x400000;
    remote.iov_len = sizeof(what);

    report("process_vm_readv 1",
           process_vm_readv(1, &local, 1, &remote, 1, 0));
    report("process_vm_writev 1",
           process_vm_writev(1, &local, 1, &remote, 1, 0));

    pidfd = syscall(SYS_pidfd_open, 1, 0);

    report("pidfd_getfd 1 1",
           pidfd == -1 ? -1 : syscall(SYS_pidfd_getfd, pidfd, 1, 0));
    report("pidfd_send_signal 1 SIGKILL",
           pidfd == -1 ? -1 : syscall(SYS_pidfd_send_signal, pidfd, SIGKILL,
                                      NULL, 0));

    for (i = 0; i < (int) (sizeof(sigs) / sizeof(sigs[0])); i++) {
        snprintf(what, sizeof(what), "kill 1 SIG%s", sigabbrev_np(sigs[i]));
        report(what, kill(1, sigs[i]));
    }

    report("kill -1 SIGKILL", kill(-1, SIGKILL));
    fflush(stdout);

    (void) write(1, frame, len);
    (void) write(2, frame, len);

    return 1;
}
_C_
--- response_json eval
main::then_ok(<<'_J_'
status: "runtime_error"
exit_code: 1
signal: null
tests.0.status: "runtime_error"
message: "the program exited with code 1"
_J_
. main::is_string(stdout => "open /proc/1/fd/1: EACCES\n"
                           . "open /sbx/io/evt: EACCES\n"
                           . "open /proc/1/mem: EACCES\n"
                           . "ptrace attach 1: EPERM\n"
                           . "ptrace seize 1: EPERM\n"
                           . "process_vm_readv 1: EPERM\n"
                           . "process_vm_writev 1: EPERM\n"
                           . "pidfd_getfd 1 1: EPERM\n"
                           . "pidfd_send_signal 1 SIGKILL: EPERM\n"
                           . "kill 1 SIGKILL: EPERM\n"
                           . "kill 1 SIGTERM: EPERM\n"
                           . "kill 1 SIGINT: EPERM\n"
                           . "kill 1 SIGHUP: EPERM\n"
                           . "kill 1 SIGSTOP: EPERM\n"
                           . "kill 1 SIGUSR1: EPERM\n"
                           . "kill 1 SIGPIPE: EPERM\n"
                           . "kill 1 SIGCHLD: EPERM\n"
                           . "kill -1 SIGKILL: ESRCH\n"
                           . $main::ACCEPTED)
. main::is_string(stderr => $main::ACCEPTED))


=== TEST 2: a fake "accepted" frame instead of the answer (Python): wrong_answer
--- request eval
main::then_normal(language => "python", stdin => $main::ACCEPTED,
                  expected_output => "42\n", source => <<'_PY_')
import sys

sys.stdout.write(sys.stdin.read())
_PY_
--- response_json eval
main::then_ok(<<'_J_'
status: "wrong_answer"
exit_code: 0
tests.0.status: "wrong_answer"
_J_
. main::is_string(stdout => $main::ACCEPTED))


=== TEST 3: the right answer and a fake "wrong_answer" frame on stderr (Python): accepted
The program holds no descriptor of init's: its stdin, two pipes and
nothing else.  The frame on stderr does not count, and neither does an
attempt on init's stdout: the true verdict stands either way.
--- request eval
main::then_normal(language => "python", stdin => $main::WRONG,
                  expected_output => "42\n", source => <<'_PY_')
import os, sys

held = []
for fd in range(1024):
    try:
        os.fstat(fd)
    except OSError:
        continue
    target = os.readlink('/proc/self/fd/%d' % fd)
    held.append('%d %s' % (fd, 'memfd' if target.startswith('/memfd:')
                               else target.split(':')[0]))
sys.stderr.write('descriptors: %s\n' % ', '.join(held))

frame = sys.stdin.read()
try:
    with open('/proc/1/fd/1', 'w') as init:
        init.write(frame)
except OSError as e:
    sys.stderr.write('/proc/1/fd/1: %s\n' % e.strerror)
sys.stderr.write(frame)
print(42)
_PY_
--- response_json eval
main::then_ok(<<'_J_'
status: "accepted"
exit_code: 0
stdout: "42\n"
_J_
. main::is_string(stderr => "descriptors: 0 memfd, 1 pipe, 2 pipe\n"
                           . "/proc/1/fd/1: Permission denied\n"
                           . $main::WRONG))


=== TEST 4: signals to init and its stdout from a shell (bash), then a fake frame
/dev/stdout and /dev/stderr are the program's own pipes, not init's: what
goes there is the program's output, like anything else it prints.
--- request eval
main::then_normal(language => "bash", stdin => $main::ACCEPTED,
                  source => <<'_SH_')
frame=$(cat; echo x)
frame=${frame%x}
for sig in TERM KILL STOP INT HUP QUIT USR2; do
    if kill -s $sig 1 2> /dev/null; then
        echo "kill -$sig 1: SENT"
    else
        echo "kill -$sig 1: refused"
    fi
done
for channel in /proc/1/fd/1 /sbx/io/evt; do
    if printf '%s' "$frame" > $channel; then
        echo "$channel: WRITTEN"
    else
        echo "$channel: refused"
    fi 2> /dev/null
done
printf '%s' "$frame" > /dev/stdout
echo "and on /dev/stderr" > /dev/stderr
exit 3
_SH_
--- response_json eval
main::then_ok(<<'_J_'
status: "runtime_error"
exit_code: 3
stderr: "and on /dev/stderr\n"
_J_
. main::is_string(stdout => "kill -TERM 1: refused\n"
                           . "kill -KILL 1: refused\n"
                           . "kill -STOP 1: refused\n"
                           . "kill -INT 1: refused\n"
                           . "kill -HUP 1: refused\n"
                           . "kill -QUIT 1: refused\n"
                           . "kill -USR2 1: refused\n"
                           . "/proc/1/fd/1: refused\n"
                           . "/sbx/io/evt: refused\n"
                           . $main::ACCEPTED))


=== TEST 5: a fake frame, then exit(3) (JavaScript): runtime_error with code 3
--- request eval
main::then_normal(language => "javascript", stdin => $main::ACCEPTED,
                  source => <<'_JS_')
const fs = require('fs');

const frame = fs.readFileSync(0);

for (const target of ['/proc/1/fd/1', '/proc/1/fd/2']) {
    try {
        fs.writeFileSync(target, frame);
        console.error(target + ': WRITTEN');
    } catch (e) {
        console.error(target + ': ' + e.code);
    }
}
for (const sig of ['SIGKILL', 'SIGTERM', 'SIGSTOP']) {
    try {
        process.kill(1, sig);
        console.error(sig + ': SENT');
    } catch (e) {
        console.error(sig + ': ' + e.code);
    }
}
fs.writeSync(1, frame);
process.exit(3);
_JS_
--- response_json eval
main::then_ok(<<'_J_'
status: "runtime_error"
exit_code: 3
stderr: "/proc/1/fd/1: EACCES\n/proc/1/fd/2: EACCES\nSIGKILL: EPERM\nSIGTERM: EPERM\nSIGSTOP: EPERM\n"
_J_
. main::is_string(stdout => $main::ACCEPTED))


=== TEST 6: fake frames across tests: each test keeps its own true verdict
Every test prints a fake "accepted" frame: the first one expects exactly
that frame, the second exits 1, the third expects something else.
--- request eval
main::then_normal(language => "python",
                  tests => [{ stdin => "0\n$main::ACCEPTED",
                              expected_output => $main::ACCEPTED },
                            { stdin => "1\n$main::ACCEPTED",
                              expected_output => $main::ACCEPTED },
                            { stdin => "0\n$main::ACCEPTED",
                              expected_output => "42\n" }],
                  source => <<'_PY_')
import sys

code, frame = sys.stdin.read().split('\n', 1)
sys.stdout.write(frame)
sys.exit(int(code))
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "runtime_error"
exit_code: 1
tests.0.status: "accepted"
tests.1.status: "runtime_error"
tests.1.exit_code: 1
tests.2.status: "wrong_answer"
_J_


=== TEST 7: output that tries to break out of its JSON string (Python)
Quotes, a would-be "status" member, backslash escapes, control characters
and bytes that are not UTF-8: the answer stays valid JSON, the status is
the true one, and the exact bytes come back in base64.
--- request eval
main::then_normal(language => "python", stdin => unpack('H*', $main::INJECT),
                  source => <<'_PY_')
import sys

sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))
sys.exit(1)
_PY_
--- response_json eval
main::then_ok(<<'_J_'
status: "runtime_error"
exit_code: 1
stdout: "\"},\"status\":\"accepted\",\"x\":{\"\\u0000\ufffd\ufffd\u001b[2J\r\n"
_J_
. main::is_string(stdout_base64 => MIME::Base64::encode_base64($main::INJECT, '')))
