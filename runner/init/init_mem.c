
/*
 * Memory that a forked child never inherits.  Every step is a fork of
 * init, and the kernel carries the child's peak RSS, init's resident
 * memory included, into the program's ru_maxrss across exec: whatever
 * init holds while it forks would be measured as the program's.  So
 * test data, captured output and the result live in MADV_DONTFORK
 * mappings outside the malloc heap:
 *
 * - sbx_init_buf_t: one growable mapping per buffer (test data, stdout,
 *   stderr);
 * - the arena: jansson's allocator while the steps run, so the step
 *   objects of the result (init_result.c) are built once and kept as
 *   JSON without growing the heap.  It only bumps a pointer: nothing
 *   is freed before the result is written and init exits.  Outside the
 *   steps jansson uses malloc; free() tells the two apart by address.
 */


#define _GNU_SOURCE

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "init.h"


#define SBX_ARENA_CHUNK  (1024 * 1024)
#define SBX_ARENA_ALIGN  16


typedef struct sbx_arena_chunk_s  sbx_arena_chunk_t;

struct sbx_arena_chunk_s {
    sbx_arena_chunk_t  *next;
    size_t              size;                /* of the mapping */
    size_t              used;                /* header included */
};


static void *sbx_init_dontfork(void *old, size_t old_size, size_t size);
static void *sbx_arena_alloc(size_t n);
static void sbx_arena_free(void *p);


static sbx_arena_chunk_t  *sbx_arena_chunks;  /* the current one first */
static unsigned            sbx_arena_on;


/*
 * Buffers live in their own MADV_DONTFORK mappings (see init.h);
 * MAP_NORESERVE because an output buffer is sized for the limit but
 * usually gets a few bytes.
 */

int
sbx_init_buf_reserve(sbx_init_buf_t *b, size_t n)
{
    void    *p;
    size_t   size, page;

    if (n <= b->size) {
        return SBX_INIT_OK;
    }

    page = (size_t) sysconf(_SC_PAGESIZE);

    /* the first mapping is what was asked for, growth doubles */

    size = b->size ? b->size : n;

    while (size < n) {
        size *= 2;
    }

    size = (size + page - 1) & ~(page - 1);

    p = sbx_init_dontfork(b->data, b->size, size);

    if (p == NULL) {
        return SBX_INIT_ERROR;
    }

    b->data = p;
    b->size = size;

    return SBX_INIT_OK;
}


int
sbx_init_buf_append(sbx_init_buf_t *b, const void *p, size_t n)
{
    if (sbx_init_buf_reserve(b, b->len + n) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }

    return SBX_INIT_OK;
}


void
sbx_init_buf_free(sbx_init_buf_t *b)
{
    if (b->data) {
        munmap(b->data, b->size);
    }

    b->data = NULL;
    b->len = 0;
    b->size = 0;
}


/* jansson allocates through the arena while it is on, else malloc. */

void
sbx_init_arena_setup(void)
{
    json_set_alloc_funcs(sbx_arena_alloc, sbx_arena_free);
}


/* on: the steps are about to run; off: no child will be forked again. */

void
sbx_init_arena_use(int on)
{
    sbx_arena_on = on ? 1 : 0;
}


/* A new mapping of size bytes, or old grown to it; NULL on failure. */

static void *
sbx_init_dontfork(void *old, size_t old_size, size_t size)
{
    void  *p;

    if (old == NULL) {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    } else {
        p = mremap(old, old_size, size, MREMAP_MAYMOVE);
    }

    if (p == MAP_FAILED) {
        return NULL;
    }

    if (madvise(p, size, MADV_DONTFORK) == -1) {
        sbx_init_log("madvise: %s", strerror(errno));
    }

    return p;
}


/*
 * Small blocks come from the current chunk; a block too big for a
 * quarter of a chunk gets a chunk of its own, put behind the current
 * one so that the rest of that is not lost.
 */

static void *
sbx_arena_alloc(size_t n)
{
    size_t              size, page, head;
    sbx_arena_chunk_t  *c;

    if (!sbx_arena_on) {
        return malloc(n);
    }

    head = (sizeof(sbx_arena_chunk_t) + SBX_ARENA_ALIGN - 1)
           & ~((size_t) SBX_ARENA_ALIGN - 1);

    if (n > SIZE_MAX / 2 - head) {
        return NULL;
    }

    n = (n + SBX_ARENA_ALIGN - 1) & ~((size_t) SBX_ARENA_ALIGN - 1);

    c = sbx_arena_chunks;

    if (c != NULL && c->size - c->used >= n) {
        c->used += n;
        return (u_char *) c + c->used - n;
    }

    page = (size_t) sysconf(_SC_PAGESIZE);

    size = n > SBX_ARENA_CHUNK / 4 ? head + n : SBX_ARENA_CHUNK;
    size = (size + page - 1) & ~(page - 1);

    c = sbx_init_dontfork(NULL, 0, size);

    if (c == NULL) {
        return NULL;
    }

    c->size = size;
    c->used = head + n;

    if (n > SBX_ARENA_CHUNK / 4 && sbx_arena_chunks != NULL) {
        c->next = sbx_arena_chunks->next;
        sbx_arena_chunks->next = c;

    } else {
        c->next = sbx_arena_chunks;
        sbx_arena_chunks = c;
    }

    return (u_char *) c + head;
}


static void
sbx_arena_free(void *p)
{
    sbx_arena_chunk_t  *c;

    for (c = sbx_arena_chunks; c; c = c->next) {
        if ((u_char *) p >= (u_char *) c
            && (u_char *) p < (u_char *) c + c->size)
        {
            return;
        }
    }

    free(p);
}
