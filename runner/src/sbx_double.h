
/*
 * The test double (sandbox-runner --test-double): the runner with its
 * execution step swapped for an answer made up from the submission.
 */


#ifndef _SBX_DOUBLE_H_INCLUDED_
#define _SBX_DOUBLE_H_INCLUDED_


#include "sbx.h"
#include "sbx_conn.h"


/* Where a directive is looked for: the main file's first bytes. */
#define SBX_DOUBLE_SCAN      4096
#define SBX_DOUBLE_MARKER    "sandbox-double:"

/* fail=slow_reply without delay_ms: longer than any read timeout */
#define SBX_DOUBLE_SLOW_MS   60000
#define SBX_DOUBLE_MAX_MS    3600000


typedef enum {
    SBX_DOUBLE_FAIL_NONE = 0,
    SBX_DOUBLE_FAIL_RUNNER_ERROR,
    SBX_DOUBLE_FAIL_QUEUE_FULL,
    SBX_DOUBLE_FAIL_SLOW_REPLY,
    SBX_DOUBLE_FAIL_CLOSE
} sbx_double_fail_e;


/* A parsed directive; -1 (or NULL) where the directive says nothing. */

typedef struct {
    int                  verdict;        /* sbx_status_e */
    int                  exit_code;      /* 0-255 */
    char                 signal[16];     /* "SIGSEGV", or "" */
    char                *out;            /* stdout=, malloc()ed */
    size_t               out_len;
    char                *err;            /* stderr= */
    size_t               err_len;
    char                 limit[16];      /* cpu, wall, job_output, or "" */
    int64_t              time_ms;
    int64_t              memory_kb;
    int64_t              delay_ms;
    sbx_double_fail_e    fail;
} sbx_double_t;


/*
 * Reads the directive in text[0..len) (a program's first bytes): the
 * first line, or the second after a "#!" line, holding "sandbox-double:"
 * and then key=value pairs.  SBX_OK with d filled in (all unset when
 * there is no directive), or SBX_ERROR with err saying what is wrong.
 * sbx_double_free() frees what d holds either way.
 */
int sbx_double_parse(const char *text, size_t len, sbx_double_t *d,
    char *err, size_t size);
void sbx_double_free(sbx_double_t *d);

/*
 * On the event thread, for a submission that passed every check: the
 * failure its directive asks for.  runner_error and close are answered
 * here (SBX_DECLINED: the caller drops the job and returns); queue_full
 * sets *busy, for the caller's own queue-full path; slow_reply sets
 * *wait, so that the reply waits for the (long) job.
 */
int sbx_double_admit(sbx_conn_t *c, sbx_job_t *job, int *wait, int *busy);

/*
 * On a worker, in place of the sandbox: the report sandbox-init would
 * have given, made from the job's payload and its directive; NULL with
 * err set when there is none (a directive that does not parse).
 */
json_t *sbx_double_run(sbx_job_t *job, char *err, size_t size);

/* Shutdown's grace is over: delayed jobs end now. */
void sbx_double_abort(void);


#endif /* _SBX_DOUBLE_H_INCLUDED_ */
