
/*
 * Output checkers (see sbx_check.h).
 *
 * exact and trimmed compare in place, without copies, because outputs
 * can be as large as a test's output limit and init judges every test.
 * trimmed is Judge0's rule (isolate_job.rb: every line rstripped, then
 * the whole text rstripped), so answers accepted there are accepted here.
 * float compares whitespace-separated tokens; only tokens in plain
 * decimal notation count as numbers, so "0x10", "inf" and "nan" compare
 * as text and cannot be made equal to a number by accident.  regex is
 * PCRE2 with the pattern anchored at both ends, UTF with invalid input
 * allowed (binary output simply does not match) and bounded budgets,
 * so no output can crash or stall the judge.
 */


#define PCRE2_CODE_UNIT_WIDTH  8

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "sbx_check.h"


#define SBX_CHECK_MAX_NUMBER   1024      /* longest token tried as number */

#define SBX_CHECK_RE_OPTIONS   (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF        \
                                | PCRE2_ANCHORED | PCRE2_ENDANCHORED        \
                                | PCRE2_NEVER_BACKSLASH_C)


static size_t sbx_check_rtrim(const char *p, size_t len, int newlines);
static int sbx_check_is_space(int c);
static int sbx_check_next_token(const char *p, size_t len, size_t *pos,
    const char **start, size_t *n);
static int sbx_check_number(const char *p, size_t len, double *value);
static pcre2_code *sbx_check_compile(const char *pattern, size_t len,
    char *err, size_t size);
static int sbx_check_match(sbx_check_t *chk, pcre2_code *re,
    const char *out, size_t out_len);


int
sbx_check_type(const char *name, size_t len)
{
    return sbx_vocab_find(sbx_checker_names, name, len);
}


const char *
sbx_check_type_name(sbx_check_type_e type)
{
    if ((unsigned) type > SBX_CHECK_FLOAT) {
        return "unknown";
    }

    return sbx_checker_names[type];
}


int
sbx_check_init(sbx_check_t *chk, sbx_check_type_e type,
    const char *pattern, size_t pattern_len, double abs, double rel)
{
    pcre2_match_context  *mctx;

    memset(chk, 0, sizeof(sbx_check_t));

    chk->type = type;
    chk->abs = abs;
    chk->rel = rel;

    if ((unsigned) type > SBX_CHECK_FLOAT) {
        snprintf(chk->error, sizeof(chk->error), "unknown checker type");
        return SBX_CHECK_ERROR;
    }

    if (type == SBX_CHECK_FLOAT
        && (!isfinite(abs) || abs < 0 || !isfinite(rel) || rel < 0))
    {
        snprintf(chk->error, sizeof(chk->error),
                 "float tolerances must be finite and not negative");
        return SBX_CHECK_ERROR;
    }

    if (type != SBX_CHECK_REGEX) {
        return SBX_CHECK_ACCEPTED;
    }

    mctx = pcre2_match_context_create(NULL);

    if (mctx == NULL) {
        snprintf(chk->error, sizeof(chk->error), "out of memory");
        return SBX_CHECK_ERROR;
    }

    pcre2_set_match_limit(mctx, SBX_CHECK_MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, SBX_CHECK_DEPTH_LIMIT);
    pcre2_set_heap_limit(mctx, SBX_CHECK_HEAP_LIMIT_KB);

    chk->mctx = mctx;

    if (pattern == NULL) {
        return SBX_CHECK_ACCEPTED;
    }

    chk->re = sbx_check_compile(pattern, pattern_len, chk->error,
                                sizeof(chk->error));

    if (chk->re == NULL) {
        sbx_check_free(chk);
        return SBX_CHECK_ERROR;
    }

    return SBX_CHECK_ACCEPTED;
}


void
sbx_check_free(sbx_check_t *chk)
{
    if (chk->re) {
        pcre2_code_free(chk->re);
        chk->re = NULL;
    }

    if (chk->mctx) {
        pcre2_match_context_free(chk->mctx);
        chk->mctx = NULL;
    }
}


