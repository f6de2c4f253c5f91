
/*
 * The runner's half of the hand-over to sandbox-init: the protocol
 * spoken over a box's two FIFOs, with no Docker call on the way.
 *
 * The container starts with sandbox-init as PID 1, which blocks on the
 * box's ctl FIFO for its payload; the box's directory, its FIFOs and
 * their permissions are made by sbx_boxdir.c before the container starts,
 * and the runner holds the read end of evt from then on.
 *
 * The frames (common/sbx_proto.h): the runner opens ctl (which succeeds
 * only while init has its end open) and writes RUN and its payload; init
 * then opens evt and writes everything else there.  First the live
 * frames (STATUS, OUT, TEST), which are parsed as they arrive and
 * published as the job's events (sbx_events.c).  For compiled languages
 * init writes COMPILED after the compile's and waits for GO on ctl, so
 * that the runner can lower the container's limits to the run's in
 * between (sbx_sandbox.c).  Last comes RESULT: only what is whole is
 * taken off the channel, so the RESULT frame is what remains.  Init
 * closing evt without it (it died, or Docker or a cancel killed the
 * container) ends the read at once; only then is Docker asked why.
 *
 * Security: the runner never touches a path the program can write.  It
 * opens only the FIFOs it made in the box's own directory, which the
 * program cannot reach, and takes the result from evt as one frame that
 * only init writes (the program's output is inside it, never a file the
 * runner reads); sbx_result.c turns it into the API's.
 *
 * Locking: none.  A box, its descriptors and its job belong to the
 * worker that holds it.
 */


#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_box.h"
#include "sbx_boxdir.h"
#include "sbx_base64.h"
#include "sbx_docker.h"
#include "sbx_events.h"
#include "sbx_handover.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_proto.h"
#include "sbx_result.h"
#include "sbx_vocab.h"


/* a live frame's body is at most this: init's pieces are 16 KiB */
#define SBX_HANDOVER_LIVE_MAX  (64 * 1024)

/* the start of a test's stderr that a TEST event is judged by */
#define SBX_HANDOVER_ERR_MAX   (64 * 1024)

/* what is read of a failed init's own log, to say why it failed */
#define SBX_HANDOVER_ERRS_MAX  (64 * 1024)

/* what one read takes off evt */
#define SBX_HANDOVER_READ      (64 * 1024)


static int sbx_handover_live(sbx_handover_live_t *live,
    sbx_proto_header_t *h, const char *body);
static void sbx_handover_output(sbx_handover_live_t *live, long step,
    int stream, const unsigned char *p, size_t len, int whole);
static void sbx_handover_flush(sbx_handover_live_t *live);
static int sbx_handover_test(sbx_handover_live_t *live,
    const sbx_proto_str_t *a, long *n);
static int sbx_handover_write(int fd, const char *buf, size_t len,
    sbx_msec_t deadline);
static int sbx_handover_read(sbx_box_t *box, sbx_handover_live_t *live,
    sbx_msec_t deadline);
static int sbx_handover_fill(sbx_box_t *box, sbx_msec_t deadline,
    size_t max);


/*
 * Opens the runner's end of the ctl FIFO for writing.  That succeeds
 * only while init has its end open for reading: for a warm box this is
 * the proof that init still waits (patience 0); a new box is given time
 * to start.
 */

int
sbx_handover_open(sbx_box_t *box, sbx_msec_t patience)
{
    char        path[SBX_BOXDIR_PATH];
    sbx_msec_t  deadline;

    snprintf(path, sizeof(path), "%s/io/ctl", box->dir);

    deadline = sbx_monotonic_msec() + patience;

    for ( ;; ) {
        box->ctl = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

        if (box->ctl != -1) {
            return SBX_OK;
        }

        if (errno != ENXIO || sbx_monotonic_msec() >= deadline) {
            return SBX_ERROR;
        }

        (void) usleep(1000);
    }
}


/* Writes the payload: init reads it at once, whatever its size. */

