
/*
 * Callbacks: POST a finished job's result to its callback_url.
 *
 * Deliveries wait on one list ordered by when they are due; a few
 * threads take the earliest due one, POST it with their own libcurl
 * handle, and put it back with a doubled delay when the receiver could
 * not be reached or answered 5xx or 429, up to a bounded number of
 * attempts.  Other 4xx answers end the delivery at once.
 *
 * A callback must not become a way into the operator's network (Judge0's
 * CVE-2024-29021 went through exactly such a door), so every address
 * curl is about to connect to is checked in the opensocket callback, after
 * DNS, for each connection: loopback, private, link-local, shared,
 * multicast and unspecified addresses are refused unless the operator's
 * allow-list names them.  Redirects are not followed and proxies from
 * the environment are not used, so nothing bypasses that check.
 *
 * With a secret configured, each POST is signed: X-Sandbox-Signature is
 * "sha256=" and the hex HMAC-SHA256 of "<X-Sandbox-Timestamp>.<body>".
 *
 * Locking: sbx_callback.lock guards the list and each delivery while it
 * is on it; a delivery taken off belongs to its thread.  The job's
 * callback fields go through sbx_job.c's lock (sbx_job_callback()).
 */


#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "sbx.h"
#include "sbx_callback.h"
#include "sbx_conf.h"
#include "sbx_job.h"
#include "sbx_log.h"
#include "sbx_metrics.h"


#define SBX_CALLBACK_THREADS   2
#define SBX_CALLBACK_MAX_NETS  32
#define SBX_CALLBACK_MAX_DELAY 60000


typedef struct sbx_delivery_s  sbx_delivery_t;

struct sbx_delivery_s {
    sbx_job_t          *job;
    unsigned            attempts;
    sbx_msec_t          due;              /* monotonic */
    sbx_delivery_t     *next;
};


typedef struct {
    int                 family;
    unsigned char       addr[16];
    unsigned            bits;
} sbx_net_t;


typedef struct {
    CURL               *curl;
    int                 refused;          /* the last connect was refused */
    char                error[CURL_ERROR_SIZE];
    char                why[CURL_ERROR_SIZE];   /* of the refusal */
} sbx_sender_t;


static struct {
    pthread_mutex_t     lock;
    pthread_cond_t      cond;
    sbx_delivery_t     *head;
    pthread_t           threads[SBX_CALLBACK_THREADS];
    int                 nthreads;
    int                 stop;
    char               *secret;
    size_t              secret_len;
    sbx_net_t           allow[SBX_CALLBACK_MAX_NETS];
    unsigned            nallow;
    sbx_net_t           deny[SBX_CALLBACK_MAX_NETS];
    unsigned            ndeny;
} sbx_callback;


/* never reachable from a callback unless allowed */

static const char  *sbx_callback_private[] = {
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    NULL
};


static void *sbx_callback_loop(void *data);
static void sbx_callback_schedule(sbx_delivery_t *d, sbx_msec_t delay);
static int sbx_callback_send(sbx_sender_t *s, sbx_delivery_t *d,
    long *status);
static int sbx_callback_sign(const char *ts, const char *body, size_t len,
    char *hex, size_t size);
static curl_socket_t sbx_callback_open(void *data, curlsocktype purpose,
    struct curl_sockaddr *addr);
static size_t sbx_callback_discard(char *ptr, size_t size, size_t n,
    void *data);
static int sbx_callback_allowed(const struct sockaddr *sa);
static int sbx_callback_in(const sbx_net_t *net, int family,
    const unsigned char *addr);
static int sbx_callback_parse_net(const char *text, sbx_net_t *net);


