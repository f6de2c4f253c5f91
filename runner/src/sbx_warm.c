
/*
 * The warm pool.
 *
 * Creating and starting a container is most of what a short job costs,
 * and none of it depends on the job: sandbox-init waits for its payload
 * on a FIFO.  So for the languages named in --warm, a filler thread keeps
 * that many containers started and waiting, made with the language's
 * default limits and room for a large result; a worker takes one instead
 * of making its own, and the filler makes the next.  A warm container is
 * still used once and thrown away: warm, never reused.
 *
 * A box that waited too long to be useful is not a problem: it is only a
 * stopped init.  One that died (Docker restarted) is found when taken
 * (sbx_sandbox.c: no reader on the FIFO) and replaced; after a Docker
 * restart the monitor flushes the whole pool.
 *
 * Locking: sbx_warm.lock guards the pools and the counters; Docker calls
 * are made without it.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "sbx.h"
#include "sbx_box.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_sandbox.h"
#include "sbx_warm.h"


#define SBX_WARM_MAX        64          /* boxes per language */
#define SBX_WARM_TESTS      64          /* tests a warm box has room for */
#define SBX_WARM_TYPICAL    16          /* tests its memory is sized for */


typedef struct {
    sbx_lang_t         *lang;
    int                 target;
    int                 n;
    size_t              cap;
    int64_t             memory_kb;
    int64_t             pids;
    sbx_box_t          *boxes[SBX_WARM_MAX];
} sbx_warm_pool_t;


static struct {
    pthread_mutex_t     lock;
    pthread_cond_t      cond;
    pthread_t           thread;
    int                 started;
    int                 stop;
    size_t              npools;
    sbx_warm_pool_t    *pools;
} sbx_warm;


static void *sbx_warm_fill(void *data);
static int sbx_warm_parse(const char *spec);
static sbx_warm_pool_t *sbx_warm_pool(sbx_lang_t *lang);


int
sbx_warm_start(void)
{
    if (sbx_conf.warm == NULL || sbx_conf.warm[0] == '\0') {
        return SBX_OK;
    }

    if (sbx_warm_parse(sbx_conf.warm) != SBX_OK) {
        return SBX_ERROR;
    }

    pthread_mutex_init(&sbx_warm.lock, NULL);
    sbx_cond_init(&sbx_warm.cond);

    if (sbx_thread_start(&sbx_warm.thread, sbx_warm_fill, NULL,
                         "warm filler")
        != SBX_OK)
    {
        return SBX_ERROR;
    }

    sbx_warm.started = 1;

    return SBX_OK;
}


void
sbx_warm_stop(void)
{
    if (!sbx_warm.started) {
        return;
    }

    pthread_mutex_lock(&sbx_warm.lock);
    sbx_warm.stop = 1;
    pthread_cond_signal(&sbx_warm.cond);
    pthread_mutex_unlock(&sbx_warm.lock);

    pthread_join(sbx_warm.thread, NULL);

    sbx_warm_flush();

    free(sbx_warm.pools);
    pthread_cond_destroy(&sbx_warm.cond);
    pthread_mutex_destroy(&sbx_warm.lock);

    sbx_warm.started = 0;
}


sbx_box_t *
sbx_warm_take(sbx_lang_t *lang, size_t cap)
{
    sbx_box_t        *box;
    sbx_warm_pool_t  *p;

    if (!sbx_warm.started || (p = sbx_warm_pool(lang)) == NULL) {
        return NULL;
    }

    box = NULL;

    pthread_mutex_lock(&sbx_warm.lock);

    if (p->n > 0 && cap <= p->cap) {
        box = p->boxes[--p->n];
        pthread_cond_signal(&sbx_warm.cond);
    }

    pthread_mutex_unlock(&sbx_warm.lock);

    sbx_metrics_count(box ? SBX_METRIC_WARM_HITS : SBX_METRIC_WARM_MISSES);

    return box;
}


void
sbx_warm_flush(void)
{
    size_t      i;
    sbx_box_t  *boxes[SBX_WARM_MAX];
    int         n, k;

    if (!sbx_warm.started) {
        return;
    }

    for (i = 0; i < sbx_warm.npools; i++) {
        pthread_mutex_lock(&sbx_warm.lock);

        n = sbx_warm.pools[i].n;
        memcpy(boxes, sbx_warm.pools[i].boxes, n * sizeof(boxes[0]));
        sbx_warm.pools[i].n = 0;

        pthread_cond_signal(&sbx_warm.cond);
        pthread_mutex_unlock(&sbx_warm.lock);

        for (k = 0; k < n; k++) {
            sbx_box_release(boxes[k]);
        }
    }
}


