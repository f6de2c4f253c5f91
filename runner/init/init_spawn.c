
/*
 * The spawn of a step: its descriptors, and the child that becomes the
 * program.  Everything the submitted code does runs in that child,
 * which has dropped to the job's uid/gid (checked, not assumed) with
 * fresh rlimits, its own session, stdin a sealed memfd, stdout/stderr
 * pipes to init and no other descriptor.  A failure between fork and
 * exec comes back through a CLOEXEC pipe as the stage that failed and
 * its errno; the pipe closes unread when the exec succeeds.
 *
 * sbx_init_drop is also how sbx_init_as_program() becomes the program's
 * uid, for the file writer (init_files.c) and the test reset
 * (init_reset.c, init_image.c).
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "init_step.h"


#define SBX_SPAWN_REPORT_FD  3           /* the child's exec error pipe */


/* why a child failed before its program started */
enum {
    SBX_STAGE_FDS = 1,
    SBX_STAGE_LIMITS,
    SBX_STAGE_SETGROUPS,
    SBX_STAGE_SETGID,
    SBX_STAGE_SETUID,
    SBX_STAGE_CREDS,
    SBX_STAGE_CHDIR,
    SBX_STAGE_EXEC
};


static const char  *sbx_spawn_stages[] = {
    "", "file descriptors", "setrlimit", "setgroups", "setgid", "setuid",
    "credential check", "chdir", "exec"
};


typedef struct {
    int                stage;
    int                err;
} sbx_spawn_report_t;


static void sbx_spawn_report(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p);
static void sbx_spawn_close(sbx_init_proc_t *p);
static void sbx_spawn_child(sbx_init_step_t *step, int in, int out, int err,
    int report) __attribute__((noreturn));
static int sbx_spawn_limits(sbx_init_limits_t *l);
static int sbx_spawn_setrlimit(int resource, uint64_t cur, uint64_t max);
static void sbx_spawn_oom_adj(void);
static int sbx_spawn_stdin(sbx_init_step_t *step);
static int sbx_spawn_pipe(int fd[2], uid_t uid, gid_t gid);


/*
 * Everything the step needs before the fork: its descriptors and its
 * output buffers, sized for the limit and one byte more.
 */

int
sbx_init_spawn_prepare(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p)
{
    uint64_t  cap;

    memset(p, 0, sizeof(sbx_init_proc_t));

    p->out[0] = p->out[1] = p->err[0] = p->err[1] = -1;
    p->rep[0] = p->rep[1] = -1;

    cap = step->limits->output_kb * 1024;

    /* no stream keeps more than what is left of the job's budget */

    if (step->output_left != NULL && *step->output_left < cap) {
        cap = *step->output_left;
    }

    p->in = sbx_spawn_stdin(step);

    if (p->in == -1) {
        sbx_init_run_fail(res, "stdin memfd");
        return SBX_INIT_ERROR;
    }

    if (sbx_spawn_pipe(p->out, step->uid, step->gid) == -1
        || sbx_spawn_pipe(p->err, step->uid, step->gid) == -1
        || pipe2(p->rep, O_CLOEXEC) == -1)
    {
        sbx_init_run_fail(res, "pipe");
        sbx_spawn_close(p);
        return SBX_INIT_ERROR;
    }

    if (sbx_init_buf_reserve(&res->out, cap + 1) != SBX_INIT_OK
        || sbx_init_buf_reserve(&res->err, cap + 1) != SBX_INIT_OK)
    {
        sbx_init_run_fail(res, "output buffer");
        sbx_spawn_close(p);
        return SBX_INIT_ERROR;
    }

    /* give back what the last step's bookkeeping left in the heap */

    malloc_trim(0);

    return SBX_INIT_OK;
}


/*
 * Forks the program and waits until it has started or failed to: on
 * return init holds only the read ends of stdout and stderr.
 */

int
sbx_init_spawn(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p)
{
    pid_t  pid;

    pid = fork();

    if (pid == -1) {
        sbx_init_run_fail(res, "fork");
        sbx_spawn_close(p);
        return SBX_INIT_ERROR;
    }

    if (pid == 0) {
        sbx_spawn_child(step, p->in, p->out[1], p->err[1], p->rep[1]);
    }

    p->main = pid;

    close(p->in);
    close(p->out[1]);
    close(p->err[1]);
    close(p->rep[1]);
    p->in = p->out[1] = p->err[1] = p->rep[1] = -1;

    sbx_spawn_report(step, res, p);

    return SBX_INIT_OK;
}


