
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
#include <stdarg.h>
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
    { "pid-file", SBX_CONF_STR, sbx_conf_off(pid_file),
      "file holding the runner's pid while it runs; a second runner "
      "refuses it" },
    { "tls-certificate", SBX_CONF_PATH, sbx_conf_off(tls_certificate),
      "TLS on the TCP listener: this certificate (PEM, with its chain)" },
    { "tls-certificate-key", SBX_CONF_PATH,
      sbx_conf_off(tls_certificate_key),
      "the certificate's private key (PEM)" },
    { "tls-client-ca", SBX_CONF_PATH, sbx_conf_off(tls_client_ca),
      "CA certificates that sign the clients' (nginx's) certificates" },
    { "auth-key-file", SBX_CONF_PATH, sbx_conf_off(auth_key_file),
      "a key only root can read; every request must carry its token" },
    { "warm-max", SBX_CONF_INT, sbx_conf_off(warm_max),
      "warm containers at most, all limit classes together (0: four "
      "times the --warm counts); the pool grows with the arrival rate" },
};


/*
 * Where each setting came from, for errors: 0 for a default or a flag,
 * else its line in the --config file.
 */
static int          sbx_conf_lines[sbx_nelems(sbx_conf_opts)];
static const char  *sbx_conf_path;


sbx_conf_t  sbx_conf;


