
/*
 * SBX/1 frames: the one wire format of the project (docs/protocol.md).
 *
 * This file and sbx_proto.c are plain C with no nginx and no runner
 * types, because three programs build them: the nginx module, the runner
 * and sandbox-init.  Nothing here allocates; parsed strings point into the
 * caller's buffer.
 */


#ifndef _SBX_PROTO_H_INCLUDED_
#define _SBX_PROTO_H_INCLUDED_


#include <stddef.h>


#define SBX_PROTO_OK           0
#define SBX_PROTO_ERROR       -1
#define SBX_PROTO_AGAIN       -2
#define SBX_PROTO_TOO_LARGE   -3

#define SBX_PROTO_MAGIC       "SBX/1"
#define SBX_PROTO_MAX_HEADER  1024
#define SBX_PROTO_MAX_ATTRS   16
#define SBX_PROTO_MAX_WORD    16
#define SBX_PROTO_MAX_KEY     32
#define SBX_PROTO_MAX_VALUE   256
#define SBX_PROTO_MAX_LENGTH  10          /* digits */


typedef struct {
    const char        *data;
    size_t             len;
} sbx_proto_str_t;


typedef struct {
    sbx_proto_str_t    key;
    sbx_proto_str_t    value;
} sbx_proto_attr_t;


typedef struct {
    size_t             header_len;        /* the header line with CRLF */
    size_t             body_len;
    unsigned           status;            /* word as a number, or 0 */
    unsigned           nattrs;
    sbx_proto_str_t    word;
    sbx_proto_attr_t   attrs[SBX_PROTO_MAX_ATTRS];
} sbx_proto_header_t;


/*
 * Parses the header line at the start of buf[0..len).  Returns
 * SBX_PROTO_OK with h filled in, SBX_PROTO_AGAIN when the line is not
 * complete yet, SBX_PROTO_TOO_LARGE when the body would exceed max_body,
 * and SBX_PROTO_ERROR for anything malformed.
 */
int sbx_proto_parse_header(const char *buf, size_t len, size_t max_body,
    sbx_proto_header_t *h);

/* The value of attribute key, or NULL. */
const sbx_proto_str_t *sbx_proto_attr(const sbx_proto_header_t *h,
    const char *key);

/* Whether s equals the NUL-terminated string lit. */
int sbx_proto_str_eq(const sbx_proto_str_t *s, const char *lit);

/*
 * Writes a header line into buf[0..size).  attrs may be NULL when nattrs
 * is 0; an attribute with a NULL value.data is skipped.  Returns the
 * number of bytes written (without a terminating NUL), or -1 when a word,
 * key or value is not valid or the line does not fit.
 */
int sbx_proto_write_header(char *buf, size_t size, const char *word,
    size_t body_len, const sbx_proto_attr_t *attrs, unsigned nattrs);


#endif /* _SBX_PROTO_H_INCLUDED_ */
