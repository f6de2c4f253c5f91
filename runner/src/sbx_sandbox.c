
/*
 * The sandbox: runs one job in one fresh container, used once.  This
 * file is the thin orchestration: it takes a box (sbx_box.c), hands the
 * job to sandbox-init in it (sbx_handover.c), reads the result and
 * releases the box; it also sizes the containers, and is what the rest
 * of the runner calls at start-up, shutdown and for the sweep.
 *
 * Boxes.  A job takes a warm box when the pool (sbx_warm.c) has one for
 * its language, made with the language's defaults, and grows it if the
 * job needs more; else it makes a box to measure.  Either way the box
 * serves this one job and is thrown away.
 *
 * Limits.  The container is created with the larger of the compile and
 * run limits (memory, pids), because one cgroup serves both steps.  For
 * compiled languages init pauses after compiling; the runner then lowers
 * the container's memory and pids to the run limits and lets it go on, so
 * the program never runs under the compiler's allowance.  The cgroup is
 * the hard wall; init measures and gives the verdict.  The wall is the
 * limit plus init's allowance only: tmpfs files and shared memory are
 * the program's and count inside its limit (init_meter.c), so the wall
 * leaves them no room of their own.
 *
 * Locking: none of its own.  What boxes share is guarded in sbx_box.c;
 * a box taken here belongs to this worker until it is released.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_box.h"
#include "sbx_boxdir.h"
#include "sbx_handover.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_sandbox.h"
#include "sbx_warm.h"


/*
 * init's allowance in the container's cgroup, on top of the program's
 * limits (README, "Security"): memory for init itself, plus the tests'
 * data and the result it holds (sbx_sandbox_memory_kb); pids for init
 * and the step's child between fork and exec.
 */
#define SBX_SANDBOX_INIT_KB     (16 * 1024)
#define SBX_SANDBOX_INIT_PIDS   8


static sbx_box_t *sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job,
    char *err, size_t size);
static int sbx_sandbox_fit(sbx_box_t *box, char *err, size_t size);
static int sbx_sandbox_run_phase(sbx_box_t *box, char *err, size_t size);
static int64_t sbx_sandbox_memory_kb(sbx_lang_t *lang,
    const sbx_limits_t *run, const sbx_limits_t *compile,
    size_t data_bytes, size_t cap);
static int64_t sbx_sandbox_pids(sbx_lang_t *lang, const sbx_limits_t *run,
    const sbx_limits_t *compile);
static void sbx_sandbox_need(sbx_job_t *job, size_t cap, int64_t *memory_kb,
    int64_t *pids);


int
sbx_sandbox_init(void)
{
    if (sbx_box_init() != SBX_OK || sbx_boxdir_init() != SBX_OK) {
        return SBX_ERROR;
    }

    return SBX_OK;
}


void
sbx_sandbox_drain(void)
{
    sbx_box_drain();
}


void
sbx_sandbox_cleanup(void)
{
    sbx_box_cleanup();
    sbx_boxdir_cleanup();
}


json_t *
sbx_sandbox_run(sbx_docker_t *d, sbx_job_t *job, char *err, size_t size)
{
    json_t      *result;
    sbx_box_t   *box;
    sbx_msec_t   t;

    box = sbx_sandbox_get(d, job, err, size);

    if (box == NULL) {
        return NULL;
    }

    box->docker = d;
    result = NULL;

    t = sbx_monotonic_msec();

    /* a job cancelled while its box was made does not run */

    if (sbx_box_assign(box, job) == SBX_OK
        && sbx_sandbox_fit(box, err, size) == SBX_OK
        && sbx_handover_send(box, err, size) == SBX_OK
        && sbx_sandbox_run_phase(box, err, size) == SBX_OK)
    {
        result = sbx_handover_result(box, err, size);
    }

    sbx_metrics_observe(SBX_METRIC_RUN, sbx_monotonic_msec() - t);

    sbx_box_release(box);

    return result;
}


int
sbx_sandbox_sweep(sbx_docker_t *d, int startup)
{
    if (sbx_box_sweep(d) != SBX_OK) {
        return SBX_ERROR;
    }

    if (startup) {
        sbx_boxdir_sweep();
    }

    return SBX_OK;
}


void
sbx_sandbox_abort(sbx_docker_t *d)
{
    sbx_box_abort(d);
}


int
sbx_sandbox_aborting(void)
{
    return sbx_box_aborting();
}


void
sbx_sandbox_cancel(sbx_job_t *job)
{
    sbx_box_cancel(job);
}


size_t
sbx_sandbox_cap(sbx_lang_t *lang, int64_t output_kb, size_t ntests,
    size_t budget)
{
    size_t  out;

    /*
     * The most bytes init's result can take: base64 outputs, framing.
     * init keeps no more output than the job's budget, the compiler's
     * included, whatever the tests' own limits would allow.
     */

    out = 2 * (size_t) output_kb * 1024 * ntests;

    if (lang->compile != NULL) {
        out += 2 * (size_t) lang->compile_limits.v[SBX_LIMIT_OUTPUT] * 1024;
    }

    out = sbx_min(out, budget);

    return sbx_base64_encoded_len(out) + 1024 * (ntests + 64);
}


