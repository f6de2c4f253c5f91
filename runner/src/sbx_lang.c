
/*
 * The language table.
 *
 * Every entry is checked completely at start-up (types, limits, argv
 * templates, the diagnostics pattern), so a broken languages.json stops
 * the runner with a message instead of failing one submission later.
 * After loading, the table never changes: readers need no lock.
 */


#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>

#include "sbx.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_schema.h"


/* what a language entry and its "limits" may hold */

static const char   *sbx_lang_fields[] = {
    "id", "name", "version", "image", "source_file", "aliases",
    "extensions", "compile", "run", "env", "limits", "tmpfs_kb",
    "diagnostics", "memory_error", "example", "main_from", "main_lower",
    NULL
};

static const char   *sbx_lang_limit_sets[] = {
    "default", "max", "compile", NULL
};


static sbx_lang_t   *sbx_langs;
static size_t        sbx_nlangs;
static json_t       *sbx_lang_root;
static json_t       *sbx_lang_public;

/* main_from runs on untrusted source: its backtracking is bounded */
static pcre2_match_context  *sbx_lang_mctx;

#define SBX_LANG_MATCH_LIMIT  1000000
#define SBX_LANG_DEPTH_LIMIT  10000


static int sbx_lang_parse(sbx_lang_t *lang, json_t *e, char *err,
    size_t size);
static int sbx_lang_limits(json_t *v, sbx_limits_t *limits,
    const char *what, char *err, size_t size);
static int sbx_lang_unknown(json_t *v, const char **known, const char *id,
    const char *prefix, char *err, size_t size);
static int sbx_lang_strings(json_t *v, int allow_null);
static int sbx_lang_pattern(json_t *e, const char *key, pcre2_code **re,
    char *err, size_t size);
static int sbx_lang_subst(sbx_buf_t *b, const char *s,
    const sbx_argv_ctx_t *ctx);


int
sbx_lang_load(const char *path, char *err, size_t size)
{
    size_t         i, j;
    json_t        *list, *e, *a, *info;
    json_error_t   jerr;

    sbx_lang_root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

    if (sbx_lang_root == NULL) {
        sbx_json_error(err, size, path, &jerr);
        return SBX_ERROR;
    }

    list = json_object_get(sbx_lang_root, "languages");

    if (!json_is_array(list) || json_array_size(list) == 0) {
        snprintf(err, size, "%s: \"languages\" must be a non-empty array",
                 path);
        return SBX_ERROR;
    }

    sbx_nlangs = json_array_size(list);
    sbx_langs = calloc(sbx_nlangs, sizeof(sbx_lang_t));

    if (sbx_langs == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_ERROR;
    }

    sbx_lang_public = json_array();
    sbx_lang_mctx = pcre2_match_context_create(NULL);

    if (sbx_lang_public == NULL || sbx_lang_mctx == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_ERROR;
    }

    pcre2_set_match_limit(sbx_lang_mctx, SBX_LANG_MATCH_LIMIT);
    pcre2_set_depth_limit(sbx_lang_mctx, SBX_LANG_DEPTH_LIMIT);

    json_array_foreach(list, i, e) {

        if (sbx_lang_parse(&sbx_langs[i], e, err, size) != SBX_OK) {
            return SBX_ERROR;
        }

        /* ids and aliases share one name space: the first one wins */

        if (sbx_lang_find(sbx_langs[i].id) != &sbx_langs[i]) {
            snprintf(err, size, "language \"%s\" is defined twice",
                     sbx_langs[i].id);
            return SBX_ERROR;
        }

        json_array_foreach(sbx_langs[i].aliases, j, a) {
            if (sbx_lang_find(json_string_value(a)) != &sbx_langs[i]) {
                snprintf(err, size, "alias \"%s\" of \"%s\" is taken",
                         json_string_value(a), sbx_langs[i].id);
                return SBX_ERROR;
            }
        }

        info = json_pack("{s:s, s:s, s:s, s:O, s:b, s:s, s:O, s:{s:o, s:o},"
                         " s:s}",
                         "id", sbx_langs[i].id,
                         "name", sbx_langs[i].name,
                         "version", sbx_langs[i].version,
                         "aliases", sbx_langs[i].aliases,
                         "compiled", sbx_langs[i].compile != NULL,
                         "source_file", sbx_langs[i].source_file,
                         "extensions", sbx_langs[i].extensions,
                         "limits",
                         "default",
                         sbx_limits_json(&sbx_langs[i].defaults),
                         "max", sbx_limits_json(&sbx_langs[i].max),
                         "example", sbx_langs[i].example);

        if (info == NULL) {
            snprintf(err, size, "out of memory");
            return SBX_ERROR;
        }

        json_array_append_new(sbx_lang_public, info);
    }

    return SBX_OK;
}


