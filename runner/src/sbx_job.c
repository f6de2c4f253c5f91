
/*
 * The job table.
 *
 * Every accepted job is in one hash table keyed by its id from the
 * moment it is accepted until its result expires, so GET finds queued,
 * running and finished jobs alike.  Finished jobs are also on a list in
 * the order they finished, which is the order they expire (one TTL for
 * all).  When results exceed the memory cap, the oldest are dropped from
 * memory, not lost: their files (sbx_store.c) answer GET from then on.
 *
 * A job finishes in sbx_job_finish() and nowhere else, whether a worker
 * ran it or a restart found it unable to run again (a job the runner
 * stops before it ends does not finish: it is kept on disk for the next
 * start, sbx_job_kept()): one order of saving, publishing, counting and
 * handing back.  GET serves a finished job's stored text as it is; how
 * its callback went is appended, not merged by parsing it again.
 *
 * A result that cannot be kept (over SBX_RESULT_MAX, out of memory, the
 * disk refusing it) ends the job as internal_error saying so, never as a
 * file that cannot be read back.  Results over SBX_JOBS_INLINE live on
 * disk only, and the heap is trimmed after them, so that a few large
 * outputs do not keep the runner's memory high.
 *
 * A job told to cancel (sbx_job_cancel()) shows "cancelled" at once and
 * ends as cancelled whatever its run brought back: the client was told
 * so when it asked.
 *
 * Locking: sbx_jobs.lock guards the table, the finished list, and each
 * job's state, refs, status, result, cancel mark and timestamps.  It is
 * never held while calling out of this file.  A job is freed when its last
 * reference goes: the table's, a queue's (the worker's), or a waiting
 * connection's.
 */


#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>

#include "sbx.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_result.h"
#include "sbx_store.h"


#define SBX_JOBS_BUCKETS  4096
#define SBX_JOBS_INLINE   (1024 * 1024)   /* larger results: disk only */


static struct {
    pthread_mutex_t     lock;
    sbx_job_t          *buckets[SBX_JOBS_BUCKETS];
    sbx_job_t          *fhead;
    sbx_job_t          *ftail;
    sbx_job_t          *spill;           /* oldest result still in memory */
    sbx_msec_t          ttl;
    size_t              memory;
    size_t              bytes;
    size_t              count;
    size_t              running;
    size_t              finished;
} sbx_jobs;


static unsigned sbx_jobs_hash(const char *id, size_t len);
static void sbx_jobs_link(sbx_job_t *job);
static void sbx_jobs_unlink(sbx_job_t *job);
static void sbx_jobs_finished(sbx_job_t *job);
static char *sbx_job_add_callback(char *result, size_t *len, json_t *cb);
static char *sbx_job_failed(sbx_job_t *job, const char *why, size_t *len);
static void sbx_job_free(sbx_job_t *job);


int
sbx_jobs_init(sbx_msec_t ttl, size_t memory)
{
    memset(&sbx_jobs, 0, sizeof(sbx_jobs));

    sbx_jobs.ttl = ttl;
    sbx_jobs.memory = memory;

    return pthread_mutex_init(&sbx_jobs.lock, NULL) == 0 ? SBX_OK
                                                         : SBX_ERROR;
}


void
sbx_jobs_destroy(void)
{
    size_t      i;
    sbx_job_t  *job, *next;

    for (i = 0; i < SBX_JOBS_BUCKETS; i++) {
        for (job = sbx_jobs.buckets[i]; job; job = next) {
            next = job->hnext;
            sbx_job_unref(job);
        }
    }

    pthread_mutex_destroy(&sbx_jobs.lock);
}


sbx_job_t *
sbx_job_new(void)
{
    sbx_job_t  *job;

    job = calloc(1, sizeof(sbx_job_t));
    if (job == NULL) {
        return NULL;
    }

    sbx_uuid(job->id);
    job->refs = 1;
    job->state = SBX_JOB_QUEUED;
    job->status = SBX_STATUS_QUEUED;
    job->created = sbx_realtime_msec();
    job->stage[SBX_STAGE_QUEUED] = sbx_monotonic_nsec();

    return job;
}


void
sbx_job_ref(sbx_job_t *job)
{
    pthread_mutex_lock(&sbx_jobs.lock);
    job->refs++;
    pthread_mutex_unlock(&sbx_jobs.lock);
}


