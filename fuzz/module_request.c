
/*
 * Fuzz target: the module's request path (ngx_http_sandbox_request.c),
 * the module's own functions linked with nginx's own objects, in the
 * order ngx_http_sandbox_handler() calls them: the route from the path
 * under the location, the "wait" argument, the Content-Type, then the
 * JSON body through the schema and the location's policy into the
 * frame for the runner.  A refusal must be a well-formed API error
 * (ngx_http_sandbox_error_object()); a frame must parse back as the
 * endpoint's verb with the body's length.
 *
 * The input is three parts:
 *
 *   <conf byte><request target: path and query>\n
 *   <Content-Type value, or nothing for none>\n
 *   <body>
 *
 * The conf byte picks the location kind, policy and API dialect
 * (fuzz_nginx.h), and, above them, the method; a dialect's body is
 * translated first, as the body handler does.
 */


#include <stdint.h>

#include "fuzz_nginx.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sbx_fuzz_check_frame(ngx_http_sandbox_ctx_t *ctx,
    const char *verb, size_t body_len);
static void sbx_fuzz_check_error(sbx_error_t *err);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sbx_fuzz_nginx_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                    *p, *end, *target, *q, *line;
    ngx_int_t                  rc;
    ngx_str_t                  body;
    sbx_error_t                err;
    ngx_table_elt_t            ct;
    sbx_proto_attr_t           attr;
    ngx_http_request_t        *r;
    ngx_http_sandbox_ctx_t    *ctx;
    ngx_http_sandbox_route_t  *route;

    if (size < 1) {
        return 0;
    }

    r = sbx_fuzz_request(data[0]);

    /* the request's bytes in its pool: ASan sees a read past them */

    p = ngx_pnalloc(r->pool, size - 1);
    if (p == NULL && size > 1) {
        abort();
    }

    ngx_memcpy(p, data + 1, size - 1);
    end = p + size - 1;

    target = p;
    line = ngx_strlchr(p, end, '\n');
    p = line ? line + 1 : end;

    if (line == NULL) {
        line = end;
    }

    q = ngx_strlchr(target, line, '?');

    r->uri.data = target;
    r->uri.len = (q ? q : line) - target;

    if (q) {
        r->args.data = q + 1;
        r->args.len = line - q - 1;
    }

    line = ngx_strlchr(p, end, '\n');

    if (line == NULL) {
        line = end;
    }

    if (line > p) {
        ngx_memzero(&ct, sizeof(ngx_table_elt_t));
        ngx_str_set(&ct.key, "Content-Type");
        ct.value.data = p;
        ct.value.len = line - p;
        r->headers_in.content_type = &ct;
    }

    body.data = (line < end) ? line + 1 : end;
    body.len = end - body.data;

    /* ngx_http_sandbox_handler() */

    ctx = ngx_http_sandbox_create_ctx(r);
    if (ctx == NULL) {
        abort();
    }

    /* a path may have a route per method (Judge0's submissions/batch) */

    r->method = ((data[0] / SBX_FUZZ_CONFS) & 1) ? NGX_HTTP_GET
                                                 : NGX_HTTP_POST;

    route = ngx_http_sandbox_route(r, ctx);

    if (route == NULL) {
        goto done;
    }

    ctx->endpoint = route->endpoint;

    if (!(route->method & NGX_HTTP_POST)) {

        if ((ctx->endpoint == NGX_HTTP_SANDBOX_GET
             || ctx->endpoint == NGX_HTTP_SANDBOX_GET_BATCH)
            && ctx->dialect.api != SBX_API_NATIVE
            && ngx_http_sandbox_dialect_query(r, ctx, &err) != NGX_OK)
        {
            sbx_fuzz_check_error(&err);
            goto done;
        }

        if (ctx->endpoint == NGX_HTTP_SANDBOX_STATUSES) {
            goto done;                    /* a static answer, no frame */
        }

        if (ctx->endpoint == NGX_HTTP_SANDBOX_GET_BATCH) {
            rc = ngx_http_sandbox_tokens(r, ctx, &body, &err);

            if (rc == NGX_DECLINED) {
                sbx_fuzz_check_error(&err);
                goto done;
            }

            if (rc != NGX_OK
                || ngx_http_sandbox_frame(r, ctx, route->verb, NULL, 0,
                                          &body)
                   != NGX_OK)
            {
                abort();
            }

            sbx_fuzz_check_frame(ctx, route->verb, body.len);
            goto done;
        }

        if (ctx->endpoint == NGX_HTTP_SANDBOX_GET
            || ctx->endpoint == NGX_HTTP_SANDBOX_CANCEL)
        {
            if (!sbx_id_valid((const char *) ctx->id.data, ctx->id.len)) {
                abort();
            }

            attr.key.data = "id";
            attr.key.len = 2;
            attr.value.data = (const char *) ctx->id.data;
            attr.value.len = ctx->id.len;

            rc = ngx_http_sandbox_frame(r, ctx, route->verb, &attr, 1,
                                        NULL);

        } else {
            rc = ngx_http_sandbox_frame(r, ctx, route->verb, NULL, 0, NULL);
        }

        if (rc != NGX_OK) {
            abort();
        }

        sbx_fuzz_check_frame(ctx, route->verb, 0);

        goto done;
    }

    if (ngx_http_sandbox_query(r, ctx, &err) != NGX_OK) {
        sbx_fuzz_check_error(&err);
        goto done;
    }

    if (ngx_http_sandbox_is_json(r) != NGX_OK) {
        goto done;
    }

    /* ngx_http_sandbox_body_handler() */

    if (ctx->dialect.api != SBX_API_NATIVE) {
        rc = ngx_http_sandbox_translate(r, ctx, &body, &err);

        if (rc == NGX_DECLINED) {
            sbx_fuzz_check_error(&err);
            goto done;
        }

        if (rc != NGX_OK) {
            abort();
        }
    }

    if (ctx->endpoint == NGX_HTTP_SANDBOX_BATCH) {
        rc = ngx_http_sandbox_batch_frame(r, ctx, &body, &err);

    } else {
        rc = ngx_http_sandbox_submit_frame(r, ctx, &body, &err);
    }

    if (rc == NGX_DECLINED) {
        sbx_fuzz_check_error(&err);

    } else if (rc == NGX_OK) {
        sbx_fuzz_check_frame(ctx, route->verb,
                             ctx->endpoint == NGX_HTTP_SANDBOX_BATCH
                             ? (size_t) -1 : body.len);

    } else {
        abort();
    }

