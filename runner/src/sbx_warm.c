
/*
 * The warm pool.
 *
 * Creating and starting a container is most of what a short job costs,
 * and none of it depends on the job but its limits: sandbox-init waits
 * for its payload on a FIFO.  So for the languages named in --warm,
 * filler threads keep containers started and waiting, and a worker takes
 * one instead of making its own.  A warm container is still used once
 * and thrown away: warm, never reused.
 *
 * Limit classes.  A container is made with its limits (memory, pids,
 * the room for the result: sbx_sandbox_class()) and is handed only to a
 * job of the same class, of the same language and so the same image:
 * nothing is resized on the job's path, and no job runs in a container
 * made for other limits.  Each warm language's default class is kept
 * from the start, --warm's count of them at least; a class of a warm
 * language that a job asks for is kept from then on (at most
 * SBX_WARM_CLASSES; one idle and empty makes room).
 *
 * Sizing.  Each class wants as many boxes, waiting or being made, as
 * arrive while one is made (its arrival rate × the fill time, both
 * averaged), one more, and at least its floor; all classes together
 * stay within --warm-max.  Boxes above a class's target are thrown away
 * once it has been idle for SBX_WARM_IDLE_MS, so a burst does not keep
 * its containers.  SBX_WARM_FILLERS threads make boxes, each with its
 * own Docker client, so that several creates are in flight at once.
 *
 * A box that waited too long to be useful is not a problem: it is only a
 * stopped init.  One that died (Docker restarted) is found when taken
 * (sbx_sandbox.c: no reader on the FIFO) and replaced; after a Docker
 * restart the monitor flushes the whole pool.
 *
 * Locking: sbx_warm.lock guards the set (pools, counters, averages) and
 * the stop flag; Docker calls are made without it.  The sbx_warm_set_t
 * functions take no lock: their callers hold it.
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


#define SBX_WARM_FILLERS    4           /* creates in flight at most */
#define SBX_WARM_FILL_MS    500.0       /* the fill time before measuring */
#define SBX_WARM_ALPHA      0.2         /* weight of a new sample */


static struct {
    pthread_mutex_t     lock;
    pthread_cond_t      cond;
    pthread_t           threads[SBX_WARM_FILLERS];
    int                 nthreads;
    int                 started;
    int                 stop;
    sbx_lang_t        **langs;          /* the warm languages */
    size_t              nlangs;
    sbx_warm_set_t      set;
} sbx_warm;


static void *sbx_warm_fill(void *data);
static int sbx_warm_parse(const char *spec);
static int sbx_warm_lang(sbx_lang_t *lang);


int
sbx_warm_start(void)
{
    int  i;

    if (sbx_conf.warm == NULL || sbx_conf.warm[0] == '\0') {
        return SBX_OK;
    }

    pthread_mutex_init(&sbx_warm.lock, NULL);
    sbx_cond_init(&sbx_warm.cond);

    sbx_warm.set.fill_ms = SBX_WARM_FILL_MS;

    if (sbx_warm_parse(sbx_conf.warm) != SBX_OK) {
        return SBX_ERROR;
    }

    sbx_warm.started = 1;

    for (i = 0; i < SBX_WARM_FILLERS; i++) {
        if (sbx_thread_start(&sbx_warm.threads[i], sbx_warm_fill, NULL,
                             "warm filler")
            != SBX_OK)
        {
            return SBX_ERROR;
        }

        sbx_warm.nthreads++;
    }

    return SBX_OK;
}


void
sbx_warm_stop(void)
{
    int  i;

    if (!sbx_warm.started) {
        return;
    }

    pthread_mutex_lock(&sbx_warm.lock);
    sbx_warm.stop = 1;
    pthread_cond_broadcast(&sbx_warm.cond);
    pthread_mutex_unlock(&sbx_warm.lock);

    for (i = 0; i < sbx_warm.nthreads; i++) {
        pthread_join(sbx_warm.threads[i], NULL);
    }

    sbx_warm_flush();

    free(sbx_warm.langs);
    pthread_cond_destroy(&sbx_warm.cond);
    pthread_mutex_destroy(&sbx_warm.lock);

    sbx_warm.started = 0;
}


