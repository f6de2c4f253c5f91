
/*
 * ngx_http_sandbox_module: directives, configuration and variables.
 *
 * The module's definition lives here: its directives and their setters,
 * the location configuration (the upstream's fixed settings among it),
 * and the $sandbox_* variables, read from the request's context.
 *
 * The transport to the runners: "sandbox_pass sandboxs://…" speaks TLS,
 * set up as grpc_pass grpcs:// and the grpc_ssl_* directives are
 * (ngx_http_sandbox_set_ssl(), with a client certificate for the
 * runner's check); sandbox_auth_key_file is read here, by the master at
 * configuration time, so workers never need the file, and kept only as
 * its token (common/sbx_auth.c).  The
 * request itself is handled in ngx_http_sandbox_handler.c; the error
 * filters, a module of their own, are in ngx_http_sandbox_error.c.
 */


#include "ngx_http_sandbox_module.h"


/* one argument of a list directive, added to the location's array */

typedef char *(*ngx_http_sandbox_item_pt)(ngx_conf_t *cf, ngx_array_t *list,
    ngx_str_t *value);


static ngx_int_t ngx_http_sandbox_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_sandbox_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static void *ngx_http_sandbox_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_sandbox_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);

static char *ngx_http_sandbox_merge_check(ngx_conf_t *cf,
    ngx_http_sandbox_loc_conf_t *conf);

