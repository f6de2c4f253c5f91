
/*
 * Test isolation: every test of a job starts from the compiled state.
 * After the compile (after the files, when there is none), the work
 * directory, /tmp and /dev/shm are saved into an image; before each test
 * after the first, every leftover process is gone (checked in /proc),
 * those trees are emptied along with /dev/mqueue and the program's
 * System V IPC objects, and the image is written back with its modes and
 * times.  Nothing a test leaves there (files, FIFOs, symlinks, modes,
 * queues, shared memory) reaches the next test.
 *
 * Where the image lives: a memfd that only init holds, sealed read-only
 * once it is written.  init is not dumpable, so /proc/1/fd is closed to
 * the program's uid; every child forked from init closes it before it
 * execs (init_spawn.c), and the children that use it run while no
 * program process exists.  The image is the size of the saved trees and
 * is charged to the container's memory like the trees themselves.
 *
 * Who touches the trees: a child with the program's credentials
 * (sbx_init_drop), never init: init has no CAP_DAC_OVERRIDE and must not
 * open a path the program could have prepared.  The child walks by
 * directory descriptors only, opens with O_NOFOLLOW and never follows a
 * name it did not just create or check; with no program process left,
 * nothing can swap a name between its check and its use.  Its first
 * failure comes back as text through a pipe and ends the job with an
 * error: a test never runs on a state that could not be restored.
 *
 * Hard links in the saved state come back as separate copies; sockets
 * are not saved (nothing can listen on them any more).
 */


#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "init.h"


#define SBX_RESET_TREES      3             /* work dir, /tmp, /dev/shm */
#define SBX_RESET_MAX_DEPTH  64            /* of the saved state */
#define SBX_RESET_BUF        65536

/* the "any" forms skip the read permission check (Linux 4.17) */
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY         15
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY         20
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY         13
#endif


/* one entry of the image, followed by its name and its data */
typedef struct {
    uint32_t           type;
    uint32_t           mode;
    uint32_t           own;                 /* the program's uid owns it */
    uint32_t           nlen;                /* name bytes */
    uint64_t           size;                /* file data or link target */
    int64_t            times[4];            /* atime, mtime: sec, nsec */
} sbx_reset_rec_t;


enum {
    SBX_RESET_TOP = 1,                      /* a tree's root: its index */
    SBX_RESET_DIR,
    SBX_RESET_UP,                           /* a directory's end: mode */
    SBX_RESET_FILE,
    SBX_RESET_LINK,
    SBX_RESET_FIFO
};


typedef struct {
    int                fd;
    size_t             len;
    u_char             buf[SBX_RESET_BUF];
} sbx_reset_out_t;


static int sbx_reset_procs(char *err, size_t size);
static int sbx_reset_save_all(sbx_init_job_t *job, char *err, size_t size);
static int sbx_reset_save_dir(sbx_reset_out_t *o, int dfd, int depth,
    char *err, size_t size);
static int sbx_reset_save_entry(sbx_reset_out_t *o, int dfd,
    const char *name, struct stat *st, int depth, char *err, size_t size);
static int sbx_reset_rec(sbx_reset_out_t *o, uint32_t type,
    const char *name, struct stat *st, uint64_t size);
static int sbx_reset_put(sbx_reset_out_t *o, const void *p, size_t n);
static int sbx_reset_flush(sbx_reset_out_t *o);
static int sbx_reset_restore_all(sbx_init_job_t *job, char *err,
    size_t size);
static int sbx_reset_wipe(const char *top, char *err, size_t size);
static void sbx_reset_ipc(void);
static int sbx_reset_load(sbx_init_job_t *job, const u_char *p, size_t len,
    char *err, size_t size);
static int sbx_reset_fail(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));


static int  sbx_reset_fd = -1;             /* the sealed image */


/*
 * Saves the compiled state.  A job of one test needs none: its test
 * starts from that state anyway.
 */

