
/*
 * Submissions: the shape check shared with the module (sbx_schema.c) and
 * the runner's own turning of a submission into a job (sbx_submit.c):
 * languages and aliases, versions, limits, files, argv templates, tests.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_lang.h"
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


/* Checks that text is refused with status, code and field. */

static void
refused(const char *text, int status, const char *code, const char *field)
{
    json_t              *sub;
    sbx_job_t           *job;
    sbx_error_t   err;

    sub = sbx_schema_parse(text, strlen(text), &err);

    if (sub == NULL) {
        job = NULL;

    } else {
        job = sbx_submit_prepare(sub, &err);
        json_decref(sub);
    }

    if (job != NULL) {
        print_error("accepted: %s\n", text);
        sbx_job_unref(job);
        fail();
    }

    if (err.status != status || strcmp(err.code, code) != 0
        || strcmp(err.field, field) != 0)
    {
        print_error("%s\n  got %d %s \"%s\": %s\n", text, err.status,
                    err.code, err.field, err.message);
        fail();
    }
}


static sbx_job_t *
accepted(const char *text)
{
    json_t              *sub;
    sbx_job_t           *job;
    sbx_error_t   err;

    sub = sbx_schema_parse(text, strlen(text), &err);
    assert_non_null(sub);

    job = sbx_submit_prepare(sub, &err);
    json_decref(sub);

    if (job == NULL) {
        print_error("%s\n  refused: %d %s \"%s\": %s\n", text, err.status,
                    err.code, err.field, err.message);
        fail();
    }

    return job;
}


static void
test_refused(void **state)
{
    refused("{", 400, "malformed_json", "");
    refused("[]", 400, "invalid_field", "");
    refused("{\"source\":\"x\"}", 400, "missing_field", "language");
    refused("{\"language\":1,\"source\":\"x\"}", 400, "invalid_field",
            "language");
    refused("{\"language\":\"py\"}", 400, "missing_field", "source");
    refused("{\"language\":\"py\",\"source\":\"x\",\"files\":[]}", 400,
            "invalid_field", "files");
    refused("{\"language\":\"py\",\"source\":\"x\",\"colour\":1}", 400,
            "unknown_field", "colour");
    refused("{\"language\":\"py\",\"source\":1}", 400, "invalid_field",
            "source");
    refused("{\"language\":\"py\",\"source\":\"x\",\"stdin\":[]}", 400,
            "invalid_field", "stdin");
    refused("{\"language\":\"py\",\"source\":\"x\",\"args\":[1]}", 400,
            "invalid_field", "args[0]");
    refused("{\"language\":\"py\",\"source\":\"x\",\"limits\":"
            "{\"memory_kb\":\"1\"}}", 400, "invalid_field",
            "limits.memory_kb");
    refused("{\"language\":\"py\",\"source\":\"x\",\"limits\":"
            "{\"memory_kb\":0}}", 400, "invalid_field", "limits.memory_kb");
    refused("{\"language\":\"py\",\"source\":\"x\",\"limits\":{\"disk\":1}}",
            400, "unknown_field", "limits.disk");
    refused("{\"language\":\"py\",\"source\":\"x\",\"checker\":\"fuzzy\"}",
            400, "invalid_field", "checker");
    refused("{\"language\":\"py\",\"source\":\"x\",\"tests\":[],"
            "\"stdin\":\"\"}",
            400, "invalid_field", "tests");
    refused("{\"language\":\"py\",\"source\":\"x\",\"tests\":[{\"stdin\":1}]}",
            400, "invalid_field", "tests[0].stdin");
    refused("{\"language\":\"py\",\"source\":\"x\",\"callback_url\":"
            "\"ftp://x\"}", 400, "invalid_field", "callback_url");
    refused("{\"language\":\"py\",\"source\":\"x\",\"stop_on_failure\":1}",
            400, "invalid_field", "stop_on_failure");
    refused("{\"language\":\"py\",\"source\":\"x\",\"source\":\"y\"}", 400,
            "malformed_json", "");

    /* files: names that could escape, duplicates, bad base64 */
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"../x\","
            "\"content\":\"\"}]}", 400, "invalid_field", "files[0].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"/etc/x\","
            "\"content\":\"\"}]}", 400, "invalid_field", "files[0].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a/b/c\","
            "\"content\":\"\"}]}", 400, "invalid_field", "files[0].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a b\","
            "\"content\":\"\"}]}", 400, "invalid_field", "files[0].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a/.\","
            "\"content\":\"\"}]}", 400, "invalid_field", "files[0].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a\",\"content\":\"\"},"
            "{\"name\":\"a\",\"content\":\"\"}]}", 400, "invalid_field",
            "files[1].name");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a\","
            "\"content\":\"!!\",\"encoding\":\"base64\"}]}", 400,
            "invalid_field", "files[0].content");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a\","
            "\"content\":\"\",\"encoding\":\"hex\"}]}", 400,
            "invalid_field", "files[0].encoding");
    refused("{\"language\":\"py\",\"files\":[{\"name\":\"a\"}]}", 400,
            "missing_field", "files[0].content");

    /* a regex that does not compile is the client's mistake */
    refused("{\"language\":\"py\",\"source\":\"x\",\"checker\":"
            "{\"type\":\"regex\",\"pattern\":\"(\"}}", 400,
            "invalid_field", "checker.pattern");
    refused("{\"language\":\"py\",\"source\":\"x\",\"checker\":\"regex\","
            "\"tests\":[{\"expected_output\":\"a+\"},"
            "{\"expected_output\":\"[\"}]}", 400, "invalid_field",
            "tests[1].expected_output");
    refused("{\"language\":\"py\",\"source\":\"x\",\"checker\":\"regex\","
            "\"expected_output\":\"*\"}", 400, "invalid_field",
            "expected_output");

    /* the runner's own checks */
    refused("{\"language\":\"cobol\",\"source\":\"x\"}", 422,
            "unknown_language", "language");
    refused("{\"language\":\"py\",\"version\":\"2\",\"source\":\"x\"}", 422,
            "unknown_version", "version");
    refused("{\"language\":\"py\",\"version\":\"3.1\",\"source\":\"x\"}", 422,
            "unknown_version", "version");
    refused("{\"language\":\"py\",\"source\":\"x\",\"limits\":"
            "{\"memory_kb\":524289}}", 422, "limit_exceeded",
            "limits.memory_kb");
}


