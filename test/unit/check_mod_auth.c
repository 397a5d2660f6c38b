/*
 * check_mod_auth.c - the auth module's pure parts: the Digest arithmetic
 * against the RFC 2617 and RFC 7616 examples, the credentials parser
 * (valid forms and one case per error class), nonces (make, verify,
 * expire, drift, tamper, bind) and the nc / one-time-nonce table in
 * shared memory, across processes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/shm.h"
#include "modules/auth/auth_challenge.h"
#include "modules/auth/auth_digest.h"
#include "modules/auth/auth_hdr.h"
#include "modules/auth/auth_nonce.h"
#include "tcheck.h"

/* --- digest arithmetic ---------------------------------------------------- */

static struct auth_digest_in
mufasa(enum auth_alg alg, const char *realm, const char *pw,
    const char *nonce, const char *cnonce)
{
	struct auth_digest_in in = {
		.alg = alg,
		.username = STR_LIT("Mufasa"),
		.realm = str_cstr(realm),
		.secret = str_cstr(pw),
		.nonce = str_cstr(nonce),
		.cnonce = str_cstr(cnonce),
		.nc = STR_LIT("00000001"),
		.qop = AUTH_QOP_AUTH,
		.method = STR_LIT("GET"),
		.uri = STR_LIT("/dir/index.html"),
	};

	return in;
}

START_TEST(t_rfc2617_example)
{
	/* RFC 2617 3.5: note "Circle Of Life" with a capital O */
	struct auth_digest_in in = mufasa(AUTH_ALG_MD5, "testrealm@host.com",
	    "Circle Of Life", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
	    "0a4f113b");
	char out[AUTH_HEX_MAX + 1];

	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "6629fae49393a05397450978507c4ef1");
}
END_TEST

START_TEST(t_rfc7616_md5_sha256)
{
	/* RFC 7616 3.9.1: "Circle of Life", lowercase o */
	struct auth_digest_in in = mufasa(AUTH_ALG_MD5, "http-auth@example.org",
	    "Circle of Life", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	    "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
	char out[AUTH_HEX_MAX + 1];

	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "8ca523f5e9506fed4657c9700eebdbec");
	in.alg = AUTH_ALG_SHA256;
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "753927fa0e85d155564e2e272a28d180"
	    "2ca10daf4496794697cf8db5856cb6c1");
}
END_TEST

/* alice / example.com / xyz123, INVITE sip:bob@example.com; the expected
 * values were computed independently with Python's hashlib. */
static struct auth_digest_in
alice(enum auth_alg alg, enum auth_qop qop)
{
	struct auth_digest_in in = {
		.alg = alg,
		.username = STR_LIT("alice"),
		.realm = STR_LIT("example.com"),
		.secret = STR_LIT("xyz123"),
		.nonce = STR_LIT("abc"),
		.cnonce = STR_LIT("xyz"),
		.nc = STR_LIT("00000001"),
		.qop = qop,
		.method = STR_LIT("INVITE"),
		.uri = STR_LIT("sip:bob@example.com"),
		.body = STR_LIT("v=0\r\n"),
	};

	return in;
}

START_TEST(t_auth_int)
{
	struct auth_digest_in in = alice(AUTH_ALG_MD5, AUTH_QOP_AUTH_INT);
	char out[AUTH_HEX_MAX + 1];

	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "260ba1df216e3f876a92399e93854967");
	in.body = STR_NULL;     /* no body: H("") */
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "b21257d21c3bf529b0471f182322eb43");
	in = alice(AUTH_ALG_SHA256, AUTH_QOP_AUTH_INT);
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "5f1b30c04bf308ede07268f69508c3e0"
	    "accac67020d80d5ae188498c8b7ffdfb");
}
END_TEST

START_TEST(t_sess_and_no_qop)
{
	struct auth_digest_in in = alice(AUTH_ALG_MD5_SESS, AUTH_QOP_AUTH);
	char out[AUTH_HEX_MAX + 1];

	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "bf33334d5dca2ea70fe0fd439bb42e9c");
	in = alice(AUTH_ALG_SHA256_SESS, AUTH_QOP_AUTH);
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "0b743cc593a3c79f4adcf1a183611e4b"
	    "154329a1fe1b7a8f387d12397a106ebf");
	in = alice(AUTH_ALG_MD5, AUTH_QOP_NONE);    /* RFC 2069 form */
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "c778c5ffca63fa99407fc4f3baacfa7a");
}
END_TEST

