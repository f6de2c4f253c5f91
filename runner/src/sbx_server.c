
/*
 * The event thread.
 *
 * One epoll loop owns the listening socket, every connection from nginx,
 * the done queue's eventfd and a signalfd.  Frames are read into a
 * per-connection buffer and handled one at a time (nginx sends the next
 * request on a connection only after the reply), by sbx_api.c.  A
 * SUBMIT with wait=1 parks its connection on the job; the job comes back
 * through the done queue and the reply goes out from here, so no worker
 * ever writes to a socket.
 *
 * The runner must survive any byte sequence on its socket: a malformed
 * header is answered 400 and the connection closed, an oversized frame
 * 413; input is never buffered beyond one frame.  A frame must arrive
 * whole within --read-timeout of its first byte, or the connection is
 * closed: a peer that trickles bytes holds no descriptor for long.
 *
 * When the process runs out of descriptors (EMFILE, ENFILE), accept(2)
 * fails while the listening socket stays readable: the listener leaves
 * epoll for SBX_SERVER_ACCEPT_PAUSE ms (as nginx does), or until a
 * connection closes, instead of waking the loop over and over.
 *
 * Shutdown (SIGTERM, SIGINT): the listener closes, new submissions get
 * 503, queued jobs end at once as internal_error, running jobs get the
 * grace period, then their containers are killed; the loop ends when
 * the last worker has handed back its job.
 *
 * The listening socket is opened by sbx_listen.c.
 *
 * Locking: everything here is the event thread's own.
 */


#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_api.h"
#include "sbx_callback.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_listen.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_pool.h"
#include "sbx_server.h"


#define SBX_SERVER_EVENTS        64
#define SBX_SERVER_KEEP          (64 * 1024)  /* a reply buffer kept */
#define SBX_SERVER_ACCEPT_PAUSE  500


struct sbx_conn_s {
    int                 fd;
    sbx_buf_t           in;
    sbx_buf_t           out;
    size_t              sent;
    sbx_msec_t          frame_start;     /* first byte of a partial frame */
    sbx_job_t          *waiting;
    unsigned            close_after:1;
    unsigned            writing:1;
    unsigned            processing:1;
    sbx_conn_t         *prev;
    sbx_conn_t         *next;
};


static struct {
    int                 epfd;
    int                 lfd;
    int                 sfd;
    sbx_queue_t        *queue;
    sbx_done_t         *done;
    sbx_conn_t         *conns;
    sbx_conn_t         *dead;            /* closed, freed after the batch */
    int                 stopping;
    int                 aborted;
    int                 accept_paused;
    sbx_msec_t          accept_resume;
    sbx_msec_t          next_sweep;      /* 0: no partial frame */
    sbx_msec_t          deadline;
    char                path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
} sbx_server;


/* epoll tags for the descriptors that are not connections */
static char  sbx_server_tag_listen;
static char  sbx_server_tag_done;
static char  sbx_server_tag_signal;


static void sbx_server_accept(void);
static void sbx_server_accept_pause(void);
static void sbx_server_accept_resume(void);
static int sbx_server_timeout(void);
static void sbx_server_sweep(void);
static void sbx_server_partial(sbx_conn_t *c);
static void sbx_server_read(sbx_conn_t *c);
static void sbx_server_process(sbx_conn_t *c);
static void sbx_server_write(sbx_conn_t *c);
static void sbx_server_close(sbx_conn_t *c);
static void sbx_server_free_dead(void);
static void sbx_server_take_done(void);
static void sbx_server_signal(void);
static void sbx_server_stop(void);
static void sbx_server_epoll(int op, int fd, uint32_t events, void *ptr);


