/*
 * fuzz_tls_profile.c - libFuzzer target for the tls module's profile
 * file parser (modules/tls/tls_profile.c).
 *
 * The input is a whole tls.cfg.  It is parsed from an exact-size copy
 * (a read past the end is caught by the sanitizers) and, besides what
 * the sanitizers catch, the target aborts when
 *  - an error comes without a message, or with a line number outside
 *    the input, or leaves profiles behind;
 *  - an accepted file yields a profile with an empty or NUL-holding
 *    string, an out-of-range number, two sections for the same role and
 *    domain, or one that tls_profile_find / tls_profile_default do not
 *    return;
 *  - the profiles written back in canonical form (every value quoted)
 *    do not parse to the same profiles.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sock.h"
#include "modules/tls/tls_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 65536

static void
require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_tls_profile: %s\n", what);
		abort();
	}
}

#define STRS(s) { (s)->certificate, (s)->private_key, (s)->ca_list, \
	(s)->crl, (s)->cipher_list, (s)->server_name }
static const char *const str_names[] = { "certificate", "private_key",
	"ca_list", "crl", "cipher_list", "server_name" };
#define NSTR 6

static void
check_profile(const struct tls_profiles *ps, size_t i)
{
	const struct tls_profile *p = &ps->v[i];
	const char *strs[NSTR] = STRS(&p->s);

	require(p->role == TLS_SERVER || p->role == TLS_CLIENT, "bad role");
	require(memchr(p->domain, '\0', sizeof(p->domain)) != NULL,
	    "domain not terminated");
	require(p->line >= 1, "profile without a line");
	for (int k = 0; k < NSTR; k++)
		require(strs[k] == NULL || strs[k][0] != '\0', "empty string");
	require(p->s.verify_certificate >= -1 && p->s.verify_certificate <= 1,
	    "verify_certificate out of range");
	require(p->s.require_certificate >= -1 &&
	    p->s.require_certificate <= 1, "require_certificate out of range");
	require(p->s.verify_depth >= -1 &&
	    p->s.verify_depth <= TLS_VERIFY_DEPTH_MAX, "depth out of range");
	for (size_t j = 0; j < i; j++) {
		const struct tls_profile *o = &ps->v[j];

		int same = o->role == p->role &&
		    o->is_default == p->is_default &&
		    (p->is_default || sock_addr_eq(&o->addr, &p->addr));

		require(!same, "duplicate section accepted");
	}
	if (p->is_default)
		require(tls_profile_default(ps, p->role) == p,
		    "default profile not found");
	else
		require(tls_profile_find(ps, p->role, &p->addr) == p,
		    "profile not found by its address");
}

static size_t
put(char *out, size_t cap, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (n + l < cap)
		memcpy(out + n, s, l);
	return n + l;
}

static size_t
put_quoted(char *out, size_t cap, size_t n, const char *key, const char *v)
{
	n = put(out, cap, n, key);
	n = put(out, cap, n, " = \"");
	for (; *v; v++) {
		char c[3] = { '\\', *v, '\0' };

		n = put(out, cap, n, (*v == '"' || *v == '\\') ? c : c + 1);
	}
	return put(out, cap, n, "\"\n");
}

/* The profiles as a file; its length, or 0 when it does not fit. */
static size_t
canonical(const struct tls_profiles *ps, char *out, size_t cap)
{
	size_t n = 0;
	char num[32];

	for (size_t i = 0; i < ps->n; i++) {
		const struct tls_profile *p = &ps->v[i];
		const char *strs[NSTR] = STRS(&p->s);

		n = put(out, cap, n, p->role == TLS_SERVER ? "[server:" :
		    "[client:");
		n = put(out, cap, n, p->domain);
		n = put(out, cap, n, "]\n");
		if (p->s.method != TLS_M_UNSET)
			n = put_quoted(out, cap, n, "method",
			    tls_method_name(p->s.method));
		for (int k = 0; k < NSTR; k++)
			if (strs[k])
				n = put_quoted(out, cap, n, str_names[k],
				    strs[k]);
		if (p->s.verify_certificate >= 0)
			n = put_quoted(out, cap, n, "verify_certificate",
			    p->s.verify_certificate ? "yes" : "no");
		if (p->s.require_certificate >= 0)
			n = put_quoted(out, cap, n, "require_certificate",
			    p->s.require_certificate ? "on" : "off");
		if (p->s.verify_depth >= 0) {
			snprintf(num, sizeof(num), "%d", p->s.verify_depth);
			n = put_quoted(out, cap, n, "verify_depth", num);
		}
	}
	return n < cap ? n : 0;
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void
check_roundtrip(const struct tls_profiles *ps)
{
	static char text[8 * MAX_INPUT];
	struct tls_profiles again;
	struct tls_perr err;
	size_t n = canonical(ps, text, sizeof(text));

	if (n == 0 && ps->n > 0)
		return;
	require(tls_profile_parse(text, n, &again, &err) == 0,
	    "canonical form rejected");
	require(again.n == ps->n, "profile count changed");
	for (size_t i = 0; i < ps->n; i++) {
		const struct tls_profile *a = &ps->v[i], *b = &again.v[i];
		const char *sa[NSTR] = STRS(&a->s), *sb[NSTR] = STRS(&b->s);

		require(a->role == b->role && a->is_default == b->is_default,
		    "role or default changed");
		require(a->is_default || sock_addr_eq(&a->addr, &b->addr),
		    "address changed");
		require(a->s.method == b->s.method &&
		    a->s.verify_certificate == b->s.verify_certificate &&
		    a->s.require_certificate == b->s.require_certificate &&
		    a->s.verify_depth == b->s.verify_depth, "value changed");
		for (int k = 0; k < NSTR; k++)
			require(same_str(sa[k], sb[k]), "string changed");
	}
	tls_profiles_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_profiles ps;
	struct tls_perr err;
	size_t lines = 1;
	char *in;
	int rc;

	if (size > MAX_INPUT)
		return 0;
	if ((in = malloc(size ? size : 1)) == NULL)
		abort();
	if (size)
		memcpy(in, data, size);
	for (size_t i = 0; i < size; i++)
		lines += in[i] == '\n';
	rc = tls_profile_parse(in, size, &ps, &err);
	require(rc == 0 || rc == -1, "unknown return code");
	if (rc == -1) {
		require(err.msg[0] != '\0' && memchr(err.msg, '\0',
		    sizeof(err.msg)) != NULL, "error without a message");
		require(err.line >= 1 && err.line <= lines,
		    "error line outside the input");
		require(ps.n == 0 && ps.v == NULL, "profiles left on error");
	} else {
		for (size_t i = 0; i < ps.n; i++)
			check_profile(&ps, i);
		check_roundtrip(&ps);
		tls_profiles_free(&ps);
	}
	free(in);
	return 0;
}
