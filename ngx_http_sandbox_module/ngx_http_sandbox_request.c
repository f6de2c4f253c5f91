
/*
 * From a validated request to an SBX/1 frame, and JSON error bodies.
 *
 * The body is parsed and shape-checked with common/sbx_schema.c, the
 * same code the runner checks it with again, then held against the
 * location's policy (sandbox_languages, sandbox_limits, sandbox_max_tests,
 * sandbox_max_batch).  Nothing that fails reaches the runner, except a
 * failed batch item, which travels as its error object so that the reply
 * keeps every item at its index.
 *
 * jansson values never outlive the call that made them: every path
 * releases them before returning, so a client that goes away cannot leak
 * one.  Strings jansson dumps are freed by a request pool cleanup.
 */


#include "ngx_http_sandbox_module.h"


#define NGX_HTTP_SANDBOX_TIMESTAMP_LEN  sizeof("2026-11-26T03:47:10.123Z")


static ngx_int_t ngx_http_sandbox_policy(ngx_http_sandbox_loc_conf_t *slcf,
    json_t *sub, sbx_error_t *err);
static json_t *ngx_http_sandbox_error_object(sbx_error_t *err);
static size_t ngx_http_sandbox_timestamp(u_char *buf);
static ngx_int_t ngx_http_sandbox_dump(ngx_http_request_t *r, json_t *json,
    ngx_str_t *out);
static void ngx_http_sandbox_free(void *data);


ngx_int_t
ngx_http_sandbox_submit_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err)
{
    json_t                       *sub, *lang;
    sbx_proto_attr_t              attr;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    sub = sbx_schema_parse((const char *) body->data, body->len, err);

    if (sub == NULL) {
        return NGX_DECLINED;
    }

    if (sbx_schema_check(sub, err) != SBX_SCHEMA_OK) {
        json_decref(sub);
        return NGX_DECLINED;
    }

    /* logged as submitted, aliases included, refused or not */

    lang = json_object_get(sub, "language");

    ctx->language.len = json_string_length(lang);
    ctx->language.data = ngx_pnalloc(r->pool, ctx->language.len);

    if (ctx->language.data == NULL) {
        json_decref(sub);
        return NGX_ERROR;
    }

    ngx_memcpy(ctx->language.data, json_string_value(lang),
               ctx->language.len);

    if (ngx_http_sandbox_policy(slcf, sub, err) != NGX_OK) {
        json_decref(sub);
        return NGX_DECLINED;
    }

    json_decref(sub);

    attr.key.data = "wait";
    attr.key.len = 4;
    attr.value.data = ctx->wait ? "1" : "0";
    attr.value.len = 1;

    /* the bytes the client sent go on unchanged */

    return ngx_http_sandbox_frame(r, ctx, "SUBMIT", &attr, 1, body);
}


ngx_int_t
ngx_http_sandbox_batch_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err)
{
    size_t                        i, n;
    json_t                       *root, *subs, *item, *out, *batch;
    ngx_int_t                     rc;
    ngx_str_t                     frame;
    const char                   *key;
    sbx_error_t            item_err;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    root = sbx_schema_parse((const char *) body->data, body->len, err);

    if (root == NULL) {
        return NGX_DECLINED;
    }

    if (!json_is_object(root)) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", "",
                      "a batch must be an object "
                      "{\"submissions\": [...]}");
        goto declined;
    }

    json_object_foreach(root, key, item) {
        if (ngx_strcmp(key, "submissions") != 0) {
            sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "unknown_field",
                          key, "is not a batch field");
            goto declined;
        }
    }

    subs = json_object_get(root, "submissions");

    if (subs == NULL) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "missing_field",
                      "submissions", "is required");
        goto declined;
    }

    if (!json_is_array(subs)) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                      "submissions", "must be an array");
        goto declined;
    }

    n = json_array_size(subs);

    if (n == 0) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                      "submissions", "must not be empty");
        goto declined;
    }

    if (n > slcf->max_batch) {
        sbx_error_set(err, 422, "batch_too_large", "submissions",
                      "at most %lu submissions are allowed in one "
                      "batch here", (unsigned long) slcf->max_batch);
        goto declined;
    }

    batch = json_object();
    if (batch == NULL) {
        goto failed;
    }

    out = json_array();

    if (json_object_set_new(batch, "submissions", out) != 0) {
        goto failed_batch;
    }

    /* each item on its own: one bad item does not sink the others */

    json_array_foreach(subs, i, item) {

        if (sbx_schema_check(item, &item_err) == SBX_SCHEMA_OK
            && ngx_http_sandbox_policy(slcf, item, &item_err) == NGX_OK)
        {
            rc = json_array_append(out, item);

        } else {
            rc = json_array_append_new(out,
                                     ngx_http_sandbox_error_object(&item_err));
        }

        if (rc != 0) {
            goto failed_batch;
        }
    }

    rc = ngx_http_sandbox_dump(r, batch, &frame);

    json_decref(batch);
    json_decref(root);

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_sandbox_frame(r, ctx, "BATCH", NULL, 0, &frame);

