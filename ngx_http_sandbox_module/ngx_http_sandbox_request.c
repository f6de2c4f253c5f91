
/*
 * ngx_http_sandbox_module: what the client sent, checked and framed.
 *
 * Before the body is read: the URI is routed to an endpoint (so the API
 * lives under any prefix), the "wait" argument and the Content-Type are
 * checked.  After: the JSON becomes an SBX/1 frame for the runner.
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


static ngx_int_t ngx_http_sandbox_policy(ngx_http_sandbox_loc_conf_t *slcf,
    json_t *sub, sbx_error_t *err);
static void ngx_http_sandbox_free(void *data);


static ngx_http_sandbox_route_t  ngx_http_sandbox_routes[] = {

    { ngx_string("submissions"), 0, NGX_HTTP_SANDBOX_SUBMIT,
      NGX_HTTP_POST, ngx_string("POST"), "SUBMIT" },

    { ngx_string("batch"), 1, NGX_HTTP_SANDBOX_BATCH,
      NGX_HTTP_POST, ngx_string("POST"), "BATCH" },

    { ngx_string("languages"), 0, NGX_HTTP_SANDBOX_LANGUAGES,
      NGX_HTTP_GET, ngx_string("GET"), "LANGUAGES" },

    { ngx_string("health"), 0, NGX_HTTP_SANDBOX_HEALTH,
      NGX_HTTP_GET, ngx_string("GET"), "HEALTH" },

    { ngx_string("metrics"), 0, NGX_HTTP_SANDBOX_METRICS,
      NGX_HTTP_GET, ngx_string("GET"), "METRICS" },

    /* any other segment after "submissions/" is an id */

    { ngx_null_string, 1, NGX_HTTP_SANDBOX_GET,
      NGX_HTTP_GET, ngx_string("GET"), "GET" }
};


/*
 * The endpoint is the last segment of the URI, or the last two for
 * "submissions/batch" and "submissions/{id}", so the API can live under
 * any prefix the operator maps.  "batch" is never taken for an id.
 */

ngx_http_sandbox_route_t *
ngx_http_sandbox_route(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx)
{
    u_char                    *p, *start, *end;
    ngx_str_t                  seg;
    ngx_uint_t                 nested;
    ngx_http_sandbox_route_t  *route;

    start = r->uri.data;
    end = r->uri.data + r->uri.len;

    p = end;

    while (p > start && p[-1] != '/') {
        p--;
    }

    seg.data = p;
    seg.len = end - p;

    if (seg.len == 0) {
        return NULL;
    }

    nested = (size_t) (p - start) >= sizeof("/submissions/") - 1
             && ngx_strncmp(p - (sizeof("/submissions/") - 1),
                            "/submissions/", sizeof("/submissions/") - 1)
                == 0;

    for (route = ngx_http_sandbox_routes; route->segment.len; route++) {

        if (route->nested && !nested) {
            continue;
        }

        if (seg.len == route->segment.len
            && ngx_strncmp(seg.data, route->segment.data, seg.len) == 0)
        {
            return route;
        }
    }

    /* an id: only the characters the runner hands out reach it */

    if (!nested || seg.len > NGX_HTTP_SANDBOX_MAX_ID) {
        return NULL;
    }

    for (p = seg.data; p < end; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-'))
        {
            return NULL;
        }
    }

    ctx->id = seg;

    return route;
}


ngx_int_t
ngx_http_sandbox_query(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    sbx_error_t *err)
{
    ngx_str_t                     value;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    ctx->wait = slcf->wait;

    if (ngx_http_arg(r, (u_char *) "wait", 4, &value) != NGX_OK) {
        return NGX_OK;
    }

    if ((value.len == 4 && ngx_strncmp(value.data, "true", 4) == 0)
        || (value.len == 1 && value.data[0] == '1'))
    {
        ctx->wait = 1;

    } else if ((value.len == 5 && ngx_strncmp(value.data, "false", 5) == 0)
               || (value.len == 1 && value.data[0] == '0'))
    {
        ctx->wait = 0;

    } else {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_query",
                      "wait", "must be true, false, 1 or 0");
        return NGX_DECLINED;
    }

    /* a batch is always queued, whatever sandbox_wait says */

    if (ctx->endpoint == NGX_HTTP_SANDBOX_BATCH && ctx->wait) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_query",
                      "wait", "a batch is always queued: poll each "
                      "id with GET .../submissions/{id}");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The body is read as JSON when it is declared "application/json" (with
 * parameters such as "; charset=utf-8"), and also when it is not declared
 * at all or declared as curl -d's default, form-urlencoded: what a
 * one-line curl sends.  Any other declared type is 415.
 */

ngx_int_t
ngx_http_sandbox_is_json(ngx_http_request_t *r)
{
    u_char   *p, *end, *semi;
    size_t    len;

    if (r->headers_in.content_type == NULL) {
        return NGX_OK;
    }

    p = r->headers_in.content_type->value.data;
    end = p + r->headers_in.content_type->value.len;

    semi = ngx_strlchr(p, end, ';');

    if (semi != NULL) {
        end = semi;
    }

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }

    len = end - p;

    if ((len == sizeof("application/json") - 1
         && ngx_strncasecmp(p, (u_char *) "application/json", len) == 0)
        || (len == sizeof("application/x-www-form-urlencoded") - 1
            && ngx_strncasecmp(p,
                               (u_char *) "application/x-www-form-urlencoded",
                               len)
               == 0))
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


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
    sbx_error_t                   item_err;
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
        sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                      "batch_too_large", "submissions",
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
            sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                          "language_not_allowed", "language",
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

            sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                          "limit_exceeded", (char *) field,
                          "must be at most %ld in this location",
                          (long) limit[i].max);
            return NGX_DECLINED;
        }
    }

    if (slcf->max_tests
        && json_array_size(json_object_get(sub, "tests")) > slcf->max_tests)
    {
        sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                      "too_many_tests", "tests",
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


ngx_int_t
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
