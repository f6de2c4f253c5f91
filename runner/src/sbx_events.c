
/*
 * Live events of a job, for EVENTS (docs/protocol.md, "Live events").
 *
 * While a job runs, its worker publishes what sandbox-init reports
 * (sbx_handover.c): status changes, pieces of output, each test's
 * verdict.  Each event is kept in the job's log as the very frame a
 * listener receives (SBX/1 EVENT <len> event=<name>), back to back, so
 * a listener is only an offset into the log: one that comes late gets
 * the log from its start, and any number of connections can stream one
 * job.  The log is bounded (SBX_EVENTS_MAX, and twice the job's output
 * budget): beyond it, output events are dropped and the stream says so
 * once; the result, which always ends the stream, has everything.
 *
 * The log lives while the job runs.  When the job is finished, the event
 * thread ends every stream with the result (sbx_conn.c) and drops the
 * log; a listener that comes after that gets the events rebuilt from
 * the result (sbx_events_history()), which has all the output.
 *
 * Locking: one mutex guards every job's log and its listener count.
 * Workers append under it; the event thread copies under it.  A worker
 * that appends to a log with listeners writes to an eventfd, which
 * wakes the event thread (sbx_server.c) to pass the news on.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_log.h"
#include "sbx_proto.h"


#define SBX_EVENTS_MAX   (16 * 1024 * 1024)


struct sbx_events_s {
    sbx_buf_t           log;
    size_t              max;
    unsigned            listeners;
    unsigned            dropped:1;
};


static struct {
    pthread_mutex_t     lock;
    int                 fd;
} sbx_events = { PTHREAD_MUTEX_INITIALIZER, -1 };


static int sbx_events_step(sbx_buf_t *out, json_t *step, const char *kind,
    json_int_t test);
static int sbx_events_json(sbx_buf_t *out, const char *name, json_t *data);


int
sbx_events_init(void)
{
    sbx_events.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (sbx_events.fd == -1) {
        sbx_log_error("eventfd: %s", strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


int
sbx_events_fd(void)
{
    return sbx_events.fd;
}


void
sbx_events_drain(void)
{
    uint64_t  n;

    while (read(sbx_events.fd, &n, sizeof(n)) == sizeof(n)) {
        /* void */
    }
}


void
sbx_events_publish(sbx_job_t *job, const char *name, json_t *data)
{
    int             wake;
    char           *body;
    size_t          len;
    uint64_t        one;
    sbx_events_t   *ev;
    sbx_buf_t       frame;

    body = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);

    if (body == NULL) {
        return;
    }

    len = strlen(body);

    memset(&frame, 0, sizeof(sbx_buf_t));

    if (sbx_events_frame(&frame, name, body, len) != SBX_OK) {
        free(body);
        sbx_buf_free(&frame);
        return;
    }

    free(body);

    wake = 0;

    pthread_mutex_lock(&sbx_events.lock);

    ev = job->events;

    if (ev == NULL) {
        ev = calloc(1, sizeof(sbx_events_t));

        if (ev != NULL) {
            ev->max = sbx_min(SBX_EVENTS_MAX,
                              2 * job->output_budget + 1024 * 1024);
            job->events = ev;
        }
    }

    if (ev != NULL) {
        if (ev->log.len + frame.len <= ev->max) {
            (void) sbx_buf_append(&ev->log, frame.data, frame.len);
            wake = ev->listeners > 0;

        } else if (!ev->dropped) {
            ev->dropped = 1;
            sbx_buf_free(&frame);

            /* said once, with room kept for it: the rest is in the result */
            if (sbx_events_json(&frame, "dropped",
                                json_pack("{s:s}", "message",
                                          "the live output is over its "
                                          "bound; the result has all of "
                                          "it"))
                == SBX_OK)
            {
                (void) sbx_buf_append(&ev->log, frame.data, frame.len);
                wake = ev->listeners > 0;
            }
        }
    }

    pthread_mutex_unlock(&sbx_events.lock);

    sbx_buf_free(&frame);

    if (wake) {
        one = 1;
        (void) write(sbx_events.fd, &one, sizeof(one));
    }
}


int
sbx_events_frame(sbx_buf_t *out, const char *name, const char *body,
    size_t len)
{
    int               n;
    char              head[SBX_PROTO_MAX_HEADER];
    sbx_proto_attr_t  attr;

    attr.key.data = "event";
    attr.key.len = 5;
    attr.value.data = name;
    attr.value.len = strlen(name);

    n = sbx_proto_write_header(head, sizeof(head), "EVENT", len, &attr, 1);

    if (n < 0
        || sbx_buf_append(out, head, n) != SBX_OK
        || sbx_buf_append(out, body, len) != SBX_OK)
    {
        return SBX_ERROR;
    }

    return SBX_OK;
}


