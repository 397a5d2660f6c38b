/*
 * sip.c - the lazy SIP view of a message.  libosip2 validates the message
 * and gives the structured pieces (status, tags, CSeq, Call-ID, URI
 * parts); header values and the request line come from a small scan of
 * the raw text so that scripts see them exactly as written.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>

#include "log.h"
#include "msg.h"
#include "sip.h"
#include "xalloc.h"

struct sip_hdr {
	str_t name;
	str_t value;
};

/* What m->sip points to once the message parsed. */
struct sip_view {
	osip_message_t *osip;
	str_t           text;       /* what was parsed (buffer or sip_text) */
	str_t           line;       /* first line, without CRLF             */
	struct sip_hdr *hdr;
	size_t          nhdr, cap;
	char           *fold;       /* joined values of folded headers      */
	size_t          fold_len;
	str_t           body;
	int             has_body;
};

/* RFC 3261 7.3.3 and the registered compact forms. */
static const struct {
	char        c;
	const char *name;
} compact[] = {
	{ 'a', "Accept-Contact" },      { 'b', "Referred-By" },
	{ 'c', "Content-Type" },        { 'd', "Request-Disposition" },
	{ 'e', "Content-Encoding" },    { 'f', "From" },
	{ 'i', "Call-ID" },             { 'j', "Reject-Contact" },
	{ 'k', "Supported" },           { 'l', "Content-Length" },
	{ 'm', "Contact" },             { 'o', "Event" },
	{ 'r', "Refer-To" },            { 's', "Subject" },
	{ 't', "To" },                  { 'u', "Allow-Events" },
	{ 'v', "Via" },                 { 'x', "Session-Expires" },
	{ 'y', "Identity" },
};

/* The long name of a one-letter header name, or NULL. */
static const char *
sip_long_name(const str_t *n)
{
	if (n->len != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(compact) / sizeof(compact[0]); i++)
		if ((n->s[0] | 0x20) == compact[i].c)
			return compact[i].name;
	return NULL;
}

static int
sip_name_eq(const str_t *a, const str_t *b)
{
	const char *la, *lb;

	if (str_casecmp_eq(a, b))
		return 1;
	la = sip_long_name(a);
	lb = sip_long_name(b);
	return (la != NULL && str_caseeq_cstr(b, la)) ||
	    (lb != NULL && str_caseeq_cstr(a, lb));
}

