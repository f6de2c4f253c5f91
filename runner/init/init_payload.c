
/*
 * The RUN payload (docs/protocol.md) turned into checked C values.
 *
 * init trusts the runner no more than the runner trusts the module: every
 * field it uses is checked for type and range here, unknown fields are
 * refused (they would be a runner bug, better caught than ignored), and
 * nothing later looks at the JSON again.  Test stdin and expected outputs
 * are decoded once into one MADV_DONTFORK buffer (see init.h); file
 * contents stay base64 in the JSON tree until the file writer child has
 * decoded them, then the tree is dropped so init's heap is small again
 * before the first step forks.
 */


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sbx_base64.h"
#include "init.h"


#define sbx_payload_fail(...)                                               \
    do {                                                                    \
        snprintf(err, size, __VA_ARGS__);                                   \
        return SBX_INIT_ERROR;                                              \
    } while (0)


static int sbx_payload_keys(json_t *obj, const char **keys,
    const char *what, char *err, size_t size);
static int sbx_payload_id(json_t *v, const char *what, uint32_t *id,
    char *err, size_t size);
static int sbx_payload_bool(json_t *obj, const char *key, unsigned *flag,
    char *err, size_t size);
static int sbx_payload_workdir(json_t *v, char **workdir, char *err,
    size_t size);
static int sbx_payload_strings(json_t *v, const char *what, size_t min,
    size_t max, int env, char ***out, char *err, size_t size);
static int sbx_payload_files(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);
static int sbx_payload_clash(const char *a, const char *b);
static int sbx_payload_cmd(json_t *v, const char *what, sbx_init_cmd_t *cmd,
    char *err, size_t size);
static int sbx_payload_limits(json_t *v, const char *what,
    sbx_init_limits_t *l, char *err, size_t size);
static int sbx_payload_checker(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);
static int sbx_payload_tests(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);
static ssize_t sbx_payload_b64(json_t *v, const char *what, size_t index,
    char *err, size_t size);
static void sbx_payload_free_strings(char **v);


static const char  *sbx_payload_fields[] = {
    "uid", "gid", "workdir", "env", "files", "compile",
    "pause_after_compile", "run", "tests", "checker", "stop_on_failure",
    NULL
};


/* generous sanity ranges, by sbx_limit_e; the runner applies the policy */
static const uint64_t  sbx_payload_limit_max[SBX_LIMIT_N] = {
    86400000,                            /* cpu_time_ms */
    86400000,                            /* wall_time_ms */
    (uint64_t) 1 << 32,                  /* memory_kb */
    4194304,                             /* processes */
    1048576,                             /* output_kb */
    (uint64_t) 1 << 32                   /* file_size_kb */
};


