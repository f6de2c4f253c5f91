
/*
 * What the runner's fuzz targets share: the real languages.json, loaded
 * once (SBX_FUZZ_LANGUAGES names another), the job table, and a job of
 * any language as a submission makes it.
 */


#ifndef _SBX_FUZZ_RUNNER_H_INCLUDED_
#define _SBX_FUZZ_RUNNER_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_schema.h"
#include "sbx_submit.h"


#ifndef SBX_FUZZ_LANGUAGES
#define SBX_FUZZ_LANGUAGES  "runner/languages.json"
#endif


static void
sbx_fuzz_runner_init(void)
{
    char        err[256];
    const char *path;

    path = getenv("SBX_FUZZ_LANGUAGES");

    if (path == NULL) {
        path = SBX_FUZZ_LANGUAGES;
    }

    if (sbx_lang_load(path, err, sizeof(err)) != SBX_OK) {
        fprintf(stderr, "fuzz: %s: %s\n", path, err);
        abort();
    }

    if (sbx_jobs_init(60000, 1 << 20) != SBX_OK) {
        abort();
    }
}


/* A job of lang with two tests, made as the runner makes a submission's. */

static inline sbx_job_t *
sbx_fuzz_job(sbx_lang_t *lang)
{
    char          text[256];
    json_t       *sub;
    sbx_job_t    *job;
    sbx_error_t   err;

    snprintf(text, sizeof(text),
             "{\"language\":\"%s\",\"source\":\"x\","
             "\"tests\":[{\"stdin\":\"\"},{\"stdin\":\"1\"}]}",
             lang->id);

    sub = sbx_schema_parse(text, strlen(text), &err);
    job = sub ? sbx_submit_prepare(sub, &err) : NULL;
    json_decref(sub);

    if (job == NULL) {
        fprintf(stderr, "fuzz: %s: %s\n", lang->id, err.message);
        abort();
    }

    return job;
}


#endif /* _SBX_FUZZ_RUNNER_H_INCLUDED_ */
