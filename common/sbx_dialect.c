
/*
 * The dialects' names and the one switch between their error shapes
 * (see sbx_dialect.h); everything else of a dialect is in its own file.
 */


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_dialect.h"
#include "sbx_dialect_judge0.h"
#include "sbx_dialect_piston.h"


const char  *sbx_api_names[SBX_API_N + 1] = {
    "native", "piston", "judge0", NULL
};


int
sbx_api_find(const char *name, size_t len)
{
    int  i;

    for (i = 0; sbx_api_names[i]; i++) {
        if (strlen(sbx_api_names[i]) == len
            && strncmp(sbx_api_names[i], name, len) == 0)
        {
            return i;
        }
    }

    return -1;
}


size_t
sbx_dialect_format(const sbx_dialect_t *d, char *buf)
{
    int  n;

    n = snprintf(buf, SBX_DIALECT_ATTR_LEN, "%s%s", sbx_api_names[d->api],
                 d->base64 ? ";base64" : "");

    if (d->fields) {
        n += snprintf(buf + n, SBX_DIALECT_ATTR_LEN - n, ";fields=%" PRIx64,
                      d->fields);
    }

    return (size_t) n;
}


int
sbx_dialect_parse(const char *s, size_t len, sbx_dialect_t *d)
{
    int          api;
    char         hex[24], *end;
    size_t       k;
    const char  *p, *last;

    memset(d, 0, sizeof(sbx_dialect_t));

    last = s + len;

    for (k = 0; k < len && s[k] != ';'; k++) { /* void */ }

    api = sbx_api_find(s, k);

    if (api < 0) {
        return -1;
    }

    d->api = api;
    p = s + k;

    while (p < last) {
        p++;

        for (k = 0; p + k < last && p[k] != ';'; k++) { /* void */ }

        if (k == 6 && strncmp(p, "base64", 6) == 0) {
            d->base64 = 1;

        } else if (k > 7 && k - 7 < sizeof(hex)
                   && strncmp(p, "fields=", 7) == 0)
        {
            memcpy(hex, p + 7, k - 7);
            hex[k - 7] = '\0';

            d->fields = strtoull(hex, &end, 16);

            if (*end != '\0' || d->fields == 0) {
                return -1;
            }

        } else {
            return -1;
        }

        p += k;
    }

    return 0;
}


json_t *
sbx_dialect_error(const sbx_dialect_t *d, const sbx_error_t *err,
    const char *timestamp, int *status)
{
    *status = err->status;

    switch (d->api) {

    case SBX_API_PISTON:
        return sbx_piston_error(err, status);

    case SBX_API_JUDGE0:
        return sbx_judge0_error(err, status);

    default:
        return sbx_error_object(err, timestamp);
    }
}