sbx_box_t *
sbx_warm_take(const sbx_warm_class_t *c)
{
    sbx_box_t        *box;
    sbx_msec_t        now;
    sbx_warm_pool_t  *p;

    if (!sbx_warm.started || !sbx_warm_lang(c->lang)) {
        return NULL;
    }

    box = NULL;
    now = sbx_monotonic_msec();

    pthread_mutex_lock(&sbx_warm.lock);

    p = sbx_warm_find(&sbx_warm.set, c);

    if (p == NULL) {
        p = sbx_warm_learn(&sbx_warm.set, c);

        if (p != NULL) {
            sbx_log_info("warm: %s keeps containers of %lld KiB, %lld "
                         "pids as well", c->lang->id,
                         (long long) c->memory_kb, (long long) c->pids);
        }
    }

    if (p != NULL) {
        sbx_warm_arrive(p, now);

        if (p->n > 0) {
            box = p->boxes[--p->n];
        }

        /*
         * One filler: it wakes the next if there is more to make, so
         * that a take does not wake them all to fight for the cores
         * while this job starts.
         */

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
    sbx_box_t  *boxes[SBX_WARM_BOXES];
    int         n, k;

    if (!sbx_warm.started) {
        return;
    }

    for (i = 0; i < SBX_WARM_CLASSES; i++) {
        pthread_mutex_lock(&sbx_warm.lock);

        n = (i < sbx_warm.set.npools) ? sbx_warm.set.pools[i].n : 0;
        memcpy(boxes, sbx_warm.set.pools[i].boxes, n * sizeof(boxes[0]));
        sbx_warm.set.pools[i].n = 0;

        pthread_cond_broadcast(&sbx_warm.cond);
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

    for (i = 0; i < sbx_warm.set.npools; i++) {
        n += sbx_warm.set.pools[i].n;
    }

    pthread_mutex_unlock(&sbx_warm.lock);

    return n;
}


int
sbx_warm_class_eq(const sbx_warm_class_t *a, const sbx_warm_class_t *b)
{
    return a->lang == b->lang && a->memory_kb == b->memory_kb
           && a->pids == b->pids && a->room == b->room;
}


int
sbx_warm_target(int floor, int max, double gap_ms, sbx_msec_t idle_ms,
    double fill_ms)
{
    int     want;
    double  gap;

    want = floor;

    if (gap_ms > 0 && idle_ms < SBX_WARM_IDLE_MS) {
        gap = sbx_max(gap_ms, (double) idle_ms);
        want = sbx_max(want, (int) (fill_ms / gap) + 1);
    }

    return sbx_min(sbx_min(want, max), SBX_WARM_BOXES);
}


sbx_warm_pool_t *
sbx_warm_find(sbx_warm_set_t *set, const sbx_warm_class_t *c)
{
    size_t  i;

    for (i = 0; i < set->npools; i++) {
        if (sbx_warm_class_eq(&set->pools[i].key, c)) {
            return &set->pools[i];
        }
    }

    return NULL;
}


sbx_warm_pool_t *
sbx_warm_learn(sbx_warm_set_t *set, const sbx_warm_class_t *c)
{
    size_t            i;
    sbx_warm_pool_t  *p, *idle;

    idle = NULL;

    if (set->npools < SBX_WARM_CLASSES) {
        p = &set->pools[set->npools++];

    } else {
        /* the class idle the longest that has nothing waiting or coming */

        for (i = 0; i < set->npools; i++) {
            p = &set->pools[i];

            if (p->floor == 0 && p->n == 0 && p->inflight == 0
                && (idle == NULL || p->last < idle->last))
            {
                idle = p;
            }
        }

        if (idle == NULL) {
            return NULL;
        }

        p = idle;
    }

    memset(p, 0, sizeof(sbx_warm_pool_t));
    p->key = *c;

    return p;
}


void
sbx_warm_arrive(sbx_warm_pool_t *p, sbx_msec_t now)
{
    double  gap;

    /*
     * The first: as if the one before were long ago (one box wanted).
     * The first gap measured after that, or after an idle spell, is
     * taken as it is: a burst is met at its second arrival, not after
     * the average has crept down to it.
     */

    gap = p->last != 0 ? (double) sbx_max(now - p->last, 1)
                       : (double) SBX_WARM_IDLE_MS;

    p->gap_ms = (p->gap_ms > 0 && p->gap_ms < SBX_WARM_IDLE_MS)
                ? (1 - SBX_WARM_ALPHA) * p->gap_ms + SBX_WARM_ALPHA * gap
                : gap;
    p->last = now;
}


sbx_warm_pool_t *
sbx_warm_next(sbx_warm_set_t *set, sbx_msec_t now)
{
    int               total, want, deficit, best;
    size_t            i;
    sbx_warm_pool_t  *p, *next;

    total = 0;

    for (i = 0; i < set->npools; i++) {
        total += set->pools[i].n + set->pools[i].inflight;
    }

    if (total >= set->max) {
        return NULL;
    }

    next = NULL;
    best = 0;

    for (i = 0; i < set->npools; i++) {
        p = &set->pools[i];

        want = sbx_warm_target(p->floor, set->max, p->gap_ms,
                               p->last ? now - p->last : 0, set->fill_ms);
        deficit = want - p->n - p->inflight;

        if (deficit > best) {
            best = deficit;
            next = p;
        }
    }

    return next;
}


sbx_box_t *
sbx_warm_trim(sbx_warm_set_t *set, sbx_msec_t now)
{
    int               want;
    size_t            i;
    sbx_box_t        *box;
    sbx_warm_pool_t  *p;

    for (i = 0; i < set->npools; i++) {
        p = &set->pools[i];

        if (p->n == 0 || p->last == 0 || now - p->last < SBX_WARM_IDLE_MS) {
            continue;
        }

        want = sbx_warm_target(p->floor, set->max, p->gap_ms, now - p->last,
                               set->fill_ms);

        if (p->n + p->inflight > want) {
            /* the oldest waiting box: the first */

            box = p->boxes[0];
            p->n--;
            memmove(p->boxes, p->boxes + 1, p->n * sizeof(p->boxes[0]));

            return box;
        }
    }

    return NULL;
}


/*
 * A filler: makes a box for the class furthest below its target, gives
 * back what a class idle after a burst no longer wants, and otherwise
 * sleeps until a box is taken; after a failure (Docker away) it waits a
 * second.
 */

static void *
sbx_warm_fill(void *data)
{
    int               failed, quiet;
    char              err[256];
    sbx_box_t        *box;
    sbx_msec_t        t, now;
    sbx_docker_t     *d;
    sbx_warm_pool_t  *p;
    struct timespec   ts;
    sbx_warm_class_t  c;

    sbx_log_set_thread("warm");

    d = sbx_docker_create(sbx_conf.docker_socket);
    quiet = 0;

    pthread_mutex_lock(&sbx_warm.lock);

    while (!sbx_warm.stop) {
        failed = 0;
        now = sbx_monotonic_msec();

        box = sbx_warm_trim(&sbx_warm.set, now);

        if (box != NULL) {
            pthread_mutex_unlock(&sbx_warm.lock);
            sbx_box_release(box);
            pthread_mutex_lock(&sbx_warm.lock);
            continue;
        }

        p = (d != NULL) ? sbx_warm_next(&sbx_warm.set, now) : NULL;

        if (p != NULL) {
            c = p->key;
            p->inflight++;

            if (sbx_warm_next(&sbx_warm.set, now) != NULL) {
                pthread_cond_signal(&sbx_warm.cond);
            }

            pthread_mutex_unlock(&sbx_warm.lock);

            t = sbx_monotonic_msec();
            box = sbx_box_make(d, c.lang, c.memory_kb, c.pids, c.room,
                               err, sizeof(err));
            t = sbx_monotonic_msec() - t;

            pthread_mutex_lock(&sbx_warm.lock);

            /* the class may have been given to another meanwhile */

            p = sbx_warm_find(&sbx_warm.set, &c);

            if (p != NULL) {
                p->inflight--;
            }

            if (box == NULL) {
                failed = 1;

                if (!quiet) {
                    sbx_log_error("warm %s: %s", c.lang->id, err);
                    quiet = 1;
                }

            } else if (sbx_warm.stop || p == NULL
                       || p->n == SBX_WARM_BOXES)
            {
                pthread_mutex_unlock(&sbx_warm.lock);
                sbx_box_release(box);
                pthread_mutex_lock(&sbx_warm.lock);

            } else {
                p->boxes[p->n++] = box;
                quiet = 0;

                sbx_warm.set.fill_ms = (1 - SBX_WARM_ALPHA)
                                       * sbx_warm.set.fill_ms
                                       + SBX_WARM_ALPHA * (double) t;
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
    int               n, sum;
    char             *copy, *tok, *save, *colon, *end;
    sbx_lang_t       *lang;
    sbx_warm_pool_t  *p;
    sbx_warm_class_t  c;

    copy = strdup(spec);
    if (copy == NULL) {
        return SBX_ERROR;
    }

    sbx_warm.langs = calloc(sbx_lang_count(), sizeof(sbx_lang_t *));
    if (sbx_warm.langs == NULL) {
        free(copy);
        return SBX_ERROR;
    }

    sum = 0;

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

        if (lang == NULL || n < 0 || n > SBX_WARM_BOXES
            || sbx_warm_lang(lang))
        {
            sbx_log_error("warm: \"%s\": use language:count, a known "
                          "language once, count 0 to %d", tok,
                          SBX_WARM_BOXES);
            free(copy);
            return SBX_ERROR;
        }

        sbx_warm.langs[sbx_warm.nlangs++] = lang;

        sbx_sandbox_default_class(lang, &c);

        p = sbx_warm_learn(&sbx_warm.set, &c);

        if (p == NULL) {
            sbx_log_error("warm: more than %d languages", SBX_WARM_CLASSES);
            free(copy);
            return SBX_ERROR;
        }

        p->floor = n;
        sum += n;

        sbx_log_info("warm: %d %s container(s)", n, lang->id);
    }

    free(copy);

    sbx_warm.set.max = sbx_conf.warm_max ? sbx_conf.warm_max
                                         : sbx_min(4 * sum, 64);

    if (sbx_warm.set.max < sum) {
        sbx_log_error("warm-max %d: the --warm counts alone are %d",
                      sbx_warm.set.max, sum);
        return SBX_ERROR;
    }

    return SBX_OK;
}


static int
sbx_warm_lang(sbx_lang_t *lang)
{
    size_t  i;

    for (i = 0; i < sbx_warm.nlangs; i++) {
        if (sbx_warm.langs[i] == lang) {
            return 1;
        }
    }

    return 0;
}
