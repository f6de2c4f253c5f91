
/*
 * The API's error: one struct that travels by pointer from where a
 * problem is found to where the reply is written, and one builder for its
 * JSON form, {"error":{"code","field" (when set),"message","timestamp"}},
 * used by the module and the runner alike (docs/api.md).  Plain C on
 * jansson, no nginx or runner types.
 */


#ifndef _SBX_ERROR_H_INCLUDED_
#define _SBX_ERROR_H_INCLUDED_


#include <jansson.h>


typedef struct {
    int    status;                        /* HTTP status */
    char   code[32];
    char   field[96];                     /* "" when not about one field */
    char   message[160];
} sbx_error_t;


/* Fills err; fmt is printf-style.  Truncation keeps the text UTF-8. */
void sbx_error_set(sbx_error_t *err, int status, const char *code,
    const char *field, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The {"error":{…}} object; timestamp is RFC 3339. */
json_t *sbx_error_object(const sbx_error_t *err, const char *timestamp);


#endif /* _SBX_ERROR_H_INCLUDED_ */
