/*
 * msilo_dump.c - m_dump([next_hop]) / m_dump([owner]): on a REGISTER
 * that keeps a contact, sends the user's stored messages there through
 * tm.  Each row is claimed (snd_time) before it is sent, so a second
 * REGISTER does not send it twice; a 2xx deletes it, any other outcome
 * releases the claim so that the next REGISTER tries again.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/sock.h"

#include "msilo_mod.h"
#include "msilo_sip.h"
#include "msilo_text.h"

#define MSILO_MAX_CONTACT_HDRS 32

void
msilo_dump_done(int code, uint64_t id)
{
	const struct msilo_db *db = msilo_db_get();

	if (code >= 200 && code < 300) {
		stats_inc(msilo_st.st_dumped);
		if (db == NULL || msilo_db_delete(db, (long long)id) < 0)
			log_errx("msilo: message %" PRIu64 " was delivered "
			    "(%d) but could not be deleted; it may be "
			    "delivered again", id, code);
		else
			log_info("msilo: message %" PRIu64 " delivered (%d), "
			    "deleted", id, code);
		return;
	}
	stats_inc(msilo_st.st_failed);
	if (db == NULL || msilo_db_release(db, (long long)id) != 0)
		log_errx("msilo: message %" PRIu64 " failed (%d) and its "
		    "claim could not be released; the timer will", id, code);
	else
		log_info("msilo: message %" PRIu64 " not delivered (%d); kept "
		    "for the next REGISTER", id, code);
}

/* The string of a column (DB_STR or DB_BLOB); empty when NULL. */
static str_t
col_str(const struct db_row *row, int i)
{
	const struct db_val *v = &row->vals[i];

	if (v->null || (v->type != DB_STR && v->type != DB_BLOB))
		return STR_NULL;
	return v->v.s;
}

static long long
col_int(const struct db_row *row, int i)
{
	const struct db_val *v = &row->vals[i];

	if (v->null)
		return 0;
	if (v->type == DB_INT)
		return v->v.i;
	if (v->type == DB_DATETIME)
		return (long long)v->v.t;
	return 0;
}

/*
 * Sends one claimed row to contact.  1 sent (its outcome comes to
 * msilo_dump_done), -1 not sent (logged; the caller releases it).
 */
static int
send_row(const struct db_row *row, long long id, const str_t *contact,
    const str_t *next_hop)
{
	const struct tm_api *tm = msilo_tm();
	str_t src = col_str(row, MSILO_C_SRC), dst = col_str(row, MSILO_C_DST);
	str_t ctype = col_str(row, MSILO_C_CTYPE), body = col_str(row,
	    MSILO_C_BODY), extra = col_str(row, MSILO_C_EXTRA);
	time_t inc = (time_t)col_int(row, MSILO_C_INC);
	size_t hlen = 256 + ctype.len + extra.len;
	size_t blen = MSILO_DATE_PREFIX_MAX + body.len;
	char *hbuf = NULL, *bbuf = NULL;
	struct tm_uac_req r;
	int h, b, rc = -1;

	if (tm == NULL)
		return -1;
	if (src.len == 0 || (ctype.len > 0 && !msilo_ctype_ok(&ctype))) {
		log_errx("msilo: stored message %lld has %s; not sent", id,
		    src.len == 0 ? "no sender" : "a malformed content type");
		return -1;
	}
	if ((hbuf = malloc(hlen)) == NULL || (bbuf = malloc(blen)) == NULL) {
		log_errx("msilo: out of memory for message %lld", id);
		goto out;
	}
	if ((h = msilo_delivery_hdrs(hbuf, hlen, &ctype, inc, &extra)) < 0 ||
	    (b = msilo_offline_body(bbuf, blen, inc, msilo_st.add_date,
	    &body)) < 0) {
		log_errx("msilo: cannot build message %lld", id);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.method = STR_LIT("MESSAGE");
	r.ruri = *contact;
	r.to = dst.len ? dst : *contact;
	r.from = src;
	r.hdrs = str_make(hbuf, (size_t)h);
	r.body = str_make(bbuf, (size_t)b);
	r.next_hop = *next_hop;
	if (tm->t_uac(&r, msilo_dump_done, (uint64_t)id) != 1) {
		log_errx("msilo: message %lld could not be sent to %.*s", id,
		    STR_FMT(contact));
		goto out;
	}
	rc = 1;
out:
	free(hbuf);
	free(bbuf);
	return rc;
}

/*
 * A REGISTER that came over a connection (TCP/TLS): its source as a
 * next hop "sip:ip:port;transport=tcp" in m's arena, so that the
 * messages go back on that connection, whatever the Contact says (a
 * plain Contact, or one naming a port the UA does not listen on).  This
 * is where registrar's lookup() sends requests for such a binding too
 * (its received).  0 with *hop set, or empty for UDP; -1 out of memory.
 */
static int
conn_hop(struct msg *m, str_t *hop)
{
	char ip[64], buf[128];
	str_t s;
	int n;

	*hop = STR_NULL;
	if ((m->rcv.proto != PROTO_TCP && m->rcv.proto != PROTO_TLS) ||
	    m->rcv.conn_id == 0 ||
	    (m->rcv.src.ss_family != AF_INET &&
	    m->rcv.src.ss_family != AF_INET6))
		return 0;
	sock_ip_text(&m->rcv.src, ip, sizeof(ip));
	n = snprintf(buf, sizeof(buf), "sip:%s%s%s:%d;transport=%s",
	    m->rcv.src.ss_family == AF_INET6 ? "[" : "", ip,
	    m->rcv.src.ss_family == AF_INET6 ? "]" : "",
	    sock_port(&m->rcv.src), proto_name(m->rcv.proto));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	s = str_make(buf, (size_t)n);
	return arena_str_dup(&m->arena, &s, hop);
}

/*
 * 0 when the REGISTER has what every request must (RFC 3261 8.1.1: Via,
 * From, To, Call-ID, CSeq), else -1 (logged).  The seed calls m_dump()
 * whatever save() decided; a request the registrar could not even
 * answer (no Via) or refused for a missing header must not send the
 * stored messages anywhere: they stay, unclaimed, for a real REGISTER.
 */
static int
register_complete(struct msg *m)
{
	static const char *const need[] = { "Via", "From", "To", "Call-ID",
	    "CSeq" };
	str_t v, num, meth;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		str_t name = str_cstr(need[i]);
		int rc = sip_header(m, &name, 0, &v);

		if (rc == 1)
			str_trim(&v);
		if (rc != 1 || v.len == 0) {
			log_errx("m_dump(): the REGISTER has no %s header; "
			    "nothing sent", need[i]);
			return -1;
		}
	}
	if (sip_cseq(m, &num, &meth) != 0) {
		log_errx("m_dump(): the REGISTER has a malformed CSeq; nothing "
		    "sent");
		return -1;
	}
	return 0;
}

