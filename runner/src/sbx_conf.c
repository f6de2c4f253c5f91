
/*
 * Configuration.
 *
 * One table describes every setting once: its flag, its key in the JSON
 * file (the flag's name with '_' for '-'), its type and its place in
 * sbx_conf_t, so the file and the flags cannot drift apart and --help is
 * generated from the same table.
 *
 * The seccomp profile is read here too, once: every container is created
 * with it, so a runner without a valid one must not start at all.
 */


#define _GNU_SOURCE
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_conf.h"
#include "sbx_log.h"


typedef enum {
    SBX_CONF_STR,
    SBX_CONF_INT,
    SBX_CONF_MODE,                        /* octal */
    SBX_CONF_SEC,                         /* seconds, stored as ms */
    SBX_CONF_MB,                          /* MiB, stored as bytes */
    SBX_CONF_KB,                          /* KiB, stored as bytes */
    SBX_CONF_LEVEL,
    SBX_CONF_PATH                         /* made absolute */
} sbx_conf_type_e;


typedef struct {
    const char       *name;
    sbx_conf_type_e   type;
    size_t            offset;
    const char       *help;
} sbx_conf_opt_t;


#define sbx_conf_off(f)  offsetof(sbx_conf_t, f)

static const sbx_conf_opt_t  sbx_conf_opts[] = {
    { "listen", SBX_CONF_STR, sbx_conf_off(listen),
      "unix:/path, or tcp:host:port (TLS, or plain on loopback only)" },
    { "socket-mode", SBX_CONF_MODE, sbx_conf_off(socket_mode),
      "permissions of the UNIX socket (octal)" },
    { "socket-group", SBX_CONF_STR, sbx_conf_off(socket_group),
      "group of the UNIX socket (nginx's workers must reach it)" },
    { "workers", SBX_CONF_INT, sbx_conf_off(workers),
      "worker threads (containers at once); 0 = cores x 2" },
    { "queue-size", SBX_CONF_INT, sbx_conf_off(queue_size),
      "jobs that may wait; beyond it 503 + Retry-After" },
    { "retry-after", SBX_CONF_INT, sbx_conf_off(retry_after),
      "seconds suggested to clients when the queue is full" },
    { "docker-socket", SBX_CONF_STR, sbx_conf_off(docker_socket),
      "the Docker Engine API socket (the sandbox's own engine)" },
    { "languages", SBX_CONF_PATH, sbx_conf_off(languages),
      "the language table (languages.json)" },
    { "init", SBX_CONF_PATH, sbx_conf_off(init),
      "the static sandbox-init binary mounted into containers" },
    { "seccomp-profile", SBX_CONF_PATH, sbx_conf_off(seccomp_profile),
      "seccomp profile of every container; default: seccomp.json beside "
      "--languages" },
    { "state-dir", SBX_CONF_PATH, sbx_conf_off(state_dir),
      "runner-owned directory for per-container FIFOs and state" },
    { "runner-id", SBX_CONF_STR, sbx_conf_off(runner_id),
      "label value on this runner's containers" },
    { "log-file", SBX_CONF_STR, sbx_conf_off(log_file),
      "log file, or \"stderr\"; SIGHUP reopens it" },
    { "log-level", SBX_CONF_LEVEL, sbx_conf_off(log_level),
      "error, warn, info or debug" },
    { "result-ttl", SBX_CONF_SEC, sbx_conf_off(result_ttl),
      "seconds a finished result stays readable" },
    { "result-memory", SBX_CONF_MB, sbx_conf_off(result_memory),
      "MiB of results kept; the oldest go first beyond it" },
    { "max-request", SBX_CONF_KB, sbx_conf_off(max_frame),
      "KiB of the largest request accepted" },
    { "max-batch", SBX_CONF_INT, sbx_conf_off(max_batch),
      "largest batch accepted" },
    { "job-wall-budget", SBX_CONF_SEC, sbx_conf_off(job_wall_budget),
      "seconds a job's tests may take in all (tests x wall time)" },
    { "job-output-budget", SBX_CONF_KB, sbx_conf_off(job_output_budget),
      "KiB of output a job keeps in all (every test, both streams)" },
    { "uid-base", SBX_CONF_INT, sbx_conf_off(uid_base),
      "first uid given to submitted programs" },
    { "uid-count", SBX_CONF_INT, sbx_conf_off(uid_count),
      "how many uids from uid-base the runner may use" },
    { "container-cpus", SBX_CONF_INT, sbx_conf_off(container_cpus_milli),
      "CPU share of a container, in thousandths of a core" },
    { "shutdown-grace", SBX_CONF_SEC, sbx_conf_off(shutdown_grace),
      "seconds running jobs get to end on SIGTERM" },
    { "read-timeout", SBX_CONF_SEC, sbx_conf_off(read_timeout),
      "seconds a peer may take to send one whole frame" },
    { "callback-allow", SBX_CONF_STR, sbx_conf_off(callback_allow),
      "private addresses or networks callbacks may reach, comma-separated" },
    { "callback-secret-file", SBX_CONF_PATH,
      sbx_conf_off(callback_secret_file),
      "file holding the HMAC key that signs callbacks" },
    { "callback-attempts", SBX_CONF_INT, sbx_conf_off(callback_attempts),
      "tries per callback (connection errors, 5xx, 429)" },
    { "callback-backoff-ms", SBX_CONF_INT, sbx_conf_off(callback_backoff_ms),
      "delay before the second try; doubled after each" },
    { "callback-timeout", SBX_CONF_SEC, sbx_conf_off(callback_timeout),
      "seconds one callback attempt may take" },
    { "warm", SBX_CONF_STR, sbx_conf_off(warm),
      "started containers kept waiting, e.g. python:2,javascript:1" },
    { "tls-certificate", SBX_CONF_PATH, sbx_conf_off(tls_certificate),
      "TLS on the TCP listener: this certificate (PEM, with its chain)" },
    { "tls-certificate-key", SBX_CONF_PATH,
      sbx_conf_off(tls_certificate_key),
      "the certificate's private key (PEM)" },
    { "tls-client-ca", SBX_CONF_PATH, sbx_conf_off(tls_client_ca),
      "CA certificates that sign the clients' (nginx's) certificates" },
    { "auth-key-file", SBX_CONF_PATH, sbx_conf_off(auth_key_file),
      "a key only root can read; every request must carry its token" },
};


