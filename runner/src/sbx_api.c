
/*
 * The verbs of the module <-> runner protocol (docs/protocol.md), one
 * function each, on the event thread.  They never block: a submission is
 * checked and queued, and a waiting connection is answered later from
 * sbx_api_answer() when its job comes back.  A refusal is an sbx_error_t
 * from where it is found to the reply, filled in once.
 *
 * Ids.  A SUBMIT or a BATCH may carry the id the module minted
 * (common/sbx_id.h: a batch's base id, from which each item's id is
 * derived); it is checked for its shape and refused when a job of that
 * id exists, in memory or on disk.  Without one the runner mints its
 * own, the same way.
 *
 * Cancels.  CANCEL, and a waiting connection that closes when its SUBMIT
 * asked for it (cancel-on-close=1), end a queued job at once, here, as
 * cancelled; a running one is marked, its container killed, and its
 * worker ends it as cancelled.
 *
 * With --test-double a checked submission may ask for a failure
 * (sbx_double_admit()): a full queue takes the same path as a real one.
 *
 * A request from a location that speaks another API carries "api="
 * (docs/protocol.md): its submission is a native one already, and its
 * answers (results, ids, languages, errors) are the native ones put
 * through the dialect's translation in common/ (sbx_api_dialect_*()).
 * A waiting job keeps the dialect of the request that waits for it.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_api.h"
#include "sbx_conf.h"
#include "sbx_conn.h"
#include "sbx_dialect_judge0.h"
#include "sbx_dialect_piston.h"
#include "sbx_double.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_monitor.h"
#include "sbx_sandbox.h"
#include "sbx_schema.h"
#include "sbx_server.h"
#include "sbx_store.h"
#include "sbx_submit.h"


static void sbx_api_submit(sbx_conn_t *c, sbx_proto_header_t *h,
    const char *body, size_t len);
static void sbx_api_batch(sbx_conn_t *c, sbx_proto_header_t *h,
    const char *body, size_t len);
static void sbx_api_get(sbx_conn_t *c, sbx_proto_header_t *h);
static void sbx_api_cancel(sbx_conn_t *c, sbx_proto_header_t *h);
static int sbx_api_given_id(sbx_conn_t *c, sbx_proto_header_t *h,
    char *id);
static int sbx_api_taken(const char *id);
static void sbx_api_languages(sbx_conn_t *c);
static void sbx_api_health(sbx_conn_t *c);
static void sbx_api_metrics(sbx_conn_t *c);
static void sbx_api_events(sbx_conn_t *c, sbx_proto_header_t *h);
static int sbx_api_admit(sbx_conn_t *c, sbx_proto_header_t *h,
    sbx_limits_t *max);
static int sbx_api_unavailable(sbx_conn_t *c);
static void sbx_api_refuse(sbx_conn_t *c, int status, const char *code,
    const char *field, const char *message);
static void sbx_api_json(sbx_conn_t *c, int status, json_t *v,
    sbx_job_t *job, const char *job_status);
static int sbx_api_is_error_item(json_t *item);
static void sbx_api_unsaved(sbx_conn_t *c);
static void sbx_api_get_batch(sbx_conn_t *c, const char *body, size_t len);
static void sbx_api_reply_job(sbx_conn_t *c, sbx_job_t *job, int created);
static json_t *sbx_api_job_json(sbx_job_t *job, sbx_status_e *status);
static int sbx_api_piston_version(json_t *sub, sbx_error_t *err);
static void sbx_api_error(sbx_conn_t *c, const sbx_error_t *err);
static void sbx_api_dialect_json(sbx_conn_t *c, int status, json_t *v,
    sbx_job_t *job, const char *job_status);


/* the dialect of the request being answered; the event thread's */

static sbx_dialect_t  sbx_api_dialect;
static void sbx_api_check(sbx_conn_t *c, sbx_proto_header_t *h);
static void sbx_api_hint(sbx_error_t *err, sbx_proto_header_t *h);


