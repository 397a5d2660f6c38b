/*
 * reg_save.c - save(): processing a REGISTER as RFC 3261 §10.3 says
 * (steps 5-8) with Kamailio 5.6's choices: the AOR from To, Contact: *
 * with Expires: 0 removes every binding, expires from the contact
 * parameter or the Expires header or default_expires, bounded by
 * min_expires / max_expires, Call-ID/CSeq ordering, max_contacts, and a
 * 200 OK listing every binding with its remaining time.  With use_path
 * each binding keeps the REGISTER's Path (RFC 3327 §5.3) and the reply
 * echoes it as path_mode says; each binding keeps the methods of the
 * Allow header (or of the contact's methods parameter) for lookup()'s
 * method_filtering.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/abuf.h"
#include "core/listen.h"
#include "core/module_api.h"
#include "core/sock.h"
#include "reg_hdr.h"
#include "reg_mod.h"
#include "reg_parse.h"
#include "reg_reply.h"

#define REG_MAX_REQ_CONTACTS 64

/* What went wrong: the reply code and Kamailio's P-Registrar-Error. */
struct reg_err {
	int          code;
	const char  *reason;
	const char  *info;
	long long    min_expires;       /* for 423 */
	int          retry_after;       /* for 503 */
	str_t        path;              /* for 420: the Path it refuses */
};

static const str_t hdr_contact = STR_LIT("Contact");
static const str_t hdr_expires = STR_LIT("Expires");
static const str_t hdr_path = STR_LIT("Path");
static const str_t hdr_allow = STR_LIT("Allow");
static const str_t hdr_supported = STR_LIT("Supported");

static int
fail(struct reg_err *e, int code, const char *reason, const char *info)
{
	e->code = code;
	e->reason = reason;
	e->info = info;
	return -1;
}

static int
bad_request(struct reg_err *e, const char *info)
{
	return fail(e, 400, "Bad Request", info);
}

/* --- the request's parts -------------------------------------------- */

struct reg_req {
	str_t               aor;
	str_t               callid;
	int                 cseq;
	long long           hdr_expires;    /* REG_NO_EXP when absent    */
	struct reg_contact  c[REG_MAX_REQ_CONTACTS];
	int                 n;
	int                 star;
	str_t               path;           /* the Path vector, or empty  */
	int                 path_supported; /* Supported: path            */
	unsigned            methods;        /* of Allow; UL_METHODS_ALL   */
};

static int
parse_cseq(struct msg *m, int *out)
{
	str_t num, meth;
	long long n;

	if (sip_cseq(m, &num, &meth) != 0 || str_to_ll(&num, &n) != 0 ||
	    n < 0 || n > 0x7fffffff)
		return -1;
	*out = (int)n;
	return 0;
}

static int
parse_contacts(struct msg *m, struct reg_req *r, struct reg_err *e)
{
	int count = sip_header_count(m, &hdr_contact);
	char err[REG_ERR_LEN];

	for (int i = 0; i < count; i++) {
		enum reg_perr pe;
		str_t body;

		if (sip_header(m, &hdr_contact, i, &body) != 1)
			return bad_request(e, "Contact parse error");
		pe = reg_parse_contacts(&body, r->c, REG_MAX_REQ_CONTACTS,
		    &r->n, &r->star, err, sizeof(err));
		if (pe == REG_PE_OK)
			continue;
		log_warnx("registrar: REGISTER for %.*s: Contact: %s",
		    STR_FMT(&r->aor), err);
		switch (pe) {
		case REG_PE_EXPIRES:
			return bad_request(e, "Invalid expires param in contact");
		case REG_PE_Q:
			return bad_request(e, "Invalid q param in contact");
		case REG_PE_REGID:
			return bad_request(e, "Invalid Reg-Id number");
		default:
			return bad_request(e, "Contact parse error");
		}
	}
	/* RFC 3261 §10.3 step 6: "*" only alone and with Expires: 0 */
	if (r->star && r->n > 0)
		return bad_request(e, "Star contact and other contacts present");
	if (r->star && r->hdr_expires != 0)
		return bad_request(e, "Expires must be 0 for star contact");
	return 0;
}