int
sbx_server_init(sbx_queue_t *queue, sbx_done_t *done)
{
    sigset_t  set;

    sbx_server.queue = queue;
    sbx_server.done = done;
    sbx_server.lfd = -1;

    sbx_server.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (sbx_server.epfd == -1) {
        sbx_log_error("epoll_create1: %s", strerror(errno));
        return SBX_ERROR;
    }

    /* signals arrive as events; they are blocked in every thread */

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);

    sbx_server.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sbx_server.sfd == -1) {
        sbx_log_error("signalfd: %s", strerror(errno));
        return SBX_ERROR;
    }

    sbx_server.lfd = sbx_listen_open(sbx_conf.listen, sbx_server.path,
                                     sizeof(sbx_server.path));
    if (sbx_server.lfd == -1) {
        return SBX_ERROR;
    }

    sbx_server_epoll(EPOLL_CTL_ADD, sbx_server.lfd, EPOLLIN,
                     &sbx_server_tag_listen);
    sbx_server_epoll(EPOLL_CTL_ADD, done->fd, EPOLLIN, &sbx_server_tag_done);
    sbx_server_epoll(EPOLL_CTL_ADD, sbx_server.sfd, EPOLLIN,
                     &sbx_server_tag_signal);

    return SBX_OK;
}


int
sbx_server_run(void)
{
    int                 i, n, timeout;
    void               *tag;
    sbx_conn_t         *c;
    struct epoll_event  ev[SBX_SERVER_EVENTS];

    sbx_log_set_thread("event");

    for ( ;; ) {
        timeout = sbx_server_timeout();

        n = epoll_wait(sbx_server.epfd, ev, SBX_SERVER_EVENTS, timeout);

        if (n == -1 && errno != EINTR) {
            sbx_log_error("epoll_wait: %s", strerror(errno));
            return SBX_ERROR;
        }

        for (i = 0; i < n; i++) {
            tag = ev[i].data.ptr;

            if (tag == &sbx_server_tag_listen) {
                sbx_server_accept();

            } else if (tag == &sbx_server_tag_done) {
                sbx_server_take_done();

            } else if (tag == &sbx_server_tag_signal) {
                sbx_server_signal();

            } else {
                c = tag;

                if (c->fd == -1) {
                    continue;             /* closed earlier in this batch */
                }

                if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                    sbx_server_read(c);

                } else if (ev[i].events & EPOLLOUT) {
                    sbx_server_write(c);
                }
            }
        }

        sbx_server_free_dead();

        if (sbx_server.accept_paused
            && sbx_monotonic_msec() >= sbx_server.accept_resume)
        {
            sbx_server_accept_resume();
        }

        if (sbx_server.next_sweep != 0
            && sbx_monotonic_msec() >= sbx_server.next_sweep)
        {
            sbx_server_sweep();
            sbx_server_free_dead();
        }

        if (!sbx_server.stopping) {
            continue;
        }

        if (!sbx_server.aborted
            && sbx_monotonic_msec() >= sbx_server.deadline
            && sbx_pool_running() > 0)
        {
            sbx_log_warn("shutdown: grace period over, killing %d "
                         "running jobs", sbx_pool_running());
            sbx_pool_abort();
            sbx_server.aborted = 1;
        }

        if (sbx_pool_running() == 0) {
            sbx_server_take_done();
            return SBX_OK;
        }
    }
}


void
sbx_server_cleanup(void)
{
    while (sbx_server.conns) {
        sbx_server_close(sbx_server.conns);
    }

    sbx_server_free_dead();

    if (sbx_server.lfd != -1) {
        close(sbx_server.lfd);
    }

    if (sbx_server.path[0] != '\0') {
        (void) unlink(sbx_server.path);
    }

    close(sbx_server.sfd);
    close(sbx_server.epfd);
}


