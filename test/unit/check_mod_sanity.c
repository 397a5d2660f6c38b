/*
 * check_mod_sanity.c - the sanity module's checks on message texts
 * (modules/sanity/sanity_checks.c, sanity_uri.c, sanity_auth.c), without
 * a daemon: each check on a good and on bad requests, with the reply
 * Kamailio 5.6 gives for each failure; then the URI, address-header and
 * credential readers on their own.
 */
#include "config.h"

#include <string.h>

#include "modules/sanity/sanity_auth.h"
#include "modules/sanity/sanity_checks.h"
#include "modules/sanity/sanity_uri.h"
#include "tcheck.h"

#define RL    "INVITE sip:bob@example.com SIP/2.0\r\n"
#define VIA   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
#define FROM  "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
#define TO    "To: <sip:bob@example.com>\r\n"
#define CID   "Call-ID: c1@10.0.0.1\r\n"
#define CSEQ  "CSeq: 1 INVITE\r\n"
#define STD   VIA FROM TO CID CSEQ
#define END   "Content-Length: 0\r\n\r\n"
#define DIG   "username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", " \
	      "response=\"0123456789abcdef0123456789abcdef\""

static const str_t supported[] = {
	{ "foo", 3 }, { "bar", 3 },
};

/* Runs the checks on a request text; 1 passed, 0 failed (*f). */
static int
run(const char *text, unsigned checks, unsigned uris, struct sanity_fail *f)
{
	struct sanity_in in = {
		.text = str_cstr(text), .supported = supported,
		.n_supported = 2,
	};

	return sanity_run(&in, checks, uris, f);
}

struct row {
	const char  *text;
	unsigned     checks, uris;
	unsigned     fail;          /* the check that fails; 0: passes */
	int          code;
	const char  *reason;
};

static void
run_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sanity_fail f;
		int rc = run(rows[i].text, rows[i].checks, rows[i].uris, &f);

		if (rows[i].fail == 0) {
			ck_assert_msg(rc == 1, "row %zu: failed %s (%s)", i,
			    sanity_check_name(f.check), f.why);
			continue;
		}
		ck_assert_msg(rc == 0, "row %zu passed", i);
		ck_assert_msg(f.check == rows[i].fail, "row %zu: check %u, "
		    "want %u (%s)", i, f.check, rows[i].fail, f.why);
		ck_assert_msg(f.code == rows[i].code, "row %zu: code %d, "
		    "want %d", i, f.code, rows[i].code);
		if (rows[i].reason != NULL)
			ck_assert_msg(f.reason != NULL &&
			    strcmp(f.reason, rows[i].reason) == 0,
			    "row %zu: reason '%s'", i,
			    f.reason ? f.reason : "(none)");
		else
			ck_assert_msg(f.reason == NULL, "row %zu: a reason",
			    i);
		ck_assert_ptr_nonnull(f.why);
	}
}

#define ROWS(r) run_rows(r, sizeof(r) / sizeof(r[0]))

START_TEST(t_good_request)
{
	static const char *const good[] = {
		RL STD END,
		"REGISTER sips:example.com SIP/2.0\r\n" VIA
		    "f: sip:alice@example.com;tag=1\r\nt: sip:alice@example.com"
		    "\r\ni: r1\r\nCSeq: 4294967295 REGISTER\r\nExpires: 3600\r\n"
		    "m: <sip:alice@[2001:db8::1]:5070;transport=tcp>;q=0.5\r\n"
		    "Proxy-Require: FOO, bar\r\nAuthorization: Digest " DIG
		    ", qop=auth, nc=00000001, cnonce=\"c\"\r\nl: 4\r\n\r\nabcd",
		"MESSAGE tel:+1-202-555-0100;phone-context=x SIP/2.0\r\n" STD
		    END,
	};
	struct sanity_fail f;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = run(good[i], SANITY_ALL & ~SANITY_CSEQ_METHOD,
		    SANITY_URI_ALL, &f);

		ck_assert_msg(rc == 1, "message %zu: %s failed: %s (%.*s)", i,
		    sanity_check_name(f.check), f.why, STR_FMT(&f.what));
	}
	/* the default config's call, on the plain request */
	ck_assert_int_eq(run(RL STD END, 17895, 7, &f), 1);
	ck_assert_int_eq(run(RL STD END, SANITY_DEFAULT_CHECKS, 7, &f), 1);
}
END_TEST

