
/*
 * Jobs on disk, so that accepted work survives a restart.
 *
 * Every accepted job has one file, <state-dir>/jobs/<id>.job: a header
 * line (JSON) and then, verbatim, the submission while it waits or runs,
 * or the result once it is finished.  Each version replaces the previous
 * one with rename(2), so a reader or a crash sees one whole version.  The
 * accepted version is written before the job is queued; the finished
 * version by sbx_job_finish(),
 * before the job is published as finished.
 *
 * At start-up the runner reads them back: results within their TTL are
 * served again, jobs that never finished are run again (at most twice in
 * all: a job that was running both times the runner died or was stopped
 * ends as internal_error, and so does one that can no longer be
 * prepared; those finish after every kept result is back, so the
 * table's finished list stays in the order of finishing).  A stop that
 * found a job still queued cut no run short and does not count
 * (sbx_store_unstarted()).
 * A cancel that reaches a running job is written down at once, beside
 * the job's file (<id>.cancel, made once and never rewritten, so it
 * cannot race the worker's rename of the job's file): a runner that
 * dies before the job ends finishes it at the next start as cancelled
 * instead of running it again.  The mark goes when the job's finished
 * version is written, or at that start.
 * Results beyond the memory cap live only here; GET reads them back.
 *
 * The directory is the runner's own and no container ever sees it: file
 * names are built from ids the runner generated and checked.
 *
 * Locking: none here.  Each job's file is written by one thread at a time
 * (the event thread before queueing, then the thread that finishes it,
 * then the monitor removes it when it expires); its cancel mark by the
 * event thread, once, and removed by the thread that finishes it.
 */


#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_queue.h"
#include "sbx_result.h"
#include "sbx_schema.h"
#include "sbx_store.h"
#include "sbx_submit.h"


#define SBX_STORE_MAX_ATTEMPTS  2

/* any result (sbx_result.c caps them) and its header line */
#define SBX_STORE_MAX_FILE      (SBX_RESULT_MAX + 64 * 1024)

/* the file format's word for a finished job, kept for existing files */
#define SBX_STORE_FINISHED      "done"


/* A job found at start-up that cannot run again, and why. */

typedef struct {
    sbx_job_t          *job;
    char                why[256];
} sbx_store_ended_t;


/* What start-up found in the directory so far. */

typedef struct {
    sbx_queue_t        *queue;
    sbx_job_t         **kept;            /* results within their TTL */
    size_t              nkept;
    sbx_store_ended_t  *ended;
    size_t              nended;
    size_t              nrun;            /* queued again */
} sbx_store_scan_t;


static char  sbx_store_dir[3072];


static json_t *sbx_store_finished_header(sbx_job_t *job,
    sbx_status_e status);
static int sbx_store_write(const char *id, json_t *header, const char *body,
    size_t len, int in_place);
static char *sbx_store_read(const char *id, json_t **header, size_t *len);
static void sbx_store_path(char *buf, size_t size, const char *id,
    const char *suffix);
static int sbx_store_recover_one(sbx_store_scan_t *scan, const char *id);
static int sbx_store_keep(sbx_store_scan_t *scan, const char *id,
    json_t *header, char *body, size_t len);
static int sbx_store_requeue(sbx_store_scan_t *scan, const char *id,
    json_t *header, const char *body, size_t len);
static int sbx_store_by_finish(const void *a, const void *b);
static void sbx_store_uncancel(sbx_job_t *job);
static void sbx_store_unmark(const char *id);
static int sbx_store_cancelled(const char *id, char *why, size_t size);


