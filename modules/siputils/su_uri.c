/*
 * su_uri.c - SIP URI reading and comparison for siputils (su_uri.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "su_uri.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
su_uri_parse(const str_t *text, struct su_uri *u)
{
	const char *p = text->s, *e = text->s + text->len, *at, *h;

	memset(u, 0, sizeof(*u));
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - p >= 2 && *p == '<' && e[-1] == '>') {
		p++;
		e--;
	}
	if (e - p > 5 && strncasecmp(p, "sips:", 5) == 0) {
		u->secure = 1;
		p += 5;
	} else if (e - p > 4 && strncasecmp(p, "sip:", 4) == 0) {
		p += 4;
	} else {
		return -1;
	}
	/* a user part cannot hold a raw '@': the first one ends it */
	if ((at = memchr(p, '@', (size_t)(e - p))) != NULL) {
		const char *ue = p;

		while (ue < at && *ue != ':' && *ue != ';')
			ue++;
		u->user = str_make(p, (size_t)(ue - p));
		p = at + 1;
	}
	h = p;
	if (p < e && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		if (rb == NULL)
			return -1;
		p = rb + 1;
	} else {
		while (p < e && *p != ':' && *p != ';' && *p != '?')
			p++;
	}
	if (p == h)
		return -1;
	u->host = str_make(h, (size_t)(p - h));
	if (p < e && *p == ':') {
		int digits = 0;

		for (p++; p < e && is_digit(*p); p++, digits++) {
			u->port = u->port * 10 + (*p - '0');
			if (u->port > 65535)
				return -1;
		}
		if (digits == 0)
			return -1;
	}
	if (p < e && *p == ';') {
		const char *q = memchr(p, '?', (size_t)(e - p));
		const char *pe = q ? q : e;

		u->params = str_make(p, (size_t)(pe - p));
		p = pe;
	}
	if (p < e && *p == '?') {
		u->headers = str_make(p + 1, (size_t)(e - p - 1));
		p = e;
	}
	return p == e ? 0 : -1;
}

/* The next ";name[=value]" of params at *pos.  1 with name/value, 0 at
 * the end. */
static int
param_next(const str_t *params, size_t *pos, str_t *name, str_t *value)
{
	const char *s = params->s, *e = params->s + params->len;
	const char *p = s + *pos, *n, *ne, *v = NULL, *ve = NULL;

	while (p < e && *p == ';')
		p++;
	if (p >= e)
		return 0;
	for (n = p; p < e && *p != ';' && *p != '='; p++)
		;
	ne = p;
	if (p < e && *p == '=') {
		v = ++p;
		while (p < e && *p != ';')
			p++;
		ve = p;
	}
	*name = str_make(n, (size_t)(ne - n));
	*value = v ? str_make(v, (size_t)(ve - v)) : STR_NULL;
	*pos = (size_t)(p - s);
	return 1;
}

int
su_param_find(const str_t *params, const str_t *name, str_t *value)
{
	size_t pos = 0;
	str_t n, v;

	while (param_next(params, &pos, &n, &v) == 1)
		if (n.len == name->len &&
		    strncasecmp(n.s, name->s, n.len) == 0) {
			*value = v;
			return 1;
		}
	return 0;
}

int
su_is_e164(const str_t *s)
{
	if (s->len < 3 || s->len > 16 || s->s[0] != '+')
		return 0;
	for (size_t i = 1; i < s->len; i++)
		if (!is_digit(s->s[i]))
			return 0;
	return 1;
}

static int
str_ieq(const str_t *a, const str_t *b)
{
	return a->len == b->len && strncasecmp(a->s, b->s, a->len) == 0;
}

/* The parameters RFC 3261 19.1.4 says must match when either URI has
 * them. */
static int
param_special(const str_t *name)
{
	static const char *const names[] = { "user", "ttl", "method",
	    "maddr", "transport" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		str_t n = str_cstr(names[i]);

		if (str_ieq(name, &n))
			return 1;
	}
	return 0;
}

/* Every parameter of x that y must agree with (all: both sides hold
 * it; special: y must hold it too).  1 agree, 0 not. */
static int
params_agree(const str_t *x, const str_t *y)
{
	size_t pos = 0;
	str_t n, v, w;

	while (param_next(x, &pos, &n, &v) == 1) {
		if (su_param_find(y, &n, &w) == 0) {
			if (param_special(&n))
				return 0;
			continue;
		}
		if (!str_ieq(&v, &w))
			return 0;
	}
	return 1;
}

int
su_uri_cmp(const str_t *a, const str_t *b)
{
	struct su_uri x, y;

	if (su_uri_parse(a, &x) < 0 || su_uri_parse(b, &y) < 0)
		return -1;
	if (x.secure != y.secure || !str_eq(&x.user, &y.user) ||
	    !str_ieq(&x.host, &y.host) || x.port != y.port)
		return 0;
	return params_agree(&x.params, &y.params) &&
	    params_agree(&y.params, &x.params);
}

int
su_aor_cmp(const str_t *a, const str_t *b)
{
	struct su_uri x, y;
	int xp, yp;

	if (su_uri_parse(a, &x) < 0 || su_uri_parse(b, &y) < 0)
		return -1;
	xp = x.port ? x.port : (x.secure ? 5061 : 5060);
	yp = y.port ? y.port : (y.secure ? 5061 : 5060);
	return str_eq(&x.user, &y.user) && str_ieq(&x.host, &y.host) &&
	    xp == yp;
}

long
su_uri_add_param(const str_t *uri, const str_t *param, char *buf,
    size_t cap)
{
	struct su_uri u;
	size_t head, tail;
	const char *cut;

	if (su_uri_parse(uri, &u) < 0 || param->len == 0)
		return -1;
	/* before the headers, else at the end of the text as given */
	cut = u.headers.s ? u.headers.s - 1 : uri->s + uri->len;
	if (!u.headers.s)
		while (cut > uri->s && (cut[-1] == ' ' || cut[-1] == '\t' ||
		    cut[-1] == '>'))
			cut--;
	head = (size_t)(cut - uri->s);
	tail = uri->len - head;
	if (head + 1 + param->len + tail + 1 > cap)
		return -1;
	memcpy(buf, uri->s, head);
	buf[head] = ';';
	memcpy(buf + head + 1, param->s, param->len);
	memcpy(buf + head + 1 + param->len, cut, tail);
	buf[head + 1 + param->len + tail] = '\0';
	return (long)(head + 1 + param->len + tail);
}
