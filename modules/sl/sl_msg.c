/*
 * sl_msg.c - reading the parts of a SIP request a stateless reply copies
 * (see sl_msg.h).  The grammar is RFC 3261 25.1, read leniently where
 * leniency cannot change the meaning (blanks around ';', '=', '/').
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "sl_msg.h"

static int
sl_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Linear white space, including the line breaks of a folded value. */
static const char *
sl_skip_lws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/* RFC 3261 token characters. */
static int
sl_is_token(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' &&
	    strchr("-.!%*_+`'~", c) != NULL);
}

static int
sl_is_host(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

static str_t
sl_take(const char **pp, const char *end, int (*ok)(char))
{
	const char *p = *pp;

	while (p < end && ok(*p))
		p++;
	str_t t = str_make(*pp, (size_t)(p - *pp));
	*pp = p;
	return t;
}

/* Past the closing quote of the quoted-string at p, or NULL. */
static const char *
sl_skip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/*
 * A parameter value: a quoted-string (kept with its quotes) or a run of
 * characters up to a separator.  NULL when a quote is not closed.
 */
static const char *
sl_param_value(const char *p, const char *end, str_t *val)
{
	const char *s = p;

	if (p < end && *p == '"') {
		if ((p = sl_skip_quoted(p, end)) == NULL)
			return NULL;
	} else {
		while (p < end && !sl_is_blank(*p) && *p != ';' &&
		    *p != ',' && *p != '\r' && *p != '\n')
			p++;
	}
	*val = str_make(s, (size_t)(p - s));
	return p;
}

/* --- header lines --------------------------------------------------------- */

static const struct {
	const char       *name;
	char              compact;
	enum sl_hdr_kind  kind;
} sl_names[] = {
	{ "Via", 'v', SL_H_VIA },
	{ "From", 'f', SL_H_FROM },
	{ "To", 't', SL_H_TO },
	{ "Call-ID", 'i', SL_H_CALLID },
	{ "CSeq", 0, SL_H_CSEQ },
	{ "Record-Route", 0, SL_H_RR },
};

static enum sl_hdr_kind
sl_hdr_kind(const str_t *name)
{
	for (size_t i = 0; i < sizeof(sl_names) / sizeof(sl_names[0]); i++) {
		if (str_caseeq_cstr(name, sl_names[i].name))
			return sl_names[i].kind;
		if (name->len == 1 && sl_names[i].compact != 0 &&
		    (name->s[0] | 0x20) == sl_names[i].compact)
			return sl_names[i].kind;
	}
	return SL_H_OTHER;
}

/* The '\n' ending the line at p, or end. */
static const char *
sl_eol(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

int
sl_hdr_first(struct sl_hdr_iter *it, const str_t *msg)
{
	const char *end = msg->s + msg->len;
	const char *nl = sl_eol(msg->s, end);

	if (nl == end)
		return -1;
	it->p = nl + 1;
	it->end = end;
	return 0;
}

int
sl_hdr_next(struct sl_hdr_iter *it, struct sl_hdr *h)
{
	const char *p = it->p, *end = it->end, *e, *te, *colon;

	if (p >= end)
		return 0;
	e = sl_eol(p, end);
	te = e > p && e[-1] == '\r' ? e - 1 : e;
	if (te == p) {
		it->p = end;            /* the blank line: headers are over */
		return 0;
	}
	/* a line starting with a blank continues the field */
	while (e < end && e + 1 < end && sl_is_blank(e[1]))
		e = sl_eol(e + 1, end);
	te = e > p && e[-1] == '\r' ? e - 1 : e;
	it->p = e < end ? e + 1 : end;
	colon = memchr(p, ':', (size_t)(te - p));
	if (colon == NULL)
		return -1;
	h->text = str_make(p, (size_t)(te - p));
	h->name = str_make(p, (size_t)(colon - p));
	str_trim(&h->name);
	h->value = str_make(colon + 1, (size_t)(te - colon - 1));
	str_trim(&h->value);
	if (h->name.len == 0)
		return -1;
	h->kind = sl_hdr_kind(&h->name);
	return 1;
}

/* --- Via ------------------------------------------------------------------ */

/* sent-protocol: name SLASH version SLASH transport.  NULL if not. */
static const char *
sl_via_protocol(const char *p, const char *end, struct sl_via *v)
{
	str_t tok = STR_NULL;

	for (int i = 0; i < 3; i++) {
		p = sl_skip_lws(p, end);
		tok = sl_take(&p, end, sl_is_token);
		if (tok.len == 0)
			return NULL;
		p = sl_skip_lws(p, end);
		if (i < 2) {
			if (p == end || *p != '/')
				return NULL;
			p++;
		}
	}
	v->transport = tok;
	return p;
}

/* sent-by: host [":" port].  NULL if not. */
static const char *
sl_via_sent_by(const char *p, const char *end, struct sl_via *v)
{
	const char *q;
	long port = 0;

	if (p < end && *p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (q == NULL)
			return NULL;
		v->host = str_make(p + 1, (size_t)(q - p - 1));
		p = q + 1;
	} else {
		v->host = sl_take(&p, end, sl_is_host);
	}
	if (v->host.len == 0)
		return NULL;
	v->end = p;
	q = sl_skip_lws(p, end);
	if (q < end && *q == ':') {
		q = sl_skip_lws(q + 1, end);
		if (q == end || !isdigit((unsigned char)*q))
			return NULL;
		while (q < end && isdigit((unsigned char)*q)) {
			port = port * 10 + (*q++ - '0');
			if (port > 65535)
				return NULL;
		}
		v->port = (int)port;
		v->end = p = q;
	}
	return p;
}

static void
sl_via_param(struct sl_via *v, const str_t *name, const char *name_end,
    const str_t *val, int has_val)
{
	if (str_caseeq_cstr(name, "branch") && has_val) {
		v->branch = *val;
	} else if (str_caseeq_cstr(name, "rport")) {
		v->has_rport = 1;
		v->rport = has_val ? *val : str_make(name_end, 0);
		v->rport_end = name_end;
	} else if (str_caseeq_cstr(name, "received")) {
		v->has_received = 1;
		v->received = has_val ? *val : str_make(name_end, 0);
		v->received_end = name_end;
	}
}

int
sl_via_parse(const str_t *value, struct sl_via *v)
{
	const char *p = value->s, *end = value->s + value->len, *q;
	const char *name_end;
	str_t name, val;
	int has_val;

	memset(v, 0, sizeof(*v));
	if ((p = sl_via_protocol(p, end, v)) == NULL)
		return -1;
	p = sl_skip_lws(p, end);
	if ((p = sl_via_sent_by(p, end, v)) == NULL)
		return -1;
	for (;;) {
		q = sl_skip_lws(p, end);
		if (q == end || *q == ',')
			return 0;
		if (*q != ';')
			return -1;
		q = sl_skip_lws(q + 1, end);
		name = sl_take(&q, end, sl_is_token);
		if (name.len == 0)
			return -1;
		name_end = q;
		q = sl_skip_lws(q, end);
		val = STR_NULL;
		has_val = 0;
		if (q < end && *q == '=') {
			q = sl_param_value(sl_skip_lws(q + 1, end), end, &val);
			if (q == NULL || val.len == 0)
				return -1;
			has_val = 1;
		} else {
			q = name_end;
		}
		sl_via_param(v, &name, name_end, &val, has_val);
		v->end = p = q;
	}
}

/* --- From / To ------------------------------------------------------------ */

/* Where the header parameters of a From/To value start, or NULL. */
static int
sl_addr_params(const char *p, const char *end, const char **params)
{
	const char *q;

	*params = NULL;
	while (p < end) {
		if (*p == '"') {
			if ((p = sl_skip_quoted(p, end)) == NULL)
				return -1;
			continue;
		}
		if (*p == '<') {
			q = memchr(p, '>', (size_t)(end - p));
			if (q == NULL)
				return -1;
			*params = q + 1;
			return 0;
		}
		if (*p == ';') {
			*params = p;
			return 0;
		}
		p++;
	}
	return 0;
}

int
sl_addr_tag(const str_t *value, str_t *tag)
{
	const char *p, *end = value->s + value->len;
	str_t name, val;

	if (sl_addr_params(value->s, end, &p) < 0)
		return -1;
	if (p == NULL)
		return 0;
	for (;;) {
		p = sl_skip_lws(p, end);
		if (p == end)
			return 0;
		if (*p != ';')
			return -1;
		p = sl_skip_lws(p + 1, end);
		name = sl_take(&p, end, sl_is_token);
		if (name.len == 0)
			return -1;
		p = sl_skip_lws(p, end);
		val = STR_NULL;
		if (p < end && *p == '=') {
			p = sl_param_value(sl_skip_lws(p + 1, end), end, &val);
			if (p == NULL)
				return -1;
		}
		if (str_caseeq_cstr(&name, "tag")) {
			if (val.len == 0)
				return -1;
			*tag = val;
			return 1;
		}
	}
}

/* --- the request ---------------------------------------------------------- */

static int
sl_req_first_line(const str_t *req, struct sl_req *out, const char **err)
{
	const char *p = req->s, *end = req->s + req->len;
	str_t m;

	if (req->len >= 4 && memcmp(req->s, "SIP/", 4) == 0) {
		*err = "not a request";
		return -1;
	}
	m = sl_take(&p, end, sl_is_token);
	if (m.len == 0 || p == end || *p != ' ') {
		*err = "malformed request line";
		return -1;
	}
	out->method = m;
	return 0;
}

/* Takes what the reply needs from one header field.  0 or -1. */
static int
sl_req_hdr(const struct sl_hdr *h, struct sl_req *out, int *seen,
    const char **err)
{
	const char *p;
	int r;

	if (seen[h->kind]++ > 0 && h->kind != SL_H_VIA)
		return 0;               /* only the first one counts */
	switch (h->kind) {
	case SL_H_VIA:
		if (seen[SL_H_VIA] == 1 && sl_via_parse(&h->value,
		    &out->via) < 0) {
			*err = "malformed top Via header";
			return -1;
		}
		return 0;
	case SL_H_FROM:
	case SL_H_TO:
		r = sl_addr_tag(&h->value, h->kind == SL_H_TO ?
		    &out->to_tag : &out->from_tag);
		if (r < 0 || h->value.len == 0) {
			*err = h->kind == SL_H_TO ? "malformed To header" :
			    "malformed From header";
			return -1;
		}
		if (h->kind == SL_H_TO)
			out->to_has_tag = r;
		return 0;
	case SL_H_CALLID:
		out->callid = h->value;
		return 0;
	case SL_H_CSEQ:
		p = h->value.s;
		out->cseq_num = sl_take(&p, h->value.s + h->value.len,
		    sl_is_token);
		return 0;
	default:
		return 0;
	}
}

int
sl_req_scan(const str_t *req, struct sl_req *out, const char **err)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	int seen[SL_H_RR + 1] = { 0 };
	int r;

	memset(out, 0, sizeof(*out));
	if (sl_req_first_line(req, out, err) < 0)
		return -1;
	if (sl_hdr_first(&it, req) < 0) {
		*err = "no header after the request line";
		return -1;
	}
	while ((r = sl_hdr_next(&it, &h)) == 1)
		if (sl_req_hdr(&h, out, seen, err) < 0)
			return -1;
	if (r < 0) {
		*err = "malformed header line";
		return -1;
	}
	*err = !seen[SL_H_VIA] ? "no Via header" :
	    !seen[SL_H_FROM] ? "no From header" :
	    !seen[SL_H_TO] ? "no To header" :
	    out->callid.len == 0 ? "no Call-ID header" :
	    out->cseq_num.len == 0 ? "no CSeq header" : NULL;
	return *err == NULL ? 0 : -1;
}
