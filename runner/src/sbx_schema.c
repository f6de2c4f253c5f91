
/*
 * Submission shape checks (see sbx_schema.h).  Each check names the field
 * it refuses with the dotted path of docs/api.md, so a client can point at
 * the exact place; the first problem found is reported.
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sbx_base64.h"
#include "sbx_schema.h"


const char  *sbx_schema_limit_keys[] = {
    "cpu_time_ms", "wall_time_ms", "memory_kb",
    "processes", "output_kb", "file_size_kb", NULL
};


static const char  *sbx_schema_fields[] = {
    "language", "version", "source", "files", "stdin", "expected_output",
    "args", "checker", "tests", "stop_on_failure", "limits",
    "callback_url", NULL
};


static const char  *sbx_schema_checkers[] = {
    "exact", "trimmed", "regex", "float", NULL
};


static void sbx_schema_trim_utf8(char *s);
static json_t *sbx_schema_string_json(const char *s);
static int sbx_schema_known(const char *key, const char **list);
static int sbx_schema_string(json_t *sub, const char *key,
    sbx_schema_error_t *err);
static int sbx_schema_files(json_t *files, sbx_schema_error_t *err);
static int sbx_schema_args(json_t *args, sbx_schema_error_t *err);
static int sbx_schema_checker(json_t *checker, sbx_schema_error_t *err);
static int sbx_schema_tests(json_t *tests, sbx_schema_error_t *err);
static int sbx_schema_limits(json_t *limits, sbx_schema_error_t *err);
static int sbx_schema_url(json_t *url, sbx_schema_error_t *err);


int
sbx_schema_check(json_t *sub, sbx_schema_error_t *err)
{
    json_t      *v, *source, *files, *tests;
    const char  *key;

    if (!json_is_object(sub)) {
        sbx_schema_set_error(err, 400, "invalid_field", "",
                             "a submission must be a JSON object");
        return SBX_SCHEMA_ERROR;
    }

    json_object_foreach(sub, key, v) {
        if (!sbx_schema_known(key, sbx_schema_fields)) {
            sbx_schema_set_error(err, 400, "unknown_field", key,
                                 "is not a submission field");
            return SBX_SCHEMA_ERROR;
        }
    }

    v = json_object_get(sub, "language");

    if (v == NULL) {
        sbx_schema_set_error(err, 400, "missing_field", "language",
                             "is required");
        return SBX_SCHEMA_ERROR;
    }

    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 32)
    {
        sbx_schema_set_error(err, 400, "invalid_field", "language",
                             "must be a language id of 1 to 32 characters");
        return SBX_SCHEMA_ERROR;
    }

    if (sbx_schema_string(sub, "version", err) != SBX_SCHEMA_OK
        || sbx_schema_string(sub, "source", err) != SBX_SCHEMA_OK
        || sbx_schema_string(sub, "stdin", err) != SBX_SCHEMA_OK
        || sbx_schema_string(sub, "expected_output", err) != SBX_SCHEMA_OK)
    {
        return SBX_SCHEMA_ERROR;
    }

    source = json_object_get(sub, "source");
    files = json_object_get(sub, "files");

    if (source == NULL && files == NULL) {
        sbx_schema_set_error(err, 400, "missing_field", "source",
                             "one of \"source\" and \"files\" is required");
        return SBX_SCHEMA_ERROR;
    }

    if (source != NULL && files != NULL) {
        sbx_schema_set_error(err, 400, "invalid_field", "files",
                             "\"source\" and \"files\" exclude each other");
        return SBX_SCHEMA_ERROR;
    }

    if (files != NULL && sbx_schema_files(files, err) != SBX_SCHEMA_OK) {
        return SBX_SCHEMA_ERROR;
    }

    v = json_object_get(sub, "args");

    if (v != NULL && sbx_schema_args(v, err) != SBX_SCHEMA_OK) {
        return SBX_SCHEMA_ERROR;
    }

    v = json_object_get(sub, "checker");

    if (v != NULL && sbx_schema_checker(v, err) != SBX_SCHEMA_OK) {
        return SBX_SCHEMA_ERROR;
    }

    tests = json_object_get(sub, "tests");

    if (tests != NULL) {

        if (json_object_get(sub, "stdin") != NULL
            || json_object_get(sub, "expected_output") != NULL)
        {
            sbx_schema_set_error(err, 400, "invalid_field", "tests",
                                 "\"tests\" excludes top-level \"stdin\" "
                                 "and \"expected_output\"");
            return SBX_SCHEMA_ERROR;
        }

        if (sbx_schema_tests(tests, err) != SBX_SCHEMA_OK) {
            return SBX_SCHEMA_ERROR;
        }
    }

    v = json_object_get(sub, "stop_on_failure");

    if (v != NULL && !json_is_boolean(v)) {
        sbx_schema_set_error(err, 400, "invalid_field", "stop_on_failure",
                             "must be a boolean");
        return SBX_SCHEMA_ERROR;
    }

    v = json_object_get(sub, "limits");

    if (v != NULL && sbx_schema_limits(v, err) != SBX_SCHEMA_OK) {
        return SBX_SCHEMA_ERROR;
    }

    v = json_object_get(sub, "callback_url");

    if (v != NULL && sbx_schema_url(v, err) != SBX_SCHEMA_OK) {
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}


int
sbx_schema_check_name(const char *name, size_t len)
{
    size_t       i, seg, slashes;
    const char  *s;

    if (len == 0 || len > SBX_SCHEMA_MAX_NAME) {
        return SBX_SCHEMA_ERROR;
    }

    seg = 0;
    slashes = 0;
    s = name;

    for (i = 0; i <= len; i++) {

        if (i == len || name[i] == '/') {

            /* a segment ends: not empty, not "." or ".." */

            if (seg == 0
                || (seg == 1 && s[0] == '.')
                || (seg == 2 && s[0] == '.' && s[1] == '.'))
            {
                return SBX_SCHEMA_ERROR;
            }

            if (i < len && ++slashes > 1) {
                return SBX_SCHEMA_ERROR;
            }

            seg = 0;
            s = name + i + 1;
            continue;
        }

        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= 'A' && name[i] <= 'Z')
              || (name[i] >= '0' && name[i] <= '9')
              || name[i] == '.' || name[i] == '_' || name[i] == '-'))
        {
            return SBX_SCHEMA_ERROR;
        }

        seg++;
    }

    return SBX_SCHEMA_OK;
}


