/*
 * tm_uac.c - the client side of transactions (RFC 3261 17.1): sending a
 * branch, its retransmissions (timers A/E) and fr_timer (B/F), the
 * replies that come back, the hop-by-hop ACK, the end of a branch, and
 * the requests other modules send with t_uac().
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/conn.h"
#include "core/log.h"
#include "core/sock.h"
#include "core/xalloc.h"
#include "tm_cell.h"

static const char *
tm_reason_of(int code)
{
	switch (code) {
	case 408:
		return "Request Timeout";
	case 487:
		return "Request Terminated";
	case 503:
		return "Service Unavailable";
	default:
		return "Server Error";
	}
}

/* --- a branch -------------------------------------------------------------------- */

int
tm_branch_send(struct tm_cell *c)
{
	uint64_t now = tm_now(), id = 0;
	int rc;

	if ((rc = fwd_send_opt(&c->dst, c->out, c->out_len, &id,
	    tm_fwd_opt(c->fwd_flags))) != FWD_OK)
		return rc;
	/* over TCP/TLS the timer watches the connection: when it closes
	 * before the final reply (the callee went away, or the connect we
	 * opened was refused) the branch ends at once, not at fr_timer */
	c->conn_id = c->dst.proto == PROTO_UDP ? 0 : id;
	c->fail_code = 0;
	c->flags |= TM_F_BRANCH;
	c->uac_code = 0;
	shm_free(c->uac_rpl);
	c->uac_rpl = NULL;
	c->uac_rpl_len = 0;
	shm_free(c->ack);
	c->ack = NULL;
	c->ack_len = 0;
	if (c->dst.proto == PROTO_UDP) {
		c->retr_int = tm_conf.t1;
		c->retr_at = now + tm_conf.t1;
	} else {
		c->retr_at = 0;         /* a reliable transport: no timer A/E */
	}
	c->fr_at = now + c->fr_ms;
	c->wt_at = 0;
	return FWD_OK;
}

void
tm_branch_fail_soon(struct tm_cell *c, int code)
{
	/* The branch counts as sent, so that it ends the way every branch
	 * does: in the timer process, through failure_route when one is
	 * armed (msilo's m_store() there), else with our own reply.  Doing
	 * it here would run failure_route nested in the request route. */
	c->flags |= TM_F_BRANCH;
	c->uac_code = 0;
	c->conn_id = 0;
	c->retr_at = 0;
	c->fr_at = tm_now();
	c->fail_code = code;
	c->wt_at = 0;
}

/* The hop-by-hop ACK of a negative final reply to our INVITE (slot
 * locked): built once, sent for every copy of the reply. */
static void
tm_ack_send(struct tm_cell *c, const struct tm_rpl *r)
{
	char buf[8192];
	long n;

	if (c->ack == NULL) {
		str_t fwd = str_make(c->out, c->out_len);

		n = tm_hop_build(&fwd, "ACK", &r->to, buf, sizeof(buf));
		if (n < 0 || tm_shm_set(&c->ack, &c->ack_len, buf,
		    (size_t)n) < 0) {
			log_errx("tm: cannot build the ACK of a %d reply",
			    r->code);
			return;
		}
	}
	if (fwd_send(&c->dst, c->ack, c->ack_len, NULL) != FWD_OK)
		log_errx("tm: sending the ACK downstream failed");
}

void
tm_branch_final(struct tm_cell *c, int code)
{
	tm_uac_cb cb = NULL;
	uint64_t param = 0;

	tm_lock(c->slot);
	if (c->flags & TM_F_LOCAL) {
		if (!(c->flags & TM_F_CB_DONE)) {
			c->flags |= TM_F_CB_DONE;
			cb = c->cb;
			param = c->cb_param;
		}
		tm_wait(c);
		tm_unlock(c->slot);
		if (cb)
			cb(code, param);
		return;
	}
	if (c->status >= 200) {
		tm_unlock(c->slot);
		return;
	}
	if (c->on_failure && !(c->flags & TM_F_FAILURE)) {
		const struct route_def *r = c->on_failure;

		c->on_failure = NULL;   /* armed again by t_on_failure() */
		c->flags |= TM_F_FAILURE;
		tm_unlock(c->slot);
		tm_run_failure(c, r, code);
		tm_lock(c->slot);
		c->flags &= ~TM_F_FAILURE;
		/* answered, or relayed to a new branch that is pending */
		if (c->status >= 200 || ((c->flags & TM_F_BRANCH) &&
		    c->uac_code < 200)) {
			tm_unlock(c->slot);
			return;
		}
	}
	/* nothing else to try: the best reply upstream (16.7 with one
	 * branch: the one final reply, or ours when there was none) */
	if (c->uac_rpl) {
		char *copy = xmalloc(c->uac_rpl_len);

		if (copy) {
			memcpy(copy, c->uac_rpl, c->uac_rpl_len);
			tm_reply_up(c, copy, c->uac_rpl_len, c->uac_code, 1);
			xfree(copy);
		}
	} else {
		str_t rs = str_cstr(tm_reason_of(code));

		tm_reply_own(c, code, &rs);
	}
	if (c->status < 200)
		tm_wait(c);             /* the reply could not be sent */
	tm_unlock(c->slot);
}

