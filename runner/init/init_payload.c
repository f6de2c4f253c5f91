
/*
 * The RUN payload (docs/protocol.md) turned into checked C values: its
 * top level, the submitted files, and the checks every field shares.
 * init_payload_steps.c does the commands, the checker and the tests.
 *
 * init trusts the runner no more than the runner trusts the module: every
 * field it uses is checked for type and range here, unknown fields are
 * refused (they would be a runner bug, better caught than ignored), and
 * nothing later looks at the JSON again.  File contents stay base64 in
 * the JSON tree until the file writer child has decoded them, then the
 * tree is dropped so init's heap is small again before the first step
 * forks.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"
#include "init_payload.h"


static int sbx_payload_id(json_t *v, const char *what, uint32_t *id,
    char *err, size_t size);
static int sbx_payload_bool(json_t *obj, const char *key, unsigned *flag,
    char *err, size_t size);
static int sbx_payload_workdir(json_t *v, char **workdir, char *err,
    size_t size);
static int sbx_payload_files(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);
static int sbx_payload_clash(const char *a, const char *b);
static void sbx_payload_free_strings(char **v);


static const char  *sbx_payload_fields[] = {
    "uid", "gid", "workdir", "env", "files", "compile",
    "pause_after_compile", "run", "tests", "checker", "stop_on_failure",
    "output_budget_kb", NULL
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

    /* the job's output budget, every step and stream together */

    v = json_object_get(root, "output_budget_kb");

    if (v != NULL && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1
            || json_integer_value(v) > SBX_INIT_MAX_BUDGET_KB)
        {
            sbx_payload_fail("output_budget_kb: must be an integer from 1 "
                             "to %d", SBX_INIT_MAX_BUDGET_KB);
        }

        job->output_budget = (uint64_t) json_integer_value(v) * 1024;
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


int
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
 * v is an object with only the given keys.  An item of an array
 * (index >= 0) is named "what[index]" and its keys "what[]".
 */

int
sbx_payload_object(json_t *v, const char **keys, const char *what,
    ssize_t index, char *err, size_t size)
{
    char  name[64];

    if (!json_is_object(v)) {
        if (index < 0) {
            sbx_payload_fail("%s: must be an object", what);
        }

        sbx_payload_fail("%s[%zd]: must be an object", what, index);
    }

    if (index >= 0) {
        snprintf(name, sizeof(name), "%s[]", what);
        what = name;
    }

    return sbx_payload_keys(v, keys, what, err, size);
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

int
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

        if (sbx_payload_object(f, fkeys, "files", i, err, size)
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


ssize_t
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
