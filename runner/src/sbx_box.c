
/*
 * The container box: one started container, used for one job and thrown
 * away.
 *
 * A box is made for a job, or earlier by the warm pool (sbx_warm.c) with
 * the language's defaults.  Making one takes a uid and a name, makes the
 * box's own directory (sbx_boxdir.c), then creates and starts the
 * container from the spec below: no network, no capabilities but those
 * init needs to drop to the program's uid, a read-only root, tmpfs for
 * the program's files, cgroup limits as the hard wall.  After the job
 * the reaper threads remove it, off the job's path: several at once, as
 * the warm pool makes several at once, or removal would bound the rate.
 *
 * Uids.  Every live box gets its own program uid, so RLIMIT_NPROC
 * (counted per uid across the host) is a per-container limit.
 *
 * Leftovers.  Every container carries this runner's label; the sweep
 * removes those of the label that are on no live box (a crash left them,
 * or their removal failed while Docker was away).
 *
 * Cancels.  A cancelled job's container is killed by the reaper, off the
 * event thread that was told; its worker then finds init gone and
 * releases the box as after any run.
 *
 * Locking: sbx_box.lock guards the uid bitmap, the list of live boxes
 * and each box's name, id, job and kill mark while it is on that list
 * (the sweeper, the cancel and the shutdown paths read them), the
 * reaper's queue, its kill flag and the abort flag;
 * everything else in a box belongs to whoever holds it: its maker, the
 * warm pool, a worker, then the reaper.
 */


#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_box.h"
#include "sbx_boxdir.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_monitor.h"


#define SBX_BOX_LABEL            "org.sandbox.runner"
#define SBX_BOX_REAPERS          4
#define SBX_BOX_REMOVE_TRIES     3        /* then the sweep's */
#define SBX_BOX_REMOVE_PAUSE_MS  250      /* doubled each time */
#define SBX_BOX_LOG_KB           1024     /* init's own messages */


static struct {
    pthread_mutex_t     lock;
    pthread_cond_t      cond;            /* the reaper has work */
    unsigned char      *uids;
    uint64_t            seq;
    sbx_box_t          *live;            /* boxes that exist */
    sbx_box_t          *reap;            /* boxes to remove */
    pthread_t           reapers[SBX_BOX_REAPERS];
    int                 nreapers;
    int                 stop;
    int                 kills;           /* some live box is to be killed */
    int                 aborting;
} sbx_box;


static int sbx_box_enter(sbx_box_t *box);
static void sbx_box_leave(sbx_box_t *box);
static json_t *sbx_box_spec(sbx_box_t *box);
static void *sbx_box_reap(void *data);
static void sbx_box_dispose(sbx_docker_t *d, sbx_box_t *box);
static void sbx_box_kill(sbx_docker_t *d);


int
sbx_box_init(void)
{
    const char  *p;

    for (p = sbx_conf.runner_id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
        {
            sbx_log_error("runner-id \"%s\": use [A-Za-z0-9_-] only",
                          sbx_conf.runner_id);
            return SBX_ERROR;
        }
    }

    if (sbx_conf.runner_id[0] == '\0' || strlen(sbx_conf.runner_id) > 32) {
        sbx_log_error("runner-id must have 1 to 32 characters");
        return SBX_ERROR;
    }

    sbx_box.uids = calloc(sbx_conf.uid_count, 1);
    if (sbx_box.uids == NULL) {
        return SBX_ERROR;
    }

    if (pthread_mutex_init(&sbx_box.lock, NULL) != 0
        || pthread_cond_init(&sbx_box.cond, NULL) != 0)
    {
        return SBX_ERROR;
    }

    if (access(sbx_conf.init, X_OK) == -1) {
        sbx_log_error("sandbox-init \"%s\": %s (--init sets its path)",
                      sbx_conf.init, strerror(errno));
        return SBX_ERROR;
    }

    while (sbx_box.nreapers < SBX_BOX_REAPERS) {
        if (sbx_thread_start(&sbx_box.reapers[sbx_box.nreapers],
                             sbx_box_reap, NULL, "reaper")
            != SBX_OK)
        {
            return SBX_ERROR;
        }

        sbx_box.nreapers++;
    }

    return SBX_OK;
}


void
sbx_box_drain(void)
{
    int  i;

    /* the reapers remove what is queued, then end */

    if (sbx_box.nreapers) {
        pthread_mutex_lock(&sbx_box.lock);
        sbx_box.stop = 1;
        pthread_cond_broadcast(&sbx_box.cond);
        pthread_mutex_unlock(&sbx_box.lock);

        for (i = 0; i < sbx_box.nreapers; i++) {
            pthread_join(sbx_box.reapers[i], NULL);
        }

        sbx_box.nreapers = 0;
    }
}


