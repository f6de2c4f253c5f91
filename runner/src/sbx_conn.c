
/*
 * One connection from nginx: reading and framing its requests, the read
 * timeout of a partial frame, writing its replies, closing it.
 *
 * Frames are read into a per-connection buffer and handled one at a
 * time (nginx sends the next request on a connection only after the
 * reply), by sbx_api.c.  A SUBMIT with wait=1 parks its connection on
 * the job (sbx_conn_wait()); the job comes back through the done queue
 * and sbx_conn_answer() replies, so no worker ever writes to a socket.
 * EVENTS streams a job's events (sbx_events.c) on its connection: the
 * connection copies the job's log as it grows (sbx_conn_stream_all(),
 * when the events' eventfd fires) and ends with the result when the job
 * comes back (sbx_conn_stream_end()); then it takes requests again, so
 * nginx keeps it.
 *
 * The runner must survive any byte sequence on its socket: a malformed
 * header is answered 400 and the connection closed, an oversized frame
 * 413; input is never buffered beyond one frame.  A frame must arrive
 * whole within --read-timeout of its first byte, or the connection is
 * closed: a peer that trickles bytes holds no descriptor for long.
 *
 * A closed connection goes on the dead list and is freed after the
 * epoll batch (sbx_conn_free_dead()): callers up the stack and later
 * events of the same batch may still look at it.
 *
 * On a TLS listener each connection has its SSL session (sbx_tls.c):
 * reads and writes go through it, and a read that needs the socket
 * writable (a handshake's flight) or a write that needs it readable
 * asks epoll for that and is retried on it.  With a shared key every
 * frame must carry its token before sbx_api.c sees it: 401 without,
 * 403 with a wrong one, and the connection is closed either way.
 *
 * Every reply names this runner (runner=<--runner-id>), so that nginx
 * can say which runner behind an upstream answered.
 *
 * The epoll set and the listener belong to sbx_server.c.
 *
 * Locking: everything here is the event thread's own.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_api.h"
#include "sbx_conf.h"
#include "sbx_conn.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_server.h"
#include "sbx_tls.h"


#define SBX_CONN_KEEP  (64 * 1024)       /* a reply buffer kept */


struct sbx_conn_s {
    int                 fd;
    SSL                *ssl;             /* NULL: plain */
    uint32_t            want;            /* the readiness TLS waits for */
    sbx_buf_t           in;
    sbx_buf_t           out;
    size_t              sent;
    sbx_msec_t          frame_start;     /* first byte of a partial frame */
    sbx_job_t          *waiting;
    char               *check;           /* attributes for the next reply */
    sbx_job_t          *stream;          /* EVENTS: the job streamed */
    size_t              stream_off;      /* into its log */
    unsigned            cancel_on_close:1;   /* the waiting job */
    unsigned            close_after:1;
    unsigned            writing:1;
    unsigned            processing:1;
    unsigned            read_blocked:1;  /* TLS read waits for EPOLLOUT */
    unsigned            write_blocked:1; /* TLS write waits for EPOLLIN */
    sbx_conn_t         *prev;
    sbx_conn_t         *next;
};


static struct {
    sbx_conn_t         *conns;
    sbx_conn_t         *dead;            /* closed, freed after the batch */
    sbx_msec_t          next_sweep;      /* 0: no partial frame */
} sbx_conn;


static void sbx_conn_read(sbx_conn_t *c);
static void sbx_conn_process(sbx_conn_t *c);
static void sbx_conn_partial(sbx_conn_t *c);
static void sbx_conn_write(sbx_conn_t *c);
static void sbx_conn_close(sbx_conn_t *c);
static void sbx_conn_stream_flush(sbx_conn_t *c);
static void sbx_conn_stream_detach(sbx_conn_t *c);
static ssize_t sbx_conn_recv(sbx_conn_t *c, char *buf, size_t len);
static ssize_t sbx_conn_send(sbx_conn_t *c, const char *buf, size_t len);
static void sbx_conn_interest(sbx_conn_t *c);
static int sbx_conn_auth(sbx_conn_t *c, sbx_proto_header_t *h);