static void sbx_conf_defaults(void);
static int sbx_conf_file(const char *path);
static int sbx_conf_key_line(const char *text, const char *key);
static int sbx_conf_check(void);
static int sbx_conf_bad(const char *name, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int sbx_conf_seccomp(void);
static int sbx_conf_transport(void);
static int sbx_conf_set(const sbx_conf_opt_t *opt, const char *value,
    json_t *json);
static void sbx_conf_help(const char *prog);
static void sbx_conf_value(const sbx_conf_opt_t *opt, char *buf,
    size_t size);


int
sbx_conf_load(int argc, char **argv)
{
    int            c, i, n, help, version;
    const char    *file;
    struct option  longopts[sbx_nelems(sbx_conf_opts) + 6];

    sbx_conf_defaults();

    n = 0;

    for (i = 0; i < (int) sbx_nelems(sbx_conf_opts); i++) {
        longopts[n].name = sbx_conf_opts[i].name;
        longopts[n].has_arg = required_argument;
        longopts[n].flag = NULL;
        longopts[n].val = 256 + i;
        n++;
    }

    longopts[n++] = (struct option) { "config", required_argument, NULL, 'c' };
    longopts[n++] = (struct option) { "check", no_argument, NULL, 't' };
    longopts[n++] = (struct option) { "help", no_argument, NULL, 'h' };
    longopts[n++] = (struct option) { "version", no_argument, NULL, 'V' };
    longopts[n++] = (struct option) { "test-double", no_argument, NULL, 'D' };
    longopts[n] = (struct option) { NULL, 0, NULL, 0 };

    /* the file first, so that flags override it; --help shows defaults */

    file = NULL;
    help = 0;
    version = 0;
    opterr = 0;

    while ((c = getopt_long(argc, argv, "c:thV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            file = optarg;
            break;
        case 't':
            sbx_conf.check = 1;
            break;
        case 'h':
            help = 1;
            break;
        case 'V':
            version = 1;
            break;
        }
    }

    if (help) {
        sbx_conf_help(argv[0]);
        return SBX_DECLINED;
    }

    if (version) {
        printf("sandbox-runner " SBX_VERSION "\n");
        return SBX_DECLINED;
    }

    if (file != NULL && sbx_conf_file(file) != SBX_OK) {
        return SBX_ERROR;
    }

    optind = 1;
    opterr = 1;

    while ((c = getopt_long(argc, argv, "c:thV", longopts, NULL)) != -1) {

        switch (c) {

        case 'c':
        case 't':
        case 'h':
        case 'V':
            break;

        case 'D':
            sbx_conf.test_double = 1;
            break;

        default:
            if (c < 256 || c >= 256 + (int) sbx_nelems(sbx_conf_opts)) {
                fprintf(stderr, "Try \"%s --help\".\n", argv[0]);
                return SBX_ERROR;
            }

            sbx_conf_lines[c - 256] = 0;

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

    if (sbx_conf_check() != SBX_OK) {
        return SBX_ERROR;
    }

    /* the test double starts no container: no profile to pass on */

    return sbx_conf.test_double ? SBX_OK : sbx_conf_seccomp();
}


static void
sbx_conf_defaults(void)
{
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
}


/* The settings' bounds, and how they hold together. */

static int
sbx_conf_check(void)
{
    if (sbx_conf.workers == 0) {
        sbx_conf.workers = 2 * (int) sysconf(_SC_NPROCESSORS_ONLN);
    }

#define sbx_conf_min(field, name, min)                                      \
    if (sbx_conf.field < min) {                                             \
        return sbx_conf_bad(name, "must be at least %d", min);              \
    }

    sbx_conf_min(queue_size, "queue-size", 1);
    sbx_conf_min(uid_base, "uid-base", 1000);
    sbx_conf_min(uid_count, "uid-count", 1);
    sbx_conf_min(max_batch, "max-batch", 1);
    sbx_conf_min(container_cpus_milli, "container-cpus", 1);
    sbx_conf_min(callback_attempts, "callback-attempts", 1);
    sbx_conf_min(warm_max, "warm-max", 0);

#undef sbx_conf_min

    if (sbx_conf.callback_timeout < 1000) {
        return sbx_conf_bad("callback-timeout", "must be at least 1");
    }

    if (sbx_conf.read_timeout < 1000) {
        return sbx_conf_bad("read-timeout", "must be at least 1");
    }

    /* a result must stay within what the store reads back */

    if (sbx_conf.job_wall_budget < 1000) {
        return sbx_conf_bad("job-wall-budget", "must be at least 1");
    }

    if (sbx_conf.job_output_budget < 1024
        || sbx_conf.job_output_budget > SBX_CONF_MAX_OUTPUT_BUDGET)
    {
        return sbx_conf_bad("job-output-budget", "must be between 1 and %d",
                            SBX_CONF_MAX_OUTPUT_BUDGET / 1024);
    }

    if (sbx_conf_transport() != SBX_OK) {
        return SBX_ERROR;
    }

    if ((size_t) sbx_conf.uid_count < (size_t) sbx_conf.workers) {
        return sbx_conf_bad("uid-count", "must be at least the number of "
                            "workers (%d)", sbx_conf.workers);
    }

    return SBX_OK;
}


/*
 * A setting out of bounds, named where it was set: its line in the
 * --config file, or its flag.  Always SBX_ERROR.
 */

static int
sbx_conf_bad(const char *name, const char *fmt, ...)
{
    int       line;
    char      key[64], *p;
    size_t    i;
    va_list   args;

    line = 0;

    for (i = 0; i < sbx_nelems(sbx_conf_opts); i++) {
        if (strcmp(sbx_conf_opts[i].name, name) == 0) {
            line = sbx_conf_lines[i];
            break;
        }
    }

    if (line > 0) {
        snprintf(key, sizeof(key), "%s", name);

        for (p = key; *p; p++) {
            if (*p == '-') {
                *p = '_';
            }
        }

        fprintf(stderr, "sandbox-runner: %s:%d: \"%s\" ", sbx_conf_path,
                line, key);

    } else {
        fprintf(stderr, "sandbox-runner: --%s ", name);
    }

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);

    fputc('\n', stderr);

    return SBX_ERROR;
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
    int            rc;
    long           len;
    char           name[64], *p, msg[512], *text;
    FILE          *f;
    size_t         i;
    json_t        *root, *v;
    const char    *key;
    json_error_t   jerr;

    sbx_conf_path = path;

    /* read whole first: jansson keeps no positions of keys, the text does */

    text = NULL;
    f = fopen(path, "re");

    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0
        && (text = calloc(1, len + 1)) != NULL
        && fread(text, 1, len, f) != (size_t) len)
    {
        free(text);
        text = NULL;
    }

    if (text == NULL) {
        fprintf(stderr, "sandbox-runner: --config %s: %s\n", path,
                strerror(errno ? errno : EIO));

        if (f != NULL) {
            fclose(f);
        }

        return SBX_ERROR;
    }

    fclose(f);

    root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        sbx_json_error(msg, sizeof(msg), path, &jerr);
        fprintf(stderr, "sandbox-runner: %s\n", msg);
        free(text);
        return SBX_ERROR;
    }

    rc = SBX_OK;

    if (!json_is_object(root)) {
        fprintf(stderr, "sandbox-runner: %s:1: must be a JSON object\n",
                path);
        rc = SBX_ERROR;
    }

    json_object_foreach(root, key, v) {

        if (rc != SBX_OK) {
            break;
        }

        /* the one switch without a value on the command line */

        if (strcmp(key, "test_double") == 0) {
            if (!json_is_boolean(v)) {
                fprintf(stderr, "sandbox-runner: %s:%d: \"test_double\" "
                        "must be true or false\n", path,
                        sbx_conf_key_line(text, key));
                rc = SBX_ERROR;
                break;
            }

            sbx_conf.test_double = json_is_true(v);
            continue;
        }

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
            fprintf(stderr, "sandbox-runner: %s:%d: unknown setting "
                    "\"%s\"\n", path, sbx_conf_key_line(text, key), key);
            rc = SBX_ERROR;
            break;
        }

        sbx_conf_lines[i] = sbx_conf_key_line(text, key);

        if (sbx_conf_set(&sbx_conf_opts[i], NULL, v) != SBX_OK) {
            rc = SBX_ERROR;
        }
    }

    free(text);
    json_decref(root);

    return rc;
}


