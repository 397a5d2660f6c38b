/*
 * auth.c - the auth module's exports: parameters, script functions and
 * the init that makes the secret and the nonce table before fork.
 * Digest verification is in auth_api.c, the pure parts in
 * auth_digest.c, auth_hdr.c, auth_nonce.c and auth_challenge.c; the
 * challenge replies go out through the sl module's API.  See README.md.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "auth.h"

#define AUTH_DEFAULT_ORDER 16

static struct auth_state st = {
	.nonce_expire = 300,
	.max_drift = 3,
	.qop = AUTH_QOP_NONE,
	.alg = AUTH_ALG_MD5,
	.ext_slot = -1,
};
static char *secret_param;      /* NULL: random per start */

/* --- parameters --------------------------------------------------------- */

static int
set_secret(const struct val *v, struct cfg_diag *d)
{
	if (v->s.len > AUTH_SECRET_MAX) {
		diag_error(d, "auth: secret is longer than %d bytes",
		    AUTH_SECRET_MAX);
		return -1;
	}
	free(secret_param);
	secret_param = v->s.len ? strndup(v->s.s, v->s.len) : NULL;
	return 0;
}

static int
set_qop(const struct val *v, struct cfg_diag *d)
{
	if (v->s.len == 0)
		st.qop = AUTH_QOP_NONE;
	else if (str_caseeq_cstr(&v->s, "auth"))
		st.qop = AUTH_QOP_AUTH;
	else if (str_caseeq_cstr(&v->s, "auth-int"))
		st.qop = AUTH_QOP_AUTH_INT;
	else {
		diag_error(d, "auth: qop must be \"\", \"auth\" or "
		    "\"auth-int\", not \"%.*s\"", STR_FMT(&v->s));
		return -1;
	}
	return 0;
}

static int
set_algorithm(const struct val *v, struct cfg_diag *d)
{
	enum auth_alg a;

	if (v->s.len == 0) {
		st.alg = AUTH_ALG_MD5;
		st.alg_named = 0;
		return 0;
	}
	if (auth_alg_parse(&v->s, &a) != 0 || auth_alg_base(a) != a) {
		diag_error(d, "auth: algorithm must be \"MD5\" or \"SHA-256\", "
		    "not \"%.*s\"", STR_FMT(&v->s));
		return -1;
	}
	st.alg = a;
	st.alg_named = 1;
	return 0;
}

static int
set_realm_prefix(const struct val *v, struct cfg_diag *d)
{
	(void)d;
	free(st.realm_prefix);
	st.realm_prefix = v->s.len ? strndup(v->s.s, v->s.len) : NULL;
	return 0;
}

/* An integer parameter within [lo, hi] into *dst.  0 or -1. */
static int
int_in(const struct val *v, struct cfg_diag *d, const char *name,
    long long lo, long long hi, int *dst)
{
	if (v->n < lo || v->n > hi) {
		diag_error(d, "auth: %s must be in %lld..%lld, not %lld", name,
		    lo, hi, v->n);
		return -1;
	}
	*dst = (int)v->n;
	return 0;
}

static int
set_expire(const struct val *v, struct cfg_diag *d)
{
	return int_in(v, d, "nonce_expire", 1, INT_MAX, &st.nonce_expire);
}

static int
set_drift(const struct val *v, struct cfg_diag *d)
{
	return int_in(v, d, "nonce_auth_max_drift", 0, INT_MAX, &st.max_drift);
}

static int
set_nonce_count(const struct val *v, struct cfg_diag *d)
{
	return int_in(v, d, "nonce_count", 0, 1, &st.nonce_count);
}

static int
set_otn(const struct val *v, struct cfg_diag *d)
{
	return int_in(v, d, "one_time_nonce", 0, 1, &st.one_time_nonce);
}

static int
set_use_domain(const struct val *v, struct cfg_diag *d)
{
	return int_in(v, d, "use_domain", 0, 1, &st.use_domain);
}

/* Kamailio's knobs that Tandem accepts for compatibility (README). */
static int
set_accepted(const struct val *v, struct cfg_diag *d)
{
	int dummy;

	return int_in(v, d, "this parameter", 0, 64, &dummy);
}

static int
set_authinfo(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0) {
		diag_error(d, "auth: add_authinfo_hdr is not supported: Tandem "
		    "cannot add headers to replies sent by other modules");
		return -1;
	}
	return 0;
}

