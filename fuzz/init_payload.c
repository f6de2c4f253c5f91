
/*
 * Fuzz target: sandbox-init's RUN payload parser (runner/init/
 * init_payload.c, init_payload_steps.c).  init trusts the runner no
 * more than the runner trusts the module; whatever the bytes, the parser
 * either fills the job or says why, and frees what it took either way.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              rc;
    char             err[512];
    sbx_init_job_t   job;

    err[0] = '\0';

    rc = sbx_init_payload(&job, (const char *) data, size, err,
                          sizeof(err));

    if (rc != SBX_INIT_OK && err[0] == '\0') {
        abort();
    }

    /* what init does once the files are written, then at the end */

    sbx_init_payload_release(&job);
    sbx_init_payload_free(&job);

    return 0;
}
