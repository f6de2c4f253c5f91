
/*
 * The Judge0 CE 1.13 dialect (see sbx_dialect_judge0.h).
 *
 * Judge0 validates a submission with Rails (app/models/submission.rb):
 * a refused field answers 422 {"<field>": ["<message>"]}; other
 * refusals are {"error": "<message>"}.  Its submission object has fixed
 * field names, decimals as strings ("time": "0.012"), memory in KB,
 * empty outputs as null, and, with base64_encoded=true, stdout, stderr,
 * compile_output and message in base64.  Its statuses are numbered
 * (app/enumerations/status.rb) and a run-time error is told apart by
 * the signal that ended it.
 */


#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_base64.h"
#include "sbx_dialect_judge0.h"


/*
 * Judge0 CE 1.13's language ids (db/languages/active.rb) that the
 * runner's languages cover.  The first entry of a language is the one
 * GET …/languages lists; the others (older compilers, Clang) are
 * accepted and run by the same language.
 */

static const struct {
    int          id;
    const char  *lang;
    const char  *name;                   /* %s: the runner's version */
} sbx_judge0_langs[] = {
    { 46, "bash", "Bash (%s)" },
    { 50, "c", "C (GCC %s)" },
    { 48, "c", NULL },
    { 49, "c", NULL },
    { 75, "c", NULL },
    { 51, "csharp", "C# (Mono %s)" },
    { 54, "cpp", "C++ (GCC %s)" },
    { 52, "cpp", NULL },
    { 53, "cpp", NULL },
    { 76, "cpp", NULL },
    { 60, "go", "Go (%s)" },
    { 61, "haskell", "Haskell (GHC %s)" },
    { 62, "java", "Java (OpenJDK %s)" },
    { 63, "javascript", "JavaScript (Node.js %s)" },
    { 78, "kotlin", "Kotlin (%s)" },
    { 64, "lua", "Lua (%s)" },
    { 85, "perl", "Perl (%s)" },
    { 68, "php", "PHP (%s)" },
    { 71, "python", "Python (%s)" },
    { 72, "ruby", "Ruby (%s)" },
    { 73, "rust", "Rust (%s)" },
    { 74, "typescript", "TypeScript (%s)" },
    { 45, "nasm", "Assembly (NASM %s)" },
    { 55, "commonlisp", "Common Lisp (SBCL %s)" },
    { 56, "d", "D (GDC %s)" },
    { 57, "elixir", "Elixir (%s)" },
    { 58, "erlang", "Erlang (OTP %s)" },
    { 59, "fortran", "Fortran (GFortran %s)" },
    { 65, "ocaml", "OCaml (%s)" },
    { 66, "octave", "Octave (%s)" },
    { 67, "pascal", "Pascal (FPC %s)" },
    { 69, "prolog", "Prolog (SWI-Prolog %s)" },
    { 77, "cobol", "COBOL (GnuCOBOL %s)" },
    { 79, "objectivec", "Objective-C (GCC %s)" },
    { 80, "r", "R (%s)" },
    { 81, "scala", "Scala (%s)" },
    { 82, "sqlite", "SQL (SQLite %s)" },
    { 86, "clojure", "Clojure (%s)" },
    { 88, "groovy", "Groovy (%s)" },
    { 0, NULL, NULL }
};


/* app/enumerations/status.rb */

static const char  *sbx_judge0_status_names[] = {
    NULL,
    "In Queue",
    "Processing",
    "Accepted",
    "Wrong Answer",
    "Time Limit Exceeded",
    "Compilation Error",
    "Runtime Error (SIGSEGV)",
    "Runtime Error (SIGXFSZ)",
    "Runtime Error (SIGFPE)",
    "Runtime Error (SIGABRT)",
    "Runtime Error (NZEC)",
    "Runtime Error (Other)",
    "Internal Error",
    "Exec Format Error"
};

#define SBX_JUDGE0_STATUSES  14


/* the submission serializer's attributes, in its order: fields= bits */