declined:

    json_decref(root);
    return NGX_DECLINED;

failed_batch:

    json_decref(batch);

failed:

    json_decref(root);
    return NGX_ERROR;
}


/*
 * The location's maxima on top of the runner's per-language ones: a free
 * tier and a paid tier are two locations in front of the same runner.
 * Languages are compared as submitted, before the runner resolves
 * aliases, so sandbox_languages lists every alias it means to admit.
 */

static ngx_int_t
ngx_http_sandbox_policy(ngx_http_sandbox_loc_conf_t *slcf, json_t *sub,
    sbx_error_t *err)
{
    u_char                     field[48], *p;
    size_t                     len;
    json_t                    *v, *limits;
    ngx_str_t                 *lang;
    ngx_uint_t                 i;
    const char                *s;
    ngx_http_sandbox_limit_t  *limit;

    if (slcf->languages) {
        v = json_object_get(sub, "language");
        s = json_string_value(v);
        len = json_string_length(v);

        lang = slcf->languages->elts;

        for (i = 0; i < slcf->languages->nelts; i++) {
            if (lang[i].len == len
                && ngx_strncmp(lang[i].data, s, len) == 0)
            {
                break;
            }
        }

        if (i == slcf->languages->nelts) {
            sbx_error_set(err, 422, "language_not_allowed",
                          "language",
                          "\"%.32s\" is not allowed in this location",
                          s);
            return NGX_DECLINED;
        }
    }

    limits = json_object_get(sub, "limits");

    if (slcf->limits && limits) {
        limit = slcf->limits->elts;

        for (i = 0; i < slcf->limits->nelts; i++) {
            v = json_object_get(limits, limit[i].key);

            if (v == NULL
                || json_integer_value(v) <= (json_int_t) limit[i].max)
            {
                continue;
            }

            p = ngx_snprintf(field, sizeof(field) - 1, "limits.%s",
                             limit[i].key);
            *p = '\0';

            sbx_error_set(err, 422, "limit_exceeded", (char *) field,
                          "must be at most %ld in this location",
                          (long) limit[i].max);
            return NGX_DECLINED;
        }
    }

    if (slcf->max_tests
        && json_array_size(json_object_get(sub, "tests")) > slcf->max_tests)
    {
        sbx_error_set(err, 422, "too_many_tests", "tests",
                      "at most %lu tests are allowed in this location",
                      (unsigned long) slcf->max_tests);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * A frame is its header line, built by sbx_proto_write_header(), and the
 * body as a second buffer.  Both buffers start at their data, which is
 * what ngx_http_upstream_reinit() rewinds to for the next server.
 */

ngx_int_t
ngx_http_sandbox_frame(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    const char *verb, sbx_proto_attr_t *attrs, ngx_uint_t nattrs,
    ngx_str_t *body)
{
    int           n;
    size_t        len;
    ngx_buf_t    *h, *b;
    ngx_chain_t  *cl;

    len = body ? body->len : 0;

    h = ngx_create_temp_buf(r->pool, SBX_PROTO_MAX_HEADER);
    if (h == NULL) {
        return NGX_ERROR;
    }

    n = sbx_proto_write_header((char *) h->last, SBX_PROTO_MAX_HEADER, verb,
                               len, attrs, nattrs);

    if (n < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "cannot write the sandbox \"%s\" frame header", verb);
        return NGX_ERROR;
    }

    h->last += n;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sandbox request: \"%*s\"", (size_t) n - 2, h->pos);

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = h;
    cl->next = NULL;

    ctx->frame = cl;

    if (len == 0) {
        return NGX_OK;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->memory = 1;
    b->start = body->data;
    b->pos = body->data;
    b->last = body->data + len;
    b->end = b->last;

    cl->next = ngx_alloc_chain_link(r->pool);
    if (cl->next == NULL) {
        return NGX_ERROR;
    }

    cl->next->buf = b;
    cl->next->next = NULL;

    return NGX_OK;
}


/* the code and message for a status nginx itself answered with */

void
ngx_http_sandbox_status_error(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_uint_t status, sbx_error_t *err)
{
    u_char                    code[32], *p;
    ngx_http_core_loc_conf_t  *clcf;

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
        sbx_error_set(err, status, "bad_request", "",
                      "the request is malformed");
        break;

    case NGX_HTTP_UNAUTHORIZED:
        sbx_error_set(err, status, "unauthorized", "",
                      "authentication is required");
        break;

    case NGX_HTTP_FORBIDDEN:
        sbx_error_set(err, status, "forbidden", "",
                      "access to this endpoint is denied");
        break;

    case NGX_HTTP_NOT_FOUND:
        sbx_error_set(err, status, "not_found", "", "not found");
        break;

    case NGX_HTTP_NOT_ALLOWED:
        sbx_error_set(err, status, "method_not_allowed", "",
                      "the method is not allowed here");
        break;

    case NGX_HTTP_REQUEST_TIME_OUT:
        sbx_error_set(err, status, "request_timeout", "",
                      "the request did not arrive in time");
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

        sbx_error_set(err, status, "payload_too_large", "",
                      "the request body is larger than %lld bytes",
                      (long long) clcf->client_max_body_size);
        break;

    case NGX_HTTP_TOO_MANY_REQUESTS:
        sbx_error_set(err, status, "too_many_requests", "",
                      "too many requests, retry later");
        break;

    case NGX_HTTP_INTERNAL_SERVER_ERROR:
        sbx_error_set(err, status, "internal_error", "",
                      "internal error in nginx, see its error log");
        break;

    case NGX_HTTP_BAD_GATEWAY:
        sbx_error_set(err, status, "runner_unavailable", "",
                      (ctx && ctx->invalid_reply)
                      ? "the runner sent an invalid reply"
                      : "the runner cannot be reached");
        break;

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        sbx_error_set(err, status, "service_unavailable", "",
                      "the service is unavailable, retry later");
        break;

    case NGX_HTTP_GATEWAY_TIME_OUT:
        sbx_error_set(err, status, "runner_timeout", "",
                      "the runner did not answer in time");
        break;

    default:
        p = ngx_snprintf(code, sizeof(code) - 1, "http_%ui", status);
        *p = '\0';

        sbx_error_set(err, status, (char *) code, "",
                      "the request failed with status %lu",
                      (unsigned long) status);
    }
}


