
/*
 * Callbacks: POST a finished job's result to its callback_url.
 *
 * Deliveries wait on one list ordered by when they are due.  One thread
 * drives every attempt in flight through a libcurl multi handle, so a
 * receiver that never answers holds only its own transfers, never the
 * thread: at most SBX_CALLBACK_PER_DEST attempts are in flight to one
 * destination (the URL's host:port) and SBX_CALLBACK_MAX_FLIGHT in all;
 * a due delivery whose destination is busy waits on the list while the
 * ones behind it go ahead.  A delivery is put back with a doubled delay
 * when the receiver could not be reached or answered 5xx or 429, up to
 * --callback-attempts attempts of at most --callback-timeout each; other
 * answers end it at once.
 *
 * A callback must not become a way into the operator's network (Judge0's
 * CVE-2024-29021 went through exactly such a door), so every address
 * curl is about to connect to is checked in the opensocket callback, after
 * DNS, for each connection: the socket is opened only for an address
 * that passed, so a name that resolves differently the next time (DNS
 * rebinding) changes nothing.  Refused, unless the operator's allow-list
 * names them: loopback, private, link-local, shared, multicast, reserved
 * and unspecified addresses; IPv6 forms that carry or reach an IPv4
 * address (IPv4-mapped, judged as that IPv4 address; IPv4-compatible,
 * IPv4-translated, NAT64, 6to4, Teredo) and site-local; and every address
 * of the host's own interfaces, read again at each check.  Redirects are
 * not followed and proxies from the environment are not used, so nothing
 * bypasses that check.
 *
 * Nor may a callback become a port scanner: whatever went wrong (refused
 * connection, reset, timeout, an HTTP error), the job's callback status
 * says only "delivery failed"; the detail goes to the runner's own log.
 *
 * With a secret configured, each POST is signed: X-Sandbox-Signature is
 * "sha256=" and the hex HMAC-SHA256 of "<X-Sandbox-Timestamp>.<body>".
 *
 * Locking: sbx_callback.lock guards the waiting list and each delivery
 * while it is on it.  A delivery taken off it, its attempt and the
 * in-flight table belong to the delivery thread.  The job's callback
 * fields go through sbx_job.c's lock (sbx_job_callback()).
 */


#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
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


#define SBX_CALLBACK_PER_DEST    2
#define SBX_CALLBACK_MAX_FLIGHT  64
#define SBX_CALLBACK_MAX_NETS    32
#define SBX_CALLBACK_MAX_DELAY   60000
#define SBX_CALLBACK_IDLE        60000

/* what a client may learn about a failure, whatever it was */
#define SBX_CALLBACK_FAILED      "delivery failed"
#define SBX_CALLBACK_REFUSED     "the address is not allowed for callbacks"


typedef struct sbx_delivery_s  sbx_delivery_t;

struct sbx_delivery_s {
    sbx_job_t          *job;
    char               *dest;             /* "host:port" of the URL */
    unsigned            attempts;
    sbx_msec_t          due;              /* monotonic */
    sbx_delivery_t     *next;

    /* the attempt in flight */
    CURL               *curl;
    struct curl_slist  *headers;
    char               *body;
    int                 refused;          /* a connect was refused */
    char                error[CURL_ERROR_SIZE];
    char                why[CURL_ERROR_SIZE];   /* of the refusal */
};


typedef struct {
    int                 family;
    unsigned char       addr[16];
    unsigned            bits;
} sbx_net_t;


static struct {
    pthread_mutex_t     lock;
    sbx_delivery_t     *head;
    CURLM              *multi;
    pthread_t           thread;
    int                 running;
    int                 stop;
    char               *secret;
    size_t              secret_len;
    sbx_net_t           allow[SBX_CALLBACK_MAX_NETS];
    unsigned            nallow;
    sbx_net_t           deny[SBX_CALLBACK_MAX_NETS];
    unsigned            ndeny;

    /* the delivery thread's */
    sbx_delivery_t     *flight[SBX_CALLBACK_MAX_FLIGHT];
    unsigned            nflight;
} sbx_callback;


/* never reachable from a callback unless allowed */

