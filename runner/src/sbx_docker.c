
/*
 * Docker Engine API client.
 *
 * Every call is one HTTP request on the worker's own curl handle, so the
 * connection to dockerd is reused and no lock is needed: a handle is never
 * shared between threads.  Requests are written against API 1.41 and
 * sent under /v1.41/, which every newer daemon still serves; the daemon
 * is asked for its version once and refused when it is older.
 *
 * Responses are read into one buffer with a cap, because a misbehaving
 * daemon (or a container's logs) must not make the runner grow without
 * bound.
 *
 * Every call is counted, by kind in /metrics and on its client, so that
 * a job's own calls can be told from the pool's and the reaper's: each
 * call on a job's path is latency that job pays.
 */


#define _GNU_SOURCE
#include <stdio.h>

#include <curl/curl.h>

#include "sbx.h"
#include "sbx_docker.h"
#include "sbx_log.h"
#include "sbx_metrics.h"


#define SBX_DOCKER_BASE      "http://docker/v" SBX_DOCKER_API
#define SBX_DOCKER_MAX_BODY  (4 * 1024 * 1024)




struct sbx_docker_s {
    CURL                *curl;
    struct curl_slist   *headers;
    sbx_buf_t            body;
    size_t               max;
    long                 status;
    uint64_t             calls;           /* made with this client */
    char                 error[CURL_ERROR_SIZE + 128];
};


static int sbx_docker_action(sbx_docker_t *d, sbx_docker_call_e call,
    const char *method, const char *id, const char *what, json_t *body,
    sbx_msec_t timeout, const int *ok);
static int sbx_docker_request(sbx_docker_t *d, sbx_docker_call_e call,
    const char *method, const char *path, json_t *body, sbx_msec_t timeout,
    size_t max);
static size_t sbx_docker_write(char *ptr, size_t size, size_t n,
    void *data);
static void sbx_docker_api_error(sbx_docker_t *d, const char *what);


const char  *sbx_docker_call_names[SBX_DOCKER_CALL_N] = {
    "version", "ping", "create", "start", "update", "wait", "kill",
    "remove", "logs", "inspect", "info", "list"
};


sbx_docker_t *
sbx_docker_create(const char *socket_path)
{
    sbx_docker_t  *d;

    d = calloc(1, sizeof(sbx_docker_t));
    if (d == NULL) {
        return NULL;
    }

    d->curl = curl_easy_init();
    if (d->curl == NULL) {
        free(d);
        return NULL;
    }

    d->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (d->headers == NULL) {
        curl_easy_cleanup(d->curl);
        free(d);
        return NULL;
    }

    curl_easy_setopt(d->curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
    curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, sbx_docker_write);
    curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->error);
    curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);

    return d;
}


void
sbx_docker_destroy(sbx_docker_t *d)
{
    if (d == NULL) {
        return;
    }

    curl_easy_cleanup(d->curl);
    curl_slist_free_all(d->headers);
    sbx_buf_free(&d->body);
    free(d);
}


const char *
sbx_docker_error(sbx_docker_t *d)
{
    return d->error;
}


uint64_t
sbx_docker_calls(sbx_docker_t *d)
{
    return d->calls;
}


int
sbx_docker_negotiate(sbx_docker_t *d)
{
    int          rc, major, minor;
    json_t      *v;
    const char  *ver;

    rc = sbx_docker_request(d, SBX_DOCKER_VERSION, "GET", "/version", NULL,
                            5000, 0);

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "version");
        }

        return SBX_ERROR;
    }

    v = json_loadb(d->body.data, d->body.len, 0, NULL);
    ver = json_string_value(json_object_get(v, "ApiVersion"));

    if (ver == NULL || sscanf(ver, "%d.%d", &major, &minor) != 2) {
        snprintf(d->error, sizeof(d->error), "no ApiVersion in /version");
        json_decref(v);
        return SBX_ERROR;
    }

    if (major < 1 || (major == 1 && minor < 41)) {
        snprintf(d->error, sizeof(d->error),
                 "Docker API %s is older than " SBX_DOCKER_API, ver);
        json_decref(v);
        return SBX_ERROR;
    }

    sbx_log_info("docker: API %s, engine %s", ver,
                 json_string_value(json_object_get(v, "Version")));

    json_decref(v);

    return SBX_OK;
}