/* --- replies from downstream ------------------------------------------------------ */

/* The reply with our Via cut, in pkg memory.  Length or -1. */
static long
tm_rpl_cut(struct msg *m, const struct tm_rpl *r, char **out)
{
	long n;

	if ((*out = xmalloc(m->buf.len + 1)) == NULL)
		return -1;
	if ((n = tm_rpl_strip_via(&m->buf, r, *out, m->buf.len)) < 0) {
		xfree(*out);
		*out = NULL;
	}
	return n;
}

/* A reply after the branch's final one: ACK it again, pass on a 2xx. */
static void
tm_rpl_late(struct tm_cell *c, struct msg *m, const struct tm_rpl *r)
{
	char *buf;
	long n;

	if ((c->flags & TM_F_INVITE) && r->code >= 300) {
		tm_ack_send(c, r);
	} else if ((c->flags & TM_F_INVITE) && r->code >= 200 &&
	    r->code < 300 && !(c->flags & TM_F_LOCAL)) {
		/* every 2xx of an INVITE goes to the caller (16.7 step 5) */
		if ((n = tm_rpl_cut(m, r, &buf)) >= 0) {
			tm_send_up(c, buf, (size_t)n);
			xfree(buf);
		}
	}
}

int
tm_rpl_hook(struct msg *m)
{
	struct tm_cell *c;
	struct tm_rpl r;
	const char *err;
	uint32_t slot;
	uint64_t bid;
	char *buf = NULL;
	long n;

	if (tm_rpl_scan(&m->buf, &r, &err) < 0 ||
	    tm_rpl_check(&m->buf, &err) < 0) {
		/* not relayed: a garbage reply carrying a live branch would
		 * otherwise end the transaction and reach the caller */
		log_dbg("tm: reply dropped: %s", err);
		return 0;
	}
	if (tm_branch_parse(&r.branch, &slot, &bid) < 0 ||
	    slot >= tm_tab->size) {
		log_dbg("tm: a %d reply matches no transaction (branch %.*s)",
		    r.code, STR_FMT(&r.branch));
		return 0;
	}
	tm_lock(slot);
	c = tm_find_id(slot, bid >> 4);
	if (c == NULL || c->bno != (bid & 15) || !(c->flags & TM_F_BRANCH)) {
		tm_unlock(slot);
		log_dbg("tm: a %d reply for a transaction that is gone",
		    r.code);
		return 0;
	}
	TM_STAT_INC(rpl_received);
	if (tm_is_method(&r.cseq_method, "CANCEL") ||
	    !str_eq(&r.cseq_method, &c->key.method)) {
		tm_unlock(slot);        /* the reply to our CANCEL: absorbed */
		return 1;
	}
	if (c->on_reply != NULL && !(c->flags & TM_F_LOCAL) &&
	    tm_onreply(c, m, slot, bid, r.code) == 0)
		return 1;
	if (c->uac_code >= 200) {
		tm_rpl_late(c, m, &r);
		tm_unlock(slot);
		return 1;
	}
	if (r.code < 200) {
		if (c->flags & TM_F_INVITE) {
			c->retr_at = 0;         /* timer A stops (17.1.1.2) */
			if (c->uac_code == 0)
				c->fr_at = tm_now() + c->fr_inv_ms;
		} else if (c->retr_at) {
			c->retr_int = tm_conf.t2;       /* timer E at T2 */
		}
		c->uac_code = r.code;
		/* a 100 is hop-by-hop; other provisionals go upstream */
		if (!(c->flags & TM_F_LOCAL) && r.code > 100 &&
		    c->status < 200 && (n = tm_rpl_cut(m, &r, &buf)) >= 0) {
			tm_reply_up(c, buf, (size_t)n, r.code, 0);
			xfree(buf);
		}
		tm_unlock(slot);
		return 1;
	}
	c->uac_code = r.code;
	c->retr_at = 0;
	c->fr_at = 0;
	if ((c->flags & TM_F_INVITE) && r.code >= 300)
		tm_ack_send(c, &r);
	if (c->flags & TM_F_LOCAL) {
		c->refcnt++;
		tm_unlock(slot);
		tm_branch_final(c, r.code);
		tm_unref(c);
		return 1;
	}
	if ((n = tm_rpl_cut(m, &r, &buf)) < 0) {
		tm_unlock(slot);
		return 1;
	}
	if (r.code < 300) {
		if (c->status < 200)
			tm_reply_up(c, buf, (size_t)n, r.code, 0);
		else
			tm_send_up(c, buf, (size_t)n);
		tm_wait(c);
		tm_unlock(slot);
		xfree(buf);
		return 1;
	}
	tm_shm_set(&c->uac_rpl, &c->uac_rpl_len, buf, (size_t)n);
	xfree(buf);
	c->refcnt++;
	tm_unlock(slot);
	tm_branch_final(c, r.code);
	tm_unref(c);
	return 1;
}