static const char  *sbx_callback_private[] = {
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.88.99.0/24",
    "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",

    /* ::/128, ::1/128 and IPv4-compatible ::a.b.c.d */
    "::/96",
    /* IPv4-translated (SIIT) ::ffff:0:a.b.c.d */
    "::ffff:0:0:0/96",
    /* NAT64, well-known and local-use prefixes: reach IPv4 via a gateway */
    "64:ff9b::/96", "64:ff9b:1::/48",
    /* discard-only */
    "100::/64",
    /* Teredo and 6to4: tunnels to an IPv4 address */
    "2001::/32", "2002::/16",
    /* unique local, link-local, site-local, multicast */
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    NULL
};


static char *sbx_callback_dest(const char *url);
static void *sbx_callback_loop(void *data);
static sbx_delivery_t *sbx_callback_take(sbx_msec_t *wait);
static unsigned sbx_callback_busy(const char *dest);
static void sbx_callback_schedule(sbx_delivery_t *d, sbx_msec_t delay);
static void sbx_callback_begin(sbx_delivery_t *d);
static void sbx_callback_attempted(sbx_delivery_t *d, CURLcode cc);
static int sbx_callback_outcome(sbx_delivery_t *d, CURLcode cc,
    long *status);
static void sbx_callback_end(sbx_delivery_t *d);
static int sbx_callback_sign(const char *ts, const char *body, size_t len,
    char *hex, size_t size);
static curl_socket_t sbx_callback_open(void *data, curlsocktype purpose,
    struct curl_sockaddr *addr);
static size_t sbx_callback_discard(char *ptr, size_t size, size_t n,
    void *data);
static int sbx_callback_allowed(const struct sockaddr *sa,
    const char **why);
static int sbx_callback_own(int family, const unsigned char *addr);
static int sbx_callback_in(const sbx_net_t *net, int family,
    const unsigned char *addr);
static int sbx_callback_parse_net(const char *text, sbx_net_t *net);


int
sbx_callback_start(void)
{
    int     i;
    char   *list, *tok, *save;
    FILE   *f;
    size_t  n;

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

    sbx_callback.multi = curl_multi_init();

    if (sbx_callback.multi == NULL) {
        sbx_log_error("curl_multi_init() failed");
        return SBX_ERROR;
    }

    pthread_mutex_init(&sbx_callback.lock, NULL);

    if (pthread_create(&sbx_callback.thread, NULL, sbx_callback_loop, NULL)
        != 0)
    {
        sbx_log_error("pthread_create: %s", strerror(errno));
        return SBX_ERROR;
    }

    sbx_callback.running = 1;

    return SBX_OK;
}


void
sbx_callback_stop(void)
{
    sbx_delivery_t  *d;

    if (!sbx_callback.running) {
        return;
    }

    pthread_mutex_lock(&sbx_callback.lock);
    sbx_callback.stop = 1;
    pthread_mutex_unlock(&sbx_callback.lock);

    curl_multi_wakeup(sbx_callback.multi);
    pthread_join(sbx_callback.thread, NULL);
    sbx_callback.running = 0;

    /* the thread put the attempts it cut short back on the list */

    while ((d = sbx_callback.head) != NULL) {
        sbx_callback.head = d->next;

        sbx_log_warn("job %s: callback not delivered: the runner stopped",
                     d->job->id);
        sbx_job_callback(d->job, "failed", d->attempts,
                         "the runner stopped before it was delivered");
        sbx_job_unref(d->job);
        free(d->dest);
        free(d);
    }

    curl_multi_cleanup(sbx_callback.multi);
    free(sbx_callback.secret);
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

    /* callback_url is set once, at submission */

    d->dest = sbx_callback_dest(job->callback_url);
    if (d->dest == NULL) {
        sbx_log_error("job %s: callback dropped: out of memory", job->id);
        free(d);
        return;
    }

    sbx_job_ref(job);
    d->job = job;

    sbx_job_callback(job, "pending", 0, NULL);
    sbx_callback_schedule(d, 0);
}


/*
 * The destination a delivery counts against: the URL's host (lowercase)
 * and port.  A URL curl cannot parse gets "" (and fails when sent).
 */

