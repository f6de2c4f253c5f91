
/*
 * One job in one fresh container: create and start it (or take a warm
 * one), hand the payload to sandbox-init, wait, read the result from the
 * logs, remove it.
 */


#ifndef _SBX_SANDBOX_H_INCLUDED_
#define _SBX_SANDBOX_H_INCLUDED_


#include "sbx.h"


typedef struct sbx_box_s  sbx_box_t;


int sbx_sandbox_init(void);

/* Removes every released box, then stops the reaper. */
void sbx_sandbox_drain(void);
void sbx_sandbox_done(void);

/*
 * Runs the job's payload.  Returns sandbox-init's result object, or NULL
 * with the reason in err (the job then ends as internal_error).  The
 * container is gone when this returns, whatever happened.
 */
json_t *sbx_sandbox_run(sbx_docker_t *d, sbx_job_t *job, char *err,
    size_t size);

/*
 * A started container for lang, waiting for a job, with these container
 * limits and room for a result of log_cap bytes (sbx_sandbox_cap()).
 */
sbx_box_t *sbx_sandbox_box(sbx_docker_t *d, sbx_lang_t *lang,
    int64_t memory_kb, int64_t pids, size_t log_cap, char *err, size_t size);

/* Hands a box to the reaper, which removes it. */
void sbx_sandbox_release(sbx_box_t *box);

/* What a result can take with these output limits and tests. */
size_t sbx_sandbox_cap(sbx_lang_t *lang, int64_t output_kb, size_t ntests);

/* Container limits for a language's default job, with room for cap. */
int64_t sbx_sandbox_default_memory_kb(sbx_lang_t *lang, size_t cap);
int64_t sbx_sandbox_default_pids(sbx_lang_t *lang);

/*
 * Removes this runner's containers that belong to no running job: those
 * a crash left behind, or whose removal failed while Docker was away.  At
 * start-up it also removes stale FIFO directories.
 */
int sbx_sandbox_sweep(sbx_docker_t *d, int startup);

/*
 * Asks the engine whether it remaps users and to which ids (for the FIFOs
 * init opens), warning when container root is host root.
 */
int sbx_sandbox_engine(sbx_docker_t *d);

/* Kills the containers of running jobs (shutdown after the grace). */
void sbx_sandbox_abort(sbx_docker_t *d);
int sbx_sandbox_aborting(void);


#endif /* _SBX_SANDBOX_H_INCLUDED_ */
