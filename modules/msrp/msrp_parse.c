/*
 * msrp_parse.c - MSRP frame and URI parsing (RFC 4975 §7 and §9; RFC
 * 4976 only adds headers and the AUTH method, nothing to the syntax).
 *
 * A relay parses every frame it forwards, so this is one pass over the
 * start line and the header block: lines are found with memchr and
 * characters classified by one table look-up, nothing is allocated and
 * every result points into the caller's buffer.  The body is located,
 * never scanned: the framer has already found the end-line, which is
 * the frame's last line, so the body is whatever lies between the blank
 * line and the CRLF before the end-line, NULs and look-alike end-lines
 * included.
 *
 * Errors before the header block (start line, end-line) are FATAL:
 * without a readable transaction id, or with the end-line not where the
 * framer put it, the stream is out of step and nothing can be answered.
 * Errors inside the header block are BAD: the first one is kept and the
 * rest of the block is still parsed, so the paths are there to address
 * a 400.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "msrp_parse.h"

/* RFC 4975 §9: ident = ALPHANUM 3*31ident-char (the framer agrees) */
#define TID_MIN 4
#define TID_MAX 32

#define XSTR(x) #x
#define NSTR(x) XSTR(x)

#define CC_ALPHA  0x001         /* A-Z a-z                               */
#define CC_DIGIT  0x002         /* 0-9                                   */
#define CC_UPPER  0x004         /* A-Z (method names)                    */
#define CC_TOKEN  0x008         /* alnum -.!%*_+`'~ (RFC 3261 token)     */
#define CC_IDENT  0x010         /* alnum .-+%= (ident-char)              */
#define CC_HOST   0x020         /* alnum - . (host names, IPv4)          */
#define CC_USER   0x040         /* alnum -_.!~*'() ;:&=+$, (userinfo
                                 * without the '%' of escapes)           */
#define CC_SESS   0x080         /* alnum -._~ +=/ (session-id)           */
#define CC_HEX    0x100         /* 0-9 a-f A-F                           */
#define CC_WS     0x200         /* SP HTAB                               */
#define CC_ALNUM  (CC_ALPHA | CC_DIGIT)

/* The classes of the 128 ASCII bytes, eight per row, generated from the
 * definitions above (check_mod_msrp.c tests every byte against them
 * through the parser); bytes 0x80-0xff are in no class. */
static const unsigned short cc[256] = {
	0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,  /* 00 */
	0x000, 0x200, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,  /* 08 */
	0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,  /* 10 */
	0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,  /* 18 */
	0x200, 0x048, 0x000, 0x000, 0x040, 0x018, 0x040, 0x048,  /* 20 */
	0x040, 0x040, 0x048, 0x0d8, 0x040, 0x0f8, 0x0f8, 0x080,  /* 28 */
	0x1fa, 0x1fa, 0x1fa, 0x1fa, 0x1fa, 0x1fa, 0x1fa, 0x1fa,  /* 30 */
	0x1fa, 0x1fa, 0x040, 0x040, 0x000, 0x0d0, 0x000, 0x000,  /* 38 */
	0x000, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x0fd,  /* 40 */
	0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd,  /* 48 */
	0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd, 0x0fd,  /* 50 */
	0x0fd, 0x0fd, 0x0fd, 0x000, 0x000, 0x000, 0x000, 0x0c8,  /* 58 */
	0x008, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x0f9,  /* 60 */
	0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9,  /* 68 */
	0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9, 0x0f9,  /* 70 */
	0x0f9, 0x0f9, 0x0f9, 0x000, 0x000, 0x000, 0x0c8, 0x000,  /* 78 */
};

#define IS(c, k) (cc[(unsigned char)(c)] & (k))

/* URI errors: msrp_uri_parse() gives the plain text, a path header the
 * same text naming the header. */
#define URI_ERRORS(X)                                           \
	X(UE_EMPTY,       "empty URI")                          \
	X(UE_SCHEME,      "scheme is not msrp or msrps")        \
	X(UE_SLASHES,     "missing \"://\" after the scheme")   \
	X(UE_USERINFO,    "bad userinfo")                       \
	X(UE_NOHOST,      "missing host")                       \
	X(UE_HOSTCHAR,    "bad character in host")              \
	X(UE_HOSTNAME,    "bad host name")                      \
	X(UE_IPV4,        "bad IPv4 address")                   \
	X(UE_IPV6,        "bad IPv6 reference")                 \
	X(UE_PORT,        "bad port")                           \
	X(UE_SESSION,     "bad session-id")                     \
	X(UE_NOTRANSPORT, "missing transport")                  \
	X(UE_TRANSPORT,   "bad transport")                      \
	X(UE_PARAM,       "bad URI parameter")