START_TEST(t_ha1_given)
{
	struct auth_digest_in in = alice(AUTH_ALG_MD5_SESS, AUTH_QOP_AUTH);
	char out[AUTH_HEX_MAX + 1];

	in.secret_is_ha1 = 1;
	in.secret = STR_LIT("BB1C1A7AF3F9B2AE0DB010E32A0C51E2");  /* any case */
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	ck_assert_str_eq(out, "bf33334d5dca2ea70fe0fd439bb42e9c");
	in.alg = AUTH_ALG_SHA256_SESS;      /* a 32-digit HA1 for SHA-256 */
	ck_assert_int_eq(auth_digest_response(&in, out), -1);
	in.alg = AUTH_ALG_SHA256;
	in.secret = STR_LIT("1888a543cd5ea8efce2e0498a747025b"
	    "c2ec9f31c67544eda84183a9f0398b17");
	ck_assert_int_eq(auth_digest_response(&in, out), 0);
	in.secret = STR_LIT("1888a543cd5ea8efce2e0498a747025b"
	    "c2ec9f31c67544eda84183a9f0398bzz");
	ck_assert_int_eq(auth_digest_response(&in, out), -1);
}
END_TEST

START_TEST(t_alg_names_and_equal)
{
	enum auth_alg a;
	str_t got;

	ck_assert_int_eq(auth_alg_parse(&STR_LIT("md5-SESS"), &a), 0);
	ck_assert_int_eq(a, AUTH_ALG_MD5_SESS);
	ck_assert_int_eq(auth_alg_parse(&STR_LIT("SHA-256"), &a), 0);
	ck_assert_int_eq(a, AUTH_ALG_SHA256);
	ck_assert_int_eq(auth_alg_parse(&STR_LIT("SHA-512-256"), &a), -1);
	ck_assert_str_eq(auth_alg_name(AUTH_ALG_SHA256_SESS), "SHA-256-sess");
	ck_assert_uint_eq(auth_alg_hex_len(AUTH_ALG_SHA256), 64);
	ck_assert_int_eq(auth_alg_base(AUTH_ALG_MD5_SESS), AUTH_ALG_MD5);
	got = STR_LIT("6629FAE49393A05397450978507C4EF1");
	ck_assert(auth_digest_equal(&got, "6629fae49393a05397450978507c4ef1"));
	got = STR_LIT("6629fae49393a05397450978507c4ef");
	ck_assert(!auth_digest_equal(&got, "6629fae49393a05397450978507c4ef1"));
	got = STR_LIT("7629fae49393a05397450978507c4ef1");
	ck_assert(!auth_digest_equal(&got, "6629fae49393a05397450978507c4ef1"));
}
END_TEST

/* --- the credentials parser ----------------------------------------------- */

static int
parse(const char *text, struct auth_cred *c, char *err)
{
	static char scratch[4096];

	ck_assert_uint_lt(strlen(text), sizeof(scratch));
	return auth_hdr_parse(text, strlen(text), scratch, c, err);
}

static void
ck_val(const struct auth_cred *c, enum auth_param p, const char *want)
{
	ck_assert_msg(c->v[p].s != NULL, "%s absent", auth_param_name(p));
	ck_assert_msg(str_eq_cstr(&c->v[p], want), "%s = '%.*s', want '%s'",
	    auth_param_name(p), STR_FMT(&c->v[p]), want);
}

static const char rfc2617_hdr[] =
    "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
    "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
    "response=\"6629fae49393a05397450978507c4ef1\", "
    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

START_TEST(t_hdr_rfc2617)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];

	ck_assert_int_eq(parse(rfc2617_hdr, &c, err), AUTH_HDR_OK);
	ck_val(&c, AUTH_P_USERNAME, "Mufasa");
	ck_val(&c, AUTH_P_REALM, "testrealm@host.com");
	ck_val(&c, AUTH_P_NONCE, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	ck_val(&c, AUTH_P_URI, "/dir/index.html");
	ck_val(&c, AUTH_P_RESPONSE, "6629fae49393a05397450978507c4ef1");
	ck_val(&c, AUTH_P_CNONCE, "0a4f113b");
	ck_val(&c, AUTH_P_OPAQUE, "5ccc069c403ebaf9f0171e9517f40e41");
	ck_val(&c, AUTH_P_NC, "00000001");
	ck_assert_int_eq(c.qop, AUTH_QOP_AUTH);
	ck_assert_uint_eq(c.nc, 1);
	ck_assert_ptr_null(c.v[AUTH_P_ALGORITHM].s);
}
END_TEST

