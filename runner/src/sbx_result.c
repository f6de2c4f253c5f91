
/*
 * From sandbox-init's result to the API's.
 *
 * init reports facts per step (exit code, signal, meters, its verdict);
 * this file decides the submission's status, turns program output into
 * JSON strings (output is bytes: what is not UTF-8 is shown with U+FFFD
 * and also given exactly in base64), explains the status in a message,
 * and parses compiler output into diagnostics with the language's PCRE2
 * pattern.  A test double's results say so ("test_double": true).
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_result.h"


#define SBX_RESULT_MAX_DIAGNOSTICS  100


static json_t *sbx_result_step(json_t *step, sbx_job_t *job, int compile);
static void sbx_result_memory_error(sbx_lang_t *lang, json_t *test);
static int sbx_result_memory_match(sbx_lang_t *lang,
    const unsigned char *text, size_t len);
static void sbx_result_output(json_t *dst, json_t *src, const char *key,
    sbx_buf_t *raw);
static void sbx_result_lossy(sbx_buf_t *dst, const unsigned char *p,
    size_t len);
static size_t sbx_result_utf8_len(const unsigned char *p, size_t len);
static const char *sbx_result_message(json_t *step, sbx_job_t *job,
    int compile, char *buf, size_t size);
static int sbx_result_test_status(const char *status);
static int sbx_result_is(const char *status, sbx_status_e s);


char *
sbx_result_build(sbx_job_t *job, json_t *init, const char *error,
    sbx_status_e *status, size_t *len)
{
    char         ts[3][32], msg[256], *s;
    size_t       i;
    json_t      *res, *compile, *tests, *t, *decider, *v, *ctests;
    int64_t      max_time, max_mem;
    const char  *st, *cst, *tst, *message;

    sbx_rfc3339(ts[0], sizeof(ts[0]), job->created);
    sbx_rfc3339(ts[1], sizeof(ts[1]), job->started ? job->started
                                                   : job->created);
    sbx_rfc3339(ts[2], sizeof(ts[2]), sbx_realtime_msec());

    res = json_pack("{s:s, s:s, s:o, s:{s:s, s:s, s:s}}",
                    "id", job->id,
                    "status", "internal_error",
                    "language", job->lang
                                ? json_pack("{s:s, s:s}",
                                            "id", job->lang->id,
                                            "version", job->lang->version)
                                : json_null(),
                    "timestamps", "created_at", ts[0], "started_at", ts[1],
                    "finished_at", ts[2]);
    if (res == NULL) {
        return NULL;
    }

    /* no one may take a test double's answer for a real run */

    if (sbx_conf.test_double) {
        json_object_set_new(res, "test_double", json_true());
    }

    /* the limits the run had: requested, or defaults clamped to maxima */

    if (job->lang != NULL) {
        json_object_set_new(res, "limits", sbx_limits_json(&job->run));
    }

    st = "internal_error";
    message = error;

    if (init != NULL) {
        v = json_object_get(init, "error");

        if (json_is_string(v)) {
            message = json_string_value(v);
            init = NULL;
        }
    }

    if (init == NULL) {
        json_object_set_new(res, "message",
                            json_string(message ? message : "unknown"));

        /* the worker drops a cancelled job's report (sbx_pool.c) */

        if (sbx_job_cancelled(job) != NULL) {
            st = sbx_status_names[SBX_STATUS_CANCELLED];
        }

        goto decided;
    }

    compile = json_object_get(init, "compile");
    tests = json_object_get(init, "tests");

    if (json_is_object(compile)) {
        v = sbx_result_step(compile, job, 1);
        json_object_set_new(res, "compile", v);

        cst = json_string_value(json_object_get(compile, "status"));

        if (cst == NULL || strcmp(cst, "ok") != 0) {
            st = (cst != NULL && sbx_result_is(cst, SBX_STATUS_INTERNAL_ERROR))
                 ? "internal_error" : "compilation_error";

            json_object_set_new(res, "message",
                                json_string(sbx_result_message(compile, job,
                                                               1, msg,
                                                               sizeof(msg))));
            json_object_set_new(res, "tests", json_array());
            goto decided;
        }

    } else {
        json_object_set_new(res, "compile", json_null());
    }

    if (!json_is_array(tests) || json_array_size(tests) == 0) {
        json_object_set_new(res, "message",
                            json_string("sandbox-init reported no tests"));
        goto decided;
    }

    ctests = json_array();
    decider = NULL;
    max_time = 0;
    max_mem = 0;

    json_array_foreach(tests, i, t) {
        sbx_result_memory_error(job->lang, t);
        json_array_append_new(ctests, sbx_result_step(t, job, 0));

        /* init's copy of the outputs is of no use any more */

        json_object_del(t, "stdout");
        json_object_del(t, "stderr");

        tst = json_string_value(json_object_get(t, "status"));

        if (tst == NULL || sbx_result_is(tst, SBX_STATUS_SKIPPED)) {
            continue;
        }

        max_time = sbx_max(max_time,
                      json_integer_value(json_object_get(t, "time_ms")));
        max_mem = sbx_max(max_mem,
                      json_integer_value(json_object_get(t, "memory_kb")));

        if (decider == NULL && !sbx_result_is(tst, SBX_STATUS_ACCEPTED)) {
            decider = t;
        }
    }

    if (decider == NULL) {
        decider = json_array_get(tests, json_array_size(tests) - 1);
    }

    st = json_string_value(json_object_get(decider, "status"));

    if (st == NULL || !sbx_result_test_status(st)
        || sbx_result_is(st, SBX_STATUS_SKIPPED))
    {
        st = "internal_error";
    }

    /* the deciding test is the one the top level shows */

    v = NULL;

    json_array_foreach(tests, i, t) {
        if (t == decider) {
            v = json_array_get(ctests, i);
        }
    }

    json_object_update_missing(res, v);
    json_object_set_new(res, "time_ms", json_integer(max_time));
    json_object_set_new(res, "memory_kb", json_integer(max_mem));
    json_object_del(res, "expected_output");
    json_object_set_new(res, "tests", ctests);

    if (!sbx_result_is(st, SBX_STATUS_ACCEPTED)) {
        json_object_set_new(res, "message",
                            json_string(sbx_result_message(decider, job, 0,
                                                           msg,
                                                           sizeof(msg))));
    }