#define UE_ENUM(id, text) id,
#define UE_TEXT(id, text) text,
#define UE_TO(id, text)   "bad To-Path URI: " text,
#define UE_FROM(id, text) "bad From-Path URI: " text,

enum uri_err { UE_OK = 0, URI_ERRORS(UE_ENUM) };

static const char *const uri_err_text[] = { NULL, URI_ERRORS(UE_TEXT) };
static const char *const uri_err_to[] = { NULL, URI_ERRORS(UE_TO) };
static const char *const uri_err_from[] = { NULL, URI_ERRORS(UE_FROM) };

struct path_errs {
	const char         *empty, *too_many;
	const char *const  *uri;
};

static const struct path_errs to_errs = {
	"To-Path empty", "more than " NSTR(MSRP_MAX_PATH) " URIs in To-Path",
	uri_err_to,
};
static const struct path_errs from_errs = {
	"From-Path empty",
	"more than " NSTR(MSRP_MAX_PATH) " URIs in From-Path", uri_err_from,
};

static const char too_many_hdrs[] = "more than " NSTR(MSRP_MAX_HDRS) " headers";

/* RFC 3986 dec-octet "." x4: no leading zeros, each at most 255. */
static int
ipv4_ok(const char *s, size_t n)
{
	size_t i = 0, k;
	unsigned v;

	for (int part = 0; part < 4; part++) {
		if (part > 0 && (i >= n || s[i++] != '.'))
			return 0;
		for (v = 0, k = 0; i < n && IS(s[i], CC_DIGIT) && k < 3; k++)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (k == 0 || v > 255 || (k > 1 && s[i - k] == '0'))
			return 0;
	}
	return i == n;
}

/* Labels of alnum and inner '-', at most 63 each, one trailing dot
 * allowed (the characters themselves were checked by the caller). */
static int
hostname_ok(const char *s, size_t n)
{
	size_t start = 0;

	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start || i - start > 63 || s[start] == '-' ||
		    s[i - 1] == '-')
			return 0;
		start = i + 1;
	}
	return 1;
}

/* The text between the brackets; inet_pton wants a C string, and the
 * character check keeps a NUL from cutting it short. */
static int
ipv6_ok(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (n < 2 || n >= sizeof(tmp))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!IS(s[i], CC_HEX) && s[i] != ':' && s[i] != '.')
			return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

static int
userinfo_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (IS(s[i], CC_USER))
			continue;
		if (s[i] != '%' || i + 2 >= n || !IS(s[i + 1], CC_HEX) ||
		    !IS(s[i + 2], CC_HEX))
			return 0;
		i += 2;
	}
	return 1;
}

/* *( ";" token ["=" token] ), the leading ';' already consumed. */
static int
params_ok(const char *p, const char *end)
{
	const char *q;

	for (;;) {
		for (q = p; q < end && IS(*q, CC_TOKEN); q++)
			;
		if (q == p)
			return 0;
		if (q < end && *q == '=') {
			for (p = ++q; q < end && IS(*q, CC_TOKEN); q++)
				;
			if (q == p)
				return 0;
		}
		if (q == end)
			return 1;
		if (*q != ';')
			return 0;
		p = q + 1;
	}
}

