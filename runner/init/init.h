
/*
 * sandbox-init: PID 1 of every sandbox container (docs/protocol.md,
 * "Runner <-> sandbox-init").  init is single-threaded: nothing here
 * needs a lock.
 *
 * One subsystem per file:
 *
 *   sandbox_init.c        main: process setup, RUN, the job, the result
 *   init_ctl.c            the control FIFOs: frames in, COMPILED/GO out
 *   init_payload.c        the RUN payload's top level, checked into C
 *   init_payload_steps.c  its commands, limits, checker and tests
 *   init_files.c          the submitted files, written as the program's uid
 *   init_job.c            the job loop: compile, pause, tests, verdicts
 *   init_reset.c          each test from the compiled state: the order,
 *                         leftover processes, wiping the trees, IPC
 *   init_image.c          the compiled state's image: save and load trees
 *   init_result.c         step objects and the one RESULT frame
 *   init_stream.c         live frames while the job runs: status, output
 *                         pieces, each test's verdict
 *   init_run.c            one step: spawn, watch, measure (init_step.h)
 *   init_spawn.c          the step's child: credentials, limits, exec
 *   init_watch.c          its output, deadlines and limits while it runs
 *   init_measure.c        its CPU, wall time and memory
 *   init_meter.c          the cgroup counters and clocks behind them
 *   init_mem.c            memory that forked children never inherit
 *
 * Nothing here is shared with the runner except through common/
 * (frames, base64, checkers, the vocabulary).
 */


#ifndef _SBX_INIT_H_INCLUDED_
#define _SBX_INIT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "sbx_check.h"
#include "sbx_proto.h"
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
#define SBX_INIT_MAX_BUDGET_KB  (1024 * 1024)  /* a job's output budget */

#define SBX_INIT_TICK_MS      5            /* limit checks while polling */
#define SBX_INIT_NOFILE       256
#define SBX_INIT_MAX_STACK    (64 * 1024 * 1024)

#define SBX_INIT_CTL          "/sbx/io/ctl"
#define SBX_INIT_EVT          "/sbx/io/evt"

/* how long init waits for the runner around the COMPILED/GO pause */
#define SBX_INIT_PAUSE_MS     60000

/* how long init waits for the runner's end of evt after RUN; its size */
#define SBX_INIT_CHANNEL_MS   10000
#define SBX_INIT_CHANNEL_PIPE (256 * 1024)

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

    /* output kept of every step, both streams, in all; 0: no budget */
    uint64_t           output_budget;

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
    uint64_t          *output_left;         /* the job's; NULL: no budget */
    long               test;                /* -1: the compile */
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
    unsigned           budget_limit:1;      /* the job's output budget */

    int                exit_code;
    int                signo;

    uint64_t           time_ms;
    uint64_t           wall_time_ms;
    uint64_t           memory_kb;
    uint64_t           start_ns;            /* monotonic: fork, end */
    uint64_t           end_ns;

    sbx_init_buf_t     out;
    sbx_init_buf_t     err;

    /* what init_stream.c has sent of out and err, and when */
    size_t             out_sent;
    size_t             err_sent;
    uint64_t           out_at;
    uint64_t           err_at;

    char               message[384];
} sbx_init_result_t;


/* The control FIFO: bytes read past one frame wait for the next. */
typedef struct {
    int                fd;
    size_t             len;
    char               buf[SBX_PROTO_MAX_HEADER];
} sbx_init_ctl_t;


/* What the RESULT frame is made of, filled in as the job goes. */
typedef struct {
    json_t            *compile;             /* its step, when it ran */
    json_t            *tests;               /* the test steps so far */
    unsigned           has_compile:1;       /* "compile" is in the result */
    char               error[512];          /* "" when none */
} sbx_init_out_t;


/* sandbox_init.c */
void sbx_init_log(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* init_mem.c */
int sbx_init_buf_reserve(sbx_init_buf_t *b, size_t n);
int sbx_init_buf_append(sbx_init_buf_t *b, const void *p, size_t n);
void sbx_init_buf_free(sbx_init_buf_t *b);
void sbx_init_arena_setup(void);
void sbx_init_arena_use(int on);

/* init_ctl.c */
int sbx_init_ctl_open(sbx_init_ctl_t *ctl, char *err, size_t size);
int sbx_init_ctl_read(sbx_init_ctl_t *ctl, char *word, size_t wsize,
    char **body, size_t *blen, size_t max, int timeout_ms, char *err,
    size_t size);
void sbx_init_ctl_close(sbx_init_ctl_t *ctl);
void sbx_init_channel(void);
int sbx_init_pause(sbx_init_ctl_t *ctl, char *err, size_t size);
int sbx_init_send(int fd, const char *word, const u_char *body,
    size_t len);

/* init_payload.c */
int sbx_init_payload(sbx_init_job_t *job, const char *buf, size_t len,
    char *err, size_t size);
void sbx_init_payload_release(sbx_init_job_t *job);
void sbx_init_payload_free(sbx_init_job_t *job);

/* init_files.c */
int sbx_init_write_files(sbx_init_job_t *job, char *err, size_t size);

/* init_job.c */
void sbx_init_job(sbx_init_job_t *job, sbx_init_ctl_t *ctl,
    sbx_init_out_t *out);

/* init_reset.c */
int sbx_init_reset_save(sbx_init_job_t *job, char *err, size_t size);
int sbx_init_reset(sbx_init_job_t *job, char *err, size_t size);
uint64_t sbx_init_reset_bytes(void);

/* init_image.c */
int sbx_init_image_save(int fd, const char *const *tops, size_t ntops,
    char *err, size_t size);
int sbx_init_image_load(int fd, const char *const *tops, size_t ntops,
    char *err, size_t size);

/* init_result.c */
json_t *sbx_init_step_json(sbx_init_result_t *r, sbx_status_e status,
    int compile, const char *limit);
int sbx_init_result(sbx_init_out_t *out);

/* init_stream.c */
void sbx_init_stream_status(const char *status);
void sbx_init_stream_output(sbx_init_step_t *step, sbx_init_result_t *res,
    int all);
void sbx_init_stream_test(size_t test, json_t *step);

/* init_run.c */
int sbx_init_run_step(sbx_init_step_t *step, sbx_init_result_t *res);
void sbx_init_result_free(sbx_init_result_t *res);

/* init_spawn.c */
typedef int (*sbx_init_as_pt)(sbx_init_job_t *job, char *err, size_t size);

int sbx_init_drop(uid_t uid, gid_t gid);
const char *sbx_init_stage(int stage);
int sbx_init_as_program(sbx_init_job_t *job, sbx_init_as_pt fn,
    const char *what, char *err, size_t size);
int sbx_init_fail(char *err, size_t size, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* init_watch.c */
int sbx_init_watch_setup(void);

/* init_meter.c */
void sbx_init_meter_init(void);
int sbx_init_meter_cpu(uint64_t *ns);
int sbx_init_meter_oom(uint64_t *count);
int sbx_init_meter_mem(uint64_t *bytes);
int sbx_init_meter_mine(uint64_t *bytes);
int sbx_init_meter_wall(uint64_t *bytes);
uint64_t sbx_init_meter_self(void);
uint64_t sbx_init_meter_now(void);


#endif /* _SBX_INIT_H_INCLUDED_ */