decided:

    json_object_set_new(res, "status", json_string(st));

    s = json_dumps(res, JSON_COMPACT);
    json_decref(res);

    if (s == NULL) {
        return NULL;
    }

    *len = strlen(s);

    if (*len > SBX_RESULT_MAX) {
        free(s);

        snprintf(msg, sizeof(msg), "the result (%zu bytes) is larger than "
                 "the %d bytes a result may take", *len, SBX_RESULT_MAX);

        return sbx_result_build(job, NULL, msg, status, len);
    }

    *status = sbx_result_status(st);

    return s;
}


/* A final status by name; what is not one is an internal_error. */

sbx_status_e
sbx_result_status(const char *status)
{
    int  i;

    i = sbx_vocab_find(sbx_status_names, status, strlen(status));

    return (i >= SBX_STATUS_FIRST_FINAL) ? (sbx_status_e) i
                                         : SBX_STATUS_INTERNAL_ERROR;
}


static json_t *
sbx_result_step(json_t *step, sbx_job_t *job, int compile)
{
    json_t     *o, *v, *tr;
    sbx_buf_t   raw;

    memset(&raw, 0, sizeof(sbx_buf_t));

    v = json_object_get(step, "status");

    o = json_pack("{s:s, s:O, s:O, s:I, s:I, s:I}",
                  "status", json_is_string(v) ? json_string_value(v)
                                              : "internal_error",
                  "exit_code", json_object_get(step, "exit_code")
                               ? json_object_get(step, "exit_code")
                               : json_null(),
                  "signal", json_object_get(step, "signal")
                            ? json_object_get(step, "signal") : json_null(),
                  "time_ms", json_integer_value(json_object_get(step,
                                                               "time_ms")),
                  "wall_time_ms",
                  json_integer_value(json_object_get(step, "wall_time_ms")),
                  "memory_kb",
                  json_integer_value(json_object_get(step, "memory_kb")));
    if (o == NULL) {
        return json_null();
    }

    if (json_object_get(step, "limit") != NULL) {
        json_object_set(o, "limit", json_object_get(step, "limit"));
    }

    if (json_is_string(json_object_get(step, "message"))) {
        json_object_set(o, "message", json_object_get(step, "message"));
    }

    sbx_result_output(o, step, "stdout", &raw);
    sbx_result_output(o, step, "stderr", &raw);

    tr = json_object_get(step, "truncated");

    json_object_set_new(o, "truncated",
                        json_pack("{s:b, s:b}",
                          "stdout",
                          json_is_true(json_object_get(tr, "stdout")),
                          "stderr",
                          json_is_true(json_object_get(tr, "stderr"))));

    if (compile) {
        json_object_set_new(o, "diagnostics",
                            sbx_result_diagnostics(job->lang, raw.data,
                                                   raw.len));
    }

    sbx_buf_free(&raw);

    return o;
}


