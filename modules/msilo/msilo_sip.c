/*
 * msilo_sip.c - mailbox URIs and REGISTER contacts, on plain text (see
 * msilo_sip.h).  Written against RFC 3261 25.1 loosely: enough to find
 * the parts msilo needs without a full URI parser, never reading past
 * the given length.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "msilo_sip.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_blanks(const char **p, const char *end)
{
	while (*p < end && is_blank(**p))
		(*p)++;
}

/* Past a quoted string starting at *p (on the '"'); 0 or -1 unclosed. */
static int
skip_quoted(const char **p, const char *end)
{
	const char *q = *p + 1;

	while (q < end && *q != '"') {
		if (*q == '\\' && q + 1 < end)
			q++;
		q++;
	}
	if (q >= end)
		return -1;
	*p = q + 1;
	return 0;
}

/*
 * Finds the URI of a name-addr or addr-spec at *p; *p ends after it
 * (after '>' for a name-addr).  0 or -1.
 */
static int
scan_uri(const char **p, const char *end, str_t *uri)
{
	const char *q = *p, *lt = NULL, *s;

	skip_blanks(&q, end);
	/* a '<' before any ';' or ',' (outside quotes) makes a name-addr */
	for (s = q; s < end && *s != ';' && *s != ','; ) {
		if (*s == '"') {
			if (skip_quoted(&s, end) != 0)
				return -1;
			continue;
		}
		if (*s == '<') {
			lt = s;
			break;
		}
		s++;
	}
	if (lt != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(end - lt));

		if (gt == NULL)
			return -1;
		*uri = str_make(lt + 1, (size_t)(gt - lt - 1));
		str_trim(uri);
		*p = gt + 1;
		return uri->len ? 0 : -1;
	}
	for (s = q; s < end && *s != ';' && *s != ',' && !is_blank(*s); s++)
		;
	*uri = str_make(q, (size_t)(s - q));
	*p = s;
	return uri->len ? 0 : -1;
}

int
msilo_uri_of(const str_t *value, str_t *uri)
{
	const char *p;

	if (value == NULL || value->s == NULL)
		return -1;
	p = value->s;
	return scan_uri(&p, value->s + value->len, uri);
}

static int
scheme_len(const str_t *u)
{
	if (u->len >= 4 && strncasecmp(u->s, "sip:", 4) == 0)
		return 4;
	if (u->len >= 5 && strncasecmp(u->s, "sips:", 5) == 0)
		return 5;
	return -1;
}

int
msilo_uri_aor(const str_t *uri_in, str_t *user, str_t *host)
{
	str_t u = *uri_in;
	const char *p, *end, *at, *h, *he;
	int sl;

	str_trim(&u);
	if (u.len >= 2 && u.s[0] == '<' && u.s[u.len - 1] == '>') {
		u.s++;
		u.len -= 2;
	}
	if ((sl = scheme_len(&u)) < 0)
		return -1;
	p = u.s + sl;
	end = u.s + u.len;
	/* the headers part (?...) is never user or host */
	for (const char *q = p; q < end; q++)
		if (*q == '?') {
			end = q;
			break;
		}
	at = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '@') {
			at = q;
			break;
		}
	*user = STR_NULL;
	h = p;
	if (at != NULL) {
		const char *colon = memchr(p, ':', (size_t)(at - p));

		*user = str_make(p, (size_t)((colon ? colon : at) - p));
		h = at + 1;
	}
	if (h < end && *h == '[') {             /* IPv6 reference */
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return -1;
		he = rb + 1;
	} else {
		for (he = h; he < end && *he != ':' && *he != ';' &&
		    *he != '>' && !is_blank(*he); he++)
			;
	}
	if (he == h)
		return -1;
	*host = str_make(h, (size_t)(he - h));
	return 0;
}

int
msilo_is_aor(const str_t *uri)
{
	str_t user, host;

	return uri != NULL && uri->len > 0 &&
	    msilo_uri_aor(uri, &user, &host) == 0 && user.len > 0;
}