static int
set_checks(const struct val *v, struct cfg_diag *d, const char *name,
    unsigned *dst)
{
	int n;

	if (int_in(v, d, name, 0, AUTH_CHK_ALL, &n) != 0)
		return -1;
	*dst = (unsigned)n;
	return 0;
}

static int
set_chk_register(const struct val *v, struct cfg_diag *d)
{
	return set_checks(v, d, "auth_checks_register", &st.chk_register);
}

static int
set_chk_no_dlg(const struct val *v, struct cfg_diag *d)
{
	return set_checks(v, d, "auth_checks_no_dlg", &st.chk_no_dlg);
}

static int
set_chk_in_dlg(const struct val *v, struct cfg_diag *d)
{
	return set_checks(v, d, "auth_checks_in_dlg", &st.chk_in_dlg);
}

/* size: rounded down to a power of two (Kamailio does the same). */
static int
set_size(const struct val *v, struct cfg_diag *d, const char *name,
    unsigned *order)
{
	unsigned o = 0;

	if (v->n < 16 || v->n > (1 << 24)) {
		diag_error(d, "auth: %s must be in 16..16777216, not %lld",
		    name, v->n);
		return -1;
	}
	while ((1LL << (o + 1)) <= v->n)
		o++;
	*order = o;
	return 0;
}

static int
set_order(const struct val *v, struct cfg_diag *d, const char *name,
    unsigned *order)
{
	int n;

	if (int_in(v, d, name, 4, 24, &n) != 0)
		return -1;
	*order = (unsigned)n;
	return 0;
}

static int
set_nc_size(const struct val *v, struct cfg_diag *d)
{
	return set_size(v, d, "nc_array_size", &st.nc_order);
}

static int
set_nc_order(const struct val *v, struct cfg_diag *d)
{
	return set_order(v, d, "nc_array_order", &st.nc_order);
}

static int
set_otn_size(const struct val *v, struct cfg_diag *d)
{
	return set_size(v, d, "otn_in_flight_no", &st.otn_order);
}

static int
set_otn_order(const struct val *v, struct cfg_diag *d)
{
	return set_order(v, d, "otn_in_flight_order", &st.otn_order);
}

static const struct param_export auth_params[] = {
	{ .name = "secret", .type = PARAM_STR, .set = set_secret },
	{ .name = "nonce_expire", .type = PARAM_INT, .set = set_expire },
	{ .name = "nonce_auth_max_drift", .type = PARAM_INT, .set = set_drift },
	{ .name = "nonce_count", .type = PARAM_INT, .set = set_nonce_count },
	{ .name = "one_time_nonce", .type = PARAM_INT, .set = set_otn },
	{ .name = "qop", .type = PARAM_STR, .set = set_qop },
	{ .name = "algorithm", .type = PARAM_STR, .set = set_algorithm },
	{ .name = "nc_array_size", .type = PARAM_INT, .set = set_nc_size },
	{ .name = "nc_array_order", .type = PARAM_INT, .set = set_nc_order },
	{ .name = "otn_in_flight_no", .type = PARAM_INT, .set = set_otn_size },
	{ .name = "otn_in_flight_order", .type = PARAM_INT,
	  .set = set_otn_order },
	{ .name = "nid_pool_no", .type = PARAM_INT, .set = set_accepted },
	{ .name = "auth_checks_register", .type = PARAM_INT,
	  .set = set_chk_register },
	{ .name = "auth_checks_no_dlg", .type = PARAM_INT,
	  .set = set_chk_no_dlg },
	{ .name = "auth_checks_in_dlg", .type = PARAM_INT,
	  .set = set_chk_in_dlg },
	{ .name = "force_stateless_reply", .type = PARAM_INT,
	  .set = set_accepted },
	{ .name = "realm_prefix", .type = PARAM_STR, .set = set_realm_prefix },
	{ .name = "use_domain", .type = PARAM_INT, .set = set_use_domain },
	{ .name = "add_authinfo_hdr", .type = PARAM_INT, .set = set_authinfo },
	{ .name = NULL },
};


/* --- helpers for the functions ------------------------------------------- */

static int
get_str(struct msg *m, const void *a, const char *fn, const char *what,
    str_t *out)
{
	if (arg_str(m, a, out) == -1) {
		log_errx("%s(): cannot evaluate the %s", fn, what);
		return -1;
	}
	return 0;
}

static int
get_int(struct msg *m, const void *a, const char *fn, const char *what,
    long long *out)
{
	if (arg_int(m, a, out) == -1) {
		log_errx("%s(): the %s is not a number", fn, what);
		return -1;
	}
	return 0;
}

