
/*
 * sandbox-init: PID 1 of a sandbox container.  It waits for the job on
 * /sbx/io/ctl, writes the files, compiles, runs every test, judges and
 * meters them, and writes exactly one SBX/1 RESULT frame to its standard
 * output (docs/protocol.md, "Runner <-> sandbox-init").
 *
 * Why it is built this way:
 *
 * - It is static and small, bind-mounted read-only into images that share
 *   nothing with the host, and it is the only privileged process in the
 *   container (root with CAP_SETUID, CAP_SETGID and CAP_KILL only).
 * - Its standard output is the result channel, so nothing else may ever
 *   write there: the program gets pipes for stdout and stderr and no
 *   other descriptor, runs as another uid without capabilities, and init
 *   is not dumpable, so /proc/1/fd and ptrace are closed to it.
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
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sbx_base64.h"
#include "sbx_proto.h"
#include "init.h"


typedef struct {
    int                fd;
    size_t             len;
    char               buf[SBX_PROTO_MAX_HEADER];
} sbx_init_ctl_t;


typedef struct {
    sbx_init_buf_t     compile;             /* its JSON, when it ran */
    sbx_init_buf_t     tests;               /* serialized objects in a row */
    size_t             ntests;
    unsigned           has_compile:1;
    unsigned           paused:1;            /* COMPILED was sent */
    char               error[512];          /* "" when none */
} sbx_init_out_t;


static void sbx_init_fds(void);
static int sbx_init_ctl_read(sbx_init_ctl_t *ctl, char *word, size_t wsize,
    char **body, size_t *blen, size_t max, int timeout_ms, char *err,
    size_t size);
static ssize_t sbx_init_ctl_fill(sbx_init_ctl_t *ctl, char *p, size_t n,
    int timeout_ms, uint64_t start);
static int sbx_init_pause(sbx_init_ctl_t *ctl, char *err, size_t size);
static void sbx_init_decline(void);
static void sbx_init_job(sbx_init_job_t *job, sbx_init_ctl_t *ctl,
    sbx_init_out_t *out);
static const char *sbx_init_verdict(sbx_init_result_t *r, int compile,
    const char **limit);
static const char *sbx_init_judge(sbx_init_job_t *job, sbx_init_test_t *t,
    sbx_init_result_t *r);
static int sbx_init_step_json(sbx_init_buf_t *dst, sbx_init_result_t *r,
    const char *status, const char *limit);
static int sbx_init_json_append(sbx_init_buf_t *dst, json_t *obj);
static json_t *sbx_init_b64(sbx_init_buf_t *b);
static void sbx_init_clean(char *s);
static int sbx_init_send(int fd, const char *word, const u_char *body,
    size_t len);
static int sbx_init_result(sbx_init_out_t *out);


