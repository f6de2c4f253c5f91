
/*
 * The API result of a job, from sandbox-init's report.
 */


#ifndef _SBX_RESULT_H_INCLUDED_
#define _SBX_RESULT_H_INCLUDED_


#include "sbx.h"


/*
 * The largest result kept: one over it ends as internal_error instead.
 * The job output budget's maximum (sbx_conf.h) keeps every result within
 * it (each byte of output is at most 6 bytes of JSON: "\u0001"), and the
 * store reads back anything this size (sbx_store.c).
 */
#define SBX_RESULT_MAX  (56 * 1024 * 1024)


/*
 * Serializes the result of job: from init's report, or, when init is
 * NULL, an internal_error carrying error.  Sets *status to the final
 * status.  A result over SBX_RESULT_MAX becomes an internal_error
 * saying so.  NULL when out of memory.
 */
char *sbx_result_build(sbx_job_t *job, json_t *init, const char *error,
    sbx_status_e *status, size_t *len);

/* A final status by name; an unknown name is internal_error. */
sbx_status_e sbx_result_status(const char *status);

/*
 * The compiler's output parsed with the language's pattern: an array of
 * {file, line, column, severity, message}.
 */
json_t *sbx_result_diagnostics(sbx_lang_t *lang, const char *text,
    size_t len);


/* Live events (sbx_handover.c): output as text, a test's verdict. */
json_t *sbx_result_text(const unsigned char *p, size_t len);
size_t sbx_result_utf8_whole(const unsigned char *p, size_t len);
json_t *sbx_result_live_test(json_t *step, sbx_job_t *job,
    const unsigned char *err, size_t err_len);


#endif /* _SBX_RESULT_H_INCLUDED_ */
