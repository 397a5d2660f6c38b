/*
 * tm_uas.c - the server side of transactions: matching incoming
 * requests (retransmissions, ACK, CANCEL), making a transaction for a
 * request, and the replies that go upstream (RFC 3261 17.2).
 */
#include "config.h"

#include <string.h>

#include "core/conn_send.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "modules/sl/sl_msg.h"
#include "modules/sl/sl_reply.h"
#include "tm_cell.h"

/* --- sending upstream -------------------------------------------------------- */

int
tm_send_up(struct tm_cell *c, const char *buf, size_t len)
{
	if (c->flags & TM_F_LOCAL)
		return 0;
	if (c->rcv.proto == PROTO_UDP)
		return udp_send(c->rcv.sock, &c->rpl_dst, buf, len);
	if (c->rcv.conn_id == 0)
		return -1;
	return conn_send(c->rcv.conn_id, buf, len, 0);
}

int
tm_reply_up(struct tm_cell *c, const char *buf, size_t len, int code,
    int retr)
{
	int rc;

	if (code >= c->status || c->status < 200) {
		if (tm_shm_set(&c->rpl, &c->rpl_len, buf, len) < 0)
			return -1;
		c->status = code;
	}
	/* counted before it leaves: whoever got the reply and then asks
	 * tm.stats must see it */
	TM_STAT_INC(rpl_sent);
	if (code >= 200)
		TM_STAT_INC(cls[code / 100]);
	if (code >= 200 && (c->fwd_flags & MSG_FWD_REPLY_CLOSE) &&
	    c->rcv.proto != PROTO_UDP && c->rcv.conn_id != 0 &&
	    !(c->flags & TM_F_LOCAL))
		rc = conn_send(c->rcv.conn_id, buf, len, SEND_CLOSE);
	else
		rc = tm_send_up(c, buf, len);
	if (code < 200)
		return rc;
	tm_final_run(c, buf, len, code);
	/* the transaction is over: no more branch activity */
	c->retr_at = 0;
	c->fr_at = 0;
	if (retr && (c->flags & TM_F_INVITE) && c->rcv.proto == PROTO_UDP &&
	    c->rpl_retr_at == 0) {
		/* timer G until the ACK, timer H gives up */
		c->rpl_retr_int = tm_conf.t1;
		c->rpl_retr_at = tm_now() + tm_conf.t1;
		c->rpl_end_at = tm_now() + 64u * tm_conf.t1;
	} else if (c->rpl_retr_at == 0) {
		tm_wait(c);
	}
	return rc;
}

/* The reply text to the request text req (received from src) with
 * to_tag, in a new pkg buffer.  Length or -1 (logged). */
