/*
 * tm_relay.c - t_relay(): the request forwarded statefully on its
 * transaction (RFC 3261 16.6), or an ACK forwarded statelessly.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/msg_edit.h"
#include "core/sock.h"
#include "core/xalloc.h"
#include "modules/maxfwd/maxfwd_api.h"
#include "tm_cell.h"

const struct maxfwd_api *tm_maxfwd;

/*
 * The Max-Forwards of the forwarded copy (16.6 step 3): what maxfwd
 * decided when mf_process_maxfwd_header() ran, else the request's value
 * less one, or 70 when it has none.  -1 when the request may not be
 * forwarded (it arrived with 0).
 */
static long
tm_fwd_maxfwd(struct msg *m, const struct tm_key *k)
{
	int v, added;

	if (tm_maxfwd && tm_maxfwd->fwd_value(m, &v, &added) == 1)
		return v;
	if (k->max_fwd < 0)
		return 70;
	return k->max_fwd == 0 ? -1 : k->max_fwd - 1;
}

/* Our Via for a request leaving to dst with branch. */
static int
tm_via_line(const struct fwd_dest *dst, const char *branch, char *buf,
    size_t len)
{
	char host[80];
	int port, n;

	if (fwd_via_addr(dst, host, sizeof(host), &port) < 0)
		return -1;
	n = snprintf(buf, len, "Via: SIP/2.0/%s %s:%d;branch=%s\r\n",
	    fwd_proto_token(dst->proto), host, port, branch);
	return n > 0 && (size_t)n < len ? n : -1;
}

/* The source of a request as its Via is to be marked (an address
 * family without an IP, a test's fake one, leaves the Via alone). */
static void
tm_src_of(const struct sockaddr_storage *ss, struct tm_src *src)
{
	memset(src, 0, sizeof(*src));
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return;
	sock_ip_text(ss, src->ip, sizeof(src->ip));
	src->port = sock_port(ss);
}

/* fwd_send_opt()'s options from the script's set_forward_*() calls. */
unsigned
tm_fwd_opt(unsigned fwd_flags)
{
	return ((fwd_flags & MSG_FWD_NO_CONNECT) ? FWD_O_NO_CONNECT : 0) |
	    ((fwd_flags & MSG_FWD_CLOSE) ? FWD_O_CLOSE : 0);
}

/* The destination: the given URI, else $du, else the R-URI. */
static int
tm_dest(struct msg *m, const str_t *to_uri, struct fwd_dest *dst,
    const char **err)
{
	if (to_uri && to_uri->len)
		return fwd_resolve(to_uri, dst, err);
	return fwd_msg_dest(m, dst, err);
}

/* An ACK (of a 2xx: end to end) forwarded without a transaction, with
 * a branch derived from the incoming one so that a retransmission gets
 * the same. */