void
sbx_box_cleanup(void)
{
    sbx_box_drain();

    free(sbx_box.uids);
    pthread_cond_destroy(&sbx_box.cond);
    pthread_mutex_destroy(&sbx_box.lock);
}


sbx_box_t *
sbx_box_make(sbx_docker_t *d, sbx_lang_t *lang, int64_t memory_kb,
    int64_t pids, size_t log_cap, char *err, size_t size)
{
    char         id[SBX_DOCKER_ID_LEN + 1];
    json_t      *spec;
    sbx_box_t   *box;
    sbx_msec_t   t;

    box = calloc(1, sizeof(sbx_box_t));
    if (box == NULL) {
        snprintf(err, size, "out of memory");
        return NULL;
    }

    box->ctl = -1;
    box->evt = -1;
    box->lang = lang;
    box->memory_kb = memory_kb;
    box->pids = pids;
    box->log_cap = log_cap;

    if (sbx_box_enter(box) != SBX_OK) {
        snprintf(err, size, "no free sandbox uid");
        free(box);
        return NULL;
    }

    if (sbx_boxdir_prepare(box, err, size) != SBX_OK) {
        sbx_box_dispose(d, box);
        return NULL;
    }

    spec = sbx_box_spec(box);

    if (spec == NULL) {
        snprintf(err, size, "out of memory");
        sbx_box_dispose(d, box);
        return NULL;
    }

    t = sbx_monotonic_msec();

    if (sbx_docker_create_container(d, box->name, spec, id) != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(d));
        json_decref(spec);
        sbx_box_dispose(d, box);
        return NULL;
    }

    json_decref(spec);

    pthread_mutex_lock(&sbx_box.lock);
    strcpy(box->id, id);
    pthread_mutex_unlock(&sbx_box.lock);

    sbx_metrics_observe(SBX_METRIC_CREATE, sbx_monotonic_msec() - t);
    t = sbx_monotonic_msec();

    if (sbx_docker_start(d, box->id) != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(d));
        sbx_box_dispose(d, box);
        return NULL;
    }

    sbx_metrics_observe(SBX_METRIC_START, sbx_monotonic_msec() - t);

    return box;
}


int
sbx_box_resize(sbx_box_t *box, int64_t memory_kb, int64_t pids, char *err,
    size_t size)
{
    int      rc;
    json_t  *res;

    res = json_pack("{s:I, s:I, s:I}",
                    "Memory", (json_int_t) memory_kb * 1024,
                    "MemorySwap", (json_int_t) memory_kb * 1024,
                    "PidsLimit", (json_int_t) pids);

    rc = sbx_docker_update(box->docker, box->id, res);
    json_decref(res);

    if (rc != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(box->docker));
        return SBX_ERROR;
    }

    box->memory_kb = memory_kb;
    box->pids = pids;

    return SBX_OK;
}


int
sbx_box_assign(sbx_box_t *box, sbx_job_t *job)
{
    pthread_mutex_lock(&sbx_box.lock);
    box->job = job;
    pthread_mutex_unlock(&sbx_box.lock);

    /*
     * After the box is visible: a cancel that missed it marked the job
     * before, and is seen here.
     */

    return sbx_job_cancelled(job) ? SBX_DECLINED : SBX_OK;
}


void
sbx_box_cancel(sbx_job_t *job)
{
    sbx_box_t  *box;

    pthread_mutex_lock(&sbx_box.lock);

    for (box = sbx_box.live; box; box = box->next) {
        if (box->job == job && box->id[0] != '\0') {
            box->kill = 1;
            sbx_box.kills = 1;
            pthread_cond_signal(&sbx_box.cond);
        }
    }

    pthread_mutex_unlock(&sbx_box.lock);
}


void
sbx_box_release(sbx_box_t *box)
{
    pthread_mutex_lock(&sbx_box.lock);

    box->rnext = sbx_box.reap;
    sbx_box.reap = box;

    pthread_cond_signal(&sbx_box.cond);
    pthread_mutex_unlock(&sbx_box.lock);
}


