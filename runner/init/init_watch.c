
/*
 * Watching a step while it runs.  init polls the step's stdout and
 * stderr pipes, a signalfd for SIGCHLD and a 5 ms tick: output is
 * captured up to the limit (one byte more means "over": stop, kill),
 * and within what is left of the job's output budget, which every step
 * and both streams draw from (one byte more crosses it: stop, kill),
 * wall time is checked on the monotonic clock, CPU time and the
 * program's memory on the counters of init_measure.c.  When the main
 * process exits, or on any limit, every other process in the container
 * is SIGKILLed with kill(-1): init is PID 1 of the container's PID
 * namespace, so that reaches all of them (orphans, setsid()ed daemons,
 * fork bombs in progress) and never init.  It is repeated until wait4
 * says ECHILD, so nothing of a step survives into the next one.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "init_step.h"


#define SBX_WATCH_ALIVE    0             /* children remain */
#define SBX_WATCH_NONE     1             /* ECHILD */

#define SBX_WATCH_AGAIN    0
#define SBX_WATCH_EOF      1
#define SBX_WATCH_OVER     2             /* the stream's limit */
#define SBX_WATCH_BUDGET   3             /* the job's output budget */


static void sbx_watch_stop(sbx_init_proc_t *p, uint64_t now);
static void sbx_watch_output(struct pollfd *pfd, sbx_init_result_t *res,
    size_t cap, uint64_t *left, int all);
static int sbx_watch_reap(sbx_init_proc_t *p);
static int sbx_watch_kill_all(sbx_init_proc_t *p);
static int sbx_watch_read(int *fd, sbx_init_buf_t *b, size_t cap,
    uint64_t *left);
static void sbx_watch_over(sbx_init_result_t *res, int stream, int rc);


static int       sbx_watch_sigfd = -1;
static sigset_t  sbx_watch_sigmask;          /* init's mask: SIGCHLD */


/*
 * SIGCHLD is blocked and read from a signalfd, so a child's exit wakes
 * the poll loop at once instead of at the next tick.
 */

int
sbx_init_watch_setup(void)
{
    sigemptyset(&sbx_watch_sigmask);
    sigaddset(&sbx_watch_sigmask, SIGCHLD);

    if (sigprocmask(SIG_BLOCK, &sbx_watch_sigmask, NULL) == -1) {
        return SBX_INIT_ERROR;
    }

    sbx_watch_sigfd = signalfd(-1, &sbx_watch_sigmask,
                             SFD_NONBLOCK | SFD_CLOEXEC);

    return sbx_watch_sigfd == -1 ? SBX_INIT_ERROR : SBX_INIT_OK;
}


/*
 * Until the main process is reaped or a limit is hit; then every process
 * of the step is killed and the pipes are read to their end and closed.
 */

void
sbx_init_watch(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p)
{
    int            n;
    uint64_t       now, cap, cpu_ns, wall_ns, mem, timeout;
    struct pollfd  pfd[3];

    cap = step->limits->output_kb * 1024;
    cpu_ns = step->limits->cpu_time_ms * 1000000;
    wall_ns = step->limits->wall_time_ms * 1000000;
    mem = step->limits->memory_kb * 1024;

    fcntl(p->out[0], F_SETFL, O_NONBLOCK);
    fcntl(p->err[0], F_SETFL, O_NONBLOCK);

    pfd[0].fd = sbx_watch_sigfd;
    pfd[0].events = POLLIN;
    pfd[1].fd = p->out[0];
    pfd[1].events = POLLIN;
    pfd[2].fd = p->err[0];
    pfd[2].events = POLLIN;

    while (!p->main_done) {

        now = sbx_init_meter_now();

        if (now - p->t0 >= wall_ns) {
            res->wall_limit = 1;
            sbx_watch_stop(p, now);
            break;
        }

        /* wake at the tick, or right at the wall deadline */

        timeout = (wall_ns - (now - p->t0) + 999999) / 1000000;

        n = poll(pfd, 3, timeout < SBX_INIT_TICK_MS ? (int) timeout
                                                     : SBX_INIT_TICK_MS);

        if (n == -1 && errno != EINTR) {
            sbx_init_run_fail(res, "poll");
            sbx_watch_stop(p, sbx_init_meter_now());
            break;
        }

        if (pfd[0].revents) {
            sbx_init_watch_drain();
        }

        sbx_watch_output(pfd, res, cap, step->output_left, 0);

        /* what was kept goes out live too (init_stream.c) */
        sbx_init_stream_output(step, res, 0);

        if (res->output_limit) {
            sbx_watch_stop(p, sbx_init_meter_now());
            break;
        }

        sbx_watch_reap(p);

        if (p->main_done) {
            /* what its other processes hold goes with them: sample it */
            (void) sbx_init_measure_peak(p);
            break;
        }

        if (sbx_init_measure_cpu(p) > cpu_ns) {
            res->cpu_limit = 1;
            sbx_watch_stop(p, sbx_init_meter_now());
            break;
        }

        /*
         * The memory limit is the whole program's: several processes
         * each under it may not hold more than it together.
         */

        if (sbx_init_measure_peak(p) > mem) {
            res->memory_limit = 1;
            sbx_watch_stop(p, sbx_init_meter_now());
            break;
        }
    }

    /* whatever is left of the step goes now */

    if (sbx_watch_kill_all(p) != SBX_INIT_OK) {
        res->failed = 1;
        snprintf(res->message, sizeof(res->message),
                 "processes of the step did not die within %d ms",
                 SBX_INIT_REAP_MS);
    }

    /* every writer is gone: what is still in the pipes is the rest */

    sbx_watch_output(pfd, res, cap, step->output_left, 1);

    sbx_init_stream_output(step, res, 1);

    p->out[0] = -1;
    p->err[0] = -1;
}


