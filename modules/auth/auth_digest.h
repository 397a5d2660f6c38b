/*
 * auth_digest.h - the Digest arithmetic of RFC 2617 3.2.2 and RFC 7616
 * 3.4.1-3.4.3, for MD5, MD5-sess, SHA-256 and SHA-256-sess:
 *
 *   HA1      = H(username ":" realm ":" password)
 *   HA1-sess = H(HA1 ":" nonce ":" cnonce)
 *   HA2      = H(method ":" digest-uri)                   qop none/auth
 *   HA2      = H(method ":" digest-uri ":" H(body))       qop auth-int
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
 *   response = H(HA1 ":" nonce ":" HA2)                   no qop (RFC 2069)
 *
 * H() is the lowercase hex of the hash.  Pure: no module API, no state.
 */
#ifndef TD_AUTH_DIGEST_H
#define TD_AUTH_DIGEST_H

#include <stddef.h>

#include "core/str.h"
#include "auth_hdr.h"

enum auth_alg {
	AUTH_ALG_MD5 = 0,
	AUTH_ALG_MD5_SESS,
	AUTH_ALG_SHA256,
	AUTH_ALG_SHA256_SESS,
};

#define AUTH_HEX_MAX 64     /* SHA-256 in hex */

/* The algorithm named name (case-insensitive), 0; -1 if unknown. */
int auth_alg_parse(const str_t *name, enum auth_alg *out);
/* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" */
const char *auth_alg_name(enum auth_alg a);
/* 32 or 64: the hex length of the algorithm's hashes */
size_t auth_alg_hex_len(enum auth_alg a);
/* The algorithm without -sess. */
enum auth_alg auth_alg_base(enum auth_alg a);

/* What the response is computed from. */
struct auth_digest_in {
	enum auth_alg  alg;
	str_t          username;
	str_t          realm;
	str_t          secret;      /* the password, or HA1 in hex     */
	int            secret_is_ha1;
	str_t          nonce;
	str_t          cnonce;
	str_t          nc;          /* the 8 hex digits as sent         */
	enum auth_qop  qop;
	str_t          method;
	str_t          uri;
	str_t          body;        /* for auth-int                     */
};

/*
 * Writes H(s) of the algorithm's hash in lowercase hex, NUL-terminated,
 * to out (AUTH_HEX_MAX + 1 bytes).  0, or -1 when the hash fails.
 */
int auth_hash_hex(enum auth_alg a, const str_t *s, char *out);

/*
 * The expected response for in, in lowercase hex (NUL-terminated) in
 * out (AUTH_HEX_MAX + 1 bytes).  Returns 0, or -1 when a hash fails or
 * a given HA1 is not hex of the algorithm's length.
 */
int auth_digest_response(const struct auth_digest_in *in, char *out);

/*
 * Compares a response from the wire (any hex case) with the expected
 * lowercase one in time that does not depend on where they differ.
 * 1 when equal.
 */
int auth_digest_equal(const str_t *got, const char *want);

#endif