void
sbx_api_request(sbx_conn_t *c, sbx_proto_header_t *h, const char *body,
    size_t len)
{
    const sbx_proto_str_t  *api;

    memset(&sbx_api_dialect, 0, sizeof(sbx_dialect_t));

    api = sbx_proto_attr(h, "api");

    if (api != NULL
        && sbx_dialect_parse(api->data, api->len, &sbx_api_dialect) != 0)
    {
        memset(&sbx_api_dialect, 0, sizeof(sbx_dialect_t));
        sbx_api_refuse(c, 400, "bad_frame", "", "unknown api attribute");
        return;
    }

    if (sbx_proto_attr(h, "check") != NULL) {
        sbx_api_check(c, h);
    }

    if (sbx_proto_str_eq(&h->word, "SUBMIT")) {
        sbx_api_submit(c, h, body, len);

    } else if (sbx_proto_str_eq(&h->word, "BATCH")) {
        sbx_api_batch(c, h, body, len);

    } else if (sbx_proto_str_eq(&h->word, "GET")) {
        sbx_api_get(c, h);

    } else if (sbx_proto_str_eq(&h->word, "GET_BATCH")) {
        sbx_api_get_batch(c, body, len);

    } else if (sbx_proto_str_eq(&h->word, "CANCEL")) {
        sbx_api_cancel(c, h);

    } else if (sbx_proto_str_eq(&h->word, "LANGUAGES")) {
        sbx_api_languages(c);

    } else if (sbx_proto_str_eq(&h->word, "HEALTH")) {
        sbx_api_health(c);

    } else if (sbx_proto_str_eq(&h->word, "METRICS")) {
        sbx_api_metrics(c);

    } else if (sbx_proto_str_eq(&h->word, "EVENTS")) {
        sbx_api_events(c, h);

    } else {
        sbx_api_refuse(c, 400, "bad_frame", "", "unknown verb");
    }
}


/* A waiting connection's job is back: answered in its request's API. */

void
sbx_api_answer(sbx_conn_t *c, sbx_job_t *job)
{
    sbx_api_dialect = job->dialect;

    sbx_api_reply_job(c, job, 1);
}


/*
 * The job's state or result, as GET shows it; a dialect's answer to a
 * submission that waited is its "created" (Judge0's 201).
 */

