
/*
 * The job: the files, the compile, the pause after it, every test, and
 * each step's verdict.  A step's numbers come from init_run.c; this file
 * turns them into a status of the shared vocabulary and hands the step
 * to init_result.c, which keeps it for the one RESULT frame.
 *
 * Order of the verdicts: internal error > output limit > time limit >
 * memory limit > runtime (or compilation) error > the checker.  After an
 * error of init's own, after the first failure when the job says
 * stop_on_failure, and after the test that crossed the job's output
 * budget (which the compile and every test draw from), the remaining
 * tests are skipped.
 *
 * A verdict comes from what init measured (init_measure.c), never from
 * how the program ended alone: a program that sends itself SIGXCPU or
 * SIGKILL under its limits had a runtime error, with that signal.
 */


#include <stdio.h>
#include <string.h>

#include "init.h"


static sbx_status_e sbx_init_verdict(sbx_init_result_t *r, int compile,
    const char **limit);
static sbx_status_e sbx_init_judge(sbx_init_job_t *job, sbx_init_test_t *t,
    sbx_init_result_t *r);


void
sbx_init_job(sbx_init_job_t *job, sbx_init_ctl_t *ctl, sbx_init_out_t *out)
{
    int                 stop, ran;
    size_t              i;
    uint64_t            left;
    json_t             *o;
    const char         *limit;
    sbx_status_e        status;
    sbx_init_test_t    *t;
    sbx_init_step_t     step;
    sbx_init_result_t   r;

    if (job->nfiles
        && sbx_init_write_files(job, out->error, sizeof(out->error))
           != SBX_INIT_OK)
    {
        return;
    }

    /* the files are on disk: drop the JSON before anything forks again */

    sbx_init_payload_release(job);

    /* the result's steps are built where no forked child inherits them */

    sbx_init_arena_use(1);

    out->tests = json_array();

    if (out->tests == NULL) {
        snprintf(out->error, sizeof(out->error), "no memory for the result");
        return;
    }

    memset(&step, 0, sizeof(sbx_init_step_t));
    step.env = job->env;
    step.workdir = job->workdir;
    step.uid = job->uid;
    step.gid = job->gid;

    left = job->output_budget;
    step.output_left = job->output_budget ? &left : NULL;

    if (job->has_compile) {
        sbx_init_stream_status("compiling");

        step.test = -1;
        step.argv = job->compile.argv;
        step.limits = &job->compile.limits;

        sbx_init_run_step(&step, &r);

        status = sbx_init_verdict(&r, 1, &limit);

        if (r.failed) {
            snprintf(out->error, sizeof(out->error), "compile: %s",
                     r.message);
        }

        out->has_compile = 1;
        out->compile = sbx_init_step_json(&r, status, 1, limit);

        if (out->compile == NULL) {
            snprintf(out->error, sizeof(out->error), "compile: no memory");
        }

        sbx_init_result_free(&r);

        if (status != SBX_STATUS_ACCEPTED || out->error[0]) {
            return;
        }

        if (job->pause_after_compile) {
            if (sbx_init_pause(ctl, out->error, sizeof(out->error))
                != SBX_INIT_OK)
            {
                return;
            }
        }
    }

    sbx_init_ctl_close(ctl);

    /* the state every test starts from (init_reset.c) */

    (void) sbx_init_reset_save(job, out->error, sizeof(out->error));

    sbx_init_stream_status("running");

    step.argv = job->run.argv;
    step.limits = &job->run.limits;

    stop = 0;
    ran = 0;

    for (i = 0; i < job->ntests; i++) {
        t = &job->tests[i];

        memset(&r, 0, sizeof(sbx_init_result_t));
        status = SBX_STATUS_SKIPPED;
        limit = NULL;

        if (!stop && !out->error[0] && ran++) {
            (void) sbx_init_reset(job, out->error, sizeof(out->error));
        }

        /* after an init error or the first failure: skipped */

        if (!stop && !out->error[0]) {
            /* a test always reads a memfd, empty or not (NULL: /dev/null) */

            step.stdin_data = job->store.data
                              ? job->store.data + t->stdin_off
                              : (const u_char *) "";
            step.stdin_len = t->stdin_len;
            step.test = (long) i;

            sbx_init_run_step(&step, &r);

            if (r.failed) {
                snprintf(out->error, sizeof(out->error), "test %zu: %s", i,
                         r.message);
            }

            status = sbx_init_verdict(&r, 0, &limit);

            if (status == SBX_STATUS_ACCEPTED) {
                status = sbx_init_judge(job, t, &r);
            }

            if (job->stop_on_failure && status != SBX_STATUS_ACCEPTED) {
                stop = 1;
            }

            if (r.budget_limit) {
                stop = 2;
            }

        } else if (stop == 2) {
            snprintf(r.message, sizeof(r.message), "not run: the job's "
                     "output budget of %llu KiB is spent",
                     (unsigned long long) job->output_budget / 1024);
        }

        o = sbx_init_step_json(&r, status, 0, limit);

        sbx_init_result_free(&r);

        if (o != NULL) {
            sbx_init_stream_test(i, o);
        }

        if (o == NULL || json_array_append_new(out->tests, o) != 0) {
            snprintf(out->error, sizeof(out->error),
                     "no memory for the result");
            return;
        }
    }
}


/*
 * The verdict from the step's numbers alone; SBX_STATUS_ACCEPTED when it
 * ran cleanly: a compile is "ok" then, and a test goes to the checker.
 */

static sbx_status_e
sbx_init_verdict(sbx_init_result_t *r, int compile, const char **limit)
{
    *limit = NULL;

    if (r->failed || r->exec_failed) {
        return SBX_STATUS_INTERNAL_ERROR;
    }

    if (r->output_limit) {
        *limit = r->budget_limit ? "job_output" : NULL;
        return SBX_STATUS_OUTPUT_LIMIT;
    }

    if (r->cpu_limit || r->wall_limit) {
        *limit = r->cpu_limit ? "cpu" : "wall";
        return SBX_STATUS_TIME_LIMIT;
    }

    if (r->memory_limit) {
        return SBX_STATUS_MEMORY_LIMIT;
    }

    if (!r->exited || r->exit_code != 0) {
        return compile ? SBX_STATUS_COMPILATION_ERROR
                       : SBX_STATUS_RUNTIME_ERROR;
    }

    return SBX_STATUS_ACCEPTED;
}


/*
 * A checker applies when the test has an expected output, or when the
 * job's regex checker has its own pattern; otherwise a clean exit is
 * accepted.
 */

static sbx_status_e
sbx_init_judge(sbx_init_job_t *job, sbx_init_test_t *t, sbx_init_result_t *r)
{
    int  rc;

    if (!t->has_expected
        && !(job->check.type == SBX_CHECK_REGEX && job->regex_pattern))
    {
        return SBX_STATUS_ACCEPTED;
    }

    rc = sbx_check_run(&job->check, (char *) r->out.data, r->out.len,
                       (char *) job->store.data + t->expected_off,
                       t->expected_len);

    if (rc == SBX_CHECK_ACCEPTED) {
        return SBX_STATUS_ACCEPTED;
    }

    if (rc == SBX_CHECK_WRONG) {
        return SBX_STATUS_WRONG_ANSWER;
    }

    snprintf(r->message, sizeof(r->message), "checker: %s",
             job->check.error);

    return SBX_STATUS_INTERNAL_ERROR;
}