/* An accepted descriptor becomes a connection; SBX_ERROR: out of memory */

int
sbx_conn_open(int fd)
{
    sbx_conn_t  *c;

    c = calloc(1, sizeof(sbx_conn_t));
    if (c == NULL) {
        return SBX_ERROR;
    }

    c->fd = fd;

    if (sbx_tls_enabled()) {
        c->ssl = sbx_tls_new(fd);

        if (c->ssl == NULL) {
            free(c);
            return SBX_ERROR;
        }

        /* the handshake, too, must be done within the read timeout */

        sbx_conn_partial(c);
    }

    c->next = sbx_conn.conns;

    if (sbx_conn.conns) {
        sbx_conn.conns->prev = c;
    }

    sbx_conn.conns = c;

    sbx_metrics_count(SBX_METRIC_CONNECTIONS);

    c->want = EPOLLIN;
    sbx_server_epoll(EPOLL_CTL_ADD, fd, EPOLLIN, c);

    return SBX_OK;
}


void
sbx_conn_event(sbx_conn_t *c, uint32_t events)
{
    if (c->fd == -1) {
        return;                           /* closed earlier in this batch */
    }

    /* TLS may need the other readiness than the one its call is for */

    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (c->write_blocked) {
            sbx_conn_write(c);
        }

        if (c->fd != -1) {
            sbx_conn_read(c);
        }

    } else if (events & EPOLLOUT) {
        if (c->read_blocked) {
            sbx_conn_read(c);
        }

        if (c->fd != -1 && c->writing) {
            sbx_conn_write(c);
        }
    }
}


void
sbx_conn_reply(sbx_conn_t *c, const sbx_reply_t *r)
{
    sbx_conn_reply_more(c, r, NULL, 0);
}


/* A reply followed at once by more frames (EVENTS of a finished job). */

void
sbx_conn_reply_more(sbx_conn_t *c, const sbx_reply_t *r, const char *more,
    size_t len)
{
    int                n;
    char               status[8], retry[16], head[SBX_PROTO_MAX_HEADER];
    char              *p;
    unsigned           na;
    sbx_proto_attr_t   attrs[SBX_PROTO_MAX_ATTRS];

    snprintf(status, sizeof(status), "%03d", r->status);

    na = 0;

#define sbx_conn_attr(k, v)                                                 \
    if (v != NULL) {                                                        \
        attrs[na].key.data = k;                                             \
        attrs[na].key.len = sizeof(k) - 1;                                  \
        attrs[na].value.data = v;                                           \
        attrs[na].value.len = strlen(v);                                    \
        na++;                                                               \
    }

    sbx_conn_attr("id", r->id);
    sbx_conn_attr("status", r->job_status);
    sbx_conn_attr("language", r->language);
    sbx_conn_attr("runner", sbx_conf.runner_id);

    if (r->retry_after > 0) {
        snprintf(retry, sizeof(retry), "%d", r->retry_after);
        sbx_conn_attr("retry-after", retry);
    }

#undef sbx_conn_attr

    /* every answer of the test double says so (readers skip the rest) */

    if (sbx_conf.test_double) {
        attrs[na].key.data = "test-double";
        attrs[na].key.len = sizeof("test-double") - 1;
        attrs[na].value.data = "1";
        attrs[na].value.len = 1;
        na++;
    }

    /* the answer to a "check" the request carried: "key=value key=value" */

    for (p = c->check;
         p != NULL && *p != '\0' && na < SBX_PROTO_MAX_ATTRS;
         /* void */)
    {
        attrs[na].key.data = p;
        p += strcspn(p, "=");
        attrs[na].key.len = p - attrs[na].key.data;
        attrs[na].value.data = ++p;
        p += strcspn(p, " ");
        attrs[na].value.len = p - attrs[na].value.data;
        na++;

        if (*p == ' ') {
            p++;
        }
    }

    n = sbx_proto_write_header(head, sizeof(head), status, r->len, attrs, na);

    free(c->check);
    c->check = NULL;

    if (n < 0
        || sbx_buf_append(&c->out, head, n) != SBX_OK
        || sbx_buf_append(&c->out, r->body, r->len) != SBX_OK
        || (len && sbx_buf_append(&c->out, more, len) != SBX_OK))
    {
        sbx_log_error("cannot build a reply; closing the connection");
        c->close_after = 1;
        c->out.len = 0;
    }

    sbx_conn_write(c);
}


