
/*
 * The event thread.
 *
 * One epoll loop owns the listening socket, every connection from nginx
 * (sbx_conn.c), the done queue's eventfd, the live events' eventfd
 * (sbx_events.c: a streamed job has news) and a signalfd.  A connection's
 * events go to sbx_conn_event(); a job that comes back through the done
 * queue answers the connection waiting for it and has its callback
 * scheduled.  The loop's one timer is the nearest of the partial-frame
 * sweep (sbx_conn_sweep_at()) and the end of an accept pause.
 *
 * When the process runs out of descriptors (EMFILE, ENFILE), accept(2)
 * fails while the listening socket stays readable: the listener leaves
 * epoll for SBX_SERVER_ACCEPT_PAUSE ms (as nginx does), or until a
 * connection closes (sbx_server_accept_retry()), instead of waking the
 * loop over and over.
 *
 * Shutdown (SIGTERM, SIGINT): the listener closes, new submissions get
 * 503, queued jobs stay on disk as they are (the next start runs them,
 * as after a crash), running jobs get the grace period, then their
 * containers are killed and they too are left for the next start; a
 * connection waiting for a job that did not end gets 202 and its id.
 * The loop ends when the last worker has handed back its job.
 *
 * Drain (SIGQUIT, as nginx's graceful shutdown): new submissions get 503
 * with Retry-After while everything else is served; once no job is
 * queued or running and every reply is sent, the runner stops as above
 * with nothing left to keep.
 *
 * The listening socket is opened by sbx_listen.c.
 *
 * Locking: everything here is the event thread's own.
 */


#define _GNU_SOURCE
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_callback.h"
#include "sbx_conf.h"
#include "sbx_conn.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_listen.h"
#include "sbx_log.h"
#include "sbx_pool.h"
#include "sbx_server.h"
#include "sbx_store.h"


#define SBX_SERVER_EVENTS        64
#define SBX_SERVER_ACCEPT_PAUSE  500


static struct {
    int                 epfd;
    int                 lfd;
    int                 sfd;
    sbx_queue_t        *queue;
    sbx_done_t         *done;
    int                 stopping;
    int                 draining;
    int                 aborted;
    int                 accept_paused;
    sbx_msec_t          accept_resume;
    sbx_msec_t          deadline;
    char                path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
} sbx_server;


/* epoll tags for the descriptors that are not connections */
static char  sbx_server_tag_listen;
static char  sbx_server_tag_done;
static char  sbx_server_tag_events;
static char  sbx_server_tag_signal;


static void sbx_server_accept(void);
static void sbx_server_accept_pause(void);
static void sbx_server_accept_resume(void);
static int sbx_server_timeout(void);
static void sbx_server_take_done(void);
static void sbx_server_signal(void);
static void sbx_server_stop(void);
static int sbx_server_drained(void);


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
    sigaddset(&set, SIGQUIT);

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

    if (sbx_events_init() != SBX_OK) {
        return SBX_ERROR;
    }

    sbx_server_epoll(EPOLL_CTL_ADD, sbx_events_fd(), EPOLLIN,
                     &sbx_server_tag_events);
    sbx_server_epoll(EPOLL_CTL_ADD, sbx_server.sfd, EPOLLIN,
                     &sbx_server_tag_signal);

    return SBX_OK;
}


int
sbx_server_run(void)
{
    int                 i, n, timeout;
    void               *tag;
    sbx_msec_t          sweep;
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

            } else if (tag == &sbx_server_tag_events) {
                sbx_events_drain();
                sbx_conn_stream_all();

            } else if (tag == &sbx_server_tag_signal) {
                sbx_server_signal();

            } else {
                sbx_conn_event(tag, ev[i].events);
            }
        }

        sbx_conn_free_dead();

        if (sbx_server.accept_paused
            && sbx_monotonic_msec() >= sbx_server.accept_resume)
        {
            sbx_server_accept_resume();
        }

        sweep = sbx_conn_sweep_at();

        if (sweep != 0 && sbx_monotonic_msec() >= sweep) {
            sbx_conn_sweep();
            sbx_conn_free_dead();
        }

        if (sbx_server.draining && !sbx_server.stopping
            && sbx_server_drained())
        {
            sbx_log_info("drained: no job left; stopping");
            sbx_server_stop();
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
    sbx_conn_close_all();

    if (sbx_server.lfd != -1) {
        close(sbx_server.lfd);
    }

    if (sbx_server.path[0] != '\0') {
        (void) unlink(sbx_server.path);
    }

    close(sbx_server.sfd);
    close(sbx_server.epfd);
}


