
/*
 * The test double: sandbox-runner --test-double.
 *
 * Sites test their nginx configuration (tiers, auth, rate limits, logs)
 * without Docker: the double is the runner itself, with everything that
 * reads SBX/1, checks a submission, resolves limits and budgets, queues,
 * stores and answers unchanged, and only the step that would run a job
 * in a container swapped for this file.  sbx_double_run() makes the
 * report sandbox-init would have made, so sbx_result.c turns it into the
 * API's result as it does for real runs, and sbx_double_admit() lets a
 * submission provoke the failures a client can meet (a runner error, a
 * full queue, a reply that takes too long, a closed connection).
 *
 * What a submission gets is decided by the submission alone: by default
 * each test's stdin comes back as its stdout and the job's checker judges
 * it against the expected output; a directive on the main file's first
 * line (docs/testing.md has the grammar) chooses the verdict, exit code,
 * signal, outputs, meters, a delay or a failure.  The tokens are matched
 * with PCRE2 and quoted values are JSON strings, decoded by jansson.
 *
 * Locking: the two patterns are compiled once (pthread_once) and only
 * read afterwards; a pattern's match data is each call's own.
 * sbx_double.stopping is an atomic flag the event thread sets and
 * delayed workers read.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_check.h"
#include "sbx_conn.h"
#include "sbx_double.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"


/* key=value, the value bare (no space, no quote first) or a JSON string */
#define SBX_DOUBLE_TOKEN                                                    \
    "[ \\t]*([a-z_]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s\"]\\S*)"

/* the end of the line, after an optional C comment's closing */
#define SBX_DOUBLE_END   "[ \\t]*(?:\\*/[ \\t]*)?\\r?$"

#define SBX_DOUBLE_TICK  20                /* ms, a delay's slice */


static struct {
    pthread_once_t      once;
    pcre2_code         *token;
    pcre2_code         *end;
    int                 stopping;
} sbx_double = { PTHREAD_ONCE_INIT, NULL, NULL, 0 };


static const char  *sbx_double_fails[] = {
    "", "runner_error", "queue_full", "slow_reply", "close", NULL
};

static const char  *sbx_double_limits[] = {
    "cpu", "wall", "job_output", NULL
};


static void sbx_double_compile(void);
static int sbx_double_pair(sbx_double_t *d, const char *key, size_t klen,
    const char *val, size_t vlen, char *err, size_t size);
static int sbx_double_text(const char *val, size_t vlen, char **out,
    size_t *out_len);
static int sbx_double_number(const char *val, size_t vlen, int64_t max,
    int64_t *n);
static int sbx_double_directive(sbx_job_t *job, sbx_double_t *d, char *err,
    size_t size);
static json_t *sbx_double_step(const char *status, json_t *exit_code,
    const char *sig, const char *out, size_t out_len, const char *errout,
    size_t err_len, const sbx_double_t *d);
static json_t *sbx_double_tests(sbx_job_t *job, const sbx_double_t *d);
static int sbx_double_judge(sbx_check_t *chk, int ready, json_t *test,
    const char *out, size_t out_len, char *msg, size_t size);
static json_t *sbx_double_b64(const char *p, size_t len);
static char *sbx_double_decode(json_t *v, size_t max, size_t *len);
static void sbx_double_sleep(int64_t ms);