void
sbx_server_reply(sbx_conn_t *c, const sbx_reply_t *r)
{
    int                n;
    char               status[8], retry[16], head[SBX_PROTO_MAX_HEADER];
    unsigned           na;
    sbx_proto_attr_t   attrs[4];

    snprintf(status, sizeof(status), "%03d", r->status);

    na = 0;

#define sbx_server_attr(k, v)                                               \
    if (v != NULL) {                                                        \
        attrs[na].key.data = k;                                             \
        attrs[na].key.len = sizeof(k) - 1;                                  \
        attrs[na].value.data = v;                                           \
        attrs[na].value.len = strlen(v);                                    \
        na++;                                                               \
    }

    sbx_server_attr("id", r->id);
    sbx_server_attr("status", r->job_status);
    sbx_server_attr("language", r->language);

    if (r->retry_after > 0) {
        snprintf(retry, sizeof(retry), "%d", r->retry_after);
        sbx_server_attr("retry-after", retry);
    }

#undef sbx_server_attr

    n = sbx_proto_write_header(head, sizeof(head), status, r->len, attrs, na);

    if (n < 0
        || sbx_buf_append(&c->out, head, n) != SBX_OK
        || sbx_buf_append(&c->out, r->body, r->len) != SBX_OK)
    {
        sbx_log_error("cannot build a reply; closing the connection");
        c->close_after = 1;
        c->out.len = 0;
    }

    sbx_server_write(c);
}


void
sbx_server_reply_error(sbx_conn_t *c, const sbx_error_t *err)
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

    sbx_server_reply(c, &r);
    free(body);
}


void
sbx_server_wait(sbx_conn_t *c, sbx_job_t *job)
{
    c->waiting = job;
    job->waiter = c;
}


int
sbx_server_shutting_down(void)
{
    return sbx_server.stopping;
}


size_t
sbx_server_queue_depth(void)
{
    return sbx_queue_len(sbx_server.queue);
}


sbx_queue_t *
sbx_server_queue(void)
{
    return sbx_server.queue;
}


static void
sbx_server_accept(void)
{
    int          fd;
    sbx_conn_t  *c;

    for ( ;; ) {
        fd = accept4(sbx_server.lfd, NULL, NULL,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd == -1) {
            if (errno == EMFILE || errno == ENFILE) {
                sbx_log_error("accept: %s; not accepting for %d ms",
                              strerror(errno), SBX_SERVER_ACCEPT_PAUSE);
                sbx_server_accept_pause();

            } else if (errno != EAGAIN && errno != EINTR) {
                sbx_log_error("accept: %s", strerror(errno));
            }

            return;
        }

        c = calloc(1, sizeof(sbx_conn_t));
        if (c == NULL) {
            close(fd);
            continue;
        }

        c->fd = fd;
        c->next = sbx_server.conns;

        if (sbx_server.conns) {
            sbx_server.conns->prev = c;
        }

        sbx_server.conns = c;

        sbx_metrics_count(SBX_METRIC_CONNECTIONS);
        sbx_server_epoll(EPOLL_CTL_ADD, fd, EPOLLIN, c);
    }
}


static void
sbx_server_accept_pause(void)
{
    sbx_server_epoll(EPOLL_CTL_DEL, sbx_server.lfd, 0, NULL);
    sbx_server.accept_paused = 1;
    sbx_server.accept_resume = sbx_monotonic_msec()
                               + SBX_SERVER_ACCEPT_PAUSE;
}


static void
sbx_server_accept_resume(void)
{
    sbx_server.accept_paused = 0;

    if (sbx_server.lfd != -1) {
        sbx_server_epoll(EPOLL_CTL_ADD, sbx_server.lfd, EPOLLIN,
                         &sbx_server_tag_listen);
    }
}


/* epoll_wait's timeout: the nearest of the timers, or none */

static int
sbx_server_timeout(void)
{
    sbx_msec_t  now, at, t;

    at = sbx_server.next_sweep;

    if (sbx_server.accept_paused
        && (at == 0 || sbx_server.accept_resume < at))
    {
        at = sbx_server.accept_resume;
    }

    if (at == 0) {
        return sbx_server.stopping ? 100 : -1;
    }

    now = sbx_monotonic_msec();
    t = at > now ? at - now : 0;

    if (sbx_server.stopping && t > 100) {
        t = 100;
    }

    return (int) sbx_min(t, 60000);
}


/*
 * Closes the connections whose partial frame is older than the read
 * timeout, and sets the next sweep for the ones left.
 */

