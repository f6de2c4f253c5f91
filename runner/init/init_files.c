
/*
 * The submitted files, written into the work directory before the first
 * step.  init never opens a path there itself: the work directory
 * belongs to the program, which could have made any name in it a link
 * by the next step.  A child with the program's credentials
 * (sbx_init_as_program(), init_spawn.c) decodes each file from the
 * payload and creates it with O_CREAT | O_EXCL | O_NOFOLLOW, one
 * directory level at most, so a name can neither follow nor replace
 * anything that exists.  Its first failure comes back as text.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sbx_base64.h"
#include "init.h"


static int sbx_files_all(sbx_init_job_t *job, char *err, size_t size);
static int sbx_files_write(int wfd, sbx_init_file_t *f, char *err,
    size_t size);


int
sbx_init_write_files(sbx_init_job_t *job, char *err, size_t size)
{
    return sbx_init_as_program(job, sbx_files_all, "files", err, size);
}


/* The writer: with the program's credentials, every file in turn. */

static int
sbx_files_all(sbx_init_job_t *job, char *err, size_t size)
{
    int     wfd;
    size_t  i;

    wfd = open(job->workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (wfd == -1) {
        snprintf(err, size, "%s: %s", job->workdir, strerror(errno));
        return SBX_INIT_ERROR;
    }

    for (i = 0; i < job->nfiles; i++) {
        if (sbx_files_write(wfd, &job->files[i], err, size) != SBX_INIT_OK) {
            return SBX_INIT_ERROR;
        }
    }

    return SBX_INIT_OK;
}


static int
sbx_files_write(int wfd, sbx_init_file_t *f, char *err, size_t size)
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
            snprintf(err, size, "mkdir %s: %s", dir, strerror(errno));
            return SBX_INIT_ERROR;
        }

        dfd = openat(wfd, dir,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (dfd == -1) {
            snprintf(err, size, "%s: %s", dir, strerror(errno));
            return SBX_INIT_ERROR;
        }
    }

    fd = openat(dfd, slash ? slash + 1 : f->name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

    if (fd == -1) {
        snprintf(err, size, "%s: %s", f->name, strerror(errno));
        return SBX_INIT_ERROR;
    }

    data = malloc(sbx_base64_decoded_len(f->len) + 1);

    if (data == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_INIT_ERROR;
    }

    len = sbx_base64_decode(data, f->data, f->len);

    if (len < 0 || sbx_write_all(fd, data, len) != len || close(fd) == -1) {
        snprintf(err, size, "%s: %s", f->name,
                 len < 0 ? "bad base64" : strerror(errno));
        return SBX_INIT_ERROR;
    }

    free(data);

    if (dfd != wfd) {
        close(dfd);
    }

    return SBX_INIT_OK;
}
