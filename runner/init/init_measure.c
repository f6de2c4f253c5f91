
/*
 * Measuring a step: the counters read right before the fork, the
 * samples init_watch.c enforces the limits on while the step runs, and
 * the final numbers and limit flags once every process of the step is
 * gone.  The counters themselves are init_meter.c's.
 *
 * CPU is the cgroup's counter since the fork minus what init itself
 * spent meanwhile, which includes every process of the step; without a
 * cgroup, the main process's CPU clock while it runs and rusage once it
 * is reaped, plus the reaped orphans.
 *
 * Memory is the larger of the peak RSS of any one process and the peak
 * of the samples of everything the container holds (init_meter.c:
 * anonymous and shared memory, tmpfs files included) less init's own
 * resident memory.  Samples are taken every tick, when the main process
 * has exited (before the rest are killed) and once the step is over
 * (tmpfs files outlive their writers).  What lives between two ticks
 * and is never mapped may be missed by the samples; the cgroup's limit
 * is the wall behind them, and an OOM kill in the cgroup is a memory
 * verdict of its own: the step then held what the wall left it, which
 * is what memory_kb says when it is more than the samples saw.
 */


#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "init_step.h"


/* Right before the fork, after everything that allocates. */

void
sbx_init_measure_start(sbx_init_proc_t *p)
{
    p->cg = sbx_init_meter_cpu(&p->cg0) == SBX_INIT_OK;

    if (sbx_init_meter_oom(&p->oom0) != SBX_INIT_OK) {
        p->oom0 = UINT64_MAX;
    }

    p->self0 = sbx_init_meter_self();
    p->t0 = sbx_init_meter_now();
}


/* The main process's CPU clock, for when there is no cgroup counter. */

void
sbx_init_measure_attach(sbx_init_proc_t *p)
{
    p->pclk = clock_getcpuclockid(p->main, &p->clk) == 0 ? &p->clk : NULL;
}


/* CPU used by the step so far, in ns. */

uint64_t
sbx_init_measure_cpu(sbx_init_proc_t *p)
{
    uint64_t         now, self;
    struct timespec  ts;

    if (p->cg && sbx_init_meter_cpu(&now) == SBX_INIT_OK) {
        self = sbx_init_meter_self() - p->self0;
        now -= p->cg0;

        return now > self ? now - self : 0;
    }

    now = p->other_cpu;

    if (p->main_done) {
        now += sbx_init_measure_ru_ns(&p->main_ru);

    } else if (p->pclk && clock_gettime(*p->pclk, &ts) == 0) {
        now += (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
    }

    return now;
}


/*
 * The program's memory at its highest so far, in bytes: what the
 * container holds now less init's own share, when that is more.
 */

uint64_t
sbx_init_measure_peak(sbx_init_proc_t *p)
{
    uint64_t  all, mine;

    if (sbx_init_meter_mem(&all) == SBX_INIT_OK
        && sbx_init_meter_mine(&mine) == SBX_INIT_OK
        && all > mine && all - mine > p->peak)
    {
        p->peak = all - mine;
    }

    return p->peak;
}


uint64_t
sbx_init_measure_ru_ns(struct rusage *ru)
{
    return ((uint64_t) ru->ru_utime.tv_sec + ru->ru_stime.tv_sec)
           * 1000000000
           + ((uint64_t) ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000;
}


/* The step's numbers, its exit, and the limits they went over. */

void
sbx_init_measure(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p)
{
    uint64_t  cpu, cg1, self, oom1, wall, mine;

    if (p->cg && sbx_init_meter_cpu(&cg1) == SBX_INIT_OK) {
        cpu = cg1 - p->cg0;
        self = sbx_init_meter_self() - p->self0;
        cpu = cpu > self ? cpu - self : 0;

    } else {
        cpu = sbx_init_measure_ru_ns(&p->main_ru) + p->other_cpu;
    }

    if (!p->main_done) {
        /* only when reaping failed; nothing reliable to report */
        p->end = sbx_init_meter_now();
    }

    res->time_ms = cpu / 1000000;
    res->wall_time_ms = (p->end - p->t0) / 1000000;
    res->start_ns = p->t0;
    res->end_ns = p->end;
    res->memory_kb = p->main_ru.ru_maxrss > p->other_maxrss
                     ? p->main_ru.ru_maxrss : p->other_maxrss;

    /* what the step left in tmpfs counts too: the last sample */

    sbx_init_measure_peak(p);

    /* the sampled sum over processes, when it says more */

    if (p->peak / 1024 > res->memory_kb) {
        res->memory_kb = p->peak / 1024;
    }

    if (res->failed || res->exec_failed) {
        /* the status is the child's _exit(127), not the program's */

    } else if (p->main_done && WIFEXITED(p->status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(p->status);

    } else if (p->main_done && WIFSIGNALED(p->status)) {
        res->signo = WTERMSIG(p->status);
    }

    /*
     * The verdict follows the numbers, so a step that ends a little
     * after its limit between two ticks is judged like one that was
     * stopped.  Only the numbers: a SIGXCPU or SIGKILL the program sent
     * itself is no CPU verdict.  When RLIMIT_CPU's own signals come (at
     * ceil(limit) + 1 s and a second later) the counter is past the limit
     * anyway, as it counts every process of the step.
     */

    if (cpu > step->limits->cpu_time_ms * 1000000) {
        res->cpu_limit = 1;
    }

    if (p->end - p->t0 > step->limits->wall_time_ms * 1000000) {
        res->wall_limit = 1;
    }

    if (p->oom0 != UINT64_MAX && sbx_init_meter_oom(&oom1) == SBX_INIT_OK
        && oom1 > p->oom0)
    {
        res->memory_limit = 1;

        /* the program filled what the wall left it, faster than a tick */

        if (sbx_init_meter_wall(&wall) == SBX_INIT_OK
            && sbx_init_meter_mine(&mine) == SBX_INIT_OK
            && wall > mine && (wall - mine) / 1024 > res->memory_kb)
        {
            res->memory_kb = (wall - mine) / 1024;
        }
    }

    if (res->memory_kb > step->limits->memory_kb) {
        res->memory_limit = 1;
    }
}
