
/*
 * API dialects: the native API (docs/api.md) and the foreign APIs a
 * location can speak instead (sandbox_api piston | judge0, docs/compat.md).
 * A dialect is a translation on top of the native API, never a second
 * implementation: its request becomes a native submission at the edge,
 * where the location's native policy applies to it, and the runner
 * answers in the dialect by translating its native answer.  Each dialect
 * is one file (sbx_dialect_piston.c, sbx_dialect_judge0.c); this header
 * names them and carries the options that shape a dialect's answer, as
 * the request frame carries them (docs/protocol.md, "api=").
 *
 * Plain C on jansson, no nginx or runner types.
 */


#ifndef _SBX_DIALECT_H_INCLUDED_
#define _SBX_DIALECT_H_INCLUDED_


#include <stdint.h>

#include <jansson.h>

#include "sbx_error.h"


typedef enum {
    SBX_API_NATIVE = 0,
    SBX_API_PISTON,
    SBX_API_JUDGE0,
    SBX_API_N
} sbx_api_e;


/* What shapes an answer; all zero is the native API. */

typedef struct {
    sbx_api_e           api;
    unsigned            base64:1;        /* judge0: base64_encoded=true */
    uint64_t            fields;          /* judge0: fields=, 0: default */
} sbx_dialect_t;


extern const char  *sbx_api_names[SBX_API_N + 1];     /* NULL-ended */


/* The dialect named name[0..len), or -1. */
int sbx_api_find(const char *name, size_t len);

/*
 * The frame's "api" attribute: the dialect's name, then ";base64" and
 * ";fields=<hex mask>" when set.  sbx_dialect_format() returns the
 * length written (at most SBX_DIALECT_ATTR_LEN), sbx_dialect_parse() 0,
 * or -1 when the value is not one it writes.
 */
#define SBX_DIALECT_ATTR_LEN  64

size_t sbx_dialect_format(const sbx_dialect_t *d, char *buf);
int sbx_dialect_parse(const char *s, size_t len, sbx_dialect_t *d);

/*
 * An error in the dialect's shape; *status is the HTTP status to answer
 * with (a dialect may say 422 where the native API says 400).  NULL when
 * out of memory.
 */
json_t *sbx_dialect_error(const sbx_dialect_t *d, const sbx_error_t *err,
    const char *timestamp, int *status);


#endif /* _SBX_DIALECT_H_INCLUDED_ */
