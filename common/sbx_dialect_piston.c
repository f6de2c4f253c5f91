
/*
 * The Piston v2 dialect (see sbx_dialect_piston.h).
 *
 * Piston's execute runs a compile stage (compiled languages only) and a
 * run stage, and reports each like isolate does: stdout, stderr, their
 * interleaving ("output"), code, signal, message, status ("RE" a non-zero
 * exit, "SG" a signal, "TO" a timeout, "OL"/"EL" stdout/stderr over the
 * limit, "XX" an internal error), cpu_time and wall_time in ms, memory in
 * bytes.  The native result has all of it but the interleaving, which is
 * given as stdout then stderr (docs/compat.md).
 */


#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"
#include "sbx_dialect_piston.h"


/* Piston's limits on the request, and the native limit each becomes */

static const struct {
    const char  *name;
    const char  *limit;                  /* NULL: accepted, not applied */
    int          bytes;                  /* in bytes, the native in KB */
} sbx_piston_limits[] = {
    { "run_timeout", "wall_time_ms", 0 },
    { "run_cpu_time", "cpu_time_ms", 0 },
    { "run_memory_limit", "memory_kb", 1 },
    { "compile_timeout", NULL, 0 },
    { "compile_cpu_time", NULL, 0 },
    { "compile_memory_limit", NULL, 1 },
    { NULL, NULL, 0 }
};


static int sbx_piston_files(json_t *files, json_t *sub, sbx_error_t *err);
static json_t *sbx_piston_hex(const char *hex, size_t len);
static int sbx_piston_limit(json_t *body, json_t *limits, int i,
    sbx_error_t *err);
static int sbx_piston_range(const char *s, size_t len, const long *have);
static int sbx_piston_comparator(const char *s, size_t len,
    const long *have);
static int sbx_piston_parse(const char *s, size_t len, long *v);
static json_t *sbx_piston_stage(json_t *step, const char *message);


json_t *
sbx_piston_submission(json_t *body, sbx_error_t *err)
{
    int          i;
    char         *in;
    size_t        n;
    json_t       *sub, *v, *limits;
    const char   *s;

    if (!json_is_object(body)) {
        sbx_error_set(err, 400, "invalid_field", "",
                      "the request must be a JSON object");
        return NULL;
    }

    v = json_object_get(body, "language");

    if (!json_is_string(v) || json_string_length(v) == 0) {
        sbx_error_set(err, 400, "invalid_field", "language",
                      "language is required as a string");
        return NULL;
    }

    sub = json_pack("{s:O}", "language", v);
    if (sub == NULL) {
        goto nomem;
    }

    v = json_object_get(body, "version");

    if (!json_is_string(v) || json_string_length(v) == 0) {
        sbx_error_set(err, 400, "invalid_field", "version",
                      "version is required as a string");
        goto failed;
    }

    json_object_set(sub, "version", v);

    if (sbx_piston_files(json_object_get(body, "files"), sub, err) != 0) {
        goto failed;
    }

    /* Piston ends stdin with a line feed when it has none */

    v = json_object_get(body, "stdin");

    if (v != NULL && !json_is_null(v)) {

        if (!json_is_string(v)) {
            sbx_error_set(err, 400, "invalid_field", "stdin",
                          "stdin must be a string");
            goto failed;
        }

        s = json_string_value(v);
        n = json_string_length(v);

        in = malloc(n + 2);
        if (in == NULL) {
            goto nomem_sub;
        }

        memcpy(in, s, n);

        if (n == 0 || in[n - 1] != '\n') {
            in[n++] = '\n';
        }

        v = json_stringn(in, n);
        free(in);

        if (v == NULL || json_object_set_new(sub, "stdin", v) != 0) {
            goto nomem_sub;
        }
    }

    v = json_object_get(body, "args");

    if (v != NULL && !json_is_null(v)) {
        if (!json_is_array(v)) {
            sbx_error_set(err, 400, "invalid_field", "args",
                          "args must be an array of strings");
            goto failed;
        }

        if (json_array_size(v)) {
            json_object_set(sub, "args", v);
        }
    }

    limits = json_object();

    if (limits == NULL || json_object_set_new(sub, "limits", limits) != 0) {
        goto nomem_sub;
    }

    for (i = 0; sbx_piston_limits[i].name; i++) {
        if (sbx_piston_limit(body, limits, i, err) != 0) {
            goto failed;
        }
    }

    if (json_object_size(limits) == 0) {
        json_object_del(sub, "limits");
    }

    return sub;

nomem_sub:

    json_decref(sub);

nomem:

    sbx_error_set(err, 500, "internal_error", "", "out of memory");
    return NULL;

failed:

    json_decref(sub);
    return NULL;
}


