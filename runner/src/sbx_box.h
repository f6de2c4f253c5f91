
/*
 * The container box (sbx_box.c): a started container waiting for its one
 * job, with its own uid and name, removed by the reaper after use.
 */


#ifndef _SBX_BOX_H_INCLUDED_
#define _SBX_BOX_H_INCLUDED_


#include <limits.h>

#include "sbx.h"
#include "sbx_docker.h"


#define SBX_BOX_PREFIX      "sbx-"       /* sbx-<runner id>-<pid>-<uid> */
#define SBX_BOX_SHM         (16 * 1024 * 1024)


typedef struct sbx_box_s  sbx_box_t;


struct sbx_box_s {
    char            name[96];
    char            id[SBX_DOCKER_ID_LEN + 1];
    int             uid;
    sbx_lang_t     *lang;
    int64_t         memory_kb;           /* the container's limits now */
    int64_t         pids;
    size_t          log_cap;             /* the result it may bring */
    unsigned        warm:1;
    unsigned        kill:1;              /* its job was cancelled */
    sbx_job_t      *job;                 /* set under the box lock */
    sbx_docker_t   *docker;

    /* its directory (sbx_boxdir.c); the FIFOs used by sbx_handover.c */
    char            dir[PATH_MAX];
    int             ctl;                 /* opened when the job comes */
    int             evt;                 /* open from the start */
    sbx_buf_t       chan;                /* read from evt, not yet taken */
    unsigned        dev:1;               /* dir/dev is its /dev */

    sbx_box_t      *prev;                /* live list */
    sbx_box_t      *next;
    sbx_box_t      *rnext;               /* reaper queue */
};


/* Checks the configuration and starts the reaper. */
int sbx_box_init(void);

/* Removes every released box, then stops the reaper. */
void sbx_box_drain(void);
void sbx_box_cleanup(void);

/*
 * A started container for lang with these container limits and room for
 * a result of log_cap bytes, or NULL with the reason in err.
 */
sbx_box_t *sbx_box_make(sbx_docker_t *d, sbx_lang_t *lang, int64_t memory_kb,
    int64_t pids, size_t log_cap, char *err, size_t size);

/*
 * Sets the container's memory (and swap: none) and pids limits on the
 * running container, with the box's own Docker client.
 */
int sbx_box_resize(sbx_box_t *box, int64_t memory_kb, int64_t pids,
    char *err, size_t size);

/*
 * Gives the box to job, where sbx_box_cancel() looks for it: SBX_OK, or
 * SBX_DECLINED when the job was cancelled before (nothing must run).
 */
int sbx_box_assign(sbx_box_t *box, sbx_job_t *job);

/*
 * Has the reaper kill the container that runs job, if there is one yet;
 * does not block (the event thread calls it).
 */
void sbx_box_cancel(sbx_job_t *job);

/* Hands a box to the reaper, which removes it. */
void sbx_box_release(sbx_box_t *box);

/* Removes this runner's containers that are on no box's name. */
int sbx_box_sweep(sbx_docker_t *d);

/* Kills the containers of all live boxes (shutdown after the grace). */
void sbx_box_abort(sbx_docker_t *d);
int sbx_box_aborting(void);


#endif /* _SBX_BOX_H_INCLUDED_ */
