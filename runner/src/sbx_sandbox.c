
/*
 * The sandbox: one fresh container per job, used once.
 *
 * Hand-over.  The container starts with sandbox-init as PID 1, which
 * blocks on a FIFO for its payload.  The FIFOs live in a directory that
 * only the runner creates and that is bind-mounted read-only; the
 * submitted program runs as another uid and can neither open them nor
 * plant anything there.  The runner never reads, writes, chowns or
 * deletes anything the program can write (Judge0's 2024 escapes were
 * host-side writes through planted symlinks): the program's files live on
 * tmpfs mounts that vanish with the container, and the result comes back
 * through the container's logs as one frame that only init writes.
 *
 * Limits.  The container is created with the larger of the compile and
 * run limits (memory, pids), because one cgroup serves both steps.  For
 * compiled languages init pauses after compiling; the runner then lowers
 * the container's memory and pids to the run limits and lets it go on, so
 * the program never runs under the compiler's allowance.  The cgroup is
 * the hard wall; init measures and gives the verdict.
 *
 * Uids.  Every live container gets its own program uid, so RLIMIT_NPROC
 * (counted per uid across the host) is a per-container limit.
 *
 * Boxes.  A box is a started container waiting for its job: made for the
 * job, or earlier by the warm pool (sbx_warm.c) with the language's
 * defaults, and then grown for the job if it needs more.  Either way it
 * serves one job and is thrown away: a reaper thread removes it after
 * the result has been read, off the job's path.
 *
 * Locking: sbx_sandbox.lock guards the uid bitmap, the list of live
 * boxes and each box's name and id while it is on that list (the sweeper
 * and the shutdown path read them), and the reaper's queue; everything
 * else in a box belongs to whoever holds it: its maker, the warm pool, a
 * worker, then the reaper.
 */


#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx.h"
#include "sbx_base64.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_proto.h"
#include "sbx_sandbox.h"
#include "sbx_warm.h"


#define SBX_SANDBOX_LABEL       "org.sandbox.runner"
#define SBX_SANDBOX_SLACK_KB    (16 * 1024)   /* init itself */
#define SBX_SANDBOX_SHM         (16 * 1024 * 1024)
#define SBX_SANDBOX_PIDS_SLACK  8
#define SBX_SANDBOX_START_MS    10000
#define SBX_SANDBOX_STEP_SLACK  5000


struct sbx_box_s {
    char            name[96];
    char            dir[PATH_MAX];
    char            id[SBX_DOCKER_ID_LEN + 1];
    int             uid;
    int             ctl;                 /* opened when the job comes */
    int             evt;
    sbx_lang_t     *lang;
    int64_t         memory_kb;           /* the container's limits now */
    int64_t         pids;
    size_t          log_cap;             /* what its logs may hold */
    unsigned        warm:1;
    sbx_job_t      *job;
    sbx_docker_t   *docker;
    sbx_box_t      *prev;                /* live list */
    sbx_box_t      *next;
    sbx_box_t      *rnext;               /* reaper queue */
};


static struct {
    pthread_mutex_t     lock;
    pthread_cond_t      cond;            /* the reaper has work */
    unsigned char      *uids;
    uint64_t            seq;
    sbx_box_t          *live;            /* boxes that exist */
    sbx_box_t          *reap;            /* boxes to remove */
    pthread_t           reaper;
    int                 reaper_up;
    int                 stop;
    int                 aborting;
    char                io[3072];        /* leaves room for names below */
} sbx_sandbox;


static sbx_box_t *sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job,
    char *err, size_t size);
static int sbx_sandbox_enter(sbx_box_t *box);
static void sbx_sandbox_leave(sbx_box_t *box);
static int sbx_sandbox_prepare(sbx_box_t *box, char *err, size_t size);
static json_t *sbx_sandbox_spec(sbx_box_t *box);
static int sbx_sandbox_fit(sbx_box_t *box, char *err, size_t size);
static int sbx_sandbox_open_ctl(sbx_box_t *box, sbx_msec_t patience);
static int sbx_sandbox_handover(sbx_box_t *box, char *err, size_t size);
static int sbx_sandbox_run_phase(sbx_box_t *box, char *err, size_t size);
static json_t *sbx_sandbox_result(sbx_box_t *box, char *err, size_t size);
static int sbx_sandbox_frame_done(sbx_buf_t *out, void *data);
static void *sbx_sandbox_reap(void *data);
static void sbx_sandbox_dispose(sbx_docker_t *d, sbx_box_t *box);
static void sbx_sandbox_rmdir(const char *dir);
static int sbx_sandbox_write(int fd, const char *buf, size_t len,
    sbx_msec_t deadline);