int
sbx_docker_ping(sbx_docker_t *d)
{
    int  rc;

    rc = sbx_docker_request(d, SBX_DOCKER_PING, "GET", "/_ping", NULL, 3000,
                            0);

    return rc == 200 ? SBX_OK : SBX_ERROR;
}


int
sbx_docker_create_container(sbx_docker_t *d, const char *name,
    json_t *spec, char *id)
{
    int          rc;
    char         path[128];
    json_t      *v;
    const char  *s;

    snprintf(path, sizeof(path), "/containers/create?name=%s", name);

    rc = sbx_docker_request(d, SBX_DOCKER_CREATE, "POST", path, spec, 30000,
                            0);

    if (rc != 201) {
        if (rc > 0) {
            sbx_docker_api_error(d, "create");
        }

        return SBX_ERROR;
    }

    v = json_loadb(d->body.data, d->body.len, 0, NULL);
    s = json_string_value(json_object_get(v, "Id"));

    if (s == NULL || strlen(s) > SBX_DOCKER_ID_LEN) {
        snprintf(d->error, sizeof(d->error), "create: no Id in the answer");
        json_decref(v);
        return SBX_ERROR;
    }

    strcpy(id, s);
    json_decref(v);

    return SBX_OK;
}


int
sbx_docker_start(sbx_docker_t *d, const char *id)
{
    static const int  ok[] = { 204, 304, 0 };

    return sbx_docker_action(d, SBX_DOCKER_START, "POST", id, "/start",
                             NULL, 30000, ok);
}

int
sbx_docker_update(sbx_docker_t *d, const char *id, json_t *resources)
{
    static const int  ok[] = { 200, 0 };

    return sbx_docker_action(d, SBX_DOCKER_UPDATE, "POST", id, "/update",
                             resources, 10000, ok);
}

int
sbx_docker_wait(sbx_docker_t *d, const char *id, sbx_msec_t timeout,
    int *status)
{
    int      rc;
    char     path[128];
    json_t  *v, *code;

    snprintf(path, sizeof(path),
             "/containers/%s/wait?condition=not-running", id);

    rc = sbx_docker_request(d, SBX_DOCKER_WAIT, "POST", path, NULL, timeout,
                            0);

    if (rc == SBX_AGAIN) {
        return SBX_AGAIN;
    }

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "wait");
        }

        return SBX_ERROR;
    }

    v = json_loadb(d->body.data, d->body.len, 0, NULL);
    code = json_object_get(v, "StatusCode");

    if (!json_is_integer(code)) {
        snprintf(d->error, sizeof(d->error), "wait: no StatusCode");
        json_decref(v);
        return SBX_ERROR;
    }

    *status = (int) json_integer_value(code);
    json_decref(v);

    return SBX_OK;
}


int
sbx_docker_kill(sbx_docker_t *d, const char *id)
{
    /* 409: not running any more, which is what was wanted */
    static const int  ok[] = { 204, 409, 0 };

    return sbx_docker_action(d, SBX_DOCKER_KILL, "POST", id, "/kill", NULL,
                             10000, ok);
}

int
sbx_docker_remove(sbx_docker_t *d, const char *id)
{
    /* 404: already gone */
    static const int  ok[] = { 204, 404, 0 };

    if (sbx_docker_action(d, SBX_DOCKER_REMOVE, "DELETE", id,
                          "?force=1&v=1", NULL, 30000, ok)
        == SBX_OK)
    {
        return SBX_OK;
    }

    /* a removal already in progress, which may yet fail */

    return d->status == 409 ? SBX_AGAIN : SBX_ERROR;
}

