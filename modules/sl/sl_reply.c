/*
 * sl_reply.c - building a stateless reply from the request's text (see
 * sl_reply.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/obuf.h"
#include "sl_reply.h"

/* --- addresses ------------------------------------------------------------ */

/* An address as text and bytes; IPv4-mapped IPv6 counts as IPv4. */
struct sl_ip {
	int            family;
	unsigned char  bin[16];
	char           text[INET6_ADDRSTRLEN];
	int            port;
};

/*
 * Decimal digits of v at p (no NUL); returns the count.  Replies are
 * built for every request: printf's machinery was the largest user-space
 * cost of a stateless reply.
 */
static size_t
sl_utoa(char *p, unsigned v)
{
	char tmp[10];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static int
sl_ip_of(const struct sockaddr_storage *ss, struct sl_ip *ip)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	memset(ip, 0, sizeof(*ip));
	if (ss->ss_family == AF_INET) {
		ip->family = AF_INET;
		memcpy(ip->bin, &s4->sin_addr, 4);
		ip->port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		ip->port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			ip->family = AF_INET;
			memcpy(ip->bin, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			ip->family = AF_INET6;
			memcpy(ip->bin, &s6->sin6_addr, 16);
		}
	} else {
		return -1;
	}
	if (ip->family == AF_INET) {            /* the common case, by hand */
		size_t n = 0;

		for (int i = 0; i < 4; i++) {
			n += sl_utoa(ip->text + n, ip->bin[i]);
			ip->text[n++] = i < 3 ? '.' : '\0';
		}
		return 0;
	}
	if (inet_ntop(ip->family, ip->bin, ip->text, sizeof(ip->text)) == NULL)
		return -1;
	return 0;
}

/* 1 when host is an IP literal equal to ip's address. */
static int
sl_host_is(const str_t *host, const struct sl_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];

	if (host->len == 0 || host->len >= sizeof(buf))
		return 0;
	memcpy(buf, host->s, host->len);
	buf[host->len] = '\0';
	if (inet_pton(ip->family, buf, bin) != 1)
		return 0;
	return memcmp(bin, ip->bin, ip->family == AF_INET ? 4 : 16) == 0;
}

/* RFC 3261 18.2.1 and RFC 3581 4. */
static int
sl_need_received(const struct sl_via *v, const struct sl_ip *src,
    int force_rport)
{
	if ((v->has_rport && v->rport.len == 0) ||
	    (force_rport && !v->has_rport))
		return 1;
	return !sl_host_is(&v->host, src);
}

/* --- the To tag ----------------------------------------------------------- */

/* Fetched and allocated once per process: an implicit fetch on every
 * reply took the provider store's lock each time. */
static EVP_MD *sha256;
static EVP_MD_CTX *ctx;

void
sl_totag_release(void)
{
	EVP_MD_CTX_free(ctx);
	ctx = NULL;
	EVP_MD_free(sha256);
	sha256 = NULL;
}

int
sl_totag(const unsigned char *secret, size_t secret_len,
    const struct sl_req *rq, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const str_t *last = rq->via.branch.len ? &rq->via.branch :
	    &rq->cseq_num;
	const str_t *parts[] = { &rq->callid, &rq->from_tag, last };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256",
	    NULL)) == NULL)
		return -1;
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex2(ctx, sha256, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, secret, secret_len) != 1)
		goto fail;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		/* the separator keeps ("ab","c") and ("a","bc") apart */
		if (EVP_DigestUpdate(ctx, parts[i]->s ? parts[i]->s : "",
		    parts[i]->len) != 1 || EVP_DigestUpdate(ctx, "\0", 1) != 1)
			goto fail;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 < SL_TAG_LEN)
		goto fail;
	for (int i = 0; i < SL_TAG_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	return 0;
fail:
	/* a context left half-used is reset by the next Init */
	return -1;
}

/* --- output --------------------------------------------------------------- */

