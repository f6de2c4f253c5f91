
/*
 * Jobs, the table that holds them from acceptance until their result
 * expires, and the one way a job finishes (sbx_job_finish()).
 */


#ifndef _SBX_JOB_H_INCLUDED_
#define _SBX_JOB_H_INCLUDED_


#include "sbx.h"
#include "sbx_dialect.h"
#include "sbx_queue.h"


/*
 * The stages of a job's hot path, in order, each stamped on the
 * monotonic clock (sbx_job_stage()); program start and exit are init's
 * own stamps, read from its report.  Where the time goes is logged at
 * debug level once the container is removed (sbx_job_stage_done()).
 */

typedef enum {
    SBX_STAGE_QUEUED = 0,                /* accepted, on the queue */
    SBX_STAGE_TAKEN,                     /* a worker took it */
    SBX_STAGE_BOX,                       /* it has its container */
    SBX_STAGE_HANDOVER,                  /* the payload is written */
    SBX_STAGE_START,                     /* init forked its first step */
    SBX_STAGE_EXIT,                      /* its last step ended */
    SBX_STAGE_RESULT,                    /* init's result is read */
    SBX_STAGE_REPLY,                     /* the answer is sent */
    SBX_STAGE_REMOVED,                   /* its container is gone */
    SBX_STAGE_N
} sbx_stage_e;


typedef enum {
    SBX_JOB_QUEUED = 0,
    SBX_JOB_RUNNING,
    SBX_JOB_FINISHED
} sbx_job_state_e;


struct sbx_job_s {
    char                id[SBX_ID_LEN + 1];

    /* guarded by the table lock */
    sbx_job_state_e     state;
    unsigned            refs;
    sbx_status_e        status;          /* API status */
    char               *result;          /* serialized API result */
    size_t              result_len;
    sbx_msec_t          started;
    sbx_msec_t          finished;
    sbx_job_t          *hnext;           /* hash chain */
    sbx_job_t          *fnext;           /* finished, oldest first */
    unsigned            spilled:1;       /* result on disk only */
    const char         *cb_state;        /* callback: pending, delivered … */
    const char         *cancelled;       /* why, once told to cancel */
    unsigned            finishing:1;     /* too late to cancel */
    unsigned            cb_attempts;
    char               *cb_error;

    /* set before the job is queued, read-only afterwards */
    sbx_lang_t         *lang;
    sbx_limits_t        run;
    sbx_limits_t        compile;
    size_t              ntests;
    size_t              data_bytes;      /* tests' stdin and expected */
    size_t              output_budget;   /* bytes kept of all its output */
    sbx_msec_t          created;         /* realtime, ms */
    unsigned            sync:1;          /* a connection waits for it */
    sbx_dialect_t       dialect;         /* the API that waiter speaks */
    unsigned            attempts;        /* earlier runs cut by restarts */
    char               *callback_url;

    /* its worker's, before the job is finished */
    unsigned            persisted:1;     /* the result is on disk */
    unsigned            kept:1;          /* left to the next start */

    /* owned by whoever holds the job off the table: the worker */
    json_t             *payload;         /* what sandbox-init receives */

    /* the job queue or done queue it is on (that queue's lock) */
    sbx_job_t          *next;

    /* live events: sbx_events.c's lock */
    sbx_events_t       *events;

    /* event thread only */
    void               *waiter;

    /*
     * Each stage is stamped by one thread (the worker up to RESULT, the
     * event thread REPLY, the reaper REMOVED); the last of the two that
     * come after the worker, by stage_wait, reads them all.
     */
    uint64_t            stage[SBX_STAGE_N];     /* ns, 0: not reached */
    unsigned            stage_wait;             /* atomic */
    unsigned            docker_calls;           /* on its own path */
};


int sbx_jobs_init(sbx_msec_t ttl, size_t memory);
void sbx_jobs_destroy(void);

sbx_job_t *sbx_job_new(void);
void sbx_job_ref(sbx_job_t *job);
void sbx_job_unref(sbx_job_t *job);

/* Puts a new job in the table; the table holds its own reference. */
void sbx_jobs_insert(sbx_job_t *job);

/* Takes a job that never ran out of the table again. */
void sbx_jobs_remove(sbx_job_t *job);

/* Looks a job up by id and returns a new reference, or NULL. */
sbx_job_t *sbx_jobs_find(const char *id, size_t len);

void sbx_job_running(sbx_job_t *job);

/* Stamps a stage of the job's path now (ns 0) or at ns. */
void sbx_job_stage(sbx_job_t *job, sbx_stage_e stage, uint64_t ns);

/*
 * Reply and removal stamped: the second of the two logs the breakdown.
 * Does nothing for a job that had no container (stage_wait 0).
 */
void sbx_job_stage_done(sbx_job_t *job);

/*
 * Marks a job cancelled, why saying by whom (a static string): its
 * status reads "cancelled" from now on, and its result will.  SBX_OK, or
 * SBX_DECLINED when it has finished already or its result is being
 * stored.  Whoever holds the job
 * then takes it off the queue or stops its container (sbx_api.c).
 */
int sbx_job_cancel(sbx_job_t *job, const char *why);

/* Why the job was cancelled, or NULL while it was not. */
const char *sbx_job_cancelled(sbx_job_t *job);

/* Its status now. */
sbx_status_e sbx_job_status(sbx_job_t *job);

/*
 * Ends a job; every job ends here, whether it ran or not.  Its result,
 * from init's report or, when init is NULL, an internal_error carrying
 * error (sbx_result_build()), is saved to disk, published in the table
 * for GET, counted and logged; then the job goes to the done queue, from
 * where the event thread answers a connection waiting for it and
 * schedules its callback.  Takes the caller's reference to the job.
 */
void sbx_job_finish(sbx_job_t *job, json_t *init, const char *error,
    sbx_done_t *done);

/*
 * A running job the runner stopped before it ended (the grace period
 * was over): it does not finish, its record stays on disk as accepted
 * and the next start runs it again.  It goes to the done queue marked
 * kept, for the event thread to tell a connection waiting for it.
 * Takes the caller's reference to the job.
 */
void sbx_job_kept(sbx_job_t *job, sbx_done_t *done);

/* Records how the callback went (error may be NULL). */
void sbx_job_callback(sbx_job_t *job, const char *state, unsigned attempts,
    const char *error);

/*
 * A finished job's result text, status and callback URL, copied (the
 * caller frees the text and the URL); NULL if it has none.
 */
char *sbx_job_result(sbx_job_t *job, size_t *len, sbx_status_e *status,
    char **url);

/* Puts a job finished before a restart back, in order of finishing. */
void sbx_jobs_restore(sbx_job_t *job);

/*
 * What GET shows for the job now: the stored result once finished (with
 * how its callback went, if it has one), a short state object before.
 * The caller frees it.
 */
char *sbx_job_describe(sbx_job_t *job, size_t *len, sbx_status_e *status);

/* Drops finished jobs whose time is up; returns how many. */
size_t sbx_jobs_expire(sbx_msec_t now);

typedef struct {
    size_t              stored;          /* jobs in the table */
    size_t              running;
    size_t              finished;
    size_t              result_bytes;
} sbx_jobs_stats_t;

void sbx_jobs_stats(sbx_jobs_stats_t *st);


#endif /* _SBX_JOB_H_INCLUDED_ */
