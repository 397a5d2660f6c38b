/*
 * sanity_uri.c - URI and address-header syntax for the sanity checks
 * (see sanity_uri.h).
 *
 * The grammar is RFC 3261 25.1 (sip/sips), RFC 3966 (tel) and RFC 8141
 * (urn), read strictly where a malformed URI would hurt routing (host,
 * port, escapes, characters that cannot appear in a URI) and leniently
 * where real user agents differ harmlessly (an '_' in a host name, an
 * empty ";;" parameter).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "sanity_uri.h"

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

static const char *
trim_end(const char *s, const char *e)
{
	while (e > s && is_lws(e[-1]))
		e--;
	return e;
}

int
sanity_is_token_char(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' &&
	    strchr("-.!%*_+`'~", c) != NULL);
}

/* Past the closing quote of the quoted-string at p, or NULL. */
static const char *
skip_quoted(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* --- URIs ----------------------------------------------------------------- */

/*
 * Characters no URI holds unescaped: controls, blanks, non-ASCII, and
 * the delimiters of the header field around it.
 */
static int
uri_char_ok(char c)
{
	unsigned char u = (unsigned char)c;

	return u > 0x20 && u < 0x7f && c != '<' && c != '>' && c != '"';
}

/* [p, e) holds only URI characters and well-formed %XX escapes. */
static int
uri_text_ok(const char *p, const char *e)
{
	for (; p < e; p++) {
		if (!uri_char_ok(*p))
			return 0;
		if (*p == '%') {
			if (e - p < 3 || !isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]))
				return 0;
			p += 2;
		}
	}
	return 1;
}

/* An address of family af written in [p, e). */
static int
addr_ok(int af, const char *p, const char *e)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char out[sizeof(struct in6_addr)];
	size_t n = (size_t)(e - p);

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return inet_pton(af, buf, out) == 1;
}

/*
 * hostname / IPv4address: dot-separated labels of letters, digits, '-'
 * (not at either end) and '_'; one trailing dot allowed.  A host made of
 * digits only must be a dotted-quad address.
 */
static int
host_name_ok(const char *p, const char *e)
{
	const char *s = p;
	int numeric = 1;

	if (e > p && e[-1] == '.')
		e--;
	if (p == e)
		return 0;
	while (p < e) {
		const char *l = p;

		while (p < e && *p != '.') {
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '_')
				return 0;
			if (!isdigit((unsigned char)*p))
				numeric = 0;
			p++;
		}
		if (p == l || *l == '-' || p[-1] == '-')
			return 0;
		if (p < e)
			p++;            /* the dot */
		if (p == e && e[-1] == '.')
			return 0;       /* an empty label: "a..b" */
	}
	return !numeric || addr_ok(AF_INET, s, e);
}

/*
 * ;name[=value] parameters up to stop (a char that ends them, or '\0'
 * for none): names not empty, values may be.  The position after them,
 * or NULL.
 */
static const char *
uri_params(const char *p, const char *e, char stop)
{
	while (p < e && *p == ';') {
		const char *n = ++p;

		while (p < e && *p != ';' && *p != '=' && *p != stop)
			p++;
		if (p == n && p < e && *p == '=')
			return NULL;    /* "=value" without a name */
		if (p < e && *p == '=') {
			for (p++; p < e && *p != ';' && *p != stop; p++)
				if (*p == '=')
					return NULL;
		}
	}
	return p;
}

/* The part after "sip:" / "sips:". */
static int
sip_uri_ok(const char *p, const char *e)
{
	const char *at, *q;

	if (!uri_text_ok(p, e))
		return 0;
	if ((at = memchr(p, '@', (size_t)(e - p))) != NULL) {
		const char *colon = memchr(p, ':', (size_t)(at - p));

		if ((colon ? colon : at) == p)
			return 0;       /* userinfo without a user */
		p = at + 1;
	}
	if (p < e && *p == '[') {
		if ((q = memchr(p, ']', (size_t)(e - p))) == NULL ||
		    !addr_ok(AF_INET6, p + 1, q))
			return 0;
		p = q + 1;
	} else {
		for (q = p; q < e && *q != ':' && *q != ';' && *q != '?'; q++)
			;
		if (!host_name_ok(p, q))
			return 0;
		p = q;
	}
	if (p < e && *p == ':') {
		long port = 0;
		int digits = 0;

		for (p++; p < e && isdigit((unsigned char)*p); p++) {
			port = port * 10 + (*p - '0');
			if (++digits > 5)
				return 0;
		}
		if (digits == 0 || port > 65535)
			return 0;
	}
	if ((p = uri_params(p, e, '?')) == NULL)
		return 0;
	if (p < e && *p == '?')
		return e - p > 1;       /* headers: their text checked above */
	return p == e;
}

/* RFC 3966: "+" digits, or a local number of hex digits, '*', '#',
 * with visual separators; then parameters. */
static int
tel_uri_ok(const char *p, const char *e)
{
	int global, digits = 0;

	if (!uri_text_ok(p, e))
		return 0;
	global = p < e && *p == '+';
	for (p += global; p < e && *p != ';'; p++) {
		if (global ? isdigit((unsigned char)*p) :
		    isxdigit((unsigned char)*p) || *p == '*' || *p == '#')
			digits++;
		else if (strchr("-.()", *p) == NULL)
			return 0;
	}
	if (digits == 0)
		return 0;
	return uri_params(p, e, '\0') == e;
}