static void
test_python(void **state)
{
    json_t       *p, *run, *t;
    sbx_job_t    *job;
    const char   *s;

    job = accepted("{\"language\":\"python\",\"version\":\"3.11\","
                   "\"source\":\"print(input())\",\"stdin\":\"hi\\n\","
                   "\"args\":[\"-v\",\"x y\"],"
                   "\"limits\":{\"cpu_time_ms\":500}}");

    assert_string_equal(job->lang->id, "py");
    assert_int_equal(job->run.v[SBX_LIMIT_CPU], 500);
    assert_int_equal(job->run.v[SBX_LIMIT_MEMORY], 131072);
    assert_int_equal(job->ntests, 1);
    assert_true(sbx_valid_id(job->id, strlen(job->id)));

    p = job->payload;

    /* argv: template expanded, args as separate elements, no shell */
    run = json_object_get(json_object_get(p, "run"), "argv");
    s = json_dumps(run, JSON_COMPACT);
    assert_string_equal(s, "[\"python3\",\"main.py\",\"-v\",\"x y\"]");
    free((void *) s);

    assert_null(json_object_get(p, "compile"));

    /* content travels base64 */
    t = json_array_get(json_object_get(p, "files"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "name")),
                        "main.py");
    assert_string_equal(json_string_value(json_object_get(t, "data")),
                        "cHJpbnQoaW5wdXQoKSk=");

    t = json_array_get(json_object_get(p, "tests"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "stdin")),
                        "aGkK");
    assert_null(json_object_get(t, "expected_output"));

    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(p, "run"),
                                         "limits"), "cpu_time_ms")), 500);

    sbx_job_unref(job);
}