const str_t *
msilo_pick_owner(enum msilo_mode mode, const str_t *new_uri,
    const str_t *ruri, const str_t *to)
{
	if (mode == MSILO_MODE_NEW_URI && msilo_is_aor(new_uri))
		return new_uri;
	if (mode != MSILO_MODE_TO && msilo_is_aor(ruri))
		return ruri;
	return msilo_is_aor(to) ? to : NULL;
}

int
msilo_mode_parse(const str_t *s)
{
	if (s == NULL || s->len != 1 || s->s[0] < '0' || s->s[0] > '2')
		return -1;
	return s->s[0] - '0';
}

/* delta-seconds: digits only, clamped (RFC 3261 says 2**32-1 at most). */
static int
parse_delta(const char *p, const char *end, long long *out)
{
	long long v = 0;

	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		if (v < 4294967295LL)
			v = v * 10 + (*p - '0');
	}
	*out = v > 4294967295LL ? 4294967295LL : v;
	return 0;
}

int
msilo_expires_parse(const str_t *v, long long *out)
{
	str_t t = *v;

	str_trim(&t);
	return parse_delta(t.s, t.s + t.len, out);
}

/* The contact's parameters: ";name[=value]" up to ',' or the end. */
static int
scan_params(const char **pp, const char *end, long long *expires)
{
	const char *p = *pp;

	*expires = -1;
	for (;;) {
		const char *n, *ne, *v = NULL, *ve = NULL;

		skip_blanks(&p, end);
		if (p >= end || *p == ',')
			break;
		if (*p != ';')
			return -1;
		p++;
		skip_blanks(&p, end);
		for (n = p; p < end && *p != '=' && *p != ';' && *p != ',' &&
		    !is_blank(*p); p++)
			;
		ne = p;
		skip_blanks(&p, end);
		if (p < end && *p == '=') {
			p++;
			skip_blanks(&p, end);
			v = p;
			if (p < end && *p == '"') {
				if (skip_quoted(&p, end) != 0)
					return -1;
			} else {
				while (p < end && *p != ';' && *p != ',' &&
				    !is_blank(*p))
					p++;
			}
			ve = p;
		}
		if (ne - n == 7 && strncasecmp(n, "expires", 7) == 0) {
			if (v == NULL)
				return -1;
			if (ve - v >= 2 && *v == '"') {
				v++;
				ve--;
			}
			if (parse_delta(v, ve, expires) != 0)
				return -1;
		}
	}
	*pp = p;
	return 0;
}

int
msilo_contact_next(str_t *rest, struct msilo_contact *c)
{
	const char *p = rest->s, *end = rest->s + rest->len;

	memset(c, 0, sizeof(*c));
	c->expires = -1;
	if (p == NULL)
		return 0;
	skip_blanks(&p, end);
	while (p < end && *p == ',') {          /* empty list elements */
		p++;
		skip_blanks(&p, end);
	}
	if (p >= end) {
		*rest = str_make(end, 0);
		return 0;
	}
	if (*p == '*') {
		c->star = 1;
		p++;
	} else if (scan_uri(&p, end, &c->uri) != 0) {
		return -1;
	}
	if (scan_params(&p, end, &c->expires) != 0)
		return -1;
	if (p < end && *p == ',')
		p++;
	*rest = str_make(p, (size_t)(end - p));
	return 1;
}

int
msilo_register_target(const str_t *hdrs, int n, const str_t *expires,
    str_t *uri, const char **why)
{
	long long dflt = 1;     /* no Expires: the registrar's default (> 0) */
	int found = 0;

	*why = NULL;
	if (expires != NULL && msilo_expires_parse(expires, &dflt) != 0) {
		*why = "malformed Expires header";
		return -1;
	}
	for (int i = 0; i < n; i++) {
		str_t rest = hdrs[i];
		struct msilo_contact c;
		int rc;

		while ((rc = msilo_contact_next(&rest, &c)) == 1) {
			long long e = c.expires >= 0 ? c.expires : dflt;

			if (c.star)
				return 0;       /* "*" removes every binding */
			if (!found && e > 0) {
				*uri = c.uri;
				found = 1;
			}
		}
		if (rc < 0) {
			*why = "malformed Contact header";
			return -1;
		}
	}
	return found;
}