static char *
sbx_callback_dest(const char *url)
{
    char   *host, *port, *dest, *p;
    CURLU  *u;

    host = NULL;
    port = NULL;
    dest = NULL;

    u = curl_url();

    if (u != NULL && url != NULL
        && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)
           == CURLUE_OK)
    {
        for (p = host; *p; p++) {
            *p = (char) tolower((unsigned char) *p);
        }

        if (asprintf(&dest, "%s:%s", host, port) < 0) {
            dest = NULL;
        }

    } else {
        dest = strdup("");
    }

    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);

    return dest;
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

    pthread_mutex_unlock(&sbx_callback.lock);

    curl_multi_wakeup(sbx_callback.multi);
}


static void *
sbx_callback_loop(void *data)
{
    int               running, finished, left;
    char             *priv;
    CURLMsg          *msg;
    sbx_msec_t        wait;
    sbx_delivery_t   *d, *next;

    sbx_log_set_thread("callback");

    for ( ;; ) {
        pthread_mutex_lock(&sbx_callback.lock);

        if (sbx_callback.stop) {
            pthread_mutex_unlock(&sbx_callback.lock);
            break;
        }

        d = sbx_callback_take(&wait);

        pthread_mutex_unlock(&sbx_callback.lock);

        for ( /* void */ ; d; d = next) {
            next = d->next;
            d->next = NULL;
            sbx_callback_begin(d);
        }

        (void) curl_multi_perform(sbx_callback.multi, &running);

        finished = 0;

        while ((msg = curl_multi_info_read(sbx_callback.multi, &left))
               != NULL)
        {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }

            priv = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            sbx_callback_attempted((sbx_delivery_t *) priv, msg->data.result);
            finished = 1;
        }

        if (finished) {
            /* a slot came free: a delivery waiting for it may go now */
            continue;
        }

        (void) curl_multi_poll(sbx_callback.multi, NULL, 0, (int) wait, NULL);
    }

    /* cut short what is in flight; sbx_callback_stop() reports it */

    while (sbx_callback.nflight > 0) {
        d = sbx_callback.flight[0];
        sbx_callback_end(d);

        pthread_mutex_lock(&sbx_callback.lock);
        d->next = sbx_callback.head;
        sbx_callback.head = d;
        pthread_mutex_unlock(&sbx_callback.lock);
    }

    return NULL;
}


/*
 * Under the lock: takes off the list every due delivery whose destination
 * has a free slot, in order, and says how long the thread may sleep.
 */

static sbx_delivery_t *
sbx_callback_take(sbx_msec_t *wait)
{
    sbx_msec_t        now;
    sbx_delivery_t   *d, **pp, *taken, **last;

    now = sbx_monotonic_msec();
    *wait = SBX_CALLBACK_IDLE;

    taken = NULL;
    last = &taken;

    for (pp = &sbx_callback.head; (d = *pp) != NULL; /* void */) {
        if (d->due > now) {
            *wait = sbx_min(*wait, d->due - now);
            break;
        }

        if (sbx_callback.nflight == SBX_CALLBACK_MAX_FLIGHT) {
            break;
        }

        if (sbx_callback_busy(d->dest) >= SBX_CALLBACK_PER_DEST) {
            /* waits for one of its destination's attempts to end */
            pp = &d->next;
            continue;
        }

        *pp = d->next;
        d->next = NULL;
        *last = d;
        last = &d->next;

        sbx_callback.flight[sbx_callback.nflight++] = d;
    }

    return taken;
}


static unsigned
sbx_callback_busy(const char *dest)
{
    unsigned  i, n;

    n = 0;

    for (i = 0; i < sbx_callback.nflight; i++) {
        if (strcmp(sbx_callback.flight[i]->dest, dest) == 0) {
            n++;
        }
    }

    return n;
}


/* Starts one attempt; one that cannot even start ends at once. */

