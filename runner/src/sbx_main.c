
/*
 * sandbox-runner: start-up and shutdown.
 *
 * Order matters: libcurl is initialised before any thread exists; the
 * signals the event loop handles are blocked before any thread exists,
 * so every thread inherits the mask and they arrive only on the
 * signalfd; leftovers of an earlier run are removed before the socket
 * opens.
 *
 * Memory: every allocation of SBX_MAIN_MMAP bytes or more is a mapping
 * of its own, returned to the system when freed.  glibc would otherwise
 * raise that threshold after the first large free and serve the next
 * large results from arenas that never shrink, so a few big outputs
 * would keep the runner's peak resident for good.
 */


#define _GNU_SOURCE
#include <malloc.h>
#include <signal.h>
#include <stdio.h>

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


int
main(int argc, char **argv)
{
    int           rc, docker_up;
    char          err[512];
    sigset_t      set;
    sbx_done_t    done;
    sbx_queue_t   queue;

    (void) mallopt(M_MMAP_THRESHOLD, SBX_MAIN_MMAP);

    rc = sbx_conf_load(argc, argv);

    if (rc != SBX_OK) {
        sbx_conf_free();
        return rc == SBX_DECLINED ? 0 : 2;
    }

    if (sbx_log_init(sbx_conf.log_file, sbx_conf.log_level) != SBX_OK) {
        fprintf(stderr, "sandbox-runner: log \"%s\": %s\n",
                sbx_conf.log_file, strerror(errno));
        return 2;
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
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (sbx_lang_load(sbx_conf.languages, err, sizeof(err)) != SBX_OK) {
        sbx_log_error("languages: %s", err);
        return 1;
    }

    sbx_log_info("sandbox-runner " SBX_VERSION ": %zu languages, runner "
                 "id \"%s\"", sbx_lang_count(), sbx_conf.runner_id);

    if (sbx_jobs_init(sbx_conf.result_ttl, sbx_conf.result_memory) != SBX_OK
        || sbx_sandbox_init() != SBX_OK
        || sbx_store_init() != SBX_OK
        || sbx_queue_init(&queue, sbx_conf.queue_size) != SBX_OK
        || sbx_done_init(&done) != SBX_OK
        || sbx_store_recover(&queue, &done) != SBX_OK)
    {
        return 1;
    }

    docker_up = (sbx_main_docker(1) == SBX_OK);

    if (sbx_server_init(&queue, &done) != SBX_OK
        || sbx_callback_start() != SBX_OK
        || sbx_warm_start() != SBX_OK
        || sbx_pool_start(&queue, &done, sbx_conf.workers) != SBX_OK
        || sbx_monitor_start(docker_up) != SBX_OK)
    {
        return 1;
    }

    rc = sbx_server_run();

    sbx_pool_join();
    sbx_warm_stop();
    sbx_monitor_stop();
    sbx_callback_stop();
    sbx_sandbox_drain();

    /* nothing of ours may outlive the runner */
    (void) sbx_main_docker(0);
    sbx_sandbox_cleanup();

    sbx_server_cleanup();
    sbx_tls_cleanup();
    sbx_queue_destroy(&queue);
    sbx_done_destroy(&done);
    sbx_jobs_destroy();
    sbx_lang_free();
    curl_global_cleanup();

    sbx_log_info("stopped");
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
