
/*
 * Fuzz target: the runner's submission preparation, from the client's
 * bytes to a job with its payload for sandbox-init: sbx_schema_parse(),
 * sbx_schema_check() (common/sbx_schema.c, also the module's) and
 * sbx_submit_prepare() / sbx_submit_prepare_max() (runner/src/
 * sbx_submit.c) with the real languages.json.  An odd-sized input runs
 * under a location's maxima, as a frame with "max-*" attributes does.
 *
 * With SBX_FUZZ_PAYLOADS=<dir> set, each job's payload is written there:
 * that is how the seeds of the init_payload target are made.
 */


#include <stdint.h>
#include <string.h>

#include "fuzz_runner.h"
#include "sbx_schema.h"
#include "sbx_submit.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sbx_fuzz_dump(sbx_job_t *job);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sbx_fuzz_runner_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int            i;
    json_t        *sub;
    sbx_job_t     *job;
    sbx_error_t    err;
    sbx_limits_t   max;

    sub = sbx_schema_parse((const char *) data, size, &err);

    if (sub == NULL) {
        return 0;
    }

    (void) sbx_schema_check(sub, &err);

    if (size & 1) {
        for (i = 0; i < SBX_LIMIT_N; i++) {
            max.v[i] = INT64_MAX;
        }

        max.v[SBX_LIMIT_WALL] = 5000;
        max.v[SBX_LIMIT_MEMORY] = 262144;

        job = sbx_submit_prepare_max(sub, &max, &err);

    } else {
        job = sbx_submit_prepare(sub, &err);
    }

    if (job == NULL) {
        if (err.status < 400 || err.status > 599 || err.code[0] == '\0') {
            abort();
        }

    } else {
        if (job->lang == NULL || job->payload == NULL) {
            abort();
        }

        sbx_fuzz_dump(job);
        sbx_job_unref(job);
    }

    json_decref(sub);

    return 0;
}


static void
sbx_fuzz_dump(sbx_job_t *job)
{
    char        path[4096];
    const char *dir;

    dir = getenv("SBX_FUZZ_PAYLOADS");

    if (dir == NULL) {
        return;
    }

    snprintf(path, sizeof(path), "%s/%s.json", dir, job->id);

    if (json_dump_file(job->payload, path, JSON_COMPACT) != 0) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
    }
}