int
sbx_box_sweep(sbx_docker_t *d)
{
    int          n, live;
    char         label[128];
    size_t       i;
    json_t      *list, *c;
    sbx_box_t   *box;
    const char  *id, *name;

    snprintf(label, sizeof(label), SBX_BOX_LABEL "=%s", sbx_conf.runner_id);

    list = sbx_docker_list(d, label);

    if (list == NULL) {
        sbx_log_error("listing this runner's containers: %s",
                      sbx_docker_error(d));
        return SBX_ERROR;
    }

    n = 0;

    json_array_foreach(list, i, c) {
        id = json_string_value(json_object_get(c, "Id"));
        name = json_string_value(json_array_get(json_object_get(c, "Names"),
                                                0));
        if (id == NULL || name == NULL) {
            continue;
        }

        /* a running job's container is named before it is created */

        live = 0;

        pthread_mutex_lock(&sbx_box.lock);

        for (box = sbx_box.live; box; box = box->next) {
            if (strcmp(box->name, name + (name[0] == '/')) == 0) {
                live = 1;
                break;
            }
        }

        pthread_mutex_unlock(&sbx_box.lock);

        if (live) {
            continue;
        }

        if (sbx_docker_remove(d, id) == SBX_OK) {
            n++;

        } else {
            sbx_log_error("removing stray container %.12s: %s",
                          id, sbx_docker_error(d));
        }
    }

    json_decref(list);

    if (n) {
        sbx_log_warn("removed %d stray containers of this runner", n);
    }

    return SBX_OK;
}


void
sbx_box_abort(sbx_docker_t *d)
{
    size_t       n, i;
    sbx_box_t   *box;
    char       (*ids)[SBX_DOCKER_ID_LEN + 1];

    /* kill, not remove: each worker still reads what is left and then
     * releases its own box */

    pthread_mutex_lock(&sbx_box.lock);

    sbx_box.aborting = 1;

    for (n = 0, box = sbx_box.live; box; box = box->next) {
        n++;
    }

    ids = calloc(n + 1, sizeof(*ids));
    n = 0;

    for (box = sbx_box.live; box && ids; box = box->next) {
        if (box->id[0] != '\0') {
            strcpy(ids[n++], box->id);
        }
    }

    pthread_mutex_unlock(&sbx_box.lock);

    for (i = 0; i < n; i++) {
        if (sbx_docker_kill(d, ids[i]) != SBX_OK) {
            sbx_log_error("killing container %.12s: %s", ids[i],
                          sbx_docker_error(d));
        }
    }

    free(ids);
}


int
sbx_box_aborting(void)
{
    int  aborting;

    pthread_mutex_lock(&sbx_box.lock);
    aborting = sbx_box.aborting;
    pthread_mutex_unlock(&sbx_box.lock);

    return aborting;
}


/* Gives the box a uid and a name, and puts it on the live list. */

static int
sbx_box_enter(sbx_box_t *box)
{
    int  i, n, start;

    pthread_mutex_lock(&sbx_box.lock);

    /* round-robin, so a uid is not reused at once */

    n = sbx_conf.uid_count;
    start = (int) (sbx_box.seq % (uint64_t) n);
    sbx_box.seq++;

    for (i = 0; i < n; i++) {
        if (!sbx_box.uids[(start + i) % n]) {
            break;
        }
    }

    if (i == n) {
        pthread_mutex_unlock(&sbx_box.lock);
        return SBX_ERROR;
    }

    sbx_box.uids[(start + i) % n] = 1;
    box->uid = sbx_conf.uid_base + (start + i) % n;

    snprintf(box->name, sizeof(box->name), SBX_BOX_PREFIX "%s-%d-%d",
             sbx_conf.runner_id, (int) getpid(), box->uid);

    box->prev = NULL;
    box->next = sbx_box.live;

    if (sbx_box.live) {
        sbx_box.live->prev = box;
    }

    sbx_box.live = box;

    pthread_mutex_unlock(&sbx_box.lock);

    return SBX_OK;
}


static void
sbx_box_leave(sbx_box_t *box)
{
    pthread_mutex_lock(&sbx_box.lock);

    sbx_box.uids[box->uid - sbx_conf.uid_base] = 0;

    if (box->prev) {
        box->prev->next = box->next;

    } else {
        sbx_box.live = box->next;
    }

    if (box->next) {
        box->next->prev = box->prev;
    }

    pthread_mutex_unlock(&sbx_box.lock);
}


/*
 * The container: the box's own directory (sbx_boxdir.c) read-only at
 * /sbx, the only host path in it, with sandbox-init's copy that runs as
 * PID 1 and the FIFOs in /sbx/io, and its dev/ read-only at /dev with the
 * box's own device nodes; a small log, for init's own messages (its
 * frames go to the evt FIFO).
 * Everything else a program can reach is the container's own: its
 * overlay root (locks and inotify on image files stay in it), tmpfs for
 * /work, /tmp and /dev/shm, and its own network (abstract UNIX sockets),
 * IPC (SysV), UTS, pid and mount namespaces.
 */