int
sbx_docker_logs(sbx_docker_t *d, const char *id, size_t max,
    sbx_buf_t *out, sbx_buf_t *err)
{
    int   rc;
    char  path[128];

    snprintf(path, sizeof(path),
             "/containers/%s/logs?stdout=1&stderr=1", id);

    rc = sbx_docker_request(d, SBX_DOCKER_LOGS, "GET", path, NULL, 30000,
                            max);

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "logs");
        }

        return SBX_ERROR;
    }

    if (sbx_docker_demux(d->body.data, d->body.len, out, err) != SBX_OK) {
        snprintf(d->error, sizeof(d->error),
                 "logs: malformed multiplexed stream");
        return SBX_ERROR;
    }

    return SBX_OK;
}


json_t *
sbx_docker_inspect(sbx_docker_t *d, const char *id)
{
    int   rc;
    char  path[128];

    snprintf(path, sizeof(path), "/containers/%s/json", id);

    rc = sbx_docker_request(d, SBX_DOCKER_INSPECT, "GET", path, NULL, 10000,
                            0);

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "inspect");
        }

        return NULL;
    }

    return json_loadb(d->body.data, d->body.len, 0, NULL);
}


json_t *
sbx_docker_info(sbx_docker_t *d)
{
    int  rc;

    rc = sbx_docker_request(d, SBX_DOCKER_INFO, "GET", "/info", NULL, 10000,
                            0);

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "info");
        }

        return NULL;
    }

    return json_loadb(d->body.data, d->body.len, 0, NULL);
}


int
sbx_docker_userns(json_t *info, int *userns, unsigned *uid, unsigned *gid)
{
    char         end;
    size_t       i;
    json_t      *opt;
    const char  *s, *dir;

    *userns = 0;
    *uid = 0;
    *gid = 0;

    /* "name=userns" among "name=seccomp,profile=default", … */

    json_array_foreach(json_object_get(info, "SecurityOptions"), i, opt) {
        s = json_string_value(opt);

        if (s != NULL && (strcmp(s, "name=userns") == 0
                          || strncmp(s, "name=userns,", 12) == 0))
        {
            *userns = 1;
        }
    }

    if (!*userns) {
        return SBX_OK;
    }

    dir = json_string_value(json_object_get(info, "DockerRootDir"));
    s = dir ? strrchr(dir, '/') : NULL;

    if (s == NULL
        || sscanf(s + 1, "%u.%u%c", uid, gid, &end) != 2
        || *uid == 0 || *gid == 0)
    {
        *uid = 0;
        *gid = 0;
        return SBX_ERROR;
    }

    return SBX_OK;
}


json_t *
sbx_docker_list(sbx_docker_t *d, const char *label)
{
    int      rc;
    char    *filters, *escaped, path[512];
    json_t  *f, *list;

    f = json_pack("{s:[s]}", "label", label);
    filters = json_dumps(f, JSON_COMPACT);
    json_decref(f);

    if (filters == NULL) {
        return NULL;
    }

    escaped = curl_easy_escape(d->curl, filters, 0);
    free(filters);

    if (escaped == NULL) {
        return NULL;
    }

    snprintf(path, sizeof(path), "/containers/json?all=1&filters=%s",
             escaped);
    curl_free(escaped);

    rc = sbx_docker_request(d, SBX_DOCKER_LIST, "GET", path, NULL, 10000, 0);

    if (rc != 200) {
        if (rc > 0) {
            sbx_docker_api_error(d, "list");
        }

        return NULL;
    }

    list = json_loadb(d->body.data, d->body.len, 0, NULL);

    if (!json_is_array(list)) {
        snprintf(d->error, sizeof(d->error), "list: not an array");
        json_decref(list);
        return NULL;
    }

    return list;
}


int
sbx_docker_demux(const char *data, size_t len, sbx_buf_t *out,
    sbx_buf_t *err)
{
    size_t                n;
    sbx_buf_t            *b;
    const unsigned char  *p;

    while (len > 0) {

        if (len < 8) {
            return SBX_ERROR;
        }

        p = (const unsigned char *) data;

        if (p[1] != 0 || p[2] != 0 || p[3] != 0) {
            return SBX_ERROR;
        }

        n = ((size_t) p[4] << 24) | ((size_t) p[5] << 16)
            | ((size_t) p[6] << 8) | (size_t) p[7];

        if (n > len - 8) {
            return SBX_ERROR;
        }

        switch (p[0]) {
        case 0:                           /* stdin, when a TTY echoes it */
        case 1:
            b = out;
            break;
        case 2:
            b = err;
            break;
        default:
            return SBX_ERROR;
        }

        if (b != NULL && sbx_buf_append(b, data + 8, n) != SBX_OK) {
            return SBX_ERROR;
        }

        data += 8 + n;
        len -= 8 + n;
    }

    return SBX_OK;
}


