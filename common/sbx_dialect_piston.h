
/*
 * The Piston v2 dialect (engineer-man/piston, api/src/api/v2.js): its
 * execute request as a native submission, the native result as its
 * answer, the language table as its runtimes, and its error shape.
 * docs/compat.md has the field-by-field tables.  Plain C on jansson.
 */


#ifndef _SBX_DIALECT_PISTON_H_INCLUDED_
#define _SBX_DIALECT_PISTON_H_INCLUDED_


#include <jansson.h>

#include "sbx_error.h"


/*
 * POST …/api/v2/execute's body as a native submission (a new reference),
 * or NULL with err set (400, the message Piston gives).  The version
 * selector stays in "version": the runner, which knows the language's
 * version, matches it with sbx_piston_version_match().
 */
json_t *sbx_piston_submission(json_t *body, sbx_error_t *err);

/*
 * 1 when version satisfies the semver range selector ("*", "3.x",
 * "3.11.2", "^3.10", ">=3.8 <4", "3 || 4"), else 0.
 */
int sbx_piston_version_match(const char *selector, const char *version);

/* A native job result as Piston's execute answer; *status its HTTP status */
json_t *sbx_piston_result(json_t *native, int *status);

/* GET …/languages's table as GET …/api/v2/runtimes's */
json_t *sbx_piston_runtimes(json_t *languages);

/* {"message": …}; every refusal of a request is a 400 in Piston */
json_t *sbx_piston_error(const sbx_error_t *err, int *status);


#endif /* _SBX_DIALECT_PISTON_H_INCLUDED_ */