START_TEST(t_ruri)
{
	static const struct row rows[] = {
		{ "INVITE sip:b@h SIP/3.0\r\n" STD END, 1, 7, 1, 505,
		  "Version Not Supported (R-URI)" },
		{ "INVITE sip:b@h SIP/2.00\r\n" STD END, 1, 7, 1, 505,
		  "Version Not Supported (R-URI)" },
		{ "INVITE sip:b@h\r\n" STD END, 1, 7, 1, 505,
		  "Version Not Supported (R-URI)" },
		{ "INVITE sip:b@h sip/2.0\r\n" STD END, 1, 7, 0, 0, NULL },
		{ "INVITE http://b@h SIP/2.0\r\n" STD END, 2, 7, 2, 416,
		  "Unsupported URI Scheme in Request URI" },
		{ "INVITE mailto:b@h SIP/2.0\r\n" STD END, 2, 7, 2, 416,
		  "Unsupported URI Scheme in Request URI" },
		{ "INVITE sip:@ SIP/2.0\r\n" STD END, 2, 7, 2, 400,
		  "Bad Request URI" },
		{ "INVITE junk SIP/2.0\r\n" STD END, 2, 7, 2, 400,
		  "Bad Request URI" },
		{ "INVITE SIP/2.0\r\n" STD END, 2, 7, 2, 400,
		  "Bad Request URI" },
		{ "INVITE SIPS:b@h SIP/2.0\r\n" STD END, 2, 7, 0, 0, NULL },
		{ "INVITE urn:service:sos SIP/2.0\r\n" STD END, 2, 7, 0, 0,
		  NULL },
		{ "INVITE tel:+123 SIP/2.0\r\n" STD END, 2, 7, 0, 0, NULL },
	};

	ROWS(rows);
}
END_TEST

/* The Request-URI the script set is the one checked. */
START_TEST(t_ruri_override)
{
	struct sanity_in in = { .text = str_cstr(RL STD END) };
	struct sanity_fail f;

	in.ruri = str_cstr("mailto:x@y");
	ck_assert_int_eq(sanity_run(&in, SANITY_RURI_SCHEME, 7, &f), 0);
	ck_assert_int_eq(f.code, 416);
	ck_assert_int_eq(sanity_run(&in, SANITY_PARSE_URIS, 7, &f), 0);
	ck_assert_int_eq(f.code, 400);
	in.text = str_cstr("INVITE http://x SIP/2.0\r\n" STD END);
	in.ruri = str_cstr("sip:bob@example.com");
	ck_assert_int_eq(sanity_run(&in, SANITY_RURI_SCHEME, 7, &f), 1);
}
END_TEST

