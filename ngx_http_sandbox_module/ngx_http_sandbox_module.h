
/*
 * ngx_http_sandbox_module: declarations shared by its five files.
 *
 *   ngx_http_sandbox_module.c   directives, configuration and variables
 *   ngx_http_sandbox_handler.c  the request's path through nginx: the
 *                               content handler, the body read, and the
 *                               upstream callbacks that talk SBX/1 to
 *                               the runner
 *   ngx_http_sandbox_route.c    before the body: the endpoint under the
 *                               location, method, query, Content-Type
 *   ngx_http_sandbox_request.c  the body: JSON validation, location
 *                               policy, and the request frame
 *   ngx_http_sandbox_error.c    JSON errors: HTTP status to error code,
 *                               error bodies (in the location's API
 *                               dialect), and the filters that turn
 *                               nginx's own error pages into JSON (a
 *                               module of their own, of the filter
 *                               type: ngx_http_sandbox_filter_module)
 *
 * The frame format and the submission shape come from common/ (plain
 * C shared with sandbox-runner), so both ends agree by construction.
 */


#ifndef _NGX_HTTP_SANDBOX_MODULE_H_INCLUDED_
#define _NGX_HTTP_SANDBOX_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>

#include "sbx_auth.h"
#include "sbx_dialect.h"
#include "sbx_id.h"
#include "sbx_proto.h"
#include "sbx_schema.h"


/* endpoints, from the path under the location (docs/api.md) */

#define NGX_HTTP_SANDBOX_SUBMIT      1
#define NGX_HTTP_SANDBOX_BATCH       2
#define NGX_HTTP_SANDBOX_GET         3
#define NGX_HTTP_SANDBOX_LANGUAGES   4
#define NGX_HTTP_SANDBOX_HEALTH      5
#define NGX_HTTP_SANDBOX_METRICS     6
#define NGX_HTTP_SANDBOX_CANCEL      7
#define NGX_HTTP_SANDBOX_EVENTS      8
#define NGX_HTTP_SANDBOX_GET_BATCH   9   /* dialects: several ids */
#define NGX_HTTP_SANDBOX_STATUSES    10  /* dialects: a static answer */

#define NGX_HTTP_SANDBOX_MAX_ID      64


/*
 * The edge's defaults: most tests in one submission, and a job's budget
 * of wall time (tests x wall_time_ms) and output (tests x output_kb x 2
 * streams); sandbox_max_tests and sandbox_job_budget change them.
 */

#define NGX_HTTP_SANDBOX_MAX_TESTS        64
#define NGX_HTTP_SANDBOX_JOB_WALL_MS      300000
#define NGX_HTTP_SANDBOX_JOB_OUTPUT_KB    32768


/*
 * The most body a sandbox location buffers (sandbox_max_body_size),
 * whatever client_max_body_size allows: the body and its parsed JSON
 * live in the request's pool until the frame is built.
 */

#define NGX_HTTP_SANDBOX_MAX_BODY         (4 * 1024 * 1024)


/*
 * The status of a policy refusal (docs/api.md); nginx 1.22 has no name
 * for it and no reason phrase either, see ngx_http_sandbox_status_line()
 */

#define NGX_HTTP_SANDBOX_UNPROCESSABLE  422


/*
 * sandbox_wait: whether a submission waits for its result by default,
 * and whether the client may ask otherwise with ?wait=
 */

#define NGX_HTTP_SANDBOX_WAIT_OFF     0    /* 202 unless ?wait=true */
#define NGX_HTTP_SANDBOX_WAIT_ON      1    /* result unless ?wait=false */
#define NGX_HTTP_SANDBOX_WAIT_ASYNC   2    /* 202 whatever ?wait= says */
#define NGX_HTTP_SANDBOX_WAIT_REFUSE  3    /* 202; ?wait=true is 422 */


typedef struct {
    const char                  *key;       /* from sbx_limit_names */
    ngx_int_t                    max;
    ngx_str_t                    attr;      /* "max-<key>", to the runner */
    ngx_str_t                    value;     /* max, in decimal */
} ngx_http_sandbox_limit_t;


typedef struct {
    ngx_http_upstream_conf_t     upstream;

    ngx_array_t                 *languages;  /* of ngx_str_t, NULL: all */
    ngx_array_t                 *limits;     /* of ngx_http_sandbox_limit_t */
    ngx_uint_t                   max_tests;  /* 0: no location maximum */
    ngx_uint_t                   max_batch;
    ngx_int_t                    job_wall_ms;    /* 0: no budget */
    ngx_int_t                    job_output_kb;  /* 0: no budget */
    ngx_uint_t                   wait;       /* NGX_HTTP_SANDBOX_WAIT_* */
    off_t                        max_body_size;
    ngx_flag_t                   cancel_on_disconnect;
    ngx_uint_t                   api;        /* sandbox_api, sbx_api_e */

    /* sandbox_auth_key_file: the key's token, sent as auth= */
    ngx_str_t                    auth;

#if (NGX_HTTP_SSL)
    ngx_uint_t                   ssl;         /* sandbox_pass sandboxs:// */
    ngx_uint_t                   ssl_protocols;
    ngx_str_t                    ssl_ciphers;
    ngx_uint_t                   ssl_verify_depth;
    ngx_str_t                    ssl_trusted_certificate;
    ngx_str_t                    ssl_crl;
#endif

    /* the location the URI was matched by, for the path under it */
    ngx_http_core_loc_conf_t    *where;

    /*
     * First contact (ngx_http_sandbox_check_reply()): "check=" sent to
     * the runner until a reply comes back, once per worker; the flag is
     * this worker's own copy, set at run time.
     */
    ngx_str_t                    check;      /* languages, or "*" */
    ngx_uint_t                   checked;
} ngx_http_sandbox_loc_conf_t;


