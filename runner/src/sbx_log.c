
/*
 * Logging.
 *
 * Locking: every line is formatted into a local buffer and written with
 * one write(2), so lines from different threads never interleave.  The
 * descriptor is swapped with dup2(2) on reopen, which is atomic for the
 * writers; no lock is needed.
 */


#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_log.h"


int                       sbx_log_level = SBX_LOG_INFO;

static int                sbx_log_fd = 2;
static int                sbx_log_starting = 1;
static char              *sbx_log_path;
static __thread char      sbx_log_thread[16] = "main";

static const char        *sbx_log_levels[] = {
    "error", "warn", "info", "debug"
};


int
sbx_log_init(const char *path, int level)
{
    sbx_log_level = level;

    if (path == NULL || path[0] == '\0' || strcmp(path, "stderr") == 0) {
        sbx_log_fd = 2;
        return SBX_OK;
    }

    sbx_log_path = strdup(path);
    if (sbx_log_path == NULL) {
        return SBX_ERROR;
    }

    sbx_log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

    return sbx_log_fd == -1 ? SBX_ERROR : SBX_OK;
}


int
sbx_log_reopen(void)
{
    int  fd;

    if (sbx_log_path == NULL) {
        return SBX_OK;
    }

    fd = open(sbx_log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd == -1) {
        sbx_log_error("cannot reopen log \"%s\": %s",
                      sbx_log_path, strerror(errno));
        return SBX_ERROR;
    }

    if (dup3(fd, sbx_log_fd, O_CLOEXEC) == -1) {
        close(fd);
        return SBX_ERROR;
    }

    close(fd);

    return SBX_OK;
}


void
sbx_log_started(void)
{
    sbx_log_starting = 0;
}


void
sbx_log_set_thread(const char *name)
{
    char  comm[16];

    snprintf(sbx_log_thread, sizeof(sbx_log_thread), "%s", name);

    /* the same name in top -H and /proc/PID/task/TID/comm (make bench) */

    snprintf(comm, sizeof(comm), "%s", name);
    (void) pthread_setname_np(pthread_self(), comm);
}


int
sbx_log_level_by_name(const char *name)
{
    int  i;

    for (i = 0; i < (int) sbx_nelems(sbx_log_levels); i++) {
        if (strcmp(name, sbx_log_levels[i]) == 0) {
            return i;
        }
    }

    return -1;
}


const char *
sbx_log_level_name(int level)
{
    if (level < 0 || level >= (int) sbx_nelems(sbx_log_levels)) {
        return "?";
    }

    return sbx_log_levels[level];
}


void
sbx_log(int level, const char *fmt, ...)
{
    int         n, m, h;
    char        line[2048], ts[32];
    va_list     args;
    ssize_t     rc;

    sbx_rfc3339(ts, sizeof(ts), sbx_realtime_msec());

    n = snprintf(line, sizeof(line), "%s %s [%s] ",
                 ts, sbx_log_levels[level], sbx_log_thread);
    h = n;

    va_start(args, fmt);
    m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, args);
    va_end(args);

    if (m < 0) {
        m = 0;
    }

    n += m;

    if (n > (int) sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }

    line[n++] = '\n';

    rc = write(sbx_log_fd, line, n);

    /* the message alone: stderr is a terminal or a service manager's */

    if (sbx_log_starting && level == SBX_LOG_ERR && sbx_log_fd != 2) {
        rc = write(2, "sandbox-runner: ", sizeof("sandbox-runner: ") - 1);
        rc = write(2, line + h, n - h);
    }

    (void) rc;
}