START_TEST(t_hdr_tolerant)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];
	const char *h =
	    "  digest\tUserName = \"a\\\"b\\\\c\" ,, REALM=\"r\"\r\n ,"
	    "nonce=n1 , uri=\"sip:x@y\",response=ABCDEF0123 ,"
	    "Algorithm=MD5-sess, qop=\"auth-int\", NC=0000001f, "
	    "cnonce=\"c,n\", x-ext=\"ignored\", ,";

	ck_assert_int_eq(parse(h, &c, err), AUTH_HDR_OK);
	ck_val(&c, AUTH_P_USERNAME, "a\"b\\c");
	ck_val(&c, AUTH_P_REALM, "r");
	ck_val(&c, AUTH_P_NONCE, "n1");
	ck_val(&c, AUTH_P_URI, "sip:x@y");
	ck_val(&c, AUTH_P_RESPONSE, "ABCDEF0123");
	ck_val(&c, AUTH_P_ALGORITHM, "MD5-sess");
	ck_val(&c, AUTH_P_CNONCE, "c,n");
	ck_assert_int_eq(c.qop, AUTH_QOP_AUTH_INT);
	ck_assert_uint_eq(c.nc, 31);
	/* no qop at all (RFC 2069 clients), empty realm */
	ck_assert_int_eq(parse("Digest username=u, realm=\"\", nonce=n, "
	    "uri=u, response=00", &c, err), AUTH_HDR_OK);
	ck_assert_int_eq(c.qop, AUTH_QOP_NONE);
	ck_val(&c, AUTH_P_REALM, "");
}
END_TEST

START_TEST(t_hdr_other_scheme)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];

	ck_assert_int_eq(parse("Basic YWxpY2U6eHl6MTIz", &c, err),
	    AUTH_HDR_OTHER_SCHEME);
	ck_assert_int_eq(parse("Bearer", &c, err), AUTH_HDR_OTHER_SCHEME);
	ck_assert_int_eq(parse("DigestX a=b", &c, err),
	    AUTH_HDR_OTHER_SCHEME);
}
END_TEST

/* Every prefix of a valid header is handled within its bounds. */
START_TEST(t_hdr_prefixes)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];
	size_t n = strlen(rfc2617_hdr), resp_end, opaque;
	int ok = 0;

	for (size_t i = 0; i <= n; i++) {
		char *copy = malloc(i ? i : 1), *scratch = malloc(i ? i : 1);
		int rc;

		memcpy(copy, rfc2617_hdr, i);
		rc = auth_hdr_parse(copy, i, scratch, &c, err);
		/* "D" .. "Diges" are another scheme's name */
		ck_assert(rc == AUTH_HDR_OK || rc == AUTH_HDR_ERROR ||
		    (rc == AUTH_HDR_OTHER_SCHEME && i > 0 && i < 6));
		if (rc == AUTH_HDR_ERROR)
			ck_assert(err[0] != '\0');
		ok += rc == AUTH_HDR_OK;
		free(copy);
		free(scratch);
	}
	/* complete: the full text, and those that stop between the end of
	 * response (the last required value) and the start of opaque */
	resp_end = (size_t)(strstr(rfc2617_hdr, "4ef1\"") + 5 - rfc2617_hdr);
	opaque = (size_t)(strstr(rfc2617_hdr, "opaque") - rfc2617_hdr);
	ck_assert_int_eq(ok, (int)(opaque - resp_end + 1) + 1);
}
END_TEST