void
sbx_job_unref(sbx_job_t *job)
{
    unsigned  refs;

    pthread_mutex_lock(&sbx_jobs.lock);
    refs = --job->refs;
    pthread_mutex_unlock(&sbx_jobs.lock);

    if (refs == 0) {
        sbx_job_free(job);
    }
}


void
sbx_jobs_insert(sbx_job_t *job)
{
    pthread_mutex_lock(&sbx_jobs.lock);
    sbx_jobs_link(job);
    pthread_mutex_unlock(&sbx_jobs.lock);
}


/* Puts a job in the hash table, which takes a reference; lock held. */

static void
sbx_jobs_link(sbx_job_t *job)
{
    unsigned  h;

    h = sbx_jobs_hash(job->id, SBX_ID_LEN);

    job->refs++;
    job->hnext = sbx_jobs.buckets[h];
    sbx_jobs.buckets[h] = job;
    sbx_jobs.count++;
}


void
sbx_jobs_remove(sbx_job_t *job)
{
    sbx_job_t  **pp;

    pthread_mutex_lock(&sbx_jobs.lock);

    for (pp = &sbx_jobs.buckets[sbx_jobs_hash(job->id, SBX_ID_LEN)];
         *pp;
         pp = &(*pp)->hnext)
    {
        if (*pp == job) {
            *pp = job->hnext;
            sbx_jobs.count--;
            job->refs--;
            break;
        }
    }

    pthread_mutex_unlock(&sbx_jobs.lock);
}


sbx_job_t *
sbx_jobs_find(const char *id, size_t len)
{
    sbx_job_t  *job;

    if (!sbx_valid_id(id, len)) {
        return NULL;
    }

    pthread_mutex_lock(&sbx_jobs.lock);

    for (job = sbx_jobs.buckets[sbx_jobs_hash(id, len)];
         job;
         job = job->hnext)
    {
        if (memcmp(job->id, id, SBX_ID_LEN) == 0) {
            job->refs++;
            break;
        }
    }

    pthread_mutex_unlock(&sbx_jobs.lock);

    return job;
}


void
sbx_job_running(sbx_job_t *job)
{
    pthread_mutex_lock(&sbx_jobs.lock);

    job->state = SBX_JOB_RUNNING;
    job->started = sbx_realtime_msec();
    job->stage[SBX_STAGE_TAKEN] = sbx_monotonic_nsec();
    sbx_jobs.running++;

    if (job->cancelled == NULL) {
        job->status = SBX_STATUS_RUNNING;
    }

    pthread_mutex_unlock(&sbx_jobs.lock);
}


void
sbx_job_stage(sbx_job_t *job, sbx_stage_e stage, uint64_t ns)
{
    job->stage[stage] = ns ? ns : sbx_monotonic_nsec();
}


void
sbx_job_stage_done(sbx_job_t *job)
{
    int              i;
    double           d[SBX_STAGE_N], overhead, total;
    const uint64_t  *t;

    if (__atomic_load_n(&job->stage_wait, __ATOMIC_ACQUIRE) == 0
        || __atomic_sub_fetch(&job->stage_wait, 1, __ATOMIC_ACQ_REL) != 0
        || sbx_log_level < SBX_LOG_DEBUG)
    {
        return;
    }

    /* each stage's share: from the stage before it that was reached */

    t = job->stage;

    for (i = 1; i < SBX_STAGE_N; i++) {
        d[i] = (t[i] && t[i - 1]) ? (double) (int64_t) (t[i] - t[i - 1]) / 1e6
                                  : -1;
    }

    overhead = (double) (int64_t) (t[SBX_STAGE_RESULT] - t[SBX_STAGE_TAKEN]
                                   - (t[SBX_STAGE_EXIT]
                                      - t[SBX_STAGE_START])) / 1e6;

    total = (double) (int64_t) (t[SBX_STAGE_REPLY] - t[SBX_STAGE_QUEUED])
            / 1e6;

    sbx_log_debug("job %s: timing ms: queue %.3f box %.3f handover %.3f "
                  "start %.3f program %.3f result %.3f reply %.3f "
                  "removed %.3f overhead %.3f total %.3f calls %u", job->id,
                  d[SBX_STAGE_TAKEN], d[SBX_STAGE_BOX],
                  d[SBX_STAGE_HANDOVER], d[SBX_STAGE_START],
                  d[SBX_STAGE_EXIT], d[SBX_STAGE_RESULT],
                  d[SBX_STAGE_REPLY], d[SBX_STAGE_REMOVED], overhead, total,
                  job->docker_calls);
}