int
sbx_init_reset_save(sbx_init_job_t *job, char *err, size_t size)
{
    int  fd;

    if (job->ntests < 2) {
        return SBX_INIT_OK;
    }

    fd = memfd_create("state", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd == -1) {
        snprintf(err, size, "reset: memfd: %s", strerror(errno));
        return SBX_INIT_ERROR;
    }

    sbx_reset_fd = fd;

    /* the image is written by a child no program process may watch */

    if (sbx_reset_procs(err, size) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    if (sbx_init_as_program(job, sbx_reset_save_all, "reset: save", err,
                            size)
        != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
                               | F_SEAL_SEAL) == -1)
    {
        snprintf(err, size, "reset: seal: %s", strerror(errno));
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}


/*
 * The bytes the image holds in the container's memory: init's, not the
 * program's (init_meter.c takes them off the program's memory).
 */

uint64_t
sbx_init_reset_bytes(void)
{
    struct stat  st;

    if (sbx_reset_fd == -1 || fstat(sbx_reset_fd, &st) == -1) {
        return 0;
    }

    return (uint64_t) st.st_blocks * 512;
}


/* Before a test after the first: no process left, then the saved state. */

int
sbx_init_reset(sbx_init_job_t *job, char *err, size_t size)
{
    if (sbx_reset_fd == -1) {
        snprintf(err, size, "reset: no saved state");
        return SBX_INIT_ERROR;
    }

    if (sbx_reset_procs(err, size) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    return sbx_init_as_program(job, sbx_reset_restore_all, "reset: restore",
                               err, size);
}


/*
 * Every step ends with kill(-1) until no child is left (init_watch.c),
 * which reaches whatever left its session or double-forked: they all
 * become init's children in this PID namespace.  This checks it where
 * nothing can hide, /proc, and kills again whatever shows up there.
 * Without a readable /proc, the reaping is all there is.
 */

static int
sbx_reset_procs(char *err, size_t size)
{
    DIR              *dir;
    pid_t             pid;
    uint64_t          deadline;
    struct dirent    *de;
    struct timespec   ms;

    deadline = sbx_init_meter_now() + (uint64_t) SBX_INIT_REAP_MS * 1000000;

    ms.tv_sec = 0;
    ms.tv_nsec = 1000000;

    for ( ;; ) {
        dir = opendir("/proc");

        if (dir == NULL) {
            return SBX_INIT_OK;
        }

        pid = 0;

        while ((de = readdir(dir)) != NULL) {
            pid = atoi(de->d_name);

            if (pid > 1) {
                break;
            }

            pid = 0;
        }

        closedir(dir);

        if (pid == 0) {
            return SBX_INIT_OK;
        }

        if (sbx_init_meter_now() > deadline) {
            snprintf(err, size, "reset: process %d survives", (int) pid);
            return SBX_INIT_ERROR;
        }

        kill(-1, SIGKILL);

        while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {
            /* void */
        }

        nanosleep(&ms, NULL);
    }
}


/* ---- save: the child, with the program's credentials ------------------ */


static int
sbx_reset_save_all(sbx_init_job_t *job, char *err, size_t size)
{
    int               i, fd, rc;
    const char       *tops[SBX_RESET_TREES];
    struct stat       st;
    sbx_reset_out_t  *o;

    tops[0] = job->workdir;
    tops[1] = "/tmp";
    tops[2] = "/dev/shm";

    o = malloc(sizeof(sbx_reset_out_t));

    if (o == NULL) {
        return sbx_reset_fail(err, size, "out of memory");
    }

    o->fd = sbx_reset_fd;
    o->len = 0;

    for (i = 0; i < SBX_RESET_TREES; i++) {
        fd = open(tops[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd == -1) {
            if (errno == ENOENT && i > 0) {
                continue;
            }

            return sbx_reset_fail(err, size, "%s: %s", tops[i],
                                  strerror(errno));
        }

        if (fstat(fd, &st) == -1
            || sbx_reset_rec(o, SBX_RESET_TOP, "", &st, i) != SBX_INIT_OK)
        {
            return sbx_reset_fail(err, size, "%s: %s", tops[i],
                                  strerror(errno));
        }

        rc = sbx_reset_save_dir(o, fd, 0, err, size);

        if (rc != SBX_INIT_OK) {
            return rc;
        }

        if (sbx_reset_rec(o, SBX_RESET_UP, "", &st, 0) != SBX_INIT_OK) {
            return sbx_reset_fail(err, size, "image: %s", strerror(errno));
        }
    }

    if (sbx_reset_flush(o) != SBX_INIT_OK) {
        return sbx_reset_fail(err, size, "image: %s", strerror(errno));
    }

    return SBX_INIT_OK;
}


/* The entries of one directory; closes dfd. */

static int
sbx_reset_save_dir(sbx_reset_out_t *o, int dfd, int depth, char *err,
    size_t size)
{
    int             rc;
    DIR            *dir;
    struct stat     st;
    struct dirent  *de;

    dir = fdopendir(dfd);

    if (dir == NULL) {
        close(dfd);
        return sbx_reset_fail(err, size, "opendir: %s", strerror(errno));
    }

    rc = SBX_INIT_OK;

    for ( ;; ) {
        errno = 0;
        de = readdir(dir);

        if (de == NULL) {
            if (errno) {
                rc = sbx_reset_fail(err, size, "readdir: %s",
                                    strerror(errno));
            }

            break;
        }

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }

        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
        {
            rc = sbx_reset_fail(err, size, "%s: %s", de->d_name,
                                strerror(errno));
            break;
        }

        rc = sbx_reset_save_entry(o, dirfd(dir), de->d_name, &st, depth,
                                  err, size);

        if (rc != SBX_INIT_OK) {
            break;
        }
    }

    closedir(dir);

    return rc;
}


static int
sbx_reset_save_entry(sbx_reset_out_t *o, int dfd, const char *name,
    struct stat *st, int depth, char *err, size_t size)
{
    int      fd, rc;
    char     target[PATH_MAX];
    ssize_t  n;

    if (S_ISDIR(st->st_mode)) {
        if (depth >= SBX_RESET_MAX_DEPTH) {
            return sbx_reset_fail(err, size, "%s: deeper than %d levels",
                                  name, SBX_RESET_MAX_DEPTH);
        }

        fd = openat(dfd, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd == -1) {
            return sbx_reset_fail(err, size, "%s: %s", name,
                                  strerror(errno));
        }

        if (sbx_reset_rec(o, SBX_RESET_DIR, name, st, 0) != SBX_INIT_OK) {
            close(fd);
            return sbx_reset_fail(err, size, "image: %s", strerror(errno));
        }

        rc = sbx_reset_save_dir(o, fd, depth + 1, err, size);

        if (rc != SBX_INIT_OK) {
            return rc;
        }

        if (sbx_reset_rec(o, SBX_RESET_UP, "", st, 0) != SBX_INIT_OK) {
            return sbx_reset_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (S_ISLNK(st->st_mode)) {
        n = readlinkat(dfd, name, target, sizeof(target));

        if (n < 0 || n == sizeof(target)) {
            return sbx_reset_fail(err, size, "%s: readlink: %s", name,
                                  n < 0 ? strerror(errno) : "too long");
        }

        if (sbx_reset_rec(o, SBX_RESET_LINK, name, st, n) != SBX_INIT_OK
            || sbx_reset_put(o, target, n) != SBX_INIT_OK)
        {
            return sbx_reset_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (S_ISFIFO(st->st_mode)) {
        if (sbx_reset_rec(o, SBX_RESET_FIFO, name, st, 0) != SBX_INIT_OK) {
            return sbx_reset_fail(err, size, "image: %s", strerror(errno));
        }

        return SBX_INIT_OK;
    }

    if (!S_ISREG(st->st_mode)) {
        return SBX_INIT_OK;
    }

    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1) {
        return sbx_reset_fail(err, size, "%s: %s", name, strerror(errno));
    }

    if (sbx_reset_rec(o, SBX_RESET_FILE, name, st, st->st_size)
        != SBX_INIT_OK)
    {
        close(fd);
        return sbx_reset_fail(err, size, "image: %s", strerror(errno));
    }

    /* exactly st_size bytes: nothing else writes to the file now */

    rc = SBX_INIT_OK;

    while (o->len < SBX_RESET_BUF) {
        n = read(fd, o->buf + o->len, SBX_RESET_BUF - o->len);

        if (n <= 0) {
            if (n < 0) {
                rc = sbx_reset_fail(err, size, "%s: %s", name,
                                    strerror(errno));
            }

            break;
        }

        o->len += n;

        if (o->len == SBX_RESET_BUF && sbx_reset_flush(o) != SBX_INIT_OK) {
            rc = sbx_reset_fail(err, size, "image: %s", strerror(errno));
            break;
        }
    }

    close(fd);

    return rc;
}


static int
sbx_reset_rec(sbx_reset_out_t *o, uint32_t type, const char *name,
    struct stat *st, uint64_t size)
{
    sbx_reset_rec_t  r;

    memset(&r, 0, sizeof(sbx_reset_rec_t));

    r.type = type;
    r.mode = st->st_mode & 07777;
    r.own = (st->st_uid == getuid());
    r.nlen = strlen(name);
    r.size = size;
    r.times[0] = st->st_atim.tv_sec;
    r.times[1] = st->st_atim.tv_nsec;
    r.times[2] = st->st_mtim.tv_sec;
    r.times[3] = st->st_mtim.tv_nsec;

    if (sbx_reset_put(o, &r, sizeof(sbx_reset_rec_t)) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    return sbx_reset_put(o, name, r.nlen);
}


static int
sbx_reset_put(sbx_reset_out_t *o, const void *p, size_t n)
{
    size_t  chunk;

    while (n) {
        if (o->len == SBX_RESET_BUF && sbx_reset_flush(o) != SBX_INIT_OK) {
            return SBX_INIT_ERROR;
        }

        chunk = SBX_RESET_BUF - o->len;

        if (chunk > n) {
            chunk = n;
        }

        memcpy(o->buf + o->len, p, chunk);
        o->len += chunk;
        p = (const u_char *) p + chunk;
        n -= chunk;
    }

    return SBX_INIT_OK;
}


static int
sbx_reset_flush(sbx_reset_out_t *o)
{
    if (o->len
        && sbx_write_all(o->fd, o->buf, o->len) != (ssize_t) o->len)
    {
        return SBX_INIT_ERROR;
    }

    o->len = 0;

    return SBX_INIT_OK;
}


/* ---- restore: the child, with the program's credentials --------------- */


static int
sbx_reset_restore_all(sbx_init_job_t *job, char *err, size_t size)
{
    int           rc;
    void         *p;
    struct stat   st;

    if (sbx_reset_wipe(job->workdir, err, size) != SBX_INIT_OK
        || sbx_reset_wipe("/tmp", err, size) != SBX_INIT_OK
        || sbx_reset_wipe("/dev/shm", err, size) != SBX_INIT_OK
        || sbx_reset_wipe("/dev/mqueue", err, size) != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    sbx_reset_ipc();

    if (fstat(sbx_reset_fd, &st) == -1) {
        return sbx_reset_fail(err, size, "image: %s", strerror(errno));
    }

    if (st.st_size == 0) {
        return SBX_INIT_OK;
    }

    p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, sbx_reset_fd, 0);

    if (p == MAP_FAILED) {
        return sbx_reset_fail(err, size, "image: mmap: %s", strerror(errno));
    }

    rc = sbx_reset_load(job, p, st.st_size, err, size);

    munmap(p, st.st_size);

    return rc;
}


/*
 * Empties a tree without following anything in it and without
 * recursion, whatever its depth: an entry is unlinked, or removed if it
 * is an empty directory, or else entered (made 0700 first: its owner
 * may do that); an emptied directory is left through "..", and its
 * parent is read again, where it is now removed.  A missing tree is
 * empty.  The tops are mount points under a read-only root: the program
 * can change their modes at most, never replace them.
 */

static int
sbx_reset_wipe(const char *top, char *err, size_t size)
{
    int             fd, sub;
    DIR            *dir;
    dev_t           dev;
    ino_t           ino;
    struct stat     st;
    struct dirent  *de;

    /* the program may have taken the permissions of its own directory */

    (void) chmod(top, S_IRWXU);

    fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1) {
        if (errno == ENOENT) {
            return SBX_INIT_OK;
        }

        return sbx_reset_fail(err, size, "%s: %s", top, strerror(errno));
    }

    if (fstat(fd, &st) == -1 || (dir = fdopendir(fd)) == NULL) {
        close(fd);
        return sbx_reset_fail(err, size, "%s: %s", top, strerror(errno));
    }

    dev = st.st_dev;
    ino = st.st_ino;

    for ( ;; ) {
        sub = -1;

        rewinddir(dir);

        while ((de = readdir(dir)) != NULL) {
            if (strcmp(de->d_name, ".") == 0
                || strcmp(de->d_name, "..") == 0)
            {
                continue;
            }

            if (unlinkat(dirfd(dir), de->d_name, 0) == 0) {
                continue;
            }

            if (errno != EISDIR && errno != EPERM) {
                goto failed;
            }

            if (unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR) == 0) {
                continue;
            }

            if (errno != ENOTEMPTY && errno != EEXIST) {
                goto failed;
            }

            /* a directory (rmdir said so), and nothing renames it now */

            (void) fchmodat(dirfd(dir), de->d_name, S_IRWXU, 0);

            sub = openat(dirfd(dir), de->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (sub == -1) {
                goto failed;
            }

            break;
        }

        if (sub == -1) {
            if (fstat(dirfd(dir), &st) == -1) {
                goto failed;
            }

            if (st.st_dev == dev && st.st_ino == ino) {
                closedir(dir);
                return SBX_INIT_OK;
            }

            sub = openat(dirfd(dir), "..",
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (sub == -1) {
                goto failed;
            }
        }

        closedir(dir);

        dir = fdopendir(sub);

        if (dir == NULL) {
            close(sub);
            return sbx_reset_fail(err, size, "%s: %s", top, strerror(errno));
        }
    }

failed:

    sbx_reset_fail(err, size, "%s: %s: %s", top,
                   de ? de->d_name : "..", strerror(errno));
    closedir(dir);

    return SBX_INIT_ERROR;
}


/*
 * System V IPC objects outlive their processes: the program's are
 * removed, so that none carries data into the next test.  Best effort:
 * a failure here leaves an object, not a broken test.
 */

static void
sbx_reset_ipc(void)
{
    int               i, id, max;
    uid_t             uid;
    struct shmid_ds   shm;
    struct msqid_ds   msq;
    struct semid_ds   sem;
    struct shm_info   shm_info;
    struct msginfo    msg_info;
    struct seminfo    sem_info;
    union {
        int                val;
        struct semid_ds   *buf;
        unsigned short    *array;
        struct seminfo    *info;
    } arg;

    uid = getuid();

    max = shmctl(0, SHM_INFO, (struct shmid_ds *) &shm_info);

    for (i = 0; i <= max; i++) {
        id = shmctl(i, SHM_STAT_ANY, &shm);

        if (id >= 0 && shm.shm_perm.uid == uid) {
            (void) shmctl(id, IPC_RMID, NULL);
        }
    }

    max = msgctl(0, MSG_INFO, (struct msqid_ds *) &msg_info);

    for (i = 0; i <= max; i++) {
        id = msgctl(i, MSG_STAT_ANY, &msq);

        if (id >= 0 && msq.msg_perm.uid == uid) {
            (void) msgctl(id, IPC_RMID, NULL);
        }
    }

    arg.info = &sem_info;
    max = semctl(0, 0, SEM_INFO, arg);

    for (i = 0; i <= max; i++) {
        arg.buf = &sem;
        id = semctl(i, 0, SEM_STAT_ANY, arg);

        if (id >= 0 && sem.sem_perm.uid == uid) {
            (void) semctl(id, 0, IPC_RMID);
        }
    }
}


/*
 * Writes the image back into the emptied trees.  Directories get their
 * mode and times at their end, after their entries were made in them.
 */

static int
sbx_reset_load(sbx_init_job_t *job, const u_char *p, size_t len, char *err,
    size_t size)
{
    int               fd, depth, stack[SBX_RESET_MAX_DEPTH + 2];
    char              name[NAME_MAX + 1], target[PATH_MAX];
    size_t            off;
    const char       *tops[SBX_RESET_TREES];
    struct timespec   ts[2];
    sbx_reset_rec_t   r;

    tops[0] = job->workdir;
    tops[1] = "/tmp";
    tops[2] = "/dev/shm";

    depth = 0;
    off = 0;

    while (off < len) {
        if (len - off < sizeof(sbx_reset_rec_t)) {
            goto bad;
        }

        memcpy(&r, p + off, sizeof(sbx_reset_rec_t));
        off += sizeof(sbx_reset_rec_t);

        if (r.nlen > NAME_MAX || len - off < r.nlen) {
            goto bad;
        }

        memcpy(name, p + off, r.nlen);
        name[r.nlen] = '\0';
        off += r.nlen;

        if (len - off < r.size) {
            goto bad;
        }

        ts[0].tv_sec = r.times[0];
        ts[0].tv_nsec = r.times[1];
        ts[1].tv_sec = r.times[2];
        ts[1].tv_nsec = r.times[3];

        if (r.type == SBX_RESET_TOP) {
            if (depth != 0 || r.size >= SBX_RESET_TREES) {
                goto bad;
            }

            fd = open(tops[r.size],
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (fd == -1) {
                return sbx_reset_fail(err, size, "%s: %s", tops[r.size],
                                      strerror(errno));
            }

            stack[depth++] = fd;
            continue;
        }

        if (r.type == SBX_RESET_UP) {
            if (depth == 0) {
                goto bad;
            }

            fd = stack[--depth];

            if (r.own
                && (fchmod(fd, r.mode) == -1 || futimens(fd, ts) == -1))
            {
                return sbx_reset_fail(err, size, "directory mode: %s",
                                      strerror(errno));
            }

            close(fd);
            continue;
        }

        if (depth == 0 || r.nlen == 0 || strchr(name, '/')
            || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        {
            goto bad;
        }

        fd = stack[depth - 1];

        switch (r.type) {

        case SBX_RESET_DIR:
            if (depth > SBX_RESET_MAX_DEPTH) {
                goto bad;
            }

            if (mkdirat(fd, name, S_IRWXU) == -1) {
                goto failed;
            }

            fd = openat(fd, name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

            if (fd == -1) {
                goto failed;
            }

            stack[depth++] = fd;
            break;

        case SBX_RESET_FILE:
            fd = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                  | O_CLOEXEC, S_IRUSR | S_IWUSR);

            if (fd == -1) {
                goto failed;
            }

            if (sbx_write_all(fd, p + off, r.size) != (ssize_t) r.size
                || fchmod(fd, r.mode) == -1 || futimens(fd, ts) == -1)
            {
                close(fd);
                goto failed;
            }

            close(fd);
            break;

        case SBX_RESET_LINK:
            if (r.size >= sizeof(target)) {
                goto bad;
            }

            memcpy(target, p + off, r.size);
            target[r.size] = '\0';

            if (symlinkat(target, fd, name) == -1
                || utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
            {
                goto failed;
            }

            break;

        case SBX_RESET_FIFO:
            if (mkfifoat(fd, name, S_IRUSR | S_IWUSR) == -1
                || fchmodat(fd, name, r.mode, 0) == -1
                || utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
            {
                goto failed;
            }

            break;

        default:
            goto bad;
        }

        off += r.size;
    }

    if (depth != 0) {
        goto bad;
    }

    return SBX_INIT_OK;

failed:

    return sbx_reset_fail(err, size, "%s: %s", name, strerror(errno));

bad:

    return sbx_reset_fail(err, size, "image: malformed at %zu", off);
}


static int
sbx_reset_fail(char *err, size_t size, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    vsnprintf(err, size, fmt, args);
    va_end(args);

    return SBX_INIT_ERROR;
}