int
sbx_server_shutting_down(void)
{
    return sbx_server.stopping || sbx_server.draining;
}


int
sbx_server_draining(void)
{
    return sbx_server.draining && !sbx_server.stopping;
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


sbx_done_t *
sbx_server_done(void)
{
    return sbx_server.done;
}


static void
sbx_server_accept(void)
{
    int  fd;

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

        if (sbx_conn_open(fd) != SBX_OK) {
            close(fd);
        }
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


/* A descriptor was closed: a paused listener need not wait any longer. */

void
sbx_server_accept_retry(void)
{
    if (sbx_server.accept_paused) {
        sbx_server_accept_resume();
    }
}


/* epoll_wait's timeout: the nearest of the timers, or none */

static int
sbx_server_timeout(void)
{
    sbx_msec_t  now, at, t;

    at = sbx_conn_sweep_at();

    if (sbx_server.accept_paused
        && (at == 0 || sbx_server.accept_resume < at))
    {
        at = sbx_server.accept_resume;
    }

    if (at == 0) {
        return (sbx_server.stopping || sbx_server.draining) ? 100 : -1;
    }

    now = sbx_monotonic_msec();
    t = at > now ? at - now : 0;

    if ((sbx_server.stopping || sbx_server.draining) && t > 100) {
        t = 100;
    }

    return (int) sbx_min(t, 60000);
}


/*
 * Finished jobs (sbx_job_finish()) come back here from the done queue: a
 * connection waiting for one is answered, its callback is scheduled.
 */

static void
sbx_server_take_done(void)
{
    sbx_job_t  *job, *next;

    for (job = sbx_done_take(sbx_server.done); job; job = next) {
        next = job->next;

        if (job->kept) {
            sbx_conn_kept(job);
            sbx_job_unref(job);
            continue;
        }

        sbx_conn_answer(job);
        sbx_job_stage(job, SBX_STAGE_REPLY, 0);
        sbx_job_stage_done(job);

        /* its streams end with the result; the live log is not needed */
        sbx_conn_stream_end(job);
        sbx_events_free(job);

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

        case SIGQUIT:
            if (!sbx_server.stopping && !sbx_server.draining) {
                sbx_log_info("SIGQUIT: draining: no new jobs; stopping "
                             "once every job has ended");
                sbx_server.draining = 1;
            }

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
    int         n;
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

    /*
     * Jobs that have not started stay on disk for the next start, as a
     * crash would leave them; a client waiting for one learns its id.
     */

    n = 0;

    for (job = sbx_queue_close(sbx_server.queue); job; job = next) {
        next = job->next;

        sbx_store_unstarted(job);
        sbx_conn_kept(job);
        sbx_job_unref(job);
        n++;
    }

    if (n > 0) {
        sbx_log_info("shutdown: %d queued jobs left for the next start", n);
    }

    /* workers end after their current job: the queue is closed */
}


/* Draining is done: no job queued or running, no reply half sent. */

static int
sbx_server_drained(void)
{
    sbx_jobs_stats_t  st;

    sbx_jobs_stats(&st);

    return st.stored == st.finished && sbx_queue_len(sbx_server.queue) == 0
           && !sbx_conn_sending();
}


void
sbx_server_epoll(int op, int fd, uint32_t events, void *ptr)
{
    struct epoll_event  ev;

    ev.events = events;
    ev.data.ptr = ptr;

    if (epoll_ctl(sbx_server.epfd, op, fd, &ev) == -1) {
        sbx_log_error("epoll_ctl(%d, %d): %s", op, fd, strerror(errno));
    }
}