int
sbx_callback_start(void)
{
    int           i;
    char         *list, *tok, *save;
    FILE         *f;
    size_t        n;
    pthread_condattr_t  attr;

    for (i = 0; sbx_callback_private[i]; i++) {
        if (sbx_callback_parse_net(sbx_callback_private[i],
                                   &sbx_callback.deny[sbx_callback.ndeny++])
            != SBX_OK)
        {
            return SBX_ERROR;
        }
    }

    if (sbx_conf.callback_allow != NULL) {
        list = strdup(sbx_conf.callback_allow);
        if (list == NULL) {
            return SBX_ERROR;
        }

        for (tok = strtok_r(list, ", ", &save); tok;
             tok = strtok_r(NULL, ", ", &save))
        {
            if (sbx_callback.nallow == SBX_CALLBACK_MAX_NETS
                || sbx_callback_parse_net(tok,
                          &sbx_callback.allow[sbx_callback.nallow])
                   != SBX_OK)
            {
                sbx_log_error("callback-allow: \"%s\" is not an address or "
                              "network (or there are more than %d)", tok,
                              SBX_CALLBACK_MAX_NETS);
                free(list);
                return SBX_ERROR;
            }

            sbx_callback.nallow++;
        }

        free(list);
    }

    if (sbx_conf.callback_secret_file != NULL) {
        f = fopen(sbx_conf.callback_secret_file, "re");

        if (f == NULL) {
            sbx_log_error("callback-secret-file \"%s\": %s",
                          sbx_conf.callback_secret_file, strerror(errno));
            return SBX_ERROR;
        }

        sbx_callback.secret = calloc(1, 4096);
        n = sbx_callback.secret ? fread(sbx_callback.secret, 1, 4095, f) : 0;
        fclose(f);

        while (n > 0 && (sbx_callback.secret[n - 1] == '\n'
                         || sbx_callback.secret[n - 1] == '\r'))
        {
            n--;
        }

        if (n == 0) {
            sbx_log_error("callback-secret-file \"%s\" is empty",
                          sbx_conf.callback_secret_file);
            return SBX_ERROR;
        }

        sbx_callback.secret_len = n;
    }

    pthread_mutex_init(&sbx_callback.lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sbx_callback.cond, &attr);
    pthread_condattr_destroy(&attr);

    for (i = 0; i < SBX_CALLBACK_THREADS; i++) {
        if (pthread_create(&sbx_callback.threads[i], NULL, sbx_callback_loop,
                           (void *) (intptr_t) i)
            != 0)
        {
            sbx_log_error("pthread_create: %s", strerror(errno));
            return SBX_ERROR;
        }

        sbx_callback.nthreads++;
    }

    return SBX_OK;
}


void
sbx_callback_stop(void)
{
    int              i;
    sbx_delivery_t  *d;

    if (sbx_callback.nthreads == 0) {
        return;
    }

    pthread_mutex_lock(&sbx_callback.lock);
    sbx_callback.stop = 1;
    pthread_cond_broadcast(&sbx_callback.cond);
    pthread_mutex_unlock(&sbx_callback.lock);

    for (i = 0; i < sbx_callback.nthreads; i++) {
        pthread_join(sbx_callback.threads[i], NULL);
    }

    while ((d = sbx_callback.head) != NULL) {
        sbx_callback.head = d->next;

        sbx_log_warn("job %s: callback not delivered: the runner stopped",
                     d->job->id);
        sbx_job_callback(d->job, "failed", d->attempts,
                         "the runner stopped before it was delivered");
        sbx_job_unref(d->job);
        free(d);
    }

    free(sbx_callback.secret);
    pthread_cond_destroy(&sbx_callback.cond);
    pthread_mutex_destroy(&sbx_callback.lock);
}


void
sbx_callback_enqueue(sbx_job_t *job)
{
    sbx_delivery_t  *d;

    d = calloc(1, sizeof(sbx_delivery_t));
    if (d == NULL) {
        sbx_log_error("job %s: callback dropped: out of memory", job->id);
        return;
    }

    sbx_job_ref(job);
    d->job = job;

    sbx_job_callback(job, "pending", 0, NULL);
    sbx_callback_schedule(d, 0);
}


