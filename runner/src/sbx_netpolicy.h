
/*
 * The address policy of outbound connections (sbx_netpolicy.c).
 */


#ifndef _SBX_NETPOLICY_H_INCLUDED_
#define _SBX_NETPOLICY_H_INCLUDED_


#include <sys/socket.h>


/*
 * Reads the built-in refused networks and the operator's allow-list
 * ("a.b.c.d/n, x::y/n, ...", or NULL).  Before any thread starts.
 */
int sbx_netpolicy_init(const char *allow);

/*
 * Whether a connection may go to sa; if not, *why is the refused network
 * it is in, or NULL for an address of this host.
 */
int sbx_netpolicy_allowed(const struct sockaddr *sa, const char **why);


#endif /* _SBX_NETPOLICY_H_INCLUDED_ */