/* --- timers ------------------------------------------------------------------------ */

#define TM_TICK_MAX 64

/* 1 while connection id is open (or still connecting). */
static int
tm_conn_open(uint64_t id)
{
	struct conn_info ci;

	return conn_get(id, &ci) == 0 && ci.state != CONN_CLOSING &&
	    ci.state != CONN_FREE;
}

/* One cell's due timers (slot locked).  Returns the code of a branch
 * that fr_timer ended (the caller finishes it unlocked), else 0. */
static int
tm_cell_tick(struct tm_cell *c, uint64_t now)
{
	int code;

	if (c->rpl_retr_at && now >= c->rpl_retr_at) {
		if (now >= c->rpl_end_at) {
			tm_wait(c);     /* timer H: no ACK came */
			return 0;
		}
		tm_send_up(c, c->rpl, c->rpl_len);
		c->rpl_retr_int = tm_retr_next(c->rpl_retr_int, tm_conf.t2, 1);
		c->rpl_retr_at = now + c->rpl_retr_int;
	}
	if (c->retr_at && now >= c->retr_at) {
		fwd_send(&c->dst, c->out, c->out_len, NULL);
		c->retr_int = tm_retr_next(c->retr_int, tm_conf.t2,
		    !(c->flags & TM_F_INVITE));
		c->retr_at = now + c->retr_int;
	}
	if (c->fr_at && c->conn_id && c->uac_code < 200 &&
	    !tm_conn_open(c->conn_id)) {
		char a[64];

		/* no reply can come any more: do not wait for fr_timer */
		log_warnx("tm: branch failed: the connection to %s is closed",
		    sock_addr_text(&c->dst.to, a, sizeof(a)));
		c->fr_at = 0;
		c->conn_id = 0;
		c->uac_code = 503;
		return 503;
	}
	if (c->fr_at == 0 || now < c->fr_at)
		return 0;
	c->fr_at = 0;
	c->retr_at = 0;
	if (c->fail_code) {
		/* tm_branch_fail_soon(): it never went out */
		code = c->fail_code;
		c->fail_code = 0;
		c->uac_code = code;
		return code;
	}
	if ((c->flags & TM_F_INVITE) && c->uac_code >= 100 &&
	    c->uac_code < 200) {
		/* a pending INVITE branch is canceled (16.8) */
		char buf[8192];
		str_t fwd = str_make(c->out, c->out_len);
		long n = tm_hop_build(&fwd, "CANCEL", NULL, buf, sizeof(buf));

		if (n < 0 || fwd_send(&c->dst, buf, (size_t)n, NULL) != FWD_OK)
			log_errx("tm: cannot cancel the timed-out branch");
	}
	code = (c->flags & TM_F_CANCELED) ? 487 : 408;
	c->uac_code = code;
	TM_STAT_INC(timeouts);
	return code;
}

void
tm_timer_tick(void *arg)
{
	struct tm_cell *fin[TM_TICK_MAX];
	int codes[TM_TICK_MAX], n = 0;
	uint64_t now = tm_now();

	(void)arg;
	for (uint32_t s = 0; s < tm_tab->size; s++) {
		struct tm_cell *c, *next;

		tm_lock(s);
		for (c = tm_tab->slots[s].head; c; c = next) {
			int code;

			next = c->next;
			if (c->wt_at) {
				if (now >= c->wt_at && c->refcnt == 0) {
					tm_unlink(c);
					TM_STAT_DEC(waiting);
					TM_STAT_INC(freed);
					tm_cell_free(c);
				}
				continue;
			}
			/* fin[] is full: a cell that may end now (fr_timer
			 * due, or its connection may have closed) waits for
			 * the next tick */
			if (n == TM_TICK_MAX && c->fr_at && (now >= c->fr_at ||
			    c->conn_id))
				continue;
			if ((code = tm_cell_tick(c, now)) != 0) {
				c->refcnt++;
				fin[n] = c;
				codes[n++] = code;
			}
		}
		tm_unlock(s);
	}
	for (int i = 0; i < n; i++) {
		tm_branch_final(fin[i], codes[i]);
		tm_unref(fin[i]);
	}
}

