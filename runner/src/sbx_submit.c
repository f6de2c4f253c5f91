
/*
 * From a submission to a job.
 *
 * The runner checks every submission again (shape, language, version,
 * limits) whatever the module did, and turns it into the payload that
 * sandbox-init will run: files base64-encoded, argv templates expanded
 * into plain arrays, limits resolved from the request, the language's
 * defaults and its maxima, and the maxima of the nginx location the
 * request came through (which the defaults never exceed either).
 * Nothing from the request ever reaches a shell.
 *
 * A job's budget: its tests may take tests x wall_time_ms in all, within
 * the runner's --job-wall-budget and the location's budget when the
 * frame carries one (never trusting that nginx checked it); beyond it the
 * submission is refused.  Output is bounded rather than refused: the
 * job's output budget (the smaller of the runner's and the location's)
 * goes to sandbox-init, which ends the test that crosses it.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_check.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_schema.h"
#include "sbx_submit.h"


static const char  *sbx_submit_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/work",
    "LANG=C.UTF-8",
    "TMPDIR=/tmp",
    NULL
};


static int sbx_submit_version(const char *want, const char *have);
static int sbx_submit_patterns(json_t *sub, sbx_error_t *err);
static int sbx_submit_limits(sbx_lang_t *lang, json_t *req,
    const sbx_limits_t *max, sbx_limits_t *limits, sbx_error_t *err);
static json_t *sbx_submit_files(sbx_lang_t *lang, json_t *sub,
    const char **main);
static json_t *sbx_submit_tests(json_t *sub);
static json_t *sbx_submit_b64(const char *data, size_t len);
static int sbx_submit_wall(size_t ntests, int64_t wall, int64_t budget,
    const char *where, sbx_error_t *err);
static int sbx_submit_attr(const sbx_proto_header_t *h, const char *key,
    int64_t *n, sbx_error_t *err);


sbx_job_t *
sbx_submit_prepare(json_t *sub, sbx_error_t *err)
{
    return sbx_submit_prepare_max(sub, NULL, err);
}


sbx_job_t *
sbx_submit_prepare_max(json_t *sub, const sbx_limits_t *max,
    sbx_error_t *err)
{
    size_t          i;
    json_t         *files, *sources, *f, *env, *payload, *v, *checker;
    sbx_job_t      *job;
    sbx_lang_t     *lang;
    const char     *name, *main;
    sbx_limits_t    run;
    sbx_argv_ctx_t  ctx;

    if (sbx_schema_check(sub, err) != SBX_SCHEMA_OK) {
        return NULL;
    }

    name = json_string_value(json_object_get(sub, "language"));
    lang = sbx_lang_find(name);

    if (lang == NULL) {
        sbx_error_set(err, 422, "unknown_language", "language",
                      "no language \"%.32s\"", name);
        return NULL;
    }

    v = json_object_get(sub, "version");

    if (v != NULL
        && !sbx_submit_version(json_string_value(v), lang->version))
    {
        sbx_error_set(err, 422, "unknown_version", "version",
                      "%s has version %s, not %.32s",
                      lang->id, lang->version, json_string_value(v));
        return NULL;
    }

    if (sbx_submit_limits(lang, json_object_get(sub, "limits"), max, &run,
                          err)
        != SBX_OK
        || sbx_submit_patterns(sub, err) != SBX_OK)
    {
        return NULL;
    }

    v = json_object_get(sub, "tests");

    if (sbx_submit_wall(v ? json_array_size(v) : 1, run.v[SBX_LIMIT_WALL],
                        sbx_conf.job_wall_budget, "the runner's", err)
        != SBX_OK)
    {
        return NULL;
    }

    if (max != NULL
        && json_object_set_new(sub, "limits", sbx_limits_json(&run)) != 0)
    {
        goto nomem;
    }

    files = sbx_submit_files(lang, sub, &main);
    if (files == NULL) {
        goto nomem;
    }

    sources = json_array();

    json_array_foreach(files, i, f) {
        name = json_string_value(json_object_get(f, "name"));

        if (sbx_lang_is_source(lang, name)) {
            json_array_append_new(sources, json_string(name));
        }
    }

    ctx.main = main;
    ctx.sources = sources;
    ctx.args = json_object_get(sub, "args");
    ctx.memory_kb = run.v[SBX_LIMIT_MEMORY];

    env = json_array();

    for (i = 0; sbx_submit_env[i]; i++) {
        json_array_append_new(env, json_string(sbx_submit_env[i]));
    }

    json_array_extend(env, lang->env);

    checker = json_object_get(sub, "checker");

    if (json_is_string(checker)) {
        checker = json_pack("{s:O}", "type", checker);

    } else {
        json_incref(checker);
    }

    payload = json_pack("{s:s, s:o, s:o, s:{s:o, s:o}, s:o, s:b}",
                        "workdir", "/work",
                        "env", env,
                        "files", files,
                        "run",
                        "argv", sbx_lang_argv(lang->run, &ctx),
                        "limits", sbx_limits_json(&run),
                        "tests", sbx_submit_tests(sub),
                        "stop_on_failure",
                        json_is_true(json_object_get(sub,
                                                     "stop_on_failure")));

    if (payload == NULL) {
        json_decref(sources);
        json_decref(checker);
        goto nomem;
    }

    if (checker != NULL) {
        json_object_set_new(payload, "checker", checker);
    }

    if (lang->compile != NULL) {
        v = json_pack("{s:o, s:o}",
                      "argv", sbx_lang_argv(lang->compile, &ctx),
                      "limits",
                      sbx_limits_json(&lang->compile_limits));

        if (v == NULL) {
            json_decref(sources);
            json_decref(payload);
            goto nomem;
        }

        json_object_set_new(payload, "compile", v);
    }

    json_decref(sources);

    job = sbx_job_new();
    if (job == NULL) {
        json_decref(payload);
        goto nomem;
    }

    job->lang = lang;
    job->run = run;
    job->compile = lang->compile_limits;
    job->payload = payload;
    job->output_budget = sbx_conf.job_output_budget;

    json_array_foreach(json_object_get(payload, "tests"), i, v) {
        job->ntests++;
        job->data_bytes += sbx_base64_decoded_len(
            json_string_length(json_object_get(v, "stdin"))
            + json_string_length(json_object_get(v, "expected_output")));
    }

    v = json_object_get(sub, "callback_url");

    if (v != NULL) {
        job->callback_url = strdup(json_string_value(v));

        if (job->callback_url == NULL) {
            sbx_job_unref(job);
            goto nomem;
        }
    }

    return job;

nomem:

    sbx_error_set(err, 500, "internal_error", "", "out of memory");

    return NULL;
}


/* "3" and "3.11" match "3.11.2"; "3.1" does not. */