int
sbx_job_cancel(sbx_job_t *job, const char *why)
{
    int  rc;

    pthread_mutex_lock(&sbx_jobs.lock);

    rc = SBX_DECLINED;

    if (job->state != SBX_JOB_FINISHED && !job->finishing) {

        if (job->cancelled == NULL) {
            job->cancelled = why;
        }

        job->status = SBX_STATUS_CANCELLED;
        rc = SBX_OK;
    }

    pthread_mutex_unlock(&sbx_jobs.lock);

    return rc;
}


sbx_status_e
sbx_job_status(sbx_job_t *job)
{
    sbx_status_e  status;

    pthread_mutex_lock(&sbx_jobs.lock);
    status = job->status;
    pthread_mutex_unlock(&sbx_jobs.lock);

    return status;
}


const char *
sbx_job_cancelled(sbx_job_t *job)
{
    const char  *why;

    pthread_mutex_lock(&sbx_jobs.lock);
    why = job->cancelled;
    pthread_mutex_unlock(&sbx_jobs.lock);

    return why;
}


void
sbx_job_finish(sbx_job_t *job, json_t *init, const char *error,
    sbx_done_t *done)
{
    int            ran;
    char          *result, why[256];
    size_t         len;
    const char    *cancelled;
    sbx_status_e   status;

    /*
     * A cancel that came after the worker last looked still wins (the
     * client was told "cancelled"); one that comes from now on is too
     * late and is refused (sbx_job_cancel()).
     */

    pthread_mutex_lock(&sbx_jobs.lock);
    job->finishing = 1;
    cancelled = job->cancelled;
    pthread_mutex_unlock(&sbx_jobs.lock);

    if (cancelled != NULL && init != NULL) {
        snprintf(why, sizeof(why), "cancelled %s", cancelled);
        init = NULL;
        error = why;
    }

    result = sbx_result_build(job, init, error, &status, &len);

    if (result == NULL) {
        result = sbx_job_failed(job, "out of memory for the result", &len);
        status = SBX_STATUS_INTERNAL_ERROR;
    }

    /* on disk before anyone sees it: what GET showed survives a restart */

    if (sbx_store_finished(job, status, result, len) != SBX_OK) {
        snprintf(why, sizeof(why), "the result (%zu bytes) could not be "
                 "stored: %s", len, strerror(errno));

        free(result);
        result = sbx_job_failed(job, why, &len);
        status = SBX_STATUS_INTERNAL_ERROR;

        /*
         * Written anew, or over the accepted record when the disk is full;
         * failing both, nothing is left that would be run again or read
         * back wrong.
         */

        if (sbx_store_finished(job, status, result, len) != SBX_OK
            && sbx_store_overwrite(job, status, result, len) != SBX_OK)
        {
            sbx_store_forget(job->id);
        }
    }

    pthread_mutex_lock(&sbx_jobs.lock);

    ran = (job->state == SBX_JOB_RUNNING);

    if (ran) {
        sbx_jobs.running--;
    }

    job->state = SBX_JOB_FINISHED;
    job->status = status;
    job->result = result;
    job->result_len = len;
    job->finished = sbx_realtime_msec();

    sbx_jobs_finished(job);

    pthread_mutex_unlock(&sbx_jobs.lock);

    sbx_metrics_status(status);

    /* a job that never ran would time only the shutdown or the restart */

    if (ran) {
        sbx_metrics_observe(SBX_METRIC_JOB,
                            sbx_realtime_msec() - job->created);
    }

    sbx_log_info("job %s: %s %s", job->id, job->lang ? job->lang->id : "-",
                 sbx_status_names[status]);

    /*
     * The frame, the trees and the copies of a large result are freed by
     * now: give their pages back rather than keep the peak resident.
     */

    if (len > SBX_JOBS_INLINE) {
        (void) malloc_trim(0);
    }

    sbx_done_push(done, job);
}


void
sbx_job_kept(sbx_job_t *job, sbx_done_t *done)
{
    pthread_mutex_lock(&sbx_jobs.lock);

    if (job->state == SBX_JOB_RUNNING) {
        sbx_jobs.running--;
    }

    job->state = SBX_JOB_QUEUED;
    job->status = SBX_STATUS_QUEUED;
    job->kept = 1;

    pthread_mutex_unlock(&sbx_jobs.lock);

    sbx_log_info("job %s: stopped before it ended; it runs again at the "
                 "next start", job->id);

    sbx_done_push(done, job);
}