static int
sip_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* End of the line starting at p (the '\n', or end). */
static const char *
sip_eol(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* The line [p, e) without its trailing CR. */
static str_t
sip_line(const char *p, const char *e)
{
	if (e > p && e[-1] == '\r')
		e--;
	return str_make(p, (size_t)(e - p));
}

/*
 * Adds one header whose text is [p, end) (possibly several physical
 * lines).  A folded value is copied with each line break and the blanks
 * around it turned into one space (RFC 3261 7.3.1).
 */
static int
sip_add_hdr(struct sip_view *v, const char *p, const char *end)
{
	struct sip_hdr *nh, h;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *e;
	str_t seg;
	char *out;

	if (colon == NULL)
		return 0;       /* not a header line: libosip2 let it by */
	h.name = str_make(p, (size_t)(colon - p));
	str_trim(&h.name);
	h.value = str_make(colon + 1, (size_t)(end - colon - 1));
	str_trim(&h.value);
	if (memchr(h.value.s, '\n', h.value.len) != NULL) {
		if (v->fold == NULL && (v->fold = xmalloc(v->text.len)) == NULL)
			return -1;
		out = v->fold + v->fold_len;
		h.value.len = 0;
		for (p = colon + 1; p < end; p = e + 1) {
			e = sip_eol(p, end);
			seg = sip_line(p, e);
			str_trim(&seg);
			if (seg.len == 0)
				continue;
			if (h.value.len)
				out[h.value.len++] = ' ';
			memcpy(out + h.value.len, seg.s, seg.len);
			h.value.len += seg.len;
		}
		h.value.s = out;
		v->fold_len += h.value.len;
	}
	if (v->nhdr == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;

		nh = xrealloc(v->hdr, cap * sizeof(*nh));
		if (nh == NULL)
			return -1;
		v->hdr = nh;
		v->cap = cap;
	}
	v->hdr[v->nhdr++] = h;
	return 0;
}

/* Splits the text into first line, header lines and body. */
static int
sip_index(struct sip_view *v)
{
	const char *p = v->text.s, *end = v->text.s + v->text.len;
	const char *e, *start;

	e = sip_eol(p, end);
	v->line = sip_line(p, e);
	p = e < end ? e + 1 : end;
	while (p < end) {
		e = sip_eol(p, end);
		if (sip_line(p, e).len == 0) {
			p = e < end ? e + 1 : end;
			v->body = str_make(p, (size_t)(end - p));
			v->has_body = 1;
			return 0;
		}
		start = p;
		/* continuation lines start with a blank */
		while (e < end && e + 1 < end && sip_is_blank(e[1]))
			e = sip_eol(e + 1, end);
		if (sip_add_hdr(v, start, e) != 0)
			return -1;
		p = e < end ? e + 1 : end;
	}
	return 0;
}

/*
 * libosip2 prints its own traces unless told otherwise; its complaints
 * about a bad message only matter while debugging, since sip_parse() logs
 * the one line that matters.
 */
static void
sip_osip_trace(const char *file, int line, osip_trace_level_t level,
    const char *fmt, va_list ap)
{
	char buf[512];

	if (!log_enabled(L_DBG))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_dbg("libosip2 %s:%d: %s", file, line, buf);
}

/* parser_init() builds libosip2's tables: once per process. */
static void
sip_lib_init(void)
{
	static int ready;

	if (ready)
		return;
	parser_init();
	/* the levels below info: errors and warnings */
	osip_trace_initialize_func(OSIP_INFO1, sip_osip_trace);
	ready = 1;
}

static void
sip_view_free(struct sip_view *v)
{
	if (v == NULL)
		return;
	if (v->osip != NULL)
		osip_message_free(v->osip);
	free(v->hdr);
	free(v->fold);
	free(v);
}

int
sip_parse(struct msg *m)
{
	struct sip_view *v = NULL;
	str_t text = m->buf;

	if (m->sip_state != 0)
		return m->sip_state == 1 ? 0 : -1;
	if (m->kind == MSG_NONE)
		return -1;      /* nothing to parse: not an error */
	if (m->sip_text != NULL) {
		if (m->sip_text(m, &text) != 0) {
			log_errx("cannot build the SIP view of a %s message",
			    m->kind == MSG_MSRP ? "MSRP" : "non-SIP");
			goto fail;
		}
	} else if (m->kind == MSG_MSRP) {
		return -1;      /* MSRP without sipmsg: no SIP view */
	}
	sip_lib_init();
	v = xcalloc(1, sizeof(*v));
	if (v == NULL)
		goto fail;
	v->text = text;
	if (osip_message_init(&v->osip) != 0) {
		v->osip = NULL;
		log_errx("osip_message_init() failed");
		goto fail;
	}
	if (text.len == 0 ||
	    osip_message_parse(v->osip, text.s, text.len) != 0) {
		log_errx("osip_message_parse() rejected a %zu-byte message; "
		    "it is not valid SIP", text.len);
		goto fail;
	}
	if (sip_index(v) != 0)
		goto fail;
	m->sip = v;
	m->sip_state = 1;
	return 0;
fail:
	sip_view_free(v);
	m->sip_state = -1;
	return -1;
}

void
sip_release(struct msg *m)
{
	sip_view_free(m->sip);
	m->sip = NULL;
	m->sip_state = 0;
}

static struct sip_view *
sip_view(struct msg *m)
{
	return sip_parse(m) == 0 ? m->sip : NULL;
}

/* Copies a libosip2 string into m's arena; -1 when s is NULL. */
static int
sip_dup(struct msg *m, const char *s, str_t *out)
{
	str_t in;

	if (s == NULL)
		return -1;
	in = str_cstr(s);
	return arena_str_dup(&m->arena, &in, out);
}

/* Word n (0-based) of the first line, split at blanks. */
static int
sip_line_word(const struct sip_view *v, int n, str_t *out)
{
	str_t rest = v->line, w;

	do {
		while (rest.len && sip_is_blank(rest.s[0])) {
			rest.s++;
			rest.len--;
		}
		if (rest.len == 0)
			return -1;
		w = rest;
		w.len = 0;
		while (w.len < rest.len && !sip_is_blank(rest.s[w.len]))
			w.len++;
		rest.s += w.len;
		rest.len -= w.len;
	} while (n-- > 0);
	*out = w;
	return 0;
}

/*
 * Word n of the request line of a request libosip2 refused (a broken
 * Contact, say): the method and Request-URI are still known, so the
 * script can route it to the function that answers 400 (Kamailio's
 * save() does), instead of every test on $rm failing.  The line must
 * read "METHOD SP URI SP SIP/..." to count.
 */
static int
sip_raw_line_word(struct msg *m, int n, str_t *out)
{
	struct sip_view raw;
	str_t ver;
	const char *eol;

	if (m->kind != MSG_SIP_REQUEST || m->sip_text != NULL)
		return -1;
	eol = memchr(m->buf.s, '\n', m->buf.len);
	raw.line = str_make(m->buf.s, eol ? (size_t)(eol - m->buf.s)
	    : m->buf.len);
	if (raw.line.len && raw.line.s[raw.line.len - 1] == '\r')
		raw.line.len--;
	if (sip_line_word(&raw, 2, &ver) != 0 || ver.len < 4 ||
	    memcmp(ver.s, "SIP/", 4) != 0)
		return -1;
	return sip_line_word(&raw, n, out);
}

int
sip_method(struct msg *m, str_t *out)
{
	struct sip_view *v = sip_view(m);

	if (v == NULL)
		return sip_raw_line_word(m, 0, out);
	if (!MSG_IS_REQUEST(v->osip))
		return -1;
	return sip_line_word(v, 0, out);
}

int
sip_ruri(struct msg *m, str_t *out)
{
	struct sip_view *v = sip_view(m);

	if (v == NULL)
		return sip_raw_line_word(m, 1, out);
	if (!MSG_IS_REQUEST(v->osip))
		return -1;
	return sip_line_word(v, 1, out);
}

int
sip_status(struct msg *m, int *code)
{
	struct sip_view *v = sip_view(m);

	if (v == NULL || !MSG_IS_RESPONSE(v->osip))
		return -1;
	*code = v->osip->status_code;
	return 0;
}

int
sip_reason(struct msg *m, str_t *out)
{
	struct sip_view *v = sip_view(m);

	if (v == NULL || !MSG_IS_RESPONSE(v->osip))
		return -1;
	if (v->osip->reason_phrase == NULL) {
		*out = str_make("", 0);
		return 0;
	}
	return sip_dup(m, v->osip->reason_phrase, out);
}

int
sip_header(struct msg *m, const str_t *name, int idx, str_t *out)
{
	struct sip_view *v = sip_view(m);
	int n;

	if (v == NULL)
		return -1;
	if (idx < 0) {
		n = sip_header_count(m, name);
		idx += n;
		if (idx < 0)
			return 0;
	}
	for (size_t i = 0; i < v->nhdr; i++) {
		if (!sip_name_eq(&v->hdr[i].name, name))
			continue;
		if (idx-- == 0) {
			*out = v->hdr[i].value;
			return 1;
		}
	}
	return 0;
}

int
sip_header_count(struct msg *m, const str_t *name)
{
	struct sip_view *v = sip_view(m);
	int n = 0;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < v->nhdr; i++)
		if (sip_name_eq(&v->hdr[i].name, name))
			n++;
	return n;
}

