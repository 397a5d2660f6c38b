/*
 * msrp_relay.c - forwarding per RFC 4976 §7: this relay's URI (the first
 * of To-Path) moves to the front of From-Path, and the frame goes to the
 * next To-Path URI, or to the destination msrp_set_dst() or
 * msrp_cmap_lookup() chose.  The rest of the frame (other headers, body,
 * transaction id, end-line) is copied byte for byte, and the whole frame
 * is handed to the connection's owner in one conn_send(): frames to one
 * connection never interleave.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/conn.h"
#include "core/sock.h"
#include "msrp.h"
#include "core/abuf.h"

/* Writes the frame with new To-Path / From-Path values (NULL: keep). */
static int
build_frame(struct msg *m, const struct msrp_frame *f, const str_t *tpath,
    const str_t *fpath, str_t *out)
{
	struct abuf b = { .a = &m->arena };
	const char *p = f->buf.s, *end = f->buf.s + f->buf.len;

	abuf_reserve(&b, f->buf.len + (tpath ? tpath->len : 0) +
	    (fpath ? fpath->len : 0) + 64);
	for (int i = 0; i < f->nhdrs; i++) {
		const struct msrp_hdr *h = &f->hdrs[i];
		const str_t *nv = NULL;

		if (h->type == MSRP_H_TO_PATH && tpath)
			nv = tpath;
		else if (h->type == MSRP_H_FROM_PATH && fpath)
			nv = fpath;
		if (nv == NULL)
			continue;
		/* everything up to this header line, then the new line */
		abuf_put(&b, p, (size_t)(h->line.s - p));
		abuf_puts(&b, &h->name);
		abuf_put(&b, ": ", 2);
		abuf_puts(&b, nv);
		abuf_put(&b, "\r\n", 2);
		p = h->line.s + h->line.len;
	}
	abuf_put(&b, p, (size_t)(end - p));
	if (b.failed)
		return -1;
	out->s = b.p;
	out->len = b.len;
	return 0;
}

/* URIs from..to-1 of a path, space separated, in the arena. */
static int
join_uris(struct arena *a, const struct msrp_uri *u, int from, int to,
    const str_t *prefix, str_t *out)
{
	struct abuf b = { .a = a };

	if (prefix) {
		abuf_puts(&b, prefix);
	}
	for (int i = from; i < to; i++) {
		if (b.len)
			abuf_put(&b, " ", 1);
		abuf_puts(&b, &u[i].buf);
	}
	if (b.failed)
		return -1;
	out->s = b.p ? b.p : (char *)"";
	out->len = b.len;
	return 0;
}

/* The connection to send on: the chosen one, one already open to the
 * address, or a new one (unless flags forbid it).  0 when none. */
static uint64_t
pick_conn(struct msrp_ctx *c, enum proto p, const struct sockaddr_storage *to)
{
	struct conn_info ci;
	uint64_t id;
	char a[80];

	if (c->dst_conid && conn_get(c->dst_conid, &ci) == 0 &&
	    ci.state != CONN_CLOSING)
		return c->dst_conid;
	id = conn_find_by_addr(p, to);
	if (id)
		return id;
	if (c->relay_flags & MSRP_F_NO_CONNECT) {
		log_info("msrp: no connection to %s and msrp_relay_flags(1) "
		    "forbids opening one", sock_addr_text(to, a, sizeof(a)));
		return 0;
	}
	return conn_connect(p, to);
}

static int
send_frame(struct msrp_ctx *c, enum proto p, const struct sockaddr_storage *to,
    const str_t *frame)
{
	uint64_t id = pick_conn(c, p, to);

	if (id == 0)
		return -1;
	if (conn_send(id, frame->s, frame->len,
	    (c->relay_flags & MSRP_F_CLOSE) ? SEND_CLOSE : 0) < 0)
		return -1;
	stats_inc(msrp_stats()->relayed);
	if (c->cmap_item)
		msrp_cmap_count(c->cmap_item, c->cmap_hash, frame->len);
	return 1;
}

/* Where the frame goes when the script chose nothing: URI idx of To-Path. */
static int
dst_from_uri(const struct msrp_uri *u, enum proto *p,
    struct sockaddr_storage *to)
{
	char a[256];