/*
 * The line of "key": in the file's text, 1 if it cannot be told (the
 * key is written with escapes, or the text could not be read).  Keys
 * are unique (JSON_REJECT_DUPLICATES), so the first "key" followed by
 * a colon is the one.
 */

static int
sbx_conf_key_line(const char *text, const char *key)
{
    int          line;
    size_t       n;
    const char  *p, *q, *c;

    if (text == NULL) {
        return 1;
    }

    n = strlen(key);

    for (p = text; (p = strchr(p, '"')) != NULL; p++) {

        if (strncmp(p + 1, key, n) != 0 || p[n + 1] != '"') {
            continue;
        }

        for (q = p + n + 2; *q == ' ' || *q == '\t' || *q == '\r'
                            || *q == '\n'; q++)
        {
            /* void */
        }

        if (*q != ':') {
            continue;
        }

        line = 1;

        for (c = text; c < p; c++) {
            line += (*c == '\n');
        }

        return line;
    }

    return 1;
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
        return sbx_conf_bad("runner-id", "must be 1 to 64 of "
                            "A-Z a-z 0-9 . _ -");
    }

    n = (sbx_conf.tls_certificate != NULL)
        + (sbx_conf.tls_certificate_key != NULL)
        + (sbx_conf.tls_client_ca != NULL);

    if (n != 0 && n != 3) {
        return sbx_conf_bad("tls-certificate", "goes together with "
                            "tls-certificate-key and tls-client-ca: the "
                            "runner verifies its clients' certificates");
    }

    p = sbx_conf.listen;

    if (n == 3 && strncmp(p, "unix:", 5) == 0) {
        return sbx_conf_bad("listen", "is a UNIX socket: TLS is for a TCP "
                            "listener; a UNIX socket has --socket-mode and "
                            "--auth-key-file");
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
    char          *dir, *text, msg[512];
    json_t        *root, *action, *calls;
    json_error_t   jerr;

    if (sbx_conf.seccomp_profile == NULL) {

        /* beside a table that is not there: that is what to say */

        if (access(sbx_conf.languages, R_OK) == -1) {
            fprintf(stderr, "sandbox-runner: language table \"%s\": %s "
                    "(--languages sets its path; the seccomp profile is "
                    "read beside it unless --seccomp-profile says "
                    "otherwise)\n", sbx_conf.languages, strerror(errno));
            return SBX_ERROR;
        }

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
        sbx_json_error(msg, sizeof(msg), sbx_conf.seccomp_profile, &jerr);
        fprintf(stderr, "sandbox-runner: seccomp profile %s%s\n", msg,
                jerr.line > 0 ? ""
                : " (--seccomp-profile sets it; by default it is "
                  "seccomp.json beside --languages)");
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
                return sbx_conf_bad(opt->name, "\"%s\": %s", value,
                                    strerror(errno));
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

    return sbx_conf_bad(opt->name, "has an invalid value%s%s%s",
                        value ? " \"" : "", value ? value : "",
                        value ? "\"" : "");
}


/* Called before the file and the flags: the values shown are defaults. */

static void
sbx_conf_help(const char *prog)
{
    char    value[256];
    size_t  i;

    printf("Usage: %s [--config FILE] [--OPTION VALUE ...]\n\n"
           "Runs code submissions from ngx_http_sandbox_module, each in a "
           "fresh Docker\ncontainer.  Settings (flags override the JSON "
           "file; its keys are the flag\nnames with '_' for '-'):\n\n",
           prog);

    for (i = 0; i < sbx_nelems(sbx_conf_opts); i++) {
        sbx_conf_value(&sbx_conf_opts[i], value, sizeof(value));
        printf("  --%-21s %s\n  %-23s (default: %s)\n",
               sbx_conf_opts[i].name, sbx_conf_opts[i].help, "", value);
    }

    printf("\n  --%-21s %s\n  --%-21s %s\n  --%-21s %s\n  --%-21s %s\n"
           "  --%-21s %s\n",
           "test-double", "answer without containers or Docker, made up "
           "from each\n                          submission "
           "(docs/testing.md)",
           "config FILE", "read settings from a JSON file",
           "check", "check the settings, the language table and the "
           "seccomp profile, then exit (0: fine)",
           "help", "show this and exit",
           "version", "show the version and exit");

    printf("\nSignals: TERM stops (running jobs get --shutdown-grace, queued "
           "ones wait for\nthe next start), QUIT drains (no new jobs; stops "
           "once every job has ended),\nHUP reopens the log file.\n");
}


/* A setting's current value as --help shows it. */

static void
sbx_conf_value(const sbx_conf_opt_t *opt, char *buf, size_t size)
{
    void  *field;

    field = (char *) &sbx_conf + opt->offset;

    switch (opt->type) {

    case SBX_CONF_STR:
    case SBX_CONF_PATH:
        snprintf(buf, size, "%s", *(char **) field ? *(char **) field
                 : "none");
        break;

    case SBX_CONF_MODE:
        snprintf(buf, size, "%04o", *(int *) field);
        break;

    case SBX_CONF_SEC:
        snprintf(buf, size, "%lld", (long long) (*(sbx_msec_t *) field
                                                 / 1000));
        break;

    case SBX_CONF_MB:
        snprintf(buf, size, "%zu", *(size_t *) field >> 20);
        break;

    case SBX_CONF_KB:
        snprintf(buf, size, "%zu", *(size_t *) field >> 10);
        break;

    case SBX_CONF_LEVEL:
        snprintf(buf, size, "%s", sbx_log_level_name(*(int *) field));
        break;

    default:
        snprintf(buf, size, "%d", *(int *) field);
    }
}
