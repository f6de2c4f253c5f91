
/*
 * Clocks and counters for sandbox-init's verdicts.
 *
 * CPU time comes from the container's own cgroup, because it counts every
 * process of the step, including descendants the program forked and
 * abandoned, and it can be read while they run; rusage only tells about a
 * process once it has been reaped.  cgroup v1 (cpuacct.usage in ns,
 * memory.oom_control) and v2 (cpu.stat usage_usec, memory.events) are
 * detected at start.  A candidate directory is only used when its
 * cgroup.procs lists init itself (PID 1), so a host-wide hierarchy that
 * happens to be visible is never mistaken for the container's.  Without a
 * usable cgroup init falls back to the program's CPU clock while it runs
 * and to rusage afterwards (init_measure.c), and memory verdicts rest on
 * the peak RSS alone.
 *
 * Memory held in the container is the cgroup's anonymous memory plus
 * its shared memory (v1 total_rss + total_shmem, v2 anon + shmem):
 * every process's heap and stacks, and every page of a tmpfs or shmem
 * object whether mapped or not (MAP_SHARED|MAP_ANONYMOUS, memfd, System
 * V and POSIX shm, files in /dev/shm, /tmp and /work).  Not the page
 * cache of files read from the image: it can be reclaimed, and counting
 * it would make a program's figure depend on what was cached before.
 * Not kernel memory (page tables, pipe and socket buffers): the cgroup's
 * limit bounds that.  init's own share is its resident anonymous memory
 * (/proc/self/statm) and the saved state's image (init_reset.c), which
 * the counter includes and init_measure.c takes off.
 *
 * The files are kept open and read with pread at offset 0, which makes
 * the kernel regenerate their contents: one syscall per sample.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"


#define SBX_METER_ROOT     "/sys/fs/cgroup"


static int sbx_meter_open(const char *mount, const char *path,
    const char *file);
static int sbx_meter_has_init(const char *dir);
static int sbx_meter_cgroup_path(const char *controller, char *path,
    size_t size);
static int sbx_meter_read(int fd, char *buf, size_t size);
static int sbx_meter_field(int fd, const char *key, uint64_t *value);
static int sbx_meter_find(const char *buf, const char *key,
    uint64_t *value);


static int  sbx_meter_cpu_fd = -1;
static int  sbx_meter_oom_fd = -1;
static int  sbx_meter_mem_fd = -1;
static int  sbx_meter_wall_fd = -1;
static int  sbx_meter_statm_fd = -1;
static int  sbx_meter_v2;


void
sbx_init_meter_init(void)
{
    int          i;
    char         path[512];
    const char  *v1_cpu[] = {
        SBX_METER_ROOT "/cpuacct", SBX_METER_ROOT "/cpu,cpuacct",
        SBX_METER_ROOT "/cpuacct,cpu", NULL
    };

    if (access(SBX_METER_ROOT "/cgroup.controllers", F_OK) == 0) {
        sbx_meter_v2 = 1;

        if (sbx_meter_cgroup_path("", path, sizeof(path)) != SBX_INIT_OK) {
            path[0] = '\0';
        }

        sbx_meter_cpu_fd = sbx_meter_open(SBX_METER_ROOT, path, "cpu.stat");
        sbx_meter_oom_fd = sbx_meter_open(SBX_METER_ROOT, path,
                                          "memory.events");
        sbx_meter_mem_fd = sbx_meter_open(SBX_METER_ROOT, path,
                                          "memory.stat");
        sbx_meter_wall_fd = sbx_meter_open(SBX_METER_ROOT, path,
                                           "memory.max");

    } else {
        if (sbx_meter_cgroup_path("cpuacct", path, sizeof(path))
            != SBX_INIT_OK)
        {
            path[0] = '\0';
        }

        for (i = 0; v1_cpu[i] && sbx_meter_cpu_fd == -1; i++) {
            sbx_meter_cpu_fd = sbx_meter_open(v1_cpu[i], path,
                                              "cpuacct.usage");
        }

        if (sbx_meter_cgroup_path("memory", path, sizeof(path))
            != SBX_INIT_OK)
        {
            path[0] = '\0';
        }

        sbx_meter_oom_fd = sbx_meter_open(SBX_METER_ROOT "/memory", path,
                                          "memory.oom_control");
        sbx_meter_mem_fd = sbx_meter_open(SBX_METER_ROOT "/memory", path,
                                          "memory.stat");
        sbx_meter_wall_fd = sbx_meter_open(SBX_METER_ROOT "/memory", path,
                                           "memory.limit_in_bytes");
    }

    sbx_meter_statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

    if (sbx_meter_cpu_fd == -1) {
        sbx_init_log("no cgroup CPU counter; falling back to rusage");
    }

    if (sbx_meter_oom_fd == -1 || sbx_meter_mem_fd == -1
        || sbx_meter_statm_fd == -1)
    {
        sbx_init_log("no cgroup memory counters; memory verdicts use peak "
                     "RSS");
    }
}


/* The cgroup's CPU usage so far, in ns. */

