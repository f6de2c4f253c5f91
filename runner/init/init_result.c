
/*
 * The result: one JSON object per step, made when the step ends, and the
 * one RESULT frame, {"compile":…,"tests":[…],"error":…}, written to
 * init's standard output at the end (docs/protocol.md).  The objects are
 * kept as they are and emitted once; while steps still fork they live in
 * the arena of init_mem.c, so that the outputs they hold stay out of the
 * heap that children inherit.
 *
 * Whatever went wrong, init writes the frame: its "error" says what.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"
#include "init.h"


static json_t *sbx_init_b64(sbx_init_buf_t *b);
static void sbx_init_clean(char *s);


/*
 * A step as the runner reads it.  A compile that ran cleanly is "ok"
 * rather than accepted: the protocol's word for it.  NULL: no memory.
 */

json_t *
sbx_init_step_json(sbx_init_result_t *r, sbx_status_e status, int compile,
    const char *limit)
{
    char         sig[32];
    json_t      *o, *trunc;
    const char  *abbrev, *name;

    o = json_object();
    trunc = json_object();

    if (o == NULL || trunc == NULL) {
        json_decref(o);
        json_decref(trunc);
        return NULL;
    }

    name = compile && status == SBX_STATUS_ACCEPTED
           ? "ok" : sbx_status_names[status];

    json_object_set_new(o, "status", json_string(name));

    json_object_set_new(o, "exit_code",
                        r->exited && status != SBX_STATUS_SKIPPED
                        ? json_integer(r->exit_code) : json_null());

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

    /* the host's monotonic clock too: the runner times its own path */

    json_object_set_new(o, "start_ns", json_integer(r->start_ns));
    json_object_set_new(o, "end_ns", json_integer(r->end_ns));

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

    return o;
}


/*
 * Writes the RESULT frame and a line feed after it.  Returns init's exit
 * status: 1 only when the frame could not be made or written.
 */

int
sbx_init_result(sbx_init_out_t *out)
{
    int      rc;
    char    *body;
    json_t  *root;

    /* no child is forked any more: the heap may grow now */

    sbx_init_arena_use(0);

    if (out->error[0]) {
        sbx_init_clean(out->error);
        sbx_init_log("%s", out->error);
    }

    if (out->tests == NULL) {
        out->tests = json_array();
    }

    root = json_object();

    if (root == NULL || out->tests == NULL) {
        sbx_init_log("no memory for the result");
        return 1;
    }

    if (out->has_compile) {
        json_object_set_new(root, "compile", out->compile ? out->compile
                                                          : json_null());
    }

    json_object_set_new(root, "tests", out->tests);
    json_object_set_new(root, "error", out->error[0]
                                       ? json_string(out->error)
                                       : json_null());

    out->compile = NULL;
    out->tests = NULL;

    body = json_dumps(root, JSON_COMPACT);
    json_decref(root);

    if (body == NULL) {
        sbx_init_log("no memory for the result");
        return 1;
    }

    rc = sbx_init_send(1, "RESULT", (u_char *) body, strlen(body));
    free(body);

    /* a line feed after the frame: read as lines (Docker's log drivers,
     * when evt was not opened), an unterminated last line is held back
     * until the container stops */

    if (rc == SBX_INIT_OK) {
        rc = sbx_write_all(1, "\n", 1) < 0 ? SBX_INIT_ERROR : SBX_INIT_OK;
    }

    if (rc != SBX_INIT_OK) {
        sbx_init_log("writing the result: %s", strerror(errno));
        return 1;
    }

    return 0;
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
