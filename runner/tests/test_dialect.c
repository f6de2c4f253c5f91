
/*
 * Unit tests of the API dialects (common/sbx_dialect*.c): each Piston and
 * Judge0 request becomes the native submission it stands for, each native
 * answer becomes the dialect's shape, and each refusal the dialect's
 * message; Piston's semver ranges match as node-semver's would.
 */


#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_dialect.h"
#include "sbx_dialect_judge0.h"
#include "sbx_dialect_piston.h"


static json_t *
load(const char *text)
{
    json_t  *v;

    v = json_loads(text, 0, NULL);
    assert_non_null(v);

    return v;
}


/* the translation of in equals want (both JSON texts) */

static void
same(json_t *got, const char *want)
{
    json_t  *w;
    char    *g;

    assert_non_null(got);

    w = load(want);

    if (!json_equal(got, w)) {
        g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("got  %s\nwant %s\n", g, want);
        free(g);
        fail();
    }

    json_decref(w);
    json_decref(got);
}


static json_t *
piston(const char *body, sbx_error_t *err)
{
    json_t  *in, *out;

    in = load(body);
    out = sbx_piston_submission(in, err);
    json_decref(in);

    return out;
}


static void
piston_refused(const char *body, const char *message)
{
    sbx_error_t   err;

    assert_null(piston(body, &err));
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, message);
}


static void
test_piston_request(void **state)
{
    sbx_error_t  err;

    (void) state;

    /* one unnamed file is the source; stdin gets its line feed */

    same(piston("{\"language\":\"py\",\"version\":\"3.x\","
                "\"files\":[{\"content\":\"print(1)\"}],\"stdin\":\"a\","
                "\"args\":[\"x\"],\"run_timeout\":1500.5,"
                "\"run_memory_limit\":1048577,\"run_cpu_time\":-1,"
                "\"compile_timeout\":99999,\"extra\":1}", &err),
         "{\"language\":\"py\",\"version\":\"3.x\",\"source\":\"print(1)\","
         "\"stdin\":\"a\\n\",\"args\":[\"x\"],"
         "\"limits\":{\"wall_time_ms\":1501,\"memory_kb\":1025}}");

    /* named, unnamed, base64 and hex files; empty args are none */

    same(piston("{\"language\":\"c\",\"version\":\"*\",\"args\":[],"
                "\"files\":[{\"name\":\"a.c\",\"content\":\"x\"},"
                "{\"content\":\"eQ==\",\"encoding\":\"base64\"},"
                "{\"name\":\"h\",\"content\":\"6869\",\"encoding\":\"hex\"},"
                "{\"name\":\"u\",\"content\":\"z\",\"encoding\":\"utf16\"}],"
                "\"stdin\":\"\\n\"}", &err),
         "{\"language\":\"c\",\"version\":\"*\",\"stdin\":\"\\n\","
         "\"files\":[{\"name\":\"a.c\",\"content\":\"x\"},"
         "{\"name\":\"file1.code\",\"content\":\"eQ==\","
         "\"encoding\":\"base64\"},"
         "{\"name\":\"h\",\"content\":\"aGk=\",\"encoding\":\"base64\"},"
         "{\"name\":\"u\",\"content\":\"z\"}]}");

    piston_refused("[]", "the request must be a JSON object");
    piston_refused("{\"version\":\"*\",\"files\":[]}",
                   "language is required as a string");
    piston_refused("{\"language\":\"c\",\"files\":[]}",
                   "version is required as a string");
    piston_refused("{\"language\":\"c\",\"version\":\"*\"}",
                   "files is required as an array");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":[{}]}",
                   "files[0].content is required as a string");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":"
                   "[{\"content\":\"eA==\",\"encoding\":\"base64\"}]}",
                   "files must include at least one utf8 encoded file");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":"
                   "[{\"content\":\"x\"},{\"content\":\"zz\","
                   "\"encoding\":\"hex\"}]}",
                   "files[1].content is not hex");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":"
                   "[{\"content\":\"x\"}],\"run_timeout\":\"1\"}",
                   "If specified, run_timeout must be a number");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":"
                   "[{\"content\":\"x\"}],\"compile_memory_limit\":-2}",
                   "compile_memory_limit must be non-negative");
    piston_refused("{\"language\":\"c\",\"version\":\"*\",\"files\":"
                   "[{\"content\":\"x\"}],\"args\":\"a b\"}",
                   "args must be an array of strings");
}


