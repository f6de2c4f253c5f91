
/*
 * sandbox-init: PID 1 of every sandbox container (docs/protocol.md,
 * "Runner <-> sandbox-init").
 *
 * The files split by concern: sandbox_init.c is the job (FIFOs, frames,
 * result), init_payload.c turns the RUN payload into checked C values,
 * init_run.c runs one step (compile or test) as an unprivileged child and
 * enforces its limits, init_meter.c reads the clocks and counters that
 * the verdicts rest on.  Nothing here is shared with the runner except
 * through common/ (frames, base64, checkers, the vocabulary).
 */


#ifndef _SBX_INIT_H_INCLUDED_
#define _SBX_INIT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx_check.h"
#include "sbx_vocab.h"


#define SBX_INIT_OK            0
#define SBX_INIT_ERROR        -1

#define SBX_INIT_MAX_PAYLOAD  (64 * 1024 * 1024)
#define SBX_INIT_MAX_TESTS    4096
#define SBX_INIT_MAX_FILES    256
#define SBX_INIT_MAX_ARGV     1024
#define SBX_INIT_MAX_ENV      256
#define SBX_INIT_MAX_STRING   65536        /* one argv or env entry */
#define SBX_INIT_MAX_PATH     255

#define SBX_INIT_TICK_MS      5            /* limit checks while polling */
#define SBX_INIT_NOFILE       256
#define SBX_INIT_MAX_STACK    (64 * 1024 * 1024)

#define SBX_INIT_CTL          "/sbx/io/ctl"
#define SBX_INIT_EVT          "/sbx/io/evt"

/* how long init waits for the runner around the COMPILED/GO pause */
#define SBX_INIT_PAUSE_MS     60000

/* how long init tries to get rid of a step's processes */
#define SBX_INIT_REAP_MS      10000


/*
 * A growable byte buffer outside the malloc heap, marked MADV_DONTFORK:
 * test data, captured output and the result are never copied into a
 * forked child, so the child's peak RSS (which the kernel carries over
 * into the program's ru_maxrss across exec) stays that of a small init.
 */
typedef struct {
    u_char            *data;
    size_t             len;
    size_t             size;
} sbx_init_buf_t;


typedef struct {
    uint64_t           cpu_time_ms;
    uint64_t           wall_time_ms;
    uint64_t           memory_kb;
    uint64_t           processes;
    uint64_t           output_kb;
    uint64_t           file_size_kb;
} sbx_init_limits_t;


typedef struct {
    char             **argv;
    sbx_init_limits_t  limits;
} sbx_init_cmd_t;


typedef struct {
    size_t             stdin_off;
    size_t             stdin_len;
    size_t             expected_off;
    size_t             expected_len;
    unsigned           has_expected:1;
} sbx_init_test_t;


typedef struct {
    char               name[SBX_INIT_MAX_PATH + 1];
    const char        *data;               /* base64, in the JSON tree */
    size_t             len;
} sbx_init_file_t;


typedef struct {
    void              *root;               /* the JSON tree, until release */
    uid_t              uid;
    gid_t              gid;
    char              *workdir;
    char             **env;

    sbx_init_file_t   *files;
    size_t             nfiles;

    sbx_init_cmd_t     compile;
    sbx_init_cmd_t     run;
    unsigned           pause_after_compile;
    unsigned           stop_on_failure;
    unsigned           has_compile:1;
    unsigned           regex_pattern:1;    /* checker.pattern given */

    sbx_init_test_t   *tests;
    size_t             ntests;
    sbx_init_buf_t     store;               /* decoded stdin + expected */

    sbx_check_t        check;
} sbx_init_job_t;


/* One step to run: the compile or one test. */
typedef struct {
    char *const       *argv;
    char *const       *env;
    const char        *workdir;
    uid_t              uid;
    gid_t              gid;
    sbx_init_limits_t *limits;
    const u_char      *stdin_data;          /* NULL: /dev/null */
    size_t             stdin_len;
} sbx_init_step_t;


typedef struct {
    unsigned           failed:1;            /* init's own failure */
    unsigned           exec_failed:1;       /* argv[0] could not run */
    unsigned           exited:1;
    unsigned           output_limit:1;
    unsigned           cpu_limit:1;
    unsigned           wall_limit:1;
    unsigned           memory_limit:1;
    unsigned           out_truncated:1;
    unsigned           err_truncated:1;

    int                exit_code;
    int                signo;

    uint64_t           time_ms;
    uint64_t           wall_time_ms;
    uint64_t           memory_kb;

    sbx_init_buf_t     out;
    sbx_init_buf_t     err;

    char               message[384];
} sbx_init_result_t;


/* sandbox_init.c */
void sbx_init_log(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

int sbx_init_buf_reserve(sbx_init_buf_t *b, size_t n);
int sbx_init_buf_append(sbx_init_buf_t *b, const void *p, size_t n);
void sbx_init_buf_free(sbx_init_buf_t *b);

/* init_payload.c */
int sbx_init_payload(sbx_init_job_t *job, const char *buf, size_t len,
    char *err, size_t size);
void sbx_init_payload_release(sbx_init_job_t *job);
void sbx_init_payload_free(sbx_init_job_t *job);

/* init_run.c */
int sbx_init_run_setup(void);
int sbx_init_write_files(sbx_init_job_t *job, char *err, size_t size);
int sbx_init_run_step(sbx_init_step_t *step, sbx_init_result_t *res);
void sbx_init_result_free(sbx_init_result_t *res);

/* init_meter.c */
void sbx_init_meter_init(void);
int sbx_init_meter_cpu(uint64_t *ns);
int sbx_init_meter_oom(uint64_t *count);
int sbx_init_meter_anon(uint64_t *bytes);
uint64_t sbx_init_meter_self(void);
uint64_t sbx_init_meter_now(void);


#endif /* _SBX_INIT_H_INCLUDED_ */