static const char  *sbx_judge0_field_names[] = {
    "source_code", "language_id", "stdin", "expected_output", "stdout",
    "status_id", "created_at", "finished_at", "time", "memory", "stderr",
    "token", "number_of_runs", "cpu_time_limit", "cpu_extra_time",
    "wall_time_limit", "memory_limit", "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit", "max_file_size",
    "compile_output", "exit_code", "exit_signal", "message", "wall_time",
    "compiler_options", "command_line_arguments",
    "redirect_stderr_to_stdout", "callback_url", "additional_files",
    "enable_network", "status", "language", NULL
};

static const char  *sbx_judge0_default_fields[] = {
    "token", "time", "memory", "stdout", "stderr", "compile_output",
    "message", "status", NULL
};


/* Judge0's limits and the native limit each becomes */

static const struct {
    const char  *name;
    const char  *limit;                  /* NULL: checked, not applied */
    double       scale;                  /* Judge0's unit in native ones */
    double       min;                    /* Judge0's least value */
    int          above;                  /* min itself refused */
} sbx_judge0_limits[] = {
    { "cpu_time_limit", "cpu_time_ms", 1000, 0, 0 },
    { "wall_time_limit", "wall_time_ms", 1000, 1, 0 },
    { "memory_limit", "memory_kb", 1, 2048, 0 },
    { "max_processes_and_or_threads", "processes", 1, 0, 1 },
    { "max_file_size", "file_size_kb", 1, 0, 0 },
    { "cpu_extra_time", NULL, 1, 0, 0 },
    { "stack_limit", NULL, 1, 0, 0 },
    { "number_of_runs", NULL, 1, 0, 1 },
    { NULL, NULL, 0, 0, 0 }
};


/* options Judge0 refuses unless its operator enabled them: never here */

static const struct {
    const char  *name;
    const char  *message;
} sbx_judge0_refused[] = {
    { "enable_per_process_and_thread_time_limit",
      "this option cannot be enabled" },
    { "enable_per_process_and_thread_memory_limit",
      "this option cannot be enabled" },
    { "redirect_stderr_to_stdout", "this option cannot be enabled" },
    { "enable_network", "enabling network is not allowed" },
    { "compiler_options", "setting compiler options is not allowed" },
    { "additional_files", "setting additional files is not allowed" },
    { NULL, NULL }
};


/* native error fields back to Judge0's */

static const struct {
    const char  *native;
    const char  *judge0;
} sbx_judge0_native_fields[] = {
    { "language", "language_id" },
    { "version", "language_id" },
    { "source", "source_code" },
    { "files", "source_code" },
    { "args", "command_line_arguments" },
    { "limits.cpu_time_ms", "cpu_time_limit" },
    { "limits.wall_time_ms", "wall_time_limit" },
    { "limits.memory_kb", "memory_limit" },
    { "limits.processes", "max_processes_and_or_threads" },
    { "limits.file_size_kb", "max_file_size" },
    { NULL, NULL }
};


static const char  *sbx_judge0_signals[] = {
    NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
    "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
    "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
    "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
    "SIGSYS", NULL
};


static int sbx_judge0_text(json_t *body, const char *name, int base64,
    int required, json_t *sub, const char *to, sbx_error_t *err);
static int sbx_judge0_number(json_t *v, double *d);
static int sbx_judge0_true(json_t *v);
static int sbx_judge0_args(json_t *v, json_t *sub, sbx_error_t *err);
static json_t *sbx_judge0_item_error(const sbx_error_t *err);
static const char *sbx_judge0_field_of(const char *native);
static int sbx_judge0_lang_id(const char *lang);
static int sbx_judge0_status(json_t *native);
static json_t *sbx_judge0_decimal(json_t *ms);
static json_t *sbx_judge0_output(const char *a, size_t na, const char *b,
    size_t nb, int base64);