static void
sbx_server_sweep(void)
{
    sbx_msec_t   now, at;
    sbx_conn_t  *c, *next;

    now = sbx_monotonic_msec();
    at = 0;

    for (c = sbx_server.conns; c; c = next) {
        next = c->next;

        if (c->frame_start == 0 || c->waiting != NULL || c->out.len != 0) {
            continue;
        }

        if (now - c->frame_start >= sbx_conf.read_timeout) {
            sbx_log_warn("no whole frame within %lld ms of its first byte; "
                         "closing the connection",
                         (long long) sbx_conf.read_timeout);
            sbx_server_close(c);
            continue;
        }

        if (at == 0 || c->frame_start + sbx_conf.read_timeout < at) {
            at = c->frame_start + sbx_conf.read_timeout;
        }
    }

    sbx_server.next_sweep = at;
}


static void
sbx_server_read(sbx_conn_t *c)
{
    ssize_t  n;
    size_t   cap;

    cap = sbx_conf.max_frame + SBX_PROTO_MAX_HEADER;

    for ( ;; ) {
        if (sbx_buf_reserve(&c->in, 16384) != SBX_OK) {
            sbx_server_close(c);
            return;
        }

        n = read(c->fd, c->in.data + c->in.len, c->in.size - c->in.len - 1);

        if (n > 0) {
            c->in.len += n;

            if (c->in.len > cap) {
                /* only possible while a reply is pending: a misbehaving
                 * peer; a too large frame is refused when parsed */
                sbx_log_warn("peer sends beyond one frame; closing");
                sbx_server_close(c);
                return;
            }

            if (c->waiting == NULL && c->out.len == 0) {
                sbx_server_process(c);

                if (c->fd == -1) {
                    return;
                }
            }

            continue;
        }

        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            sbx_server_close(c);
            return;
        }

        if (errno == EAGAIN) {
            return;
        }
    }
}


