/*
 * msilo_store.c - m_store(mode[, next_hop]) and m_store([owner]): keeps
 * a MESSAGE in the silo table and tells its sender, from the registrar
 * address, that it will be delivered later.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msilo_mod.h"
#include "msilo_sip.h"
#include "msilo_text.h"

#define MSILO_NOTICE_MAX 1024

/* The rendered argument i, empty when omitted.  0 or -1 (logged). */
static int
arg_text(struct msg *m, void *const *args, int i, const char *fn,
    str_t *out)
{
	*out = STR_NULL;
	if (args[i] == NULL)
		return 0;
	if (arg_str(m, args[i], out) != 0) {
		log_errx("%s(): cannot evaluate argument %d", fn, i + 1);
		return -1;
	}
	str_trim(out);
	return 0;
}

/* The next hop for messages msilo sends: the argument, else the
 * outbound_proxy parameter, else none (the R-URI decides). */
static str_t
next_hop_or_default(const str_t *arg)
{
	if (arg->len > 0)
		return *arg;
	if (msilo_st.outbound_proxy != NULL)
		return str_cstr(msilo_st.outbound_proxy);
	return STR_NULL;
}

/* Where the notification goes: the sender's Contact (use_contact), else
 * its From URI. */
static str_t
notice_target(struct msg *m, const str_t *from)
{
	str_t v, rest;
	struct msilo_contact c;

	if (!msilo_st.use_contact ||
	    sip_header(m, &STR_LIT("Contact"), 0, &v) != 1)
		return *from;
	rest = v;
	if (msilo_contact_next(&rest, &c) != 1 || c.star ||
	    msilo_uri_aor(&c.uri, &v, &rest) != 0)
		return *from;
	return c.uri;
}

static void
send_notice(struct msg *m, const str_t *from, const str_t *owner,
    const str_t *next_hop)
{
	const struct tm_api *tm = msilo_tm();
	char body[MSILO_NOTICE_MAX];
	struct tm_uac_req r;
	int n;

	if (tm == NULL)
		return;
	memset(&r, 0, sizeof(r));
	if (msilo_st.offline_fmt != NULL) {
		if (fmt_render(m, msilo_st.offline_fmt, &r.body) != 0) {
			log_errx("msilo: offline_message cannot be rendered; "
			    "no notification sent");
			return;
		}
	} else {
		if ((n = msilo_notice_body(body, sizeof(body), owner)) < 0) {
			log_errx("msilo: the owner URI is too long for the "
			    "notification; none sent");
			return;
		}
		r.body = str_make(body, (size_t)n);
	}
	r.method = STR_LIT("MESSAGE");
	r.ruri = notice_target(m, from);
	r.to = *from;
	r.from = str_cstr(msilo_st.registrar);
	r.hdrs = STR_LIT("Content-Type: text/plain\r\n");
	r.next_hop = next_hop_or_default(next_hop);
	if (tm->t_uac(&r, NULL, 0) != 1)
		log_warnx("msilo: the notification to %.*s could not be sent",
		    STR_FMT(&r.ruri));
}

/* The Content-Type of the request, text/plain when it has none.
 * 0, or -1 when it is not usable in a header line (logged). */
static int
content_type(struct msg *m, str_t *out)
{
	if (sip_header(m, &STR_LIT("Content-Type"), 0, out) != 1) {
		*out = STR_LIT("text/plain");
		return 0;
	}
	str_trim(out);
	if (!msilo_ctype_ok(out)) {
		log_errx("m_store(): malformed Content-Type \"%.*s\"; not "
		    "stored", STR_FMT(out));
		return -1;
	}
	return 0;
}

/*
 * Picks the mailbox: an explicit owner URI (Kamailio 5.6's form), or by
 * mode among the new R-URI, the R-URI and the To URI.  0 or -1 (logged).
 */