ngx_int_t
ngx_http_sandbox_error_body(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *body)
{
    json_t     *e;
    ngx_int_t   rc;

    e = ngx_http_sandbox_error_object(err);
    if (e == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_sandbox_dump(r, e, body);

    json_decref(e);

    return rc;
}


/* an error the module made itself: sent as it is, never via error_page */

ngx_int_t
ngx_http_sandbox_send_error(ngx_http_request_t *r, sbx_error_t *err,
    ngx_str_t *allow)
{
    ngx_int_t                rc;
    ngx_str_t                body;
    ngx_buf_t               *b;
    ngx_chain_t              out;
    ngx_table_elt_t         *h;
    ngx_http_sandbox_ctx_t  *ctx;

    if (ngx_http_sandbox_error_body(r, err, &body) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the error filter must leave this body alone */

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx) {
        ctx->replied = 1;
    }

    r->headers_out.status = err->status;

    /* nginx knows no reason phrase for 422 and would send none */

    if (err->status == 422) {
        ngx_str_set(&r->headers_out.status_line, "422 Unprocessable Entity");
    }
    r->headers_out.content_length_n = body.len;

    r->headers_out.content_type_len = sizeof("application/json") - 1;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_lowcase = NULL;

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

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->memory = 1;
    b->pos = body.data;
    b->last = body.data + body.len;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* {"error":{"code":…,"field":…,"message":…,"timestamp":…}} */

static json_t *
ngx_http_sandbox_error_object(sbx_error_t *err)
{
    u_char  ts[NGX_HTTP_SANDBOX_TIMESTAMP_LEN + 1];
    size_t  len;

    len = ngx_http_sandbox_timestamp(ts);
    ts[len] = '\0';

    return sbx_error_object(err, (char *) ts);
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


static ngx_int_t
ngx_http_sandbox_dump(ngx_http_request_t *r, json_t *json, ngx_str_t *out)
{
    char                *s;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    s = json_dumps(json, JSON_COMPACT);
    if (s == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_sandbox_free;
    cln->data = s;

    out->data = (u_char *) s;
    out->len = ngx_strlen(s);

    return NGX_OK;
}


static void
ngx_http_sandbox_free(void *data)
{
    free(data);
}
