
/*
 * From a submission (REST JSON) to a job ready to queue.
 */


#ifndef _SBX_SUBMIT_H_INCLUDED_
#define _SBX_SUBMIT_H_INCLUDED_


#include "sbx.h"
#include "sbx_schema.h"


/*
 * Checks sub completely and builds the job; NULL with err filled in
 * (400, 422, or 500 when out of memory).
 */
sbx_job_t *sbx_submit_prepare(json_t *sub, sbx_error_t *err);


#endif /* _SBX_SUBMIT_H_INCLUDED_ */
