
/*
 * The API result from sandbox-init's report (sbx_result.c): a program's
 * output that is not plain UTF-8 text, NUL bytes included, comes back
 * readable with U+FFFD and exactly in <stream>_base64, so that every
 * result is JSON any reader takes.  Found by the result fuzz target
 * (fuzz/result.c; the input is a seed in fuzz/corpus/result/).
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_result.h"
#include "sbx_schema.h"
#include "sbx_submit.h"


#ifndef SBX_FIXTURES
#define SBX_FIXTURES  "runner/tests/fixtures"
#endif


static int
setup(void **state)
{
    char  err[256];

    assert_int_equal(sbx_lang_load(SBX_FIXTURES "/languages.json", err,
                                   sizeof(err)), SBX_OK);
    assert_int_equal(sbx_jobs_init(60000, 1 << 20), SBX_OK);

    return 0;
}


static int
teardown(void **state)
{
    sbx_lang_free();
    return 0;
}


/* The result of a one-test python job whose test printed b64 on stdout. */

static json_t *
built(const char *b64)
{
    char          *s, report[256];
    size_t         len;
    json_t        *sub, *init, *res;
    sbx_job_t     *job;
    sbx_error_t    err;
    sbx_status_e   status;
    const char    *text = "{\"language\":\"python\",\"source\":\"x\"}";

    sub = sbx_schema_parse(text, strlen(text), &err);
    assert_non_null(sub);
    job = sbx_submit_prepare(sub, &err);
    assert_non_null(job);
    json_decref(sub);

    snprintf(report, sizeof(report),
             "{\"tests\":[{\"status\":\"accepted\",\"exit_code\":0,"
             "\"stdout\":\"%s\",\"stderr\":\"\"}],\"error\":null}", b64);

    init = json_loads(report, 0, NULL);
    assert_non_null(init);

    s = sbx_result_build(job, init, NULL, &status, &len);
    assert_non_null(s);

    /* without JSON_ALLOW_NUL, as most readers */

    res = json_loadb(s, len, 0, NULL);
    assert_non_null(res);

    free(s);
    json_decref(init);
    sbx_job_unref(job);

    return res;
}


static void
test_nul_is_lossy(void **state)
{
    json_t  *res, *t;

    res = built("eAA=");                           /* "x\0" */
    t = json_array_get(json_object_get(res, "tests"), 0);

    assert_string_equal(json_string_value(json_object_get(t, "stdout")),
                        "x\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(t,
                                                      "stdout_base64")),
                        "eAA=");
    assert_string_equal(json_string_value(json_object_get(res, "stdout")),
                        "x\xef\xbf\xbd");

    json_decref(res);
}


static void
test_text_is_kept(void **state)
{
    json_t  *res, *t;

    res = built("NDIK");                           /* "42\n" */
    t = json_array_get(json_object_get(res, "tests"), 0);

    assert_string_equal(json_string_value(json_object_get(t, "stdout")),
                        "42\n");
    assert_null(json_object_get(t, "stdout_base64"));

    json_decref(res);
}


static void
test_invalid_utf8_is_lossy(void **state)
{
    json_t  *res, *t;

    res = built("/3g=");                           /* "\xffx" */
    t = json_array_get(json_object_get(res, "tests"), 0);

    assert_string_equal(json_string_value(json_object_get(t, "stdout")),
                        "\xef\xbf\xbdx");
    assert_string_equal(json_string_value(json_object_get(t,
                                                      "stdout_base64")),
                        "/3g=");

    json_decref(res);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_nul_is_lossy),
        cmocka_unit_test(test_text_is_kept),
        cmocka_unit_test(test_invalid_utf8_is_lossy),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
