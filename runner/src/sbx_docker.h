
/*
 * Docker Engine API client over the daemon's UNIX socket (libcurl, JSON
 * by jansson).  One sbx_docker_t per thread: it owns a curl easy handle
 * whose connection is kept alive between calls.
 */


#ifndef _SBX_DOCKER_H_INCLUDED_
#define _SBX_DOCKER_H_INCLUDED_


#include "sbx.h"


#define SBX_DOCKER_API      "1.41"       /* what the requests are written to */
#define SBX_DOCKER_ID_LEN   64


/* The Engine API calls, counted one by one for /metrics. */

typedef enum {
    SBX_DOCKER_VERSION = 0,
    SBX_DOCKER_PING,
    SBX_DOCKER_CREATE,
    SBX_DOCKER_START,
    SBX_DOCKER_UPDATE,
    SBX_DOCKER_WAIT,
    SBX_DOCKER_KILL,
    SBX_DOCKER_REMOVE,
    SBX_DOCKER_LOGS,
    SBX_DOCKER_INSPECT,
    SBX_DOCKER_INFO,
    SBX_DOCKER_LIST,
    SBX_DOCKER_CALL_N
} sbx_docker_call_e;


extern const char  *sbx_docker_call_names[SBX_DOCKER_CALL_N];


sbx_docker_t *sbx_docker_create(const char *socket_path);
void sbx_docker_destroy(sbx_docker_t *d);

/* The last transport or API error, for logs and messages. */
const char *sbx_docker_error(sbx_docker_t *d);

/* How many Engine API calls this client has made (for a job's count). */
uint64_t sbx_docker_calls(sbx_docker_t *d);

/*
 * Checks that the daemon answers and speaks API >= SBX_DOCKER_API.
 * Returns SBX_OK, or SBX_ERROR with the reason in sbx_docker_error().
 */
int sbx_docker_negotiate(sbx_docker_t *d);
int sbx_docker_ping(sbx_docker_t *d);

int sbx_docker_create_container(sbx_docker_t *d, const char *name,
    json_t *spec, char *id);
int sbx_docker_start(sbx_docker_t *d, const char *id);
int sbx_docker_update(sbx_docker_t *d, const char *id, json_t *resources);

/*
 * Waits until the container is not running, at most timeout ms.
 * Returns SBX_OK with *status set, SBX_AGAIN on timeout, SBX_ERROR.
 */
int sbx_docker_wait(sbx_docker_t *d, const char *id, sbx_msec_t timeout,
    int *status);

int sbx_docker_kill(sbx_docker_t *d, const char *id);
/* SBX_AGAIN: Docker is removing it already (and may yet fail to). */
int sbx_docker_remove(sbx_docker_t *d, const char *id);
int sbx_docker_logs(sbx_docker_t *d, const char *id, size_t max,
    sbx_buf_t *out, sbx_buf_t *err);
json_t *sbx_docker_inspect(sbx_docker_t *d, const char *id);

/* The daemon's GET /info document, or NULL. */
json_t *sbx_docker_info(sbx_docker_t *d);

/*
 * The host uid and gid that are root in the daemon's containers, from an
 * /info document: 0 and 0 when the daemon runs without user namespaces;
 * under --userns-remap, the start of the remapped range, which the daemon
 * names in DockerRootDir (".../<uid>.<gid>").  *userns is set to 1 when
 * the daemon remaps.  Pure, for unit tests.  SBX_ERROR when the daemon
 * says it remaps but the ids cannot be read.
 */
int sbx_docker_userns(json_t *info, int *userns, unsigned *uid,
    unsigned *gid);

/*
 * All containers, running or not, that carry label "key=value": Docker's
 * own summaries ({"Id": …, "Names": ["/name"], …}).
 */
json_t *sbx_docker_list(sbx_docker_t *d, const char *label);

/*
 * Splits a multiplexed attach/logs stream (8-byte frame headers: stream,
 * 3 zero bytes, big-endian length) into stdout and stderr.  Pure, for
 * unit tests.  Returns SBX_OK, or SBX_ERROR on a malformed or truncated
 * stream (what was complete is kept).
 */
int sbx_docker_demux(const char *data, size_t len, sbx_buf_t *out,
    sbx_buf_t *err);


#endif /* _SBX_DOCKER_H_INCLUDED_ */
