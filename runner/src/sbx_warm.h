
/*
 * The warm pool: started containers waiting for jobs, by limit class
 * (sbx_warm.c).
 */


#ifndef _SBX_WARM_H_INCLUDED_
#define _SBX_WARM_H_INCLUDED_


#include "sbx.h"
#include "sbx_box.h"


#define SBX_WARM_CLASSES    32          /* limit classes kept at once */
#define SBX_WARM_BOXES      64          /* boxes per class at most */
#define SBX_WARM_IDLE_MS    30000       /* then a class wants its floor */


/*
 * A limit class: what a container is made with.  A box is handed only
 * to a job of its own class, so that its limits are the job's from the
 * start and nothing is changed on the job's path.
 */
typedef struct {
    sbx_lang_t         *lang;            /* its image too */
    int64_t             memory_kb;
    int64_t             pids;
    size_t              room;            /* the result's room: its log cap */
} sbx_warm_class_t;


typedef struct {
    sbx_warm_class_t    key;
    int                 floor;           /* --warm: kept even when idle */
    int                 n;               /* waiting */
    int                 inflight;        /* being made */
    sbx_msec_t          last;            /* last arrival, 0: none yet */
    double              gap_ms;          /* between arrivals, averaged */
    sbx_box_t          *boxes[SBX_WARM_BOXES];
} sbx_warm_pool_t;


/* The pools and what sizes them; sbx_warm.c holds one under its lock. */
typedef struct {
    int                 max;             /* boxes in all, made or making */
    double              fill_ms;         /* a create and start, averaged */
    size_t              npools;
    sbx_warm_pool_t     pools[SBX_WARM_CLASSES];
} sbx_warm_set_t;


int sbx_warm_start(void);
void sbx_warm_stop(void);

/*
 * A waiting box of class c, or NULL.  Counts the arrival either way
 * (the pool sizes itself to them), and a class of a warm language not
 * yet kept is kept from now on.  The caller owns the box; the pool
 * makes another.
 */
sbx_box_t *sbx_warm_take(const sbx_warm_class_t *c);

/* Throws every waiting box away (Docker restarted: they are dead). */
void sbx_warm_flush(void);

size_t sbx_warm_ready(void);


/* The pool's decisions, without locks or Docker: for unit tests. */

int sbx_warm_class_eq(const sbx_warm_class_t *a, const sbx_warm_class_t *b);

/*
 * Boxes a class wants, waiting or being made: enough to cover the
 * arrivals while one is made (Little's law: arrival rate × fill time),
 * one more, at least its floor, at most max.  An arrival gap that has
 * grown since (idle) counts as the gap; idle for SBX_WARM_IDLE_MS, the
 * floor alone.
 */
int sbx_warm_target(int floor, int max, double gap_ms, sbx_msec_t idle_ms,
    double fill_ms);

sbx_warm_pool_t *sbx_warm_find(sbx_warm_set_t *set,
    const sbx_warm_class_t *c);

/*
 * Keeps a new class (floor 0), in place of one that is idle and empty if
 * the set is full; NULL when none can go.
 */
sbx_warm_pool_t *sbx_warm_learn(sbx_warm_set_t *set,
    const sbx_warm_class_t *c);

/* Counts an arrival of the pool's class at now. */
void sbx_warm_arrive(sbx_warm_pool_t *p, sbx_msec_t now);

/*
 * The class to make a box for next: the one furthest below its target,
 * while all of them together stay within max; NULL when none is.
 */
sbx_warm_pool_t *sbx_warm_next(sbx_warm_set_t *set, sbx_msec_t now);

/*
 * A waiting box the pool no longer wants (its class idle for
 * SBX_WARM_IDLE_MS and above its target), taken out, or NULL.
 */
sbx_box_t *sbx_warm_trim(sbx_warm_set_t *set, sbx_msec_t now);


#endif /* _SBX_WARM_H_INCLUDED_ */
