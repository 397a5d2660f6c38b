/*
 * pv_uri.c - the URI and parameter-list parsing behind {uri.*} and
 * {param.*}: slices of the input, nothing copied.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pv_trans.h"

/* --- URIs ------------------------------------------------------------------ */

static int
pvt_host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* Checks a port text: 1..5 digits, at most 65535. */
static int
pvt_port_ok(str_t p)
{
	unsigned v = 0;

	if (p.len == 0 || p.len > 5)
		return 0;
	for (size_t i = 0; i < p.len; i++) {
		if (!isdigit((unsigned char)p.s[i]))
			return 0;
		v = v * 10 + (unsigned)(p.s[i] - '0');
	}
	return v <= 65535;
}

/* "host", "host:port", "[v6]", "[v6]:port" into u.  0 or -1. */
static int
pvt_hostport(str_t hp, struct pvt_uri *u)
{
	size_t i = 0;

	if (hp.len == 0)
		return -1;
	if (hp.s[0] == '[') {
		while (i < hp.len && hp.s[i] != ']') {
			if (i > 0 && !isxdigit((unsigned char)hp.s[i]) &&
			    hp.s[i] != ':' && hp.s[i] != '.')
				return -1;
			i++;
		}
		if (i == hp.len || i < 2)
			return -1;
		i++;
	} else {
		while (i < hp.len && hp.s[i] != ':') {
			if (!pvt_host_char(hp.s[i]))
				return -1;
			i++;
		}
		if (i == 0)
			return -1;
	}
	u->host = str_make(hp.s, i);
	if (i == hp.len)
		return 0;
	if (hp.s[i] != ':')
		return -1;
	u->port = str_make(hp.s + i + 1, hp.len - i - 1);
	return pvt_port_ok(u->port) ? 0 : -1;
}

/* rest = text after "tel:": the number, then ;params, then ?headers. */
static int
pvt_tel(str_t rest, struct pvt_uri *u)
{
	char *semi = memchr(rest.s, ';', rest.len);
	size_t n = semi ? (size_t)(semi - rest.s) : rest.len;

	if (n == 0)
		return -1;
	u->user = str_make(rest.s, n);
	if (semi != NULL)
		u->params = str_make(semi + 1, rest.len - n - 1);
	return 0;
}

static int
pvt_scheme_is(str_t s, const char *name)
{
	return s.len == strlen(name) && strncasecmp(s.s, name, s.len) == 0;
}

int
pvt_uri_parse(str_t in, struct pvt_uri *u)
{
	char *colon, *q, *at, *semi;
	str_t rest, ui, hp;

	memset(u, 0, sizeof(*u));
	colon = memchr(in.s, ':', in.len);
	if (colon == NULL)
		return -1;
	u->scheme = str_make(in.s, (size_t)(colon - in.s));
	rest = str_make(colon + 1, in.len - u->scheme.len - 1);
	q = memchr(rest.s, '?', rest.len);
	if (q != NULL) {
		u->headers = str_make(q + 1, rest.len - (size_t)(q - rest.s) - 1);
		rest.len = (size_t)(q - rest.s);
	}
	if (pvt_scheme_is(u->scheme, "tel") || pvt_scheme_is(u->scheme, "tels"))
		return pvt_tel(rest, u);
	if (!pvt_scheme_is(u->scheme, "sip") && !pvt_scheme_is(u->scheme, "sips"))
		return -1;
	/* the user part may carry ';' parameters of its own, so the '@' is
	 * looked for across them: sip:bob;npdi@host */
	at = memchr(rest.s, '@', rest.len);
	if (at != NULL) {
		ui = str_make(rest.s, (size_t)(at - rest.s));
		if (ui.len == 0)
			return -1;
		colon = memchr(ui.s, ':', ui.len);
		u->user = ui;
		if (colon != NULL) {
			u->user.len = (size_t)(colon - ui.s);
			u->passwd = str_make(colon + 1, ui.len - u->user.len - 1);
		}
		rest = str_make(at + 1, rest.len - ui.len - 1);
	}
	semi = memchr(rest.s, ';', rest.len);
	hp = str_make(rest.s, semi ? (size_t)(semi - rest.s) : rest.len);
	if (semi != NULL)
		u->params = str_make(semi + 1, rest.len - hp.len - 1);
	return pvt_hostport(hp, u);
}

/* --- parameter lists --------------------------------------------------------- */

/*
 * The next entry of *rest (up to delim outside double quotes), trimmed
 * and split at its first '='.  Returns 1 with *p set, 0 at the end.
 */
static int
pvt_param_next(str_t *rest, char delim, struct pvt_param *p)
{
	while (rest->len > 0) {
		size_t i = 0;
		int quoted = 0;
		str_t ent;
		char *eq;

		for (; i < rest->len; i++) {
			if (rest->s[i] == '"')
				quoted = !quoted;
			else if (rest->s[i] == delim && !quoted)
				break;
		}
		ent = str_make(rest->s, i);
		*rest = i < rest->len ? str_make(rest->s + i + 1,
		    rest->len - i - 1) : str_make(rest->s + i, 0);
		pvt_trim(&ent, 1, 1);
		if (ent.len == 0)
			continue;
		eq = memchr(ent.s, '=', ent.len);
		p->name = str_make(ent.s, eq ? (size_t)(eq - ent.s) : ent.len);
		p->value = eq ? str_make(eq + 1, ent.len - p->name.len - 1)
		    : str_make(ent.s + ent.len, 0);
		pvt_trim(&p->name, 1, 1);
		pvt_trim(&p->value, 1, 1);
		if (p->value.len >= 2 && p->value.s[0] == '"' &&
		    p->value.s[p->value.len - 1] == '"') {
			p->value.s++;
			p->value.len -= 2;
		}
		return 1;
	}
	return 0;
}

int
pvt_param_count(str_t list, char delim)
{
	struct pvt_param p;
	int n = 0;

	while (pvt_param_next(&list, delim, &p))
		n++;
	return n;
}

int
pvt_param_at(str_t list, char delim, long long idx, struct pvt_param *p)
{
	long long want = idx;

	if (idx < 0)
		want = pvt_param_count(list, delim) + idx;
	if (want < 0)
		return 0;
	while (pvt_param_next(&list, delim, p))
		if (want-- == 0)
			return 1;
	return 0;
}

int
pvt_param_find(str_t list, char delim, str_t name, str_t *value)
{
	struct pvt_param p;

	while (pvt_param_next(&list, delim, &p)) {
		if (p.name.len == name.len &&
		    strncasecmp(p.name.s, name.s, name.len) == 0) {
			*value = p.value;
			return 1;
		}
	}
	return 0;
}
