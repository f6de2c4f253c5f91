
/*
 * Live events of a job (sbx_events.c): a bounded log per running job,
 * written by its worker, read by the event thread for the connections
 * that stream it (EVENTS, docs/protocol.md).
 */


#ifndef _SBX_EVENTS_H_INCLUDED_
#define _SBX_EVENTS_H_INCLUDED_


#include "sbx.h"


/* The eventfd that wakes the event thread when a streamed job has news. */
int sbx_events_init(void);
int sbx_events_fd(void);
void sbx_events_drain(void);

/*
 * Appends one event (name, and data, which it takes) to the job's log;
 * wakes the event thread if a connection streams the job.  Any thread.
 */
void sbx_events_publish(sbx_job_t *job, const char *name, json_t *data);

/* One EVENT frame appended to out; SBX_ERROR: no memory. */
int sbx_events_frame(sbx_buf_t *out, const char *name, const char *body,
    size_t len);

/*
 * The event thread's side: a connection starts (on 1) or stops (on 0)
 * streaming the job; what the log holds from *off on is appended to out
 * and *off moved past it.
 */
void sbx_events_listen(sbx_job_t *job, int on);
int sbx_events_copy(sbx_job_t *job, size_t *off, sbx_buf_t *out);

/*
 * A finished job's events rebuilt from its result (result_len bytes of
 * the API's JSON), the result last, appended to out.
 */
int sbx_events_history(const char *result, size_t len, sbx_buf_t *out);

/* Drops the job's log: it has finished and its streams have ended. */
void sbx_events_free(sbx_job_t *job);


#endif /* _SBX_EVENTS_H_INCLUDED_ */