json_t *
sbx_judge0_submission(json_t *body, int base64, sbx_error_t *err)
{
    int          i;
    double       d;
    json_t      *sub, *v, *limits;
    json_int_t   n;

    if (!json_is_object(body)) {
        sbx_error_set(err, 400, "invalid_field", "",
                      "the submission must be a JSON object");
        return NULL;
    }

    sub = json_object();
    limits = json_object();

    if (sub == NULL || limits == NULL) {
        json_decref(sub);
        json_decref(limits);
        goto nomem;
    }

    json_object_set_new(sub, "limits", limits);

    if (sbx_judge0_text(body, "source_code", base64, 1, sub, "source", err)
        != 0)
    {
        goto failed;
    }

    v = json_object_get(body, "language_id");

    if (v == NULL || json_is_null(v)
        || (json_is_string(v) && json_string_length(v) == 0))
    {
        sbx_error_set(err, 422, "missing_field", "language_id",
                      "can't be blank");
        goto failed;
    }

    d = -1;

    if (!sbx_judge0_number(v, &d)) {
        d = -1;
    }

    for (i = 0; sbx_judge0_langs[i].id; i++) {
        if ((double) sbx_judge0_langs[i].id == d) {
            break;
        }
    }

    if (sbx_judge0_langs[i].id == 0) {
        if (json_is_string(v)) {
            sbx_error_set(err, 422, "unknown_language", "language_id",
                          "language with id %.32s doesn't exist",
                          json_string_value(v));

        } else {
            sbx_error_set(err, 422, "unknown_language", "language_id",
                          "language with id %.0f doesn't exist",
                          json_is_number(v) ? json_number_value(v) : 0.0);
        }

        goto failed;
    }

    json_object_set_new(sub, "language",
                        json_string(sbx_judge0_langs[i].lang));

    if (sbx_judge0_text(body, "stdin", base64, 0, sub, "stdin", err) != 0
        || sbx_judge0_text(body, "expected_output", base64, 0, sub,
                           "expected_output", err)
           != 0)
    {
        goto failed;
    }

    /* Judge0 compares with every line right-trimmed: "trimmed" */

    if (json_object_get(sub, "expected_output")) {
        json_object_set_new(sub, "checker", json_string("trimmed"));
    }

    for (i = 0; sbx_judge0_limits[i].name; i++) {
        v = json_object_get(body, sbx_judge0_limits[i].name);

        if (v == NULL || json_is_null(v)) {
            continue;
        }

        if (!sbx_judge0_number(v, &d)) {
            sbx_error_set(err, 422, "invalid_field",
                          sbx_judge0_limits[i].name, "is not a number");
            goto failed;
        }

        if (sbx_judge0_limits[i].above ? d <= sbx_judge0_limits[i].min
                                       : d < sbx_judge0_limits[i].min)
        {
            sbx_error_set(err, 422, "invalid_field",
                          sbx_judge0_limits[i].name,
                          "must be greater than %s%g",
                          sbx_judge0_limits[i].above ? "" : "or equal to ",
                          sbx_judge0_limits[i].min);
            goto failed;
        }

        /* 0 is Judge0's "no limit of my own": the native default */

        if (sbx_judge0_limits[i].limit == NULL || d == 0) {
            continue;
        }

        d *= sbx_judge0_limits[i].scale;
        n = (d > 1e15) ? (json_int_t) 1e15 : (json_int_t) d;

        if ((double) n < d) {
            n++;                          /* rounded up */
        }

        json_object_set_new(limits, sbx_judge0_limits[i].limit,
                            json_integer(n));
    }

    if (json_object_size(limits) == 0) {
        json_object_del(sub, "limits");
    }

    for (i = 0; sbx_judge0_refused[i].name; i++) {
        if (sbx_judge0_true(json_object_get(body,
                                            sbx_judge0_refused[i].name)))
        {
            sbx_error_set(err, 422, "invalid_field",
                          sbx_judge0_refused[i].name, "%s",
                          sbx_judge0_refused[i].message);
            goto failed;
        }
    }

    if (sbx_judge0_args(json_object_get(body, "command_line_arguments"),
                        sub, err)
        != 0)
    {
        goto failed;
    }

    v = json_object_get(body, "callback_url");

    if (json_is_string(v) && json_string_length(v) > 0) {
        json_object_set(sub, "callback_url", v);

    } else if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
        sbx_error_set(err, 422, "invalid_field", "callback_url",
                      "must be a URL");
        goto failed;
    }

    return sub;

nomem:

    sbx_error_set(err, 500, "internal_error", "", "out of memory");
    return NULL;

