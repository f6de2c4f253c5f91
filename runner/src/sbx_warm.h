
/*
 * The warm pool: started containers waiting for jobs (sbx_warm.c).
 */


#ifndef _SBX_WARM_H_INCLUDED_
#define _SBX_WARM_H_INCLUDED_


#include "sbx.h"
#include "sbx_box.h"


int sbx_warm_start(void);
void sbx_warm_stop(void);

/*
 * A waiting box for lang that can hold a result of cap bytes, or NULL.
 * The caller owns it; the pool makes another.
 */
sbx_box_t *sbx_warm_take(sbx_lang_t *lang, size_t cap);

/* Throws every waiting box away (Docker restarted: they are dead). */
void sbx_warm_flush(void);

size_t sbx_warm_ready(void);


#endif /* _SBX_WARM_H_INCLUDED_ */
