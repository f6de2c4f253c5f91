
/*
 * Job ids (common/sbx_id.c): the shape, the route key a minted id
 * carries, a batch's item ids, and ids that must be refused.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_id.h"


static void
test_mint(void **state)
{
    int   i;
    char  a[SBX_ID_LEN + 1], b[SBX_ID_LEN + 1];

    assert_int_equal(sbx_id_mint(a, NULL), 0);
    assert_int_equal(strlen(a), SBX_ID_LEN);
    assert_true(sbx_id_valid(a, strlen(a)));

    /* version 4, variant 10 */
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));

    /* random: never the same twice, not even the route key */
    for (i = 0; i < 100; i++) {
        assert_int_equal(sbx_id_mint(b, NULL), 0);
        assert_string_not_equal(a, b);
    }

    assert_int_equal(sbx_id_mint(b, "0123abcd"), 0);
    assert_memory_equal(b, "0123abcd-", 9);
    assert_true(sbx_id_valid(b, SBX_ID_LEN));
    assert_int_equal(sbx_id_mint(a, "0123abcd"), 0);
    assert_string_not_equal(a, b);
}


static void
test_mint_bad_route(void **state)
{
    char  a[SBX_ID_LEN + 1];

    assert_int_equal(sbx_id_mint(a, "0123ABCD"), -1);
    assert_int_equal(sbx_id_mint(a, "0123abc"), -1);
    assert_int_equal(sbx_id_mint(a, "0123abcg"), -1);
    assert_int_equal(sbx_id_mint(a, "../../et"), -1);
}


static void
test_valid(void **state)
{
    size_t       i;
    const char  *good = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    const char  *bad[] = {
        "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0",      /* uppercase */
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f",       /* short */
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f00",     /* long */
        "0f1e2d3c4b5a-4968-8776-a5b4c3d2e1f0-",      /* dash moved */
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1g0",      /* not hex */
        "../../../../../../../../../etc/passw",      /* traversal */
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e/f0",
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e\0f0",
        "",
    };

    assert_true(sbx_id_valid(good, strlen(good)));

    /* the length is the caller's: a NUL inside is a bad character */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(sbx_id_valid(bad[i], i == 7 ? SBX_ID_LEN
                                                 : strlen(bad[i])));
    }

    assert_false(sbx_id_valid(good, SBX_ID_LEN - 1));
    assert_false(sbx_id_valid(NULL, SBX_ID_LEN));
}


static void
test_items(void **state)
{
    char         a[SBX_ID_LEN + 1], b[SBX_ID_LEN + 1];
    char         route[SBX_ID_ROUTE_LEN + 1];
    const char  *base = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    assert_int_equal(sbx_id_item(a, base, 0), 0);
    assert_string_equal(a, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e000");

    assert_int_equal(sbx_id_item(a, base, 1), 0);
    assert_string_equal(a, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e001");

    assert_int_equal(sbx_id_item(b, base, 0xabc), 0);
    assert_string_equal(b, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2eabc");

    assert_int_equal(sbx_id_item(b, base, SBX_ID_ITEMS - 1), 0);
    assert_string_equal(b, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2efff");

    /* every item keeps the batch's route key */
    assert_int_equal(sbx_id_route(b, SBX_ID_LEN, route), 0);
    assert_string_equal(route, "0f1e2d3c");

    assert_int_equal(sbx_id_item(b, base, SBX_ID_ITEMS), -1);
    assert_int_equal(sbx_id_item(b, "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0",
                                 0), -1);
    assert_int_equal(sbx_id_item(b, "nope", 0), -1);
}


static void
test_route(void **state)
{
    char  id[SBX_ID_LEN + 1], route[SBX_ID_ROUTE_LEN + 1];

    assert_int_equal(sbx_id_mint(id, NULL), 0);
    assert_int_equal(sbx_id_route(id, SBX_ID_LEN, route), 0);
    assert_int_equal(strlen(route), SBX_ID_ROUTE_LEN);
    assert_memory_equal(route, id, SBX_ID_ROUTE_LEN);

    assert_int_equal(sbx_id_route("0123abcd", 8, route), -1);
    assert_int_equal(sbx_id_route(id, SBX_ID_LEN - 1, route), -1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_mint),
        cmocka_unit_test(test_mint_bad_route),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_route),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