static void
test_piston_versions(void **state)
{
    size_t  i;

    static const char  *match[] = {
        "*", "", "x", "X", "3", "3.x", "3.11", "3.11.x", "3.11.*", "3.11.2",
        "=3.11.2", "v3.11.2", "^3", "^3.10", "^3.11.2", "~3.11", "~3.11.1",
        ">=3.8", ">= 3.8", ">3.10", ">2", "<4", "<=3.11.2", "<=3",
        ">=3.8 <4", "2 || 3", "1.0.0 - 3.11.2", "3.11.2-rc1", NULL
    };

    static const char  *miss[] = {
        "2", "3.1", "3.12", "3.11.3", "^3.12", "^2", "~3.10", ">3.11.2", ">3",
        ">=4", "<3", "<3.11.2", ">=3.8 <3.11", "4 || 2", "1.0.0 - 3.11.1",
        "latest", "3.11.2.x.y", "~", NULL
    };

    (void) state;

    for (i = 0; match[i]; i++) {
        if (!sbx_piston_version_match(match[i], "3.11.2")) {
            print_error("\"%s\" should match 3.11.2\n", match[i]);
            fail();
        }
    }

    for (i = 0; miss[i]; i++) {
        if (sbx_piston_version_match(miss[i], "3.11.2")) {
            print_error("\"%s\" should not match 3.11.2\n", miss[i]);
            fail();
        }
    }

    /* four numbers, as some runtimes have */

    assert_true(sbx_piston_version_match("17", "17.0.21.1"));
    assert_true(sbx_piston_version_match("17.0.21", "17.0.21.1"));
    assert_true(sbx_piston_version_match("^0.2.1", "0.2.5"));
    assert_false(sbx_piston_version_match("^0.2.1", "0.3.0"));
    assert_false(sbx_piston_version_match("18", "17.0.21.1"));
}


