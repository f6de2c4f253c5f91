
/*
 * The channels between the runner and init (docs/protocol.md, "Runner
 * <-> sandbox-init"): the ctl FIFO that brings RUN and GO, and the evt
 * FIFO that takes everything init tells the runner: the live frames,
 * COMPILED and the RESULT frame.  Frames are parsed by common/sbx_proto.
 *
 * ctl is read with a deadline only after RUN: before it, waiting for
 * ever is the point (a pooled container), and a runner that dies closes
 * the FIFO.  evt is opened once RUN came, non-blocking and retried, so
 * a runner that never opens its end cannot hang init; it becomes init's
 * standard output, so that every writer of a frame writes descriptor 1.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"


static ssize_t sbx_init_ctl_fill(sbx_init_ctl_t *ctl, char *p, size_t n,
    int timeout_ms, uint64_t start);


/* Blocks until the runner opens its end of ctl. */

int
sbx_init_ctl_open(sbx_init_ctl_t *ctl, char *err, size_t size)
{
    memset(ctl, 0, sizeof(sbx_init_ctl_t));

    do {
        ctl->fd = open(SBX_INIT_CTL, O_RDONLY | O_CLOEXEC);
    } while (ctl->fd == -1 && errno == EINTR);

    if (ctl->fd == -1) {
        snprintf(err, size, "%s: %s", SBX_INIT_CTL, strerror(errno));
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}


void
sbx_init_ctl_close(sbx_init_ctl_t *ctl)
{
    if (ctl->fd != -1) {
        close(ctl->fd);
        ctl->fd = -1;
    }
}


/*
 * Reads one frame from ctl.  The word is copied out, the body is malloc'd
 * and NUL-terminated; bytes read past the frame stay in ctl->buf for the
 * next call.  timeout_ms < 0 waits for ever: before RUN that is the point
 * (a pooled container), and a runner that dies closes the FIFO (EOF).
 */

int
sbx_init_ctl_read(sbx_init_ctl_t *ctl, char *word, size_t wsize,
    char **body, size_t *blen, size_t max, int timeout_ms, char *err,
    size_t size)
{
    int                  rc;
    char                *b;
    size_t               have, rest;
    ssize_t              n;
    uint64_t             start;
    sbx_proto_header_t   h;

    start = sbx_init_meter_now();

    for ( ;; ) {
        rc = ctl->len ? sbx_proto_parse_header(ctl->buf, ctl->len, max, &h)
                      : SBX_PROTO_AGAIN;

        if (rc == SBX_PROTO_OK) {
            break;
        }

        if (rc == SBX_PROTO_TOO_LARGE) {
            snprintf(err, size, "ctl: frame larger than %zu bytes", max);
            return SBX_INIT_ERROR;
        }

        if (rc != SBX_PROTO_AGAIN || ctl->len == sizeof(ctl->buf)) {
            snprintf(err, size, "ctl: malformed frame header");
            return SBX_INIT_ERROR;
        }

        n = sbx_init_ctl_fill(ctl, ctl->buf + ctl->len,
                              sizeof(ctl->buf) - ctl->len, timeout_ms,
                              start);

        if (n <= 0) {
            snprintf(err, size, "ctl: %s", n == 0 ? "closed by the runner"
                     : errno == ETIMEDOUT ? "timed out" : strerror(errno));
            return SBX_INIT_ERROR;
        }

        ctl->len += n;
    }

    if (h.word.len >= wsize) {
        snprintf(err, size, "ctl: word too long");
        return SBX_INIT_ERROR;
    }

    memcpy(word, h.word.data, h.word.len);
    word[h.word.len] = '\0';

    b = malloc(h.body_len + 1);

    if (b == NULL) {
        snprintf(err, size, "ctl: no memory for %zu bytes", h.body_len);
        return SBX_INIT_ERROR;
    }

    have = ctl->len - h.header_len;

    if (have > h.body_len) {
        have = h.body_len;
    }

    memcpy(b, ctl->buf + h.header_len, have);

    rest = ctl->len - h.header_len - have;
    memmove(ctl->buf, ctl->buf + h.header_len + have, rest);
    ctl->len = rest;

    while (have < h.body_len) {
        n = sbx_init_ctl_fill(ctl, b + have, h.body_len - have, timeout_ms,
                              start);

        if (n <= 0) {
            snprintf(err, size, "ctl: %s in a frame body",
                     n == 0 ? "end of file"
                     : errno == ETIMEDOUT ? "timed out" : strerror(errno));
            free(b);
            return SBX_INIT_ERROR;
        }

        have += n;
    }

    b[h.body_len] = '\0';

    *body = b;
    *blen = h.body_len;

    return SBX_INIT_OK;
}


static ssize_t
sbx_init_ctl_fill(sbx_init_ctl_t *ctl, char *p, size_t n, int timeout_ms,
    uint64_t start)
{
    int            rc;
    ssize_t        r;
    uint64_t       spent;
    struct pollfd  pfd;

    for ( ;; ) {
        if (timeout_ms >= 0) {
            spent = (sbx_init_meter_now() - start) / 1000000;

            if (spent >= (uint64_t) timeout_ms) {
                errno = ETIMEDOUT;
                return -1;
            }

            pfd.fd = ctl->fd;
            pfd.events = POLLIN;

            rc = poll(&pfd, 1, timeout_ms - (int) spent);

            if (rc == -1 && errno != EINTR) {
                return -1;
            }

            if (rc <= 0) {
                continue;
            }
        }

        r = read(ctl->fd, p, n);

        if (r == -1 && errno == EINTR) {
            continue;
        }

        return r;
    }
}


/*
 * The runner opened its end of evt before it wrote RUN: evt becomes
 * init's standard output, the one channel of every frame init sends.
 * Without it (no runner reads, or no evt) init's frames go to the
 * container's standard output, where nobody waits for them.
 */

void
sbx_init_channel(void)
{
    int              fd;
    uint64_t         start;
    struct timespec  ts;

    start = sbx_init_meter_now();

    for ( ;; ) {
        fd = open(SBX_INIT_EVT, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

        if (fd != -1) {
            break;
        }

        if (errno != ENXIO && errno != EINTR) {
            sbx_init_log("%s: %s", SBX_INIT_EVT, strerror(errno));
            return;
        }

        if (sbx_init_meter_now() - start
            > (uint64_t) SBX_INIT_CHANNEL_MS * 1000000)
        {
            sbx_init_log("%s: no reader", SBX_INIT_EVT);
            return;
        }

        ts.tv_sec = 0;
        ts.tv_nsec = 1000000;
        nanosleep(&ts, NULL);
    }

    /* blocking writes: the runner reads as init writes */

    (void) fcntl(fd, F_SETFL, 0);

    /* room for a few live pieces while the runner is busy, if allowed */

    (void) fcntl(fd, F_SETPIPE_SZ, SBX_INIT_CHANNEL_PIPE);

    if (dup2(fd, 1) == -1) {
        sbx_init_log("dup2 %s: %s", SBX_INIT_EVT, strerror(errno));

    } else {
        /* every child gets its own descriptor 1 (init_spawn.c) */
        (void) fcntl(1, F_SETFD, FD_CLOEXEC);
    }

    close(fd);
}


/* COMPILED on the channel, then GO on ctl (docs/protocol.md). */

int
sbx_init_pause(sbx_init_ctl_t *ctl, char *err, size_t size)
{
    char    *body, word[SBX_PROTO_MAX_WORD + 1];
    size_t   len;

    if (sbx_init_send(1, "COMPILED", NULL, 0) != SBX_INIT_OK
        || sbx_write_all(1, "\n", 1) < 0)
    {
        snprintf(err, size, "%s: %s", SBX_INIT_EVT, strerror(errno));
        return SBX_INIT_ERROR;
    }

    if (sbx_init_ctl_read(ctl, word, sizeof(word), &body, &len, 0,
                          SBX_INIT_PAUSE_MS, err, size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    free(body);

    if (strcmp(word, "GO") != 0) {
        snprintf(err, size, "ctl: expected GO, got %s", word);
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}


int
sbx_init_send(int fd, const char *word, const u_char *body, size_t len)
{
    int   n;
    char  hdr[SBX_PROTO_MAX_HEADER];

    n = sbx_proto_write_header(hdr, sizeof(hdr), word, len, NULL, 0);

    if (n < 0) {
        errno = EINVAL;
        return SBX_INIT_ERROR;
    }

    if (sbx_write_all(fd, hdr, n) < 0
        || sbx_write_all(fd, body, len) < 0)
    {
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}