void
sbx_lang_free(void)
{
    size_t  i;

    for (i = 0; i < sbx_nlangs; i++) {
        pcre2_code_free(sbx_langs[i].diagnostics);
        pcre2_code_free(sbx_langs[i].memory_error);
        pcre2_code_free(sbx_langs[i].main_from);
    }

    free(sbx_langs);
    json_decref(sbx_lang_root);
    json_decref(sbx_lang_public);
    pcre2_match_context_free(sbx_lang_mctx);

    sbx_langs = NULL;
    sbx_nlangs = 0;
    sbx_lang_root = NULL;
    sbx_lang_public = NULL;
    sbx_lang_mctx = NULL;
}


sbx_lang_t *
sbx_lang_find(const char *id)
{
    size_t   i, j;
    json_t  *a;

    for (i = 0; i < sbx_nlangs; i++) {

        if (sbx_langs[i].id != NULL && strcmp(sbx_langs[i].id, id) == 0) {
            return &sbx_langs[i];
        }

        json_array_foreach(sbx_langs[i].aliases, j, a) {
            if (strcmp(json_string_value(a), id) == 0) {
                return &sbx_langs[i];
            }
        }
    }

    return NULL;
}


size_t
sbx_lang_count(void)
{
    return sbx_nlangs;
}


sbx_lang_t *
sbx_lang_at(size_t i)
{
    return i < sbx_nlangs ? &sbx_langs[i] : NULL;
}


json_t *
sbx_lang_list(void)
{
    return json_pack("{s:O}", "languages", sbx_lang_public);
}


int
sbx_lang_is_source(sbx_lang_t *lang, const char *name)
{
    size_t       i, n, m;
    json_t      *e;
    const char  *ext;

    n = strlen(name);

    json_array_foreach(lang->extensions, i, e) {
        ext = json_string_value(e);
        m = strlen(ext);

        if (n > m && strcmp(name + n - m, ext) == 0) {
            return 1;
        }
    }

    return 0;
}


const char *
sbx_lang_main_name(sbx_lang_t *lang, const char *src, size_t len,
    char *buf, size_t size)
{
    int                rc;
    size_t             n, i;
    const char        *ext;
    PCRE2_SIZE         got;
    pcre2_match_data  *md;

    if (lang->main_from == NULL) {
        return lang->source_file;
    }

    md = pcre2_match_data_create_from_pattern(lang->main_from, NULL);
    if (md == NULL) {
        return lang->source_file;
    }

    /*
     * jansson's strings are valid UTF-8: no second check; a match that
     * runs into its limit is no match
     */

    rc = pcre2_match(lang->main_from, (PCRE2_SPTR) src, len, 0,
                     PCRE2_NO_UTF_CHECK, md, sbx_lang_mctx);

    got = size;

    if (rc < 0
        || pcre2_substring_copy_byname(md, (PCRE2_SPTR) "name",
                                       (PCRE2_UCHAR *) buf, &got)
           != 0)
    {
        pcre2_match_data_free(md);
        return lang->source_file;
    }

    pcre2_match_data_free(md);

    ext = strrchr(lang->source_file, '.');
    ext = ext ? ext : "";
    n = strlen(ext);

    if (got == 0 || got + n >= size) {
        return lang->source_file;
    }

    if (lang->main_lower) {
        for (i = 0; i < got; i++) {
            buf[i] = tolower((unsigned char) buf[i]);
        }
    }

    memcpy(buf + got, ext, n + 1);

    /* the derived name obeys the rule every file name does */

    if (!sbx_valid_name(buf, got + n)) {
        return lang->source_file;
    }

    return buf;
}


