
/*
 * The monitor.
 *
 * Once a second it drops expired results; it pings Docker (every second
 * while Docker is away, every five otherwise) and publishes the answer,
 * which /health reports and which makes new submissions fail fast with
 * 503 while Docker is down.  When Docker comes back, every minute, and
 * a few seconds after a removal the reaper could not see through, it
 * sweeps this runner's containers that belong to no running job, so a
 * removal that failed while Docker was away is not left behind.
 *
 * The test double has no Docker: the monitor only expires results there.
 *
 * Locking: sbx_monitor.lock and .cond only pace the loop and carry the
 * stop request.  docker_up is written by the monitor alone (and by
 * sbx_monitor_start() before the thread exists) and read by any thread,
 * as a relaxed atomic: a reader needs the latest answer, not an order;
 * sweep_soon likewise, set by any thread and taken by the monitor.
 */


#define _GNU_SOURCE
#include <time.h>

#include "sbx.h"
#include "sbx_boxdir.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_job.h"
#include "sbx_log.h"
#include "sbx_monitor.h"
#include "sbx_sandbox.h"
#include "sbx_warm.h"


#define SBX_MONITOR_PING_MS    5000
#define SBX_MONITOR_SWEEP_MS   60000
#define SBX_MONITOR_SOON_MS    5000


static struct {
    pthread_t          thread;
    pthread_mutex_t    lock;
    pthread_cond_t     cond;
    int                stop;
    int                started;
    int                docker_up;
    int                sweep_soon;
} sbx_monitor;


static void *sbx_monitor_loop(void *data);


int
sbx_monitor_start(int docker_up)
{
    __atomic_store_n(&sbx_monitor.docker_up, docker_up, __ATOMIC_RELAXED);

    pthread_mutex_init(&sbx_monitor.lock, NULL);
    sbx_cond_init(&sbx_monitor.cond);

    if (sbx_thread_start(&sbx_monitor.thread, sbx_monitor_loop, NULL,
                         "monitor")
        != SBX_OK)
    {
        return SBX_ERROR;
    }

    sbx_monitor.started = 1;

    return SBX_OK;
}


void
sbx_monitor_stop(void)
{
    if (!sbx_monitor.started) {
        return;
    }

    pthread_mutex_lock(&sbx_monitor.lock);
    sbx_monitor.stop = 1;
    pthread_cond_signal(&sbx_monitor.cond);
    pthread_mutex_unlock(&sbx_monitor.lock);

    pthread_join(sbx_monitor.thread, NULL);

    pthread_cond_destroy(&sbx_monitor.cond);
    pthread_mutex_destroy(&sbx_monitor.lock);
}


void
sbx_monitor_sweep_soon(void)
{
    __atomic_store_n(&sbx_monitor.sweep_soon, 1, __ATOMIC_RELAXED);
}


int
sbx_monitor_docker_up(void)
{
    return __atomic_load_n(&sbx_monitor.docker_up, __ATOMIC_RELAXED);
}


static void *
sbx_monitor_loop(void *data)
{
    int               up, was_up, stop;
    size_t            n;
    sbx_msec_t        now, next_ping, next_sweep;
    sbx_docker_t     *d;
    struct timespec   ts;

    sbx_log_set_thread("monitor");

    d = sbx_conf.test_double ? NULL
                             : sbx_docker_create(sbx_conf.docker_socket);

    was_up = sbx_monitor_docker_up();
    next_ping = 0;
    next_sweep = sbx_monotonic_msec() + SBX_MONITOR_SWEEP_MS;

    for ( ;; ) {
        now = sbx_monotonic_msec();

        n = sbx_jobs_expire(sbx_realtime_msec());

        if (n) {
            sbx_log_debug("%zu results expired", n);
        }

        if (d != NULL && now >= next_ping) {
            up = (sbx_docker_ping(d) == SBX_OK);

            /*
             * Docker is back: maybe restarted with another configuration.
             * Until the runner knows to which ids it maps container root,
             * no box could be prepared for it.
             */

            if (up && !was_up && sbx_boxdir_engine(d) != SBX_OK) {
                up = 0;
            }

            __atomic_store_n(&sbx_monitor.docker_up, up, __ATOMIC_RELAXED);

            if (up != was_up) {
                if (up) {
                    sbx_log_info("docker: reachable again");
                    next_sweep = now;

                    /* a restarted Docker killed the waiting boxes */
                    sbx_warm_flush();

                } else {
                    sbx_log_error("docker: unreachable: %s",
                                  sbx_docker_error(d));
                }

                was_up = up;
            }

            next_ping = now + (up ? SBX_MONITOR_PING_MS : 1000);
        }

        if (__atomic_exchange_n(&sbx_monitor.sweep_soon, 0, __ATOMIC_RELAXED)
            && next_sweep > now + SBX_MONITOR_SOON_MS)
        {
            next_sweep = now + SBX_MONITOR_SOON_MS;
        }

        if (d != NULL && was_up && now >= next_sweep) {
            (void) sbx_sandbox_sweep(d, 0);
            next_sweep = now + SBX_MONITOR_SWEEP_MS;
        }

        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;

        pthread_mutex_lock(&sbx_monitor.lock);

        if (!sbx_monitor.stop) {
            (void) pthread_cond_timedwait(&sbx_monitor.cond,
                                          &sbx_monitor.lock, &ts);
        }

        stop = sbx_monitor.stop;

        pthread_mutex_unlock(&sbx_monitor.lock);

        if (stop) {
            break;
        }
    }

    sbx_docker_destroy(d);

    return NULL;
}
