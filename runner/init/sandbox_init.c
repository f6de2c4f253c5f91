
/*
 * sandbox-init: PID 1 of a sandbox container.  It waits for the job on
 * /sbx/io/ctl, writes the files, compiles, runs every test, judges and
 * meters them, and writes exactly one SBX/1 RESULT frame to its standard
 * output, which is the /sbx/io/evt FIFO once RUN came (docs/protocol.md,
 * "Runner <-> sandbox-init").  This file is
 * main: the process's own setup, reading RUN and handing the job to
 * init_job.c and its result to init_result.c (init.h lists the rest).
 *
 * Why it is built this way:
 *
 * - It is static and small, bind-mounted read-only into images that share
 *   nothing with the host, and it is the only privileged process in the
 *   container (root with CAP_SETUID, CAP_SETGID and CAP_KILL only).
 * - Its standard output is the result channel, the evt FIFO that the
 *   runner reads directly (no Docker call on a job's path), so nothing
 *   else may ever write there: the program gets pipes for stdout and
 *   stderr and no other descriptor, runs as another uid without
 *   capabilities and cannot open the FIFO, and init is not dumpable, so
 *   /proc/1/fd and ptrace are closed to it.
 * - Whatever init cannot do correctly it reports in the result's "error"
 *   rather than dying: a container that stops without a RESULT frame
 *   tells the runner nothing.  Only a failure to write the frame itself
 *   is left to the runner to notice.
 * - kill(-1) is what cleans up after each step, which would take the
 *   whole machine down outside a PID namespace: init refuses to run
 *   unless it is PID 1.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "init.h"


static void sbx_init_fds(void);


int
main(void)
{
    int              rc;
    char            *body, word[SBX_PROTO_MAX_WORD + 1];
    size_t           len;
    sbx_init_ctl_t   ctl;
    sbx_init_job_t   job;
    sbx_init_out_t   out;

    memset(&out, 0, sizeof(sbx_init_out_t));
    memset(&job, 0, sizeof(sbx_init_job_t));

    if (getpid() != 1) {
        sbx_init_log("must run as PID 1 of a sandbox container");
        return 2;
    }

    /* no ptrace, no /proc/1/{fd,mem,environ} for anybody but root */

    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    signal(SIGPIPE, SIG_IGN);

    sbx_init_fds();
    umask(022);

    if (chdir("/") == -1) {
        sbx_init_log("chdir /: %s", strerror(errno));
    }

    /*
     * Big blocks get their own mappings and freed memory goes back to the
     * kernel at once: a forked child starts with a copy of init's heap,
     * and its peak RSS becomes part of the program's (see init.h).
     */

    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);

    sbx_init_arena_setup();

    if (sbx_init_watch_setup() != SBX_INIT_OK) {
        snprintf(out.error, sizeof(out.error), "signalfd: %s",
                 strerror(errno));
        return sbx_init_result(&out);
    }

    sbx_init_meter_init();

    /* blocks until the runner opens the FIFO: containers can be pooled */

    if (sbx_init_ctl_open(&ctl, out.error, sizeof(out.error))
        != SBX_INIT_OK)
    {
        return sbx_init_result(&out);
    }

    rc = sbx_init_ctl_read(&ctl, word, sizeof(word), &body, &len,
                           SBX_INIT_MAX_PAYLOAD, -1, out.error,
                           sizeof(out.error));

    /* a runner that wrote anything reads evt: the result goes there */

    sbx_init_channel();

    if (rc != SBX_INIT_OK) {
        return sbx_init_result(&out);
    }

    if (strcmp(word, "RUN") != 0) {
        snprintf(out.error, sizeof(out.error), "expected RUN, got %s", word);
        free(body);
        return sbx_init_result(&out);
    }

    if (sbx_init_payload(&job, body, len, out.error, sizeof(out.error))
        != SBX_INIT_OK)
    {
        free(body);
        return sbx_init_result(&out);
    }

    free(body);

    if (!job.pause_after_compile || !job.has_compile) {
        sbx_init_ctl_close(&ctl);
    }

    sbx_init_job(&job, &ctl, &out);

    sbx_init_payload_free(&job);

    return sbx_init_result(&out);
}


void
sbx_init_log(const char *fmt, ...)
{
    int      n;
    char     buf[512];
    va_list  args;

    n = snprintf(buf, sizeof(buf), "sandbox-init: ");

    va_start(args, fmt);
    n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, args);
    va_end(args);

    if (n > (int) sizeof(buf) - 2) {
        n = sizeof(buf) - 2;
    }

    buf[n++] = '\n';

    (void) sbx_write_all(2, buf, n);
}


/* 0, 1 and 2 must be open, so that no step's descriptor gets one. */

static void
sbx_init_fds(void)
{
    int  fd;

    for ( ;; ) {
        fd = open("/dev/null", O_RDWR);

        if (fd == -1 || fd > 2) {
            break;
        }
    }

    if (fd > 2) {
        close(fd);
    }
}
