
/*
 * Each box's own host directory: what the runner makes for a container
 * before it starts and removes after it is gone.
 *
 * The container starts with sandbox-init as PID 1, which blocks on a
 * FIFO for its payload (sbx_handover.c).  Each box has a directory of its
 * own, the only host directory in its container, bind-mounted read-only
 * at /sbx:
 *
 *     init      the box's own copy of sandbox-init, mode 0550
 *     io/ctl    FIFO, runner -> init
 *     io/evt    FIFO, init -> runner: the live frames, COMPILED, RESULT
 *     dev/      the box's /dev (below)
 *
 * Nothing in it is shared with another box: a program that could reach
 * a host file that every container maps (flock, fcntl locks, inotify,
 * leases, atime) would have a channel to the programs running next to
 * it.  So init is copied, not linked, into every box; the copy comes
 * from memory (read once at start-up) into huge pages where tmpfs has
 * them: a third of a millisecond per box, about one without.
 * The directory is a tmpfs of its own where the runner may mount one:
 * no disk write per box, and the container's mountinfo then shows
 * "tmpfs /" rather than the state directory's host path.  Where mounting
 * is refused (no CAP_SYS_ADMIN) it is a plain directory; the copy still
 * keeps the boxes apart.  The directory is root's and container root's
 * group's, mode 0710: the submitted program runs as another uid and can
 * neither reach init nor open the FIFOs nor plant anything there.
 *
 * Security: the runner never reads, writes, chowns or deletes anything
 * the program can write (Judge0's 2024 escapes were host-side writes
 * through planted symlinks).  Everything here is made by the runner in
 * its own 0700 directory and reaches the container only through a
 * read-only mount; removal unmounts the tmpfs and unlinks only the names
 * the runner made.  The program's files live on tmpfs mounts that vanish
 * with the container.
 *
 * The box's /dev.  The same tmpfs holds dev/, bind-mounted read-only at
 * the container's /dev: null, zero, full, random and urandom made here by
 * mknod, the /proc/self/fd links, and the mount points for /dev/shm (a
 * tmpfs of the container's, over dev/shm, whose mode runc copies) and
 * /dev/mqueue (left empty: POSIX message queues are refused by seccomp,
 * as no mqueue file system can be mounted in the box that init could
 * empty between tests).  Under user namespaces runc cannot mknod and
 * binds the host's own /dev/null, /dev/zero, ... into every container
 * instead, one inode that every box can lock (flock, fcntl) and watch:
 * a covert channel.  A device, even one bound from elsewhere, would be
 * bound over that way again; only a bind mount on /dev itself makes runc
 * leave /dev to the spec (and Docker then leaves out its /dev/pts,
 * /dev/mqueue and /dev/shm: no pty either).  So each box's nodes are its
 * own inodes; the tmpfs is mounted without nodev for them (never without
 * nosuid), and holds no other device: nothing but the runner can create
 * a file in it.  Made at start-up as a probe; where mknod is refused (no
 * CAP_MKNOD) boxes keep Docker's /dev, with a warning.  The masked /proc
 * files are covered by the container's /dev/null, so by the box's own.
 *
 * User namespaces.  Under an engine with --userns-remap, container root
 * (init) is an unprivileged host uid and gid, learnt from the engine
 * (sbx_boxdir_engine()).  It has no capability to override file
 * permissions, so the box's directory, init's copy, io/ and the FIFOs are
 * given to its group, with only the access init needs (the directories
 * searchable, init executable, ctl readable, evt writable) and nothing
 * for others: the program's uid is neither their owner nor in that
 * group.  Without user namespaces the group is root's.
 *
 * Locking: the FIFO directory's path, init's bytes, the tmpfs and /dev
 * choices are set at start-up, before any thread; container root's gid is
 * written by whichever thread learns it from the engine (start-up, the
 * monitor after Docker comes back) and read by workers, atomically; a
 * box's directory belongs to whoever holds the box.
 */


#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_box.h"
#include "sbx_boxdir.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_vocab.h"


#define SBX_BOXDIR_INIT_MAX  (64 * 1024 * 1024)
#define SBX_BOXDIR_HUGE      (2 * 1024 * 1024)


typedef struct {
    const char         *name;
    mode_t              mode;            /* with the type */
    unsigned            major;
    unsigned            minor;
    const char         *link;
} sbx_boxdir_node_t;