void
sbx_conn_reply_error(sbx_conn_t *c, const sbx_error_t *err)
{
    char         *body;
    json_t       *v;
    sbx_reply_t   r;

    v = sbx_error_json(err);
    body = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = err->status;
    r.body = body ? body : "{}";
    r.len = strlen(r.body);

    if (err->status == 503) {
        r.retry_after = sbx_conf.retry_after;
    }

    sbx_conn_reply(c, &r);
    free(body);
}


/*
 * The reply to the current request carries these attributes too
 * ("key=value", space-separated, at most two; sbx_api_check()).
 */

void
sbx_conn_check(sbx_conn_t *c, char *attrs)
{
    free(c->check);
    c->check = attrs;
}


void
sbx_conn_wait(sbx_conn_t *c, sbx_job_t *job, int cancel)
{
    c->waiting = job;
    c->cancel_on_close = cancel ? 1 : 0;
    job->waiter = c;
}


/*
 * Closes the connection without a reply, as a runner that dies would
 * (sbx_double.c provokes it on purpose).
 */

void
sbx_conn_drop(sbx_conn_t *c)
{
    sbx_conn_close(c);
}


/*
 * A finished job is back from the done queue: the connection waiting
 * for it, if any, is answered.
 */

void
sbx_conn_answer(sbx_job_t *job)
{
    sbx_conn_t  *c;

    c = job->waiter;

    if (c == NULL) {
        return;
    }

    job->waiter = NULL;
    c->waiting = NULL;
    c->cancel_on_close = 0;
    sbx_api_answer(c, job);
}


/*
 * The job a connection waits for is kept for the runner's next start
 * (the runner stops before it ends): the client gets its id at once,
 * as an asynchronous one would, and can poll it after the restart.
 */

void
sbx_conn_kept(sbx_job_t *job)
{
    sbx_conn_t  *c;

    c = job->waiter;

    if (c == NULL) {
        return;
    }

    job->waiter = NULL;
    c->waiting = NULL;
    sbx_api_queued(c, job);
}