static int sbx_sandbox_read_frame(int fd, const char *word,
    sbx_msec_t deadline);
static int64_t sbx_sandbox_memory_kb(sbx_lang_t *lang,
    const sbx_limits_t *run, const sbx_limits_t *compile,
    size_t data_bytes, size_t cap);
static int64_t sbx_sandbox_pids(const sbx_limits_t *run,
    const sbx_limits_t *compile);


int
sbx_sandbox_init(void)
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

    sbx_sandbox.uids = calloc(sbx_conf.uid_count, 1);
    if (sbx_sandbox.uids == NULL) {
        return SBX_ERROR;
    }

    if (pthread_mutex_init(&sbx_sandbox.lock, NULL) != 0
        || pthread_cond_init(&sbx_sandbox.cond, NULL) != 0)
    {
        return SBX_ERROR;
    }

    /* the FIFO directories: runner-owned, never visible to programs */

    if (mkdir(sbx_conf.state_dir, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_conf.state_dir,
                      strerror(errno));
        return SBX_ERROR;
    }

    if (strlen(sbx_conf.state_dir) > sizeof(sbx_sandbox.io) - 8) {
        sbx_log_error("state-dir path is too long");
        return SBX_ERROR;
    }

    snprintf(sbx_sandbox.io, sizeof(sbx_sandbox.io), "%s/io",
             sbx_conf.state_dir);

    if (mkdir(sbx_sandbox.io, 0700) == -1 && errno != EEXIST) {
        sbx_log_error("mkdir \"%s\": %s", sbx_sandbox.io, strerror(errno));
        return SBX_ERROR;
    }

    if (access(sbx_conf.init, X_OK) == -1) {
        sbx_log_error("sandbox-init \"%s\": %s", sbx_conf.init,
                      strerror(errno));
        return SBX_ERROR;
    }

    if (pthread_create(&sbx_sandbox.reaper, NULL, sbx_sandbox_reap, NULL)
        != 0)
    {
        sbx_log_error("pthread_create: %s", strerror(errno));
        return SBX_ERROR;
    }

    sbx_sandbox.reaper_up = 1;

    return SBX_OK;
}


void
sbx_sandbox_drain(void)
{
    /* the reaper removes what is queued, then ends */

    if (sbx_sandbox.reaper_up) {
        pthread_mutex_lock(&sbx_sandbox.lock);
        sbx_sandbox.stop = 1;
        pthread_cond_signal(&sbx_sandbox.cond);
        pthread_mutex_unlock(&sbx_sandbox.lock);

        pthread_join(sbx_sandbox.reaper, NULL);
        sbx_sandbox.reaper_up = 0;
    }
}


void
sbx_sandbox_done(void)
{
    sbx_sandbox_drain();

    free(sbx_sandbox.uids);
    pthread_cond_destroy(&sbx_sandbox.cond);
    pthread_mutex_destroy(&sbx_sandbox.lock);
}


json_t *
sbx_sandbox_run(sbx_docker_t *d, sbx_job_t *job, char *err, size_t size)
{
    json_t      *result;
    sbx_box_t   *box;
    sbx_msec_t   t;

    box = sbx_sandbox_get(d, job, err, size);

    if (box == NULL) {
        return NULL;
    }

    box->job = job;
    box->docker = d;
    result = NULL;

    t = sbx_monotonic_msec();

    if (sbx_sandbox_fit(box, err, size) == SBX_OK
        && sbx_sandbox_handover(box, err, size) == SBX_OK
        && sbx_sandbox_run_phase(box, err, size) == SBX_OK)
    {
        result = sbx_sandbox_result(box, err, size);
    }

    sbx_metrics_observe(SBX_METRIC_RUN, sbx_monotonic_msec() - t);

    sbx_sandbox_release(box);

    return result;
}


