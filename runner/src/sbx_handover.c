
/*
 * The runner's half of the hand-over to sandbox-init.
 *
 * The container starts with sandbox-init as PID 1, which blocks on a
 * FIFO for its payload.  Each box has a directory of its own, the only
 * host directory in its container, bind-mounted read-only at /sbx:
 *
 *     init      the box's own copy of sandbox-init, mode 0550
 *     io/ctl    FIFO, runner -> init
 *     io/evt    FIFO, init -> runner (compiled languages)
 *
 * Nothing in it is shared with another box: a program that could reach
 * a host file that every container maps (flock, fcntl locks, inotify,
 * leases, atime) would have a channel to the programs running next to
 * it.  So init is copied, not linked, into every box; the copy comes
 * from memory (read once at start-up, about a millisecond per box).
 * The directory is a tmpfs of its own where the runner may mount one:
 * no disk write per box, and the container's mountinfo then shows
 * "tmpfs /" rather than the state directory's host path.  Where mounting
 * is refused (no CAP_SYS_ADMIN) it is a plain directory; the copy still
 * keeps the boxes apart.  The directory is root's and container root's
 * group's, mode 0710: the submitted program runs as another uid and can
 * neither reach init nor open the FIFOs nor plant anything there.  The
 * runner never reads, writes, chowns or deletes anything the program can
 * write (Judge0's 2024 escapes were host-side writes through planted
 * symlinks): the program's files live on tmpfs mounts that vanish with
 * the container, and the result comes back through the container's logs
 * as one frame that only init writes.
 *
 * The frames (common/sbx_proto.h): the runner writes RUN and its payload
 * to ctl.  For compiled languages init writes COMPILED to evt and waits
 * for GO on ctl, so that the runner can lower the container's limits to
 * the run's in between (sbx_sandbox.c).  Last, init writes RESULT to its
 * stdout, which the runner follows in the logs.
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
 * own inodes; the tmpfs is mounted without nodev for them, and holds no
 * other device: nothing but the runner can create a file in it.  Made at
 * start-up as a probe; where mknod is refused (no CAP_MKNOD) boxes keep
 * Docker's /dev, with a warning.  The masked /proc files are covered by
 * the container's /dev/null, so by the box's own.
 *
 * User namespaces.  Under an engine with --userns-remap, container root
 * (init) is an unprivileged host uid and gid, learnt from the engine
 * (sbx_handover_engine()).  It has no capability to override file
 * permissions, so the box's directory, init's copy, io/ and the FIFOs are
 * given to its group, with only the access init needs (the directories
 * searchable, init executable, ctl readable, evt writable) and nothing
 * for others: the program's uid is neither their owner nor in that
 * group.  The runner changes the group of paths it has just made in its
 * own 0700 directory and that reach the container only through a
 * read-only mount, never of anything a program can write.  Without user
 * namespaces the group is root's.
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
#include <poll.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_box.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_handover.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_proto.h"
#include "sbx_vocab.h"


#define SBX_HANDOVER_PATH   (PATH_MAX + 8)     /* a box's dir and a FIFO */
#define SBX_HANDOVER_INIT_MAX  (64 * 1024 * 1024)


typedef struct {
    const char         *name;
    mode_t              mode;            /* with the type */
    unsigned            major;
    unsigned            minor;
    const char         *link;
} sbx_handover_node_t;


static struct {
    gid_t               root_gid;        /* container root's host gid */
    char                io[3072];        /* leaves room for names below */
    char               *init;            /* sandbox-init's bytes */
    size_t              init_len;
    int                 tmpfs;           /* a tmpfs per box */
    int                 dev;             /* and a /dev in it */
} sbx_handover;


/*
 * A box's /dev, in order of making (and the reverse for removing): the
 * devices a program may open, all harmless to write; no tty (no terminal
 * is allocated) and no pty (kernel.pty.max is host-wide).
 */
