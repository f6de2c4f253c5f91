
/*
 * The warm pool's decisions (sbx_warm.c), without Docker: limit classes
 * never mix, each class wants boxes for its arrival rate within the
 * maximum, classes are learned and forgotten, idle boxes go.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sbx.h"
#include "sbx_warm.h"


static sbx_lang_t  *py = (sbx_lang_t *) 0x1000;
static sbx_lang_t  *js = (sbx_lang_t *) 0x2000;


static sbx_warm_class_t
cls(sbx_lang_t *lang, int64_t mem, int64_t pids, size_t room)
{
    sbx_warm_class_t  c;

    c.lang = lang;
    c.memory_kb = mem;
    c.pids = pids;
    c.room = room;

    return c;
}


static void
test_class_keys(void **state)
{
    sbx_warm_class_t  a, b;

    a = cls(py, 1000, 70, 2 << 20);

    b = a;
    assert_true(sbx_warm_class_eq(&a, &b));

    b = cls(js, 1000, 70, 2 << 20);       /* another language, image */
    assert_false(sbx_warm_class_eq(&a, &b));

    b = cls(py, 2000, 70, 2 << 20);       /* more memory */
    assert_false(sbx_warm_class_eq(&a, &b));

    b = cls(py, 500, 70, 2 << 20);        /* less: no larger box either */
    assert_false(sbx_warm_class_eq(&a, &b));

    b = cls(py, 1000, 71, 2 << 20);
    assert_false(sbx_warm_class_eq(&a, &b));

    b = cls(py, 1000, 70, 4 << 20);
    assert_false(sbx_warm_class_eq(&a, &b));
}


static void
test_find_never_mixes(void **state)
{
    sbx_warm_set_t    set;
    sbx_warm_pool_t  *p;
    sbx_warm_class_t  a, b;

    memset(&set, 0, sizeof(set));
    set.max = 8;

    a = cls(py, 1000, 70, 2 << 20);
    b = cls(py, 2000, 70, 2 << 20);

    p = sbx_warm_learn(&set, &a);
    assert_non_null(p);
    p->n = 3;

    assert_ptr_equal(sbx_warm_find(&set, &a), p);
    assert_null(sbx_warm_find(&set, &b));

    /* b learned: a pool of its own, empty */
    p = sbx_warm_learn(&set, &b);
    assert_non_null(p);
    assert_int_equal(p->n, 0);
    assert_ptr_equal(sbx_warm_find(&set, &b), p);
    assert_int_equal(sbx_warm_find(&set, &a)->n, 3);
}


static void
test_target(void **state)
{
    /* no arrivals yet: the floor */
    assert_int_equal(sbx_warm_target(2, 16, 0, 0, 300), 2);
    assert_int_equal(sbx_warm_target(0, 16, 0, 0, 300), 0);

    /* one every 50 ms, 300 ms to make one: 6 in flight, and one more */
    assert_int_equal(sbx_warm_target(1, 16, 50, 10, 300), 7);

    /* slow arrivals: the floor, or one */
    assert_int_equal(sbx_warm_target(2, 16, 5000, 10, 300), 2);
    assert_int_equal(sbx_warm_target(0, 16, 5000, 10, 300), 1);

    /* never beyond the maximum */
    assert_int_equal(sbx_warm_target(1, 4, 10, 0, 300), 4);
    assert_int_equal(sbx_warm_target(1, 1000, 1, 0, 100000),
                     SBX_WARM_BOXES);

    /* going idle: the gap since the last arrival counts */
    assert_int_equal(sbx_warm_target(1, 16, 50, 100, 300), 4);

    /* idle: the floor alone */
    assert_int_equal(sbx_warm_target(1, 16, 50, 60000, 300), 1);
    assert_int_equal(sbx_warm_target(0, 16, 50, 60000, 300), 0);
}


static void
test_arrive_rate(void **state)
{
    int               i;
    sbx_warm_pool_t   p;

    memset(&p, 0, sizeof(p));

    /* the first arrival: one box wanted, no more */
    sbx_warm_arrive(&p, 1000);
    assert_int_equal(sbx_warm_target(0, 16, p.gap_ms, 0, 300), 1);

    /* the second: its gap as it is, a burst is met at once */
    sbx_warm_arrive(&p, 1020);
    assert_true(p.gap_ms == 20);
    assert_int_equal(sbx_warm_target(0, 16, p.gap_ms, 0, 300), 16);

    for (i = 2; i <= 50; i++) {
        sbx_warm_arrive(&p, 1000 + i * 20);
    }

    assert_true(p.gap_ms > 19 && p.gap_ms < 21);

    /* a slower pace: the average follows */
    for (i = 1; i <= 50; i++) {
        sbx_warm_arrive(&p, 2000 + i * 100);
    }

    assert_true(p.gap_ms > 95 && p.gap_ms < 105);

    /* after an idle spell, the next burst's first gap is taken as it is */
    sbx_warm_arrive(&p, 200000);
    sbx_warm_arrive(&p, 200050);
    assert_true(p.gap_ms == 50);
}