sbx_conf_t  sbx_conf;


static int sbx_conf_file(const char *path);
static int sbx_conf_seccomp(void);
static int sbx_conf_transport(void);
static int sbx_conf_set(const sbx_conf_opt_t *opt, const char *value,
    json_t *json);
static void sbx_conf_help(const char *prog);


int
sbx_conf_load(int argc, char **argv)
{
    int            c, i, n;
    const char    *file;
    struct option  longopts[sbx_nelems(sbx_conf_opts) + 4];

    sbx_conf.listen = strdup("unix:/run/sandbox-runner.sock");
    sbx_conf.socket_mode = 0660;
    sbx_conf.workers = 0;
    sbx_conf.queue_size = 100;
    sbx_conf.retry_after = 2;
    sbx_conf.docker_socket = strdup("/run/sandbox-docker.sock");
    sbx_conf.languages = strdup("/etc/sandbox-runner/languages.json");
    sbx_conf.init = strdup("/usr/local/lib/sandbox-runner/sandbox-init");
    sbx_conf.state_dir = strdup("/var/lib/sandbox-runner");
    sbx_conf.runner_id = strdup("default");
    sbx_conf.log_file = strdup("stderr");
    sbx_conf.log_level = SBX_LOG_INFO;
    sbx_conf.result_ttl = 3600 * 1000;
    sbx_conf.result_memory = (size_t) 256 << 20;
    sbx_conf.max_frame = (size_t) 16 << 20;
    sbx_conf.max_batch = 20;
    sbx_conf.job_wall_budget = 300 * 1000;
    sbx_conf.job_output_budget = (size_t) 4 << 20;
    sbx_conf.uid_base = 20000;
    sbx_conf.uid_count = 10000;
    sbx_conf.container_cpus_milli = 1000;
    sbx_conf.shutdown_grace = 30 * 1000;
    sbx_conf.read_timeout = 30 * 1000;
    sbx_conf.callback_attempts = 5;
    sbx_conf.callback_backoff_ms = 1000;
    sbx_conf.callback_timeout = 10 * 1000;

    n = 0;

    for (i = 0; i < (int) sbx_nelems(sbx_conf_opts); i++) {
        longopts[n].name = sbx_conf_opts[i].name;
        longopts[n].has_arg = required_argument;
        longopts[n].flag = NULL;
        longopts[n].val = 256 + i;
        n++;
    }

    longopts[n++] = (struct option) { "config", required_argument, NULL, 'c' };
    longopts[n++] = (struct option) { "help", no_argument, NULL, 'h' };
    longopts[n++] = (struct option) { "version", no_argument, NULL, 'V' };
    longopts[n] = (struct option) { NULL, 0, NULL, 0 };

    /* the file first, so that flags override it */

    file = NULL;
    opterr = 0;

    while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
        if (c == 'c') {
            file = optarg;
        }
    }

    if (file != NULL && sbx_conf_file(file) != SBX_OK) {
        return SBX_ERROR;
    }

    optind = 1;
    opterr = 1;

    while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {

        switch (c) {

        case 'c':
            break;

        case 'h':
            sbx_conf_help(argv[0]);
            return SBX_DECLINED;

        case 'V':
            printf("sandbox-runner " SBX_VERSION "\n");
            return SBX_DECLINED;

        default:
            if (c < 256 || c >= 256 + (int) sbx_nelems(sbx_conf_opts)) {
                fprintf(stderr, "Try \"%s --help\".\n", argv[0]);
                return SBX_ERROR;
            }

            if (sbx_conf_set(&sbx_conf_opts[c - 256], optarg, NULL)
                != SBX_OK)
            {
                return SBX_ERROR;
            }
        }
    }

    if (optind < argc) {
        fprintf(stderr, "sandbox-runner: unexpected argument \"%s\"\n",
                argv[optind]);
        return SBX_ERROR;
    }

    if (sbx_conf.workers == 0) {
        sbx_conf.workers = 2 * (int) sysconf(_SC_NPROCESSORS_ONLN);
    }

    if (sbx_conf.workers < 1 || sbx_conf.queue_size < 1
        || sbx_conf.uid_base < 1000 || sbx_conf.uid_count < 1
        || sbx_conf.max_batch < 1 || sbx_conf.container_cpus_milli < 1
        || sbx_conf.callback_attempts < 1 || sbx_conf.callback_timeout < 1)
    {
        fprintf(stderr, "sandbox-runner: workers, queue-size, uid-count, "
                "max-batch, container-cpus, callback-attempts and "
                "callback-timeout must be >= 1, uid-base >= 1000\n");
        return SBX_ERROR;
    }

    /* a result must stay within what the store reads back */

    if (sbx_conf.job_wall_budget < 1000 || sbx_conf.job_output_budget < 1024
        || sbx_conf.job_output_budget > SBX_CONF_MAX_OUTPUT_BUDGET)
    {
        fprintf(stderr, "sandbox-runner: job-wall-budget must be >= 1, "
                "job-output-budget between 1 and %d\n",
                SBX_CONF_MAX_OUTPUT_BUDGET / 1024);
        return SBX_ERROR;
    }

    if (sbx_conf.read_timeout < 1) {
        fprintf(stderr, "sandbox-runner: read-timeout must be >= 1\n");
        return SBX_ERROR;
    }

    if (sbx_conf_transport() != SBX_OK) {
        return SBX_ERROR;
    }

    if ((size_t) sbx_conf.uid_count < (size_t) sbx_conf.workers) {
        fprintf(stderr, "sandbox-runner: uid-count must be at least the "
                "number of workers\n");
        return SBX_ERROR;
    }

    return sbx_conf_seccomp();
}


