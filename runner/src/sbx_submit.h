
/*
 * From a submission (REST JSON) to a job ready to queue.
 */


#ifndef _SBX_SUBMIT_H_INCLUDED_
#define _SBX_SUBMIT_H_INCLUDED_


#include "sbx.h"
#include "sbx_proto.h"
#include "sbx_schema.h"


/*
 * Checks sub completely and builds the job; NULL with err filled in
 * (400, 422, or 500 when out of memory).
 */
sbx_job_t *sbx_submit_prepare(json_t *sub, sbx_error_t *err);

/*
 * The same under a location's maxima (NULL: none): a limit left out is
 * the language's default clamped to the maximum, one asked above it is
 * 422; the limits resolved are written back into sub, so that the job
 * stored from it runs the same after a restart.
 */
sbx_job_t *sbx_submit_prepare_max(json_t *sub, const sbx_limits_t *max,
    sbx_error_t *err);

/*
 * Reads a frame's "max-<limit>=n" attributes into max (INT64_MAX where
 * there is none).  Returns how many there were, or SBX_ERROR with err
 * filled in (400) for a value that is not a positive integer.
 */
int sbx_submit_max(const sbx_proto_header_t *h, sbx_limits_t *max,
    sbx_error_t *err);

/*
 * A location's job budget, from the frame's "budget-wall_ms=n" and
 * "budget-output_kb=n" attributes: a job whose tests x wall time is over
 * the location's wall budget is refused (422 budget_exceeded), and its
 * output budget is lowered to the location's.  SBX_OK when there is
 * none; SBX_ERROR with err filled in.
 */
int sbx_submit_budget(sbx_job_t *job, const sbx_proto_header_t *h,
    sbx_error_t *err);


#endif /* _SBX_SUBMIT_H_INCLUDED_ */