/* RFC 8141: NID (letters, digits, '-', up to 32) ':' NSS. */
static int
urn_ok(const char *p, const char *e)
{
	const char *n = p;

	if (!uri_text_ok(p, e) || p == e || !isalnum((unsigned char)*p))
		return 0;
	while (p < e && (isalnum((unsigned char)*p) || *p == '-'))
		p++;
	if (p - n > 32 || p == e || *p != ':')
		return 0;
	return e - p > 1;
}

int
sanity_uri_check(const str_t *uri)
{
	const char *p = uri->s, *e = uri->s + uri->len, *s = p;
	size_t n;

	if (p == e || !isalpha((unsigned char)*p))
		return SANITY_URI_BAD;
	while (p < e && (isalnum((unsigned char)*p) || *p == '+' ||
	    *p == '-' || *p == '.'))
		p++;
	if (p == e || *p != ':')
		return SANITY_URI_BAD;
	n = (size_t)(p - s);
	p++;
	if ((n == 3 && strncasecmp(s, "sip", 3) == 0) ||
	    (n == 4 && strncasecmp(s, "sips", 4) == 0))
		return sip_uri_ok(p, e) ? SANITY_URI_OK : SANITY_URI_BAD;
	if (n == 3 && strncasecmp(s, "tel", 3) == 0)
		return tel_uri_ok(p, e) ? SANITY_URI_OK : SANITY_URI_BAD;
	if (n == 3 && strncasecmp(s, "urn", 3) == 0)
		return urn_ok(p, e) ? SANITY_URI_OK : SANITY_URI_BAD;
	/* some other absolute URI (RFC 3986 3.1): readable, not routable */
	return p < e && uri_text_ok(p, e) ? SANITY_URI_SCHEME : SANITY_URI_BAD;
}

/* --- address headers ------------------------------------------------------ */

/*
 * [p, e) can be an unquoted display-name.  RFC 3261 wants tokens, but
 * user agents write names in UTF-8 without quotes, and Kamailio takes
 * them: anything but controls and the delimiters around it.
 */
static int
display_text_ok(const char *p, const char *e)
{
	for (; p < e; p++)
		if ((((unsigned char)*p < 0x20 || *p == 0x7f) && !is_lws(*p)) ||
		    *p == '>' || *p == ';' || *p == '"')
			return 0;
	return 1;
}

int
sanity_addr_split(const str_t *value, str_t *uri, str_t *params)
{
	const char *p = value->s, *e = value->s + value->len, *lt, *gt;

	p = skip_lws(p, e);
	e = trim_end(p, e);
	if (p < e && *p == '"') {
		if ((p = skip_quoted(p, e)) == NULL)
			return -1;
		p = skip_lws(p, e);
		if (p == e || *p != '<')
			return -1;
	}
	lt = memchr(p, '<', (size_t)(e - p));
	if (lt != NULL && display_text_ok(p, lt)) {
		if ((gt = memchr(lt, '>', (size_t)(e - lt))) == NULL)
			return -1;
		*uri = str_make(lt + 1, (size_t)(gt - lt - 1));
		p = skip_lws(gt + 1, e);
		if (p < e && *p != ';')
			return -1;
	} else {
		/* addr-spec: the parameters after it are the header's own
		 * (RFC 3261 20.10) */
		const char *semi = memchr(p, ';', (size_t)(e - p));
		const char *ue = semi ? semi : e;

		*uri = str_make(p, (size_t)(trim_end(p, ue) - p));
		p = ue;
	}
	str_trim(uri);
	*params = str_make(p, (size_t)(e - p));
	return uri->len > 0 ? 0 : -1;
}

int
sanity_list_next(str_t *rest, str_t *elem)
{
	const char *p = rest->s, *e, *s = p;

	if (p == NULL)
		return 0;
	e = p + rest->len;
	while (p < e && *p != ',') {
		if (*p == '"') {
			if ((p = skip_quoted(p, e)) == NULL)
				return -1;
		} else if (*p == '<') {
			if ((p = memchr(p, '>', (size_t)(e - p))) == NULL)
				return -1;
			p++;
		} else {
			p++;
		}
	}
	*elem = str_make(s, (size_t)(p - s));
	str_trim(elem);
	/* after a comma there is one more element, maybe an empty one */
	*rest = p < e ? str_make(p + 1, (size_t)(e - p - 1)) : STR_NULL;
	return 1;
}

int
sanity_param_count(const str_t *params, const char *name)
{
	const char *p = params->s, *e = params->s + params->len;
	int count = 0;

	for (;;) {
		const char *n;

		p = skip_lws(p, e);
		if (p == e)
			return count;
		if (*p != ';')
			return -1;
		p = skip_lws(p + 1, e);
		for (n = p; p < e && sanity_is_token_char(*p); p++)
			;
		if (p == n)
			return -1;
		if ((size_t)(p - n) == strlen(name) &&
		    strncasecmp(n, name, (size_t)(p - n)) == 0)
			count++;
		p = skip_lws(p, e);
		if (p < e && *p == '=') {
			p = skip_lws(p + 1, e);
			if (p < e && *p == '"') {
				if ((p = skip_quoted(p, e)) == NULL)
					return -1;
			} else {
				while (p < e && !is_lws(*p) && *p != ';' &&
				    *p != ',' && *p != '"')
					p++;
			}
		}
	}
}