sbx_box_t *
sbx_sandbox_box(sbx_docker_t *d, sbx_lang_t *lang, int64_t memory_kb,
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

    if (sbx_sandbox_enter(box) != SBX_OK) {
        snprintf(err, size, "no free sandbox uid");
        free(box);
        return NULL;
    }

    if (sbx_sandbox_prepare(box, err, size) != SBX_OK) {
        sbx_sandbox_dispose(d, box);
        return NULL;
    }

    spec = sbx_sandbox_spec(box);

    if (spec == NULL) {
        snprintf(err, size, "out of memory");
        sbx_sandbox_dispose(d, box);
        return NULL;
    }

    t = sbx_monotonic_msec();

    if (sbx_docker_create_container(d, box->name, spec, id) != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(d));
        json_decref(spec);
        sbx_sandbox_dispose(d, box);
        return NULL;
    }

    json_decref(spec);

    pthread_mutex_lock(&sbx_sandbox.lock);
    strcpy(box->id, id);
    pthread_mutex_unlock(&sbx_sandbox.lock);

    sbx_metrics_observe(SBX_METRIC_CREATE, sbx_monotonic_msec() - t);
    t = sbx_monotonic_msec();

    if (sbx_docker_start(d, box->id) != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(d));
        sbx_sandbox_dispose(d, box);
        return NULL;
    }

    sbx_metrics_observe(SBX_METRIC_START, sbx_monotonic_msec() - t);

    return box;
}


void
sbx_sandbox_release(sbx_box_t *box)
{
    pthread_mutex_lock(&sbx_sandbox.lock);

    box->rnext = sbx_sandbox.reap;
    sbx_sandbox.reap = box;

    pthread_cond_signal(&sbx_sandbox.cond);
    pthread_mutex_unlock(&sbx_sandbox.lock);
}


size_t
sbx_sandbox_cap(sbx_lang_t *lang, int64_t output_kb, size_t ntests)
{
    size_t  out;

    /* the most bytes init's result can take: base64 outputs, framing */

    out = 2 * (size_t) output_kb * 1024 * ntests;

    if (lang->compile != NULL) {
        out += 2 * (size_t) lang->compile_limits.v[SBX_LIMIT_OUTPUT] * 1024;
    }

    return sbx_base64_encoded_len(out) + 1024 * (ntests + 64);
}


/*
 * A box for the job: a warm one that is still waiting (init holds the
 * FIFO open: a writer can open it), else a new one made to measure.
 */

static sbx_box_t *
sbx_sandbox_get(sbx_docker_t *d, sbx_job_t *job, char *err, size_t size)
{
    size_t      cap;
    sbx_box_t  *box;

    cap = sbx_sandbox_cap(job->lang, job->run.v[SBX_LIMIT_OUTPUT],
                          job->ntests);

    while ((box = sbx_warm_take(job->lang, cap)) != NULL) {
        box->warm = 1;

        if (sbx_sandbox_open_ctl(box, 0) == SBX_OK) {
            return box;
        }

        sbx_log_warn("warm container %.12s is gone; another one",
                     box->id);
        sbx_sandbox_release(box);
    }

    box = sbx_sandbox_box(d, job->lang,
                          sbx_sandbox_memory_kb(job->lang, &job->run,
                                                &job->compile,
                                                job->data_bytes, cap),
                          sbx_sandbox_pids(&job->run,
                                           job->lang->compile ? &job->compile
                                                              : NULL),
                          cap, err, size);

    if (box != NULL
        && sbx_sandbox_open_ctl(box, SBX_SANDBOX_START_MS) != SBX_OK)
    {
        snprintf(err, size, "sandbox-init did not start: %s",
                 strerror(errno));
        sbx_sandbox_release(box);
        return NULL;
    }

    return box;
}


