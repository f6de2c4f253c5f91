
/*
 * The parts of the RUN payload that say how to run and judge the job:
 * the compile and run commands with their limits, the checker, and the
 * tests (docs/protocol.md).  Test stdin and expected outputs are decoded
 * once into one MADV_DONTFORK buffer (see init.h), after every test has
 * been checked and the buffer sized.
 */


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"
#include "init_payload.h"


static int sbx_payload_limits(json_t *v, const char *what,
    sbx_init_limits_t *l, char *err, size_t size);
static size_t sbx_payload_store(sbx_init_job_t *job, json_t *v, size_t len);


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
sbx_payload_cmd(json_t *v, const char *what, sbx_init_cmd_t *cmd,
    char *err, size_t size)
{
    char         name[32];
    const char  *ckeys[] = { "argv", "limits", NULL };

    if (sbx_payload_object(v, ckeys, what, -1, err, size)
        != SBX_INIT_OK)
    {
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

    if (sbx_payload_object(v, sbx_limit_names, what, -1, err, size)
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


int
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
        if (sbx_payload_object(v, ckeys, "checker", -1, err, size)
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


int
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

        if (sbx_payload_object(t, tkeys, "tests", i, err, size)
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

        test->stdin_off = sbx_payload_store(job, json_object_get(t, "stdin"),
                                            test->stdin_len);
        test->expected_off = sbx_payload_store(job,
                                 json_object_get(t, "expected_output"),
                                 test->expected_len);

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


/* Decodes len bytes of v (checked before) into the store: their offset. */

static size_t
sbx_payload_store(sbx_init_job_t *job, json_t *v, size_t len)
{
    size_t  off;

    off = job->store.len;

    if (len) {
        job->store.len += sbx_base64_decode(job->store.data + off,
                                            json_string_value(v),
                                            json_string_length(v));
    }

    return off;
}
