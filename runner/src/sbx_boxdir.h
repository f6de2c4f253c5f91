
/*
 * Each box's own host directory (sbx_boxdir.c): its tmpfs, its copy of
 * sandbox-init, its /dev, io/ and the FIFOs, made before the container
 * starts and removed after it is gone.
 */


#ifndef _SBX_BOXDIR_H_INCLUDED_
#define _SBX_BOXDIR_H_INCLUDED_


#include "sbx.h"
#include "sbx_box.h"


#define SBX_BOXDIR_PATH     (PATH_MAX + 8)     /* a box's dir and a FIFO */


/*
 * Makes the directory the boxes' directories live in, reads sandbox-init
 * and finds out whether a tmpfs per box can be mounted.
 */
int sbx_boxdir_init(void);

/* Frees sandbox-init's bytes. */
void sbx_boxdir_cleanup(void);

/*
 * A box's directory, named after the box: its own tmpfs where possible,
 * its own copy of init, io/ctl, and io/evt for compiled languages, whose
 * read end is opened now.  On failure what was made is left for
 * sbx_boxdir_close().
 */
int sbx_boxdir_prepare(sbx_box_t *box, char *err, size_t size);

/* Closes the box's FIFOs and removes its directory. */
void sbx_boxdir_close(sbx_box_t *box);

/* Removes the FIFO directories of this runner id (start-up). */
void sbx_boxdir_sweep(void);

/*
 * Asks the engine whether it remaps users and to which ids (for the FIFOs
 * init opens), warning when container root is host root.
 */
int sbx_boxdir_engine(sbx_docker_t *d);


#endif /* _SBX_BOXDIR_H_INCLUDED_ */
