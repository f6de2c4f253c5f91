
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
 * With "sandbox_json_errors on" a server's every special response is
 * replaced so, in any location and before any location was chosen (a
 * malformed request line, a header or a URI too large): for servers
 * that serve only the API.
 *
 * A reply the runner sent (ctx->replied) is JSON already and passes.
 * A location that speaks another API (sandbox_api) answers its errors in
 * that API's shape (common/sbx_dialect.c), nginx's own ones included.
 *
 * The filters are a module of their own, ngx_http_sandbox_filter_module,
 * of the filter type (config), so that nginx places them among the
 * other filters in a static build as in a dynamic one: a plain HTTP
 * module's postconfiguration runs before the header and write filters
 * are installed, and they replace the chain's head instead of
 * extending it.  The same module's request body filter counts the
 * body a sandbox location reads against sandbox_max_body_size,
 * however the body is framed (chunked or not).
 *
 * A 502 or 504 that came after the frame was sent is about a job the
 * runner may have accepted and goes on running: it names the job (the
 * ids of a batch) in its body, in X-Sandbox-Id and in Location, and does
 * not say the runner could not be reached.
 *
 * Behind an upstream of several runners a job lives on one of them.  A
 * runner's 404 for a GET or DELETE by id is not the last word while
 * another runner of the upstream could not be asked (this request's
 * earlier try failed, or nginx holds a server as failed or down): the
 * job may be there.  That 404 becomes a 502 runner_unavailable naming
 * the job (ngx_http_sandbox_owner_away()); once the runner is back, its
 * stored results are served again.
 */


#include "ngx_http_sandbox_module.h"


#define NGX_HTTP_SANDBOX_TIMESTAMP_LEN  sizeof("2026-11-26T03:47:10.123Z")


typedef struct {
    ngx_uint_t                  status;
    const char                 *code;
    const char                 *message;
} ngx_http_sandbox_status_t;


typedef struct {
    ngx_flag_t                  json_errors;
} ngx_http_sandbox_filter_srv_conf_t;


static ngx_int_t ngx_http_sandbox_error_filter_init(ngx_conf_t *cf);
static void *ngx_http_sandbox_filter_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_sandbox_filter_merge_srv_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_sandbox_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_sandbox_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_sandbox_request_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static void ngx_http_sandbox_status_error(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_uint_t status, sbx_error_t *err);
static ngx_uint_t ngx_http_sandbox_about_job(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err);
static ngx_uint_t ngx_http_sandbox_owner_away(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx);
static ngx_int_t ngx_http_sandbox_replace(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err, ngx_uint_t job);
static ngx_int_t ngx_http_sandbox_error_body(ngx_http_request_t *r,
    sbx_error_t *err, ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body,
    ngx_uint_t *status);
static ngx_int_t ngx_http_sandbox_send_body(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *body, ngx_str_t *allow);
static ngx_int_t ngx_http_sandbox_error_ids(json_t *e,
    ngx_http_sandbox_ctx_t *ctx);
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

    /* what nginx refuses before a location is chosen */

    { NGX_HTTP_REQUEST_URI_TOO_LARGE, "uri_too_long",
      "the request URI is too long" },

    { NGX_HTTP_LENGTH_REQUIRED, "length_required",
      "the request body needs a length" },

    { NGX_HTTP_NOT_IMPLEMENTED, "not_implemented",
      "the request uses a feature this server does not implement" },

    { NGX_HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported",
      "the HTTP version is not supported" },

    { 0, NULL, NULL }
};


