/*
 * pv_cred.h - the digest credentials of an Authorization or
 * Proxy-Authorization header (RFC 3261 22.4, RFC 2617 3.2.2), just the
 * parts $au, $ar and $ad need.  Pure: slices of the header value.
 */
#ifndef TD_PV_CRED_H
#define TD_PV_CRED_H

#include "core/str.h"

struct pv_cred {
	str_t username;     /* as sent, quotes removed ("alice@a.com")   */
	str_t realm;
	str_t user;         /* username up to its first '@'              */
	str_t domain;       /* username after its '@', else the realm     */
};

/*
 * Parses `Digest name=value, name="quoted", ...`.  0 with *c set, or -1
 * when the scheme is not Digest, the syntax is broken (unterminated
 * quote, a parameter without '=') or there is no username.  A quoted
 * value keeps its backslash escapes as written.
 */
int pv_cred_parse(str_t hdr, struct pv_cred *c);

#endif