static const sbx_handover_node_t  sbx_handover_nodes[] = {
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


static int sbx_handover_load(void);
static int sbx_handover_mount(const char *dir);
static int sbx_handover_mkdev(const char *dir, char *err, size_t size);
static void sbx_handover_rmdev(const char *dir);
static int sbx_handover_copy(sbx_box_t *box, char *err, size_t size);
static int sbx_handover_mkfifo(sbx_box_t *box, const char *name,
    mode_t mode, char *path, char *err, size_t size);
static int sbx_handover_give(const char *path, mode_t mode, char *err,
    size_t size);
static int sbx_handover_complete(sbx_buf_t *out, void *data);
static void sbx_handover_rmdir(const char *dir);
static int sbx_handover_write(int fd, const char *buf, size_t len,
    sbx_msec_t deadline);
static int sbx_handover_read_frame(int fd, const char *word,
    sbx_msec_t deadline);


int
sbx_handover_init(void)
{
    char  path[SBX_HANDOVER_PATH], err[SBX_HANDOVER_PATH + 64];

    /* the FIFO directories: runner-owned, never visible to programs */

    if (mkdir(sbx_conf.state_dir, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_conf.state_dir,
                      strerror(errno));
        return SBX_ERROR;
    }

    if (strlen(sbx_conf.state_dir) > sizeof(sbx_handover.io) - 8) {
        sbx_log_error("state-dir path is too long");
        return SBX_ERROR;
    }

    snprintf(sbx_handover.io, sizeof(sbx_handover.io), "%s/io",
             sbx_conf.state_dir);

    if (mkdir(sbx_handover.io, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_handover.io, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_handover_load() != SBX_OK) {
        return SBX_ERROR;
    }

    /* whether this runner may mount a tmpfs per box: try once, here */

    snprintf(path, sizeof(path), "%s/probe-%s", sbx_handover.io,
             sbx_conf.runner_id);

    if (mkdir(path, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", path, strerror(errno));
        return SBX_ERROR;
    }

    sbx_handover.tmpfs = 1;
    sbx_handover.dev = 1;

    if (sbx_handover_mount(path) == SBX_OK) {

        if (sbx_handover_mkdev(path, err, sizeof(err)) != SBX_OK) {
            sbx_handover.dev = 0;
            sbx_log_warn("cannot make device nodes per container (%s): "
                         "they get Docker's /dev, whose nodes are the "
                         "host's under user namespaces, shared by all "
                         "containers", err);
        }

        (void) umount2(path, MNT_DETACH);

    } else {
        sbx_handover.tmpfs = 0;
        sbx_handover.dev = 0;
        sbx_log_warn("cannot mount a tmpfs per container (%s): their "
                     "FIFO directories stay on \"%s\", whose path the "
                     "programs can read in their mountinfo, and they get "
                     "Docker's /dev, whose nodes are the host's under user "
                     "namespaces", strerror(errno), sbx_conf.state_dir);
    }

    sbx_handover_rmdev(path);
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
sbx_handover_engine(sbx_docker_t *d)
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

    __atomic_store_n(&sbx_handover.root_gid, (gid_t) gid, __ATOMIC_RELAXED);

    return SBX_OK;
}


void
sbx_handover_cleanup(void)
{
    free(sbx_handover.init);
    sbx_handover.init = NULL;
}


int
sbx_handover_prepare(sbx_box_t *box, char *err, size_t size)
{
    char  path[SBX_HANDOVER_PATH];

    snprintf(box->dir, sizeof(box->dir), "%s/%s", sbx_handover.io,
             box->name);

    if (mkdir(box->dir, 0700) == -1) {
        snprintf(err, size, "mkdir %s: %s", box->dir, strerror(errno));
        box->dir[0] = '\0';
        return SBX_ERROR;
    }

    if (sbx_handover.tmpfs && sbx_handover_mount(box->dir) != SBX_OK) {
        snprintf(err, size, "mounting a tmpfs on %s: %s", box->dir,
                 strerror(errno));
        return SBX_ERROR;
    }

    /* container root may search it, not list it */

    if (sbx_handover_give(box->dir, 0710, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_handover_copy(box, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_handover.dev) {
        if (sbx_handover_mkdev(box->dir, err, size) != SBX_OK) {
            return SBX_ERROR;
        }

        box->dev = 1;
    }

    snprintf(path, sizeof(path), "%s/io", box->dir);

    if (mkdir(path, 0700) == -1) {
        snprintf(err, size, "mkdir %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_handover_give(path, 0710, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_handover_mkfifo(box, "ctl", 0640, path, err, size) != SBX_OK) {
        return SBX_ERROR;
    }

    if (box->lang->compile != NULL) {
        if (sbx_handover_mkfifo(box, "evt", 0620, path, err, size)
            != SBX_OK)
        {
            return SBX_ERROR;
        }

        /* read-only: poll() reports POLLHUP if init dies after opening */

        box->evt = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        if (box->evt == -1) {
            snprintf(err, size, "open %s: %s", path, strerror(errno));
            return SBX_ERROR;
        }
    }

    return SBX_OK;
}


void
sbx_handover_close(sbx_box_t *box)
{
    if (box->ctl != -1) {
        close(box->ctl);
    }

    if (box->evt != -1) {
        close(box->evt);
    }

    if (box->dir[0] != '\0') {
        sbx_handover_rmdir(box->dir);
    }
}


void
sbx_handover_sweep(void)
{
    DIR            *dir;
    char            prefix[128], path[PATH_MAX];
    struct dirent  *de;

    /* FIFO directories of this runner id; others belong to other runners */

    dir = opendir(sbx_handover.io);
    if (dir == NULL) {
        return;
    }

    snprintf(prefix, sizeof(prefix), SBX_BOX_PREFIX "%s-",
             sbx_conf.runner_id);

    while ((de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(path, sizeof(path), "%s/%s", sbx_handover.io,
                     de->d_name);
            sbx_handover_rmdir(path);
        }
    }

    closedir(dir);
}


/*
 * Opens the runner's end of the ctl FIFO for writing.  That succeeds
 * only while init has its end open for reading: for a warm box this is
 * the proof that init still waits (patience 0); a new box is given time
 * to start.
 */

int
sbx_handover_open(sbx_box_t *box, sbx_msec_t patience)
{
    char        path[SBX_HANDOVER_PATH];
    sbx_msec_t  deadline;

    snprintf(path, sizeof(path), "%s/io/ctl", box->dir);

    deadline = sbx_monotonic_msec() + patience;

    for ( ;; ) {
        box->ctl = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

        if (box->ctl != -1) {
            return SBX_OK;
        }

        if (errno != ENXIO || sbx_monotonic_msec() >= deadline) {
            return SBX_ERROR;
        }

        (void) usleep(1000);
    }
}


/* Writes the payload: init reads it at once, whatever its size. */

int
sbx_handover_send(sbx_box_t *box, char *err, size_t size)
{
    int          n;
    char        *body, head[SBX_PROTO_MAX_HEADER];
    size_t       len;
    json_t      *payload;
    sbx_msec_t   deadline;

    payload = box->job->payload;

    json_object_set_new(payload, "uid", json_integer(box->uid));
    json_object_set_new(payload, "gid", json_integer(box->uid));
    json_object_set_new(payload, "pause_after_compile",
                        json_boolean(box->evt != -1));

    if (box->job->output_budget >= 1024) {
        json_object_set_new(payload, "output_budget_kb",
                            json_integer((json_int_t)
                                         (box->job->output_budget / 1024)));
    }

    body = json_dumps(payload, JSON_COMPACT);
    if (body == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_ERROR;
    }

    len = strlen(body);
    n = sbx_proto_write_header(head, sizeof(head), "RUN", len, NULL, 0);

    deadline = sbx_monotonic_msec() + SBX_HANDOVER_START_MS;

    if (n < 0
        || sbx_handover_write(box->ctl, head, n, deadline) != SBX_OK
        || sbx_handover_write(box->ctl, body, len, deadline) != SBX_OK)
    {
        snprintf(err, size, "handing the job to sandbox-init: %s",
                 n < 0 ? "bad header" : strerror(errno));
        free(body);
        return SBX_ERROR;
    }

    free(body);

    return SBX_OK;
}


/* Whether compiling ended with init pausing for the run's limits. */

int
sbx_handover_compiled(sbx_box_t *box, sbx_msec_t deadline)
{
    return sbx_handover_read_frame(box->evt, "COMPILED", deadline);
}


int
sbx_handover_resume(sbx_box_t *box, sbx_msec_t deadline, char *err,
    size_t size)
{
    int   n;
    char  go[32];

    n = sbx_proto_write_header(go, sizeof(go), "GO", 0, NULL, 0);

    if (sbx_handover_write(box->ctl, go, n, deadline) != SBX_OK) {
        snprintf(err, size, "resuming sandbox-init: %s", strerror(errno));
        return SBX_ERROR;
    }

    return SBX_OK;
}


/*
 * Reads init's RESULT frame as it is written: the container's logs are
 * followed until the frame is complete, without waiting for the container
 * to stop (the reaper removes it anyway).
 */

json_t *
sbx_handover_result(sbx_box_t *box, char *err, size_t size)
{
    int                  rc, status;
    json_t              *result, *info;
    sbx_buf_t            out, errs;
    sbx_job_t           *job;
    sbx_msec_t           wait;
    sbx_proto_header_t   h;

    job = box->job;

    memset(&out, 0, sizeof(sbx_buf_t));
    memset(&errs, 0, sizeof(sbx_buf_t));
    result = NULL;

    wait = SBX_HANDOVER_START_MS + SBX_HANDOVER_STEP_SLACK
           + (sbx_msec_t) job->ntests * (job->run.v[SBX_LIMIT_WALL] + 1000);

    if (box->evt == -1 && job->lang->compile != NULL) {
        wait += job->compile.v[SBX_LIMIT_WALL];
    }

    rc = sbx_docker_follow(box->docker, box->id, 2 * box->log_cap + (1 << 20),
                           wait, sbx_handover_complete, NULL, &out, &errs);

    if (rc == SBX_AGAIN) {
        snprintf(err, size, "the sandbox did not finish within %lld ms",
                 (long long) wait);
        goto done;
    }

    if (rc == SBX_ERROR) {
        snprintf(err, size, "docker: %s", sbx_docker_error(box->docker));
        goto done;
    }

    /* the frame, and the line feed that lets it through the log driver */

    if (rc == SBX_OK
        && sbx_proto_parse_header(out.data, out.len, out.len, &h)
           == SBX_PROTO_OK
        && sbx_proto_str_eq(&h.word, "RESULT")
        && out.len == h.header_len + h.body_len + 1
        && out.data[out.len - 1] == '\n')
    {
        result = json_loadb(out.data + h.header_len, h.body_len, 0, NULL);

        if (!json_is_object(result)) {
            snprintf(err, size, "sandbox-init's result is not a JSON "
                     "object");
            json_decref(result);
            result = NULL;
        }

        if (errs.len) {
            sbx_log_debug("job %s: sandbox-init: %.500s", job->id,
                          errs.data);
        }

        goto done;
    }

    /* the container stopped without a result: say why as well as we can */

    if (sbx_docker_wait(box->docker, box->id, 5000, &status) == SBX_OK) {
        sbx_log_debug("job %s: container %.12s exited with %d", job->id,
                      box->id, status);
    }

    info = sbx_docker_inspect(box->docker, box->id);

    if (json_is_true(json_object_get(json_object_get(info, "State"),
                                     "OOMKilled")))
    {
        /*
         * The program filled the container with memory no process maps
         * (memfd, tmpfs beyond the limit) and the OOM killer took init
         * with it: the verdict is the program's, the details are lost.
         */

        result = json_pack("{s:[{s:s, s:n, s:s, s:s, s:s, s:i, s:i,"
                           " s:i, s:s}], s:n}",
                           "tests",
                           "status", "memory_limit_exceeded",
                           "exit_code", "signal", "SIGKILL",
                           "stdout", "", "stderr", "",
                           "time_ms", 0, "wall_time_ms", 0,
                           "memory_kb", 0,
                           "message", "the program exhausted the "
                           "sandbox's memory; its output is lost",
                           "error");

    } else if (info == NULL) {
        snprintf(err, size, "the container ended without a result and "
                 "Docker stopped answering: %s",
                 sbx_docker_error(box->docker));

    } else if (json_integer_value(json_object_get(
                   json_object_get(info, "State"), "ExitCode"))
               == 128 + 9)
    {
        snprintf(err, size, "the container was killed from outside "
                 "(Docker stopped or killed it) before sandbox-init "
                 "reported");

    } else {
        snprintf(err, size, "sandbox-init gave no result (%zu bytes "
                 "of output; its log: %.200s)", out.len,
                 errs.len ? errs.data : "empty");
    }

    json_decref(info);

done:

    sbx_buf_free(&out);
    sbx_buf_free(&errs);

    return result;
}


/* Whether init's output holds a whole frame (or cannot become one). */

static int
sbx_handover_complete(sbx_buf_t *out, void *data)
{
    int                  rc;
    sbx_proto_header_t   h;

    if (out->len == 0) {
        return 0;
    }

    rc = sbx_proto_parse_header(out->data, out->len, out->len + (1 << 30),
                                &h);

    if (rc == SBX_PROTO_AGAIN) {
        return 0;
    }

    return rc != SBX_PROTO_OK || out->len > h.header_len + h.body_len;
}


/*
 * Reads sandbox-init once: every box gets a copy of these bytes, the
 * same program for the runner's whole life even if the file is replaced.
 */

static int
sbx_handover_load(void)
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
        || st.st_size == 0 || st.st_size > SBX_HANDOVER_INIT_MAX)
    {
        sbx_log_error("sandbox-init \"%s\": not a regular file of at "
                      "most %d MiB", sbx_conf.init,
                      SBX_HANDOVER_INIT_MAX >> 20);
        close(fd);
        return SBX_ERROR;
    }

    sbx_handover.init = malloc(st.st_size);

    if (sbx_handover.init == NULL) {
        close(fd);
        return SBX_ERROR;
    }

    sbx_handover.init_len = 0;

    while (sbx_handover.init_len < (size_t) st.st_size) {
        n = read(fd, sbx_handover.init + sbx_handover.init_len,
                 st.st_size - sbx_handover.init_len);

        if (n == -1 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            sbx_log_error("reading sandbox-init \"%s\": %s", sbx_conf.init,
                          n == 0 ? "file shrank" : strerror(errno));
            close(fd);
            return SBX_ERROR;
        }

        sbx_handover.init_len += n;
    }

    close(fd);

    return SBX_OK;
}


/*
 * A box's own tmpfs: room for init, two FIFOs and /dev, root's and 0700
 * like the directory under it; exec, since init runs from it; devices
 * allowed for its /dev, unless that was refused at start.
 */

static int
sbx_handover_mount(const char *dir)
{
    char           opts[96];
    unsigned long  flags;

    snprintf(opts, sizeof(opts), "mode=0700,size=%zu,nr_inodes=32",
             sbx_handover.init_len + 65536);

    flags = MS_NOSUID | (sbx_handover.dev ? 0 : MS_NODEV);

    return mount("sbx", dir, "tmpfs", flags, opts) == 0
           ? SBX_OK : SBX_ERROR;
}


/*
 * dir/dev and its nodes, root's, with their modes whatever the umask,
 * and a write to its null: a nodev mount lets mknod make a node that
 * cannot be opened.  About 0.1 ms.
 */

static int
sbx_handover_mkdev(const char *dir, char *err, size_t size)
{
    int                         fd;
    char                        path[SBX_HANDOVER_PATH];
    size_t                      i;
    const sbx_handover_node_t  *n;

    snprintf(path, sizeof(path), "%s/dev", dir);

    if (mkdir(path, 0700) == -1 || chmod(path, 0755) == -1) {
        snprintf(err, size, "mkdir %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    for (i = 0; i < sbx_nelems(sbx_handover_nodes); i++) {
        n = &sbx_handover_nodes[i];

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


/* Removes what sbx_handover_mkdev() made, where the tmpfs is gone. */

static void
sbx_handover_rmdev(const char *dir)
{
    char                        path[SBX_HANDOVER_PATH];
    size_t                      i;
    const sbx_handover_node_t  *n;

    for (i = sbx_nelems(sbx_handover_nodes); i-- > 0; /* void */) {
        n = &sbx_handover_nodes[i];

        snprintf(path, sizeof(path), "%s/dev/%s", dir, n->name);

        (void) unlinkat(AT_FDCWD, path,
                        S_ISDIR(n->mode) ? AT_REMOVEDIR : 0);
    }

    snprintf(path, sizeof(path), "%s/dev", dir);
    (void) rmdir(path);
}


/* The box's own sandbox-init: a new file, never a link to a shared one. */

static int
sbx_handover_copy(sbx_box_t *box, char *err, size_t size)
{
    int   fd;
    char  path[SBX_HANDOVER_PATH];

    snprintf(path, sizeof(path), "%s/init", box->dir);

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0500);

    if (fd == -1) {
        snprintf(err, size, "creating %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (sbx_write_all(fd, sbx_handover.init, sbx_handover.init_len) == -1) {
        snprintf(err, size, "writing %s: %s", path, strerror(errno));
        (void) close(fd);
        return SBX_ERROR;
    }

    if (close(fd) == -1) {
        snprintf(err, size, "writing %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    /* container root executes it; nobody else reaches it */

    return sbx_handover_give(path, 0550, err, size);
}


/*
 * Makes the FIFO name in the box's io/, given to container root's group
 * with mode; path gets its path.
 */

static int
sbx_handover_mkfifo(sbx_box_t *box, const char *name, mode_t mode,
    char *path, char *err, size_t size)
{
    snprintf(path, SBX_HANDOVER_PATH, "%s/io/%s", box->dir, name);

    if (mkfifo(path, 0600) == -1) {
        snprintf(err, size, "mkfifo %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    return sbx_handover_give(path, mode, err, size);
}


/*
 * Gives a path the runner has just made to container root's group, with
 * mode.  Never follows a link (there is none: the directory is the
 * runner's alone), and sets the mode after the group, so the group never
 * has access to a path it was not meant to reach.
 */

static int
sbx_handover_give(const char *path, mode_t mode, char *err, size_t size)
{
    gid_t  gid;

    gid = __atomic_load_n(&sbx_handover.root_gid, __ATOMIC_RELAXED);

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
sbx_handover_rmdir(const char *dir)
{
    char  path[SBX_HANDOVER_PATH];

    (void) umount2(dir, MNT_DETACH);

    snprintf(path, sizeof(path), "%s/io/ctl", dir);
    (void) unlink(path);
    snprintf(path, sizeof(path), "%s/io/evt", dir);
    (void) unlink(path);
    snprintf(path, sizeof(path), "%s/io", dir);
    (void) rmdir(path);
    snprintf(path, sizeof(path), "%s/init", dir);
    (void) unlink(path);
    sbx_handover_rmdev(dir);

    if (rmdir(dir) == -1) {
        sbx_log_error("rmdir %s: %s", dir, strerror(errno));
    }
}


static int
sbx_handover_write(int fd, const char *buf, size_t len, sbx_msec_t deadline)
{
    ssize_t        n;
    sbx_msec_t     left;
    struct pollfd  pfd;

    while (len > 0) {
        n = write(fd, buf, len);

        if (n > 0) {
            buf += n;
            len -= n;
            continue;
        }

        if (n == -1 && errno != EAGAIN && errno != EINTR) {
            return SBX_ERROR;
        }

        left = deadline - sbx_monotonic_msec();

        if (left <= 0) {
            errno = ETIMEDOUT;
            return SBX_ERROR;
        }

        pfd.fd = fd;
        pfd.events = POLLOUT;
        (void) poll(&pfd, 1, (int) left);
    }

    return SBX_OK;
}


/*
 * Reads one bodiless frame with the given word.  SBX_OK, SBX_AGAIN on
 * timeout, SBX_DECLINED when init closed its end without sending it,
 * SBX_ERROR on anything else.
 */

static int
sbx_handover_read_frame(int fd, const char *word, sbx_msec_t deadline)
{
    int                  rc;
    char                 buf[SBX_PROTO_MAX_HEADER];
    size_t               len;
    ssize_t              n;
    sbx_msec_t           left;
    struct pollfd        pfd;
    sbx_proto_header_t   h;

    len = 0;

    for ( ;; ) {
        left = deadline - sbx_monotonic_msec();

        if (left <= 0) {
            return SBX_AGAIN;
        }

        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;

        if (poll(&pfd, 1, (int) left) <= 0) {
            continue;
        }

        n = read(fd, buf + len, sizeof(buf) - len);

        if (n == 0) {
            return SBX_DECLINED;
        }

        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }

            return SBX_ERROR;
        }

        len += n;

        rc = sbx_proto_parse_header(buf, len, 0, &h);

        if (rc == SBX_PROTO_AGAIN) {
            continue;
        }

        return (rc == SBX_PROTO_OK && sbx_proto_str_eq(&h.word, word))
               ? SBX_OK : SBX_ERROR;
    }
}
