
/*
 * The shared key's token and its constant-time comparison
 * (sbx_auth.h).  OpenSSL does the HMAC and the comparison; nothing here
 * keeps state.
 */


#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sbx_auth.h"


/* what the key signs: a label of its own, so the token is for nothing else */

static const char  sbx_auth_label[] = "SBX/1 auth";
static const char  sbx_auth_hex[] = "0123456789abcdef";


int
sbx_auth_token(const unsigned char *key, size_t len, char *token)
{
    size_t          i;
    unsigned int    n;
    unsigned char   mac[EVP_MAX_MD_SIZE];

    while (len > 0 && (key[len - 1] == '\n' || key[len - 1] == '\r')) {
        len--;
    }

    if (len < SBX_AUTH_MIN_KEY || len > SBX_AUTH_MAX_KEY) {
        return -1;
    }

    n = 0;

    if (HMAC(EVP_sha256(), key, (int) len,
             (const unsigned char *) sbx_auth_label,
             sizeof(sbx_auth_label) - 1, mac, &n)
        == NULL || n * 2 != SBX_AUTH_TOKEN_LEN)
    {
        return -1;
    }

    for (i = 0; i < n; i++) {
        token[2 * i] = sbx_auth_hex[mac[i] >> 4];
        token[2 * i + 1] = sbx_auth_hex[mac[i] & 0xf];
    }

    token[SBX_AUTH_TOKEN_LEN] = '\0';

    OPENSSL_cleanse(mac, sizeof(mac));

    return 0;
}


int
sbx_auth_match(const char *token, const char *given, size_t len)
{
    if (len != SBX_AUTH_TOKEN_LEN) {
        return 0;
    }

    return CRYPTO_memcmp(token, given, SBX_AUTH_TOKEN_LEN) == 0;
}