void
sbx_init_watch_drain(void)
{
    struct signalfd_siginfo  si[8];

    while (read(sbx_watch_sigfd, si, sizeof(si)) > 0) {
        /* void */
    }
}


/* init stops the step: a limit, or init's own failure */

static void
sbx_watch_stop(sbx_init_proc_t *p, uint64_t now)
{
    p->killed = 1;
    p->end = now;
}


/*
 * Reads stdout (pfd[1]) and stderr (pfd[2]): those that poll found
 * ready, or, when all is set, both to their end, closing them.
 */

static void
sbx_watch_output(struct pollfd *pfd, sbx_init_result_t *res, size_t cap,
    uint64_t *left, int all)
{
    int  i, rc;

    for (i = 1; i < 3; i++) {
        if (pfd[i].fd != -1 && (all || pfd[i].revents)) {
            rc = sbx_watch_read(&pfd[i].fd, i == 1 ? &res->out : &res->err,
                                cap, left);

            if (rc == SBX_WATCH_OVER || rc == SBX_WATCH_BUDGET) {
                sbx_watch_over(res, i, rc);
            }
        }

        if (all && pfd[i].fd != -1) {
            close(pfd[i].fd);
            pfd[i].fd = -1;
        }
    }
}


/*
 * Reaps every child that has exited: the step's main process, and any
 * orphan that was reparented to init.  __WALL also takes children whose
 * exit signal is not SIGCHLD (clone with an odd exit signal), which
 * would otherwise stay zombies forever and hold the step open.
 */

static int
sbx_watch_reap(sbx_init_proc_t *p)
{
    int            status;
    pid_t          pid;
    struct rusage  ru;

    for ( ;; ) {
        pid = wait4(-1, &status, WNOHANG | __WALL, &ru);

        if (pid > 0) {
            if (pid == p->main) {
                p->main_done = 1;
                p->status = status;
                p->main_ru = ru;
                p->end = sbx_init_meter_now();

            } else {
                if (ru.ru_maxrss > p->other_maxrss) {
                    p->other_maxrss = ru.ru_maxrss;
                }

                p->other_cpu += sbx_init_measure_ru_ns(&ru);
            }

            continue;
        }

        if (pid == 0) {
            return SBX_WATCH_ALIVE;
        }

        if (errno == EINTR) {
            continue;
        }

        return SBX_WATCH_NONE;
    }
}


/*
 * kill(-1) from PID 1 of a PID namespace signals every process of that
 * namespace except init.  Processes forked while the signal is being
 * delivered can escape one round, hence the loop; they are init's
 * children once their parents are dead, so ECHILD means all are gone.
 */

static int
sbx_watch_kill_all(sbx_init_proc_t *p)
{
    uint64_t       deadline;
    struct pollfd  pfd;

    deadline = sbx_init_meter_now() + (uint64_t) SBX_INIT_REAP_MS * 1000000;

    pfd.fd = sbx_watch_sigfd;
    pfd.events = POLLIN;

    for ( ;; ) {
        kill(-1, SIGKILL);

        if (sbx_watch_reap(p) == SBX_WATCH_NONE) {
            return SBX_INIT_OK;
        }

        if (sbx_init_meter_now() > deadline) {
            return SBX_INIT_ERROR;
        }

        /* a SIGCHLD, or 1 ms, whichever comes first */

        if (poll(&pfd, 1, 1) > 0) {
            sbx_init_watch_drain();
        }
    }
}


/*
 * Reads what is available into b, keeping at most cap bytes, and no more
 * than *left, what remains of the job's output budget (left NULL: none),
 * which it lowers by what it keeps.  One byte more than either means the
 * stream went over its limit or crossed the budget.  The buffer holds
 * min(cap, *left at the step's start) + 1 bytes (init_spawn.c): all this
 * stream may have taken from the budget plus what is left of it.
 */

static int
sbx_watch_read(int *fd, sbx_init_buf_t *b, size_t cap, uint64_t *left)
{
    int      rc;
    size_t   want, keep;
    ssize_t  n;

    for ( ;; ) {
        want = cap + 1 - b->len;

        if (left != NULL && *left + 1 < want) {
            want = *left + 1;
        }

        n = read(*fd, b->data + b->len, want);

        if (n > 0) {
            keep = n;
            rc = SBX_WATCH_AGAIN;

            if (b->len + keep > cap) {
                keep = cap - b->len;
                rc = SBX_WATCH_OVER;
            }

            if (left != NULL && (uint64_t) n > *left) {
                if (keep > *left) {
                    keep = *left;
                }

                rc = SBX_WATCH_BUDGET;
            }

            b->len += keep;

            if (left != NULL) {
                *left -= keep;
            }

            if (rc != SBX_WATCH_AGAIN) {
                /*
                 * Over: stop reading, but keep the pipe open until the
                 * program is dead, or it would see EPIPE and get to
                 * write about it on the other stream.
                 */
                return rc;
            }

            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1 && errno == EAGAIN) {
            return SBX_WATCH_AGAIN;
        }

        close(*fd);
        *fd = -1;

        return SBX_WATCH_EOF;
    }
}


/* stream 1 is stdout, 2 stderr, as in pfd[] */

static void
sbx_watch_over(sbx_init_result_t *res, int stream, int rc)
{
    res->output_limit = 1;

    if (rc == SBX_WATCH_BUDGET) {
        res->budget_limit = 1;
    }

    if (stream == 1) {
        res->out_truncated = 1;

    } else {
        res->err_truncated = 1;
    }
}