/*
 * Drops to uid/gid for good and proves it: all three ids of each kind,
 * no supplementary groups, no capability left, and no way back to 0.
 * Returns 0 or the failing stage (sbx_init_stage names it).
 */

int
sbx_init_drop(uid_t uid, gid_t gid)
{
    int                        i;
    uid_t                      ru, eu, su;
    gid_t                      rg, eg, sg;
    struct __user_cap_data_struct    data[2];
    struct __user_cap_header_struct  hdr;

    if (setgroups(0, NULL) == -1) {
        return SBX_STAGE_SETGROUPS;
    }

    if (setresgid(gid, gid, gid) == -1) {
        return SBX_STAGE_SETGID;
    }

    if (setresuid(uid, uid, uid) == -1) {
        return SBX_STAGE_SETUID;
    }

    errno = EPERM;

    if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1
        || ru != uid || eu != uid || su != uid
        || rg != gid || eg != gid || sg != gid
        || getgroups(0, NULL) != 0)
    {
        return SBX_STAGE_CREDS;
    }

    if (setuid(0) == 0 || setgid(0) == 0) {
        errno = EPERM;
        return SBX_STAGE_CREDS;
    }

    memset(&hdr, 0, sizeof(hdr));
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    hdr.pid = 0;

    if (syscall(SYS_capget, &hdr, data) == -1) {
        return SBX_STAGE_CREDS;
    }

    for (i = 0; i < 2; i++) {
        if (data[i].effective || data[i].permitted || data[i].inheritable) {
            errno = EPERM;
            return SBX_STAGE_CREDS;
        }
    }

    return 0;
}


/* What a child was doing when it failed, for a message. */

const char *
sbx_init_stage(int stage)
{
    if (stage <= 0 || stage > SBX_STAGE_EXEC) {
        return "setup";
    }

    return sbx_spawn_stages[stage];
}


/*
 * Runs fn in a child with the program's credentials and waits for it,
 * for work init must not do as root in trees the program can change
 * (init_files.c, init_reset.c).  The child's error text comes back
 * through a pipe; err gets "what: " and it.
 */

int
sbx_init_as_program(sbx_init_job_t *job, sbx_init_as_pt fn,
    const char *what, char *err, size_t size)
{
    int       p[2], status, stage;
    char      msg[256];
    pid_t     pid;
    ssize_t   n;

    if (pipe2(p, O_CLOEXEC) == -1) {
        snprintf(err, size, "%s: pipe: %s", what, strerror(errno));
        return SBX_INIT_ERROR;
    }

    pid = fork();

    if (pid == -1) {
        snprintf(err, size, "%s: fork: %s", what, strerror(errno));
        close(p[0]);
        close(p[1]);
        return SBX_INIT_ERROR;
    }

    if (pid == 0) {
        close(p[0]);

        stage = sbx_init_drop(job->uid, job->gid);

        if (stage != 0) {
            snprintf(msg, sizeof(msg), "%s: %s", sbx_init_stage(stage),
                     strerror(errno));

        } else if (fn(job, msg, sizeof(msg)) == SBX_INIT_OK) {
            _exit(0);
        }

        (void) sbx_write_all(p[1], msg, strlen(msg));
        _exit(1);
    }

    close(p[1]);

    do {
        n = read(p[0], msg, sizeof(msg) - 1);
    } while (n == -1 && errno == EINTR);

    close(p[0]);

    while (waitpid(pid, &status, __WALL) == -1) {
        if (errno != EINTR) {
            snprintf(err, size, "%s: waitpid: %s", what, strerror(errno));
            return SBX_INIT_ERROR;
        }
    }

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return SBX_INIT_OK;
    }

    if (n > 0) {
        msg[n] = '\0';
        snprintf(err, size, "%s: %s", what, msg);

    } else {
        snprintf(err, size, "%s: died (status %d)", what, status);
    }

    return SBX_INIT_ERROR;
}


