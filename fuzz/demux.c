
/*
 * Fuzz target: the Docker log stream demultiplexer (runner/src/
 * sbx_docker.c), which reads what a container's program and Docker
 * wrote.  Whatever it keeps is no more than what came in, minus the
 * 8-byte frame headers.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"
#include "sbx_docker.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char       *buf;
    sbx_buf_t   out, err;

    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        return 0;
    }

    memcpy(buf, data, size);

    memset(&out, 0, sizeof(sbx_buf_t));
    memset(&err, 0, sizeof(sbx_buf_t));

    (void) sbx_docker_demux(buf, size, &out, &err);

    if (out.len + err.len > size) {
        abort();
    }

    sbx_buf_free(&out);
    sbx_buf_free(&err);
    free(buf);

    return 0;
}