/*
 * Runtimes with a heap of their own (the JVM) fail with an exception of
 * their own when it is full, before the cgroup notices: a runtime error
 * whose stderr matches the language's memory_error pattern is a memory
 * limit exceeded.
 */

static void
sbx_result_memory_error(sbx_lang_t *lang, json_t *test)
{
    json_t          *err;
    ssize_t          n;
    sbx_buf_t        text;
    const char      *st;
    unsigned char   *raw;

    st = json_string_value(json_object_get(test, "status"));
    err = json_object_get(test, "stderr");

    if (lang->memory_error == NULL
        || !sbx_result_is(st, SBX_STATUS_RUNTIME_ERROR)
        || json_string_length(err) == 0)
    {
        return;
    }

    raw = malloc(sbx_base64_decoded_len(json_string_length(err)));
    if (raw == NULL) {
        return;
    }

    n = sbx_base64_decode(raw, json_string_value(err),
                          json_string_length(err));

    memset(&text, 0, sizeof(sbx_buf_t));

    if (n > 0) {
        sbx_result_lossy(&text, raw, n);
    }

    free(raw);

    if (sbx_result_memory_match(lang, (unsigned char *) text.data,
                                text.len))
    {
        json_object_set_new(test, "status",
            json_string(sbx_status_names[SBX_STATUS_MEMORY_LIMIT]));
    }

    sbx_buf_free(&text);
}


/* Whether stderr text (UTF-8) says the runtime's own heap was full. */

static int
sbx_result_memory_match(sbx_lang_t *lang, const unsigned char *text,
    size_t len)
{
    int                 rc;
    pcre2_match_data   *md;

    if (lang->memory_error == NULL || len == 0) {
        return 0;
    }

    md = pcre2_match_data_create_from_pattern(lang->memory_error, NULL);

    if (md == NULL) {
        return 0;
    }

    rc = pcre2_match(lang->memory_error, (PCRE2_SPTR) text, len, 0, 0, md,
                     NULL);

    pcre2_match_data_free(md);

    return rc >= 0;
}


/*
 * Puts output stream key of src into dst as a string; also appends its
 * bytes to raw (the compiler's whole output, for diagnostics).
 */

static void
sbx_result_output(json_t *dst, json_t *src, const char *key, sbx_buf_t *raw)
{
    char            name[32];
    size_t          start;
    ssize_t         n;
    json_t         *v, *s;
    sbx_buf_t       lossy;
    const char     *b64;

    v = json_object_get(src, key);
    b64 = json_string_value(v);

    if (b64 == NULL || json_string_length(v) == 0) {
        json_object_set_new(dst, key, json_string(""));
        return;
    }

    start = raw->len;

    if (sbx_buf_reserve(raw, sbx_base64_decoded_len(json_string_length(v)))
        != SBX_OK)
    {
        json_object_set_new(dst, key, json_string(""));
        return;
    }

    n = sbx_base64_decode((unsigned char *) raw->data + start, b64,
                          json_string_length(v));

    if (n < 0) {
        json_object_set_new(dst, key, json_string(""));
        return;
    }

    raw->len += n;
    raw->data[raw->len] = '\0';

    /*
     * jansson takes a NUL in a string and dumps it as \u0000, which most
     * JSON readers (jansson itself by default) refuse: NUL goes the
     * lossy way too
     */

    s = (memchr(raw->data + start, '\0', n) == NULL)
        ? json_stringn(raw->data + start, n) : NULL;

    if (s != NULL) {
        json_object_set_new(dst, key, s);
        return;
    }

    /* not UTF-8 (or has NUL): show it readable, give it exact */

    memset(&lossy, 0, sizeof(sbx_buf_t));
    sbx_result_lossy(&lossy, (unsigned char *) raw->data + start, n);

    json_object_set_new(dst, key, json_stringn(lossy.data, lossy.len));
    sbx_buf_free(&lossy);

    snprintf(name, sizeof(name), "%s_base64", key);
    json_object_set(dst, name, v);
}