static int
sbx_submit_version(const char *want, const char *have)
{
    size_t  n;

    n = strlen(want);

    return n > 0 && strncmp(want, have, n) == 0
           && (have[n] == '\0' || have[n] == '.' || have[n] == '-');
}


/*
 * A regex checker's pattern is the checker's own, or else each test's
 * expected output: a pattern that does not compile is the client's
 * mistake (400), found before anything runs.
 */

static int
sbx_submit_patterns(json_t *sub, sbx_error_t *err)
{
    char         field[48], msg[128];
    size_t       i;
    json_t      *checker, *p, *tests, *t, *e;

    checker = json_object_get(sub, "checker");
    p = json_is_object(checker) ? json_object_get(checker, "type") : checker;

    if (!json_is_string(p) || strcmp(json_string_value(p), "regex") != 0) {
        return SBX_OK;
    }

    p = json_object_get(checker, "pattern");

    if (p != NULL) {
        if (sbx_check_pattern_ok(json_string_value(p), json_string_length(p),
                                 msg, sizeof(msg))
            != SBX_CHECK_ACCEPTED)
        {
            sbx_error_set(err, 400, "invalid_field",
                          "checker.pattern", "%s", msg);
            return SBX_ERROR;
        }

        return SBX_OK;
    }

    tests = json_object_get(sub, "tests");

    if (tests == NULL) {
        tests = json_pack("[O]", sub);
    } else {
        json_incref(tests);
    }

    json_array_foreach(tests, i, t) {
        e = json_object_get(t, "expected_output");

        if (e == NULL
            || sbx_check_pattern_ok(json_string_value(e),
                                    json_string_length(e), msg, sizeof(msg))
               == SBX_CHECK_ACCEPTED)
        {
            continue;
        }

        if (json_object_get(sub, "tests") != NULL) {
            snprintf(field, sizeof(field), "tests[%zu].expected_output", i);
        } else {
            snprintf(field, sizeof(field), "expected_output");
        }

        sbx_error_set(err, 400, "invalid_field", field, "%s", msg);
        json_decref(tests);
        return SBX_ERROR;
    }

    json_decref(tests);

    return SBX_OK;
}


