
/*
 * The sandbox: runs one job in one fresh container, used once.  This
 * file is the thin orchestration: it takes a box (sbx_box.c), hands the
 * job to sandbox-init in it (sbx_handover.c), reads the result and
 * releases the box; it also sizes the containers, and is what the rest
 * of the runner calls at start-up, shutdown and for the sweep.
 *
 * Boxes.  A job takes a warm box when the pool (sbx_warm.c) has one of
 * its limit class (sbx_sandbox_class(): its language, and the memory
 * and pids its container needs); else it makes a box to measure.  Either
 * way the box is made with the job's limits, so none is changed on the
 * job's path, serves this one job and is thrown away: once the job is
 * finished (sbx_sandbox_release()), so that its removal comes after the
 * reply.
 *
 * Timing.  The job's stages are stamped here (sbx_job_stage()): its box,
 * the hand-over, init's own start and end of the program, the result
 * read; and its Engine API calls are counted.
 *
 * Limits.  The container is created with the larger of the compile and
 * run limits (memory, pids), because one cgroup serves both steps.  For
 * compiled languages init pauses after compiling; the runner then lowers
 * the container's memory and pids to the run limits and lets it go on, so
 * the program never runs under the compiler's allowance.  The cgroup is
 * the hard wall; init measures and gives the verdict.  The wall is the
 * limit plus init's allowance only: tmpfs files and shared memory are
 * the program's and count inside its limit (init_meter.c), so the wall
 * leaves them no room of their own.  The room for the tests' data and
 * the result is rounded up to SBX_SANDBOX_ROOM, so that jobs of the same
 * limits share a class whatever their number of tests (within it).
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
#include "sbx_conf.h"
#include "sbx_docker.h"
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
#define SBX_SANDBOX_ROOM        (256 * 1024)


static sbx_box_t *sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job,
    char *err, size_t size);
static int sbx_sandbox_run_phase(sbx_box_t *box, char *err, size_t size);
static void sbx_sandbox_stamps(sbx_job_t *job, json_t *result);
static void sbx_sandbox_count(sbx_docker_t *d, sbx_job_t *job,
    uint64_t calls);
static int64_t sbx_sandbox_memory_kb(sbx_lang_t *lang,
    const sbx_limits_t *run, const sbx_limits_t *compile,
    size_t data_bytes, size_t cap);
static int64_t sbx_sandbox_pids(sbx_lang_t *lang, const sbx_limits_t *run,
    const sbx_limits_t *compile);


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
sbx_sandbox_run(sbx_docker_t *d, sbx_job_t *job, sbx_box_t **boxp,
    char *err, size_t size)
{
    json_t      *result;
    uint64_t     calls;
    sbx_box_t   *box;
    sbx_msec_t   t;

    calls = sbx_docker_calls(d);
    *boxp = NULL;

    box = sbx_sandbox_get(d, job, err, size);

    if (box == NULL) {
        sbx_sandbox_count(d, job, calls);
        return NULL;
    }

    sbx_job_stage(job, SBX_STAGE_BOX, 0);

    sbx_log_debug("job %s: container %.12s%s", job->id, box->id,
                  box->warm ? " (warm)" : "");

    box->docker = d;
    result = NULL;

    t = sbx_monotonic_msec();

    /* a job cancelled while its box was made does not run */

    if (sbx_box_assign(box, job) == SBX_OK
        && sbx_handover_send(box, err, size) == SBX_OK)
    {
        sbx_job_stage(job, SBX_STAGE_HANDOVER, 0);

        if (sbx_sandbox_run_phase(box, err, size) == SBX_OK) {
            result = sbx_handover_result(box, err, size);
        }
    }

    sbx_job_stage(job, SBX_STAGE_RESULT, 0);
    sbx_metrics_observe(SBX_METRIC_RUN, sbx_monotonic_msec() - t);

    sbx_sandbox_stamps(job, result);
    sbx_sandbox_count(d, job, calls);

    /*
     * The box keeps the job for the reaper to stamp the removal: the
     * reply and the removal are the last two stages (sbx_job.h).
     */

    sbx_job_ref(job);
    __atomic_store_n(&job->stage_wait, 2, __ATOMIC_RELEASE);

    *boxp = box;

    return result;
}


