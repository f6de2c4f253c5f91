
/*
 * ngx_http_sandbox_module: the body the client sent, checked and framed
 * (what comes before the body, the route, is ngx_http_sandbox_route.c).
 *
 * The body is parsed and shape-checked with common/sbx_schema.c, the
 * same code the runner checks it with again, then held against the
 * location's policy (sandbox_languages, sandbox_limits, sandbox_max_tests,
 * sandbox_max_batch, sandbox_job_budget).  Nothing that fails reaches the
 * runner, except a failed batch item, which travels as its error object
 * so that the reply keeps every item at its index.
 *
 * A body that passes gets its job id here, minted with a random route
 * key (common/sbx_id.h) before the frame is sent: a batch gets a base
 * id, from which the runner derives item i's id as this file does.
 *
 * A location that speaks another API (sandbox_api) has its request
 * translated into a native one first (ngx_http_sandbox_translate(), with
 * the dialect's file in common/), which then takes the native path
 * above unchanged; the frame says which API to answer in.
 *
 * jansson values never outlive the call that made them: every path
 * releases them before returning, so a client that goes away cannot leak
 * one.  What they are dumped to is request pool memory: jansson measures
 * the text first, then writes it into a buffer of that size.
 */


#include "ngx_http_sandbox_module.h"
#include "sbx_dialect_judge0.h"
#include "sbx_dialect_piston.h"


static ngx_int_t ngx_http_sandbox_policy(ngx_http_sandbox_loc_conf_t *slcf,
    json_t *sub, ngx_str_t *language, sbx_error_t *err);
static ngx_int_t ngx_http_sandbox_budget(ngx_http_sandbox_loc_conf_t *slcf,
    json_t *sub, sbx_error_t *err);
static json_int_t ngx_http_sandbox_applied(ngx_http_sandbox_loc_conf_t *slcf,
    json_t *sub, const char *key);
static ngx_uint_t ngx_http_sandbox_max_attrs(ngx_http_request_t *r,
    ngx_http_sandbox_loc_conf_t *slcf, sbx_proto_attr_t *attrs);
static ngx_int_t ngx_http_sandbox_attr_ok(ngx_str_t *value);


ngx_int_t
ngx_http_sandbox_submit_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err)
{
    json_t                       *sub;
    u_char                       *id;
    ngx_uint_t                    n;
    sbx_proto_attr_t              attrs[5 + SBX_LIMIT_N];
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

    if (ngx_http_sandbox_policy(slcf, sub, &ctx->language, err) != NGX_OK) {
        json_decref(sub);
        return NGX_DECLINED;
    }

    json_decref(sub);

    id = ngx_pnalloc(r->pool, SBX_ID_LEN + 1);

    if (id == NULL || ngx_http_sandbox_mint(r, ctx, id) != NGX_OK) {
        return NGX_ERROR;
    }

    ctx->job_id.data = id;
    ctx->job_id.len = SBX_ID_LEN;
    ctx->reply_id = ctx->job_id;

    attrs[0].key.data = "wait";
    attrs[0].key.len = 4;
    attrs[0].value.data = ctx->wait ? "1" : "0";
    attrs[0].value.len = 1;

    attrs[1].key.data = "id";
    attrs[1].key.len = 2;
    attrs[1].value.data = (const char *) id;
    attrs[1].value.len = SBX_ID_LEN;

    n = 2;

    /* nginx closes the upstream connection when its client goes away */

    if (ctx->wait && slcf->cancel_on_disconnect) {
        attrs[n].key.data = "cancel-on-close";
        attrs[n].key.len = sizeof("cancel-on-close") - 1;
        attrs[n].value.data = "1";
        attrs[n].value.len = 1;
        n++;
    }

    n += ngx_http_sandbox_max_attrs(r, slcf, &attrs[n]);

    /* the bytes the client sent go on unchanged */

    return ngx_http_sandbox_frame(r, ctx, "SUBMIT", attrs, n, body);
}