void
sbx_conf_free(void)
{
    size_t  i;

    free(sbx_conf.seccomp);

    for (i = 0; i < sbx_nelems(sbx_conf_opts); i++) {
        if (sbx_conf_opts[i].type == SBX_CONF_STR
            || sbx_conf_opts[i].type == SBX_CONF_PATH)
        {
            free(*(char **) ((char *) &sbx_conf + sbx_conf_opts[i].offset));
        }
    }

    memset(&sbx_conf, 0, sizeof(sbx_conf_t));
}


static int
sbx_conf_file(const char *path)
{
    size_t         i;
    char           name[64], *p;
    json_t        *root, *v;
    const char    *key;
    json_error_t   jerr;

    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        fprintf(stderr, "sandbox-runner: %s: line %d: %s\n",
                path, jerr.line, jerr.text);
        return SBX_ERROR;
    }

    if (!json_is_object(root)) {
        fprintf(stderr, "sandbox-runner: %s: must be a JSON object\n", path);
        json_decref(root);
        return SBX_ERROR;
    }

    json_object_foreach(root, key, v) {

        for (i = 0; i < sbx_nelems(sbx_conf_opts); i++) {
            snprintf(name, sizeof(name), "%s", sbx_conf_opts[i].name);

            for (p = name; *p; p++) {
                if (*p == '-') {
                    *p = '_';
                }
            }

            if (strcmp(name, key) == 0) {
                break;
            }
        }

        if (i == sbx_nelems(sbx_conf_opts)) {
            fprintf(stderr, "sandbox-runner: %s: unknown setting \"%s\"\n",
                    path, key);
            json_decref(root);
            return SBX_ERROR;
        }

        if (sbx_conf_set(&sbx_conf_opts[i], NULL, v) != SBX_OK) {
            json_decref(root);
            return SBX_ERROR;
        }
    }

    json_decref(root);

    return SBX_OK;
}