int
sip_call_id(struct msg *m, str_t *out)
{
	struct sip_view *v = sip_view(m);
	osip_call_id_t *ci;
	size_t nl, hl;
	char *p;

	if (v == NULL || (ci = v->osip->call_id) == NULL || ci->number == NULL)
		return -1;
	if (ci->host == NULL)
		return sip_dup(m, ci->number, out);
	nl = strlen(ci->number);
	hl = strlen(ci->host);
	p = arena_alloc(&m->arena, nl + hl + 2);
	if (p == NULL)
		return -1;
	memcpy(p, ci->number, nl);
	p[nl] = '@';
	memcpy(p + nl + 1, ci->host, hl + 1);
	*out = str_make(p, nl + hl + 1);
	return 0;
}

int
sip_cseq(struct msg *m, str_t *num, str_t *method)
{
	struct sip_view *v = sip_view(m);
	osip_cseq_t *cs;

	if (v == NULL || (cs = v->osip->cseq) == NULL)
		return -1;
	if (num != NULL && sip_dup(m, cs->number, num) != 0)
		return -1;
	if (method != NULL && sip_dup(m, cs->method, method) != 0)
		return -1;
	return 0;
}

/*
 * The URI of a name-addr or addr-spec header value as written: between
 * '<' and '>' (a quoted display name may hold either), else up to ';'.
 */
static int
sip_addr_uri(const str_t *val, str_t *out)
{
	size_t i = 0, start;
	int quoted = 0;

	for (; i < val->len; i++) {
		char c = val->s[i];

		if (quoted && c == '\\')
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '<')
			break;
	}
	if (i < val->len) {
		start = ++i;
		while (i < val->len && val->s[i] != '>')
			i++;
		if (i == val->len)
			return -1;
		*out = str_make(val->s + start, i - start);
	} else {
		*out = *val;
		if (str_chr(out, ';') != NULL)
			out->len = (size_t)(str_chr(out, ';') - out->s);
	}
	str_trim(out);
	return out->len ? 0 : -1;
}

static int
sip_party_uri(struct msg *m, int to, str_t *out)
{
	struct sip_view *v = sip_view(m);
	str_t val;

	if (v == NULL || (to ? v->osip->to : v->osip->from) == NULL)
		return -1;
	if (sip_header(m, to ? &STR_LIT("To") : &STR_LIT("From"), 0,
	    &val) != 1)
		return -1;
	return sip_addr_uri(&val, out);
}

