
/*
 * Fuzz target: the output checkers (common/sbx_check.c) on a program's
 * output, which may be anything.  The first byte picks the checker, and
 * the rest is split at the first two NUL bytes into the output, the
 * expected output and, for regex, a job-wide pattern.  A regex runs with
 * the PCRE2 limits sandbox-init uses, so a catastrophic pattern must end
 * as an error, not hang (libFuzzer's -timeout reports a hang).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_check.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                rc;
    char              *buf, *p, *end, *out, *exp, *pat;
    size_t             out_len, exp_len, pat_len;
    sbx_check_t        chk;
    sbx_check_type_e   type;

    if (size < 1) {
        return 0;
    }

    type = (sbx_check_type_e) (data[0] % (SBX_CHECK_N + 1));

    buf = malloc(size);
    if (buf == NULL) {
        return 0;
    }

    memcpy(buf, data + 1, size - 1);
    end = buf + size - 1;

    out = buf;
    p = memchr(out, '\0', end - out);
    out_len = (p ? p : end) - out;

    exp = p ? p + 1 : end;
    p = memchr(exp, '\0', end - exp);
    exp_len = (p ? p : end) - exp;

    pat = p ? p + 1 : NULL;
    pat_len = pat ? (size_t) (end - pat) : 0;

    if (type == SBX_CHECK_N) {

        /* the comparisons on their own, and a per-test pattern's check */

        (void) sbx_check_exact(out, out_len, exp, exp_len);
        (void) sbx_check_trimmed(out, out_len, exp, exp_len);
        (void) sbx_check_float(out, out_len, exp, exp_len,
                               SBX_CHECK_DEFAULT_ABS, SBX_CHECK_DEFAULT_REL);
        (void) sbx_check_pattern_ok(exp, exp_len, chk.error,
                                    sizeof(chk.error));
        free(buf);
        return 0;
    }

    if (sbx_check_init(&chk, type, pat, pat_len, SBX_CHECK_DEFAULT_ABS,
                       SBX_CHECK_DEFAULT_REL)
        != SBX_CHECK_ERROR)
    {
        rc = sbx_check_run(&chk, out, out_len, exp, exp_len);

        if (rc != SBX_CHECK_ACCEPTED && rc != SBX_CHECK_WRONG
            && rc != SBX_CHECK_ERROR)
        {
            abort();
        }
    }

    sbx_check_free(&chk);
    free(buf);

    return 0;
}