/* Where the messages go, from the REGISTER.  1 with *contact, 0 none
 * stays registered, -1 malformed (logged). */
static int
register_target(struct msg *m, str_t *contact)
{
	str_t hdrs[MSILO_MAX_CONTACT_HDRS], exp, *expp = NULL;
	const char *why;
	int n, rc;

	n = sip_header_count(m, &STR_LIT("Contact"));
	if (n < 0) {
		log_errx("m_dump(): the REGISTER does not parse");
		return -1;
	}
	if (n > MSILO_MAX_CONTACT_HDRS)
		n = MSILO_MAX_CONTACT_HDRS;
	for (int i = 0; i < n; i++)
		if (sip_header(m, &STR_LIT("Contact"), i, &hdrs[i]) != 1) {
			log_errx("m_dump(): cannot read Contact header %d of "
			    "the REGISTER", i + 1);
			return -1;
		}
	if (sip_header(m, &STR_LIT("Expires"), 0, &exp) == 1)
		expp = &exp;
	rc = msilo_register_target(hdrs, n, expp, contact, &why);
	if (rc < 0)
		log_errx("m_dump(): %s in the REGISTER; nothing sent", why);
	return rc;
}

int
msilo_m_dump(struct msg *m, void *const *args)
{
	const struct msilo_db *db;
	struct db_res *res = NULL;
	str_t method, arg = STR_NULL, owner, user, host, contact, hop;
	int sent = 0, waiting = 0;
	time_t now = time(NULL);

	if (m->kind != MSG_SIP_REQUEST || sip_method(m, &method) != 0 ||
	    !str_eq_cstr(&method, "REGISTER")) {
		log_errx("m_dump(): only a REGISTER dumps stored messages");
		return -1;
	}
	if (args[0] != NULL) {
		if (arg_str(m, args[0], &arg) != 0) {
			log_errx("m_dump(): cannot evaluate its argument");
			return -1;
		}
		str_trim(&arg);
	}
	/* a URI with a user names the mailbox (Kamailio 5.6's owner), one
	 * without is the next hop (the seed's form) */
	hop = STR_NULL;
	if (msilo_is_aor(&arg)) {
		owner = arg;
	} else {
		hop = arg;
		if (sip_to_uri(m, &owner) != 0) {
			log_errx("m_dump(): the REGISTER has no usable To "
			    "header");
			return -1;
		}
	}
	if (hop.len == 0 && msilo_st.outbound_proxy != NULL)
		hop = str_cstr(msilo_st.outbound_proxy);
	if (hop.len == 0 && conn_hop(m, &hop) != 0) {
		log_errx("m_dump(): out of memory");
		return -1;
	}
	if (msilo_uri_aor(&owner, &user, &host) != 0 || user.len == 0) {
		log_errx("m_dump(): \"%.*s\" is not an address user@host",
		    STR_FMT(&owner));
		return -1;
	}
	if (register_complete(m) != 0)
		return -1;
	switch (register_target(m, &contact)) {
	case 0:
		log_dbg("m_dump(): no contact stays registered for %.*s@%.*s",
		    STR_FMT(&user), STR_FMT(&host));
		return -1;
	case 1:
		break;
	default:
		return -1;
	}
	if ((db = msilo_db_get()) == NULL ||
	    msilo_db_pending(db, &user, &host, now, &res) != 0) {
		log_errx("m_dump(): cannot read the stored messages of "
		    "%.*s@%.*s", STR_FMT(&user), STR_FMT(&host));
		return -1;
	}
	for (int i = 0; i < res->nrows; i++) {
		const struct db_row *row = &res->rows[i];
		long long id = col_int(row, MSILO_C_ID);

		waiting++;
		/* another process may have claimed it meanwhile */
		if (msilo_db_claim(db, id, now) != 1)
			continue;
		if (send_row(row, id, &contact, &hop) == 1) {
			sent++;
			continue;
		}
		stats_inc(msilo_st.st_failed);
		if (msilo_db_release(db, id) != 0)
			log_errx("msilo: message %lld stays claimed until the "
			    "timer releases it", id);
	}
	db->api->free_result(db->conn, res);
	if (sent > 0)
		log_info("msilo: %d of %d stored message(s) of %.*s@%.*s sent "
		    "to %.*s", sent, waiting, STR_FMT(&user), STR_FMT(&host),
		    STR_FMT(&contact));
	return sent > 0 ? 1 : -1;
}
