
/*
 * The listening socket, set up once at start-up by the event thread:
 * a TCP address, or a UNIX socket with the configured mode and group so
 * that only nginx's user can connect.  A socket file left by a runner
 * that died is replaced; one a live runner still listens on is not.
 *
 * TCP ("tcp:host:port", or "host:port") speaks TLS with client
 * certificates (sbx_tls.c); without TLS only loopback addresses are
 * accepted, and anything else is refused at start-up, before Docker is
 * touched (sbx_listen_check()): plain SBX/1 on a network would let any
 * host submit code around nginx's policy.
 *
 * Locking: none; it runs before any connection exists.
 */


#define _GNU_SOURCE
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_conf.h"
#include "sbx_listen.h"
#include "sbx_log.h"
#include "sbx_tls.h"


#define SBX_LISTEN_BACKLOG  511


static int sbx_listen_resolve(const char *addr, struct addrinfo **res);
static int sbx_listen_loopback(const struct sockaddr *sa);
static int sbx_listen_tcp(const char *addr);
static int sbx_listen_unix(const char *path);
static int sbx_listen_stale(const struct sockaddr_un *sa);


int
sbx_listen_open(const char *addr, char *path, size_t size)
{
    int  fd;

    path[0] = '\0';

    if (strncmp(addr, "unix:", 5) != 0) {
        return sbx_listen_tcp(addr);
    }

    if (strlen(addr + 5) >= size) {
        sbx_log_error("socket path \"%s\" is too long", addr + 5);
        return -1;
    }

    fd = sbx_listen_unix(addr + 5);

    if (fd != -1) {
        strcpy(path, addr + 5);
    }

    return fd;
}


/*
 * Whether the listener may serve: a UNIX socket always; TCP with TLS,
 * or on loopback addresses only.  SBX_OK, or SBX_ERROR with the reason
 * logged.
 */

int
sbx_listen_check(const char *addr)
{
    struct addrinfo  *res, *ai;

    if (strncmp(addr, "unix:", 5) == 0 || sbx_tls_enabled()) {
        return SBX_OK;
    }

    if (sbx_listen_resolve(addr, &res) != SBX_OK) {
        return SBX_ERROR;
    }

    for (ai = res; ai; ai = ai->ai_next) {
        if (!sbx_listen_loopback(ai->ai_addr)) {
            sbx_log_error("listen \"%s\": plain TCP is accepted on "
                          "loopback addresses only; off loopback give "
                          "--tls-certificate, --tls-certificate-key and "
                          "--tls-client-ca", addr);
            freeaddrinfo(res);
            return SBX_ERROR;
        }
    }

    freeaddrinfo(res);

    return SBX_OK;
}


/* "tcp:host:port" or "host:port"; an empty host is every address */

static int
sbx_listen_resolve(const char *addr, struct addrinfo **res)
{
    int               rc;
    char              host[256];
    const char       *colon, *p;
    struct addrinfo   hints;

    p = (strncmp(addr, "tcp:", 4) == 0) ? addr + 4 : addr;

    colon = strrchr(p, ':');

    if (colon == NULL || (size_t) (colon - p) >= sizeof(host)) {
        sbx_log_error("listen \"%s\": use unix:/path or tcp:host:port",
                      addr);
        return SBX_ERROR;
    }

    memcpy(host, p, colon - p);
    host[colon - p] = '\0';

    /* "[::1]:7400" */

    if (host[0] == '[' && colon > p + 1 && colon[-1] == ']') {
        memmove(host, host + 1, colon - p - 2);
        host[colon - p - 2] = '\0';
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;

    rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, res);
    if (rc != 0) {
        sbx_log_error("listen \"%s\": %s", addr, gai_strerror(rc));
        return SBX_ERROR;
    }

    return SBX_OK;
}


/* 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104 */

static int
sbx_listen_loopback(const struct sockaddr *sa)
{
    const uint8_t              *a;
    const struct sockaddr_in   *sin;
    const struct sockaddr_in6  *sin6;

    if (sa->sa_family == AF_INET) {
        sin = (const struct sockaddr_in *) sa;
        return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
    }

    if (sa->sa_family == AF_INET6) {
        sin6 = (const struct sockaddr_in6 *) sa;
        a = sin6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
            return 1;
        }

        return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && a[12] == 127;
    }

    return 0;
}


static int
sbx_listen_tcp(const char *addr)
{
    int               fd, one;
    struct addrinfo  *res, *ai;

    /* checked at start-up already; here again, next to the bind */

    if (sbx_listen_check(addr) != SBX_OK
        || sbx_listen_resolve(addr, &res) != SBX_OK)
    {
        return -1;
    }

    fd = -1;

    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK
                    | SOCK_CLOEXEC, 0);
        if (fd == -1) {
            continue;
        }

        one = 1;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0
            && listen(fd, SBX_LISTEN_BACKLOG) == 0)
        {
            break;
        }

        close(fd);
        fd = -1;
    }

    freeaddrinfo(res);

    if (fd == -1) {
        sbx_log_error("listen \"%s\": %s", addr, strerror(errno));
        return -1;
    }

    sbx_log_info("listening on %s%s", addr,
                 sbx_tls_enabled() ? " (TLS)" : "");

    return fd;
}


static int
sbx_listen_unix(const char *path)
{
    int                 fd;
    struct group       *gr;
    struct sockaddr_un  sa;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        sbx_log_error("socket path \"%s\" is too long", path);
        return -1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);

    if (sbx_listen_stale(&sa) != SBX_OK) {
        return -1;
    }

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        sbx_log_error("socket: %s", strerror(errno));
        return -1;
    }

    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == -1) {
        sbx_log_error("bind \"%s\": %s (--listen sets it)", path,
                      strerror(errno));
        close(fd);
        return -1;
    }

    if (chmod(path, sbx_conf.socket_mode) == -1) {
        sbx_log_error("chmod \"%s\": %s", path, strerror(errno));
        close(fd);
        return -1;
    }

    if (sbx_conf.socket_group != NULL && sbx_conf.socket_group[0] != '\0') {
        gr = getgrnam(sbx_conf.socket_group);

        if (gr == NULL || chown(path, (uid_t) -1, gr->gr_gid) == -1) {
            sbx_log_error("socket group \"%s\": %s", sbx_conf.socket_group,
                          gr ? strerror(errno) : "no such group");
            close(fd);
        return -1;
        }
    }

    if (listen(fd, SBX_LISTEN_BACKLOG) == -1) {
        sbx_log_error("listen: %s", strerror(errno));
        close(fd);
        return -1;
    }

    sbx_log_info("listening on unix:%s", path);

    return fd;
}


/* Removes a socket file a dead runner left; refuses a live one's. */

static int
sbx_listen_stale(const struct sockaddr_un *sa)
{
    int          probe, live;
    struct stat  st;

    if (lstat(sa->sun_path, &st) == -1) {
        return SBX_OK;
    }

    if (!S_ISSOCK(st.st_mode)) {
        sbx_log_error("\"%s\" exists and is not a socket", sa->sun_path);
        return SBX_ERROR;
    }

    probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    live = 0;

    if (probe != -1) {
        live = (connect(probe, (const struct sockaddr *) sa, sizeof(*sa))
                == 0);
        close(probe);
    }

    if (live) {
        sbx_log_error("another runner is listening on \"%s\"", sa->sun_path);
        return SBX_ERROR;
    }

    sbx_log_info("removing stale socket \"%s\"", sa->sun_path);
    (void) unlink(sa->sun_path);

    return SBX_OK;
}