/*
 * Piston's files: content required, name optional ("file<i>.code"),
 * encoding utf8 (also whatever it does not know), base64 or hex, at
 * least one utf8.  A single unnamed utf8 file is the native "source",
 * which the runner names after the language (Main.java …); hex becomes
 * base64.
 */

static int
sbx_piston_files(json_t *files, json_t *sub, sbx_error_t *err)
{
    char         name[32], field[48];
    size_t       i;
    json_t      *f, *out, *o, *content, *v;
    const char  *enc;
    int          utf8;

    if (!json_is_array(files)) {
        sbx_error_set(err, 400, "invalid_field", "files",
                      "files is required as an array");
        return -1;
    }

    utf8 = 0;

    json_array_foreach(files, i, f) {
        content = json_object_get(f, "content");

        if (!json_is_string(content)) {
            snprintf(field, sizeof(field), "files[%zu].content", i);
            sbx_error_set(err, 400, "invalid_field", field,
                          "files[%zu].content is required as a string", i);
            return -1;
        }

        enc = json_string_value(json_object_get(f, "encoding"));

        if (enc == NULL
            || (strcmp(enc, "base64") != 0 && strcmp(enc, "hex") != 0))
        {
            utf8 = 1;
        }
    }

    if (!utf8) {
        sbx_error_set(err, 400, "invalid_field", "files",
                      "files must include at least one utf8 encoded file");
        return -1;
    }

    f = json_array_get(files, 0);
    enc = json_string_value(json_object_get(f, "encoding"));

    if (json_array_size(files) == 1
        && !json_is_string(json_object_get(f, "name"))
        && (enc == NULL || strcmp(enc, "utf8") == 0))
    {
        return json_object_set(sub, "source", json_object_get(f, "content"));
    }

    out = json_array();

    if (out == NULL || json_object_set_new(sub, "files", out) != 0) {
        sbx_error_set(err, 500, "internal_error", "", "out of memory");
        return -1;
    }

    json_array_foreach(files, i, f) {
        content = json_object_get(f, "content");
        enc = json_string_value(json_object_get(f, "encoding"));
        v = json_object_get(f, "name");

        if (json_is_string(v)) {
            o = json_pack("{s:O}", "name", v);

        } else {
            snprintf(name, sizeof(name), "file%zu.code", i);
            o = json_pack("{s:s}", "name", name);
        }

        if (o == NULL || json_array_append_new(out, o) != 0) {
            sbx_error_set(err, 500, "internal_error", "", "out of memory");
            return -1;
        }

        if (enc != NULL && strcmp(enc, "base64") == 0) {
            json_object_set(o, "content", content);
            json_object_set_new(o, "encoding", json_string("base64"));

        } else if (enc != NULL && strcmp(enc, "hex") == 0) {
            v = sbx_piston_hex(json_string_value(content),
                               json_string_length(content));

            if (v == NULL) {
                snprintf(field, sizeof(field), "files[%zu].content", i);
                sbx_error_set(err, 400, "invalid_field", field,
                              "files[%zu].content is not hex", i);
                return -1;
            }

            json_object_set_new(o, "content", v);
            json_object_set_new(o, "encoding", json_string("base64"));

        } else {
            json_object_set(o, "content", content);
        }
    }

    return 0;
}


/* hex as base64, or NULL when it is not hex */

static json_t *
sbx_piston_hex(const char *hex, size_t len)
{
    char           *b64;
    size_t          i, n;
    json_t         *v;
    unsigned int    c;
    unsigned char  *raw;

    if (len % 2) {
        return NULL;
    }

    n = len / 2;

    raw = malloc(n + 1);
    b64 = malloc(sbx_base64_encoded_len(n) + 1);

    if (raw == NULL || b64 == NULL) {
        free(raw);
        free(b64);
        return NULL;
    }

    for (i = 0; i < n; i++) {
        if (!isxdigit((unsigned char) hex[2 * i])
            || !isxdigit((unsigned char) hex[2 * i + 1])
            || sscanf(hex + 2 * i, "%2x", &c) != 1)
        {
            free(raw);
            free(b64);
            return NULL;
        }

        raw[i] = (unsigned char) c;
    }

    n = sbx_base64_encode(b64, raw, n);
    v = json_stringn(b64, n);

    free(raw);
    free(b64);

    return v;
}


