
/*
 * Unit tests of the output checkers (common/sbx_check.c), which
 * sandbox-init runs on every test's stdout.  Each checker gets the
 * ordinary cases plus the inputs a hostile or careless program produces:
 * CRLF, no trailing newline, empty output, NUL bytes, invalid UTF-8,
 * special float tokens, and a pattern that backtracks catastrophically.
 */


#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sbx_check.h"


#define S(s)  s, sizeof(s) - 1


static int
run(sbx_check_type_e type, const char *pattern, const char *out,
    size_t out_len, const char *exp, size_t exp_len)
{
    int          rc;
    sbx_check_t  chk;

    assert_int_equal(sbx_check_init(&chk, type, pattern,
                                    pattern ? strlen(pattern) : 0,
                                    SBX_CHECK_DEFAULT_ABS,
                                    SBX_CHECK_DEFAULT_REL),
                     SBX_CHECK_ACCEPTED);

    rc = sbx_check_run(&chk, out, out_len, exp, exp_len);

    sbx_check_free(&chk);

    return rc;
}


static void
test_type_names(void **state)
{
    (void) state;

    assert_int_equal(sbx_check_type(S("exact")), SBX_CHECK_EXACT);
    assert_int_equal(sbx_check_type(S("trimmed")), SBX_CHECK_TRIMMED);
    assert_int_equal(sbx_check_type(S("regex")), SBX_CHECK_REGEX);
    assert_int_equal(sbx_check_type(S("float")), SBX_CHECK_FLOAT);
    assert_int_equal(sbx_check_type(S("Exact")), -1);
    assert_int_equal(sbx_check_type(S("exac")), -1);
    assert_int_equal(sbx_check_type(S("exactly")), -1);
    assert_int_equal(sbx_check_type(S("")), -1);
    assert_string_equal(sbx_check_type_name(SBX_CHECK_FLOAT), "float");
}