static void
test_java_files(void **state)
{
    char        *s;
    json_t      *p, *files;
    sbx_job_t   *job;

    /* Main.java is the main file wherever it stands; sources in order */

    job = accepted("{\"language\":\"java\",\"files\":["
                   "{\"name\":\"util/Helper.java\",\"content\":\"class H{}\"},"
                   "{\"name\":\"Main.java\",\"content\":\"class Main{}\"},"
                   "{\"name\":\"data.bin\",\"content\":\"AAEC\","
                   "\"encoding\":\"base64\"}],"
                   "\"tests\":[{\"stdin\":\"1\",\"expected_output\":\"2\"},"
                   "{\"expected_output\":\"3\"}],"
                   "\"checker\":\"trimmed\",\"stop_on_failure\":true,"
                   "\"limits\":{\"memory_kb\":131072}}");

    p = job->payload;

    s = json_dumps(json_object_get(json_object_get(p, "compile"), "argv"),
                   JSON_COMPACT);
    assert_string_equal(s, "[\"javac\",\"-d\",\".\",\"util/Helper.java\","
                           "\"Main.java\"]");
    free(s);

    s = json_dumps(json_object_get(json_object_get(p, "run"), "argv"),
                   JSON_COMPACT);
    assert_string_equal(s, "[\"java\",\"-XX:MaxRAM=131072k\",\"-Xss128m\","
                           "\"-cp\",\".\",\"Main\"]");
    free(s);

    files = json_object_get(p, "files");
    assert_int_equal(json_array_size(files), 3);

    /* base64 content is passed through untouched */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(files, 2), "data")), "AAEC");

    assert_int_equal(job->ntests, 2);
    assert_int_equal(job->compile.v[SBX_LIMIT_MEMORY], 786432);
    assert_true(json_is_true(json_object_get(p, "stop_on_failure")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(p, "checker"), "type")),
                        "trimmed");

    sbx_job_unref(job);
}


/* The file name main_from derives: its argv, its files entry. */

static void
main_file(const char *text, const char *name, const char *cls)
{
    char        *s, want[256];
    json_t      *p;
    sbx_job_t   *job;

    job = accepted(text);
    p = job->payload;

    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(p, "files"), 0),
                            "name")), name);

    s = json_dumps(json_object_get(json_object_get(p, "compile"), "argv"),
                   JSON_COMPACT);
    snprintf(want, sizeof(want), "[\"javac\",\"-d\",\".\",\"%s\"]", name);
    assert_string_equal(s, want);
    free(s);

    s = json_dumps(json_object_get(json_object_get(p, "run"), "argv"),
                   JSON_COMPACT);
    assert_non_null(strstr(s, cls));
    free(s);

    sbx_job_unref(job);
}


static void
test_main_from(void **state)
{
    int   n;
    char  text[512];

    /* Java's public class names the file, as javac demands */

    main_file("{\"language\":\"java\",\"source\":"
              "\"import java.util.*;\\n\\npublic class HelloWorld {}\"}",
              "HelloWorld.java", "\"HelloWorld\"]");
    main_file("{\"language\":\"java\",\"source\":"
              "\"  public final class A_1 {}\"}",
              "A_1.java", "\"A_1\"]");

    /* no public class, or a name the file-name rule refuses: Main.java */

    main_file("{\"language\":\"java\",\"source\":\"class Foo {}\"}",
              "Main.java", "\"Main\"]");
    main_file("{\"language\":\"java\",\"source\":\"public class Co$t {}\"}",
              "Main.java", "\"Main\"]");
    /* a class name longer than any file name may be */

    n = snprintf(text, sizeof(text),
                 "{\"language\":\"java\",\"source\":\"public class ");
    memset(text + n, 'A', 200);
    snprintf(text + n + 200, sizeof(text) - n - 200, " {}\"}");
    main_file(text, "Main.java", "\"Main\"]");
    main_file("{\"language\":\"java\",\"source\":"
              "\"public class \\u00e9t\\u00e9 {}\"}",
              "Main.java", "\"Main\"]");

    /* files keep the names they were given */

    main_file("{\"language\":\"java\",\"files\":[{\"name\":\"Main.java\","
              "\"content\":\"public class Other {}\"}]}",
              "Main.java", "\"Main\"]");
}


