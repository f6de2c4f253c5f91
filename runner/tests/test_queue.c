
/*
 * The job queue (bounded FIFO, all-or-nothing pushes, taking one job
 * out for a cancel, close) and the done queue (eventfd wake-up),
 * including many threads at once.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <poll.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_job.h"
#include "sbx_queue.h"


static void
test_fifo_and_bound(void **state)
{
    int           i;
    sbx_job_t     jobs[5], *p[5];
    sbx_queue_t   q;

    assert_int_equal(sbx_queue_init(&q, 3), SBX_OK);

    for (i = 0; i < 5; i++) {
        p[i] = &jobs[i];
    }

    assert_int_equal(sbx_queue_push(&q, &p[0], 1), SBX_OK);
    assert_int_equal(sbx_queue_push(&q, &p[1], 2), SBX_OK);
    assert_int_equal(sbx_queue_len(&q), 3);

    /* full: refused, nothing changes */
    assert_int_equal(sbx_queue_push(&q, &p[3], 1), SBX_BUSY);
    assert_int_equal(sbx_queue_len(&q), 3);

    assert_ptr_equal(sbx_queue_pop(&q), &jobs[0]);

    /* two do not fit in one free slot: all or none */
    assert_int_equal(sbx_queue_push(&q, &p[3], 2), SBX_BUSY);
    assert_int_equal(sbx_queue_len(&q), 2);
    assert_int_equal(sbx_queue_push(&q, &p[3], 1), SBX_OK);

    assert_ptr_equal(sbx_queue_pop(&q), &jobs[1]);
    assert_ptr_equal(sbx_queue_pop(&q), &jobs[2]);
    assert_ptr_equal(sbx_queue_pop(&q), &jobs[3]);
    assert_int_equal(sbx_queue_len(&q), 0);

    sbx_queue_destroy(&q);
}


static void
test_remove(void **state)
{
    int           i;
    sbx_job_t     jobs[4], *p[4];
    sbx_queue_t   q;

    assert_int_equal(sbx_queue_init(&q, 4), SBX_OK);

    for (i = 0; i < 4; i++) {
        p[i] = &jobs[i];
    }

    assert_int_equal(sbx_queue_push(&q, p, 3), SBX_OK);

    /* the middle, the tail, then one that is not there */
    assert_int_equal(sbx_queue_remove(&q, &jobs[1]), SBX_OK);
    assert_int_equal(sbx_queue_len(&q), 2);
    assert_int_equal(sbx_queue_remove(&q, &jobs[2]), SBX_OK);
    assert_int_equal(sbx_queue_remove(&q, &jobs[2]), SBX_DECLINED);
    assert_int_equal(sbx_queue_remove(&q, &jobs[3]), SBX_DECLINED);
    assert_int_equal(sbx_queue_len(&q), 1);

    /* the tail moved back: a push after it still queues in order */
    assert_int_equal(sbx_queue_push(&q, &p[3], 1), SBX_OK);
    assert_ptr_equal(sbx_queue_pop(&q), &jobs[0]);
    assert_ptr_equal(sbx_queue_pop(&q), &jobs[3]);

    /* the head, alone */
    assert_int_equal(sbx_queue_push(&q, &p[1], 1), SBX_OK);
    assert_int_equal(sbx_queue_remove(&q, &jobs[1]), SBX_OK);
    assert_int_equal(sbx_queue_len(&q), 0);
    assert_int_equal(sbx_queue_push(&q, &p[2], 1), SBX_OK);
    assert_ptr_equal(sbx_queue_pop(&q), &jobs[2]);

    sbx_queue_destroy(&q);
}


static void
test_close(void **state)
{
    sbx_job_t     jobs[2], *p[2], *rest;
    sbx_queue_t   q;

    p[0] = &jobs[0];
    p[1] = &jobs[1];

    assert_int_equal(sbx_queue_init(&q, 10), SBX_OK);
    assert_int_equal(sbx_queue_push(&q, p, 2), SBX_OK);

    rest = sbx_queue_close(&q);

    /* what was queued comes back in order; nothing more gets in */
    assert_ptr_equal(rest, &jobs[0]);
    assert_ptr_equal(rest->next, &jobs[1]);
    assert_null(rest->next->next);

    assert_int_equal(sbx_queue_push(&q, p, 1), SBX_DECLINED);
    assert_null(sbx_queue_pop(&q));

    sbx_queue_destroy(&q);
}


typedef struct {
    sbx_queue_t   *q;
    sbx_done_t    *d;
} pipe_t;


static void *
worker(void *data)
{
    pipe_t     *pp = data;
    sbx_job_t  *job;

    while ((job = sbx_queue_pop(pp->q)) != NULL) {
        sbx_done_push(pp->d, job);
    }

    return NULL;
}


static void
test_threads(void **state)
{
    int            i, n, rc;
    pipe_t         pp;
    pthread_t      t[4];
    sbx_job_t     *jobs, *job, *p;
    sbx_done_t     d;
    sbx_queue_t    q;
    struct pollfd  pfd;
    unsigned char  seen[1000];

    /* 1000 jobs through 4 workers: each comes back exactly once */

    jobs = calloc(1000, sizeof(sbx_job_t));
    memset(seen, 0, sizeof(seen));

    assert_int_equal(sbx_queue_init(&q, 16), SBX_OK);
    assert_int_equal(sbx_done_init(&d), SBX_OK);

    pp.q = &q;
    pp.d = &d;

    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, worker, &pp), 0);
    }

    n = 0;
    i = 0;

    while (n < 1000) {
        if (i < 1000) {
            p = &jobs[i];
            rc = sbx_queue_push(&q, &p, 1);

            if (rc == SBX_OK) {
                i++;
                continue;
            }

            assert_int_equal(rc, SBX_BUSY);
        }

        pfd.fd = d.fd;
        pfd.events = POLLIN;
        assert_true(poll(&pfd, 1, 5000) == 1);

        for (job = sbx_done_take(&d); job; job = job->next) {
            assert_false(seen[job - jobs]);
            seen[job - jobs] = 1;
            n++;
        }
    }

    (void) sbx_queue_close(&q);

    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }

    assert_null(sbx_done_take(&d));

    sbx_done_destroy(&d);
    sbx_queue_destroy(&q);
    free(jobs);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_fifo_and_bound),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_close),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