/* [userinfo "@"] host [":" port]; returns the error, *pp moved past. */
static enum uri_err
uri_authority(const char **pp, const char *end, struct msrp_uri *u)
{
	const char *p = *pp, *q, *at;
	unsigned v = 0;

	u->userinfo = u->user = str_make(p, 0);
	/* '@' cannot occur in host, session-id or params: the first one
	 * before any '/' ends the userinfo */
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL && memchr(p, '/', (size_t)(at - p)) == NULL) {
		if (!userinfo_ok(p, (size_t)(at - p)))
			return UE_USERINFO;
		u->userinfo = str_make(p, (size_t)(at - p));
		q = memchr(p, ':', (size_t)(at - p));
		u->user = str_make(p, (size_t)((q ? q : at) - p));
		p = at + 1;
	}
	if (p < end && *p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (q == NULL || !ipv6_ok(p + 1, (size_t)(q - p - 1)))
			return UE_IPV6;
		u->host = str_make(p, (size_t)(q + 1 - p));
		p = q + 1;
	} else {
		/* starts with a digit, digits and dots only: IPv4 */
		int dotted = p < end && IS(*p, CC_DIGIT);

		for (q = p; q < end && IS(*q, CC_HOST); q++)
			dotted &= IS(*q, CC_DIGIT) || *q == '.';
		if (q == p)
			return p < end && *p != ':' && *p != '/' && *p != ';' ?
			    UE_HOSTCHAR : UE_NOHOST;
		u->host = str_make(p, (size_t)(q - p));
		if (dotted && !ipv4_ok(p, (size_t)(q - p)))
			return UE_IPV4;
		if (!dotted && !hostname_ok(p, (size_t)(q - p)))
			return UE_HOSTNAME;
		p = q;
	}
	if (p < end && *p != ':' && *p != '/' && *p != ';')
		return UE_HOSTCHAR;
	u->port = str_make(p, 0);
	if (p < end && *p == ':') {
		for (q = ++p; q < end && IS(*q, CC_DIGIT) && q - p < 5; q++)
			v = v * 10 + (unsigned)(*q - '0');
		if (q == p || v == 0 || v > 65535 ||
		    (q < end && *q != '/' && *q != ';'))
			return UE_PORT;
		u->port = str_make(p, (size_t)(q - p));
		u->port_no = (int)v;
		p = q;
	}
	*pp = p;
	return UE_OK;
}

/* MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport
 *            *( ";" URI-parameter ) */
static enum uri_err
uri_parse(const char *s, size_t n, struct msrp_uri *u)
{
	const char *p = s, *end = s + n, *q;
	enum uri_err e;

	*u = (struct msrp_uri){ .buf = str_make(s, n) };
	if (n == 0)
		return UE_EMPTY;
	if (n < 4 || strncasecmp(s, "msrp", 4) != 0)
		return UE_SCHEME;
	p += 4;
	if (p < end && (*p | 0x20) == 's') {
		u->secure = 1;
		p++;
	}
	if (p < end && *p != ':')
		return UE_SCHEME;
	u->scheme = str_make(s, (size_t)(p - s));
	if (end - p < 3 || memcmp(p, "://", 3) != 0)
		return UE_SLASHES;
	p += 3;
	if ((e = uri_authority(&p, end, u)) != UE_OK)
		return e;
	u->session = str_make(p, 0);
	if (p < end && *p == '/') {
		for (q = ++p; q < end && IS(*q, CC_SESS); q++)
			;
		if (q == p || (q < end && *q != ';'))
			return UE_SESSION;
		u->session = str_make(p, (size_t)(q - p));
		p = q;
	}
	if (p == end)
		return UE_NOTRANSPORT;
	/* here *p is ';': authority and session-id stop at nothing else */
	for (q = ++p; q < end && IS(*q, CC_ALNUM); q++)
		;
	if (q == p || (q < end && *q != ';'))
		return UE_TRANSPORT;
	u->transport = str_make(p, (size_t)(q - p));
	u->params = str_make(end, 0);
	if (q == end)
		return UE_OK;
	u->params = str_make(q + 1, (size_t)(end - q - 1));
	return params_ok(q + 1, end) ? UE_OK : UE_PARAM;
}

int
msrp_uri_parse(const str_t *s, struct msrp_uri *u, const char **err)
{
	enum uri_err e = uri_parse(s->s, s->len, u);

	if (e == UE_OK)
		return 0;
	if (err != NULL)
		*err = uri_err_text[e];
	return -1;
}

/* The three digits of a status line, then SP comment or the line's end. */
static const char *
status_line(struct msrp_frame *f, const char *p, const char *le)
{
	if (le - p < 3 || p[0] == '0' || !IS(p[1], CC_DIGIT) ||
	    !IS(p[2], CC_DIGIT) || (le - p > 3 && p[3] != ' '))
		return "bad status code";
	f->is_reply = 1;
	f->code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	p += le - p > 3 ? 4 : 3;
	if (memchr(p, '\0', (size_t)(le - p)) != NULL ||
	    memchr(p, '\r', (size_t)(le - p)) != NULL)
		return "bad character in status comment";
	f->reason = str_make(p, (size_t)(le - p));
	return NULL;
}

