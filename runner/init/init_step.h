
/*
 * The step runner's inside, shared by its four files only: init_run.c
 * puts one step through spawn (init_spawn.c), watch (init_watch.c) and
 * measure (init_measure.c), which pass one sbx_init_proc_t along.
 */


#ifndef _SBX_INIT_STEP_H_INCLUDED_
#define _SBX_INIT_STEP_H_INCLUDED_


#include <time.h>
#include <sys/resource.h>

#include "init.h"


/* One step in flight: its descriptors, its processes, its counters. */
typedef struct {
    int                in;                  /* stdin, until the fork */
    int                out[2];              /* stdout pipe */
    int                err[2];              /* stderr pipe */
    int                rep[2];              /* the child's report pipe */

    pid_t              main;
    unsigned           main_done:1;
    unsigned           killed:1;            /* stopped by init on a limit */
    int                status;
    uint64_t           end;                 /* when main was reaped */
    struct rusage      main_ru;
    long               other_maxrss;        /* reaped orphans */
    uint64_t           other_cpu;

    /* the counters at the fork; UINT64_MAX: not available */
    unsigned           cg:1;                /* cg0 is the cgroup's */
    uint64_t           cg0;
    uint64_t           self0;
    uint64_t           oom0;
    uint64_t           t0;
    uint64_t           peak;                /* sampled, init's taken off */
    clockid_t          clk;
    clockid_t         *pclk;                /* the main process's clock */
} sbx_init_proc_t;


/* init_run.c */
void sbx_init_run_fail(sbx_init_result_t *res, const char *what);

/* init_spawn.c */
int sbx_init_spawn_prepare(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p);
int sbx_init_spawn(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p);

/* init_watch.c */
void sbx_init_watch_drain(void);
void sbx_init_watch(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p);

/* init_measure.c */
void sbx_init_measure_start(sbx_init_proc_t *p);
void sbx_init_measure_attach(sbx_init_proc_t *p);
uint64_t sbx_init_measure_cpu(sbx_init_proc_t *p);
uint64_t sbx_init_measure_peak(sbx_init_proc_t *p);
uint64_t sbx_init_measure_ru_ns(struct rusage *ru);
void sbx_init_measure(sbx_init_step_t *step, sbx_init_result_t *res,
    sbx_init_proc_t *p);


#endif /* _SBX_INIT_STEP_H_INCLUDED_ */
