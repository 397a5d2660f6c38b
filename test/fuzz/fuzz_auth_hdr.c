/*
 * fuzz_auth_hdr.c - libFuzzer target for the Digest credentials parser
 * (modules/auth/auth_hdr.c).
 *
 * The input is an Authorization header value.  It is parsed from an
 * exact-size copy (so a read past the end is caught by the sanitizers)
 * and, besides what the sanitizers catch, the target aborts when
 *  - an accepted header lacks a required field, or has nc / cnonce /
 *    qop that do not agree, or a value outside the input and scratch;
 *  - an error comes without a message;
 *  - the credentials written back in canonical form (every value
 *    quoted and escaped) do not parse to the same values.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth_hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192

static void
require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_auth_hdr: %s\n", what);
		abort();
	}
}

static int
inside(const str_t *v, const char *base, size_t len)
{
	return v->s >= base && v->s + v->len <= base + len;
}

static void
check_ok(const struct auth_cred *c, const char *in, size_t len,
    const char *scratch)
{
	static const enum auth_param req[] = {
		AUTH_P_USERNAME, AUTH_P_REALM, AUTH_P_NONCE, AUTH_P_URI,
		AUTH_P_RESPONSE,
	};

	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		require(c->v[req[i]].s != NULL, "required field missing");
	require(c->v[AUTH_P_USERNAME].len > 0 && c->v[AUTH_P_NONCE].len > 0 &&
	    c->v[AUTH_P_URI].len > 0 && c->v[AUTH_P_RESPONSE].len > 0,
	    "required field empty");
	if (c->qop == AUTH_QOP_NONE)
		require(c->v[AUTH_P_NC].s == NULL &&
		    c->v[AUTH_P_CNONCE].s == NULL, "nc/cnonce without qop");
	else
		require(c->v[AUTH_P_NC].len == 8 &&
		    c->v[AUTH_P_CNONCE].s != NULL, "qop without nc/cnonce");
	for (int i = 0; i < AUTH_P_COUNT; i++)
		if (c->v[i].s != NULL)
			require(inside(&c->v[i], in, len) ||
			    inside(&c->v[i], scratch, len),
			    "value outside input and scratch");
}

/* Writes c as `Digest name="value", ...`; the length, or 0 if too big. */
static size_t
canonical(const struct auth_cred *c, char *out, size_t cap)
{
	size_t n = 0;

	n += (size_t)snprintf(out, cap, "Digest");
	for (int i = 0; i < AUTH_P_COUNT && n < cap; i++) {
		const str_t *v = &c->v[i];

		if (v->s == NULL)
			continue;
		n += (size_t)snprintf(out + n, cap - n, "%s %s=\"",
		    n > 6 ? "," : "", auth_param_name(i));
		for (size_t k = 0; k < v->len && n + 2 < cap; k++) {
			if (v->s[k] == '"' || v->s[k] == '\\')
				out[n++] = '\\';
			out[n++] = v->s[k];
		}
		if (n + 1 < cap)
			out[n++] = '"';
	}
	return n < cap ? n : 0;
}

static void
check_roundtrip(const struct auth_cred *c)
{
	static char text[4 * MAX_INPUT], scratch[4 * MAX_INPUT];
	struct auth_cred c2;
	char err[AUTH_HDR_ERR_LEN];
	size_t n = canonical(c, text, sizeof(text));

	if (n == 0)
		return;
	require(auth_hdr_parse(text, n, scratch, &c2, err) == AUTH_HDR_OK,
	    "canonical form rejected");
	require(c2.qop == c->qop && c2.nc == c->nc, "qop/nc changed");
	for (int i = 0; i < AUTH_P_COUNT; i++) {
		require((c->v[i].s == NULL) == (c2.v[i].s == NULL),
		    "presence changed");
		if (c->v[i].s != NULL)
			require(str_eq(&c->v[i], &c2.v[i]), "value changed");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];
	char *in, *scratch;
	int rc;

	if (size > MAX_INPUT)
		return 0;
	in = malloc(size ? size : 1);
	scratch = malloc(size ? size : 1);
	if (in == NULL || scratch == NULL)
		abort();
	if (size)
		memcpy(in, data, size);
	rc = auth_hdr_parse(in, size, scratch, &c, err);
	require(rc == AUTH_HDR_OK || rc == AUTH_HDR_ERROR ||
	    rc == AUTH_HDR_OTHER_SCHEME, "unknown return code");
	if (rc == AUTH_HDR_ERROR)
		require(err[0] != '\0' && memchr(err, '\0', AUTH_HDR_ERR_LEN),
		    "error without a message");
	if (rc == AUTH_HDR_OK) {
		check_ok(&c, in, size, scratch);
		check_roundtrip(&c);
	}
	free(in);
	free(scratch);
	return 0;
}