size_t
sbx_warm_ready(void)
{
    size_t  i, n;

    if (!sbx_warm.started) {
        return 0;
    }

    n = 0;

    pthread_mutex_lock(&sbx_warm.lock);

    for (i = 0; i < sbx_warm.npools; i++) {
        n += sbx_warm.pools[i].n;
    }

    pthread_mutex_unlock(&sbx_warm.lock);

    return n;
}


/*
 * The filler: tops every pool up, one container at a time, and sleeps
 * until a box is taken; after a failure (Docker away) it waits a second.
 */

static void *
sbx_warm_fill(void *data)
{
    int               failed, quiet;
    char              err[256];
    size_t            i;
    sbx_box_t        *box;
    sbx_docker_t     *d;
    sbx_warm_pool_t  *p;
    struct timespec   ts;

    sbx_log_set_thread("warm");

    d = sbx_docker_create(sbx_conf.docker_socket);
    quiet = 0;

    pthread_mutex_lock(&sbx_warm.lock);

    while (!sbx_warm.stop) {
        failed = 0;
        p = NULL;

        for (i = 0; i < sbx_warm.npools; i++) {
            if (sbx_warm.pools[i].n < sbx_warm.pools[i].target) {
                p = &sbx_warm.pools[i];
                break;
            }
        }

        if (p != NULL && d != NULL) {
            pthread_mutex_unlock(&sbx_warm.lock);

            box = sbx_box_make(d, p->lang, p->memory_kb, p->pids, p->cap,
                               err, sizeof(err));

            pthread_mutex_lock(&sbx_warm.lock);

            if (box == NULL) {
                failed = 1;

                if (!quiet) {
                    sbx_log_error("warm %s: %s", p->lang->id, err);
                    quiet = 1;
                }

            } else if (sbx_warm.stop || p->n == p->target) {
                sbx_box_release(box);

            } else {
                p->boxes[p->n++] = box;
                quiet = 0;
            }

            if (!failed) {
                continue;
            }
        }

        /* full, or failing: wait for a take, a flush, or a second */

        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;

        (void) pthread_cond_timedwait(&sbx_warm.cond, &sbx_warm.lock, &ts);
    }

    pthread_mutex_unlock(&sbx_warm.lock);

    sbx_docker_destroy(d);

    return NULL;
}


/* "python:2,c:1" */

static int
sbx_warm_parse(const char *spec)
{
    int          n;
    char        *copy, *tok, *save, *colon, *end;
    sbx_lang_t  *lang;

    copy = strdup(spec);
    if (copy == NULL) {
        return SBX_ERROR;
    }

    sbx_warm.pools = calloc(sbx_lang_count(), sizeof(sbx_warm_pool_t));
    if (sbx_warm.pools == NULL) {
        free(copy);
        return SBX_ERROR;
    }

    for (tok = strtok_r(copy, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save))
    {
        colon = strchr(tok, ':');
        n = 1;

        if (colon != NULL) {
            *colon = '\0';
            n = (int) strtol(colon + 1, &end, 10);

            if (*end != '\0' || end == colon + 1) {
                n = -1;
            }
        }

        lang = sbx_lang_find(tok);

        if (lang == NULL || n < 0 || n > SBX_WARM_MAX
            || sbx_warm_pool(lang) != NULL)
        {
            sbx_log_error("warm: \"%s\": use language:count, a known "
                          "language once, count 0 to %d", tok,
                          SBX_WARM_MAX);
            free(copy);
            return SBX_ERROR;
        }

        sbx_warm.pools[sbx_warm.npools].lang = lang;
        sbx_warm.pools[sbx_warm.npools].target = n;
        sbx_warm.pools[sbx_warm.npools].cap =
            sbx_sandbox_cap(lang, lang->max.v[SBX_LIMIT_OUTPUT],
                            SBX_WARM_TESTS, sbx_conf.job_output_budget);
        sbx_warm.pools[sbx_warm.npools].memory_kb =
            sbx_sandbox_default_memory_kb(lang,
                sbx_sandbox_cap(lang, lang->defaults.v[SBX_LIMIT_OUTPUT],
                                SBX_WARM_TYPICAL,
                                sbx_conf.job_output_budget));
        sbx_warm.pools[sbx_warm.npools].pids =
            sbx_sandbox_default_pids(lang);
        sbx_warm.npools++;

        sbx_log_info("warm: %d %s container(s)", n, lang->id);
    }

    free(copy);

    return SBX_OK;
}


static sbx_warm_pool_t *
sbx_warm_pool(sbx_lang_t *lang)
{
    size_t  i;

    for (i = 0; i < sbx_warm.npools; i++) {
        if (sbx_warm.pools[i].lang == lang) {
            return &sbx_warm.pools[i];
        }
    }

    return NULL;
}