/* An insertion or replacement inside a header's text. */
struct sl_edit {
	const char  *at;
	size_t       del;           /* bytes of the original replaced  */
	const char  *ins;           /* NUL-terminated                  */
};

/* Writes text with the edits (sorted by position) applied, then CRLF. */
static void
sl_put_edited(struct obuf *o, const str_t *text, struct sl_edit *ed,
    int n)
{
	const char *p = text->s;

	for (int i = 1; i < n; i++)     /* at most 2 or 3: insertion sort */
		for (int j = i; j > 0 && ed[j].at < ed[j - 1].at; j--) {
			struct sl_edit t = ed[j];

			ed[j] = ed[j - 1];
			ed[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		obuf_put(o, p, (size_t)(ed[i].at - p));
		obuf_putcs(o, ed[i].ins);
		p = ed[i].at + ed[i].del;
	}
	obuf_put(o, p, (size_t)(text->s + text->len - p));
	obuf_put(o, "\r\n", 2);
}

/* The top Via with rport= filled and received= added or updated. */
static void
sl_put_top_via(struct obuf *o, const struct sl_hdr *h,
    const struct sl_via *v, const struct sl_ip *src, int force_rport)
{
	char rport[24], recv[INET6_ADDRSTRLEN + 16];
	struct sl_edit ed[3];
	int n = 0;

	if (v->has_rport && v->rport.len == 0) {
		rport[0] = '=';
		rport[1 + sl_utoa(rport + 1, (unsigned)src->port)] = '\0';
		ed[n++] = (struct sl_edit){ v->rport_end, 0, rport };
	} else if (force_rport && !v->has_rport) {
		/* force_rport(): the parameter the client did not send */
		memcpy(rport, ";rport=", 7);
		rport[7 + sl_utoa(rport + 7, (unsigned)src->port)] = '\0';
		ed[n++] = (struct sl_edit){ v->end, 0, rport };
	}
	if (sl_need_received(v, src, force_rport)) {
		if (v->has_received && v->received.len > 0) {
			snprintf(recv, sizeof(recv), "%s", src->text);
			ed[n++] = (struct sl_edit){ v->received.s,
			    v->received.len, recv };
		} else if (v->has_received) {
			snprintf(recv, sizeof(recv), "=%s", src->text);
			ed[n++] = (struct sl_edit){ v->received_end, 0, recv };
		} else {
			snprintf(recv, sizeof(recv), ";received=%s", src->text);
			ed[n++] = (struct sl_edit){ v->end, 0, recv };
		}
	}
	sl_put_edited(o, &h->text, ed, n);
}

/* The To header with ";tag=..." after its value when it has none. */
static void
sl_put_to(struct obuf *o, const struct sl_hdr *h, const struct sl_req *rq,
    const struct sl_reply *r)
{
	char tag[6 + 256];
	struct sl_edit ed;
	size_t n;

	/* RFC 3261 8.2.6.2: a 100 may go without a tag; Kamailio sends none */
	if (rq->to_has_tag || r->code == 100) {
		sl_put_edited(o, &h->text, NULL, 0);
		return;
	}
	n = r->to_tag.len < sizeof(tag) - 6 ? r->to_tag.len : sizeof(tag) - 6;
	memcpy(tag, ";tag=", 5);
	memcpy(tag + 5, r->to_tag.s, n);
	tag[5 + n] = '\0';
	ed = (struct sl_edit){ h->value.s + h->value.len, 0, tag };
	sl_put_edited(o, &h->text, &ed, 1);
}

/* Copies the header fields the reply carries, in the request's order. */
static int
sl_put_headers(struct obuf *o, const str_t *req, const struct sl_req *rq,
    const struct sl_ip *src, const struct sl_reply *r)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	int seen[SL_H_RR + 1] = { 0 };
	int rc;

	if (sl_hdr_first(&it, req) < 0)
		return -1;
	while ((rc = sl_hdr_next(&it, &h)) == 1) {
		int first = seen[h.kind]++ == 0;

		switch (h.kind) {
		case SL_H_VIA:
			if (first)
				sl_put_top_via(o, &h, &rq->via, src,
				    rq->force_rport);
			else
				sl_put_edited(o, &h.text, NULL, 0);
			break;
		case SL_H_TO:
			if (first)
				sl_put_to(o, &h, rq, r);
			break;
		case SL_H_FROM:
		case SL_H_CALLID:
		case SL_H_CSEQ:
			if (first)
				sl_put_edited(o, &h.text, NULL, 0);
			break;
		case SL_H_RR:
			/* the route set of a dialog the reply may create */
			if (r->code >= 180 && r->code < 300)
				sl_put_edited(o, &h.text, NULL, 0);
			break;
		default:
			break;
		}
	}
	return rc;
}

