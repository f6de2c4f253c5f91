
/*
 * Jobs on disk: accepted submissions and finished results survive a
 * restart (sbx_store.c).
 */


#ifndef _SBX_STORE_H_INCLUDED_
#define _SBX_STORE_H_INCLUDED_


#include "sbx.h"
#include "sbx_queue.h"


int sbx_store_init(void);

/*
 * Before the job is queued: its submission, for a run after a restart.
 * SBX_ERROR when it cannot be saved (a full disk): the job must not be
 * accepted, or a restart would lose it.
 */
int sbx_store_accepted(sbx_job_t *job, const char *sub, size_t len);

/*
 * Before the job is published as finished; sets job->persisted.  On
 * SBX_ERROR, errno says why and the file holds the previous version.
 */
int sbx_store_finished(sbx_job_t *job, sbx_status_e status,
    const char *result, size_t len);

/*
 * The finished record written over the accepted one in place, for when
 * sbx_store_finished() finds no space; SBX_ERROR if even that fails.
 */
int sbx_store_overwrite(sbx_job_t *job, sbx_status_e status,
    const char *result, size_t len);

/* A finished job's result from disk, or NULL; the caller frees it. */
char *sbx_store_result(const char *id, size_t *len);

/*
 * The job is left queued on disk by a stop: the next start does not
 * count that stop as a run cut short.
 */
void sbx_store_unstarted(sbx_job_t *job);

/*
 * A cancel that reached the job while it runs, kept until it finishes:
 * after a crash the next start ends it as cancelled, not run again.
 */
int sbx_store_cancel(sbx_job_t *job, const char *why);

/* The job's file and its cancel mark, if any, are removed. */
void sbx_store_forget(const char *id);

/* Whether a job of this id is on disk, accepted or finished. */
int sbx_store_exists(const char *id);

/*
 * At start-up: puts results within their TTL back in the table and
 * queues unfinished jobs again (beyond the queue's bound if need be);
 * one that cannot run again finishes as internal_error (or as cancelled,
 * when a cancel mark says so), and goes to the done queue like every
 * finished job.
 */
int sbx_store_recover(sbx_queue_t *queue, sbx_done_t *done);


#endif /* _SBX_STORE_H_INCLUDED_ */