	if (msrp_uri_hostport_addr(u, to) < 0) {
		snprintf(a, sizeof(a), "%.*s", STR_FMT(&u->buf));
		log_errx("msrp: cannot resolve the next hop %s", a);
		return -1;
	}
	*p = u->secure ? PROTO_TLS : PROTO_TCP;
	return 0;
}

int
msrp_relay(struct msg *m, struct msrp_ctx *c)
{
	const struct msrp_frame *f = &c->f;
	struct sockaddr_storage to;
	str_t tpath, fpath, frame, self;
	enum proto p;

	if (f->nto < 2 && !c->have_dst) {
		/* hop-by-hop responses end here (RFC 4976 §7.3) */
		log_dbg("msrp_relay(): no next hop in To-Path");
		return -1;
	}
	if (f->nto < 2) {
		log_errx("msrp_relay(): To-Path has no URI after this relay's");
		return -1;
	}
	self = f->to[0].buf;
	if (join_uris(&m->arena, f->to, 1, f->nto, NULL, &tpath) < 0 ||
	    join_uris(&m->arena, f->from, 0, f->nfrom, &self, &fpath) < 0 ||
	    build_frame(m, f, &tpath, &fpath, &frame) < 0)
		return -1;
	if (c->have_dst) {
		p = c->dst_proto;
		to = c->dst;
	} else if (dst_from_uri(&f->to[1], &p, &to) < 0) {
		return -1;
	}
	return send_frame(c, p, &to, &frame);
}

int
msrp_forward(struct msg *m, struct msrp_ctx *c, const str_t *tpath,
    const str_t *fpath)
{
	const struct msrp_frame *f = &c->f;
	struct sockaddr_storage to;
	struct msrp_uri first;
	str_t frame, firsttext;
	const char *err = NULL;
	enum proto p;

	if (build_frame(m, f, tpath, fpath, &frame) < 0)
		return -1;
	if (c->have_dst) {
		p = c->dst_proto;
		to = c->dst;
	} else {
		/* not in the path: the frame goes to the first To-Path URI */
		firsttext = f->to[0].buf;
		if (tpath) {
			firsttext = *tpath;
			str_trim(&firsttext);
			char *sp = str_chr(&firsttext, ' ');

			if (sp)
				firsttext.len = (size_t)(sp - firsttext.s);
		}
		if (msrp_uri_parse(&firsttext, &first, &err) < 0) {
			log_errx("msrp_forward(): bad To-Path URI: %s", err);
			return -1;
		}
		if (dst_from_uri(&first, &p, &to) < 0)
			return -1;
	}
	return send_frame(c, p, &to, &frame);
}

int
msrp_set_dst(struct msrp_ctx *c, const str_t *addr, const str_t *sock)
{
	struct msrp_uri u;
	const char *err = NULL;
	char tmp[300];
	str_t a = *addr;

	str_trim(&a);
	/* "msrp://host:port" (srcaddr) or a full URI; a bare host:port is
	 * taken as msrp:// over TCP */
	if (a.len < 7 || (strncasecmp(a.s, "msrp://", 7) != 0 &&
	    (a.len < 8 || strncasecmp(a.s, "msrps://", 8) != 0))) {
		int n = snprintf(tmp, sizeof(tmp), "msrp://%.*s", STR_FMT(&a));

		if (n < 0 || (size_t)n >= sizeof(tmp))
			return -1;
		a = str_make(tmp, (size_t)n);
	}
	if (str_chr(&a, ';') == NULL) {
		/* srcaddr has no transport: add the one URIs must have */
		int n = snprintf(tmp, sizeof(tmp), "%.*s;tcp", STR_FMT(&a));

		if (n < 0 || (size_t)n >= sizeof(tmp))
			return -1;
		a = str_make(tmp, (size_t)n);
	}
	if (msrp_uri_parse(&a, &u, &err) < 0 ||
	    msrp_uri_hostport_addr(&u, &c->dst) < 0) {
		log_errx("msrp_set_dst(): bad address '%.*s'%s%s",
		    STR_FMT(addr), err ? ": " : "", err ? err : "");
		return -1;
	}
	c->dst_proto = u.secure ? PROTO_TLS : PROTO_TCP;
	c->have_dst = 1;
	c->dst_conid = 0;
	(void)sock;     /* the connection is found by address; the local
	                 * socket matters only for new connections */
	return 1;
}
