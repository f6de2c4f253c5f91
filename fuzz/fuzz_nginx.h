
/*
 * What the module's fuzz targets share: the least of nginx a request
 * needs to reach the module's functions, built with nginx's own
 * functions (pools, arrays, lists, regex), not imitations.  There is no
 * cycle and no configuration file: the locations the module would get
 * from "sandbox_pass" and its policy directives are filled in here the
 * way ngx_http_sandbox_module.c fills them in.
 *
 *   location kinds   prefix "/api/", prefix "/", exact "= /api/health",
 *                    named "@sandbox", regex "~ ^/(free|paid)/"
 *   policies         nginx's defaults; a strict tier (two languages,
 *                    limits, 4 tests, a batch of 3, small budgets)
 */


#ifndef _NGX_HTTP_SANDBOX_FUZZ_H_INCLUDED_
#define _NGX_HTTP_SANDBOX_FUZZ_H_INCLUDED_


#include <unistd.h>

#include "ngx_http_sandbox_module.h"


#define SBX_FUZZ_KINDS     5
#define SBX_FUZZ_POLICIES  2
#define SBX_FUZZ_APIS      SBX_API_N      /* native, piston, judge0 */
#define SBX_FUZZ_CONFS     (SBX_FUZZ_KINDS * SBX_FUZZ_POLICIES         \
                            * SBX_FUZZ_APIS)


static ngx_log_t                     sbx_fuzz_log;
static ngx_cycle_t                   sbx_fuzz_cycle;
static ngx_pool_t                   *sbx_fuzz_conf_pool;
static ngx_http_core_loc_conf_t      sbx_fuzz_clcf[SBX_FUZZ_KINDS];
static ngx_http_sandbox_loc_conf_t   sbx_fuzz_slcf[SBX_FUZZ_CONFS];
static void                         *sbx_fuzz_loc_conf[8];
static void                         *sbx_fuzz_ctx[8];


static ngx_array_t *
sbx_fuzz_limits(ngx_pool_t *pool)
{
    ngx_uint_t                 i;
    ngx_array_t               *a;
    ngx_http_sandbox_limit_t  *l;

    static const struct {
        const char  *key;
        ngx_int_t    max;
    } limits[] = {
        { "wall_time_ms", 2000 },
        { "memory_kb", 131072 },
        { "output_kb", 64 },
    };

    a = ngx_array_create(pool, 4, sizeof(ngx_http_sandbox_limit_t));
    if (a == NULL) {
        abort();
    }

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        l = ngx_array_push(a);
        if (l == NULL) {
            abort();
        }

        l->key = limits[i].key;
        l->max = limits[i].max;

        l->attr.data = ngx_pnalloc(pool, 64);
        l->value.data = ngx_pnalloc(pool, NGX_INT_T_LEN);
        if (l->attr.data == NULL || l->value.data == NULL) {
            abort();
        }

        l->attr.len = ngx_sprintf(l->attr.data, "max-%s", l->key)
                      - l->attr.data;
        l->value.len = ngx_sprintf(l->value.data, "%i", l->max)
                       - l->value.data;
    }

    return a;
}