static ngx_command_t  ngx_http_sandbox_filter_commands[] = {

    { ngx_string("sandbox_json_errors"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_sandbox_filter_srv_conf_t, json_errors),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sandbox_filter_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_sandbox_error_filter_init,    /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_sandbox_filter_create_srv_conf, /* create server configuration */
    ngx_http_sandbox_filter_merge_srv_conf,  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_sandbox_filter_module = {
    NGX_MODULE_V1,
    &ngx_http_sandbox_filter_module_ctx,   /* module context */
    ngx_http_sandbox_filter_commands,      /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;
static ngx_http_request_body_filter_pt   ngx_http_next_request_body_filter;


static ngx_int_t
ngx_http_sandbox_error_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_sandbox_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_sandbox_body_filter;

    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_sandbox_request_body_filter;

    return NGX_OK;
}


static void *
ngx_http_sandbox_filter_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_sandbox_filter_srv_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sandbox_filter_srv_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->json_errors = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_sandbox_filter_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_sandbox_filter_srv_conf_t *prev = parent;
    ngx_http_sandbox_filter_srv_conf_t *conf = child;

    ngx_conf_merge_value(conf->json_errors, prev->json_errors, 0);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sandbox_header_filter(ngx_http_request_t *r)
{
    ngx_uint_t                           job;
    sbx_error_t                          err;
    ngx_http_sandbox_ctx_t              *ctx;
    ngx_http_sandbox_filter_srv_conf_t  *fscf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    if (r->err_status < NGX_HTTP_BAD_REQUEST) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

        if (ctx == NULL || !ngx_http_sandbox_owner_away(r, ctx)) {
            return ngx_http_next_header_filter(r);
        }

        sbx_error_set(&err, NGX_HTTP_BAD_GATEWAY, "runner_unavailable", "",
                      "a runner that may hold this job cannot be reached "
                      "now; its results are kept: ask again later");

        r->headers_out.status = NGX_HTTP_BAD_GATEWAY;
        ngx_str_null(&r->headers_out.status_line);

        if (ctx->runner_header) {
            ctx->runner_header->hash = 0;
        }

        ngx_str_null(&ctx->runner);

        return ngx_http_sandbox_replace(r, ctx, &err, 1);
    }

    /*
     * r->content_handler is ours in the sandbox location and in its "if"
     * and "limit_except" blocks, and is reset by an internal redirect, so
     * error_page targets elsewhere keep their own answers.  A server
     * with sandbox_json_errors answers every error so, except the page
     * an error_page of its own selected.  r->srv_conf is the default
     * server's until the Host header chose one: so is the switch for a
     * request refused before that.
     */

    if (r->content_handler != ngx_http_sandbox_handler) {
        fscf = ngx_http_get_module_srv_conf(r, ngx_http_sandbox_filter_module);

        if (!fscf->json_errors || r->error_page) {
            return ngx_http_next_header_filter(r);
        }
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

    job = ngx_http_sandbox_about_job(r, ctx, &err);

    return ngx_http_sandbox_replace(r, ctx, &err, job);
}


/* the response's body becomes err's JSON; with job, it names the job */

static ngx_int_t
ngx_http_sandbox_replace(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    sbx_error_t *err, ngx_uint_t job)
{
    if (job && ctx->endpoint != NGX_HTTP_SANDBOX_BATCH
        && ngx_http_sandbox_job_headers(r, ctx, &ctx->job_id, 1) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_sandbox_error_body(r, err, job ? ctx : NULL, &ctx->error,
                                    NULL)
        != NGX_OK)
    {
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


/*
 * The body a sandbox location buffers, however it is framed: nginx
 * checks a Content-Length against sandbox_max_body_size in the handler
 * already (before reading), this counts what the chunked framing
 * decodes, since client_max_body_size may be 0 (no limit) or larger.
 */

static ngx_int_t
ngx_http_sandbox_request_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                  *cl;
    ngx_http_sandbox_ctx_t       *ctx;
    ngx_http_sandbox_loc_conf_t  *slcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx == NULL || r->content_handler != ngx_http_sandbox_handler) {
        return ngx_http_next_request_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        ctx->body_size += ngx_buf_size(cl->buf);
    }

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    if (ctx->body_size > slcf->max_body_size) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "client intended to send a body over "
                      "sandbox_max_body_size: more than %O bytes",
                      slcf->max_body_size);

        ctx->body_too_large = 1;

        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    return ngx_http_next_request_body_filter(r, in);
}


static void
ngx_http_sandbox_status_error(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_uint_t status, sbx_error_t *err)
{
    off_t                         max;
    u_char                        code[32], *p;
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_sandbox_status_t    *s;
    ngx_http_sandbox_loc_conf_t  *slcf;

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
        slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

        max = (ctx && ctx->body_too_large) ? slcf->max_body_size
                                           : clcf->client_max_body_size;

        sbx_error_set(err, status, s->code, "",
                      "the request body is larger than %lld bytes",
                      (long long) max);

    } else if (status == NGX_HTTP_BAD_GATEWAY && ctx && ctx->invalid_reply) {
        sbx_error_set(err, status, s->code, "",
                      "the runner sent an invalid reply");

    } else {
        sbx_error_set(err, status, s->code, "", "%s", s->message);
    }
}


/*
 * Whether the error is about a job: a 502 or 504 after the frame went
 * (the runner may have accepted it), or about the job the URI names.
 * Its message then says what the client can do.
 */

static ngx_uint_t
ngx_http_sandbox_about_job(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err)
{
    char        code[sizeof(err->code)];
    ngx_uint_t  batch, by_id;

    if ((err->status != NGX_HTTP_BAD_GATEWAY
         && err->status != NGX_HTTP_GATEWAY_TIME_OUT)
        || ctx->job_id.len == 0)
    {
        return 0;
    }

    by_id = (ctx->endpoint == NGX_HTTP_SANDBOX_GET
             || ctx->endpoint == NGX_HTTP_SANDBOX_CANCEL);

    /* the frame never went: a GET or DELETE names its job all the same */

    if (r->upstream == NULL || !r->upstream->request_sent) {
        return by_id;
    }

    /* its message says what went wrong already */

    if (ctx->invalid_reply) {
        return 1;
    }

    ngx_memcpy(code, err->code, sizeof(code));

    if (by_id) {
        if (err->status == NGX_HTTP_BAD_GATEWAY) {
            sbx_error_set(err, err->status, code, "",
                          "the runner's connection closed before it "
                          "answered: ask again");
        }

        return 1;
    }

    batch = (ctx->endpoint == NGX_HTTP_SANDBOX_BATCH);

    if (err->status == NGX_HTTP_BAD_GATEWAY) {
        sbx_error_set(err, err->status, code, "",
                      "the runner's connection closed after the %s was "
                      "sent; it may have been accepted: %s",
                      batch ? "batch" : "job",
                      batch ? "GET each id" : "GET its Location");

    } else {
        sbx_error_set(err, err->status, code, "",
                      "the runner did not answer in time; the %s may "
                      "have been accepted and go on: %s",
                      batch ? "batch" : "job",
                      batch ? "GET each id" : "GET its Location");
    }

    return 1;
}


