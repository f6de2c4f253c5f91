
/*
 * Metrics.
 *
 * Every number is a relaxed atomic, written by whichever thread sees the
 * event and read when /metrics is rendered: no lock, and a scrape never
 * holds up a worker.  The numbers of one scrape are each exact but not
 * one snapshot, which Prometheus does not need.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_job.h"
#include "sbx_metrics.h"
#include "sbx_monitor.h"
#include "sbx_server.h"
#include "sbx_warm.h"


#define sbx_atomic_add(p, v)  __atomic_add_fetch(p, v, __ATOMIC_RELAXED)
#define sbx_atomic_get(p)     __atomic_load_n(p, __ATOMIC_RELAXED)


static const sbx_msec_t  sbx_metrics_bounds[] = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000
};

#define SBX_METRICS_BUCKETS  sbx_nelems(sbx_metrics_bounds)


/* the statuses a job ends with: sbx_vocab.h's final ones but a test's */

#define SBX_METRICS_STATUS_FIRST  SBX_STATUS_FIRST_FINAL
#define SBX_METRICS_STATUS_LAST   SBX_STATUS_INTERNAL_ERROR


static const struct {
    const char  *name;
    const char  *help;
} sbx_metrics_hists[SBX_METRIC_HIST_N] = {
    { "sandbox_container_create_seconds", "Docker container create" },
    { "sandbox_container_start_seconds", "Docker container start" },
    { "sandbox_container_run_seconds",
      "hand-over to sandbox-init until its result is read" },
    { "sandbox_job_seconds", "from acceptance to result, queueing included" }
};


static const struct {
    const char  *name;
    const char  *help;
} sbx_metrics_counters[SBX_METRIC_COUNTER_N] = {
    { "sandbox_connections_total", "connections accepted from nginx" },
    { "sandbox_requests_total", "frames received from nginx" },
    { "sandbox_rejected_queue_full_total",
      "submissions refused because the queue was full" },
    { "sandbox_rejected_invalid_total",
      "submissions refused as invalid by the runner" },
    { "sandbox_docker_errors_total",
      "jobs that failed on a Docker error" },
    { "sandbox_warm_hits_total",
      "jobs that took a warm container" },
    { "sandbox_warm_misses_total",
      "jobs of a warm language that found no warm container" }
};


static const char  *sbx_metrics_callbacks[] = {
    "delivered", "refused", "failed"
};


static struct {
    uint64_t     callbacks[sbx_nelems(sbx_metrics_callbacks)];
    uint64_t     buckets[SBX_METRIC_HIST_N][SBX_METRICS_BUCKETS + 1];
    uint64_t     sum_ms[SBX_METRIC_HIST_N];
    uint64_t     counters[SBX_METRIC_COUNTER_N];
    uint64_t     statuses[SBX_STATUS_N];
    uint64_t     docker_calls[SBX_DOCKER_CALL_N];
    uint64_t     job_calls;              /* on jobs' own paths */
    uint64_t     job_calls_jobs;
    int          busy;
} sbx_metrics;


void
sbx_metrics_observe(sbx_metric_hist_e h, sbx_msec_t ms)
{
    size_t  i;

    for (i = 0; i < SBX_METRICS_BUCKETS; i++) {
        if (ms <= sbx_metrics_bounds[i]) {
            break;
        }
    }

    sbx_atomic_add(&sbx_metrics.buckets[h][i], 1);
    sbx_atomic_add(&sbx_metrics.sum_ms[h], (uint64_t) sbx_max(ms, 0));
}


void
sbx_metrics_count(sbx_metric_counter_e c)
{
    sbx_atomic_add(&sbx_metrics.counters[c], 1);
}


void
sbx_metrics_status(sbx_status_e status)
{
    if ((status >= SBX_METRICS_STATUS_FIRST
         && status <= SBX_METRICS_STATUS_LAST)
        || status == SBX_STATUS_CANCELLED)
    {
        sbx_atomic_add(&sbx_metrics.statuses[status], 1);
    }
}


void
sbx_metrics_callback(const char *result)
{
    size_t  i;

    for (i = 0; i < sbx_nelems(sbx_metrics_callbacks); i++) {
        if (strcmp(result, sbx_metrics_callbacks[i]) == 0) {
            sbx_atomic_add(&sbx_metrics.callbacks[i], 1);
            return;
        }
    }
}


void
sbx_metrics_busy(int delta)
{
    sbx_atomic_add(&sbx_metrics.busy, delta);
}


void
sbx_metrics_docker_call(int call)
{
    if (call >= 0 && call < SBX_DOCKER_CALL_N) {
        sbx_atomic_add(&sbx_metrics.docker_calls[call], 1);
    }
}


void
sbx_metrics_job_calls(uint64_t n)
{
    sbx_atomic_add(&sbx_metrics.job_calls, n);
    sbx_atomic_add(&sbx_metrics.job_calls_jobs, 1);
}


int
sbx_metrics_busy_workers(void)
{
    return sbx_atomic_get(&sbx_metrics.busy);
}