/*
 * One of Piston's limits: absent, null, 0 and -1 leave the default
 * (piston-client sends -1 for "no memory limit of my own"); any other
 * negative is refused as Piston does; run_* become native limits, in
 * ms or KB, rounded up.  compile_* are checked and not applied: the
 * language's compile limits are the runner's (docs/compat.md).
 */

static int
sbx_piston_limit(json_t *body, json_t *limits, int i, sbx_error_t *err)
{
    double       d;
    json_t      *v;
    json_int_t   n;
    const char  *name;

    name = sbx_piston_limits[i].name;
    v = json_object_get(body, name);

    if (v == NULL || json_is_null(v)) {
        return 0;
    }

    if (!json_is_number(v)) {
        sbx_error_set(err, 400, "invalid_field", name,
                      "If specified, %s must be a number", name);
        return -1;
    }

    d = json_number_value(v);

    if (d == 0 || d == -1) {
        return 0;
    }

    if (d < 0) {
        sbx_error_set(err, 400, "invalid_field", name,
                      "%s must be non-negative", name);
        return -1;
    }

    if (sbx_piston_limits[i].limit == NULL) {
        return 0;
    }

    if (sbx_piston_limits[i].bytes) {
        d /= 1024;
    }

    /* far over any maximum: the native check refuses it by name */

    n = (d > 1e15) ? (json_int_t) 1e15 : (json_int_t) d;

    if ((double) n < d) {
        n++;                              /* rounded up */
    }

    return json_object_set_new(limits, sbx_piston_limits[i].limit,
                               json_integer(n));
}


/*
 * node-semver's satisfies(), for a version of up to four numbers
 * ("17.0.21.1" too) against a range: alternatives split by "||", each
 * a set of comparators that must all hold, or "A - B".  A partial
 * version compares on the numbers it has, so "3", "3.x" and "3.11.*"
 * are X-ranges and ">3" means 4 and over.
 */

int
sbx_piston_version_match(const char *selector, const char *version)
{
    long         have[4];
    const char  *p, *bar;

    if (sbx_piston_parse(version, strlen(version), have) < 1) {
        return 0;
    }

    p = selector;

    for ( ;; ) {
        bar = strstr(p, "||");

        if (sbx_piston_range(p, bar ? (size_t) (bar - p) : strlen(p), have))
        {
            return 1;
        }

        if (bar == NULL) {
            return 0;
        }

        p = bar + 2;
    }
}


