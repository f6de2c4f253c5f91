
/*
 * One step (the compile or one test) of a sandbox job, and the writing of
 * the job's files.
 *
 * Everything the submitted code does runs in a child that has dropped to
 * the job's uid/gid (checked, not assumed) with fresh rlimits, its own
 * session, stdin a sealed memfd, stdout/stderr pipes to init and no other
 * descriptor.  init never touches the work directory itself: the files
 * are written by such a child too, so no path the program controls is
 * ever opened with init's credentials.
 *
 * While the step runs init polls the pipes, a signalfd for SIGCHLD and a
 * 5 ms tick: output is captured up to the limit (one byte more means
 * "over": stop, kill), wall time is checked on the monotonic clock and
 * CPU time on the cgroup counter (minus init's own CPU), which includes
 * every process of the step.  When the main process exits, or on any
 * limit, every other process in the container is SIGKILLed with
 * kill(-1): init is PID 1 of the container's PID namespace, so that
 * reaches all of them (orphans, setsid()ed daemons, fork bombs in
 * progress) and never init.  It is repeated until wait4 says ECHILD, so
 * nothing of a step survives into the next one.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sbx_base64.h"
#include "init.h"


#define SBX_RUN_ALIVE      0             /* children remain */
#define SBX_RUN_NONE       1             /* ECHILD */

#define SBX_RUN_AGAIN      0
#define SBX_RUN_EOF        1
#define SBX_RUN_OVER       2

#define SBX_RUN_REPORT_FD  3             /* the child's exec error pipe */


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


static const char  *sbx_run_stages[] = {
    "", "file descriptors", "setrlimit", "setgroups", "setgid", "setuid",
    "credential check", "chdir", "exec"
};


typedef struct {
    int                stage;
    int                err;
} sbx_run_report_t;


typedef struct {
    pid_t              main;
    unsigned           main_done:1;
    int                status;
    uint64_t           end;                 /* when main was reaped */
    struct rusage      main_ru;
    long               other_maxrss;        /* reaped orphans */
    uint64_t           other_cpu;
} sbx_run_wait_t;


static void sbx_run_child(sbx_init_step_t *step, int in, int out, int err,
    int report) __attribute__((noreturn));
static int sbx_run_limits(sbx_init_limits_t *l);
static int sbx_run_setrlimit(int resource, uint64_t cur, uint64_t max);
static int sbx_run_drop(uid_t uid, gid_t gid);
static void sbx_run_oom_adj(void);
static int sbx_run_stdin(sbx_init_step_t *step);
static int sbx_run_pipe(int fd[2], uid_t uid, gid_t gid);
static int sbx_run_reap(sbx_run_wait_t *w);
static int sbx_run_kill_all(sbx_run_wait_t *w);
static int sbx_run_read(int *fd, sbx_init_buf_t *b, size_t cap);
static void sbx_run_over(sbx_init_result_t *res, int stream);
static void sbx_run_drain_sigfd(void);
static uint64_t sbx_run_cpu(sbx_run_wait_t *w, int cg, uint64_t cg0,
    uint64_t self0, clockid_t *clk);
static uint64_t sbx_run_ru_ns(struct rusage *ru);
static void sbx_run_fail(sbx_init_result_t *res, const char *what);


static int       sbx_run_sigfd = -1;
static sigset_t  sbx_run_sigmask;            /* init's mask: SIGCHLD */


/*
 * SIGCHLD is blocked and read from a signalfd, so a child's exit wakes
 * the poll loop at once instead of at the next tick.
 */

int
sbx_init_run_setup(void)
{
    sigemptyset(&sbx_run_sigmask);
    sigaddset(&sbx_run_sigmask, SIGCHLD);

    if (sigprocmask(SIG_BLOCK, &sbx_run_sigmask, NULL) == -1) {
        return SBX_INIT_ERROR;
    }

    sbx_run_sigfd = signalfd(-1, &sbx_run_sigmask,
                             SFD_NONBLOCK | SFD_CLOEXEC);

    return sbx_run_sigfd == -1 ? SBX_INIT_ERROR : SBX_INIT_OK;
}