char *
sbx_metrics_render(size_t *len)
{
    char              *text;
    size_t             h, i, size;
    FILE              *f;
    uint64_t           n, cum;
    sbx_jobs_stats_t   st;

    f = open_memstream(&text, &size);
    if (f == NULL) {
        return NULL;
    }

    /* which runner this is, for a scrape of several behind one nginx */

    fprintf(f, "# HELP sandbox_runner_info The runner (--runner-id).\n"
               "# TYPE sandbox_runner_info gauge\n"
               "sandbox_runner_info{runner=\"%s\",version=\"%s\"} 1\n",
            sbx_conf.runner_id, SBX_VERSION);

    fprintf(f, "# HELP sandbox_jobs_total Finished jobs by status.\n"
               "# TYPE sandbox_jobs_total counter\n");

    for (i = SBX_METRICS_STATUS_FIRST; i <= SBX_METRICS_STATUS_LAST; i++) {
        fprintf(f, "sandbox_jobs_total{status=\"%s\"} %llu\n",
                sbx_status_names[i],
                (unsigned long long) sbx_atomic_get(&sbx_metrics.statuses[i]));
    }

    /* after a test's own status in the vocabulary, but a job's end too */

    fprintf(f, "sandbox_jobs_total{status=\"%s\"} %llu\n",
            sbx_status_names[SBX_STATUS_CANCELLED],
            (unsigned long long)
            sbx_atomic_get(&sbx_metrics.statuses[SBX_STATUS_CANCELLED]));

    fprintf(f, "# HELP sandbox_callbacks_total Callbacks by outcome.\n"
               "# TYPE sandbox_callbacks_total counter\n");

    for (i = 0; i < sbx_nelems(sbx_metrics_callbacks); i++) {
        fprintf(f, "sandbox_callbacks_total{result=\"%s\"} %llu\n",
                sbx_metrics_callbacks[i],
                (unsigned long long)
                    sbx_atomic_get(&sbx_metrics.callbacks[i]));
    }

    for (i = 0; i < SBX_METRIC_COUNTER_N; i++) {
        fprintf(f, "# HELP %s %s.\n# TYPE %s counter\n%s %llu\n",
                sbx_metrics_counters[i].name, sbx_metrics_counters[i].help,
                sbx_metrics_counters[i].name, sbx_metrics_counters[i].name,
                (unsigned long long)
                    sbx_atomic_get(&sbx_metrics.counters[i]));
    }

    /*
     * Every Engine API call, and those a job waited for: the pool's
     * creates and the reaper's removals are off the jobs' paths.
     */

    fprintf(f, "# HELP sandbox_docker_calls_total Engine API calls by "
               "kind.\n# TYPE sandbox_docker_calls_total counter\n");

    for (i = 0; i < SBX_DOCKER_CALL_N; i++) {
        fprintf(f, "sandbox_docker_calls_total{call=\"%s\"} %llu\n",
                sbx_docker_call_names[i],
                (unsigned long long)
                    sbx_atomic_get(&sbx_metrics.docker_calls[i]));
    }

    fprintf(f, "# HELP sandbox_job_docker_calls Engine API calls on a "
               "job's own path, per job.\n"
               "# TYPE sandbox_job_docker_calls summary\n"
               "sandbox_job_docker_calls_sum %llu\n"
               "sandbox_job_docker_calls_count %llu\n",
               (unsigned long long) sbx_atomic_get(&sbx_metrics.job_calls),
               (unsigned long long)
                   sbx_atomic_get(&sbx_metrics.job_calls_jobs));

    sbx_jobs_stats(&st);

    fprintf(f, "# HELP sandbox_queue_depth Jobs waiting for a worker.\n"
               "# TYPE sandbox_queue_depth gauge\n"
               "sandbox_queue_depth %zu\n"
               "# HELP sandbox_workers Worker threads.\n"
               "# TYPE sandbox_workers gauge\n"
               "sandbox_workers %d\n"
               "# HELP sandbox_workers_busy Workers running a job.\n"
               "# TYPE sandbox_workers_busy gauge\n"
               "sandbox_workers_busy %d\n"
               "# HELP sandbox_results_stored Jobs held for GET.\n"
               "# TYPE sandbox_results_stored gauge\n"
               "sandbox_results_stored %zu\n"
               "# HELP sandbox_result_bytes Bytes of stored results.\n"
               "# TYPE sandbox_result_bytes gauge\n"
               "sandbox_result_bytes %zu\n"
               "# HELP sandbox_docker_up Whether Docker answers.\n"
               "# TYPE sandbox_docker_up gauge\n"
               "sandbox_docker_up %d\n"
               "# HELP sandbox_warm_ready Warm containers waiting.\n"
               "# TYPE sandbox_warm_ready gauge\n"
               "sandbox_warm_ready %zu\n",
               sbx_server_queue_depth(), sbx_conf.workers,
               sbx_metrics_busy_workers(), st.stored, st.result_bytes,
               sbx_monitor_docker_up(), sbx_warm_ready());

    for (h = 0; h < SBX_METRIC_HIST_N; h++) {
        fprintf(f, "# HELP %s Latency of %s.\n# TYPE %s histogram\n",
                sbx_metrics_hists[h].name, sbx_metrics_hists[h].help,
                sbx_metrics_hists[h].name);

        cum = 0;

        for (i = 0; i <= SBX_METRICS_BUCKETS; i++) {
            cum += sbx_atomic_get(&sbx_metrics.buckets[h][i]);

            if (i < SBX_METRICS_BUCKETS) {
                fprintf(f, "%s_bucket{le=\"%g\"} %llu\n",
                        sbx_metrics_hists[h].name,
                        (double) sbx_metrics_bounds[i] / 1000,
                        (unsigned long long) cum);

            } else {
                fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n",
                        sbx_metrics_hists[h].name, (unsigned long long) cum);
            }
        }

        n = sbx_atomic_get(&sbx_metrics.sum_ms[h]);

        fprintf(f, "%s_sum %.3f\n%s_count %llu\n",
                sbx_metrics_hists[h].name, (double) n / 1000,
                sbx_metrics_hists[h].name, (unsigned long long) cum);
    }

    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }

    *len = size;

    return text;
}
