
/*
 * The submitted files, written into the work directory before the first
 * step.  init never opens a path there itself: the work directory
 * belongs to the program, which could have made any name in it a link
 * by the next step.  A child with the program's credentials
 * (sbx_init_drop, init_spawn.c) decodes each file from the payload and
 * creates it with O_CREAT | O_EXCL | O_NOFOLLOW, one directory level at
 * most, so a name can neither follow nor replace anything that exists.
 * Its first failure comes back as text through a pipe.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sbx_base64.h"
#include "init.h"


static void sbx_files_child(sbx_init_job_t *job, int report)
    __attribute__((noreturn));
static void sbx_files_write(int report, int wfd, sbx_init_file_t *f);
static void sbx_files_fail(int report, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));


int
sbx_init_write_files(sbx_init_job_t *job, char *err, size_t size)
{
    int       p[2], status;
    char      msg[256];
    pid_t     pid;
    ssize_t   n;

    if (pipe2(p, O_CLOEXEC) == -1) {
        snprintf(err, size, "files: pipe: %s", strerror(errno));
        return SBX_INIT_ERROR;
    }

    pid = fork();

    if (pid == -1) {
        snprintf(err, size, "files: fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return SBX_INIT_ERROR;
    }

    if (pid == 0) {
        close(p[0]);
        sbx_files_child(job, p[1]);
    }

    close(p[1]);

    do {
        n = read(p[0], msg, sizeof(msg) - 1);
    } while (n == -1 && errno == EINTR);

    close(p[0]);

    while (waitpid(pid, &status, __WALL) == -1) {
        if (errno != EINTR) {
            snprintf(err, size, "files: waitpid: %s", strerror(errno));
            return SBX_INIT_ERROR;
        }
    }

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return SBX_INIT_OK;
    }

    if (n > 0) {
        msg[n] = '\0';
        snprintf(err, size, "%s", msg);

    } else {
        snprintf(err, size, "files: writer died (status %d)", status);
    }

    return SBX_INIT_ERROR;
}


/* The writer: the program's credentials, then every file in turn. */

static void
sbx_files_child(sbx_init_job_t *job, int report)
{
    int     wfd, stage;
    size_t  i;

    stage = sbx_init_drop(job->uid, job->gid);

    if (stage != 0) {
        sbx_files_fail(report, "files: %s: %s", sbx_init_stage(stage),
                       strerror(errno));
    }

    wfd = open(job->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (wfd == -1) {
        sbx_files_fail(report, "files: %s: %s", job->workdir,
                       strerror(errno));
    }

    for (i = 0; i < job->nfiles; i++) {
        sbx_files_write(report, wfd, &job->files[i]);
    }

    _exit(0);
}


static void
sbx_files_write(int report, int wfd, sbx_init_file_t *f)
{
    int       dfd, fd;
    char      dir[SBX_INIT_MAX_PATH + 1], *slash;
    u_char   *data;
    ssize_t   len;

    dfd = wfd;

    slash = strchr(f->name, '/');

    if (slash) {
        memcpy(dir, f->name, slash - f->name);
        dir[slash - f->name] = '\0';

        if (mkdirat(wfd, dir, 0755) == -1 && errno != EEXIST) {
            sbx_files_fail(report, "files: mkdir %s: %s", dir,
                           strerror(errno));
        }

        dfd = openat(wfd, dir,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (dfd == -1) {
            sbx_files_fail(report, "files: %s: %s", dir, strerror(errno));
        }
    }

    fd = openat(dfd, slash ? slash + 1 : f->name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

    if (fd == -1) {
        sbx_files_fail(report, "files: %s: %s", f->name, strerror(errno));
    }

    data = malloc(sbx_base64_decoded_len(f->len) + 1);

    if (data == NULL) {
        sbx_files_fail(report, "files: out of memory");
    }

    len = sbx_base64_decode(data, f->data, f->len);

    if (len < 0 || sbx_write_all(fd, data, len) != len || close(fd) == -1) {
        sbx_files_fail(report, "files: %s: %s", f->name,
                       len < 0 ? "bad base64" : strerror(errno));
    }

    free(data);

    if (dfd != wfd) {
        close(dfd);
    }
}


/* The writer's first failure, as text for the parent's error. */

static void
sbx_files_fail(int report, const char *fmt, ...)
{
    int      n;
    char     msg[256];
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);

    if (n > 0) {
        (void) sbx_write_all(report, msg, n < (int) sizeof(msg)
                                          ? (size_t) n : sizeof(msg) - 1);
    }

    _exit(1);
}
