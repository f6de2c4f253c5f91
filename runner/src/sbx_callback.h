
/*
 * Callbacks: a finished job's result POSTed to its callback_url, with
 * retries, a signature, and an address policy (sbx_callback.c).
 */


#ifndef _SBX_CALLBACK_H_INCLUDED_
#define _SBX_CALLBACK_H_INCLUDED_


#include "sbx.h"


int sbx_callback_start(void);
void sbx_callback_stop(void);

/* Schedules the delivery of a finished job's result; takes a reference. */
void sbx_callback_enqueue(sbx_job_t *job);


#endif /* _SBX_CALLBACK_H_INCLUDED_ */
