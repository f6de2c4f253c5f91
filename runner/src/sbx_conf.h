
/*
 * Runner configuration: defaults, then a JSON file (--config), then
 * command-line flags, each overriding the one before.  Read once at
 * start-up; read-only afterwards.
 */


#ifndef _SBX_CONF_H_INCLUDED_
#define _SBX_CONF_H_INCLUDED_


#include "sbx.h"


/*
 * The largest job output budget: what a job keeps of its programs'
 * output grows up to sixfold in its result (a control byte is "\u0001";
 * an invalid one U+FFFD and base64), and must fit in SBX_RESULT_MAX
 * (sbx_result.h).
 */
#define SBX_CONF_MAX_OUTPUT_BUDGET  (8 * 1024 * 1024)


struct sbx_conf_s {
    char            *listen;             /* unix:/path, [tcp:]host:port */
    int              socket_mode;
    char            *socket_group;
    int              workers;
    int              queue_size;
    int              retry_after;        /* s, sent with 503 */
    char            *docker_socket;
    char            *languages;          /* path to languages.json */
    char            *init;               /* path to sandbox-init */
    char            *seccomp_profile;    /* path to seccomp.json */
    char            *seccomp;            /* "seccomp=<profile JSON>" */
    char            *state_dir;
    char            *runner_id;          /* container label value */
    char            *log_file;
    int              log_level;
    sbx_msec_t       result_ttl;
    size_t           result_memory;
    size_t           max_frame;          /* largest request body */
    int              max_batch;
    sbx_msec_t       job_wall_budget;    /* tests x wall_time_ms, at most */
    size_t           job_output_budget;  /* bytes of output a job keeps */
    int              uid_base;
    int              uid_count;
    int              container_cpus_milli;
    sbx_msec_t       shutdown_grace;
    sbx_msec_t       read_timeout;       /* from a frame's first byte */
    char            *callback_allow;     /* addresses/networks, or NULL */
    char            *callback_secret_file;
    int              callback_attempts;
    int              callback_backoff_ms;
    sbx_msec_t       callback_timeout;
    char            *warm;               /* "python:2,c:1", or NULL */
    int              test_double;        /* --test-double: no containers */
    char            *pid_file;           /* or NULL */
    int              check;              /* --check: validate and exit */
    char            *tls_certificate;    /* TLS on TCP, with the two below */
    char            *tls_certificate_key;
    char            *tls_client_ca;      /* clients' certificates' CA */
    char            *auth_key_file;      /* frames carry its token */
    int              warm_max;           /* warm boxes at most, 0: auto */
};


extern sbx_conf_t  sbx_conf;


/*
 * Fills sbx_conf from the defaults, the file and the flags.  Returns
 * SBX_OK, SBX_DECLINED when the flags asked for --help or --version (and
 * that was printed), or SBX_ERROR with a message on stderr naming the
 * setting: its flag, or the file and line it was set on.
 */
int sbx_conf_load(int argc, char **argv);
void sbx_conf_free(void);


#endif /* _SBX_CONF_H_INCLUDED_ */