static void
test_names(void **state)
{
    assert_true(sbx_valid_name("Main.java", 9));
    assert_true(sbx_valid_name("a/b.c", 5));
    assert_true(sbx_valid_name(".hidden", 7));
    assert_false(sbx_valid_name("..", 2));
    assert_false(sbx_valid_name("a/", 2));
    assert_false(sbx_valid_name("/a", 2));
    assert_false(sbx_valid_name("a//b", 4));
    assert_false(sbx_valid_name("a\0b", 3));
    assert_false(sbx_valid_name("", 0));
}


static void
test_base64(void **state)
{
    char           enc[64];
    size_t         n;
    unsigned char  dec[64];

    n = sbx_base64_encode(enc, (const unsigned char *) "hello!?", 7);
    assert_int_equal(n, 12);
    assert_memory_equal(enc, "aGVsbG8hPw==", 12);

    assert_int_equal(sbx_base64_decode(dec, "aGVsbG8hPw==", 12), 7);
    assert_memory_equal(dec, "hello!?", 7);
    assert_int_equal(sbx_base64_decode(dec, "", 0), 0);
    assert_int_equal(sbx_base64_decode(NULL, "AA==", 4), 1);
    assert_int_equal(sbx_base64_decode(NULL, "AAA=", 4), 2);

    /* not canonical, or not base64 at all */
    assert_int_equal(sbx_base64_decode(NULL, "AB==", 4), -1);
    assert_int_equal(sbx_base64_decode(NULL, "AAA", 3), -1);
    assert_int_equal(sbx_base64_decode(NULL, "A=AA", 4), -1);
    assert_int_equal(sbx_base64_decode(NULL, "AA\nA", 4), -1);
    assert_int_equal(sbx_base64_decode(NULL, "====", 4), -1);
}


/*
 * A location's maxima (the frame's max-* attributes): a default above
 * one is clamped to it and written back into the submission; a request
 * above one is refused, whatever the module let through.
 */

static void
test_location_max(void **state)
{
    json_t               *sub, *l;
    sbx_job_t            *job;
    sbx_limits_t          max;
    sbx_error_t           err;
    sbx_proto_header_t    h;
    static const char     frame[] =
        "SBX/1 SUBMIT 0 wait=1 max-cpu_time_ms=1000 max-memory_kb=65536"
        " max-processes=64\r\n";
    static const char     bad[] = "SBX/1 SUBMIT 0 max-memory_kb=-5\r\n";
    static const char     none[] = "SBX/1 SUBMIT 0 wait=1\r\n";
    static const char     text[] =
        "{\"language\":\"py\",\"source\":\"x\","
        "\"limits\":{\"wall_time_ms\":3000}}";
    static const char     over[] =
        "{\"language\":\"py\",\"source\":\"x\","
        "\"limits\":{\"memory_kb\":65537}}";

    assert_int_equal(sbx_proto_parse_header(none, sizeof(none) - 1, 0, &h),
                     SBX_PROTO_OK);
    assert_int_equal(sbx_submit_max(&h, &max, &err), 0);
    assert_true(max.v[SBX_LIMIT_MEMORY] == INT64_MAX);

    assert_int_equal(sbx_proto_parse_header(bad, sizeof(bad) - 1, 0, &h),
                     SBX_PROTO_OK);
    assert_int_equal(sbx_submit_max(&h, &max, &err), SBX_ERROR);
    assert_int_equal(err.status, 400);

    assert_int_equal(sbx_proto_parse_header(frame, sizeof(frame) - 1, 0,
                                            &h),
                     SBX_PROTO_OK);
    assert_int_equal(sbx_submit_max(&h, &max, &err), 3);

    sub = sbx_schema_parse(text, sizeof(text) - 1, &err);
    assert_non_null(sub);

    job = sbx_submit_prepare_max(sub, &max, &err);
    assert_non_null(job);

    /* defaults 2000 ms, 128 MiB, 32 processes; asked 3000 ms wall */
    assert_int_equal(job->run.v[SBX_LIMIT_CPU], 1000);
    assert_int_equal(job->run.v[SBX_LIMIT_MEMORY], 65536);
    assert_int_equal(job->run.v[SBX_LIMIT_PROCESSES], 32);
    assert_int_equal(job->run.v[SBX_LIMIT_WALL], 3000);

    l = json_object_get(sub, "limits");
    assert_int_equal(json_integer_value(json_object_get(l, "memory_kb")),
                     65536);
    assert_int_equal(json_integer_value(json_object_get(l, "cpu_time_ms")),
                     1000);

    sbx_job_unref(job);
    json_decref(sub);

    sub = sbx_schema_parse(over, sizeof(over) - 1, &err);
    assert_non_null(sub);
    assert_null(sbx_submit_prepare_max(sub, &max, &err));
    assert_int_equal(err.status, 422);
    assert_string_equal(err.code, "limit_exceeded");
    assert_string_equal(err.field, "limits.memory_kb");
    json_decref(sub);
}