static int
pick_owner(struct msg *m, const str_t *arg, const str_t *to, str_t *owner)
{
	str_t ruri = STR_NULL;
	const str_t *o;
	int mode = MSILO_MODE_NEW_URI;

	if (arg->len > 0 && (mode = msilo_mode_parse(arg)) < 0) {
		if (!msilo_is_aor(arg)) {
			log_errx("m_store(): \"%.*s\" is neither a mode (0, 1, "
			    "2) nor an owner URI user@host; not stored",
			    STR_FMT(arg));
			return -1;
		}
		*owner = *arg;
		return 0;
	}
	if (sip_ruri(m, &ruri) != 0)
		ruri = STR_NULL;
	o = msilo_pick_owner((enum msilo_mode)mode, &m->new_uri, &ruri, to);
	if (o == NULL) {
		log_errx("m_store(): no address of record user@host in the "
		    "%sR-URI or the To URI; not stored", mode == 0 ?
		    "new R-URI, the " : "");
		return -1;
	}
	*owner = *o;
	return 0;
}

/* A MESSAGE request that parses, or -1 (logged). */
static int
check_message(struct msg *m)
{
	str_t method;

	if (m->kind != MSG_SIP_REQUEST || sip_method(m, &method) != 0) {
		log_errx("m_store(): not a SIP request; nothing stored");
		return -1;
	}
	if (!str_eq_cstr(&method, "MESSAGE")) {
		log_errx("m_store(): only MESSAGE requests are stored, not "
		    "%.*s", STR_FMT(&method));
		return -1;
	}
	return 0;
}

int
msilo_m_store(struct msg *m, void *const *args)
{
	const struct msilo_db *db;
	struct msilo_new n;
	str_t a0, hop, from, to, owner;
	long long id;
	time_t now = time(NULL);

	if (check_message(m) != 0 || arg_text(m, args, 0, "m_store", &a0) ||
	    arg_text(m, args, 1, "m_store", &hop))
		return -1;
	memset(&n, 0, sizeof(n));
	if (sip_from_uri(m, &from) != 0 || from.len == 0) {
		log_errx("m_store(): the MESSAGE has no usable From header; "
		    "not stored");
		return -1;
	}
	if (sip_to_uri(m, &to) != 0)
		to = STR_NULL;
	if (pick_owner(m, &a0, &to, &owner) != 0 ||
	    msilo_uri_aor(&owner, &n.username, &n.domain) != 0)
		return -1;
	if (msilo_is_registrar(&owner)) {
		log_errx("m_store(): %.*s is the registrar address; messages "
		    "to it are not stored", STR_FMT(&owner));
		return -1;
	}
	if (sip_body(m, &n.body) != 0 || n.body.len == 0) {
		log_errx("m_store(): the MESSAGE from %.*s has no body; not "
		    "stored", STR_FMT(&from));
		return -1;
	}
	if (n.body.len > (size_t)msilo_st.max_body_size) {
		log_errx("m_store(): the body of the MESSAGE from %.*s has %zu "
		    "bytes, more than max_body_size (%d); not stored",
		    STR_FMT(&from), n.body.len, msilo_st.max_body_size);
		return -1;
	}
	if (content_type(m, &n.ctype) != 0)
		return -1;
	if ((db = msilo_db_get()) == NULL) {
		log_errx("m_store(): no database; the MESSAGE from %.*s is not "
		    "stored", STR_FMT(&from));
		return -1;
	}
	if (msilo_st.max_messages > 0) {
		int k = msilo_db_count(db, &n.username, &n.domain, now,
		    msilo_st.max_messages);

		if (k < 0 || k >= msilo_st.max_messages) {
			log_errx("m_store(): %s for %.*s@%.*s; not stored", k < 0
			    ? "cannot count the stored messages" :
			    "max_messages reached", STR_FMT(&n.username),
			    STR_FMT(&n.domain));
			return -1;
		}
	}
	n.src_addr = from;
	n.dst_addr = to.len ? to : owner;
	n.inc_time = now;
	n.exp_time = now + msilo_st.expire_time;
	if (sip_call_id(m, &n.callid) != 0)
		n.callid = STR_NULL;
	if (msilo_db_store(db, &n, &id) != 0) {
		log_errx("m_store(): the database refused the MESSAGE from "
		    "%.*s to %.*s; not stored", STR_FMT(&from), STR_FMT(&owner));
		return -1;
	}
	stats_inc(msilo_st.st_stored);
	log_info("msilo: stored message %lld from %.*s for %.*s@%.*s", id,
	    STR_FMT(&from), STR_FMT(&n.username), STR_FMT(&n.domain));
	if (msilo_st.registrar != NULL && !msilo_is_registrar(&from))
		send_notice(m, &from, &owner, &hop);
	return 1;
}
