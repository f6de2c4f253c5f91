
/*
 * The RUN payload's checks, shared by its two files only: init_payload.c
 * (the top level, files, and these helpers) and init_payload_steps.c
 * (commands, limits, checker, tests); hence their sbx_payload_ prefix.
 * Every check writes its message to err and returns SBX_INIT_ERROR, or
 * returns SBX_INIT_OK.
 */


#ifndef _SBX_INIT_PAYLOAD_H_INCLUDED_
#define _SBX_INIT_PAYLOAD_H_INCLUDED_


#include <jansson.h>

#include "init.h"


/* in a check with err and size in scope: the message, then return */
#define sbx_payload_fail(...)                                          \
    do {                                                                    \
        snprintf(err, size, __VA_ARGS__);                                   \
        return SBX_INIT_ERROR;                                              \
    } while (0)


/* init_payload.c */
int sbx_payload_keys(json_t *obj, const char **keys, const char *what,
    char *err, size_t size);
int sbx_payload_object(json_t *v, const char **keys, const char *what,
    ssize_t index, char *err, size_t size);
int sbx_payload_strings(json_t *v, const char *what, size_t min,
    size_t max, int env, char ***out, char *err, size_t size);
ssize_t sbx_payload_b64(json_t *v, const char *what, size_t index,
    char *err, size_t size);

/* init_payload_steps.c */
int sbx_payload_cmd(json_t *v, const char *what, sbx_init_cmd_t *cmd,
    char *err, size_t size);
int sbx_payload_checker(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);
int sbx_payload_tests(sbx_init_job_t *job, json_t *v, char *err,
    size_t size);


#endif /* _SBX_INIT_PAYLOAD_H_INCLUDED_ */
