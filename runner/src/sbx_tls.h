
/*
 * TLS on the runner's TCP listener and the UNIX socket's shared key
 * (sbx_tls.c).
 */


#ifndef _SBX_TLS_H_INCLUDED_
#define _SBX_TLS_H_INCLUDED_


#include <openssl/ssl.h>

#include "sbx.h"


/*
 * Loads the certificate, its key and the client CA (--tls-*), and the
 * shared key (--auth-key-file), before any connection exists.  SBX_OK,
 * or SBX_ERROR with the reason logged.
 */
int sbx_tls_init(void);
void sbx_tls_cleanup(void);

/* Whether connections speak TLS. */
int sbx_tls_enabled(void);

/* A server-side TLS session on an accepted descriptor, or NULL. */
SSL *sbx_tls_new(int fd);

/*
 * Reads or writes like read(2) and write(2): a byte count, 0 at the
 * peer's end of the stream (read), or -1 with errno: EAGAIN when TLS
 * waits for the socket, and *want is then EPOLLIN or EPOLLOUT, whichever
 * it waits for (a read may need to write during a handshake, a write to
 * read); EIO for a TLS failure, logged once here.
 */
ssize_t sbx_tls_read(SSL *ssl, char *buf, size_t len, uint32_t *want);
ssize_t sbx_tls_write(SSL *ssl, const char *buf, size_t len,
    uint32_t *want);

/* A best-effort close_notify, then the session is freed. */
void sbx_tls_close(SSL *ssl);

/*
 * The shared key's check of one frame's auth attribute (NULL: absent):
 * 0 when it passes or no key is configured, 401 when it is absent, 403
 * when it is wrong.
 */
int sbx_tls_auth(const char *given, size_t len);


#endif /* _SBX_TLS_H_INCLUDED_ */
