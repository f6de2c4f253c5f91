
/*
 * Counters and latency histograms, rendered in Prometheus' text format.
 */


#ifndef _SBX_METRICS_H_INCLUDED_
#define _SBX_METRICS_H_INCLUDED_


#include "sbx.h"


typedef enum {
    SBX_METRIC_CREATE = 0,               /* container create */
    SBX_METRIC_START,                    /* container start */
    SBX_METRIC_RUN,                      /* hand-over to result */
    SBX_METRIC_JOB,                      /* accepted to finished */
    SBX_METRIC_HIST_N
} sbx_metric_hist_e;


typedef enum {
    SBX_METRIC_CONNECTIONS = 0,
    SBX_METRIC_REQUESTS,
    SBX_METRIC_REJECTED_FULL,
    SBX_METRIC_REJECTED_INVALID,
    SBX_METRIC_DOCKER_ERRORS,
    SBX_METRIC_WARM_HITS,
    SBX_METRIC_WARM_MISSES,
    SBX_METRIC_COUNTER_N
} sbx_metric_counter_e;


void sbx_metrics_observe(sbx_metric_hist_e h, sbx_msec_t ms);
void sbx_metrics_count(sbx_metric_counter_e c);
void sbx_metrics_status(sbx_status_e status);
void sbx_metrics_callback(const char *result);
void sbx_metrics_busy(int delta);

/* One Engine API call of kind call (sbx_docker_call_e). */
void sbx_metrics_docker_call(int call);

/* The Engine API calls one job made on its own path (its worker's). */
void sbx_metrics_job_calls(uint64_t n);
int sbx_metrics_busy_workers(void);

/* The text for GET /metrics; the caller frees it. */
char *sbx_metrics_render(size_t *len);


#endif /* _SBX_METRICS_H_INCLUDED_ */