int
sbx_conn_sending(void)
{
    sbx_conn_t  *c;

    for (c = sbx_conn.conns; c; c = c->next) {
        if (c->fd != -1 && c->out.len != 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * The connection streams the job's events (it takes the caller's
 * reference): a "queued" status, the log so far, then as it grows.
 */

void
sbx_conn_stream(sbx_conn_t *c, sbx_job_t *job)
{
    char  body[] = "{\"status\":\"queued\"}";

    if (c->fd == -1) {
        /* the header frame could not be sent: the connection is gone */
        sbx_job_unref(job);
        return;
    }

    c->stream = job;
    c->stream_off = 0;

    sbx_events_listen(job, 1);

    if (sbx_events_frame(&c->out, "status", body, sizeof(body) - 1)
        != SBX_OK)
    {
        sbx_conn_close(c);
        return;
    }

    sbx_conn_stream_flush(c);
}


/* The events' eventfd fired: every stream takes what is new. */

void
sbx_conn_stream_all(void)
{
    sbx_conn_t  *c, *next;

    /* a flush may close c, which moves it to the dead list */

    for (c = sbx_conn.conns; c; c = next) {
        next = c->next;

        if (c->stream != NULL && c->fd != -1) {
            sbx_conn_stream_flush(c);
        }
    }
}


/*
 * The job is finished: each stream of it gets the rest of the log and
 * the result, and ends; its connection takes requests again.
 */

void
sbx_conn_stream_end(sbx_job_t *job)
{
    char          *s;
    size_t         len;
    sbx_conn_t    *c, *next;
    sbx_status_e   status;

    for (c = sbx_conn.conns; c; c = next) {
        next = c->next;

        if (c->stream != job || c->fd == -1) {
            continue;
        }

        s = sbx_job_describe(job, &len, &status);

        if (s == NULL
            || sbx_events_copy(job, &c->stream_off, &c->out) != SBX_OK
            || sbx_events_frame(&c->out, "result", s, len) != SBX_OK)
        {
            free(s);
            sbx_log_error("job %s: cannot end its event stream; closing",
                          job->id);
            sbx_conn_close(c);
            continue;
        }

        free(s);

        sbx_conn_stream_detach(c);
        sbx_conn_write(c);
    }
}


static void
sbx_conn_stream_flush(sbx_conn_t *c)
{
    if (sbx_events_copy(c->stream, &c->stream_off, &c->out) != SBX_OK) {
        sbx_log_error("job %s: out of memory for its event stream; "
                      "closing", c->stream->id);
        sbx_conn_close(c);
        return;
    }

    sbx_conn_write(c);
}


static void
sbx_conn_stream_detach(sbx_conn_t *c)
{
    sbx_job_t  *job;

    job = c->stream;

    if (job == NULL) {
        return;
    }

    c->stream = NULL;
    c->stream_off = 0;

    sbx_events_listen(job, 0);
    sbx_job_unref(job);
}


sbx_msec_t
sbx_conn_sweep_at(void)
{
    return sbx_conn.next_sweep;
}


/*
 * Closes the connections whose partial frame is older than the read
 * timeout, and sets the next sweep for the ones left.
 */

void
sbx_conn_sweep(void)
{
    sbx_msec_t   now, at;
    sbx_conn_t  *c, *next;

    now = sbx_monotonic_msec();
    at = 0;

    for (c = sbx_conn.conns; c; c = next) {
        next = c->next;

        if (c->frame_start == 0 || c->waiting != NULL || c->out.len != 0
            || c->stream != NULL)
        {
            continue;
        }

        if (now - c->frame_start >= sbx_conf.read_timeout) {
            sbx_log_warn("no whole frame within %lld ms of its first byte; "
                         "closing the connection",
                         (long long) sbx_conf.read_timeout);
            sbx_conn_close(c);
            continue;
        }

        if (at == 0 || c->frame_start + sbx_conf.read_timeout < at) {
            at = c->frame_start + sbx_conf.read_timeout;
        }
    }

    sbx_conn.next_sweep = at;
}


static void
sbx_conn_read(sbx_conn_t *c)
{
    ssize_t  n;
    size_t   cap;

    cap = sbx_conf.max_frame + SBX_PROTO_MAX_HEADER;

    for ( ;; ) {
        if (sbx_buf_reserve(&c->in, 16384) != SBX_OK) {
            sbx_conn_close(c);
            return;
        }

        n = sbx_conn_recv(c, c->in.data + c->in.len,
                          c->in.size - c->in.len - 1);

        if (n > 0) {
            c->in.len += n;

            if (c->in.len > cap) {
                /* only possible while a reply is pending: a misbehaving
                 * peer; a too large frame is refused when parsed */
                sbx_log_warn("peer sends beyond one frame; closing");
                sbx_conn_close(c);
                return;
            }

            if (c->waiting == NULL && c->stream == NULL && c->out.len == 0) {
                sbx_conn_process(c);

                if (c->fd == -1) {
                    return;
                }
            }

            continue;
        }

        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            sbx_conn_close(c);
            return;
        }

        if (errno == EAGAIN) {
            return;
        }
    }
}


static void
sbx_conn_process(sbx_conn_t *c)
{
    int                  rc;
    size_t               frame;
    sbx_error_t          err;
    sbx_proto_header_t   h;

    c->processing = 1;

    while (c->waiting == NULL && c->stream == NULL && c->out.len == 0
           && !c->close_after && c->in.len > 0)
    {
        rc = sbx_proto_parse_header(c->in.data, c->in.len,
                                    sbx_conf.max_frame, &h);

        if (rc == SBX_PROTO_AGAIN) {
            sbx_conn_partial(c);
            break;
        }

        if (rc != SBX_PROTO_OK) {
            c->close_after = 1;
            c->in.len = 0;
            c->processing = 0;

            if (rc == SBX_PROTO_TOO_LARGE) {
                sbx_error_set(&err, 413, "payload_too_large", "",
                              "the frame is larger than the runner "
                              "accepts");

            } else {
                sbx_log_warn("malformed frame header; closing");
                sbx_error_set(&err, 400, "bad_frame", "",
                              "malformed SBX/1 frame header");
            }

            sbx_conn_reply_error(c, &err);
            return;
        }

        frame = h.header_len + h.body_len;

        if (c->in.len < frame) {
            sbx_conn_partial(c);
            break;
        }

        c->frame_start = 0;

        sbx_metrics_count(SBX_METRIC_REQUESTS);

        if (sbx_conn_auth(c, &h) != SBX_OK) {
            c->processing = 0;
            return;
        }

        sbx_api_request(c, &h, c->in.data + h.header_len, h.body_len);

        if (c->fd == -1) {
            return;
        }

        memmove(c->in.data, c->in.data + frame, c->in.len - frame);
        c->in.len -= frame;
    }

    c->processing = 0;
}


/* A frame has begun and is not whole yet: its read timeout starts. */

static void
sbx_conn_partial(sbx_conn_t *c)
{
    sbx_msec_t  at;

    if (c->frame_start != 0) {
        return;
    }

    c->frame_start = sbx_monotonic_msec();
    at = c->frame_start + sbx_conf.read_timeout;

    if (sbx_conn.next_sweep == 0 || at < sbx_conn.next_sweep) {
        sbx_conn.next_sweep = at;
    }
}


static void
sbx_conn_write(sbx_conn_t *c)
{
    ssize_t  n;

    while (c->sent < c->out.len) {
        n = sbx_conn_send(c, c->out.data + c->sent, c->out.len - c->sent);

        if (n > 0) {
            c->sent += n;
            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1 && errno == EAGAIN) {
            c->writing = 1;
            sbx_conn_interest(c);
            return;
        }

        sbx_conn_close(c);
        return;
    }

    c->out.len = 0;
    c->sent = 0;

    /* a keepalive connection does not hold a large reply's buffer on */

    if (c->out.size > SBX_CONN_KEEP) {
        sbx_buf_free(&c->out);
    }

    if (c->writing) {
        c->writing = 0;
        sbx_conn_interest(c);
    }

    if (c->close_after) {
        sbx_conn_close(c);
        return;
    }

    /* a request may already be waiting behind the one just answered;
     * inside sbx_conn_process() its own loop takes it */

    if (c->in.len > 0 && c->waiting == NULL && c->stream == NULL
        && !c->processing)
    {
        sbx_conn_process(c);
    }
}


static void
sbx_conn_close(sbx_conn_t *c)
{
    sbx_job_t  *job;

    if (c->waiting != NULL) {
        job = c->waiting;
        job->waiter = NULL;
        c->waiting = NULL;

        /*
         * nginx closes the connection when its client went away; the
         * job goes on, its result readable by id, unless the SUBMIT
         * asked to cancel it then
         */

        if (c->cancel_on_close) {
            c->cancel_on_close = 0;
            (void) sbx_api_cancel_job(job, "as its waiting client went away");

        } else {
            sbx_log_info("job %s: its client went away; the job goes on",
                         job->id);
        }
    }

    /* a stream's client went away: the job goes on all the same */
    sbx_conn_stream_detach(c);

    if (c->prev) {
        c->prev->next = c->next;

    } else {
        sbx_conn.conns = c->next;
    }

    if (c->next) {
        c->next->prev = c->prev;
    }

    sbx_tls_close(c->ssl);
    c->ssl = NULL;

    close(c->fd);
    c->fd = -1;

    /* a descriptor is free again: accepting may work now */

    sbx_server_accept_retry();

    /* callers up the stack and later events of this batch may still
     * look at c (they check c->fd), so it is freed after the batch */

    c->next = sbx_conn.dead;
    sbx_conn.dead = c;
}


void
sbx_conn_free_dead(void)
{
    sbx_conn_t  *c;

    while (sbx_conn.dead) {
        c = sbx_conn.dead;
        sbx_conn.dead = c->next;

        sbx_buf_free(&c->in);
        sbx_buf_free(&c->out);
        free(c->check);
        free(c);
    }
}


/* At exit: every connection closed and freed. */

void
sbx_conn_close_all(void)
{
    sbx_conn_t  *c;

    /* the runner stops: a job it ends is not its client's cancel */

    for (c = sbx_conn.conns; c; c = c->next) {
        c->cancel_on_close = 0;
    }

    while (sbx_conn.conns) {
        sbx_conn_close(sbx_conn.conns);
    }

    sbx_conn_free_dead();
}


/*
 * The shared key's token (auth=) on a frame, when the runner has one:
 * a frame without it or with a wrong one is refused and the connection
 * closed.  The value is never logged.
 */

static int
sbx_conn_auth(sbx_conn_t *c, sbx_proto_header_t *h)
{
    int                     rc;
    sbx_error_t             err;
    const sbx_proto_str_t  *v;

    v = sbx_proto_attr(h, "auth");

    rc = sbx_tls_auth(v ? v->data : NULL, v ? v->len : 0);

    if (rc == 0) {
        return SBX_OK;
    }

    sbx_log_warn("a request %s the shared key's token; closing",
                 rc == 401 ? "without" : "with a wrong value for");

    if (rc == 401) {
        sbx_error_set(&err, 401, "unauthorized", "",
                      "this runner requires the shared key's token");

    } else {
        sbx_error_set(&err, 403, "forbidden", "",
                      "the shared key's token is wrong");
    }

    c->close_after = 1;
    c->in.len = 0;

    sbx_conn_reply_error(c, &err);

    return SBX_ERROR;
}


static ssize_t
sbx_conn_recv(sbx_conn_t *c, char *buf, size_t len)
{
    ssize_t   n;
    uint32_t  want;

    if (c->ssl == NULL) {
        return read(c->fd, buf, len);
    }

    want = 0;
    n = sbx_tls_read(c->ssl, buf, len, &want);

    if (c->read_blocked != (want == EPOLLOUT)) {
        c->read_blocked = (want == EPOLLOUT);
        sbx_conn_interest(c);
    }

    return n;
}


static ssize_t
sbx_conn_send(sbx_conn_t *c, const char *buf, size_t len)
{
    ssize_t   n;
    uint32_t  want;

    if (c->ssl == NULL) {
        return write(c->fd, buf, len);
    }

    want = 0;
    n = sbx_tls_write(c->ssl, buf, len, &want);

    c->write_blocked = (want == EPOLLIN);

    return n;
}


/*
 * The events epoll reports for c: always readable (requests, the peer's
 * close); writable while a reply waits for the socket or a TLS read
 * waits to write.
 */

static void
sbx_conn_interest(sbx_conn_t *c)
{
    uint32_t  events;

    events = EPOLLIN;

    if ((c->writing && !c->write_blocked) || c->read_blocked) {
        events |= EPOLLOUT;
    }

    if (events != c->want) {
        c->want = events;
        sbx_server_epoll(EPOLL_CTL_MOD, c->fd, events, c);
    }
}
