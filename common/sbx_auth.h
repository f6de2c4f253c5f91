
/*
 * The UNIX socket's shared key (sandbox-runner --auth-key-file, the
 * module's sandbox_auth_key_file): what both ends derive from it and how
 * the runner compares.
 *
 * The key itself never crosses the socket: every request frame carries
 * auth=<token>, the token being the hex HMAC-SHA256 (OpenSSL) of a fixed
 * label under the key.  Each end reads the file once at start-up (nginx:
 * its master, at configuration time, so workers need no access to it)
 * and keeps only the token.  The runner compares in constant time
 * (CRYPTO_memcmp) and never logs a frame's attributes.
 *
 * Plain C, no nginx or runner types.
 */


#ifndef _SBX_AUTH_H_INCLUDED_
#define _SBX_AUTH_H_INCLUDED_


#include <stddef.h>


#define SBX_AUTH_TOKEN_LEN   64          /* hex of 32 bytes */
#define SBX_AUTH_MIN_KEY     16          /* bytes of key, at least */
#define SBX_AUTH_MAX_KEY     4096


/*
 * The token of key[0..len) into token (SBX_AUTH_TOKEN_LEN + 1 bytes,
 * NUL-terminated).  Trailing CR and LF of the key (a file's last line
 * end) are not part of it.  Returns 0, or -1 when the key is shorter
 * than SBX_AUTH_MIN_KEY or longer than SBX_AUTH_MAX_KEY, or HMAC failed.
 */
int sbx_auth_token(const unsigned char *key, size_t len, char *token);

/*
 * 1 when given[0..len) is the token, else 0, in a time that does not
 * depend on where they differ.
 */
int sbx_auth_match(const char *token, const char *given, size_t len);


#endif /* _SBX_AUTH_H_INCLUDED_ */