static int
get_realm(struct msg *m, const void *a, const char *fn, str_t *out)
{
	if (get_str(m, a, fn, "realm", out) != 0)
		return -1;
	if (out->len == 0) {
		log_errx("%s(): the realm is empty", fn);
		return -1;
	}
	return 0;
}

/* ACK and CANCEL cannot be challenged: Kamailio lets them through. */
static int
unchallengeable(struct msg *m)
{
	str_t meth;

	return m->kind == MSG_SIP_REQUEST && sip_method(m, &meth) == 0 &&
	    (str_caseeq_cstr(&meth, "ACK") || str_caseeq_cstr(&meth, "CANCEL"));
}

static int
is_register(struct msg *m)
{
	str_t meth;

	return m->kind == MSG_SIP_REQUEST && sip_method(m, &meth) == 0 &&
	    str_caseeq_cstr(&meth, "REGISTER");
}

/* qop for challenge flags 1 (the qop parameter, default auth) and 2. */
static enum auth_qop
chal_qop(long long flags)
{
	if (flags & AUTH_CF_QOP_AUTH_INT)
		return AUTH_QOP_AUTH_INT;
	if (flags & AUTH_CF_QOP_AUTH)
		return st.qop != AUTH_QOP_NONE ? st.qop : AUTH_QOP_AUTH;
	return AUTH_QOP_NONE;
}

/* pv_*_authenticate flags 2/4/8: the challenge goes to an AVP. */
static void
store_challenge(struct msg *m, const str_t *realm, long long flags,
    int proxy)
{
	enum auth_qop qop = (flags & AUTH_VF_CHAL_AUTHINT) ? AUTH_QOP_AUTH_INT :
	    (flags & AUTH_VF_CHAL_AUTH) ? AUTH_QOP_AUTH : AUTH_QOP_NONE;
	struct val v;
	str_t hdr;

	if (st.challenge_avp == NULL) {
		if (!st.avp_warned)
			log_errx("auth: challenge flags need $avp(digest_"
			    "challenge): load the pv module before auth");
		st.avp_warned = 1;
		return;
	}
	if (auth_build_challenge(&st, m, realm, qop,
	    (flags & AUTH_VF_CHAL_STALE) != 0, proxy, &hdr) != 0)
		return;
	val_set_str(&v, hdr);
	if (pv_set(m, st.challenge_avp, &v) != 0)
		log_errx("auth: cannot set $avp(digest_challenge)");
}

static int
authenticate(struct msg *m, void *const *args, const char *fn, int proxy,
    struct auth_cred *cred)
{
	str_t realm, passwd, method = STR_NULL;
	long long flags;
	int rc;

	if (get_realm(m, args[0], fn, &realm) != 0 ||
	    get_str(m, args[1], fn, "password", &passwd) != 0 ||
	    get_int(m, args[2], fn, "flags", &flags) != 0 ||
	    (args[3] != NULL && get_str(m, args[3], fn, "method",
	    &method) != 0))
		return AUTH_ERROR;
	if (unchallengeable(m))
		return AUTH_OK;
	rc = auth_verify(&st, m, &realm, &passwd, (unsigned)flags, &method,
	    proxy, cred);
	if (rc < 0 && (flags & (AUTH_VF_CHAL_NOQOP | AUTH_VF_CHAL_AUTH |
	    AUTH_VF_CHAL_AUTHINT)))
		store_challenge(m, &realm, flags, proxy);
	return rc;
}

/* --- script functions --------------------------------------------------- */

static int
w_pv_www_authenticate(struct msg *m, void *const *args)
{
	return authenticate(m, args, "pv_www_authenticate", 0, NULL);
}

static int
w_pv_proxy_authenticate(struct msg *m, void *const *args)
{
	return authenticate(m, args, "pv_proxy_authenticate", 1, NULL);
}

/* The credentials' user against the To (REGISTER) or From URI. */
static int
user_matches(struct msg *m, const struct auth_cred *c, int proxy)
{
	str_t uri, user, host;

	if ((proxy ? sip_from_uri(m, &uri) : sip_to_uri(m, &uri)) != 0 ||
	    sip_uri_user(m, &uri, &user) != 0)
		return 0;
	if (!str_eq(&user, &c->v[AUTH_P_USERNAME]))
		return 0;
	if (!st.use_domain)
		return 1;
	return sip_uri_host(m, &uri, &host) == 0 &&
	    str_casecmp_eq(&host, &c->v[AUTH_P_REALM]);
}