int
sbx_store_init(void)
{
    if (strlen(sbx_conf.state_dir) > sizeof(sbx_store_dir) - 16) {
        sbx_log_error("state-dir path is too long");
        return SBX_ERROR;
    }

    snprintf(sbx_store_dir, sizeof(sbx_store_dir), "%s/jobs",
             sbx_conf.state_dir);

    /* the state directory itself: the box directories make it otherwise,
     * and the test double has none */

    if (mkdir(sbx_conf.state_dir, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_conf.state_dir,
                      strerror(errno));
        return SBX_ERROR;
    }

    if (mkdir(sbx_store_dir, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_store_dir, strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


int
sbx_store_accepted(sbx_job_t *job, const char *sub, size_t len)
{
    int      rc;
    json_t  *h;

    h = json_pack("{s:s, s:I, s:i, s:b, s:I}",
                  "state", "accepted",
                  "created", (json_int_t) job->created,
                  "attempts", job->attempts,
                  "sync", job->sync,
                  "output_budget", (json_int_t) job->output_budget);

    rc = (h != NULL) ? sbx_store_write(job->id, h, sub, len, 0) : SBX_ERROR;

    if (rc != SBX_OK) {
        sbx_log_error("job %s: cannot be saved; it is refused", job->id);
    }

    json_decref(h);

    return rc;
}


int
sbx_store_finished(sbx_job_t *job, sbx_status_e status, const char *result,
    size_t len)
{
    int      rc, e;
    json_t  *h;

    h = sbx_store_finished_header(job, status);

    if (h == NULL) {
        errno = ENOMEM;
        return SBX_ERROR;
    }

    rc = sbx_store_write(job->id, h, result, len, 0);
    e = errno;

    json_decref(h);

    if (rc != SBX_OK) {
        sbx_log_error("job %s: its result cannot be saved", job->id);
        errno = e;
        return SBX_ERROR;
    }

    job->persisted = 1;

    sbx_store_uncancel(job);

    return SBX_OK;
}


/*
 * The last resort when a finished job cannot be written anew, on a full
 * disk: its record is rewritten in place over the accepted one.  That
 * needs no new space while it fits the blocks the file already holds,
 * which a short error does, so the job is neither run again nor lost
 * after a restart.  Not atomic (a crash in between leaves a record that
 * reads as corrupt and ends as an explicit error), so only for this.
 */

int
sbx_store_overwrite(sbx_job_t *job, sbx_status_e status, const char *result,
    size_t len)
{
    int      rc;
    json_t  *h;

    h = sbx_store_finished_header(job, status);

    if (h == NULL) {
        return SBX_ERROR;
    }

    rc = sbx_store_write(job->id, h, result, len, 1);

    json_decref(h);

    if (rc == SBX_OK) {
        job->persisted = 1;
        sbx_store_uncancel(job);
    }

    return rc;
}


static json_t *
sbx_store_finished_header(sbx_job_t *job, sbx_status_e status)
{
    return json_pack("{s:s, s:I, s:I, s:s, s:s?}",
                     "state", SBX_STORE_FINISHED,
                     "created", (json_int_t) job->created,
                     "finished", (json_int_t) sbx_realtime_msec(),
                     "status", sbx_status_names[status],
                     "language", job->lang ? job->lang->id : NULL);
}


char *
sbx_store_result(const char *id, size_t *len)
{
    char        *body;
    json_t      *h;
    const char  *state;

    body = sbx_store_read(id, &h, len);

    if (body == NULL) {
        return NULL;
    }

    state = json_string_value(json_object_get(h, "state"));

    if (state == NULL || strcmp(state, SBX_STORE_FINISHED) != 0) {
        free(body);
        body = NULL;
    }

    json_decref(h);

    return body;
}


/*
 * A job the runner stops before it started stays on disk for the next
 * start, marked "unstarted": it never ran, so that start does not count
 * the stop as a run cut short (sbx_store_requeue()).
 */

void
sbx_store_unstarted(sbx_job_t *job)
{
    char    *body;
    size_t   len;
    json_t  *h;

    body = sbx_store_read(job->id, &h, &len);

    if (body == NULL) {
        return;
    }

    if (json_object_set_new(h, "unstarted", json_true()) == 0) {
        (void) sbx_store_write(job->id, h, body, len, 0);
    }

    json_decref(h);
    free(body);
}


int
sbx_store_cancel(sbx_job_t *job, const char *why)
{
    int   fd, rc, e;
    char  path[sizeof(sbx_store_dir) + 64];

    sbx_store_path(path, sizeof(path), job->id, ".cancel");

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);

    if (fd == -1) {
        if (errno == EEXIST) {
            return SBX_OK;
        }

        sbx_log_error("open \"%s\": %s", path, strerror(errno));
        return SBX_ERROR;
    }

    rc = sbx_write_all(fd, why, strlen(why)) < 0 ? SBX_ERROR : SBX_OK;

    if (rc == SBX_OK && fsync(fd) == -1) {
        rc = SBX_ERROR;
    }

    e = errno;
    close(fd);

    if (rc != SBX_OK) {
        sbx_log_error("writing \"%s\": %s", path, strerror(e));
        (void) unlink(path);
    }

    return rc;
}


/* A finished job's cancel mark, if it had one, is of no more use. */

static void
sbx_store_uncancel(sbx_job_t *job)
{
    /* stable here: a cancel is refused once the job is finishing */

    if (job->cancelled != NULL) {
        sbx_store_unmark(job->id);
    }
}


static void
sbx_store_unmark(const char *id)
{
    char  path[sizeof(sbx_store_dir) + 64];

    sbx_store_path(path, sizeof(path), id, ".cancel");

    if (unlink(path) == -1 && errno != ENOENT) {
        sbx_log_error("unlink \"%s\": %s", path, strerror(errno));
    }
}


/* Reads a cancel mark's reason into why; SBX_DECLINED if there is none. */

static int
sbx_store_cancelled(const char *id, char *why, size_t size)
{
    int      fd;
    char     path[sizeof(sbx_store_dir) + 64];
    ssize_t  n;

    sbx_store_path(path, sizeof(path), id, ".cancel");

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1) {
        return SBX_DECLINED;
    }

    n = read(fd, why, size - 1);
    close(fd);

    why[n > 0 ? n : 0] = '\0';

    return SBX_OK;
}


void
sbx_store_forget(const char *id)
{
    char         path[sizeof(sbx_store_dir) + 64];
    const char  *const *suffix;

    static const char  *const suffixes[] = { ".job", ".cancel", NULL };

    for (suffix = suffixes; *suffix; suffix++) {
        sbx_store_path(path, sizeof(path), id, *suffix);

        if (unlink(path) == -1 && errno != ENOENT) {
            sbx_log_error("unlink \"%s\": %s", path, strerror(errno));
        }
    }
}


int
sbx_store_exists(const char *id)
{
    char  path[sizeof(sbx_store_dir) + 64];

    sbx_store_path(path, sizeof(path), id, ".job");

    return access(path, F_OK) == 0;
}


int
sbx_store_recover(sbx_queue_t *queue, sbx_done_t *done)
{
    int                 rc;
    DIR                *dir;
    size_t              i, n;
    sbx_job_t          *job;
    struct dirent      *de;
    sbx_store_scan_t    scan;

    dir = opendir(sbx_store_dir);
    if (dir == NULL) {
        sbx_log_error("opendir \"%s\": %s", sbx_store_dir, strerror(errno));
        return SBX_ERROR;
    }

    memset(&scan, 0, sizeof(sbx_store_scan_t));
    scan.queue = queue;

    rc = SBX_OK;

    while (rc == SBX_OK && (de = readdir(dir)) != NULL) {
        n = strlen(de->d_name);

        /* only what the runner names: <uuid>.job (tmp files are dropped) */

        if (n == SBX_ID_LEN + 8
            && strcmp(de->d_name + SBX_ID_LEN, ".job.tmp") == 0)
        {
            de->d_name[SBX_ID_LEN] = '\0';
            sbx_store_forget(de->d_name);
            continue;
        }

        /* a cancel mark whose job is gone */

        if (n == SBX_ID_LEN + 7
            && strcmp(de->d_name + SBX_ID_LEN, ".cancel") == 0
            && sbx_valid_id(de->d_name, SBX_ID_LEN))
        {
            de->d_name[SBX_ID_LEN] = '\0';

            if (!sbx_store_exists(de->d_name)) {
                sbx_store_forget(de->d_name);
            }

            continue;
        }

        if (n != SBX_ID_LEN + 4 || strcmp(de->d_name + SBX_ID_LEN, ".job")
            || !sbx_valid_id(de->d_name, SBX_ID_LEN))
        {
            continue;
        }

        de->d_name[SBX_ID_LEN] = '\0';

        rc = sbx_store_recover_one(&scan, de->d_name);
    }

    closedir(dir);

    if (rc != SBX_OK) {
        free(scan.kept);
        free(scan.ended);
        return SBX_ERROR;
    }

    /* finished jobs expire in the order they finished */

    if (scan.nkept > 0) {
        qsort(scan.kept, scan.nkept, sizeof(sbx_job_t *),
              sbx_store_by_finish);
    }

    for (i = 0; i < scan.nkept; i++) {
        sbx_jobs_restore(scan.kept[i]);
    }

    /* the ones that cannot run again finish now, after all of those */

    for (i = 0; i < scan.nended; i++) {
        job = scan.ended[i].job;
        sbx_jobs_insert(job);
        sbx_job_finish(job, NULL, scan.ended[i].why, done);
    }

    if (scan.nkept || scan.nended || scan.nrun) {
        sbx_log_info("restart: %zu results kept, %zu unfinished jobs "
                     "queued again", scan.nkept + scan.nended, scan.nrun);
    }

    free(scan.kept);
    free(scan.ended);

    return SBX_OK;
}


/* SBX_OK, or SBX_ERROR when out of memory. */

static int
sbx_store_recover_one(sbx_store_scan_t *scan, const char *id)
{
    int          rc;
    char        *body;
    size_t       len;
    json_t      *h;
    const char  *state;

    body = sbx_store_read(id, &h, &len);

    if (body == NULL) {
        return SBX_OK;
    }

    state = json_string_value(json_object_get(h, "state"));

    if (state != NULL && strcmp(state, SBX_STORE_FINISHED) == 0) {
        /* a mark the runner died before it could remove */
        sbx_store_unmark(id);
        rc = sbx_store_keep(scan, id, h, body, len);      /* takes body */

    } else {
        /* accepted, and the runner died before it finished */
        rc = sbx_store_requeue(scan, id, h, body, len);
        free(body);
    }

    json_decref(h);

    return rc;
}


/* A result: kept if within its TTL (taking body), else removed. */

static int
sbx_store_keep(sbx_store_scan_t *scan, const char *id, json_t *header,
    char *body, size_t len)
{
    sbx_job_t    *job, **k;
    sbx_msec_t    finished;
    const char   *status, *language;

    finished = json_integer_value(json_object_get(header, "finished"));
    status = json_string_value(json_object_get(header, "status"));

    if (finished + sbx_conf.result_ttl <= sbx_realtime_msec()
        || status == NULL)
    {
        sbx_store_forget(id);
        free(body);
        return SBX_OK;
    }

    job = sbx_job_new();
    k = realloc(scan->kept, (scan->nkept + 1) * sizeof(sbx_job_t *));

    if (k != NULL) {
        scan->kept = k;
    }

    if (job == NULL || k == NULL) {
        free(job);
        free(body);
        return SBX_ERROR;
    }

    k[scan->nkept++] = job;

    memcpy(job->id, id, SBX_ID_LEN);
    job->created = json_integer_value(json_object_get(header, "created"));
    job->finished = finished;
    job->status = sbx_result_status(status);

    /* a GET names the language (for the logs), if it is still known */

    language = json_string_value(json_object_get(header, "language"));
    job->lang = language ? sbx_lang_find(language) : NULL;

    job->result = body;
    job->result_len = len;
    job->persisted = 1;

    return SBX_OK;
}


/*
 * An unfinished job: prepared again, with its id and creation time, and
 * queued; one that cannot run any more is noted in scan->ended, to
 * finish as internal_error.  SBX_ERROR when out of memory.
 */

static int
sbx_store_requeue(sbx_store_scan_t *scan, const char *id, json_t *header,
    const char *body, size_t len)
{
    int                  cancelled;
    char                 why[256], reason[128];
    json_t              *sub;
    unsigned             attempts;
    sbx_job_t           *job;
    json_int_t           budget;
    sbx_error_t          err;
    sbx_store_ended_t   *e;

    job = NULL;
    cancelled = 0;
    attempts = (unsigned) json_integer_value(json_object_get(header,
                                                             "attempts"));

    /* a stop that found it still queued cut no run short */

    if (!json_is_true(json_object_get(header, "unstarted"))) {
        attempts++;
    }

    if (sbx_store_cancelled(id, reason, sizeof(reason)) == SBX_OK) {
        /* cancelled while it ran, and the runner died before it ended */
        snprintf(why, sizeof(why), "cancelled %s", reason);
        cancelled = 1;

    } else if (attempts >= SBX_STORE_MAX_ATTEMPTS) {
        snprintf(why, sizeof(why), "the runner stopped %u times while this "
                 "job was running; it is not run again", attempts);

    } else {
        sub = sbx_schema_parse(body, len, &err);
        job = sub ? sbx_submit_prepare(sub, &err) : NULL;
        json_decref(sub);

        if (job == NULL) {
            snprintf(why, sizeof(why), "after a restart the job could not "
                     "be prepared again: %s", err.message);
        }
    }

    if (job != NULL) {
        memcpy(job->id, id, SBX_ID_LEN);
        job->created = json_integer_value(json_object_get(header, "created"));
        job->sync = json_is_true(json_object_get(header, "sync"));
        job->attempts = attempts;

        /* a location's output budget, lower than the runner's, holds */

        budget = json_integer_value(json_object_get(header,
                                                    "output_budget"));

        if (budget > 0 && (size_t) budget < job->output_budget) {
            job->output_budget = (size_t) budget;
        }

        sbx_store_accepted(job, body, len);
        sbx_jobs_insert(job);

        if (sbx_queue_push_force(scan->queue, job) != SBX_OK) {
            sbx_jobs_remove(job);
            sbx_job_unref(job);
        }

        scan->nrun++;

        return SBX_OK;
    }

    if (cancelled) {
        sbx_log_info("job %s: %s; it is not run again", id, why);

    } else {
        sbx_log_warn("job %s: %s", id, why);
    }

    job = sbx_job_new();
    e = realloc(scan->ended, (scan->nended + 1) * sizeof(sbx_store_ended_t));

    if (e != NULL) {
        scan->ended = e;
    }

    if (job == NULL || e == NULL) {
        free(job);
        return SBX_ERROR;
    }

    memcpy(job->id, id, SBX_ID_LEN);
    job->created = json_integer_value(json_object_get(header, "created"));

    if (cancelled) {
        job->cancelled = "before a restart";        /* ends it cancelled */
    }

    e[scan->nended].job = job;
    memcpy(e[scan->nended].why, why, sizeof(why));
    scan->nended++;

    return SBX_OK;
}


static int
sbx_store_write(const char *id, json_t *header, const char *body, size_t len,
    int in_place)
{
    int    fd, rc, e;
    char   path[sizeof(sbx_store_dir) + 64], tmp[sizeof(path)], *h;
    off_t  size;

    h = json_dumps(header, JSON_COMPACT);
    if (h == NULL) {
        errno = ENOMEM;
        return SBX_ERROR;
    }

    sbx_store_path(path, sizeof(path), id, ".job");
    sbx_store_path(tmp, sizeof(tmp), id, ".job.tmp");

    /* in place: over the record that is there, no new file */

    fd = in_place
         ? open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
         : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                0600);

    if (fd == -1) {
        e = errno;
        sbx_log_error("open \"%s\": %s", tmp, strerror(e));
        free(h);
        errno = e;
        return SBX_ERROR;
    }

    size = strlen(h) + 1 + len;
    rc = sbx_write_all(fd, h, strlen(h)) < 0 ? SBX_ERROR : SBX_OK;
    free(h);

    if (rc == SBX_OK) {
        rc = sbx_write_all(fd, "\n", 1) < 0 ? SBX_ERROR : SBX_OK;
    }

    if (rc == SBX_OK) {
        rc = sbx_write_all(fd, body, len) < 0 ? SBX_ERROR : SBX_OK;
    }

    if (rc == SBX_OK && in_place && ftruncate(fd, size) == -1) {
        rc = SBX_ERROR;
    }

    if (close(fd) == -1 && rc == SBX_OK) {
        rc = SBX_ERROR;
    }

    if (rc == SBX_OK && !in_place && rename(tmp, path) == -1) {
        rc = SBX_ERROR;
    }

    if (rc != SBX_OK) {
        e = errno;
        sbx_log_error("writing \"%s\": %s", path, strerror(e));

        if (!in_place) {
            (void) unlink(tmp);
        }

        errno = e;
    }

    return rc;
}



