/*
 * auth_api.c - digest authentication of one message: finding the
 * credentials, checking the nonce and the response, the replay tables,
 * and building challenges bound to the message.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"

static const str_t hdr_www = STR_LIT("Authorization");
static const str_t hdr_proxy = STR_LIT("Proxy-Authorization");

struct auth_msg *
auth_msg_get(struct auth_state *st, struct msg *m, int create)
{
	struct auth_msg *am;

	if (st->ext_slot < 0)
		return NULL;
	am = m->ext[st->ext_slot];
	if (am != NULL || !create)
		return am;
	/* in the arena: it lives exactly as long as the message */
	if ((am = arena_alloc(&m->arena, sizeof(*am))) == NULL)
		return NULL;
	memset(am, 0, sizeof(*am));
	m->ext[st->ext_slot] = am;
	return am;
}

str_t
auth_realm(const struct auth_state *st, const str_t *realm)
{
	str_t r = *realm;
	size_t n;

	if (st->realm_prefix == NULL)
		return r;
	n = strlen(st->realm_prefix);
	if (n > 0 && r.len > n && strncasecmp(r.s, st->realm_prefix, n) == 0) {
		r.s += n;
		r.len -= n;
	}
	return r;
}

static uint32_t
now32(void)
{
	return (uint32_t)time(NULL);
}

/* --- the message's side ------------------------------------------------ */

/* The method of an MSRP frame: the third word of "MSRP tid METHOD". */
static int
msrp_method(const struct msg *m, str_t *out)
{
	const char *p = m->buf.s, *end = m->buf.s + m->buf.len;
	const char *w;

	for (int word = 0; word < 3; word++) {
		while (p < end && *p == ' ')
			p++;
		w = p;
		while (p < end && *p != ' ' && *p != '\r' && *p != '\n')
			p++;
		if (p == w)
			return -1;
	}
	*out = str_make(w, (size_t)(p - w));
	return 0;
}

static int
msg_method(struct msg *m, const str_t *given, str_t *out)
{
	if (given != NULL && given->len > 0) {
		*out = *given;
		return 0;
	}
	if (m->kind == MSG_MSRP)
		return msrp_method(m, out);
	return sip_method(m, out);
}

/* Which AUTH_CHK_* bits the configuration asks for this message. */
static unsigned
msg_checks(const struct auth_state *st, struct msg *m)
{
	str_t meth, tag;

	if (m->kind != MSG_SIP_REQUEST || sip_method(m, &meth) != 0)
		return 0;
	if (str_caseeq_cstr(&meth, "REGISTER"))
		return st->chk_register;
	return sip_to_tag(m, &tag) == 0 && tag.len > 0 ? st->chk_in_dlg :
	    st->chk_no_dlg;
}

/* The values a nonce may be bound to (empty when unavailable). */
static void
msg_bind(struct msg *m, struct auth_bind *b)
{
	char ip[INET6_ADDRSTRLEN];
	const struct sockaddr_storage *ss = &m->rcv.src;
	const void *a = NULL;

	memset(b, 0, sizeof(*b));
	if (m->kind != MSG_SIP_REQUEST)
		return;
	if (sip_ruri(m, &b->ruri) != 0)
		b->ruri = STR_NULL;
	if (sip_call_id(m, &b->callid) != 0)
		b->callid = STR_NULL;
	if (sip_from_tag(m, &b->fromtag) != 0)
		b->fromtag = STR_NULL;
	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (a != NULL && inet_ntop(ss->ss_family, a, ip, sizeof(ip)) != NULL) {
		str_t t = str_cstr(ip);

		if (arena_str_dup(&m->arena, &t, &b->srcip) != 0)
			b->srcip = STR_NULL;
	}
}

/* --- finding the credentials ---------------------------------------------- */

/*
 * The Digest credentials for realm in header `name`.  1 found, 0 none,
 * -1 when a Digest header is malformed (logged; quiet: skipped) or the
 * message does not parse.
 */
static int
find_cred(struct msg *m, const str_t *name, const str_t *realm,
    struct auth_cred *c, int quiet)
{
	char err[AUTH_HDR_ERR_LEN];
	char *scratch;
	str_t v;
	int n, rc;