/* How the functions sbx_init_as_program() runs fail: err gets the text. */

int
sbx_init_fail(char *err, size_t size, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    vsnprintf(err, size, fmt, args);
    va_end(args);

    return SBX_INIT_ERROR;
}


/* the pipe closes at a successful exec (O_CLOEXEC) or at _exit */

static void
sbx_spawn_report(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p)
{
    ssize_t             n;
    sbx_spawn_report_t  report;

    do {
        n = read(p->rep[0], &report, sizeof(report));
    } while (n == -1 && errno == EINTR);

    close(p->rep[0]);
    p->rep[0] = -1;

    if (n != sizeof(report)) {
        return;
    }

    /*
     * chdir and exec depend on the work directory, which the program
     * owns (a test may remove its binary or chmod the directory): that
     * fails the step, not init.
     */

    if (report.stage == SBX_STAGE_EXEC) {
        res->exec_failed = 1;
        snprintf(res->message, sizeof(res->message), "exec %.128s: %s",
                 step->argv[0], strerror(report.err));

    } else if (report.stage == SBX_STAGE_CHDIR) {
        res->exec_failed = 1;
        snprintf(res->message, sizeof(res->message), "chdir %.128s: %s",
                 step->workdir, strerror(report.err));

    } else {
        res->failed = 1;
        snprintf(res->message, sizeof(res->message), "child %s: %s",
                 sbx_init_stage(report.stage), strerror(report.err));
    }
}


static void
sbx_spawn_close(sbx_init_proc_t *p)
{
    int  i;

    if (p->in != -1) {
        close(p->in);
        p->in = -1;
    }

    for (i = 0; i < 2; i++) {
        if (p->out[i] != -1) {
            close(p->out[i]);
            p->out[i] = -1;
        }

        if (p->err[i] != -1) {
            close(p->err[i]);
            p->err[i] = -1;
        }

        if (p->rep[i] != -1) {
            close(p->rep[i]);
            p->rep[i] = -1;
        }
    }
}


/*
 * The child between fork and exec.  init is single-threaded, so any libc
 * call is safe here; nothing is allocated anyway.  A failure is reported
 * through the CLOEXEC pipe, which the parent reads right after fork.
 */

static void
sbx_spawn_child(sbx_init_step_t *step, int in, int out, int err, int report)
{
    int                  rc;
    sigset_t             none;
    sbx_spawn_report_t   r;

    extern char        **environ;

    r.stage = 0;

    /* undo init's signal state: a blocked or ignored signal survives exec */

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    setsid();

    /* the program, not init, is the one the OOM killer should pick */

    sbx_spawn_oom_adj();

    /*
     * 0, 1, 2 are open in init (Docker's), so every descriptor made for
     * the step is >= 3 and the dups below cannot clobber each other.
     */

    if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1
        || (report != SBX_SPAWN_REPORT_FD
            && dup3(report, SBX_SPAWN_REPORT_FD, O_CLOEXEC) == -1))
    {
        r.stage = SBX_STAGE_FDS;
        goto fail;
    }

    report = SBX_SPAWN_REPORT_FD;

    if (close_range(SBX_SPAWN_REPORT_FD + 1, ~0U, 0) == -1) {
        for (rc = SBX_SPAWN_REPORT_FD + 1; rc < 65536; rc++) {
            close(rc);
        }
    }

    if (sbx_spawn_limits(step->limits) != 0) {
        r.stage = SBX_STAGE_LIMITS;
        goto fail;
    }

    rc = sbx_init_drop(step->uid, step->gid);

    if (rc != 0) {
        r.stage = rc;
        goto fail;
    }

    if (chdir(step->workdir) == -1) {
        r.stage = SBX_STAGE_CHDIR;
        goto fail;
    }

    /* execvp searches the PATH of environ, so it must be the job's */

    environ = (char **) step->env;

    execvp(step->argv[0], step->argv);

    r.stage = SBX_STAGE_EXEC;

fail:

    r.err = errno;
    sbx_write_all(report, &r, sizeof(r));

    _exit(127);
}