/*
 * "MSRP" SP transact-id SP (method | status-code [SP comment]) CRLF.
 * Returns NULL, *next set past the LF, or the (fatal) error.
 */
static const char *
start_line(struct msrp_frame *f, const char **next)
{
	const char *buf = f->buf.s, *nl, *le, *p, *q;

	if (f->buf.len < 5 || memcmp(buf, "MSRP ", 5) != 0)
		return "not an MSRP frame";
	if ((nl = memchr(buf + 5, '\n', f->buf.len - 5)) == NULL)
		return "start line not terminated";
	if (nl[-1] != '\r')
		return "bare LF in start line";
	le = nl - 1;
	f->first_line = str_make(buf, (size_t)(le - buf));
	*next = nl + 1;
	p = buf + 5;
	for (q = p; q < le && IS(*q, CC_IDENT); q++)
		;
	if ((q < le && *q != ' ') || (q > p && !IS(*p, CC_ALNUM)))
		return "bad character in transaction id";
	if (q - p < TID_MIN)
		return "transaction id too short";
	if (q - p > TID_MAX)
		return "transaction id too long";
	f->tid = str_make(p, (size_t)(q - p));
	if (le - q < 2)
		return "missing method or status";
	p = q + 1;
	if (IS(*p, CC_DIGIT))
		return status_line(f, p, le);
	for (q = p; q < le && IS(*q, CC_UPPER); q++)
		;
	if (q == p || q != le)
		return "bad method";
	f->method = str_make(p, (size_t)(q - p));
	return NULL;
}

/*
 * The end-line is the frame's last line, "-------" tid flag CRLF, and
 * follows a CRLF (the last header's, the body's or the start line's).
 * lo is the first byte after the start line.  Returns NULL, *eline set
 * to where the end-line starts, or the (fatal) error.
 */
static const char *
end_line(struct msrp_frame *f, const char *lo, const char **eline)
{
	const char *end = f->buf.s + f->buf.len, *ls;
	size_t n;

	if (end - lo < 2 || end[-2] != '\r' || end[-1] != '\n')
		return "missing end-line";
	/* back to the line's start, no further than an end-line is long */
	for (ls = end - 2; ls > lo && ls[-1] != '\n'; ls--)
		if (end - 2 - ls > 7 + TID_MAX + 1)
			return "missing end-line";
	n = (size_t)(end - 2 - ls);
	if (n < 8 || memcmp(ls, "-------", 7) != 0)
		return "missing end-line";
	if (n - 8 != f->tid.len || memcmp(ls + 7, f->tid.s, f->tid.len) != 0)
		return "end-line transaction id mismatch";
	if (ls[n - 1] != '$' && ls[n - 1] != '+' && ls[n - 1] != '#')
		return "bad end-line flag";
	/* ls[-1] is an LF and ls - 2 is at worst the start line's CR */
	if (ls[-2] != '\r')
		return "end-line not preceded by CRLF";
	f->flag = ls[n - 1];
	f->end_line = str_make(ls, n);
	*eline = ls;
	return NULL;
}

/* Case-insensitive equality of a token with a lower-case name: for
 * token characters, c | 0x20 folds letters and changes nothing else
 * that could match a letter or '-'. */
static inline int
name_eq(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != lower[i])
			return 0;
	return 1;
}

static enum msrp_hdr_type
hdr_type(const char *s, size_t n)
{
#define NAME_IS(lit) (n == sizeof(lit) - 1 && name_eq(s, lit, n))
	switch (s[0] | 0x20) {
	case 'a':
		return NAME_IS("authorization") ? MSRP_H_AUTHORIZATION :
		    MSRP_H_OTHER;
	case 'b':
		return NAME_IS("byte-range") ? MSRP_H_BYTE_RANGE : MSRP_H_OTHER;
	case 'c':
		return NAME_IS("content-type") ? MSRP_H_CONTENT_TYPE :
		    MSRP_H_OTHER;
	case 'e':
		return NAME_IS("expires") ? MSRP_H_EXPIRES : MSRP_H_OTHER;
	case 'f':
		return NAME_IS("from-path") ? MSRP_H_FROM_PATH :
		    NAME_IS("failure-report") ? MSRP_H_FAILURE_REPORT :
		    MSRP_H_OTHER;
	case 'm':
		return NAME_IS("message-id") ? MSRP_H_MESSAGE_ID :
		    NAME_IS("min-expires") ? MSRP_H_MIN_EXPIRES :
		    NAME_IS("max-expires") ? MSRP_H_MAX_EXPIRES : MSRP_H_OTHER;
	case 's':
		return NAME_IS("success-report") ? MSRP_H_SUCCESS_REPORT :
		    NAME_IS("status") ? MSRP_H_STATUS : MSRP_H_OTHER;
	case 't':
		return NAME_IS("to-path") ? MSRP_H_TO_PATH : MSRP_H_OTHER;
	case 'u':
		return NAME_IS("use-path") ? MSRP_H_USE_PATH : MSRP_H_OTHER;
	case 'w':
		return NAME_IS("www-authenticate") ? MSRP_H_WWW_AUTHENTICATE :
		    MSRP_H_OTHER;
	}
	return MSRP_H_OTHER;
#undef NAME_IS
}

