
/*
 * The monitor thread: Docker's health, expiry of results, stray
 * containers.
 */


#ifndef _SBX_MONITOR_H_INCLUDED_
#define _SBX_MONITOR_H_INCLUDED_


#include "sbx.h"


/* docker_up: what the start-up check found, until the first ping. */
int sbx_monitor_start(int docker_up);
void sbx_monitor_stop(void);

/*
 * Whether Docker answered the last ping: any thread may ask (health,
 * metrics, and the API, which refuses new work while it is 0).
 */
int sbx_monitor_docker_up(void);

/* A removal the reaper could not see through: the sweep comes sooner. */
void sbx_monitor_sweep_soon(void);


#endif /* _SBX_MONITOR_H_INCLUDED_ */