static void
test_piston_result(void **state)
{
    int      status;
    json_t  *in;

    (void) state;

    in = load("{\"id\":\"i\",\"status\":\"accepted\","
              "\"language\":{\"id\":\"c\",\"version\":\"12.2.0\"},"
              "\"stdout\":\"o\",\"stderr\":\"e\",\"exit_code\":0,"
              "\"signal\":null,\"time_ms\":3,\"wall_time_ms\":9,"
              "\"memory_kb\":2,\"compile\":{\"status\":\"ok\","
              "\"stdout\":\"\",\"stderr\":\"w\",\"exit_code\":0,"
              "\"signal\":null,\"time_ms\":100,\"wall_time_ms\":150,"
              "\"memory_kb\":1000}}");
    same(sbx_piston_result(in, &status),
         "{\"language\":\"c\",\"version\":\"12.2.0\","
         "\"compile\":{\"stdout\":\"\",\"stderr\":\"w\",\"output\":\"w\","
         "\"code\":0,\"signal\":null,\"message\":null,\"status\":null,"
         "\"cpu_time\":100,\"wall_time\":150,\"memory\":1024000},"
         "\"run\":{\"stdout\":\"o\",\"stderr\":\"e\",\"output\":\"oe\","
         "\"code\":0,\"signal\":null,\"message\":null,\"status\":null,"
         "\"cpu_time\":3,\"wall_time\":9,\"memory\":2048}}");
    assert_int_equal(status, 200);
    json_decref(in);

    /* a failed compile is the run too */

    in = load("{\"status\":\"compilation_error\",\"message\":\"m\","
              "\"language\":{\"id\":\"c\",\"version\":\"1\"},"
              "\"compile\":{\"status\":\"compilation_error\","
              "\"stdout\":\"\",\"stderr\":\"x\",\"exit_code\":1,"
              "\"signal\":null,\"time_ms\":1,\"wall_time_ms\":1,"
              "\"memory_kb\":1}}");
    same(sbx_piston_result(in, &status),
         "{\"language\":\"c\",\"version\":\"1\","
         "\"compile\":{\"stdout\":\"\",\"stderr\":\"x\",\"output\":\"x\","
         "\"code\":1,\"signal\":null,\"message\":\"m\",\"status\":\"RE\","
         "\"cpu_time\":1,\"wall_time\":1,\"memory\":1024},"
         "\"run\":{\"stdout\":\"\",\"stderr\":\"x\",\"output\":\"x\","
         "\"code\":1,\"signal\":null,\"message\":\"m\",\"status\":\"RE\","
         "\"cpu_time\":1,\"wall_time\":1,\"memory\":1024}}");
    json_decref(in);

    /* the verdicts as isolate's statuses */

    in = load("{\"status\":\"time_limit_exceeded\",\"message\":\"t\","
              "\"language\":{\"id\":\"py\",\"version\":\"3\"},"
              "\"compile\":null,\"stdout\":\"\",\"stderr\":\"\","
              "\"exit_code\":null,\"signal\":null,\"time_ms\":1,"
              "\"wall_time_ms\":1,\"memory_kb\":1}");
    same(json_object_get(sbx_piston_result(in, &status), "run"),
         "{\"stdout\":\"\",\"stderr\":\"\",\"output\":\"\",\"code\":null,"
         "\"signal\":\"SIGKILL\",\"message\":\"t\",\"status\":\"TO\","
         "\"cpu_time\":1,\"wall_time\":1,\"memory\":1024}");
    json_decref(in);

    in = load("{\"status\":\"output_limit_exceeded\",\"language\":{},"
              "\"truncated\":{\"stdout\":false,\"stderr\":true}}");
    assert_string_equal(json_string_value(json_object_get(json_object_get(
        sbx_piston_result(in, &status), "run"), "status")), "EL");
    json_decref(in);

    in = load("{\"status\":\"runtime_error\",\"language\":{},"
              "\"signal\":\"SIGSEGV\",\"exit_code\":null}");
    assert_string_equal(json_string_value(json_object_get(json_object_get(
        sbx_piston_result(in, &status), "run"), "status")), "SG");
    json_decref(in);

    in = load("{\"status\":\"internal_error\",\"message\":\"boom\"}");
    same(sbx_piston_result(in, &status), "{\"message\":\"boom\"}");
    assert_int_equal(status, 500);
    json_decref(in);
}


static void
test_piston_runtimes_errors(void **state)
{
    int           status;
    json_t       *in;
    sbx_error_t   err;

    (void) state;

    in = load("[{\"id\":\"python\",\"version\":\"3.11.2\","
              "\"aliases\":[\"py\"],\"name\":\"Python\"}]");
    same(sbx_piston_runtimes(in),
         "[{\"language\":\"python\",\"version\":\"3.11.2\","
         "\"aliases\":[\"py\"]}]");
    json_decref(in);

    sbx_error_set(&err, 422, "limit_exceeded", "limits.wall_time_ms",
                  "must be at most %d", 5);
    same(sbx_piston_error(&err, &status),
         "{\"message\":\"limits.wall_time_ms: must be at most 5\"}");
    assert_int_equal(status, 400);

    sbx_error_set(&err, 503, "queue_full", "", "full");
    same(sbx_piston_error(&err, &status), "{\"message\":\"full\"}");
    assert_int_equal(status, 503);
}