/*
 * RLIMIT_CPU: a per-process backstop in whole seconds, above the
 * millisecond limit that the cgroup counter enforces: the soft limit,
 * ceil(limit) + 1 s, sends SIGXCPU, the hard one SIGKILL a second later.
 * RLIMIT_STACK: min(memory, 64 MiB): contest code recurses deeply and
 * 8 MiB is too little, the memory limit bounds it anyway, and glibc
 * takes it as the default thread stack size, so an unbounded value would
 * make every thread reserve huge address ranges.
 * RLIMIT_AS stays unlimited: JVMs, Go and V8 reserve far more address
 * space than they use, and memory is the cgroup's job.
 */

static int
sbx_spawn_limits(sbx_init_limits_t *l)
{
    uint64_t  cpu, stack;

    cpu = (l->cpu_time_ms + 999) / 1000 + 1;
    stack = l->memory_kb * 1024;

    if (stack > SBX_INIT_MAX_STACK) {
        stack = SBX_INIT_MAX_STACK;
    }

    if (sbx_spawn_setrlimit(RLIMIT_CPU, cpu, cpu + 1) != 0
        || sbx_spawn_setrlimit(RLIMIT_FSIZE, l->file_size_kb * 1024,
                             l->file_size_kb * 1024) != 0
        || sbx_spawn_setrlimit(RLIMIT_NPROC, l->processes, l->processes) != 0
        || sbx_spawn_setrlimit(RLIMIT_CORE, 0, 0) != 0
        || sbx_spawn_setrlimit(RLIMIT_NOFILE, SBX_INIT_NOFILE,
                             SBX_INIT_NOFILE) != 0
        || sbx_spawn_setrlimit(RLIMIT_STACK, stack, stack) != 0)
    {
        return -1;
    }

    return 0;
}


/* Never above the container's hard limit: only root could raise it. */

static int
sbx_spawn_setrlimit(int resource, uint64_t cur, uint64_t max)
{
    struct rlimit  rl;

    if (getrlimit(resource, &rl) == -1) {
        return -1;
    }

    if (rl.rlim_max != RLIM_INFINITY && max > rl.rlim_max) {
        max = rl.rlim_max;
    }

    if (cur > max) {
        cur = max;
    }

    rl.rlim_cur = cur;
    rl.rlim_max = max;

    return setrlimit(resource, &rl);
}


/*
 * Best effort: without /proc the OOM killer picks by size alone.  The
 * program may lower it again (that needs no privilege); if it then gets
 * init killed, the runner still reports memory_limit_exceeded.
 */

static void
sbx_spawn_oom_adj(void)
{
    int  fd;

    fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

    if (fd != -1) {
        sbx_write_all(fd, "1000", 4);
        close(fd);
    }
}


/*
 * The test's stdin as a sealed memfd: the program can read and seek it
 * but not change it, and it needs no file in a shared place.  The
 * compile reads /dev/null.
 */

static int
sbx_spawn_stdin(sbx_init_step_t *step)
{
    int  fd;

    if (step->stdin_data == NULL) {
        return open("/dev/null", O_RDONLY | O_CLOEXEC);
    }

    fd = memfd_create("stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd == -1) {
        return -1;
    }

    if ((step->stdin_len
         && sbx_write_all(fd, step->stdin_data, step->stdin_len)
            != (ssize_t) step->stdin_len)
        || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
                                  | F_SEAL_SEAL) == -1
        || lseek(fd, 0, SEEK_SET) == -1)
    {
        close(fd);
        return -1;
    }

    return fd;
}


/*
 * A pipe for the step's stdout or stderr.  A pipe's inode belongs to its
 * creator's fsuid with mode 0600, and reopening one's own stdout through
 * /proc/self/fd (/dev/stdout, /dev/stderr: "echo x > /dev/stderr") checks
 * that mode: so the pipe is made with the program's ids, not init's.
 * Only that uid and root can reopen it, and init's own standard output
 * is another pipe.  Should the ids not change, the pipe is init's, as
 * before: the program can still write to its descriptors 1 and 2.
 */

static int
sbx_spawn_pipe(int fd[2], uid_t uid, gid_t gid)
{
    int  rc, err;

    (void) setfsgid(gid);
    (void) setfsuid(uid);

    rc = pipe2(fd, O_CLOEXEC);
    err = errno;

    (void) setfsuid(geteuid());
    (void) setfsgid(getegid());

    errno = err;

    return rc;
}
