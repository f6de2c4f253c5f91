
/*
 * One connection from nginx, on the event thread: sbx_api.c replies
 * through it, sbx_server.c hands it its events and its timer.
 */


#ifndef _SBX_CONN_H_INCLUDED_
#define _SBX_CONN_H_INCLUDED_


#include "sbx.h"
#include "sbx_error.h"
#include "sbx_proto.h"


typedef struct sbx_conn_s  sbx_conn_t;


/* A reply frame: status, optional attributes, body. */

typedef struct {
    int              status;
    const char      *id;
    const char      *job_status;
    const char      *language;           /* the id resolved, for logs */
    int              retry_after;        /* 0: none */
    const char      *body;
    size_t           len;
} sbx_reply_t;


/* for sbx_api.c */

void sbx_conn_reply(sbx_conn_t *c, const sbx_reply_t *r);
void sbx_conn_reply_more(sbx_conn_t *c, const sbx_reply_t *r,
    const char *more, size_t len);
/* The API's error object as a reply with err->status. */
void sbx_conn_reply_error(sbx_conn_t *c, const sbx_error_t *err);

/*
 * The connection waits for the job; it is answered when the job comes
 * back through the done queue (sbx_conn_answer()).  With cancel set,
 * the job is cancelled if the connection closes before that.
 */
void sbx_conn_wait(sbx_conn_t *c, sbx_job_t *job, int cancel);

/* Closes the connection at once, without a reply. */
void sbx_conn_drop(sbx_conn_t *c);

/*
 * Attributes ("key=value key=value", malloc'd, taken) that the reply to
 * the request being handled carries as well.
 */
void sbx_conn_check(sbx_conn_t *c, char *attrs);

/*
 * The connection streams the job's events until it finishes (EVENTS);
 * it takes the caller's reference to the job.
 */
void sbx_conn_stream(sbx_conn_t *c, sbx_job_t *job);


/* for sbx_server.c */

int sbx_conn_open(int fd);
void sbx_conn_event(sbx_conn_t *c, uint32_t events);
void sbx_conn_answer(sbx_job_t *job);
void sbx_conn_kept(sbx_job_t *job);

/* Whether a connection still has a reply to send. */
int sbx_conn_sending(void);

void sbx_conn_stream_all(void);
void sbx_conn_stream_end(sbx_job_t *job);

sbx_msec_t sbx_conn_sweep_at(void);      /* 0: no partial frame */
void sbx_conn_sweep(void);

void sbx_conn_free_dead(void);
void sbx_conn_close_all(void);


#endif /* _SBX_CONN_H_INCLUDED_ */