static json_t *
sbx_box_spec(sbx_box_t *box)
{
    char          bind[2][PATH_MAX + 32], tmpfs[3][160], label[48];
    char          logsize[32];
    json_t       *spec, *masked, *binds, *mounts, *host;
    size_t        i;
    int64_t       mem;
    sbx_lang_t   *lang;

    /*
     * Docker's own masked paths (the list replaces them), and the pty
     * devices: kernel.pty.max is counted across every devpts instance of
     * the host, so a box gets none (its own /dev has none anyway).
     */
    static const char  *masked_paths[] = {
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap", "/dev/pts", "/dev/ptmx"
    };

    lang = box->lang;

    masked = json_array();

    for (i = 0; i < sbx_nelems(masked_paths); i++) {
        json_array_append_new(masked, json_string(masked_paths[i]));
    }

    snprintf(bind[0], sizeof(bind[0]), "%s:/sbx:ro", box->dir);
    snprintf(bind[1], sizeof(bind[1]), "%s/dev:/dev:ro", box->dir);

    snprintf(tmpfs[0], sizeof(tmpfs[0]),
             "rw,exec,nosuid,nodev,size=%lldk,uid=%d,gid=%d,mode=0700",
             (long long) lang->tmpfs_work_kb, box->uid, box->uid);
    snprintf(tmpfs[1], sizeof(tmpfs[1]),
             "rw,exec,nosuid,nodev,size=%lldk,mode=1777",
             (long long) lang->tmpfs_tmp_kb);

    /*
     * /dev/shm: with /dev bound from the box, Docker mounts no /dev/shm
     * (nor /dev/mqueue, /dev/pts) and ignores ShmSize; a tmpfs of the
     * same size takes its place, with the mode of the box's dev/shm
     */
    snprintf(tmpfs[2], sizeof(tmpfs[2]),
             "rw,noexec,nosuid,nodev,size=%dk,mode=1777", SBX_BOX_SHM / 1024);

    snprintf(label, sizeof(label), "%s", sbx_conf.runner_id);
    snprintf(logsize, sizeof(logsize), "%dk", SBX_BOX_LOG_KB);

    mem = box->memory_kb * 1024;

    spec = json_pack(
        "{s:s, s:[s], s:[], s:s, s:s, s:[], s:b, s:b, s:b, s:i,"
        " s:{s:s},"
        " s:{s:[s], s:s, s:[s], s:[s, s, s], s:[s, s], s:o, s:b, s:b,"
        "    s:{s:s, s:s}, s:I, s:I, s:I, s:I, s:I,"
        "    s:[{s:s, s:i, s:i}, {s:s, s:i, s:i}],"
        "    s:{s:s, s:{s:s, s:s}}, s:s, s:b}}",
        "Image", lang->image,
        "Entrypoint", "/sbx/init",
        "Cmd",
        "User", "0:0",
        "WorkingDir", "/",
        "Env",
        "NetworkDisabled", 1,
        "Tty", 0,
        "OpenStdin", 0,
        "StopTimeout", 1,
        "Labels", SBX_BOX_LABEL, label,
        "HostConfig",
        "Binds", bind[0],
        "NetworkMode", "none",
        "CapDrop", "ALL",
        "CapAdd", "SETUID", "SETGID", "KILL",
        "SecurityOpt", "no-new-privileges", sbx_conf.seccomp,
        "MaskedPaths", masked,
        "ReadonlyRootfs", 1,
        "Privileged", 0,
        "Tmpfs", "/work", tmpfs[0], "/tmp", tmpfs[1],
        "Memory", (json_int_t) mem,
        "MemorySwap", (json_int_t) mem,
        "PidsLimit", (json_int_t) box->pids,
        "NanoCpus", (json_int_t) sbx_conf.container_cpus_milli * 1000000,
        "ShmSize", (json_int_t) SBX_BOX_SHM,
        "Ulimits", "Name", "nofile", "Soft", 1024, "Hard", 1024,
                   "Name", "core", "Soft", 0, "Hard", 0,
        "LogConfig", "Type", "json-file",
                     "Config", "max-size", logsize, "max-file", "1",
        "IpcMode", "private",
        "AutoRemove", 0);

    if (spec == NULL || !box->dev) {
        return spec;
    }

    /* the box's own /dev, and a tmpfs of the container's for /dev/shm */

    host = json_object_get(spec, "HostConfig");
    binds = json_object_get(host, "Binds");
    mounts = json_object_get(host, "Tmpfs");

    if (json_array_append_new(binds, json_string(bind[1])) != 0
        || json_object_set_new(mounts, "/dev/shm", json_string(tmpfs[2]))
           != 0
        || json_object_del(host, "ShmSize") != 0)
    {
        json_decref(spec);
        return NULL;
    }

    return spec;
}


