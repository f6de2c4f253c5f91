
/*
 * The runner's half of the hand-over to sandbox-init (sbx_handover.c):
 * over a box's FIFOs (made by sbx_boxdir.c) the payload, the live
 * frames, the pause after compiling and init's result frame.
 */


#ifndef _SBX_HANDOVER_H_INCLUDED_
#define _SBX_HANDOVER_H_INCLUDED_


#include "sbx.h"
#include "sbx_box.h"
#include "sbx_job.h"


#define SBX_HANDOVER_START_MS   10000    /* for init to come up */
#define SBX_HANDOVER_STEP_SLACK 5000     /* a step's wall time and this */

/*
 * The most a box's channel may bring, for a result of up to cap bytes:
 * the result, the live pieces of the same output (base64: up to twice
 * as much again) and the live frames' headers (init sends at most 2048
 * pieces a job besides each step's last).
 */
#define sbx_handover_log_max(cap)  (3 * (size_t) (cap) + (2 << 20))


/*
 * Opens the ctl FIFO for writing, trying for patience ms.  That succeeds
 * only while init has its end open for reading.
 */
int sbx_handover_open(sbx_box_t *box, sbx_msec_t patience);

/* Writes the job's payload to init. */
int sbx_handover_send(sbx_box_t *box, char *err, size_t size);

/*
 * Waits for init's COMPILED frame on evt.  SBX_OK, SBX_AGAIN on timeout,
 * SBX_DECLINED when init ended without pausing, SBX_ERROR otherwise.
 */
int sbx_handover_compiled(sbx_box_t *box, sbx_msec_t deadline);

/* Lets init go on after the pause. */
int sbx_handover_resume(sbx_box_t *box, sbx_msec_t deadline, char *err,
    size_t size);

/*
 * Init's result object, read from evt; NULL with the reason in err.
 */
json_t *sbx_handover_result(sbx_box_t *box, char *err, size_t size);


/*
 * The reader of init's live frames, which sbx_handover_result() feeds
 * with evt as it comes (and fuzz/handover.c with anything): the
 * bytes of a UTF-8 sequence cut at the end of a piece, per stream, wait
 * for the next piece of the same step; the start of the test's stderr
 * is kept for its TEST frame, which the language's memory_error pattern
 * may remap as the result will.
 */
typedef struct {
    sbx_job_t          *job;
    long                step;               /* -1: the compile */
    size_t              carry_len[2];
    unsigned char       carry[2][4];
    long                err_step;
    sbx_buf_t           err;                /* at most ..._ERR_MAX */
    unsigned            pause:1;            /* COMPILED is awaited */
    unsigned            compiled:1;         /* and came */
} sbx_handover_live_t;

void sbx_handover_live_init(sbx_handover_live_t *live, sbx_job_t *job);

/*
 * Publishes the live frames that are whole at the front of out as the
 * job's events and takes them off; 1 once what is left is the whole
 * RESULT frame, or cannot become one; 0 while more is needed.
 */
int sbx_handover_frames(sbx_handover_live_t *live, sbx_buf_t *out);

/* What waits of a cut UTF-8 sequence is published; the state is freed. */
void sbx_handover_live_end(sbx_handover_live_t *live);


#endif /* _SBX_HANDOVER_H_INCLUDED_ */