failed:

    json_decref(sub);
    return NULL;
}


/*
 * A text field: a string (a number too, as Rails takes it), base64 when
 * asked; decoded text must be UTF-8 to become a native string.
 */

static int
sbx_judge0_text(json_t *body, const char *name, int base64, int required,
    json_t *sub, const char *to, sbx_error_t *err)
{
    char           *clean;
    size_t          i, k, len;
    json_t         *v, *t;
    ssize_t         n;
    const char     *s;
    unsigned char  *raw;

    v = json_object_get(body, name);

    if (v == NULL || json_is_null(v)
        || (json_is_string(v) && json_string_length(v) == 0))
    {
        if (required) {
            sbx_error_set(err, 422, "missing_field", name,
                          "can't be blank");
            return -1;
        }

        return 0;
    }

    if (!json_is_string(v)) {
        sbx_error_set(err, 422, "invalid_field", name, "must be a string");
        return -1;
    }

    if (!base64) {
        return json_object_set(sub, to, v);
    }

    /* Ruby's decode64 skips line feeds: Ruby clients send them */

    s = json_string_value(v);
    len = json_string_length(v);

    clean = malloc(len + 1);
    raw = malloc(sbx_base64_decoded_len(len) + 1);

    if (clean == NULL || raw == NULL) {
        free(clean);
        free(raw);
        sbx_error_set(err, 500, "internal_error", "", "out of memory");
        return -1;
    }

    for (i = 0, k = 0; i < len; i++) {
        if (!isspace((unsigned char) s[i])) {
            clean[k++] = s[i];
        }
    }

    n = sbx_base64_decode(raw, clean, k);

    t = (n >= 0) ? json_stringn((char *) raw, n) : NULL;

    free(clean);
    free(raw);

    if (t == NULL) {
        sbx_error_set(err, 422, "invalid_field", name,
                      "must be base64 of UTF-8 text (base64_encoded=true)");
        return -1;
    }

    return json_object_set_new(sub, to, t);
}


static int
sbx_judge0_number(json_t *v, double *d)
{
    char        *end;
    const char  *s;

    if (json_is_number(v)) {
        *d = json_number_value(v);
        return 1;
    }

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return 0;
    }

    s = json_string_value(v);
    *d = strtod(s, &end);

    return *end == '\0' && isfinite(*d);
}


/* "present" as Rails' blank? sees it: not null, false, "" or "false" */

static int
sbx_judge0_true(json_t *v)
{
    if (v == NULL || json_is_null(v) || json_is_false(v)) {
        return 0;
    }

    if (json_is_string(v)) {
        return json_string_length(v) > 0
               && strcmp(json_string_value(v), "false") != 0
               && strcmp(json_string_value(v), "0") != 0;
    }

    return 1;
}


/*
 * command_line_arguments: Judge0 hands the string to bash; here it is
 * split at white space into native args, with no shell between (quotes
 * and $ are plain characters).
 */

static int
sbx_judge0_args(json_t *v, json_t *sub, sbx_error_t *err)
{
    size_t       i, start, len;
    json_t      *args;
    const char  *s;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }

    if (!json_is_string(v)) {
        sbx_error_set(err, 422, "invalid_field", "command_line_arguments",
                      "must be a string");
        return -1;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len > 512) {
        sbx_error_set(err, 422, "invalid_field", "command_line_arguments",
                      "is too long (maximum is 512 characters)");
        return -1;
    }

    args = json_array();
    if (args == NULL) {
        return -1;
    }

    for (i = 0; i < len; /* void */ ) {
        while (i < len && isspace((unsigned char) s[i])) {
            i++;
        }

        start = i;

        while (i < len && !isspace((unsigned char) s[i])) {
            i++;
        }

        if (i > start) {
            json_array_append_new(args, json_stringn(s + start, i - start));
        }
    }

    if (json_array_size(args) == 0) {
        json_decref(args);
        return 0;
    }

    return json_object_set_new(sub, "args", args);
}