/*
 * A reaper: removes released boxes with its own Docker client, so that
 * no job waits for its container's removal.  At shutdown the reapers
 * empty the queue before they end.
 */

static void *
sbx_box_reap(void *data)
{
    sbx_box_t     *box;
    sbx_docker_t  *d;

    sbx_log_set_thread("reaper");

    d = sbx_docker_create(sbx_conf.docker_socket);

    pthread_mutex_lock(&sbx_box.lock);

    for ( ;; ) {

        if (sbx_box.kills) {
            sbx_box.kills = 0;

            pthread_mutex_unlock(&sbx_box.lock);
            sbx_box_kill(d);
            pthread_mutex_lock(&sbx_box.lock);
            continue;
        }

        box = sbx_box.reap;

        if (box == NULL) {
            if (sbx_box.stop) {
                break;
            }

            pthread_cond_wait(&sbx_box.cond, &sbx_box.lock);
            continue;
        }

        sbx_box.reap = box->rnext;

        pthread_mutex_unlock(&sbx_box.lock);
        sbx_box_dispose(d, box);
        pthread_mutex_lock(&sbx_box.lock);
    }

    pthread_mutex_unlock(&sbx_box.lock);

    sbx_docker_destroy(d);

    return NULL;
}


/* Kills the containers of the live boxes marked to be killed. */

static void
sbx_box_kill(sbx_docker_t *d)
{
    char        id[SBX_DOCKER_ID_LEN + 1];
    sbx_box_t  *box;

    for ( ;; ) {
        id[0] = '\0';

        pthread_mutex_lock(&sbx_box.lock);

        for (box = sbx_box.live; box; box = box->next) {
            if (box->kill) {
                box->kill = 0;
                strcpy(id, box->id);
                break;
            }
        }

        pthread_mutex_unlock(&sbx_box.lock);

        if (id[0] == '\0') {
            return;
        }

        /* the box stays its worker's, which releases it after the run */

        if (d == NULL || sbx_docker_kill(d, id) != SBX_OK) {
            sbx_log_warn("killing cancelled job's container %.12s: %s", id,
                         d ? sbx_docker_error(d) : "no Docker client");

        } else {
            sbx_log_info("killed cancelled job's container %.12s", id);
        }
    }
}


static void
sbx_box_dispose(sbx_docker_t *d, sbx_box_t *box)
{
    int          rc;
    unsigned     try;
    sbx_job_t   *job;

    /*
     * Docker's removal can fail for a moment ("device or resource busy"
     * while the container's last process lets go of its mounts; the
     * container is then left "Dead"), or be in progress already and fail
     * later (after Docker missed the container's exit): try again
     * shortly, then have the sweep come in a few seconds.
     */

    for (try = 0; box->id[0] != '\0'; try++) {

        rc = (d != NULL) ? sbx_docker_remove(d, box->id) : SBX_ERROR;

        if (rc == SBX_OK) {
            break;
        }

        if (try == SBX_BOX_REMOVE_TRIES - 1) {
            if (rc == SBX_AGAIN) {
                sbx_log_info("container %.12s: Docker is still removing "
                             "it; the sweep looks again", box->id);

            } else {
                sbx_log_error("removing container %.12s: %s", box->id,
                              d ? sbx_docker_error(d) : "no Docker client");
            }

            sbx_monitor_sweep_soon();
            break;
        }

        sbx_log_warn("removing container %.12s: %s; trying again",
                     box->id, d ? sbx_docker_error(d) : "no Docker client");

        (void) usleep(SBX_BOX_REMOVE_PAUSE_MS * 1000 << try);
    }

    sbx_boxdir_close(box);

    /* a job's box holds a reference to it (sbx_sandbox_run()) */

    job = box->job;

    sbx_box_leave(box);
    free(box);

    if (job != NULL) {
        sbx_job_stage(job, SBX_STAGE_REMOVED, 0);
        sbx_job_stage_done(job);
        sbx_job_unref(job);
    }
}