int64_t
sbx_sandbox_default_memory_kb(sbx_lang_t *lang, size_t cap)
{
    return sbx_sandbox_memory_kb(lang, &lang->defaults, &lang->compile_limits,
                                 0, cap);
}


int64_t
sbx_sandbox_default_pids(sbx_lang_t *lang)
{
    return sbx_sandbox_pids(lang, &lang->defaults, &lang->compile_limits);
}


/*
 * A box for the job: a warm one that is still waiting (init holds the
 * FIFO open: a writer can open it), else a new one made to measure.
 */

static sbx_box_t *
sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job, char *err, size_t size)
{
    size_t      cap;
    int64_t     mem, pids;
    sbx_box_t  *box;

    cap = sbx_sandbox_cap(job->lang, job->run.v[SBX_LIMIT_OUTPUT],
                          job->ntests, job->output_budget);

    while ((box = sbx_warm_take(job->lang, cap)) != NULL) {
        box->warm = 1;

        if (sbx_handover_open(box, 0) == SBX_OK) {
            return box;
        }

        sbx_log_warn("warm container %.12s is gone; another one",
                     box->id);
        sbx_box_release(box);
    }

    sbx_sandbox_need(job, cap, &mem, &pids);

    box = sbx_box_make(d, job->lang, mem, pids, cap, err, size);

    if (box != NULL
        && sbx_handover_open(box, SBX_HANDOVER_START_MS) != SBX_OK)
    {
        snprintf(err, size, "sandbox-init did not start: %s",
                 strerror(errno));
        sbx_box_release(box);
        return NULL;
    }

    return box;
}


/*
 * Sets a warm box's limits to what the job needs when that differs from
 * the language's defaults it was made with: larger, so that the job
 * fits, and smaller too, so that the wall stays close to the job's own
 * limits (a warm box is idle: lowering its limits cannot fail for lack
 * of memory).
 */

static int
sbx_sandbox_fit(sbx_box_t *box, char *err, size_t size)
{
    int64_t  mem, pids;

    sbx_sandbox_need(box->job, box->log_cap, &mem, &pids);

    if (mem == box->memory_kb && pids == box->pids) {
        return SBX_OK;
    }

    return sbx_box_resize(box, mem, pids, err, size);
}


/* Lets the compile step end and tightens the limits for the tests. */

static int
sbx_sandbox_run_phase(sbx_box_t *box, char *err, size_t size)
{
    int          rc;
    int64_t      mem, pids;
    sbx_job_t   *job;
    sbx_msec_t   deadline;

    job = box->job;

    if (box->evt != -1) {
        deadline = sbx_monotonic_msec() + SBX_HANDOVER_START_MS
                   + job->compile.v[SBX_LIMIT_WALL] + SBX_HANDOVER_STEP_SLACK;

        rc = sbx_handover_compiled(box, deadline);

        if (rc == SBX_OK) {
            mem = sbx_sandbox_memory_kb(job->lang, &job->run, NULL,
                                        job->data_bytes, box->log_cap);
            pids = sbx_sandbox_pids(job->lang, &job->run, NULL);

            if (sbx_box_resize(box, mem, pids, err, size) != SBX_OK
                || sbx_handover_resume(box, deadline, err, size) != SBX_OK)
            {
                return SBX_ERROR;
            }
        }

        /* SBX_DECLINED: init ended without pausing (compile failed) */

        if (rc == SBX_AGAIN) {
            snprintf(err, size, "sandbox-init did not finish compiling "
                     "in time");
            return SBX_ERROR;
        }
    }

    return SBX_OK;
}


/*
 * The container's memory: the larger of the compile and run limits
 * (compile NULL: the run's alone), which cover the program's tmpfs
 * files and shared memory too, and init's allowance: init itself, the
 * tests' data it holds and a result of up to cap bytes.
 */

static int64_t
sbx_sandbox_memory_kb(sbx_lang_t *lang, const sbx_limits_t *run,
    const sbx_limits_t *compile, size_t data_bytes, size_t cap)
{
    int64_t  mem;

    mem = run->v[SBX_LIMIT_MEMORY];

    if (compile != NULL && lang->compile != NULL) {
        mem = sbx_max(mem, compile->v[SBX_LIMIT_MEMORY]);
    }

    return mem + SBX_SANDBOX_INIT_KB + (int64_t) ((data_bytes + cap) / 1024);
}


/* The container's pids: like its memory, the larger of the steps' own. */

static int64_t
sbx_sandbox_pids(sbx_lang_t *lang, const sbx_limits_t *run,
    const sbx_limits_t *compile)
{
    int64_t  pids;

    pids = run->v[SBX_LIMIT_PROCESSES];

    if (compile != NULL && lang->compile != NULL) {
        pids = sbx_max(pids, compile->v[SBX_LIMIT_PROCESSES]);
    }

    return pids + SBX_SANDBOX_INIT_PIDS;
}


/* What the job's container needs, with room for a result of cap bytes. */

static void
sbx_sandbox_need(sbx_job_t *job, size_t cap, int64_t *memory_kb,
    int64_t *pids)
{
    *memory_kb = sbx_sandbox_memory_kb(job->lang, &job->run, &job->compile,
                                       job->data_bytes, cap);
    *pids = sbx_sandbox_pids(job->lang, &job->run, &job->compile);
}