json_t *
sbx_lang_argv(json_t *tmpl, const sbx_argv_ctx_t *ctx)
{
    size_t       i, j;
    json_t      *argv, *e, *a;
    sbx_buf_t    b;
    const char  *s;

    argv = json_array();
    if (argv == NULL) {
        return NULL;
    }

    memset(&b, 0, sizeof(sbx_buf_t));

    json_array_foreach(tmpl, i, e) {
        s = json_string_value(e);

        if (strcmp(s, "{sources}") == 0 || strcmp(s, "{args}") == 0) {
            a = (s[1] == 's') ? ctx->sources : ctx->args;

            json_array_foreach(a, j, e) {
                json_array_append(argv, e);
            }

            continue;
        }

        b.len = 0;

        if (sbx_lang_subst(&b, s, ctx) != SBX_OK) {
            sbx_buf_free(&b);
            json_decref(argv);
            return NULL;
        }

        json_array_append_new(argv, json_stringn(b.data, b.len));
    }

    sbx_buf_free(&b);

    return argv;
}


static int
sbx_lang_parse(sbx_lang_t *lang, json_t *e, char *err, size_t size)
{
    int                    rc;
    size_t                 off;
    json_t                *limits, *tmpfs, *v, *argv, *src;
    const char            *id;
    sbx_argv_ctx_t         ctx;

    id = json_string_value(json_object_get(e, "id"));

    if (id == NULL) {
        snprintf(err, size, "a language without an \"id\"");
        return SBX_ERROR;
    }

    /* a misspelt key would otherwise be a setting silently not made */

    if (sbx_lang_unknown(e, sbx_lang_fields, id, "", err, size) != SBX_OK
        || sbx_lang_unknown(json_object_get(e, "limits"),
                            sbx_lang_limit_sets, id, "limits.", err, size)
           != SBX_OK)
    {
        return SBX_ERROR;
    }

#define sbx_lang_str(field, key)                                            \
    lang->field = json_string_value(json_object_get(e, key));               \
    if (lang->field == NULL || lang->field[0] == '\0') {                    \
        snprintf(err, size, "language \"%s\": \"%s\" must be a string",     \
                 id, key);                                                  \
        return SBX_ERROR;                                                   \
    }

    sbx_lang_str(id, "id");
    sbx_lang_str(name, "name");
    sbx_lang_str(version, "version");
    sbx_lang_str(image, "image");
    sbx_lang_str(source_file, "source_file");
    sbx_lang_str(example, "example");

#undef sbx_lang_str

    lang->conf = e;
    lang->aliases = json_object_get(e, "aliases");
    lang->extensions = json_object_get(e, "extensions");
    lang->compile = json_object_get(e, "compile");
    lang->run = json_object_get(e, "run");
    lang->env = json_object_get(e, "env");

    if (json_is_null(lang->compile)) {
        lang->compile = NULL;
    }

    if (!sbx_lang_strings(lang->aliases, 1)
        || !sbx_lang_strings(lang->extensions, 0)
        || !sbx_lang_strings(lang->env, 1)
        || (lang->compile != NULL && !sbx_lang_strings(lang->compile, 0))
        || !sbx_lang_strings(lang->run, 0))
    {
        snprintf(err, size, "language \"%s\": aliases, extensions, env, "
                 "compile and run must be arrays of strings", id);
        return SBX_ERROR;
    }

    if (lang->aliases == NULL) {
        lang->aliases = json_array();
        json_object_set_new(e, "aliases", lang->aliases);
    }

    if (lang->env == NULL) {
        lang->env = json_array();
        json_object_set_new(e, "env", lang->env);
    }

    if (!sbx_valid_name(lang->source_file, strlen(lang->source_file))) {
        snprintf(err, size, "language \"%s\": bad source_file", id);
        return SBX_ERROR;
    }

    limits = json_object_get(e, "limits");

    if (sbx_lang_limits(json_object_get(limits, "default"), &lang->defaults,
                        "default", err, size) != SBX_OK
        || sbx_lang_limits(json_object_get(limits, "max"), &lang->max,
                           "max", err, size) != SBX_OK
        || sbx_lang_limits(json_object_get(limits, "compile"),
                           &lang->compile_limits, "compile", err, size)
           != SBX_OK)
    {
        off = strlen(err);
        snprintf(err + off, size - off, " (language \"%s\")", id);
        return SBX_ERROR;
    }

    for (off = 0; off < SBX_LIMIT_N; off++) {
        if (lang->defaults.v[off] > lang->max.v[off]) {
            snprintf(err, size, "language \"%s\": default %s is above "
                     "its max", id, sbx_limit_names[off]);
            return SBX_ERROR;
        }
    }

    tmpfs = json_object_get(e, "tmpfs_kb");
    v = json_object_get(tmpfs, "work");
    lang->tmpfs_work_kb = json_is_integer(v) ? json_integer_value(v) : 65536;
    v = json_object_get(tmpfs, "tmp");
    lang->tmpfs_tmp_kb = json_is_integer(v) ? json_integer_value(v) : 65536;

    if (lang->tmpfs_work_kb < 1024 || lang->tmpfs_tmp_kb < 1024) {
        snprintf(err, size, "language \"%s\": tmpfs_kb below 1024", id);
        return SBX_ERROR;
    }

    /* try the templates once, so that a typo fails now */

    src = json_pack("[s]", lang->source_file);
    ctx.main = lang->source_file;
    ctx.sources = src;
    ctx.args = NULL;
    ctx.memory_kb = lang->defaults.v[SBX_LIMIT_MEMORY];

    argv = sbx_lang_argv(lang->run, &ctx);
    rc = (argv != NULL && json_array_size(argv) > 0);
    json_decref(argv);

    if (rc && lang->compile != NULL) {
        argv = sbx_lang_argv(lang->compile, &ctx);
        rc = (argv != NULL && json_array_size(argv) > 0);
        json_decref(argv);
    }

    json_decref(src);

    if (!rc) {
        snprintf(err, size, "language \"%s\": a bad argv template", id);
        return SBX_ERROR;
    }

    if (sbx_lang_pattern(e, "diagnostics", &lang->diagnostics, err, size)
        != SBX_OK
        || sbx_lang_pattern(e, "memory_error", &lang->memory_error, err,
                            size)
           != SBX_OK
        || sbx_lang_pattern(e, "main_from", &lang->main_from, err, size)
           != SBX_OK)
    {
        return SBX_ERROR;
    }

    if (lang->main_from != NULL
        && pcre2_substring_number_from_name(lang->main_from,
                                            (PCRE2_SPTR) "name")
           < 0)
    {
        snprintf(err, size, "language \"%s\": main_from has no group "
                 "(?<name>…)", id);
        return SBX_ERROR;
    }

    v = json_object_get(e, "main_lower");

    if (v != NULL && !json_is_boolean(v)) {
        snprintf(err, size, "language \"%s\": main_lower must be a "
                 "boolean", id);
        return SBX_ERROR;
    }

    lang->main_lower = json_is_true(v);

    return SBX_OK;
}


