
/*
 * Fuzz target: base64 (common/sbx_base64.c).  Decoding never writes past
 * sbx_base64_decoded_len(), what decodes re-encodes to the same text
 * (only canonical base64 is accepted), and encoding then decoding gives
 * the input back.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char           *src, *enc;
    ssize_t         n;
    unsigned char  *dec;

    src = malloc(size ? size : 1);
    dec = malloc(sbx_base64_decoded_len(size) + 1);
    enc = malloc(sbx_base64_encoded_len(size) + 1);

    if (src == NULL || dec == NULL || enc == NULL) {
        goto done;
    }

    memcpy(src, data, size);

    /* the input as base64 text */

    n = sbx_base64_decode(dec, src, size);

    if (n >= 0) {
        if ((size_t) n > sbx_base64_decoded_len(size)
            || sbx_base64_decode(NULL, src, size) != n
            || sbx_base64_encode(enc, dec, n) != size
            || memcmp(enc, src, size) != 0)
        {
            abort();
        }
    }

    /* the input as bytes: a round trip */

    if (sbx_base64_encode(enc, data, size) != sbx_base64_encoded_len(size)) {
        abort();
    }

    free(dec);
    dec = malloc(size + 1);
    if (dec == NULL) {
        goto done;
    }

    n = sbx_base64_decode(dec, enc, sbx_base64_encoded_len(size));

    if (n != (ssize_t) size || memcmp(dec, data, size) != 0) {
        abort();
    }

done:

    free(src);
    free(dec);
    free(enc);

    return 0;
}
