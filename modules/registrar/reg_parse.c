/*
 * reg_parse.c - Contact, Expires, q and AOR parsing for the registrar
 * (RFC 3261 §20.10, §20.19, §10.3).  Pure: pointers into the input,
 * errors as text for the caller to log.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reg_parse.h"

/* --- small scanners ----------------------------------------------------- */

struct scan {
	const char  *p, *end;
};

static void
skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\r' || *sc->p == '\n'))
		sc->p++;
}

/* RFC 3261 token characters. */
static int
is_token(int c)
{
	return isalnum(c) || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

static enum reg_perr
perr(enum reg_perr e, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

/* A quoted string starting at sc->p ('"'); moves past it.  0 or -1. */
static int
skip_quoted(struct scan *sc)
{
	sc->p++;
	while (sc->p < sc->end) {
		if (*sc->p == '\\') {
			sc->p += 2;
			continue;
		}
		if (*sc->p++ == '"')
			return 0;
	}
	return -1;
}

/* A URI scheme "x:" is required of a contact. */
static int
has_scheme(const str_t *uri)
{
	size_t i = 0;

	if (uri->len == 0 || !isalpha((unsigned char)uri->s[0]))
		return 0;
	while (i < uri->len && (isalnum((unsigned char)uri->s[i]) ||
	    uri->s[i] == '+' || uri->s[i] == '-' || uri->s[i] == '.'))
		i++;
	return i < uri->len && uri->s[i] == ':' && i + 1 < uri->len;
}

/* --- one contact's parameters ------------------------------------------ */

static enum reg_perr
contact_param(const str_t *name, const str_t *val, int has_val,
    struct reg_contact *c, char *err, size_t errlen)
{
	long long n;

	if (name->len == 7 && strncasecmp(name->s, "expires", 7) == 0) {
		if (!has_val || reg_parse_expires(val, &n) == -1)
			return perr(REG_PE_EXPIRES, err, errlen, "bad expires "
			    "parameter '%.*s'", STR_FMT(val));
		c->expires = n;
	} else if (name->len == 1 && (name->s[0] == 'q' || name->s[0] == 'Q')) {
		if (!has_val || reg_parse_q(val, &c->q) == -1)
			return perr(REG_PE_Q, err, errlen, "bad q parameter "
			    "'%.*s'", STR_FMT(val));
	} else if (name->len == 13 &&
	    strncasecmp(name->s, "+sip.instance", 13) == 0) {
		c->instance = has_val ? *val : STR_NULL;
	} else if (name->len == 6 && strncasecmp(name->s, "reg-id", 6) == 0) {
		if (!has_val || str_to_ll(val, &n) == -1 || n < 1 ||
		    n > 0x7fffffff)
			return perr(REG_PE_REGID, err, errlen, "bad reg-id "
			    "parameter '%.*s'", STR_FMT(val));
		c->reg_id = (int)n;
	} else if (name->len == 7 && strncasecmp(name->s, "methods", 7) == 0 &&
	    has_val) {
		/* the RFC 3840 feature tag: a quoted list, or one token */
		c->methods = *val;
		if (c->methods.len >= 2 && c->methods.s[0] == '"') {
			c->methods.s++;
			c->methods.len -= 2;
		}
		c->has_methods = 1;
	}
	return REG_PE_OK;
}

/* ;name[=value] ... up to ',' or the end. */
static enum reg_perr
contact_params(struct scan *sc, struct reg_contact *c, char *err,
    size_t errlen)
{
	for (;;) {
		str_t name, val = STR_NULL;
		const char *s;
		int has_val = 0;
		enum reg_perr e;

		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p == ',')
			return REG_PE_OK;
		if (*sc->p != ';')
			return perr(REG_PE_CONTACT, err, errlen, "unexpected "
			    "'%c' after the contact URI", *sc->p);
		sc->p++;
		skip_ws(sc);
		for (s = sc->p; sc->p < sc->end && is_token(*sc->p); sc->p++)
			;
		name = str_make(s, (size_t)(sc->p - s));
		if (name.len == 0)
			return perr(REG_PE_CONTACT, err, errlen, "empty contact "
			    "parameter name");
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == '=') {
			sc->p++;
			skip_ws(sc);
			s = sc->p;
			has_val = 1;
			if (sc->p < sc->end && *sc->p == '"') {
				if (skip_quoted(sc) == -1)
					return perr(REG_PE_CONTACT, err, errlen,
					    "unterminated quoted parameter");
			} else {
				while (sc->p < sc->end && (is_token(*sc->p) ||
				    strchr(":[]/@", *sc->p)))
					sc->p++;
			}
			val = str_make(s, (size_t)(sc->p - s));
		}
		if ((e = contact_param(&name, &val, has_val, c, err, errlen)) !=
		    REG_PE_OK)
			return e;
	}
}