/* An optional PCRE2 pattern; multi-line, UTF, applied to lossy UTF-8. */

static int
sbx_lang_pattern(json_t *e, const char *key, pcre2_code **re, char *err,
    size_t size)
{
    int           rc;
    json_t       *v;
    PCRE2_SIZE    off;
    PCRE2_UCHAR   msg[128];

    v = json_object_get(e, key);

    if (v == NULL || json_is_null(v)) {
        return SBX_OK;
    }

    if (!json_is_string(v)) {
        snprintf(err, size, "language \"%s\": %s must be a string or null",
                 json_string_value(json_object_get(e, "id")), key);
        return SBX_ERROR;
    }

    *re = pcre2_compile((PCRE2_SPTR) json_string_value(v),
                        PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE | PCRE2_UTF,
                        &rc, &off, NULL);

    if (*re == NULL) {
        pcre2_get_error_message(rc, msg, sizeof(msg));
        snprintf(err, size, "language \"%s\": %s pattern at %zu: %s",
                 json_string_value(json_object_get(e, "id")), key,
                 (size_t) off, (char *) msg);
        return SBX_ERROR;
    }

    return SBX_OK;
}


static int
sbx_lang_limits(json_t *v, sbx_limits_t *limits, const char *what,
    char *err, size_t size)
{
    int      i;
    json_t  *n;

    if (!json_is_object(v)) {
        snprintf(err, size, "limits.%s must be an object", what);
        return SBX_ERROR;
    }

    if (sbx_lang_unknown(v, sbx_limit_names, NULL, what, err, size)
        != SBX_OK)
    {
        return SBX_ERROR;
    }

    for (i = 0; i < SBX_LIMIT_N; i++) {
        n = json_object_get(v, sbx_limit_names[i]);

        if (!json_is_integer(n) || json_integer_value(n) < 1
            || json_integer_value(n) > sbx_limit_ceilings[i])
        {
            snprintf(err, size, "limits.%s.%s must be an integer from 1 "
                     "to %lld", what, sbx_limit_names[i],
                     sbx_limit_ceilings[i]);
            return SBX_ERROR;
        }

        limits->v[i] = json_integer_value(n);
    }

    return SBX_OK;
}


