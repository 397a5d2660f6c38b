/*
 * pv_misc.c - $au, $ar, $ad (from the request's digest credentials) and
 * $env(NAME).
 *
 * Which header holds the credentials: for REGISTER and PUBLISH the
 * Authorization header is looked at first, for other requests the
 * Proxy-Authorization header, then the other one, so that $au works
 * before www_authorize() and proxy_authorize() alike.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sip.h"
#include "core/xalloc.h"
#include "pv_cred.h"
#include "pv_mod.h"
#include "pv_trans.h"

enum pv_cred_part { PV_CRED_USER, PV_CRED_REALM, PV_CRED_DOMAIN };

/* The first parseable credentials of m; 0, or -1 when there are none. */
static int
pv_cred_of(struct msg *m, struct pv_cred *c)
{
	static const str_t auth = STR_LIT("Authorization");
	static const str_t proxy = STR_LIT("Proxy-Authorization");
	const str_t *order[2] = { &proxy, &auth };
	str_t method, v;

	if (m == NULL || m->kind != MSG_SIP_REQUEST || sip_parse(m) != 0)
		return -1;
	if (sip_method(m, &method) == 0 &&
	    (str_caseeq_cstr(&method, "REGISTER") ||
	    str_caseeq_cstr(&method, "PUBLISH"))) {
		order[0] = &auth;
		order[1] = &proxy;
	}
	for (int i = 0; i < 2; i++)
		if (sip_header(m, order[i], 0, &v) == 1 &&
		    pv_cred_parse(v, c) == 0)
			return 0;
	return -1;
}

static int
pv_cred_get(struct msg *m, enum pv_cred_part part, struct val *out)
{
	struct pv_cred c;

	val_set_null(out);
	if (pv_cred_of(m, &c) != 0)
		return 0;
	switch (part) {
	case PV_CRED_USER:
		val_set_str(out, c.user);
		break;
	case PV_CRED_REALM:
		val_set_str(out, c.realm);
		break;
	case PV_CRED_DOMAIN:
		val_set_str(out, c.domain);
		break;
	}
	/* a credentials header without a realm has no $ar */
	if (out->s.s == NULL)
		val_set_null(out);
	return 0;
}

int
pv_au_get(struct msg *m, void *compiled, struct val *out)
{
	return pv_cred_get(m, PV_CRED_USER, out);
}

int
pv_ar_get(struct msg *m, void *compiled, struct val *out)
{
	return pv_cred_get(m, PV_CRED_REALM, out);
}

int
pv_ad_get(struct msg *m, void *compiled, struct val *out)
{
	return pv_cred_get(m, PV_CRED_DOMAIN, out);
}

int
pv_env_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	str_t name = *inner;
	char *n;

	pvt_trim(&name, 1, 1);
	if (name.len == 0 || memchr(name.s, '=', name.len) != NULL) {
		diag_error(d, "$env() needs the name of an environment "
		    "variable");
		return -1;
	}
	n = xstrndup(name.s, name.len);
	if (n == NULL) {
		diag_error(d, "out of memory compiling $env()");
		return -1;
	}
	*compiled = n;
	return 0;
}

int
pv_env_get(struct msg *m, void *compiled, struct val *out)
{
	const char *e = getenv(compiled);
	str_t s;

	val_set_null(out);
	if (e == NULL)
		return 0;
	s = str_cstr(e);
	if (m != NULL && arena_str_dup(&m->arena, &s, &s) != 0)
		return -1;
	val_set_str(out, s);
	return 0;
}

void
pv_env_free(void *compiled)
{
	free(compiled);
}