static void
sbx_callback_begin(sbx_delivery_t *d)
{
    char                 ts[32], sig[2 * EVP_MAX_MD_SIZE + 1];
    char                 hdr[3][160], *url;
    size_t               len;
    sbx_status_e         st;
    struct curl_slist   *h;

    d->attempts++;
    d->refused = 0;
    d->error[0] = '\0';
    d->why[0] = '\0';

    d->body = sbx_job_result(d->job, &len, &st, &url);

    if (d->body == NULL || url == NULL) {
        snprintf(d->error, sizeof(d->error), "no result to send");
        free(url);
        sbx_callback_attempted(d, CURLE_OK);
        return;
    }

    snprintf(ts, sizeof(ts), "%lld",
             (long long) (sbx_realtime_msec() / 1000));
    snprintf(hdr[0], sizeof(hdr[0]), "X-Sandbox-Id: %s", d->job->id);
    snprintf(hdr[1], sizeof(hdr[1]), "X-Sandbox-Timestamp: %s", ts);

    h = curl_slist_append(NULL, "Content-Type: application/json");
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    h = h ? curl_slist_append(h, hdr[0]) : NULL;
    h = h ? curl_slist_append(h, hdr[1]) : NULL;

    if (h != NULL && sbx_callback.secret != NULL) {
        if (sbx_callback_sign(ts, d->body, len, sig, sizeof(sig)) != SBX_OK) {
            curl_slist_free_all(h);
            h = NULL;

        } else {
            snprintf(hdr[2], sizeof(hdr[2]), "X-Sandbox-Signature: sha256=%s",
                     sig);
            h = curl_slist_append(h, hdr[2]);
        }
    }

    d->headers = h;
    d->curl = h ? curl_easy_init() : NULL;

    if (d->curl == NULL) {
        snprintf(d->error, sizeof(d->error), "cannot build the request");
        free(url);
        sbx_callback_attempted(d, CURLE_OK);
        return;
    }

    curl_easy_setopt(d->curl, CURLOPT_PRIVATE, d);
    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(d->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(d->curl, CURLOPT_PROXY, "");
    curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->curl, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS,
                     (long) sbx_conf.callback_timeout);
    curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) sbx_min(sbx_conf.callback_timeout, 5000));
    curl_easy_setopt(d->curl, CURLOPT_USERAGENT,
                     "sandbox-runner/" SBX_VERSION);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->headers);
    curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long) len);
    curl_easy_setopt(d->curl, CURLOPT_OPENSOCKETFUNCTION, sbx_callback_open);
    curl_easy_setopt(d->curl, CURLOPT_OPENSOCKETDATA, d);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, sbx_callback_discard);
    curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->error);

    free(url);

    if (curl_multi_add_handle(sbx_callback.multi, d->curl) != CURLM_OK) {
        snprintf(d->error, sizeof(d->error), "cannot start the request");
        curl_easy_cleanup(d->curl);
        d->curl = NULL;
        sbx_callback_attempted(d, CURLE_OK);
    }
}


/* An attempt ended: delivered, to be tried again, or given up. */

static void
sbx_callback_attempted(sbx_delivery_t *d, CURLcode cc)
{
    int         rc;
    long        status;
    sbx_msec_t  delay;

    rc = sbx_callback_outcome(d, cc, &status);

    sbx_callback_end(d);

    if (rc == SBX_OK) {
        sbx_log_info("job %s: callback delivered (HTTP %ld, attempt %u)",
                     d->job->id, status, d->attempts);
        sbx_job_callback(d->job, "delivered", d->attempts, NULL);
        sbx_metrics_callback("delivered");

    } else if (rc == SBX_DECLINED) {
        sbx_log_warn("job %s: callback refused: %s", d->job->id, d->error);
        sbx_job_callback(d->job, "refused", d->attempts,
                         SBX_CALLBACK_REFUSED);
        sbx_metrics_callback("refused");

    } else if (rc == SBX_AGAIN
               && d->attempts < (unsigned) sbx_conf.callback_attempts)
    {
        delay = (sbx_msec_t) sbx_conf.callback_backoff_ms
                << sbx_min(d->attempts - 1, 16);
        delay = sbx_min(delay, SBX_CALLBACK_MAX_DELAY);

        sbx_log_info("job %s: callback attempt %u failed (%s), again "
                     "in %lld ms", d->job->id, d->attempts, d->error,
                     (long long) delay);
        sbx_job_callback(d->job, "pending", d->attempts,
                         SBX_CALLBACK_FAILED);
        sbx_callback_schedule(d, delay);
        return;

    } else {
        sbx_log_warn("job %s: callback failed after %u attempts: %s",
                     d->job->id, d->attempts, d->error);
        sbx_job_callback(d->job, "failed", d->attempts, SBX_CALLBACK_FAILED);
        sbx_metrics_callback("failed");
    }

    sbx_job_unref(d->job);
    free(d->dest);
    free(d);
}