	if ((n = sip_header_count(m, name)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (sip_header(m, name, i, &v) != 1)
			return -1;
		if ((scratch = arena_alloc(&m->arena, v.len + 1)) == NULL)
			return -1;
		rc = auth_hdr_parse(v.s, v.len, scratch, c, err);
		if (rc == AUTH_HDR_OTHER_SCHEME)
			continue;
		if (rc == AUTH_HDR_ERROR) {
			if (quiet)
				continue;   /* has_credentials(): skip it */
			log_errx("auth: malformed %.*s header: %s",
			    STR_FMT(name), err);
			return -1;
		}
		if (str_eq(&c->v[AUTH_P_REALM], realm))
			return 1;
	}
	return 0;
}

int
auth_has_credentials(struct auth_state *st, struct msg *m,
    const str_t *realm)
{
	struct auth_cred c;
	str_t r = auth_realm(st, realm);

	if (find_cred(m, &hdr_www, &r, &c, 1) == 1 ||
	    find_cred(m, &hdr_proxy, &r, &c, 1) == 1)
		return 1;
	return -1;
}

/* --- verification --------------------------------------------------------- */

/* The credentials' algorithm, when it is the configured one's family. */
static int
cred_alg(const struct auth_state *st, const struct auth_cred *c,
    enum auth_alg *out)
{
	const str_t *a = &c->v[AUTH_P_ALGORITHM];

	if (a->s == NULL) {
		*out = AUTH_ALG_MD5;    /* RFC 2617: absent means MD5 */
	} else if (auth_alg_parse(a, out) != 0) {
		log_errx("auth: unsupported algorithm '%.*s' in credentials",
		    STR_FMT(a));
		return -1;
	}
	if (auth_alg_base(*out) != st->alg) {
		log_errx("auth: credentials use %s, the server offers %s",
		    auth_alg_name(*out), auth_alg_name(st->alg));
		return -1;
	}
	return 0;
}

static void
mark_stale(struct auth_state *st, struct msg *m)
{
	struct auth_msg *am = auth_msg_get(st, m, 1);

	if (am != NULL)
		am->stale = 1;
}

/* The nonce: BAD -> AUTH_ERROR, too old / rebound -> AUTH_STALE_NONCE. */
static int
check_nonce(struct auth_state *st, struct msg *m, const struct auth_cred *c,
    struct auth_nonce_info *info)
{
	struct auth_bind b;
	unsigned want = msg_checks(st, m);

	msg_bind(m, &b);
	switch (auth_nonce_check(&st->secret, &c->v[AUTH_P_NONCE], now32(),
	    (unsigned)st->nonce_expire, (unsigned)st->max_drift, &b, info)) {
	case AUTH_NONCE_OK:
		break;
	case AUTH_NONCE_STALE:
		mark_stale(st, m);
		return AUTH_STALE_NONCE;
	default:
		log_dbg("auth: nonce '%.*s' is not one of ours",
		    STR_FMT(&c->v[AUTH_P_NONCE]));
		return AUTH_ERROR;
	}
	/* a nonce made before checks or tracking were on is not enough */
	if ((want & ~info->checks) != 0 || (st->nc != NULL && info->nid == 0)) {
		mark_stale(st, m);
		return AUTH_STALE_NONCE;
	}
	return AUTH_OK;
}

/* nonce_count first, one_time_nonce for responses without nc. */
static int
check_replay(struct auth_state *st, struct msg *m, const struct auth_cred *c,
    const struct auth_nonce_info *info)
{
	enum auth_nc_rc rc;

	if (st->nc == NULL)
		return AUTH_OK;
	if (st->nonce_count && c->qop != AUTH_QOP_NONE)
		rc = auth_nc_use(st->nc, info->nid, c->nc);
	else if (st->one_time_nonce)
		rc = auth_otn_use(st->nc, info->nid);
	else
		return AUTH_OK;
	switch (rc) {
	case AUTH_NC_OK:
		return AUTH_OK;
	case AUTH_NC_RANGE:
		if (c->nc == 0) {
			log_errx("auth: nc 00000000 is not a valid count");
			return AUTH_ERROR;
		}
		break;
	case AUTH_NC_REPLAY:
		if (!(st->nonce_count && c->qop != AUTH_QOP_NONE))
			return AUTH_NONCE_REUSED;
		log_info("auth: nc %08x of nonce %.*s replayed", c->nc,
		    STR_FMT(&c->v[AUTH_P_NONCE]));
		break;
	case AUTH_NC_GONE:
		break;
	}
	mark_stale(st, m);
	return AUTH_STALE_NONCE;
}

/* Computes the expected response and compares.  OK / INVALID / ERROR. */
static int
check_response(struct msg *m, const struct auth_cred *c, enum auth_alg alg,
    const str_t *passwd, unsigned flags, const str_t *method)
{
	struct auth_digest_in in = {
		.alg = alg,
		.username = c->v[AUTH_P_USERNAME],
		.realm = c->v[AUTH_P_REALM],
		.secret = *passwd,
		.secret_is_ha1 = (flags & AUTH_VF_HA1) != 0,
		.nonce = c->v[AUTH_P_NONCE],
		.cnonce = c->v[AUTH_P_CNONCE],
		.nc = c->v[AUTH_P_NC],
		.qop = c->qop,
		.uri = c->v[AUTH_P_URI],
		.body = STR_NULL,
	};
	char want[AUTH_HEX_MAX + 1];

	if (msg_method(m, method, &in.method) != 0) {
		log_errx("auth: the message has no method to authenticate");
		return AUTH_ERROR;
	}
	if (c->qop == AUTH_QOP_AUTH_INT && sip_body(m, &in.body) != 0)
		in.body = STR_NULL;
	if (auth_digest_response(&in, want) != 0) {
		log_errx("auth: cannot compute the %s response%s",
		    auth_alg_name(alg), in.secret_is_ha1 ?
		    " (is the password an HA1 of that algorithm?)" : "");
		return AUTH_ERROR;
	}
	return auth_digest_equal(&c->v[AUTH_P_RESPONSE], want) ? AUTH_OK :
	    AUTH_INVALID_PASSWORD;
}

int
auth_verify(struct auth_state *st, struct msg *m, const str_t *realm,
    const str_t *passwd, unsigned flags, const str_t *method, int proxy,
    struct auth_cred *cred)
{
	struct auth_cred c;
	struct auth_nonce_info info;
	struct auth_msg *am;
	enum auth_alg alg;
	str_t r = auth_realm(st, realm);
	const str_t *uh;
	int rc;