int
sbx_handover_send(sbx_box_t *box, char *err, size_t size)
{
    int          n;
    char        *body, head[SBX_PROTO_MAX_HEADER];
    size_t       len;
    json_t      *payload;
    sbx_msec_t   deadline;

    payload = box->job->payload;

    json_object_set_new(payload, "uid", json_integer(box->uid));
    json_object_set_new(payload, "gid", json_integer(box->uid));
    json_object_set_new(payload, "pause_after_compile",
                        json_boolean(box->lang->compile != NULL));

    if (box->job->output_budget >= 1024) {
        json_object_set_new(payload, "output_budget_kb",
                            json_integer((json_int_t)
                                         (box->job->output_budget / 1024)));
    }

    body = json_dumps(payload, JSON_COMPACT);
    if (body == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_ERROR;
    }

    len = strlen(body);
    n = sbx_proto_write_header(head, sizeof(head), "RUN", len, NULL, 0);

    deadline = sbx_monotonic_msec() + SBX_HANDOVER_START_MS;

    if (n < 0
        || sbx_handover_write(box->ctl, head, n, deadline) != SBX_OK
        || sbx_handover_write(box->ctl, body, len, deadline) != SBX_OK)
    {
        snprintf(err, size, "handing the job to sandbox-init: %s",
                 n < 0 ? "bad header" : strerror(errno));
        free(body);
        return SBX_ERROR;
    }

    free(body);

    return SBX_OK;
}


/*
 * Whether compiling ended with init pausing for the run's limits: the
 * compile's live frames are published on the way; a RESULT instead (the
 * compile failed) stays on the channel for sbx_handover_result().
 */

int
sbx_handover_compiled(sbx_box_t *box, sbx_msec_t deadline)
{
    int                  rc;
    sbx_handover_live_t  live;

    sbx_handover_live_init(&live, box->job);
    live.pause = 1;

    rc = sbx_handover_read(box, &live, deadline);

    sbx_handover_live_end(&live);

    if (rc == SBX_AGAIN) {
        return SBX_AGAIN;
    }

    return live.compiled ? SBX_OK : SBX_DECLINED;
}