static char *ngx_http_sandbox_pass(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sandbox_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sandbox_languages(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sandbox_limits(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sandbox_job_budget(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sandbox_list(ngx_conf_t *cf, ngx_array_t **list,
    char *lift, size_t size, ngx_http_sandbox_item_pt item);
static char *ngx_http_sandbox_language(ngx_conf_t *cf, ngx_array_t *list,
    ngx_str_t *value);
static char *ngx_http_sandbox_limit(ngx_conf_t *cf, ngx_array_t *list,
    ngx_str_t *value);
static char *ngx_http_sandbox_buffer_size(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_sandbox_max_body_size(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_sandbox_bounds(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_sandbox_next_upstream(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_sandbox_auth_key_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
#if (NGX_HTTP_SSL)
static ngx_int_t ngx_http_sandbox_set_ssl(ngx_conf_t *cf,
    ngx_http_sandbox_loc_conf_t *slcf);
#endif


static ngx_conf_bitmask_t  ngx_http_sandbox_next_upstream_masks[] = {
    { ngx_string("error"), NGX_HTTP_UPSTREAM_FT_ERROR },
    { ngx_string("timeout"), NGX_HTTP_UPSTREAM_FT_TIMEOUT },
    { ngx_string("invalid_response"), NGX_HTTP_UPSTREAM_FT_INVALID_HEADER },
    { ngx_string("not_found"), NGX_HTTP_UPSTREAM_FT_HTTP_404 },
    { ngx_string("off"), NGX_HTTP_UPSTREAM_FT_OFF },

    /* a runner shutting down, or with a full queue: never for a POST sent */
    { ngx_string("http_503"), NGX_HTTP_UPSTREAM_FT_HTTP_503 },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_sandbox_wait_modes[] = {
    { ngx_string("off"), NGX_HTTP_SANDBOX_WAIT_OFF },
    { ngx_string("on"), NGX_HTTP_SANDBOX_WAIT_ON },
    { ngx_string("async"), NGX_HTTP_SANDBOX_WAIT_ASYNC },
    { ngx_string("refuse"), NGX_HTTP_SANDBOX_WAIT_REFUSE },
    { ngx_null_string, 0 }
};

#if (NGX_HTTP_SSL)

/* the runner speaks TLS 1.2 and later only */

static ngx_conf_bitmask_t  ngx_http_sandbox_ssl_protocols[] = {
    { ngx_string("TLSv1.2"), NGX_SSL_TLSv1_2 },
    { ngx_string("TLSv1.3"), NGX_SSL_TLSv1_3 },
    { ngx_null_string, 0 }
};

#endif


/* the runner's header line must fit the reply buffer */

static ngx_conf_post_handler_pt  ngx_http_sandbox_buffer_size_p =
    ngx_http_sandbox_buffer_size;


/* the API a location speaks (docs/compat.md), in sbx_api_e order */

static ngx_conf_enum_t  ngx_http_sandbox_apis[] = {
    { ngx_string("native"), SBX_API_NATIVE },
    { ngx_string("piston"), SBX_API_PISTON },
    { ngx_string("judge0"), SBX_API_JUDGE0 },
    { ngx_null_string, 0 }
};


/*
 * Numbers with bounds; ngx_conf_check_num_bounds() would not name the
 * directive in its error.
 */

typedef struct {
    ngx_conf_post_handler_pt     post_handler;
    ngx_int_t                    low;
    ngx_int_t                    high;
} ngx_http_sandbox_bounds_t;


static ngx_http_sandbox_bounds_t  ngx_http_sandbox_max_batch_bounds = {
    ngx_http_sandbox_bounds, 1, 1000
};

static ngx_http_sandbox_bounds_t  ngx_http_sandbox_max_tests_bounds = {
    ngx_http_sandbox_bounds, 0, SBX_SCHEMA_MAX_TESTS
};


/* a cap of 0 would refuse every body: off is client_max_body_size 0's */

static ngx_conf_post_handler_pt  ngx_http_sandbox_max_body_size_p =
    ngx_http_sandbox_max_body_size;


static ngx_command_t  ngx_http_sandbox_commands[] = {

    { ngx_string("sandbox_pass"),
      NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE1,
      ngx_http_sandbox_pass,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sandbox_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.connect_timeout),
      NULL },

    { ngx_string("sandbox_send_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.send_timeout),
      NULL },

    { ngx_string("sandbox_read_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.read_timeout),
      NULL },

    { ngx_string("sandbox_buffer_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.buffer_size),
      &ngx_http_sandbox_buffer_size_p },

    { ngx_string("sandbox_next_upstream"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_sandbox_next_upstream,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.next_upstream),
      &ngx_http_sandbox_next_upstream_masks },

    { ngx_string("sandbox_next_upstream_tries"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.next_upstream_tries),
      NULL },

    { ngx_string("sandbox_next_upstream_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.next_upstream_timeout),
      NULL },

    { ngx_string("sandbox_wait"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sandbox_wait,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sandbox_languages"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_sandbox_languages,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sandbox_limits"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_sandbox_limits,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sandbox_max_tests"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, max_tests),
      &ngx_http_sandbox_max_tests_bounds },

    { ngx_string("sandbox_max_batch"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, max_batch),
      &ngx_http_sandbox_max_batch_bounds },

    { ngx_string("sandbox_job_budget"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_sandbox_job_budget,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sandbox_max_body_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, max_body_size),
      &ngx_http_sandbox_max_body_size_p },

    { ngx_string("sandbox_cancel_on_disconnect"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, cancel_on_disconnect),
      NULL },

    { ngx_string("sandbox_api"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, api),
      &ngx_http_sandbox_apis },

    { ngx_string("sandbox_auth_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sandbox_auth_key_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

#if (NGX_HTTP_SSL)

    { ngx_string("sandbox_ssl_session_reuse"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_session_reuse),
      NULL },

    { ngx_string("sandbox_ssl_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, ssl_protocols),
      &ngx_http_sandbox_ssl_protocols },

    { ngx_string("sandbox_ssl_ciphers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, ssl_ciphers),
      NULL },

    { ngx_string("sandbox_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_name),
      NULL },

    { ngx_string("sandbox_ssl_server_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_server_name),
      NULL },

    { ngx_string("sandbox_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_verify),
      NULL },

    { ngx_string("sandbox_ssl_verify_depth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, ssl_verify_depth),
      NULL },

    { ngx_string("sandbox_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, ssl_trusted_certificate),
      NULL },

    { ngx_string("sandbox_ssl_crl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, ssl_crl),
      NULL },

    { ngx_string("sandbox_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_zero_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_certificate),
      NULL },

    { ngx_string("sandbox_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_zero_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sandbox_loc_conf_t, upstream.ssl_certificate_key),
      NULL },

#endif

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sandbox_module_ctx = {
    ngx_http_sandbox_add_variables,        /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_sandbox_create_loc_conf,      /* create location configuration */
    ngx_http_sandbox_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_sandbox_module = {
    NGX_MODULE_V1,
    &ngx_http_sandbox_module_ctx,          /* module context */
    ngx_http_sandbox_commands,             /* module directives */
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


/*
 * The values change during the request (the reply arrives after the
 * request was read), so none of them may be cached.
 */

static ngx_http_variable_t  ngx_http_sandbox_vars[] = {

    { ngx_string("sandbox_id"), NULL, ngx_http_sandbox_variable,
      offsetof(ngx_http_sandbox_ctx_t, reply_id),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sandbox_status"), NULL, ngx_http_sandbox_variable,
      offsetof(ngx_http_sandbox_ctx_t, reply_status),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("sandbox_language"), NULL, ngx_http_sandbox_variable,
      offsetof(ngx_http_sandbox_ctx_t, language),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    /* set before the upstream picks a server: "hash $sandbox_route" */

    { ngx_string("sandbox_route"), NULL, ngx_http_sandbox_variable,
      offsetof(ngx_http_sandbox_ctx_t, route),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    /* the --runner-id of the runner that answered */

    { ngx_string("sandbox_runner"), NULL, ngx_http_sandbox_variable,
      offsetof(ngx_http_sandbox_ctx_t, runner),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_sandbox_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_sandbox_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sandbox_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t               *s;
    ngx_http_sandbox_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sandbox_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) ctx + data);

    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = s->len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = s->data;

    return NGX_OK;
}


static void *
ngx_http_sandbox_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_sandbox_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sandbox_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->upstream.bufs.num = 0;
     *     conf->upstream.next_upstream = 0;
     *     conf->upstream.temp_path = NULL;
     */

    conf->upstream.local = NGX_CONF_UNSET_PTR;
    conf->upstream.socket_keepalive = NGX_CONF_UNSET;
    conf->upstream.next_upstream_tries = NGX_CONF_UNSET_UINT;
    conf->upstream.connect_timeout = NGX_CONF_UNSET_MSEC;
    conf->upstream.send_timeout = NGX_CONF_UNSET_MSEC;
    conf->upstream.read_timeout = NGX_CONF_UNSET_MSEC;
    conf->upstream.next_upstream_timeout = NGX_CONF_UNSET_MSEC;

    conf->upstream.buffer_size = NGX_CONF_UNSET_SIZE;

    /*
     * the hardcoded values: the reply streams through unbuffered, and
     * the runner's own error replies (404, 422, 503 ...) are relayed
     * as they are, never replaced by error_page
     */

    conf->upstream.cyclic_temp_file = 0;
    conf->upstream.buffering = 0;
    conf->upstream.ignore_client_abort = 0;
    conf->upstream.send_lowat = 0;
    conf->upstream.bufs.num = 0;
    conf->upstream.busy_buffers_size = 0;
    conf->upstream.max_temp_file_size = 0;
    conf->upstream.temp_file_write_size = 0;
    conf->upstream.intercept_errors = 0;
    conf->upstream.intercept_404 = 0;
    conf->upstream.pass_request_headers = 0;
    conf->upstream.pass_request_body = 0;
    conf->upstream.force_ranges = 0;

    conf->languages = NGX_CONF_UNSET_PTR;
    conf->limits = NGX_CONF_UNSET_PTR;
    conf->max_tests = NGX_CONF_UNSET_UINT;
    conf->max_batch = NGX_CONF_UNSET_UINT;
    conf->job_wall_ms = NGX_CONF_UNSET;
    conf->job_output_kb = NGX_CONF_UNSET;
    conf->wait = NGX_CONF_UNSET_UINT;
    conf->max_body_size = NGX_CONF_UNSET;
    conf->cancel_on_disconnect = NGX_CONF_UNSET;
    conf->api = NGX_CONF_UNSET_UINT;

    /*
     * set by ngx_pcalloc():
     *
     *     conf->auth = { 0, NULL };
     *     conf->ssl = 0;
     *     conf->ssl_protocols = 0;
     *     conf->ssl_ciphers = { 0, NULL };
     *     conf->ssl_trusted_certificate = { 0, NULL };
     *     conf->ssl_crl = { 0, NULL };
     */

#if (NGX_HTTP_SSL)
    conf->upstream.ssl_session_reuse = NGX_CONF_UNSET;
    conf->upstream.ssl_name = NGX_CONF_UNSET_PTR;
    conf->upstream.ssl_server_name = NGX_CONF_UNSET;
    conf->upstream.ssl_verify = NGX_CONF_UNSET;
    conf->ssl_verify_depth = NGX_CONF_UNSET_UINT;
    conf->upstream.ssl_certificate = NGX_CONF_UNSET_PTR;
    conf->upstream.ssl_certificate_key = NGX_CONF_UNSET_PTR;
    conf->upstream.ssl_passwords = NGX_CONF_UNSET_PTR;
#endif

    return conf;
}


static char *
ngx_http_sandbox_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_sandbox_loc_conf_t *prev = parent;
    ngx_http_sandbox_loc_conf_t *conf = child;

    ngx_http_core_loc_conf_t  *clcf;

    ngx_conf_merge_ptr_value(conf->upstream.local,
                              prev->upstream.local, NULL);

    ngx_conf_merge_value(conf->upstream.socket_keepalive,
                              prev->upstream.socket_keepalive, 0);

    ngx_conf_merge_uint_value(conf->upstream.next_upstream_tries,
                              prev->upstream.next_upstream_tries, 0);

    ngx_conf_merge_msec_value(conf->upstream.connect_timeout,
                              prev->upstream.connect_timeout, 5000);

    ngx_conf_merge_msec_value(conf->upstream.send_timeout,
                              prev->upstream.send_timeout, 60000);

    /* a wait=true submission is answered only when its job ends */

    ngx_conf_merge_msec_value(conf->upstream.read_timeout,
                              prev->upstream.read_timeout, 60000);

    ngx_conf_merge_msec_value(conf->upstream.next_upstream_timeout,
                              prev->upstream.next_upstream_timeout, 0);

    ngx_conf_merge_size_value(conf->upstream.buffer_size,
                              prev->upstream.buffer_size,
                              (size_t) ngx_pagesize);

    ngx_conf_merge_bitmask_value(conf->upstream.next_upstream,
                              prev->upstream.next_upstream,
                              (NGX_CONF_BITMASK_SET
                               |NGX_HTTP_UPSTREAM_FT_ERROR
                               |NGX_HTTP_UPSTREAM_FT_TIMEOUT));

    if (conf->upstream.next_upstream & NGX_HTTP_UPSTREAM_FT_OFF) {
        conf->upstream.next_upstream = NGX_CONF_BITMASK_SET
                                       |NGX_HTTP_UPSTREAM_FT_OFF;
    }

    if (conf->auth.data == NULL) {
        conf->auth = prev->auth;
    }

#if (NGX_HTTP_SSL)

    ngx_conf_merge_value(conf->upstream.ssl_session_reuse,
                              prev->upstream.ssl_session_reuse, 1);

    ngx_conf_merge_bitmask_value(conf->ssl_protocols, prev->ssl_protocols,
                                 (NGX_CONF_BITMASK_SET|NGX_SSL_TLSv1_2
                                  |NGX_SSL_TLSv1_3));

    ngx_conf_merge_str_value(conf->ssl_ciphers, prev->ssl_ciphers,
                             "DEFAULT");

    ngx_conf_merge_ptr_value(conf->upstream.ssl_name,
                              prev->upstream.ssl_name, NULL);
    ngx_conf_merge_value(conf->upstream.ssl_server_name,
                              prev->upstream.ssl_server_name, 0);

    /*
     * unlike grpc_ssl_verify, on by default: a runner's answer is a
     * verdict, and a runner is only trusted with the CA's certificate
     */

    ngx_conf_merge_value(conf->upstream.ssl_verify,
                              prev->upstream.ssl_verify, 1);
    ngx_conf_merge_uint_value(conf->ssl_verify_depth,
                              prev->ssl_verify_depth, 1);
    ngx_conf_merge_str_value(conf->ssl_trusted_certificate,
                              prev->ssl_trusted_certificate, "");
    ngx_conf_merge_str_value(conf->ssl_crl, prev->ssl_crl, "");

    ngx_conf_merge_ptr_value(conf->upstream.ssl_certificate,
                              prev->upstream.ssl_certificate, NULL);
    ngx_conf_merge_ptr_value(conf->upstream.ssl_certificate_key,
                              prev->upstream.ssl_certificate_key, NULL);
    ngx_conf_merge_ptr_value(conf->upstream.ssl_passwords,
                              prev->upstream.ssl_passwords, NULL);

    if (conf->ssl && ngx_http_sandbox_set_ssl(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

#endif

    /* "if" blocks inside a sandbox location need the upstream too */

    if (conf->upstream.upstream == NULL) {
        conf->upstream.upstream = prev->upstream.upstream;
#if (NGX_HTTP_SSL)
        conf->upstream.ssl = prev->upstream.ssl;
#endif
    }

    ngx_conf_merge_ptr_value(conf->languages, prev->languages, NULL);
    ngx_conf_merge_ptr_value(conf->limits, prev->limits, NULL);
    ngx_conf_merge_uint_value(conf->max_tests, prev->max_tests,
                              NGX_HTTP_SANDBOX_MAX_TESTS);
    ngx_conf_merge_uint_value(conf->max_batch, prev->max_batch, 20);
    ngx_conf_merge_uint_value(conf->wait, prev->wait,
                              NGX_HTTP_SANDBOX_WAIT_ON);
    ngx_conf_merge_off_value(conf->max_body_size, prev->max_body_size,
                             NGX_HTTP_SANDBOX_MAX_BODY);
    ngx_conf_merge_value(conf->cancel_on_disconnect,
                         prev->cancel_on_disconnect, 0);
    ngx_conf_merge_uint_value(conf->api, prev->api, SBX_API_NATIVE);

    /* the directive sets both, so the pair is inherited as one */

    if (conf->job_wall_ms == NGX_CONF_UNSET) {

        if (prev->job_wall_ms == NGX_CONF_UNSET) {
            conf->job_wall_ms = NGX_HTTP_SANDBOX_JOB_WALL_MS;
            conf->job_output_kb = NGX_HTTP_SANDBOX_JOB_OUTPUT_KB;

        } else {
            conf->job_wall_ms = prev->job_wall_ms;
            conf->job_output_kb = prev->job_output_kb;
        }
    }

    /*
     * The location that matched the URI, for the path under it
     * (ngx_http_sandbox_route()): an "if" or "limit_except" block has no
     * name of its own and stands for the location around it.
     */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    conf->where = clcf->noname ? prev->where : clcf;

    /*
     * The hidden location of "limit_except" replaces the location's
     * configuration for the methods it does not list, and its handler
     * (NULL: the static one) becomes the content handler, as in the
     * proxy and scgi modules; only in a location of sandbox_pass, which
     * the upstream, inherited by every nested location, does not tell.
     */

    if (clcf->lmt_excpt
        && clcf->handler == NULL
        && conf->upstream.upstream
        && conf->where
        && conf->where->handler == ngx_http_sandbox_handler)
    {
        clcf->handler = ngx_http_sandbox_handler;
    }

    return ngx_http_sandbox_merge_check(cf, conf);
}


/*
 * The "check" attribute of the first frames (first contact): the
 * location's languages, comma-separated, or "*"; as many as fit in one
 * attribute value.
 */

static char *
ngx_http_sandbox_merge_check(ngx_conf_t *cf,
    ngx_http_sandbox_loc_conf_t *conf)
{
    u_char      *p;
    ngx_str_t   *lang;
    ngx_uint_t   i;

    if (conf->languages == NULL) {
        ngx_str_set(&conf->check, "*");
        return NGX_CONF_OK;
    }

    conf->check.data = ngx_pnalloc(cf->pool, SBX_PROTO_MAX_VALUE);
    if (conf->check.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = conf->check.data;
    lang = conf->languages->elts;

    for (i = 0; i < conf->languages->nelts; i++) {

        if ((size_t) (p - conf->check.data) + 1 + lang[i].len
            > SBX_PROTO_MAX_VALUE)
        {
            break;
        }

        if (p > conf->check.data) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, lang[i].data, lang[i].len);
    }

    conf->check.len = p - conf->check.data;

    return NGX_CONF_OK;
}


static char *
ngx_http_sandbox_pass(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    ngx_str_t                 *value;
    ngx_url_t                  u;
    ngx_http_core_loc_conf_t  *clcf;

    if (slcf->upstream.upstream) {
        return "is duplicate";
    }

    value = cf->args->elts;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = value[1];
    u.no_resolve = 1;

    /* as grpc_pass: grpc:// and grpcs:// */

    if (ngx_strncasecmp(u.url.data, (u_char *) "sandbox://", 10) == 0) {
        u.url.data += 10;
        u.url.len -= 10;

    } else if (ngx_strncasecmp(u.url.data, (u_char *) "sandboxs://", 11)
               == 0)
    {
#if (NGX_HTTP_SSL)
        slcf->ssl = 1;

        u.url.data += 11;
        u.url.len -= 11;
#else
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "sandboxs protocol requires SSL support");
        return NGX_CONF_ERROR;
#endif
    }

    slcf->upstream.upstream = ngx_http_upstream_add(cf, &u, 0);
    if (slcf->upstream.upstream == NULL) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    clcf->handler = ngx_http_sandbox_handler;

    return NGX_CONF_OK;
}


/*
 * sandbox_wait on | off | async | refuse: ngx_conf_set_enum_slot() would
 * not name the directive in its error, nor list the values.
 */

static char *
ngx_http_sandbox_wait(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    ngx_str_t        *value;
    ngx_conf_enum_t  *e;

    if (slcf->wait != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (e = ngx_http_sandbox_wait_modes; e->name.len; e++) {
        if (e->name.len == value[1].len
            && ngx_strcmp(e->name.data, value[1].data) == 0)
        {
            slcf->wait = e->value;
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, it must "
                       "be \"on\", \"off\", \"async\" or \"refuse\"",
                       &value[1], &cmd->name);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_sandbox_languages(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    /* "all" lifts a restriction inherited from an outer level */

    return ngx_http_sandbox_list(cf, &slcf->languages, "all",
                                 sizeof(ngx_str_t),
                                 ngx_http_sandbox_language);
}


static char *
ngx_http_sandbox_limits(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    /* "off" lifts the limits inherited from an outer level */

    return ngx_http_sandbox_list(cf, &slcf->limits, "off",
                                 sizeof(ngx_http_sandbox_limit_t),
                                 ngx_http_sandbox_limit);
}


/*
 * sandbox_job_budget wall_ms=n output_kb=n | off: a key left out keeps
 * its default, "off" leaves the job without a budget at the edge.
 */

static char *
ngx_http_sandbox_job_budget(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    size_t       len;
    ngx_int_t    n, *budget;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (slcf->job_wall_ms != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        slcf->job_wall_ms = 0;
        slcf->job_output_kb = 0;
        return NGX_CONF_OK;
    }

    slcf->job_wall_ms = NGX_HTTP_SANDBOX_JOB_WALL_MS;
    slcf->job_output_kb = NGX_HTTP_SANDBOX_JOB_OUTPUT_KB;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "wall_ms=", 8) == 0) {
            budget = &slcf->job_wall_ms;
            len = 8;

        } else if (ngx_strncmp(value[i].data, "output_kb=", 10) == 0) {
            budget = &slcf->job_output_kb;
            len = 10;

        } else {
            goto invalid;
        }

        n = ngx_atoi(value[i].data + len, value[i].len - len);

        /* a day of wall time, a GiB of output: beyond is a typo */

        if (n == NGX_ERROR || n == 0
            || n > (budget == &slcf->job_wall_ms ? 86400000 : 1048576))
        {
            goto invalid;
        }

        *budget = n;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid budget \"%V\" in \"sandbox_job_budget\" "
                       "directive, expected wall_ms=number (1 to 86400000) "
                       "or output_kb=number (1 to 1048576), or \"off\"",
                       &value[i]);

    return NGX_CONF_ERROR;
}


/*
 * A list directive: set once per level; the single word "lift" sets it
 * to NULL, which undoes an outer level's list; otherwise each argument
 * is checked and added by "item", which refuses a misplaced "lift".
 */

static char *
ngx_http_sandbox_list(ngx_conf_t *cf, ngx_array_t **list, char *lift,
    size_t size, ngx_http_sandbox_item_pt item)
{
    char        *rv;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (*list != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, lift) == 0) {
        *list = NULL;
        return NGX_CONF_OK;
    }

    *list = ngx_array_create(cf->pool, cf->args->nelts - 1, size);
    if (*list == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {

        rv = item(cf, *list, &value[i]);

        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sandbox_language(ngx_conf_t *cf, ngx_array_t *list,
    ngx_str_t *value)
{
    ngx_str_t  *lang;

    if (ngx_strcmp(value->data, "all") == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"all\" must be the only value of the "
                           "\"sandbox_languages\" directive");
        return NGX_CONF_ERROR;
    }

    /*
     * The same bounds sbx_schema_check() puts on "language", and no
     * comma: the list goes to the runner comma-separated (first contact).
     */

    if (value->len == 0 || value->len > 32
        || ngx_strlchr(value->data, value->data + value->len, ',') != NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid language \"%V\" in "
                           "\"sandbox_languages\" directive", value);
        return NGX_CONF_ERROR;
    }

    lang = ngx_array_push(list);
    if (lang == NULL) {
        return NGX_CONF_ERROR;
    }

    *lang = *value;

    return NGX_CONF_OK;
}


static char *
ngx_http_sandbox_limit(ngx_conf_t *cf, ngx_array_t *list, ngx_str_t *value)
{
    u_char                    *eq;
    ngx_int_t                  max;
    ngx_str_t                  key;
    ngx_uint_t                 k, n;
    const char               **keys;
    ngx_http_sandbox_limit_t  *limit;

    keys = sbx_limit_names;

    eq = ngx_strlchr(value->data, value->data + value->len, '=');

    if (eq == NULL) {
        goto invalid;
    }

    key.data = value->data;
    key.len = eq - value->data;

    for (k = 0; keys[k]; k++) {
        if (key.len == ngx_strlen(keys[k])
            && ngx_strncmp(key.data, keys[k], key.len) == 0)
        {
            break;
        }
    }

    if (keys[k] == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown limit \"%V\" in \"sandbox_limits\" "
                           "directive", &key);
        return NGX_CONF_ERROR;
    }

    limit = list->elts;

    for (n = 0; n < list->nelts; n++) {
        if (limit[n].key == keys[k]) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate limit \"%V\" in "
                               "\"sandbox_limits\" directive", &key);
            return NGX_CONF_ERROR;
        }
    }

    max = ngx_atoi(eq + 1, value->data + value->len - eq - 1);

    if (max == NGX_ERROR || max == 0) {
        goto invalid;
    }

    /* a few digits too many is a typo, not a policy (common/sbx_vocab) */

    if ((long long) max > sbx_limit_ceilings[k]) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "limit \"%V\" in \"sandbox_limits\" directive "
                           "is too large: %V is at most %L", value, &key,
                           (int64_t) sbx_limit_ceilings[k]);
        return NGX_CONF_ERROR;
    }

    limit = ngx_array_push(list);
    if (limit == NULL) {
        return NGX_CONF_ERROR;
    }

    limit->key = keys[k];
    limit->max = max;

    /* the runner clamps the language's defaults to it (docs/protocol.md) */

    limit->attr.len = sizeof("max-") - 1 + key.len;
    limit->attr.data = ngx_pnalloc(cf->pool, limit->attr.len);

    limit->value.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);

    if (limit->attr.data == NULL || limit->value.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(ngx_cpymem(limit->attr.data, "max-", sizeof("max-") - 1),
               key.data, key.len);

    limit->value.len = ngx_sprintf(limit->value.data, "%i", max)
                       - limit->value.data;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid limit \"%V\" in \"sandbox_limits\" "
                       "directive, expected key=number, the number at "
                       "least 1", value);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_sandbox_buffer_size(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *sp = data;

    if (*sp < SBX_PROTO_MAX_HEADER) {
        return "must be at least 1k: the runner's header line is up "
               "to 1024 bytes";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sandbox_max_body_size(ngx_conf_t *cf, void *post, void *data)
{
    off_t  *op = data;

    if (*op <= 0) {
        return "must be at least 1";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sandbox_bounds(ngx_conf_t *cf, void *post, void *data)
{
    ngx_http_sandbox_bounds_t  *b = post;
    ngx_int_t                  *np = data;

    if (*np < b->low || *np > b->high) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%i\" in \"%V\" directive, it "
                           "must be from %i to %i", *np,
                           &((ngx_str_t *) cf->args->elts)[0], b->low,
                           b->high);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * sandbox_auth_key_file: read now, by the master, and kept as its
 * token; the file may be root's alone.  The key is never logged.
 */

static char *
ngx_http_sandbox_auth_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sandbox_loc_conf_t *slcf = conf;

    ssize_t          n;
    u_char           key[SBX_AUTH_MAX_KEY + 2];
    ngx_fd_t         fd;
    ngx_str_t       *value, file;
    ngx_file_info_t  fi;

    if (slcf->auth.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    file = value[1];

    if (ngx_strcmp(file.data, "off") == 0) {
        ngx_str_set(&slcf->auth, "");
        return NGX_CONF_OK;
    }

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &file);
        return NGX_CONF_ERROR;
    }

    n = NGX_ERROR;

    if (ngx_fd_info(fd, &fi) != NGX_FILE_ERROR && ngx_is_file(&fi)) {
        n = ngx_read_fd(fd, key, sizeof(key));
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", &file);
    }

    slcf->auth.data = ngx_pnalloc(cf->pool, SBX_AUTH_TOKEN_LEN + 1);
    if (slcf->auth.data == NULL) {
        return NGX_CONF_ERROR;
    }

    if (n < 0 || sbx_auth_token(key, (size_t) n, (char *) slcf->auth.data)
                 != 0)
    {
        ngx_explicit_memzero(key, sizeof(key));
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must be a file of %d to %d bytes",
                           &file, SBX_AUTH_MIN_KEY, SBX_AUTH_MAX_KEY);
        return NGX_CONF_ERROR;
    }

    ngx_explicit_memzero(key, sizeof(key));

    slcf->auth.len = SBX_AUTH_TOKEN_LEN;

    return NGX_CONF_OK;
}


/* ngx_conf_set_bitmask_slot() names neither the directive nor the values */

static char *
ngx_http_sandbox_next_upstream(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *rv;

    rv = ngx_conf_set_bitmask_slot(cf, cmd, conf);

    if (rv == NGX_CONF_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value in \"%V\" directive, it takes "
                           "\"error\", \"timeout\", \"invalid_response\", "
                           "\"not_found\" or \"off\"", &cmd->name);
    }

    return rv;
}


#if (NGX_HTTP_SSL)

/* as ngx_http_grpc_set_ssl(), without ALPN: SBX/1 is the one protocol */

static ngx_int_t
ngx_http_sandbox_set_ssl(ngx_conf_t *cf, ngx_http_sandbox_loc_conf_t *slcf)
{
    ngx_pool_cleanup_t  *cln;

    slcf->upstream.ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (slcf->upstream.ssl == NULL) {
        return NGX_ERROR;
    }

    slcf->upstream.ssl->log = cf->log;

    if (ngx_ssl_create(slcf->upstream.ssl, slcf->ssl_protocols, NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(slcf->upstream.ssl);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = slcf->upstream.ssl;

    if (ngx_ssl_ciphers(cf, slcf->upstream.ssl, &slcf->ssl_ciphers, 0)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the runner refuses a client without a certificate of its CA */

    if (slcf->upstream.ssl_certificate == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"sandbox_ssl_certificate\" is defined for "
                      "sandboxs://: the runner verifies nginx's "
                      "certificate");
        return NGX_ERROR;
    }

    if (slcf->upstream.ssl_certificate_key == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"sandbox_ssl_certificate_key\" is defined "
                      "for certificate \"%V\"",
                      &slcf->upstream.ssl_certificate->value);
        return NGX_ERROR;
    }

    if (slcf->upstream.ssl_certificate->lengths
        || slcf->upstream.ssl_certificate_key->lengths)
    {
        slcf->upstream.ssl_passwords =
                  ngx_ssl_preserve_passwords(cf, slcf->upstream.ssl_passwords);
        if (slcf->upstream.ssl_passwords == NULL) {
            return NGX_ERROR;
        }

    } else {
        if (ngx_ssl_certificate(cf, slcf->upstream.ssl,
                                &slcf->upstream.ssl_certificate->value,
                                &slcf->upstream.ssl_certificate_key->value,
                                slcf->upstream.ssl_passwords)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (slcf->upstream.ssl_verify) {
        if (slcf->ssl_trusted_certificate.len == 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "no sandbox_ssl_trusted_certificate for "
                          "sandbox_ssl_verify (on by default)");
            return NGX_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, slcf->upstream.ssl,
                                        &slcf->ssl_trusted_certificate,
                                        slcf->ssl_verify_depth)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_ssl_crl(cf, slcf->upstream.ssl, &slcf->ssl_crl) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (ngx_ssl_client_session_cache(cf, slcf->upstream.ssl,
                                     slcf->upstream.ssl_session_reuse)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}

#endif
