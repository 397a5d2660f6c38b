/*
 * sanity_auth.c - the shape of Digest credentials (see sanity_auth.h).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "sanity_auth.h"
#include "sanity_uri.h"

enum {
	P_USERNAME = 0,
	P_REALM,
	P_NONCE,
	P_URI,
	P_RESPONSE,
	P_QOP,
	P_CNONCE,
	P_NC,
	P_COUNT
};

static const char *const param_names[P_COUNT] = {
	"username", "realm", "nonce", "uri", "response", "qop", "cnonce", "nc",
};

static int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_lws(const char *p, const char *e)
{
	while (p < e && is_lws(*p))
		p++;
	return p;
}

static str_t
take_token(const char **pp, const char *e)
{
	const char *p = *pp;

	while (p < e && sanity_is_token_char(*p))
		p++;
	str_t t = str_make(*pp, (size_t)(p - *pp));
	*pp = p;
	return t;
}

/*
 * A parameter value: a quoted-string (*v without its quotes) or a run
 * of characters up to a blank or a comma (uri=sip:x is written bare by
 * some clients).  The position after it, or NULL on an open quote.
 */
static const char *
take_value(const char *p, const char *e, str_t *v)
{
	const char *s;

	if (p < e && *p == '"') {
		for (s = ++p; p < e && *p != '"'; p++)
			if (*p == '\\' && p + 1 < e)
				p++;
		if (p == e)
			return NULL;
		*v = str_make(s, (size_t)(p - s));
		return p + 1;
	}
	for (s = p; p < e && !is_lws(*p) && *p != ',' && *p != '"'; p++)
		;
	*v = str_make(s, (size_t)(p - s));
	return p;
}

static int
param_index(const str_t *name)
{
	for (int i = 0; i < P_COUNT; i++)
		if (name->len == strlen(param_names[i]) &&
		    strncasecmp(name->s, param_names[i], name->len) == 0)
			return i;
	return -1;
}

/*
 * Reads the name=value list into val[] (the first of a name counts;
 * .s == NULL when absent).  0, or -1 when it is not such a list.
 */
static int
read_params(const char *p, const char *e, str_t *val)
{
	for (;;) {
		str_t name = take_token(&p, e), v;
		int i;

		if (name.len == 0)
			return -1;
		p = skip_lws(p, e);
		if (p == e || *p != '=')
			return -1;
		if ((p = take_value(skip_lws(p + 1, e), e, &v)) == NULL)
			return -1;
		if ((i = param_index(&name)) >= 0 && val[i].s == NULL)
			val[i] = v;
		p = skip_lws(p, e);
		if (p == e)
			return 0;
		if (*p != ',')
			return -1;
		p = skip_lws(p + 1, e);
		if (p == e)
			return -1;      /* a trailing comma */
	}
}

int
sanity_auth_check(const str_t *value)
{
	const char *p = value->s, *e = value->s + value->len;
	str_t val[P_COUNT], scheme;

	memset(val, 0, sizeof(val));
	p = skip_lws(p, e);
	scheme = take_token(&p, e);
	/* a bare "Digest" is no credentials at all, as for Kamailio */
	if (!str_caseeq_cstr(&scheme, "Digest") || p == e || !is_lws(*p) ||
	    skip_lws(p, e) == e)
		return SANITY_AUTH_OTHER;
	if (read_params(skip_lws(p, e), e, val) < 0)
		return SANITY_AUTH_SYNTAX;
	for (int i = P_USERNAME; i <= P_RESPONSE; i++)
		if (val[i].s == NULL)
			return SANITY_AUTH_MISSING;
	/* with qop the response covers cnonce and nc (RFC 2617 3.2.2) */
	if (val[P_QOP].s != NULL &&
	    (val[P_CNONCE].s == NULL || val[P_NC].s == NULL))
		return SANITY_AUTH_MISSING;
	if (val[P_USERNAME].len == 0)
		return SANITY_AUTH_EMPTY_USER;
	if (val[P_NONCE].len == 0)
		return SANITY_AUTH_EMPTY_NONCE;
	if (val[P_RESPONSE].len == 0)
		return SANITY_AUTH_EMPTY_RESPONSE;
	return SANITY_AUTH_OK;
}
