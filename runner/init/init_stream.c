
/*
 * Live events: what init tells the runner while the job runs, on the
 * channel that carries the RESULT frame (its standard output, the evt
 * FIFO, which nothing but init can write: docs/protocol.md, "Live
 * frames").
 *
 *   STATUS  compiling, then running, as each phase starts
 *   OUT     a piece of a step's stdout or stderr, base64, in order
 *   TEST    a test's verdict and numbers, once it is judged
 *
 * Only bytes init has already kept go out, so the output limits and
 * the job's output budget (init_watch.c) bound the stream as they bound
 * the result.  A stream's pending bytes go out once SBX_STREAM_BYTES
 * are waiting or SBX_STREAM_MS after the last piece, and at the step's
 * end; after SBX_STREAM_FRAMES pieces in a job only the steps' ends
 * send, so that the runner's copy of the channel has a known size.
 * Every frame is followed by a line feed, like RESULT, so that a
 * channel read as lines (Docker's log drivers, when evt was not opened)
 * passes it on at once.
 *
 * The program's bytes are only ever the base64 body of a frame that init
 * writes: whatever the program prints, it cannot make a frame.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sbx_base64.h"
#include "init.h"


#define SBX_STREAM_FD      1             /* the result channel */
#define SBX_STREAM_PIECE   12288         /* raw bytes in one OUT frame */
#define SBX_STREAM_BYTES   4096
#define SBX_STREAM_MS      20
#define SBX_STREAM_FRAMES  2048


static int sbx_init_stream_frame(const char *word, const char *k1,
    const char *v1, const char *k2, const char *v2, const u_char *body,
    size_t len);
static void sbx_init_stream_piece(long test, const char *stream,
    sbx_init_buf_t *b, size_t *sent, uint64_t *at, uint64_t now, int all);


static unsigned  sbx_init_stream_frames;
static char      sbx_init_stream_b64[SBX_STREAM_PIECE / 3 * 4 + 4];


void
sbx_init_stream_status(const char *status)
{
    (void) sbx_init_stream_frame("STATUS", "status", status, NULL, NULL,
                                 NULL, 0);
}


/*
 * The output kept since the last piece, of both streams; all: the step
 * has ended, everything goes.
 */

void
sbx_init_stream_output(sbx_init_step_t *step, sbx_init_result_t *res,
    int all)
{
    uint64_t  now;

    now = sbx_init_meter_now();

    sbx_init_stream_piece(step->test, "stdout", &res->out, &res->out_sent,
                          &res->out_at, now, all);
    sbx_init_stream_piece(step->test, "stderr", &res->err, &res->err_sent,
                          &res->err_at, now, all);
}


/* A test's verdict, without its output (which went out in pieces). */

void
sbx_init_stream_test(size_t test, json_t *step)
{
    char     n[32];
    size_t   len;
    json_t  *o;

    /*
     * The step's copy is made with jansson's allocator (the arena while
     * steps fork, init_mem.c) and dumped into init's own buffer: nothing
     * here is freed with another allocator than it came from.
     */

    o = json_deep_copy(step);

    if (o == NULL) {
        return;
    }

    json_object_del(o, "stdout");
    json_object_del(o, "stderr");

    len = json_dumpb(o, sbx_init_stream_b64, sizeof(sbx_init_stream_b64),
                     JSON_COMPACT);
    json_decref(o);

    if (len == 0 || len > sizeof(sbx_init_stream_b64)) {
        return;
    }

    snprintf(n, sizeof(n), "%zu", test);

    (void) sbx_init_stream_frame("TEST", "test", n, NULL, NULL,
                                 (u_char *) sbx_init_stream_b64, len);
}


static void
sbx_init_stream_piece(long test, const char *stream, sbx_init_buf_t *b,
    size_t *sent, uint64_t *at, uint64_t now, int all)
{
    char    n[32];
    size_t  len, raw;

    len = b->len - *sent;

    if (len == 0) {
        return;
    }

    if (!all) {
        if (sbx_init_stream_frames >= SBX_STREAM_FRAMES) {
            return;
        }

        if (len < SBX_STREAM_BYTES
            && now - *at < (uint64_t) SBX_STREAM_MS * 1000000)
        {
            return;
        }
    }

    if (test < 0) {
        snprintf(n, sizeof(n), "compile");

    } else {
        snprintf(n, sizeof(n), "%ld", test);
    }

    while (*sent < b->len) {
        raw = b->len - *sent;

        if (raw > SBX_STREAM_PIECE) {
            raw = SBX_STREAM_PIECE;
        }

        len = sbx_base64_encode(sbx_init_stream_b64, b->data + *sent, raw);

        if (sbx_init_stream_frame("OUT", "step", n, "stream", stream,
                                  (u_char *) sbx_init_stream_b64, len)
            != SBX_INIT_OK)
        {
            /* the channel is gone: the result will say nothing either */
            *sent = b->len;
            break;
        }

        *sent += raw;
        sbx_init_stream_frames++;
    }

    *at = now;
}


/* One frame and its line feed, with up to two attributes. */

static int
sbx_init_stream_frame(const char *word, const char *k1, const char *v1,
    const char *k2, const char *v2, const u_char *body, size_t len)
{
    int               n;
    char              hdr[SBX_PROTO_MAX_HEADER];
    unsigned          na;
    sbx_proto_attr_t  attrs[2];

    na = 0;

    if (k1 != NULL) {
        attrs[na].key.data = k1;
        attrs[na].key.len = strlen(k1);
        attrs[na].value.data = v1;
        attrs[na].value.len = strlen(v1);
        na++;
    }

    if (k2 != NULL) {
        attrs[na].key.data = k2;
        attrs[na].key.len = strlen(k2);
        attrs[na].value.data = v2;
        attrs[na].value.len = strlen(v2);
        na++;
    }

    n = sbx_proto_write_header(hdr, sizeof(hdr), word, len, attrs, na);

    if (n < 0) {
        errno = EINVAL;
        return SBX_INIT_ERROR;
    }

    if (sbx_write_all(SBX_STREAM_FD, hdr, n) < 0
        || (len && sbx_write_all(SBX_STREAM_FD, body, len) < 0)
        || sbx_write_all(SBX_STREAM_FD, "\n", 1) < 0)
    {
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}
