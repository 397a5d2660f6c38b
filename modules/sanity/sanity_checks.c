/*
 * sanity_checks.c - the checks of sanity_check(), one function per
 * check bit (see sanity_checks.h).
 *
 * Each check reads the message text through the header iterator of
 * modules/sl/sl_msg.h and, when it fails, says how Kamailio 5.6 answers
 * that failure: the same status and reason phrase, or no reply at all
 * where a reply could not be routed (no usable top Via) or built (a
 * required header missing).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "modules/sl/sl_msg.h"
#include "sanity_auth.h"
#include "sanity_checks.h"
#include "sanity_uri.h"

/* --- reading the message -------------------------------------------------- */

/* A header name and its compact form (RFC 3261 7.3.3), 0 when none. */
struct hname {
	const char  *name;
	char         compact;
};

static const struct hname H_VIA = { "Via", 'v' };
static const struct hname H_FROM = { "From", 'f' };
static const struct hname H_TO = { "To", 't' };
static const struct hname H_CALLID = { "Call-ID", 'i' };
static const struct hname H_CSEQ = { "CSeq", 0 };
static const struct hname H_CL = { "Content-Length", 'l' };
static const struct hname H_EXPIRES = { "Expires", 0 };
static const struct hname H_PROXY_REQUIRE = { "Proxy-Require", 0 };
static const struct hname H_CONTACT = { "Contact", 'm' };
static const struct hname H_AUTH = { "Authorization", 0 };
static const struct hname H_PROXY_AUTH = { "Proxy-Authorization", 0 };

static int
hname_is(const str_t *name, const struct hname *h)
{
	if (name->len == 1 && h->compact != 0)
		return (name->s[0] | 0x20) == h->compact;
	return str_caseeq_cstr(name, h->name);
}

/*
 * The next header field named h (or h2 when not NULL).  1 with *out, 0
 * at the end of the headers.  Lines that are not header fields are
 * skipped here; the required-headers check reports them.
 */
static int
hdr_next(struct sl_hdr_iter *it, const struct hname *h,
    const struct hname *h2, struct sl_hdr *out)
{
	int rc;

	while ((rc = sl_hdr_next(it, out)) != 0)
		if (rc == 1 && (hname_is(&out->name, h) ||
		    (h2 != NULL && hname_is(&out->name, h2))))
			return 1;
	return 0;
}

/* The first header field named h: 1 with *out, 0 when there is none. */
static int
hdr_first(const str_t *text, const struct hname *h, struct sl_hdr *out)
{
	struct sl_hdr_iter it;

	return sl_hdr_first(&it, text) == 0 &&
	    hdr_next(&it, h, NULL, out) == 1;
}

/* The Request-Line: Method SP Request-URI SP SIP-Version. */
struct reqline {
	str_t  method;
	str_t  uri;
	str_t  version;
};

static void
request_line(const str_t *text, struct reqline *rl)
{
	const char *p = text->s, *e = text->s + text->len, *nl, *sp1, *sp2;

	memset(rl, 0, sizeof(*rl));
	if ((nl = memchr(p, '\n', text->len)) != NULL)
		e = nl;
	if (e > p && e[-1] == '\r')
		e--;
	if ((sp1 = memchr(p, ' ', (size_t)(e - p))) == NULL) {
		rl->method = str_make(p, (size_t)(e - p));
		return;
	}
	rl->method = str_make(p, (size_t)(sp1 - p));
	for (sp2 = e - 1; sp2 > sp1 && *sp2 != ' '; sp2--)
		;
	if (sp2 == sp1) {               /* no version */
		rl->uri = str_make(sp1 + 1, (size_t)(e - sp1 - 1));
	} else {
		rl->uri = str_make(sp1 + 1, (size_t)(sp2 - sp1 - 1));
		rl->version = str_make(sp2 + 1, (size_t)(e - sp2 - 1));
	}
	str_trim(&rl->uri);
}

/* Where the body starts: after the empty line ending the headers (the
 * end of the text when there is none). */
static const char *
body_start(const str_t *text)
{
	const char *p = text->s, *e = text->s + text->len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		if (p > text->s && (nl == p || (nl == p + 1 && *p == '\r')))
			return nl + 1;
		p = nl + 1;
	}
	return e;
}