int
sbx_sandbox_sweep(sbx_docker_t *d, int startup)
{
    int             n, live;
    DIR            *dir;
    char            label[128], path[PATH_MAX];
    size_t          i;
    json_t         *list, *c;
    sbx_box_t      *box;
    const char     *id, *name;
    struct dirent  *de;

    snprintf(label, sizeof(label), SBX_SANDBOX_LABEL "=%s",
             sbx_conf.runner_id);

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

        pthread_mutex_lock(&sbx_sandbox.lock);

        for (box = sbx_sandbox.live; box; box = box->next) {
            if (strcmp(box->name, name + (name[0] == '/')) == 0) {
                live = 1;
                break;
            }
        }

        pthread_mutex_unlock(&sbx_sandbox.lock);

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

    if (!startup) {
        return SBX_OK;
    }

    /* FIFO directories of this runner id; others belong to other runners */

    dir = opendir(sbx_sandbox.io);
    if (dir == NULL) {
        return SBX_OK;
    }

    snprintf(label, sizeof(label), "sbx-%s-", sbx_conf.runner_id);

    while ((de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, label, strlen(label)) == 0) {
            snprintf(path, sizeof(path), "%s/%s", sbx_sandbox.io,
                     de->d_name);
            sbx_sandbox_rmdir(path);
        }
    }

    closedir(dir);

    return SBX_OK;
}


void
sbx_sandbox_abort(sbx_docker_t *d)
{
    size_t       n, i;
    sbx_box_t   *box;
    char       (*ids)[SBX_DOCKER_ID_LEN + 1];

    /* kill, not remove: each worker still reads what is left and then
     * releases its own box */

    pthread_mutex_lock(&sbx_sandbox.lock);

    sbx_sandbox.aborting = 1;

    for (n = 0, box = sbx_sandbox.live; box; box = box->next) {
        n++;
    }

    ids = calloc(n + 1, sizeof(*ids));
    n = 0;

    for (box = sbx_sandbox.live; box && ids; box = box->next) {
        if (box->id[0] != '\0') {
            strcpy(ids[n++], box->id);
        }
    }

    pthread_mutex_unlock(&sbx_sandbox.lock);

    for (i = 0; i < n; i++) {
        if (sbx_docker_kill(d, ids[i]) != SBX_OK) {
            sbx_log_error("killing container %.12s: %s", ids[i],
                          sbx_docker_error(d));
        }
    }

    free(ids);
}


int
sbx_sandbox_aborting(void)
{
    int  aborting;

    pthread_mutex_lock(&sbx_sandbox.lock);
    aborting = sbx_sandbox.aborting;
    pthread_mutex_unlock(&sbx_sandbox.lock);

    return aborting;
}


/* Gives the box a uid and a name, and puts it on the live list. */

static int
sbx_sandbox_enter(sbx_box_t *box)
{
    int  i, n, start;

    pthread_mutex_lock(&sbx_sandbox.lock);

    /* round-robin, so a uid is not reused at once */

    n = sbx_conf.uid_count;
    start = (int) (sbx_sandbox.seq % (uint64_t) n);
    sbx_sandbox.seq++;

    for (i = 0; i < n; i++) {
        if (!sbx_sandbox.uids[(start + i) % n]) {
            break;
        }
    }

    if (i == n) {
        pthread_mutex_unlock(&sbx_sandbox.lock);
        return SBX_ERROR;
    }

    sbx_sandbox.uids[(start + i) % n] = 1;
    box->uid = sbx_conf.uid_base + (start + i) % n;

    snprintf(box->name, sizeof(box->name), "sbx-%s-%d-%d",
             sbx_conf.runner_id, (int) getpid(), box->uid);

    box->prev = NULL;
    box->next = sbx_sandbox.live;

    if (sbx_sandbox.live) {
        sbx_sandbox.live->prev = box;
    }

    sbx_sandbox.live = box;

    pthread_mutex_unlock(&sbx_sandbox.lock);

    return SBX_OK;
}


static void
sbx_sandbox_leave(sbx_box_t *box)
{
    pthread_mutex_lock(&sbx_sandbox.lock);

    sbx_sandbox.uids[box->uid - sbx_conf.uid_base] = 0;

    if (box->prev) {
        box->prev->next = box->next;

    } else {
        sbx_sandbox.live = box->next;
    }

    if (box->next) {
        box->next->prev = box->prev;
    }

    pthread_mutex_unlock(&sbx_sandbox.lock);
}