static int
w_pv_auth_check(struct msg *m, void *const *args)
{
	void *const a3[4] = { args[0], args[1], args[2], NULL };
	struct auth_cred c;
	long long checks;
	int proxy = !is_register(m);
	int rc;

	if (get_int(m, args[3], "pv_auth_check", "checks", &checks) != 0)
		return AUTH_ERROR;
	memset(&c, 0, sizeof(c));
	rc = authenticate(m, a3, "pv_auth_check", proxy, &c);
	if (rc != AUTH_OK || !(checks & 1) || c.v[AUTH_P_USERNAME].s == NULL)
		return rc;
	return user_matches(m, &c, proxy) ? AUTH_OK : AUTH_USER_MISMATCH;
}

/* The reply goes through sl, so it looks like sl_send_reply()'s. */
static int
send_reply(struct msg *m, int code, const char *reason, const str_t *hdrs)
{
	str_t r = str_cstr(reason);

	if (st.sl == NULL && (st.sl = mod_api_get("sl", SL_API_VERSION)) ==
	    NULL) {
		log_errx("auth: the challenge functions need the sl module");
		return -1;
	}
	return st.sl->reply(m, code, &r, hdrs) == 1 ? 0 : -1;
}

/* Sends the 401/407; on failure a 500 unless flags has 4. */
static int
challenge(struct msg *m, void *const *args, const char *fn, int proxy)
{
	long long flags = 0;
	str_t realm, hdr;
	int ok;

	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("%s(): a challenge answers SIP requests only (for "
		    "MSRP use auth_get_www_authenticate() and msrp_reply())",
		    fn);
		return -1;
	}
	if (unchallengeable(m)) {
		log_errx("%s(): an ACK or CANCEL cannot be challenged", fn);
		return -1;
	}
	if (proxy < 0)
		proxy = !is_register(m);
	ok = get_int(m, args[1], fn, "flags", &flags) == 0 &&
	    get_realm(m, args[0], fn, &realm) == 0 &&
	    auth_build_challenge(&st, m, &realm, chal_qop(flags),
	    (flags & AUTH_CF_STALE) != 0, proxy, &hdr) == 0 &&
	    send_reply(m, proxy ? 407 : 401, proxy ?
	    "Proxy Authentication Required" : "Unauthorized", &hdr) == 0;
	if (ok)
		return 1;
	if (!(flags & AUTH_CF_NO_500))
		send_reply(m, 500, "Internal Server Error", NULL);
	return -1;
}

/* Config time: the challenge functions reply through sl. */
static int
fix_need_sl(void **arg, struct cfg_diag *d)
{
	(void)arg;
	if (mod_api_get("sl", SL_API_VERSION) == NULL) {
		diag_error(d, "auth: the challenge functions send their reply "
		    "through the sl module: loadmodule \"sl.so\" first");
		return -1;
	}
	return 0;
}

static int
w_www_challenge(struct msg *m, void *const *args)
{
	return challenge(m, args, "www_challenge", 0);
}

static int
w_proxy_challenge(struct msg *m, void *const *args)
{
	return challenge(m, args, "proxy_challenge", 1);
}

static int
w_auth_challenge(struct msg *m, void *const *args)
{
	return challenge(m, args, "auth_challenge", -1);
}

static int
w_auth_get_www_authenticate(struct msg *m, void *const *args)
{
	const char *fn = "auth_get_www_authenticate";
	long long flags;
	str_t realm, hdr;
	struct val v;

	if (get_realm(m, args[0], fn, &realm) != 0 ||
	    get_int(m, args[1], fn, "flags", &flags) != 0 ||
	    auth_build_challenge(&st, m, &realm, chal_qop(flags),
	    (flags & AUTH_CF_STALE) != 0, 0, &hdr) != 0)
		return -1;
	val_set_str(&v, hdr);
	if (pv_set(m, arg_pv(args[2]), &v) != 0) {
		log_errx("%s(): cannot set the destination", fn);
		return -1;
	}
	return 1;
}

static int
w_consume_credentials(struct msg *m, void *const *args)
{
	struct auth_msg *am = auth_msg_get(&st, m, 0);

	(void)args;
	if (am == NULL || !am->authorized || am->consumed) {
		log_errx("consume_credentials(): no authorized credentials "
		    "found (error in the script)");
		return -1;
	}
	am->consumed = 1;
	return 1;
}