/*
 * The methods of the Allow headers, ORed.  Every method when there is
 * none, and (as Kamailio) when one is malformed: a broken Allow is
 * logged and ignored rather than refused.
 */
static unsigned
allow_methods(struct msg *m, const str_t *aor)
{
	int count = sip_header_count(m, &hdr_allow);
	unsigned mask = 0;
	str_t body;

	if (count <= 0)
		return UL_METHODS_ALL;
	for (int i = 0; i < count; i++) {
		if (sip_header(m, &hdr_allow, i, &body) != 1)
			return UL_METHODS_ALL;
		if (reg_methods_parse(&body, &mask) != 0) {
			log_warnx("registrar: REGISTER for %.*s: malformed Allow "
			    "header '%.*s' ignored (every method allowed)",
			    STR_FMT(aor), STR_FMT(&body));
			return UL_METHODS_ALL;
		}
	}
	return mask;
}

/* 1 when a Supported header names the "path" option tag. */
static int
path_supported(struct msg *m)
{
	int count = sip_header_count(m, &hdr_supported);
	str_t body;

	for (int i = 0; i < count; i++)
		if (sip_header(m, &hdr_supported, i, &body) == 1 &&
		    reg_option_tag(&body, "path"))
			return 1;
	return 0;
}

/*
 * The Path vector (RFC 3327 §5.3: every Path value, in order): the
 * bodies of the Path headers joined with ',', as Kamailio stores it.
 * An empty Path header adds nothing.  0, or -1 with e set (400 "Path
 * parse error" for a malformed or too long Path, as Kamailio).
 */
static int
parse_path(struct msg *m, struct reg_req *r, struct reg_err *e)
{
	int count = sip_header_count(m, &hdr_path);
	struct abuf b = { .a = &m->arena };
	char err[REG_ERR_LEN];

	r->path = STR_NULL;
	for (int i = 0; i < count; i++) {
		str_t body;
		int n;

		if (sip_header(m, &hdr_path, i, &body) != 1)
			return bad_request(e, "Path parse error");
		str_trim(&body);
		if (body.len == 0)
			continue;
		if (reg_path_parse(&body, &n, NULL, err, sizeof(err)) != 0) {
			log_warnx("registrar: REGISTER for %.*s: Path '%.*s': %s",
			    STR_FMT(&r->aor), STR_FMT(&body), err);
			return bad_request(e, "Path parse error");
		}
		if (b.len > 0)
			abuf_putcs(&b, ",");
		abuf_puts(&b, &body);
	}
	if (b.failed)
		return fail(e, 500, "Server Internal Error", "Out of memory");
	if (b.len > REG_MAX_PATH) {
		log_warnx("registrar: REGISTER for %.*s: the Path values are "
		    "%zu bytes, more than %d", STR_FMT(&r->aor), b.len,
		    REG_MAX_PATH);
		return bad_request(e, "Path parse error");
	}
	if (b.len > 0)
		r->path = str_make(b.p, b.len);
	r->path_supported = path_supported(m);
	/* RFC 3327 §5.3 and Kamailio's path_mode 2: a UA that does not
	 * know Path would not expect the 200 to carry it */
	if (r->path.len > 0 && !r->path_supported &&
	    reg_cfg()->path_mode == REG_PATH_STRICT) {
		log_info("registrar: REGISTER for %.*s with Path but without "
		    "Supported: path refused (path_mode 2)", STR_FMT(&r->aor));
		fail(e, 420, "Bad Extension",
		    "No support for found Path indicated");
		e->path = r->path;
		return -1;
	}
	return 0;
}

/* What a REGISTER that binds contacts adds: Allow, Path.  0 or -1. */
static int
parse_extensions(struct msg *m, struct reg_req *r, struct reg_err *e)
{
	if (r->n == 0)
		return 0;
	r->methods = allow_methods(m, &r->aor);
	return reg_cfg()->use_path ? parse_path(m, r, e) : 0;
}

static int
parse_request(struct msg *m, const str_t *uri, struct reg_req *r,
    struct reg_err *e)
{
	str_t to, ex;
	int rc;

