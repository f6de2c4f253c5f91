
/*
 * Fuzz target: the runner's reading of sandbox-init's report, which a
 * submitted program may have tried to forge: the RESULT frame checks of
 * sbx_handover_result() (runner/src/sbx_handover.c), then init's JSON
 * through sbx_result_build() (runner/src/sbx_result.c), which decodes
 * the outputs, applies the language's memory_error pattern and
 * diagnostics, and picks the deciding test.  An input that is not a
 * frame is taken as the report's JSON itself, so that the fuzzer spends
 * its time in the builder.  The job is one per language of the real
 * languages.json, picked by the input's size.
 */


#include <stdint.h>
#include <string.h>

#include "fuzz_runner.h"
#include "sbx_proto.h"
#include "sbx_result.h"


#define SBX_FUZZ_MAX_LANGS  64


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sbx_job_t  *sbx_fuzz_jobs[SBX_FUZZ_MAX_LANGS];
static size_t      sbx_fuzz_njobs;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t  i;

    sbx_fuzz_runner_init();

    for (i = 0; i < sbx_lang_count() && i < SBX_FUZZ_MAX_LANGS; i++) {
        sbx_fuzz_jobs[sbx_fuzz_njobs++] = sbx_fuzz_job(sbx_lang_at(i));
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                *s, *buf;
    json_t              *init, *res;
    size_t               len;
    sbx_job_t           *job;
    sbx_status_e         status;
    sbx_proto_header_t   h;

    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        return 0;
    }

    memcpy(buf, data, size);

    /* as sbx_handover_result() takes the frame from the stdout stream */

    if (sbx_proto_parse_header(buf, size, size, &h) == SBX_PROTO_OK
        && sbx_proto_str_eq(&h.word, "RESULT")
        && size == h.header_len + h.body_len + 1
        && buf[size - 1] == '\n')
    {
        init = json_loadb(buf + h.header_len, h.body_len, 0, NULL);

    } else {
        init = json_loadb(buf, size, 0, NULL);
    }

    if (!json_is_object(init)) {
        json_decref(init);
        free(buf);
        return 0;
    }

    job = sbx_fuzz_jobs[size % sbx_fuzz_njobs];

    s = sbx_result_build(job, init, NULL, &status, &len);

    if (s == NULL) {
        abort();
    }

    /* the API result is one JSON object with a final status */

    res = json_loadb(s, len, 0, NULL);

    if (!json_is_object(res)
        || !json_is_string(json_object_get(res, "status"))
        || status < SBX_STATUS_FIRST_FINAL)
    {
        abort();
    }

    json_decref(res);
    json_decref(init);
    free(s);
    free(buf);

    return 0;
}