/*
 * The runner id names the runner in every reply (runner=) and metric:
 * printable, no space.  TLS needs its three files together, and a TCP
 * listener (a UNIX socket has its mode and the shared key instead).
 */

static int
sbx_conf_transport(void)
{
    size_t       n;
    const char  *p;

    n = strlen(sbx_conf.runner_id);

    if (n == 0 || n > 64
        || strspn(sbx_conf.runner_id, "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
    {
        fprintf(stderr, "sandbox-runner: runner-id must be 1 to 64 of "
                "A-Z a-z 0-9 . _ -\n");
        return SBX_ERROR;
    }

    n = (sbx_conf.tls_certificate != NULL)
        + (sbx_conf.tls_certificate_key != NULL)
        + (sbx_conf.tls_client_ca != NULL);

    if (n != 0 && n != 3) {
        fprintf(stderr, "sandbox-runner: tls-certificate, "
                "tls-certificate-key and tls-client-ca go together: "
                "the runner verifies its clients' certificates\n");
        return SBX_ERROR;
    }

    p = sbx_conf.listen;

    if (n == 3 && strncmp(p, "unix:", 5) == 0) {
        fprintf(stderr, "sandbox-runner: TLS is for a TCP listener; a "
                "UNIX socket has --socket-mode and --auth-key-file\n");
        return SBX_ERROR;
    }

    return SBX_OK;
}


/*
 * Reads the seccomp profile (by default seccomp.json in the language
 * table's directory) and keeps it as the SecurityOpt the Engine API takes:
 * "seccomp=" and the profile's JSON itself.  Only the outline is checked
 * here; dockerd checks the rest when the first container is created.
 */

static int
sbx_conf_seccomp(void)
{
    int            n;
    char          *dir, *text;
    json_t        *root, *action, *calls;
    json_error_t   jerr;

    if (sbx_conf.seccomp_profile == NULL) {
        dir = strdup(sbx_conf.languages);

        if (dir == NULL) {
            return SBX_ERROR;
        }

        n = asprintf(&sbx_conf.seccomp_profile, "%s/seccomp.json",
                     dirname(dir));
        free(dir);

        if (n == -1) {
            sbx_conf.seccomp_profile = NULL;
            return SBX_ERROR;
        }
    }

    root = json_load_file(sbx_conf.seccomp_profile, JSON_REJECT_DUPLICATES,
                          &jerr);

    if (root == NULL) {
        fprintf(stderr, "sandbox-runner: seccomp profile %s: line %d: %s\n",
                sbx_conf.seccomp_profile, jerr.line, jerr.text);
        return SBX_ERROR;
    }

    action = json_object_get(root, "defaultAction");
    calls = json_object_get(root, "syscalls");

    if (!json_is_string(action) || !json_is_array(calls)) {
        fprintf(stderr, "sandbox-runner: seccomp profile %s: not a profile "
                "(needs \"defaultAction\" and \"syscalls\")\n",
                sbx_conf.seccomp_profile);
        json_decref(root);
        return SBX_ERROR;
    }

    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);

    if (text == NULL) {
        return SBX_ERROR;
    }

    n = asprintf(&sbx_conf.seccomp, "seccomp=%s", text);
    free(text);

    if (n == -1) {
        sbx_conf.seccomp = NULL;
        return SBX_ERROR;
    }

    return SBX_OK;
}


/* Sets one option from a flag's text or a JSON value. */

static int
sbx_conf_set(const sbx_conf_opt_t *opt, const char *value, json_t *json)
{
    int         level;
    char       *end, **sp, *abs;
    void       *field;
    long long   n;

    field = (char *) &sbx_conf + opt->offset;

    if (json != NULL) {

        if (json_is_string(json)) {
            value = json_string_value(json);

        } else if (json_is_integer(json)
                   && opt->type != SBX_CONF_STR
                   && opt->type != SBX_CONF_PATH
                   && opt->type != SBX_CONF_LEVEL
                   && opt->type != SBX_CONF_MODE)
        {
            n = json_integer_value(json);
            goto number;

        } else {
            goto invalid;
        }
    }

    switch (opt->type) {

    case SBX_CONF_STR:
    case SBX_CONF_PATH:
        sp = field;

        if (opt->type == SBX_CONF_PATH && value[0] != '/') {
            abs = realpath(value, NULL);

            if (abs == NULL) {
                fprintf(stderr, "sandbox-runner: --%s: \"%s\": %s\n",
                        opt->name, value, strerror(errno));
                return SBX_ERROR;
            }

        } else {
            abs = strdup(value);
        }

        free(*sp);
        *sp = abs;

        return *sp ? SBX_OK : SBX_ERROR;

    case SBX_CONF_LEVEL:
        level = sbx_log_level_by_name(value);

        if (level < 0) {
            goto invalid;
        }

        *(int *) field = level;
        return SBX_OK;

    case SBX_CONF_MODE:
        errno = 0;
        n = strtoll(value, &end, 8);

        if (errno || *end || end == value || n < 0 || n > 0777) {
            goto invalid;
        }

        *(int *) field = (int) n;
        return SBX_OK;

    default:
        errno = 0;
        n = strtoll(value, &end, 10);

        if (errno || *end || end == value) {
            goto invalid;
        }

        break;
    }

number:

    if (n < 0 || n > INT_MAX) {
        goto invalid;
    }

    switch (opt->type) {

    case SBX_CONF_SEC:
        *(sbx_msec_t *) field = (sbx_msec_t) n * 1000;
        break;

    case SBX_CONF_MB:
        *(size_t *) field = (size_t) n << 20;
        break;

    case SBX_CONF_KB:
        *(size_t *) field = (size_t) n << 10;
        break;

    default:
        *(int *) field = (int) n;
    }

    return SBX_OK;

invalid:

    fprintf(stderr, "sandbox-runner: invalid value for \"%s\"\n", opt->name);

    return SBX_ERROR;
}


static void
sbx_conf_help(const char *prog)
{
    size_t  i;

    printf("Usage: %s [--config FILE] [--OPTION VALUE ...]\n\n"
           "Runs code submissions from ngx_http_sandbox_module, each in a "
           "fresh Docker\ncontainer.  Settings (flags override the JSON "
           "file; its keys are the flag\nnames with '_' for '-'):\n\n",
           prog);

    for (i = 0; i < sbx_nelems(sbx_conf_opts); i++) {
        printf("  --%-21s %s\n", sbx_conf_opts[i].name, sbx_conf_opts[i].help);
    }

    printf("  --%-21s %s\n  --%-21s %s\n  --%-21s %s\n",
           "config FILE", "read settings from a JSON file",
           "help", "show this and exit",
           "version", "show the version and exit");
}