int
sbx_init_payload(sbx_init_job_t *job, const char *buf, size_t len,
    char *err, size_t size)
{
    json_t        *root, *v;
    uint32_t       id;
    json_error_t   jerr;

    memset(job, 0, sizeof(sbx_init_job_t));

    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        sbx_payload_fail("payload: %s at line %d column %d", jerr.text,
                         jerr.line, jerr.column);
    }

    job->root = root;

    if (!json_is_object(root)) {
        sbx_payload_fail("payload: not a JSON object");
    }

    if (sbx_payload_keys(root, sbx_payload_fields, "payload", err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (sbx_payload_id(json_object_get(root, "uid"), "uid", &id, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    job->uid = id;

    if (sbx_payload_id(json_object_get(root, "gid"), "gid", &id, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    job->gid = id;

    if (sbx_payload_workdir(json_object_get(root, "workdir"), &job->workdir,
                            err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (sbx_payload_strings(json_object_get(root, "env"), "env", 0,
                            SBX_INIT_MAX_ENV, 1, &job->env, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (sbx_payload_files(job, json_object_get(root, "files"), err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    v = json_object_get(root, "compile");

    if (v && !json_is_null(v)) {
        if (sbx_payload_cmd(v, "compile", &job->compile, err, size)
            != SBX_INIT_OK)
        {
            return SBX_INIT_ERROR;
        }

        job->has_compile = 1;
    }

    if (sbx_payload_cmd(json_object_get(root, "run"), "run", &job->run, err,
                        size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (sbx_payload_bool(root, "pause_after_compile",
                         &job->pause_after_compile, err, size)
        != SBX_INIT_OK
        || sbx_payload_bool(root, "stop_on_failure", &job->stop_on_failure,
                            err, size)
           != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (sbx_payload_checker(job, json_object_get(root, "checker"), err,
                            size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    return sbx_payload_tests(job, json_object_get(root, "tests"), err, size);
}


/* Drops the JSON tree once the files are written. */

void
sbx_init_payload_release(sbx_init_job_t *job)
{
    if (job->root) {
        json_decref(job->root);
        job->root = NULL;
    }

    free(job->files);
    job->files = NULL;
    job->nfiles = 0;
}


void
sbx_init_payload_free(sbx_init_job_t *job)
{
    sbx_init_payload_release(job);

    free(job->workdir);
    sbx_payload_free_strings(job->env);
    sbx_payload_free_strings(job->compile.argv);
    sbx_payload_free_strings(job->run.argv);
    free(job->tests);
    sbx_init_buf_free(&job->store);
    sbx_check_free(&job->check);

    memset(job, 0, sizeof(sbx_init_job_t));
}


static int
sbx_payload_keys(json_t *obj, const char **keys, const char *what,
    char *err, size_t size)
{
    json_t      *v;
    size_t       i;
    const char  *key;

    json_object_foreach(obj, key, v) {

        for (i = 0; keys[i]; i++) {
            if (strcmp(key, keys[i]) == 0) {
                break;
            }
        }

        if (keys[i] == NULL) {
            sbx_payload_fail("%s: unknown field \"%.64s\"", what, key);
        }
    }

    return SBX_INIT_OK;
}


/*
 * A uid or gid for the program: never 0 (init's own), never the
 * (uid_t) -1 that the set*id calls read as "unchanged".
 */

static int
sbx_payload_id(json_t *v, const char *what, uint32_t *id, char *err,
    size_t size)
{
    json_int_t  n;

    if (!json_is_integer(v)) {
        sbx_payload_fail("%s: must be an integer", what);
    }

    n = json_integer_value(v);

    if (n < 1 || n > 0x7fffffff) {
        sbx_payload_fail("%s: must be between 1 and 2147483647", what);
    }

    *id = (uint32_t) n;

    return SBX_INIT_OK;
}


static int
sbx_payload_bool(json_t *obj, const char *key, unsigned *flag, char *err,
    size_t size)
{
    json_t  *v;

    v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        *flag = 0;
        return SBX_INIT_OK;
    }

    if (!json_is_boolean(v)) {
        sbx_payload_fail("%s: must be a boolean", key);
    }

    *flag = json_is_true(v);

    return SBX_INIT_OK;
}


/* An absolute path of plain segments: no "." or "..", no empty ones. */

static int
sbx_payload_workdir(json_t *v, char **workdir, char *err, size_t size)
{
    size_t       i, len, seg;
    const char  *s;

    if (!json_is_string(v)) {
        sbx_payload_fail("workdir: must be a string");
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len < 2 || len > SBX_INIT_MAX_PATH || s[0] != '/'
        || s[len - 1] == '/')
    {
        sbx_payload_fail("workdir: must be an absolute path");
    }

    seg = 0;

    for (i = 1; i <= len; i++) {

        if (i == len || s[i] == '/') {
            if (i - seg == 1 || (i - seg == 2 && s[seg + 1] == '.')
                || (i - seg == 3 && s[seg + 1] == '.' && s[seg + 2] == '.'))
            {
                sbx_payload_fail("workdir: must be a plain absolute path");
            }

            seg = i;
            continue;
        }

        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
              || (s[i] >= '0' && s[i] <= '9')
              || s[i] == '.' || s[i] == '_' || s[i] == '-'))
        {
            sbx_payload_fail("workdir: must be [A-Za-z0-9._-/]");
        }
    }

    *workdir = strdup(s);

    if (*workdir == NULL) {
        sbx_payload_fail("out of memory");
    }

    return SBX_INIT_OK;
}


/* A NULL-terminated array of C strings (argv, environment). */

static int
sbx_payload_strings(json_t *v, const char *what, size_t min, size_t max,
    int env, char ***out, char *err, size_t size)
{
    char        **a;
    json_t       *s;
    size_t        i, n, len;
    const char   *p;

    if (!json_is_array(v)) {
        sbx_payload_fail("%s: must be an array of strings", what);
    }

    n = json_array_size(v);

    if (n < min || n > max) {
        sbx_payload_fail("%s: must have %zu to %zu items", what, min, max);
    }

    a = calloc(n + 1, sizeof(char *));

    if (a == NULL) {
        sbx_payload_fail("out of memory");
    }

    *out = a;

    json_array_foreach(v, i, s) {

        if (!json_is_string(s)) {
            sbx_payload_fail("%s[%zu]: must be a string", what, i);
        }

        p = json_string_value(s);
        len = json_string_length(s);

        if (strlen(p) != len) {
            sbx_payload_fail("%s[%zu]: must not contain NUL", what, i);
        }

        if (len > SBX_INIT_MAX_STRING) {
            sbx_payload_fail("%s[%zu]: too long", what, i);
        }

        if (env && (len == 0 || p[0] == '=' || strchr(p, '=') == NULL)) {
            sbx_payload_fail("%s[%zu]: must be NAME=value", what, i);
        }

        if (!env && i == 0 && len == 0) {
            sbx_payload_fail("%s[0]: must not be empty", what);
        }

        a[i] = strdup(p);

        if (a[i] == NULL) {
            sbx_payload_fail("out of memory");
        }
    }

    return SBX_INIT_OK;
}


static int
sbx_payload_files(sbx_init_job_t *job, json_t *v, char *err, size_t size)
{
    json_t      *f, *name, *data;
    size_t       i, k, len;
    const char  *fkeys[] = { "name", "data", NULL };

    if (v == NULL || json_is_null(v)) {
        return SBX_INIT_OK;
    }

    if (!json_is_array(v) || json_array_size(v) > SBX_INIT_MAX_FILES) {
        sbx_payload_fail("files: must be an array of at most %d objects",
                         SBX_INIT_MAX_FILES);
    }

    job->files = calloc(json_array_size(v) + 1, sizeof(sbx_init_file_t));

    if (job->files == NULL) {
        sbx_payload_fail("out of memory");
    }

    json_array_foreach(v, i, f) {

        if (!json_is_object(f)) {
            sbx_payload_fail("files[%zu]: must be an object", i);
        }

        if (sbx_payload_keys(f, fkeys, "files[]", err, size)
            != SBX_INIT_OK)
        {
            return SBX_INIT_ERROR;
        }

        name = json_object_get(f, "name");
        data = json_object_get(f, "data");

        if (!json_is_string(name)
            || strlen(json_string_value(name)) != json_string_length(name)
            || !sbx_valid_name(json_string_value(name),
                               json_string_length(name)))
        {
            sbx_payload_fail("files[%zu].name: must be a plain relative "
                             "name, at most one directory deep", i);
        }

        if (sbx_payload_b64(data, "files[].data", i, err, size) < 0) {
            return SBX_INIT_ERROR;
        }

        len = json_string_length(name);

        for (k = 0; k < job->nfiles; k++) {
            if (sbx_payload_clash(job->files[k].name,
                                  json_string_value(name)))
            {
                sbx_payload_fail("files[%zu].name: clashes with another "
                                 "file", i);
            }
        }

        memcpy(job->files[job->nfiles].name, json_string_value(name),
               len + 1);
        job->files[job->nfiles].data = json_string_value(data);
        job->files[job->nfiles].len = json_string_length(data);
        job->nfiles++;
    }

    return SBX_INIT_OK;
}


/* "a" twice, or "a" next to "a/b", cannot both be written. */

static int
sbx_payload_clash(const char *a, const char *b)
{
    size_t  la, lb;

    la = strlen(a);
    lb = strlen(b);

    if (la > lb) {
        return sbx_payload_clash(b, a);
    }

    return memcmp(a, b, la) == 0 && (la == lb || b[la] == '/');
}


static int
sbx_payload_cmd(json_t *v, const char *what, sbx_init_cmd_t *cmd,
    char *err, size_t size)
{
    char         name[32];
    const char  *ckeys[] = { "argv", "limits", NULL };

    if (!json_is_object(v)) {
        sbx_payload_fail("%s: must be an object", what);
    }

    if (sbx_payload_keys(v, ckeys, what, err, size) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    snprintf(name, sizeof(name), "%s.argv", what);

    if (sbx_payload_strings(json_object_get(v, "argv"), name, 1,
                            SBX_INIT_MAX_ARGV, 0, &cmd->argv, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    snprintf(name, sizeof(name), "%s.limits", what);

    return sbx_payload_limits(json_object_get(v, "limits"), name,
                              &cmd->limits, err, size);
}


static int
sbx_payload_limits(json_t *v, const char *what, sbx_init_limits_t *l,
    char *err, size_t size)
{
    json_t      *n;
    size_t       i;
    uint64_t     value[SBX_LIMIT_N];
    json_int_t   x;

    if (!json_is_object(v)) {
        sbx_payload_fail("%s: must be an object", what);
    }

    if (sbx_payload_keys(v, sbx_limit_names, what, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    for (i = 0; i < SBX_LIMIT_N; i++) {
        n = json_object_get(v, sbx_limit_names[i]);

        if (!json_is_integer(n)) {
            sbx_payload_fail("%s.%s: must be an integer", what,
                             sbx_limit_names[i]);
        }

        x = json_integer_value(n);

        if (x < 1 || (uint64_t) x > sbx_payload_limit_max[i]) {
            sbx_payload_fail("%s.%s: must be between 1 and %llu", what,
                             sbx_limit_names[i],
                             (unsigned long long) sbx_payload_limit_max[i]);
        }

        value[i] = (uint64_t) x;
    }

    l->cpu_time_ms = value[0];
    l->wall_time_ms = value[1];
    l->memory_kb = value[2];
    l->processes = value[3];
    l->output_kb = value[4];
    l->file_size_kb = value[5];

    return SBX_INIT_OK;
}


static int
sbx_payload_checker(sbx_init_job_t *job, json_t *v, char *err, size_t size)
{
    int          type;
    json_t      *t, *pattern, *n;
    double       tol[2];
    size_t       i;
    const char  *tkeys[] = { "abs", "rel" };
    const char  *ckeys[] = { "type", "pattern", "abs", "rel", NULL };

    tol[0] = SBX_CHECK_DEFAULT_ABS;
    tol[1] = SBX_CHECK_DEFAULT_REL;
    pattern = NULL;

    if (v == NULL || json_is_null(v)) {
        type = SBX_CHECK_EXACT;

    } else {
        if (!json_is_object(v)) {
            sbx_payload_fail("checker: must be an object");
        }

        if (sbx_payload_keys(v, ckeys, "checker", err, size)
            != SBX_INIT_OK)
        {
            return SBX_INIT_ERROR;
        }

        t = json_object_get(v, "type");

        type = json_is_string(t)
               ? sbx_check_type(json_string_value(t), json_string_length(t))
               : -1;

        if (type < 0) {
            sbx_payload_fail("checker.type: must be exact, trimmed, regex "
                             "or float");
        }

        pattern = json_object_get(v, "pattern");

        if (pattern && json_is_null(pattern)) {
            pattern = NULL;
        }

        if (pattern && (type != SBX_CHECK_REGEX || !json_is_string(pattern)))
        {
            sbx_payload_fail("checker.pattern: must be a string, for regex "
                             "only");
        }

        for (i = 0; i < 2; i++) {
            n = json_object_get(v, tkeys[i]);

            if (n == NULL || json_is_null(n)) {
                continue;
            }

            if (type != SBX_CHECK_FLOAT || !json_is_number(n)
                || !isfinite(json_number_value(n))
                || json_number_value(n) < 0)
            {
                sbx_payload_fail("checker.%s: must be a number >= 0, for "
                                 "float only", tkeys[i]);
            }

            tol[i] = json_number_value(n);
        }
    }

    job->regex_pattern = pattern != NULL;

    if (sbx_check_init(&job->check, type,
                       pattern ? json_string_value(pattern) : NULL,
                       pattern ? json_string_length(pattern) : 0,
                       tol[0], tol[1])
        != SBX_CHECK_ACCEPTED)
    {
        sbx_payload_fail("checker: %s", job->check.error);
    }

    return SBX_INIT_OK;
}


static int
sbx_payload_tests(sbx_init_job_t *job, json_t *v, char *err, size_t size)
{
    char              msg[SBX_CHECK_MAX_ERROR];
    json_t           *t, *in, *exp;
    size_t            i, total;
    ssize_t           n;
    const char       *tkeys[] = { "stdin", "expected_output", NULL };
    sbx_init_test_t  *test;

    if (!json_is_array(v) || json_array_size(v) > SBX_INIT_MAX_TESTS) {
        sbx_payload_fail("tests: must be an array of at most %d objects",
                         SBX_INIT_MAX_TESTS);
    }

    job->ntests = json_array_size(v);
    job->tests = calloc(job->ntests + 1, sizeof(sbx_init_test_t));

    if (job->tests == NULL) {
        sbx_payload_fail("out of memory");
    }

    /* check everything and size the store before decoding */

    total = 0;

    json_array_foreach(v, i, t) {

        if (!json_is_object(t)) {
            sbx_payload_fail("tests[%zu]: must be an object", i);
        }

        if (sbx_payload_keys(t, tkeys, "tests[]", err, size)
            != SBX_INIT_OK)
        {
            return SBX_INIT_ERROR;
        }

        test = &job->tests[i];

        in = json_object_get(t, "stdin");

        if (in && !json_is_null(in)) {
            n = sbx_payload_b64(in, "tests[].stdin", i, err, size);

            if (n < 0) {
                return SBX_INIT_ERROR;
            }

            test->stdin_len = n;
        }

        exp = json_object_get(t, "expected_output");

        if (exp && !json_is_null(exp)) {
            n = sbx_payload_b64(exp, "tests[].expected_output", i, err,
                                size);

            if (n < 0) {
                return SBX_INIT_ERROR;
            }

            test->expected_len = n;
            test->has_expected = 1;
        }

        total += test->stdin_len + test->expected_len;
    }

    if (sbx_init_buf_reserve(&job->store, total) != SBX_INIT_OK) {
        sbx_payload_fail("out of memory for %zu bytes of test data", total);
    }

    json_array_foreach(v, i, t) {
        test = &job->tests[i];

        in = json_object_get(t, "stdin");
        exp = json_object_get(t, "expected_output");

        test->stdin_off = job->store.len;

        if (test->stdin_len) {
            job->store.len += sbx_base64_decode(
                                  job->store.data + job->store.len,
                                  json_string_value(in),
                                  json_string_length(in));
        }

        test->expected_off = job->store.len;

        if (test->expected_len) {
            job->store.len += sbx_base64_decode(
                                  job->store.data + job->store.len,
                                  json_string_value(exp),
                                  json_string_length(exp));
        }

        /* a per-test pattern that cannot compile fails the job up front */

        if (test->has_expected && job->check.type == SBX_CHECK_REGEX
            && !job->regex_pattern
            && sbx_check_pattern_ok((char *) job->store.data
                                    + test->expected_off,
                                    test->expected_len, msg, sizeof(msg))
               != SBX_CHECK_ACCEPTED)
        {
            sbx_payload_fail("tests[%zu].expected_output: %s", i, msg);
        }
    }

    return SBX_INIT_OK;
}


static ssize_t
sbx_payload_b64(json_t *v, const char *what, size_t index, char *err,
    size_t size)
{
    ssize_t  n;

    if (!json_is_string(v)) {
        snprintf(err, size, "%s #%zu: must be a base64 string", what, index);
        return -1;
    }

    n = sbx_base64_decode(NULL, json_string_value(v), json_string_length(v));

    if (n < 0) {
        snprintf(err, size, "%s #%zu: is not valid base64", what, index);
        return -1;
    }

    return n;
}


static void
sbx_payload_free_strings(char **v)
{
    size_t  i;

    if (v == NULL) {
        return;
    }

    for (i = 0; v[i]; i++) {
        free(v[i]);
    }

    free(v);
}
