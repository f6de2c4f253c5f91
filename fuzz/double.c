
/*
 * Fuzz target: the test double (runner/src/sbx_double.c) on a program's
 * text, which is whatever a site's test sends: sbx_double_parse() on the
 * input, then the input as the main file of a job (one per language of
 * the real languages.json, picked by the input's size; three tests, two
 * with an expected output, stop_on_failure for every other language)
 * through sbx_double_run() and sbx_result_build(), as a worker of the
 * double would.  Delays end at once (sbx_double_abort()).
 */


#include <stdint.h>
#include <string.h>

#include "fuzz_runner.h"
#include "sbx_base64.h"
#include "sbx_conf.h"
#include "sbx_double.h"
#include "sbx_result.h"
#include "sbx_schema.h"
#include "sbx_submit.h"


#define SBX_FUZZ_MAX_LANGS  64


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static sbx_job_t  *sbx_fuzz_jobs[SBX_FUZZ_MAX_LANGS];
static size_t      sbx_fuzz_njobs;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char          text[512];
    size_t        i;
    json_t       *sub;
    sbx_lang_t   *lang;
    sbx_error_t   err;

    sbx_conf.test_double = 1;
    sbx_double_abort();

    sbx_fuzz_runner_init();

    for (i = 0; i < sbx_lang_count() && i < SBX_FUZZ_MAX_LANGS; i++) {
        lang = sbx_lang_at(i);

        snprintf(text, sizeof(text),
                 "{\"language\":\"%s\",\"source\":\"x\",%s"
                 "\"checker\":\"%s\",\"tests\":[{\"stdin\":\"1\\n\","
                 "\"expected_output\":\"1\"},{\"stdin\":\"\"},"
                 "{\"stdin\":\"2\",\"expected_output\":\"3\"}]}",
                 lang->id, (i % 2) ? "\"stop_on_failure\":true," : "",
                 (i % 3) ? "trimmed" : "float");

        sub = sbx_schema_parse(text, strlen(text), &err);

        if (sub == NULL) {
            abort();
        }

        sbx_fuzz_jobs[sbx_fuzz_njobs] = sbx_submit_prepare(sub, &err);
        json_decref(sub);

        if (sbx_fuzz_jobs[sbx_fuzz_njobs] == NULL) {
            fprintf(stderr, "fuzz: %s: %s\n", lang->id, err.message);
            abort();
        }

        sbx_fuzz_njobs++;
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int            rc;
    char          *s, *b64, err[256];
    json_t        *init, *res, *file;
    size_t         len;
    sbx_job_t     *job;
    sbx_double_t   d;
    sbx_status_e   status;

    err[0] = '\0';

    rc = sbx_double_parse((const char *) data, size, &d, err, sizeof(err));

    if (rc != SBX_OK && err[0] == '\0') {
        abort();                          /* a refusal always says why */
    }

    sbx_double_free(&d);

    /* the input as the main file of the job */

    b64 = malloc(sbx_base64_encoded_len(size) + 1);
    if (b64 == NULL) {
        return 0;
    }

    len = sbx_base64_encode(b64, data, size);

    job = sbx_fuzz_jobs[size % sbx_fuzz_njobs];
    file = json_array_get(json_object_get(job->payload, "files"), 0);

    json_object_set_new(file, "data", json_stringn(b64, len));
    free(b64);

    init = sbx_double_run(job, err, sizeof(err));

    if ((init == NULL) != (rc != SBX_OK)) {
        abort();                          /* run and parse disagree */
    }

    s = sbx_result_build(job, init, err, &status, &len);

    if (s == NULL) {
        abort();
    }

    /* the API result is one JSON object with a final status, labelled */

    res = json_loadb(s, len, 0, NULL);

    if (!json_is_object(res)
        || !json_is_string(json_object_get(res, "status"))
        || !json_is_true(json_object_get(res, "test_double"))
        || status < SBX_STATUS_FIRST_FINAL)
    {
        abort();
    }

    json_decref(res);
    json_decref(init);
    free(s);

    return 0;
}