/* 1*DIGIT that fits in 32 bits (leading zeros allowed). */
static int
uint32_text(const str_t *s)
{
	uint64_t v = 0;

	if (s->len == 0)
		return 0;
	for (size_t i = 0; i < s->len; i++) {
		if (!isdigit((unsigned char)s->s[i]))
			return 0;
		if ((v = v * 10 + (uint64_t)(s->s[i] - '0')) > UINT32_MAX)
			return 0;
	}
	return 1;
}

/* --- the checks ----------------------------------------------------------- */

struct ctx {
	const struct sanity_in  *in;
	struct reqline           rl;
	str_t                    ruri;
	unsigned                 uri_checks;
};

static int
fail(struct sanity_fail *f, int code, const char *reason, const char *why,
    str_t what)
{
	f->code = code;
	f->reason = reason;
	f->why = why;
	f->what = what;
	return 0;
}

static int
c_ruri_version(const struct ctx *c, struct sanity_fail *f)
{
	/* RFC 3261 7.1: the version string is case-insensitive */
	if (str_caseeq_cstr(&c->rl.version, "SIP/2.0"))
		return 1;
	return fail(f, 505, "Version Not Supported (R-URI)",
	    "the Request-Line's SIP version is not 2.0", c->rl.version);
}

static int
c_ruri_scheme(const struct ctx *c, struct sanity_fail *f)
{
	switch (sanity_uri_check(&c->ruri)) {
	case SANITY_URI_OK:
		return 1;
	case SANITY_URI_SCHEME:
		/* RFC 3261 8.2.2.1 */
		return fail(f, 416, "Unsupported URI Scheme in Request URI",
		    "the Request-URI's scheme is not sip, sips, tel or urn",
		    c->ruri);
	default:
		return fail(f, 400, "Bad Request URI",
		    "the Request-URI does not parse", c->ruri);
	}
}

/*
 * RFC 3261 8.1.1: Via, From, To, Call-ID and CSeq, each with a value,
 * the last four once only; and every line of the header block a header
 * field.  No reply: one cannot be built without these.
 */
static int
c_required(const struct ctx *c, struct sanity_fail *f)
{
	static const struct hname *const req[] = {
		&H_VIA, &H_FROM, &H_TO, &H_CALLID, &H_CSEQ,
	};
	unsigned count[5] = { 0 };
	struct sl_hdr_iter it;
	struct sl_hdr h;
	const char *line;
	int rc;

	if (sl_hdr_first(&it, &c->in->text) < 0)
		return fail(f, 0, NULL, "no header block", STR_NULL);
	for (line = it.p; (rc = sl_hdr_next(&it, &h)) != 0; line = it.p) {
		str_t l = str_make(line, (size_t)(it.p - line));

		str_trim(&l);
		if (rc < 0)
			return fail(f, 0, NULL, "a header line has no name "
			    "and colon", l);
		for (size_t i = 0; i < 5; i++) {
			if (!hname_is(&h.name, req[i]))
				continue;
			if (h.value.len == 0)
				return fail(f, 0, NULL, "a required header is "
				    "empty", h.name);
			count[i]++;
		}
	}
	for (size_t i = 0; i < 5; i++) {
		if (count[i] == 0)
			return fail(f, 0, NULL, "a required header is missing",
			    str_cstr(req[i]->name));
		if (i > 0 && count[i] > 1)
			return fail(f, 0, NULL, "a header allowed once appears "
			    "more than once", str_cstr(req[i]->name));
	}
	return 1;
}

/* sent-protocol of a Via value: name "/" version "/" transport. */
static int
via_protocol(const str_t *value, str_t *tok)
{
	const char *p = value->s, *e = value->s + value->len;

	for (int i = 0; i < 3; i++) {
		const char *s;

		while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		for (s = p; p < e && sanity_is_token_char(*p); p++)
			;
		if (p == s)
			return -1;
		tok[i] = str_make(s, (size_t)(p - s));
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		if (i < 2 && (p == e || *p++ != '/'))
			return -1;
	}
	return 0;
}

