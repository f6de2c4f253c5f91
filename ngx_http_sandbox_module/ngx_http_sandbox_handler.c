
/*
 * ngx_http_sandbox_module: one request's path through nginx, in the
 * order the upstream modules (memcached, scgi) present it:
 *
 *   the content handler: route the path under the location to an
 *     endpoint and check the method (404, 405); GET endpoints (and HEAD
 *     on them) and DELETE: discard the body, frame, go upstream; POST
 *     endpoints: check the query, the Content-Type and a Content-Length
 *     against sandbox_max_body_size (400, 415, 413), then read the body
 *   the body read: gather it (memory and/or temp file), translate a
 *     dialect's body into a native one (request.c), validate it and
 *     apply the location's policy (request.c: 400, 422), frame it
 *   the request creation: the upstream and its callbacks
 *   the upstream callbacks: send the frame (create_request), parse the
 *     reply header (process_header), stream exactly body_len bytes back
 *     (filter) and keep the connection only then, and forget a reply
 *     never sent (finalize_request).
 *   EVENTS (GET …/submissions/{id}/events) answers a 200 header frame
 *     followed by EVENT frames, the last one the result: each becomes
 *     a Server-Sent Event as it arrives (upstream buffering is off, so
 *     nothing waits for more), and the connection is kept once the
 *     result's frame has ended exactly at the end of what was read.
 *
 * The job's id is known before the frame goes (minted by request.c, or
 * named by the URI): every answer about one job names it in X-Sandbox-Id
 * and Location, whether the runner answered or nginx did (502, 504, in
 * the error filter), so that a client that lost its answer can poll.
 *
 * Errors made here are sent as JSON directly; errors nginx raises on the
 * way (413, 502, 504 ...) are turned into JSON by the filters in
 * ngx_http_sandbox_error.c.
 */


#include "ngx_http_sandbox_module.h"
#include "sbx_dialect_judge0.h"


static ngx_int_t ngx_http_sandbox_reject(ngx_http_request_t *r,
    sbx_error_t *err, ngx_str_t *allow);