static int
tm_fwd_ack(struct msg *m, const str_t *to_uri)
{
	struct fwd_dest dst;
	struct tm_key k;
	struct tm_src src;
	const char *err;
	char branch[TM_BRANCH_MAX], via[TM_BRANCH_MAX + 128], *buf;
	str_t ruri, vs, req;
	long mf, n;
	size_t cap;
	int rc;

	if (tm_key_scan(&m->buf, &k, &err) < 0) {
		log_errx("tm: t_relay: cannot forward the ACK: %s", err);
		return -1;
	}
	if (tm_dest(m, to_uri, &dst, &err) < 0) {
		log_errx("tm: t_relay: cannot forward the ACK: %s", err);
		return -1;
	}
	if ((mf = tm_fwd_maxfwd(m, &k)) < 0)
		return -1;
	snprintf(branch, sizeof(branch), TM_MAGIC "sl%08x",
	    (unsigned)tm_key_hash(&k));
	if (tm_via_line(&dst, branch, via, sizeof(via)) < 0 ||
	    msg_get_ruri(m, &ruri) < 0)
		return -1;
	vs = str_cstr(via);
	cap = m->buf.len + ruri.len + vs.len + 128;
	for (const struct msg_edit *e = m->edits; e != NULL; e = e->next)
		cap += e->ins.len;
	if ((buf = xmalloc(cap)) == NULL)
		return -1;
	tm_src_of(&m->rcv.src, &src);
	src.force_rport = (m->fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
	n = msg_edit_apply(m, &m->buf, &m->arena, &req) < 0 ? -1 :
	    tm_fwd_build_src(&req, &ruri, &vs, mf, &src, buf, cap);
	rc = n >= 0 && fwd_send_opt(&dst, buf, (size_t)n, NULL,
	    tm_fwd_opt(m->fwd_flags)) == FWD_OK ? 1 : -1;
	if (rc < 0)
		log_errx("tm: t_relay: forwarding the ACK failed");
	xfree(buf);
	return rc;
}

/* The error reply when the branch cannot go out (slot locked). */
static int
tm_relay_fail(struct tm_cell *c, int code, const char *reason)
{
	str_t rs = str_cstr(reason);

	if (c->status < 200)
		tm_reply_own(c, code, &rs);
	return -1;
}

/*
 * The request to forward with the script's header edits (record_route,
 * append_hf, ...) applied, in m's arena; the edits are kept in the cell
 * so that a failure_route's new branch starts from them, as in Kamailio.
 * Slot locked.  0 or -1.
 */
static int
tm_edited(struct tm_cell *c, struct msg *m, str_t *req)
{
	char *blk = NULL;
	size_t len = 0;
	int rc = -1;

	if (m == NULL || m->edits == NULL)
		return 0;
	if (msg_edit_apply(m, req, &m->arena, req) < 0) {
		log_errx("tm: t_relay: cannot apply the header changes");
		return -1;
	}
	if (msg_edit_pack(m, &blk, &len) < 0 ||
	    tm_shm_set(&c->edits, &c->edits_len, blk, len) < 0)
		goto out;
	rc = 0;
out:
	xfree(blk);
	return rc;
}

/* Sends the branch of c to dst (slot locked).  1 or -1. */
static int
tm_relay_locked(struct tm_cell *c, struct msg *m, struct tm_mstate *st,
    const struct fwd_dest *dst, const str_t *ruri, long mf)
{
	char branch[TM_BRANCH_MAX], via[TM_BRANCH_MAX + 128], *buf = NULL;
	str_t req = str_make(c->req, c->req_len), vs;
	struct tm_src src;
	size_t cap;
	long n;
	int rc;

	if (c->status >= 200) {
		log_errx("tm: t_relay: the transaction was already answered "
		    "with %d", c->status);
		return -1;
	}
	if ((c->flags & TM_F_BRANCH) && c->uac_code < 200) {
		log_errx("tm: t_relay: a branch of the transaction is still "
		    "pending");
		return -1;
	}
	if (c->flags & TM_F_BRANCH)
		c->bno = (c->bno + 1) & 15;     /* a new branch (failure) */
	tm_branch_make(c->slot, (c->id << 4) | c->bno, branch);
	if (tm_via_line(dst, branch, via, sizeof(via)) < 0)
		return tm_relay_fail(c, 500, "No local address");
	vs = str_cstr(via);
	if (tm_edited(c, m, &req) < 0)
		return tm_relay_fail(c, 500, "Server Internal Error");
	if (m != NULL && (m->fwd_flags & MSG_FWD_FORCE_RPORT) &&
	    !(c->fwd_flags & MSG_FWD_FORCE_RPORT) && c->rcv.proto == PROTO_UDP)
		c->rpl_dst = c->rcv.src;    /* force_rport() after t_newtran() */
	if (m != NULL)
		c->fwd_flags |= m->fwd_flags;
	cap = req.len + ruri->len + vs.len + 128;
	if ((buf = xmalloc(cap)) == NULL)
		return tm_relay_fail(c, 500, "Server Internal Error");
	tm_src_of(&c->rcv.src, &src);
	src.force_rport = (c->fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
	if ((n = tm_fwd_build_src(&req, ruri, &vs, mf, &src, buf, cap)) < 0 ||
	    tm_shm_set(&c->out, &c->out_len, buf, (size_t)n) < 0) {
		xfree(buf);
		return tm_relay_fail(c, 500, "Server Internal Error");
	}
	xfree(buf);
	shm_free(c->ruri);
	c->ruri = shm_strndup(ruri->s, ruri->len);
	c->dst = *dst;
	if (st->fr_ms)
		c->fr_ms = st->fr_ms;
	if (st->fr_inv_ms)
		c->fr_inv_ms = st->fr_inv_ms;
	c->on_failure = st->on_failure;
	if (st->on_reply != NULL || !st->failure)
		c->on_reply = st->on_reply;     /* kept for a failure branch */
	if ((c->flags & TM_F_INVITE) && c->status == 0) {
		/* 16.7 step 1 and 16.2: stop the caller's retransmissions */
		str_t rs = STR_LIT("Trying");

		tm_reply_own(c, 100, &rs);
	}
	rc = tm_branch_send(c);
	if (!st->failure && (rc == FWD_ERR_NOCONN || (rc == FWD_ERR_SEND &&
	    dst->proto != PROTO_UDP))) {
		/* No TCP/TLS connection to the next hop and this process (a
		 * UDP receiver, the timer) cannot open one, or the connection
		 * broke under the write.  The same request handled by a TCP
		 * worker gets a connection that the timer sees closing; all
		 * end alike: the branch fails with 503 at the next timer tick
		 * and failure_route decides (the msilo seed stores the message
		 * and answers 202).  Not from failure_route itself: a route
		 * that relays again on every failure would spin each tick;
		 * there the caller gets the 503 at once. */
		tm_branch_fail_soon(c, 503);
		return 1;
	}
	if (rc == FWD_ERR_NOCONN)
		return tm_relay_fail(c, 503, "Service Unavailable");
	if (rc != FWD_OK)
		return tm_relay_fail(c, 477, "Unfortunately error on sending "
		    "to next hop occurred");
	return 1;
}

int
tm_relay_to(struct msg *m, struct tm_mstate *st, const str_t *to_uri)
{
	struct fwd_dest dst;
	struct tm_cell *c;
	const char *err;
	str_t ruri;
	long mf;
	int rc;

	if (m->kind == MSG_SIP_REQUEST && m->buf.len >= 4 &&
	    memcmp(m->buf.s, "ACK ", 4) == 0)
		return tm_fwd_ack(m, to_uri);
	if (!st->failure && (rc = tm_trans_of(m, st)) <= 0)
		return rc;
	if ((c = st->cell) == NULL)
		return -1;
	if (msg_get_ruri(m, &ruri) < 0) {
		log_errx("tm: t_relay: the request has no Request-URI");
		return -1;
	}
	/* the branch_route may change the R-URI, $du and headers */
	if (st->on_branch != NULL && tm_onbranch(m, st) == 0)
		return -1;
	if (msg_get_ruri(m, &ruri) < 0)
		return -1;
	mf = tm_fwd_maxfwd(m, &c->key);
	if (tm_dest(m, to_uri, &dst, &err) < 0) {
		log_errx("tm: t_relay: cannot forward to %.*s: %s",
		    STR_FMT(&ruri), err);
		tm_lock(c->slot);
		c->msg_flags = m->flags;
		tm_relay_fail(c, 478, "Unresolvable destination");
		tm_unlock(c->slot);
		return -1;
	}
	tm_lock(c->slot);
	c->msg_flags = m->flags;    /* what acc and the like look at */
	if (mf < 0)
		rc = tm_relay_fail(c, 483, "Too Many Hops");
	else
		rc = tm_relay_locked(c, m, st, &dst, &ruri, mf);
	tm_unlock(c->slot);
	return rc;
}

int
tm_relay(struct msg *m, struct tm_mstate *st)
{
	return tm_relay_to(m, st, NULL);
}
