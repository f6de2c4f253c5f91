
/*
 * The shape of a submission (docs/api.md): required fields, types, file
 * names, encodings.  Language-independent, so the nginx module checks it
 * at the edge and the runner checks it again without trusting the module.
 * Plain C on jansson, no nginx or runner types; the names it accepts
 * (limits, checkers, file names) come from sbx_vocab.h.
 */


#ifndef _SBX_SCHEMA_H_INCLUDED_
#define _SBX_SCHEMA_H_INCLUDED_


#include <jansson.h>

#include "sbx_error.h"
#include "sbx_vocab.h"


#define SBX_SCHEMA_OK          0
#define SBX_SCHEMA_ERROR      -1

#define SBX_SCHEMA_MAX_FILES   64
#define SBX_SCHEMA_MAX_ARGS    64
#define SBX_SCHEMA_MAX_TESTS   1024
#define SBX_SCHEMA_MAX_ARG     4096


/* Checks one submission object; fills err and returns SBX_SCHEMA_ERROR. */
int sbx_schema_check(json_t *sub, sbx_error_t *err);

/*
 * Parses a JSON document; on failure fills err with a 400
 * malformed_json that names the line and column.
 */
json_t *sbx_schema_parse(const char *buf, size_t len, sbx_error_t *err);


#endif /* _SBX_SCHEMA_H_INCLUDED_ */
