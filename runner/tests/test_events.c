
/*
 * Live events (sbx_events.c, sbx_result.c): a job's log is the frames a
 * listener receives, bounded; a finished job's events are rebuilt from
 * its result in the order a listener would have seen them; a UTF-8
 * sequence cut at the end of a piece waits for the next piece.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_events.h"
#include "sbx_job.h"
#include "sbx_proto.h"
#include "sbx_result.h"


/* The event names of the frames in buf, space-separated; checks framing. */

static void
names(sbx_buf_t *buf, char *out, size_t size)
{
    size_t               off;
    sbx_proto_header_t   h;
    const sbx_proto_str_t  *ev;

    out[0] = '\0';

    for (off = 0; off < buf->len; off += h.header_len + h.body_len) {
        assert_int_equal(sbx_proto_parse_header(buf->data + off,
                                                buf->len - off, 1 << 30,
                                                &h), SBX_PROTO_OK);
        assert_true(sbx_proto_str_eq(&h.word, "EVENT"));
        assert_true(off + h.header_len + h.body_len <= buf->len);
        assert_null(memchr(buf->data + off + h.header_len, '\n',
                           h.body_len));

        ev = sbx_proto_attr(&h, "event");
        assert_non_null(ev);

        snprintf(out + strlen(out), size - strlen(out), "%s%.*s",
                 out[0] ? " " : "", (int) ev->len, ev->data);
    }
}


static void
history_of_a_run(void **state)
{
    char        got[256];
    sbx_buf_t   buf;
    const char *res = "{\"id\":\"x\",\"status\":\"wrong_answer\","
                      "\"compile\":{\"status\":\"ok\",\"stdout\":\"\","
                      "\"stderr\":\"warning\\n\"},"
                      "\"tests\":[{\"status\":\"accepted\",\"stdout\":"
                      "\"1\\n\",\"stderr\":\"\",\"time_ms\":3},"
                      "{\"status\":\"wrong_answer\",\"stdout\":\"2\\n\","
                      "\"stderr\":\"e\\n\",\"time_ms\":4}]}";

    memset(&buf, 0, sizeof(sbx_buf_t));

    assert_int_equal(sbx_events_history(res, strlen(res), &buf), SBX_OK);

    names(&buf, got, sizeof(got));
    assert_string_equal(got, "status status stderr status stdout test "
                             "stdout stderr test result");

    /* the result is the last frame, as it is */
    assert_true(buf.len > strlen(res));
    assert_memory_equal(buf.data + buf.len - strlen(res), res, strlen(res));

    sbx_buf_free(&buf);
}


static void
history_of_a_compile_error(void **state)
{
    char        got[256];
    sbx_buf_t   buf;
    const char *res = "{\"status\":\"compilation_error\",\"compile\":"
                      "{\"status\":\"compilation_error\",\"stdout\":\"\","
                      "\"stderr\":\"main.c:1: error\"},\"tests\":[]}";

    memset(&buf, 0, sizeof(sbx_buf_t));

    assert_int_equal(sbx_events_history(res, strlen(res), &buf), SBX_OK);

    names(&buf, got, sizeof(got));
    assert_string_equal(got, "status status stderr result");

    sbx_buf_free(&buf);
}


/* The log keeps at most its bound of output and says so once. */

static void
log_is_bounded(void **state)
{
    int         i;
    char        got[4096];
    size_t      off;
    sbx_job_t  *job;
    sbx_buf_t   buf;

    job = sbx_job_new();
    assert_non_null(job);
    job->output_budget = 0;               /* the bound is then 1 MiB */

    sbx_events_listen(job, 1);

    for (i = 0; i < 200; i++) {
        sbx_events_publish(job, "stdout",
                           json_pack("{s:s, s:i, s:s%}", "step", "test",
                                     "test", 0, "data",
                                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                                     (size_t) 64));
    }

    memset(&buf, 0, sizeof(sbx_buf_t));
    off = 0;
    assert_int_equal(sbx_events_copy(job, &off, &buf), SBX_OK);
    assert_int_equal(off, buf.len);
    names(&buf, got, sizeof(got));
    assert_null(strstr(got, "dropped"));
    sbx_buf_free(&buf);

    /* beyond the bound: dropped, once */

    for (i = 0; i < 20000; i++) {
        sbx_events_publish(job, "stdout",
                           json_pack("{s:s, s:i, s:s}", "step", "test",
                                     "test", 0, "data",
                                     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
                                     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"));
    }

    memset(&buf, 0, sizeof(sbx_buf_t));
    assert_int_equal(sbx_events_copy(job, &off, &buf), SBX_OK);
    assert_true(off <= 1024 * 1024 + 1024);
    assert_non_null(strstr(buf.data + buf.len - 200, "event=dropped"));
    sbx_buf_free(&buf);

    sbx_events_listen(job, 0);
    sbx_job_unref(job);
}


static void
utf8_cut(void **state)
{
    /* "é" is c3 a9, "€" e2 82 ac, "😀" f0 9f 98 80 */
    assert_int_equal(sbx_result_utf8_whole((u_char *) "ab", 2), 2);
    assert_int_equal(sbx_result_utf8_whole((u_char *) "a\xc3", 2), 1);
    assert_int_equal(sbx_result_utf8_whole((u_char *) "a\xc3\xa9", 3), 3);
    assert_int_equal(sbx_result_utf8_whole((u_char *) "\xe2\x82", 2), 0);
    assert_int_equal(sbx_result_utf8_whole((u_char *) "\xe2\x82\xac", 3),
                     3);
    assert_int_equal(sbx_result_utf8_whole((u_char *) "x\xf0\x9f\x98", 4),
                     1);
    /* not UTF-8 at all: nothing waits for it */
    assert_int_equal(sbx_result_utf8_whole((u_char *) "\x80\x80\x80\x80",
                                           4), 4);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_of_a_run),
        cmocka_unit_test(history_of_a_compile_error),
        cmocka_unit_test(log_is_bounded),
        cmocka_unit_test(utf8_cut),
    };

    if (sbx_jobs_init(60000, 1 << 20) != SBX_OK) {
        return 1;
    }

    return cmocka_run_group_tests(tests, NULL, NULL);
}
