
/*
 * Callback signatures (sbx_sign.c).
 */


#ifndef _SBX_SIGN_H_INCLUDED_
#define _SBX_SIGN_H_INCLUDED_


#include <stddef.h>


/* Reads the secret from file (NULL: callbacks are not signed). */
int sbx_sign_init(const char *file);

int sbx_sign_enabled(void);
void sbx_sign_cleanup(void);

/*
 * The hex HMAC-SHA256 of "<ts>.<body>" into hex (size bytes, at least
 * 2 * 32 + 1).
 */
int sbx_sign(const char *ts, const char *body, size_t len, char *hex,
    size_t size);


#endif /* _SBX_SIGN_H_INCLUDED_ */
