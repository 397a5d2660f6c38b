/*
 * auth_challenge.h - the text of a Digest challenge header (RFC 2617
 * 3.2.1, RFC 7616 3.3), laid out as Kamailio 5.6 writes it:
 *
 *   WWW-Authenticate: Digest realm="example.com",
 *       nonce="EABlU_EA...", qop="auth", stale=true, algorithm=SHA-256
 *
 * on one line ending in CRLF; qop, stale and algorithm only when set.
 * Pure: no module API.
 */
#ifndef TD_AUTH_CHALLENGE_H
#define TD_AUTH_CHALLENGE_H

#include <stddef.h>

#include "core/str.h"
#include "auth_hdr.h"

struct auth_chal {
	int            proxy;       /* Proxy-Authenticate (407)         */
	str_t          realm;
	const char    *nonce;       /* NUL-terminated                   */
	enum auth_qop  qop;         /* AUTH_QOP_NONE: no qop parameter  */
	int            stale;
	const char    *algorithm;   /* NULL: no algorithm parameter     */
};

/*
 * Writes the header line (name, value, CRLF) to out, NUL-terminated.
 * Returns its length, or -1 when it does not fit in cap bytes or the
 * realm holds a control character (it would break the header).
 */
int auth_challenge_format(const struct auth_chal *c, char *out, size_t cap);

#endif
