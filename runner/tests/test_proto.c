
/*
 * SBX/1 frame headers: the grammar, the limits, and hostile input (the
 * runner must survive any byte sequence on its socket).
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sbx_proto.h"


static int
parse(const char *s, size_t max, sbx_proto_header_t *h)
{
    return sbx_proto_parse_header(s, strlen(s), max, h);
}


static void
test_request(void **state)
{
    sbx_proto_header_t      h;
    const sbx_proto_str_t  *v;
    const char             *s = "SBX/1 SUBMIT 42 wait=1\r\n{...}";

    assert_int_equal(parse(s, 100, &h), SBX_PROTO_OK);
    assert_true(sbx_proto_str_eq(&h.word, "SUBMIT"));
    assert_int_equal(h.status, 0);
    assert_int_equal(h.body_len, 42);
    assert_int_equal(h.header_len, strlen("SBX/1 SUBMIT 42 wait=1\r\n"));
    assert_int_equal(h.nattrs, 1);

    v = sbx_proto_attr(&h, "wait");
    assert_non_null(v);
    assert_true(sbx_proto_str_eq(v, "1"));
    assert_null(sbx_proto_attr(&h, "id"));
}


static void
test_reply(void **state)
{
    sbx_proto_header_t  h;

    assert_int_equal(parse("SBX/1 503 10 retry-after=2 id=x-1\r\n", 10, &h),
                     SBX_PROTO_OK);
    assert_int_equal(h.status, 503);
    assert_int_equal(h.nattrs, 2);
    assert_true(sbx_proto_str_eq(sbx_proto_attr(&h, "retry-after"), "2"));
    assert_true(sbx_proto_str_eq(sbx_proto_attr(&h, "id"), "x-1"));

    assert_int_equal(parse("SBX/1 GO 0\r\n", 0, &h), SBX_PROTO_OK);
    assert_int_equal(h.body_len, 0);
}


static void
test_incomplete(void **state)
{
    sbx_proto_header_t  h;

    assert_int_equal(parse("", 10, &h), SBX_PROTO_AGAIN);
    assert_int_equal(parse("SB", 10, &h), SBX_PROTO_AGAIN);
    assert_int_equal(parse("SBX/1 SUBMIT 4", 10, &h), SBX_PROTO_AGAIN);
    assert_int_equal(parse("SBX/1 SUBMIT 4\r", 10, &h), SBX_PROTO_AGAIN);
}


static void
test_malformed(void **state)
{
    size_t              i;
    sbx_proto_header_t  h;
    static const char  *bad[] = {
        "GET / HTTP/1.1\r\n",
        "SBX/2 SUBMIT 4\r\n",
        "SBX/1  SUBMIT 4\r\n",
        "SBX/1 SUBMIT\r\n",
        "SBX/1 SUBMIT x\r\n",
        "SBX/1 SUBMIT -1\r\n",
        "SBX/1 SUBMIT 4 \r\n",
        "SBX/1 SUBMIT 4 wait\r\n",
        "SBX/1 SUBMIT 4 =1\r\n",
        "SBX/1 SUBMIT 4 wait=\r\n",
        "SBX/1 SUBMIT 4 Wait=1\r\n",
        "SBX/1 SUBMIT 4\n",
        "SBX/1 SUB-MIT 4\r\n",
        "SBX/1 SUBMIT 00000000001\r\n",
        "SBX/1 ABCDEFGHIJKLMNOPQ 4\r\n",
        "SBX/1 S 1 a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 "
            "n=1 o=1 p=1 q=1\r\n",
        "SBX/1 SUBMIT 4 a=\x01\r\n",
    };
    static const char   nul[] = "SBX/1 SUBMIT 4\0\r\n";

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sbx_proto_parse_header(bad[i], strlen(bad[i]),
                                                1 << 20, &h),
                         SBX_PROTO_ERROR);
    }

    assert_int_equal(sbx_proto_parse_header(nul, sizeof(nul) - 1, 100, &h),
                     SBX_PROTO_ERROR);
}


static void
test_too_large(void **state)
{
    char                line[2048];
    sbx_proto_header_t  h;

    assert_int_equal(parse("SBX/1 SUBMIT 101\r\n", 100, &h),
                     SBX_PROTO_TOO_LARGE);
    assert_int_equal(parse("SBX/1 SUBMIT 100\r\n", 100, &h), SBX_PROTO_OK);
    assert_int_equal(parse("SBX/1 SUBMIT 1\r\n", 0, &h),
                     SBX_PROTO_TOO_LARGE);

    /* no end of line within the header limit */
    memset(line, 'a', sizeof(line));
    memcpy(line, "SBX/1 SUBMIT 1 k=", 17);
    assert_int_equal(sbx_proto_parse_header(line, sizeof(line), 100, &h),
                     SBX_PROTO_ERROR);
}


static void
test_write(void **state)
{
    int                 n;
    char                buf[256];
    sbx_proto_attr_t    a[3];
    sbx_proto_header_t  h;

    a[0].key.data = "id";
    a[0].key.len = 2;
    a[0].value.data = "abc";
    a[0].value.len = 3;
    a[1].key.data = "skip";
    a[1].key.len = 4;
    a[1].value.data = NULL;
    a[1].value.len = 0;
    a[2].key.data = "status";
    a[2].key.len = 6;
    a[2].value.data = "queued";
    a[2].value.len = 6;

    n = sbx_proto_write_header(buf, sizeof(buf), "202", 1234, a, 3);
    assert_int_equal(n, strlen("SBX/1 202 1234 id=abc status=queued\r\n"));
    assert_memory_equal(buf, "SBX/1 202 1234 id=abc status=queued\r\n", n);

    /* what is written parses back */
    assert_int_equal(sbx_proto_parse_header(buf, n, 2000, &h),
                     SBX_PROTO_OK);
    assert_int_equal(h.status, 202);

    n = sbx_proto_write_header(buf, sizeof(buf), "GO", 0, NULL, 0);
    assert_memory_equal(buf, "SBX/1 GO 0\r\n", n);

    /* invalid values are refused, never written */
    a[0].value.data = "a b";
    assert_int_equal(sbx_proto_write_header(buf, sizeof(buf), "200", 1, a, 1),
                     -1);
    assert_int_equal(sbx_proto_write_header(buf, sizeof(buf), "", 1, NULL, 0),
                     -1);
    assert_int_equal(sbx_proto_write_header(buf, 10, "SUBMIT", 1, NULL, 0),
                     -1);
}


static void
test_fuzz(void **state)
{
    int                 i, j, rc;
    char                buf[64];
    sbx_proto_header_t  h;

    /* random bytes, and random mutations of a valid header: any result,
     * but never a crash and never a frame that points out of bounds */

    srand(42);

    for (i = 0; i < 200000; i++) {
        memcpy(buf, "SBX/1 SUBMIT 12 wait=1 id=abc\r\n", 31);

        for (j = 0; j < 1 + rand() % 4; j++) {
            buf[rand() % 31] = (char) (rand() % 256);
        }

        rc = sbx_proto_parse_header(buf, 31, 1000, &h);

        if (rc == SBX_PROTO_OK) {
            assert_true(h.header_len <= 31);
            assert_true(h.word.data >= buf && h.word.data < buf + 31);
        }
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_fuzz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