static int
sbx_sandbox_prepare(sbx_box_t *box, char *err, size_t size)
{
    char  path[PATH_MAX + 8];

    snprintf(box->dir, sizeof(box->dir), "%s/%s", sbx_sandbox.io,
             box->name);

    if (mkdir(box->dir, 0700) == -1) {
        snprintf(err, size, "mkdir %s: %s", box->dir, strerror(errno));
        box->dir[0] = '\0';
        return SBX_ERROR;
    }

    snprintf(path, sizeof(path), "%s/ctl", box->dir);

    if (mkfifo(path, 0600) == -1) {
        snprintf(err, size, "mkfifo %s: %s", path, strerror(errno));
        return SBX_ERROR;
    }

    if (box->lang->compile != NULL) {
        snprintf(path, sizeof(path), "%s/evt", box->dir);

        if (mkfifo(path, 0600) == -1) {
            snprintf(err, size, "mkfifo %s: %s", path, strerror(errno));
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


static json_t *
sbx_sandbox_spec(sbx_box_t *box)
{
    char          binds[2][PATH_MAX + 32], tmpfs[2][160], label[48];
    char          logsize[32];
    json_t       *spec, *masked;
    size_t        i;
    int64_t       mem;
    sbx_lang_t   *lang;

    /*
     * Docker's own masked paths (the list replaces them), and the pty
     * devices: kernel.pty.max is counted across every devpts instance of
     * the host, so a box gets none.
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

    snprintf(binds[0], sizeof(binds[0]), "%s:/sbx/init:ro", sbx_conf.init);
    snprintf(binds[1], sizeof(binds[1]), "%s:/sbx/io:ro", box->dir);

    snprintf(tmpfs[0], sizeof(tmpfs[0]),
             "rw,exec,nosuid,nodev,size=%lldk,uid=%d,gid=%d,mode=0700",
             (long long) lang->tmpfs_work_kb, box->uid, box->uid);
    snprintf(tmpfs[1], sizeof(tmpfs[1]),
             "rw,exec,nosuid,nodev,size=%lldk,mode=1777",
             (long long) lang->tmpfs_tmp_kb);

    snprintf(label, sizeof(label), "%s", sbx_conf.runner_id);
    snprintf(logsize, sizeof(logsize), "%zuk", 2 * box->log_cap / 1024 + 1024);

    mem = box->memory_kb * 1024;

    spec = json_pack(
        "{s:s, s:[s], s:[], s:s, s:s, s:[], s:b, s:b, s:b, s:i,"
        " s:{s:s},"
        " s:{s:[s, s], s:s, s:[s], s:[s, s, s], s:[s, s], s:o, s:b, s:b,"
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
        "Labels", SBX_SANDBOX_LABEL, label,
        "HostConfig",
        "Binds", binds[0], binds[1],
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
        "ShmSize", (json_int_t) SBX_SANDBOX_SHM,
        "Ulimits", "Name", "nofile", "Soft", 1024, "Hard", 1024,
                   "Name", "core", "Soft", 0, "Hard", 0,
        "LogConfig", "Type", "json-file",
                     "Config", "max-size", logsize, "max-file", "1",
        "IpcMode", "private",
        "AutoRemove", 0);

    return spec;
}


/*
 * Grows a warm box's limits when the job needs more than the language's
 * defaults it was made with (never shrinks them: init enforces the job's
 * own limits, the container's are the hard wall around them).
 */

static int
sbx_sandbox_fit(sbx_box_t *box, char *err, size_t size)
{
    int          rc;
    json_t      *res;
    int64_t      mem, pids;
    sbx_job_t   *job;

    job = box->job;

    mem = sbx_sandbox_memory_kb(job->lang, &job->run, &job->compile,
                                job->data_bytes, box->log_cap);
    pids = sbx_sandbox_pids(&job->run,
                            job->lang->compile ? &job->compile : NULL);

    if (mem <= box->memory_kb && pids <= box->pids) {
        return SBX_OK;
    }

    mem = sbx_max(mem, box->memory_kb);
    pids = sbx_max(pids, box->pids);

    res = json_pack("{s:I, s:I, s:I}",
                    "Memory", (json_int_t) mem * 1024,
                    "MemorySwap", (json_int_t) mem * 1024,
                    "PidsLimit", (json_int_t) pids);

    rc = sbx_docker_update(box->docker, box->id, res);
    json_decref(res);

    if (rc != SBX_OK) {
        snprintf(err, size, "docker: %s", sbx_docker_error(box->docker));
        return SBX_ERROR;
    }

    box->memory_kb = mem;
    box->pids = pids;

    return SBX_OK;
}


/*
 * Opens the runner's end of the ctl FIFO for writing.  That succeeds
 * only while init has its end open for reading: for a warm box this is
 * the proof that init still waits (patience 0); a new box is given time
 * to start.
 */

static int
sbx_sandbox_open_ctl(sbx_box_t *box, sbx_msec_t patience)
{
    char        path[PATH_MAX + 8];
    sbx_msec_t  deadline;

    snprintf(path, sizeof(path), "%s/ctl", box->dir);

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

static int
sbx_sandbox_handover(sbx_box_t *box, char *err, size_t size)
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

    body = json_dumps(payload, JSON_COMPACT);
    if (body == NULL) {
        snprintf(err, size, "out of memory");
        return SBX_ERROR;
    }

    len = strlen(body);
    n = sbx_proto_write_header(head, sizeof(head), "RUN", len, NULL, 0);

    deadline = sbx_monotonic_msec() + SBX_SANDBOX_START_MS;

    if (n < 0
        || sbx_sandbox_write(box->ctl, head, n, deadline) != SBX_OK
        || sbx_sandbox_write(box->ctl, body, len, deadline) != SBX_OK)
    {
        snprintf(err, size, "handing the job to sandbox-init: %s",
                 n < 0 ? "bad header" : strerror(errno));
        free(body);
        return SBX_ERROR;
    }

    free(body);

    return SBX_OK;
}


/* Lets the compile step end and tightens the limits for the tests. */

static int
sbx_sandbox_run_phase(sbx_box_t *box, char *err, size_t size)
{
    int          rc;
    char         go[32];
    json_t      *res;
    int64_t      mem;
    sbx_job_t   *job;
    sbx_msec_t   deadline;

    job = box->job;

    if (box->evt != -1) {
        deadline = sbx_monotonic_msec() + SBX_SANDBOX_START_MS
                   + job->compile.v[SBX_LIMIT_WALL] + SBX_SANDBOX_STEP_SLACK;

        rc = sbx_sandbox_read_frame(box->evt, "COMPILED", deadline);

        if (rc == SBX_OK) {
            mem = sbx_sandbox_memory_kb(job->lang, &job->run, NULL,
                                        job->data_bytes, box->log_cap);

            res = json_pack("{s:I, s:I, s:I}",
                            "Memory", (json_int_t) mem * 1024,
                            "MemorySwap", (json_int_t) mem * 1024,
                            "PidsLimit",
                            (json_int_t) sbx_sandbox_pids(&job->run, NULL));

            rc = sbx_docker_update(box->docker, box->id, res);
            json_decref(res);

            if (rc != SBX_OK) {
                snprintf(err, size, "docker: %s",
                         sbx_docker_error(box->docker));
                return SBX_ERROR;
            }

            rc = sbx_proto_write_header(go, sizeof(go), "GO", 0, NULL, 0);

            if (sbx_sandbox_write(box->ctl, go, rc, deadline) != SBX_OK) {
                snprintf(err, size, "resuming sandbox-init: %s",
                         strerror(errno));
                return SBX_ERROR;
            }
        }

        /* SBX_DECLINED: init ended without pausing (compile failed) */

        if (rc == SBX_AGAIN) {
            snprintf(err, size, "sandbox-init did not finish compiling "
                     "in time");
            return SBX_ERROR;
        }
    }

    return SBX_OK;
}


/*
 * Reads init's RESULT frame as it is written: the container's logs are
 * followed until the frame is complete, without waiting for the container
 * to stop (the reaper removes it anyway).
 */

static json_t *
sbx_sandbox_result(sbx_box_t *box, char *err, size_t size)
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

    wait = SBX_SANDBOX_START_MS + SBX_SANDBOX_STEP_SLACK
           + (sbx_msec_t) job->ntests * (job->run.v[SBX_LIMIT_WALL] + 1000);

    if (box->evt == -1 && job->lang->compile != NULL) {
        wait += job->compile.v[SBX_LIMIT_WALL];
    }

    rc = sbx_docker_follow(box->docker, box->id, 2 * box->log_cap + (1 << 20),
                           wait, sbx_sandbox_frame_done, NULL, &out, &errs);

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
sbx_sandbox_frame_done(sbx_buf_t *out, void *data)
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
 * The reaper: removes released boxes one after the other with its own
 * Docker client, so that no job waits for its container's removal.  At
 * shutdown it empties its queue before it ends.
 */

static void *
sbx_sandbox_reap(void *data)
{
    sbx_box_t     *box;
    sbx_docker_t  *d;

    sbx_log_set_thread("reaper");

    d = sbx_docker_create(sbx_conf.docker_socket);

    pthread_mutex_lock(&sbx_sandbox.lock);

    for ( ;; ) {
        box = sbx_sandbox.reap;

        if (box == NULL) {
            if (sbx_sandbox.stop) {
                break;
            }

            pthread_cond_wait(&sbx_sandbox.cond, &sbx_sandbox.lock);
            continue;
        }

        sbx_sandbox.reap = box->rnext;

        pthread_mutex_unlock(&sbx_sandbox.lock);
        sbx_sandbox_dispose(d, box);
        pthread_mutex_lock(&sbx_sandbox.lock);
    }

    pthread_mutex_unlock(&sbx_sandbox.lock);

    sbx_docker_destroy(d);

    return NULL;
}


static void
sbx_sandbox_dispose(sbx_docker_t *d, sbx_box_t *box)
{
    if (box->id[0] != '\0'
        && (d == NULL || sbx_docker_remove(d, box->id) != SBX_OK))
    {
        /* the monitor sweeps this runner's label later */
        sbx_log_error("removing container %.12s: %s", box->id,
                      d ? sbx_docker_error(d) : "no Docker client");
    }

    if (box->ctl != -1) {
        close(box->ctl);
    }

    if (box->evt != -1) {
        close(box->evt);
    }

    if (box->dir[0] != '\0') {
        sbx_sandbox_rmdir(box->dir);
    }

    sbx_sandbox_leave(box);
    free(box);
}


/* Removes a FIFO directory: only the two names the runner made. */

static void
sbx_sandbox_rmdir(const char *dir)
{
    char  path[PATH_MAX + 8];

    snprintf(path, sizeof(path), "%s/ctl", dir);
    (void) unlink(path);
    snprintf(path, sizeof(path), "%s/evt", dir);
    (void) unlink(path);

    if (rmdir(dir) == -1) {
        sbx_log_error("rmdir %s: %s", dir, strerror(errno));
    }
}


static int
sbx_sandbox_write(int fd, const char *buf, size_t len, sbx_msec_t deadline)
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
sbx_sandbox_read_frame(int fd, const char *word, sbx_msec_t deadline)
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


/*
 * The container's memory: the larger of the compile and run limits
 * (compile NULL: the run's alone), and what else its cgroup is charged
 * with: tmpfs pages, and init, which holds the tests' data and builds a
 * result of up to cap bytes.
 */

static int64_t
sbx_sandbox_memory_kb(sbx_lang_t *lang, const sbx_limits_t *run,
    const sbx_limits_t *compile, size_t data_bytes, size_t cap)
{
    int64_t  mem;

    mem = run->v[SBX_LIMIT_MEMORY];

    if (compile != NULL && lang->compile != NULL) {
        mem = sbx_max(mem, compile->v[SBX_LIMIT_MEMORY]);
    }

    return mem + lang->tmpfs_work_kb + lang->tmpfs_tmp_kb
           + SBX_SANDBOX_SHM / 1024 + SBX_SANDBOX_SLACK_KB
           + (int64_t) ((data_bytes + cap) / 1024);
}


static int64_t
sbx_sandbox_pids(const sbx_limits_t *run, const sbx_limits_t *compile)
{
    int64_t  pids;

    pids = run->v[SBX_LIMIT_PROCESSES];

    if (compile != NULL) {
        pids = sbx_max(pids, compile->v[SBX_LIMIT_PROCESSES]);
    }

    return pids + SBX_SANDBOX_PIDS_SLACK;
}


int64_t
sbx_sandbox_default_memory_kb(sbx_lang_t *lang, size_t cap)
{
    return sbx_sandbox_memory_kb(lang, &lang->defaults, &lang->compile_limits,
                                 0, cap);
}


int64_t
sbx_sandbox_default_pids(sbx_lang_t *lang)
{
    return sbx_sandbox_pids(&lang->defaults,
                            lang->compile ? &lang->compile_limits : NULL);
}
