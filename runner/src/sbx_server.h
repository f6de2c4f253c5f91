
/*
 * The event thread: listening socket (opened by sbx_listen.c),
 * connections from nginx, the done queue and signals, all in one epoll
 * loop.
 */


#ifndef _SBX_SERVER_H_INCLUDED_
#define _SBX_SERVER_H_INCLUDED_


#include "sbx.h"
#include "sbx_error.h"
#include "sbx_proto.h"
#include "sbx_queue.h"


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


int sbx_server_init(sbx_queue_t *queue, sbx_done_t *done);
int sbx_server_run(void);                /* until shut down */
void sbx_server_cleanup(void);

void sbx_server_reply(sbx_conn_t *c, const sbx_reply_t *r);
/* The API's error object as a reply with err->status. */
void sbx_server_reply_error(sbx_conn_t *c, const sbx_error_t *err);

/*
 * The connection waits for the job; it is answered when the job comes
 * back through the done queue.
 */
void sbx_server_wait(sbx_conn_t *c, sbx_job_t *job);

int sbx_server_shutting_down(void);
size_t sbx_server_queue_depth(void);
sbx_queue_t *sbx_server_queue(void);


#endif /* _SBX_SERVER_H_INCLUDED_ */