void
sbx_events_listen(sbx_job_t *job, int on)
{
    pthread_mutex_lock(&sbx_events.lock);

    if (job->events == NULL) {
        job->events = calloc(1, sizeof(sbx_events_t));

        if (job->events != NULL) {
            job->events->max = sbx_min(SBX_EVENTS_MAX,
                                       2 * job->output_budget
                                       + 1024 * 1024);
        }
    }

    if (job->events != NULL) {
        if (on) {
            job->events->listeners++;

        } else if (job->events->listeners > 0) {
            job->events->listeners--;
        }
    }

    pthread_mutex_unlock(&sbx_events.lock);
}


int
sbx_events_copy(sbx_job_t *job, size_t *off, sbx_buf_t *out)
{
    int            rc;
    sbx_events_t  *ev;

    rc = SBX_OK;

    pthread_mutex_lock(&sbx_events.lock);

    ev = job->events;

    if (ev != NULL && *off < ev->log.len) {
        rc = sbx_buf_append(out, ev->log.data + *off, ev->log.len - *off);
        *off = ev->log.len;
    }

    pthread_mutex_unlock(&sbx_events.lock);

    return rc;
}


void
sbx_events_free(sbx_job_t *job)
{
    sbx_events_t  *ev;

    pthread_mutex_lock(&sbx_events.lock);
    ev = job->events;
    job->events = NULL;
    pthread_mutex_unlock(&sbx_events.lock);

    if (ev != NULL) {
        sbx_buf_free(&ev->log);
        free(ev);
    }
}


/*
 * What a listener would have seen, from the result: the statuses, each
 * step's output (one piece per stream) and verdict, then the result.
 */

int
sbx_events_history(const char *result, size_t len, sbx_buf_t *out)
{
    int      rc;
    size_t   i;
    json_t  *res, *compile, *tests, *t;

    rc = sbx_events_json(out, "status", json_pack("{s:s}", "status",
                                                  "queued"));

    res = json_loadb(result, len, 0, NULL);
    compile = json_object_get(res, "compile");
    tests = json_object_get(res, "tests");

    if (rc == SBX_OK && json_is_object(compile)) {
        rc = sbx_events_json(out, "status", json_pack("{s:s}", "status",
                                                      "compiling"));

        if (rc == SBX_OK) {
            rc = sbx_events_step(out, compile, "compile", -1);
        }
    }

    if (rc == SBX_OK && json_array_size(tests) > 0) {
        rc = sbx_events_json(out, "status", json_pack("{s:s}", "status",
                                                      "running"));

        json_array_foreach(tests, i, t) {
            if (rc == SBX_OK) {
                rc = sbx_events_step(out, t, "test", (json_int_t) i);
            }
        }
    }

    json_decref(res);

    if (rc == SBX_OK) {
        rc = sbx_events_frame(out, "result", result, len);
    }

    return rc;
}


/* A step's stdout and stderr, and for a test its verdict. */

static int
sbx_events_step(sbx_buf_t *out, json_t *step, const char *kind,
    json_int_t test)
{
    int          i;
    json_t      *v, *o;
    static const char  *streams[] = { "stdout", "stderr" };

    for (i = 0; i < 2; i++) {
        v = json_object_get(step, streams[i]);

        if (!json_is_string(v) || json_string_length(v) == 0) {
            continue;
        }

        o = test < 0 ? json_pack("{s:s, s:O}", "step", kind, "data", v)
                     : json_pack("{s:s, s:I, s:O}", "step", kind,
                                 "test", test, "data", v);

        if (sbx_events_json(out, streams[i], o) != SBX_OK) {
            return SBX_ERROR;
        }
    }

    if (test < 0) {
        return SBX_OK;
    }

    o = json_deep_copy(step);

    if (o == NULL) {
        return SBX_ERROR;
    }

    json_object_del(o, "stdout");
    json_object_del(o, "stderr");
    json_object_del(o, "stdout_base64");
    json_object_del(o, "stderr_base64");

    json_object_set_new(o, "test", json_integer(test));

    return sbx_events_json(out, "test", o);
}


/* One event from data, which it takes. */

static int
sbx_events_json(sbx_buf_t *out, const char *name, json_t *data)
{
    int    rc;
    char  *body;

    body = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);

    if (body == NULL) {
        return SBX_ERROR;
    }

    rc = sbx_events_frame(out, name, body, strlen(body));
    free(body);

    return rc;
}
