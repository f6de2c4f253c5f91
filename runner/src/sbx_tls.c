
/*
 * Who may talk to the runner.
 *
 * On TCP the listener speaks TLS 1.2 or later (OpenSSL) and requires a
 * client certificate signed by --tls-client-ca: a peer without one
 * fails the handshake and is closed.  Sessions can be resumed (a
 * session cache and tickets, one session id context), so nginx's
 * "sandbox_ssl_session_reuse" saves a full handshake per new upstream
 * connection.  Plain TCP is refused off loopback by sbx_listen.c.
 *
 * On the UNIX socket, --auth-key-file makes every request frame carry
 * the key's token (common/sbx_auth.c): the socket's group may then hold
 * other processes (a PHP pool as www-data) without them reaching the
 * runner around nginx's policy.  The file must be readable by its owner
 * only; its content is kept as the token, never logged.
 *
 * The event loop (sbx_conn.c) drives the non-blocking sessions: a read
 * or write that TLS cannot finish says which readiness it waits for.
 *
 * Locking: the context and the token are set before any thread starts
 * and only read afterwards; each SSL object is its connection's, on the
 * event thread.
 */


#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sbx.h"
#include "sbx_auth.h"
#include "sbx_conf.h"
#include "sbx_log.h"
#include "sbx_tls.h"


static struct {
    SSL_CTX            *ctx;
    int                 auth;            /* a key is configured */
    char                token[SBX_AUTH_TOKEN_LEN + 1];
} sbx_tls;


static int sbx_tls_context(void);
static int sbx_tls_key(const char *file);
static void sbx_tls_log(const char *what);


int
sbx_tls_init(void)
{
    if (sbx_conf.auth_key_file != NULL
        && sbx_tls_key(sbx_conf.auth_key_file) != SBX_OK)
    {
        return SBX_ERROR;
    }

    if (sbx_conf.tls_certificate == NULL) {
        return SBX_OK;
    }

    return sbx_tls_context();
}


void
sbx_tls_cleanup(void)
{
    if (sbx_tls.ctx != NULL) {
        SSL_CTX_free(sbx_tls.ctx);
        sbx_tls.ctx = NULL;
    }

    OPENSSL_cleanse(sbx_tls.token, sizeof(sbx_tls.token));
}


int
sbx_tls_enabled(void)
{
    return sbx_tls.ctx != NULL;
}


static int
sbx_tls_context(void)
{
    SSL_CTX                   *ctx;
    STACK_OF(X509_NAME)       *names;
    static const unsigned char  sid[] = "sandbox-runner";

    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        sbx_tls_log("SSL_CTX_new");
        return SBX_ERROR;
    }

    sbx_tls.ctx = ctx;

    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        sbx_tls_log("TLS 1.2 as the least version");
        return SBX_ERROR;
    }

    /* a write may be retried from a moved buffer; partial writes count */

    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                          | SSL_MODE_ENABLE_PARTIAL_WRITE
                          | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION
                             | SSL_OP_CIPHER_SERVER_PREFERENCE);

#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* a keepalive connection nginx drops is an end, not an error */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif

    if (SSL_CTX_use_certificate_chain_file(ctx, sbx_conf.tls_certificate)
        != 1)
    {
        sbx_log_error("tls-certificate \"%s\": cannot load it",
                      sbx_conf.tls_certificate);
        sbx_tls_log("certificate");
        return SBX_ERROR;
    }

    if (SSL_CTX_use_PrivateKey_file(ctx, sbx_conf.tls_certificate_key,
                                    SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(ctx) != 1)
    {
        sbx_log_error("tls-certificate-key \"%s\": cannot load it, or it "
                      "is not the certificate's", sbx_conf.tls_certificate_key);
        sbx_tls_log("key");
        return SBX_ERROR;
    }

    /* every client shows a certificate of this CA, or is refused */

    if (SSL_CTX_load_verify_locations(ctx, sbx_conf.tls_client_ca, NULL)
        != 1)
    {
        sbx_log_error("tls-client-ca \"%s\": cannot load it",
                      sbx_conf.tls_client_ca);
        sbx_tls_log("client CA");
        return SBX_ERROR;
    }

    names = SSL_load_client_CA_file(sbx_conf.tls_client_ca);
    if (names == NULL) {
        sbx_log_error("tls-client-ca \"%s\": no CA names in it",
                      sbx_conf.tls_client_ca);
        return SBX_ERROR;
    }

    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);
    SSL_CTX_set_verify_depth(ctx, 4);

    /*
     * resumption: a session verified once is resumed without the client
     * certificate again, which OpenSSL allows only under a session id
     * context
     */

    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, 1024);
    SSL_CTX_set_timeout(ctx, 3600);

    if (SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1) != 1) {
        sbx_tls_log("session id context");
        return SBX_ERROR;
    }

    sbx_log_info("TLS on; client certificates of \"%s\" required",
                 sbx_conf.tls_client_ca);

    return SBX_OK;
}