json_t *
sbx_schema_parse(const char *buf, size_t len, sbx_schema_error_t *err)
{
    json_t        *root;
    json_error_t   jerr;

    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        sbx_schema_set_error(err, 400, "malformed_json", "",
                             "line %d, column %d: %s",
                             jerr.line, jerr.column, jerr.text);
    }

    return root;
}


json_t *
sbx_schema_error_json(const sbx_schema_error_t *err, const char *timestamp)
{
    json_t  *e;

    e = json_pack("{s:o, s:o*, s:o, s:s}",
                  "code", sbx_schema_string_json(err->code),
                  "field", err->field[0] ? sbx_schema_string_json(err->field)
                                         : NULL,
                  "message", sbx_schema_string_json(err->message),
                  "timestamp", timestamp);

    return e ? json_pack("{s:o}", "error", e) : NULL;
}


void
sbx_schema_set_error(sbx_schema_error_t *err, int status, const char *code,
    const char *field, const char *fmt, ...)
{
    va_list  args;

    err->status = status;

    snprintf(err->code, sizeof(err->code), "%s", code);
    snprintf(err->field, sizeof(err->field), "%s", field);

    va_start(args, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, args);
    va_end(args);

    /* truncation must not leave half a character: JSON needs UTF-8 */

    sbx_schema_trim_utf8(err->field);
    sbx_schema_trim_utf8(err->message);
}


static void
sbx_schema_trim_utf8(char *s)
{
    size_t          n, k, need;
    unsigned char   c;

    n = strlen(s);

    /* back over continuation bytes to the last lead byte */

    for (k = 0; k < 4 && k < n; k++) {
        c = (unsigned char) s[n - 1 - k];

        if ((c & 0xc0) != 0x80) {
            break;
        }
    }

    if (k == n) {
        return;
    }

    c = (unsigned char) s[n - 1 - k];

    need = (c < 0x80) ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                           : (c & 0xf8) == 0xf0 ? 3 : 0;

    if (c >= 0x80 && need != k) {
        s[n - 1 - k] = '\0';
    }
}


/*
 * A message may quote what it refuses (jansson quotes the bad token of
 * malformed JSON): bytes that are not UTF-8 become '?'.
 */

static json_t *
sbx_schema_string_json(const char *s)
{
    char     buf[256];
    size_t   i;
    json_t  *v;

    v = json_string(s);

    if (v != NULL) {
        return v;
    }

    snprintf(buf, sizeof(buf), "%s", s);

    for (i = 0; buf[i]; i++) {
        if ((unsigned char) buf[i] >= 0x80) {
            buf[i] = '?';
        }
    }

    return json_string(buf);
}