static const char *
sl_reply_check(const struct sl_req *rq, const struct sl_reply *r)
{
	if (r->code < 100 || r->code > 699)
		return "status code out of range 100-699";
	for (size_t i = 0; i < r->reason.len; i++)
		if (r->reason.s[i] == '\r' || r->reason.s[i] == '\n' ||
		    r->reason.s[i] == '\0')
			return "reason phrase holds a line break or NUL";
	if (!rq->to_has_tag && r->code != 100 && r->to_tag.len == 0)
		return "no To tag to add";
	if (r->to_tag.len > 250)
		return "To tag too long";
	return NULL;
}

size_t
sl_reply_cap(const str_t *req, const struct sl_reply *r)
{
	/* the copied fields are at most the request; the additions are a
	 * status line, rport, received, tag, Content-Length and line ends */
	return req->len + r->reason.len + r->to_tag.len + r->hdrs.len +
	    r->server.len + 256;
}

long
sl_reply_build(const str_t *req, const struct sl_req *rq,
    const struct sockaddr_storage *src, const struct sl_reply *r,
    char *buf, size_t cap, const char **err)
{
	struct obuf o = { buf, cap, 0, 0 };
	struct sl_ip ip;
	char line[32];

	if ((*err = sl_reply_check(rq, r)) != NULL)
		return -1;
	if (sl_ip_of(src, &ip) < 0) {
		*err = "source address is not IPv4 or IPv6";
		return -1;
	}
	/* the code is 100..699 (sl_reply_check) */
	memcpy(line, "SIP/2.0 ", 8);
	line[8 + sl_utoa(line + 8, (unsigned)r->code)] = ' ';
	obuf_put(&o, line, 12);
	obuf_puts(&o, &r->reason);
	obuf_put(&o, "\r\n", 2);
	if (sl_put_headers(&o, req, rq, &ip, r) < 0) {
		*err = "malformed header line";
		return -1;
	}
	obuf_puts(&o, &r->hdrs);
	if (r->server.len) {
		obuf_puts(&o, &r->server);
		obuf_put(&o, "\r\n", 2);
	}
	obuf_putcs(&o, "Content-Length: 0\r\n\r\n");
	if (o.overflow) {
		*err = "reply does not fit its buffer";
		return -1;
	}
	return (long)o.len;
}

void
sl_reply_dest(const struct sl_req *rq, const struct sockaddr_storage *src,
    struct sockaddr_storage *dst)
{
	const struct sl_via *v = &rq->via;
	long port = 0;

	*dst = *src;
	if (v->has_rport && v->rport.len > 0) {
		for (size_t i = 0; i < v->rport.len; i++) {
			char c = v->rport.s[i];

			if (c < '0' || c > '9' || (port = port * 10 + (c - '0'))
			    > 65535) {
				port = 0;
				break;
			}
		}
	} else if (v->has_rport || rq->force_rport) {
		return;                 /* filled with src's own port */
	} else {
		port = v->port ? v->port : 5060;
	}
	if (port <= 0)
		return;                 /* a bad rport: where it came from */
	if (dst->ss_family == AF_INET)
		((struct sockaddr_in *)dst)->sin_port = htons((uint16_t)port);
	else if (dst->ss_family == AF_INET6)
		((struct sockaddr_in6 *)dst)->sin6_port = htons((uint16_t)port);
}