/* URIs separated by SP/HTAB runs into uris[0..*n). */
static const char *
path_parse(const str_t *v, struct msrp_uri *uris, int *n,
    const struct path_errs *pe)
{
	const char *p = v->s, *end = p + v->len, *q;
	enum uri_err e;

	for (*n = 0;; p = q) {
		while (p < end && IS(*p, CC_WS))
			p++;
		if (p == end)
			return *n > 0 ? NULL : pe->empty;
		for (q = p; q < end && !IS(*q, CC_WS); q++)
			;
		if (*n == MSRP_MAX_PATH)
			return pe->too_many;
		if ((e = uri_parse(p, (size_t)(q - p), &uris[*n])) != UE_OK)
			return pe->uri[e];
		++*n;
	}
}

/* 1*DIGIT (at most 18: no overflow), or '*' as -1 when star is set.
 * Returns the byte after it, or NULL. */
static const char *
range_num(const char *p, const char *end, long long *out, int star)
{
	const char *q = p;
	long long v = 0;

	if (star && p < end && *p == '*') {
		*out = -1;
		return p + 1;
	}
	while (q < end && IS(*q, CC_DIGIT) && q - p < 18)
		v = v * 10 + (*q++ - '0');
	*out = v;
	return q > p ? q : NULL;
}

/* range-start "-" range-end "/" total, RFC 4975 §9 and §7.1.1 */
static const char *
byte_range(struct msrp_frame *f, const str_t *v)
{
	const char *p = v->s, *end = p + v->len;
	long long s, e, t;

	if ((p = range_num(p, end, &s, 0)) == NULL || p == end ||
	    *p++ != '-' || (p = range_num(p, end, &e, 1)) == NULL ||
	    p == end || *p++ != '/' ||
	    (p = range_num(p, end, &t, 1)) == NULL || p != end)
		return "bad Byte-Range";
	/* an empty chunk ends one before it starts; nothing ends past the
	 * total */
	if (s < 1 || (e >= 0 && e < s - 1) || (e >= 0 && t >= 0 && e > t))
		return "bad Byte-Range";
	f->br_start = s;
	f->br_end = e;
	f->br_total = t;
	return NULL;
}

/* Records what the frame needs from header i; returns a BAD error. */
static const char *
hdr_known(struct msrp_frame *f, const struct msrp_hdr *h, int i)
{
	switch (h->type) {
	case MSRP_H_TO_PATH:
		if (f->h_to_path >= 0)
			return "To-Path duplicated";
		f->h_to_path = i;
		return path_parse(&h->value, f->to, &f->nto, &to_errs);
	case MSRP_H_FROM_PATH:
		if (f->h_from_path >= 0)
			return "From-Path duplicated";
		f->h_from_path = i;
		return path_parse(&h->value, f->from, &f->nfrom, &from_errs);
	case MSRP_H_MESSAGE_ID:
		if (f->h_message_id < 0)
			f->h_message_id = i;
		break;
	case MSRP_H_BYTE_RANGE:
		if (f->h_byte_range >= 0)
			break;
		f->h_byte_range = i;
		return byte_range(f, &h->value);
	case MSRP_H_EXPIRES:
		if (f->h_expires < 0)
			f->h_expires = i;
		break;
	default:
		break;
	}
	return NULL;
}