/*
 * SBX_ERROR, saying which, when the object v has a key not in known;
 * id (may be NULL) and the prefix place it.
 */

static int
sbx_lang_unknown(json_t *v, const char **known, const char *id,
    const char *prefix, char *err, size_t size)
{
    json_t      *x;
    const char  *key;

    if (!json_is_object(v)) {
        return SBX_OK;                    /* the caller says what it needs */
    }

    json_object_foreach(v, key, x) {
        if (sbx_vocab_find(known, key, strlen(key)) == -1) {
            if (id != NULL) {
                snprintf(err, size, "language \"%s\": unknown field "
                         "\"%s%s\"", id, prefix, key);

            } else {
                snprintf(err, size, "unknown field \"limits.%s.%s\"",
                         prefix, key);
            }

            return SBX_ERROR;
        }
    }

    return SBX_OK;
}


static int
sbx_lang_strings(json_t *v, int allow_null)
{
    size_t   i;
    json_t  *e;

    if (v == NULL) {
        return allow_null;
    }

    if (!json_is_array(v)) {
        return 0;
    }

    json_array_foreach(v, i, e) {
        if (!json_is_string(e)) {
            return 0;
        }
    }

    return 1;
}


static int
sbx_lang_subst(sbx_buf_t *b, const char *s, const sbx_argv_ctx_t *ctx)
{
    char         num[32];
    size_t       n;
    const char  *p, *end, *dot;

    for (p = s; *p; p = end + 1) {

        end = strchr(p, '{');

        if (end == NULL) {
            return sbx_buf_append(b, p, strlen(p));
        }

        if (sbx_buf_append(b, p, end - p) != SBX_OK) {
            return SBX_ERROR;
        }

        p = end + 1;
        end = strchr(p, '}');

        if (end == NULL) {
            return SBX_ERROR;
        }

        n = end - p;

        if (n == 4 && strncmp(p, "main", 4) == 0) {
            if (sbx_buf_append(b, ctx->main, strlen(ctx->main)) != SBX_OK) {
                return SBX_ERROR;
            }

        } else if (n == 9 && strncmp(p, "main_stem", 9) == 0) {
            dot = strrchr(ctx->main, '.');
            n = dot ? (size_t) (dot - ctx->main) : strlen(ctx->main);

            if (sbx_buf_append(b, ctx->main, n) != SBX_OK) {
                return SBX_ERROR;
            }

        } else if (n == 9 && strncmp(p, "memory_kb", 9) == 0) {
            n = snprintf(num, sizeof(num), "%lld",
                         (long long) ctx->memory_kb);

            if (sbx_buf_append(b, num, n) != SBX_OK) {
                return SBX_ERROR;
            }

        } else if (n == 9 && strncmp(p, "memory_mb", 9) == 0) {
            n = snprintf(num, sizeof(num), "%lld",
                         (long long) (ctx->memory_kb / 1024));

            if (sbx_buf_append(b, num, n) != SBX_OK) {
                return SBX_ERROR;
            }

        } else {
            return SBX_ERROR;
        }
    }

    if (b->data == NULL) {
        return sbx_buf_append(b, "", 0);
    }

    return SBX_OK;
}

