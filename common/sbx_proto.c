
/*
 * SBX/1 frame headers.
 *
 * The parser is a strict left-to-right scan of one line: it never reads
 * past len, never past SBX_PROTO_MAX_HEADER, and rejects anything that is
 * not exactly the grammar of docs/protocol.md, because the runner must
 * survive any byte sequence on its socket.
 */


#include <string.h>

#include "sbx_proto.h"


static int sbx_proto_is_word(int c);
static int sbx_proto_is_key(int c);
static int sbx_proto_is_value(int c);


int
sbx_proto_parse_header(const char *buf, size_t len, size_t max_body,
    sbx_proto_header_t *h)
{
    size_t       i, n, d, start, magic;
    unsigned     digits;
    const char  *eol;

    magic = sizeof(SBX_PROTO_MAGIC) - 1;

    /* reject garbage early, before a whole line has arrived */

    n = len < magic ? len : magic;

    if (memcmp(buf, SBX_PROTO_MAGIC, n) != 0) {
        return SBX_PROTO_ERROR;
    }

    n = len < SBX_PROTO_MAX_HEADER ? len : SBX_PROTO_MAX_HEADER;

    eol = memchr(buf, '\n', n);

    if (eol == NULL) {
        return len < SBX_PROTO_MAX_HEADER ? SBX_PROTO_AGAIN : SBX_PROTO_ERROR;
    }

    n = eol - buf;                         /* offset of LF */

    if (n < magic + 1 || buf[n - 1] != '\r') {
        return SBX_PROTO_ERROR;
    }

    n--;                                   /* offset of CR: end of line */

    memset(h, 0, sizeof(sbx_proto_header_t));
    h->header_len = n + 2;

    i = magic;

    /* word */

    if (i >= n || buf[i++] != ' ') {
        return SBX_PROTO_ERROR;
    }

    start = i;

    while (i < n && sbx_proto_is_word((unsigned char) buf[i])) {
        i++;
    }

    if (i == start || i - start > SBX_PROTO_MAX_WORD) {
        return SBX_PROTO_ERROR;
    }

    h->word.data = buf + start;
    h->word.len = i - start;

    if (h->word.len == 3
        && buf[start] >= '1' && buf[start] <= '5'
        && buf[start + 1] >= '0' && buf[start + 1] <= '9'
        && buf[start + 2] >= '0' && buf[start + 2] <= '9')
    {
        h->status = (buf[start] - '0') * 100 + (buf[start + 1] - '0') * 10
                    + (buf[start + 2] - '0');
    }

    /* length */

    if (i >= n || buf[i++] != ' ') {
        return SBX_PROTO_ERROR;
    }

    digits = 0;

    while (i < n && buf[i] >= '0' && buf[i] <= '9') {

        if (++digits > SBX_PROTO_MAX_LENGTH) {
            return SBX_PROTO_ERROR;
        }

        d = buf[i++] - '0';

        if (h->body_len > max_body / 10 || h->body_len * 10 + d > max_body) {
            return SBX_PROTO_TOO_LARGE;
        }

        h->body_len = h->body_len * 10 + d;
    }

    if (digits == 0) {
        return SBX_PROTO_ERROR;
    }

    /* attributes */

    while (i < n) {

        if (buf[i++] != ' ' || h->nattrs == SBX_PROTO_MAX_ATTRS) {
            return SBX_PROTO_ERROR;
        }

        start = i;

        while (i < n && sbx_proto_is_key((unsigned char) buf[i])) {
            i++;
        }

        if (i == start || i - start > SBX_PROTO_MAX_KEY
            || i >= n || buf[i] != '=')
        {
            return SBX_PROTO_ERROR;
        }

        h->attrs[h->nattrs].key.data = buf + start;
        h->attrs[h->nattrs].key.len = i - start;

        start = ++i;

        while (i < n && sbx_proto_is_value((unsigned char) buf[i])) {
            i++;
        }

        if (i == start || i - start > SBX_PROTO_MAX_VALUE) {
            return SBX_PROTO_ERROR;
        }

        h->attrs[h->nattrs].value.data = buf + start;
        h->attrs[h->nattrs].value.len = i - start;
        h->nattrs++;
    }

    return SBX_PROTO_OK;
}


const sbx_proto_str_t *
sbx_proto_attr(const sbx_proto_header_t *h, const char *key)
{
    unsigned  i;

    for (i = 0; i < h->nattrs; i++) {
        if (sbx_proto_str_eq(&h->attrs[i].key, key)) {
            return &h->attrs[i].value;
        }
    }

    return NULL;
}


int
sbx_proto_str_eq(const sbx_proto_str_t *s, const char *lit)
{
    size_t  n;

    n = strlen(lit);

    return s->len == n && memcmp(s->data, lit, n) == 0;
}


int
sbx_proto_write_header(char *buf, size_t size, const char *word,
    size_t body_len, const sbx_proto_attr_t *attrs, unsigned nattrs)
{
    char      digits[24];
    size_t    i, n, len;
    unsigned  a;

#define sbx_proto_put(p, l)                                                 \
    if (len + (l) > size) {                                                 \
        return -1;                                                          \
    }                                                                       \
    memcpy(buf + len, p, l);                                                \
    len += l

    len = 0;

    n = strlen(word);

    if (n == 0 || n > SBX_PROTO_MAX_WORD) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (!sbx_proto_is_word((unsigned char) word[i])) {
            return -1;
        }
    }

    sbx_proto_put(SBX_PROTO_MAGIC " ", sizeof(SBX_PROTO_MAGIC));
    sbx_proto_put(word, n);

    /* the length, written backwards */

    i = sizeof(digits);

    do {
        digits[--i] = (char) ('0' + body_len % 10);
        body_len /= 10;
    } while (body_len);

    digits[--i] = ' ';

    sbx_proto_put(digits + i, sizeof(digits) - i);

    for (a = 0; a < nattrs; a++) {

        if (attrs[a].value.data == NULL) {
            continue;
        }

        if (attrs[a].key.len == 0 || attrs[a].key.len > SBX_PROTO_MAX_KEY
            || attrs[a].value.len == 0
            || attrs[a].value.len > SBX_PROTO_MAX_VALUE)
        {
            return -1;
        }

        for (i = 0; i < attrs[a].key.len; i++) {
            if (!sbx_proto_is_key((unsigned char) attrs[a].key.data[i])) {
                return -1;
            }
        }

        for (i = 0; i < attrs[a].value.len; i++) {
            if (!sbx_proto_is_value((unsigned char) attrs[a].value.data[i])) {
                return -1;
            }
        }

        sbx_proto_put(" ", 1);
        sbx_proto_put(attrs[a].key.data, attrs[a].key.len);
        sbx_proto_put("=", 1);
        sbx_proto_put(attrs[a].value.data, attrs[a].value.len);
    }

    sbx_proto_put("\r\n", 2);

#undef sbx_proto_put

    return len > SBX_PROTO_MAX_HEADER ? -1 : (int) len;
}


static int
sbx_proto_is_word(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '_';
}


static int
sbx_proto_is_key(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || c == '-' || c == '_';
}


static int
sbx_proto_is_value(int c)
{
    return c >= 0x21 && c <= 0x7e;
}