static void
test_exact(void **state)
{
    (void) state;

    assert_int_equal(sbx_check_exact(S("42\n"), S("42\n")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_exact(S("42"), S("42\n")), SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_exact(S("42\r\n"), S("42\n")),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_exact(S(""), S("")), SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_exact(S(""), S("\n")), SBX_CHECK_WRONG);

    /* bytes, not C strings: a NUL does not end the comparison */
    assert_int_equal(sbx_check_exact(S("a\0b"), S("a\0c")), SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_exact(S("a\0b"), S("a\0b")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_exact(S("\xff\xfe"), S("\xff\xfe")),
                     SBX_CHECK_ACCEPTED);

    /* the default checker through the generic entry point */
    assert_int_equal(run(SBX_CHECK_EXACT, NULL, S("x"), S("x")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_EXACT, NULL, NULL, 0, S("")),
                     SBX_CHECK_ACCEPTED);
}


static void
test_trimmed(void **state)
{
    (void) state;

    /* trailing newline, CRLF and trailing blanks do not matter */
    assert_int_equal(sbx_check_trimmed(S("42"), S("42\n")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_trimmed(S("1 2\r\n3 4\r\n"), S("1 2\n3 4\n")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_trimmed(S("a  \t\nb\t\n\n \n\r\n"),
                                       S("a\nb")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_trimmed(S("a\0\0\n"), S("a")),
                     SBX_CHECK_ACCEPTED);

    /* empty output against blank expectations */
    assert_int_equal(sbx_check_trimmed(S(""), S("")), SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_trimmed(S(""), S("\n\n  \n")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_trimmed(S(""), S("0\n")), SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_trimmed(S("0\n"), S("")), SBX_CHECK_WRONG);

    /* leading whitespace and inner blank lines still matter (Judge0) */
    assert_int_equal(sbx_check_trimmed(S(" 42\n"), S("42\n")),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_trimmed(S("\n42\n"), S("42\n")),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_trimmed(S("a\n\nb\n"), S("a\nb\n")),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_trimmed(S("a\n  \nb"), S("a\n\nb\n")),
                     SBX_CHECK_ACCEPTED);

    /* inner spaces matter */
    assert_int_equal(sbx_check_trimmed(S("1  2\n"), S("1 2\n")),
                     SBX_CHECK_WRONG);

    /* one side has an extra line */
    assert_int_equal(sbx_check_trimmed(S("a\nb\n"), S("a\n")),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_trimmed(S("a\n"), S("a\nb")),
                     SBX_CHECK_WRONG);

    /* a lone CR is not a line break */
    assert_int_equal(sbx_check_trimmed(S("a\rb\n"), S("a\nb\n")),
                     SBX_CHECK_WRONG);

    /* invalid UTF-8 compares as bytes */
    assert_int_equal(sbx_check_trimmed(S("\xc3\x28 \n"), S("\xc3\x28")),
                     SBX_CHECK_ACCEPTED);

    assert_int_equal(run(SBX_CHECK_TRIMMED, NULL, S("ok \r\n"), S("ok")),
                     SBX_CHECK_ACCEPTED);
}


static void
test_float(void **state)
{
    double  a, r;

    (void) state;

    a = SBX_CHECK_DEFAULT_ABS;
    r = SBX_CHECK_DEFAULT_REL;

    assert_int_equal(sbx_check_float(S("0.3333333\n"), S("0.333333333"),
                                     a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("0.3334"), S("0.3333"), a, r),
                     SBX_CHECK_WRONG);

    /* relative tolerance for big values, abs for small ones */
    assert_int_equal(sbx_check_float(S("1000000000.5"), S("1000000000"),
                                     a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("1000002000"), S("1000000000"),
                                     a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("1e-7"), S("0"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("0.5"), S("0.4"), 0.2, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("0.5"), S("0.4"), 0, 0.3),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("0.5"), S("0.4"), 0, 0),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("-0"), S("0"), 0, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("1.e3 .5 +2E-1"), S("1000 0.5 0.2"),
                                     a, r),
                     SBX_CHECK_ACCEPTED);

    /* whitespace layout does not matter, token count does */
    assert_int_equal(sbx_check_float(S("1 2\r\n3\n"), S("1\n2 3"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("1 2"), S("1 2 3"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("1 2 3"), S("1 2"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S(""), S(" \n"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S(""), S("0"), a, r), SBX_CHECK_WRONG);

    /* words compare exactly */
    assert_int_equal(sbx_check_float(S("YES 1.0000001"), S("YES 1"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("yes 1"), S("YES 1"), a, r),
                     SBX_CHECK_WRONG);

    /* nan / inf / hex are text, never numbers */
    assert_int_equal(sbx_check_float(S("nan"), S("nan"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("NaN"), S("nan"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("nan"), S("0"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("inf"), S("inf"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("inf"), S("1e308"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("0x10"), S("16"), a, r),
                     SBX_CHECK_WRONG);

    /* overflowing decimals are not finite: compared as text */
    assert_int_equal(sbx_check_float(S("1e999"), S("1e999"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("1e999"), S("2e999"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("1e308 -1e308"), S("-1e308 1e308"),
                                     a, r),
                     SBX_CHECK_WRONG);

    /* half a number is not a number */
    assert_int_equal(sbx_check_float(S("1.0abc"), S("1abc"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("1e"), S("1e"), a, r),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_float(S("."), S("0"), a, r),
                     SBX_CHECK_WRONG);

    /* NUL bytes and invalid UTF-8 are token bytes */
    assert_int_equal(sbx_check_float(S("1\0 2"), S("1 2"), a, r),
                     SBX_CHECK_WRONG);
    assert_int_equal(sbx_check_float(S("\xff 2.0000001"), S("\xff 2"), a, r),
                     SBX_CHECK_ACCEPTED);
}


static void
test_float_init(void **state)
{
    sbx_check_t  chk;

    (void) state;

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_FLOAT, NULL, 0, -1, 0),
                     SBX_CHECK_ERROR);
    assert_non_null(strstr(chk.error, "tolerance"));

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_FLOAT, NULL, 0, 0.01,
                                    0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_run(&chk, S("3.14"), S("3.141592")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_run(&chk, S("3.13"), S("3.141592")),
                     SBX_CHECK_WRONG);
    sbx_check_free(&chk);
}


static void
test_regex(void **state)
{
    (void) state;

    /* the whole output must match */
    assert_int_equal(run(SBX_CHECK_REGEX, "\\d+\\n", S("42\n"), NULL, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_REGEX, "\\d+", S("42\n"), NULL, 0),
                     SBX_CHECK_WRONG);
    assert_int_equal(run(SBX_CHECK_REGEX, "\\d+", S("x42"), NULL, 0),
                     SBX_CHECK_WRONG);
    assert_int_equal(run(SBX_CHECK_REGEX, "\\d+\\s*", S("42\r\n"), NULL, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_REGEX, "a|ab", S("ab"), NULL, 0),
                     SBX_CHECK_ACCEPTED);

    /* empty output */
    assert_int_equal(run(SBX_CHECK_REGEX, "", S(""), NULL, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_REGEX, "x?", NULL, 0, NULL, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_REGEX, "x", S(""), NULL, 0),
                     SBX_CHECK_WRONG);

    /* UTF-8 patterns match characters, not bytes */
    assert_int_equal(run(SBX_CHECK_REGEX, "h.llo\\n", S("h\xc3\xa9llo\n"),
                         NULL, 0),
                     SBX_CHECK_ACCEPTED);

    /* invalid UTF-8 output is a wrong answer, not a crash or an error */
    assert_int_equal(run(SBX_CHECK_REGEX, "(?s).*", S("ok\xff\xfe\n"),
                         NULL, 0),
                     SBX_CHECK_WRONG);
    assert_int_equal(run(SBX_CHECK_REGEX, "(?s).*", S("\xc3\x28"), NULL, 0),
                     SBX_CHECK_WRONG);

    /* NUL bytes are ordinary subject characters */
    assert_int_equal(run(SBX_CHECK_REGEX, "a\\x00b", S("a\0b"), NULL, 0),
                     SBX_CHECK_ACCEPTED);

    /* no job pattern: each test's expected output is the pattern */
    assert_int_equal(run(SBX_CHECK_REGEX, NULL, S("YES\n"), S("(?i)yes\\n")),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(run(SBX_CHECK_REGEX, NULL, S("no\n"), S("(?i)yes\\n")),
                     SBX_CHECK_WRONG);
}


static void
test_regex_bad_pattern(void **state)
{
    char         err[SBX_CHECK_MAX_ERROR];
    sbx_check_t  chk;

    (void) state;

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX, S("(ab"), 0, 0),
                     SBX_CHECK_ERROR);
    assert_non_null(strstr(chk.error, "missing closing parenthesis"));
    assert_non_null(strstr(chk.error, "offset 3"));
    assert_null(chk.re);
    assert_null(chk.mctx);

    /* the pattern itself must be valid UTF-8 */
    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX, S("a\xff"), 0, 0),
                     SBX_CHECK_ERROR);
    assert_non_null(strstr(chk.error, "UTF-8"));

    /* \C could split a UTF-8 character: refused */
    assert_int_equal(sbx_check_pattern_ok(S("a\\C"), err, sizeof(err)),
                     SBX_CHECK_ERROR);

    assert_int_equal(sbx_check_pattern_ok(S("[0-9]+"), err, sizeof(err)),
                     SBX_CHECK_ACCEPTED);

    /* a bad per-test pattern is an error, not a wrong answer */
    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX, NULL, 0, 0, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_run(&chk, S("x"), S("[x")), SBX_CHECK_ERROR);
    assert_non_null(strstr(chk.error, "regex pattern"));
    sbx_check_free(&chk);
}


static void
test_regex_limits(void **state)
{
    char         out[4096];
    clock_t      start;
    sbx_check_t  chk;

    (void) state;

    /*
     * nested quantifiers against a near miss: exponential backtracking
     * (no literal the optimizer could look for first)
     */

    memset(out, 'a', 40);
    out[40] = 'b';

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX,
                                    S("(\\w|\\w\\w)+\\d"), 0, 0),
                     SBX_CHECK_ACCEPTED);

    start = clock();

    assert_int_equal(sbx_check_run(&chk, out, 41, NULL, 0), SBX_CHECK_ERROR);
    assert_non_null(strstr(chk.error, "match limit"));

    /* the budget keeps it short */
    assert_true((clock() - start) / (double) CLOCKS_PER_SEC < 5.0);

    /* the same checker still judges ordinary outputs afterwards */
    assert_int_equal(sbx_check_run(&chk, S("aaa1"), NULL, 0),
                     SBX_CHECK_ACCEPTED);
    sbx_check_free(&chk);

    /* deep recursion: one backtracking frame per character */

    memset(out, 'x', sizeof(out));

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX,
                                    S("(?:(x)|y)*"), 0, 0),
                     SBX_CHECK_ACCEPTED);
    assert_int_equal(sbx_check_run(&chk, out, sizeof(out), NULL, 0),
                     SBX_CHECK_ACCEPTED);
    sbx_check_free(&chk);
}


static void
test_free_twice(void **state)
{
    sbx_check_t  chk;

    (void) state;

    assert_int_equal(sbx_check_init(&chk, SBX_CHECK_REGEX, S("a"), 0, 0),
                     SBX_CHECK_ACCEPTED);
    sbx_check_free(&chk);
    sbx_check_free(&chk);

    assert_int_equal(sbx_check_init(&chk, (sbx_check_type_e) 9, NULL, 0, 0,
                                    0),
                     SBX_CHECK_ERROR);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_trimmed),
        cmocka_unit_test(test_float),
        cmocka_unit_test(test_float_init),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_regex_bad_pattern),
        cmocka_unit_test(test_regex_limits),
        cmocka_unit_test(test_free_twice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