static void
test_next_sizes_and_caps(void **state)
{
    sbx_warm_set_t    set;
    sbx_warm_pool_t  *a, *b;
    sbx_warm_class_t  ca, cb;

    memset(&set, 0, sizeof(set));
    set.max = 6;
    set.fill_ms = 300;

    ca = cls(py, 1000, 70, 2 << 20);
    cb = cls(js, 1000, 70, 2 << 20);

    a = sbx_warm_learn(&set, &ca);
    a->floor = 2;
    b = sbx_warm_learn(&set, &cb);
    b->floor = 1;

    /* both below their floors: a is further */
    assert_ptr_equal(sbx_warm_next(&set, 1000), a);
    a->inflight = 2;                      /* two creates in flight */
    assert_ptr_equal(sbx_warm_next(&set, 1000), b);
    b->n = 1;
    assert_null(sbx_warm_next(&set, 1000));

    /* b's arrivals come fast: it wants more, up to the maximum in all */
    b->last = 1000;
    b->gap_ms = 30;
    assert_ptr_equal(sbx_warm_next(&set, 1000), b);
    b->n = 4;                             /* 2 + 4 = max */
    assert_null(sbx_warm_next(&set, 1000));
}


static void
test_learn_evicts_idle_only(void **state)
{
    int               i;
    sbx_warm_set_t    set;
    sbx_warm_pool_t  *p;
    sbx_warm_class_t  c;

    memset(&set, 0, sizeof(set));
    set.max = 64;

    for (i = 0; i < SBX_WARM_CLASSES; i++) {
        c = cls(py, 1000 + i, 70, 2 << 20);
        p = sbx_warm_learn(&set, &c);
        assert_non_null(p);
        p->floor = 1;                     /* configured: kept */
    }

    c = cls(py, 99999, 70, 2 << 20);
    assert_null(sbx_warm_learn(&set, &c));

    /* a learned class, empty and idle the longest, makes room */

    set.pools[5].floor = 0;
    set.pools[5].last = 10;
    set.pools[9].floor = 0;
    set.pools[9].last = 20;
    set.pools[7].floor = 0;
    set.pools[7].last = 5;
    set.pools[7].n = 1;                   /* has a box: stays */

    p = sbx_warm_learn(&set, &c);
    assert_ptr_equal(p, &set.pools[5]);
    assert_true(sbx_warm_class_eq(&p->key, &c));
    assert_int_equal(p->n, 0);
    assert_int_equal(set.npools, SBX_WARM_CLASSES);
}


static void
test_trim_after_burst(void **state)
{
    sbx_box_t         boxes[5];
    sbx_warm_set_t    set;
    sbx_warm_pool_t  *p;
    sbx_warm_class_t  c;

    memset(&set, 0, sizeof(set));
    set.max = 16;
    set.fill_ms = 300;

    c = cls(py, 1000, 70, 2 << 20);
    p = sbx_warm_learn(&set, &c);
    p->floor = 2;
    p->n = 5;
    p->boxes[0] = &boxes[0];
    p->boxes[1] = &boxes[1];
    p->boxes[2] = &boxes[2];
    p->boxes[3] = &boxes[3];
    p->boxes[4] = &boxes[4];
    p->gap_ms = 20;
    p->last = 1000;

    /* still busy: kept */
    assert_null(sbx_warm_trim(&set, 2000));

    /* idle: the oldest go, down to the floor */
    assert_ptr_equal(sbx_warm_trim(&set, 100000), &boxes[0]);
    assert_ptr_equal(sbx_warm_trim(&set, 100000), &boxes[1]);
    assert_ptr_equal(sbx_warm_trim(&set, 100000), &boxes[2]);
    assert_null(sbx_warm_trim(&set, 100000));
    assert_int_equal(p->n, 2);
    assert_ptr_equal(p->boxes[0], &boxes[3]);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_class_keys),
        cmocka_unit_test(test_find_never_mixes),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_arrive_rate),
        cmocka_unit_test(test_next_sizes_and_caps),
        cmocka_unit_test(test_learn_evicts_idle_only),
        cmocka_unit_test(test_trim_after_burst),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