static struct {
    gid_t               root_gid;        /* container root's host gid */
    char                io[3072];        /* leaves room for names below */
    char               *init;            /* sandbox-init's bytes */
    size_t              init_len;
    int                 tmpfs;           /* a tmpfs per box */
    int                 dev;             /* and a /dev in it */
} sbx_boxdir;


/*
 * A box's /dev, in order of making (and the reverse for removing): the
 * devices a program may open, all harmless to write; no tty (no terminal
 * is allocated) and no pty (kernel.pty.max is host-wide).
 */
static const sbx_boxdir_node_t  sbx_boxdir_nodes[] = {
    { "null", S_IFCHR | 0666, 1, 3, NULL },
    { "zero", S_IFCHR | 0666, 1, 5, NULL },
    { "full", S_IFCHR | 0666, 1, 7, NULL },
    { "random", S_IFCHR | 0666, 1, 8, NULL },
    { "urandom", S_IFCHR | 0666, 1, 9, NULL },
    { "fd", S_IFLNK, 0, 0, "/proc/self/fd" },
    { "stdin", S_IFLNK, 0, 0, "/proc/self/fd/0" },
    { "stdout", S_IFLNK, 0, 0, "/proc/self/fd/1" },
    { "stderr", S_IFLNK, 0, 0, "/proc/self/fd/2" },
    { "shm", S_IFDIR | 01777, 0, 0, NULL },
    { "mqueue", S_IFDIR | 0755, 0, 0, NULL }
};


static int sbx_boxdir_load(void);
static int sbx_boxdir_mount(const char *dir);
static int sbx_boxdir_mkdev(const char *dir, char *err, size_t size);
static void sbx_boxdir_rmdev(const char *dir);
static int sbx_boxdir_copy(sbx_box_t *box, char *err, size_t size);
static int sbx_boxdir_mkfifo(sbx_box_t *box, const char *name,
    mode_t mode, char *path, char *err, size_t size);
static int sbx_boxdir_give(const char *path, mode_t mode, char *err,
    size_t size);
static void sbx_boxdir_rmdir(const char *dir);


