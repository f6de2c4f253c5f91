
/*
 * Job ids, shared by the nginx module (which mints them at the edge) and
 * sandbox-runner (which checks them, and mints its own when a frame
 * carries none).
 *
 * An id is UUID-shaped: 36 characters, lowercase hex in groups of
 * 8-4-4-4-12, version 4 bits set.  Its first 8 hex digits are the route
 * key ($sandbox_route), which a "hash ... consistent" upstream turns into
 * the runner that owns the job.  The items of a batch share the batch's
 * route key: item i's id is the batch's base id with its last 3 hex
 * digits replaced by i, so the module knows every id before the runner
 * queues one, and two items of one batch never share an id.
 *
 * Plain C, no nginx or runner types; the random bytes come from the
 * kernel (getrandom(2)), as ids are the only key to a job's result.
 */


#ifndef _SBX_ID_H_INCLUDED_
#define _SBX_ID_H_INCLUDED_


#include <stddef.h>


#define SBX_ID_LEN          36           /* a UUID in text */
#define SBX_ID_ROUTE_LEN    8            /* its first 8 hex digits */
#define SBX_ID_ITEMS        4096         /* 3 hex digits: batch items */


/*
 * Mints a new id into buf (SBX_ID_LEN + 1 bytes, NUL-terminated) with
 * the route key route (SBX_ID_ROUTE_LEN lowercase hex digits), or a
 * random one when route is NULL.  Returns 0, or -1 when route is not a
 * route key or no random bytes could be had.
 */
int sbx_id_mint(char *buf, const char *route);

/* 1 when s[0..len) is an id of the shape above, else 0. */
int sbx_id_valid(const char *s, size_t len);

/*
 * Item i's id of the batch whose base id is base, into buf
 * (SBX_ID_LEN + 1 bytes).  Returns 0, or -1 when base is not an id or
 * i >= SBX_ID_ITEMS.
 */
int sbx_id_item(char *buf, const char *base, size_t i);

/*
 * The route key of id[0..len) into route (SBX_ID_ROUTE_LEN + 1 bytes).
 * Returns 0, or -1 when id is not an id.
 */
int sbx_id_route(const char *id, size_t len, char *route);


#endif /* _SBX_ID_H_INCLUDED_ */