/* an endpoint: where it is, which method it takes, which frame it sends */

typedef struct {
    ngx_str_t                    path;        /* under the location */
    ngx_uint_t                   endpoint;
    ngx_uint_t                   method;
    ngx_str_t                    allow;
    const char                  *verb;
} ngx_http_sandbox_route_t;


typedef struct {
    ngx_http_request_t          *request;
    ngx_uint_t                   endpoint;
    ngx_uint_t                   wait;
    ngx_str_t                    id;          /* GET …/submissions/{id} */
    sbx_dialect_t                dialect;     /* how to answer */
    ngx_chain_t                 *frame;       /* what goes to the runner */

    /*
     * The job's id, minted here before the frame is sent or named by the
     * URI; a batch's: the ids of the items sent, comma-separated.  It is
     * $sandbox_id until the runner names one, and what 502 and 504 name.
     */
    ngx_str_t                    job_id;
    ngx_str_t                    route;       /* $sandbox_route */
    ngx_str_t                    prefix;      /* the URI before the path */
    ngx_table_elt_t             *id_header;   /* X-Sandbox-Id */
    ngx_table_elt_t             *location;

    /* $sandbox_language: a known id, never the client's own string */
    ngx_str_t                    language;
    ngx_str_t                    reply_id;    /* $sandbox_id */
    ngx_str_t                    reply_status; /* $sandbox_status */
    ngx_str_t                    runner;      /* $sandbox_runner */
    ngx_table_elt_t             *runner_header; /* X-Sandbox-Runner */
    ngx_table_elt_t             *retry_after;

    ngx_str_t                    error;       /* replaces an nginx page */
    off_t                        body_size;   /* read so far */

    /* EVENTS: the frame being turned into a Server-Sent Event */
    size_t                       event_rest;  /* of its body */
    size_t                       event_head_len;
    u_char                       event_head[SBX_PROTO_MAX_HEADER];

    unsigned                     replied:1;
    unsigned                     invalid_reply:1;
    unsigned                     error_sent:1;
    unsigned                     body_too_large:1;
    unsigned                     checking:1;  /* the frame asks "check" */
    unsigned                     events:1;    /* streaming events */
    unsigned                     event_body:1;
    unsigned                     event_last:1;
} ngx_http_sandbox_ctx_t;


extern ngx_module_t  ngx_http_sandbox_module;


/* ngx_http_sandbox_handler.c */

ngx_int_t ngx_http_sandbox_handler(ngx_http_request_t *r);
ngx_http_sandbox_ctx_t *ngx_http_sandbox_create_ctx(ngx_http_request_t *r);
ngx_int_t ngx_http_sandbox_job_headers(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *id, ngx_uint_t location);

/* ngx_http_sandbox_route.c */

ngx_http_sandbox_route_t *ngx_http_sandbox_route(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx);
ngx_int_t ngx_http_sandbox_query(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err);
ngx_int_t ngx_http_sandbox_is_json(ngx_http_request_t *r);
ngx_int_t ngx_http_sandbox_dialect_query(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_error_t *err);
ngx_int_t ngx_http_sandbox_tokens(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err);

/* ngx_http_sandbox_request.c */

ngx_int_t ngx_http_sandbox_submit_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err);
ngx_int_t ngx_http_sandbox_batch_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err);
ngx_int_t ngx_http_sandbox_frame(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, const char *verb, sbx_proto_attr_t *attrs,
    ngx_uint_t nattrs, ngx_str_t *body);
ngx_int_t ngx_http_sandbox_dump(ngx_http_request_t *r, json_t *json,
    ngx_str_t *out);
ngx_int_t ngx_http_sandbox_translate(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, ngx_str_t *body, sbx_error_t *err);
void ngx_http_sandbox_check_reply(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, sbx_proto_header_t *hdr);
ngx_int_t ngx_http_sandbox_mint(ngx_http_request_t *r,
    ngx_http_sandbox_ctx_t *ctx, u_char *id);

/* ngx_http_sandbox_error.c */

json_t *ngx_http_sandbox_error_object(sbx_error_t *err);
ngx_int_t ngx_http_sandbox_send_error(ngx_http_request_t *r,
    sbx_error_t *err, ngx_str_t *allow);
void ngx_http_sandbox_status_line(ngx_uint_t status, ngx_str_t *line);
ngx_int_t ngx_http_sandbox_send_json(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);


#endif /* _NGX_HTTP_SANDBOX_MODULE_H_INCLUDED_ */
