
/*
 * The event thread: the listening socket (opened by sbx_listen.c), the
 * done queue and signals in one epoll loop; each connection from nginx
 * is sbx_conn.c's.
 */


#ifndef _SBX_SERVER_H_INCLUDED_
#define _SBX_SERVER_H_INCLUDED_


#include "sbx.h"
#include "sbx_queue.h"


int sbx_server_init(sbx_queue_t *queue, sbx_done_t *done);
int sbx_server_run(void);                /* until shut down */
void sbx_server_cleanup(void);

/* No new jobs: stopping (SIGTERM) or draining (SIGQUIT). */
int sbx_server_shutting_down(void);
int sbx_server_draining(void);
size_t sbx_server_queue_depth(void);
sbx_queue_t *sbx_server_queue(void);
sbx_done_t *sbx_server_done(void);

/* for sbx_conn.c: the epoll set, and a descriptor closed */
void sbx_server_epoll(int op, int fd, uint32_t events, void *ptr);
void sbx_server_accept_retry(void);


#endif /* _SBX_SERVER_H_INCLUDED_ */