static void
sbx_callback_schedule(sbx_delivery_t *d, sbx_msec_t delay)
{
    sbx_delivery_t  **pp;

    d->due = sbx_monotonic_msec() + delay;

    pthread_mutex_lock(&sbx_callback.lock);

    for (pp = &sbx_callback.head; *pp && (*pp)->due <= d->due;
         pp = &(*pp)->next)
    {
        /* void */
    }

    d->next = *pp;
    *pp = d;

    pthread_cond_signal(&sbx_callback.cond);
    pthread_mutex_unlock(&sbx_callback.lock);
}


static void *
sbx_callback_loop(void *data)
{
    int               rc;
    long              status;
    char              name[16];
    sbx_msec_t        now, delay;
    sbx_sender_t      s;
    sbx_delivery_t   *d;
    struct timespec   ts;

    snprintf(name, sizeof(name), "callback-%d", (int) (intptr_t) data);
    sbx_log_set_thread(name);

    memset(&s, 0, sizeof(sbx_sender_t));
    s.curl = curl_easy_init();

    for ( ;; ) {
        pthread_mutex_lock(&sbx_callback.lock);

        for ( ;; ) {
            if (sbx_callback.stop) {
                pthread_mutex_unlock(&sbx_callback.lock);
                curl_easy_cleanup(s.curl);
                return NULL;
            }

            d = sbx_callback.head;
            now = sbx_monotonic_msec();

            if (d != NULL && d->due <= now) {
                sbx_callback.head = d->next;
                break;
            }

            if (d == NULL) {
                pthread_cond_wait(&sbx_callback.cond, &sbx_callback.lock);
                continue;
            }

            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += (d->due - now) / 1000;
            ts.tv_nsec += ((d->due - now) % 1000) * 1000000;

            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }

            (void) pthread_cond_timedwait(&sbx_callback.cond,
                                          &sbx_callback.lock, &ts);
        }

        pthread_mutex_unlock(&sbx_callback.lock);

        d->attempts++;
        rc = (s.curl != NULL) ? sbx_callback_send(&s, d, &status)
                              : SBX_ERROR;

        if (rc == SBX_OK) {
            sbx_log_info("job %s: callback delivered (HTTP %ld, attempt %u)",
                         d->job->id, status, d->attempts);
            sbx_job_callback(d->job, "delivered", d->attempts, NULL);
            sbx_metrics_callback("delivered");

        } else if (rc == SBX_DECLINED) {
            sbx_log_warn("job %s: callback refused: %s", d->job->id,
                         s.error);
            sbx_job_callback(d->job, "refused", d->attempts, s.error);
            sbx_metrics_callback("refused");

        } else if (rc == SBX_AGAIN
                   && d->attempts < (unsigned) sbx_conf.callback_attempts)
        {
            delay = (sbx_msec_t) sbx_conf.callback_backoff_ms
                    << sbx_min(d->attempts - 1, 16);
            delay = sbx_min(delay, SBX_CALLBACK_MAX_DELAY);

            sbx_log_info("job %s: callback attempt %u failed (%s), again "
                         "in %lld ms", d->job->id, d->attempts, s.error,
                         (long long) delay);
            sbx_job_callback(d->job, "pending", d->attempts, s.error);
            sbx_callback_schedule(d, delay);
            continue;

        } else {
            sbx_log_warn("job %s: callback failed after %u attempts: %s",
                         d->job->id, d->attempts, s.error);
            sbx_job_callback(d->job, "failed", d->attempts, s.error);
            sbx_metrics_callback("failed");
        }

        sbx_job_unref(d->job);
        free(d);
    }
}


/*
 * One attempt.  SBX_OK on 2xx; SBX_AGAIN when worth another try (no
 * connection, timeout, 5xx, 429); SBX_DECLINED when the address is not
 * allowed; SBX_ERROR otherwise.  s->error says what happened.
 */