	rc = find_cred(m, proxy ? &hdr_proxy : &hdr_www, &r, &c, 0);
	if (rc <= 0)
		return rc == 0 ? AUTH_NO_CREDENTIALS : AUTH_ERROR;
	if (cred_alg(st, &c, &alg) != 0)
		return AUTH_ERROR;
	uh = &c.v[AUTH_P_USERHASH];
	if (uh->s != NULL && !str_caseeq_cstr(uh, "false")) {
		log_errx("auth: userhash credentials are not supported");
		return AUTH_ERROR;
	}
	if ((rc = check_nonce(st, m, &c, &info)) != AUTH_OK)
		return rc;
	rc = check_response(m, &c, alg, passwd, flags, method);
	if (rc != AUTH_OK)
		return rc;
	/* only a correct response consumes an nc: guesses cannot burn them */
	if ((rc = check_replay(st, m, &c, &info)) != AUTH_OK)
		return rc;
	if ((am = auth_msg_get(st, m, 1)) != NULL) {
		am->authorized = 1;
		am->proxy = proxy;
	}
	if (cred != NULL)
		*cred = c;
	return AUTH_OK;
}

/* --- challenges ----------------------------------------------------------- */

int
auth_build_challenge(struct auth_state *st, struct msg *m,
    const str_t *realm, enum auth_qop qop, int stale, int proxy, str_t *out)
{
	char nonce[AUTH_NONCE_TEXT_MAX + 1];
	struct auth_chal ch;
	struct auth_bind b;
	struct auth_msg *am = auth_msg_get(st, m, 0);
	unsigned checks = msg_checks(st, m);
	uint32_t nid = st->nc != NULL ? auth_nc_new(st->nc) : 0;
	size_t cap;
	char *buf;
	int n;

	msg_bind(m, &b);
	if (auth_nonce_make(&st->secret, now32(), nid, checks, &b, nonce) < 0) {
		log_errx("auth: cannot compute a nonce");
		return -1;
	}
	ch.proxy = proxy;
	ch.realm = auth_realm(st, realm);
	ch.nonce = nonce;
	ch.qop = qop;
	ch.stale = stale || (am != NULL && am->stale);
	ch.algorithm = st->alg_named ? auth_alg_name(st->alg) : NULL;
	cap = ch.realm.len * 2 + sizeof(nonce) + 128;
	if ((buf = arena_alloc(&m->arena, cap)) == NULL)
		return -1;
	if ((n = auth_challenge_format(&ch, buf, cap)) < 0) {
		log_errx("auth: realm '%.*s' cannot be put in a challenge",
		    STR_FMT(&ch.realm));
		return -1;
	}
	*out = str_make(buf, (size_t)n);
	return 0;
}
