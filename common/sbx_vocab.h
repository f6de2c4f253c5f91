
/*
 * The vocabulary shared by the nginx module, sandbox-runner and
 * sandbox-init: the names the API gives to limits, checkers and statuses,
 * the rule a submitted file name follows, and a write that does not stop
 * half way.  Each rule has this one home; a program that needs one of
 * them includes this header instead of spelling it out again.
 *
 * Plain C, no nginx, runner or init types, no library beyond libc.
 */


#ifndef _SBX_VOCAB_H_INCLUDED_
#define _SBX_VOCAB_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/* The limits of one step, in API order; names in sbx_limit_names. */

typedef enum {
    SBX_LIMIT_CPU = 0,                   /* cpu_time_ms */
    SBX_LIMIT_WALL,                      /* wall_time_ms */
    SBX_LIMIT_MEMORY,                    /* memory_kb */
    SBX_LIMIT_PROCESSES,                 /* processes */
    SBX_LIMIT_OUTPUT,                    /* output_kb */
    SBX_LIMIT_FILE_SIZE,                 /* file_size_kb */
    SBX_LIMIT_N
} sbx_limit_e;


/* Output checkers; names in sbx_checker_names. */

typedef enum {
    SBX_CHECK_EXACT = 0,
    SBX_CHECK_TRIMMED,
    SBX_CHECK_REGEX,
    SBX_CHECK_FLOAT,
    SBX_CHECK_N
} sbx_check_type_e;


/*
 * The statuses of a job, a test and a compile step.  The first two are a
 * job's states before it ends; SBX_STATUS_SKIPPED is only ever a test's
 * (after stop_on_failure); every other one ends a job.
 * SBX_STATUS_CANCELLED is only ever the runner's word for a job it was
 * told to cancel, never a test's or init's.
 */

typedef enum {
    SBX_STATUS_QUEUED = 0,
    SBX_STATUS_RUNNING,
    SBX_STATUS_ACCEPTED,
    SBX_STATUS_WRONG_ANSWER,
    SBX_STATUS_TIME_LIMIT,
    SBX_STATUS_MEMORY_LIMIT,
    SBX_STATUS_OUTPUT_LIMIT,
    SBX_STATUS_RUNTIME_ERROR,
    SBX_STATUS_COMPILATION_ERROR,
    SBX_STATUS_INTERNAL_ERROR,
    SBX_STATUS_SKIPPED,
    SBX_STATUS_CANCELLED,
    SBX_STATUS_N
} sbx_status_e;

#define SBX_STATUS_FIRST_FINAL  SBX_STATUS_ACCEPTED


/*
 * A submitted file name: 1 to SBX_NAME_MAX bytes of [A-Za-z0-9._-] in at
 * most two '/'-separated segments, none empty, "." or "..".
 */
#define SBX_NAME_MAX  128


extern const char  *sbx_limit_names[SBX_LIMIT_N + 1];   /* NULL-ended */

/*
 * The largest value a configuration may give each limit (sandbox_limits,
 * the language table): far above any sane job, low enough that a typo
 * of a few extra digits is refused before it reaches a container.
 */
extern const long long  sbx_limit_ceilings[SBX_LIMIT_N];
extern const char  *sbx_checker_names[SBX_CHECK_N + 1];
extern const char  *sbx_status_names[SBX_STATUS_N + 1];


/* The index of name[0..len) in a NULL-ended list, or -1. */
int sbx_vocab_find(const char **names, const char *name, size_t len);

/* 1 when name[0..len) follows the file-name rule above, else 0. */
int sbx_valid_name(const char *name, size_t len);

/*
 * Writes all n bytes, retrying on EINTR and short writes.  Returns n, or
 * -1 with errno set (EAGAIN included: for blocking descriptors).
 */
ssize_t sbx_write_all(int fd, const void *p, size_t n);


#endif /* _SBX_VOCAB_H_INCLUDED_ */
