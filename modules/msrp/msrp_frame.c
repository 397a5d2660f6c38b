/*
 * msrp_frame.c - the core hands every complete MSRP frame here: parse,
 * answer 400 or close on bad input, then run event_route[msrp:frame-in].
 * Also builds the synthetic SIP request (sipmsg=1) on first use.
 */
#include "config.h"

#include <string.h>

#include "core/conn.h"
#include "core/route.h"
#include "msrp.h"

/* One frame at a time per process (see msrp.h). */
static struct msrp_ctx ctx;

/* RFC 4975 §7.1.2: REPORT requests and responses are never answered. */
static int
answerable(const struct msrp_frame *f)
{
	return !f->is_reply && !(f->method.len == 6 &&
	    memcmp(f->method.s, "REPORT", 6) == 0);
}

int
msrp_frame_in(struct msg *m, const struct frame_msg *fm)
{
	const struct msrp_stats *st = msrp_stats();
	const char *err = NULL;
	enum msrp_parse_rc rc;

	ctx.m = m;
	ctx.relay_flags = ctx.reply_flags = 0;
	ctx.have_dst = 0;
	ctx.dst_conid = 0;
	ctx.cmap_item = 0;
	ctx.sip = STR_NULL;
	stats_inc(st->frames_in);
	rc = msrp_frame_parse(m->buf.s, m->buf.len, &ctx.f, &err);
	if (rc != MSRP_PARSE_OK) {
		stats_inc(st->bad);
		if (rc == MSRP_PARSE_BAD && ctx.f.nto > 0 && ctx.f.nfrom > 0 &&
		    answerable(&ctx.f)) {
			str_t reason = STR_LIT("Bad Request");

			log_info("conn %llu: bad MSRP frame (%s): answering 400",
			    (unsigned long long)m->rcv.conn_id, err);
			m->proto_ctx = &ctx;
			msrp_send_reply(m, &ctx, 400, &reason, NULL);
			m->proto_ctx = NULL;
			return 0;
		}
		if (rc == MSRP_PARSE_BAD && !answerable(&ctx.f)) {
			/* a broken reply or REPORT: nothing to answer, and the
			 * stream itself is fine */
			log_info("conn %llu: bad MSRP %s (%s): dropped",
			    (unsigned long long)m->rcv.conn_id,
			    ctx.f.is_reply ? "reply" : "REPORT", err);
			return 0;
		}
		log_warnx("conn %llu: unreadable MSRP frame (%s): closing the "
		    "connection", (unsigned long long)m->rcv.conn_id, err);
		conn_close(m->rcv.conn_id);
		return 0;
	}
	m->proto_ctx = &ctx;
	if (msrp_params()->sipmsg)
		m->sip_text = msrp_sip_text;
	if (route_run_event(m, "msrp:frame-in") < 0) {
		stats_inc(st->no_route);
		log_dbg("MSRP frame dropped: no event_route[msrp:frame-in]");
	}
	m->proto_ctx = NULL;
	return 0;
}

/*
 * The static SIP head of the seed documentation, then the frame's first
 * line as MSRP-First-Line and its headers: every function that reads SIP
 * headers ($hdr, the auth module) works on MSRP frames of any size (the
 * body is never copied).
 */
static const char sip_head[] =
    "MSRP sip:a@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKa\r\n"
    "From: <sip:b@127.0.0.1>;tag=a\r\n"
    "To: <sip:a@127.0.0.1>\r\n"
    "Call-ID: a\r\n"
    "CSeq: 1 MSRP\r\n"
    "Content-Length: 0\r\n"
    "MSRP-First-Line: ";

int
msrp_sip_text(struct msg *m, str_t *out)
{
	struct msrp_ctx *c = m->proto_ctx;
	const struct msrp_frame *f;
	size_t n;
	char *p;

	if (c == NULL)
		return -1;
	if (c->sip.s) {
		*out = c->sip;
		return 0;
	}
	f = &c->f;
	n = sizeof(sip_head) - 1 + f->first_line.len + 2 + f->hdr_block.len + 2;
	p = arena_alloc(&m->arena, n + 1);
	if (p == NULL)
		return -1;
	c->sip.s = p;
	memcpy(p, sip_head, sizeof(sip_head) - 1);
	p += sizeof(sip_head) - 1;
	memcpy(p, f->first_line.s, f->first_line.len);
	p += f->first_line.len;
	memcpy(p, "\r\n", 2);
	p += 2;
	memcpy(p, f->hdr_block.s, f->hdr_block.len);
	p += f->hdr_block.len;
	memcpy(p, "\r\n", 2);
	p += 2;
	*p = '\0';
	c->sip.len = n;
	*out = c->sip;
	return 0;
}