START_TEST(t_required)
{
	static const struct row rows[] = {
		{ RL VIA FROM TO CSEQ END, 4, 7, 4, 0, NULL },
		{ RL VIA FROM TO CID END, 4, 7, 4, 0, NULL },
		{ RL FROM TO CID CSEQ END, 4, 7, 4, 0, NULL },
		{ RL STD "Call-ID: other\r\n" END, 4, 7, 4, 0, NULL },
		{ RL STD "t: <sip:x@y>\r\n" END, 4, 7, 4, 0, NULL },
		{ RL STD "From:\r\n" END, 4, 7, 4, 0, NULL },
		{ RL STD "this is no header\r\n" END, 4, 7, 4, 0, NULL },
		{ RL STD VIA END, 4, 7, 0, 0, NULL },   /* Via may repeat */
		{ RL "v: SIP/2.0/TCP h\r\nf: <sip:a@b>\r\nt: <sip:c@d>\r\n"
		  "i: x\r\nCSeq: 1 INVITE\r\n\r\n", 4, 7, 0, 0, NULL },
		{ RL "From: <sip:a@b>;\r\n\tx=y\r\nTo:\r\n <sip:c@d>\r\n" VIA
		  CID CSEQ END, 4, 7, 0, 0, NULL },   /* folded values */
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_via)
{
	static const struct row rows[] = {
		{ RL "Via: SIP/3.0/UDP h\r\n" FROM TO CID CSEQ END, 8, 7, 8,
		  505, "Version Not Supported (Via)" },
		{ RL VIA "Via: SIP/2.0/UDP a, SIP/1.0/TCP b\r\n" FROM TO CID
		  CSEQ END, 8, 7, 8, 505, "Version Not Supported (Via)" },
		{ RL "Via: sip / 2.0 / udp h\r\n" FROM TO CID CSEQ END, 24, 7,
		  0, 0, NULL },
		{ RL "Via: SIP/2.0/FOO h\r\n" FROM TO CID CSEQ END, 16, 7, 16,
		  400, "Unsupported Transport in Via" },
		{ RL "Via: SIP/2.0/WSS h, SIP/2.0/TLS-SCTP i\r\n" FROM TO CID
		  CSEQ END, 16, 7, 0, 0, NULL },
		{ RL "Via: garbage\r\n" FROM TO CID CSEQ END, 16, 7, 16, 400,
		  "Bad Via Header" },
		/* 16384: the top Via, readable with a host; no reply */
		{ RL "Via: SIP/2.0/UDP\r\n" FROM TO CID CSEQ END, 16384, 7,
		  16384, 0, NULL },
		{ RL "Via: SIP/2.0/UDP ;branch=x\r\n" FROM TO CID CSEQ END,
		  16384, 7, 16384, 0, NULL },
		{ RL FROM TO CID CSEQ END, 16384, 7, 16384, 0, NULL },
		{ RL "Via: SIP/2.0/UDP [::1]:5060;rport, bad\r\n" FROM TO CID
		  CSEQ END, 16384, 7, 0, 0, NULL },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_cseq)
{
	static const struct row rows[] = {
		{ RL VIA FROM TO CID "CSeq: 1 BYE\r\n" END, 32, 7, 32, 400,
		  "CSeq method does not match request method" },
		{ RL VIA FROM TO CID "CSeq: 1 invite\r\n" END, 32, 7, 32, 400,
		  "CSeq method does not match request method" },
		{ RL VIA FROM TO CID "CSeq: 1\r\n" END, 32, 7, 32, 400,
		  "Missing method in CSeq header" },
		{ RL VIA FROM TO CID END, 32, 7, 32, 0, NULL },
		{ "ACK sip:b@h SIP/2.0\r\n" VIA FROM TO CID "CSeq: 1 ACK\r\n"
		  END, 32, 7, 0, 0, NULL },
		{ RL VIA FROM TO CID "CSeq: -1 INVITE\r\n" END, 64, 7, 64, 400,
		  "CSeq number is illegal" },
		{ RL VIA FROM TO CID "CSeq: abc INVITE\r\n" END, 64, 7, 64,
		  400, "CSeq number is illegal" },
		{ RL VIA FROM TO CID "CSeq: 4294967296 INVITE\r\n" END, 64, 7,
		  64, 400, "CSeq number is illegal" },
		{ RL VIA FROM TO CID "CSeq: 99999999999999999999999 INVITE\r\n"
		  END, 64, 7, 64, 400, "CSeq number is illegal" },
		{ RL VIA FROM TO CID "CSeq: 4294967295 INVITE\r\n" END, 64, 7,
		  0, 0, NULL },
		{ RL VIA FROM TO CID "CSeq: 0 INVITE\r\n" END, 64, 7, 0, 0,
		  NULL },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_content_length)
{
	static const struct row rows[] = {
		{ RL STD "Content-Length: 3\r\n\r\nabc", 128, 7, 0, 0, NULL },
		{ RL STD "Content-Length: 10\r\n\r\nabc", 128, 7, 128, 400,
		  "Content-Length mis-match" },
		{ RL STD "Content-Length: 1\r\n\r\nabc", 128, 7, 128, 400,
		  "Content-Length mis-match" },
		{ RL STD "l: 99999999999999999999999999\r\n\r\nabc", 128, 7,
		  128, 400, "Content-Length mis-match" },
		{ RL STD "Content-Length: x\r\n\r\n", 128, 7, 128, 400,
		  "Content-Length Failure" },
		{ RL STD "\r\nabc", 128, 7, 0, 0, NULL },  /* none: UDP */
		{ RL STD "Content-Length: 4\n\nab\r\n", 128, 7, 0, 0, NULL },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_expires)
{
	static const struct row rows[] = {
		{ RL STD "Expires: 3600\r\n" END, 256, 7, 0, 0, NULL },
		{ RL STD "Expires: abc\r\n" END, 256, 7, 256, 400,
		  "Expires value is illegal" },
		{ RL STD "Expires: -5\r\n" END, 256, 7, 256, 400,
		  "Expires value is illegal" },
		{ RL STD "Expires: 4294967296\r\n" END, 256, 7, 256, 400,
		  "Expires value is illegal" },
		{ RL STD "Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n" END, 256,
		  7, 256, 400, "Expires value is illegal" },
		{ RL STD "Expires: \r\n" END, 256, 7, 256, 400,
		  "Bad Expires Header" },
		{ RL STD "Expires: 10\r\nExpires: x\r\n" END, 256, 7, 256, 400,
		  "Expires value is illegal" },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_proxy_require)
{
	static const struct row rows[] = {
		{ RL STD "Proxy-Require: foo,bar\r\n" END, 512, 7, 0, 0, NULL },
		{ RL STD "Proxy-Require:  Foo ,  BAR \r\n" END, 512, 7, 0, 0,
		  NULL },
		{ RL STD "Proxy-Require: \r\n" END, 512, 7, 512, 400,
		  "Bad Proxy Require Header" },
		{ RL STD "Proxy-Require: foo,,bar\r\n" END, 512, 7, 512, 400,
		  "Bad Proxy Require Header" },
		{ RL STD "Proxy-Require: a/b\r\n" END, 512, 7, 512, 400,
		  "Bad Proxy Require Header" },
		{ RL STD "Proxy-Require: zzz\r\n" END, 512, 7, 512, 420,
		  "Bad Proxy Require Extension" },
	};
	struct sanity_fail f;

	ROWS(rows);
	/* the 420 lists every unknown option, from every header */
	ck_assert_int_eq(run(RL STD "Proxy-Require: foo, baz, qux\r\n"
	    "Proxy-Require: zzz\r\n" END, 512, 7, &f), 0);
	ck_assert_int_eq(f.code, 420);
	ck_assert_str_eq(f.unsup, "baz, qux, zzz");
	ck_assert_uint_eq(f.unsup_len, 13);
	ck_assert(str_eq_cstr(&f.what, "baz"));
}
END_TEST

START_TEST(t_parse_uris)
{
	static const struct row rows[] = {
		{ "INVITE sip:@ SIP/2.0\r\n" STD END, 1024, 1, 1024, 400,
		  "Bad Request URI" },
		{ "INVITE sip:b@h:99999 SIP/2.0\r\n" STD END, 1024, 1, 1024,
		  400, "Bad Request URI" },
		{ "INVITE sip:b@h:99999 SIP/2.0\r\n" STD END, 1024, 6, 0, 0,
		  NULL },
		{ "INVITE http://x SIP/2.0\r\n" STD END, 1024, 1, 1024, 400,
		  "Bad Request URI" },
		{ RL VIA "From: <sip:alice@>;tag=1\r\n" TO CID CSEQ END, 1024, 2,
		  1024, 400, "Invalid From Header" },
		{ RL VIA "From: <http://x.com>;tag=1\r\n" TO CID CSEQ END, 1024,
		  2, 1024, 400, "Invalid From Header" },
		{ RL VIA "From: <sip:a@b;tag=1\r\n" TO CID CSEQ END, 1024, 2,
		  1024, 400, "Invalid From Header" },
		{ RL VIA FROM "To: <sip:>\r\n" CID CSEQ END, 1024, 4, 1024, 400,
		  "Invalid To Header" },
		{ RL VIA FROM CID CSEQ END, 1024, 4, 1024, 400,
		  "Invalid To Header" },
		{ RL VIA "From: sip:a@b;tag=1\r\nTo: tel:+123\r\n" CID CSEQ END,
		  1024, 6, 0, 0, NULL },
		{ RL VIA "From: Jos\xc3\xa9 Ruiz <sip:j@b>;tag=1\r\n" TO CID
		  CSEQ END, 1024, 2, 0, 0, NULL },
		{ RL STD "Contact: <sip:@>\r\n" END, 1024, 8, 1024, 400,
		  "Bad Contact URI" },
		{ RL STD "Contact: <sip:a@1.2.3.4>\r\nm: <sip:@>\r\n" END, 1024,
		  8, 1024, 400, "Bad Contact URI" },
		{ RL STD "Contact: <sip:a@b>, <sip:c@d;lr>;q=1\r\n" END, 1024,
		  8, 0, 0, NULL },
		{ RL STD "Contact: <<<\r\n" END, 1024, 8, 1024, 400,
		  "Bad Contact Header" },
		{ RL STD "Contact: <sip:a@b>,\r\n" END, 1024, 8, 1024, 400,
		  "Bad Contact Header" },
		{ RL STD "Contact: *\r\n" END, 1024, 8, 0, 0, NULL },
		{ RL STD "Contact: <sip:a@b>, *\r\n" END, 1024, 8, 1024, 400,
		  "Bad Contact Header" },
		{ RL STD END, 1024, 8, 0, 0, NULL },    /* none to check */
		{ RL STD "Contact: <sip:@>\r\n" END, 1024, 7, 0, 0, NULL },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_digest)
{
	static const struct row rows[] = {
		{ RL STD "Authorization: Digest " DIG "\r\n" END, 2048, 7, 0, 0,
		  NULL },
		{ RL STD "Authorization: Basic YTpi\r\n" END, 2048, 7, 2048, 0,
		  NULL },
		{ RL STD "Authorization: Basic YTpi\r\n" END, 8192, 7, 0, 0,
		  NULL },
		{ RL STD "Authorization: Digest\r\n" END, 2048, 7, 2048, 0,
		  NULL },
		{ RL STD "Authorization: Digest username=\"a\"\r\n" END, 2048,
		  7, 2048, 400, "Bad Auth Credentials" },
		{ RL STD "Proxy-Authorization: Digest realm=\"x\"\r\n" END,
		  8192, 7, 8192, 400, "Bad Auth Credentials" },
		{ RL STD "Authorization: Digest " DIG "\r\nAuthorization: "
		  "Digest realm=\"x\"\r\n" END, 8192, 7, 8192, 400,
		  "Bad Auth Credentials" },
		{ RL STD "Authorization: Digest ,,,\r\n" END, 2048, 7, 2048,
		  400, "Bad Auth Header" },
		{ RL STD "Authorization: Digest " DIG ",\r\n" END, 8192, 7,
		  8192, 400, "Bad Auth Header" },
		{ RL STD "Authorization: Digest " DIG ", qop=auth, "
		  "cnonce=\"c\"\r\n" END, 2048, 7, 2048, 400,
		  "Bad Auth Credentials" },
		{ RL STD "Authorization: Digest username=\"\", realm=\"r\", "
		  "nonce=\"n\", uri=\"u\", response=\"x\"\r\n" END, 2048, 7,
		  2048, 400, "Auth Empty User" },
		{ RL STD "Authorization: Digest username=\"a\", realm=\"r\", "
		  "nonce=\"\", uri=\"u\", response=\"x\"\r\n" END, 2048, 7,
		  2048, 400, "Auth Empty Nonce" },
		{ RL STD "Authorization: Digest username=\"a\", realm=\"r\", "
		  "nonce=\"n\", uri=\"u\", response=\r\n" END, 8192, 7, 8192,
		  400, "Auth Empty Response" },
	};

	ROWS(rows);
}
END_TEST

START_TEST(t_duptags)
{
	static const struct row rows[] = {
		{ RL VIA "From: <sip:a@b>;tag=1;tag=2\r\n" TO CID CSEQ END,
		  4096, 7, 4096, 400, "Many From Tag Params" },
		{ RL VIA FROM "To: sip:b@c;tag=1;TAG=2\r\n" CID CSEQ END, 4096,
		  7, 4096, 400, "Many To Tag Params" },
		{ RL VIA "From: <sip:a@b;tag=x>;tag=y\r\n" TO CID CSEQ END,
		  4096, 7, 0, 0, NULL },
		{ RL VIA "From: <sip:a@b>\r\n" "To: <sip:c@d>;tag=\r\n" CID CSEQ
		  END, 4096, 7, 0, 0, NULL },
		{ RL VIA "From: <sip:a@b>;tag=\"x\r\n" TO CID CSEQ END, 4096, 7,
		  4096, 400, "Invalid From Header" },
	};

	ROWS(rows);
}
END_TEST

/* The first failing check, lowest bit first, is the one reported. */
START_TEST(t_order)
{
	struct sanity_fail f;

	ck_assert_int_eq(run("INVITE sip:b@h SIP/2.00\r\n" VIA FROM TO CID
	    "CSeq: x BYE\r\nExpires: z\r\n" END, 1 | 32 | 64 | 256, 7, &f), 0);
	ck_assert_uint_eq(f.check, 1);
	ck_assert_int_eq(run(RL VIA FROM TO CID "CSeq: x BYE\r\nExpires: z\r\n"
	    END, 32 | 64 | 256, 7, &f), 0);
	ck_assert_uint_eq(f.check, 32);
	ck_assert_int_eq(run(RL VIA FROM TO CID "CSeq: x INVITE\r\nExpires: "
	    "z\r\n" END, 32 | 64 | 256, 7, &f), 0);
	ck_assert_uint_eq(f.check, 64);
	ck_assert_str_eq(sanity_check_name(64), "cseq value");
}
END_TEST

/* A reply: only the checks that mean something there, never the
 * Request-URI. */
START_TEST(t_reply)
{
	struct sanity_in in = {
		.text = str_cstr("SIP/2.0 200 OK\r\n" STD END),
		.is_reply = 1,
	};
	struct sanity_fail f;

	ck_assert_int_eq(sanity_run(&in, SANITY_ALL, SANITY_URI_ALL, &f), 1);
	in.text = str_cstr("SIP/2.0 200 OK\r\n" VIA FROM TO CID
	    "CSeq: x INVITE\r\n" END);
	ck_assert_int_eq(sanity_run(&in, SANITY_ALL, SANITY_URI_ALL, &f), 0);
	ck_assert_uint_eq(f.check, SANITY_CSEQ_VALUE);
	in.text = str_cstr("SIP/2.0 200 OK\r\n" STD
	    "Proxy-Require: zzz\r\nAuthorization: Basic x\r\n" END);
	ck_assert_int_eq(sanity_run(&in, SANITY_ALL, SANITY_URI_ALL, &f), 1);
}
END_TEST

/* Garbage of every shape: a verdict, never a crash. */
START_TEST(t_garbage)
{
	static const char *const junk[] = {
		"", "\r\n", "INVITE", "INVITE \r\n\r\n", " \r\n:\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nVia\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nFrom: \"\r\nTo: <\r\n\r\n",
		"\x01\x02\x03\xff\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nContact: \"x\r\nCSeq: \r\n"
		    "Authorization: Digest a=\"\r\n",
	};
	const char *full = RL STD END;

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct sanity_fail f;

		ck_assert_int_eq(run(junk[i], SANITY_ALL, SANITY_URI_ALL, &f),
		    0);
		ck_assert_ptr_nonnull(f.why);
	}
	/* every prefix of a good request */
	for (size_t n = 0; n < strlen(full); n++) {
		struct sanity_in in = { .text = str_make(full, n) };
		struct sanity_fail f;

		sanity_run(&in, SANITY_ALL, SANITY_URI_ALL, &f);
	}
}
END_TEST

START_TEST(t_uri)
{
	static const char *const ok[] = {
		"sip:bob@example.com", "sip:example.com", "SIP:b@h:5060",
		"sips:b:pw@h.example.com.;transport=tls?subject=hi&x=y",
		"sip:+49%20123;npdi@10.0.0.1:0;user=phone", "sip:b@[::1]:5070",
		"sip:a@my_host", "sip:a@h;lr;;x=", "tel:+1-202-555-0100",
		"tel:7042;phone-context=example.com", "tel:*31#",
		"urn:service:sos", "urn:uuid:f81d4fae-7dec-11d0-a765",
	};
	static const char *const bad[] = {
		"", "sip:", "sip:@", "sip:@h", "sip:b@", "sip:b@h:",
		"sip:b@h:99999", "sip:b@h:5x", "sip:b@[::1", "sip:b@[zz]",
		"sip:b@h..com", "sip:b@-h", "sip:b@1234", "sip:b@300.1.1.1",
		"sip:b c@h", "sip:b@h;=x", "sip:b%2@h", "sip:b@h?",
		"sip:<b>@h", "tel:", "tel:+12a", "tel:abc-x", "urn:", "urn:x",
		"urn:x:", "junk", "1sip:x", ":x",
	};
	static const char *const other[] = {
		"http://x.com/a", "mailto:a@b", "tels:+1", "im:alice@b",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		str_t u = str_cstr(ok[i]);

		ck_assert_msg(sanity_uri_check(&u) == SANITY_URI_OK,
		    "'%s' refused", ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		str_t u = str_cstr(bad[i]);

		ck_assert_msg(sanity_uri_check(&u) == SANITY_URI_BAD,
		    "'%s' not bad", bad[i]);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		str_t u = str_cstr(other[i]);

		ck_assert_msg(sanity_uri_check(&u) == SANITY_URI_SCHEME,
		    "'%s' not another scheme", other[i]);
	}
}
END_TEST

START_TEST(t_addr)
{
	static const struct {
		const char *in, *uri, *params;
	} rows[] = {
		{ "<sip:a@b>;tag=1", "sip:a@b", ";tag=1" },
		{ "\"A <x>, y\" <sip:a@b;lr>", "sip:a@b;lr", "" },
		{ "Alice Smith < sip:a@b > ;tag=2", "sip:a@b", ";tag=2" },
		{ "sip:a@b;tag=3", "sip:a@b", ";tag=3" },
		{ "  tel:+1  ", "tel:+1", "" },
	};
	static const char *const bad[] = {
		"", "<sip:a@b", "\"x <sip:a@b>", "\"x\" sip:a@b",
		"<sip:a@b> junk", "<>", ";tag=1",
	};
	str_t uri, params, v;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = str_cstr(rows[i].in);
		ck_assert_msg(sanity_addr_split(&v, &uri, &params) == 0,
		    "row %zu", i);
		ck_assert_msg(str_eq_cstr(&uri, rows[i].uri), "uri %zu: %.*s",
		    i, STR_FMT(&uri));
		ck_assert_msg(str_eq_cstr(&params, rows[i].params),
		    "params %zu: %.*s", i, STR_FMT(&params));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = str_cstr(bad[i]);
		ck_assert_msg(sanity_addr_split(&v, &uri, &params) == -1,
		    "'%s' split", bad[i]);
	}
	params = str_cstr(";tag=1 ; TAG = \"2;3\";x;tag");
	ck_assert_int_eq(sanity_param_count(&params, "tag"), 3);
	params = str_cstr(";tag=1 x");
	ck_assert_int_eq(sanity_param_count(&params, "tag"), -1);
	params = str_cstr(";=1");
	ck_assert_int_eq(sanity_param_count(&params, "tag"), -1);
}
END_TEST

START_TEST(t_list)
{
	str_t rest = str_cstr(" a , \"b,c\" <d,e> ,, f,"), e;
	const char *want[] = { "a", "\"b,c\" <d,e>", "", "f", "" };
	size_t n = 0;

	while (sanity_list_next(&rest, &e) == 1) {
		ck_assert_uint_lt(n, 5);
		ck_assert_msg(str_eq_cstr(&e, want[n]), "element %zu: '%.*s'",
		    n, STR_FMT(&e));
		n++;
	}
	ck_assert_uint_eq(n, 5);
	rest = str_cstr("a, \"b");
	ck_assert_int_eq(sanity_list_next(&rest, &e), 1);
	ck_assert_int_eq(sanity_list_next(&rest, &e), -1);
	rest = str_cstr("<a");
	ck_assert_int_eq(sanity_list_next(&rest, &e), -1);
}
END_TEST

START_TEST(t_auth)
{
	static const struct {
		const char *in;
		int rc;
	} rows[] = {
		{ "Digest " DIG, SANITY_AUTH_OK },
		{ "digest username=a, realm=r, nonce=n, uri=sip:x, "
		  "response=0123", SANITY_AUTH_OK },
		{ "Digest " DIG ", qop=auth, nc=00000001, cnonce=\"c\", "
		  "opaque=\"o\", algorithm=MD5, foo=\"b\\\"ar\"", SANITY_AUTH_OK },
		{ "Basic YWxhZGRpbjpvcGVuc2VzYW1l", SANITY_AUTH_OTHER },
		{ "Digest", SANITY_AUTH_OTHER },
		{ "Digest   ", SANITY_AUTH_OTHER },
		{ "", SANITY_AUTH_OTHER },
		{ "Digestx " DIG, SANITY_AUTH_OTHER },
		{ "Digest ,,,", SANITY_AUTH_SYNTAX },
		{ "Digest " DIG ",", SANITY_AUTH_SYNTAX },
		{ "Digest username=\"a\" realm=\"r\"", SANITY_AUTH_SYNTAX },
		{ "Digest username=\"a, realm=\"r\"", SANITY_AUTH_SYNTAX },
		{ "Digest username", SANITY_AUTH_SYNTAX },
		{ "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",
		  SANITY_AUTH_MISSING },
		{ "Digest " DIG ", qop=auth, nc=1", SANITY_AUTH_MISSING },
		{ "Digest username=\"\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		  "response=\"x\"", SANITY_AUTH_EMPTY_USER },
		{ "Digest username=\"a\", realm=\"r\", nonce=\"\", uri=\"u\", "
		  "response=\"x\"", SANITY_AUTH_EMPTY_NONCE },
		{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		  "response=\"\"", SANITY_AUTH_EMPTY_RESPONSE },
		{ "Digest username=\"a\", realm=\"\", nonce=\"n\", uri=\"\", "
		  "response=\"x\"", SANITY_AUTH_OK },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		str_t v = str_cstr(rows[i].in);

		ck_assert_msg(sanity_auth_check(&v) == rows[i].rc,
		    "row %zu: %d", i, sanity_auth_check(&v));
	}
}
END_TEST

START_TEST(t_extensions)
{
	str_t out[4], l;

	l = str_cstr(" foo , bar,baz ");
	ck_assert_int_eq(sanity_split_extensions(&l, out, 4), 3);
	ck_assert(str_eq_cstr(&out[0], "foo"));
	ck_assert(str_eq_cstr(&out[2], "baz"));
	l = str_cstr("  ");
	ck_assert_int_eq(sanity_split_extensions(&l, out, 4), 0);
	l = str_cstr("foo,,bar");
	ck_assert_int_eq(sanity_split_extensions(&l, out, 4), -1);
	l = str_cstr("a b");
	ck_assert_int_eq(sanity_split_extensions(&l, out, 4), -1);
	l = str_cstr("a,b,c,d,e");
	ck_assert_int_eq(sanity_split_extensions(&l, out, 4), -1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mod_sanity");
	TCase *tc = tcase_create("checks");

	tcase_add_test(tc, t_good_request);
	tcase_add_test(tc, t_ruri);
	tcase_add_test(tc, t_ruri_override);
	tcase_add_test(tc, t_required);
	tcase_add_test(tc, t_via);
	tcase_add_test(tc, t_cseq);
	tcase_add_test(tc, t_content_length);
	tcase_add_test(tc, t_expires);
	tcase_add_test(tc, t_proxy_require);
	tcase_add_test(tc, t_parse_uris);
	tcase_add_test(tc, t_digest);
	tcase_add_test(tc, t_duptags);
	tcase_add_test(tc, t_order);
	tcase_add_test(tc, t_reply);
	tcase_add_test(tc, t_garbage);
	suite_add_tcase(s, tc);
	tc = tcase_create("readers");
	tcase_add_test(tc, t_uri);
	tcase_add_test(tc, t_addr);
	tcase_add_test(tc, t_list);
	tcase_add_test(tc, t_auth);
	tcase_add_test(tc, t_extensions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(suite());
}