int
sbx_double_parse(const char *text, size_t len, sbx_double_t *d, char *err,
    size_t size)
{
    int                 rc;
    size_t              off, llen;
    PCRE2_SIZE         *ov;
    const char         *line, *nl, *at;
    pcre2_match_data   *md;

    memset(d, 0, sizeof(sbx_double_t));
    d->verdict = -1;
    d->exit_code = -1;
    d->time_ms = -1;
    d->memory_kb = -1;
    d->delay_ms = -1;

    line = text;
    nl = memchr(text, '\n', len);
    llen = nl ? (size_t) (nl - text) : len;

    /* an interpreter line first: the directive is on the second */

    if (len >= 2 && text[0] == '#' && text[1] == '!' && nl != NULL) {
        line = nl + 1;
        nl = memchr(line, '\n', len - (line - text));
        llen = nl ? (size_t) (nl - line) : len - (line - text);
    }

    at = memmem(line, llen, SBX_DOUBLE_MARKER, sizeof(SBX_DOUBLE_MARKER) - 1);

    if (at == NULL) {
        return SBX_OK;
    }

    pthread_once(&sbx_double.once, sbx_double_compile);

    if (sbx_double.token == NULL || sbx_double.end == NULL) {
        snprintf(err, size, "sandbox-double: no patterns");
        return SBX_ERROR;
    }

    off = (at - line) + sizeof(SBX_DOUBLE_MARKER) - 1;

    md = pcre2_match_data_create(3, NULL);
    if (md == NULL) {
        snprintf(err, size, "sandbox-double: out of memory");
        return SBX_ERROR;
    }

    rc = SBX_OK;

    for ( ;; ) {
        if (pcre2_match(sbx_double.end, (PCRE2_SPTR) line, llen, off,
                        PCRE2_ANCHORED, md, NULL)
            >= 0)
        {
            break;
        }

        if (pcre2_match(sbx_double.token, (PCRE2_SPTR) line, llen, off,
                        PCRE2_ANCHORED, md, NULL)
            < 0)
        {
            /* the line is not NUL-terminated: the part shown stays in it */

            while (off < llen && (line[off] == ' ' || line[off] == '\t')) {
                off++;
            }

            snprintf(err, size, "sandbox-double: expected key=value at "
                     "\"%.*s\"", (int) sbx_min(llen - off, 24), line + off);
            rc = SBX_ERROR;
            break;
        }

        ov = pcre2_get_ovector_pointer(md);

        if (sbx_double_pair(d, line + ov[2], ov[3] - ov[2], line + ov[4],
                            ov[5] - ov[4], err, size)
            != SBX_OK)
        {
            rc = SBX_ERROR;
            break;
        }

        off = ov[1];
    }

    pcre2_match_data_free(md);

    return rc;
}


void
sbx_double_free(sbx_double_t *d)
{
    free(d->out);
    free(d->err);
    d->out = NULL;
    d->err = NULL;
}


int
sbx_double_admit(sbx_conn_t *c, sbx_job_t *job, int *wait, int *busy)
{
    char          err[256];
    sbx_error_t   e;
    sbx_double_t  d;

    /* a directive that does not parse ends the job, saying why */

    if (sbx_double_directive(job, &d, err, sizeof(err)) != SBX_OK) {
        return SBX_OK;
    }

    sbx_double_free(&d);

    switch (d.fail) {

    case SBX_DOUBLE_FAIL_RUNNER_ERROR:
        sbx_log_info("job %s: sandbox-double: fail=runner_error", job->id);
        sbx_error_set(&e, 500, "internal_error", "",
                      "sandbox-double: fail=runner_error");
        sbx_conn_reply_error(c, &e);
        return SBX_DECLINED;

    case SBX_DOUBLE_FAIL_CLOSE:
        sbx_log_info("job %s: sandbox-double: fail=close", job->id);
        sbx_conn_drop(c);
        return SBX_DECLINED;

    case SBX_DOUBLE_FAIL_QUEUE_FULL:
        *busy = 1;
        break;

    case SBX_DOUBLE_FAIL_SLOW_REPLY:
        *wait = 1;
        break;

    default:
        break;
    }

    return SBX_OK;
}