int
sbx_init_run_step(sbx_init_step_t *step, sbx_init_result_t *res)
{
    int                i, in, out[2], err[2], rep[2], cg, killed;
    pid_t              pid;
    ssize_t            n;
    uint64_t           t0, now, cg0, cg1, self0, oom0, oom1, cpu, cap;
    uint64_t           cpu_ns, wall_ns, hard, timeout, anon0, anon, peak;
    uint64_t           mem;
    clockid_t          clk, *pclk;
    struct pollfd      pfd[3];
    sbx_run_wait_t     w;
    sbx_run_report_t   report;

    memset(res, 0, sizeof(sbx_init_result_t));
    memset(&w, 0, sizeof(sbx_run_wait_t));

    out[0] = out[1] = err[0] = err[1] = rep[0] = rep[1] = -1;

    cap = step->limits->output_kb * 1024;
    cpu_ns = step->limits->cpu_time_ms * 1000000;
    wall_ns = step->limits->wall_time_ms * 1000000;
    mem = step->limits->memory_kb * 1024;
    peak = 0;

    in = sbx_run_stdin(step);

    if (in == -1) {
        sbx_run_fail(res, "stdin memfd");
        return SBX_INIT_ERROR;
    }

    if (sbx_run_pipe(out, step->uid, step->gid) == -1
        || sbx_run_pipe(err, step->uid, step->gid) == -1
        || pipe2(rep, O_CLOEXEC) == -1)
    {
        sbx_run_fail(res, "pipe");
        goto failed;
    }

    if (sbx_init_buf_reserve(&res->out, cap + 1) != SBX_INIT_OK
        || sbx_init_buf_reserve(&res->err, cap + 1) != SBX_INIT_OK)
    {
        sbx_run_fail(res, "output buffer");
        goto failed;
    }

    /* give back what the last step's bookkeeping left in the heap */

    malloc_trim(0);

    sbx_run_drain_sigfd();

    cg = sbx_init_meter_cpu(&cg0) == SBX_INIT_OK;

    if (sbx_init_meter_oom(&oom0) != SBX_INIT_OK) {
        oom0 = UINT64_MAX;
    }

    /* init's own anonymous memory; the rest is the program's */

    if (sbx_init_meter_anon(&anon0) != SBX_INIT_OK) {
        anon0 = UINT64_MAX;
    }

    self0 = sbx_init_meter_self();
    t0 = sbx_init_meter_now();

    pid = fork();

    if (pid == -1) {
        sbx_run_fail(res, "fork");
        goto failed;
    }

    if (pid == 0) {
        sbx_run_child(step, in, out[1], err[1], rep[1]);
    }

    w.main = pid;

    close(in);
    close(out[1]);
    close(err[1]);
    close(rep[1]);
    in = out[1] = err[1] = rep[1] = -1;

    /* the pipe closes at a successful exec (O_CLOEXEC) or at _exit */

    do {
        n = read(rep[0], &report, sizeof(report));
    } while (n == -1 && errno == EINTR);

    close(rep[0]);
    rep[0] = -1;

    if (n == sizeof(report)) {

        /*
         * chdir and exec depend on the work directory, which the program
         * owns (a test may remove its binary or chmod the directory):
         * that fails the step, not init.
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
                     report.stage > 0 && report.stage < SBX_STAGE_CHDIR
                     ? sbx_run_stages[report.stage] : "setup",
                     strerror(report.err));
        }
    }

    pclk = clock_getcpuclockid(pid, &clk) == 0 ? &clk : NULL;

    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);

    pfd[0].fd = sbx_run_sigfd;
    pfd[0].events = POLLIN;
    pfd[1].fd = out[0];
    pfd[1].events = POLLIN;
    pfd[2].fd = err[0];
    pfd[2].events = POLLIN;

    killed = 0;

    while (!w.main_done) {

        now = sbx_init_meter_now();

        if (now - t0 >= wall_ns) {
            res->wall_limit = 1;
            killed = 1;
            w.end = now;
            break;
        }

        /* wake at the tick, or right at the wall deadline */

        timeout = (wall_ns - (now - t0) + 999999) / 1000000;

        n = poll(pfd, 3, timeout < SBX_INIT_TICK_MS ? (int) timeout
                                                     : SBX_INIT_TICK_MS);

        if (n == -1 && errno != EINTR) {
            sbx_run_fail(res, "poll");
            killed = 1;
            w.end = sbx_init_meter_now();
            break;
        }

        if (pfd[0].revents) {
            sbx_run_drain_sigfd();
        }

        for (i = 1; i < 3; i++) {
            if (pfd[i].fd != -1 && pfd[i].revents) {
                if (sbx_run_read(&pfd[i].fd, i == 1 ? &res->out : &res->err,
                                 cap)
                    == SBX_RUN_OVER)
                {
                    sbx_run_over(res, i);
                }
            }
        }

        if (res->output_limit) {
            killed = 1;
            w.end = sbx_init_meter_now();
            break;
        }

        sbx_run_reap(&w);

        if (w.main_done) {
            break;
        }

        cpu = sbx_run_cpu(&w, cg, cg0, self0, pclk);

        if (cpu > cpu_ns) {
            res->cpu_limit = 1;
            killed = 1;
            w.end = sbx_init_meter_now();
            break;
        }

        /*
         * The memory limit is the whole program's: several processes
         * each under it may not hold more than it together.
         */

        if (anon0 != UINT64_MAX && sbx_init_meter_anon(&anon) == SBX_INIT_OK
            && anon > anon0)
        {
            if (anon - anon0 > peak) {
                peak = anon - anon0;
            }

            if (peak > mem) {
                res->memory_limit = 1;
                killed = 1;
                w.end = sbx_init_meter_now();
                break;
            }
        }
    }

    /* whatever is left of the step goes now */

    if (sbx_run_kill_all(&w) != SBX_INIT_OK) {
        res->failed = 1;
        snprintf(res->message, sizeof(res->message),
                 "processes of the step did not die within %d ms",
                 SBX_INIT_REAP_MS);
    }

    /* every writer is gone: what is still in the pipes is the rest */

    for (i = 1; i < 3; i++) {
        if (pfd[i].fd != -1
            && sbx_run_read(&pfd[i].fd, i == 1 ? &res->out : &res->err,
                            cap)
               == SBX_RUN_OVER)
        {
            sbx_run_over(res, i);
        }

        if (pfd[i].fd != -1) {
            close(pfd[i].fd);
            pfd[i].fd = -1;
        }
    }

    /* measure */

    if (cg && sbx_init_meter_cpu(&cg1) == SBX_INIT_OK) {
        cpu = cg1 - cg0;
        now = sbx_init_meter_self() - self0;
        cpu = cpu > now ? cpu - now : 0;

    } else {
        cpu = sbx_run_ru_ns(&w.main_ru) + w.other_cpu;
    }

    if (!w.main_done) {
        /* only when reaping failed; nothing reliable to report */
        w.end = sbx_init_meter_now();
    }

    res->time_ms = cpu / 1000000;
    res->wall_time_ms = (w.end - t0) / 1000000;
    res->memory_kb = w.main_ru.ru_maxrss > w.other_maxrss
                     ? w.main_ru.ru_maxrss : w.other_maxrss;

    /* the sampled sum over processes, when it says more */

    if (peak / 1024 > res->memory_kb) {
        res->memory_kb = peak / 1024;
    }

    if (res->failed || res->exec_failed) {
        /* the status is the child's _exit(127), not the program's */

    } else if (w.main_done && WIFEXITED(w.status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(w.status);

    } else if (w.main_done && WIFSIGNALED(w.status)) {
        res->signo = WTERMSIG(w.status);
    }

    /*
     * The verdict follows the numbers, so a step that ends a little
     * after its limit between two ticks is judged like one that was
     * stopped.  SIGXCPU, and a SIGKILL past the RLIMIT_CPU hard limit,
     * are the kernel's own CPU verdicts.
     */

    hard = (step->limits->cpu_time_ms + 999) / 1000 + 2;

    if (cpu > cpu_ns || res->signo == SIGXCPU
        || (res->signo == SIGKILL && !killed
            && sbx_run_ru_ns(&w.main_ru) >= hard * 1000000000))
    {
        res->cpu_limit = 1;
    }

    if (w.end - t0 > wall_ns) {
        res->wall_limit = 1;
    }

    if (oom0 != UINT64_MAX && sbx_init_meter_oom(&oom1) == SBX_INIT_OK
        && oom1 > oom0)
    {
        res->memory_limit = 1;
    }

    if (res->memory_kb > step->limits->memory_kb) {
        res->memory_limit = 1;
    }

    return res->failed ? SBX_INIT_ERROR : SBX_INIT_OK;

failed:

    res->failed = 1;

    if (in != -1) {
        close(in);
    }

    for (i = 0; i < 2; i++) {
        if (out[i] != -1) {
            close(out[i]);
        }

        if (err[i] != -1) {
            close(err[i]);
        }

        if (rep[i] != -1) {
            close(rep[i]);
        }
    }

    return SBX_INIT_ERROR;
}


void
sbx_init_result_free(sbx_init_result_t *res)
{
    sbx_init_buf_free(&res->out);
    sbx_init_buf_free(&res->err);
}


/*
 * The file writer: a child with the program's credentials decodes each
 * file from the payload and creates it with O_CREAT | O_EXCL |
 * O_NOFOLLOW, one directory level at most, so a name can neither follow
 * nor replace anything that already exists.
 */

int
sbx_init_write_files(sbx_init_job_t *job, char *err, size_t size)
{
    int       p[2], wfd, dfd, fd, status;
    char      dir[SBX_INIT_MAX_PATH + 1], msg[256], *slash;
    pid_t     pid;
    size_t    i;
    u_char   *data;
    ssize_t   n, len;

    if (pipe2(p, O_CLOEXEC) == -1) {
        snprintf(err, size, "files: pipe: %s", strerror(errno));
        return SBX_INIT_ERROR;
    }

    pid = fork();

    if (pid == -1) {
        snprintf(err, size, "files: fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return SBX_INIT_ERROR;
    }

    if (pid == 0) {
        close(p[0]);

#define sbx_run_writer_fail(...)                                            \
        do {                                                                \
            n = snprintf(msg, sizeof(msg), __VA_ARGS__);                    \
            sbx_write_all(p[1], msg, n < (ssize_t) sizeof(msg)          \
                                         ? (size_t) n : sizeof(msg) - 1);   \
            _exit(1);                                                       \
        } while (0)

        status = sbx_run_drop(job->uid, job->gid);

        if (status != 0) {
            sbx_run_writer_fail("files: %s: %s", sbx_run_stages[status],
                                strerror(errno));
        }

        wfd = open(job->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (wfd == -1) {
            sbx_run_writer_fail("files: %s: %s", job->workdir,
                                strerror(errno));
        }

        for (i = 0; i < job->nfiles; i++) {
            dfd = wfd;

            slash = strchr(job->files[i].name, '/');

            if (slash) {
                memcpy(dir, job->files[i].name, slash - job->files[i].name);
                dir[slash - job->files[i].name] = '\0';

                if (mkdirat(wfd, dir, 0755) == -1 && errno != EEXIST) {
                    sbx_run_writer_fail("files: mkdir %s: %s", dir,
                                        strerror(errno));
                }

                dfd = openat(wfd, dir,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                             | O_CLOEXEC);

                if (dfd == -1) {
                    sbx_run_writer_fail("files: %s: %s", dir,
                                        strerror(errno));
                }
            }

            fd = openat(dfd, slash ? slash + 1 : job->files[i].name,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0644);

            if (fd == -1) {
                sbx_run_writer_fail("files: %s: %s", job->files[i].name,
                                    strerror(errno));
            }

            data = malloc(sbx_base64_decoded_len(job->files[i].len) + 1);

            if (data == NULL) {
                sbx_run_writer_fail("files: out of memory");
            }

            len = sbx_base64_decode(data, job->files[i].data,
                                    job->files[i].len);

            if (len < 0 || sbx_write_all(fd, data, len) != len
                || close(fd) == -1)
            {
                sbx_run_writer_fail("files: %s: %s", job->files[i].name,
                                    len < 0 ? "bad base64"
                                            : strerror(errno));
            }

            free(data);

            if (dfd != wfd) {
                close(dfd);
            }
        }

        _exit(0);

#undef sbx_run_writer_fail
    }

    close(p[1]);

    do {
        n = read(p[0], msg, sizeof(msg) - 1);
    } while (n == -1 && errno == EINTR);

    close(p[0]);

    while (waitpid(pid, &status, __WALL) == -1) {
        if (errno != EINTR) {
            snprintf(err, size, "files: waitpid: %s", strerror(errno));
            return SBX_INIT_ERROR;
        }
    }

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return SBX_INIT_OK;
    }

    if (n > 0) {
        msg[n] = '\0';
        snprintf(err, size, "%s", msg);

    } else {
        snprintf(err, size, "files: writer died (status %d)", status);
    }

    return SBX_INIT_ERROR;
}


/*
 * The child between fork and exec.  init is single-threaded, so any libc
 * call is safe here; nothing is allocated anyway.  A failure is reported
 * through the CLOEXEC pipe, which the parent reads right after fork.
 */

static void
sbx_run_child(sbx_init_step_t *step, int in, int out, int err, int report)
{
    int               rc;
    sigset_t          none;
    sbx_run_report_t  r;

    extern char     **environ;

    r.stage = 0;

    /* undo init's signal state: a blocked or ignored signal survives exec */

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    setsid();

    /* the program, not init, is the one the OOM killer should pick */

    sbx_run_oom_adj();

    /*
     * 0, 1, 2 are open in init (Docker's), so every descriptor made for
     * the step is >= 3 and the dups below cannot clobber each other.
     */

    if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1
        || (report != SBX_RUN_REPORT_FD
            && dup3(report, SBX_RUN_REPORT_FD, O_CLOEXEC) == -1))
    {
        r.stage = SBX_STAGE_FDS;
        goto fail;
    }

    report = SBX_RUN_REPORT_FD;

    if (close_range(SBX_RUN_REPORT_FD + 1, ~0U, 0) == -1) {
        for (rc = SBX_RUN_REPORT_FD + 1; rc < 65536; rc++) {
            close(rc);
        }
    }

    if (sbx_run_limits(step->limits) != 0) {
        r.stage = SBX_STAGE_LIMITS;
        goto fail;
    }

    rc = sbx_run_drop(step->uid, step->gid);

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
sbx_run_limits(sbx_init_limits_t *l)
{
    uint64_t  cpu, stack;

    cpu = (l->cpu_time_ms + 999) / 1000 + 1;
    stack = l->memory_kb * 1024;

    if (stack > SBX_INIT_MAX_STACK) {
        stack = SBX_INIT_MAX_STACK;
    }

    if (sbx_run_setrlimit(RLIMIT_CPU, cpu, cpu + 1) != 0
        || sbx_run_setrlimit(RLIMIT_FSIZE, l->file_size_kb * 1024,
                             l->file_size_kb * 1024) != 0
        || sbx_run_setrlimit(RLIMIT_NPROC, l->processes, l->processes) != 0
        || sbx_run_setrlimit(RLIMIT_CORE, 0, 0) != 0
        || sbx_run_setrlimit(RLIMIT_NOFILE, SBX_INIT_NOFILE,
                             SBX_INIT_NOFILE) != 0
        || sbx_run_setrlimit(RLIMIT_STACK, stack, stack) != 0)
    {
        return -1;
    }

    return 0;
}


/* Never above the container's hard limit: only root could raise it. */

static int
sbx_run_setrlimit(int resource, uint64_t cur, uint64_t max)
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
 * Drops to uid/gid for good and proves it: all three ids of each kind,
 * no supplementary groups, no capability left, and no way back to 0.
 * Returns 0 or the failing stage.
 */

static int
sbx_run_drop(uid_t uid, gid_t gid)
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


/*
 * Best effort: without /proc the OOM killer picks by size alone.  The
 * program may lower it again (that needs no privilege); if it then gets
 * init killed, the runner still reports memory_limit_exceeded.
 */

static void
sbx_run_oom_adj(void)
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
sbx_run_stdin(sbx_init_step_t *step)
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
sbx_run_pipe(int fd[2], uid_t uid, gid_t gid)
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


/*
 * Reaps every child that has exited: the step's main process, and any
 * orphan that was reparented to init.  __WALL also takes children whose
 * exit signal is not SIGCHLD (clone with an odd exit signal), which
 * would otherwise stay zombies forever and hold the step open.
 */

static int
sbx_run_reap(sbx_run_wait_t *w)
{
    int            status;
    pid_t          pid;
    struct rusage  ru;

    for ( ;; ) {
        pid = wait4(-1, &status, WNOHANG | __WALL, &ru);

        if (pid > 0) {
            if (pid == w->main) {
                w->main_done = 1;
                w->status = status;
                w->main_ru = ru;
                w->end = sbx_init_meter_now();

            } else {
                if (ru.ru_maxrss > w->other_maxrss) {
                    w->other_maxrss = ru.ru_maxrss;
                }

                w->other_cpu += sbx_run_ru_ns(&ru);
            }

            continue;
        }

        if (pid == 0) {
            return SBX_RUN_ALIVE;
        }

        if (errno == EINTR) {
            continue;
        }

        return SBX_RUN_NONE;
    }
}


/*
 * kill(-1) from PID 1 of a PID namespace signals every process of that
 * namespace except init.  Processes forked while the signal is being
 * delivered can escape one round, hence the loop; they are init's
 * children once their parents are dead, so ECHILD means all are gone.
 */

static int
sbx_run_kill_all(sbx_run_wait_t *w)
{
    uint64_t       deadline;
    struct pollfd  pfd;

    deadline = sbx_init_meter_now() + (uint64_t) SBX_INIT_REAP_MS * 1000000;

    pfd.fd = sbx_run_sigfd;
    pfd.events = POLLIN;

    for ( ;; ) {
        kill(-1, SIGKILL);

        if (sbx_run_reap(w) == SBX_RUN_NONE) {
            return SBX_INIT_OK;
        }

        if (sbx_init_meter_now() > deadline) {
            return SBX_INIT_ERROR;
        }

        /* a SIGCHLD, or 1 ms, whichever comes first */

        if (poll(&pfd, 1, 1) > 0) {
            sbx_run_drain_sigfd();
        }
    }
}


/*
 * Reads what is available into b, keeping at most cap bytes; one byte
 * more means the stream went over its limit, and the descriptor is
 * closed either way when that happens or at EOF.
 */

static int
sbx_run_read(int *fd, sbx_init_buf_t *b, size_t cap)
{
    ssize_t  n;

    for ( ;; ) {
        n = read(*fd, b->data + b->len, cap + 1 - b->len);

        if (n > 0) {
            b->len += n;

            if (b->len > cap) {
                /*
                 * Over the limit: stop reading, but keep the pipe open
                 * until the program is dead, or it would see EPIPE and
                 * get to write about it on the other stream.
                 */
                b->len = cap;
                return SBX_RUN_OVER;
            }

            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1 && errno == EAGAIN) {
            return SBX_RUN_AGAIN;
        }

        close(*fd);
        *fd = -1;

        return SBX_RUN_EOF;
    }
}


/* stream 1 is stdout, 2 stderr, as in pfd[] */

static void
sbx_run_over(sbx_init_result_t *res, int stream)
{
    res->output_limit = 1;

    if (stream == 1) {
        res->out_truncated = 1;

    } else {
        res->err_truncated = 1;
    }
}


static void
sbx_run_drain_sigfd(void)
{
    struct signalfd_siginfo  si[8];

    while (read(sbx_run_sigfd, si, sizeof(si)) > 0) {
        /* void */
    }
}


/*
 * CPU used by the step so far: the cgroup's counter since the fork minus
 * what init itself spent meanwhile; without a cgroup, the main process's
 * CPU clock (its threads) plus the reaped orphans.
 */

static uint64_t
sbx_run_cpu(sbx_run_wait_t *w, int cg, uint64_t cg0, uint64_t self0,
    clockid_t *clk)
{
    uint64_t         now, self;
    struct timespec  ts;

    if (cg && sbx_init_meter_cpu(&now) == SBX_INIT_OK) {
        self = sbx_init_meter_self() - self0;
        now -= cg0;

        return now > self ? now - self : 0;
    }

    now = w->other_cpu;

    if (w->main_done) {
        now += sbx_run_ru_ns(&w->main_ru);

    } else if (clk && clock_gettime(*clk, &ts) == 0) {
        now += (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
    }

    return now;
}


static uint64_t
sbx_run_ru_ns(struct rusage *ru)
{
    return ((uint64_t) ru->ru_utime.tv_sec + ru->ru_stime.tv_sec)
           * 1000000000
           + ((uint64_t) ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000;
}


static void
sbx_run_fail(sbx_init_result_t *res, const char *what)
{
    res->failed = 1;
    snprintf(res->message, sizeof(res->message), "%s: %s", what,
             strerror(errno));
}

