
/*
 * Jobs on disk: accepted submissions and finished results survive a
 * restart (sbx_store.c).
 */


#ifndef _SBX_STORE_H_INCLUDED_
#define _SBX_STORE_H_INCLUDED_


#include "sbx.h"
#include "sbx_queue.h"


int sbx_store_init(void);

/* Before the job is queued: its submission, for a run after a restart. */
void sbx_store_accepted(sbx_job_t *job, const char *sub, size_t len);

/* Before the job is published as done; sets job->persisted. */
void sbx_store_done(sbx_job_t *job, const char *status, const char *result,
    size_t len);

/* A done job's result from disk, or NULL; the caller frees it. */
char *sbx_store_result(const char *id, size_t *len);

void sbx_store_forget(const char *id);

/*
 * At start-up: puts results within their TTL back in the table and
 * queues unfinished jobs again (beyond the queue's bound if need be).
 */
int sbx_store_recover(sbx_queue_t *queue);


#endif /* _SBX_STORE_H_INCLUDED_ */