static json_t *
judge0(const char *body, int base64, sbx_error_t *err)
{
    json_t  *in, *out;

    in = load(body);
    out = sbx_judge0_submission(in, base64, err);
    json_decref(in);

    return out;
}


static void
judge0_refused(const char *body, const char *field, const char *message)
{
    sbx_error_t   err;

    assert_null(judge0(body, 0, &err));
    assert_int_equal(err.status, 422);
    assert_string_equal(err.field, field);
    assert_string_equal(err.message, message);
}


static void
test_judge0_request(void **state)
{
    sbx_error_t  err;

    (void) state;

    same(judge0("{\"source_code\":\"s\",\"language_id\":71,\"stdin\":\"i\","
                "\"expected_output\":\"o\",\"cpu_time_limit\":1.5,"
                "\"wall_time_limit\":\"3\",\"memory_limit\":65536,"
                "\"max_processes_and_or_threads\":8,\"max_file_size\":0,"
                "\"stack_limit\":64000,\"number_of_runs\":1,"
                "\"enable_network\":false,\"compiler_options\":\"\","
                "\"command_line_arguments\":\" a  b \","
                "\"callback_url\":\"http://h/\",\"unknown\":1}", 0, &err),
         "{\"language\":\"python\",\"source\":\"s\",\"stdin\":\"i\","
         "\"expected_output\":\"o\",\"checker\":\"trimmed\","
         "\"limits\":{\"cpu_time_ms\":1500,\"wall_time_ms\":3000,"
         "\"memory_kb\":65536,\"processes\":8},"
         "\"args\":[\"a\",\"b\"],\"callback_url\":\"http://h/\"}");

    /* base64 in; older compilers' ids run on the runner's */

    same(judge0("{\"source_code\":\"aW50\\nIG1h\",\"language_id\":\"48\","
                "\"stdin\":null}", 1, &err),
         "{\"language\":\"c\",\"source\":\"int ma\"}");

    judge0_refused("{\"language_id\":71}", "source_code", "can't be blank");
    judge0_refused("{\"source_code\":\"x\"}", "language_id",
                   "can't be blank");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":999}",
                   "language_id", "language with id 999 doesn't exist");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":\"c\"}",
                   "language_id", "language with id c doesn't exist");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"wall_time_limit\":0.5}", "wall_time_limit",
                   "must be greater than or equal to 1");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"cpu_time_limit\":-1}", "cpu_time_limit",
                   "must be greater than or equal to 0");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"max_processes_and_or_threads\":0}",
                   "max_processes_and_or_threads",
                   "must be greater than 0");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"memory_limit\":[1]}", "memory_limit",
                   "is not a number");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"additional_files\":\"UEsDB\"}", "additional_files",
                   "setting additional files is not allowed");
    judge0_refused("{\"source_code\":\"x\",\"language_id\":71,"
                   "\"enable_per_process_and_thread_time_limit\":true}",
                   "enable_per_process_and_thread_time_limit",
                   "this option cannot be enabled");

    assert_null(judge0("{\"source_code\":\"%%%\",\"language_id\":71}", 1,
                       &err));
    assert_string_equal(err.field, "source_code");

    /* a batch keeps a refused item as its error, in place */

    {
        json_t  *in;

        in = load("{\"submissions\":[{\"source_code\":\"x\","
                  "\"language_id\":46},{\"language_id\":46}]}");
        same(sbx_judge0_batch(in, 0, &err),
             "{\"submissions\":[{\"language\":\"bash\",\"source\":\"x\"},"
             "{\"error\":{\"code\":\"missing_field\","
             "\"field\":\"source_code\",\"message\":\"can't be blank\"}}]}");
        json_decref(in);

        in = load("{\"submissions\":[]}");
        assert_null(sbx_judge0_batch(in, 0, &err));
        assert_int_equal(err.status, 400);
        json_decref(in);
    }
}