	if (uri == NULL) {
		if (sip_to_uri(m, &to) != 0)
			return bad_request(e, "To header not found");
		uri = &to;
	}
	if (reg_aor_of(m, uri, &r->aor) != 0)
		return bad_request(e, "Error while parsing AOR");
	if (sip_call_id(m, &r->callid) != 0 || r->callid.len == 0)
		return bad_request(e, "Message parse error");
	if (parse_cseq(m, &r->cseq) != 0)
		return bad_request(e, "Invalid CSeq number");
	r->hdr_expires = REG_NO_EXP;
	rc = sip_header(m, &hdr_expires, 0, &ex);
	if (rc == 1 && reg_parse_expires(&ex, &r->hdr_expires) != 0)
		return bad_request(e, "Expires parse error");
	if (parse_contacts(m, r, e) != 0)
		return -1;
	return parse_extensions(m, r, e);
}

/* --- one binding ------------------------------------------------------ */

/*
 * The lifetime of contact c in seconds (0: remove), bounded as Kamailio
 * does.  -1 with e set (423) when it is too brief and min_expires_mode
 * asks to refuse instead of raising it.
 */
static long long
contact_expires(const struct reg_req *r, const struct reg_contact *c,
    struct reg_err *e)
{
	const struct reg_cfg *cf = reg_cfg();
	long long x = c->expires != REG_NO_EXP ? c->expires :
	    r->hdr_expires != REG_NO_EXP ? r->hdr_expires :
	    cf->default_expires;

	if (x == 0)
		return 0;
	if (cf->min_expires > 0 && x < cf->min_expires) {
		if (cf->min_expires_mode) {
			fail(e, 423, "Interval Too Brief", "Interval too brief");
			e->min_expires = cf->min_expires;
			return -1;
		}
		x = cf->min_expires;
	}
	if (cf->max_expires > 0 && x > cf->max_expires)
		x = cf->max_expires;
	return x;
}

/* "ip" with brackets for IPv6, as a URI host. */
static void
src_host(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	sock_ip_text(ss, ip, sizeof(ip));
	snprintf(buf, len, ss->ss_family == AF_INET6 ? "[%s]" : "%s", ip);
}

/*
 * Where requests for the contact must really go when it is not where
 * the contact says (NAT) or when the REGISTER came over a connection:
 * "sip:src-ip:src-port[;transport=tcp]" in m's arena, else empty.
 */
static int
contact_received(struct msg *m, const str_t *contact, str_t *out)
{
	char host[INET6_ADDRSTRLEN + 2], buf[128];
	int port = sock_port(&m->rcv.src), cport;
	enum proto p = m->rcv.proto;
	struct reg_uri u;
	str_t h;
	int n;

	*out = STR_NULL;
	if (m->rcv.src.ss_family != AF_INET && m->rcv.src.ss_family != AF_INET6)
		return 0;
	src_host(&m->rcv.src, host, sizeof(host));
	h = str_cstr(host);
	if (p == PROTO_UDP && reg_parse_uri(contact, &u) == 0) {
		cport = u.port ? u.port :
		    str_caseeq_cstr(&u.scheme, "sips") ? 5061 : 5060;
		if (cport == port && str_casecmp_eq(&u.host, &h))
			return 0;
	}
	n = snprintf(buf, sizeof(buf), "sip:%s:%d%s%s", host, port,
	    p == PROTO_UDP ? "" : ";transport=", p == PROTO_UDP ? "" :
	    proto_name(p));
	h = str_make(buf, (size_t)n);
	return arena_str_dup(&m->arena, &h, out);
}

static int
build_changes(struct msg *m, const struct reg_req *r, struct ul_change *ch,
    struct reg_err *e)
{
	const struct reg_cfg *cf = reg_cfg();
	struct sock_info *si = listen_at(m->rcv.sock);
	long long now = (long long)time(NULL);
	str_t ua = STR_NULL;