/* One header line s[0..n) without its CRLF; next is the next line. */
static const char *
hdr_line(struct msrp_frame *f, const char *s, size_t n, const char *next)
{
	const char *q, *v, *end = s + n;
	struct msrp_hdr *h;

	for (q = s; q < end && IS(*q, CC_TOKEN); q++)
		;
	if (q == end || *q != ':')
		return memchr(q, ':', (size_t)(end - q)) != NULL ?
		    "bad header name" : "header line without ':'";
	if (q == s)
		return "empty header name";
	v = q + 1;
	if (memchr(v, '\0', (size_t)(end - v)) != NULL)
		return "NUL in header value";
	if (memchr(v, '\r', (size_t)(end - v)) != NULL)
		return "CR in header value";
	if (f->nhdrs == MSRP_MAX_HDRS)
		return too_many_hdrs;
	while (v < end && IS(*v, CC_WS))
		v++;
	while (end > v && IS(end[-1], CC_WS))
		end--;
	h = &f->hdrs[f->nhdrs];
	h->name = str_make(s, (size_t)(q - s));
	h->value = str_make(v, (size_t)(end - v));
	h->line = str_make(s, (size_t)(next - s));
	h->type = hdr_type(s, (size_t)(q - s));
	return hdr_known(f, h, f->nhdrs++);
}

/*
 * The header lines from p up to the blank line or the end-line at
 * eline, then the body.  Returns the first BAD error.  eline[-1] is an
 * LF, so every line ends before eline.
 */
static const char *
hdr_block(struct msrp_frame *f, const char *p, const char *eline)
{
	const char *start = p, *nl, *e, *bad = NULL;

	while (p < eline) {
		nl = memchr(p, '\n', (size_t)(eline - p));
		if (nl == p + 1 && *p == '\r') {
			f->has_body = 1;
			/* "headers CRLF CRLF end-line": an empty body whose
			 * CRLF doubles as the blank line */
			f->body = str_make(nl + 1, eline - 2 > nl + 1 ?
			    (size_t)(eline - 2 - (nl + 1)) : 0);
			break;
		}
		if (nl == p || nl[-1] != '\r')
			e = "bare LF in header";
		else
			e = hdr_line(f, p, (size_t)(nl - 1 - p), nl + 1);
		if (e != NULL && bad == NULL)
			bad = e;
		p = nl + 1;
		if (e == too_many_hdrs)
			break;
	}
	f->hdr_block = str_make(start, (size_t)(p - start));
	return bad;
}

static void
frame_reset(struct msrp_frame *f, const char *buf, size_t len)
{
	str_t none = str_make(buf, 0);

	f->buf = str_make(buf, len);
	f->first_line = f->tid = f->method = f->reason = none;
	f->hdr_block = f->body = f->end_line = none;
	f->is_reply = f->code = f->nhdrs = f->has_body = 0;
	f->nto = f->nfrom = 0;
	f->flag = '\0';
	f->h_to_path = f->h_from_path = f->h_message_id = -1;
	f->h_byte_range = f->h_expires = -1;
	f->br_start = 0;
	f->br_end = f->br_total = -1;
}

enum msrp_parse_rc
msrp_frame_parse(const char *buf, size_t len, struct msrp_frame *f,
    const char **err)
{
	const char *hdrs = NULL, *eline = NULL, *e;

	frame_reset(f, buf, len);
	if ((e = start_line(f, &hdrs)) != NULL ||
	    (e = end_line(f, hdrs, &eline)) != NULL) {
		if (err != NULL)
			*err = e;
		return MSRP_PARSE_FATAL;
	}
	e = hdr_block(f, hdrs, eline);
	if (e == NULL && f->h_to_path < 0)
		e = "To-Path missing";
	if (e == NULL && f->h_from_path < 0)
		e = "From-Path missing";
	if (e != NULL) {
		if (err != NULL)
			*err = e;
		return MSRP_PARSE_BAD;
	}
	return MSRP_PARSE_OK;
}

const struct msrp_hdr *
msrp_frame_hdr(const struct msrp_frame *f, enum msrp_hdr_type t)
{
	for (int i = 0; i < f->nhdrs; i++)
		if (f->hdrs[i].type == t)
			return &f->hdrs[i];
	return NULL;
}

const struct msrp_hdr *
msrp_frame_hdr_name(const struct msrp_frame *f, const str_t *name)
{
	for (int i = 0; i < f->nhdrs; i++)
		if (str_casecmp_eq(&f->hdrs[i].name, name))
			return &f->hdrs[i];
	return NULL;
}