static int
sbx_callback_send(sbx_sender_t *s, sbx_delivery_t *d, long *status)
{
    char                 ts[32], sig[2 * EVP_MAX_MD_SIZE + 1];
    char                 hdr[3][160], *body, *url;
    size_t               len;
    CURLcode             rc;
    sbx_status_e         st;
    struct curl_slist   *headers;

    body = sbx_job_result(d->job, &len, &st, &url);

    if (body == NULL || url == NULL) {
        snprintf(s->error, sizeof(s->error), "no result to send");
        free(body);
        free(url);
        return SBX_ERROR;
    }

    snprintf(ts, sizeof(ts), "%lld",
             (long long) (sbx_realtime_msec() / 1000));
    snprintf(hdr[0], sizeof(hdr[0]), "X-Sandbox-Id: %s", d->job->id);
    snprintf(hdr[1], sizeof(hdr[1]), "X-Sandbox-Timestamp: %s", ts);

    headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    headers = curl_slist_append(headers, hdr[0]);
    headers = curl_slist_append(headers, hdr[1]);

    if (sbx_callback.secret != NULL) {
        if (sbx_callback_sign(ts, body, len, sig, sizeof(sig)) != SBX_OK) {
            snprintf(s->error, sizeof(s->error), "cannot sign the body");
            curl_slist_free_all(headers);
            free(body);
            free(url);
            return SBX_ERROR;
        }

        snprintf(hdr[2], sizeof(hdr[2]), "X-Sandbox-Signature: sha256=%s",
                 sig);
        headers = curl_slist_append(headers, hdr[2]);
    }

    curl_easy_reset(s->curl);

    s->refused = 0;
    s->error[0] = '\0';

    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(s->curl, CURLOPT_PROXY, "");
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS,
                     (long) sbx_conf.callback_timeout);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) sbx_min(sbx_conf.callback_timeout, 5000));
    curl_easy_setopt(s->curl, CURLOPT_USERAGENT,
                     "sandbox-runner/" SBX_VERSION);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long) len);
    curl_easy_setopt(s->curl, CURLOPT_OPENSOCKETFUNCTION, sbx_callback_open);
    curl_easy_setopt(s->curl, CURLOPT_OPENSOCKETDATA, s);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, sbx_callback_discard);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->error);

    rc = curl_easy_perform(s->curl);

    curl_slist_free_all(headers);
    free(body);
    free(url);

    *status = 0;

    if (s->refused) {
        /* curl wrote its own words over ours in s->error */
        snprintf(s->error, sizeof(s->error), "%s", s->why);
        return SBX_DECLINED;
    }

    if (rc != CURLE_OK) {
        if (s->error[0] == '\0') {
            snprintf(s->error, sizeof(s->error), "%s",
                     curl_easy_strerror(rc));
        }

        switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_SSL_CONNECT_ERROR:
            return SBX_AGAIN;
        default:
            return SBX_ERROR;
        }
    }

    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, status);

    if (*status >= 200 && *status < 300) {
        return SBX_OK;
    }

    snprintf(s->error, sizeof(s->error), "the receiver answered HTTP %ld",
             *status);

    return (*status >= 500 || *status == 429) ? SBX_AGAIN : SBX_ERROR;
}


/* HMAC-SHA256 of "<ts>.<body>" in hex: a replay needs a fresh stamp. */

static int
sbx_callback_sign(const char *ts, const char *body, size_t len, char *hex,
    size_t size)
{
    int             rc;
    size_t          n, i;
    EVP_MAC        *mac;
    OSSL_PARAM      params[2];
    EVP_MAC_CTX    *ctx;
    unsigned char   md[EVP_MAX_MD_SIZE];

    rc = SBX_ERROR;

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (ctx != NULL
        && EVP_MAC_init(ctx, (unsigned char *) sbx_callback.secret,
                        sbx_callback.secret_len, params)
        && EVP_MAC_update(ctx, (unsigned char *) ts, strlen(ts))
        && EVP_MAC_update(ctx, (unsigned char *) ".", 1)
        && EVP_MAC_update(ctx, (unsigned char *) body, len)
        && EVP_MAC_final(ctx, md, &n, sizeof(md))
        && 2 * n < size)
    {
        for (i = 0; i < n; i++) {
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        }

        rc = SBX_OK;
    }

    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);

    return rc;
}


