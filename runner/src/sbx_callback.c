
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
 * curl is about to connect to is checked in the opensocket callback,
 * after DNS, for each connection, against sbx_netpolicy.c's policy: the
 * socket is opened only for an address that passed, so a name that
 * resolves differently the next time (DNS rebinding) changes nothing.
 * Redirects are not followed and proxies from the environment are not
 * used, so nothing bypasses that check.
 *
 * Nor may a callback become a port scanner: whatever went wrong (refused
 * connection, reset, timeout, an HTTP error), the job's callback status
 * says only "delivery failed"; the detail goes to the runner's own log.
 *
 * With a secret configured, each POST is signed (sbx_sign.c).
 *
 * A job submitted through Judge0's API (sandbox_api judge0) gets Judge0's
 * callback instead: a PUT of its submission object, base64-encoded, as
 * Judge0's isolate_job.rb sends it (common/sbx_dialect_judge0.c).
 *
 * Locking: sbx_callback.lock guards the waiting list and each delivery
 * while it is on it.  A delivery taken off it, its attempt and the
 * in-flight table belong to the delivery thread.  The job's callback
 * fields go through sbx_job.c's lock (sbx_job_callback()).
 */


#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "sbx.h"
#include "sbx_callback.h"
#include "sbx_conf.h"
#include "sbx_dialect_judge0.h"
#include "sbx_job.h"
#include "sbx_log.h"
#include "sbx_metrics.h"
#include "sbx_netpolicy.h"
#include "sbx_sign.h"


#define SBX_CALLBACK_PER_DEST    2
#define SBX_CALLBACK_MAX_FLIGHT  64
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


static struct {
    pthread_mutex_t     lock;
    sbx_delivery_t     *head;
    CURLM              *multi;
    pthread_t           thread;
    int                 running;
    int                 stop;

    /* the delivery thread's */
    sbx_delivery_t     *flight[SBX_CALLBACK_MAX_FLIGHT];
    unsigned            nflight;
} sbx_callback;


static char *sbx_callback_dest(const char *url);
static void *sbx_callback_loop(void *data);
static sbx_delivery_t *sbx_callback_take(sbx_msec_t *wait);
static unsigned sbx_callback_busy(const char *dest);
static void sbx_callback_schedule(sbx_delivery_t *d, sbx_msec_t delay);
static void sbx_callback_begin(sbx_delivery_t *d);
static char *sbx_callback_judge0(char *body, size_t *len);
static void sbx_callback_attempted(sbx_delivery_t *d, CURLcode cc);
static int sbx_callback_outcome(sbx_delivery_t *d, CURLcode cc,
    long *status);
static void sbx_callback_end(sbx_delivery_t *d);
static curl_socket_t sbx_callback_open(void *data, curlsocktype purpose,
    struct curl_sockaddr *addr);
static size_t sbx_callback_discard(char *ptr, size_t size, size_t n,
    void *data);


int
sbx_callback_start(void)
{
    if (sbx_netpolicy_init(sbx_conf.callback_allow) != SBX_OK) {
        return SBX_ERROR;
    }

    if (sbx_sign_init(sbx_conf.callback_secret_file) != SBX_OK) {
        return SBX_ERROR;
    }

    sbx_callback.multi = curl_multi_init();

    if (sbx_callback.multi == NULL) {
        sbx_log_error("curl_multi_init() failed");
        return SBX_ERROR;
    }

    pthread_mutex_init(&sbx_callback.lock, NULL);

    if (sbx_thread_start(&sbx_callback.thread, sbx_callback_loop, NULL,
                         "callback")
        != SBX_OK)
    {
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
    sbx_sign_cleanup();
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

/*
 * The native result as Judge0's callback body: its default fields, in
 * base64 whatever the client asked for, as Judge0 does.  Takes body.
 */

static char *
sbx_callback_judge0(char *body, size_t *len)
{
    char           *s;
    json_t         *native, *v;
    sbx_dialect_t   d;

    native = json_loadb(body, *len, 0, NULL);
    free(body);

    if (native == NULL) {
        return NULL;
    }

    memset(&d, 0, sizeof(sbx_dialect_t));
    d.api = SBX_API_JUDGE0;
    d.base64 = 1;

    v = sbx_judge0_result(native, &d);
    json_decref(native);

    s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);

    if (s != NULL) {
        *len = strlen(s);
    }

    return s;
}


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

    if (d->job->dialect.api == SBX_API_JUDGE0) {
        d->body = sbx_callback_judge0(d->body, &len);

        if (d->body == NULL) {
            snprintf(d->error, sizeof(d->error), "out of memory");
            free(url);
            sbx_callback_attempted(d, CURLE_OK);
            return;
        }
    }

    snprintf(ts, sizeof(ts), "%lld",
             (long long) (sbx_realtime_msec() / 1000));
    snprintf(hdr[0], sizeof(hdr[0]), "X-Sandbox-Id: %s", d->job->id);
    snprintf(hdr[1], sizeof(hdr[1]), "X-Sandbox-Timestamp: %s", ts);

    h = curl_slist_append(NULL, "Content-Type: application/json");
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    h = h ? curl_slist_append(h, hdr[0]) : NULL;
    h = h ? curl_slist_append(h, hdr[1]) : NULL;

    if (h != NULL && sbx_sign_enabled()) {
        if (sbx_sign(ts, d->body, len, sig, sizeof(sig)) != SBX_OK) {
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

    if (d->job->dialect.api == SBX_API_JUDGE0) {
        curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, "PUT");
    }
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

    if (!sbx_netpolicy_allowed(&addr->addr, &why)) {
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
