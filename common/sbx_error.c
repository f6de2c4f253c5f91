
/*
 * The API's error object (see sbx_error.h).
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sbx_error.h"


static void sbx_error_trim_utf8(char *s);
static json_t *sbx_error_string(const char *s);


void
sbx_error_set(sbx_error_t *err, int status, const char *code,
    const char *field, const char *fmt, ...)
{
    va_list  args;

    err->status = status;

    snprintf(err->code, sizeof(err->code), "%s", code);
    snprintf(err->field, sizeof(err->field), "%s", field);

    va_start(args, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, args);
    va_end(args);

    /* truncation must not leave half a character: JSON needs UTF-8 */

    sbx_error_trim_utf8(err->field);
    sbx_error_trim_utf8(err->message);
}


json_t *
sbx_error_object(const sbx_error_t *err, const char *timestamp)
{
    json_t  *e;

    e = json_pack("{s:o, s:o*, s:o, s:s}",
                  "code", sbx_error_string(err->code),
                  "field", err->field[0] ? sbx_error_string(err->field)
                                         : NULL,
                  "message", sbx_error_string(err->message),
                  "timestamp", timestamp);

    return e ? json_pack("{s:o}", "error", e) : NULL;
}


static void
sbx_error_trim_utf8(char *s)
{
    size_t          n, k, need;
    unsigned char   c;

    n = strlen(s);

    /* back over continuation bytes to the last lead byte */

    for (k = 0; k < 4 && k < n; k++) {
        c = (unsigned char) s[n - 1 - k];

        if ((c & 0xc0) != 0x80) {
            break;
        }
    }

    if (k == n) {
        return;
    }

    c = (unsigned char) s[n - 1 - k];

    need = (c < 0x80) ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                           : (c & 0xf8) == 0xf0 ? 3 : 0;

    if (c >= 0x80 && need != k) {
        s[n - 1 - k] = '\0';
    }
}


/*
 * A message may quote what it refuses (jansson quotes the bad token of
 * malformed JSON): bytes that are not UTF-8 become '?'.
 */

static json_t *
sbx_error_string(const char *s)
{
    char     buf[256];
    size_t   i;
    json_t  *v;

    v = json_string(s);

    if (v != NULL) {
        return v;
    }

    snprintf(buf, sizeof(buf), "%s", s);

    for (i = 0; buf[i]; i++) {
        if ((unsigned char) buf[i] >= 0x80) {
            buf[i] = '?';
        }
    }

    return json_string(buf);
}