static const struct {
	const char *in;
	const char *err;
} hdr_errors[] = {
	{ "", "empty credentials" },
	{ " \t ", "empty credentials" },
	{ "\"Digest\" a=b", "no authentication scheme" },
	{ "Digest\"x\"", "expected a blank after 'Digest'" },
	{ "Digest =x", "expected a parameter name at offset 7" },
	{ "Digest username", "expected '=' after 'username'" },
	{ "Digest username \"x\"", "expected '=' after 'username'" },
	{ "Digest username=", "missing value for 'username'" },
	{ "Digest username=,realm=r", "missing value for 'username'" },
	{ "Digest username=\"abc", "unterminated quoted string in 'username'" },
	{ "Digest username=\"abc\\",
	  "unterminated quoted string in 'username'" },
	{ "Digest username=\"a\x01\"", "control character in 'username'" },
	{ "Digest username=\"a\" realm=\"r\"",
	  "expected ',' after the value of 'username'" },
	{ "Digest username=a\"b\"",
	  "expected ',' after the value of 'username'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, NONCE=m",
	  "duplicate parameter 'NONCE'" },
	{ "Digest realm=r, nonce=n, uri=u, response=0",
	  "missing parameter 'username'" },
	{ "Digest username=a, nonce=n, uri=u, response=0",
	  "missing parameter 'realm'" },
	{ "Digest username=a, realm=r, uri=u, response=0",
	  "missing parameter 'nonce'" },
	{ "Digest username=a, realm=r, nonce=n, response=0",
	  "missing parameter 'uri'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u",
	  "missing parameter 'response'" },
	{ "Digest username=\"\", realm=r, nonce=n, uri=u, response=0",
	  "empty parameter 'username'" },
	{ "Digest username=a, realm=r, nonce=\"\", uri=u, response=0",
	  "empty parameter 'nonce'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=xyz",
	  "response is not hexadecimal" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, qop=auth2,"
	  " nc=00000001, cnonce=c", "unknown qop 'auth2'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, qop=auth,"
	  " cnonce=c", "qop without 'nc'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, qop=auth,"
	  " nc=00000001", "qop without 'cnonce'" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, qop=auth,"
	  " nc=1, cnonce=c", "bad nc '1' (want 8 hex digits)" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, qop=auth,"
	  " nc=0000000g, cnonce=c", "bad nc '0000000g' (want 8 hex digits)" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, "
	  "nc=00000001", "'nc' without qop" },
	{ "Digest username=a, realm=r, nonce=n, uri=u, response=0, cnonce=c",
	  "'cnonce' without qop" },
	{ "Digest username*=UTF-8''a, realm=r, nonce=n, uri=u, response=0",
	  "username* (RFC 7616 extended notation) is not supported" },
	{ "Digest username=a, username*=UTF-8''a, realm=r, nonce=n, uri=u, "
	  "response=0", "both username and username* given" },
	{ "Digest username=\"\x7f\"", "control character in 'username'" },
};

START_TEST(t_hdr_error)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];

	ck_assert_int_eq(parse(hdr_errors[_i].in, &c, err), AUTH_HDR_ERROR);
	ck_assert_str_eq(err, hdr_errors[_i].err);
}
END_TEST

START_TEST(t_hdr_error_printable)
{
	struct auth_cred c;
	char err[AUTH_HDR_ERR_LEN];
	char in[] = "Digest us\x01r=x";     /* name cut at the control char */
	char scratch[64];

	ck_assert_int_eq(auth_hdr_parse(in, sizeof(in) - 1, scratch, &c, err),
	    AUTH_HDR_ERROR);
	ck_assert_str_eq(err, "expected '=' after 'us'");
	/* a NUL inside a quoted value is a control character too */
	ck_assert_int_eq(auth_hdr_parse("Digest a=\"\0\"", 12, scratch, &c,
	    err), AUTH_HDR_ERROR);
	ck_assert_str_eq(err, "control character in 'a'");
}
END_TEST

/* --- nonces --------------------------------------------------------------- */

static struct auth_secret
secret(const char *s)
{
	struct auth_secret k;

	k.len = strlen(s);
	memcpy(k.key, s, k.len);
	return k;
}

static const struct auth_bind no_bind;

START_TEST(t_nonce_example)
{
	/* the worked example of auth_nonce.h */
	struct auth_secret k = secret("s3cr3t");
	char n[AUTH_NONCE_TEXT_MAX + 1];

	ck_assert_int_eq(auth_nonce_make(&k, 1700000000u, 0, 0, &no_bind, n),
	    35);
	ck_assert_str_eq(n, "EABlU_EAAAAAAEmvZ3XzjfH7nNiUezNAwik");
}
END_TEST

