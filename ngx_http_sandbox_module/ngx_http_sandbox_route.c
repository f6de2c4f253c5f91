
/*
 * ngx_http_sandbox_module: where a request goes, decided before its body
 * is read.  The path under the location is matched, whole, against the
 * endpoints of the API (anything else is a 404), and the method, the
 * "wait" argument and the Content-Type are checked, so that a request
 * refused here never has its body read.
 */


#include "ngx_http_sandbox_module.h"


static ngx_int_t ngx_http_sandbox_path(ngx_http_request_t *r,
    ngx_str_t *path);


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
    u_char                    *p, *end;
    ngx_str_t                  path;
    ngx_http_sandbox_route_t  *route;

    if (ngx_http_sandbox_path(r, &path) != NGX_OK) {
        return NULL;
    }

    /*
     * what a message names an endpoint under, and Location headers put
     * before "submissions/{id}": "/api/" for "/api/x"
     */

    ctx->prefix.data = r->uri.data;
    ctx->prefix.len = path.data - r->uri.data;

    for (route = ngx_http_sandbox_routes; route->path.len; route++) {

        if (path.len == route->path.len
            && ngx_strncmp(path.data, route->path.data, path.len) == 0)
        {
            return route;
        }
    }

    if (path.len <= sizeof("submissions/") - 1
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

    return (r->method == NGX_HTTP_DELETE) ? &ngx_http_sandbox_cancel_route
                                          : route;
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