int
sip_from_uri(struct msg *m, str_t *out)
{
	return sip_party_uri(m, 0, out);
}

int
sip_to_uri(struct msg *m, str_t *out)
{
	return sip_party_uri(m, 1, out);
}

static int
sip_party_tag(struct msg *m, int to, str_t *out)
{
	struct sip_view *v = sip_view(m);
	osip_from_t *f;
	osip_generic_param_t *tag = NULL;

	if (v == NULL)
		return -1;
	f = to ? v->osip->to : v->osip->from;
	if (f == NULL || osip_from_get_tag(f, &tag) != 0 || tag == NULL)
		return -1;
	return sip_dup(m, tag->gvalue ? tag->gvalue : "", out);
}

int
sip_from_tag(struct msg *m, str_t *out)
{
	return sip_party_tag(m, 0, out);
}

int
sip_to_tag(struct msg *m, str_t *out)
{
	return sip_party_tag(m, 1, out);
}

int
sip_user_agent(struct msg *m, str_t *out)
{
	int rc = sip_header(m, &STR_LIT("User-Agent"), 0, out);

	return rc == 1 ? 0 : -1;
}

int
sip_body(struct msg *m, str_t *out)
{
	struct sip_view *v = sip_view(m);

	if (v == NULL || !v->has_body)
		return -1;
	*out = v->body;
	return 0;
}

/* Which part of a URI sip_uri_part() gives. */
enum sip_uri_part { SIP_URI_USER, SIP_URI_HOST, SIP_URI_PORT };

/*
 * Slices part `which` out of a URI libosip2 accepted.  libosip2 itself
 * unescapes the user and drops the brackets of an IPv6 host; Kamailio
 * scripts compare with the text as written ("$rd == '[::1]'"), so the
 * slice is taken from the text.
 */
static int
sip_uri_slice(const str_t *uri, enum sip_uri_part which, str_t *out)
{
	str_t rest = *uri, user = STR_NULL, host, port = STR_NULL;
	char *p, *at, *q;

	p = str_chr(&rest, ':');
	if (p == NULL)
		return -1;
	rest = str_make(p + 1, rest.len - (size_t)(p + 1 - rest.s));
	/* a header value after '?' may hold an '@' of its own */
	if ((q = str_chr(&rest, '?')) != NULL)
		rest.len = (size_t)(q - rest.s);
	at = str_chr(&rest, '@');
	if (at != NULL) {
		user = str_make(rest.s, (size_t)(at - rest.s));
		rest = str_make(at + 1, rest.len - user.len - 1);
		if ((p = str_chr(&user, ':')) != NULL)
			user.len = (size_t)(p - user.s);      /* no password */
	}
	if ((p = str_chr(&rest, ';')) != NULL)
		rest.len = (size_t)(p - rest.s);
	host = rest;
	if (host.len && host.s[0] == '[') {
		p = str_chr(&host, ']');
		if (p == NULL)
			return -1;
		host.len = (size_t)(p - host.s) + 1;
	} else if ((p = str_chr(&host, ':')) != NULL) {
		host.len = (size_t)(p - host.s);
	}
	if (host.len < rest.len && rest.s[host.len] == ':')
		port = str_make(rest.s + host.len + 1, rest.len - host.len - 1);
	*out = which == SIP_URI_USER ? user
	    : which == SIP_URI_HOST ? host : port;
	return out->len ? 0 : -1;
}

static int
sip_uri_part(struct msg *m, const str_t *uri, enum sip_uri_part which,
    str_t *out)
{
	osip_uri_t *u = NULL;
	char *text;
	int rc = -1;

	if (m == NULL || uri == NULL || uri->len == 0)
		return -1;
	sip_lib_init();
	/* libosip2 wants a C string; the copy stays in the arena */
	text = arena_strndup(&m->arena, uri->s, uri->len);
	if (text == NULL || osip_uri_init(&u) != 0)
		return -1;
	if (osip_uri_parse(u, text) != 0 || u->host == NULL) {
		log_dbg("cannot parse URI '%.*s'", STR_FMT(uri));
		goto done;
	}
	rc = sip_uri_slice(uri, which, out);
done:
	osip_uri_free(u);
	return rc;
}

int
sip_uri_user(struct msg *m, const str_t *uri, str_t *out)
{
	return sip_uri_part(m, uri, SIP_URI_USER, out);
}

int
sip_uri_host(struct msg *m, const str_t *uri, str_t *out)
{
	return sip_uri_part(m, uri, SIP_URI_HOST, out);
}

int
sip_uri_port(struct msg *m, const str_t *uri, str_t *out)
{
	return sip_uri_part(m, uri, SIP_URI_PORT, out);
}