static void
sbx_fuzz_nginx_init(void)
{
    ngx_str_t                    *lang;
    ngx_uint_t                    i;
    ngx_regex_compile_t           rc;
    u_char                        errstr[NGX_MAX_CONF_ERRSTR];
    ngx_http_sandbox_loc_conf_t  *slcf;

    /* the module is not in ngx_modules[]: its slot in r->ctx is 0 */

    ngx_http_sandbox_module.ctx_index = 0;

    ngx_pagesize = getpagesize();
    ngx_cacheline_size = NGX_CPU_CACHE_LINE;

    /* the cached time the error objects' timestamps read */

    ngx_time_init();

    /* log_level 0: no error_log, and no debug mask */

    sbx_fuzz_log.log_level = 0;

    /* what nginx's own allocations log to (ngx_regex_malloc()) */

    sbx_fuzz_cycle.log = &sbx_fuzz_log;
    ngx_cycle = &sbx_fuzz_cycle;

    sbx_fuzz_conf_pool = ngx_create_pool(16384, &sbx_fuzz_log);
    if (sbx_fuzz_conf_pool == NULL) {
        abort();
    }

    ngx_str_set(&sbx_fuzz_clcf[0].name, "/api/");
    ngx_str_set(&sbx_fuzz_clcf[1].name, "/");
    ngx_str_set(&sbx_fuzz_clcf[2].name, "/api/health");
    sbx_fuzz_clcf[2].exact_match = 1;
    ngx_str_set(&sbx_fuzz_clcf[3].name, "@sandbox");
    sbx_fuzz_clcf[3].named = 1;

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));
    ngx_str_set(&rc.pattern, "^/(free|paid)/");
    rc.pool = sbx_fuzz_conf_pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (ngx_regex_compile(&rc) != NGX_OK) {
        abort();
    }

    ngx_str_set(&sbx_fuzz_clcf[4].name, "^/(free|paid)/");
    sbx_fuzz_clcf[4].regex = ngx_pcalloc(sbx_fuzz_conf_pool,
                                         sizeof(ngx_http_regex_t));
    if (sbx_fuzz_clcf[4].regex == NULL) {
        abort();
    }

    sbx_fuzz_clcf[4].regex->regex = rc.regex;

    for (i = 0; i < SBX_FUZZ_CONFS; i++) {
        slcf = &sbx_fuzz_slcf[i];

        slcf->where = &sbx_fuzz_clcf[i % SBX_FUZZ_KINDS];
        slcf->api = i / (SBX_FUZZ_KINDS * SBX_FUZZ_POLICIES);

        if (i / SBX_FUZZ_KINDS % SBX_FUZZ_POLICIES == 0) {
            /* the merged defaults of ngx_http_sandbox_merge_loc_conf() */
            slcf->max_tests = NGX_HTTP_SANDBOX_MAX_TESTS;
            slcf->max_batch = 20;
            slcf->job_wall_ms = NGX_HTTP_SANDBOX_JOB_WALL_MS;
            slcf->job_output_kb = NGX_HTTP_SANDBOX_JOB_OUTPUT_KB;
            slcf->wait = 1;
            continue;
        }

        slcf->languages = ngx_array_create(sbx_fuzz_conf_pool, 2,
                                           sizeof(ngx_str_t));
        if (slcf->languages == NULL) {
            abort();
        }

        lang = ngx_array_push_n(slcf->languages, 2);
        if (lang == NULL) {
            abort();
        }

        ngx_str_set(&lang[0], "python");
        ngx_str_set(&lang[1], "c");

        slcf->limits = sbx_fuzz_limits(sbx_fuzz_conf_pool);
        slcf->max_tests = 4;
        slcf->max_batch = 3;
        slcf->job_wall_ms = 6000;
        slcf->job_output_kb = 256;
        slcf->wait = 0;
    }
}


/*
 * A request as far as the module's functions read it; the caller sets
 * uri, args and headers.  Its pool is the request's: destroying it runs
 * the module's cleanups.
 */

static ngx_http_request_t *
sbx_fuzz_request(ngx_uint_t conf)
{
    ngx_pool_t          *pool;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    pool = ngx_create_pool(4096, &sbx_fuzz_log);
    if (pool == NULL) {
        abort();
    }

    r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));
    c = ngx_pcalloc(pool, sizeof(ngx_connection_t));
    if (r == NULL || c == NULL) {
        abort();
    }

    c->log = &sbx_fuzz_log;
    c->pool = pool;

    r->pool = pool;
    r->connection = c;
    r->main = r;

    ngx_memzero(sbx_fuzz_ctx, sizeof(sbx_fuzz_ctx));
    r->ctx = sbx_fuzz_ctx;

    sbx_fuzz_loc_conf[ngx_http_sandbox_module.ctx_index] =
                                     &sbx_fuzz_slcf[conf % SBX_FUZZ_CONFS];
    r->loc_conf = sbx_fuzz_loc_conf;

    if (ngx_list_init(&r->headers_out.headers, pool, 4,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        abort();
    }

    return r;
}


#endif /* _NGX_HTTP_SANDBOX_FUZZ_H_INCLUDED_ */
