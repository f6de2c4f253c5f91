
/*
 * Small things every part of the runner uses: a growable buffer, clocks,
 * RFC 3339 timestamps, ids and the JSON error object.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "sbx.h"
#include "sbx_log.h"


int
sbx_buf_reserve(sbx_buf_t *b, size_t more)
{
    char    *p;
    size_t   size;

    if (b->size - b->len >= more + 1) {
        return SBX_OK;
    }

    size = b->size ? b->size : 256;

    while (size - b->len < more + 1) {
        size *= 2;
    }

    p = realloc(b->data, size);
    if (p == NULL) {
        return SBX_ERROR;
    }

    b->data = p;
    b->size = size;

    return SBX_OK;
}


int
sbx_buf_append(sbx_buf_t *b, const void *data, size_t len)
{
    if (sbx_buf_reserve(b, len) != SBX_OK) {
        return SBX_ERROR;
    }

    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';

    return SBX_OK;
}


void
sbx_buf_free(sbx_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->size = 0;
}


sbx_msec_t
sbx_monotonic_msec(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (sbx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


uint64_t
sbx_monotonic_nsec(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}


sbx_msec_t
sbx_realtime_msec(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_REALTIME, &ts);

    return (sbx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


void
sbx_rfc3339(char *buf, size_t size, sbx_msec_t ms)
{
    time_t     sec;
    struct tm  tm;

    sec = (time_t) (ms / 1000);
    gmtime_r(&sec, &tm);

    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (ms % 1000));
}


void
sbx_uuid(char *buf)
{
    /* ids must not be guessable: they are the only key to a result */

    if (sbx_id_mint(buf, NULL) != 0) {
        abort();
    }
}


int
sbx_valid_id(const char *s, size_t len)
{
    return sbx_id_valid(s, len);
}


json_t *
sbx_error_json(const sbx_error_t *err)
{
    char  ts[32];

    sbx_rfc3339(ts, sizeof(ts), sbx_realtime_msec());

    return sbx_error_object(err, ts);
}


json_t *
sbx_limits_json(const sbx_limits_t *limits)
{
    int      i;
    json_t  *o;

    o = json_object();

    for (i = 0; i < SBX_LIMIT_N; i++) {
        json_object_set_new(o, sbx_limit_names[i],
                            json_integer(limits->v[i]));
    }

    return o;
}


/*
 * Starts a thread of the runner (sbx.h lists them); on failure logs
 * which one could not start.
 */

int
sbx_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
    const char *name)
{
    int  rc;

    rc = pthread_create(thread, NULL, fn, arg);

    if (rc != 0) {
        sbx_log_error("starting the %s thread: %s", name, strerror(rc));
        return SBX_ERROR;
    }

    return SBX_OK;
}


/* A condition variable whose timed waits run on the monotonic clock. */

void
sbx_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t  attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}


/*
 * jansson's error as "path:line:column: text", or "path: text" when it
 * has no position (the file could not be opened or read).
 */

void
sbx_json_error(char *buf, size_t size, const char *path,
    const json_error_t *e)
{
    if (e->line > 0) {
        snprintf(buf, size, "%s:%d:%d: %s", path, e->line, e->column,
                 e->text);

    } else {
        snprintf(buf, size, "%s: %s", path, e->text);
    }
}