static int
sbx_submit_limits(sbx_lang_t *lang, json_t *req, const sbx_limits_t *max,
    sbx_limits_t *limits, sbx_error_t *err)
{
    int       i;
    char      field[48];
    json_t   *v;
    int64_t   n;

    for (i = 0; i < SBX_LIMIT_N; i++) {
        v = json_object_get(req, sbx_limit_names[i]);

        if (v == NULL) {
            limits->v[i] = lang->defaults.v[i];

            if (max != NULL) {
                limits->v[i] = sbx_min(limits->v[i], max->v[i]);
            }

            continue;
        }

        n = json_integer_value(v);
        snprintf(field, sizeof(field), "limits.%s", sbx_limit_names[i]);

        if (n > lang->max.v[i]) {
            sbx_error_set(err, 422, "limit_exceeded", field,
                          "must be between 1 and %lld for %s",
                          (long long) lang->max.v[i], lang->id);
            return SBX_ERROR;
        }

        if (max != NULL && n > max->v[i]) {
            sbx_error_set(err, 422, "limit_exceeded", field,
                          "must be at most %lld in this location",
                          (long long) max->v[i]);
            return SBX_ERROR;
        }

        limits->v[i] = n;
    }

    return SBX_OK;
}


int
sbx_submit_max(const sbx_proto_header_t *h, sbx_limits_t *max,
    sbx_error_t *err)
{
    int                     i, found;
    char                    key[48], num[24], *end;
    long long               n;
    const sbx_proto_str_t  *v;

    found = 0;

    for (i = 0; i < SBX_LIMIT_N; i++) {
        max->v[i] = INT64_MAX;

        snprintf(key, sizeof(key), "max-%s", sbx_limit_names[i]);
        v = sbx_proto_attr(h, key);

        if (v == NULL) {
            continue;
        }

        if (v->len == 0 || v->len >= sizeof(num)) {
            goto invalid;
        }

        memcpy(num, v->data, v->len);
        num[v->len] = '\0';

        errno = 0;
        n = strtoll(num, &end, 10);

        if (num[0] < '0' || num[0] > '9' || *end != '\0' || errno != 0
            || n < 1)
        {
            goto invalid;
        }

        max->v[i] = n;
        found++;
    }

    return found;

invalid:

    sbx_error_set(err, 400, "bad_frame", "", "invalid %s attribute", key);

    return SBX_ERROR;
}


int
sbx_submit_budget(sbx_job_t *job, const sbx_proto_header_t *h,
    sbx_error_t *err)
{
    int64_t  wall, output;

    if (sbx_submit_attr(h, "budget-wall_ms", &wall, err) != SBX_OK
        || sbx_submit_attr(h, "budget-output_kb", &output, err) != SBX_OK)
    {
        return SBX_ERROR;
    }

    if (wall != 0
        && sbx_submit_wall(job->ntests, job->run.v[SBX_LIMIT_WALL], wall,
                           "this location's", err)
           != SBX_OK)
    {
        return SBX_ERROR;
    }

    if (output != 0
        && (job->output_budget == 0
            || (uint64_t) output < job->output_budget / 1024))
    {
        job->output_budget = (size_t) output * 1024;
    }

    return SBX_OK;
}


/* ntests x wall within budget, or 422 budget_exceeded naming it. */

static int
sbx_submit_wall(size_t ntests, int64_t wall, int64_t budget,
    const char *where, sbx_error_t *err)
{
    if (ntests == 0 || budget == 0 || wall <= budget / (int64_t) ntests) {
        return SBX_OK;
    }

    sbx_error_set(err, 422, "budget_exceeded", "limits.wall_time_ms",
                  "%s job wall time budget is %lld ms: %zu tests x "
                  "%lld ms is over it", where, (long long) budget, ntests,
                  (long long) wall);

    return SBX_ERROR;
}


