
/*
 * Callback signatures: with --callback-secret-file, each callback POST
 * carries X-Sandbox-Signature: "sha256=" and the hex HMAC-SHA256
 * (OpenSSL) of "<X-Sandbox-Timestamp>.<body>", so a receiver can tell it
 * came from this runner and a replay needs a fresh stamp.
 *
 * Locking: none.  The secret is read by sbx_sign_init() before any
 * thread starts and only read afterwards.
 */


#include <stdio.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "sbx.h"
#include "sbx_log.h"
#include "sbx_sign.h"


#define SBX_SIGN_MAX_SECRET  4095


static struct {
    char               *data;
    size_t              len;
} sbx_sign_secret;


int
sbx_sign_init(const char *file)
{
    FILE    *f;
    size_t   n;

    if (file == NULL) {
        return SBX_OK;
    }

    f = fopen(file, "re");

    if (f == NULL) {
        sbx_log_error("callback-secret-file \"%s\": %s", file,
                      strerror(errno));
        return SBX_ERROR;
    }

    sbx_sign_secret.data = calloc(1, SBX_SIGN_MAX_SECRET + 1);
    n = sbx_sign_secret.data
        ? fread(sbx_sign_secret.data, 1, SBX_SIGN_MAX_SECRET, f) : 0;
    fclose(f);

    while (n > 0 && (sbx_sign_secret.data[n - 1] == '\n'
                     || sbx_sign_secret.data[n - 1] == '\r'))
    {
        n--;
    }

    if (n == 0) {
        sbx_log_error("callback-secret-file \"%s\" is empty", file);
        return SBX_ERROR;
    }

    sbx_sign_secret.len = n;

    return SBX_OK;
}


int
sbx_sign_enabled(void)
{
    return sbx_sign_secret.data != NULL;
}


void
sbx_sign_cleanup(void)
{
    free(sbx_sign_secret.data);
    sbx_sign_secret.data = NULL;
}


/* HMAC-SHA256 of "<ts>.<body>" in hex: a replay needs a fresh stamp. */

int
sbx_sign(const char *ts, const char *body, size_t len, char *hex,
    size_t size)
{
    int             rc;
    size_t          n, i;
    EVP_MAC        *mac;
    OSSL_PARAM      params[2];
    EVP_MAC_CTX    *ctx;
    unsigned char   md[EVP_MAX_MD_SIZE];

    rc = SBX_ERROR;

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (ctx != NULL
        && EVP_MAC_init(ctx, (unsigned char *) sbx_sign_secret.data,
                        sbx_sign_secret.len, params)
        && EVP_MAC_update(ctx, (unsigned char *) ts, strlen(ts))
        && EVP_MAC_update(ctx, (unsigned char *) ".", 1)
        && EVP_MAC_update(ctx, (unsigned char *) body, len)
        && EVP_MAC_final(ctx, md, &n, sizeof(md))
        && 2 * n < size)
    {
        for (i = 0; i < n; i++) {
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        }

        rc = SBX_OK;
    }

    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);

    return rc;
}
