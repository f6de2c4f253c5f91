
/*
 * The listening socket nginx connects to (sbx_listen.c).
 */


#ifndef _SBX_LISTEN_H_INCLUDED_
#define _SBX_LISTEN_H_INCLUDED_


#include "sbx.h"


/*
 * Opens a non-blocking listening socket on addr, "unix:/path" or
 * "[tcp:]host:port", and returns it, or -1.  For a UNIX socket, path
 * (of size bytes) receives the file's name, which the caller removes
 * when it stops listening; otherwise path is "".
 */
int sbx_listen_open(const char *addr, char *path, size_t size);

/*
 * Whether addr may be listened on: plain TCP only on loopback (TLS,
 * from sbx_tls_init(), anywhere).  SBX_OK, or SBX_ERROR, logged.
 */
int sbx_listen_check(const char *addr);


#endif /* _SBX_LISTEN_H_INCLUDED_ */