START_TEST(t_nonce_roundtrip_expire)
{
	struct auth_secret k = secret("s3cr3t");
	struct auth_nonce_info info;
	char n[AUTH_NONCE_TEXT_MAX + 1];
	str_t s;

	ck_assert_int_gt(auth_nonce_make(&k, 1000, 77, 0, &no_bind, n), 0);
	s = str_cstr(n);
	ck_assert_int_eq(auth_nonce_check(&k, &s, 1000, 30, 3, &no_bind,
	    &info), AUTH_NONCE_OK);
	ck_assert_uint_eq(info.issued, 1000);
	ck_assert_uint_eq(info.nid, 77);
	ck_assert_uint_eq(info.checks, 0);
	ck_assert_int_eq(auth_nonce_check(&k, &s, 1030, 30, 3, &no_bind,
	    &info), AUTH_NONCE_OK);
	ck_assert_int_eq(auth_nonce_check(&k, &s, 1031, 30, 3, &no_bind,
	    &info), AUTH_NONCE_STALE);
	/* from the future: within the drift, then beyond it */
	ck_assert_int_eq(auth_nonce_check(&k, &s, 997, 30, 3, &no_bind,
	    &info), AUTH_NONCE_OK);
	ck_assert_int_eq(auth_nonce_check(&k, &s, 996, 30, 3, &no_bind,
	    &info), AUTH_NONCE_STALE);
}
END_TEST