json_t *
sbx_double_run(sbx_job_t *job, char *err, size_t size)
{
    int            failed;
    json_t        *init, *compile, *code;
    int64_t        delay;
    sbx_double_t   d;

    if (sbx_double_directive(job, &d, err, size) != SBX_OK) {
        sbx_double_free(&d);
        return NULL;
    }

    delay = d.delay_ms;

    if (delay < 0) {
        delay = (d.fail == SBX_DOUBLE_FAIL_SLOW_REPLY) ? SBX_DOUBLE_SLOW_MS
                                                       : 0;
    }

    sbx_double_sleep(delay);

    init = json_object();
    failed = (d.verdict == SBX_STATUS_COMPILATION_ERROR);

    /* a compiled language compiles, and the directive may make it fail */

    if (init != NULL
        && (failed || json_object_get(job->payload, "compile") != NULL))
    {
        code = json_integer(failed ? (d.exit_code >= 0 ? d.exit_code : 1)
                                   : 0);

        compile = sbx_double_step(failed ? "compilation_error" : "ok",
                                  code, NULL,
                                  failed ? d.out : NULL,
                                  failed ? d.out_len : 0,
                                  failed ? d.err : NULL,
                                  failed ? d.err_len : 0, &d);
        json_decref(code);

        json_object_set_new(init, "compile", compile);
    }

    if (init != NULL) {
        json_object_set_new(init, "tests",
                            failed ? json_array() : sbx_double_tests(job, &d));
        json_object_set_new(init, "error", json_null());
    }

    sbx_double_free(&d);

    if (init == NULL) {
        snprintf(err, size, "sandbox-double: out of memory");
    }

    return init;
}


void
sbx_double_abort(void)
{
    __atomic_store_n(&sbx_double.stopping, 1, __ATOMIC_RELAXED);
}


static void
sbx_double_compile(void)
{
    int         rc;
    PCRE2_SIZE  off;

    sbx_double.token = pcre2_compile((PCRE2_SPTR) SBX_DOUBLE_TOKEN,
                                     PCRE2_ZERO_TERMINATED, 0, &rc, &off,
                                     NULL);
    sbx_double.end = pcre2_compile((PCRE2_SPTR) SBX_DOUBLE_END,
                                   PCRE2_ZERO_TERMINATED, 0, &rc, &off,
                                   NULL);
}