json_t *
sbx_result_diagnostics(sbx_lang_t *lang, const char *raw, size_t len)
{
    int                 rc;
    char               *end;
    size_t              off, n;
    json_t             *list, *d, *v;
    sbx_buf_t           text;
    PCRE2_SIZE         *ov;
    pcre2_match_data   *md;
    static const char  *groups[] = { "file", "line", "column", "severity",
                                     "message", NULL };
    const char        **g;
    PCRE2_UCHAR        *sub;
    PCRE2_SIZE          sublen;

    list = json_array();

    if (lang->diagnostics == NULL || len == 0) {
        return list;
    }

    memset(&text, 0, sizeof(sbx_buf_t));
    sbx_result_lossy(&text, (const unsigned char *) raw, len);

    md = pcre2_match_data_create_from_pattern(lang->diagnostics, NULL);
    if (md == NULL) {
        sbx_buf_free(&text);
        return list;
    }

    off = 0;

    while (off <= text.len
           && json_array_size(list) < SBX_RESULT_MAX_DIAGNOSTICS)
    {
        rc = pcre2_match(lang->diagnostics, (PCRE2_SPTR) text.data, text.len,
                         off, 0, md, NULL);
        if (rc < 0) {
            break;
        }

        d = json_object();

        for (g = groups; *g; g++) {
            if (pcre2_substring_get_byname(md, (PCRE2_SPTR) *g, &sub,
                                           &sublen) != 0)
            {
                continue;
            }

            if (strcmp(*g, "line") == 0 || strcmp(*g, "column") == 0) {
                v = json_integer(strtol((char *) sub, &end, 10));

            } else {
                v = json_stringn((char *) sub, sublen);
            }

            pcre2_substring_free(sub);

            if (v != NULL && sublen > 0) {
                json_object_set_new(d, *g, v);

            } else {
                json_decref(v);
            }
        }

        if (json_object_get(d, "severity") == NULL) {
            json_object_set_new(d, "severity", json_string("error"));
        }

        if (json_object_get(d, "column") == NULL) {
            json_object_set_new(d, "column", json_null());
        }

        if (json_object_get(d, "message") != NULL) {
            json_array_append_new(list, d);

        } else {
            json_decref(d);
        }

        ov = pcre2_get_ovector_pointer(md);
        n = ov[1];

        off = (n > off) ? n : off + 1;
    }

    pcre2_match_data_free(md);
    sbx_buf_free(&text);

    return list;
}


/*
 * A piece of output as a JSON string for a live event: UTF-8 as it is,
 * anything else (and NUL) shown with U+FFFD, like the result's text.
 */

json_t *
sbx_result_text(const unsigned char *p, size_t len)
{
    json_t     *s;
    sbx_buf_t   lossy;

    if (memchr(p, '\0', len) == NULL) {
        s = json_stringn((const char *) p, len);

        if (s != NULL) {
            return s;
        }
    }

    memset(&lossy, 0, sizeof(sbx_buf_t));
    sbx_result_lossy(&lossy, p, len);

    s = json_stringn(lossy.data ? lossy.data : "", lossy.len);
    sbx_buf_free(&lossy);

    return s;
}


/*
 * The length of the start of p[0..len) that holds whole UTF-8 sequences
 * only: a sequence cut at the end of a piece waits for the next piece.
 */

size_t
sbx_result_utf8_whole(const unsigned char *p, size_t len)
{
    size_t  i, need;

    for (i = len; i > 0 && len - i < 4; i--) {
        if ((p[i - 1] & 0xc0) == 0x80) {
            continue;
        }

        need = (p[i - 1] & 0xe0) == 0xc0 ? 2
               : (p[i - 1] & 0xf0) == 0xe0 ? 3
               : (p[i - 1] & 0xf8) == 0xf0 ? 4 : 1;

        return (len - (i - 1) < need) ? i - 1 : len;
    }

    return len;
}


/*
 * A test's verdict from init's TEST frame, as the result shows a test:
 * err is the start of the test's stderr as it was streamed, for the same
 * memory_error remap as the result's (sbx_result_memory_error()).
 */

json_t *
sbx_result_live_test(json_t *step, sbx_job_t *job, const unsigned char *err,
    size_t err_len)
{
    json_t        *o;
    sbx_buf_t      text;
    const char    *st;
    sbx_status_e   status;

    o = sbx_result_step(step, job, 0);

    if (!json_is_object(o)) {
        return NULL;
    }

    st = json_string_value(json_object_get(o, "status"));
    status = sbx_result_status(st ? st : "");

    if (status == SBX_STATUS_RUNTIME_ERROR && job->lang->memory_error != NULL
        && err_len > 0)
    {
        memset(&text, 0, sizeof(sbx_buf_t));
        sbx_result_lossy(&text, err, err_len);

        if (sbx_result_memory_match(job->lang, (unsigned char *) text.data,
                                    text.len))
        {
            status = SBX_STATUS_MEMORY_LIMIT;
        }

        sbx_buf_free(&text);
    }

    json_object_set_new(o, "status", json_string(sbx_status_names[status]));
    json_object_del(o, "stdout");
    json_object_del(o, "stderr");

    return o;
}


/* Copies p to dst as UTF-8, each invalid byte (and NUL) as U+FFFD. */

