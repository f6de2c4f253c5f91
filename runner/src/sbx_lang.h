
/*
 * The language table (runner/languages.json): loaded once at start-up,
 * read-only afterwards, so any thread may read it without a lock.
 */


#ifndef _SBX_LANG_H_INCLUDED_
#define _SBX_LANG_H_INCLUDED_


#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sbx.h"


struct sbx_lang_s {
    const char      *id;
    const char      *name;
    const char      *version;
    const char      *image;
    const char      *source_file;
    const char      *example;            /* reads a line, greets it */
    json_t          *aliases;            /* array of strings */
    json_t          *extensions;         /* array of strings */
    json_t          *compile;            /* argv template, or NULL */
    json_t          *run;                /* argv template */
    json_t          *env;                /* array of "K=V" */
    sbx_limits_t     defaults;
    sbx_limits_t     max;
    sbx_limits_t     compile_limits;
    int64_t          tmpfs_work_kb;
    int64_t          tmpfs_tmp_kb;
    pcre2_code      *diagnostics;        /* or NULL */
    pcre2_code      *memory_error;       /* stderr meaning out of memory */
    pcre2_code      *main_from;          /* (?<name>…) names the file */
    int              main_lower;         /* that name in lower case */
    json_t          *conf;               /* the entry, owns the strings */
};


/* What argv templates may refer to. */

typedef struct {
    const char      *main;
    json_t          *sources;            /* array of names */
    json_t          *args;               /* array of strings, or NULL */
    int64_t          memory_kb;
} sbx_argv_ctx_t;


int sbx_lang_load(const char *path, char *err, size_t size);
void sbx_lang_free(void);

sbx_lang_t *sbx_lang_find(const char *id);
size_t sbx_lang_count(void);
sbx_lang_t *sbx_lang_at(size_t i);

/* The public description of every language, for GET /languages. */
json_t *sbx_lang_list(void);

/* Whether a file name ends in one of the language's extensions. */
int sbx_lang_is_source(sbx_lang_t *lang, const char *name);

/*
 * The name of a single-file program's file: source_file, or the name the
 * language's main_from pattern finds in the source (Java's public class,
 * Erlang's -module) with source_file's extension, if it is a valid file
 * name.  buf receives a derived name; the result is buf or source_file.
 */
const char *sbx_lang_main_name(sbx_lang_t *lang, const char *src,
    size_t len, char *buf, size_t size);

/* Expands an argv template; NULL on a bad template. */
json_t *sbx_lang_argv(json_t *tmpl, const sbx_argv_ctx_t *ctx);


#endif /* _SBX_LANG_H_INCLUDED_ */
