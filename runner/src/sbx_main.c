
/*
 * sandbox-runner: start-up and shutdown.
 *
 * Order matters: libcurl is initialised before any thread exists; the
 * signals the event loop handles are blocked before any thread exists,
 * so every thread inherits the mask and they arrive only on the
 * signalfd; leftovers of an earlier run are removed before the socket
 * opens.
 *
 * With --test-double nothing that needs Docker starts: no sandbox, no
 * sweep, no warm pool, and the monitor only expires results; the
 * workers answer from sbx_double.c.
 *
 * --check stops after the configuration, the language table, the
 * seccomp profile and sandbox-init have been read and checked.  With
 * --pid-file, the file is locked (flock) before anything else starts,
 * so a second runner on it refuses to start, and holds the pid once the
 * runner is up; it goes at exit.  Until the runner is up its errors go
 * to stderr too (sbx_log_started()).
 *
 * Memory: every allocation of SBX_MAIN_MMAP bytes or more is a mapping
 * of its own, returned to the system when freed.  glibc would otherwise
 * raise that threshold after the first large free and serve the next
 * large results from arenas that never shrink, so a few big outputs
 * would keep the runner's peak resident for good.
 */


#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sbx.h"
#include "sbx_boxdir.h"
#include "sbx_callback.h"
#include "sbx_conf.h"
#include "sbx_docker.h"
#include "sbx_job.h"
#include "sbx_lang.h"
#include "sbx_listen.h"
#include "sbx_log.h"
#include "sbx_monitor.h"
#include "sbx_pool.h"
#include "sbx_queue.h"
#include "sbx_sandbox.h"
#include "sbx_server.h"
#include "sbx_store.h"
#include "sbx_tls.h"
#include "sbx_warm.h"


#define SBX_MAIN_MMAP  (256 * 1024)


static int sbx_main_docker(int startup);
static int sbx_main_check(void);
static int sbx_main_languages(void);
static int sbx_main_pid_lock(void);
static void sbx_main_pid_write(void);
static void sbx_main_pid_remove(void);


static int    sbx_main_pid_fd = -1;
static char  *sbx_main_pid_path;


int
main(int argc, char **argv)
{
    int           rc, docker_up;
    sigset_t      set;
    sbx_done_t    done;
    sbx_queue_t   queue;

    (void) mallopt(M_MMAP_THRESHOLD, SBX_MAIN_MMAP);

    rc = sbx_conf_load(argc, argv);

    if (rc != SBX_OK) {
        docker_up = sbx_conf.check;
        sbx_conf_free();
        return rc == SBX_DECLINED ? 0 : (docker_up ? 1 : 2);
    }

    if (sbx_conf.check) {
        rc = sbx_main_check();
        sbx_conf_free();
        return rc == SBX_OK ? 0 : 1;
    }

    if (sbx_log_init(sbx_conf.log_file, sbx_conf.log_level) != SBX_OK) {
        fprintf(stderr, "sandbox-runner: log \"%s\": %s (--log-file sets "
                "it)\n", sbx_conf.log_file, strerror(errno));
        return 2;
    }

    if (sbx_conf.pid_file != NULL && sbx_main_pid_lock() != SBX_OK) {
        return 1;
    }

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        sbx_log_error("curl_global_init failed");
        return 1;
    }

    /* who may connect is settled before Docker is touched */

    if (sbx_tls_init() != SBX_OK
        || sbx_listen_check(sbx_conf.listen) != SBX_OK)
    {
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (sbx_main_languages() != SBX_OK) {
        return 1;
    }

    sbx_log_info("sandbox-runner " SBX_VERSION ": %zu languages, runner "
                 "id \"%s\"", sbx_lang_count(), sbx_conf.runner_id);

    if (sbx_conf.test_double) {
        sbx_log_warn("test double: no program runs; every answer is made "
                     "up from the submission");
    }

    if (sbx_jobs_init(sbx_conf.result_ttl, sbx_conf.result_memory) != SBX_OK
        || (!sbx_conf.test_double && sbx_sandbox_init() != SBX_OK)
        || sbx_store_init() != SBX_OK
        || sbx_queue_init(&queue, sbx_conf.queue_size) != SBX_OK
        || sbx_done_init(&done) != SBX_OK
        || sbx_store_recover(&queue, &done) != SBX_OK)
    {
        return 1;
    }

    docker_up = sbx_conf.test_double || (sbx_main_docker(1) == SBX_OK);

    if (sbx_server_init(&queue, &done) != SBX_OK
        || sbx_callback_start() != SBX_OK
        || (!sbx_conf.test_double && sbx_warm_start() != SBX_OK)
        || sbx_pool_start(&queue, &done, sbx_conf.workers) != SBX_OK
        || sbx_monitor_start(docker_up) != SBX_OK)
    {
        return 1;
    }

    sbx_main_pid_write();
    sbx_log_started();

    rc = sbx_server_run();

    sbx_pool_join();
    sbx_warm_stop();
    sbx_monitor_stop();
    sbx_callback_stop();

    if (!sbx_conf.test_double) {
        sbx_sandbox_drain();

        /* nothing of ours may outlive the runner */
        (void) sbx_main_docker(0);
        sbx_sandbox_cleanup();
    }

    sbx_server_cleanup();
    sbx_tls_cleanup();
    sbx_queue_destroy(&queue);
    sbx_done_destroy(&done);
    sbx_jobs_destroy();
    sbx_lang_free();
    curl_global_cleanup();

    sbx_log_info("stopped");
    sbx_main_pid_remove();
    sbx_conf_free();

    return rc == SBX_OK ? 0 : 1;
}