static int
sbx_schema_known(const char *key, const char **list)
{
    for ( /* void */ ; *list; list++) {
        if (strcmp(key, *list) == 0) {
            return 1;
        }
    }

    return 0;
}


static int
sbx_schema_string(json_t *sub, const char *key, sbx_schema_error_t *err)
{
    json_t  *v;

    v = json_object_get(sub, key);

    if (v != NULL && !json_is_string(v)) {
        sbx_schema_set_error(err, 400, "invalid_field", key,
                             "must be a string");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_files(json_t *files, sbx_schema_error_t *err)
{
    char        field[48];
    size_t      i, j;
    json_t     *f, *name, *content, *encoding, *v;
    const char *key, *enc;

    if (!json_is_array(files) || json_array_size(files) == 0
        || json_array_size(files) > SBX_SCHEMA_MAX_FILES)
    {
        sbx_schema_set_error(err, 400, "invalid_field", "files",
                             "must be an array of 1 to %d files",
                             SBX_SCHEMA_MAX_FILES);
        return SBX_SCHEMA_ERROR;
    }

    json_array_foreach(files, i, f) {

        snprintf(field, sizeof(field), "files[%zu]", i);

        if (!json_is_object(f)) {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be an object");
            return SBX_SCHEMA_ERROR;
        }

        json_object_foreach(f, key, v) {
            if (strcmp(key, "name") != 0 && strcmp(key, "content") != 0
                && strcmp(key, "encoding") != 0)
            {
                snprintf(field, sizeof(field), "files[%zu].%.16s", i, key);
                sbx_schema_set_error(err, 400, "unknown_field", field,
                                     "is not a file field");
                return SBX_SCHEMA_ERROR;
            }
        }

        name = json_object_get(f, "name");
        content = json_object_get(f, "content");
        encoding = json_object_get(f, "encoding");

        snprintf(field, sizeof(field), "files[%zu].name", i);

        if (name == NULL) {
            sbx_schema_set_error(err, 400, "missing_field", field,
                                 "is required");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_string(name)
            || sbx_schema_check_name(json_string_value(name),
                                     json_string_length(name))
               != SBX_SCHEMA_OK)
        {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be 1 to %d characters of "
                                 "[A-Za-z0-9._-] in at most two segments, "
                                 "without \".\" or \"..\"",
                                 SBX_SCHEMA_MAX_NAME);
            return SBX_SCHEMA_ERROR;
        }

        for (j = 0; j < i; j++) {
            v = json_object_get(json_array_get(files, j), "name");

            if (json_equal(v, name)) {
                sbx_schema_set_error(err, 400, "invalid_field", field,
                                     "repeats the name of files[%zu]", j);
                return SBX_SCHEMA_ERROR;
            }
        }

        snprintf(field, sizeof(field), "files[%zu].content", i);

        if (content == NULL) {
            sbx_schema_set_error(err, 400, "missing_field", field,
                                 "is required");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_string(content)) {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be a string");
            return SBX_SCHEMA_ERROR;
        }

        if (encoding == NULL) {
            continue;
        }

        snprintf(field, sizeof(field), "files[%zu].encoding", i);

        enc = json_string_value(encoding);

        if (enc == NULL
            || (strcmp(enc, "utf8") != 0 && strcmp(enc, "base64") != 0))
        {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be \"utf8\" or \"base64\"");
            return SBX_SCHEMA_ERROR;
        }

        if (strcmp(enc, "base64") == 0
            && sbx_base64_decode(NULL, json_string_value(content),
                                 json_string_length(content)) < 0)
        {
            snprintf(field, sizeof(field), "files[%zu].content", i);
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "is not valid base64");
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_args(json_t *args, sbx_schema_error_t *err)
{
    char     field[32];
    size_t   i;
    json_t  *a;

    if (!json_is_array(args) || json_array_size(args) > SBX_SCHEMA_MAX_ARGS) {
        sbx_schema_set_error(err, 400, "invalid_field", "args",
                             "must be an array of at most %d strings",
                             SBX_SCHEMA_MAX_ARGS);
        return SBX_SCHEMA_ERROR;
    }

    json_array_foreach(args, i, a) {

        snprintf(field, sizeof(field), "args[%zu]", i);

        if (!json_is_string(a)
            || json_string_length(a) > SBX_SCHEMA_MAX_ARG
            || memchr(json_string_value(a), '\0', json_string_length(a)))
        {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be a string of at most %d bytes "
                                 "without NUL", SBX_SCHEMA_MAX_ARG);
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_checker(json_t *checker, sbx_schema_error_t *err)
{
    json_t      *type, *v;
    const char  *key;

    if (json_is_string(checker)) {
        type = checker;

    } else if (json_is_object(checker)) {

        json_object_foreach(checker, key, v) {
            if (strcmp(key, "type") != 0 && strcmp(key, "pattern") != 0
                && strcmp(key, "abs") != 0 && strcmp(key, "rel") != 0)
            {
                sbx_schema_set_error(err, 400, "unknown_field", "checker",
                                     "has no field \"%.32s\"", key);
                return SBX_SCHEMA_ERROR;
            }
        }

        type = json_object_get(checker, "type");

        if (type == NULL) {
            sbx_schema_set_error(err, 400, "missing_field", "checker.type",
                                 "is required");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "pattern");

        if (v != NULL && !json_is_string(v)) {
            sbx_schema_set_error(err, 400, "invalid_field",
                                 "checker.pattern", "must be a string");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "abs");

        if (v != NULL && (!json_is_number(v) || json_number_value(v) < 0)) {
            sbx_schema_set_error(err, 400, "invalid_field", "checker.abs",
                                 "must be a number >= 0");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "rel");

        if (v != NULL && (!json_is_number(v) || json_number_value(v) < 0)) {
            sbx_schema_set_error(err, 400, "invalid_field", "checker.rel",
                                 "must be a number >= 0");
            return SBX_SCHEMA_ERROR;
        }

    } else {
        sbx_schema_set_error(err, 400, "invalid_field", "checker",
                             "must be a string or an object");
        return SBX_SCHEMA_ERROR;
    }

    if (!json_is_string(type)
        || !sbx_schema_known(json_string_value(type), sbx_schema_checkers))
    {
        sbx_schema_set_error(err, 400, "invalid_field",
                             json_is_object(checker) ? "checker.type"
                                                     : "checker",
                             "must be one of exact, trimmed, regex, float");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_tests(json_t *tests, sbx_schema_error_t *err)
{
    char        field[48];
    size_t      i;
    json_t     *t, *v;
    const char *key;

    if (!json_is_array(tests) || json_array_size(tests) == 0
        || json_array_size(tests) > SBX_SCHEMA_MAX_TESTS)
    {
        sbx_schema_set_error(err, 400, "invalid_field", "tests",
                             "must be an array of 1 to %d tests",
                             SBX_SCHEMA_MAX_TESTS);
        return SBX_SCHEMA_ERROR;
    }

    json_array_foreach(tests, i, t) {

        if (!json_is_object(t)) {
            snprintf(field, sizeof(field), "tests[%zu]", i);
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be an object");
            return SBX_SCHEMA_ERROR;
        }

        json_object_foreach(t, key, v) {

            snprintf(field, sizeof(field), "tests[%zu].%.16s", i, key);

            if (strcmp(key, "stdin") != 0
                && strcmp(key, "expected_output") != 0)
            {
                sbx_schema_set_error(err, 400, "unknown_field", field,
                                     "is not a test field");
                return SBX_SCHEMA_ERROR;
            }

            if (!json_is_string(v)) {
                sbx_schema_set_error(err, 400, "invalid_field", field,
                                     "must be a string");
                return SBX_SCHEMA_ERROR;
            }
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_limits(json_t *limits, sbx_schema_error_t *err)
{
    char         field[48];
    json_t      *v;
    const char  *key;

    if (!json_is_object(limits)) {
        sbx_schema_set_error(err, 400, "invalid_field", "limits",
                             "must be an object");
        return SBX_SCHEMA_ERROR;
    }

    json_object_foreach(limits, key, v) {

        snprintf(field, sizeof(field), "limits.%.32s", key);

        if (!sbx_schema_known(key, sbx_schema_limit_keys)) {
            sbx_schema_set_error(err, 400, "unknown_field", field,
                                 "is not a limit");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            sbx_schema_set_error(err, 400, "invalid_field", field,
                                 "must be an integer >= 1");
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_url(json_t *url, sbx_schema_error_t *err)
{
    size_t       len;
    const char  *s;

    s = json_string_value(url);

    if (s == NULL) {
        sbx_schema_set_error(err, 400, "invalid_field", "callback_url",
                             "must be a string");
        return SBX_SCHEMA_ERROR;
    }

    len = json_string_length(url);

    if (len > 2048
        || memchr(s, '\0', len) != NULL
        || (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        || strpbrk(s, " \t\r\n") != NULL)
    {
        sbx_schema_set_error(err, 400, "invalid_field", "callback_url",
                             "must be an http:// or https:// URL");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}
