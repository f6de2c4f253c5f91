
/*
 * What the runner's fuzz targets share: the real languages.json, loaded
 * once (SBX_FUZZ_LANGUAGES names another), and the job table.
 */


#ifndef _SBX_FUZZ_RUNNER_H_INCLUDED_
#define _SBX_FUZZ_RUNNER_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>

#include "sbx.h"
#include "sbx_job.h"
#include "sbx_lang.h"


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


#endif /* _SBX_FUZZ_RUNNER_H_INCLUDED_ */