done:

    ngx_destroy_pool(r->pool);

    return 0;
}


/* body_len (size_t) -1: whatever length the frame's second buffer has */

static void
sbx_fuzz_check_frame(ngx_http_sandbox_ctx_t *ctx, const char *verb,
    size_t body_len)
{
    size_t               len;
    ngx_buf_t           *h;
    sbx_proto_header_t   hdr;

    h = ctx->frame->buf;

    if (ctx->frame->next) {
        len = ngx_buf_size(ctx->frame->next->buf);

    } else {
        len = 0;
    }

    if (body_len != (size_t) -1 && len != body_len) {
        abort();
    }

    if (sbx_proto_parse_header((const char *) h->pos, h->last - h->pos,
                               (size_t) 1 << 30, &hdr)
        != SBX_PROTO_OK
        || hdr.header_len != (size_t) (h->last - h->pos)
        || hdr.body_len != len
        || !sbx_proto_str_eq(&hdr.word, verb))
    {
        abort();
    }
}


static void
sbx_fuzz_check_error(sbx_error_t *err)
{
    char    *s;
    json_t  *v;

    if (err->status < 400 || err->status > 599 || err->code[0] == '\0') {
        abort();
    }

    v = ngx_http_sandbox_error_object(err);
    s = v ? json_dumps(v, JSON_COMPACT) : NULL;

    if (s == NULL) {
        abort();
    }

    free(s);
    json_decref(v);
}