json_t *
sbx_judge0_batch(json_t *body, int base64, sbx_error_t *err)
{
    size_t        i;
    json_t       *list, *out, *item, *sub;
    sbx_error_t   e;

    list = json_object_get(body, "submissions");

    if (!json_is_array(list) || json_array_size(list) == 0) {
        sbx_error_set(err, 400, "invalid_field", "",
                      "there should be at least one submission in a batch");
        return NULL;
    }

    out = json_array();
    if (out == NULL) {
        goto nomem;
    }

    json_array_foreach(list, i, item) {
        sub = sbx_judge0_submission(item, base64, &e);

        if (sub == NULL) {
            sub = sbx_judge0_item_error(&e);
        }

        if (sub == NULL || json_array_append_new(out, sub) != 0) {
            json_decref(out);
            goto nomem;
        }
    }

    return json_pack("{s:o}", "submissions", out);

nomem:

    sbx_error_set(err, 500, "internal_error", "", "out of memory");
    return NULL;
}


/* the native error object, which a batch item may stand in for */

static json_t *
sbx_judge0_item_error(const sbx_error_t *err)
{
    return json_pack("{s:{s:s, s:s, s:s}}", "error",
                     "code", err->code, "field", err->field,
                     "message", err->message);
}


int
sbx_judge0_is_error_item(json_t *item)
{
    json_t  *e;

    e = json_object_get(item, "error");

    return json_object_size(item) == 1 && json_is_object(e)
           && json_is_string(json_object_get(e, "code"))
           && json_is_string(json_object_get(e, "message"));
}


uint64_t
sbx_judge0_fields(const char *s, size_t len, char *bad, size_t size)
{
    int          i;
    size_t       k, n, used;
    uint64_t     mask;
    const char  *p, *end;

    mask = 0;
    used = 0;
    bad[0] = '\0';

    p = s;
    end = s + len;

    while (p < end) {
        for (k = 0; p + k < end && p[k] != ','; k++) { /* void */ }

        if (k == 1 && p[0] == '*') {
            for (i = 0; sbx_judge0_field_names[i]; i++) {
                mask |= (uint64_t) 1 << i;
            }

        } else if (k > 0) {
            for (i = 0; sbx_judge0_field_names[i]; i++) {
                if (strlen(sbx_judge0_field_names[i]) == k
                    && strncmp(sbx_judge0_field_names[i], p, k) == 0)
                {
                    break;
                }
            }

            if (sbx_judge0_field_names[i]) {
                mask |= (uint64_t) 1 << i;

            } else if (used + k + 3 < size) {
                n = snprintf(bad + used, size - used, "%s%.*s",
                             used ? ", " : "", (int) k, p);
                used += n;

            } else {
                used = size;
            }
        }

        p += k + 1;
    }

    return bad[0] ? 0 : mask;
}


/*
 * The native job as Judge0's submission object, then cut to the fields
 * asked for.  What the native result does not keep (the source, stdin,
 * the options) is null.
 */