void
sbx_sandbox_release(sbx_box_t *box)
{
    if (box != NULL) {
        sbx_box_release(box);
    }
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


void
sbx_sandbox_class(sbx_job_t *job, sbx_warm_class_t *c)
{
    size_t  room;

    /* the tests' data and the result, rounded up: see "Limits" above */

    room = sbx_sandbox_cap(job->lang, job->run.v[SBX_LIMIT_OUTPUT],
                           job->ntests, job->output_budget)
           + job->data_bytes;
    room = (room + SBX_SANDBOX_ROOM - 1) / SBX_SANDBOX_ROOM
           * SBX_SANDBOX_ROOM;

    c->lang = job->lang;
    c->room = room;
    c->memory_kb = sbx_sandbox_memory_kb(job->lang, &job->run, &job->compile,
                                         0, room);
    c->pids = sbx_sandbox_pids(job->lang, &job->run, &job->compile);
}


void
sbx_sandbox_default_class(sbx_lang_t *lang, sbx_warm_class_t *c)
{
    sbx_job_t  job;

    /* what a submission of one test with the defaults asks for */

    memset(&job, 0, sizeof(sbx_job_t));

    job.lang = lang;
    job.run = lang->defaults;
    job.compile = lang->compile_limits;
    job.ntests = 1;
    job.output_budget = sbx_conf.job_output_budget;

    sbx_sandbox_class(&job, c);
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


/*
 * A box for the job: a warm one of its class that is still waiting
 * (init holds the FIFO open: a writer can open it), else a new one of
 * its class.
 */

static sbx_box_t *
sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job, char *err, size_t size)
{
    sbx_box_t         *box;
    sbx_warm_class_t   c;

    sbx_sandbox_class(job, &c);

    while ((box = sbx_warm_take(&c)) != NULL) {
        box->warm = 1;

        if (sbx_handover_open(box, 0) == SBX_OK) {
            return box;
        }

        sbx_log_warn("warm container %.12s is gone; another one",
                     box->id);
        sbx_box_release(box);
    }

    box = sbx_box_make(d, c.lang, c.memory_kb, c.pids, c.room, err, size);

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
                                        0, box->log_cap);
            pids = sbx_sandbox_pids(job->lang, &job->run, NULL);

            /* the compiler may have had no more than the program */

            if (((mem != box->memory_kb || pids != box->pids)
                 && sbx_box_resize(box, mem, pids, err, size) != SBX_OK)
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


/*
 * Program start and end from init's report: its first step's fork and
 * its last step's end, on the monotonic clock the container shares.
 */

static void
sbx_sandbox_stamps(sbx_job_t *job, json_t *result)
{
    size_t     i;
    json_t    *step;
    uint64_t   t0, t1, v;

    t0 = 0;
    t1 = 0;

    for (i = 0; ; i++) {
        step = (i == 0) ? json_object_get(result, "compile")
                        : json_array_get(json_object_get(result, "tests"),
                                         i - 1);
        if (i > 0 && step == NULL) {
            break;
        }

        v = (uint64_t) json_integer_value(json_object_get(step, "start_ns"));

        if (v != 0 && (t0 == 0 || v < t0)) {
            t0 = v;
        }

        v = (uint64_t) json_integer_value(json_object_get(step, "end_ns"));
        t1 = sbx_max(t1, v);
    }

    if (t0 != 0 && t1 >= t0) {
        sbx_job_stage(job, SBX_STAGE_START, t0);
        sbx_job_stage(job, SBX_STAGE_EXIT, t1);
    }
}


/* The Engine API calls the job's own path made (its worker's client). */

static void
sbx_sandbox_count(sbx_docker_t *d, sbx_job_t *job, uint64_t calls)
{
    calls = sbx_docker_calls(d) - calls;

    job->docker_calls = (unsigned) calls;
    sbx_metrics_job_calls(calls);
}