ngx_int_t
ngx_http_sandbox_batch_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err)
{
    size_t                        i, n;
    json_t                       *root, *subs, *item, *out, *batch;
    u_char                       *base, *p;
    ngx_int_t                     rc;
    ngx_str_t                     frame;
    const char                   *key;
    sbx_error_t                   item_err;
    sbx_proto_attr_t              attrs[3 + SBX_LIMIT_N];
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

    if (n > slcf->max_batch || n > SBX_ID_ITEMS) {
        sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                      "batch_too_large", "submissions",
                      "at most %lu submissions are allowed in one "
                      "batch here", (unsigned long) slcf->max_batch);
        goto declined;
    }

    /*
     * the base id, then the items' ids the runner will derive from it,
     * one for each item that goes as a submission: $sandbox_id
     */

    base = ngx_pnalloc(r->pool, SBX_ID_LEN + 1 + n * (SBX_ID_LEN + 1));

    if (base == NULL || ngx_http_sandbox_mint(r, ctx, base) != NGX_OK) {
        goto failed;
    }

    ctx->job_id.data = base + SBX_ID_LEN + 1;
    p = ctx->job_id.data;

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

        /* an item the dialect could not translate keeps its error */

        if (slcf->api != SBX_API_NATIVE && sbx_judge0_is_error_item(item)) {
            rc = json_array_append(out, item);

        } else if (sbx_schema_check(item, &item_err) == SBX_SCHEMA_OK
            && ngx_http_sandbox_policy(slcf, item, NULL, &item_err)
               == NGX_OK)
        {
            rc = json_array_append(out, item);

            if (p != ctx->job_id.data) {
                *p++ = ',';
            }

            (void) sbx_id_item((char *) p, (const char *) base, i);
            p += SBX_ID_LEN;

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

    ctx->job_id.len = p - ctx->job_id.data;
    ctx->reply_id = ctx->job_id;

    attrs[0].key.data = "id";
    attrs[0].key.len = 2;
    attrs[0].value.data = (const char *) base;
    attrs[0].value.len = SBX_ID_LEN;

    n = 1 + ngx_http_sandbox_max_attrs(r, slcf, &attrs[1]);

    return ngx_http_sandbox_frame(r, ctx, "BATCH", attrs, n, &frame);

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
 * A limit the submission leaves out is the language's default, which
 * only the runner knows: it clamps that to the maximum the frame carries
 * (ngx_http_sandbox_max_attrs()).
 */

static ngx_int_t
ngx_http_sandbox_policy(ngx_http_sandbox_loc_conf_t *slcf, json_t *sub,
    ngx_str_t *language, sbx_error_t *err)
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

        /* the operator's word for it, until the runner names it */

        if (language) {
            *language = lang[i];
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

    return ngx_http_sandbox_budget(slcf, sub, err);
}


/*
 * A job's budget (sandbox_job_budget): every test may run for its wall
 * time and write output_kb on each of its two streams, so a job holds a
 * worker for up to tests x wall_time_ms and brings back up to
 * tests x output_kb x 2.  A limit left to the language's default is
 * counted at the location's maximum for it, which caps that default; a
 * default no maximum caps is the runner's to count.
 */

static ngx_int_t
ngx_http_sandbox_budget(ngx_http_sandbox_loc_conf_t *slcf, json_t *sub,
    sbx_error_t *err)
{
    json_t      *tests;
    json_int_t   n, wall, output;

    tests = json_object_get(sub, "tests");
    n = tests ? (json_int_t) json_array_size(tests) : 1;

    /* a limit may be any positive integer: n x limit > budget, divided */

    wall = ngx_http_sandbox_applied(slcf, sub, "wall_time_ms");

    if (slcf->job_wall_ms && wall && wall > slcf->job_wall_ms / n) {
        sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                      "budget_exceeded", "limits.wall_time_ms",
                      "the job's wall time budget here is %ld ms: "
                      "%ld tests x %ld ms is over it",
                      (long) slcf->job_wall_ms, (long) n, (long) wall);
        return NGX_DECLINED;
    }

    output = ngx_http_sandbox_applied(slcf, sub, "output_kb");

    if (slcf->job_output_kb && output
        && output > slcf->job_output_kb / (n * 2))
    {
        sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                      "budget_exceeded", "limits.output_kb",
                      "the job's output budget here is %ld KB: "
                      "%ld tests x %ld KB x 2 streams is over it",
                      (long) slcf->job_output_kb, (long) n, (long) output);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the limit as requested, else the location's maximum, else 0: unknown */

static json_int_t
ngx_http_sandbox_applied(ngx_http_sandbox_loc_conf_t *slcf, json_t *sub,
    const char *key)
{
    json_t                    *v;
    ngx_uint_t                 i;
    ngx_http_sandbox_limit_t  *limit;

    v = json_object_get(json_object_get(sub, "limits"), key);

    if (v != NULL) {
        return json_integer_value(v);
    }

    if (slcf->limits == NULL) {
        return 0;
    }

    limit = slcf->limits->elts;

    for (i = 0; i < slcf->limits->nelts; i++) {
        if (ngx_strcmp(limit[i].key, key) == 0) {
            return limit[i].max;
        }
    }

    return 0;
}


/*
 * The location's maxima travel with the frame as "max-<limit>=n"
 * attributes (docs/protocol.md); the runner clamps the language's
 * defaults to them and refuses a requested limit above them again.  Its
 * job budget travels as "budget-wall_ms=n" and "budget-output_kb=n":
 * the runner refuses a job over the wall budget again, and keeps no more
 * output than the output budget.  attrs has room for SBX_LIMIT_N + 2.
 */

static ngx_uint_t
ngx_http_sandbox_max_attrs(ngx_http_request_t *r,
    ngx_http_sandbox_loc_conf_t *slcf, sbx_proto_attr_t *attrs)
{
    u_char                    *p;
    ngx_uint_t                 i, n;
    ngx_http_sandbox_limit_t  *limit;

    n = 0;

    if (slcf->limits != NULL) {
        limit = slcf->limits->elts;

        for (i = 0; i < slcf->limits->nelts; i++) {
            attrs[n].key.data = (const char *) limit[i].attr.data;
            attrs[n].key.len = limit[i].attr.len;
            attrs[n].value.data = (const char *) limit[i].value.data;
            attrs[n].value.len = limit[i].value.len;
            n++;
        }
    }

    if (slcf->job_wall_ms == 0) {
        return n;
    }

    p = ngx_pnalloc(r->pool, 2 * NGX_INT_T_LEN);

    if (p == NULL) {
        return n;
    }

    attrs[n].key.data = "budget-wall_ms";
    attrs[n].key.len = sizeof("budget-wall_ms") - 1;
    attrs[n].value.data = (const char *) p;
    p = ngx_sprintf(p, "%i", slcf->job_wall_ms);
    attrs[n].value.len = p - (u_char *) attrs[n].value.data;
    n++;

    attrs[n].key.data = "budget-output_kb";
    attrs[n].key.len = sizeof("budget-output_kb") - 1;
    attrs[n].value.data = (const char *) p;
    p = ngx_sprintf(p, "%i", slcf->job_output_kb);
    attrs[n].value.len = p - (u_char *) attrs[n].value.data;
    n++;

    return n;
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
    int                           n;
    char                          api[SBX_DIALECT_ATTR_LEN];
    size_t                        len, hide;
    ngx_buf_t                    *h, *b;
    ngx_uint_t                    na;
    ngx_chain_t                  *cl;
    sbx_proto_attr_t              all[SBX_PROTO_MAX_ATTRS];
    sbx_proto_attr_t              base[SBX_PROTO_MAX_ATTRS];
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    len = body ? body->len : 0;

    /*
     * The API to answer in (docs/protocol.md) is no courtesy: the answer
     * is of no use to the client without it.
     */

    if (ctx->dialect.api != SBX_API_NATIVE) {

        if (nattrs >= SBX_PROTO_MAX_ATTRS) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "no room for the sandbox \"%s\" frame's api", verb);
            return NGX_ERROR;
        }

        if (nattrs) {
            ngx_memcpy(base, attrs, nattrs * sizeof(sbx_proto_attr_t));
        }

        base[nattrs].key.data = "api";
        base[nattrs].key.len = sizeof("api") - 1;
        base[nattrs].value.data = api;
        base[nattrs].value.len = sbx_dialect_format(&ctx->dialect, api);

        attrs = base;
        nattrs++;
    }

    if (nattrs + (slcf->auth.len ? 1 : 0) > SBX_PROTO_MAX_ATTRS) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "too many attributes for the sandbox \"%s\" frame",
                      verb);
        return NGX_ERROR;
    }

    h = ngx_create_temp_buf(r->pool, SBX_PROTO_MAX_HEADER);
    if (h == NULL) {
        return NGX_ERROR;
    }

    if (nattrs) {
        ngx_memcpy(all, attrs, nattrs * sizeof(sbx_proto_attr_t));
    }

    /*
     * Two attributes go with every frame when they fit: the location's
     * prefix, for messages that name an endpoint, and "check" until this
     * worker has the runner's answer to it.  They are a courtesy: a
     * frame that has no room for them goes without.  The shared key's
     * token is never left out, and goes last, so that the debug log
     * below can leave it out.
     */

    na = nattrs;

    if (na + 2 + (slcf->auth.len ? 1 : 0) <= SBX_PROTO_MAX_ATTRS) {

        if (ngx_http_sandbox_attr_ok(&ctx->prefix)) {
            all[na].key.data = "prefix";
            all[na].key.len = sizeof("prefix") - 1;
            all[na].value.data = (const char *) ctx->prefix.data;
            all[na].value.len = ctx->prefix.len;
            na++;
        }

        if (!slcf->checked && slcf->check.len) {
            all[na].key.data = "check";
            all[na].key.len = sizeof("check") - 1;
            all[na].value.data = (const char *) slcf->check.data;
            all[na].value.len = slcf->check.len;
            na++;

            ctx->checking = 1;
        }
    }

    for ( ;; ) {
        hide = 0;

        if (slcf->auth.len) {
            all[na].key.data = "auth";
            all[na].key.len = 4;
            all[na].value.data = (const char *) slcf->auth.data;
            all[na].value.len = slcf->auth.len;
            na++;

            hide = sizeof(" auth=") - 1 + slcf->auth.len;
        }

        n = sbx_proto_write_header((char *) h->last, SBX_PROTO_MAX_HEADER,
                                   verb, len, all, na);

        if (n >= 0 || na == nattrs + (slcf->auth.len ? 1 : 0)) {
            break;
        }

        /* no room for the courtesies: the frame goes without them */

        ctx->checking = 0;
        na = nattrs;
    }

    if (n < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "cannot write the sandbox \"%s\" frame header", verb);
        return NGX_ERROR;
    }

    h->last += n;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sandbox request: \"%*s\"", (size_t) n - 2 - hide,
                   h->pos);

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = h;
    cl->next = NULL;

    ctx->frame = cl;

    /*
     * the frame's last buffer flushes: a TLS connection (sandboxs://)
     * otherwise holds the frame in its buffer, waiting for more
     */

    if (len == 0) {
        h->flush = 1;
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
    b->flush = 1;

    cl->next = ngx_alloc_chain_link(r->pool);
    if (cl->next == NULL) {
        return NGX_ERROR;
    }

    cl->next->buf = b;
    cl->next->next = NULL;

    return NGX_OK;
}


