
/*
 * One job in one fresh container (sbx_sandbox.c): take a box (sbx_box.c),
 * hand the payload to sandbox-init (sbx_handover.c), wait, read the
 * result from the logs, release the box.
 */


#ifndef _SBX_SANDBOX_H_INCLUDED_
#define _SBX_SANDBOX_H_INCLUDED_


#include "sbx.h"
#include "sbx_box.h"
#include "sbx_warm.h"


int sbx_sandbox_init(void);

/* Removes every released box, then stops the reaper. */
void sbx_sandbox_drain(void);
void sbx_sandbox_cleanup(void);

/*
 * Runs the job's payload.  Returns sandbox-init's result object, or NULL
 * with the reason in err (the job then ends as internal_error).  The
 * container is gone when this returns, whatever happened.
 */
/*
 * Runs the job in a box of its own: init's report, or NULL with err
 * saying why.  The box is left in *box (NULL: none) for
 * sbx_sandbox_release() once the job is finished, so that its removal
 * comes after the reply.
 */
json_t *sbx_sandbox_run(sbx_docker_t *d, sbx_job_t *job, sbx_box_t **box,
    char *err, size_t size);
void sbx_sandbox_release(sbx_box_t *box);

/* The limit class of the job's container, and of a default job's. */
void sbx_sandbox_class(sbx_job_t *job, sbx_warm_class_t *c);
void sbx_sandbox_default_class(sbx_lang_t *lang, sbx_warm_class_t *c);

/*
 * What a result can take with these output limits and tests, and a job
 * output budget of budget bytes (init keeps no more in all).
 */
size_t sbx_sandbox_cap(sbx_lang_t *lang, int64_t output_kb, size_t ntests,
    size_t budget);

/* Container limits for a language's default job, with room for cap. */

/*
 * Removes this runner's containers that belong to no running job: those
 * a crash left behind, or whose removal failed while Docker was away.  At
 * start-up it also removes stale FIFO directories.
 */
int sbx_sandbox_sweep(sbx_docker_t *d, int startup);

/* Kills the containers of running jobs (shutdown after the grace). */
void sbx_sandbox_abort(sbx_docker_t *d);
int sbx_sandbox_aborting(void);

/* Stops a cancelled job's container, if it has one yet; never blocks. */
void sbx_sandbox_cancel(sbx_job_t *job);


#endif /* _SBX_SANDBOX_H_INCLUDED_ */