static void ngx_http_sandbox_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_read_body(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_int_t ngx_http_sandbox_upstream(ngx_http_request_t *r);

static ngx_int_t ngx_http_sandbox_create_request(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_reinit_request(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_process_header(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_copy_attr(ngx_http_request_t *r,
    sbx_proto_header_t *hdr, const char *key, ngx_str_t *value);
static ngx_int_t ngx_http_sandbox_filter_init(void *data);
static ngx_int_t ngx_http_sandbox_filter(void *data, ssize_t bytes);
static ngx_int_t ngx_http_sandbox_events_headers(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_events_filter(ngx_http_sandbox_ctx_t *ctx,
    u_char *p, u_char *end);
static ngx_int_t ngx_http_sandbox_events_out(ngx_http_sandbox_ctx_t *ctx,
    u_char *pos, u_char *last, ngx_uint_t flush);
static void ngx_http_sandbox_abort_request(ngx_http_request_t *r);
static void ngx_http_sandbox_finalize_request(ngx_http_request_t *r,
    ngx_int_t rc);
static void ngx_http_sandbox_forget_reply(ngx_http_sandbox_ctx_t *ctx);
static ngx_table_elt_t *ngx_http_sandbox_header(ngx_http_request_t *r,
    ngx_table_elt_t **slot, char *key);
static ngx_int_t ngx_http_sandbox_runner_header(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *runner);


ngx_int_t
ngx_http_sandbox_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_str_t                     body;
    sbx_error_t                   err;
    sbx_proto_attr_t              attr;
    ngx_http_sandbox_ctx_t       *ctx;
    ngx_http_sandbox_route_t     *route;
    ngx_http_sandbox_loc_conf_t  *slcf;

    ctx = ngx_http_sandbox_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    route = ngx_http_sandbox_route(r, ctx);

    if (route == NULL) {
        sbx_error_set(&err, NGX_HTTP_NOT_FOUND, "not_found", "",
                      "no such endpoint");
        return ngx_http_sandbox_reject(r, &err, NULL);
    }

    if (!(r->method & route->method)) {
        sbx_error_set(&err, NGX_HTTP_NOT_ALLOWED,
                      "method_not_allowed", "",
                      "%.*s is not allowed here, only %.*s",
                      (int) ngx_min(r->method_name.len, 32),
                      r->method_name.data,
                      (int) route->allow.len, route->allow.data);
        return ngx_http_sandbox_reject(r, &err, &route->allow);
    }

    ctx->endpoint = route->endpoint;

    if (!(route->method & NGX_HTTP_POST)) {

        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        /* Judge0 reads base64_encoded and fields= for submissions only */

        if ((ctx->endpoint == NGX_HTTP_SANDBOX_GET
             || ctx->endpoint == NGX_HTTP_SANDBOX_GET_BATCH)
            && ctx->dialect.api != SBX_API_NATIVE
            && ngx_http_sandbox_dialect_query(r, ctx, &err) != NGX_OK)
        {
            return ngx_http_sandbox_send_error(r, &err, NULL);
        }

        if (ctx->endpoint == NGX_HTTP_SANDBOX_STATUSES) {
            return ngx_http_sandbox_send_json(r, NGX_HTTP_OK,
                                              sbx_judge0_statuses());
        }

        if (ctx->endpoint == NGX_HTTP_SANDBOX_GET_BATCH) {
            rc = ngx_http_sandbox_tokens(r, ctx, &body, &err);

            if (rc == NGX_DECLINED) {
                return ngx_http_sandbox_send_error(r, &err, NULL);
            }

            if (rc == NGX_OK) {
                rc = ngx_http_sandbox_frame(r, ctx, route->verb, NULL, 0,
                                            &body);
            }

        } else if (ctx->id.len) {
            attr.key.data = "id";
            attr.key.len = 2;
            attr.value.data = (const char *) ctx->id.data;
            attr.value.len = ctx->id.len;

            ctx->job_id = ctx->id;
            ctx->reply_id = ctx->id;

            rc = ngx_http_sandbox_frame(r, ctx, route->verb, &attr, 1, NULL);

        } else {
            rc = ngx_http_sandbox_frame(r, ctx, route->verb, NULL, 0, NULL);
        }

        if (rc != NGX_OK || ngx_http_sandbox_upstream(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        r->main->count++;

        ngx_http_upstream_init(r);

        return NGX_DONE;
    }

    /* POST: refuse what can be refused before reading the body */

    if (ngx_http_sandbox_query(r, ctx, &err) != NGX_OK) {
        return ngx_http_sandbox_reject(r, &err, NULL);
    }

    if (ngx_http_sandbox_is_json(r) != NGX_OK) {
        sbx_error_set(&err, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                      "unsupported_media_type", "",
                      "the body must be sent as application/json");
        return ngx_http_sandbox_reject(r, &err, NULL);
    }

    /*
     * As nginx does for client_max_body_size: no "100 Continue" invites
     * the body, what comes of it anyway is discarded, and nginx's 413
     * (made JSON by the error filter) closes the connection.  A chunked
     * body is counted as it is read (ngx_http_sandbox_error.c).
     */

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    if (r->headers_in.content_length_n > slcf->max_body_size) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "client intended to send a body over "
                      "sandbox_max_body_size: %O bytes",
                      r->headers_in.content_length_n);

        ctx->body_too_large = 1;
        r->expect_tested = 1;

        (void) ngx_http_discard_request_body(r);

        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_sandbox_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* the error filter makes one too, when nginx refuses before the handler */

ngx_http_sandbox_ctx_t *
ngx_http_sandbox_create_ctx(ngx_http_request_t *r)
{
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sandbox_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->request = r;

    ngx_http_set_ctx(r, ctx, ngx_http_sandbox_module);

    return ctx;
}


/* an error found before the body was read: the body is not wanted */

static ngx_int_t
ngx_http_sandbox_reject(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *allow)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sandbox_send_error(r, err, allow);
}


static void
ngx_http_sandbox_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                rc;
    ngx_str_t                body;
    sbx_error_t              err;
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ngx_http_sandbox_read_body(r, &body) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = NGX_OK;

    if (ctx->dialect.api != SBX_API_NATIVE) {
        rc = ngx_http_sandbox_translate(r, ctx, &body, &err);
    }

    if (rc != NGX_OK) {
        /* void */

    } else if (ctx->endpoint == NGX_HTTP_SANDBOX_BATCH) {
        rc = ngx_http_sandbox_batch_frame(r, ctx, &body, &err);

    } else {
        rc = ngx_http_sandbox_submit_frame(r, ctx, &body, &err);
    }

    if (rc == NGX_DECLINED) {
        rc = ngx_http_sandbox_send_error(r, &err, NULL);
        ngx_http_finalize_request(r, rc);
        return;
    }

    if (rc != NGX_OK || ngx_http_sandbox_upstream(r) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* the reference ngx_http_read_client_request_body() took is kept */

    ngx_http_upstream_init(r);
}


/*
 * jansson parses one contiguous buffer; the body may be spread over
 * memory buffers and a temporary file (client_body_buffer_size), so it
 * is gathered here unless it already is a single memory buffer.
 */

static ngx_int_t
ngx_http_sandbox_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    off_t         size;
    u_char       *p;
    size_t        len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_set(body, "");

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    cl = r->request_body->bufs;

    if (cl->next == NULL && ngx_buf_in_memory(cl->buf)) {
        body->data = cl->buf->pos;
        body->len = cl->buf->last - cl->buf->pos;
        return NGX_OK;
    }

    size = 0;

    for ( /* void */ ; cl; cl = cl->next) {
        size += ngx_buf_size(cl->buf);
    }

    if (size == 0) {
        return NGX_OK;
    }

    if (size > (off_t) NGX_MAX_SIZE_T_VALUE / 2) {
        return NGX_ERROR;
    }

    len = (size_t) size;

    body->data = ngx_pnalloc(r->pool, len);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    p = body->data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        if (!b->in_file) {
            continue;
        }

        n = ngx_read_file(b->file, p, (size_t) (b->file_last - b->file_pos),
                          b->file_pos);

        if (n == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (n != b->file_last - b->file_pos) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          ngx_read_file_n " read only %z of %O from \"%s\"",
                          n, b->file_last - b->file_pos, b->file->name.data);
            return NGX_ERROR;
        }

        p += n;
    }

    body->len = p - body->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_upstream(ngx_http_request_t *r)
{
    ngx_http_upstream_t          *u;
    ngx_http_sandbox_ctx_t       *ctx;
    ngx_http_sandbox_loc_conf_t  *slcf;

    if (ngx_http_upstream_create(r) != NGX_OK) {
        return NGX_ERROR;
    }

    u = r->upstream;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

#if (NGX_HTTP_SSL)
    u->ssl = (slcf->upstream.ssl != NULL);

    if (u->ssl) {
        ngx_str_set(&u->schema, "sandboxs://");

    } else {
        ngx_str_set(&u->schema, "sandbox://");
    }
#else
    ngx_str_set(&u->schema, "sandbox://");
#endif

    u->output.tag = (ngx_buf_tag_t) &ngx_http_sandbox_module;

    u->conf = &slcf->upstream;

    u->create_request = ngx_http_sandbox_create_request;
    u->reinit_request = ngx_http_sandbox_reinit_request;
    u->process_header = ngx_http_sandbox_process_header;
    u->abort_request = ngx_http_sandbox_abort_request;
    u->finalize_request = ngx_http_sandbox_finalize_request;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    u->input_filter_init = ngx_http_sandbox_filter_init;
    u->input_filter = ngx_http_sandbox_filter;
    u->input_filter_ctx = ctx;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_create_request(ngx_http_request_t *r)
{
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    /*
     * The frame was built while validating; its buffers start at their
     * data, so a retry on the next server re-sends them from the start.
     */

    r->upstream->request_bufs = ctx->frame;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_reinit_request(ngx_http_request_t *r)
{
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    ngx_http_sandbox_forget_reply(ctx);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_process_header(ngx_http_request_t *r)
{
    int                      rc;
    size_t                   len, n;
    ngx_str_t                id, retry, language, runner;
    ngx_table_elt_t         *h;
    sbx_proto_header_t       hdr;
    ngx_http_upstream_t     *u;
    ngx_http_sandbox_ctx_t  *ctx;

    u = r->upstream;
    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    len = u->buffer.last - u->buffer.pos;

    rc = sbx_proto_parse_header((const char *) u->buffer.pos, len,
                                (size_t) NGX_MAX_OFF_T_VALUE, &hdr);

    if (rc == SBX_PROTO_AGAIN) {
        return NGX_AGAIN;
    }

    /* a reply is final: a 1xx status cannot carry the body that follows */

    if (rc != SBX_PROTO_OK || hdr.status < 200 || hdr.status > 599) {

        /* one line of it is enough to tell what answered */

        for (n = 0; n < len && n < 128; n++) {
            if (u->buffer.pos[n] == CR || u->buffer.pos[n] == LF) {
                break;
            }
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sandbox runner sent invalid reply header: \"%*s\"",
                      n, u->buffer.pos);

        ctx->invalid_reply = 1;

        return NGX_HTTP_UPSTREAM_INVALID_HEADER;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sandbox reply: %ui, %uz bytes, %ui attributes",
                   (ngx_uint_t) hdr.status, hdr.body_len,
                   (ngx_uint_t) hdr.nattrs);

    u->headers_in.status_n = hdr.status;
    u->headers_in.content_length_n = (off_t) hdr.body_len;
    u->state->status = hdr.status;

    ngx_http_sandbox_status_line(hdr.status, &u->headers_in.status_line);

    if (ctx->endpoint == NGX_HTTP_SANDBOX_METRICS && hdr.status == 200) {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4");

    } else if (ctx->endpoint == NGX_HTTP_SANDBOX_EVENTS
               && hdr.status == 200)
    {
        if (ngx_http_sandbox_events_headers(r) != NGX_OK) {
            return NGX_ERROR;
        }

    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    /* the attributes point into u->buffer, which the body reuses */

    if (ngx_http_sandbox_copy_attr(r, &hdr, "id", &id) != NGX_OK
        || ngx_http_sandbox_copy_attr(r, &hdr, "status", &ctx->reply_status)
           != NGX_OK
        || ngx_http_sandbox_copy_attr(r, &hdr, "retry-after", &retry)
           != NGX_OK
        || ngx_http_sandbox_copy_attr(r, &hdr, "language", &language)
           != NGX_OK
        || ngx_http_sandbox_copy_attr(r, &hdr, "runner", &runner)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ctx->checking) {
        ngx_http_sandbox_check_reply(r, ctx, &hdr);
    }

    /* which runner behind the upstream answered: X-Sandbox-Runner */

    if (runner.len
        && ngx_http_sandbox_runner_header(r, ctx, &runner) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * A reply about one job names it: the job the runner answered for
     * (a 200, a 202, a cancel's 409), which is where it can be polled.
     * $sandbox_id stays the id sent when the reply names none.
     */

    if (id.len) {
        ctx->reply_id = id;

        if (ngx_http_sandbox_job_headers(r, ctx, &id,
                                         hdr.status >= 200
                                         && hdr.status < 300)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* the id the runner resolved the submission's language to */

    if (language.len) {
        ctx->language = language;
    }

    if (retry.len) {

        h = ngx_http_sandbox_header(r, &ctx->retry_after, "Retry-After");
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        h->value = retry;
    }

    u->buffer.pos += hdr.header_len;

    ctx->replied = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_copy_attr(ngx_http_request_t *r, sbx_proto_header_t *hdr,
    const char *key, ngx_str_t *value)
{
    const sbx_proto_str_t  *v;

    ngx_str_null(value);

    v = sbx_proto_attr(hdr, key);

    if (v == NULL) {
        return NGX_OK;
    }

    value->data = ngx_pnalloc(r->pool, v->len);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(value->data, v->data, v->len);
    value->len = v->len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_filter_init(void *data)
{
    ngx_http_sandbox_ctx_t  *ctx = data;

    ngx_http_upstream_t  *u;

    u = ctx->request->upstream;

    if (ctx->events) {
        /* ends with the result's frame, whatever the header said */
        u->length = -1;
        ctx->event_body = 0;
        ctx->event_last = 0;
        ctx->event_head_len = 0;
        return NGX_OK;
    }

    u->length = u->headers_in.content_length_n;

    /* an empty body is complete now; stray bytes undo this in the filter */

    if (u->length == 0) {
        u->keepalive = 1;
    }

    return NGX_OK;
}


/*
 * Passes exactly the body_len bytes of the frame through.  The
 * connection goes back to the keepalive cache only when the body ended
 * exactly at the end of what was read: anything after it would be
 * mistaken for the next reply.
 */

static ngx_int_t
ngx_http_sandbox_filter(void *data, ssize_t bytes)
{
    ngx_http_sandbox_ctx_t  *ctx = data;

    size_t                n;
    ngx_buf_t            *b;
    ngx_chain_t          *cl, **ll;
    ngx_http_upstream_t  *u;

    u = ctx->request->upstream;
    b = &u->buffer;

    if (ctx->events) {
        n = (size_t) bytes;
        b->last += n;

        return ngx_http_sandbox_events_filter(ctx, b->last - n, b->last);
    }

    n = ngx_min((size_t) bytes, (size_t) u->length);

    if (n) {
        for (cl = u->out_bufs, ll = &u->out_bufs; cl; cl = cl->next) {
            ll = &cl->next;
        }

        cl = ngx_chain_get_free_buf(ctx->request->pool, &u->free_bufs);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        *ll = cl;

        cl->buf->flush = 1;
        cl->buf->memory = 1;

        cl->buf->pos = b->last;
        b->last += n;
        cl->buf->last = b->last;
        cl->buf->tag = u->output.tag;

        u->length -= n;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ctx->request->connection->log, 0,
                   "sandbox filter bytes:%z passed:%uz rest:%O",
                   bytes, n, u->length);

    if ((size_t) bytes > n) {
        ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                      "sandbox runner sent %uz bytes after the reply body",
                      (size_t) bytes - n);

        u->keepalive = 0;
        u->length = 0;

        return NGX_OK;
    }

    if (u->length == 0) {
        u->keepalive = 1;
    }

    return NGX_OK;
}


/*
 * A stream of events: text/event-stream, never cached, never buffered
 * by a proxy in front (X-Accel-Buffering: no), sent chunked as it comes.
 */

static ngx_int_t
ngx_http_sandbox_events_headers(ngx_http_request_t *r)
{
    ngx_uint_t               i;
    ngx_table_elt_t         *h;
    ngx_http_sandbox_ctx_t  *ctx;

    static ngx_str_t  names[] = {
        ngx_string("Cache-Control"), ngx_string("X-Accel-Buffering")
    };
    static ngx_str_t  values[] = {
        ngx_string("no-cache"), ngx_string("no")
    };

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    /* a retry on another server has set them already */

    if (!ctx->events) {
        for (i = 0; i < 2; i++) {
            h = ngx_list_push(&r->headers_out.headers);
            if (h == NULL) {
                return NGX_ERROR;
            }

            h->hash = 1;
            h->key = names[i];
            h->value = values[i];
#if (nginx_version >= 1023000)
            h->next = NULL;
#endif
        }
    }

    ngx_str_set(&r->headers_out.content_type, "text/event-stream");

    r->upstream->headers_in.content_length_n = -1;
    ctx->events = 1;

    return NGX_OK;
}


/*
 * Turns the EVENT frames in [p, end) into "event: <name>" and
 * "data: <body>" lines.  A header is gathered in ctx->event_head (it
 * may be cut between reads); a body is passed on as it is, pointing into
 * the upstream buffer, which is reused only once everything is sent.
 * The body is one line of JSON: a line break in it is a broken runner.
 */

static ngx_int_t
ngx_http_sandbox_events_filter(ngx_http_sandbox_ctx_t *ctx, u_char *p,
    u_char *end)
{
    int                     rc;
    u_char                 *last, *line;
    size_t                  n, room, old;
    ngx_str_t               name;
    sbx_proto_header_t      hdr;
    ngx_http_upstream_t    *u;
    const sbx_proto_str_t  *ev;

    u = ctx->request->upstream;

    while (p < end) {

        if (ctx->event_last && !ctx->event_body) {
            ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                          "sandbox runner sent %uz bytes after the "
                          "result event", (size_t) (end - p));
            u->keepalive = 0;
            return NGX_OK;
        }

        if (ctx->event_body) {
            n = ngx_min((size_t) (end - p), ctx->event_rest);

            if (ngx_strlchr(p, p + n, LF) != NULL
                || ngx_strlchr(p, p + n, CR) != NULL)
            {
                ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log,
                              0, "sandbox runner sent an event with a "
                              "line break");
                return NGX_ERROR;
            }

            if (n && ngx_http_sandbox_events_out(ctx, p, p + n, 0)
                     != NGX_OK)
            {
                return NGX_ERROR;
            }

            p += n;
            ctx->event_rest -= n;

            if (ctx->event_rest) {
                continue;
            }

            if (ngx_http_sandbox_events_out(ctx, (u_char *) "\n\n",
                                            (u_char *) "\n\n" + 2, 1)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            ctx->event_body = 0;

            if (ctx->event_last) {
                u->length = 0;
                u->keepalive = (p == end);
            }

            continue;
        }

        /* a header: gather it */

        old = ctx->event_head_len;
        room = sizeof(ctx->event_head) - old;
        n = ngx_min((size_t) (end - p), room);

        ngx_memcpy(ctx->event_head + old, p, n);
        ctx->event_head_len += n;

        rc = sbx_proto_parse_header((const char *) ctx->event_head,
                                    ctx->event_head_len,
                                    (size_t) NGX_MAX_OFF_T_VALUE, &hdr);

        if (rc == SBX_PROTO_AGAIN && ctx->event_head_len < room + old) {
            p += n;
            continue;
        }

        ev = (rc == SBX_PROTO_OK) ? sbx_proto_attr(&hdr, "event") : NULL;

        if (ev == NULL || !sbx_proto_str_eq(&hdr.word, "EVENT")) {
            ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                          "sandbox runner sent an invalid event frame");
            return NGX_ERROR;
        }

        name.len = ev->len;
        name.data = (u_char *) ev->data;

        /* "event: <name>\ndata: " */

        line = ngx_pnalloc(ctx->request->pool, name.len + 14);
        if (line == NULL) {
            return NGX_ERROR;
        }

        last = ngx_sprintf(line, "event: %V\ndata: ", &name);

        if (ngx_http_sandbox_events_out(ctx, line, last, 0) != NGX_OK) {
            return NGX_ERROR;
        }

        ctx->event_last = (name.len == 6
                           && ngx_strncmp(name.data, "result", 6) == 0);

        /* what of this read was the header; the rest is body */

        p += hdr.header_len - old;
        ctx->event_head_len = 0;
        ctx->event_rest = hdr.body_len;
        ctx->event_body = 1;

        if (hdr.body_len == 0) {
            /* an empty body still ends the event */
            continue;
        }
    }

    /* an event with an empty body that ended the read */

    if (ctx->event_body && ctx->event_rest == 0) {
        if (ngx_http_sandbox_events_out(ctx, (u_char *) "\n\n",
                                        (u_char *) "\n\n" + 2, 1)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        ctx->event_body = 0;

        if (ctx->event_last) {
            u->length = 0;
            u->keepalive = 1;
        }
    }

    return NGX_OK;
}


/* One more buffer of the stream; flush: the event is whole, send it. */

static ngx_int_t
ngx_http_sandbox_events_out(ngx_http_sandbox_ctx_t *ctx, u_char *pos,
    u_char *last, ngx_uint_t flush)
{
    ngx_chain_t          *cl, **ll;
    ngx_http_upstream_t  *u;

    u = ctx->request->upstream;

    for (cl = u->out_bufs, ll = &u->out_bufs; cl; cl = cl->next) {
        ll = &cl->next;
    }

    cl = ngx_chain_get_free_buf(ctx->request->pool, &u->free_bufs);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    *ll = cl;

    cl->buf->flush = flush;
    cl->buf->memory = 1;
    cl->buf->pos = pos;
    cl->buf->last = last;
    cl->buf->tag = u->output.tag;

    return NGX_OK;
}


static void
ngx_http_sandbox_abort_request(ngx_http_request_t *r)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "abort http sandbox request");
    return;
}


static void
ngx_http_sandbox_finalize_request(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_sandbox_ctx_t  *ctx;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "finalize http sandbox request: %i", rc);

    /*
     * A reply whose header was parsed but never sent (next upstream on
     * "not_found", then no server left) is not what the client gets:
     * nginx's error is, and the error filter must turn it into JSON.
     */

    if (!r->upstream->header_sent) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

        if (ctx) {
            ngx_http_sandbox_forget_reply(ctx);
        }
    }

    return;
}


static void
ngx_http_sandbox_forget_reply(ngx_http_sandbox_ctx_t *ctx)
{
    ctx->replied = 0;
    ctx->reply_id = ctx->job_id;
    ngx_str_null(&ctx->reply_status);

    if (ctx->retry_after) {
        ctx->retry_after->hash = 0;
    }

    if (ctx->id_header) {
        ctx->id_header->hash = 0;
    }

    if (ctx->location) {
        ctx->location->hash = 0;
    }

    ngx_str_null(&ctx->runner);

    if (ctx->runner_header) {
        ctx->runner_header->hash = 0;
    }
}


/*
 * The response header *slot names, added on first use: one header,
 * reused if a retry on another server brings it again.  Its value and
 * hash are the caller's.
 */

static ngx_table_elt_t *
ngx_http_sandbox_header(ngx_http_request_t *r, ngx_table_elt_t **slot,
    char *key)
{
    ngx_table_elt_t  *h;

    h = *slot;

    if (h == NULL) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NULL;
        }

        h->key.data = (u_char *) key;
        h->key.len = ngx_strlen(key);
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
        *slot = h;
    }

    return h;
}


static ngx_int_t
ngx_http_sandbox_runner_header(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *runner)
{
    ngx_table_elt_t  *h;

    ctx->runner = *runner;

    h = ngx_http_sandbox_header(r, &ctx->runner_header, "X-Sandbox-Runner");
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->value = *runner;

    return NGX_OK;
}


/*
 * X-Sandbox-Id, and Location: <prefix>submissions/<id> where the job can
 * be polled.  One header each, reused if a retry on another server
 * brings them again (ngx_http_sandbox_forget_reply() hides them).
 */

ngx_int_t
ngx_http_sandbox_job_headers(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *id, ngx_uint_t location)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_http_sandbox_header(r, &ctx->id_header, "X-Sandbox-Id");
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->value = *id;

    if (!location) {
        return NGX_OK;
    }

    h = ngx_http_sandbox_header(r, &ctx->location, "Location");
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->value.len = ctx->prefix.len + sizeof("submissions/") - 1 + id->len;
    h->value.data = ngx_pnalloc(r->pool, h->value.len);

    if (h->value.data == NULL) {
        return NGX_ERROR;
    }

    p = h->value.data;

    if (ctx->prefix.len) {
        p = ngx_cpymem(p, ctx->prefix.data, ctx->prefix.len);
    }

    p = ngx_cpymem(p, "submissions/", sizeof("submissions/") - 1);
    ngx_memcpy(p, id->data, id->len);

    h->hash = 1;

    return NGX_OK;
}