json_t *
sbx_judge0_result(json_t *native, const sbx_dialect_t *d)
{
    int          st, i, sig, id, lid;
    json_t      *res, *v, *lang, *limits, *compile, *cb, *ts, *out;
    uint64_t     fields;
    const char  *s, *name;

    st = sbx_judge0_status(native);

    lang = json_object_get(native, "language");
    name = json_string_value(json_object_get(lang, "id"));
    lid = name ? sbx_judge0_lang_id(name) : 0;

    limits = json_object_get(native, "limits");
    compile = json_object_get(native, "compile");
    ts = json_object_get(native, "timestamps");
    cb = json_object_get(native, "callback");

    sig = 0;
    s = json_string_value(json_object_get(native, "signal"));

    for (i = 1; s != NULL && sbx_judge0_signals[i]; i++) {
        if (strcmp(s, sbx_judge0_signals[i]) == 0) {
            sig = i;
        }
    }

    v = json_object_get(native, "message");

    res = json_pack("{s:n, s:o, s:n, s:n, s:o, s:i, s:O?, s:O?,"
                    " s:o, s:o, s:o, s:O, s:i}",
                    "source_code",
                    "language_id", lid ? json_integer(lid) : json_null(),
                    "stdin",
                    "expected_output",
                    "stdout",
                    sbx_judge0_output(json_string_value(
                                          json_object_get(native, "stdout")),
                                      json_string_length(
                                          json_object_get(native, "stdout")),
                                      NULL, 0, d->base64),
                    "status_id", st,
                    "created_at", json_object_get(ts, "created_at"),
                    "finished_at", json_object_get(ts, "finished_at"),
                    "time",
                    sbx_judge0_decimal(json_object_get(native, "time_ms")),
                    "memory",
                    json_is_integer(json_object_get(native, "memory_kb"))
                    ? json_incref(json_object_get(native, "memory_kb"))
                    : json_null(),
                    "stderr",
                    sbx_judge0_output(json_string_value(
                                          json_object_get(native, "stderr")),
                                      json_string_length(
                                          json_object_get(native, "stderr")),
                                      NULL, 0, d->base64),
                    "token", json_object_get(native, "id"),
                    "number_of_runs", 1);
    if (res == NULL) {
        return NULL;
    }

    json_object_set_new(res, "cpu_time_limit",
                        sbx_judge0_decimal(json_object_get(limits,
                                                           "cpu_time_ms")));
    json_object_set_new(res, "cpu_extra_time", json_null());
    json_object_set_new(res, "wall_time_limit",
                        sbx_judge0_decimal(json_object_get(limits,
                                                           "wall_time_ms")));
    json_object_set(res, "memory_limit", json_object_get(limits, "memory_kb")
                                         ? json_object_get(limits,
                                                           "memory_kb")
                                         : json_null());
    json_object_set_new(res, "stack_limit", json_null());
    json_object_set(res, "max_processes_and_or_threads",
                    json_object_get(limits, "processes")
                    ? json_object_get(limits, "processes") : json_null());
    json_object_set_new(res, "enable_per_process_and_thread_time_limit",
                        json_false());
    json_object_set_new(res, "enable_per_process_and_thread_memory_limit",
                        json_false());
    json_object_set(res, "max_file_size",
                    json_object_get(limits, "file_size_kb")
                    ? json_object_get(limits, "file_size_kb") : json_null());

    json_object_set_new(res, "compile_output",
        json_is_object(compile)
        ? sbx_judge0_output(
              json_string_value(json_object_get(compile, "stdout")),
              json_string_length(json_object_get(compile, "stdout")),
              json_string_value(json_object_get(compile, "stderr")),
              json_string_length(json_object_get(compile, "stderr")),
              d->base64)
        : json_null());

    v = json_object_get(native, "exit_code");
    json_object_set(res, "exit_code", json_is_integer(v) ? v : json_null());
    json_object_set_new(res, "exit_signal",
                        sig ? json_integer(sig) : json_null());

    v = json_object_get(native, "message");
    json_object_set_new(res, "message",
                        json_is_string(v)
                        ? sbx_judge0_output(json_string_value(v),
                                            json_string_length(v), NULL, 0,
                                            d->base64)
                        : json_null());

    json_object_set_new(res, "wall_time",
                        sbx_judge0_decimal(json_object_get(native,
                                                           "wall_time_ms")));
    json_object_set_new(res, "compiler_options", json_null());
    json_object_set_new(res, "command_line_arguments", json_null());
    json_object_set_new(res, "redirect_stderr_to_stdout", json_false());
    json_object_set(res, "callback_url",
                    json_object_get(cb, "url") ? json_object_get(cb, "url")
                                               : json_null());
    json_object_set_new(res, "additional_files", json_null());
    json_object_set_new(res, "enable_network", json_false());
    json_object_set_new(res, "status",
                        json_pack("{s:i, s:s}", "id", st, "description",
                                  sbx_judge0_status_names[st]));

    v = json_null();

    for (i = 0; lid && sbx_judge0_langs[i].id; i++) {
        if (sbx_judge0_langs[i].id == lid) {
            char  buf[96];

            snprintf(buf, sizeof(buf), sbx_judge0_langs[i].name,
                     json_string_value(json_object_get(lang, "version")));

            v = json_pack("{s:i, s:s}", "id", lid, "name", buf);
        }
    }

    json_object_set_new(res, "language", v);

    /* the fields asked for, in the serializer's order */

    fields = d->fields;

    if (fields == 0) {
        for (i = 0; sbx_judge0_default_fields[i]; i++) {
            for (id = 0; sbx_judge0_field_names[id]; id++) {
                if (strcmp(sbx_judge0_field_names[id],
                           sbx_judge0_default_fields[i]) == 0)
                {
                    fields |= (uint64_t) 1 << id;
                }
            }
        }
    }

    out = json_object();
    if (out == NULL) {
        json_decref(res);
        return NULL;
    }

    for (i = 0; sbx_judge0_field_names[i]; i++) {
        if (fields & ((uint64_t) 1 << i)) {
            v = json_object_get(res, sbx_judge0_field_names[i]);
            json_object_set(out, sbx_judge0_field_names[i],
                            v ? v : json_null());
        }
    }

    json_decref(res);

    return out;
}