int
sbx_init_meter_cpu(uint64_t *ns)
{
    char      buf[64];
    uint64_t  usec;

    if (sbx_meter_cpu_fd == -1) {
        return SBX_INIT_ERROR;
    }

    if (sbx_meter_v2) {
        if (sbx_meter_field(sbx_meter_cpu_fd, "usage_usec", &usec)
            != SBX_INIT_OK)
        {
            return SBX_INIT_ERROR;
        }

        *ns = usec * 1000;
        return SBX_INIT_OK;
    }

    if (sbx_meter_read(sbx_meter_cpu_fd, buf, sizeof(buf)) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    *ns = strtoull(buf, NULL, 10);

    return SBX_INIT_OK;
}


/* How many times the OOM killer has struck in the container. */

int
sbx_init_meter_oom(uint64_t *count)
{
    if (sbx_meter_oom_fd == -1) {
        return SBX_INIT_ERROR;
    }

    return sbx_meter_field(sbx_meter_oom_fd, "oom_kill", count);
}


/*
 * The memory held in the container now, in bytes: anonymous plus shared
 * (see above), init's own included.
 */

int
sbx_init_meter_mem(uint64_t *bytes)
{
    char       buf[4096];
    uint64_t   anon, shmem;

    if (sbx_meter_mem_fd == -1
        || sbx_meter_read(sbx_meter_mem_fd, buf, sizeof(buf)) != SBX_INIT_OK
        || sbx_meter_find(buf, sbx_meter_v2 ? "anon" : "total_rss", &anon)
           != SBX_INIT_OK
        || sbx_meter_find(buf, sbx_meter_v2 ? "shmem" : "total_shmem",
                          &shmem)
           != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    *bytes = anon + shmem;

    return SBX_INIT_OK;
}


/*
 * init's own memory, in bytes: its resident anonymous memory, statm's
 * resident pages less its shared ones (file and shmem pages: init maps
 * the image only while no program runs), and the image's pages.
 */

int
sbx_init_meter_mine(uint64_t *bytes)
{
    char                buf[256];
    unsigned long long  size, resident, shared;

    if (sbx_meter_statm_fd == -1
        || sbx_meter_read(sbx_meter_statm_fd, buf, sizeof(buf))
           != SBX_INIT_OK
        || sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3)
    {
        return SBX_INIT_ERROR;
    }

    *bytes = (uint64_t) (resident > shared ? resident - shared : 0)
             * (uint64_t) sysconf(_SC_PAGESIZE)
             + sbx_init_reset_bytes();

    return SBX_INIT_OK;
}


/* The cgroup's memory limit now, in bytes; an error when there is none. */

int
sbx_init_meter_wall(uint64_t *bytes)
{
    char  buf[64], *end;

    if (sbx_meter_wall_fd == -1
        || sbx_meter_read(sbx_meter_wall_fd, buf, sizeof(buf))
           != SBX_INIT_OK)
    {
        return SBX_INIT_ERROR;
    }

    /* v2 says "max" when unlimited, v1 a huge number */

    *bytes = strtoull(buf, &end, 10);

    if (end == buf || *bytes >= (UINT64_C(1) << 62)) {
        return SBX_INIT_ERROR;
    }

    return SBX_INIT_OK;
}


/* init's own CPU time, which the cgroup counts along with the program's. */

uint64_t
sbx_init_meter_self(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}


uint64_t
sbx_init_meter_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/*
 * Opens mount/path/file, or mount/file when the container's cgroup is the
 * root of what is mounted (the usual case inside Docker), provided the
 * directory holds init.
 */

static int
sbx_meter_open(const char *mount, const char *path, const char *file)
{
    int    fd, i;
    char   dir[768], name[1024];

    for (i = 0; i < 2; i++) {

        if (i == 0 && (path[0] == '\0' || strcmp(path, "/") == 0)) {
            continue;
        }

        snprintf(dir, sizeof(dir), "%s%s", mount, i == 0 ? path : "");

        if (!sbx_meter_has_init(dir)) {
            continue;
        }

        snprintf(name, sizeof(name), "%s/%s", dir, file);

        fd = open(name, O_RDONLY | O_CLOEXEC);

        if (fd != -1) {
            return fd;
        }
    }

    return -1;
}


static int
sbx_meter_has_init(const char *dir)
{
    int      fd, found;
    char     name[1024], buf[4096];
    size_t   have, i, start;
    ssize_t  n;

    snprintf(name, sizeof(name), "%s/cgroup.procs", dir);

    fd = open(name, O_RDONLY | O_CLOEXEC);

    if (fd == -1) {
        return 0;
    }

    found = 0;
    have = 0;

    for ( ;; ) {
        n = read(fd, buf + have, sizeof(buf) - have);

        if (n <= 0) {
            break;
        }

        have += n;
        start = 0;

        for (i = 0; i < have; i++) {
            if (buf[i] == '\n') {
                if (i - start == 1 && buf[start] == '1') {
                    found = 1;
                }

                start = i + 1;
            }
        }

        if (found) {
            break;
        }

        /* keep a partial line for the next read */

        memmove(buf, buf + start, have - start);
        have -= start;

        if (have == sizeof(buf)) {
            have = 0;
        }
    }

    close(fd);

    return found;
}


/*
 * Our cgroup path from /proc/self/cgroup: the v2 line ("0::/path") when
 * controller is "", else the v1 line listing that controller.
 */

static int
sbx_meter_cgroup_path(const char *controller, char *path, size_t size)
{
    int     rc;
    char   *line, *ctl, *p, *tok, *save;
    FILE   *f;
    size_t  cap, n;

    f = fopen("/proc/self/cgroup", "re");

    if (f == NULL) {
        return SBX_INIT_ERROR;
    }

    rc = SBX_INIT_ERROR;
    line = NULL;
    cap = 0;

    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';

        ctl = strchr(line, ':');

        if (ctl == NULL || (p = strchr(++ctl, ':')) == NULL) {
            continue;
        }

        *p++ = '\0';

        if (controller[0] == '\0') {
            if (ctl[0] != '\0') {
                continue;
            }

        } else {
            for (tok = strtok_r(ctl, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save))
            {
                if (strcmp(tok, controller) == 0) {
                    break;
                }
            }

            if (tok == NULL) {
                continue;
            }
        }

        n = strlen(p);

        if (n < size && p[0] == '/') {
            memcpy(path, p, n + 1);
            rc = SBX_INIT_OK;
        }

        break;
    }

    free(line);
    fclose(f);

    return rc;
}


static int
sbx_meter_read(int fd, char *buf, size_t size)
{
    ssize_t  n;

    do {
        n = pread(fd, buf, size - 1, 0);
    } while (n == -1 && errno == EINTR);

    if (n <= 0) {
        return SBX_INIT_ERROR;
    }

    buf[n] = '\0';

    return SBX_INIT_OK;
}


/* The value of a "key value" line in a flat-keyed cgroup file. */

static int
sbx_meter_field(int fd, const char *key, uint64_t *value)
{
    char  buf[4096];

    if (sbx_meter_read(fd, buf, sizeof(buf)) != SBX_INIT_OK) {
        return SBX_INIT_ERROR;
    }

    return sbx_meter_find(buf, key, value);
}


/* The same in text already read. */

static int
sbx_meter_find(const char *buf, const char *key, uint64_t *value)
{
    size_t       n;
    const char  *p;

    n = strlen(key);

    p = buf;

    while (p) {
        if (strncmp(p, key, n) == 0 && p[n] == ' ') {
            *value = strtoull(p + n + 1, NULL, 10);
            return SBX_INIT_OK;
        }

        p = strchr(p, '\n');

        if (p) {
            p++;
        }
    }

    return SBX_INIT_ERROR;
}
