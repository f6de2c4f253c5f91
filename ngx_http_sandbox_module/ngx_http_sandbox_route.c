
/*
 * ngx_http_sandbox_module: where a request goes, decided before its body
 * is read.  The path under the location is matched, whole, against the
 * endpoints of the API (anything else is a 404), and the method, the
 * "wait" argument and the Content-Type are checked, so that a request
 * refused here never has its body read.  A location that speaks another
 * API (sandbox_api, docs/compat.md) has that API's paths, each routed to
 * the native verb that serves it, and that API's query arguments.
 */


#include "ngx_http_sandbox_module.h"
#include "sbx_dialect_judge0.h"


static ngx_int_t ngx_http_sandbox_path(ngx_http_request_t *r,
    ngx_str_t *path);
static ngx_int_t ngx_http_sandbox_text_plain(ngx_http_request_t *r,
    u_char *type, size_t len);


/*
 * What is read is answered to HEAD too (RFC 9110, 9.3.2): the runner is
 * asked as for GET, and nginx sends the reply's header alone, Content-
 * Length included.
 */

static ngx_http_sandbox_route_t  ngx_http_sandbox_routes[] = {

    { ngx_string("submissions"), NGX_HTTP_SANDBOX_SUBMIT,
      NGX_HTTP_POST, ngx_string("POST"), "SUBMIT" },

    { ngx_string("submissions/batch"), NGX_HTTP_SANDBOX_BATCH,
      NGX_HTTP_POST, ngx_string("POST"), "BATCH" },

    { ngx_string("languages"), NGX_HTTP_SANDBOX_LANGUAGES,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "LANGUAGES" },

    { ngx_string("health"), NGX_HTTP_SANDBOX_HEALTH,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "HEALTH" },

    { ngx_string("metrics"), NGX_HTTP_SANDBOX_METRICS,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "METRICS" },

    /* "submissions/" and an id: GET, or DELETE (the route below) */

    { ngx_null_string, NGX_HTTP_SANDBOX_GET,
      NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, DELETE"), "GET" }
};


static ngx_http_sandbox_route_t  ngx_http_sandbox_cancel_route =

    { ngx_null_string, NGX_HTTP_SANDBOX_CANCEL,
      NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, DELETE"), "CANCEL" };

/* "submissions/{id}/events": the job's live events */

static ngx_http_sandbox_route_t  ngx_http_sandbox_events_route =
    { ngx_string("events"), NGX_HTTP_SANDBOX_EVENTS,
      NGX_HTTP_GET, ngx_string("GET"), "EVENTS" };


/* Piston v2: execute always waits for the result */

static ngx_http_sandbox_route_t  ngx_http_sandbox_piston_routes[] = {

    { ngx_string("api/v2/execute"), NGX_HTTP_SANDBOX_SUBMIT,
      NGX_HTTP_POST, ngx_string("POST"), "SUBMIT" },

    { ngx_string("api/v2/runtimes"), NGX_HTTP_SANDBOX_LANGUAGES,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "LANGUAGES" },

    /* no ids */

    { ngx_null_string, 0, 0, ngx_null_string, NULL }
};


/* Judge0 CE: one path with two methods, and an answer of its own */

static ngx_http_sandbox_route_t  ngx_http_sandbox_judge0_routes[] = {

    { ngx_string("submissions"), NGX_HTTP_SANDBOX_SUBMIT,
      NGX_HTTP_POST, ngx_string("POST"), "SUBMIT" },

    { ngx_string("submissions/batch"), NGX_HTTP_SANDBOX_BATCH,
      NGX_HTTP_POST, ngx_string("GET, POST"), "BATCH" },

    { ngx_string("submissions/batch"), NGX_HTTP_SANDBOX_GET_BATCH,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, POST"), "GET_BATCH" },

    { ngx_string("languages"), NGX_HTTP_SANDBOX_LANGUAGES,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "LANGUAGES" },

    { ngx_string("statuses"), NGX_HTTP_SANDBOX_STATUSES,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), NULL },

    { ngx_null_string, NGX_HTTP_SANDBOX_GET,
      NGX_HTTP_GET|NGX_HTTP_HEAD, ngx_string("GET, HEAD"), "GET" }
};


static ngx_http_sandbox_route_t  *ngx_http_sandbox_api_routes[] = {
    ngx_http_sandbox_routes,
    ngx_http_sandbox_piston_routes,
    ngx_http_sandbox_judge0_routes
};


/*
 * The endpoint is the whole path under the location, so the API can live
 * under any prefix the operator maps and nothing else is served: not
 * ".../x/metrics", not "metrics" below another segment, which an exact
 * "location = .../metrics" guard would not see.  "batch" is never taken
 * for an id, and an id is only what common/sbx_id.h says one is.
 */

ngx_http_sandbox_route_t *
ngx_http_sandbox_route(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx)
{
    u_char                       *p, *end;
    ngx_str_t                     path;
    ngx_http_sandbox_route_t     *route, *found;
    ngx_http_sandbox_loc_conf_t  *slcf;

    if (ngx_http_sandbox_path(r, &path) != NGX_OK) {
        return NULL;
    }

    /*
     * what a message names an endpoint under, and Location headers put
     * before "submissions/{id}": "/api/" for "/api/x"
     */

    ctx->prefix.data = r->uri.data;
    ctx->prefix.len = path.data - r->uri.data;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    ctx->dialect.api = slcf->api;

    /* a path may have a route per method; the first stands for a 405 */

    found = NULL;

    for (route = ngx_http_sandbox_api_routes[slcf->api];
         route->path.len;
         route++)
    {
        if (path.len == route->path.len
            && ngx_strncmp(path.data, route->path.data, path.len) == 0)
        {
            if (r->method & route->method) {
                return route;
            }

            if (found == NULL) {
                found = route;
            }
        }
    }

    if (found) {
        return found;
    }

    if (route->endpoint == 0
        || path.len <= sizeof("submissions/") - 1
        || ngx_strncmp(path.data, "submissions/", sizeof("submissions/") - 1)
           != 0)
    {
        return NULL;
    }

    /* an id: only the shape the runner hands out reaches it */

    p = path.data + sizeof("submissions/") - 1;
    end = path.data + path.len;

    if (end - p > (ssize_t) sizeof("/events") - 1
        && ngx_strncmp(end - (sizeof("/events") - 1), "/events",
                       sizeof("/events") - 1) == 0)
    {
        route = &ngx_http_sandbox_events_route;
        end -= sizeof("/events") - 1;
    }

    if (!sbx_id_valid((const char *) p, end - p)) {
        return NULL;
    }

    ctx->id.data = p;
    ctx->id.len = end - p;

    /* $sandbox_route: a GET reaches the runner the POST went to */

    ctx->route.data = p;
    ctx->route.len = SBX_ID_ROUTE_LEN;

    if (route == &ngx_http_sandbox_events_route) {
        return route;
    }

    /* DELETE is the native API's; a dialect's id route refuses it */

    return (r->method == NGX_HTTP_DELETE && slcf->api == SBX_API_NATIVE)
           ? &ngx_http_sandbox_cancel_route : route;
}


/*
 * The path under the location (README, "Endpoints"):
 *
 *   prefix   what follows the prefix: "/api/" and "/api" both give
 *            "submissions" for "/api/submissions"; "/apisubmissions"
 *            gives nothing (the rest must start a segment)
 *   regex    what follows the part of the URI the regex matched, with
 *            the same rule, so "~ ^/(free|paid)/" works as a prefix
 *   named    the whole URI without its leading slash: a named location
 *            has no prefix
 *   exact    the URI is the operator's own: its last segment, or its
 *            last two after "submissions/", so that
 *            "location = /api/metrics" serves exactly that endpoint
 */

static ngx_int_t
ngx_http_sandbox_path(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char                       *p, *start, *end, *seg;
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_sandbox_loc_conf_t  *slcf;
#if (NGX_PCRE)
    int                           captures[3];
#endif

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);
    clcf = slcf->where;

    start = r->uri.data;
    end = r->uri.data + r->uri.len;

    p = start;

    if (clcf == NULL || clcf->named) {
        /* void */

    } else if (clcf->exact_match) {

        p = end;

        while (p > start && p[-1] != '/') {
            p--;
        }

        seg = p;

        if (p > start) {
            seg--;

            while (seg > start && seg[-1] != '/') {
                seg--;
            }

            if ((size_t) (p - seg) == sizeof("submissions/") - 1
                && ngx_strncmp(seg, "submissions/",
                               sizeof("submissions/") - 1)
                   == 0)
            {
                p = seg;
            }
        }

        path->data = p;
        path->len = end - p;

        return NGX_OK;

#if (NGX_PCRE)
    } else if (clcf->regex) {

        if (ngx_regex_exec(clcf->regex->regex, &r->uri, captures, 3) < 0) {
            return NGX_DECLINED;
        }

        p = start + captures[1];
#endif

    } else {

        /* a rewrite inside the location may have left its prefix */

        if (r->uri.len < clcf->name.len
            || ngx_strncmp(start, clcf->name.data, clcf->name.len) != 0)
        {
            return NGX_DECLINED;
        }

        p = start + clcf->name.len;
    }

    if (p == start || p[-1] != '/') {

        if (p == end || *p != '/') {
            return NGX_DECLINED;
        }

        p++;
    }

    path->data = p;
    path->len = end - p;

    return NGX_OK;
}


ngx_int_t
ngx_http_sandbox_query(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    sbx_error_t *err)
{
    ngx_str_t                     value;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    if (slcf->api != SBX_API_NATIVE) {
        return ngx_http_sandbox_dialect_query(r, ctx, err);
    }

    ctx->wait = (slcf->wait == NGX_HTTP_SANDBOX_WAIT_ON);

    if (ngx_http_arg(r, (u_char *) "wait", 4, &value) != NGX_OK) {
        return NGX_OK;
    }

    if ((value.len == 4 && ngx_strncmp(value.data, "true", 4) == 0)
        || (value.len == 1 && value.data[0] == '1'))
    {
        /*
         * A location that never waits (sandbox_wait async or refuse)
         * holds no connection and no worker for a client that asks to:
         * the submission is queued all the same, or refused.
         */

        if (slcf->wait == NGX_HTTP_SANDBOX_WAIT_REFUSE) {
            sbx_error_set(err, NGX_HTTP_SANDBOX_UNPROCESSABLE,
                          "wait_not_allowed", "wait",
                          "this location does not wait for results: "
                          "submit without wait=true and poll "
                          "GET %.*ssubmissions/{id}",
                          (int) ngx_min(ctx->prefix.len, 64),
                          ctx->prefix.data);
            return NGX_DECLINED;
        }

        ctx->wait = (slcf->wait != NGX_HTTP_SANDBOX_WAIT_ASYNC);

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
                      "id with GET %.*ssubmissions/{id}",
                      (int) ngx_min(ctx->prefix.len, 64), ctx->prefix.data);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * A dialect's query arguments, as the dialect reads them: Piston's
 * execute always waits and has none; Judge0 waits only for wait=true
 * (never in a batch), encodes with base64_encoded=true, and cuts its
 * answer to fields=a,b (400 for a field it does not have).  Anything
 * else is "false", as in Judge0.
 */

ngx_int_t
ngx_http_sandbox_dialect_query(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err)
{
    u_char                       *p, *q, *start, bad[128];
    ngx_str_t                     value;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    ctx->wait = 0;

    if (ctx->dialect.api == SBX_API_PISTON) {
        ctx->wait = 1;

    } else if (ngx_http_arg(r, (u_char *) "wait", 4, &value) == NGX_OK
               && value.len == 4 && ngx_strncmp(value.data, "true", 4) == 0
               && ctx->endpoint == NGX_HTTP_SANDBOX_SUBMIT)
    {
        ctx->wait = 1;
    }

    /*
     * sandbox_wait async or refuse holds no connection for a result:
     * Judge0's wait=true is queued all the same (async) or refused as
     * Judge0 refuses it when waiting is disabled; Piston, which always
     * waits, is refused in both.
     */

    if (ctx->wait && (slcf->wait == NGX_HTTP_SANDBOX_WAIT_REFUSE
                      || (slcf->wait == NGX_HTTP_SANDBOX_WAIT_ASYNC
                          && ctx->dialect.api == SBX_API_PISTON)))
    {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "wait_not_allowed", "",
                      "wait not allowed");
        return NGX_DECLINED;
    }

    if (slcf->wait == NGX_HTTP_SANDBOX_WAIT_ASYNC) {
        ctx->wait = 0;
    }

    if (ctx->dialect.api == SBX_API_PISTON) {
        return NGX_OK;
    }

    if (ngx_http_arg(r, (u_char *) "base64_encoded", 14, &value) == NGX_OK
        && value.len == 4 && ngx_strncmp(value.data, "true", 4) == 0)
    {
        ctx->dialect.base64 = 1;
    }

    if (ngx_http_arg(r, (u_char *) "fields", 6, &value) != NGX_OK
        || value.len == 0)
    {
        return NGX_OK;
    }

    /* "stdout%2Cstderr" is what URL builders send */

    p = ngx_pnalloc(r->pool, value.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    q = p;
    start = value.data;
    ngx_unescape_uri(&q, &start, value.len, NGX_UNESCAPE_URI);

    value.data = p;
    value.len = q - p;

    ctx->dialect.fields = sbx_judge0_fields((const char *) value.data,
                                            value.len, (char *) bad,
                                            sizeof(bad));

    if (ctx->dialect.fields == 0) {
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_query", "",
                      "invalid fields: [%s]", bad);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * GET …/submissions/batch?tokens=a,b: the ids, as the body of the
 * GET_BATCH frame, {"ids": [...]}; at most sandbox_max_batch of them.
 * An id the runner never gave is a null in the answer, as in Judge0.
 */

ngx_int_t
ngx_http_sandbox_tokens(ngx_http_request_t *r, ngx_http_sandbox_ctx_t *ctx,
    ngx_str_t *body, sbx_error_t *err)
{
    u_char                       *p, *q, *end, *start;
    json_t                       *ids, *root;
    ngx_int_t                     rc;
    ngx_str_t                     value;
    ngx_uint_t                    n;
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    ngx_str_set(&value, "");

    if (ngx_http_arg(r, (u_char *) "tokens", 6, &value) == NGX_OK
        && value.len)
    {
        p = ngx_pnalloc(r->pool, value.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        q = p;
        start = value.data;
        ngx_unescape_uri(&q, &start, value.len, NGX_UNESCAPE_URI);
        value.data = p;
        value.len = q - p;
    }

    ids = json_array();
    if (ids == NULL) {
        return NGX_ERROR;
    }

    n = 0;
    p = value.data;
    end = value.data + value.len;

    while (p < end) {
        start = p;

        while (p < end && *p != ',') {
            p++;
        }

        q = p++;

        /* Judge0 strips the list, not each token; spaces are refused */

        if (q == start) {
            continue;
        }

        if (++n > slcf->max_batch) {
            json_decref(ids);
            sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "batch_too_large", "",
                          "number of submissions in a batch should be "
                          "less than or equal to %lu",
                          (unsigned long) slcf->max_batch);
            return NGX_DECLINED;
        }

        /* $sandbox_route: the lookup goes where the first id went */

        if (n == 1 && sbx_id_valid((const char *) start, q - start)) {
            ctx->route.data = start;
            ctx->route.len = SBX_ID_ROUTE_LEN;
        }

        if (json_array_append_new(ids, json_stringn((char *) start,
                                                    q - start))
            != 0)
        {
            json_decref(ids);
            sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_query",
                          "", "tokens must be a list of tokens");
            return NGX_DECLINED;
        }
    }

    if (n == 0) {
        json_decref(ids);
        sbx_error_set(err, NGX_HTTP_BAD_REQUEST, "invalid_query", "",
                      "there should be at least one submission in a batch");
        return NGX_DECLINED;
    }

    root = json_pack("{s:o}", "ids", ids);
    if (root == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_sandbox_dump(r, root, body);

    json_decref(root);

    return rc;
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

    /* piston-client posts its JSON with node-fetch's default type */

    if (ngx_http_sandbox_text_plain(r, p, len)) {
        return NGX_OK;
    }

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


static ngx_int_t
ngx_http_sandbox_text_plain(ngx_http_request_t *r, u_char *type, size_t len)
{
    ngx_http_sandbox_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_sandbox_module);

    return slcf->api == SBX_API_PISTON
           && len == sizeof("text/plain") - 1
           && ngx_strncasecmp(type, (u_char *) "text/plain", len) == 0;
}
