
/*
 * The worker threads: each takes the oldest job from the queue and runs
 * it in a fresh container, then hands it to the done queue.
 */


#ifndef _SBX_POOL_H_INCLUDED_
#define _SBX_POOL_H_INCLUDED_


#include "sbx.h"
#include "sbx_queue.h"


int sbx_pool_start(sbx_queue_t *queue, sbx_done_t *done, int n);

/* Kills running jobs' containers, so that workers end soon. */
void sbx_pool_abort(void);

/* Workers that have not ended yet. */
int sbx_pool_running(void);

void sbx_pool_join(void);


#endif /* _SBX_POOL_H_INCLUDED_ */
