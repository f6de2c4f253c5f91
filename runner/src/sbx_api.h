
/*
 * The protocol's verbs (docs/protocol.md), on the event thread.
 */


#ifndef _SBX_API_H_INCLUDED_
#define _SBX_API_H_INCLUDED_


#include "sbx.h"
#include "sbx_proto.h"
#include "sbx_conn.h"


void sbx_api_request(sbx_conn_t *c, sbx_proto_header_t *h,
    const char *body, size_t len);

/* Answers a connection that waited for job. */
void sbx_api_answer(sbx_conn_t *c, sbx_job_t *job);

/* 202 with the job's id: it is queued (and the client need not wait). */
void sbx_api_queued(sbx_conn_t *c, sbx_job_t *job);

/*
 * Cancels job, why saying by whom ("by a DELETE request"): SBX_OK when
 * it is cancelled (ended now if it was queued, else its container is
 * being killed), SBX_DECLINED when it had finished already.
 */
int sbx_api_cancel_job(sbx_job_t *job, const char *why);


#endif /* _SBX_API_H_INCLUDED_ */