/*
 * SBX_OK on 2xx; SBX_AGAIN when worth another try (no connection,
 * timeout, 5xx, 429); SBX_DECLINED when the address is not allowed;
 * SBX_ERROR otherwise.  d->error says what happened, for the log only.
 */

static int
sbx_callback_outcome(sbx_delivery_t *d, CURLcode cc, long *status)
{
    *status = 0;

    if (d->curl == NULL) {
        /* it never started: d->error says why */
        return SBX_ERROR;
    }

    if (cc != CURLE_OK && d->refused) {
        /* curl wrote its own words over ours in d->error */
        snprintf(d->error, sizeof(d->error), "%s", d->why);
        return SBX_DECLINED;
    }

    if (cc != CURLE_OK) {
        if (d->error[0] == '\0') {
            snprintf(d->error, sizeof(d->error), "%s",
                     curl_easy_strerror(cc));
        }

        switch (cc) {
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

    curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, status);

    if (*status >= 200 && *status < 300) {
        return SBX_OK;
    }

    snprintf(d->error, sizeof(d->error), "the receiver answered HTTP %ld",
             *status);

    return (*status >= 500 || *status == 429) ? SBX_AGAIN : SBX_ERROR;
}


/* Frees what the attempt held and gives back its slot. */

static void
sbx_callback_end(sbx_delivery_t *d)
{
    unsigned  i;

    if (d->curl != NULL) {
        curl_multi_remove_handle(sbx_callback.multi, d->curl);
        curl_easy_cleanup(d->curl);
        d->curl = NULL;
    }

    curl_slist_free_all(d->headers);
    d->headers = NULL;
    free(d->body);
    d->body = NULL;

    for (i = 0; i < sbx_callback.nflight; i++) {
        if (sbx_callback.flight[i] == d) {
            sbx_callback.flight[i] =
                sbx_callback.flight[--sbx_callback.nflight];
            break;
        }
    }
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
    char             host[INET6_ADDRSTRLEN];
    const char      *why;
    const void      *a;
    sbx_delivery_t  *d = data;

    if (purpose != CURLSOCKTYPE_IPCXN
        || (addr->family != AF_INET && addr->family != AF_INET6))
    {
        d->refused = 1;
        snprintf(d->why, sizeof(d->why), "not an IP connection");
        return CURL_SOCKET_BAD;
    }

    if (!sbx_callback_allowed(&addr->addr, &why)) {
        a = (addr->family == AF_INET)
            ? (const void *) &((struct sockaddr_in *) &addr->addr)->sin_addr
            : (const void *) &((struct sockaddr_in6 *) &addr->addr)->sin6_addr;

        inet_ntop(addr->family, a, host, sizeof(host));

        d->refused = 1;
        snprintf(d->why, sizeof(d->why), "%s is %s%s and callback-allow "
                 "does not name it", host, why ? "in " : "",
                 why ? why : "an address of this host");
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


/*
 * Whether a callback may connect there; if not, *why is the refused
 * network it is in, or NULL for an address of this host.
 */

static int
sbx_callback_allowed(const struct sockaddr *sa, const char **why)
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
            /* the table's order: sbx_callback_start() parsed it */
            *why = sbx_callback_private[k];
            return 0;
        }
    }

    if (sbx_callback_own(family, addr)) {
        *why = NULL;
        return 0;
    }

    return 1;
}


/*
 * Whether the address is one of this host's own, on any interface.  Read
 * at every check: interfaces and addresses come and go.  When it cannot
 * be told, the answer is yes.
 */

static int
sbx_callback_own(int family, const unsigned char *addr)
{
    int               own;
    const void       *a;
    struct ifaddrs   *ifs, *i;

    if (getifaddrs(&ifs) != 0) {
        sbx_log_error("getifaddrs: %s", strerror(errno));
        return 1;
    }

    own = 0;

    for (i = ifs; i != NULL && !own; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family) {
            continue;
        }

        a = (family == AF_INET)
            ? (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr
            : (const void *) &((struct sockaddr_in6 *) i->ifa_addr)
                                 ->sin6_addr;

        own = memcmp(a, addr, (family == AF_INET) ? 4 : 16) == 0;
    }

    freeifaddrs(ifs);

    return own;
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