/* The key file: its owner's alone, then kept only as its token. */

static int
sbx_tls_key(const char *file)
{
    int            fd;
    ssize_t        n;
    struct stat    st;
    unsigned char  key[SBX_AUTH_MAX_KEY + 2];

    fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd == -1) {
        sbx_log_error("auth-key-file \"%s\": %s", file, strerror(errno));
        return SBX_ERROR;
    }

    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)
        || (st.st_mode & 077) != 0
        || (st.st_uid != 0 && st.st_uid != geteuid()))
    {
        sbx_log_error("auth-key-file \"%s\": must be a regular file of root "
                      "(or the runner's user) that no one else may read "
                      "(mode 0600 or 0400)", file);
        close(fd);
        return SBX_ERROR;
    }

    n = read(fd, key, sizeof(key));
    close(fd);

    if (n < 0 || sbx_auth_token(key, (size_t) n, sbx_tls.token) != 0) {
        sbx_log_error("auth-key-file \"%s\": the key must be %d to %d "
                      "bytes", file, SBX_AUTH_MIN_KEY, SBX_AUTH_MAX_KEY);
        OPENSSL_cleanse(key, sizeof(key));
        return SBX_ERROR;
    }

    OPENSSL_cleanse(key, sizeof(key));

    sbx_tls.auth = 1;

    sbx_log_info("request frames must carry the shared key's token");

    return SBX_OK;
}


int
sbx_tls_auth(const char *given, size_t len)
{
    if (!sbx_tls.auth) {
        return 0;
    }

    if (given == NULL) {
        return 401;
    }

    return sbx_auth_match(sbx_tls.token, given, len) ? 0 : 403;
}


SSL *
sbx_tls_new(int fd)
{
    SSL  *ssl;

    ssl = SSL_new(sbx_tls.ctx);
    if (ssl == NULL) {
        sbx_tls_log("SSL_new");
        return NULL;
    }

    if (SSL_set_fd(ssl, fd) != 1) {
        sbx_tls_log("SSL_set_fd");
        SSL_free(ssl);
        return NULL;
    }

    SSL_set_accept_state(ssl);

    return ssl;
}


ssize_t
sbx_tls_read(SSL *ssl, char *buf, size_t len, uint32_t *want)
{
    int  n, err;

    ERR_clear_error();

    n = SSL_read(ssl, buf, (int) sbx_min(len, INT_MAX));

    if (n > 0) {
        return n;
    }

    err = SSL_get_error(ssl, n);

    switch (err) {

    case SSL_ERROR_WANT_READ:
        *want = EPOLLIN;
        errno = EAGAIN;
        return -1;

    case SSL_ERROR_WANT_WRITE:
        *want = EPOLLOUT;
        errno = EAGAIN;
        return -1;

    case SSL_ERROR_ZERO_RETURN:
        return 0;

    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            /* the peer closed without close_notify, as nginx may */
            return errno == 0 || errno == ECONNRESET ? 0 : -1;
        }

        /* fall through */

    default:
        sbx_tls_log(SSL_is_init_finished(ssl) ? "read"
                                                : "handshake refused");
        errno = EIO;
        return -1;
    }
}


ssize_t
sbx_tls_write(SSL *ssl, const char *buf, size_t len, uint32_t *want)
{
    int  n, err;

    ERR_clear_error();

    n = SSL_write(ssl, buf, (int) sbx_min(len, INT_MAX));

    if (n > 0) {
        return n;
    }

    err = SSL_get_error(ssl, n);

    switch (err) {

    case SSL_ERROR_WANT_READ:
        *want = EPOLLIN;
        errno = EAGAIN;
        return -1;

    case SSL_ERROR_WANT_WRITE:
        *want = EPOLLOUT;
        errno = EAGAIN;
        return -1;

    default:
        sbx_tls_log("write");
        errno = EIO;
        return -1;
    }
}


void
sbx_tls_close(SSL *ssl)
{
    if (ssl == NULL) {
        return;
    }

    /* the socket is non-blocking: one try, no waiting for the peer's */

    if (SSL_is_init_finished(ssl)) {
        ERR_clear_error();
        (void) SSL_shutdown(ssl);
    }

    ERR_clear_error();
    SSL_free(ssl);
}


/* OpenSSL's reasons, the oldest first, as warnings. */

static void
sbx_tls_log(const char *what)
{
    int            any;
    char           buf[256];
    unsigned long  e;

    any = 0;

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        sbx_log_warn("TLS %s: %s", what, buf);
        any = 1;
    }

    if (!any) {
        sbx_log_warn("TLS %s failed", what);
    }
}