/*
 * A new job id into id (SBX_ID_LEN + 1 bytes), its route key into
 * $sandbox_route, before the upstream picks a server by it.
 */

ngx_int_t
ngx_http_sandbox_mint(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    u_char *id)
{
    if (sbx_id_mint((char *) id, NULL) != 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_errno,
                      "cannot mint a sandbox job id: no random bytes");
        return NGX_ERROR;
    }

    ctx->route.data = id;
    ctx->route.len = SBX_ID_ROUTE_LEN;

    return NGX_OK;
}


/*
 * Two passes of json_dumpb(): the first measures (0: the value cannot
 * be encoded), the second writes into the pool, so the text lives as
 * long as the request and needs no cleanup of its own.
 */

ngx_int_t
ngx_http_sandbox_dump(ngx_http_request_t *r, json_t *json, ngx_str_t *out)
{
    size_t   len;
    u_char  *p;

    len = json_dumpb(json, NULL, 0, JSON_COMPACT);
    if (len == 0) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (json_dumpb(json, (char *) p, len, JSON_COMPACT) != len) {
        return NGX_ERROR;
    }

    out->data = p;
    out->len = len;

    return NGX_OK;
}


/* Whether value can be a frame attribute's value as it is. */

static ngx_int_t
ngx_http_sandbox_attr_ok(ngx_str_t *value)
{
    ngx_uint_t  i;

    if (value->len == 0 || value->len > SBX_PROTO_MAX_VALUE) {
        return 0;
    }

    for (i = 0; i < value->len; i++) {
        if (value->data[i] < 0x21 || value->data[i] > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/*
 * The runner's answer to "check" (first contact, sbx_api_check() in the
 * runner): what nginx -t could not know, said once per worker and
 * location in the error log.  Whatever the reply, this worker asks no
 * more (a runner that does not answer is an older one); nothing here
 * changes how the request goes on.
 */

void
ngx_http_sandbox_check_reply(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_proto_header_t *hdr)
{
    u_char                       *p, *end, *comma;
    ngx_int_t                     max_batch;
    ngx_str_t                     name, *peer, none = ngx_string("?");
    const sbx_proto_str_t        *v;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    slcf->checked = 1;

    peer = r->upstream->peer.name ? r->upstream->peer.name : &none;

    v = sbx_proto_attr(hdr, "unknown");

    if (v != NULL) {
        p = (u_char *) v->data;
        end = p + v->len;

        for ( /* void */ ; p < end; p = comma + 1) {
            comma = ngx_strlchr(p, end, ',');

            if (comma == NULL) {
                comma = end;
            }

            name.data = p;
            name.len = comma - p;

            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "sandbox_languages of location \"%V\" lists "
                          "\"%V\", which the runner at %V does not know "
                          "(see GET %Vlanguages): submissions in it are "
                          "refused with 422", &slcf->where->name, &name,
                          peer, &ctx->prefix);
        }
    }

    v = sbx_proto_attr(hdr, "max-batch");

    if (v == NULL) {
        return;
    }

    max_batch = ngx_atoi((u_char *) v->data, v->len);

    if (max_batch != NGX_ERROR && slcf->max_batch > (ngx_uint_t) max_batch) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "sandbox_max_batch %ui of location \"%V\" is above "
                      "the --max-batch %i of the runner at %V: batches of "
                      "more than %i are refused with 422", slcf->max_batch,
                      &slcf->where->name, max_batch, peer, max_batch);
    }
}


/*
 * A dialect's request body as a native one, in place: the native path
 * (schema, policy, budgets, frame) then takes it as if the client had
 * sent it.  A refusal is the dialect's: its messages, its field names.
 */

ngx_int_t
ngx_http_sandbox_translate(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err)
{
    json_t     *in, *out;
    ngx_int_t   rc;

    in = sbx_schema_parse((const char *) body->data, body->len, err);

    if (in == NULL) {
        return NGX_DECLINED;
    }

    if (ctx->dialect.api == SBX_API_PISTON) {
        out = sbx_piston_submission(in, err);

    } else if (ctx->endpoint == NGX_HTTP_SANDBOX_BATCH) {
        out = sbx_judge0_batch(in, ctx->dialect.base64, err);

    } else {
        out = sbx_judge0_submission(in, ctx->dialect.base64, err);
    }

    json_decref(in);

    if (out == NULL) {
        return (err->status >= 500) ? NGX_ERROR : NGX_DECLINED;
    }

    rc = ngx_http_sandbox_dump(r, out, body);

    json_decref(out);

    return rc;
}
