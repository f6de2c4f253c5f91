
/*
 * One step (the compile or one test) of a sandbox job, in three parts:
 *
 * - spawn (init_spawn.c): a child that has dropped to the job's uid/gid
 *   (checked, not assumed) with fresh rlimits, its own session, stdin a
 *   sealed memfd, stdout/stderr pipes to init and no other descriptor;
 * - watch (init_watch.c): init polls the pipes, a signalfd for SIGCHLD
 *   and a 5 ms tick, captures output up to the limit, stops the step on
 *   any limit and, when the main process exits or a limit is hit,
 *   SIGKILLs every other process of the container with kill(-1) until
 *   wait4 says ECHILD, so nothing of a step survives into the next one;
 * - measure (init_measure.c): CPU on the cgroup counter (minus init's
 *   own), wall time on the monotonic clock, memory from the cgroup and
 *   rusage, and the limit flags that follow from those numbers.
 *
 * The counters are read right before the fork, after everything that
 * allocates, so that init's own work is not the program's.
 */


#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init_step.h"


int
sbx_init_run_step(sbx_init_step_t *step, sbx_init_result_t *res)
{
    sbx_init_proc_t  p;

    memset(res, 0, sizeof(sbx_init_result_t));

    if (sbx_init_spawn_prepare(step, res, &p) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    sbx_init_watch_drain();
    sbx_init_measure_start(&p);

    if (sbx_init_spawn(step, res, &p) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    sbx_init_measure_attach(&p);
    sbx_init_watch(step, res, &p);
    sbx_init_measure(step, res, &p);

    return res->failed ? SBX_INIT_ERROR : SBX_INIT_OK;
}


void
sbx_init_result_free(sbx_init_result_t *res)
{
    sbx_init_buf_free(&res->out);
    sbx_init_buf_free(&res->err);
}


/* init's own failure, with errno. */

void
sbx_init_run_fail(sbx_init_result_t *res, const char *what)
{
    res->failed = 1;
    snprintf(res->message, sizeof(res->message), "%s: %s", what,
             strerror(errno));
}