int
sbx_check_run(sbx_check_t *chk, const char *out, size_t out_len,
    const char *exp, size_t exp_len)
{
    int          rc;
    pcre2_code  *re;

    if (out == NULL) {
        out = "";
        out_len = 0;
    }

    if (exp == NULL) {
        exp = "";
        exp_len = 0;
    }

    switch (chk->type) {

    case SBX_CHECK_EXACT:
        return sbx_check_exact(out, out_len, exp, exp_len);

    case SBX_CHECK_TRIMMED:
        return sbx_check_trimmed(out, out_len, exp, exp_len);

    case SBX_CHECK_FLOAT:
        return sbx_check_float(out, out_len, exp, exp_len, chk->abs,
                               chk->rel);

    case SBX_CHECK_REGEX:

        if (chk->mctx == NULL) {
            snprintf(chk->error, sizeof(chk->error),
                     "checker not initialized");
            return SBX_CHECK_ERROR;
        }

        if (chk->re) {
            return sbx_check_match(chk, chk->re, out, out_len);
        }

        re = sbx_check_compile(exp, exp_len, chk->error, sizeof(chk->error));

        if (re == NULL) {
            return SBX_CHECK_ERROR;
        }

        rc = sbx_check_match(chk, re, out, out_len);

        pcre2_code_free(re);

        return rc;

    default:
        break;
    }

    snprintf(chk->error, sizeof(chk->error), "unknown checker type");

    return SBX_CHECK_ERROR;
}


int
sbx_check_pattern_ok(const char *pattern, size_t len, char *err,
    size_t size)
{
    pcre2_code  *re;

    re = sbx_check_compile(pattern, len, err, size);

    if (re == NULL) {
        return SBX_CHECK_ERROR;
    }

    pcre2_code_free(re);

    return SBX_CHECK_ACCEPTED;
}


int
sbx_check_exact(const char *out, size_t out_len, const char *exp,
    size_t exp_len)
{
    if (out_len != exp_len) {
        return SBX_CHECK_WRONG;
    }

    if (out_len && memcmp(out, exp, out_len) != 0) {
        return SBX_CHECK_WRONG;
    }

    return SBX_CHECK_ACCEPTED;
}


/*
 * Equivalent to comparing text.split("\n").map(&:rstrip).join("\n")
 * .rstrip of both sides: the whole-text rstrip (which also eats the
 * newlines of trailing blank lines) is done first, then the remaining
 * lines are compared pairwise, each rstripped.
 */

int
sbx_check_trimmed(const char *out, size_t out_len, const char *exp,
    size_t exp_len)
{
    size_t       i, j, la, lb;
    const char  *a, *b;

    out_len = sbx_check_rtrim(out, out_len, 1);
    exp_len = sbx_check_rtrim(exp, exp_len, 1);

    i = 0;
    j = 0;

    for ( ;; ) {
        a = out_len > i ? memchr(out + i, '\n', out_len - i) : NULL;
        b = exp_len > j ? memchr(exp + j, '\n', exp_len - j) : NULL;

        la = (a ? (size_t) (a - out) : out_len) - i;
        lb = (b ? (size_t) (b - exp) : exp_len) - j;

        la = sbx_check_rtrim(out + i, la, 0);
        lb = sbx_check_rtrim(exp + j, lb, 0);

        if (la != lb || (la && memcmp(out + i, exp + j, la) != 0)) {
            return SBX_CHECK_WRONG;
        }

        if ((a == NULL) != (b == NULL)) {
            return SBX_CHECK_WRONG;
        }

        if (a == NULL) {
            return SBX_CHECK_ACCEPTED;
        }

        i = a - out + 1;
        j = b - exp + 1;
    }
}


int
sbx_check_float(const char *out, size_t out_len, const char *exp,
    size_t exp_len, double abs, double rel)
{
    int          more_a, more_b;
    size_t       i, j, la, lb;
    double       va, vb, diff;
    const char  *a, *b;

    i = 0;
    j = 0;

    for ( ;; ) {
        more_a = sbx_check_next_token(out, out_len, &i, &a, &la);
        more_b = sbx_check_next_token(exp, exp_len, &j, &b, &lb);

        if (more_a != more_b) {
            return SBX_CHECK_WRONG;           /* token counts differ */
        }

        if (!more_a) {
            return SBX_CHECK_ACCEPTED;
        }

        if (sbx_check_number(a, la, &va) && sbx_check_number(b, lb, &vb)) {
            diff = fabs(va - vb);

            /* b is the expected value: rel is relative to it */

            if (!(diff <= abs || diff <= rel * fabs(vb))) {
                return SBX_CHECK_WRONG;
            }

            continue;
        }

        if (la != lb || memcmp(a, b, la) != 0) {
            return SBX_CHECK_WRONG;
        }
    }
}


/* Ruby's rstrip set: NUL, \t, \v, \f, \r, space; \n when asked. */

