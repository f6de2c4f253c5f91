
/*
 * The test double's directive (sbx_double.c): where it is found, what
 * each key takes, and that anything else is refused with a message
 * naming the fault rather than ignored (a typo must not turn into an
 * "accepted" that hides it).
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_double.h"


static int
parse(const char *text, sbx_double_t *d, char *err, size_t size)
{
    err[0] = '\0';

    return sbx_double_parse(text, strlen(text), d, err, size);
}


/* Parses text, expects a refusal whose message contains want. */

static void
refused(const char *text, const char *want)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse(text, &d, err, sizeof(err)), SBX_ERROR);
    sbx_double_free(&d);

    if (strstr(err, want) == NULL) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err, want);
    }
}


static void
test_none(void **state)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse("print(input())\n", &d, err, sizeof(err)),
                     SBX_OK);
    assert_int_equal(d.verdict, -1);
    assert_int_equal(d.exit_code, -1);
    assert_int_equal(d.delay_ms, -1);
    assert_int_equal(d.time_ms, -1);
    assert_int_equal(d.memory_kb, -1);
    assert_int_equal(d.fail, SBX_DOUBLE_FAIL_NONE);
    assert_null(d.out);
    assert_null(d.err);
    assert_string_equal(d.signal, "");
    assert_string_equal(d.limit, "");

    /* an empty program, and a marker with nothing after it */

    assert_int_equal(sbx_double_parse("", 0, &d, err, sizeof(err)), SBX_OK);
    assert_int_equal(parse("# sandbox-double:\n", &d, err, sizeof(err)),
                     SBX_OK);
    assert_int_equal(d.verdict, -1);
}


static void
test_keys(void **state)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse("# sandbox-double: verdict=time_limit_exceeded "
                           "exit=3 stdout=\"a b\\n\" stderr=oops "
                           "delay_ms=200 time_ms=7 memory_kb=512 "
                           "limit=wall signal=SIGKILL fail=slow_reply\n"
                           "print(1)\n", &d, err, sizeof(err)),
                     SBX_OK);

    assert_int_equal(d.verdict, SBX_STATUS_TIME_LIMIT);
    assert_int_equal(d.exit_code, 3);
    assert_int_equal(d.out_len, 4);
    assert_memory_equal(d.out, "a b\n", 4);
    assert_int_equal(d.err_len, 4);
    assert_memory_equal(d.err, "oops", 4);
    assert_int_equal(d.delay_ms, 200);
    assert_int_equal(d.time_ms, 7);
    assert_int_equal(d.memory_kb, 512);
    assert_string_equal(d.limit, "wall");
    assert_string_equal(d.signal, "SIGKILL");
    assert_int_equal(d.fail, SBX_DOUBLE_FAIL_SLOW_REPLY);

    sbx_double_free(&d);
}


