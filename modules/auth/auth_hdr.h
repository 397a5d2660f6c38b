/*
 * auth_hdr.h - the Digest credentials of an Authorization or
 * Proxy-Authorization header value (RFC 2617 3.2.2, RFC 7616 3.4).
 *
 *   Digest username="Mufasa", realm="testrealm@host.com",
 *          nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html",
 *          qop=auth, nc=00000001, cnonce="0a4f113b",
 *          response="6629fae49393a05397450978507c4ef1",
 *          opaque="5ccc069c403ebaf9f0171e9517f40e41"
 *
 * The parser is pure: no allocation, no logging.  Parameter names are
 * case-insensitive, values are tokens or quoted-strings (backslash
 * escapes removed), blanks around '=' and ',' and empty list elements
 * are allowed.  It is strict where a lenient reading would let an
 * attacker pick among values: a parameter given twice, a required one
 * missing or empty, a malformed nc or qop is an error.  Parameters it
 * does not know are skipped.
 */
#ifndef TD_AUTH_HDR_H
#define TD_AUTH_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

enum auth_param {
	AUTH_P_USERNAME = 0,
	AUTH_P_REALM,
	AUTH_P_NONCE,
	AUTH_P_URI,
	AUTH_P_RESPONSE,
	AUTH_P_ALGORITHM,
	AUTH_P_CNONCE,
	AUTH_P_OPAQUE,
	AUTH_P_QOP,
	AUTH_P_NC,
	AUTH_P_USERHASH,
	AUTH_P_COUNT
};

enum auth_qop {
	AUTH_QOP_NONE = 0,      /* no qop: RFC 2069 compatible response */
	AUTH_QOP_AUTH,
	AUTH_QOP_AUTH_INT,
};

struct auth_cred {
	/* values with quotes and escapes removed; .s == NULL when absent */
	str_t          v[AUTH_P_COUNT];
	enum auth_qop  qop;
	uint32_t       nc;          /* 0 when absent                        */
};

enum auth_hdr_rc {
	AUTH_HDR_OK = 0,
	AUTH_HDR_OTHER_SCHEME = 1,  /* not Digest (Basic, Bearer...): skip it */
	AUTH_HDR_ERROR = -1,        /* malformed: err says why               */
};

#define AUTH_HDR_ERR_LEN 96

/*
 * Parses the header value s[0..len).  scratch must hold len bytes: the
 * unescaped quoted values are written there, the other values point
 * into s.  On AUTH_HDR_ERROR err (AUTH_HDR_ERR_LEN bytes) holds a
 * message such as "duplicate parameter 'nonce'".
 */
int auth_hdr_parse(const char *s, size_t len, char *scratch,
                   struct auth_cred *c, char *err);

/* "username", "realm", ... */
const char *auth_param_name(enum auth_param p);

#endif