static int
sbx_judge0_lang_id(const char *lang)
{
    int  i;

    for (i = 0; sbx_judge0_langs[i].id; i++) {
        if (strcmp(sbx_judge0_langs[i].lang, lang) == 0) {
            return sbx_judge0_langs[i].id;
        }
    }

    return 0;
}


/*
 * Native status to Judge0's.  Judge0 has no memory or output verdict:
 * a program over its memory is killed (SIGKILL: "Other"), one over its
 * file size gets SIGXFSZ, which is what an output cap becomes here.
 */

static int
sbx_judge0_status(json_t *native)
{
    const char  *st, *sig;

    st = json_string_value(json_object_get(native, "status"));
    sig = json_string_value(json_object_get(native, "signal"));

    if (st == NULL) {
        return 13;
    }

    if (strcmp(st, "queued") == 0) {
        return 1;
    }

    if (strcmp(st, "running") == 0) {
        return 2;
    }

    if (strcmp(st, "accepted") == 0) {
        return 3;
    }

    if (strcmp(st, "wrong_answer") == 0) {
        return 4;
    }

    if (strcmp(st, "time_limit_exceeded") == 0) {
        return 5;
    }

    if (strcmp(st, "compilation_error") == 0) {
        return 6;
    }

    if (strcmp(st, "output_limit_exceeded") == 0) {
        return 8;
    }

    if (strcmp(st, "memory_limit_exceeded") == 0) {
        return 12;
    }

    if (strcmp(st, "runtime_error") == 0) {
        if (sig == NULL) {
            return 11;
        }

        return strcmp(sig, "SIGSEGV") == 0 ? 7
               : strcmp(sig, "SIGXFSZ") == 0 ? 8
               : strcmp(sig, "SIGFPE") == 0 ? 9
               : strcmp(sig, "SIGABRT") == 0 ? 10 : 12;
    }

    return 13;
}


/* milliseconds as Judge0's decimal seconds, a string: "0.012", "5.0" */

static json_t *
sbx_judge0_decimal(json_t *ms)
{
    char    buf[32];
    size_t  n;

    if (!json_is_integer(ms)) {
        return json_null();
    }

    n = snprintf(buf, sizeof(buf), "%.3f",
                 (double) json_integer_value(ms) / 1000);

    while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.') {
        buf[--n] = '\0';
    }

    return json_string(buf);
}


/* a and b together; empty is null; base64 when asked */

static json_t *
sbx_judge0_output(const char *a, size_t na, const char *b, size_t nb,
    int base64)
{
    char    *buf, *enc;
    size_t   n;
    json_t  *v;

    if (a == NULL) {
        na = 0;
    }

    if (b == NULL) {
        nb = 0;
    }

    if (na + nb == 0) {
        return json_null();
    }

    buf = malloc(na + nb);
    if (buf == NULL) {
        return json_null();
    }

    if (na) {
        memcpy(buf, a, na);
    }

    if (nb) {
        memcpy(buf + na, b, nb);
    }

    if (!base64) {
        v = json_stringn(buf, na + nb);
        free(buf);
        return v ? v : json_null();
    }

    enc = malloc(sbx_base64_encoded_len(na + nb));
    if (enc == NULL) {
        free(buf);
        return json_null();
    }

    n = sbx_base64_encode(enc, (unsigned char *) buf, na + nb);
    v = json_stringn(enc, n);

    free(buf);
    free(enc);

    return v ? v : json_null();
}