/*
 * A job's budget: tests x wall time over the runner's budget, or over a
 * location's (the frame's budget-* attributes), is refused whatever the
 * module did; the output budget is the smaller of the two.
 */

static void
test_budget(void **state)
{
    char                  text[8192];
    size_t                i, n;
    json_t               *sub;
    sbx_job_t            *job;
    sbx_error_t           err;
    sbx_proto_header_t    h;
    static const char     frame[] =
        "SBX/1 SUBMIT 0 budget-wall_ms=20000 budget-output_kb=512\r\n";
    static const char     bad[] = "SBX/1 SUBMIT 0 budget-wall_ms=x\r\n";

    sbx_conf.job_wall_budget = 60000;
    sbx_conf.job_output_budget = 1024 * 1024;

    /* 4 tests x 20000 ms: over the runner's 60 s */

    n = snprintf(text, sizeof(text), "{\"language\":\"py\",\"source\":"
                 "\"x\",\"limits\":{\"wall_time_ms\":20000},\"tests\":[");

    for (i = 0; i < 4; i++) {
        n += snprintf(text + n, sizeof(text) - n, "%s{}", i ? "," : "");
    }

    n += snprintf(text + n, sizeof(text) - n, "]}");

    sub = sbx_schema_parse(text, n, &err);
    assert_non_null(sub);
    assert_null(sbx_submit_prepare(sub, &err));
    assert_int_equal(err.status, 422);
    assert_string_equal(err.code, "budget_exceeded");
    assert_string_equal(err.field, "limits.wall_time_ms");
    assert_non_null(strstr(err.message, "60000 ms"));
    json_decref(sub);

    /* 3 tests fit the runner's budget, not the location's 20 s */

    text[n - 5] = ']';
    text[n - 4] = '}';

    sub = sbx_schema_parse(text, n - 3, &err);
    assert_non_null(sub);
    job = sbx_submit_prepare(sub, &err);
    assert_non_null(job);
    assert_int_equal(job->ntests, 3);
    assert_int_equal(job->output_budget, 1024 * 1024);

    assert_int_equal(sbx_proto_parse_header(bad, sizeof(bad) - 1, 0, &h),
                     SBX_PROTO_OK);
    assert_int_equal(sbx_submit_budget(job, &h, &err), SBX_ERROR);
    assert_int_equal(err.status, 400);

    assert_int_equal(sbx_proto_parse_header(frame, sizeof(frame) - 1, 0,
                                            &h),
                     SBX_PROTO_OK);
    assert_int_equal(sbx_submit_budget(job, &h, &err), SBX_ERROR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.code, "budget_exceeded");
    assert_non_null(strstr(err.message, "this location's"));

    sbx_job_unref(job);
    json_decref(sub);

    /* one test fits both; the output budget is the location's */

    sub = sbx_schema_parse(text, n - 3, &err);
    json_array_clear(json_object_get(sub, "tests"));
    json_array_append_new(json_object_get(sub, "tests"), json_object());
    job = sbx_submit_prepare(sub, &err);
    assert_non_null(job);
    assert_int_equal(sbx_submit_budget(job, &h, &err), SBX_OK);
    assert_int_equal(job->output_budget, 512 * 1024);

    sbx_job_unref(job);
    json_decref(sub);

    sbx_conf.job_wall_budget = 0;
    sbx_conf.job_output_budget = 0;
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_python),
        cmocka_unit_test(test_java_files),
        cmocka_unit_test(test_main_from),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_location_max),
        cmocka_unit_test(test_budget),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
