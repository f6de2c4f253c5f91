
/*
 * Fuzz target: the reader of sandbox-init's live frames (STATUS, OUT,
 * TEST) in runner/src/sbx_handover.c, which takes them off the front of
 * a container's log as it arrives and publishes them as the job's
 * events.  A program cannot write that channel, but the runner trusts
 * it no more than anything else.
 *
 * The first byte picks the language (one job per language of the real
 * languages.json, two tests each), the second the size of the pieces
 * the log arrives in; the rest is the log.  Whatever was published must
 * be EVENT frames back to back, each with a JSON object for its body.
 */


#include <stdint.h>
#include <string.h>

#include "fuzz_runner.h"
#include "sbx_events.h"
#include "sbx_handover.h"
#include "sbx_proto.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sbx_fuzz_check_events(sbx_job_t *job);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sbx_fuzz_runner_init();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                piece, off, n;
    sbx_buf_t             out;
    sbx_job_t            *job;
    sbx_handover_live_t   live;

    if (size < 2) {
        return 0;
    }

    /* a job of its own: its event log starts empty */

    job = sbx_fuzz_job(sbx_lang_at(data[0] % sbx_lang_count()));

    piece = (size_t) data[1] + 1;
    data += 2;
    size -= 2;

    memset(&out, 0, sizeof(sbx_buf_t));
    sbx_handover_live_init(&live, job);

    /* as the runner reads evt: after each piece that came */

    for (off = 0; off < size; off += n) {
        n = sbx_min(piece, size - off);

        if (sbx_buf_append(&out, data + off, n) != SBX_OK) {
            break;
        }

        if (sbx_handover_frames(&live, &out)) {
            break;
        }
    }

    sbx_handover_live_end(&live);

    sbx_fuzz_check_events(job);

    sbx_buf_free(&out);
    sbx_job_unref(job);

    return 0;
}


static void
sbx_fuzz_check_events(sbx_job_t *job)
{
    size_t               off, at;
    json_t              *body;
    sbx_buf_t            log;
    sbx_proto_header_t   h;

    memset(&log, 0, sizeof(sbx_buf_t));
    off = 0;

    if (sbx_events_copy(job, &off, &log) != SBX_OK) {
        sbx_buf_free(&log);
        return;
    }

    for (at = 0; at < log.len; at += h.header_len + h.body_len) {

        if (sbx_proto_parse_header(log.data + at, log.len - at,
                                   log.len - at, &h) != SBX_PROTO_OK
            || !sbx_proto_str_eq(&h.word, "EVENT")
            || sbx_proto_attr(&h, "event") == NULL
            || h.header_len + h.body_len > log.len - at)
        {
            abort();
        }

        body = json_loadb(log.data + at + h.header_len, h.body_len, 0, NULL);

        if (!json_is_object(body)) {
            abort();
        }

        json_decref(body);
    }

    sbx_buf_free(&log);
}
