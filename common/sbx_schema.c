
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


static const char  *sbx_schema_fields[] = {
    "language", "version", "source", "files", "stdin", "expected_output",
    "args", "checker", "tests", "stop_on_failure", "limits",
    "callback_url", NULL
};


static int sbx_schema_known(const char *key, const char **list);
static int sbx_schema_string(json_t *sub, const char *key,
    sbx_error_t *err);
static int sbx_schema_files(json_t *files, sbx_error_t *err);
static int sbx_schema_args(json_t *args, sbx_error_t *err);
static int sbx_schema_checker(json_t *checker, sbx_error_t *err);
static int sbx_schema_tests(json_t *tests, sbx_error_t *err);
static int sbx_schema_limits(json_t *limits, sbx_error_t *err);
static int sbx_schema_url(json_t *url, sbx_error_t *err);


int
sbx_schema_check(json_t *sub, sbx_error_t *err)
{
    json_t      *v, *source, *files, *tests;
    const char  *key;

    if (!json_is_object(sub)) {
        sbx_error_set(err, 400, "invalid_field", "",
                      "a submission must be a JSON object");
        return SBX_SCHEMA_ERROR;
    }

    json_object_foreach(sub, key, v) {
        if (!sbx_schema_known(key, sbx_schema_fields)) {
            sbx_error_set(err, 400, "unknown_field", key,
                          "is not a submission field");
            return SBX_SCHEMA_ERROR;
        }
    }

    v = json_object_get(sub, "language");

    if (v == NULL) {
        sbx_error_set(err, 400, "missing_field", "language",
                      "is required");
        return SBX_SCHEMA_ERROR;
    }

    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 32)
    {
        sbx_error_set(err, 400, "invalid_field", "language",
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
        sbx_error_set(err, 400, "missing_field", "source",
                      "one of \"source\" and \"files\" is required");
        return SBX_SCHEMA_ERROR;
    }

    if (source != NULL && files != NULL) {
        sbx_error_set(err, 400, "invalid_field", "files",
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
            sbx_error_set(err, 400, "invalid_field", "tests",
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
        sbx_error_set(err, 400, "invalid_field", "stop_on_failure",
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


json_t *
sbx_schema_parse(const char *buf, size_t len, sbx_error_t *err)
{
    json_t        *root;
    json_error_t   jerr;

    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        sbx_error_set(err, 400, "malformed_json", "",
                      "line %d, column %d: %s",
                      jerr.line, jerr.column, jerr.text);
    }

    return root;
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
sbx_schema_string(json_t *sub, const char *key, sbx_error_t *err)
{
    json_t  *v;

    v = json_object_get(sub, key);

    if (v != NULL && !json_is_string(v)) {
        sbx_error_set(err, 400, "invalid_field", key,
                      "must be a string");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_files(json_t *files, sbx_error_t *err)
{
    char        field[48];
    size_t      i, j;
    json_t     *f, *name, *content, *encoding, *v;
    const char *key, *enc;

    if (!json_is_array(files) || json_array_size(files) == 0
        || json_array_size(files) > SBX_SCHEMA_MAX_FILES)
    {
        sbx_error_set(err, 400, "invalid_field", "files",
                      "must be an array of 1 to %d files",
                      SBX_SCHEMA_MAX_FILES);
        return SBX_SCHEMA_ERROR;
    }

    json_array_foreach(files, i, f) {

        snprintf(field, sizeof(field), "files[%zu]", i);

        if (!json_is_object(f)) {
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be an object");
            return SBX_SCHEMA_ERROR;
        }

        json_object_foreach(f, key, v) {
            if (strcmp(key, "name") != 0 && strcmp(key, "content") != 0
                && strcmp(key, "encoding") != 0)
            {
                snprintf(field, sizeof(field), "files[%zu].%.16s", i, key);
                sbx_error_set(err, 400, "unknown_field", field,
                              "is not a file field");
                return SBX_SCHEMA_ERROR;
            }
        }

        name = json_object_get(f, "name");
        content = json_object_get(f, "content");
        encoding = json_object_get(f, "encoding");

        snprintf(field, sizeof(field), "files[%zu].name", i);

        if (name == NULL) {
            sbx_error_set(err, 400, "missing_field", field,
                          "is required");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_string(name)
            || !sbx_valid_name(json_string_value(name),
                               json_string_length(name)))
        {
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be 1 to %d characters of "
                          "[A-Za-z0-9._-] in at most two segments, "
                          "without \".\" or \"..\"",
                          SBX_NAME_MAX);
            return SBX_SCHEMA_ERROR;
        }

        for (j = 0; j < i; j++) {
            v = json_object_get(json_array_get(files, j), "name");

            if (json_equal(v, name)) {
                sbx_error_set(err, 400, "invalid_field", field,
                              "repeats the name of files[%zu]", j);
                return SBX_SCHEMA_ERROR;
            }
        }

        snprintf(field, sizeof(field), "files[%zu].content", i);

        if (content == NULL) {
            sbx_error_set(err, 400, "missing_field", field,
                          "is required");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_string(content)) {
            sbx_error_set(err, 400, "invalid_field", field,
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
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be \"utf8\" or \"base64\"");
            return SBX_SCHEMA_ERROR;
        }

        if (strcmp(enc, "base64") == 0
            && sbx_base64_decode(NULL, json_string_value(content),
                                 json_string_length(content)) < 0)
        {
            snprintf(field, sizeof(field), "files[%zu].content", i);
            sbx_error_set(err, 400, "invalid_field", field,
                          "is not valid base64");
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_args(json_t *args, sbx_error_t *err)
{
    char     field[32];
    size_t   i;
    json_t  *a;

    if (!json_is_array(args) || json_array_size(args) > SBX_SCHEMA_MAX_ARGS) {
        sbx_error_set(err, 400, "invalid_field", "args",
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
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be a string of at most %d bytes "
                          "without NUL", SBX_SCHEMA_MAX_ARG);
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_checker(json_t *checker, sbx_error_t *err)
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
                sbx_error_set(err, 400, "unknown_field", "checker",
                              "has no field \"%.32s\"", key);
                return SBX_SCHEMA_ERROR;
            }
        }

        type = json_object_get(checker, "type");

        if (type == NULL) {
            sbx_error_set(err, 400, "missing_field", "checker.type",
                          "is required");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "pattern");

        if (v != NULL && !json_is_string(v)) {
            sbx_error_set(err, 400, "invalid_field",
                          "checker.pattern", "must be a string");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "abs");

        if (v != NULL && (!json_is_number(v) || json_number_value(v) < 0)) {
            sbx_error_set(err, 400, "invalid_field", "checker.abs",
                          "must be a number >= 0");
            return SBX_SCHEMA_ERROR;
        }

        v = json_object_get(checker, "rel");

        if (v != NULL && (!json_is_number(v) || json_number_value(v) < 0)) {
            sbx_error_set(err, 400, "invalid_field", "checker.rel",
                          "must be a number >= 0");
            return SBX_SCHEMA_ERROR;
        }

    } else {
        sbx_error_set(err, 400, "invalid_field", "checker",
                      "must be a string or an object");
        return SBX_SCHEMA_ERROR;
    }

    if (!json_is_string(type)
        || !sbx_schema_known(json_string_value(type), sbx_checker_names))
    {
        sbx_error_set(err, 400, "invalid_field",
                      json_is_object(checker) ? "checker.type"
                                              : "checker",
                      "must be one of exact, trimmed, regex, float");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_tests(json_t *tests, sbx_error_t *err)
{
    char        field[48];
    size_t      i;
    json_t     *t, *v;
    const char *key;

    if (!json_is_array(tests) || json_array_size(tests) == 0
        || json_array_size(tests) > SBX_SCHEMA_MAX_TESTS)
    {
        sbx_error_set(err, 400, "invalid_field", "tests",
                      "must be an array of 1 to %d tests",
                      SBX_SCHEMA_MAX_TESTS);
        return SBX_SCHEMA_ERROR;
    }

    json_array_foreach(tests, i, t) {

        if (!json_is_object(t)) {
            snprintf(field, sizeof(field), "tests[%zu]", i);
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be an object");
            return SBX_SCHEMA_ERROR;
        }

        json_object_foreach(t, key, v) {

            snprintf(field, sizeof(field), "tests[%zu].%.16s", i, key);

            if (strcmp(key, "stdin") != 0
                && strcmp(key, "expected_output") != 0)
            {
                sbx_error_set(err, 400, "unknown_field", field,
                              "is not a test field");
                return SBX_SCHEMA_ERROR;
            }

            if (!json_is_string(v)) {
                sbx_error_set(err, 400, "invalid_field", field,
                              "must be a string");
                return SBX_SCHEMA_ERROR;
            }
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_limits(json_t *limits, sbx_error_t *err)
{
    char         field[48];
    json_t      *v;
    const char  *key;

    if (!json_is_object(limits)) {
        sbx_error_set(err, 400, "invalid_field", "limits",
                      "must be an object");
        return SBX_SCHEMA_ERROR;
    }

    json_object_foreach(limits, key, v) {

        snprintf(field, sizeof(field), "limits.%.32s", key);

        if (!sbx_schema_known(key, sbx_limit_names)) {
            sbx_error_set(err, 400, "unknown_field", field,
                          "is not a limit");
            return SBX_SCHEMA_ERROR;
        }

        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            sbx_error_set(err, 400, "invalid_field", field,
                          "must be an integer >= 1");
            return SBX_SCHEMA_ERROR;
        }
    }

    return SBX_SCHEMA_OK;
}


static int
sbx_schema_url(json_t *url, sbx_error_t *err)
{
    size_t       len;
    const char  *s;

    s = json_string_value(url);

    if (s == NULL) {
        sbx_error_set(err, 400, "invalid_field", "callback_url",
                      "must be a string");
        return SBX_SCHEMA_ERROR;
    }

    len = json_string_length(url);

    if (len > 2048
        || memchr(s, '\0', len) != NULL
        || (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        || strpbrk(s, " \t\r\n") != NULL)
    {
        sbx_error_set(err, 400, "invalid_field", "callback_url",
                      "must be an http:// or https:// URL");
        return SBX_SCHEMA_ERROR;
    }

    return SBX_SCHEMA_OK;
}