static void
test_fails(void **state)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse("// sandbox-double: fail=runner_error", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.fail, SBX_DOUBLE_FAIL_RUNNER_ERROR);

    assert_int_equal(parse("-- sandbox-double: fail=queue_full", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.fail, SBX_DOUBLE_FAIL_QUEUE_FULL);

    assert_int_equal(parse("# sandbox-double: fail=close", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.fail, SBX_DOUBLE_FAIL_CLOSE);
}


static void
test_every_verdict(void **state)
{
    int           i;
    char          text[128], err[256];
    sbx_double_t  d;

    for (i = SBX_STATUS_FIRST_FINAL; i < SBX_STATUS_SKIPPED; i++) {
        snprintf(text, sizeof(text), "# sandbox-double: verdict=%s",
                 sbx_status_names[i]);

        assert_int_equal(parse(text, &d, err, sizeof(err)), SBX_OK);
        assert_int_equal(d.verdict, i);
    }
}


/* Where the directive may be: the first line, the second after "#!". */

static void
test_where(void **state)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse("#!/usr/bin/env python3\n"
                           "# sandbox-double: exit=4\n", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.exit_code, 4);

    /* a second line without an interpreter line is the program's own */

    assert_int_equal(parse("import sys\n# sandbox-double: exit=4\n", &d,
                           err, sizeof(err)), SBX_OK);
    assert_int_equal(d.exit_code, -1);

    /* CRLF, a C comment's closing, PHP's opening tag before it */

    assert_int_equal(parse("/* sandbox-double: exit=5 */\r\nint x;\r\n", &d,
                           err, sizeof(err)), SBX_OK);
    assert_int_equal(d.exit_code, 5);

    assert_int_equal(parse("<?php // sandbox-double: exit=6\n", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.exit_code, 6);

    /* a file that is one line without a newline */

    assert_int_equal(parse("# sandbox-double: exit=7", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.exit_code, 7);
}


/* Quoted values are JSON strings: escapes, spaces, '=' and quotes. */

static void
test_quoted(void **state)
{
    char          err[256];
    sbx_double_t  d;

    assert_int_equal(parse("# sandbox-double: stdout=\"x = \\\"y\\\"\\t"
                           "\\u00e9\" stderr=\"\"", &d, err, sizeof(err)),
                     SBX_OK);
    assert_string_equal(d.out, "x = \"y\"\t\xc3\xa9");
    assert_int_equal(d.err_len, 0);
    assert_non_null(d.err);
    sbx_double_free(&d);

    /* a NUL byte is output like any other */

    assert_int_equal(parse("# sandbox-double: stdout=\"a\\u0000b\"", &d, err,
                           sizeof(err)), SBX_OK);
    assert_int_equal(d.out_len, 3);
    assert_memory_equal(d.out, "a\0b", 3);
    sbx_double_free(&d);

    /* a bare value runs to the next space, '=' and quotes included */

    assert_int_equal(parse("# sandbox-double: stdout=a=b\"c", &d, err,
                           sizeof(err)), SBX_OK);
    assert_string_equal(d.out, "a=b\"c");
    sbx_double_free(&d);
}


static void
test_refused(void **state)
{
    refused("# sandbox-double: bogus=1", "unknown key \"bogus\"");
    refused("# sandbox-double: Verdict=accepted", "expected key=value");
    refused("# sandbox-double: verdict", "expected key=value");
    refused("# sandbox-double: verdict=", "expected key=value");
    refused("# sandbox-double: verdict=ok", "verdict: no status");
    refused("# sandbox-double: verdict=queued", "verdict: no status");
    refused("# sandbox-double: verdict=skipped", "verdict: no status");
    refused("# sandbox-double: exit=256", "exit: 0 to 255");
    refused("# sandbox-double: exit=-1", "exit: 0 to 255");
    refused("# sandbox-double: exit=1x", "exit: 0 to 255");
    refused("# sandbox-double: exit=\"\"", "exit: 0 to 255");
    refused("# sandbox-double: delay_ms=3600001", "delay_ms: an integer");
    refused("# sandbox-double: time_ms=99999999999", "time_ms: an integer");
    refused("# sandbox-double: signal=SEGV", "signal: a name");
    refused("# sandbox-double: signal=SIGsegv", "signal: a name");
    refused("# sandbox-double: limit=memory", "limit: cpu, wall");
    refused("# sandbox-double: fail=crash", "fail: runner_error");
    refused("# sandbox-double: fail=", "expected key=value");
    refused("# sandbox-double: stdout=\"open", "expected key=value");
    refused("# sandbox-double: stdout=\"\\x\"", "not a JSON string");
    refused("# sandbox-double: exit=1 exit=2", "exit given twice");
    refused("# sandbox-double: stdout=a stdout=b", "stdout given twice");
    refused("# sandbox-double: fail=close fail=close", "fail given twice");
    refused("# sandbox-double: exit=1 trailing", "expected key=value");
}


/* The text is bytes: a NUL in a value is a byte of it, never its end. */

static void
test_nul(void **state)
{
    char          err[256];
    sbx_double_t  d;

    static const char  limit[] = "# sandbox-double: limit=wall\0\0\0\0\0"
                                 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    static const char  out[] = "# sandbox-double: stdout=a\0b";
    static const char  junk[] = "# sandbox-double: exit=1\0x";

    assert_int_equal(sbx_double_parse(limit, sizeof(limit) - 1, &d, err,
                                      sizeof(err)), SBX_ERROR);
    assert_non_null(strstr(err, "limit: cpu, wall"));
    sbx_double_free(&d);

    assert_int_equal(sbx_double_parse(out, sizeof(out) - 1, &d, err,
                                      sizeof(err)), SBX_OK);
    assert_int_equal(d.out_len, 3);
    assert_memory_equal(d.out, "a\0b", 3);
    sbx_double_free(&d);

    assert_int_equal(sbx_double_parse(junk, sizeof(junk) - 1, &d, err,
                                      sizeof(err)), SBX_ERROR);
    assert_non_null(strstr(err, "exit: 0 to 255"));

    /* a refusal quotes the line, and only the line */

    assert_int_equal(sbx_double_parse("# sandbox-double: x", 19, &d, err,
                                      sizeof(err)), SBX_ERROR);
    assert_string_equal(err, "sandbox-double: expected key=value at "
                        "\"x\"");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_fails),
        cmocka_unit_test(test_every_verdict),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_nul),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