/* A budget attribute: a positive integer, or 0 when there is none. */

static int
sbx_submit_attr(const sbx_proto_header_t *h, const char *key, int64_t *n,
    sbx_error_t *err)
{
    char                    num[24], *end;
    long long               v;
    const sbx_proto_str_t  *s;

    *n = 0;
    s = sbx_proto_attr(h, key);

    if (s == NULL) {
        return SBX_OK;
    }

    if (s->len == 0 || s->len >= sizeof(num)) {
        goto invalid;
    }

    memcpy(num, s->data, s->len);
    num[s->len] = '\0';

    errno = 0;
    v = strtoll(num, &end, 10);

    if (num[0] < '0' || num[0] > '9' || *end != '\0' || errno != 0
        || v < 1)
    {
        goto invalid;
    }

    *n = v;

    return SBX_OK;

invalid:

    sbx_error_set(err, 400, "bad_frame", "", "invalid %s attribute", key);

    return SBX_ERROR;
}

static json_t *
sbx_submit_files(sbx_lang_t *lang, json_t *sub, const char **main)
{
    char         buf[SBX_NAME_MAX + 1];
    size_t       i;
    json_t      *files, *list, *f, *content, *data;
    const char  *name, *enc;

    files = json_array();
    if (files == NULL) {
        return NULL;
    }

    content = json_object_get(sub, "source");

    if (content != NULL) {
        data = sbx_submit_b64(json_string_value(content),
                              json_string_length(content));

        /* a Java public class HelloWorld is compiled as HelloWorld.java */

        name = sbx_lang_main_name(lang, json_string_value(content),
                                  json_string_length(content), buf,
                                  sizeof(buf));

        json_array_append_new(files, json_pack("{s:s, s:o}",
                                               "name", name,
                                               "data", data));

        /* the name the files array holds outlives buf */

        *main = json_string_value(json_object_get(json_array_get(files, 0),
                                                  "name"));

        if (*main == NULL) {
            json_decref(files);
            return NULL;
        }

        return files;
    }

    /* the file named like the language's source file is the main one */

    list = json_object_get(sub, "files");
    *main = json_string_value(json_object_get(json_array_get(list, 0),
                                              "name"));

    json_array_foreach(list, i, f) {
        name = json_string_value(json_object_get(f, "name"));
        content = json_object_get(f, "content");
        enc = json_string_value(json_object_get(f, "encoding"));

        if (strcmp(name, lang->source_file) == 0) {
            *main = name;
        }

        if (enc != NULL && strcmp(enc, "base64") == 0) {
            data = json_incref(content);

        } else {
            data = sbx_submit_b64(json_string_value(content),
                                  json_string_length(content));
        }

        json_array_append_new(files, json_pack("{s:s, s:o}",
                                               "name", name, "data", data));
    }

    return files;
}


static json_t *
sbx_submit_tests(json_t *sub)
{
    size_t   i;
    json_t  *tests, *list, *t, *v, *o;

    tests = json_array();
    list = json_object_get(sub, "tests");

    if (list == NULL) {
        list = json_pack("[O]", sub);
    } else {
        json_incref(list);
    }

    json_array_foreach(list, i, t) {
        o = json_object();

        v = json_object_get(t, "stdin");

        json_object_set_new(o, "stdin",
                            v ? sbx_submit_b64(json_string_value(v),
                                               json_string_length(v))
                              : json_string(""));

        v = json_object_get(t, "expected_output");

        if (v != NULL) {
            json_object_set_new(o, "expected_output",
                                sbx_submit_b64(json_string_value(v),
                                               json_string_length(v)));
        }

        json_array_append_new(tests, o);
    }

    json_decref(list);

    return tests;
}


static json_t *
sbx_submit_b64(const char *data, size_t len)
{
    char    *s;
    size_t   n;
    json_t  *v;

    s = malloc(sbx_base64_encoded_len(len) + 1);
    if (s == NULL) {
        return NULL;
    }

    n = sbx_base64_encode(s, (const unsigned char *) data, len);
    v = json_stringn(s, n);
    free(s);

    return v;
}

