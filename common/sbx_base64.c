
/*
 * Base64 with a table in each direction.  Decoding is strict (length a
 * multiple of 4, padding only at the end, zero pad bits) so that every
 * accepted input has exactly one meaning.
 */


#include "sbx_base64.h"


static const char  sbx_base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const signed char  sbx_base64_map[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};


size_t
sbx_base64_encode(char *dst, const unsigned char *src, size_t len)
{
    char  *d;

    d = dst;

    while (len > 2) {
        *d++ = sbx_base64_alphabet[src[0] >> 2];
        *d++ = sbx_base64_alphabet[((src[0] & 3) << 4) | (src[1] >> 4)];
        *d++ = sbx_base64_alphabet[((src[1] & 0x0f) << 2) | (src[2] >> 6)];
        *d++ = sbx_base64_alphabet[src[2] & 0x3f];

        src += 3;
        len -= 3;
    }

    if (len) {
        *d++ = sbx_base64_alphabet[src[0] >> 2];

        if (len == 1) {
            *d++ = sbx_base64_alphabet[(src[0] & 3) << 4];
            *d++ = '=';

        } else {
            *d++ = sbx_base64_alphabet[((src[0] & 3) << 4) | (src[1] >> 4)];
            *d++ = sbx_base64_alphabet[(src[1] & 0x0f) << 2];
        }

        *d++ = '=';
    }

    return d - dst;
}


ssize_t
sbx_base64_decode(unsigned char *dst, const char *src, size_t len)
{
    size_t          i, pad, out;
    unsigned        v, k;
    unsigned char   c;

    if (len % 4) {
        return -1;
    }

    pad = 0;

    if (len && src[len - 1] == '=') {
        pad++;

        if (src[len - 2] == '=') {
            pad++;
        }
    }

    out = 0;

    for (i = 0; i < len; i += 4) {
        v = 0;

        for (k = 0; k < 4; k++) {
            c = (unsigned char) src[i + k];

            if (i + 4 == len && k >= 4 - pad) {
                v <<= 6;
                continue;
            }

            if (sbx_base64_map[c] < 0) {
                return -1;
            }

            v = (v << 6) | (unsigned) sbx_base64_map[c];
        }

        if (i + 4 == len && pad) {
            /* the bits under the padding must be zero */

            if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff))) {
                return -1;
            }
        }

        if (dst) {
            dst[out] = (unsigned char) (v >> 16);

            if (!(i + 4 == len && pad == 2)) {
                dst[out + 1] = (unsigned char) (v >> 8);
            }

            if (!(i + 4 == len && pad)) {
                dst[out + 2] = (unsigned char) v;
            }
        }

        out += 3;
    }

    return (ssize_t) (out - pad);
}