/* name-addr or addr-spec; sets c->uri. */
static enum reg_perr
contact_uri(struct scan *sc, struct reg_contact *c, char *err, size_t errlen)
{
	const char *s = sc->p, *lt = NULL;

	if (*sc->p == '"') {
		if (skip_quoted(sc) == -1)
			return perr(REG_PE_CONTACT, err, errlen, "unterminated "
			    "display name");
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '<')
			return perr(REG_PE_CONTACT, err, errlen, "'<' expected "
			    "after the display name");
		lt = sc->p;
	} else {
		/* a '<' before any ',' or ';' makes it a name-addr */
		for (const char *q = sc->p; q < sc->end && *q != ',' &&
		    *q != ';'; q++)
			if (*q == '<') {
				lt = q;
				break;
			}
	}
	if (lt != NULL) {
		const char *gt = memchr(lt, '>', (size_t)(sc->end - lt));

		if (gt == NULL)
			return perr(REG_PE_CONTACT, err, errlen, "'>' missing");
		c->uri = str_make(lt + 1, (size_t)(gt - lt - 1));
		sc->p = gt + 1;
	} else {
		while (sc->p < sc->end && *sc->p != ';' && *sc->p != ',' &&
		    *sc->p != ' ' && *sc->p != '\t' && *sc->p != '\r' &&
		    *sc->p != '\n')
			sc->p++;
		c->uri = str_make(s, (size_t)(sc->p - s));
	}
	str_trim(&c->uri);
	if (!has_scheme(&c->uri))
		return perr(REG_PE_CONTACT, err, errlen, "'%.*s' is not a URI",
		    STR_FMT(&c->uri));
	return REG_PE_OK;
}

enum reg_perr
reg_parse_contacts(const str_t *body, struct reg_contact *v, int max, int *n,
    int *star, char *err, size_t errlen)
{
	struct scan sc = { body->s, body->s + body->len };
	enum reg_perr e;

	err[0] = '\0';
	skip_ws(&sc);
	if (sc.p < sc.end && *sc.p == '*') {
		sc.p++;
		skip_ws(&sc);
		if (sc.p != sc.end)
			return perr(REG_PE_CONTACT, err, errlen, "text after "
			    "'*'");
		*star = 1;
		return REG_PE_OK;
	}
	for (;;) {
		struct reg_contact c = { .expires = REG_NO_EXP, .q = REG_NO_Q };

		skip_ws(&sc);
		if (sc.p >= sc.end)
			return perr(REG_PE_CONTACT, err, errlen, "empty contact");
		if ((e = contact_uri(&sc, &c, err, errlen)) != REG_PE_OK ||
		    (e = contact_params(&sc, &c, err, errlen)) != REG_PE_OK)
			return e;
		if (*n >= max)
			return perr(REG_PE_TOO_MANY, err, errlen, "more than %d "
			    "contacts", max);
		v[(*n)++] = c;
		if (sc.p >= sc.end)
			return REG_PE_OK;
		sc.p++;         /* the ',' */
	}
}

/* --- Expires and q ------------------------------------------------------- */

int
reg_parse_expires(const str_t *s, long long *out)
{
	str_t t = *s;
	long long n = 0;

	str_trim(&t);
	if (t.len == 0)
		return -1;
	for (size_t i = 0; i < t.len; i++) {
		if (!isdigit((unsigned char)t.s[i]))
			return -1;
		if (n <= REG_MAX_EXP)
			n = n * 10 + (t.s[i] - '0');
	}
	*out = n > REG_MAX_EXP ? REG_MAX_EXP : n;
	return 0;
}

int
reg_parse_q(const str_t *s, int *out)
{
	str_t t = *s;
	int q, scale = 100;

	str_trim(&t);
	if (t.len == 0 || (t.s[0] != '0' && t.s[0] != '1'))
		return -1;
	q = (t.s[0] - '0') * 1000;
	if (t.len == 1) {
		*out = q;
		return 0;
	}
	if (t.s[1] != '.' || t.len > 5)
		return -1;
	for (size_t i = 2; i < t.len; i++, scale /= 10) {
		if (!isdigit((unsigned char)t.s[i]))
			return -1;
		q += (t.s[i] - '0') * scale;
	}
	if (q > 1000)
		return -1;
	*out = q;
	return 0;
}