static long
tm_reply_text(const str_t *req, const struct sockaddr_storage *src, int code,
    const str_t *reason, const char *to_tag, unsigned fwd_flags, char **out)
{
	struct sl_reply r = { .code = code, .reason = *reason };
	struct sl_req rq;
	const char *err;
	size_t cap;
	long len;

	*out = NULL;
	if (sl_req_scan(req, &rq, &err) < 0) {
		log_errx("tm: cannot answer the request: %s", err);
		return -1;
	}
	rq.force_rport = (fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
	r.to_tag = str_make(to_tag, 32);
	cap = sl_reply_cap(req, &r);
	if ((*out = xmalloc(cap)) == NULL)
		return -1;
	len = sl_reply_build(req, &rq, src, &r, *out, cap, &err);
	if (len < 0) {
		log_errx("tm: cannot build the %d reply: %s", code, err);
		xfree(*out);
		*out = NULL;
	}
	return len;
}

int
tm_reply_own(struct tm_cell *c, int code, const str_t *reason)
{
	str_t req = str_make(c->req, c->req_len);
	char *buf;
	long len;
	int rc;

	if (c->status >= 200) {
		log_errx("tm: the transaction was already answered with %d; "
		    "%d %.*s is not sent", c->status, code, STR_FMT(reason));
		return -1;
	}
	if ((len = tm_reply_text(&req, &c->rcv.src, code, reason, c->to_tag,
	    c->fwd_flags, &buf)) < 0)
		return -1;
	TM_STAT_INC(rpl_generated);
	rc = tm_reply_up(c, buf, (size_t)len, code, 1);
	xfree(buf);
	if (rc < 0) {
		log_errx("tm: sending the %d reply upstream failed", code);
		return -1;
	}
	return 1;
}

/* A reply to m itself, not kept (the 200 to a CANCEL). */
static void
tm_reply_msg(struct msg *m, int code, const char *reason, const char *tag)
{
	str_t rs = str_cstr(reason);
	struct sl_req rq;
	struct sockaddr_storage dst;
	const char *err;
	char *buf;
	long len;

	if ((len = tm_reply_text(&m->buf, &m->rcv.src, code, &rs, tag,
	    m->fwd_flags, &buf)) < 0)
		return;
	if (m->rcv.proto == PROTO_UDP && sl_req_scan(&m->buf, &rq, &err) == 0) {
		rq.force_rport = (m->fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
		sl_reply_dest(&rq, &m->rcv.src, &dst);
	} else
		dst = m->rcv.src;
	if (msg_send_back(m, &dst, buf, (size_t)len, 0) < 0)
		log_errx("tm: sending the %d reply failed", code);
	else
		TM_STAT_INC(rpl_sent);
	xfree(buf);
}

/* --- matching incoming requests ------------------------------------------------ */

/* An ACK: absorbed when it acknowledges a negative final reply. */
static int
tm_ack_in(struct tm_cell *c)
{
	if (c->status < 300)
		return 0;               /* a 2xx ACK is end-to-end: routed */
	if (c->rpl_retr_at || c->wt_at == 0)
		tm_wait(c);             /* confirmed: timer I */
	return 1;
}

/* A CANCEL of the pending INVITE c (RFC 3261 9.2, 16.10). */
static void
tm_cancel_in(struct msg *m, struct tm_cell *c)
{
	char buf[8192];
	long n;

	tm_reply_msg(m, 200, "canceling", c->to_tag);
	if (c->status >= 200 || (c->flags & TM_F_CANCELED))
		return;
	c->flags |= TM_F_CANCELED;
	if ((c->flags & TM_F_BRANCH) && c->uac_code < 200 && c->out) {
		str_t fwd = str_make(c->out, c->out_len);

		n = tm_hop_build(&fwd, "CANCEL", NULL, buf, sizeof(buf));
		if (n < 0 || fwd_send(&c->dst, buf, (size_t)n, NULL) != FWD_OK)
			log_errx("tm: cannot send the CANCEL downstream");
		return;
	}
	if (!(c->flags & TM_F_BRANCH))
		{
		str_t rs = STR_LIT("Request Terminated");

		tm_reply_own(c, 487, &rs);
	}
}

int
tm_req_hook(struct msg *m)
{
	static const str_t inv = STR_LIT("INVITE");
	struct tm_cell *c;
	struct tm_key k;
	const char *err;
	uint32_t slot;
	int rc = 0;

	if (tm_key_scan(&m->buf, &k, &err) < 0)
		return 0;               /* the routes deal with it */
	slot = tm_key_hash(&k) % tm_tab->size;
	tm_lock(slot);
	if (tm_is_method(&k.method, "ACK")) {
		if ((c = tm_find_req(slot, &k, &inv)) != NULL)
			rc = tm_ack_in(c);
	} else if (tm_is_method(&k.method, "CANCEL") &&
	    tm_find_req(slot, &k, &k.method) == NULL &&
	    (c = tm_find_req(slot, &k, &inv)) != NULL) {
		tm_cancel_in(m, c);
		rc = 1;
	} else if ((c = tm_find_req(slot, &k, &k.method)) != NULL) {
		/* a retransmission: the last reply again */
		TM_STAT_INC(retransmissions);
		if (c->rpl_len)
			tm_send_up(c, c->rpl, c->rpl_len);
		rc = 1;
	}
	tm_unlock(slot);
	return rc;
}

/* --- the transaction of a request in the script ---------------------------------- */

int
tm_trans_of(struct msg *m, struct tm_mstate *st)
{
	struct tm_cell *c, *old;
	struct sl_req rq;
	const char *err;

	if (st->cell)
		return 1;
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("tm: transactions are made for SIP requests only");
		return -1;
	}
	if (m->buf.len >= 4 && memcmp(m->buf.s, "ACK ", 4) == 0) {
		log_errx("tm: an ACK does not make a transaction");
		return -1;
	}
	if ((c = tm_cell_new(m->buf.s, m->buf.len, &m->rcv, 0, 0)) == NULL)
		return -1;
	c->fwd_flags = m->fwd_flags;
	if (sl_req_scan(&(str_t){ c->req, c->req_len }, &rq, &err) == 0) {
		rq.force_rport = (m->fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
		sl_reply_dest(&rq, &c->rcv.src, &c->rpl_dst);
	}
	else
		c->rpl_dst = c->rcv.src;
	tm_lock(c->slot);
	if ((old = tm_find_req(c->slot, &c->key, &c->key.method)) != NULL) {
		/* another process made it first: this is a retransmission */
		TM_STAT_INC(retransmissions);
		if (old->rpl_len)
			tm_send_up(old, old->rpl, old->rpl_len);
		tm_unlock(c->slot);
		tm_cell_free(c);
		TM_STAT_DEC(total);
		return 0;
	}
	c->refcnt = 1;
	c->msg_flags = m->flags;
	tm_link(c);
	tm_unlock(c->slot);
	st->cell = c;
	return 1;
}
