/*
 * tm_msg.c - reading and writing the texts of the transaction layer (see
 * tm_msg.h).  Header fields are found with sl's text reader
 * (modules/sl/sl_msg.c), which needs no parser library.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "modules/sl/sl_msg.h"
#include "core/obuf.h"
#include "tm_msg.h"

/* --- small helpers ----------------------------------------------------------- */

static int
tm_is_token(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-.!%*_+`'~", c) != NULL;
}

/* The extent of a header field's whole line(s), line end included. */
static str_t
tm_line_of(const struct sl_hdr *h, const struct sl_hdr_iter *it)
{
	return str_make(h->text.s, (size_t)(it->p - h->text.s));
}

/* CSeq value: number and method. */
static int
tm_cseq_split(const str_t *v, str_t *num, str_t *method)
{
	const char *p = v->s, *end = v->s + v->len, *q;

	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
		;
	if (q == p || q - p > 10)
		return -1;
	*num = str_make(p, (size_t)(q - p));
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	for (p = q; q < end && tm_is_token(*q); q++)
		;
	if (q == p)
		return -1;
	*method = str_make(p, (size_t)(q - p));
	return 0;
}

int
tm_is_method(const str_t *method, const char *m)
{
	return str_eq_cstr(method, m);
}

/* --- request keys ------------------------------------------------------------- */

static int
tm_req_line(const str_t *req, struct tm_key *k, const char **err)
{
	const char *p = req->s, *end = req->s + req->len, *q;

	if (req->len >= 4 && memcmp(req->s, "SIP/", 4) == 0) {
		*err = "not a request";
		return -1;
	}
	for (q = p; q < end && tm_is_token(*q); q++)
		;
	if (q == p || q == end || *q != ' ') {
		*err = "malformed request line";
		return -1;
	}
	k->method = str_make(p, (size_t)(q - p));
	for (p = ++q; q < end && *q != ' ' && *q != '\r' && *q != '\n'; q++)
		;
	if (q == p || q == end || *q != ' ') {
		*err = "malformed request line";
		return -1;
	}
	k->ruri = str_make(p, (size_t)(q - p));
	return 0;
}

static int
tm_key_hdr(const struct sl_hdr *h, struct tm_key *k, int *seen,
    const char **err)
{
	struct sl_via v;
	int r;

	if (h->kind == SL_H_OTHER) {
		long long n;

		if (str_caseeq_cstr(&h->name, "Max-Forwards") &&
		    k->max_fwd < 0) {
			if (str_to_ll(&h->value, &n) < 0 || n < 0 || n > 255) {
				*err = "malformed Max-Forwards header";
				return -1;
			}
			k->max_fwd = (long)n;
		}
		return 0;
	}
	if (seen[h->kind]++ > 0)
		return 0;               /* only the first one counts */
	switch (h->kind) {
	case SL_H_VIA:
		if (sl_via_parse(&h->value, &v) < 0) {
			*err = "malformed top Via header";
			return -1;
		}
		k->via = str_make(h->value.s, (size_t)(v.end - h->value.s));
		k->via_host = v.host;
		k->via_port = v.port ? v.port : 5060;
		k->branch = v.branch.s ? v.branch : STR_NULL;
		k->rfc3261 = k->branch.len > 7 &&
		    memcmp(k->branch.s, TM_MAGIC, 7) == 0;
		return 0;
	case SL_H_FROM:
	case SL_H_TO:
		r = sl_addr_tag(&h->value, h->kind == SL_H_TO ? &k->to_tag :
		    &k->from_tag);
		if (r < 0 || h->value.len == 0) {
			*err = h->kind == SL_H_TO ? "malformed To header" :
			    "malformed From header";
			return -1;
		}
		if (r == 0)
			*(h->kind == SL_H_TO ? &k->to_tag : &k->from_tag) =
			    STR_NULL;
		return 0;
	case SL_H_CALLID:
		k->callid = h->value;
		return 0;
	case SL_H_CSEQ:
		if (tm_cseq_split(&h->value, &k->cseq_num,
		    &k->cseq_method) < 0) {
			*err = "malformed CSeq header";
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

int
tm_key_scan(const str_t *req, struct tm_key *k, const char **err)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	int seen[SL_H_RR + 1] = { 0 };
	int r;

	memset(k, 0, sizeof(*k));
	k->max_fwd = -1;
	if (tm_req_line(req, k, err) < 0)
		return -1;
	if (sl_hdr_first(&it, req) < 0) {
		*err = "no header after the request line";
		return -1;
	}
	while ((r = sl_hdr_next(&it, &h)) == 1)
		if (tm_key_hdr(&h, k, seen, err) < 0)
			return -1;
	if (r < 0) {
		*err = "malformed header line";
		return -1;
	}
	*err = !seen[SL_H_VIA] ? "no Via header" :
	    !seen[SL_H_FROM] ? "no From header" :
	    !seen[SL_H_TO] ? "no To header" :
	    k->callid.len == 0 ? "no Call-ID header" :
	    k->cseq_num.len == 0 ? "no CSeq header" : NULL;
	return *err == NULL ? 0 : -1;
}

/* FNV-1a over the parts, with a separator between them. */
static uint32_t
tm_fnv(uint32_t h, const str_t *s)
{
	for (size_t i = 0; i < s->len; i++) {
		h ^= (unsigned char)s->s[i];
		h *= 16777619u;
	}
	h ^= 0xff;
	return h * 16777619u;
}

uint32_t
tm_key_hash(const struct tm_key *k)
{
	uint32_t h = 2166136261u;

	if (k->rfc3261)
		return tm_fnv(h, &k->branch);
	h = tm_fnv(h, &k->callid);
	return tm_fnv(h, &k->cseq_num);
}

int
tm_key_match(const struct tm_key *t, const struct tm_key *r, const str_t *as)
{
	if (!str_eq(&t->method, as))
		return 0;
	if (r->rfc3261) {
		/* 17.2.3: branch, sent-by and method */
		return t->rfc3261 && str_eq(&t->branch, &r->branch) &&
		    str_casecmp_eq(&t->via_host, &r->via_host) &&
		    t->via_port == r->via_port;
	}
	/* RFC 2543: Call-ID, CSeq number, From tag, top Via, and the To
	 * tag except for an ACK (it carries the tag of the reply) */
	if (t->rfc3261 || !str_eq(&t->callid, &r->callid) ||
	    !str_eq(&t->cseq_num, &r->cseq_num) ||
	    !str_eq(&t->from_tag, &r->from_tag) || !str_eq(&t->via, &r->via))
		return 0;
	if (!tm_is_method(&r->method, "ACK") && !str_eq(&t->to_tag, &r->to_tag))
		return 0;
	return 1;
}

/* --- branches ------------------------------------------------------------------- */

size_t
tm_branch_make(uint32_t slot, uint64_t id, char *buf)
{
	int n = snprintf(buf, TM_BRANCH_MAX, TM_BRANCH_PFX "%" PRIx32 ".%"
	    PRIx64, slot, id);

	return n > 0 ? (size_t)n : 0;
}

static int
tm_hex(const char **p, const char *end, uint64_t *out, int max_digits)
{
	uint64_t v = 0;
	int n = 0;

	for (; *p < end && n < max_digits; (*p)++, n++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			break;
	}
	*out = v;
	return n > 0 ? 0 : -1;
}

int
tm_branch_parse(const str_t *branch, uint32_t *slot, uint64_t *id)
{
	size_t pl = sizeof(TM_BRANCH_PFX) - 1;
	const char *p, *end;
	uint64_t s;

	if (branch->len <= pl || memcmp(branch->s, TM_BRANCH_PFX, pl) != 0)
		return -1;
	p = branch->s + pl;
	end = branch->s + branch->len;
	if (tm_hex(&p, end, &s, 8) < 0 || p == end || *p != '.' ||
	    s > UINT32_MAX)
		return -1;
	p++;
	if (tm_hex(&p, end, id, 16) < 0 || p != end)
		return -1;
	*slot = (uint32_t)s;
	return 0;
}

/* --- replies -------------------------------------------------------------------- */

int
tm_rpl_scan(const str_t *rpl, struct tm_rpl *r, const char **err)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	struct sl_via v;
	int via = 0, cseq = 0, to = 0, rc;
	const char *p;

	memset(r, 0, sizeof(*r));
	if (rpl->len < 12 || memcmp(rpl->s, "SIP/2.0 ", 8) != 0) {
		*err = "not a SIP/2.0 reply";
		return -1;
	}
	p = rpl->s + 8;
	for (int i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9') {
			*err = "malformed status code";
			return -1;
		}
		r->code = r->code * 10 + (*p - '0');
	}
	if (r->code < 100 || r->code > 699 || (*p != ' ' && *p != '\r')) {
		*err = "malformed status code";
		return -1;
	}
	if (sl_hdr_first(&it, rpl) < 0) {
		*err = "no header after the status line";
		return -1;
	}
	while ((rc = sl_hdr_next(&it, &h)) == 1) {
		if (h.kind == SL_H_VIA && via++ == 0) {
			const char *q, *end = h.value.s + h.value.len;

			if (sl_via_parse(&h.value, &v) < 0) {
				*err = "malformed top Via header";
				return -1;
			}
			r->branch = v.branch.s ? v.branch : STR_NULL;
			/* only the first value goes when the line holds more */
			for (q = v.end; q < end && (*q == ' ' || *q == '\t');
			    q++)
				;
			if (q < end && *q == ',') {
				for (q++; q < end && (*q == ' ' || *q == '\t' ||
				    *q == '\r' || *q == '\n'); q++)
					;
				r->via_cut = str_make(h.value.s,
				    (size_t)(q - h.value.s));
			} else {
				r->via_cut = tm_line_of(&h, &it);
			}
		} else if (h.kind == SL_H_CSEQ && cseq++ == 0) {
			if (tm_cseq_split(&h.value, &r->cseq_num,
			    &r->cseq_method) < 0) {
				*err = "malformed CSeq header";
				return -1;
			}
		} else if (h.kind == SL_H_TO && to++ == 0) {
			r->to = h.text;
			if (sl_addr_tag(&h.value, &r->to_tag) <= 0)
				r->to_tag = STR_NULL;
		}
	}
	if (rc < 0) {
		*err = "malformed header line";
		return -1;
	}
	*err = !via ? "no Via header" : !cseq ? "no CSeq header" :
	    !to ? "no To header" : NULL;
	return *err == NULL ? 0 : -1;
}

int
tm_rpl_check(const str_t *rpl, const char **err)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	str_t tag;
	int from = 0, to = 0, callid = 0, rc;

	*err = "no header after the status line";
	if (sl_hdr_first(&it, rpl) < 0)
		return -1;
	while ((rc = sl_hdr_next(&it, &h)) == 1) {
		if (h.kind == SL_H_FROM && from++ == 0 &&
		    (h.value.len == 0 || sl_addr_tag(&h.value, &tag) < 0)) {
			*err = "malformed From header";
			return -1;
		}
		if (h.kind == SL_H_TO && to++ == 0 &&
		    (h.value.len == 0 || sl_addr_tag(&h.value, &tag) < 0)) {
			*err = "malformed To header";
			return -1;
		}
		if (h.kind == SL_H_CALLID && callid++ == 0 && h.value.len == 0) {
			*err = "empty Call-ID header";
			return -1;
		}
	}
	*err = rc < 0 ? "malformed header line" : !from ? "no From header" :
	    !to ? "no To header" : !callid ? "no Call-ID header" : NULL;
	return *err == NULL ? 0 : -1;
}

long
tm_rpl_strip_via(const str_t *rpl, const struct tm_rpl *r, char *buf,
    size_t cap)
{
	size_t head = (size_t)(r->via_cut.s - rpl->s);
	size_t tail = rpl->len - head - r->via_cut.len;

	if (r->via_cut.s == NULL || head + tail > cap)
		return -1;
	memcpy(buf, rpl->s, head);
	memcpy(buf + head, r->via_cut.s + r->via_cut.len, tail);
	return (long)(head + tail);
}

/* --- building requests ------------------------------------------------------------ */

/* 1 when host is an IP literal with the address of ip (text). */
static int
tm_host_is(const str_t *host, const char *ip)
{
	unsigned char a[16], b[16];
	char h[INET6_ADDRSTRLEN];
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (host->len == 0 || host->len >= sizeof(h))
		return 0;
	memcpy(h, host->s, host->len);
	h[host->len] = '\0';
	return inet_pton(af, h, a) == 1 && inet_pton(af, ip, b) == 1 &&
	    memcmp(a, b, af == AF_INET ? 4 : 16) == 0;
}

/*
 * The caller's Via line (the whole header line, `line` to `lend`) with
 * what the receiving server adds (RFC 3261 18.2.1: received= when the
 * sent-by host is not the source address; RFC 3581: rport= filled when
 * asked for, and then received= too), so that the reply coming back
 * shows the upstream hop where the request really came from.
 */
static void
tm_put_rcv_via(struct obuf *o, const char *line, const char *lend,
    const struct sl_hdr *h, const struct tm_src *src)
{
	struct { const char *at; size_t del; char ins[INET6_ADDRSTRLEN + 16]; }
	    ed[2];
	struct sl_via v;
	const char *p = line;
	int n = 0;

	if (sl_via_parse(&h->value, &v) < 0) {
		obuf_put(o, line, (size_t)(lend - line));
		return;
	}
	if (v.has_rport && v.rport.len == 0) {
		ed[n].at = v.rport_end;
		ed[n].del = 0;
		snprintf(ed[n++].ins, sizeof(ed[0].ins), "=%d", src->port);
	} else if (src->force_rport && !v.has_rport) {
		ed[n].at = v.end;
		ed[n].del = 0;
		snprintf(ed[n++].ins, sizeof(ed[0].ins), ";rport=%d",
		    src->port);
	}
	if ((v.has_rport && v.rport.len == 0) ||
	    (src->force_rport && !v.has_rport) || !tm_host_is(&v.host,
	    src->ip)) {
		if (v.has_received && v.received.len > 0) {
			ed[n].at = v.received.s;
			ed[n].del = v.received.len;
			snprintf(ed[n].ins, sizeof(ed[0].ins), "%s", src->ip);
		} else if (v.has_received) {
			ed[n].at = v.received_end;
			ed[n].del = 0;
			snprintf(ed[n].ins, sizeof(ed[0].ins), "=%s", src->ip);
		} else {
			ed[n].at = v.end;
			ed[n].del = 0;
			snprintf(ed[n].ins, sizeof(ed[0].ins), ";received=%s",
			    src->ip);
		}
		n++;
	}
	if (n == 2 && ed[1].at < ed[0].at) {
		/* received= before rport in the value: edit in text order */
		char tmp[sizeof(ed[0])];

		memcpy(tmp, &ed[0], sizeof(tmp));
		memcpy(&ed[0], &ed[1], sizeof(tmp));
		memcpy(&ed[1], tmp, sizeof(tmp));
	}
	for (int i = 0; i < n; i++) {
		obuf_put(o, p, (size_t)(ed[i].at - p));
		obuf_putcs(o, ed[i].ins);
		p = ed[i].at + ed[i].del;
	}
	obuf_put(o, p, (size_t)(lend - p));
}

long
tm_fwd_build(const str_t *req, const str_t *ruri, const str_t *via, long mf,
    char *buf, size_t cap)
{
	return tm_fwd_build_src(req, ruri, via, mf, NULL, buf, cap);
}

long
tm_fwd_build_src(const str_t *req, const str_t *ruri, const str_t *via,
    long mf, const struct tm_src *src, char *buf, size_t cap)
{
	struct obuf o = { buf, cap, 0, 0 };
	struct sl_hdr_iter it;
	struct sl_hdr h;
	struct tm_key k;
	const char *err, *line, *end = req->s + req->len;
	int via_done = 0, mf_done = 0, rc;
	char mfl[32];

	if (tm_key_scan(req, &k, &err) < 0 || sl_hdr_first(&it, req) < 0)
		return -1;
	snprintf(mfl, sizeof(mfl), "Max-Forwards: %ld\r\n", mf);
	obuf_puts(&o, &k.method);
	obuf_putcs(&o, " ");
	obuf_puts(&o, ruri && ruri->len ? ruri : &k.ruri);
	obuf_putcs(&o, " SIP/2.0\r\n");
	for (;;) {
		line = it.p;
		if ((rc = sl_hdr_next(&it, &h)) != 1)
			break;
		if (h.kind == SL_H_VIA && !via_done) {
			obuf_puts(&o, via);
			via_done = 1;
			if (src != NULL && src->ip[0]) {
				tm_put_rcv_via(&o, line, it.p, &h, src);
				continue;
			}
		}
		if (h.kind == SL_H_OTHER && mf >= 0 && !mf_done &&
		    str_caseeq_cstr(&h.name, "Max-Forwards")) {
			obuf_putcs(&o, mfl);
			mf_done = 1;
			continue;
		}
		obuf_put(&o, line, (size_t)(it.p - line));
	}
	if (rc < 0)
		return -1;
	if (mf >= 0 && !mf_done)
		obuf_putcs(&o, mfl);
	/* `line` is the blank line (sl_hdr_next skipped to the end): the
	 * body follows it */
	if (line < end && *line == '\r')
		line++;
	if (line < end && *line == '\n')
		line++;
	obuf_putcs(&o, "\r\n");
	obuf_put(&o, line, (size_t)(end - line));
	return o.overflow ? -1 : (long)o.len;
}

long
tm_hop_build(const str_t *fwd, const char *kind, const str_t *to_line,
    char *buf, size_t cap)
{
	struct obuf o = { buf, cap, 0, 0 };
	struct sl_hdr_iter it;
	struct sl_hdr h;
	struct tm_key k;
	const char *err;
	int via = 0, rc;

	if (tm_key_scan(fwd, &k, &err) < 0 || sl_hdr_first(&it, fwd) < 0)
		return -1;
	obuf_putcs(&o, kind);
	obuf_putcs(&o, " ");
	obuf_puts(&o, &k.ruri);
	obuf_putcs(&o, " SIP/2.0\r\n");
	for (;;) {
		const char *line = it.p;

		if ((rc = sl_hdr_next(&it, &h)) != 1)
			break;
		switch (h.kind) {
		case SL_H_VIA:
			/* only this hop's Via (17.1.1.3, 9.1) */
			if (via++ == 0)
				obuf_put(&o, line, (size_t)(it.p - line));
			break;
		case SL_H_TO:
			if (to_line && to_line->len) {
				obuf_puts(&o, to_line);
				obuf_putcs(&o, "\r\n");
			} else {
				obuf_put(&o, line, (size_t)(it.p - line));
			}
			break;
		case SL_H_FROM:
		case SL_H_CALLID:
			obuf_put(&o, line, (size_t)(it.p - line));
			break;
		case SL_H_CSEQ:
			obuf_putcs(&o, "CSeq: ");
			obuf_puts(&o, &k.cseq_num);
			obuf_putcs(&o, " ");
			obuf_putcs(&o, kind);
			obuf_putcs(&o, "\r\n");
			break;
		default:
			if (str_caseeq_cstr(&h.name, "Route") ||
			    str_caseeq_cstr(&h.name, "Max-Forwards"))
				obuf_put(&o, line, (size_t)(it.p - line));
			break;
		}
	}
	if (rc < 0)
		return -1;
	obuf_putcs(&o, "Content-Length: 0\r\n\r\n");
	return o.overflow ? -1 : (long)o.len;
}

size_t
tm_uac_cap(const struct tm_uac_text *u)
{
	return u->method.len * 2 + u->ruri.len + u->from.len + u->to.len +
	    u->hdrs.len + u->body.len + u->via.len + u->callid.len +
	    u->from_tag.len + 256;
}

/* A URI as a header value: in angle brackets unless already a
 * name-addr. */
static void
tm_put_addr(struct obuf *o, const str_t *uri)
{
	if (str_chr(uri, '<') != NULL) {
		obuf_puts(o, uri);
		return;
	}
	obuf_putcs(o, "<");
	obuf_puts(o, uri);
	obuf_putcs(o, ">");
}

long
tm_uac_build(const struct tm_uac_text *u, char *buf, size_t cap)
{
	struct obuf o = { buf, cap, 0, 0 };
	char num[32];

	obuf_puts(&o, &u->method);
	obuf_putcs(&o, " ");
	obuf_puts(&o, &u->ruri);
	obuf_putcs(&o, " SIP/2.0\r\n");
	obuf_puts(&o, &u->via);
	obuf_putcs(&o, "Max-Forwards: 70\r\nFrom: ");
	tm_put_addr(&o, &u->from);
	obuf_putcs(&o, ";tag=");
	obuf_puts(&o, &u->from_tag);
	obuf_putcs(&o, "\r\nTo: ");
	tm_put_addr(&o, &u->to);
	obuf_putcs(&o, "\r\nCall-ID: ");
	obuf_puts(&o, &u->callid);
	snprintf(num, sizeof(num), "\r\nCSeq: %u ", u->cseq);
	obuf_putcs(&o, num);
	obuf_puts(&o, &u->method);
	obuf_putcs(&o, "\r\n");
	obuf_puts(&o, &u->hdrs);
	snprintf(num, sizeof(num), "Content-Length: %zu\r\n\r\n", u->body.len);
	obuf_putcs(&o, num);
	obuf_puts(&o, &u->body);
	return o.overflow ? -1 : (long)o.len;
}

/* --- timers -------------------------------------------------------------------- */

unsigned
tm_retr_next(unsigned cur, unsigned t2, int cap_at_t2)
{
	unsigned n = cur > UINT32_MAX / 2 ? UINT32_MAX : cur * 2;

	return cap_at_t2 && n > t2 ? t2 : n;
}

unsigned
tm_param_ms(long v, int *was_seconds)
{
	*was_seconds = 0;
	if (v <= 0)
		return 0;
	if (v < 100) {
		*was_seconds = 1;
		return (unsigned)v * 1000u;
	}
	return (unsigned)v;
}
