
/*
 * sandbox-runner: common declarations.
 *
 * Threads (each file's comment has its own locking rules):
 *
 *   event thread  sbx_server.c    epoll: the listener, the done queue's
 *                                 eventfd, signals
 *                 sbx_conn.c      every connection: frames, read
 *                                 timeouts, replies
 *   workers       sbx_pool.c      take jobs from the queue and run each in
 *                                 a fresh container (sbx_sandbox.c)
 *   monitor       sbx_monitor.c   Docker's health, expiry of results,
 *                                 sweeps of stray containers
 *   reaper        sbx_box.c       removes the containers of ended jobs
 *   warm fillers  sbx_warm.c      keep started containers waiting for
 *                                 the languages that have a warm pool,
 *                                 several creates in flight
 *   callbacks     sbx_callback.c  POST finished jobs' results to their
 *                                 callback_url, with retries
 *
 * Workers never touch a socket: a job ends in sbx_job_finish(), which
 * hands it back to the event thread through the done queue
 * (sbx_queue.c).  "Done" names that queue and nothing else; a job whose
 * result is known is "finished".
 */


#ifndef _SBX_H_INCLUDED_
#define _SBX_H_INCLUDED_


#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "sbx_error.h"
#include "sbx_id.h"
#include "sbx_vocab.h"


#define SBX_OK          0
#define SBX_ERROR      -1
#define SBX_AGAIN      -2
#define SBX_BUSY       -3
#define SBX_DECLINED   -5

#define SBX_VERSION     "0.1.0"

#define sbx_nelems(a)   (sizeof(a) / sizeof((a)[0]))
#define sbx_min(a, b)   ((a) < (b) ? (a) : (b))
#define sbx_max(a, b)   ((a) > (b) ? (a) : (b))


typedef int64_t  sbx_msec_t;


typedef struct {
    char            *data;
    size_t           len;
    size_t           size;
} sbx_buf_t;


/* The limits of one step, in the units of the API, by sbx_limit_e. */

typedef struct {
    int64_t          v[SBX_LIMIT_N];
} sbx_limits_t;


typedef struct sbx_conf_s    sbx_conf_t;
typedef struct sbx_lang_s    sbx_lang_t;
typedef struct sbx_job_s     sbx_job_t;
typedef struct sbx_docker_s  sbx_docker_t;
typedef struct sbx_events_s  sbx_events_t;


/* sbx_util.c */

int sbx_buf_reserve(sbx_buf_t *b, size_t more);
int sbx_buf_append(sbx_buf_t *b, const void *data, size_t len);
void sbx_buf_free(sbx_buf_t *b);

sbx_msec_t sbx_monotonic_msec(void);
uint64_t sbx_monotonic_nsec(void);      /* init's clock too (no time ns) */
sbx_msec_t sbx_realtime_msec(void);
void sbx_rfc3339(char *buf, size_t size, sbx_msec_t ms);
void sbx_uuid(char *buf);                /* SBX_ID_LEN + 1 bytes */
int sbx_valid_id(const char *s, size_t len);

int sbx_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
    const char *name);
void sbx_cond_init(pthread_cond_t *cond);

json_t *sbx_limits_json(const sbx_limits_t *limits);

/* The API's error object for err, stamped with the time now. */
json_t *sbx_error_json(const sbx_error_t *err);

/* A JSON file's parse error, with its line and column when it has them. */
void sbx_json_error(char *buf, size_t size, const char *path,
    const json_error_t *e);


#endif /* _SBX_H_INCLUDED_ */