static void
test_judge0_fields(void **state)
{
    char      bad[64];
    uint64_t  m;

    (void) state;

    m = sbx_judge0_fields("stdout,token", 12, bad, sizeof(bad));
    assert_int_equal(m, ((uint64_t) 1 << 4) | ((uint64_t) 1 << 11));

    m = sbx_judge0_fields("*", 1, bad, sizeof(bad));
    assert_int_equal(m, ((uint64_t) 1 << 35) - 1);

    m = sbx_judge0_fields("stdout,a,,b", 11, bad, sizeof(bad));
    assert_int_equal(m, 0);
    assert_string_equal(bad, "a, b");
}


static uint64_t
fields(const char *s)
{
    char      bad[64];
    uint64_t  m;

    m = sbx_judge0_fields(s, strlen(s), bad, sizeof(bad));
    assert_true(m != 0);

    return m;
}


static void
test_judge0_result(void **state)
{
    json_t         *in;
    sbx_dialect_t   d;

    (void) state;

    memset(&d, 0, sizeof(d));
    d.api = SBX_API_JUDGE0;

    in = load("{\"id\":\"t\",\"status\":\"runtime_error\","
              "\"language\":{\"id\":\"python\",\"version\":\"3.11.2\"},"
              "\"stdout\":\"hi\\n\",\"stderr\":\"\",\"exit_code\":null,"
              "\"signal\":\"SIGSEGV\",\"time_ms\":12,\"wall_time_ms\":2000,"
              "\"memory_kb\":900,\"message\":\"m\",\"compile\":null,"
              "\"limits\":{\"cpu_time_ms\":1500}}");

    same(sbx_judge0_result(in, &d),
         "{\"token\":\"t\",\"time\":\"0.012\",\"memory\":900,"
         "\"stdout\":\"hi\\n\",\"stderr\":null,\"compile_output\":null,"
         "\"message\":\"m\",\"status\":{\"id\":7,"
         "\"description\":\"Runtime Error (SIGSEGV)\"}}");

    d.base64 = 1;
    d.fields = fields("stdout,exit_signal,wall_time,cpu_time_limit,"
                      "language_id,language");
    same(sbx_judge0_result(in, &d),
         "{\"stdout\":\"aGkK\",\"exit_signal\":11,\"wall_time\":\"2.0\","
         "\"cpu_time_limit\":\"1.5\",\"language_id\":71,"
         "\"language\":{\"id\":71,\"name\":\"Python (3.11.2)\"}}");
    json_decref(in);

    /* queued: nothing measured yet */

    d.base64 = 0;
    d.fields = 0;
    in = load("{\"id\":\"q\",\"status\":\"queued\","
              "\"language\":{\"id\":\"c\",\"version\":\"1\"}}");
    same(sbx_judge0_result(in, &d),
         "{\"token\":\"q\",\"time\":null,\"memory\":null,\"stdout\":null,"
         "\"stderr\":null,\"compile_output\":null,\"message\":null,"
         "\"status\":{\"id\":1,\"description\":\"In Queue\"}}");
    json_decref(in);

    /* a compile error's output is the compiler's */

    in = load("{\"id\":\"c\",\"status\":\"compilation_error\","
              "\"compile\":{\"stdout\":\"a\",\"stderr\":\"b\"}}");
    d.fields = fields("compile_output,status_id");
    same(sbx_judge0_result(in, &d),
         "{\"compile_output\":\"ab\",\"status_id\":6}");
    json_decref(in);
}