/*
 * Every Via value's sent-protocol: SIP/2.0 (want_version) or a
 * transport Tandem speaks.  Kamailio 5.6 ships both checks disabled.
 */
static int
c_via(const struct ctx *c, struct sanity_fail *f, int want_version)
{
	static const char *const transports[] = {
		"UDP", "TCP", "TLS", "SCTP", "TLS-SCTP", "WS", "WSS",
	};
	struct sl_hdr_iter it;
	struct sl_hdr h;

	if (sl_hdr_first(&it, &c->in->text) < 0)
		return 1;
	while (hdr_next(&it, &H_VIA, NULL, &h) == 1) {
		str_t rest = h.value, v, tok[3];
		int rc;

		while ((rc = sanity_list_next(&rest, &v)) == 1) {
			size_t i = 0;

			if (via_protocol(&v, tok) < 0)
				return fail(f, 400, "Bad Via Header",
				    "a Via value has no sent-protocol", v);
			if (want_version) {
				if (!str_caseeq_cstr(&tok[0], "SIP") ||
				    !str_eq_cstr(&tok[1], "2.0"))
					return fail(f, 505, "Version Not "
					    "Supported (Via)", "a Via is not "
					    "SIP/2.0", v);
				continue;
			}
			while (i < sizeof(transports) / sizeof(transports[0]) &&
			    !str_caseeq_cstr(&tok[2], transports[i]))
				i++;
			if (i == sizeof(transports) / sizeof(transports[0]))
				return fail(f, 400, "Unsupported Transport in "
				    "Via", "a Via names an unknown transport",
				    tok[2]);
		}
		if (rc < 0)
			return fail(f, 400, "Bad Via Header", "a Via header "
			    "does not parse", h.value);
	}
	return 1;
}

static int
c_via_version(const struct ctx *c, struct sanity_fail *f)
{
	return c_via(c, f, 1);
}

static int
c_via_protocol(const struct ctx *c, struct sanity_fail *f)
{
	return c_via(c, f, 0);
}

/* The first CSeq: its number and its method (the rest of the value). */
static int
cseq_read(const struct ctx *c, str_t *num, str_t *method, str_t *whole)
{
	struct sl_hdr h;
	const char *p, *e;

	if (!hdr_first(&c->in->text, &H_CSEQ, &h))
		return 0;
	*whole = h.value;
	p = h.value.s;
	e = h.value.s + h.value.len;
	while (p < e && !isspace((unsigned char)*p))
		p++;
	*num = str_make(h.value.s, (size_t)(p - h.value.s));
	*method = str_make(p, (size_t)(e - p));
	str_trim(method);
	return 1;
}

static int
c_cseq_method(const struct ctx *c, struct sanity_fail *f)
{
	str_t num, method, whole;

	if (!cseq_read(c, &num, &method, &whole))
		return fail(f, 0, NULL, "no CSeq header", STR_NULL);
	if (method.len == 0)
		return fail(f, 400, "Missing method in CSeq header",
		    "the CSeq has no method", whole);
	/* methods are case-sensitive (RFC 3261 7.1) */
	if (!str_eq(&method, &c->rl.method))
		return fail(f, 400, "CSeq method does not match request "
		    "method", "the CSeq method is not the request's", whole);
	return 1;
}

static int
c_cseq_value(const struct ctx *c, struct sanity_fail *f)
{
	str_t num, method, whole;

	if (!cseq_read(c, &num, &method, &whole))
		return fail(f, 0, NULL, "no CSeq header", STR_NULL);
	if (num.len == 0)
		return fail(f, 400, "Missing number in CSeq header",
		    "the CSeq has no number", whole);
	/* RFC 3261 8.1.1.5: expressible as a 32-bit unsigned integer */
	if (!uint32_text(&num))
		return fail(f, 400, "CSeq number is illegal",
		    "the CSeq number is not a 32-bit unsigned integer", num);
	return 1;
}