static void
sbx_server_process(sbx_conn_t *c)
{
    int                  rc;
    size_t               frame;
    sbx_error_t          err;
    sbx_proto_header_t   h;

    c->processing = 1;

    while (c->waiting == NULL && c->out.len == 0 && !c->close_after
           && c->in.len > 0)
    {
        rc = sbx_proto_parse_header(c->in.data, c->in.len,
                                    sbx_conf.max_frame, &h);

        if (rc == SBX_PROTO_AGAIN) {
            sbx_server_partial(c);
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

            sbx_server_reply_error(c, &err);
            return;
        }

        frame = h.header_len + h.body_len;

        if (c->in.len < frame) {
            sbx_server_partial(c);
            break;
        }

        c->frame_start = 0;

        sbx_metrics_count(SBX_METRIC_REQUESTS);

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
sbx_server_partial(sbx_conn_t *c)
{
    sbx_msec_t  at;

    if (c->frame_start != 0) {
        return;
    }

    c->frame_start = sbx_monotonic_msec();
    at = c->frame_start + sbx_conf.read_timeout;

    if (sbx_server.next_sweep == 0 || at < sbx_server.next_sweep) {
        sbx_server.next_sweep = at;
    }
}


static void
sbx_server_write(sbx_conn_t *c)
{
    ssize_t  n;

    while (c->sent < c->out.len) {
        n = write(c->fd, c->out.data + c->sent, c->out.len - c->sent);

        if (n > 0) {
            c->sent += n;
            continue;
        }

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n == -1 && errno == EAGAIN) {
            if (!c->writing) {
                c->writing = 1;
                sbx_server_epoll(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, c);
            }

            return;
        }

        sbx_server_close(c);
        return;
    }

    c->out.len = 0;
    c->sent = 0;

    /* a keepalive connection does not hold a large reply's buffer on */

    if (c->out.size > SBX_SERVER_KEEP) {
        sbx_buf_free(&c->out);
    }

    if (c->writing) {
        c->writing = 0;
        sbx_server_epoll(EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
    }

    if (c->close_after) {
        sbx_server_close(c);
        return;
    }

    /* a request may already be waiting behind the one just answered;
     * inside sbx_server_process() its own loop takes it */

    if (c->in.len > 0 && c->waiting == NULL && !c->processing) {
        sbx_server_process(c);
    }
}


static void
sbx_server_close(sbx_conn_t *c)
{
    if (c->waiting != NULL) {
        /* the job goes on; its result stays readable by id */
        sbx_log_info("job %s: its client went away; the job goes on",
                     c->waiting->id);
        c->waiting->waiter = NULL;
        c->waiting = NULL;
    }

    if (c->prev) {
        c->prev->next = c->next;

    } else {
        sbx_server.conns = c->next;
    }

    if (c->next) {
        c->next->prev = c->prev;
    }

    close(c->fd);
    c->fd = -1;

    /* a descriptor is free again: accepting may work now */

    if (sbx_server.accept_paused) {
        sbx_server_accept_resume();
    }

    /* callers up the stack and later events of this batch may still
     * look at c (they check c->fd), so it is freed after the batch */

    c->next = sbx_server.dead;
    sbx_server.dead = c;
}


static void
sbx_server_free_dead(void)
{
    sbx_conn_t  *c;

    while (sbx_server.dead) {
        c = sbx_server.dead;
        sbx_server.dead = c->next;

        sbx_buf_free(&c->in);
        sbx_buf_free(&c->out);
        free(c);
    }
}


/*
 * Finished jobs (sbx_job_finish()) come back here from the done queue: a
 * connection waiting for one is answered, its callback is scheduled.
 */

static void
sbx_server_take_done(void)
{
    sbx_job_t   *job, *next;
    sbx_conn_t  *c;

    for (job = sbx_done_take(sbx_server.done); job; job = next) {
        next = job->next;

        c = job->waiter;

        if (c != NULL) {
            job->waiter = NULL;
            c->waiting = NULL;
            sbx_api_answer(c, job);
        }

        if (job->callback_url != NULL) {
            sbx_callback_enqueue(job);
        }

        sbx_job_unref(job);
    }
}


static void
sbx_server_signal(void)
{
    struct signalfd_siginfo  si;

    while (read(sbx_server.sfd, &si, sizeof(si)) == sizeof(si)) {

        switch (si.ssi_signo) {

        case SIGHUP:
            sbx_log_info("SIGHUP: reopening the log");
            (void) sbx_log_reopen();
            break;

        default:
            if (!sbx_server.stopping) {
                sbx_log_info("signal %d: shutting down", (int) si.ssi_signo);
                sbx_server_stop();

            } else {
                sbx_log_warn("signal %d again: killing running jobs now",
                             (int) si.ssi_signo);
                sbx_server.deadline = 0;
            }
        }
    }
}


static void
sbx_server_stop(void)
{
    sbx_job_t  *job, *next;

    sbx_server.stopping = 1;
    sbx_server.deadline = sbx_monotonic_msec() + sbx_conf.shutdown_grace;

    /* no new connections; the socket file goes so nginx fails fast */

    if (!sbx_server.accept_paused) {
        sbx_server_epoll(EPOLL_CTL_DEL, sbx_server.lfd, 0, NULL);
    }

    close(sbx_server.lfd);
    sbx_server.lfd = -1;

    if (sbx_server.path[0] != '\0') {
        (void) unlink(sbx_server.path);
        sbx_server.path[0] = '\0';
    }

    /* jobs that have not started end now, explicitly */

    for (job = sbx_queue_close(sbx_server.queue); job; job = next) {
        next = job->next;
        sbx_job_finish(job, NULL, "the runner shut down before the job "
                       "started", sbx_server.done);
    }

    /* workers end after their current job: the queue is closed */
}


static void
sbx_server_epoll(int op, int fd, uint32_t events, void *ptr)
{
    struct epoll_event  ev;

    ev.events = events;
    ev.data.ptr = ptr;

    if (epoll_ctl(sbx_server.epfd, op, fd, &ev) == -1) {
        sbx_log_error("epoll_ctl(%d, %d): %s", op, fd, strerror(errno));
    }
}
