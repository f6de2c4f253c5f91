
/*
 * Docker's multiplexed log stream: 8-byte headers (stream, 0, 0, 0,
 * big-endian length), split into stdout and stderr.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_docker.h"


static size_t
frame(char *p, int stream, const char *data, size_t len)
{
    p[0] = (char) stream;
    p[1] = p[2] = p[3] = 0;
    p[4] = (char) (len >> 24);
    p[5] = (char) (len >> 16);
    p[6] = (char) (len >> 8);
    p[7] = (char) len;
    memcpy(p + 8, data, len);

    return 8 + len;
}


static void
test_split(void **state)
{
    char       buf[600000], *big;
    size_t     n;
    sbx_buf_t  out, err;

    memset(&out, 0, sizeof(out));
    memset(&err, 0, sizeof(err));

    big = malloc(300000);
    memset(big, 'x', 300000);

    n = frame(buf, 1, "SBX/1 RES", 9);
    n += frame(buf + n, 2, "warn\n", 5);
    n += frame(buf + n, 1, "ULT 0\r\n", 7);
    n += frame(buf + n, 1, "", 0);
    n += frame(buf + n, 2, big, 300000);

    assert_int_equal(sbx_docker_demux(buf, n, &out, &err), SBX_OK);
    assert_int_equal(out.len, 16);
    assert_memory_equal(out.data, "SBX/1 RESULT 0\r\n", 16);
    assert_int_equal(err.len, 5 + 300000);
    assert_memory_equal(err.data, "warn\n", 5);

    sbx_buf_free(&out);
    sbx_buf_free(&err);
    free(big);
}


static void
test_malformed(void **state)
{
    char       buf[64];
    size_t     n;
    sbx_buf_t  out, err;

    memset(&out, 0, sizeof(out));
    memset(&err, 0, sizeof(err));

    /* truncated header */
    n = frame(buf, 1, "abc", 3);
    assert_int_equal(sbx_docker_demux(buf, 5, &out, &err), SBX_ERROR);

    /* length beyond the data: the complete part is kept */
    n = frame(buf, 1, "abc", 3);
    n += frame(buf + n, 1, "defg", 4);
    assert_int_equal(sbx_docker_demux(buf, n - 1, &out, &err), SBX_ERROR);
    assert_int_equal(out.len, 3);

    /* unknown stream, non-zero padding */
    out.len = 0;
    n = frame(buf, 3, "abc", 3);
    assert_int_equal(sbx_docker_demux(buf, n, &out, &err), SBX_ERROR);
    n = frame(buf, 1, "abc", 3);
    buf[2] = 1;
    assert_int_equal(sbx_docker_demux(buf, n, &out, &err), SBX_ERROR);

    /* empty input is an empty stream */
    assert_int_equal(sbx_docker_demux(buf, 0, &out, &err), SBX_OK);

    sbx_buf_free(&out);
    sbx_buf_free(&err);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