int
sbx_boxdir_init(void)
{
    char  path[SBX_BOXDIR_PATH], err[SBX_BOXDIR_PATH + 64];

    /* the FIFO directories: runner-owned, never visible to programs */

    if (mkdir(sbx_conf.state_dir, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s (--state-dir sets it)",
                      sbx_conf.state_dir, strerror(errno));
        return SBX_ERROR;
    }

    if (strlen(sbx_conf.state_dir) > sizeof(sbx_boxdir.io) - 8) {
        sbx_log_error("state-dir path is too long");
        return SBX_ERROR;
    }

    snprintf(sbx_boxdir.io, sizeof(sbx_boxdir.io), "%s/io",
             sbx_conf.state_dir);

    if (mkdir(sbx_boxdir.io, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_boxdir.io, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_boxdir_load() != SBX_OK) {
        return SBX_ERROR;
    }

    /* whether this runner may mount a tmpfs per box: try once, here */

    snprintf(path, sizeof(path), "%s/probe-%s", sbx_boxdir.io,
             sbx_conf.runner_id);

    if (mkdir(path, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", path, strerror(errno));
        return SBX_ERROR;
    }

    sbx_boxdir.tmpfs = 1;
    sbx_boxdir.dev = 1;

    if (sbx_boxdir_mount(path) == SBX_OK) {

        if (sbx_boxdir_mkdev(path, err, sizeof(err)) != SBX_OK) {
            sbx_boxdir.dev = 0;
            sbx_log_warn("cannot make device nodes per container (%s): "
                         "they get Docker's /dev, whose nodes are the "
                         "host's under user namespaces, shared by all "
                         "containers", err);
        }

        (void) umount2(path, MNT_DETACH);

    } else {
        sbx_boxdir.tmpfs = 0;
        sbx_boxdir.dev = 0;
        sbx_log_warn("cannot mount a tmpfs per container (%s): their "
                     "FIFO directories stay on \"%s\", whose path the "
                     "programs can read in their mountinfo, and they get "
                     "Docker's /dev, whose nodes are the host's under user "
                     "namespaces", strerror(errno), sbx_conf.state_dir);
    }

    sbx_boxdir_rmdev(path);
    (void) rmdir(path);

    return SBX_OK;
}


/*
 * What the engine says about user namespaces: container root's host gid
 * for the FIFOs, and a warning when container root is host root.  Called
 * at start-up and whenever Docker becomes reachable again (it may have
 * been restarted with another configuration).
 */

int
sbx_boxdir_engine(sbx_docker_t *d)
{
    int        userns;
    json_t    *info;
    unsigned   uid, gid;

    info = sbx_docker_info(d);

    if (info == NULL) {
        sbx_log_error("docker info: %s", sbx_docker_error(d));
        return SBX_ERROR;
    }

    if (sbx_docker_userns(info, &userns, &uid, &gid) != SBX_OK) {
        sbx_log_error("docker at %s remaps users, but its DockerRootDir "
                      "\"%s\" does not say to which ids",
                      sbx_conf.docker_socket,
                      json_string_value(json_object_get(info,
                                                        "DockerRootDir")));
        json_decref(info);
        return SBX_ERROR;
    }

    json_decref(info);

    if (userns) {
        sbx_log_info("docker: user namespaces: container root is host "
                     "uid %u gid %u", uid, gid);

    } else {
        sbx_log_warn("docker at %s runs without user namespaces "
                     "(--userns-remap): container root is host root",
                     sbx_conf.docker_socket);
    }

    __atomic_store_n(&sbx_boxdir.root_gid, (gid_t) gid, __ATOMIC_RELAXED);

    return SBX_OK;
}


void
sbx_boxdir_cleanup(void)
{
    free(sbx_boxdir.init);
    sbx_boxdir.init = NULL;
}


int
sbx_boxdir_prepare(sbx_box_t *box, char *err, size_t size)
{
    char  path[SBX_BOXDIR_PATH];

    snprintf(box->dir, sizeof(box->dir), "%s/%s", sbx_boxdir.io,
             box->name);

    if (mkdir(box->dir, 0700) == -1) {
        snprintf(err, size, "mkdir %s: %s", box->dir, strerror(errno));
        box->dir[0] = '\0';
        return SBX_ERROR;
    }

    if (sbx_boxdir.tmpfs && sbx_boxdir_mount(box->dir) != SBX_OK) {
        snprintf(err, size, "mounting a tmpfs on %s: %s", box->dir,
                 strerror(errno));
        return SBX_ERROR;
    }

    /* container root may search it, not list it */

    if (sbx_boxdir_give(box->dir, 0710, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_boxdir_copy(box, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_boxdir.dev) {
        if (sbx_boxdir_mkdev(box->dir, err, size) != SBX_OK) {
            return SBX_ERROR;
        }

        box->dev = 1;
    }

    snprintf(path, sizeof(path), "%s/io", box->dir);

    if (mkdir(path, 0700) == -1) {
        snprintf(err, size, "mkdir %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_boxdir_give(path, 0710, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_boxdir_mkfifo(box, "ctl", 0640, path, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_boxdir_mkfifo(box, "evt", 0620, path, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    /*
     * Open before init can write it (it opens its end once RUN came):
     * poll() then reports POLLHUP only once init opened it and ended.
     */

    box->evt = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (box->evt == -1) {
        snprintf(err, size, "open %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


void
sbx_boxdir_close(sbx_box_t *box)
{
    if (box->ctl != -1) {
        close(box->ctl);
    }

    if (box->evt != -1) {
        close(box->evt);
    }

    sbx_buf_free(&box->chan);

    if (box->dir[0] != '\0') {
        sbx_boxdir_rmdir(box->dir);
    }
}


void
sbx_boxdir_sweep(void)
{
    DIR            *dir;
    char            prefix[128], path[PATH_MAX];
    struct dirent  *de;

    /* FIFO directories of this runner id; others belong to other runners */

    dir = opendir(sbx_boxdir.io);
    if (dir == NULL) {
        return;
    }

    snprintf(prefix, sizeof(prefix), SBX_BOX_PREFIX "%s-",
             sbx_conf.runner_id);

    while ((de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(path, sizeof(path), "%s/%s", sbx_boxdir.io,
                     de->d_name);
            sbx_boxdir_rmdir(path);
        }
    }

    closedir(dir);
}


/*
 * Reads sandbox-init once: every box gets a copy of these bytes, the
 * same program for the runner's whole life even if the file is replaced.
 */

static int
sbx_boxdir_load(void)
{
    int          fd;
    ssize_t      n;
    struct stat  st;

    fd = open(sbx_conf.init, O_RDONLY | O_CLOEXEC);

    if (fd == -1) {
        sbx_log_error("sandbox-init \"%s\": %s", sbx_conf.init,
                      strerror(errno));
        return SBX_ERROR;
    }

    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)
        || st.st_size == 0 || st.st_size > SBX_BOXDIR_INIT_MAX)
    {
        sbx_log_error("sandbox-init \"%s\": not a regular file of at "
                      "most %d MiB", sbx_conf.init,
                      SBX_BOXDIR_INIT_MAX >> 20);
        close(fd);
        return SBX_ERROR;
    }

    sbx_boxdir.init = malloc(st.st_size);

    if (sbx_boxdir.init == NULL) {
        close(fd);
        return SBX_ERROR;
    }

    sbx_boxdir.init_len = 0;

    while (sbx_boxdir.init_len < (size_t) st.st_size) {
        n = read(fd, sbx_boxdir.init + sbx_boxdir.init_len,
                 st.st_size - sbx_boxdir.init_len);

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            sbx_log_error("reading sandbox-init \"%s\": %s", sbx_conf.init,
                          n == 0 ? "file shrank" : strerror(errno));
            close(fd);
            return SBX_ERROR;
        }

        sbx_boxdir.init_len += n;
    }

    close(fd);

    return SBX_OK;
}


/*
 * A box's own tmpfs: room for init, two FIFOs and /dev, root's and 0700
 * like the directory under it; exec, since init runs from it; devices
 * allowed for its /dev, unless that was refused at start.
 *
 * Huge pages where the kernel has them for tmpfs: init's copy is then
 * one 2 MiB page to allocate, fill and free rather than hundreds of
 * small ones, which was a third of the runner's CPU per job (make
 * bench, perf: shmem page allocation on the copy, freeing on umount).
 * The room is rounded up to whole huge pages; without them the mount is
 * made as before.
 */

static int
sbx_boxdir_mount(const char *dir)
{
    char           opts[128];
    size_t         room;
    unsigned long  flags;

    flags = MS_NOSUID | (sbx_boxdir.dev ? 0 : MS_NODEV);

    room = sbx_boxdir.init_len + 65536;

    snprintf(opts, sizeof(opts),
             "mode=0700,size=%zu,nr_inodes=32,huge=within_size",
             (room + SBX_BOXDIR_HUGE - 1) / SBX_BOXDIR_HUGE * SBX_BOXDIR_HUGE);

    if (mount("sbx", dir, "tmpfs", flags, opts) == 0) {
        return SBX_OK;
    }

    snprintf(opts, sizeof(opts), "mode=0700,size=%zu,nr_inodes=32", room);

    return mount("sbx", dir, "tmpfs", flags, opts) == 0
           ? SBX_OK : SBX_ERROR;
}


/*
 * dir/dev and its nodes, root's, with their modes whatever the umask,
 * and a write to its null: a nodev mount lets mknod make a node that
 * cannot be opened.  About 0.1 ms.
 */

static int
sbx_boxdir_mkdev(const char *dir, char *err, size_t size)
{
    int                       fd;
    char                      path[SBX_BOXDIR_PATH];
    size_t                    i;
    const sbx_boxdir_node_t  *n;

    snprintf(path, sizeof(path), "%s/dev", dir);

    if (mkdir(path, 0700) == -1 || chmod(path, 0755) == -1) {
        snprintf(err, size, "mkdir %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    for (i = 0; i < sbx_nelems(sbx_boxdir_nodes); i++) {
        n = &sbx_boxdir_nodes[i];

        snprintf(path, sizeof(path), "%s/dev/%s", dir, n->name);

        if (S_ISLNK(n->mode)) {
            if (symlink(n->link, path) == -1) {
                snprintf(err, size, "symlink %s: %s", path,
                         strerror(errno));
                return SBX_ERROR;
            }

            continue;
        }

        if ((S_ISDIR(n->mode) ? mkdir(path, 0700)
                              : mknod(path, S_IFCHR | 0600,
                                      makedev(n->major, n->minor)))
            == -1
            || fchmodat(AT_FDCWD, path, n->mode & 07777, 0) == -1)
        {
            snprintf(err, size, "%s %s: %s",
                     S_ISDIR(n->mode) ? "mkdir" : "mknod", path,
                     strerror(errno));
            return SBX_ERROR;
        }
    }

    /* a node on a nodev mount is made but cannot be opened */

    snprintf(path, sizeof(path), "%s/dev/null", dir);

    fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd == -1 || write(fd, "", 1) != 1) {
        snprintf(err, size, "writing %s: %s", path, strerror(errno));

        if (fd != -1) {
            (void) close(fd);
        }

        return SBX_ERROR;
    }

    (void) close(fd);

    return SBX_OK;
}


/* Removes what sbx_boxdir_mkdev() made, where the tmpfs is gone. */

static void
sbx_boxdir_rmdev(const char *dir)
{
    char                      path[SBX_BOXDIR_PATH];
    size_t                    i;
    const sbx_boxdir_node_t  *n;

    for (i = sbx_nelems(sbx_boxdir_nodes); i-- > 0; /* void */) {
        n = &sbx_boxdir_nodes[i];

        snprintf(path, sizeof(path), "%s/dev/%s", dir, n->name);

        (void) unlinkat(AT_FDCWD, path,
                        S_ISDIR(n->mode) ? AT_REMOVEDIR : 0);
    }

    snprintf(path, sizeof(path), "%s/dev", dir);
    (void) rmdir(path);
}


/* The box's own sandbox-init: a new file, never a link to a shared one. */

static int
sbx_boxdir_copy(sbx_box_t *box, char *err, size_t size)
{
    int   fd;
    char  path[SBX_BOXDIR_PATH];

    snprintf(path, sizeof(path), "%s/init", box->dir);

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0500);

    if (fd == -1) {
        snprintf(err, size, "creating %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_write_all(fd, sbx_boxdir.init, sbx_boxdir.init_len) == -1) {
        snprintf(err, size, "writing %s: %s", path, strerror(errno));
        (void) close(fd);
        return SBX_ERROR;
    }

    if (close(fd) == -1) {
        snprintf(err, size, "writing %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    /* container root executes it; nobody else reaches it */

    return sbx_boxdir_give(path, 0550, err, size);
}


/*
 * Makes the FIFO name in the box's io/, given to container root's group
 * with mode; path gets its path.
 */

static int
sbx_boxdir_mkfifo(sbx_box_t *box, const char *name, mode_t mode,
    char *path, char *err, size_t size)
{
    snprintf(path, SBX_BOXDIR_PATH, "%s/io/%s", box->dir, name);

    if (mkfifo(path, 0600) == -1) {
        snprintf(err, size, "mkfifo %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    return sbx_boxdir_give(path, mode, err, size);
}


/*
 * Gives a path the runner has just made to container root's group, with
 * mode.  Never follows a link (there is none: the directory is the
 * runner's alone), and sets the mode after the group, so the group never
 * has access to a path it was not meant to reach.
 */

static int
sbx_boxdir_give(const char *path, mode_t mode, char *err, size_t size)
{
    gid_t  gid;

    gid = __atomic_load_n(&sbx_boxdir.root_gid, __ATOMIC_RELAXED);

    if (fchownat(AT_FDCWD, path, (uid_t) -1, gid, AT_SYMLINK_NOFOLLOW)
        == -1)
    {
        snprintf(err, size, "chown %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (fchmodat(AT_FDCWD, path, mode, 0) == -1) {
        snprintf(err, size, "chmod %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


/*
 * Removes a box's directory: its tmpfs if there is one (the container,
 * removed before, holds it no more), then the names the runner made.
 */

static void
sbx_boxdir_rmdir(const char *dir)
{
    char  path[SBX_BOXDIR_PATH];

    (void) umount2(dir, MNT_DETACH);

    snprintf(path, sizeof(path), "%s/io/ctl", dir);
    (void) unlink(path);
    snprintf(path, sizeof(path), "%s/io/evt", dir);
    (void) unlink(path);
    snprintf(path, sizeof(path), "%s/io", dir);
    (void) rmdir(path);
    snprintf(path, sizeof(path), "%s/init", dir);
    (void) unlink(path);
    sbx_boxdir_rmdev(dir);

    if (rmdir(dir) == -1) {
        sbx_log_error("rmdir %s: %s", dir, strerror(errno));
    }
}
