
/*
 * Fuzz target: the SBX/1 header parser every program runs on bytes it
 * did not write (common/sbx_proto.c).  A header it accepts must be
 * within its own bounds, and writing it back must give a header that
 * parses to the same word, length and attributes.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_proto.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                  rc, n;
    char                *buf, word[SBX_PROTO_MAX_WORD + 1];
    char                 out[SBX_PROTO_MAX_HEADER];
    unsigned             i;
    sbx_proto_header_t   h, h2;

    /* a copy of exactly size bytes: ASan sees any read past the end */

    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        return 0;
    }

    memcpy(buf, data, size);

    rc = sbx_proto_parse_header(buf, size, 1 << 20, &h);

    if (rc == SBX_PROTO_OK) {

        if (h.header_len > size || h.nattrs > SBX_PROTO_MAX_ATTRS
            || h.word.data < buf || h.word.data + h.word.len > buf + size)
        {
            abort();
        }

        for (i = 0; i < h.nattrs; i++) {
            if (sbx_proto_attr(&h, "id") == NULL
                && sbx_proto_str_eq(&h.attrs[i].key, "id"))
            {
                abort();
            }
        }

        (void) sbx_proto_attr(&h, "status");

        /* the word as a string, for the writer */

        if (h.word.len > SBX_PROTO_MAX_WORD) {
            abort();
        }

        memcpy(word, h.word.data, h.word.len);
        word[h.word.len] = '\0';

        n = sbx_proto_write_header(out, sizeof(out), word, h.body_len,
                                   h.attrs, h.nattrs);

        if (n > 0) {
            if (sbx_proto_parse_header(out, n, 1 << 20, &h2) != SBX_PROTO_OK
                || h2.body_len != h.body_len || h2.nattrs != h.nattrs
                || h2.word.len != h.word.len)
            {
                abort();
            }
        }
    }

    free(buf);

    return 0;
}