static int
c_content_length(const struct ctx *c, struct sanity_fail *f)
{
	const str_t *t = &c->in->text;
	size_t body = (size_t)(t->s + t->len - body_start(t));
	struct sl_hdr_iter it;
	struct sl_hdr h;

	if (sl_hdr_first(&it, t) < 0)
		return 1;
	/* none: the body runs to the end of the datagram (RFC 3261 18.3) */
	while (hdr_next(&it, &H_CL, NULL, &h) == 1) {
		size_t v = 0, i;

		/* saturates past the message's length: no overflow */
		for (i = 0; i < h.value.len &&
		    isdigit((unsigned char)h.value.s[i]); i++)
			if (v <= t->len)
				v = v * 10 + (size_t)(h.value.s[i] - '0');
		if (h.value.len == 0 || i < h.value.len)
			return fail(f, 400, "Content-Length Failure",
			    "the Content-Length is not a number", h.value);
		if (v != body)
			return fail(f, 400, "Content-Length mis-match",
			    "the Content-Length is not the body's length",
			    h.value);
	}
	return 1;
}

static int
c_expires(const struct ctx *c, struct sanity_fail *f)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;

	if (sl_hdr_first(&it, &c->in->text) < 0)
		return 1;
	while (hdr_next(&it, &H_EXPIRES, NULL, &h) == 1) {
		if (h.value.len == 0)
			return fail(f, 400, "Bad Expires Header",
			    "an Expires header is empty", h.text);
		/* RFC 3261 20.19: seconds, 0 to 2**32-1 */
		if (!uint32_text(&h.value))
			return fail(f, 400, "Expires value is illegal",
			    "an Expires value is not a 32-bit unsigned "
			    "integer", h.value);
	}
	return 1;
}

static int
supported(const struct sanity_in *in, const str_t *ext)
{
	/* option tags are tokens, compared case-insensitively (7.3.1) */
	for (size_t i = 0; i < in->n_supported; i++)
		if (str_casecmp_eq(&in->supported[i], ext))
			return 1;
	return 0;
}

/* Adds ext to the 420's Unsupported list, unless it does not fit. */
static void
unsup_add(struct sanity_fail *f, const str_t *ext)
{
	size_t need = ext->len + (f->unsup_len ? 2 : 0);

	if (f->unsup_len + need > sizeof(f->unsup))
		return;
	if (f->unsup_len) {
		memcpy(f->unsup + f->unsup_len, ", ", 2);
		f->unsup_len += 2;
	}
	memcpy(f->unsup + f->unsup_len, ext->s, ext->len);
	f->unsup_len += ext->len;
}

static int
token_text(const str_t *s)
{
	for (size_t i = 0; i < s->len; i++)
		if (!sanity_is_token_char(s->s[i]))
			return 0;
	return s->len > 0;
}

/* RFC 3261 8.2.2.3 and 16.3 (4): every Proxy-Require option known. */
static int
c_proxy_require(const struct ctx *c, struct sanity_fail *f)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	str_t first = STR_NULL;

	f->unsup_len = 0;
	if (sl_hdr_first(&it, &c->in->text) < 0)
		return 1;
	while (hdr_next(&it, &H_PROXY_REQUIRE, NULL, &h) == 1) {
		str_t rest = h.value, ext;
		int rc;

		while ((rc = sanity_list_next(&rest, &ext)) == 1) {
			if (!token_text(&ext))
				return fail(f, 400, "Bad Proxy Require Header",
				    "a Proxy-Require item is not an option "
				    "tag", h.value);
			if (supported(c->in, &ext))
				continue;
			if (first.s == NULL)
				first = ext;
			unsup_add(f, &ext);
		}
		if (rc < 0 || h.value.len == 0)
			return fail(f, 400, "Bad Proxy Require Header",
			    "a Proxy-Require header does not parse", h.text);
	}
	if (first.s != NULL)
		return fail(f, 420, "Bad Proxy Require Extension",
		    "the request requires an extension not in proxy_require",
		    first);
	return 1;
}

/* The URI of the first From or To header (reason: the 400's). */
static int
addr_uri(const struct ctx *c, struct sanity_fail *f, const struct hname *hn,
    const char *reason)
{
	struct sl_hdr h;
	str_t uri, params;

	if (!hdr_first(&c->in->text, hn, &h))
		return fail(f, 400, reason, "the header is missing",
		    str_cstr(hn->name));
	if (sanity_addr_split(&h.value, &uri, &params) < 0)
		return fail(f, 400, reason, "the header does not parse",
		    h.text);
	if (sanity_uri_check(&uri) != SANITY_URI_OK)
		return fail(f, 400, reason, "its URI does not parse", uri);
	return 1;
}