int
main(void)
{
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

    if (sbx_init_run_setup() != SBX_INIT_OK) {
        snprintf(out.error, sizeof(out.error), "signalfd: %s",
                 strerror(errno));
        return sbx_init_result(&out);
    }

    sbx_init_meter_init();

    memset(&ctl, 0, sizeof(sbx_init_ctl_t));

    /* blocks until the runner opens the FIFO: containers can be pooled */

    do {
        ctl.fd = open(SBX_INIT_CTL, O_RDONLY | O_CLOEXEC);
    } while (ctl.fd == -1 && errno == EINTR);

    if (ctl.fd == -1) {
        snprintf(out.error, sizeof(out.error), "%s: %s", SBX_INIT_CTL,
                 strerror(errno));
        return sbx_init_result(&out);
    }

    if (sbx_init_ctl_read(&ctl, word, sizeof(word), &body, &len,
                          SBX_INIT_MAX_PAYLOAD, -1, out.error,
                          sizeof(out.error))
        != SBX_INIT_OK)
    {
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
        close(ctl.fd);
        ctl.fd = -1;
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


/*
 * Buffers live in their own MADV_DONTFORK mappings (see init.h);
 * MAP_NORESERVE because an output buffer is sized for the limit but
 * usually gets a few bytes.
 */

int
sbx_init_buf_reserve(sbx_init_buf_t *b, size_t n)
{
    void    *p;
    size_t   size, page;

    if (n <= b->size) {
        return SBX_INIT_OK;
    }

    page = (size_t) sysconf(_SC_PAGESIZE);

    /* the first mapping is what was asked for, growth doubles */

    size = b->size ? b->size : n;

    while (size < n) {
        size *= 2;
    }

    size = (size + page - 1) & ~(page - 1);

    if (b->data == NULL) {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    } else {
        p = mremap(b->data, b->size, size, MREMAP_MAYMOVE);
    }

    if (p == MAP_FAILED) {
        return SBX_INIT_ERROR;
    }

    if (madvise(p, size, MADV_DONTFORK) == -1) {
        sbx_init_log("madvise: %s", strerror(errno));
    }

    b->data = p;
    b->size = size;

    return SBX_INIT_OK;
}


int
sbx_init_buf_append(sbx_init_buf_t *b, const void *p, size_t n)
{
    if (sbx_init_buf_reserve(b, b->len + n) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }

    return SBX_INIT_OK;
}


void
sbx_init_buf_free(sbx_init_buf_t *b)
{
    if (b->data) {
        munmap(b->data, b->size);
    }

    b->data = NULL;
    b->len = 0;
    b->size = 0;
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


/*
 * Reads one frame from ctl.  The word is copied out, the body is malloc'd
 * and NUL-terminated; bytes read past the frame stay in ctl->buf for the
 * next call.  timeout_ms < 0 waits for ever: before RUN that is the point
 * (a pooled container), and a runner that dies closes the FIFO (EOF).
 */

static int
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
 * COMPILED on evt, then GO on ctl (docs/protocol.md).  evt is opened
 * non-blocking and retried, so a runner that never opens its end cannot
 * hang init for ever.
 */

static int
sbx_init_pause(sbx_init_ctl_t *ctl, char *err, size_t size)
{
    int              fd;
    char            *body, word[SBX_PROTO_MAX_WORD + 1];
    size_t           len;
    uint64_t         start;
    struct timespec  ts;

    start = sbx_init_meter_now();

    for ( ;; ) {
        fd = open(SBX_INIT_EVT, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

        if (fd != -1) {
            break;
        }

        if (errno != ENXIO && errno != EINTR) {
            snprintf(err, size, "%s: %s", SBX_INIT_EVT, strerror(errno));
            return SBX_INIT_ERROR;
        }

        if (sbx_init_meter_now() - start
            > (uint64_t) SBX_INIT_PAUSE_MS * 1000000)
        {
            snprintf(err, size, "%s: no reader", SBX_INIT_EVT);
            return SBX_INIT_ERROR;
        }

        ts.tv_sec = 0;
        ts.tv_nsec = 5000000;
        nanosleep(&ts, NULL);
    }

    fcntl(fd, F_SETFL, 0);

    if (sbx_init_send(fd, "COMPILED", NULL, 0) != SBX_INIT_OK) {
        snprintf(err, size, "%s: %s", SBX_INIT_EVT, strerror(errno));
        close(fd);
        return SBX_INIT_ERROR;
    }

    close(fd);

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


/*
 * A runner waiting for COMPILED learns that none will come when init
 * opens evt and closes it unwritten (docs/protocol.md): after a failed
 * compile, and after any error that ends the job before the pause.  One
 * non-blocking attempt: a runner that waits has its end open already,
 * and without a reader (or without evt) there is nobody to tell.
 */

static void
sbx_init_decline(void)
{
    int  fd;

    fd = open(SBX_INIT_EVT, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd != -1) {
        close(fd);
    }
}


static void
sbx_init_job(sbx_init_job_t *job, sbx_init_ctl_t *ctl, sbx_init_out_t *out)
{
    int                 rc, stop;
    size_t              i;
    const char         *status, *limit;
    sbx_init_test_t    *t;
    sbx_init_step_t     step;
    sbx_init_result_t   r;

    if (job->nfiles
        && sbx_init_write_files(job, out->error, sizeof(out->error))
           != SBX_INIT_OK)
    {
        return;
    }

    /* the files are on disk: drop the JSON before anything forks again */

    sbx_init_payload_release(job);

    memset(&step, 0, sizeof(sbx_init_step_t));
    step.env = job->env;
    step.workdir = job->workdir;
    step.uid = job->uid;
    step.gid = job->gid;

    if (job->has_compile) {
        step.argv = job->compile.argv;
        step.limits = &job->compile.limits;

        sbx_init_run_step(&step, &r);

        status = sbx_init_verdict(&r, 1, &limit);

        if (r.failed) {
            snprintf(out->error, sizeof(out->error), "compile: %s",
                     r.message);
        }

        out->has_compile = 1;

        if (sbx_init_step_json(&out->compile, &r, status, limit)
            != SBX_INIT_OK)
        {
            snprintf(out->error, sizeof(out->error), "compile: no memory");
        }

        sbx_init_result_free(&r);

        if (strcmp(status, "ok") != 0 || out->error[0]) {
            return;
        }

        if (job->pause_after_compile) {
            out->paused = 1;

            if (sbx_init_pause(ctl, out->error, sizeof(out->error))
                != SBX_INIT_OK)
            {
                return;
            }
        }
    }

    if (ctl->fd != -1) {
        close(ctl->fd);
        ctl->fd = -1;
    }

    step.argv = job->run.argv;
    step.limits = &job->run.limits;

    stop = 0;

    for (i = 0; i < job->ntests; i++) {
        t = &job->tests[i];

        memset(&r, 0, sizeof(sbx_init_result_t));
        status = "skipped";
        limit = NULL;

        /* after an init error or the first failure: skipped */

        if (!stop && !out->error[0]) {
            /* a test always reads a memfd, empty or not (NULL: /dev/null) */

            step.stdin_data = job->store.data
                              ? job->store.data + t->stdin_off
                              : (const u_char *) "";
            step.stdin_len = t->stdin_len;

            sbx_init_run_step(&step, &r);

            if (r.failed) {
                snprintf(out->error, sizeof(out->error), "test %zu: %s", i,
                         r.message);
            }

            status = sbx_init_verdict(&r, 0, &limit);

            if (status == NULL) {
                status = sbx_init_judge(job, t, &r);
            }

            if (job->stop_on_failure && strcmp(status, "accepted") != 0) {
                stop = 1;
            }
        }

        rc = sbx_init_step_json(&out->tests, &r, status, limit);

        sbx_init_result_free(&r);

        if (rc != SBX_INIT_OK) {
            snprintf(out->error, sizeof(out->error),
                     "no memory for the result");
            return;
        }

        out->ntests++;
    }
}


/*
 * internal error > output limit > time limit > memory limit > runtime
 * error; NULL when the step ran cleanly and the checker decides.
 */

static const char *
sbx_init_verdict(sbx_init_result_t *r, int compile, const char **limit)
{
    *limit = NULL;

    if (r->failed || r->exec_failed) {
        return "internal_error";
    }

    if (r->output_limit) {
        return "output_limit_exceeded";
    }

    if (r->cpu_limit || r->wall_limit) {
        *limit = r->cpu_limit ? "cpu" : "wall";
        return "time_limit_exceeded";
    }

    if (r->memory_limit) {
        return "memory_limit_exceeded";
    }

    if (!r->exited || r->exit_code != 0) {
        return compile ? "compilation_error" : "runtime_error";
    }

    return compile ? "ok" : NULL;
}


/*
 * A checker applies when the test has an expected output, or when the
 * job's regex checker has its own pattern; otherwise a clean exit is
 * accepted.
 */

static const char *
sbx_init_judge(sbx_init_job_t *job, sbx_init_test_t *t, sbx_init_result_t *r)
{
    int  rc;

    if (!t->has_expected
        && !(job->check.type == SBX_CHECK_REGEX && job->regex_pattern))
    {
        return "accepted";
    }

    rc = sbx_check_run(&job->check, (char *) r->out.data, r->out.len,
                       (char *) job->store.data + t->expected_off,
                       t->expected_len);

    if (rc == SBX_CHECK_ACCEPTED) {
        return "accepted";
    }

    if (rc == SBX_CHECK_WRONG) {
        return "wrong_answer";
    }

    snprintf(r->message, sizeof(r->message), "checker: %s",
             job->check.error);

    return "internal_error";
}


static int
sbx_init_step_json(sbx_init_buf_t *dst, sbx_init_result_t *r,
    const char *status, const char *limit)
{
    int          rc, skipped;
    char         sig[32];
    json_t      *o, *trunc;
    const char  *abbrev;

    skipped = strcmp(status, "skipped") == 0;

    o = json_object();
    trunc = json_object();

    if (o == NULL || trunc == NULL) {
        json_decref(o);
        json_decref(trunc);
        return SBX_INIT_ERROR;
    }

    json_object_set_new(o, "status", json_string(status));

    json_object_set_new(o, "exit_code",
                        r->exited && !skipped ? json_integer(r->exit_code)
                                              : json_null());

    if (r->signo) {
        abbrev = sigabbrev_np(r->signo);

        if (abbrev) {
            snprintf(sig, sizeof(sig), "SIG%s", abbrev);

        } else {
            snprintf(sig, sizeof(sig), "SIG%d", r->signo);
        }

        json_object_set_new(o, "signal", json_string(sig));

    } else {
        json_object_set_new(o, "signal", json_null());
    }

    json_object_set_new(o, "stdout", sbx_init_b64(&r->out));
    json_object_set_new(o, "stderr", sbx_init_b64(&r->err));
    json_object_set_new(o, "time_ms", json_integer(r->time_ms));
    json_object_set_new(o, "wall_time_ms", json_integer(r->wall_time_ms));
    json_object_set_new(o, "memory_kb", json_integer(r->memory_kb));

    json_object_set_new(trunc, "stdout", json_boolean(r->out_truncated));
    json_object_set_new(trunc, "stderr", json_boolean(r->err_truncated));
    json_object_set_new(o, "truncated", trunc);

    if (limit) {
        json_object_set_new(o, "limit", json_string(limit));
    }

    if (r->message[0]) {
        sbx_init_clean(r->message);
        json_object_set_new(o, "message", json_string(r->message));
    }

    rc = sbx_init_json_append(dst, o);

    json_decref(o);

    return rc;
}


static int
sbx_init_json_append(sbx_init_buf_t *dst, json_t *obj)
{
    size_t  n;

    n = json_dumpb(obj, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);

    if (n == 0 || sbx_init_buf_reserve(dst, dst->len + n) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    if (json_dumpb(obj, (char *) dst->data + dst->len, n,
                   JSON_COMPACT | JSON_ENCODE_ANY)
        != n)
    {
        return SBX_INIT_ERROR;
    }

    dst->len += n;

    return SBX_INIT_OK;
}


static json_t *
sbx_init_b64(sbx_init_buf_t *b)
{
    char    *p;
    size_t   n;
    json_t  *s;

    if (b->len == 0) {
        return json_string("");
    }

    p = malloc(sbx_base64_encoded_len(b->len));

    if (p == NULL) {
        return NULL;
    }

    n = sbx_base64_encode(p, b->data, b->len);

    s = json_stringn_nocheck(p, n);

    free(p);

    return s;
}


/* Messages may quote payload bytes: keep them printable ASCII JSON. */

static void
sbx_init_clean(char *s)
{
    for ( ; *s; s++) {
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e) {
            *s = '?';
        }
    }
}


static int
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



/*
 * Assembles {"compile":…,"tests":[…],"error":…} from the steps, which were
 * serialized as they ended so that their outputs stayed off the heap that
 * children inherit; no child is forked any more, so they are read back
 * and the frame is written.  Returns init's exit status.
 */

static int
sbx_init_result(sbx_init_out_t *out)
{
    int            rc;
    char          *body;
    size_t         off, len;
    json_t        *root, *tests, *v;
    json_error_t   jerr;

    if (out->error[0]) {
        sbx_init_clean(out->error);
        sbx_init_log("%s", out->error);
    }

    if (!out->paused) {
        sbx_init_decline();
    }

    root = json_object();
    tests = json_array();

    if (root == NULL || tests == NULL) {
        sbx_init_log("no memory for the result");
        return 1;
    }

    if (out->has_compile) {
        v = json_loadb((char *) out->compile.data, out->compile.len, 0,
                       &jerr);
        json_object_set_new(root, "compile", v ? v : json_null());
    }

    for (off = 0; off < out->tests.len; off += jerr.position) {
        v = json_loadb((char *) out->tests.data + off, out->tests.len - off,
                       JSON_DISABLE_EOF_CHECK, &jerr);

        if (v == NULL || jerr.position == 0) {
            json_decref(v);
            snprintf(out->error, sizeof(out->error),
                     "a test's result was lost: %s", jerr.text);
            break;
        }

        json_array_append_new(tests, v);
    }

    sbx_init_buf_free(&out->compile);
    sbx_init_buf_free(&out->tests);

    json_object_set_new(root, "tests", tests);
    json_object_set_new(root, "error", out->error[0]
                                       ? json_string(out->error)
                                       : json_null());

    body = json_dumps(root, JSON_COMPACT);
    json_decref(root);

    if (body == NULL) {
        sbx_init_log("no memory for the result");
        return 1;
    }

    len = strlen(body);
    rc = sbx_init_send(1, "RESULT", (u_char *) body, len);
    free(body);

    /* a line feed after the frame: Docker's log drivers hold an
     * unterminated last line back until the container stops */

    if (rc == SBX_INIT_OK) {
        rc = sbx_write_all(1, "\n", 1) < 0 ? SBX_INIT_ERROR : SBX_INIT_OK;
    }

    if (rc != SBX_INIT_OK) {
        sbx_init_log("writing the result: %s", strerror(errno));
        return 1;
    }

    return 0;
}
