
/*
 * The address policy of the runner's outbound connections (callbacks):
 * which IP addresses a connection may go to.
 *
 * Refused, unless the operator's allow-list (--callback-allow) names
 * them: loopback, private, link-local, shared, multicast, reserved and
 * unspecified addresses; IPv6 forms that carry or reach an IPv4 address
 * (IPv4-mapped, judged as that IPv4 address; IPv4-compatible,
 * IPv4-translated, NAT64, 6to4, Teredo) and site-local; and every address
 * of the host's own interfaces, read again at each check.  The caller
 * checks the very address it is about to connect to, after DNS, so a
 * name that resolves differently the next time changes nothing.
 *
 * Locking: none.  The tables are filled by sbx_netpolicy_init() before
 * any thread starts and only read afterwards.
 */


#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdio.h>

#include "sbx.h"
#include "sbx_log.h"
#include "sbx_netpolicy.h"


#define SBX_NETPOLICY_MAX_NETS  32


typedef struct {
    int                 family;
    unsigned char       addr[16];
    unsigned            bits;
} sbx_net_t;


static struct {
    sbx_net_t           allow[SBX_NETPOLICY_MAX_NETS];
    unsigned            nallow;
    sbx_net_t           deny[SBX_NETPOLICY_MAX_NETS];
    unsigned            ndeny;
} sbx_netpolicy;


/* never reachable unless allowed */

static const char  *sbx_netpolicy_private[] = {
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


static int sbx_netpolicy_own(int family, const unsigned char *addr);
static int sbx_netpolicy_in(const sbx_net_t *net, int family,
    const unsigned char *addr);
static int sbx_netpolicy_parse(const char *text, sbx_net_t *net);


int
sbx_netpolicy_init(const char *allow)
{
    int    i;
    char  *list, *tok, *save;

    for (i = 0; sbx_netpolicy_private[i]; i++) {
        if (sbx_netpolicy_parse(sbx_netpolicy_private[i],
                                &sbx_netpolicy.deny[sbx_netpolicy.ndeny++])
            != SBX_OK)
        {
            return SBX_ERROR;
        }
    }

    if (allow != NULL) {
        list = strdup(allow);
        if (list == NULL) {
            return SBX_ERROR;
        }

        for (tok = strtok_r(list, ", ", &save); tok;
             tok = strtok_r(NULL, ", ", &save))
        {
            if (sbx_netpolicy.nallow == SBX_NETPOLICY_MAX_NETS
                || sbx_netpolicy_parse(tok,
                          &sbx_netpolicy.allow[sbx_netpolicy.nallow])
                   != SBX_OK)
            {
                sbx_log_error("callback-allow: \"%s\" is not an address or "
                              "network (or there are more than %d)", tok,
                              SBX_NETPOLICY_MAX_NETS);
                free(list);
                return SBX_ERROR;
            }

            sbx_netpolicy.nallow++;
        }

        free(list);
    }

    return SBX_OK;
}


/*
 * Whether a connection may go there; if not, *why is the refused
 * network it is in, or NULL for an address of this host.
 */

int
sbx_netpolicy_allowed(const struct sockaddr *sa, const char **why)
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

    for (k = 0; k < sbx_netpolicy.nallow; k++) {
        if (sbx_netpolicy_in(&sbx_netpolicy.allow[k], family, addr)) {
            return 1;
        }
    }

    for (k = 0; k < sbx_netpolicy.ndeny; k++) {
        if (sbx_netpolicy_in(&sbx_netpolicy.deny[k], family, addr)) {
            /* the table's order: sbx_netpolicy_init() parsed it */
            *why = sbx_netpolicy_private[k];
            return 0;
        }
    }

    if (sbx_netpolicy_own(family, addr)) {
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
sbx_netpolicy_own(int family, const unsigned char *addr)
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
sbx_netpolicy_in(const sbx_net_t *net, int family, const unsigned char *addr)
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
sbx_netpolicy_parse(const char *text, sbx_net_t *net)
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