/* Every value of every Contact header ("*" alone allowed). */
static int
contact_uris(const struct ctx *c, struct sanity_fail *f)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;

	if (sl_hdr_first(&it, &c->in->text) < 0)
		return 1;
	while (hdr_next(&it, &H_CONTACT, NULL, &h) == 1) {
		str_t rest = h.value, v, uri, params;
		int rc;

		if (str_eq_cstr(&h.value, "*"))
			continue;
		while ((rc = sanity_list_next(&rest, &v)) == 1) {
			/* RFC 3261 10.2.2: "*" stands alone */
			if (str_eq_cstr(&v, "*"))
				return fail(f, 400, "Bad Contact Header",
				    "'*' with other Contact values", h.text);
			if (sanity_addr_split(&v, &uri, &params) < 0 ||
			    sanity_param_count(&params, "tag") < 0)
				return fail(f, 400, "Bad Contact Header",
				    "a Contact value does not parse", v);
			if (sanity_uri_check(&uri) != SANITY_URI_OK)
				return fail(f, 400, "Bad Contact URI",
				    "a Contact URI does not parse", uri);
		}
		if (rc < 0)
			return fail(f, 400, "Bad Contact Header",
			    "a Contact header does not parse", h.text);
	}
	return 1;
}

static int
c_parse_uris(const struct ctx *c, struct sanity_fail *f)
{
	if ((c->uri_checks & SANITY_URI_RURI) &&
	    sanity_uri_check(&c->ruri) != SANITY_URI_OK)
		return fail(f, 400, "Bad Request URI",
		    "the Request-URI does not parse", c->ruri);
	if ((c->uri_checks & SANITY_URI_FROM) &&
	    !addr_uri(c, f, &H_FROM, "Invalid From Header"))
		return 0;
	/* Kamailio 5.6 writes "Ivalid To Header" */
	if ((c->uri_checks & SANITY_URI_TO) &&
	    !addr_uri(c, f, &H_TO, "Invalid To Header"))
		return 0;
	if ((c->uri_checks & SANITY_URI_CONTACT) && !contact_uris(c, f))
		return 0;
	return 1;
}

/*
 * Every Authorization and Proxy-Authorization: Digest credentials with
 * what a server needs.  only_digest: other schemes pass (8192); else
 * they fail, unanswered, as in Kamailio (2048).
 */
static int
c_auth(const struct ctx *c, struct sanity_fail *f, int only_digest)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;

	if (sl_hdr_first(&it, &c->in->text) < 0)
		return 1;
	while (hdr_next(&it, &H_AUTH, &H_PROXY_AUTH, &h) == 1) {
		switch (sanity_auth_check(&h.value)) {
		case SANITY_AUTH_OK:
			break;
		case SANITY_AUTH_OTHER:
			if (only_digest)
				break;
			return fail(f, 0, NULL, "the credentials are not "
			    "Digest", h.text);
		case SANITY_AUTH_SYNTAX:
			return fail(f, 400, "Bad Auth Header", "the "
			    "credentials do not parse", h.text);
		case SANITY_AUTH_MISSING:
			return fail(f, 400, "Bad Auth Credentials", "a Digest "
			    "parameter is missing", h.text);
		case SANITY_AUTH_EMPTY_USER:
			return fail(f, 400, "Auth Empty User", "the username "
			    "is empty", h.text);
		case SANITY_AUTH_EMPTY_NONCE:
			return fail(f, 400, "Auth Empty Nonce", "the nonce is "
			    "empty", h.text);
		default:
			return fail(f, 400, "Auth Empty Response", "the "
			    "response is empty", h.text);
		}
	}
	return 1;
}

static int
c_digest(const struct ctx *c, struct sanity_fail *f)
{
	return c_auth(c, f, 0);
}

static int
c_authorization(const struct ctx *c, struct sanity_fail *f)
{
	return c_auth(c, f, 1);
}