int
reg_print_q(int q, char *buf, size_t len)
{
	char frac[8];
	int n;

	if (q >= 1000 || q <= 0)
		return snprintf(buf, len, "%d", q >= 1000 ? 1 : 0);
	snprintf(frac, sizeof(frac), "%03d", q);
	for (n = 3; n > 1 && frac[n - 1] == '0'; n--)
		;
	frac[n] = '\0';
	return snprintf(buf, len, "0.%s", frac);
}

/* --- URIs and the AOR --------------------------------------------------- */

int
reg_parse_uri(const str_t *uri, struct reg_uri *out)
{
	const char *p = uri->s, *end = uri->s + uri->len, *colon, *at, *h;
	const char *hend;

	memset(out, 0, sizeof(*out));
	if ((colon = memchr(p, ':', uri->len)) == NULL || colon == p)
		return -1;
	out->scheme = str_make(p, (size_t)(colon - p));
	p = colon + 1;
	/* the user part ends at the last '@' before any ';' or '?' */
	at = NULL;
	for (const char *q = p; q < end && *q != ';' && *q != '?'; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		const char *pw = memchr(p, ':', (size_t)(at - p));

		out->user = str_make(p, (size_t)((pw ? pw : at) - p));
		p = at + 1;
	}
	h = p;
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return -1;
		p = rb + 1;
	} else {
		while (p < end && *p != ':' && *p != ';' && *p != '?')
			p++;
	}
	hend = p;
	out->host = str_make(h, (size_t)(hend - h));
	if (out->host.len == 0)
		return -1;
	if (p < end && *p == ':') {
		int port = 0;

		p++;
		if (p >= end || !isdigit((unsigned char)*p))
			return -1;
		while (p < end && isdigit((unsigned char)*p)) {
			port = port * 10 + (*p++ - '0');
			if (port > 65535)
				return -1;
		}
		out->port = port;
	}
	if (p < end && *p == ';') {
		const char *q = memchr(p, '?', (size_t)(end - p));

		out->params = str_make(p + 1, (size_t)((q ? q : end) - p - 1));
	} else if (p < end && *p != '?') {
		return -1;
	}
	return 0;
}

int
reg_uri_param(const str_t *params, const char *name, str_t *value)
{
	str_t rest = *params, tok;
	size_t nl = strlen(name);

	while (str_token(&rest, ';', &tok)) {
		char *eq = str_chr(&tok, '=');
		str_t n = eq ? str_make(tok.s, (size_t)(eq - tok.s)) : tok;

		str_trim(&n);
		if (n.len == nl && strncasecmp(n.s, name, nl) == 0) {
			*value = eq ? str_make(eq + 1, (size_t)(tok.s + tok.len -
			    eq - 1)) : STR_NULL;
			str_trim(value);
			return 1;
		}
	}
	return 0;
}

static int
hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
reg_aor_build(const str_t *to_uri, int use_domain, int case_sensitive,
    const char *realm_prefix, char *buf, size_t len, const char **err)
{
	struct reg_uri u;
	str_t host;
	size_t n = 0, pl;

	*err = "Error while parsing AOR";
	if (reg_parse_uri(to_uri, &u) == -1)
		return -1;
	if (u.user.len == 0 && !use_domain)
		return -1;
	for (size_t i = 0; i < u.user.len; i++) {
		int c = (unsigned char)u.user.s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= u.user.len || (hi = hexval(
			    (unsigned char)u.user.s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)u.user.s[i + 2])) < 0) {
				*err = "Error while unescaping username";
				return -1;
			}
			c = hi * 16 + lo;
			i += 2;
		}
		if (n + 1 >= len)
			goto too_long;
		buf[n++] = (char)(case_sensitive ? c : tolower(c));
	}
	if (use_domain) {
		host = u.host;
		pl = realm_prefix ? strlen(realm_prefix) : 0;
		if (pl > 0 && host.len > pl &&
		    strncasecmp(host.s, realm_prefix, pl) == 0) {
			host.s += pl;
			host.len -= pl;
		}
		if (u.user.len > 0) {
			if (n + 1 >= len)
				goto too_long;
			buf[n++] = '@';
		}
		for (size_t i = 0; i < host.len; i++) {
			if (n + 1 >= len)
				goto too_long;
			buf[n++] = (char)tolower((unsigned char)host.s[i]);
		}
	}
	buf[n] = '\0';
	return (int)n;

too_long:
	*err = "Address Of Record too long";
	return -1;
}
