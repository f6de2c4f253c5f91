
/*
 * The shape of a submission (docs/api.md): required fields, types, file
 * names, encodings.  Language-independent, so the nginx module checks it
 * at the edge and the runner checks it again without trusting the module.
 * Plain C on jansson, no nginx or runner types.
 */


#ifndef _SBX_SCHEMA_H_INCLUDED_
#define _SBX_SCHEMA_H_INCLUDED_


#include <jansson.h>


#define SBX_SCHEMA_OK          0
#define SBX_SCHEMA_ERROR      -1

#define SBX_SCHEMA_MAX_FILES   64
#define SBX_SCHEMA_MAX_ARGS    64
#define SBX_SCHEMA_MAX_TESTS   1024
#define SBX_SCHEMA_MAX_NAME    128
#define SBX_SCHEMA_MAX_ARG     4096


typedef struct {
    int    status;                        /* HTTP status */
    char   code[32];
    char   field[96];                     /* "" when not about one field */
    char   message[160];
} sbx_schema_error_t;


/* The limit keys, in API order, NULL-terminated. */
extern const char  *sbx_schema_limit_keys[];


/* Checks one submission object; fills err and returns SBX_SCHEMA_ERROR. */
int sbx_schema_check(json_t *sub, sbx_schema_error_t *err);

/* Checks one file name as described in docs/api.md. */
int sbx_schema_check_name(const char *name, size_t len);

/*
 * Parses a JSON document; on failure fills err with a 400
 * malformed_json that names the line and column.
 */
json_t *sbx_schema_parse(const char *buf, size_t len,
    sbx_schema_error_t *err);

/*
 * {"error":{"code","field" (when set),"message","timestamp"}}: the one
 * error shape of the API, for the module and the runner alike.
 */
json_t *sbx_schema_error_json(const sbx_schema_error_t *err,
    const char *timestamp);

/* Fills err; fmt is printf-style. */
void sbx_schema_set_error(sbx_schema_error_t *err, int status,
    const char *code, const char *field, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;


#endif /* _SBX_SCHEMA_H_INCLUDED_ */