/* Called by curl for every connection, with the address DNS gave. */

static curl_socket_t
sbx_callback_open(void *data, curlsocktype purpose,
    struct curl_sockaddr *addr)
{
    char           host[INET6_ADDRSTRLEN];
    const void    *a;
    sbx_sender_t  *s = data;

    if (purpose != CURLSOCKTYPE_IPCXN
        || (addr->family != AF_INET && addr->family != AF_INET6))
    {
        s->refused = 1;
        snprintf(s->why, sizeof(s->why), "not an IP connection");
        return CURL_SOCKET_BAD;
    }

    if (!sbx_callback_allowed(&addr->addr)) {
        a = (addr->family == AF_INET)
            ? (const void *) &((struct sockaddr_in *) &addr->addr)->sin_addr
            : (const void *) &((struct sockaddr_in6 *) &addr->addr)->sin6_addr;

        inet_ntop(addr->family, a, host, sizeof(host));

        s->refused = 1;
        snprintf(s->why, sizeof(s->why), "%s is a loopback, private or "
                 "link-local address and callback-allow does not name it",
                 host);
        return CURL_SOCKET_BAD;
    }

    return socket(addr->family, addr->socktype | SOCK_CLOEXEC,
                  addr->protocol);
}


static size_t
sbx_callback_discard(char *ptr, size_t size, size_t n, void *data)
{
    return size * n;
}


static int
sbx_callback_allowed(const struct sockaddr *sa)
{
    int                   family;
    unsigned              k;
    unsigned char         addr[16];
    static const unsigned char  mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };

    if (sa->sa_family == AF_INET) {
        family = AF_INET;
        memcpy(addr, &((const struct sockaddr_in *) sa)->sin_addr, 4);

    } else {
        memcpy(addr, &((const struct sockaddr_in6 *) sa)->sin6_addr, 16);
        family = AF_INET6;

        /* ::ffff:a.b.c.d is a.b.c.d */

        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            family = AF_INET;
        }
    }

    for (k = 0; k < sbx_callback.nallow; k++) {
        if (sbx_callback_in(&sbx_callback.allow[k], family, addr)) {
            return 1;
        }
    }

    for (k = 0; k < sbx_callback.ndeny; k++) {
        if (sbx_callback_in(&sbx_callback.deny[k], family, addr)) {
            return 0;
        }
    }

    return 1;
}


static int
sbx_callback_in(const sbx_net_t *net, int family, const unsigned char *addr)
{
    unsigned  full, rest;

    if (net->family != family) {
        return 0;
    }

    full = net->bits / 8;
    rest = net->bits % 8;

    if (memcmp(net->addr, addr, full) != 0) {
        return 0;
    }

    return rest == 0
           || ((net->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}


/* "a.b.c.d", "a.b.c.d/n", "x::y" or "x::y/n". */

static int
sbx_callback_parse_net(const char *text, sbx_net_t *net)
{
    char         buf[64], *slash, *end;
    long         bits;

    if (strlen(text) >= sizeof(buf)) {
        return SBX_ERROR;
    }

    strcpy(buf, text);
    slash = strchr(buf, '/');

    if (slash != NULL) {
        *slash = '\0';
    }

    memset(net, 0, sizeof(sbx_net_t));

    if (inet_pton(AF_INET, buf, net->addr) == 1) {
        net->family = AF_INET;
        net->bits = 32;

    } else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
        net->family = AF_INET6;
        net->bits = 128;

    } else {
        return SBX_ERROR;
    }

    if (slash != NULL) {
        errno = 0;
        bits = strtol(slash + 1, &end, 10);

        if (errno || *end || end == slash + 1 || bits < 0
            || bits > (long) net->bits)
        {
            return SBX_ERROR;
        }

        net->bits = (unsigned) bits;
    }

    return SBX_OK;
}