static size_t
sbx_check_rtrim(const char *p, size_t len, int newlines)
{
    unsigned char  c;

    while (len) {
        c = (unsigned char) p[len - 1];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
            || c == '\0' || (newlines && c == '\n'))
        {
            len--;
            continue;
        }

        break;
    }

    return len;
}


static int
sbx_check_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
           || c == '\f';
}


static int
sbx_check_next_token(const char *p, size_t len, size_t *pos,
    const char **start, size_t *n)
{
    size_t  i, s;

    i = *pos;

    while (i < len && sbx_check_is_space((unsigned char) p[i])) {
        i++;
    }

    if (i == len) {
        *pos = i;
        return 0;
    }

    s = i;

    while (i < len && !sbx_check_is_space((unsigned char) p[i])) {
        i++;
    }

    *start = p + s;
    *n = i - s;
    *pos = i;

    return 1;
}


/*
 * A token is a number when it is entirely [+-]digits[.digits][e[+-]digits]
 * (digits on at least one side of the point) and strtod makes a finite
 * value of all of it.  strtod alone would also take hex, "inf" and "nan",
 * and it needs a NUL-terminated copy anyway.
 */

static int
sbx_check_number(const char *p, size_t len, double *value)
{
    char    buf[SBX_CHECK_MAX_NUMBER + 1], *end;
    size_t  i, digits;

    if (len == 0 || len > SBX_CHECK_MAX_NUMBER) {
        return 0;
    }

    i = 0;
    digits = 0;

    if (p[i] == '+' || p[i] == '-') {
        i++;
    }

    while (i < len && p[i] >= '0' && p[i] <= '9') {
        i++;
        digits++;
    }

    if (i < len && p[i] == '.') {
        i++;

        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
            digits++;
        }
    }

    if (digits == 0) {
        return 0;
    }

    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;

        if (i < len && (p[i] == '+' || p[i] == '-')) {
            i++;
        }

        digits = 0;

        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
            digits++;
        }

        if (digits == 0) {
            return 0;
        }
    }

    if (i != len) {
        return 0;
    }

    memcpy(buf, p, len);
    buf[len] = '\0';

    *value = strtod(buf, &end);

    return end == buf + len && isfinite(*value);
}


static pcre2_code *
sbx_check_compile(const char *pattern, size_t len, char *err, size_t size)
{
    int           code;
    PCRE2_SIZE    offset;
    pcre2_code   *re;
    PCRE2_UCHAR   msg[SBX_CHECK_MAX_ERROR - 48];

    if (pattern == NULL) {
        pattern = "";
        len = 0;
    }

    re = pcre2_compile((PCRE2_SPTR) pattern, len, SBX_CHECK_RE_OPTIONS,
                       &code, &offset, NULL);

    if (re == NULL) {
        if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0) {
            snprintf((char *) msg, sizeof(msg), "error %d", code);
        }

        snprintf(err, size, "regex pattern: %s at offset %zu",
                 (char *) msg, (size_t) offset);
    }

    return re;
}


static int
sbx_check_match(sbx_check_t *chk, pcre2_code *re, const char *out,
    size_t out_len)
{
    int                 rc;
    PCRE2_SIZE         *ov;
    PCRE2_UCHAR         msg[SBX_CHECK_MAX_ERROR - 16];
    pcre2_match_data   *md;

    md = pcre2_match_data_create(1, NULL);

    if (md == NULL) {
        snprintf(chk->error, sizeof(chk->error), "out of memory");
        return SBX_CHECK_ERROR;
    }

    rc = pcre2_match(re, (PCRE2_SPTR) out, out_len, 0, 0, md, chk->mctx);

    if (rc >= 0) {
        ov = pcre2_get_ovector_pointer(md);

        /*
         * With PCRE2_MATCH_INVALID_UTF the engine matches within the
         * valid stretches of the subject, and "end anchored" then means
         * the end of such a stretch, so the span is checked here.
         */

        rc = (ov[0] == 0 && ov[1] == out_len) ? SBX_CHECK_ACCEPTED
                                               : SBX_CHECK_WRONG;

        pcre2_match_data_free(md);

        return rc;
    }

    pcre2_match_data_free(md);

    if (rc == PCRE2_ERROR_NOMATCH) {
        return SBX_CHECK_WRONG;
    }

    if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0) {
        snprintf((char *) msg, sizeof(msg), "error %d", rc);
    }

    snprintf(chk->error, sizeof(chk->error), "regex match: %s",
             (char *) msg);

    return SBX_CHECK_ERROR;
}
