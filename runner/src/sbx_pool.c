
/*
 * The worker pool.
 *
 * A worker owns one Docker client (curl handle, kept alive) for its whole
 * life and blocks in Docker calls; that is why jobs run on threads and
 * not on the event loop.  The number of workers is the number of
 * containers that run at once.
 *
 * With --test-double a worker has no Docker client and sbx_double.c
 * answers in place of the sandbox; nothing else changes.
 *
 * Locking: a job popped from the queue belongs to its worker until
 * sbx_job_finish() hands it to the done queue; its shared fields go
 * through sbx_job.c's lock.  sbx_pool.running is atomic.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_double.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_pool.h"
#include "sbx_sandbox.h"


static struct {
    pthread_t      *threads;
    int             n;
    int             running;
    sbx_queue_t    *queue;
    sbx_done_t     *done;
} sbx_pool;


static void *sbx_pool_worker(void *data);
static json_t *sbx_pool_run(sbx_docker_t *d, sbx_job_t *job,
    sbx_box_t **box, char *err, size_t size);


int
sbx_pool_start(sbx_queue_t *queue, sbx_done_t *done, int n)
{
    int  i;

    sbx_pool.queue = queue;
    sbx_pool.done = done;

    sbx_pool.threads = calloc(n, sizeof(pthread_t));
    if (sbx_pool.threads == NULL) {
        return SBX_ERROR;
    }

    for (i = 0; i < n; i++) {
        __atomic_add_fetch(&sbx_pool.running, 1, __ATOMIC_SEQ_CST);

        if (sbx_thread_start(&sbx_pool.threads[i], sbx_pool_worker,
                             (void *) (intptr_t) i, "worker")
            != SBX_OK)
        {
            __atomic_sub_fetch(&sbx_pool.running, 1, __ATOMIC_SEQ_CST);
            return SBX_ERROR;
        }

        sbx_pool.n++;
    }

    sbx_log_info("%d workers", n);

    return SBX_OK;
}


void
sbx_pool_abort(void)
{
    sbx_docker_t  *d;

    if (sbx_conf.test_double) {
        sbx_double_abort();
        return;
    }

    d = sbx_docker_create(sbx_conf.docker_socket);
    if (d == NULL) {
        return;
    }

    sbx_sandbox_abort(d);
    sbx_docker_destroy(d);
}


int
sbx_pool_running(void)
{
    return __atomic_load_n(&sbx_pool.running, __ATOMIC_SEQ_CST);
}


void
sbx_pool_join(void)
{
    int  i;

    for (i = 0; i < sbx_pool.n; i++) {
        pthread_join(sbx_pool.threads[i], NULL);
    }

    free(sbx_pool.threads);
    sbx_pool.threads = NULL;
    sbx_pool.n = 0;
}


static void *
sbx_pool_worker(void *data)
{
    char           name[16], err[512];
    json_t        *init;
    sbx_box_t     *box;
    sbx_job_t     *job;
    sbx_docker_t  *d;

    snprintf(name, sizeof(name), "worker-%d", (int) (intptr_t) data);
    sbx_log_set_thread(name);

    d = sbx_conf.test_double ? NULL
                             : sbx_docker_create(sbx_conf.docker_socket);

    while ((job = sbx_queue_pop(sbx_pool.queue)) != NULL) {
        sbx_metrics_busy(1);
        init = sbx_pool_run(d, job, &box, err, sizeof(err));
        sbx_metrics_busy(-1);

        /*
         * The queue's reference travels on with the job.  One the end of
         * the shutdown grace period cut short is no error of its own:
         * it stays on disk and runs again at the next start.
         */

        if (init == NULL && sbx_sandbox_aborting()) {
            sbx_job_kept(job, sbx_pool.done);

        } else {
            sbx_job_finish(job, init, err, sbx_pool.done);
        }

        /* the answer is on its way: the container goes after it */

        sbx_sandbox_release(box);

        json_decref(init);
    }

    sbx_docker_destroy(d);

    __atomic_sub_fetch(&sbx_pool.running, 1, __ATOMIC_SEQ_CST);

    return NULL;
}


/*
 * init's report on the job, or NULL with err saying why there is none.
 * A job cancelled before or while it ran has no report: whatever its
 * run brought back, the client was told it is cancelled.
 */

static json_t *
sbx_pool_run(sbx_docker_t *d, sbx_job_t *job, sbx_box_t **box, char *err,
    size_t size)
{
    json_t      *init;
    const char  *why;

    err[0] = '\0';
    *box = NULL;

    sbx_job_running(job);

    if (sbx_job_cancelled(job) != NULL) {
        init = NULL;

    } else if (sbx_conf.test_double) {
        init = sbx_double_run(job, err, size);

    } else {
        init = (d != NULL) ? sbx_sandbox_run(d, job, box, err, size)
                           : NULL;
    }

    why = sbx_job_cancelled(job);

    if (why != NULL) {
        json_decref(init);
        json_decref(job->payload);
        job->payload = NULL;

        snprintf(err, size, "cancelled %s", why);
        sbx_log_info("job %s: %s", job->id, err);

        return NULL;
    }

    if (init == NULL) {
        if (d == NULL && !sbx_conf.test_double) {
            snprintf(err, size, "no Docker client");
        }

        if (sbx_sandbox_aborting()) {
            snprintf(err, size, "the runner stopped while the job ran");
        }

        if (strncmp(err, "docker:", 7) == 0) {
            sbx_metrics_count(SBX_METRIC_DOCKER_ERRORS);
        }

        sbx_log_error("job %s: %s", job->id, err);
    }

    /* what init received is of no use any more */

    json_decref(job->payload);
    job->payload = NULL;

    return init;
}
