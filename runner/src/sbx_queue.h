
/*
 * The job queue (bounded FIFO, event thread -> workers) and the done
 * queue (workers -> event thread, signalled through an eventfd).
 */


#ifndef _SBX_QUEUE_H_INCLUDED_
#define _SBX_QUEUE_H_INCLUDED_


#include "sbx.h"


typedef struct {
    pthread_mutex_t    lock;
    pthread_cond_t     cond;
    sbx_job_t         *head;
    sbx_job_t         *tail;
    size_t             len;
    size_t             max;
    unsigned           closed:1;
} sbx_queue_t;


typedef struct {
    pthread_mutex_t    lock;
    sbx_job_t         *head;
    sbx_job_t         *tail;
    int                fd;               /* eventfd */
} sbx_done_t;


int sbx_queue_init(sbx_queue_t *q, size_t max);
void sbx_queue_destroy(sbx_queue_t *q);

/*
 * Appends n jobs, all or none: SBX_OK, SBX_BUSY when they do not fit,
 * SBX_DECLINED when the queue is closed.
 */
int sbx_queue_push(sbx_queue_t *q, sbx_job_t **jobs, size_t n);

/* Appends a job whatever the bound (only before the workers start). */
int sbx_queue_push_force(sbx_queue_t *q, sbx_job_t *job);

/*
 * Takes job out of the queue, wherever it waits: SBX_OK, or SBX_DECLINED
 * when it is not there (a worker has it, or it never was).  The queue's
 * reference goes to the caller.
 */
int sbx_queue_remove(sbx_queue_t *q, sbx_job_t *job);

/* Blocks for the oldest job; NULL once the queue is closed. */
sbx_job_t *sbx_queue_pop(sbx_queue_t *q);

/* Closes the queue and returns what was still in it, as a list. */
sbx_job_t *sbx_queue_close(sbx_queue_t *q);

size_t sbx_queue_len(sbx_queue_t *q);

int sbx_done_init(sbx_done_t *d);
void sbx_done_destroy(sbx_done_t *d);
void sbx_done_push(sbx_done_t *d, sbx_job_t *job);

/* Takes every finished job, oldest first, as a list. */
sbx_job_t *sbx_done_take(sbx_done_t *d);


#endif /* _SBX_QUEUE_H_INCLUDED_ */
