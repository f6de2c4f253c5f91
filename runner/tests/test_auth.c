
/*
 * The shared key's token (common/sbx_auth.c): the HMAC the protocol
 * names (docs/protocol.md, checked against the openssl command line's),
 * the key file's line end, keys too short or too long, and the check.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_auth.h"


/*
 * printf 'SBX/1 auth' | openssl dgst -sha256 \
 *     -hmac 'a shared key of sixteen+'
 */

static const char  sbx_test_token[] =
    "7e4282d396d619705c4a1b97f67cc4196c83081a6c04a3b63b1614a8ebb3aaac";


static void
test_token(void **state)
{
    char         t[SBX_AUTH_TOKEN_LEN + 1];
    const char  *key = "a shared key of sixteen+";

    assert_int_equal(sbx_auth_token((const unsigned char *) key,
                                    strlen(key), t), 0);
    assert_string_equal(t, sbx_test_token);

    /* a file's last line end is not part of the key */
    assert_int_equal(sbx_auth_token((const unsigned char *)
                                    "a shared key of sixteen+\r\n",
                                    strlen(key) + 2, t), 0);
    assert_string_equal(t, sbx_test_token);

    /* another key, another token */
    assert_int_equal(sbx_auth_token((const unsigned char *)
                                    "a shared key of sixteen-",
                                    strlen(key), t), 0);
    assert_string_not_equal(t, sbx_test_token);
}


static void
test_bad_keys(void **state)
{
    char           t[SBX_AUTH_TOKEN_LEN + 1];
    unsigned char  big[SBX_AUTH_MAX_KEY + 1];

    assert_int_equal(sbx_auth_token((const unsigned char *) "short", 5, t),
                     -1);

    /* only line ends do not count: 15 bytes and a newline are too few */
    assert_int_equal(sbx_auth_token((const unsigned char *)
                                    "fifteen bytes..\n", 16, t), -1);

    memset(big, 'k', sizeof(big));
    assert_int_equal(sbx_auth_token(big, sizeof(big), t), -1);
    assert_int_equal(sbx_auth_token(big, SBX_AUTH_MAX_KEY, t), 0);
}


static void
test_match(void **state)
{
    char  wrong[SBX_AUTH_TOKEN_LEN + 1];

    assert_true(sbx_auth_match(sbx_test_token, sbx_test_token,
                               SBX_AUTH_TOKEN_LEN));

    memcpy(wrong, sbx_test_token, sizeof(wrong));
    wrong[SBX_AUTH_TOKEN_LEN - 1] ^= 1;
    assert_false(sbx_auth_match(sbx_test_token, wrong, SBX_AUTH_TOKEN_LEN));

    /* a prefix, an empty value, one too long */
    assert_false(sbx_auth_match(sbx_test_token, sbx_test_token,
                                SBX_AUTH_TOKEN_LEN - 1));
    assert_false(sbx_auth_match(sbx_test_token, "", 0));
    assert_false(sbx_auth_match(sbx_test_token, sbx_test_token,
                                SBX_AUTH_TOKEN_LEN + 1));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_match),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