/*
 * Checks Docker's API version and removes this runner's leftovers (and,
 * at start-up, FIFO directories a crash left).
 */

static int
sbx_main_docker(int startup)
{
    int            rc;
    sbx_docker_t  *d;

    d = sbx_docker_create(sbx_conf.docker_socket);
    if (d == NULL) {
        return SBX_ERROR;
    }

    rc = sbx_docker_negotiate(d);

    if (rc == SBX_OK && startup) {
        rc = sbx_boxdir_engine(d);
    }

    if (rc == SBX_OK) {
        rc = sbx_sandbox_sweep(d, startup);

    } else {
        sbx_log_error("docker at %s: %s; submissions get 503 until it "
                      "answers", sbx_conf.docker_socket,
                      sbx_docker_error(d));
    }

    sbx_docker_destroy(d);

    return rc;
}


/* --check: everything start-up reads, read and checked; nothing runs. */

static int
sbx_main_check(void)
{
    int  rc;

    rc = sbx_main_languages();

    if (access(sbx_conf.init, X_OK) == -1) {
        fprintf(stderr, "sandbox-runner: sandbox-init \"%s\": %s (--init "
                "sets its path)\n", sbx_conf.init, strerror(errno));
        rc = SBX_ERROR;
    }

    if (rc == SBX_OK) {
        printf("sandbox-runner: the configuration is fine: %zu languages "
               "from %s, seccomp profile %s, sandbox-init %s\n",
               sbx_lang_count(), sbx_conf.languages, sbx_conf.seccomp_profile,
               sbx_conf.init);
    }

    sbx_lang_free();

    return rc;
}


static int
sbx_main_languages(void)
{
    char        err[512];
    const char  *path, *hint;

    if (sbx_lang_load(sbx_conf.languages, err, sizeof(err)) == SBX_OK) {
        return SBX_OK;
    }

    /* a parse error names the file already, a bad entry does not */

    path = sbx_conf.languages;

    if (strncmp(err, path, strlen(path)) == 0) {
        path = "";
    }

    hint = access(sbx_conf.languages, R_OK) == -1
           ? " (--languages sets its path)" : "";

    if (sbx_conf.check) {
        fprintf(stderr, "sandbox-runner: language table %s%s%s%s\n", path,
                path[0] ? ": " : "", err, hint);

    } else {
        /* the log may be a file: at start-up its errors reach stderr too */
        sbx_log_error("language table %s%s%s%s", path, path[0] ? ": " : "",
                      err, hint);
    }

    return SBX_ERROR;
}


/*
 * --pid-file: locked before the runner does anything, so that a second
 * runner given the same file refuses to start while this one lives (a
 * lock, unlike a pid read back, cannot be fooled by a stale file or a
 * reused pid).
 */

static int
sbx_main_pid_lock(void)
{
    int      fd;
    char     buf[32];
    ssize_t  n;

    fd = open(sbx_conf.pid_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd == -1) {
        sbx_log_error("pid file \"%s\": %s (--pid-file sets it)",
                      sbx_conf.pid_file, strerror(errno));
        return SBX_ERROR;
    }

    if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
        n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';

        sbx_log_error("pid file \"%s\" is held by another runner%s%s%s; "
                      "not starting", sbx_conf.pid_file,
                      buf[0] ? " (pid " : "", buf, buf[0] ? ")" : "");
        close(fd);
        return SBX_ERROR;
    }

    sbx_main_pid_path = strdup(sbx_conf.pid_file);

    if (sbx_main_pid_path == NULL) {
        close(fd);
        return SBX_ERROR;
    }

    sbx_main_pid_fd = fd;

    /* whatever way start-up ends, the file does not outlive it */

    atexit(sbx_main_pid_remove);

    return SBX_OK;
}


static void
sbx_main_pid_write(void)
{
    int   n;
    char  buf[32];

    if (sbx_main_pid_fd == -1) {
        return;
    }

    n = snprintf(buf, sizeof(buf), "%d\n", (int) getpid());

    if (ftruncate(sbx_main_pid_fd, 0) == -1
        || pwrite(sbx_main_pid_fd, buf, n, 0) != n)
    {
        sbx_log_error("pid file \"%s\": %s", sbx_main_pid_path,
                      strerror(errno));
    }
}


static void
sbx_main_pid_remove(void)
{
    if (sbx_main_pid_fd == -1) {
        return;
    }

    (void) unlink(sbx_main_pid_path);
    close(sbx_main_pid_fd);
    sbx_main_pid_fd = -1;

    free(sbx_main_pid_path);
    sbx_main_pid_path = NULL;
}