START_TEST(t_nonce_tamper)
{
	struct auth_secret k = secret("s3cr3t"), other = secret("s3cr3T");
	struct auth_nonce_info info;
	char n[AUTH_NONCE_TEXT_MAX + 1], t[AUTH_NONCE_TEXT_MAX + 1];
	size_t len;
	str_t s;

	len = (size_t)auth_nonce_make(&k, 5000, 9, 0, &no_bind, n);
	for (size_t i = 0; i < len; i++) {
		memcpy(t, n, len + 1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		s = str_make(t, len);
		ck_assert_msg(auth_nonce_check(&k, &s, 5000, 30, 3, &no_bind,
		    &info) == AUTH_NONCE_BAD, "position %zu", i);
	}
	s = str_make(n, len);
	ck_assert_int_eq(auth_nonce_check(&other, &s, 5000, 30, 3, &no_bind,
	    &info), AUTH_NONCE_BAD);
	s = str_make(n, len - 1);       /* truncated */
	ck_assert_int_eq(auth_nonce_check(&k, &s, 5000, 30, 3, &no_bind,
	    &info), AUTH_NONCE_BAD);
}
END_TEST

START_TEST(t_nonce_garbage)
{
	static const char *bad[] = {
		"", "x", "xyz", "!!!!", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		"awIxp2sCMZ07XJ8eFv4TJlhHFdlULM5UELw7T4A=",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct auth_secret k = secret("s3cr3t");
	struct auth_nonce_info info;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		str_t s = str_cstr(bad[i]);

		ck_assert_msg(auth_nonce_check(&k, &s, 5000, 30, 3, &no_bind,
		    &info) == AUTH_NONCE_BAD, "'%s'", bad[i]);
	}
}
END_TEST

START_TEST(t_nonce_bind)
{
	struct auth_secret k = secret("s3cr3t");
	struct auth_bind b = {
		.ruri = STR_LIT("sip:alice@example.com"),
		.callid = STR_LIT("call-1"),
		.fromtag = STR_LIT("ft1"),
		.srcip = STR_LIT("127.0.0.1"),
	}, b2;
	struct auth_nonce_info info;
	char n[AUTH_NONCE_TEXT_MAX + 1];
	str_t s;

	ck_assert_int_eq(auth_nonce_make(&k, 100, 0,
	    AUTH_CHK_URI | AUTH_CHK_CALLID, &b, n), AUTH_NONCE_TEXT_MAX);
	s = str_cstr(n);
	ck_assert_int_eq(auth_nonce_check(&k, &s, 100, 30, 3, &b, &info),
	    AUTH_NONCE_OK);
	ck_assert_uint_eq(info.checks, AUTH_CHK_URI | AUTH_CHK_CALLID);
	b2 = b;
	b2.fromtag = STR_LIT("other");  /* not bound */
	b2.srcip = STR_LIT("10.0.0.1");
	ck_assert_int_eq(auth_nonce_check(&k, &s, 100, 30, 3, &b2, &info),
	    AUTH_NONCE_OK);
	b2 = b;
	b2.callid = STR_LIT("call-2");
	ck_assert_int_eq(auth_nonce_check(&k, &s, 100, 30, 3, &b2, &info),
	    AUTH_NONCE_STALE);
	/* the fields are length-prefixed: moving a byte across is seen */
	b2 = b;
	b2.ruri = STR_LIT("sip:alice@example.co");
	b2.callid = STR_LIT("mcall-1");
	ck_assert_int_eq(auth_nonce_check(&k, &s, 100, 30, 3, &b2, &info),
	    AUTH_NONCE_STALE);
}
END_TEST

/* --- the nc table --------------------------------------------------------- */

static void
shm_setup(void)
{
	if (!shm_ready())
		ck_assert_int_eq(shm_init((size_t)8 << 20), 0);
}

START_TEST(t_nc_replay)
{
	struct auth_nc_table *t;
	uint32_t a, b;

	shm_setup();
	ck_assert_ptr_nonnull(t = auth_nc_create(8));
	a = auth_nc_new(t);
	b = auth_nc_new(t);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(a, b);
	ck_assert_int_eq(auth_nc_use(t, a, 1), AUTH_NC_OK);
	ck_assert_int_eq(auth_nc_use(t, a, 1), AUTH_NC_REPLAY);
	ck_assert_int_eq(auth_nc_use(t, a, 3), AUTH_NC_OK);
	ck_assert_int_eq(auth_nc_use(t, a, 2), AUTH_NC_OK);  /* out of order */
	ck_assert_int_eq(auth_nc_use(t, a, 255), AUTH_NC_OK);
	ck_assert_int_eq(auth_nc_use(t, a, 255), AUTH_NC_REPLAY);
	ck_assert_int_eq(auth_nc_use(t, a, 256), AUTH_NC_RANGE);
	ck_assert_int_eq(auth_nc_use(t, a, 0), AUTH_NC_RANGE);
	ck_assert_int_eq(auth_nc_use(t, b, 1), AUTH_NC_OK);   /* per nonce */
	ck_assert_int_eq(auth_nc_use(t, 0, 1), AUTH_NC_GONE);
	ck_assert_int_eq(auth_nc_use(t, b + 1, 1), AUTH_NC_GONE);
	auth_nc_destroy(t);
}
END_TEST

START_TEST(t_nc_ring_recycles)
{
	struct auth_nc_table *t;
	uint32_t first, n = 0;

	shm_setup();
	ck_assert_ptr_null(auth_nc_create(3));
	ck_assert_ptr_null(auth_nc_create(25));
	ck_assert_ptr_nonnull(t = auth_nc_create(4));
	first = auth_nc_new(t);
	ck_assert_int_eq(auth_nc_use(t, first, 1), AUTH_NC_OK);
	for (int i = 0; i < 15; i++)
		n = auth_nc_new(t);
	ck_assert_int_eq(auth_nc_use(t, first, 2), AUTH_NC_OK);  /* still */
	n = auth_nc_new(t);             /* the 17th takes the first's slot */
	ck_assert_int_eq(auth_nc_use(t, first, 3), AUTH_NC_GONE);
	ck_assert_int_eq(auth_nc_use(t, n, 1), AUTH_NC_OK);   /* fresh bits */
	auth_nc_destroy(t);
}
END_TEST

START_TEST(t_otn)
{
	struct auth_nc_table *t;
	uint32_t a;

	shm_setup();
	ck_assert_ptr_nonnull(t = auth_nc_create(4));
	a = auth_nc_new(t);
	ck_assert_int_eq(auth_otn_use(t, a), AUTH_NC_OK);
	ck_assert_int_eq(auth_otn_use(t, a), AUTH_NC_REPLAY);
	ck_assert_int_eq(auth_otn_use(t, a + 1), AUTH_NC_GONE);
	auth_nc_destroy(t);
}
END_TEST

/* Processes racing on one nonce: every nc is accepted exactly once. */
START_TEST(t_nc_across_processes)
{
	enum { NPROC = 4 };
	struct auth_nc_table *t;
	volatile int *wins;
	pid_t pid[NPROC];
	uint32_t nid;
	int total = 0, st;

	shm_setup();
	ck_assert_ptr_nonnull(t = auth_nc_create(6));
	wins = shm_calloc(NPROC, sizeof(*wins));
	ck_assert(wins != NULL);
	nid = auth_nc_new(t);
	for (int i = 0; i < NPROC; i++) {
		ck_assert_int_ne(pid[i] = fork(), -1);
		if (pid[i] == 0) {
			for (uint32_t nc = 1; nc <= AUTH_NC_MAX; nc++)
				if (auth_nc_use(t, nid, nc) == AUTH_NC_OK)
					wins[i]++;
			_exit(0);
		}
	}
	for (int i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		total += wins[i];
	}
	ck_assert_int_eq(total, AUTH_NC_MAX);
	shm_free((void *)wins);
	auth_nc_destroy(t);
}
END_TEST

/* --- challenge header ----------------------------------------------------- */

START_TEST(t_challenge_format)
{
	struct auth_chal c = {
		.realm = STR_LIT("example.com"),
		.nonce = "N1",
	};
	char buf[256];

	ck_assert_int_gt(auth_challenge_format(&c, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "WWW-Authenticate: Digest realm=\"example.com\", "
	    "nonce=\"N1\"\r\n");
	c.proxy = 1;
	c.qop = AUTH_QOP_AUTH;
	c.stale = 1;
	c.algorithm = "SHA-256";
	ck_assert_int_gt(auth_challenge_format(&c, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Proxy-Authenticate: Digest realm=\"example.com\""
	    ", nonce=\"N1\", qop=\"auth\", stale=true, algorithm=SHA-256\r\n");
	c = (struct auth_chal){ .realm = STR_LIT("a\"b\\c"), .nonce = "N",
	    .qop = AUTH_QOP_AUTH_INT };
	ck_assert_int_eq(auth_challenge_format(&c, buf, sizeof(buf)),
	    (int)strlen("WWW-Authenticate: Digest realm=\"a\\\"b\\\\c\", "
	    "nonce=\"N\", qop=\"auth-int\"\r\n"));
	ck_assert_str_eq(buf, "WWW-Authenticate: Digest realm=\"a\\\"b\\\\c\", "
	    "nonce=\"N\", qop=\"auth-int\"\r\n");
	/* header injection through the realm, and a short buffer */
	c.realm = STR_LIT("x\r\nVia: evil");
	ck_assert_int_eq(auth_challenge_format(&c, buf, sizeof(buf)), -1);
	c.realm = STR_LIT("example.com");
	ck_assert_int_eq(auth_challenge_format(&c, buf, 20), -1);
	ck_assert_int_eq(auth_challenge_format(&c, buf, 0), -1);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("mod_auth");
	TCase *tc;

	tc = tcase_create("digest");
	tcase_add_test(tc, t_rfc2617_example);
	tcase_add_test(tc, t_rfc7616_md5_sha256);
	tcase_add_test(tc, t_auth_int);
	tcase_add_test(tc, t_sess_and_no_qop);
	tcase_add_test(tc, t_ha1_given);
	tcase_add_test(tc, t_alg_names_and_equal);
	suite_add_tcase(s, tc);

	tc = tcase_create("credentials");
	tcase_add_test(tc, t_hdr_rfc2617);
	tcase_add_test(tc, t_hdr_tolerant);
	tcase_add_test(tc, t_hdr_other_scheme);
	tcase_add_test(tc, t_hdr_prefixes);
	tcase_add_loop_test(tc, t_hdr_error, 0,
	    (int)(sizeof(hdr_errors) / sizeof(hdr_errors[0])));
	tcase_add_test(tc, t_hdr_error_printable);
	suite_add_tcase(s, tc);

	tc = tcase_create("nonce");
	tcase_add_test(tc, t_nonce_example);
	tcase_add_test(tc, t_nonce_roundtrip_expire);
	tcase_add_test(tc, t_nonce_tamper);
	tcase_add_test(tc, t_nonce_garbage);
	tcase_add_test(tc, t_nonce_bind);
	suite_add_tcase(s, tc);

	tc = tcase_create("nc_table");
	tcase_add_test(tc, t_nc_replay);
	tcase_add_test(tc, t_nc_ring_recycles);
	tcase_add_test(tc, t_otn);
	tcase_add_test(tc, t_nc_across_processes);
	suite_add_tcase(s, tc);

	tc = tcase_create("challenge");
	tcase_add_test(tc, t_challenge_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(auth_suite());
}