int
sbx_handover_resume(sbx_box_t *box, sbx_msec_t deadline, char *err,
    size_t size)
{
    int   n;
    char  go[32];

    n = sbx_proto_write_header(go, sizeof(go), "GO", 0, NULL, 0);

    if (sbx_handover_write(box->ctl, go, n, deadline) != SBX_OK) {
        snprintf(err, size, "resuming sandbox-init: %s", strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


/*
 * Reads init's RESULT frame as it is written: evt is read until the frame
 * is complete, without waiting for the container to stop (the reaper
 * removes it anyway).
 */

json_t *
sbx_handover_result(sbx_box_t *box, char *err, size_t size)
{
    int                  rc, status;
    json_t              *result, *info;
    sbx_buf_t            out, errs, logs;
    sbx_job_t           *job;
    sbx_msec_t           wait, deadline;
    sbx_proto_header_t   h;
    sbx_handover_live_t  live;

    job = box->job;

    sbx_handover_live_init(&live, job);

    memset(&errs, 0, sizeof(sbx_buf_t));
    memset(&logs, 0, sizeof(sbx_buf_t));
    result = NULL;

    wait = SBX_HANDOVER_START_MS + SBX_HANDOVER_STEP_SLACK
           + (sbx_msec_t) job->ntests * (job->run.v[SBX_LIMIT_WALL] + 1000);

    if (box->evt == -1 && job->lang->compile != NULL) {
        wait += job->compile.v[SBX_LIMIT_WALL];
    }

    deadline = sbx_monotonic_msec() + wait;

    rc = sbx_handover_read(box, &live, deadline);

    sbx_handover_live_end(&live);

    out = box->chan;

    if (rc == SBX_AGAIN) {
        snprintf(err, size, "the sandbox did not finish within %lld ms",
                 (long long) wait);
        goto done;
    }

    if (rc == SBX_ERROR) {
        snprintf(err, size, "reading sandbox-init's channel: %s",
                 strerror(errno));
        goto done;
    }

    /* the frame, and the line feed that ends every frame */

    if (rc == SBX_OK
        && sbx_proto_parse_header(out.data, out.len, out.len, &h)
           == SBX_PROTO_OK
        && sbx_proto_str_eq(&h.word, "RESULT")
        && out.len == h.header_len + h.body_len + 1
        && out.data[out.len - 1] == '\n')
    {
        result = json_loadb(out.data + h.header_len, h.body_len, 0, NULL);

        if (!json_is_object(result)) {
            snprintf(err, size, "sandbox-init's result is not a JSON "
                     "object");
            json_decref(result);
            result = NULL;
        }

        goto done;
    }

    /* init ended without a result: say why as well as Docker can */

    (void) sbx_docker_logs(box->docker, box->id, SBX_HANDOVER_ERRS_MAX,
                           &logs, &errs);

    if (sbx_docker_wait(box->docker, box->id, 5000, &status) == SBX_OK) {
        sbx_log_debug("job %s: container %.12s exited with %d", job->id,
                      box->id, status);
    }

    info = sbx_docker_inspect(box->docker, box->id);

    if (json_is_true(json_object_get(json_object_get(info, "State"),
                                     "OOMKilled")))
    {
        /*
         * The program filled the container with memory no process maps
         * (memfd, tmpfs beyond the limit) and the OOM killer took init
         * with it: the verdict is the program's, the details are lost.
         */

        result = json_pack("{s:[{s:s, s:n, s:s, s:s, s:s, s:i, s:i,"
                           " s:i, s:s}], s:n}",
                           "tests",
                           "status", "memory_limit_exceeded",
                           "exit_code", "signal", "SIGKILL",
                           "stdout", "", "stderr", "",
                           "time_ms", 0, "wall_time_ms", 0,
                           "memory_kb", 0,
                           "message", "the program exhausted the "
                           "sandbox's memory; its output is lost",
                           "error");

    } else if (info == NULL) {
        snprintf(err, size, "the container ended without a result and "
                 "Docker stopped answering: %s",
                 sbx_docker_error(box->docker));

    } else if (json_integer_value(json_object_get(
                   json_object_get(info, "State"), "ExitCode"))
               == 128 + 9)
    {
        snprintf(err, size, "the container was killed from outside "
                 "(Docker stopped or killed it) before sandbox-init "
                 "reported");

    } else {
        snprintf(err, size, "sandbox-init gave no result (%zu bytes "
                 "of output; its log: %.200s)", out.len,
                 errs.len ? errs.data : "empty");
    }

    json_decref(info);

done:

    sbx_buf_free(&logs);
    sbx_buf_free(&errs);

    return result;
}


void
sbx_handover_live_init(sbx_handover_live_t *live, sbx_job_t *job)
{
    memset(live, 0, sizeof(sbx_handover_live_t));
    live->job = job;
    live->err_step = -1;
}


void
sbx_handover_live_end(sbx_handover_live_t *live)
{
    sbx_handover_flush(live);
    sbx_buf_free(&live->err);
}


/*
 * Takes the live frames that are whole off the front of init's output
 * and publishes them; then whether what is left is the whole RESULT
 * frame (or cannot become one), or, when it waits for the pause, the
 * COMPILED frame has been taken.
 */

int
sbx_handover_frames(sbx_handover_live_t *live, sbx_buf_t *out)
{
    int                  rc;
    size_t               frame;
    sbx_proto_header_t   h;

    for ( ;; ) {
        if (out->len == 0) {
            return 0;
        }

        rc = sbx_proto_parse_header(out->data, out->len,
                                    out->len + (1 << 30), &h);

        if (rc == SBX_PROTO_AGAIN) {
            return 0;
        }

        if (rc != SBX_PROTO_OK) {
            return 1;
        }

        if (sbx_proto_str_eq(&h.word, "RESULT")) {
            return out->len > h.header_len + h.body_len;
        }

        /* the pause after compiling: the frame is taken, the read ends */

        if (sbx_proto_str_eq(&h.word, "COMPILED")) {
            frame = h.header_len + h.body_len + 1;

            if (out->len < frame) {
                return 0;
            }

            if (!live->pause || h.body_len != 0
                || out->data[frame - 1] != '\n')
            {
                return 1;
            }

            memmove(out->data, out->data + frame, out->len - frame);
            out->len -= frame;
            live->compiled = 1;

            return 1;
        }

        if (h.body_len > SBX_HANDOVER_LIVE_MAX) {
            return 1;
        }

        /* a live frame and its line feed */

        frame = h.header_len + h.body_len + 1;

        if (out->len < frame) {
            return 0;
        }

        if (out->data[frame - 1] != '\n'
            || sbx_handover_live(live, &h, out->data + h.header_len)
               != SBX_OK)
        {
            return 1;
        }

        memmove(out->data, out->data + frame, out->len - frame);
        out->len -= frame;
    }
}


/*
 * One live frame from init: STATUS status=compiling|running, OUT
 * step=compile|<n> stream=stdout|stderr (base64), TEST test=<n> (JSON).
 * The runner trusts it no more than anything else: SBX_ERROR on what is
 * not one of these.
 */

static int
sbx_handover_live(sbx_handover_live_t *live, sbx_proto_header_t *h,
    const char *body)
{
    int                     stream;
    long                    step;
    json_t                 *v, *o;
    ssize_t                 n;
    unsigned char          *raw;
    const sbx_proto_str_t  *a, *b;

    if (sbx_proto_str_eq(&h->word, "STATUS")) {
        a = sbx_proto_attr(h, "status");

        if (a == NULL
            || !(sbx_proto_str_eq(a, "compiling")
                 || sbx_proto_str_eq(a, "running")))
        {
            return SBX_ERROR;
        }

        sbx_handover_flush(live);

        sbx_events_publish(live->job, "status",
                           json_pack("{s:s%}", "status", a->data, a->len));
        return SBX_OK;
    }

    if (sbx_proto_str_eq(&h->word, "OUT")) {
        a = sbx_proto_attr(h, "step");
        b = sbx_proto_attr(h, "stream");

        if (a == NULL || b == NULL) {
            return SBX_ERROR;
        }

        if (sbx_proto_str_eq(a, "compile")) {
            step = -1;

        } else if (sbx_handover_test(live, a, &step) != SBX_OK) {
            return SBX_ERROR;
        }

        if (sbx_proto_str_eq(b, "stdout")) {
            stream = 0;

        } else if (sbx_proto_str_eq(b, "stderr")) {
            stream = 1;

        } else {
            return SBX_ERROR;
        }

        raw = malloc(sbx_base64_decoded_len(h->body_len) + 1);

        if (raw == NULL) {
            return SBX_OK;                /* the result has it all */
        }

        n = sbx_base64_decode(raw, body, h->body_len);

        if (n < 0) {
            free(raw);
            return SBX_ERROR;
        }

        if (stream == 1 && step >= 0 && live->job->lang->memory_error) {

            if (live->err_step != step) {
                live->err_step = step;
                live->err.len = 0;
            }

            (void) sbx_buf_append(&live->err, raw,
                                  sbx_min((size_t) n, SBX_HANDOVER_ERR_MAX
                                                      - live->err.len));
        }

        sbx_handover_output(live, step, stream, raw, n, 0);
        free(raw);

        return SBX_OK;
    }

    if (sbx_proto_str_eq(&h->word, "TEST")) {
        a = sbx_proto_attr(h, "test");

        if (a == NULL || sbx_handover_test(live, a, &step) != SBX_OK) {
            return SBX_ERROR;
        }

        v = json_loadb(body, h->body_len, 0, NULL);

        if (!json_is_object(v)) {
            json_decref(v);
            return SBX_ERROR;
        }

        sbx_handover_flush(live);

        o = (live->err_step == step)
            ? sbx_result_live_test(v, live->job,
                                   (unsigned char *) live->err.data,
                                   live->err.len)
            : sbx_result_live_test(v, live->job, NULL, 0);
        json_decref(v);

        if (o != NULL) {
            json_object_set_new(o, "test", json_integer(step));
            sbx_events_publish(live->job, "test", o);
        }

        return SBX_OK;
    }

    return SBX_ERROR;
}


/*
 * A piece of a step's output as an event; a UTF-8 sequence cut at its
 * end waits for the next piece (whole: nothing waits).
 */

static void
sbx_handover_output(sbx_handover_live_t *live, long step, int stream,
    const unsigned char *p, size_t len, int whole)
{
    size_t          keep, cut;
    json_t         *o, *text;
    sbx_buf_t       buf;
    static const char  *names[] = { "stdout", "stderr" };

    if (step != live->step) {
        sbx_handover_flush(live);
        live->step = step;
    }

    memset(&buf, 0, sizeof(sbx_buf_t));

    if (sbx_buf_append(&buf, live->carry[stream], live->carry_len[stream])
        != SBX_OK
        || sbx_buf_append(&buf, p, len) != SBX_OK)
    {
        sbx_buf_free(&buf);
        return;
    }

    live->carry_len[stream] = 0;

    cut = whole ? buf.len
                : sbx_result_utf8_whole((unsigned char *) buf.data, buf.len);

    keep = buf.len - cut;

    if (keep > 0 && keep < sizeof(live->carry[stream])) {
        memcpy(live->carry[stream], buf.data + cut, keep);
        live->carry_len[stream] = keep;

    } else {
        cut = buf.len;
    }

    if (cut > 0) {
        text = sbx_result_text((unsigned char *) buf.data, cut);

        o = (step < 0)
            ? json_pack("{s:s, s:o}", "step", "compile", "data", text)
            : json_pack("{s:s, s:i, s:o}", "step", "test", "test",
                        (int) step, "data", text);

        sbx_events_publish(live->job, names[stream], o);
    }

    sbx_buf_free(&buf);
}


/* A test's index in the attribute a: decimal, one of the job's tests. */

static int
sbx_handover_test(sbx_handover_live_t *live, const sbx_proto_str_t *a,
    long *n)
{
    char  num[24], *end;

    if (a->len == 0 || a->len >= sizeof(num) || a->data[0] == '-'
        || a->data[0] == '+')
    {
        return SBX_ERROR;
    }

    memcpy(num, a->data, a->len);
    num[a->len] = '\0';

    errno = 0;
    *n = strtol(num, &end, 10);

    if (errno != 0 || *end != '\0' || *n < 0
        || (size_t) *n >= live->job->ntests)
    {
        return SBX_ERROR;
    }

    return SBX_OK;
}


/* What still waits for the rest of a UTF-8 sequence goes as it is. */

static void
sbx_handover_flush(sbx_handover_live_t *live)
{
    int            i;
    size_t         len;
    unsigned char  rest[4];

    for (i = 0; i < 2; i++) {
        len = live->carry_len[i];

        if (len == 0) {
            continue;
        }

        memcpy(rest, live->carry[i], len);
        live->carry_len[i] = 0;

        sbx_handover_output(live, live->step, i, rest, len, 1);
    }
}


static int
sbx_handover_write(int fd, const char *buf, size_t len, sbx_msec_t deadline)
{
    ssize_t        n;
    sbx_msec_t     left;
    struct pollfd  pfd;

    while (len > 0) {
        n = write(fd, buf, len);

        if (n > 0) {
            buf += n;
            len -= n;
            continue;
        }

        if (n == -1 && errno != EAGAIN && errno != EINTR) {
            return SBX_ERROR;
        }

        left = deadline - sbx_monotonic_msec();

        if (left <= 0) {
            errno = ETIMEDOUT;
            return SBX_ERROR;
        }

        pfd.fd = fd;
        pfd.events = POLLOUT;
        (void) poll(&pfd, 1, (int) left);
    }

    return SBX_OK;
}


/*
 * Reads evt, publishing the live frames, until what is left is the
 * RESULT frame (or, waiting for the pause, COMPILED was taken): SBX_OK;
 * else what sbx_handover_fill() said.
 */

static int
sbx_handover_read(sbx_box_t *box, sbx_handover_live_t *live,
    sbx_msec_t deadline)
{
    int  rc;

    while (!sbx_handover_frames(live, &box->chan)) {
        rc = sbx_handover_fill(box, deadline,
                               sbx_handover_log_max(box->log_cap));
        if (rc != SBX_OK) {
            return rc;
        }
    }

    return SBX_OK;
}


/*
 * Reads what init wrote on evt into box->chan, waiting until deadline
 * for something to come: SBX_OK when it did, SBX_DECLINED once init has
 * closed its end (it ended), SBX_AGAIN at the deadline, SBX_ERROR on a
 * read error or beyond max bytes.
 */

static int
sbx_handover_fill(sbx_box_t *box, sbx_msec_t deadline, size_t max)
{
    ssize_t        n;
    sbx_msec_t     left;
    struct pollfd  pfd;

    for ( ;; ) {
        if (box->chan.len >= max) {
            errno = EFBIG;
            return SBX_ERROR;
        }

        if (sbx_buf_reserve(&box->chan, SBX_HANDOVER_READ) != SBX_OK) {
            errno = ENOMEM;
            return SBX_ERROR;
        }

        n = read(box->evt, box->chan.data + box->chan.len,
                 sbx_min(SBX_HANDOVER_READ, max - box->chan.len));

        if (n > 0) {
            box->chan.len += n;
            box->chan.data[box->chan.len] = '\0';
            return SBX_OK;
        }

        /*
         * 0 is the end only once init has opened its end: before that
         * poll() does not report POLLHUP, so only a poll can say.
         */

        if (n == -1 && errno != EAGAIN && errno != EINTR) {
            return SBX_ERROR;
        }

        left = deadline - sbx_monotonic_msec();

        if (left <= 0) {
            return SBX_AGAIN;
        }

        pfd.fd = box->evt;
        pfd.events = POLLIN;
        pfd.revents = 0;

        if (poll(&pfd, 1, (int) left) <= 0) {
            continue;
        }

        if ((pfd.revents & (POLLHUP | POLLERR)) && !(pfd.revents & POLLIN)) {
            return SBX_DECLINED;
        }
    }
}