/*
 * A request on /containers/{id}<what> whose answer needs no reading:
 * SBX_OK when the status is one of ok[] (0-terminated), SBX_ERROR with
 * the reason in sbx_docker_error() otherwise.
 */

static int
sbx_docker_action(sbx_docker_t *d, sbx_docker_call_e call, const char *method,
    const char *id, const char *what, json_t *body, sbx_msec_t timeout,
    const int *ok)
{
    int   rc;
    char  path[160];

    snprintf(path, sizeof(path), "/containers/%s%s", id, what);

    rc = sbx_docker_request(d, call, method, path, body, timeout, 0);

    for ( /* void */ ; *ok; ok++) {
        if (rc == *ok) {
            return SBX_OK;
        }
    }

    if (rc > 0) {
        sbx_docker_api_error(d, what[0] == '/' ? what + 1 : "remove");
    }

    return SBX_ERROR;
}


/*
 * Returns the HTTP status, SBX_AGAIN on timeout, or SBX_ERROR when the
 * daemon could not be reached; the response body is in d->body.
 */

static int
sbx_docker_request(sbx_docker_t *d, sbx_docker_call_e call,
    const char *method, const char *path, json_t *body, sbx_msec_t timeout,
    size_t max)
{
    char      url[600], *data;
    CURLcode  rc;

    snprintf(url, sizeof(url), SBX_DOCKER_BASE "%s", path);

    d->body.len = 0;
    d->max = max ? max : SBX_DOCKER_MAX_BODY;
    d->status = 0;
    d->error[0] = '\0';

    data = NULL;

    if (body != NULL) {
        data = json_dumps(body, JSON_COMPACT);
        if (data == NULL) {
            snprintf(d->error, sizeof(d->error), "out of memory");
            return SBX_ERROR;
        }
    }

    d->calls++;
    sbx_metrics_docker_call(call);

    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, (long) timeout);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->headers);

    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(d->curl, CURLOPT_HTTPGET, 1L);

    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(d->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, data ? data : "");
        curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE,
                         data ? (long) strlen(data) : 0L);

    } else {
        curl_easy_setopt(d->curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
    }

    rc = curl_easy_perform(d->curl);

    free(data);

    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(d->error, sizeof(d->error), "%s %s: timed out after %lld ms",
                 method, path, (long long) timeout);
        return SBX_AGAIN;
    }

    if (rc != CURLE_OK) {
        if (d->error[0] == '\0') {
            snprintf(d->error, sizeof(d->error), "%s",
                     curl_easy_strerror(rc));
        }

        return SBX_ERROR;
    }

    curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &d->status);

    return (int) d->status;
}


static size_t
sbx_docker_write(char *ptr, size_t size, size_t n, void *data)
{
    sbx_docker_t  *d = data;

    size *= n;

    if (d->body.len + size > d->max) {
        snprintf(d->error, sizeof(d->error),
                 "response larger than %zu bytes", d->max);
        return 0;                         /* aborts the transfer */
    }

    if (sbx_buf_append(&d->body, ptr, size) != SBX_OK) {
        return 0;
    }

    return size;
}


static void
sbx_docker_api_error(sbx_docker_t *d, const char *what)
{
    json_t      *v;
    const char  *msg;

    v = json_loadb(d->body.data ? d->body.data : "", d->body.len, 0, NULL);
    msg = json_string_value(json_object_get(v, "message"));

    snprintf(d->error, sizeof(d->error), "%s: HTTP %ld: %.200s",
             what, d->status, msg ? msg : "(no message)");

    json_decref(v);
}