	if (sip_user_agent(m, &ua) != 0)
		ua = STR_NULL;
	for (int i = 0; i < r->n; i++) {
		struct ul_contact_info *ci = &ch[i].info;
		long long x = contact_expires(r, &r->c[i], e);

		if (x < 0)
			return -1;
		memset(&ch[i], 0, sizeof(ch[i]));
		ch[i].remove = x == 0;
		ci->c = r->c[i].uri;
		ci->expires = now + x;
		ci->q = r->c[i].q != REG_NO_Q ? r->c[i].q : cf->default_q;
		ci->callid = r->callid;
		ci->cseq = r->cseq;
		ci->user_agent = ua;
		ci->instance = r->c[i].instance;
		ci->path = r->path;
		ci->methods = r->methods;
		/* RFC 3840's methods feature tag speaks for this contact
		 * only and wins over Allow, as in Kamailio */
		if (r->c[i].has_methods) {
			ci->methods = 0;
			if (reg_methods_parse(&r->c[i].methods,
			    &ci->methods) != 0) {
				log_warnx("registrar: REGISTER for %.*s: bad "
				    "methods parameter '%.*s' in contact %.*s",
				    STR_FMT(&r->aor),
				    STR_FMT(&r->c[i].methods),
				    STR_FMT(&ci->c));
				return bad_request(e, "Message parse error");
			}
		}
		ci->reg_id = r->c[i].reg_id;
		ci->proto = (int)m->rcv.proto;
		ci->conn_id = m->rcv.conn_id;
		ci->sock = si ? str_cstr(si->text) : STR_NULL;
		/* with a Path the REGISTER came from the last proxy, not
		 * the UA: NAT is the edge proxy's business (RFC 3327) */
		if (r->path.len == 0 &&
		    contact_received(m, &ci->c, &ci->received) != 0)
			return fail(e, 500, "Server Internal Error",
			    "Out of memory");
	}
	return 0;
}

/* --- replies -------------------------------------------------------- */

static int
send_reply(struct msg *m, int code, const char *reason, const str_t *hdrs)
{
	str_t rs = str_cstr(reason);

	return reg_cfg()->sl->reply(m, code, &rs, hdrs) == 1 ? 0 : -1;
}

/* a then b, in m's arena.  0 or -1. */
static int
hdrs_cat(struct msg *m, const str_t *a, const str_t *b, str_t *out)
{
	char *p;

	if (a->len == 0 || b->len == 0) {
		*out = a->len ? *a : *b;
		return 0;
	}
	if ((p = arena_alloc(&m->arena, a->len + b->len + 1)) == NULL)
		return -1;
	memcpy(p, a->s, a->len);
	memcpy(p + a->len, b->s, b->len);
	p[a->len + b->len] = '\0';
	*out = str_make(p, a->len + b->len);
	return 0;
}

static void
reply_error(struct msg *m, const struct reg_err *e, unsigned flags)
{
	str_t hdrs, path;

	if (flags & REG_SAVE_NOREPLY)
		return;
	/* the 420 of path_mode 2 names the extension and the Path */
	if (reg_reply_path_hdrs(&e->path, 1, &m->arena, &path) != 0 ||
	    reg_reply_error_hdrs(e->info, e->min_expires, e->retry_after,
	    &m->arena, &hdrs) != 0 || hdrs_cat(m, &path, &hdrs, &hdrs) != 0)
		hdrs = STR_NULL;
	send_reply(m, e->code, e->reason, &hdrs);
}

/* The Path the 200 OK repeats (RFC 3327 §5.3), per path_mode. */
static str_t
path_echo(const struct reg_req *r)
{
	int mode = reg_cfg()->path_mode;

	if (mode == REG_PATH_OFF || (mode == REG_PATH_LAZY &&
	    !r->path_supported))
		return STR_NULL;
	return r->path;
}

static int
reply_ok(struct msg *m, const struct reg_req *r,
    const struct ul_contacts *cs, unsigned flags)
{
	str_t hdrs, path, echo = path_echo(r);

	if (flags & REG_SAVE_NOREPLY)
		return 0;
	if (reg_reply_contacts(cs, (long long)time(NULL), &m->arena,
	    &hdrs) != 0 || reg_reply_path_hdrs(&echo, 0, &m->arena,
	    &path) != 0 || hdrs_cat(m, &hdrs, &path, &hdrs) != 0) {
		log_errx("registrar: no memory for the 200 OK's Contact list");
		return -1;
	}
	return send_reply(m, 200, "OK", &hdrs);
}

/* --- save() ----------------------------------------------------------- */

