
/*
 * Every diagnostics pattern in runner/languages.json against real output
 * of that language's compiler (runner/tests/diagnostics/<id>.txt): the
 * structured list must be exactly <id>.expected.json.  A language with a
 * pattern and no sample fails, so a pattern is never untested.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_lang.h"
#include "sbx_result.h"


#define SBX_DIAG_DIR  "runner/tests/diagnostics"


static char *
slurp(const char *path, size_t *len)
{
    long   n;
    char  *buf;
    FILE  *f;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc(n + 1);
    *len = fread(buf, 1, n, f);
    buf[*len] = '\0';
    fclose(f);

    return buf;
}


static void
test_patterns(void **state)
{
    char          err[256], path[256], *text, *got_s, *want_s;
    size_t        i, len = 0, checked;
    json_t       *got, *want;
    sbx_lang_t   *lang;

    assert_int_equal(sbx_lang_load("runner/languages.json", err,
                                   sizeof(err)), SBX_OK);

    checked = 0;

    for (i = 0; i < sbx_lang_count(); i++) {
        lang = sbx_lang_at(i);

        if (lang->diagnostics == NULL) {
            continue;
        }

        snprintf(path, sizeof(path), SBX_DIAG_DIR "/%s.txt", lang->id);
        text = slurp(path, &len);

        if (text == NULL) {
            print_error("%s has a diagnostics pattern but no %s\n",
                        lang->id, path);
            fail();
        }

        snprintf(path, sizeof(path), SBX_DIAG_DIR "/%s.expected.json",
                 lang->id);
        want = json_load_file(path, 0, NULL);
        assert_non_null(want);

        got = sbx_result_diagnostics(lang, text, len);

        if (!json_equal(got, want)) {
            got_s = json_dumps(got, JSON_INDENT(1));
            want_s = json_dumps(want, JSON_INDENT(1));
            print_error("%s:\n got %s\n want %s\n", lang->id, got_s, want_s);
            fail();
        }

        assert_true(json_array_size(got) > 0);

        json_decref(got);
        json_decref(want);
        free(text);
        checked++;
    }

    print_message("%zu diagnostics patterns checked\n", checked);
    assert_true(checked >= 5);

    sbx_lang_free();
}


static void
test_no_pattern(void **state)
{
    char        err[256];
    json_t     *got;
    sbx_lang_t *lang;

    /* an interpreted language without a pattern gives an empty list,
     * and binary garbage in compiler output does not upset a pattern */

    assert_int_equal(sbx_lang_load("runner/languages.json", err,
                                   sizeof(err)), SBX_OK);

    lang = sbx_lang_find("c");
    assert_non_null(lang);

    got = sbx_result_diagnostics(lang, "\xff\xfe\0main.c:1:2: error: x\n",
                                 25);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);

    sbx_lang_free();
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_no_pattern),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