static int
sbx_piston_range(const char *s, size_t len, const long *have)
{
    char         buf[128];
    const char  *p, *end, *tok, *dash;

    if (len >= sizeof(buf)) {
        return 0;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';

    /* "A - B": A <= version <= B */

    dash = strstr(buf, " - ");

    if (dash != NULL) {
        char  lo[64], hi[64];

        snprintf(lo, sizeof(lo), ">=%.*s", (int) (dash - buf), buf);
        snprintf(hi, sizeof(hi), "<=%s", dash + 3);

        return sbx_piston_range(lo, strlen(lo), have)
               && sbx_piston_range(hi, strlen(hi), have);
    }

    p = buf;
    end = buf + len;

    for ( ;; ) {
        while (p < end && isspace((unsigned char) *p)) {
            p++;
        }

        if (p == end) {
            return 1;                     /* "" is "*" */
        }

        tok = p;

        /* an operator may stand apart from its version: ">= 3.8" */

        while (p < end && strchr("<>=~^", *p)) {
            p++;
        }

        while (p < end && isspace((unsigned char) *p)) {
            p++;
        }

        while (p < end && !isspace((unsigned char) *p)) {
            p++;
        }

        if (!sbx_piston_comparator(tok, p - tok, have)) {
            return 0;
        }
    }
}


static int
sbx_piston_comparator(const char *s, size_t len, const long *have)
{
    int          i, n, cmp;
    long         want[4];
    char         op[3];
    size_t       k;

    k = 0;

    while (k < len && k < 2 && strchr("<>=~^", s[k])) {
        op[k] = s[k];
        k++;
    }

    op[k] = '\0';

    while (k < len && isspace((unsigned char) s[k])) {
        k++;
    }

    if (k < len && (s[k] == 'v' || s[k] == 'V')) {
        k++;
    }

    n = sbx_piston_parse(s + k, len - k, want);

    if (n < 0) {
        return 0;
    }

    cmp = 0;

    for (i = 0; i < n && cmp == 0; i++) {
        cmp = (have[i] > want[i]) - (have[i] < want[i]);
    }

    if (op[0] == '\0' || strcmp(op, "=") == 0) {
        return cmp == 0;
    }

    if (strcmp(op, ">") == 0) {
        return cmp > 0;
    }

    if (strcmp(op, ">=") == 0) {
        return cmp >= 0;
    }

    if (strcmp(op, "<") == 0) {
        return cmp < 0;
    }

    if (strcmp(op, "<=") == 0) {
        return cmp <= 0;
    }

    /* ~1.2.3: at least it, same major.minor (same major for "~1") */

    if (strcmp(op, "~") == 0 || strcmp(op, "~>") == 0) {
        for (i = 0, cmp = 0; i < 4 && cmp == 0; i++) {
            cmp = (have[i] > want[i]) - (have[i] < want[i]);
        }

        return cmp >= 0 && have[0] == want[0]
               && (n < 2 || have[1] == want[1]);
    }

    /* ^1.2.3: at least it, the first non-zero number the same */

    if (strcmp(op, "^") == 0) {
        for (i = 0, cmp = 0; i < 4 && cmp == 0; i++) {
            cmp = (have[i] > want[i]) - (have[i] < want[i]);
        }

        if (cmp < 0) {
            return 0;
        }

        for (i = 0; i < n; i++) {
            if (have[i] != want[i]) {
                return 0;
            }

            if (want[i] != 0 || i == n - 1) {
                return 1;
            }
        }

        return 1;
    }

    return 0;
}


/*
 * "3.11.2", "3.x", "17.0.21.1", "*": the numbers before the first
 * wildcard, the rest 0.  Returns how many there were (0 for "*"), or -1
 * when s is not a version.  A pre-release or build tail ("-rc1",
 * "+abc") is ignored.
 */

static int
sbx_piston_parse(const char *s, size_t len, long *v)
{
    int          n;
    char        *end;
    size_t       k;

    v[0] = v[1] = v[2] = v[3] = 0;

    for (k = 0, n = 0; k < len && n < 4; n++) {

        if (s[k] == 'x' || s[k] == 'X' || s[k] == '*') {

            /* what follows a wildcard is wildcards: "3.x.x" */

            while (++k < len) {
                if (!strchr(".xX*", s[k])) {
                    return -1;
                }
            }

            return n;
        }

        if (!isdigit((unsigned char) s[k])) {
            return -1;
        }

        v[n] = strtol(s + k, &end, 10);
        k = end - s;

        if (k == len || s[k] == '-' || s[k] == '+') {
            return n + 1;
        }

        if (s[k] != '.') {
            return -1;
        }

        k++;
    }

    return (k == len) ? n : -1;
}


/*
 * The native result as Piston's: a compiled language has a compile
 * stage; when the compile failed, "run" repeats it, as Piston does for
 * its older clients.  A job the runner could not run is Piston's 500.
 */

json_t *
sbx_piston_result(json_t *native, int *status)
{
    json_t      *res, *lang, *compile, *run;
    const char  *st, *msg;

    st = json_string_value(json_object_get(native, "status"));
    msg = json_string_value(json_object_get(native, "message"));

    if (st == NULL || strcmp(st, "internal_error") == 0
        || strcmp(st, "queued") == 0 || strcmp(st, "running") == 0)
    {
        *status = 500;
        return json_pack("{s:s}", "message",
                         msg ? msg : "the job did not run");
    }

    *status = 200;

    lang = json_object_get(native, "language");
    compile = json_object_get(native, "compile");

    res = json_pack("{s:O?, s:O?}",
                    "language", json_object_get(lang, "id"),
                    "version", json_object_get(lang, "version"));
    if (res == NULL) {
        return NULL;
    }

    if (json_is_object(compile)) {
        compile = sbx_piston_stage(compile,
                                   strcmp(st, "compilation_error") == 0
                                   ? msg : NULL);

        if (compile == NULL) {
            json_decref(res);
            return NULL;
        }

        json_object_set_new(res, "compile", compile);

        if (strcmp(st, "compilation_error") == 0) {
            json_object_set(res, "run", compile);
            return res;
        }
    }

    run = sbx_piston_stage(native,
                           strcmp(st, "accepted") != 0 ? msg : NULL);

    if (run == NULL) {
        json_decref(res);
        return NULL;
    }

    json_object_set_new(res, "run", run);

    return res;
}


/* one step of the native result (the job's top level for the run) */

static json_t *
sbx_piston_stage(json_t *step, const char *message)
{
    char        *both;
    size_t       nout, nerr;
    json_t      *o, *out, *sig, *code, *tr;
    const char  *st, *pst, *sout, *serr;

    st = json_string_value(json_object_get(step, "status"));
    sig = json_object_get(step, "signal");
    code = json_object_get(step, "exit_code");
    tr = json_object_get(step, "truncated");

    sout = json_string_value(json_object_get(step, "stdout"));
    serr = json_string_value(json_object_get(step, "stderr"));
    sout = sout ? sout : "";
    serr = serr ? serr : "";
    nout = json_string_length(json_object_get(step, "stdout"));
    nerr = json_string_length(json_object_get(step, "stderr"));

    pst = NULL;

    if (st == NULL || strcmp(st, "internal_error") == 0) {
        pst = "XX";

    } else if (strcmp(st, "time_limit_exceeded") == 0) {
        pst = "TO";

    } else if (strcmp(st, "output_limit_exceeded") == 0) {
        pst = json_is_true(json_object_get(tr, "stderr")) ? "EL" : "OL";

    } else if (strcmp(st, "memory_limit_exceeded") == 0
               || json_is_string(sig))
    {
        pst = "SG";

    } else if (json_integer_value(code) != 0) {
        pst = "RE";
    }

    /* Piston names the signal that ended a killed stage: SIGKILL */

    if (pst != NULL && pst[0] != 'R' && pst[0] != 'X'
        && !json_is_string(sig))
    {
        o = json_string("SIGKILL");

    } else {
        o = json_is_string(sig) ? json_incref(sig) : json_null();
    }

    both = malloc(nout + nerr + 1);
    if (both == NULL) {
        json_decref(o);
        return NULL;
    }

    memcpy(both, sout, nout);
    memcpy(both + nout, serr, nerr);

    out = json_stringn(both, nout + nerr);
    free(both);

    return json_pack("{s:s#, s:s#, s:o*, s:O, s:o, s:s?, s:s?, s:I, s:I,"
                     " s:I}",
                     "stdout", sout, nout,
                     "stderr", serr, nerr,
                     "output", out,
                     "code", json_is_integer(code) ? code : json_null(),
                     "signal", o,
                     "message", message,
                     "status", pst,
                     "cpu_time", json_integer_value(json_object_get(step,
                                                                "time_ms")),
                     "wall_time",
                     json_integer_value(json_object_get(step,
                                                        "wall_time_ms")),
                     "memory",
                     json_integer_value(json_object_get(step, "memory_kb"))
                     * 1024);
}


/* Piston lists language, version, aliases (and a runtime, not here) */

json_t *
sbx_piston_runtimes(json_t *languages)
{
    size_t   i;
    json_t  *out, *l, *rt;

    out = json_array();
    if (out == NULL) {
        return NULL;
    }

    json_array_foreach(languages, i, l) {
        rt = json_pack("{s:O, s:O, s:O}",
                       "language", json_object_get(l, "id"),
                       "version", json_object_get(l, "version"),
                       "aliases", json_object_get(l, "aliases"));

        if (rt == NULL || json_array_append_new(out, rt) != 0) {
            json_decref(out);
            return NULL;
        }
    }

    return out;
}


/*
 * Piston answers every refusal of a request with 400 and a message; the
 * statuses Piston has no refusal for (404, 405, 413, 415, 5xx) stay.
 */

json_t *
sbx_piston_error(const sbx_error_t *err, int *status)
{
    char  msg[sizeof(err->field) + sizeof(err->message) + 4];

    *status = err->status;

    if (err->status == 422 || err->status == 400) {
        *status = 400;
    }

    /* Piston's own messages name their field already */

    if (err->field[0] && strstr(err->message, err->field) == NULL) {
        snprintf(msg, sizeof(msg), "%s: %s", err->field, err->message);

    } else {
        snprintf(msg, sizeof(msg), "%s", err->message);
    }

    return json_pack("{s:s}", "message", msg);
}