/*
 * A small internal_error result saying why; built without jansson when
 * even that is out of memory.  NULL only when nothing can be allocated.
 */

static char *
sbx_job_failed(sbx_job_t *job, const char *why, size_t *len)
{
    char          *s;
    sbx_status_e   status;

    s = sbx_result_build(job, NULL, why, &status, len);

    if (s != NULL) {
        return s;
    }

    s = malloc(256);

    if (s != NULL) {
        *len = snprintf(s, 256, "{\"id\":\"%s\",\"status\":"
                        "\"internal_error\",\"message\":"
                        "\"out of memory for the result\"}", job->id);
    } else {
        *len = 0;
    }

    return s;
}


void
sbx_jobs_restore(sbx_job_t *job)
{
    pthread_mutex_lock(&sbx_jobs.lock);

    sbx_jobs_link(job);

    job->state = SBX_JOB_FINISHED;
    sbx_jobs_finished(job);

    pthread_mutex_unlock(&sbx_jobs.lock);

    /* the table's reference is the only one */
    sbx_job_unref(job);
}


/*
 * Appends a finished job to the finished list; over the memory cap, the
 * oldest results that are safely on disk leave memory.  The lock is held.
 */

static void
sbx_jobs_finished(sbx_job_t *job)
{
    sbx_job_t  *old;

    sbx_jobs.bytes += job->result_len;
    sbx_jobs.finished++;

    job->fnext = NULL;

    if (sbx_jobs.ftail) {
        sbx_jobs.ftail->fnext = job;

    } else {
        sbx_jobs.fhead = job;
    }

    sbx_jobs.ftail = job;

    if (sbx_jobs.spill == NULL) {
        sbx_jobs.spill = job;
    }

    /* a large result is read from its file when asked for */

    if (job->result != NULL && job->persisted
        && job->result_len > SBX_JOBS_INLINE)
    {
        sbx_jobs.bytes -= job->result_len;
        free(job->result);
        job->result = NULL;
        job->spilled = 1;
    }

    while (sbx_jobs.bytes > sbx_jobs.memory && sbx_jobs.spill != NULL) {
        old = sbx_jobs.spill;
        sbx_jobs.spill = old->fnext;

        if (old->result == NULL || !old->persisted) {
            continue;
        }

        sbx_jobs.bytes -= old->result_len;
        free(old->result);
        old->result = NULL;
        old->spilled = 1;
    }
}


void
sbx_job_callback(sbx_job_t *job, const char *state, unsigned attempts,
    const char *error)
{
    char  *e;

    e = error ? strdup(error) : NULL;

    pthread_mutex_lock(&sbx_jobs.lock);

    job->cb_state = state;
    job->cb_attempts = attempts;
    free(job->cb_error);
    job->cb_error = e;

    pthread_mutex_unlock(&sbx_jobs.lock);
}


char *
sbx_job_result(sbx_job_t *job, size_t *len, sbx_status_e *status,
    char **url)
{
    char  *s;

    *url = job->callback_url ? strdup(job->callback_url) : NULL;

    pthread_mutex_lock(&sbx_jobs.lock);

    *status = job->status;

    if (job->state != SBX_JOB_FINISHED || job->spilled) {
        pthread_mutex_unlock(&sbx_jobs.lock);
        return job->spilled ? sbx_store_result(job->id, len) : NULL;
    }

    s = malloc(job->result_len + 1);

    if (s != NULL) {
        memcpy(s, job->result, job->result_len + 1);
        *len = job->result_len;
    }

    pthread_mutex_unlock(&sbx_jobs.lock);

    return s;
}


