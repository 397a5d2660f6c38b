/*
 * sanity_auth.h - is an Authorization / Proxy-Authorization value a
 * complete set of Digest credentials (RFC 3261 22.4, RFC 2617 3.2.2)?
 *
 *   Digest username="alice", realm="example.com", nonce="8f1c",
 *          uri="sip:example.com", response="6629fae49393a053...",
 *          qop=auth, nc=00000001, cnonce="0a4f113b"
 *
 * Only the shape is judged, as Kamailio's sanity module does: the
 * parameters a server needs to verify the response are present and the
 * ones it keys on are not empty.  Whether the response is right is the
 * auth module's business.  Pure: no allocation, no logging.
 */
#ifndef TD_SANITY_AUTH_H
#define TD_SANITY_AUTH_H

#include "core/str.h"

enum sanity_auth_rc {
	SANITY_AUTH_OK = 0,
	SANITY_AUTH_OTHER,          /* not Digest credentials (Basic, ...) */
	SANITY_AUTH_SYNTAX,         /* not a list of name=value           */
	SANITY_AUTH_MISSING,        /* username, realm, nonce, uri or
	                             * response missing; cnonce or nc
	                             * missing with qop                   */
	SANITY_AUTH_EMPTY_USER,
	SANITY_AUTH_EMPTY_NONCE,
	SANITY_AUTH_EMPTY_RESPONSE,
};

/* Judges one header value.  Returns an enum sanity_auth_rc. */
int sanity_auth_check(const str_t *value);

#endif
