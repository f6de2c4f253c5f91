
/*
 * Test isolation: every test of a job starts from the compiled state.
 * This file is the order of it.  After the compile (after the files,
 * when there is none), the work directory, /tmp and /dev/shm are saved
 * into an image (init_image.c); before each test after the first, every
 * leftover process is gone (checked in /proc), those trees are emptied
 * along with /dev/mqueue and the program's System V IPC objects, and the
 * image is written back with its modes and times.  Nothing a test leaves
 * there (files, FIFOs, symlinks, modes, queues, shared memory) reaches
 * the next test.
 *
 * Where the image lives: a memfd that only init holds, sealed read-only
 * once it is written.  init is not dumpable, so /proc/1/fd is closed to
 * the program's uid; every child forked from init closes it before it
 * execs (init_spawn.c), and the children that use it run while no
 * program process exists.  The image is the size of the saved trees and
 * is charged to the container's memory like the trees themselves.
 *
 * Who touches the trees: a child with the program's credentials
 * (sbx_init_as_program(), init_spawn.c), never init: init has no
 * CAP_DAC_OVERRIDE and must not open a path the program could have
 * prepared.  The child walks by directory descriptors only, opens with
 * O_NOFOLLOW and never follows a name it did not just create or check;
 * with no program process left, nothing can swap a name between its
 * check and its use.  Its first failure comes back as text through a
 * pipe and ends the job with an error: a test never runs on a state that
 * could not be restored.  init itself only creates and seals the memfd,
 * reads /proc and kills what it finds there.
 */


#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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


static int sbx_reset_procs(char *err, size_t size);
static void sbx_reset_tops(sbx_init_job_t *job, const char **tops);
static int sbx_reset_save_all(sbx_init_job_t *job, char *err, size_t size);
static int sbx_reset_restore_all(sbx_init_job_t *job, char *err,
    size_t size);
static int sbx_reset_wipe(const char *top, char *err, size_t size);
static void sbx_reset_ipc(void);


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


/* ---- the children, with the program's credentials --------------------- */


/* the trees saved and restored, in the image's order */

static void
sbx_reset_tops(sbx_init_job_t *job, const char **tops)
{
    tops[0] = job->workdir;
    tops[1] = "/tmp";
    tops[2] = "/dev/shm";
}


static int
sbx_reset_save_all(sbx_init_job_t *job, char *err, size_t size)
{
    const char  *tops[SBX_RESET_TREES];

    sbx_reset_tops(job, tops);

    return sbx_init_image_save(sbx_reset_fd, tops, SBX_RESET_TREES, err,
                               size);
}


static int
sbx_reset_restore_all(sbx_init_job_t *job, char *err, size_t size)
{
    size_t       i;
    const char  *tops[SBX_RESET_TREES];

    sbx_reset_tops(job, tops);

    for (i = 0; i < SBX_RESET_TREES; i++) {
        if (sbx_reset_wipe(tops[i], err, size) != SBX_INIT_OK) {
            return SBX_INIT_ERROR;
        }
    }

    if (sbx_reset_wipe("/dev/mqueue", err, size) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    sbx_reset_ipc();

    return sbx_init_image_load(sbx_reset_fd, tops, SBX_RESET_TREES, err,
                               size);
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

        return sbx_init_fail(err, size, "%s: %s", top, strerror(errno));
    }

    if (fstat(fd, &st) == -1 || (dir = fdopendir(fd)) == NULL) {
        close(fd);
        return sbx_init_fail(err, size, "%s: %s", top, strerror(errno));
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
            return sbx_init_fail(err, size, "%s: %s", top, strerror(errno));
        }
    }

failed:

    sbx_init_fail(err, size, "%s: %s: %s", top,
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