json_t *
sbx_judge0_created(json_t *native)
{
    return json_pack("{s:O}", "token", json_object_get(native, "id"));
}


json_t *
sbx_judge0_batch_created(json_t *native, int *status)
{
    int           ok;
    size_t        i;
    json_t       *out, *item, *e, *v;
    sbx_error_t   err;
    const char   *field;

    out = json_array();
    if (out == NULL) {
        return NULL;
    }

    ok = 0;

    json_array_foreach(json_object_get(native, "submissions"), i, item) {
        e = json_object_get(item, "error");

        if (e == NULL) {
            v = json_pack("{s:O}", "token", json_object_get(item, "id"));
            ok = 1;

        } else {
            field = json_string_value(json_object_get(e, "field"));

            sbx_error_set(&err, 422, "invalid_field", field ? field : "",
                          "%s",
                          json_string_value(json_object_get(e, "message")));

            if (!field || !field[0]) {
                snprintf(err.field, sizeof(err.field), "base");
            }

            v = sbx_judge0_error(&err, NULL);
        }

        if (v == NULL || json_array_append_new(out, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }

    *status = ok ? 201 : 422;

    return out;
}


json_t *
sbx_judge0_languages(json_t *languages)
{
    int          i;
    char         name[96];
    size_t       k;
    json_t      *out, *l, *v;
    const char  *id;

    out = json_array();
    if (out == NULL) {
        return NULL;
    }

    for (i = 0; sbx_judge0_langs[i].id; i++) {
        if (sbx_judge0_langs[i].name == NULL) {
            continue;
        }

        json_array_foreach(languages, k, l) {
            id = json_string_value(json_object_get(l, "id"));

            if (id == NULL || strcmp(id, sbx_judge0_langs[i].lang) != 0) {
                continue;
            }

            snprintf(name, sizeof(name), sbx_judge0_langs[i].name,
                     json_string_value(json_object_get(l, "version")));

            v = json_pack("{s:i, s:s}", "id", sbx_judge0_langs[i].id,
                          "name", name);

            if (v == NULL || json_array_append_new(out, v) != 0) {
                json_decref(out);
                return NULL;
            }
        }
    }

    return out;
}


json_t *
sbx_judge0_statuses(void)
{
    int      i;
    json_t  *out, *v;

    out = json_array();
    if (out == NULL) {
        return NULL;
    }

    for (i = 1; i <= SBX_JUDGE0_STATUSES; i++) {
        v = json_pack("{s:i, s:s}", "id", i,
                      "description", sbx_judge0_status_names[i]);

        if (v == NULL || json_array_append_new(out, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }

    return out;
}


static const char *
sbx_judge0_field_of(const char *native)
{
    int      i;
    size_t   n;

    for (i = 0; sbx_judge0_native_fields[i].native; i++) {
        n = strlen(sbx_judge0_native_fields[i].native);

        if (strncmp(native, sbx_judge0_native_fields[i].native, n) == 0
            && (native[n] == '\0' || native[n] == '[' || native[n] == '.'))
        {
            return sbx_judge0_native_fields[i].judge0;
        }
    }

    return native;
}


/*
 * A refusal of one field is Rails' 422 {"<field>": ["<message>"]}, with
 * the native field named as Judge0 names it; any other refusal is
 * {"error": "<message>"} under its own status.
 */

json_t *
sbx_judge0_error(const sbx_error_t *err, int *status)
{
    if (status) {
        *status = err->status;
    }

    /* Judge0 counts a batch before it looks at its items */

    if (strcmp(err->code, "batch_too_large") == 0) {
        if (status) {
            *status = 400;
        }

        return json_pack("{s:s}", "error", err->message);
    }

    if (err->field[0]
        && (err->status == 400 || err->status == 422)
        && strcmp(err->code, "malformed_json") != 0
        && strcmp(err->code, "invalid_query") != 0)
    {
        if (status) {
            *status = 422;
        }

        return json_pack("{s:[s]}", sbx_judge0_field_of(err->field),
                         err->message);
    }

    return json_pack("{s:s}", "error", err->message);
}