char *
sbx_job_describe(sbx_job_t *job, size_t *len, sbx_status_e *status)
{
    char        ts[3][32], *s, *url;
    json_t     *v, *cb;

    pthread_mutex_lock(&sbx_jobs.lock);

    *status = job->status;

    if (job->state == SBX_JOB_FINISHED) {
        pthread_mutex_unlock(&sbx_jobs.lock);

        s = sbx_job_result(job, len, status, &url);

        if (s == NULL || url == NULL) {
            free(url);
            return s;
        }

        /* how the callback went is news after the result was stored */

        pthread_mutex_lock(&sbx_jobs.lock);

        cb = json_pack("{s:s, s:s, s:i, s:s?}",
                       "url", url,
                       "status", job->cb_state ? job->cb_state : "pending",
                       "attempts", job->cb_attempts,
                       "error", job->cb_error);

        pthread_mutex_unlock(&sbx_jobs.lock);

        free(url);

        return sbx_job_add_callback(s, len, cb);
    }

    sbx_rfc3339(ts[0], sizeof(ts[0]), job->created);

    if (job->state == SBX_JOB_RUNNING) {
        sbx_rfc3339(ts[1], sizeof(ts[1]), job->started);
    }

    pthread_mutex_unlock(&sbx_jobs.lock);

    v = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s?}}",
                  "id", job->id,
                  "status", sbx_status_names[*status],
                  "language", "id", job->lang->id,
                  "version", job->lang->version,
                  "timestamps", "created_at", ts[0],
                  "started_at",
                  job->state == SBX_JOB_RUNNING ? ts[1] : NULL);
    if (v == NULL) {
        return NULL;
    }

    s = json_dumps(v, JSON_COMPACT);
    json_decref(v);

    if (s != NULL) {
        *len = strlen(s);
    }

    return s;
}


size_t
sbx_jobs_expire(sbx_msec_t now)
{
    size_t      n;
    sbx_job_t  *job, *drop;

    drop = NULL;
    n = 0;

    pthread_mutex_lock(&sbx_jobs.lock);

    while (sbx_jobs.fhead && sbx_jobs.fhead->finished + sbx_jobs.ttl <= now) {
        job = sbx_jobs.fhead;
        sbx_jobs_unlink(job);

        job->fnext = drop;
        drop = job;
        n++;
    }

    pthread_mutex_unlock(&sbx_jobs.lock);

    while (drop) {
        job = drop;
        drop = drop->fnext;
        sbx_store_forget(job->id);
        sbx_job_unref(job);
    }

    return n;
}


void
sbx_jobs_stats(sbx_jobs_stats_t *st)
{
    pthread_mutex_lock(&sbx_jobs.lock);

    st->stored = sbx_jobs.count;
    st->running = sbx_jobs.running;
    st->finished = sbx_jobs.finished;
    st->result_bytes = sbx_jobs.bytes;

    pthread_mutex_unlock(&sbx_jobs.lock);
}


static unsigned
sbx_jobs_hash(const char *id, size_t len)
{
    size_t    i;
    unsigned  h;

    /* ids are random: FNV-1a spreads them well enough */

    h = 2166136261u;

    for (i = 0; i < len; i++) {
        h = (h ^ (unsigned char) id[i]) * 16777619u;
    }

    return h % SBX_JOBS_BUCKETS;
}


/* Takes the oldest finished job off both lists; the lock is held. */

static void
sbx_jobs_unlink(sbx_job_t *job)
{
    sbx_job_t  **pp;

    sbx_jobs.fhead = job->fnext;

    if (sbx_jobs.fhead == NULL) {
        sbx_jobs.ftail = NULL;
    }

    if (sbx_jobs.spill == job) {
        sbx_jobs.spill = job->fnext;
    }

    for (pp = &sbx_jobs.buckets[sbx_jobs_hash(job->id, SBX_ID_LEN)];
         *pp;
         pp = &(*pp)->hnext)
    {
        if (*pp == job) {
            *pp = job->hnext;
            break;
        }
    }

    if (!job->spilled) {
        sbx_jobs.bytes -= job->result_len;
    }

    sbx_jobs.count--;
    sbx_jobs.finished--;
}


/*
 * Appends "callback": cb to a stored result, an object in compact JSON,
 * by text: the result was serialized once when the job finished and is
 * not parsed again.  On failure the result goes out without it.
 */

static char *
sbx_job_add_callback(char *result, size_t *len, json_t *cb)
{
    char    *text, *p;
    size_t   n, at;

    text = cb ? json_dumps(cb, JSON_COMPACT) : NULL;
    json_decref(cb);

    if (text == NULL || *len < 2 || result[*len - 1] != '}') {
        free(text);
        return result;
    }

    n = strlen(text);

    p = realloc(result, *len + sizeof(",\"callback\":") + n);

    if (p == NULL) {
        free(text);
        return result;
    }

    /* in place of the closing brace: the member, then the brace again */

    at = *len - 1;

    at += sprintf(p + at, "%s\"callback\":%s}",
                  (p[at - 1] == '{') ? "" : ",", text);

    free(text);

    *len = at;

    return p;
}


static void
sbx_job_free(sbx_job_t *job)
{
    sbx_events_free(job);
    json_decref(job->payload);
    free(job->callback_url);
    free(job->cb_error);
    free(job->result);
    free(job);
}
