
/*
 * Job ids (see sbx_id.h).
 */


#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "sbx_id.h"


static int sbx_id_hex(const char *s, size_t len);
static int sbx_id_random(unsigned char *buf, size_t n);


static const char  sbx_id_digits[] = "0123456789abcdef";


int
sbx_id_mint(char *buf, const char *route)
{
    size_t         i, k;
    unsigned char  r[16];

    if (route != NULL && !sbx_id_hex(route, SBX_ID_ROUTE_LEN)) {
        return -1;
    }

    if (sbx_id_random(r, sizeof(r)) != 0) {
        return -1;
    }

    /* version 4, variant 10: what every UUID parser expects */

    r[6] = (r[6] & 0x0f) | 0x40;
    r[8] = (r[8] & 0x3f) | 0x80;

    for (i = 0, k = 0; i < sizeof(r); i++) {

        if (k == 8 || k == 13 || k == 18 || k == 23) {
            buf[k++] = '-';
        }

        buf[k++] = sbx_id_digits[r[i] >> 4];
        buf[k++] = sbx_id_digits[r[i] & 0x0f];
    }

    buf[SBX_ID_LEN] = '\0';

    if (route != NULL) {
        memcpy(buf, route, SBX_ID_ROUTE_LEN);
    }

    return 0;
}


/*
 * The shape only, version bits aside: an id the runner minted before
 * ids carried route keys is one too, and must still be found.
 */

int
sbx_id_valid(const char *s, size_t len)
{
    if (s == NULL || len != SBX_ID_LEN) {
        return 0;
    }

    return s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
           && sbx_id_hex(s, 8) && sbx_id_hex(s + 9, 4)
           && sbx_id_hex(s + 14, 4) && sbx_id_hex(s + 19, 4)
           && sbx_id_hex(s + 24, 12);
}


int
sbx_id_item(char *buf, const char *base, size_t i)
{
    if (base == NULL || !sbx_id_valid(base, strlen(base))
        || i >= SBX_ID_ITEMS)
    {
        return -1;
    }

    memcpy(buf, base, SBX_ID_LEN);

    buf[SBX_ID_LEN - 3] = sbx_id_digits[(i >> 8) & 0x0f];
    buf[SBX_ID_LEN - 2] = sbx_id_digits[(i >> 4) & 0x0f];
    buf[SBX_ID_LEN - 1] = sbx_id_digits[i & 0x0f];
    buf[SBX_ID_LEN] = '\0';

    return 0;
}


int
sbx_id_route(const char *id, size_t len, char *route)
{
    if (!sbx_id_valid(id, len)) {
        return -1;
    }

    memcpy(route, id, SBX_ID_ROUTE_LEN);
    route[SBX_ID_ROUTE_LEN] = '\0';

    return 0;
}


/* lowercase only: one job has one spelling, and one route */

static int
sbx_id_hex(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }

    return 1;
}


static int
sbx_id_random(unsigned char *buf, size_t n)
{
    size_t   got;
    ssize_t  r;

    for (got = 0; got < n; /* void */ ) {
        r = getrandom(buf + got, n - got, 0);

        if (r > 0) {
            got += (size_t) r;
            continue;
        }

        if (r == -1 && errno == EINTR) {
            continue;
        }

        return -1;
    }

    return 0;
}
