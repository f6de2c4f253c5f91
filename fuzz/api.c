
/*
 * Fuzz target: the runner's side of a request frame from the module,
 * which the runner does not trust: sbx_proto_parse_header() on the
 * frame, then sbx_api_request() (runner/src/sbx_api.c) with everything
 * behind it that needs no Docker and no thread: the schema, submission
 * preparation with the real languages.json, the "max-*" attributes, the
 * job table and the job queue.
 *
 * Stubbed here, as the links to the outside: the connection and its
 * replies (sbx_conn.c: every reply is captured and must be a well-
 * formed answer, JSON for every verb but METRICS and EVENTS), the event
 * loop's queues (sbx_server.c), the state directory (sbx_store.c:
 * nothing is on disk) and the Docker monitor (sbx_monitor.c: Docker is
 * up); no box is live, so cancelling a job no worker took kills
 * nothing.  Jobs that were queued are taken off the queue and the table
 * again after each input, as a worker would; jobs a CANCEL ended, off
 * the done queue.
 */


#include <stdint.h>
#include <string.h>

#include "fuzz_runner.h"
#include "sbx_api.h"
#include "sbx_conf.h"
#include "sbx_error.h"
#include "sbx_monitor.h"
#include "sbx_queue.h"
#include "sbx_conn.h"
#include "sbx_server.h"
#include "sbx_store.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sbx_queue_t   sbx_fuzz_queue;
static sbx_done_t    sbx_fuzz_done;
static int           sbx_fuzz_metrics;
static unsigned      sbx_fuzz_replies;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sbx_conf.workers = 2;
    sbx_conf.queue_size = 100;
    sbx_conf.max_batch = 20;
    sbx_conf.max_frame = (size_t) 16 << 20;
    sbx_conf.retry_after = 2;

    sbx_fuzz_runner_init();

    if (sbx_queue_init(&sbx_fuzz_queue, sbx_conf.queue_size) != SBX_OK
        || sbx_done_init(&sbx_fuzz_done) != SBX_OK)
    {
        abort();
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                 *buf;
    size_t                len;
    sbx_job_t            *job, *next;
    sbx_proto_header_t    h;

    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        return 0;
    }

    memcpy(buf, data, size);

    /* as sbx_conn.c reads a request: a header, then body_len bytes */

    if (sbx_proto_parse_header(buf, size, sbx_conf.max_frame, &h)
        != SBX_PROTO_OK)
    {
        free(buf);
        return 0;
    }

    len = size - h.header_len;

    if (h.body_len < len) {
        len = h.body_len;
    }

    sbx_fuzz_metrics = sbx_proto_str_eq(&h.word, "METRICS");
    sbx_fuzz_replies = 0;

    sbx_api_request((sbx_conn_t *) &sbx_fuzz_queue, &h, buf + h.header_len,
                    len);

    /* a request is answered once, or waits for its job */

    if (sbx_fuzz_replies > 1) {
        abort();
    }

    while (sbx_queue_len(&sbx_fuzz_queue)) {
        job = sbx_queue_pop(&sbx_fuzz_queue);
        sbx_jobs_remove(job);
        sbx_job_unref(job);
    }

    for (job = sbx_done_take(&sbx_fuzz_done); job; job = next) {
        next = job->next;
        sbx_job_unref(job);
    }

    (void) sbx_jobs_expire(INT64_MAX);

    free(buf);

    return 0;
}


/* sbx_conn.c: the connection */

void
sbx_conn_reply(sbx_conn_t *c, const sbx_reply_t *r)
{
    json_t  *v;

    sbx_fuzz_replies++;

    if (r->status < 200 || r->status > 599 || r->body == NULL) {
        abort();
    }

    if (sbx_fuzz_metrics && r->status == 200) {
        return;
    }

    v = json_loadb(r->body, r->len, 0, NULL);

    /* a dialect's answer may be a list (Piston's runtimes, Judge0's …) */

    if (!json_is_object(v) && !json_is_array(v)) {
        abort();
    }

    json_decref(v);
}


void
sbx_conn_reply_error(sbx_conn_t *c, const sbx_error_t *err)
{
    char    *s;
    json_t  *v;

    sbx_fuzz_replies++;

    if (err->status < 400 || err->status > 599 || err->code[0] == '\0'
        || memchr(err->code, '\0', sizeof(err->code)) == NULL
        || memchr(err->field, '\0', sizeof(err->field)) == NULL
        || memchr(err->message, '\0', sizeof(err->message)) == NULL)
    {
        abort();
    }

    v = sbx_error_object(err, "2024-01-01T00:00:00.000Z");
    s = v ? json_dumps(v, JSON_COMPACT) : NULL;

    if (s == NULL) {
        abort();
    }

    free(s);
    json_decref(v);
}


void
sbx_conn_wait(sbx_conn_t *c, sbx_job_t *job, int cancel)
{
    return;
}


void
sbx_conn_drop(sbx_conn_t *c)
{
    return;
}


void
sbx_conn_check(sbx_conn_t *c, char *attrs)
{
    free(attrs);
}


/* EVENTS of a finished job: the header frame, then its EVENT frames */

void
sbx_conn_reply_more(sbx_conn_t *c, const sbx_reply_t *r, const char *more,
    size_t len)
{
    sbx_fuzz_replies++;

    if (r->status != 200 || r->len != 0 || more == NULL || len == 0) {
        abort();
    }
}


void
sbx_conn_stream(sbx_conn_t *c, sbx_job_t *job)
{
    sbx_job_unref(job);
}


/* sbx_server.c: the event loop */

int
sbx_server_shutting_down(void)
{
    return 0;
}


int
sbx_server_draining(void)
{
    return 0;
}


size_t
sbx_server_queue_depth(void)
{
    return sbx_queue_len(&sbx_fuzz_queue);
}


sbx_queue_t *
sbx_server_queue(void)
{
    return &sbx_fuzz_queue;
}


sbx_done_t *
sbx_server_done(void)
{
    return &sbx_fuzz_done;
}


/* sbx_store.c: nothing is written to disk */

int
sbx_store_accepted(sbx_job_t *job, const char *sub, size_t len)
{
    return SBX_OK;
}


int
sbx_store_finished(sbx_job_t *job, sbx_status_e status, const char *result,
    size_t len)
{
    return SBX_OK;
}


int
sbx_store_overwrite(sbx_job_t *job, sbx_status_e status, const char *result,
    size_t len)
{
    return SBX_OK;
}


char *
sbx_store_result(const char *id, size_t *len)
{
    return NULL;
}


void
sbx_store_forget(const char *id)
{
    return;
}


int
sbx_store_exists(const char *id)
{
    return 0;
}


int
sbx_store_cancel(sbx_job_t *job, const char *why)
{
    return SBX_OK;
}


/* sbx_monitor.c: Docker answers */

int
sbx_monitor_docker_up(void)
{
    return 1;
}


void
sbx_monitor_sweep_soon(void)
{
    return;
}
