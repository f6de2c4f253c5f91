
/*
 * ngx_http_sandbox_module: JSON errors.
 *
 * Every error a sandbox location answers is the API's error object,
 * {"error":{"code","field","message","timestamp"}}, built by
 * common/sbx_error.c from an sbx_error_t.  Two kinds reach this file:
 *
 *   errors the module finds itself (405, 415, 400, 422 ...) are sent by
 *   ngx_http_sandbox_send_error() as they are, never via error_page;
 *
 *   errors nginx raises on the way (413 from client_max_body_size, 403
 *   from deny, 503 from limit_req, 502/504 from the upstream) come with
 *   nginx's HTML pages.  The header and body filters below recognise
 *   such a special response (r->err_status set while the location's
 *   content handler is ours), map its status to an error code, and
 *   replace its body with the JSON error.  An operator's error_page still
 *   wins: it redirects before any page is sent, and the page it selects
 *   is served by another location.
 *
 * A reply the runner sent (ctx->replied) is JSON already and passes.
 * A location that speaks another API (sandbox_api) answers its errors in
 * that API's shape (common/sbx_dialect.c), nginx's own ones included.
 */


#include "ngx_http_sandbox_module.h"


#define NGX_HTTP_SANDBOX_TIMESTAMP_LEN  sizeof("2026-11-26T03:47:10.123Z")


typedef struct {
    ngx_uint_t                  status;
    const char                 *code;
    const char                 *message;
} ngx_http_sandbox_status_t;


static ngx_int_t ngx_http_sandbox_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static void ngx_http_sandbox_status_error(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_uint_t status, sbx_error_t *err);
static ngx_int_t ngx_http_sandbox_error_body(ngx_http_request_t *r,
    sbx_error_t *err, ngx_str_t *body, ngx_uint_t *status);
