
/*
 * The monitor thread: Docker's health, expiry of results, stray
 * containers.
 */


#ifndef _SBX_MONITOR_H_INCLUDED_
#define _SBX_MONITOR_H_INCLUDED_


#include "sbx.h"


int sbx_monitor_start(void);
void sbx_monitor_stop(void);


#endif /* _SBX_MONITOR_H_INCLUDED_ */