/* Applies the parsed request; REG_RC_* or -1 with e set. */
static int
apply(struct msg *m, struct ul_domain *d, const struct reg_req *r,
    unsigned flags, struct ul_contacts *cs, struct reg_err *e)
{
	const struct reg_cfg *cf = reg_cfg();
	struct ul_update_opts o = {
		.max_contacts = cf->max_contacts,
		.replace_all = (flags & REG_SAVE_REPLACE) != 0,
	};
	struct ul_change *ch = NULL;
	int inserted = 0, removed = 0;
	struct ul_contacts old = { 0 };
	enum ul_rc rc;

	if (r->star) {
		cf->ul->delete_aor(d, &r->aor);
		cs->n = 0;
		return REG_RC_DELETED;
	}
	if (r->n == 0)
		return cf->ul->lookup(d, &r->aor, &m->arena, cs) < 0 ?
		    fail(e, 500, "Server Internal Error", "Out of memory") :
		    REG_RC_QUERY;
	if ((ch = arena_alloc(&m->arena, sizeof(*ch) * (size_t)r->n)) == NULL)
		return fail(e, 500, "Server Internal Error", "Out of memory");
	if (build_changes(m, r, ch, e) != 0)
		return -1;
	if (cf->ul->lookup(d, &r->aor, &m->arena, &old) < 0)
		old.n = 0;
	rc = cf->ul->update(d, &r->aor, ch, r->n, &o, &m->arena, cs);
	switch (rc) {
	case UL_OK:
		break;
	case UL_BAD_CSEQ:
		log_warnx("registrar: REGISTER for %.*s: CSeq %d is not newer "
		    "than the binding's (Call-ID %.*s)", STR_FMT(&r->aor),
		    r->cseq, STR_FMT(&r->callid));
		return bad_request(e, "Invalid CSeq number");
	case UL_TOO_MANY:
		log_warnx("registrar: REGISTER for %.*s: more than %d contacts",
		    STR_FMT(&r->aor), cf->max_contacts);
		fail(e, 503, "Service Unavailable",
		    "Too many registered contacts");
		e->retry_after = cf->retry_after;
		return -1;
	default:
		return fail(e, 500, "Server Internal Error", "Out of memory");
	}
	for (int i = 0; i < r->n; i++) {
		int known = 0;

		for (int j = 0; j < old.n && !known; j++)
			known = str_eq(&old.v[j].c, &ch[i].info.c);
		removed += ch[i].remove;
		inserted |= !ch[i].remove && !known;
	}
	if (inserted)
		return REG_RC_INSERTED;
	return removed == r->n ? REG_RC_DELETED : REG_RC_UPDATED;
}

int
reg_save(struct msg *m, struct ul_domain *d, unsigned flags, const str_t *uri)
{
	struct ul_contacts cs = { 0 };
	struct reg_err e = { 0 };
	struct reg_req *r;
	str_t meth;
	int rc;

	if (m->kind == MSG_SIP_REQUEST && sip_parse(m) != 0) {
		/* libosip2 refuses the whole message (a broken Contact, say) */
		fail(&e, 400, "Bad Request", "Message parse error");
		goto error;
	}
	if (m->kind != MSG_SIP_REQUEST || sip_method(m, &meth) != 0 ||
	    !str_caseeq_cstr(&meth, "REGISTER")) {
		log_errx("registrar: save() works on REGISTER requests only");
		return -1;
	}
	if (sip_header_count(m, &STR_LIT("Via")) <= 0) {
		/* nothing can answer it (Kamailio drops such a request before
		 * the routes); a binding from it would be one its sender never
		 * learns about */
		log_errx("registrar: REGISTER without a Via header ignored");
		return -1;
	}
	if ((r = arena_alloc(&m->arena, sizeof(*r))) == NULL) {
		fail(&e, 500, "Server Internal Error", "Out of memory");
		goto error;
	}
	memset(r, 0, sizeof(*r));
	if (parse_request(m, uri, r, &e) != 0)
		goto error;
	if ((rc = apply(m, d, r, flags, &cs, &e)) < 0)
		goto error;
	if (reply_ok(m, r, &cs, flags) != 0)
		return -1;
	return rc;

error:
	if (e.code == 400)
		log_info("registrar: REGISTER refused: 400 %s", e.info);
	reply_error(m, &e, flags);
	return -1;
}
