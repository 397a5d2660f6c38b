/*
 * msrp_reply.c - answering a request (RFC 4975 §7.2 and RFC 4976):
 * To-Path is the previous hop (the first From-Path URI), From-Path is
 * this relay (the first To-Path URI), Message-ID copied, end-line '$'.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "core/sock.h"
#include "msrp.h"
#include "core/abuf.h"

static int
is_method(const struct msrp_frame *f, const char *m)
{
	return str_eq_cstr(&f->method, m);
}

int
msrp_send_reply(struct msg *m, struct msrp_ctx *c, int code,
    const str_t *reason, const str_t *hdrs)
{
	const struct msrp_frame *f = &c->f;
	const struct msrp_hdr *mid;
	struct abuf b = { .a = &m->arena };
	char num[16];

	if (f->is_reply) {
		log_errx("msrp_reply(): the frame is a reply; replies are never "
		    "answered (RFC 4975 §7.2)");
		return -1;
	}
	if (is_method(f, "REPORT")) {
		log_errx("msrp_reply(): REPORT requests are never answered "
		    "(RFC 4975 §7.1.2)");
		return -1;
	}
	if (f->nfrom < 1 || f->nto < 1) {
		log_errx("msrp_reply(): the frame has no path to answer on");
		return -1;
	}
	abuf_putcs(&b, "MSRP ");
	abuf_puts(&b, &f->tid);
	snprintf(num, sizeof(num), " %03d", code);
	abuf_putcs(&b, num);
	if (reason && reason->len) {
		abuf_putcs(&b, " ");
		abuf_puts(&b, reason);
	}
	abuf_putcs(&b, "\r\nTo-Path: ");
	abuf_puts(&b, &f->from[0].buf);
	abuf_putcs(&b, "\r\nFrom-Path: ");
	abuf_puts(&b, &f->to[0].buf);
	abuf_putcs(&b, "\r\n");
	if ((mid = msrp_frame_hdr(f, MSRP_H_MESSAGE_ID)) != NULL) {
		abuf_putcs(&b, "Message-ID: ");
		abuf_puts(&b, &mid->value);
		abuf_putcs(&b, "\r\n");
	}
	if (hdrs && hdrs->len) {
		abuf_puts(&b, hdrs);
		if (hdrs->len < 2 || memcmp(hdrs->s + hdrs->len - 2, "\r\n", 2))
			abuf_putcs(&b, "\r\n");
	}
	abuf_putcs(&b, "-------");
	abuf_puts(&b, &f->tid);
	abuf_putcs(&b, "$\r\n");
	if (b.failed)
		return -1;
	if (msg_send_back(m, NULL, b.p, b.len,
	    (c->reply_flags & MSRP_F_CLOSE) ? SEND_CLOSE : 0) < 0)
		return -1;
	stats_inc(msrp_stats()->replies);
	return 1;
}

int
msrp_uri_hostport_addr(const struct msrp_uri *u, struct sockaddr_storage *ss)
{
	char host[256];
	const char *err = NULL;
	socklen_t len;
	str_t h = u->host;

	if (h.len >= 2 && h.s[0] == '[') {
		h.s++;
		h.len -= 2;
	}
	if (h.len == 0 || h.len >= sizeof(host) || u->port_no == 0)
		return -1;
	memcpy(host, h.s, h.len);
	host[h.len] = '\0';
	/* names are resolved here, in the worker: a relay normally meets
	 * addresses (a=path in SDP, Use-Path), so this rarely blocks */
	return sock_resolve(host, u->port_no, ss, &len, &err);
}

int
msrp_srcaddr(struct msg *m, str_t *out)
{
	char a[80], buf[96];
	int n;

	sock_addr_text(&m->rcv.src, a, sizeof(a));
	n = snprintf(buf, sizeof(buf), "%s://%s",
	    m->rcv.proto == PROTO_TLS ? "msrps" : "msrp", a);
	out->s = arena_strndup(&m->arena, buf, (size_t)n);
	out->len = (size_t)n;
	return out->s ? 0 : -1;
}

int
msrp_srcsock(struct msg *m, str_t *out)
{
	char a[80], buf[96];
	int n;

	sock_addr_text(&m->rcv.dst, a, sizeof(a));
	n = snprintf(buf, sizeof(buf), "%s:%s", proto_name(m->rcv.proto), a);
	out->s = arena_strndup(&m->arena, buf, (size_t)n);
	out->len = (size_t)n;
	return out->s ? 0 : -1;
}