static int
sbx_double_pair(sbx_double_t *d, const char *key, size_t klen,
    const char *val, size_t vlen, char *err, size_t size)
{
    int       i;
    char     *text;
    size_t    tlen;
    int64_t   n;

#define sbx_double_key(k)                                                   \
    (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)

    if (sbx_double_text(val, vlen, &text, &tlen) != SBX_OK) {
        snprintf(err, size, "sandbox-double: %.*s: not a JSON string",
                 (int) klen, key);
        return SBX_ERROR;
    }

    if (sbx_double_key("stdout") || sbx_double_key("stderr")) {

        if ((key[3] == 'o' ? d->out : d->err) != NULL) {
            goto twice;
        }

        if (key[3] == 'o') {
            d->out = text;
            d->out_len = tlen;

        } else {
            d->err = text;
            d->err_len = tlen;
        }

        return SBX_OK;
    }

    if (sbx_double_key("verdict")) {
        i = sbx_vocab_find(sbx_status_names, text, tlen);

        if (d->verdict != -1) {
            goto twice;
        }

        if (i < SBX_STATUS_FIRST_FINAL || i == SBX_STATUS_SKIPPED) {
            snprintf(err, size, "sandbox-double: verdict: no status "
                     "\"%.32s\"", text);
            goto failed;
        }

        d->verdict = i;

    } else if (sbx_double_key("exit")) {
        if (d->exit_code != -1) {
            goto twice;
        }

        if (sbx_double_number(text, tlen, 255, &n) != SBX_OK) {
            snprintf(err, size, "sandbox-double: exit: 0 to 255");
            goto failed;
        }

        d->exit_code = (int) n;

    } else if (sbx_double_key("signal")) {
        if (d->signal[0] != '\0') {
            goto twice;
        }

        if (tlen < 4 || tlen >= sizeof(d->signal)
            || strncmp(text, "SIG", 3) != 0
            || strspn(text + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
               != tlen - 3)
        {
            snprintf(err, size, "sandbox-double: signal: a name such "
                     "as SIGSEGV");
            goto failed;
        }

        memcpy(d->signal, text, tlen + 1);

    } else if (sbx_double_key("limit")) {
        if (d->limit[0] != '\0') {
            goto twice;
        }

        /* by length too: a value may hold a NUL byte */

        i = sbx_vocab_find(sbx_double_limits, text, tlen);

        if (i < 0) {
            snprintf(err, size, "sandbox-double: limit: cpu, wall or "
                     "job_output");
            goto failed;
        }

        strcpy(d->limit, sbx_double_limits[i]);

    } else if (sbx_double_key("time_ms") || sbx_double_key("memory_kb")
               || sbx_double_key("delay_ms"))
    {
        if ((key[0] == 't' ? d->time_ms
             : key[0] == 'm' ? d->memory_kb : d->delay_ms) != -1)
        {
            goto twice;
        }

        if (sbx_double_number(text, tlen,
                              key[0] == 'd' ? SBX_DOUBLE_MAX_MS : INT32_MAX,
                              &n)
            != SBX_OK)
        {
            snprintf(err, size, "sandbox-double: %.*s: an integer from 0 "
                     "to %d", (int) klen, key,
                     key[0] == 'd' ? SBX_DOUBLE_MAX_MS : INT32_MAX);
            goto failed;
        }

        if (key[0] == 't') {
            d->time_ms = n;

        } else if (key[0] == 'm') {
            d->memory_kb = n;

        } else {
            d->delay_ms = n;
        }

    } else if (sbx_double_key("fail")) {
        i = sbx_vocab_find(sbx_double_fails, text, tlen);

        if (d->fail != SBX_DOUBLE_FAIL_NONE) {
            goto twice;
        }

        if (i < 1) {
            snprintf(err, size, "sandbox-double: fail: runner_error, "
                     "queue_full, slow_reply or close");
            goto failed;
        }

        d->fail = i;

    } else {
        snprintf(err, size, "sandbox-double: unknown key \"%.*s\"",
                 (int) sbx_min(klen, 32), key);
        goto failed;
    }

#undef sbx_double_key

    free(text);

    return SBX_OK;

twice:

    snprintf(err, size, "sandbox-double: %.*s given twice", (int) klen, key);

failed:

    free(text);

    return SBX_ERROR;
}


/* A value's text: a bare word as it is, a quoted one decoded as JSON. */

static int
sbx_double_text(const char *val, size_t vlen, char **out, size_t *out_len)
{
    json_t        *v;
    json_error_t   jerr;

    if (vlen > 0 && val[0] == '"') {
        v = json_loadb(val, vlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

        if (!json_is_string(v)) {
            json_decref(v);
            return SBX_ERROR;
        }

        *out_len = json_string_length(v);
        *out = malloc(*out_len + 1);

        if (*out != NULL) {
            memcpy(*out, json_string_value(v), *out_len + 1);
        }

        json_decref(v);

        return *out ? SBX_OK : SBX_ERROR;
    }

    /* not strndup(): a bare value may hold a NUL byte */

    *out = malloc(vlen + 1);

    if (*out == NULL) {
        return SBX_ERROR;
    }

    memcpy(*out, val, vlen);
    (*out)[vlen] = '\0';
    *out_len = vlen;

    return SBX_OK;
}


static int
sbx_double_number(const char *val, size_t vlen, int64_t max, int64_t *n)
{
    char       *end;
    long long   v;

    if (vlen == 0 || vlen > 10 || val[0] < '0' || val[0] > '9') {
        return SBX_ERROR;
    }

    errno = 0;
    v = strtoll(val, &end, 10);

    if (errno != 0 || end != val + vlen || v > max) {
        return SBX_ERROR;
    }

    *n = v;

    return SBX_OK;
}


/* The directive of the job's main file, as its payload carries it. */

static int
sbx_double_directive(sbx_job_t *job, sbx_double_t *d, char *err,
    size_t size)
{
    int          rc;
    char        *text;
    size_t       i, len;
    json_t      *files, *f, *main;
    const char  *name;

    files = json_object_get(job->payload, "files");
    main = json_array_get(files, 0);

    json_array_foreach(files, i, f) {
        name = json_string_value(json_object_get(f, "name"));

        if (name != NULL && strcmp(name, job->lang->source_file) == 0) {
            main = f;
            break;
        }
    }

    text = sbx_double_decode(json_object_get(main, "data"), SBX_DOUBLE_SCAN,
                             &len);

    rc = sbx_double_parse(text ? text : "", text ? len : 0, d, err, size);

    free(text);

    return rc;
}


/* One step of init's report: outputs base64-encoded, like init's own. */

static json_t *
sbx_double_step(const char *status, json_t *exit_code, const char *sig,
    const char *out, size_t out_len, const char *errout, size_t err_len,
    const sbx_double_t *d)
{
    int64_t  t;

    t = d->time_ms >= 0 ? d->time_ms : 0;

    return json_pack("{s:s, s:O, s:o, s:o, s:o, s:I, s:I, s:I, s:{s:b, s:b}}",
                     "status", status,
                     "exit_code", exit_code,
                     "signal", sig ? json_string(sig) : json_null(),
                     "stdout", sbx_double_b64(out, out_len),
                     "stderr", sbx_double_b64(errout, err_len),
                     "time_ms", (json_int_t) t,
                     "wall_time_ms", (json_int_t) t,
                     "memory_kb", (json_int_t) (d->memory_kb >= 0
                                                ? d->memory_kb : 0),
                     "truncated",
                     "stdout", strcmp(status, "output_limit_exceeded") == 0
                               && strcmp(d->limit, "job_output") != 0,
                     "stderr", 0);
}


/* Each test: its stdin as stdout, or the directive's; then a verdict. */

static json_t *
sbx_double_tests(sbx_job_t *job, const sbx_double_t *d)
{
    int           ready, stop, st, code;
    char          msg[SBX_CHECK_MAX_ERROR], *in;
    size_t        i, in_len, out_len;
    json_t       *tests, *t, *step, *chk_conf, *exit_code, *p;
    sbx_check_t   chk;
    const char   *out, *sig, *type;

    tests = json_array();
    if (tests == NULL) {
        return NULL;
    }

    /* the job's checker, prepared as init prepares it */

    chk_conf = json_object_get(job->payload, "checker");
    type = json_string_value(json_object_get(chk_conf, "type"));
    p = json_object_get(chk_conf, "pattern");

    ready = (sbx_check_init(&chk,
                 type ? sbx_check_type(type, strlen(type)) : SBX_CHECK_EXACT,
                 json_string_value(p), json_string_length(p),
                 json_object_get(chk_conf, "abs")
                 ? json_number_value(json_object_get(chk_conf, "abs"))
                 : SBX_CHECK_DEFAULT_ABS,
                 json_object_get(chk_conf, "rel")
                 ? json_number_value(json_object_get(chk_conf, "rel"))
                 : SBX_CHECK_DEFAULT_REL)
             == SBX_CHECK_ACCEPTED);

    stop = 0;
    sig = d->signal[0] ? d->signal : NULL;

    json_array_foreach(json_object_get(job->payload, "tests"), i, t) {
        msg[0] = '\0';

        if (stop) {
            step = json_pack("{s:s, s:n, s:n, s:s, s:s, s:i, s:i, s:i,"
                             " s:{s:b, s:b}}",
                             "status", "skipped", "exit_code", "signal",
                             "stdout", "", "stderr", "", "time_ms", 0,
                             "wall_time_ms", 0, "memory_kb", 0,
                             "truncated", "stdout", 0, "stderr", 0);
            json_array_append_new(tests, step);
            continue;
        }

        in = sbx_double_decode(json_object_get(t, "stdin"), SIZE_MAX,
                               &in_len);

        out = d->out ? d->out : (in ? in : "");
        out_len = d->out ? d->out_len : (in ? in_len : 0);

        code = d->exit_code;

        if (d->verdict != -1) {
            st = d->verdict;

            if (code < 0) {
                code = (st == SBX_STATUS_RUNTIME_ERROR && sig == NULL);
            }

        } else if (sig != NULL || code > 0) {
            st = SBX_STATUS_RUNTIME_ERROR;

        } else {
            st = sbx_double_judge(&chk, ready, t, out, out_len, msg,
                                  sizeof(msg));
        }

        if (st == SBX_STATUS_INTERNAL_ERROR && msg[0] == '\0') {
            snprintf(msg, sizeof(msg), "sandbox-double: "
                     "verdict=internal_error");
        }

        exit_code = sig ? json_null() : json_integer(code > 0 ? code : 0);

        step = sbx_double_step(sbx_status_names[st], exit_code, sig, out,
                               out_len, d->err, d->err ? d->err_len : 0, d);
        json_decref(exit_code);
        free(in);

        if (step != NULL && d->limit[0] != '\0'
            && (st == SBX_STATUS_TIME_LIMIT || st == SBX_STATUS_OUTPUT_LIMIT))
        {
            json_object_set_new(step, "limit", json_string(d->limit));

        } else if (step != NULL && st == SBX_STATUS_TIME_LIMIT) {
            json_object_set_new(step, "limit", json_string("cpu"));
        }

        if (step != NULL && msg[0] != '\0') {
            json_object_set_new(step, "message", json_string(msg));
        }

        json_array_append_new(tests, step ? step : json_null());

        if (st != SBX_STATUS_ACCEPTED
            && json_is_true(json_object_get(job->payload, "stop_on_failure")))
        {
            stop = 1;
        }
    }

    if (ready) {
        sbx_check_free(&chk);
    }

    return tests;
}


/* A clean exit: the job's checker decides, when there is an expected. */

static int
sbx_double_judge(sbx_check_t *chk, int ready, json_t *test, const char *out,
    size_t out_len, char *msg, size_t size)
{
    int      rc;
    char    *exp;
    size_t   exp_len;
    json_t  *e;

    e = json_object_get(test, "expected_output");

    if (e == NULL && !(ready && chk->type == SBX_CHECK_REGEX && chk->re)) {
        return SBX_STATUS_ACCEPTED;
    }

    if (!ready) {
        snprintf(msg, size, "sandbox-double: the checker: %.200s",
                 chk->error);
        return SBX_STATUS_INTERNAL_ERROR;
    }

    exp = sbx_double_decode(e, SIZE_MAX, &exp_len);

    rc = sbx_check_run(chk, out, out_len, exp ? exp : "", exp ? exp_len : 0);

    free(exp);

    if (rc == SBX_CHECK_ERROR) {
        snprintf(msg, size, "%s", chk->error);
        return SBX_STATUS_INTERNAL_ERROR;
    }

    return rc == SBX_CHECK_ACCEPTED ? SBX_STATUS_ACCEPTED
                                    : SBX_STATUS_WRONG_ANSWER;
}


static json_t *
sbx_double_b64(const char *p, size_t len)
{
    char    *s;
    json_t  *v;

    s = malloc(sbx_base64_encoded_len(len) + 1);
    if (s == NULL) {
        return NULL;
    }

    v = json_stringn(s, sbx_base64_encode(s, (const unsigned char *) p,
                                          len));
    free(s);

    return v;
}


/*
 * The bytes of a base64 string of the payload, at most about max of them
 * (a whole number of base64 quanta), NUL-terminated; NULL if none.
 */

static char *
sbx_double_decode(json_t *v, size_t max, size_t *len)
{
    char     *p;
    size_t    n;
    ssize_t   got;

    n = json_string_length(v);

    if (max != SIZE_MAX && n > (max / 3) * 4) {
        n = (max / 3) * 4;
    }

    if (n == 0) {
        return NULL;
    }

    p = malloc(sbx_base64_decoded_len(n) + 1);
    if (p == NULL) {
        return NULL;
    }

    got = sbx_base64_decode((unsigned char *) p, json_string_value(v), n);

    if (got < 0) {
        free(p);
        return NULL;
    }

    p[got] = '\0';
    *len = got;

    return p;
}


/* A delay that shutdown's end cuts short. */

static void
sbx_double_sleep(int64_t ms)
{
    sbx_msec_t       end;
    struct timespec  ts;

    end = sbx_monotonic_msec() + ms;

    while (sbx_monotonic_msec() < end
           && !__atomic_load_n(&sbx_double.stopping, __ATOMIC_RELAXED))
    {
        ts.tv_sec = 0;
        ts.tv_nsec = SBX_DOUBLE_TICK * 1000000L;
        (void) nanosleep(&ts, NULL);
    }
}