static ngx_int_t ngx_http_sandbox_send_body(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *body, ngx_str_t *allow);
static void ngx_http_sandbox_json_type(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_last_buf(ngx_http_request_t *r,
    ngx_str_t *body, ngx_chain_t *out);
static size_t ngx_http_sandbox_timestamp(u_char *buf);


/* the code and message for a status nginx itself answered with */

static ngx_http_sandbox_status_t  ngx_http_sandbox_statuses[] = {

    { NGX_HTTP_BAD_REQUEST, "bad_request",
      "the request is malformed" },

    { NGX_HTTP_UNAUTHORIZED, "unauthorized",
      "authentication is required" },

    { NGX_HTTP_FORBIDDEN, "forbidden",
      "access to this endpoint is denied" },

    { NGX_HTTP_NOT_FOUND, "not_found",
      "not found" },

    { NGX_HTTP_NOT_ALLOWED, "method_not_allowed",
      "the method is not allowed here" },

    { NGX_HTTP_REQUEST_TIME_OUT, "request_timeout",
      "the request did not arrive in time" },

    /* the message names the limit: ngx_http_sandbox_status_error() */

    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL },

    { NGX_HTTP_TOO_MANY_REQUESTS, "too_many_requests",
      "too many requests, retry later" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error",
      "internal error in nginx, see its error log" },

    { NGX_HTTP_BAD_GATEWAY, "runner_unavailable",
      "the runner cannot be reached" },

    { NGX_HTTP_SERVICE_UNAVAILABLE, "service_unavailable",
      "the service is unavailable, retry later" },

    { NGX_HTTP_GATEWAY_TIME_OUT, "runner_timeout",
      "the runner did not answer in time" },

    { 0, NULL, NULL }
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


/* called from the module's postconfiguration */

ngx_int_t
ngx_http_sandbox_error_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_sandbox_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_sandbox_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_header_filter(ngx_http_request_t *r)
{
    sbx_error_t              err;
    ngx_http_sandbox_ctx_t  *ctx;

    /*
     * r->content_handler is ours in the sandbox location and in its "if"
     * blocks, and is reset by an internal redirect, so error_page targets
     * elsewhere keep their own answers.
     */

    if (r->err_status < NGX_HTTP_BAD_REQUEST
        || r != r->main
        || r->content_handler != ngx_http_sandbox_handler)
    {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx == NULL) {
        ctx = ngx_http_sandbox_create_ctx(r);
        if (ctx == NULL) {
            return NGX_ERROR;
        }

    } else if (ctx->replied) {

        /*
         * an answer the runner or the module made, sent under the status
         * of an error_page redirect: it is JSON already
         */

        return ngx_http_next_header_filter(r);
    }

    ngx_http_sandbox_status_error(r, ctx, r->headers_out.status, &err);

    if (ngx_http_sandbox_error_body(r, &err, &ctx->error, NULL) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_sandbox_json_type(r);
    ngx_str_null(&r->headers_out.charset);

    r->headers_out.content_length_n = ctx->error.len;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_sandbox_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t             *cl, out;
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx == NULL || ctx->error.len == 0 || in == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    /* nginx's page is consumed and dropped, whatever shape it came in */

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
        cl->buf->file_pos = cl->buf->file_last;
    }

    if (ctx->error_sent) {
        return ngx_http_next_body_filter(r, NULL);
    }

    ctx->error_sent = 1;

    if (ngx_http_sandbox_last_buf(r, &ctx->error, &out) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_next_body_filter(r, &out);
}


static void
ngx_http_sandbox_status_error(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_uint_t status, sbx_error_t *err)
{
    u_char                      code[32], *p;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_sandbox_status_t  *s;

    for (s = ngx_http_sandbox_statuses; s->status; s++) {
        if (s->status == status) {
            break;
        }
    }

    if (s->status == 0) {
        p = ngx_snprintf(code, sizeof(code) - 1, "http_%ui", status);
        *p = '\0';

        sbx_error_set(err, status, (char *) code, "",
                      "the request failed with status %lu",
                      (unsigned long) status);
        return;
    }

    /* two messages say more than the status: the limit, the cause */

    if (status == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

        sbx_error_set(err, status, s->code, "",
                      "the request body is larger than %lld bytes",
                      (long long) clcf->client_max_body_size);

    } else if (status == NGX_HTTP_BAD_GATEWAY && ctx && ctx->invalid_reply) {
        sbx_error_set(err, status, s->code, "",
                      "the runner sent an invalid reply");

    } else {
        sbx_error_set(err, status, s->code, "", "%s", s->message);
    }
}


/* an error the module made itself: sent as it is, never via error_page */

ngx_int_t
ngx_http_sandbox_send_error(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *allow)
{
    ngx_str_t   body;
    ngx_uint_t  status;

    if (ngx_http_sandbox_error_body(r, err, &body, &status) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sandbox_send_body(r, status, &body, allow);
}


/* an answer the module has itself (a dialect's static table): json's */

ngx_int_t
ngx_http_sandbox_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *json)
{
    ngx_int_t  rc;
    ngx_str_t  body;

    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_sandbox_dump(r, json, &body);

    json_decref(json);

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sandbox_send_body(r, status, &body, NULL);
}


static ngx_int_t
ngx_http_sandbox_send_body(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *body, ngx_str_t *allow)
{
    ngx_int_t                rc;
    ngx_chain_t              out;
    ngx_table_elt_t         *h;
    ngx_http_sandbox_ctx_t  *ctx;

    /* the error filter must leave this body alone */

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx) {
        ctx->replied = 1;
    }

    r->headers_out.status = status;
    ngx_http_sandbox_status_line(status, &r->headers_out.status_line);
    r->headers_out.content_length_n = body->len;

    ngx_http_sandbox_json_type(r);

    if (allow) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        h->value = *allow;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    if (ngx_http_sandbox_last_buf(r, body, &out) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_output_filter(r, &out);
}


/* nginx knows no reason phrase for 422 and would send none */

void
ngx_http_sandbox_status_line(ngx_uint_t status, ngx_str_t *line)
{
    if (status == NGX_HTTP_SANDBOX_UNPROCESSABLE) {
        ngx_str_set(line, "422 Unprocessable Entity");
    }
}


/*
 * The error in the location's API; *status (when asked for) is the
 * status to send it with, which a dialect may change (Judge0 refuses a
 * field with 422, Piston everything with 400).
 */

static ngx_int_t
ngx_http_sandbox_error_body(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *body, ngx_uint_t *status)
{
    int                           st;
    u_char                        ts[NGX_HTTP_SANDBOX_TIMESTAMP_LEN + 1];
    json_t                       *e;
    ngx_int_t                     rc;
    sbx_dialect_t                 d;
    ngx_http_sandbox_ctx_t       *ctx;
    ngx_http_sandbox_loc_conf_t  *slcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    if (ctx && ctx->dialect.api != SBX_API_NATIVE) {
        d = ctx->dialect;

    } else {
        ngx_memzero(&d, sizeof(sbx_dialect_t));
        d.api = slcf->api;
    }

    ts[ngx_http_sandbox_timestamp(ts)] = '\0';

    st = err->status;

    e = sbx_dialect_error(&d, err, (char *) ts, &st);
    if (e == NULL) {
        return NGX_ERROR;
    }

    if (status) {
        *status = st;
    }

    rc = ngx_http_sandbox_dump(r, e, body);

    json_decref(e);

    return rc;
}


/* {"error":{…}} stamped now; a batch item's error travels as one too */

json_t *
ngx_http_sandbox_error_object(sbx_error_t *err)
{
    u_char  ts[NGX_HTTP_SANDBOX_TIMESTAMP_LEN + 1];
    size_t  len;

    len = ngx_http_sandbox_timestamp(ts);
    ts[len] = '\0';

    return sbx_error_object(err, (char *) ts);
}


static void
ngx_http_sandbox_json_type(ngx_http_request_t *r)
{
    r->headers_out.content_type_len = sizeof("application/json") - 1;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_lowcase = NULL;
}


/* the error body as the one buffer that ends the response */

static ngx_int_t
ngx_http_sandbox_last_buf(ngx_http_request_t *r, ngx_str_t *body,
    ngx_chain_t *out)
{
    ngx_buf_t  *b;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->memory = 1;
    b->pos = body->data;
    b->last = body->data + body->len;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out->buf = b;
    out->next = NULL;

    return NGX_OK;
}


/* RFC 3339, UTC, milliseconds: "2026-11-26T03:47:10.123Z" */

static size_t
ngx_http_sandbox_timestamp(u_char *buf)
{
    ngx_tm_t     tm;
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    ngx_gmtime(tp->sec, &tm);

    return ngx_sprintf(buf, "%4d-%02d-%02dT%02d:%02d:%02d.%03MZ",
                       tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                       tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec,
                       tp->msec)
           - buf;
}