/* --- t_uac ------------------------------------------------------------------------- */

static void
tm_hex_rand(char *out, size_t digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[32];
	uint64_t t = tm_now();

	if (digits > 2 * sizeof(rnd))
		digits = 2 * sizeof(rnd);
	if (getrandom(rnd, (digits + 1) / 2, GRND_NONBLOCK) < 0)
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(t >> (i % 8)) ^ (unsigned char)i;
	for (size_t i = 0; i < digits; i++)
		out[i] = hex[(rnd[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	out[digits] = '\0';
}

/* The URI of an address that may be a name-addr. */
static str_t
tm_uri_of(const str_t *a)
{
	const char *lt = str_chr(a, '<'), *gt;

	if (lt == NULL)
		return *a;
	gt = memchr(lt, '>', (size_t)(a->s + a->len - lt));
	if (gt == NULL)
		return *a;
	return str_make(lt + 1, (size_t)(gt - lt - 1));
}

int
tm_uac(const struct tm_uac_req *r, tm_uac_cb cb, uint64_t param)
{
	struct tm_uac_text u = { 0 };
	struct fwd_dest dst;
	struct tm_cell *c = NULL;
	char via[TM_BRANCH_MAX + 128], host[80], callid[128], ftag[20];
	char branch[TM_BRANCH_MAX], *buf = NULL;
	const char *err;
	uint64_t id;
	str_t ruri, target;
	long len;
	int port;

	if (r == NULL || r->method.len == 0 || r->to.len == 0 ||
	    r->from.len == 0) {
		log_errx("tm: t_uac: method, To and From are required");
		return -1;
	}
	if (tm_is_method(&r->method, "INVITE") ||
	    tm_is_method(&r->method, "ACK") ||
	    tm_is_method(&r->method, "CANCEL")) {
		log_errx("tm: t_uac: %.*s is not supported (non-INVITE "
		    "requests only)", STR_FMT(&r->method));
		return -1;
	}
	ruri = r->ruri.len ? r->ruri : tm_uri_of(&r->to);
	target = r->next_hop.len ? r->next_hop : ruri;
	if (fwd_resolve(&target, &dst, &err) < 0) {
		log_errx("tm: t_uac: cannot send to %.*s: %s",
		    STR_FMT(&target), err);
		return -1;
	}
	if (fwd_via_addr(&dst, host, sizeof(host), &port) < 0) {
		log_errx("tm: t_uac: no local address for the Via");
		return -1;
	}
	id = tm_id_new();
	tm_branch_make((uint32_t)(id % tm_tab->size), id << 4, branch);
	snprintf(via, sizeof(via), "Via: SIP/2.0/%s %s:%d;branch=%s\r\n",
	    fwd_proto_token(dst.proto), host, port, branch);
	tm_hex_rand(callid, 24);
	snprintf(callid + 24, sizeof(callid) - 24, "@%s", host);
	tm_hex_rand(ftag, 16);
	u = (struct tm_uac_text){
		.method = r->method, .ruri = ruri, .from = r->from,
		.to = r->to, .hdrs = r->hdrs, .body = r->body,
		.via = str_cstr(via), .callid = str_cstr(callid),
		.from_tag = str_cstr(ftag), .cseq = 1,
	};
	if ((buf = xmalloc(tm_uac_cap(&u))) == NULL)
		return -1;
	if ((len = tm_uac_build(&u, buf, tm_uac_cap(&u))) < 0) {
		log_errx("tm: t_uac: the request does not fit");
		goto fail;
	}
	if ((c = tm_cell_new(buf, (size_t)len, NULL, 1, id)) == NULL)
		goto fail;
	if (tm_shm_set(&c->out, &c->out_len, buf, (size_t)len) < 0)
		goto fail;
	c->dst = dst;
	c->cb = cb;
	c->cb_param = param;
	tm_lock(c->slot);
	tm_link(c);
	if (tm_branch_send(c) != FWD_OK) {
		tm_unlink(c);
		tm_unlock(c->slot);
		log_errx("tm: t_uac: sending the %.*s to %.*s failed",
		    STR_FMT(&r->method), STR_FMT(&target));
		goto fail;
	}
	tm_unlock(c->slot);
	xfree(buf);
	return 1;
fail:
	tm_cell_free(c);
	xfree(buf);
	return -1;
}