/*
 * A runner's 404 for a GET or DELETE by id, while another runner of the
 * upstream could not be asked: this request tried one and failed (a
 * state of 502 or 504 before the last), or nginx holds one as down or
 * failed (max_fails within fail_timeout) and skipped it.
 */

static ngx_uint_t
ngx_http_sandbox_owner_away(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx)
{
    time_t                          now;
    ngx_uint_t                      i, away;
    ngx_http_upstream_t            *u;
    ngx_http_upstream_state_t      *state;
    ngx_http_upstream_rr_peer_t    *peer;
    ngx_http_upstream_rr_peers_t   *peers;

    u = r->upstream;

    if (!ctx->replied || u == NULL || r->headers_out.status
        != NGX_HTTP_NOT_FOUND
        || (ctx->endpoint != NGX_HTTP_SANDBOX_GET
            && ctx->endpoint != NGX_HTTP_SANDBOX_CANCEL))
    {
        return 0;
    }

    if (r->upstream_states) {
        state = r->upstream_states->elts;

        for (i = 0; i + 1 < r->upstream_states->nelts; i++) {
            if (state[i].status == NGX_HTTP_BAD_GATEWAY
                || state[i].status == NGX_HTTP_GATEWAY_TIME_OUT)
            {
                return 1;
            }
        }
    }

    if (u->upstream == NULL || u->upstream->peer.data == NULL) {
        return 0;
    }

    /* every balancer of nginx's own keeps round-robin peers */

    peers = u->upstream->peer.data;
    now = ngx_time();
    away = 0;

    ngx_http_upstream_rr_peers_rlock(peers);

    for (peer = peers->peer; peer; peer = peer->next) {
        if (peer->down
            || (peer->max_fails && peer->fails >= peer->max_fails
                && now - peer->checked <= peer->fail_timeout))
        {
            away = 1;
            break;
        }
    }

    ngx_http_upstream_rr_peers_unlock(peers);

    return away;
}


/* an error the module made itself: sent as it is, never via error_page */

ngx_int_t
ngx_http_sandbox_send_error(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *allow)
{
    ngx_str_t   body;
    ngx_uint_t  status;

    if (ngx_http_sandbox_error_body(r, err, NULL, &body, &status) != NGX_OK) {
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
 * The error's JSON in the location's API; with ctx, the native one has
 * "id" (a batch: "ids") inside "error".  *status (when asked for) is the
 * status to send it with, which a dialect may change (Judge0 refuses a
 * field with 422, Piston everything with 400).
 */

static ngx_int_t
ngx_http_sandbox_error_body(ngx_http_request_t *r, sbx_error_t *err,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, ngx_uint_t *status)
{
    int                           st;
    u_char                        ts[NGX_HTTP_SANDBOX_TIMESTAMP_LEN + 1];
    json_t                       *e;
    ngx_int_t                     rc;
    sbx_dialect_t                 d;
    ngx_http_sandbox_ctx_t       *rctx;
    ngx_http_sandbox_loc_conf_t  *slcf;

    rctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);
    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    if (rctx && rctx->dialect.api != SBX_API_NATIVE) {
        d = rctx->dialect;

    } else {
        ngx_memzero(&d, sizeof(sbx_dialect_t));
        d.api = (slcf != NULL) ? slcf->api : SBX_API_NATIVE;
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

    if (ctx && d.api == SBX_API_NATIVE
        && ngx_http_sandbox_error_ids(e, ctx) != NGX_OK)
    {
        json_decref(e);
        return NGX_ERROR;
    }

    rc = ngx_http_sandbox_dump(r, e, body);

    json_decref(e);

    return rc;
}


static ngx_int_t
ngx_http_sandbox_error_ids(json_t *e, ngx_http_sandbox_ctx_t *ctx)
{
    u_char  *p, *end, *comma;
    json_t  *ids, *error;

    error = json_object_get(e, "error");

    if (ctx->endpoint != NGX_HTTP_SANDBOX_BATCH) {
        return json_object_set_new(error, "id",
                                   json_stringn((char *) ctx->job_id.data,
                                                ctx->job_id.len))
               == 0 ? NGX_OK : NGX_ERROR;
    }

    ids = json_array();

    if (json_object_set_new(error, "ids", ids) != 0) {
        return NGX_ERROR;
    }

    p = ctx->job_id.data;
    end = p + ctx->job_id.len;

    while (p < end) {
        comma = ngx_strlchr(p, end, ',');

        if (comma == NULL) {
            comma = end;
        }

        if (json_array_append_new(ids, json_stringn((char *) p, comma - p))
            != 0)
        {
            return NGX_ERROR;
        }

        p = comma + 1;
    }

    return NGX_OK;
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