static void
test_judge0_answers(void **state)
{
    int           status;
    json_t       *in, *v;
    sbx_error_t   err;

    (void) state;

    in = load("{\"submissions\":[{\"id\":\"a\",\"status\":\"queued\"},"
              "{\"error\":{\"code\":\"x\",\"field\":\"language\","
              "\"message\":\"no\"}},"
              "{\"error\":{\"code\":\"x\",\"message\":\"bad\"}}]}");
    same(sbx_judge0_batch_created(in, &status),
         "[{\"token\":\"a\"},{\"language_id\":[\"no\"]},"
         "{\"base\":[\"bad\"]}]");
    assert_int_equal(status, 201);
    json_decref(in);

    in = load("{\"submissions\":[{\"error\":{\"code\":\"x\","
              "\"message\":\"bad\"}}]}");
    json_decref(sbx_judge0_batch_created(in, &status));
    assert_int_equal(status, 422);
    json_decref(in);

    in = load("[{\"id\":\"c\",\"version\":\"12.2.0\"},"
              "{\"id\":\"python\",\"version\":\"3.11.2\"},"
              "{\"id\":\"brainfuck\",\"version\":\"1\"}]");
    same(sbx_judge0_languages(in),
         "[{\"id\":50,\"name\":\"C (GCC 12.2.0)\"},"
         "{\"id\":71,\"name\":\"Python (3.11.2)\"}]");
    json_decref(in);

    v = sbx_judge0_statuses();
    assert_int_equal(json_array_size(v), 14);
    json_decref(v);

    sbx_error_set(&err, 400, "invalid_field", "limits.memory_kb", "m");
    same(sbx_judge0_error(&err, &status), "{\"memory_limit\":[\"m\"]}");
    assert_int_equal(status, 422);

    sbx_error_set(&err, 400, "malformed_json", "", "line 1");
    same(sbx_judge0_error(&err, &status), "{\"error\":\"line 1\"}");
    assert_int_equal(status, 400);

    sbx_error_set(&err, 422, "batch_too_large", "submissions", "many");
    same(sbx_judge0_error(&err, &status), "{\"error\":\"many\"}");
    assert_int_equal(status, 400);

    sbx_error_set(&err, 404, "not_found", "id", "none");
    same(sbx_judge0_error(&err, &status), "{\"error\":\"none\"}");
    assert_int_equal(status, 404);
}


static void
test_dialect_attr(void **state)
{
    char           buf[SBX_DIALECT_ATTR_LEN];
    size_t         n;
    sbx_dialect_t  d, e;

    (void) state;

    memset(&d, 0, sizeof(d));
    d.api = SBX_API_JUDGE0;
    d.base64 = 1;
    d.fields = 0x7ffffffffULL;

    n = sbx_dialect_format(&d, buf);
    assert_int_equal(n, strlen("judge0;base64;fields=7ffffffff"));
    assert_memory_equal(buf, "judge0;base64;fields=7ffffffff", n);

    assert_int_equal(sbx_dialect_parse(buf, n, &e), 0);
    assert_int_equal(e.api, SBX_API_JUDGE0);
    assert_true(e.base64);
    assert_true(e.fields == d.fields);

    assert_int_equal(sbx_dialect_parse("piston", 6, &e), 0);
    assert_int_equal(e.api, SBX_API_PISTON);
    assert_false(e.base64);

    assert_int_equal(sbx_dialect_parse("glot", 4, &e), -1);
    assert_int_equal(sbx_dialect_parse("judge0;b64", 10, &e), -1);
    assert_int_equal(sbx_dialect_parse("judge0;fields=zz", 16, &e), -1);
    assert_int_equal(sbx_dialect_parse("judge0;fields=0", 15, &e), -1);
    assert_int_equal(sbx_api_find("native", 6), SBX_API_NATIVE);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_piston_request),
        cmocka_unit_test(test_piston_versions),
        cmocka_unit_test(test_piston_result),
        cmocka_unit_test(test_piston_runtimes_errors),
        cmocka_unit_test(test_judge0_request),
        cmocka_unit_test(test_judge0_fields),
        cmocka_unit_test(test_judge0_result),
        cmocka_unit_test(test_judge0_answers),
        cmocka_unit_test(test_dialect_attr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