static void
sbx_result_lossy(sbx_buf_t *dst, const unsigned char *p, size_t len)
{
    size_t  n;

    while (len > 0) {
        n = sbx_result_utf8_len(p, len);

        if (n == 0) {
            (void) sbx_buf_append(dst, "\xef\xbf\xbd", 3);
            p++;
            len--;
            continue;
        }

        (void) sbx_buf_append(dst, p, n);
        p += n;
        len -= n;
    }

    if (dst->data == NULL) {
        (void) sbx_buf_append(dst, "", 0);
    }
}


/* The length of the valid UTF-8 sequence at p (RFC 3629), or 0. */

static size_t
sbx_result_utf8_len(const unsigned char *p, size_t len)
{
    size_t    n, i;
    uint32_t  c, min;

    if (p[0] >= 0x01 && p[0] < 0x80) {
        return 1;
    }

    if ((p[0] & 0xe0) == 0xc0) {
        n = 2; c = p[0] & 0x1f; min = 0x80;

    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3; c = p[0] & 0x0f; min = 0x800;

    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4; c = p[0] & 0x07; min = 0x10000;

    } else {
        return 0;                         /* NUL, continuation, 0xf8+ */
    }

    if (n > len) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    return n;
}


static const char *
sbx_result_message(json_t *step, sbx_job_t *job, int compile, char *buf,
    size_t size)
{
    json_t         *v;
    const char     *st, *sig, *limit, *what;
    sbx_limits_t   *l;

    st = json_string_value(json_object_get(step, "status"));
    l = compile ? &job->compile : &job->run;
    what = compile ? "compiler" : "program";

    if (st == NULL) {
        return "sandbox-init gave no status";
    }

    if (sbx_result_is(st, SBX_STATUS_TIME_LIMIT)) {
        limit = json_string_value(json_object_get(step, "limit"));

        if (limit != NULL && strcmp(limit, "wall") == 0) {
            snprintf(buf, size, "the %s ran longer than the wall time "
                     "limit of %lld ms", what,
                     (long long) l->v[SBX_LIMIT_WALL]);

        } else {
            snprintf(buf, size, "the %s used more than the CPU time limit "
                     "of %lld ms", what, (long long) l->v[SBX_LIMIT_CPU]);
        }

    } else if (sbx_result_is(st, SBX_STATUS_MEMORY_LIMIT)) {
        snprintf(buf, size, "the %s used more than the memory limit of "
                 "%lld KiB", what, (long long) l->v[SBX_LIMIT_MEMORY]);

    } else if (sbx_result_is(st, SBX_STATUS_OUTPUT_LIMIT)) {
        limit = json_string_value(json_object_get(step, "limit"));

        if (limit != NULL && strcmp(limit, "job_output") == 0) {
            snprintf(buf, size, "the job's output (every test, both "
                     "streams) went over its budget of %zu KiB; the tests "
                     "after this one were not run",
                     job->output_budget / 1024);

        } else {
            snprintf(buf, size, "the %s wrote more than %lld KiB to stdout "
                     "or stderr", what, (long long) l->v[SBX_LIMIT_OUTPUT]);
        }

    } else if (sbx_result_is(st, SBX_STATUS_RUNTIME_ERROR)
               || sbx_result_is(st, SBX_STATUS_COMPILATION_ERROR))
    {
        sig = json_string_value(json_object_get(step, "signal"));
        v = json_object_get(step, "exit_code");

        if (sig != NULL) {
            snprintf(buf, size, "the %s was killed by %s", what, sig);

        } else {
            snprintf(buf, size, "the %s exited with code %lld", what,
                     (long long) json_integer_value(v));
        }

    } else if (sbx_result_is(st, SBX_STATUS_WRONG_ANSWER)) {
        snprintf(buf, size, "the output differs from the expected output");

    } else {
        v = json_object_get(step, "message");
        snprintf(buf, size, "%s", json_is_string(v) ? json_string_value(v)
                                                    : st);
    }

    return buf;
}


/* Whether init may give a test this status (not a job's state). */

static int
sbx_result_test_status(const char *status)
{
    int  i;

    i = sbx_vocab_find(sbx_status_names, status, strlen(status));

    return i >= SBX_STATUS_FIRST_FINAL && i != SBX_STATUS_COMPILATION_ERROR
           && i != SBX_STATUS_CANCELLED;
}


/* Whether init's status text names s (common/sbx_vocab.h). */

static int
sbx_result_is(const char *status, sbx_status_e s)
{
    return status != NULL && strcmp(status, sbx_status_names[s]) == 0;
}