static void
sbx_api_reply_job(sbx_conn_t *c, sbx_job_t *job, int created)
{
    int            status;
    char          *s;
    size_t         len;
    json_t        *v, *out;
    sbx_reply_t    r;
    sbx_status_e   st;

    if (sbx_api_dialect.api != SBX_API_NATIVE) {
        v = sbx_api_job_json(job, &st);

        if (v == NULL) {
            sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
            return;
        }

        if (sbx_api_dialect.api == SBX_API_PISTON) {
            out = sbx_piston_result(v, &status);

        } else {
            status = created ? 201 : 200;
            out = sbx_judge0_result(v, &sbx_api_dialect);
        }

        json_decref(v);

        sbx_api_json(c, status, out, job, sbx_status_names[st]);
        return;
    }

    s = sbx_job_describe(job, &len, &st);

    if (s == NULL) {
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = 200;
    r.id = job->id;
    r.job_status = sbx_status_names[st];
    r.language = job->lang ? job->lang->id : NULL;
    r.body = s;
    r.len = len;

    sbx_conn_reply(c, &r);
    free(s);
}


/* the native job as GET shows it, parsed for a dialect to translate */

static json_t *
sbx_api_job_json(sbx_job_t *job, sbx_status_e *status)
{
    char    *s;
    size_t   len;
    json_t  *v;

    s = sbx_job_describe(job, &len, status);

    if (s == NULL) {
        return NULL;
    }

    v = json_loadb(s, len, 0, NULL);
    free(s);

    return v;
}


static void
sbx_api_submit(sbx_conn_t *c, sbx_proto_header_t *h, const char *body,
    size_t len)
{
    int                     rc, wait, nmax, busy, cancel;
    char                   *text, id[SBX_ID_LEN + 1];
    json_t                 *sub;
    sbx_job_t              *job;
    sbx_error_t             err;
    sbx_limits_t            max;
    const sbx_proto_str_t  *w;

    w = sbx_proto_attr(h, "wait");
    wait = (w == NULL || sbx_proto_str_eq(w, "1"));

    w = sbx_proto_attr(h, "cancel-on-close");
    cancel = (w != NULL && sbx_proto_str_eq(w, "1"));

    nmax = sbx_api_admit(c, h, &max);

    if (nmax == SBX_ERROR || sbx_api_given_id(c, h, id) != SBX_OK) {
        return;
    }

    if (id[0] != '\0' && sbx_api_taken(id)) {
        sbx_api_refuse(c, 409, "conflict", "id",
                       "a job with this id exists already");
        return;
    }

    sub = sbx_schema_parse(body, len, &err);

    /* Piston's version is a semver range, matched here, not a prefix */

    if (sub != NULL && sbx_api_dialect.api == SBX_API_PISTON
        && sbx_api_piston_version(sub, &err) != SBX_OK)
    {
        json_decref(sub);
        sub = NULL;
    }

    job = sub ? sbx_submit_prepare_max(sub, nmax ? &max : NULL, &err)
              : NULL;

    if (job != NULL && sbx_submit_budget(job, h, &err) != SBX_OK) {
        sbx_job_unref(job);
        job = NULL;
    }

    busy = 0;

    if (job != NULL && sbx_conf.test_double
        && sbx_double_admit(c, job, &wait, &busy) != SBX_OK)
    {
        json_decref(sub);
        sbx_job_unref(job);
        return;
    }

    /* under a location's maxima, stored with the limits they resolved */

    text = (job != NULL && (nmax || sbx_api_dialect.api == SBX_API_PISTON))
           ? json_dumps(sub, JSON_COMPACT) : NULL;

    json_decref(sub);

    if (job == NULL) {
        sbx_metrics_count(SBX_METRIC_REJECTED_INVALID);
        sbx_api_hint(&err, h);
        sbx_api_error(c, &err);
        return;
    }

    job->sync = wait;
    job->dialect = sbx_api_dialect;

    if (id[0] != '\0') {
        memcpy(job->id, id, SBX_ID_LEN);
    }

    /* on disk before it is accepted: a restart must not lose it */

    rc = (text != NULL) ? sbx_store_accepted(job, text, strlen(text))
                        : sbx_store_accepted(job, body, len);

    free(text);

    if (rc != SBX_OK) {
        sbx_job_unref(job);
        sbx_api_unsaved(c);
        return;
    }

    sbx_jobs_insert(job);

    rc = busy ? SBX_BUSY : sbx_queue_push(sbx_server_queue(), &job, 1);

    if (rc != SBX_OK) {
        sbx_store_forget(job->id);
        sbx_jobs_remove(job);
        sbx_job_unref(job);

        if (rc == SBX_BUSY) {
            sbx_metrics_count(SBX_METRIC_REJECTED_FULL);
            sbx_api_refuse(c, 503, "queue_full", "",
                           "the job queue is full; retry later");

        } else {
            sbx_api_refuse(c, 503, "shutting_down", "",
                           "the runner is shutting down");
        }

        return;
    }

    sbx_log_debug("job %s: queued (%s, wait=%d)", job->id, job->lang->id,
                  wait);

    /* the queue holds the creator's reference now */

    if (wait) {
        sbx_conn_wait(c, job, cancel);
        return;
    }

    sbx_api_queued(c, job);
}


void
sbx_api_queued(sbx_conn_t *c, sbx_job_t *job)
{
    json_t  *v;

    /* a waiting connection's job answers in its request's API */

    sbx_api_dialect = job->dialect;

    v = json_pack("{s:s, s:s}", "id", job->id, "status", "queued");
    sbx_api_dialect_json(c, 202, v, job, "queued");
}


static void
sbx_api_batch(sbx_conn_t *c, sbx_proto_header_t *h, const char *body,
    size_t len)
{
    int                  rc, nmax, wait, busy;
    char                *text, base[SBX_ID_LEN + 1], id[SBX_ID_LEN + 1];
    size_t               i, n, k;
    json_t              *root, *list, *item, *out, *v;
    sbx_job_t          **jobs;
    sbx_limits_t         max;
    sbx_error_t          err;

    nmax = sbx_api_admit(c, h, &max);

    if (nmax == SBX_ERROR || sbx_api_given_id(c, h, base) != SBX_OK) {
        return;
    }

    /* the items' ids derive from one base: one route key for all */

    if (base[0] == '\0') {
        sbx_uuid(base);
    }

    root = sbx_schema_parse(body, len, &err);

    if (root == NULL) {
        sbx_api_error(c, &err);
        return;
    }

    list = json_object_get(root, "submissions");

    if (!json_is_object(root) || !json_is_array(list)
        || json_array_size(list) == 0 || json_object_size(root) != 1)
    {
        json_decref(root);
        sbx_api_refuse(c, 400, "invalid_field", "submissions",
                       "a batch is {\"submissions\": [ … ]} with "
                       "at least one submission");
        return;
    }

    n = json_array_size(list);

    if (n > (size_t) sbx_conf.max_batch || n > SBX_ID_ITEMS) {
        json_decref(root);
        sbx_error_set(&err, 422, "batch_too_large", "submissions",
                      "at most %d submissions in a batch",
                      sbx_conf.max_batch);
        sbx_api_error(c, &err);
        return;
    }

    jobs = calloc(n, sizeof(sbx_job_t *));
    out = json_array();

    if (jobs == NULL || out == NULL) {
        free(jobs);
        json_decref(out);
        json_decref(root);
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    /* every item's fate, in request order; valid ones all or none */

    json_array_foreach(list, i, item) {

        if (sbx_api_is_error_item(item)) {
            json_array_append(out, item);
            continue;
        }

        /* every index has its id, taken or not, as the module counts */

        (void) sbx_id_item(id, base, i);

        if (sbx_api_taken(id)) {
            sbx_error_set(&err, 409, "conflict", "id",
                          "a job with this item's id exists already");
            v = sbx_error_json(&err);
            json_array_append_new(out, v ? v : json_null());
            continue;
        }

        jobs[i] = sbx_submit_prepare_max(item, nmax ? &max : NULL, &err);

        if (jobs[i] != NULL) {
            memcpy(jobs[i]->id, id, SBX_ID_LEN);
        }

        if (jobs[i] != NULL && sbx_submit_budget(jobs[i], h, &err) != SBX_OK)
        {
            sbx_job_unref(jobs[i]);
            jobs[i] = NULL;
        }

        if (jobs[i] == NULL) {
            sbx_api_hint(&err, h);
            v = sbx_error_json(&err);
            json_array_append_new(out, v ? v : json_null());
            continue;
        }

        jobs[i]->dialect = sbx_api_dialect;

        text = json_dumps(item, JSON_COMPACT);

        rc = (text != NULL) ? sbx_store_accepted(jobs[i], text, strlen(text))
                            : SBX_ERROR;

        free(text);

        if (rc != SBX_OK) {
            /* none of the batch is accepted: forget the ones saved */

            for (k = 0; k <= i; k++) {
                if (jobs[k] != NULL) {
                    sbx_store_forget(jobs[k]->id);
                    sbx_job_unref(jobs[k]);
                }
            }

            free(jobs);
            json_decref(out);
            json_decref(root);
            sbx_api_unsaved(c);
            return;
        }

        json_array_append_new(out, json_pack("{s:s, s:s}",
                                             "id", jobs[i]->id,
                                             "status", "queued"));
    }

    json_decref(root);

    /* pack the valid jobs to the front, for one atomic push */

    for (i = 0, k = 0; i < n; i++) {
        if (jobs[i] != NULL) {
            jobs[k++] = jobs[i];
        }
    }

    for (i = 0; i < k; i++) {
        sbx_jobs_insert(jobs[i]);
    }

    rc = SBX_OK;
    wait = 0;
    busy = 0;

    for (i = 0; sbx_conf.test_double && i < k && rc == SBX_OK; i++) {
        rc = sbx_double_admit(c, jobs[i], &wait, &busy);
    }

    if (rc == SBX_OK) {
        rc = busy ? SBX_BUSY
                  : (k ? sbx_queue_push(sbx_server_queue(), jobs, k)
                       : SBX_OK);
    }

    if (rc != SBX_OK) {
        for (i = 0; i < k; i++) {
            sbx_store_forget(jobs[i]->id);
            sbx_jobs_remove(jobs[i]);
            sbx_job_unref(jobs[i]);
        }

        free(jobs);
        json_decref(out);

        if (rc == SBX_DECLINED) {
            return;                       /* answered, or closed */
        }

        if (rc == SBX_BUSY) {
            sbx_metrics_count(SBX_METRIC_REJECTED_FULL);
            sbx_api_refuse(c, 503, "queue_full", "",
                           "the job queue has no room for the "
                           "batch; retry later");

        } else {
            sbx_api_refuse(c, 503, "shutting_down", "",
                           "the runner is shutting down");
        }

        return;
    }

    free(jobs);

    v = json_pack("{s:o}", "submissions", out);
    sbx_api_dialect_json(c, 202, v, NULL, NULL);
}


static void
sbx_api_get(sbx_conn_t *c, sbx_proto_header_t *h)
{
    sbx_job_t              *job;
    const sbx_proto_str_t  *id;

    id = sbx_proto_attr(h, "id");
    job = id ? sbx_jobs_find(id->data, id->len) : NULL;

    if (job == NULL) {
        sbx_api_refuse(c, 404, "not_found", "id",
                       "no such submission, or its result "
                       "has expired");
        return;
    }

    sbx_api_reply_job(c, job, 0);
    sbx_job_unref(job);
}


/*
 * The job's live events: a 200 header frame, then EVENT frames, the
 * last one the result.  A finished job's are rebuilt from its result;
 * a job still queued or running is streamed as it goes (sbx_conn.c).
 */

static void
sbx_api_events(sbx_conn_t *c, sbx_proto_header_t *h)
{
    char                   *s;
    size_t                  len;
    sbx_buf_t               out;
    sbx_job_t              *job;
    sbx_reply_t             r;
    sbx_status_e            status;
    const sbx_proto_str_t  *id;

    id = sbx_proto_attr(h, "id");
    job = id ? sbx_jobs_find(id->data, id->len) : NULL;

    if (job == NULL) {
        sbx_api_refuse(c, 404, "not_found", "id",
                       "no such submission, or its result "
                       "has expired");
        return;
    }

    s = sbx_job_describe(job, &len, &status);

    if (s == NULL) {
        sbx_job_unref(job);
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = 200;
    r.id = job->id;
    r.job_status = sbx_status_names[status];
    r.language = job->lang ? job->lang->id : NULL;
    r.body = "";
    r.len = 0;

    if (status == SBX_STATUS_QUEUED || status == SBX_STATUS_RUNNING) {
        free(s);
        sbx_conn_reply(c, &r);
        sbx_conn_stream(c, job);
        return;
    }

    /* one write: the header frame and the whole history */

    memset(&out, 0, sizeof(sbx_buf_t));

    if (sbx_events_history(s, len, &out) != SBX_OK) {
        free(s);
        sbx_buf_free(&out);
        sbx_job_unref(job);
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    free(s);

    sbx_conn_reply_more(c, &r, out.data, out.len);

    sbx_buf_free(&out);
    sbx_job_unref(job);
}


static void
sbx_api_cancel(sbx_conn_t *c, sbx_proto_header_t *h)
{
    json_t                 *v;
    sbx_job_t              *job;
    const char             *status;
    sbx_error_t             err;
    sbx_status_e            st;
    const sbx_proto_str_t  *id;

    id = sbx_proto_attr(h, "id");
    job = id ? sbx_jobs_find(id->data, id->len) : NULL;

    if (job == NULL) {
        sbx_api_refuse(c, 404, "not_found", "id",
                       "no such submission, or its result "
                       "has expired");
        return;
    }

    if (sbx_api_cancel_job(job, "by a DELETE request") == SBX_OK) {
        sbx_api_reply_job(c, job, 0);
        sbx_job_unref(job);
        return;
    }

    /* it ended first: how, in the error and in the frame */

    st = sbx_job_status(job);
    status = sbx_status_names[st];

    if (st < SBX_STATUS_FIRST_FINAL) {
        sbx_error_set(&err, 409, "conflict", "id",
                      "the job is ending already: GET it for its result");

    } else {
        sbx_error_set(&err, 409, "conflict", "id",
                      "the job has finished already: %s", status);
    }

    v = sbx_error_json(&err);

    if (v != NULL) {
        json_object_set_new(json_object_get(v, "error"), "status",
                            json_string(status));
    }

    sbx_api_json(c, 409, v, job, status);
    sbx_job_unref(job);
}


int
sbx_api_cancel_job(sbx_job_t *job, const char *why)
{
    char  msg[128];

    if (sbx_job_cancel(job, why) != SBX_OK) {
        return SBX_DECLINED;
    }

    if (sbx_queue_remove(sbx_server_queue(), job) == SBX_OK) {

        /* never ran: it ends here, like a job a worker ends */

        snprintf(msg, sizeof(msg), "cancelled %s", why);
        sbx_log_info("job %s: %s while queued", job->id, msg);

        sbx_job_finish(job, NULL, msg, sbx_server_done());
        return SBX_OK;
    }

    /* a worker has it: it ends it when its container is gone */

    sbx_log_info("job %s: cancelled %s while it runs", job->id, why);

    (void) sbx_store_cancel(job, why);

    sbx_sandbox_cancel(job);

    return SBX_OK;
}


static void
sbx_api_languages(sbx_conn_t *c)
{
    sbx_api_dialect_json(c, 200, sbx_lang_list(), NULL, NULL);
}


static void
sbx_api_health(sbx_conn_t *c)
{
    int                ok, docker;
    json_t            *v;
    const char        *state;
    sbx_jobs_stats_t   st;

    /* the test double has no Docker, and needs none */

    docker = !sbx_conf.test_double && sbx_monitor_docker_up();
    ok = (docker || sbx_conf.test_double) && !sbx_server_shutting_down();

    state = sbx_server_draining() ? "draining"
            : sbx_server_shutting_down() ? "shutting_down"
            : (ok ? "ok" : "degraded");

    sbx_jobs_stats(&st);

    v = json_pack("{s:s, s:s, s:s, s:{s:b}, s:{s:I, s:i}, s:{s:i, s:i},"
                  " s:{s:I, s:I}}",
                  "status", state,
                  "runner", sbx_conf.runner_id,
                  "version", SBX_VERSION,
                  "docker", "reachable", docker,
                  "queue", "depth", (json_int_t) sbx_server_queue_depth(),
                  "capacity", sbx_conf.queue_size,
                  "workers", "total", sbx_conf.workers,
                  "busy", sbx_metrics_busy_workers(),
                  "results", "stored", (json_int_t) st.stored,
                  "bytes", (json_int_t) st.result_bytes);

    if (v != NULL && sbx_conf.test_double) {
        json_object_set_new(v, "test_double", json_true());
    }

    sbx_api_json(c, ok ? 200 : 503, v, NULL, NULL);
}


static void
sbx_api_metrics(sbx_conn_t *c)
{
    char         *text;
    size_t        len;
    sbx_reply_t   r;

    text = sbx_metrics_render(&len);

    if (text == NULL) {
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = 200;
    r.body = text;
    r.len = len;

    sbx_conn_reply(c, &r);
    free(text);
}


/*
 * What a SUBMIT and a BATCH check before their body: that jobs can run
 * now, and the location's maxima the frame carries.  The number of
 * maxima, or SBX_ERROR once the refusal is answered.
 */

static int
sbx_api_admit(sbx_conn_t *c, sbx_proto_header_t *h, sbx_limits_t *max)
{
    int          n;
    sbx_error_t  err;

    if (sbx_api_unavailable(c)) {
        return SBX_ERROR;
    }

    n = sbx_submit_max(h, max, &err);

    if (n == SBX_ERROR) {
        sbx_api_error(c, &err);
    }

    return n;
}


/*
 * The id a SUBMIT or BATCH frame carries into id (SBX_ID_LEN + 1 bytes),
 * or "" when it carries none; SBX_ERROR once a malformed one is refused.
 */

static int
sbx_api_given_id(sbx_conn_t *c, sbx_proto_header_t *h, char *id)
{
    const sbx_proto_str_t  *v;

    id[0] = '\0';

    v = sbx_proto_attr(h, "id");

    if (v == NULL) {
        return SBX_OK;
    }

    if (!sbx_id_valid(v->data, v->len)) {
        sbx_api_refuse(c, 400, "invalid_id", "id",
                       "an id is 36 characters: lowercase hex digits "
                       "in groups of 8-4-4-4-12");
        return SBX_ERROR;
    }

    memcpy(id, v->data, SBX_ID_LEN);
    id[SBX_ID_LEN] = '\0';

    return SBX_OK;
}


/* Whether a job of this id exists, in the table or only on disk. */

static int
sbx_api_taken(const char *id)
{
    sbx_job_t  *job;

    job = sbx_jobs_find(id, SBX_ID_LEN);

    if (job != NULL) {
        sbx_job_unref(job);
        return 1;
    }

    return sbx_store_exists(id);
}


/* Refuses new work while stopping or while Docker is unreachable. */

static int
sbx_api_unavailable(sbx_conn_t *c)
{
    if (sbx_server_draining()) {
        sbx_api_refuse(c, 503, "shutting_down", "",
                       "the runner is draining: it finishes the jobs it "
                       "has and takes no new ones; retry later");
        return 1;
    }

    if (sbx_server_shutting_down()) {
        sbx_api_refuse(c, 503, "shutting_down", "",
                       "the runner is shutting down");
        return 1;
    }

    if (!sbx_monitor_docker_up()) {
        sbx_api_refuse(c, 503, "docker_unavailable", "",
                       "the runner cannot reach Docker");
        return 1;
    }

    return 0;
}


/* A refusal found here, by the API itself. */

static void
sbx_api_refuse(sbx_conn_t *c, int status, const char *code,
    const char *field, const char *message)
{
    sbx_error_t  err;

    sbx_error_set(&err, status, code, field, "%s", message);
    sbx_api_error(c, &err);
}


/* The job could not be saved (its state directory is full or failing). */

static void
sbx_api_unsaved(sbx_conn_t *c)
{
    sbx_api_refuse(c, 503, "storage_unavailable", "",
                   "the runner cannot save the job; retry later");
}


static void
sbx_api_json(sbx_conn_t *c, int status, json_t *v, sbx_job_t *job,
    const char *job_status)
{
    char         *s;
    sbx_reply_t   r;

    s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);

    if (s == NULL) {
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = status;
    r.id = job ? job->id : NULL;
    r.language = (job && job->lang) ? job->lang->id : NULL;
    r.job_status = job_status;
    r.body = s;
    r.len = strlen(s);

    sbx_conn_reply(c, &r);
    free(s);
}


/* An item the module already refused: {"error": {"code": …, …}}. */

static int
sbx_api_is_error_item(json_t *item)
{
    json_t  *e;

    e = json_object_get(item, "error");

    return json_object_size(item) == 1 && json_is_object(e)
           && json_is_string(json_object_get(e, "code"))
           && json_is_string(json_object_get(e, "message"));
}


/*
 * The module's first request from a worker for a location asks, with
 * "check=<the location's sandbox_languages, comma-separated, or *>",
 * what it cannot know at nginx -t: which of them this runner does not
 * know, and the runner's --max-batch.  The answer rides on the reply
 * as "max-batch=<n>" and "unknown=<list>" attributes; the module logs
 * a warning.  Nothing here refuses anything.
 */

static void
sbx_api_check(sbx_conn_t *c, sbx_proto_header_t *h)
{
    char                   *attrs, *p, name[SBX_PROTO_MAX_VALUE + 1];
    size_t                  n;
    const char             *s, *end, *comma;
    const sbx_proto_str_t  *v;

    v = sbx_proto_attr(h, "check");

    /* "max-batch=" and a number, " unknown=" and at most the list again */

    attrs = malloc(32 + 10 + v->len + 1);
    if (attrs == NULL) {
        return;
    }

    p = attrs + sprintf(attrs, "max-batch=%d", sbx_conf.max_batch);
    n = 0;

    end = v->data + v->len;

    for (s = v->data; s < end; s = comma + 1) {
        comma = memchr(s, ',', end - s);

        if (comma == NULL) {
            comma = end;
        }

        if (comma - s == 1 && *s == '*') {
            continue;
        }

        memcpy(name, s, comma - s);
        name[comma - s] = '\0';

        if (comma > s && sbx_lang_find(name) == NULL) {
            p += sprintf(p, "%s%s", n++ ? "," : " unknown=", name);
        }
    }

    sbx_conn_check(c, attrs);
}


/*
 * A refusal that points at an endpoint names it under the location's
 * own prefix, which the module sends as "prefix=" (the API can live
 * under any location); without it, "…/".
 */

static void
sbx_api_hint(sbx_error_t *err, sbx_proto_header_t *h)
{
    int                     len;
    char                    msg[sizeof(err->message)];
    char                    code[sizeof(err->code)];
    char                    field[sizeof(err->field)];
    const char             *prefix;
    const sbx_proto_str_t  *v;

    /* a dialect lists its languages elsewhere, and says so its own way */

    if (strcmp(err->code, "unknown_language") != 0
        || sbx_api_dialect.api != SBX_API_NATIVE)
    {
        return;
    }

    v = sbx_proto_attr(h, "prefix");

    if (v != NULL && v->len > 0 && v->len <= 96 && v->data[0] == '/') {
        prefix = v->data;
        len = (int) v->len;

    } else {
        prefix = "…/";
        len = (int) strlen(prefix);
    }

    /* sbx_error_set() starts afresh: its arguments may not point into err */

    memcpy(msg, err->message, sizeof(msg));
    memcpy(code, err->code, sizeof(code));
    memcpy(field, err->field, sizeof(field));

    sbx_error_set(err, err->status, code, field,
                  "%s; GET %.*slanguages lists them", msg, len, prefix);
}


/*
 * GET_BATCH {"ids": [...]}: each job as GET shows it, null for an id
 * the runner does not have, in request order (Judge0's GET
 * …/submissions/batch).
 */

static void
sbx_api_get_batch(sbx_conn_t *c, const char *body, size_t len)
{
    size_t         i;
    json_t        *root, *ids, *id, *out, *v, *t;
    sbx_job_t     *job;
    sbx_error_t    err;
    sbx_status_e   st;

    root = sbx_schema_parse(body, len, &err);

    if (root == NULL) {
        sbx_api_error(c, &err);
        return;
    }

    ids = json_object_get(root, "ids");

    if (!json_is_array(ids) || json_array_size(ids) == 0
        || json_array_size(ids) > (size_t) sbx_conf.max_batch)
    {
        json_decref(root);
        sbx_api_refuse(c, 400, "invalid_field", "ids",
                       "a batch lookup is {\"ids\": [ … ]} with at least "
                       "one id and at most --max-batch");
        return;
    }

    out = json_array();
    if (out == NULL) {
        json_decref(root);
        sbx_api_refuse(c, 500, "internal_error", "", "out of memory");
        return;
    }

    json_array_foreach(ids, i, id) {
        job = json_is_string(id) ? sbx_jobs_find(json_string_value(id),
                                                 json_string_length(id))
                                 : NULL;
        v = NULL;

        if (job != NULL) {
            v = sbx_api_job_json(job, &st);
            sbx_job_unref(job);
        }

        if (v != NULL && sbx_api_dialect.api == SBX_API_JUDGE0) {
            t = sbx_judge0_result(v, &sbx_api_dialect);
            json_decref(v);
            v = t;
        }

        json_array_append_new(out, v ? v : json_null());
    }

    json_decref(root);

    sbx_api_json(c, 200, json_pack("{s:o}", "submissions", out), NULL,
                 NULL);
}


/*
 * Piston picks the newest runtime whose version satisfies the range;
 * the runner has one per language.  A match drops the range, so the
 * native prefix rule does not see it; a miss is Piston's one refusal
 * for language and version alike.
 */

static int
sbx_api_piston_version(json_t *sub, sbx_error_t *err)
{
    sbx_lang_t  *lang;
    const char  *name, *version;

    name = json_string_value(json_object_get(sub, "language"));
    version = json_string_value(json_object_get(sub, "version"));

    if (name == NULL || version == NULL) {
        return SBX_OK;                    /* the native check says why */
    }

    lang = sbx_lang_find(name);

    if (lang == NULL || !sbx_piston_version_match(version, lang->version)) {
        sbx_error_set(err, 422, lang ? "unknown_version"
                                     : "unknown_language",
                      "", "%.32s-%.32s runtime is unknown", name, version);
        return SBX_ERROR;
    }

    json_object_del(sub, "version");

    return SBX_OK;
}


/* A refusal in the API of the request. */

static void
sbx_api_error(sbx_conn_t *c, const sbx_error_t *err)
{
    int          status;
    char        *s;
    json_t      *v;
    sbx_reply_t  r;

    if (sbx_api_dialect.api == SBX_API_NATIVE) {
        sbx_conn_reply_error(c, err);
        return;
    }

    status = err->status;
    v = sbx_dialect_error(&sbx_api_dialect, err, "", &status);
    s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);

    memset(&r, 0, sizeof(sbx_reply_t));
    r.status = status;
    r.body = s ? s : "{}";
    r.len = strlen(r.body);

    if (status == 503) {
        r.retry_after = sbx_conf.retry_after;
    }

    sbx_conn_reply(c, &r);
    free(s);
}


/*
 * A native answer other than a job's (an accepted submission's id, a
 * batch's ids, the languages) in the API of the request.
 */

static void
sbx_api_dialect_json(sbx_conn_t *c, int status, json_t *v, sbx_job_t *job,
    const char *job_status)
{
    json_t  *out, *v2;

    if (sbx_api_dialect.api == SBX_API_NATIVE || v == NULL) {
        sbx_api_json(c, status, v, job, job_status);
        return;
    }

    out = NULL;

    if (status == 200) {
        v2 = json_object_get(v, "languages");
        out = (sbx_api_dialect.api == SBX_API_PISTON)
              ? sbx_piston_runtimes(v2) : sbx_judge0_languages(v2);

    } else if (job != NULL && sbx_api_dialect.api == SBX_API_PISTON) {

        /* Piston has no queued answer: only a stopping runner gives one */

        status = 503;
        out = json_pack("{s:s}", "message",
                        "the runner is stopping; the job runs after "
                        "its restart");

    } else if (job != NULL) {
        status = 201;
        out = sbx_judge0_created(v);

    } else {
        out = sbx_judge0_batch_created(v, &status);
    }

    json_decref(v);

    sbx_api_json(c, status, out, job, job_status);
}
