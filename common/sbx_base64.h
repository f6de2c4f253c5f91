
/*
 * Standard base64 (RFC 4648, with padding) for file contents and program
 * output.  Plain C, shared by the module, the runner and sandbox-init.
 */


#ifndef _SBX_BASE64_H_INCLUDED_
#define _SBX_BASE64_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


#define sbx_base64_encoded_len(n)  ((((n) + 2) / 3) * 4)
#define sbx_base64_decoded_len(n)  (((n) / 4) * 3)


/* Writes sbx_base64_encoded_len(len) bytes to dst, no NUL. */
size_t sbx_base64_encode(char *dst, const unsigned char *src, size_t len);

/*
 * Decodes src into dst (room for sbx_base64_decoded_len(len) bytes);
 * dst may be NULL to only validate.  Returns the decoded length, or -1
 * when src is not canonical padded base64.
 */
ssize_t sbx_base64_decode(unsigned char *dst, const char *src, size_t len);


#endif /* _SBX_BASE64_H_INCLUDED_ */