static int
w_has_credentials(struct msg *m, void *const *args)
{
	str_t realm;

	if (get_realm(m, args[0], "has_credentials", &realm) != 0)
		return -1;
	return auth_has_credentials(&st, m, &realm);
}

#define A_STR   { .flags = ARG_STR }
#define A_INT   { .flags = ARG_INT }
#define A_STR_SL { .flags = ARG_STR, .fixup = fix_need_sl }
#define RT_AUTH (RT_REQUEST | RT_EVENT)

static const struct cmd_export auth_cmds[] = {
	{ .name = "pv_www_authenticate", .fn = w_pv_www_authenticate,
	  .routes = RT_AUTH,
	  .args = { A_STR, A_STR, A_INT, { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "pv_proxy_authenticate", .fn = w_pv_proxy_authenticate,
	  .routes = RT_AUTH,
	  .args = { A_STR, A_STR, A_INT, { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "pv_auth_check", .fn = w_pv_auth_check, .routes = RT_AUTH,
	  .args = { A_STR, A_STR, A_INT, A_INT } },
	{ .name = "www_challenge", .fn = w_www_challenge, .routes = RT_REQUEST,
	  .args = { A_STR_SL, A_INT } },
	{ .name = "proxy_challenge", .fn = w_proxy_challenge,
	  .routes = RT_REQUEST, .args = { A_STR_SL, A_INT } },
	{ .name = "auth_challenge", .fn = w_auth_challenge,
	  .routes = RT_REQUEST, .args = { A_STR_SL, A_INT } },
	{ .name = "auth_get_www_authenticate",
	  .fn = w_auth_get_www_authenticate, .routes = RT_ANY,
	  .args = { A_STR, A_INT, { .flags = ARG_PV } } },
	{ .name = "consume_credentials", .fn = w_consume_credentials,
	  .routes = RT_AUTH },
	{ .name = "has_credentials", .fn = w_has_credentials,
	  .routes = RT_AUTH, .args = { A_STR } },
	{ .name = NULL },
};

/* --- init and destroy --------------------------------------------------- */

/* $avp(digest_challenge), when a module provides $avp. */
static void
find_challenge_avp(void)
{
	static const char ref[] = "$avp(digest_challenge)";
	struct cfg_pos none = { 0, 0, 0 };
	struct cfg_diag d;
	size_t used = 0;

	if (pv_lookup(&STR_LIT("avp"), NULL) == NULL)
		return;
	diag_init(&d, NULL);
	if (pv_parse_ref(ref, sizeof(ref) - 1, &used, &st.challenge_avp, &d,
	    none) != 0 || used != sizeof(ref) - 1 ||
	    !pv_is_writable(st.challenge_avp)) {
		pv_ref_free(st.challenge_avp);
		st.challenge_avp = NULL;
	}
	diag_free(&d);
}

static unsigned
table_order(void)
{
	unsigned nc = st.nc_order ? st.nc_order : AUTH_DEFAULT_ORDER;
	unsigned otn = st.otn_order ? st.otn_order : AUTH_DEFAULT_ORDER;

	if (!st.nonce_count)
		return otn;
	if (!st.one_time_nonce)
		return nc;
	return nc > otn ? nc : otn;
}

static int
auth_init(void)
{
	if (secret_param != NULL) {
		st.secret.len = strlen(secret_param);
		memcpy(st.secret.key, secret_param, st.secret.len);
	} else {
		/* made before fork: every process shares it */
		st.secret.len = 32;
		if (RAND_bytes(st.secret.key, (int)st.secret.len) != 1) {
			log_errx("auth: no random bytes for the secret");
			return -1;
		}
	}
	if ((st.nonce_count || st.one_time_nonce) &&
	    (st.nc = auth_nc_create(table_order())) == NULL)
		return -1;
	if ((st.ext_slot = msg_ext_register(NULL)) < 0) {
		log_errx("auth: no per-message slot left");
		return -1;
	}
	find_challenge_avp();
	st.sl = mod_api_get("sl", SL_API_VERSION);
	return 0;
}

static void
auth_destroy(void)
{
	auth_nc_destroy(st.nc);
	st.nc = NULL;
	pv_ref_free(st.challenge_avp);
	st.challenge_avp = NULL;
	free(secret_param);
	secret_param = NULL;
	free(st.realm_prefix);
	st.realm_prefix = NULL;
	memset(&st.secret, 0, sizeof(st.secret));
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "auth",
	.version = PACKAGE_VERSION,
	.cmds = auth_cmds,
	.params = auth_params,
	.init = auth_init,
	.destroy = auth_destroy,
};
