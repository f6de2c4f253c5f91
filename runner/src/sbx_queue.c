
/*
 * Queues between the event thread and the workers, after nginx's
 * ngx_thread_pool.c: a mutex-protected list each way, a condition
 * variable to wake a worker, an eventfd to wake epoll.
 *
 * Locking: q->lock guards every field of sbx_queue_t, d->lock every field
 * of sbx_done_t except fd, which is set once.  A job is on at most one
 * list at a time, so job->next belongs to whichever lock guards that
 * list.  No lock is held while calling out.
 */


#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_job.h"
#include "sbx_queue.h"


int
sbx_queue_init(sbx_queue_t *q, size_t max)
{
    memset(q, 0, sizeof(sbx_queue_t));

    q->max = max;

    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        return SBX_ERROR;
    }

    if (pthread_cond_init(&q->cond, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        return SBX_ERROR;
    }

    return SBX_OK;
}


void
sbx_queue_destroy(sbx_queue_t *q)
{
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}


int
sbx_queue_push(sbx_queue_t *q, sbx_job_t **jobs, size_t n)
{
    size_t  i;

    pthread_mutex_lock(&q->lock);

    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return SBX_DECLINED;
    }

    if (q->len + n > q->max) {
        pthread_mutex_unlock(&q->lock);
        return SBX_BUSY;
    }

    for (i = 0; i < n; i++) {
        jobs[i]->next = NULL;

        if (q->tail) {
            q->tail->next = jobs[i];

        } else {
            q->head = jobs[i];
        }

        q->tail = jobs[i];
    }

    q->len += n;

    if (n == 1) {
        pthread_cond_signal(&q->cond);

    } else {
        pthread_cond_broadcast(&q->cond);
    }

    pthread_mutex_unlock(&q->lock);

    return SBX_OK;
}


int
sbx_queue_push_force(sbx_queue_t *q, sbx_job_t *job)
{
    size_t  max;
    int     rc;

    /* jobs taken back after a restart were accepted already */

    pthread_mutex_lock(&q->lock);
    max = q->max;
    q->max = sbx_max(max, q->len + 1);
    pthread_mutex_unlock(&q->lock);

    rc = sbx_queue_push(q, &job, 1);

    pthread_mutex_lock(&q->lock);
    q->max = max;
    pthread_mutex_unlock(&q->lock);

    return rc;
}


int
sbx_queue_remove(sbx_queue_t *q, sbx_job_t *job)
{
    sbx_job_t  **pp, *prev;

    pthread_mutex_lock(&q->lock);

    prev = NULL;

    for (pp = &q->head; *pp; pp = &(*pp)->next) {

        if (*pp == job) {
            *pp = job->next;

            if (q->tail == job) {
                q->tail = prev;
            }

            q->len--;
            job->next = NULL;

            pthread_mutex_unlock(&q->lock);
            return SBX_OK;
        }

        prev = *pp;
    }

    pthread_mutex_unlock(&q->lock);

    return SBX_DECLINED;
}


sbx_job_t *
sbx_queue_pop(sbx_queue_t *q)
{
    sbx_job_t  *job;

    pthread_mutex_lock(&q->lock);

    while (q->head == NULL && !q->closed) {
        pthread_cond_wait(&q->cond, &q->lock);
    }

    job = q->closed ? NULL : q->head;

    if (job) {
        q->head = job->next;

        if (q->head == NULL) {
            q->tail = NULL;
        }

        q->len--;
        job->next = NULL;
    }

    pthread_mutex_unlock(&q->lock);

    return job;
}


sbx_job_t *
sbx_queue_close(sbx_queue_t *q)
{
    sbx_job_t  *rest;

    pthread_mutex_lock(&q->lock);

    q->closed = 1;
    rest = q->head;
    q->head = NULL;
    q->tail = NULL;
    q->len = 0;

    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);

    return rest;
}


size_t
sbx_queue_len(sbx_queue_t *q)
{
    size_t  len;

    pthread_mutex_lock(&q->lock);
    len = q->len;
    pthread_mutex_unlock(&q->lock);

    return len;
}


int
sbx_done_init(sbx_done_t *d)
{
    memset(d, 0, sizeof(sbx_done_t));

    d->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->fd == -1) {
        return SBX_ERROR;
    }

    if (pthread_mutex_init(&d->lock, NULL) != 0) {
        close(d->fd);
        return SBX_ERROR;
    }

    return SBX_OK;
}


void
sbx_done_destroy(sbx_done_t *d)
{
    close(d->fd);
    pthread_mutex_destroy(&d->lock);
}


void
sbx_done_push(sbx_done_t *d, sbx_job_t *job)
{
    ssize_t   n;
    uint64_t  one;

    pthread_mutex_lock(&d->lock);

    job->next = NULL;

    if (d->tail) {
        d->tail->next = job;

    } else {
        d->head = job;
    }

    d->tail = job;

    pthread_mutex_unlock(&d->lock);

    one = 1;
    n = write(d->fd, &one, sizeof(one));
    (void) n;                             /* EAGAIN: already signalled */
}


sbx_job_t *
sbx_done_take(sbx_done_t *d)
{
    ssize_t     n;
    uint64_t    count;
    sbx_job_t  *list;

    n = read(d->fd, &count, sizeof(count));
    (void) n;

    pthread_mutex_lock(&d->lock);

    list = d->head;
    d->head = NULL;
    d->tail = NULL;

    pthread_mutex_unlock(&d->lock);

    return list;
}