/* One tag at most in the first From and To (RFC 3261 19.3). */
static int
c_duptags(const struct ctx *c, struct sanity_fail *f)
{
	static const struct {
		const struct hname *h;
		const char *bad, *many;
	} hs[] = {
		{ &H_FROM, "Invalid From Header", "Many From Tag Params" },
		{ &H_TO, "Invalid To Header", "Many To Tag Params" },
	};

	for (size_t i = 0; i < 2; i++) {
		struct sl_hdr h;
		str_t uri, params;
		int n;

		if (!hdr_first(&c->in->text, hs[i].h, &h))
			continue;
		if (sanity_addr_split(&h.value, &uri, &params) < 0 ||
		    (n = sanity_param_count(&params, "tag")) < 0)
			return fail(f, 400, hs[i].bad, "the header does not "
			    "parse", h.text);
		if (n > 1)
			return fail(f, 400, hs[i].many, "the header has more "
			    "than one tag", h.text);
	}
	return 1;
}

/* The top Via, which replies follow back (RFC 3261 18.2.2): present,
 * readable, with a host.  No reply: there is nowhere to send one. */
static int
c_via1(const struct ctx *c, struct sanity_fail *f)
{
	struct sl_hdr h;
	struct sl_via v;

	if (!hdr_first(&c->in->text, &H_VIA, &h))
		return fail(f, 0, NULL, "no Via header", STR_NULL);
	if (sl_via_parse(&h.value, &v) < 0)
		return fail(f, 0, NULL, "the top Via does not parse",
		    h.value);
	return 1;
}

/* --- running them --------------------------------------------------------- */

static const struct {
	unsigned     bit;
	const char  *name;
	int        (*fn)(const struct ctx *c, struct sanity_fail *f);
} checks[] = {
	{ SANITY_RURI_SIP_VERSION, "ruri sip version", c_ruri_version },
	{ SANITY_RURI_SCHEME, "ruri scheme", c_ruri_scheme },
	{ SANITY_REQUIRED_HEADERS, "required headers", c_required },
	{ SANITY_VIA_SIP_VERSION, "via sip version", c_via_version },
	{ SANITY_VIA_PROTOCOL, "via protocol", c_via_protocol },
	{ SANITY_CSEQ_METHOD, "cseq method", c_cseq_method },
	{ SANITY_CSEQ_VALUE, "cseq value", c_cseq_value },
	{ SANITY_CL, "content length", c_content_length },
	{ SANITY_EXPIRES_VALUE, "expires value", c_expires },
	{ SANITY_PROXY_REQUIRE, "proxy require", c_proxy_require },
	{ SANITY_PARSE_URIS, "parse uris", c_parse_uris },
	{ SANITY_DIGEST, "digest credentials", c_digest },
	{ SANITY_DUPTAGS, "duplicated to/from tags", c_duptags },
	{ SANITY_AUTHORIZATION, "authorization header", c_authorization },
	{ SANITY_VIA1_HEADER, "first via header", c_via1 },
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

const char *
sanity_check_name(unsigned check)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if (checks[i].bit == check)
			return checks[i].name;
	return "?";
}

int
sanity_run(const struct sanity_in *in, unsigned msg_checks,
    unsigned uri_checks, struct sanity_fail *f)
{
	struct ctx c = { .in = in, .uri_checks = uri_checks };

	memset(f, 0, sizeof(*f));
	if (in->is_reply) {
		msg_checks &= SANITY_REPLY_CHECKS;
		c.uri_checks &= ~(unsigned)SANITY_URI_RURI;
	} else {
		request_line(&in->text, &c.rl);
		c.ruri = in->ruri.len > 0 ? in->ruri : c.rl.uri;
	}
	for (size_t i = 0; i < NCHECKS; i++) {
		if (!(msg_checks & checks[i].bit) || checks[i].fn(&c, f))
			continue;
		f->check = checks[i].bit;
		return 0;
	}
	return 1;
}

int
sanity_split_extensions(const str_t *list, str_t *out, size_t cap)
{
	str_t rest = *list, ext;
	size_t n = 0;

	str_trim(&rest);
	if (rest.len == 0)
		return 0;
	while (sanity_list_next(&rest, &ext) == 1) {
		if (!token_text(&ext) || n == cap)
			return -1;
		out[n++] = ext;
	}
	return (int)n;
}
