
/*
 * Fuzz target: the module's reading of the runner's reply frame, the
 * upstream callbacks of ngx_http_sandbox_handler.c that see the
 * runner's bytes: process_header (the SBX/1 header, status, attributes
 * copied to $sandbox_id, $sandbox_status, Retry-After), then
 * filter_init and the filter with whatever followed the header in the
 * same read, as ngx_http_upstream_send_response() hands it over.
 *
 * Those callbacks are static, so the module's own source file is
 * compiled into this harness (and its object is left out of the link).
 * The input is the upstream buffer: <endpoint byte><reply bytes>.
 */


#include <stdint.h>

#include "fuzz_nginx.h"

#include "ngx_http_sandbox_handler.c"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sbx_fuzz_nginx_init();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                           *p;
    size_t                            n;
    ngx_int_t                         rc;
    ngx_http_request_t               *r;
    ngx_http_upstream_t              *u;
    ngx_http_sandbox_ctx_t           *ctx;
    ngx_http_upstream_state_t        *state;

    if (size < 1) {
        return 0;
    }

    r = sbx_fuzz_request(0);

    ctx = ngx_http_sandbox_create_ctx(r);
    u = ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_t));
    state = ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_state_t));
    p = ngx_pnalloc(r->pool, size - 1);

    if (ctx == NULL || u == NULL || state == NULL
        || (p == NULL && size > 1))
    {
        abort();
    }

    ctx->endpoint = 1 + data[0] % NGX_HTTP_SANDBOX_METRICS;

    ngx_memcpy(p, data + 1, size - 1);

    r->upstream = u;
    u->state = state;
    u->output.tag = (ngx_buf_tag_t) &ngx_http_sandbox_module;
    u->input_filter_ctx = ctx;

    u->buffer.start = p;
    u->buffer.pos = p;
    u->buffer.last = p + size - 1;
    u->buffer.end = u->buffer.last;

    rc = ngx_http_sandbox_process_header(r);

    if (rc == NGX_AGAIN || rc == NGX_HTTP_UPSTREAM_INVALID_HEADER) {
        goto done;
    }

    if (rc != NGX_OK || !ctx->replied
        || u->headers_in.status_n < 200 || u->headers_in.status_n > 599
        || u->buffer.pos > u->buffer.last)
    {
        abort();
    }

    /* ngx_http_upstream_send_response(), unbuffered */

    if (ngx_http_sandbox_filter_init(ctx) != NGX_OK) {
        abort();
    }

    n = u->buffer.last - u->buffer.pos;

    if (n) {
        u->buffer.last = u->buffer.pos;

        if (ngx_http_sandbox_filter(ctx, n) != NGX_OK) {
            abort();
        }

        if (u->out_bufs
            && ngx_buf_size(u->out_bufs->buf) > (off_t) n)
        {
            abort();
        }
    }

    /* the reply given up: what it set is forgotten */

    ngx_http_sandbox_finalize_request(r, NGX_HTTP_BAD_GATEWAY);

    if (ctx->replied || ctx->reply_id.len) {
        abort();
    }

done:

    ngx_destroy_pool(r->pool);

    return 0;
}