/* The file's body (NUL-terminated, caller frees) and parsed header. */

static char *
sbx_store_read(const char *id, json_t **header, size_t *len)
{
    int           fd;
    char          path[sizeof(sbx_store_dir) + 64], *buf, *nl;
    size_t        got;
    ssize_t       n;
    struct stat   st;

    sbx_store_path(path, sizeof(path), id, ".job");

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1) {
        if (errno != ENOENT) {
            sbx_log_error("open \"%s\": %s", path, strerror(errno));
        }

        return NULL;
    }

    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)
        || st.st_size > SBX_STORE_MAX_FILE)
    {
        close(fd);
        return NULL;
    }

    buf = malloc(st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return NULL;
    }

    for (got = 0; got < (size_t) st.st_size; got += n) {
        n = read(fd, buf + got, st.st_size - got);

        if (n <= 0) {
            break;
        }
    }

    close(fd);
    buf[got] = '\0';

    nl = memchr(buf, '\n', got);
    *header = nl ? json_loadb(buf, nl - buf, 0, NULL) : NULL;

    if (*header == NULL) {
        sbx_log_error("\"%s\" is damaged; it is left alone", path);
        free(buf);
        return NULL;
    }

    /* the body moves to the front: one buffer, not a second copy */

    *len = got - (nl + 1 - buf);
    memmove(buf, nl + 1, *len + 1);

    return buf;
}


static void
sbx_store_path(char *buf, size_t size, const char *id, const char *suffix)
{
    snprintf(buf, size, "%s/%.36s%s", sbx_store_dir, id, suffix);
}


static int
sbx_store_by_finish(const void *a, const void *b)
{
    const sbx_job_t  *x = *(const sbx_job_t * const *) a;
    const sbx_job_t  *y = *(const sbx_job_t * const *) b;

    return (x->finished > y->finished) - (x->finished < y->finished);
}
