
/*
 * The Judge0 CE 1.13 dialect (judge0/judge0 v1.13.1): its submission as
 * a native one, the native result as its submission object (fields=,
 * base64_encoded=), its languages (Judge0's numeric ids mapped to the
 * runner's languages, in the table in sbx_dialect_judge0.c), its statuses
 * and its error shapes.  docs/compat.md has the field-by-field tables.
 * Plain C on jansson.
 */


#ifndef _SBX_DIALECT_JUDGE0_H_INCLUDED_
#define _SBX_DIALECT_JUDGE0_H_INCLUDED_


#include <stdint.h>

#include <jansson.h>

#include "sbx_dialect.h"
#include "sbx_error.h"


/*
 * POST …/submissions's body as a native submission (a new reference), or
 * NULL with err set: 422 with Judge0's field name and message, 400 when
 * the body is not an object.  base64: base64_encoded=true.
 */
json_t *sbx_judge0_submission(json_t *body, int base64, sbx_error_t *err);

/*
 * POST …/submissions/batch's body as a native batch, {"submissions":[…]};
 * an item that does not translate is its {"error":{…}} object, so every
 * item keeps its place (docs/protocol.md).  NULL with err set when the
 * body is not {"submissions":[…]}.
 */
json_t *sbx_judge0_batch(json_t *body, int base64, sbx_error_t *err);

/* 1 when item is an error object in place of a batch item */
int sbx_judge0_is_error_item(json_t *item);

/*
 * fields=…: a mask of Judge0's submission fields (bit i: the i-th of
 * its table), "*" all of them; 0 with bad holding the unknown names, as
 * Judge0 lists them, when there are any.
 */
uint64_t sbx_judge0_fields(const char *s, size_t len, char *bad,
    size_t size);

/* A native job (a result or a queued/running state) as Judge0's */
json_t *sbx_judge0_result(json_t *native, const sbx_dialect_t *d);

/* {"id","status":"queued"} as {"token"} */
json_t *sbx_judge0_created(json_t *native);

/*
 * A native batch answer as Judge0's list of {"token"} and field errors;
 * *status is 201, or 422 when no item was accepted.
 */
json_t *sbx_judge0_batch_created(json_t *native, int *status);

/* GET …/languages's table as Judge0's [{"id","name"}] */
json_t *sbx_judge0_languages(json_t *languages);

/* GET …/statuses: [{"id","description"}] */
json_t *sbx_judge0_statuses(void);

/* {"field":["message"]} (422), else {"error":"message"} */
json_t *sbx_judge0_error(const sbx_error_t *err, int *status);


#endif /* _SBX_DIALECT_JUDGE0_H_INCLUDED_ */
