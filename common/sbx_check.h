
/*
 * Output checkers: does a program's stdout answer a test?
 *
 * Plain C on PCRE2 with no runner or nginx types, because two programs
 * build it: sandbox-init, which judges every test inside the container
 * right after the run (so the expected outputs never leave init and the
 * program never sees them), and the runner's unit tests.  Outputs are
 * byte strings, never NUL-terminated C strings: a program may print
 * anything, including NUL bytes and invalid UTF-8.
 */


#ifndef _SBX_CHECK_H_INCLUDED_
#define _SBX_CHECK_H_INCLUDED_


#include <stddef.h>

#include "sbx_vocab.h"


#define SBX_CHECK_ACCEPTED      0
#define SBX_CHECK_WRONG         1
#define SBX_CHECK_ERROR        -1

#define SBX_CHECK_DEFAULT_ABS   1e-6
#define SBX_CHECK_DEFAULT_REL   1e-6

/*
 * PCRE2 budgets for one match.  The match limit bounds backtracking time
 * (about 0.1 s here, half of PCRE2's default); the depth and heap limits
 * bound the memory init spends on backtracking frames, which the
 * container's memory cgroup charges next to the program's.
 */
#define SBX_CHECK_MATCH_LIMIT   5000000
#define SBX_CHECK_DEPTH_LIMIT   1000000
#define SBX_CHECK_HEAP_LIMIT_KB 32768

#define SBX_CHECK_MAX_ERROR     256


typedef struct {
    sbx_check_type_e   type;
    double             abs;
    double             rel;

    /* regex only; opaque so this header does not need pcre2.h */
    void              *re;               /* the job's pattern, or NULL */
    void              *mctx;             /* match context with limits */

    char               error[SBX_CHECK_MAX_ERROR];
} sbx_check_t;


/* The type named name[0..len), or -1. */
int sbx_check_type(const char *name, size_t len);

/* The name of a type, e.g. "trimmed". */
const char *sbx_check_type_name(sbx_check_type_e type);

/*
 * Prepares a checker.  For SBX_CHECK_REGEX, pattern (may be NULL) is the
 * job's pattern, compiled once here; without one each test's expected
 * output is the pattern.  abs and rel are the float tolerances.  Returns
 * SBX_CHECK_ERROR with chk->error set (e.g. the PCRE2 message and offset
 * of a pattern that does not compile).
 */
int sbx_check_init(sbx_check_t *chk, sbx_check_type_e type,
    const char *pattern, size_t pattern_len, double abs, double rel);

void sbx_check_free(sbx_check_t *chk);

/*
 * Judges out against exp.  Returns SBX_CHECK_ACCEPTED, SBX_CHECK_WRONG,
 * or SBX_CHECK_ERROR with chk->error set when no verdict can be given
 * (a per-test pattern that does not compile, a regex limit hit).
 */
int sbx_check_run(sbx_check_t *chk, const char *out, size_t out_len,
    const char *exp, size_t exp_len);

/*
 * Compiles and frees a regex pattern, to refuse a bad per-test pattern
 * before anything runs.  Returns SBX_CHECK_ERROR with err filled in.
 */
int sbx_check_pattern_ok(const char *pattern, size_t len, char *err,
    size_t size);

/* The individual comparisons, for the unit tests. */
int sbx_check_exact(const char *out, size_t out_len, const char *exp,
    size_t exp_len);
int sbx_check_trimmed(const char *out, size_t out_len, const char *exp,
    size_t exp_len);
int sbx_check_float(const char *out, size_t out_len, const char *exp,
    size_t exp_len, double abs, double rel);


#endif /* _SBX_CHECK_H_INCLUDED_ */
