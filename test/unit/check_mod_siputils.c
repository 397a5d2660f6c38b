/*
 * check_mod_siputils.c - siputils' URI reading and comparisons
 * (modules/siputils/su_uri.c), one table per function.
 */
#include "config.h"

#include <string.h>

#include "core/log.h"
#include "modules/siputils/su_uri.h"
#include "tcheck.h"

static str_t
S(const char *s)
{
	return str_cstr(s);
}

START_TEST(t_parse)
{
	static const struct {
		const char *in, *user, *host, *params, *headers;
		int port, secure;
	} rows[] = {
		{ "sip:bob@example.com", "bob", "example.com", "", "", 0, 0 },
		{ "sips:bob:pw@h:5061;transport=tls?subject=x", "bob", "h",
		  ";transport=tls", "subject=x", 5061, 1 },
		{ "<sip:127.0.0.1:5070;lr>", "", "127.0.0.1", ";lr", "", 5070,
		  0 },
		{ "SIP:+4912;npdi@[::1]:7;user=phone", "+4912", "[::1]",
		  ";user=phone", "", 7, 0 },
		{ "  sip:h  ", "", "h", "", "", 0, 0 },
	};
	static const char *const bad[] = { "", "tel:+123", "sip:", "sip:@",
	    "sip:bob@", "sip:h:", "sip:h:99999", "sip:[::1", "sip:h:5x",
	    "mailto:a@b" };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct su_uri u;
		str_t in = S(rows[i].in);

		ck_assert_msg(su_uri_parse(&in, &u) == 0, "row %zu", i);
		ck_assert_msg(str_eq_cstr(&u.user, rows[i].user), "user %zu",
		    i);
		ck_assert_msg(str_eq_cstr(&u.host, rows[i].host), "host %zu",
		    i);
		ck_assert_msg(str_eq_cstr(&u.params, rows[i].params),
		    "params %zu", i);
		ck_assert_msg(str_eq_cstr(&u.headers, rows[i].headers),
		    "headers %zu", i);
		ck_assert_int_eq(u.port, rows[i].port);
		ck_assert_int_eq(u.secure, rows[i].secure);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct su_uri u;
		str_t in = S(bad[i]);

		ck_assert_msg(su_uri_parse(&in, &u) == -1, "'%s' parsed",
		    bad[i]);
	}
}
END_TEST

START_TEST(t_param_find)
{
	str_t p = S(";lr;transport=TCP;ftag=a=b;;x"), v;

	ck_assert_int_eq(su_param_find(&p, &STR_LIT("LR"), &v), 1);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_int_eq(su_param_find(&p, &STR_LIT("transport"), &v), 1);
	ck_assert(str_eq_cstr(&v, "TCP"));
	ck_assert_int_eq(su_param_find(&p, &STR_LIT("ftag"), &v), 1);
	ck_assert(str_eq_cstr(&v, "a=b"));
	ck_assert_int_eq(su_param_find(&p, &STR_LIT("x"), &v), 1);
	ck_assert_int_eq(su_param_find(&p, &STR_LIT("l"), &v), 0);
	ck_assert_int_eq(su_param_find(&STR_LIT(""), &STR_LIT("lr"), &v), 0);
}
END_TEST

START_TEST(t_e164)
{
	static const struct { const char *s; int ok; } rows[] = {
		{ "+49", 1 }, { "+123456789012345", 1 },
		{ "+1234567890123456", 0 }, { "+4", 0 }, { "4912345", 0 },
		{ "+49 12", 0 }, { "+", 0 }, { "", 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		str_t s = S(rows[i].s);

		ck_assert_msg(su_is_e164(&s) == rows[i].ok, "'%s'", rows[i].s);
	}
}
END_TEST

START_TEST(t_cmp)
{
	/* RFC 3261 19.1.4's own examples, and Kamailio 5.6 run side by
	 * side for the last rows */
	static const struct { const char *a, *b; int uri, aor; } rows[] = {
		{ "sip:%61lice@atlanta.com;transport=TCP",
		  "sip:%61lice@atlanta.com;transport=tcp", 1, 1 },
		{ "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5",
		  1, 1 },
		{ "sip:carol@chicago.com;security=on",
		  "sip:carol@chicago.com;security=off", 0, 1 },
		{ "sip:alice@atlanta.com", "sip:ALICE@atlanta.com", 0, 0 },
		{ "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", 0, 1 },
		{ "sip:bob@biloxi.com", "sips:bob@biloxi.com", 0, 0 },
		{ "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", 0,
		  1 },
		{ "sip:A@Host;transport=tcp", "sip:A@host;transport=TCP", 1, 1 },
		{ "sip:a@host;foo=1", "sip:a@host", 1, 1 },
		{ "sip:a@host:5060", "sip:a@HOST", 0, 1 },
		{ "sip:a@host:5070", "sip:a@host", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		str_t a = S(rows[i].a), b = S(rows[i].b);

		ck_assert_msg(su_uri_cmp(&a, &b) == rows[i].uri, "uri %zu", i);
		ck_assert_msg(su_uri_cmp(&b, &a) == rows[i].uri, "uri' %zu",
		    i);
		ck_assert_msg(su_aor_cmp(&a, &b) == rows[i].aor, "aor %zu", i);
	}
	ck_assert_int_eq(su_uri_cmp(&STR_LIT("x"), &STR_LIT("sip:h")), -1);
}
END_TEST

START_TEST(t_add_param)
{
	static const struct { const char *in, *p, *out; } rows[] = {
		{ "sip:bob@h", "nat=yes", "sip:bob@h;nat=yes" },
		{ "sip:bob@h;lr", "x", "sip:bob@h;lr;x" },
		{ "sip:bob@h?subject=a", "x", "sip:bob@h;x?subject=a" },
		{ "<sip:bob@h>", "x", "<sip:bob@h;x>" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		str_t in = S(rows[i].in), p = S(rows[i].p);
		long n = su_uri_add_param(&in, &p, buf, sizeof(buf));

		ck_assert_msg(n > 0, "row %zu", i);
		ck_assert_str_eq(buf, rows[i].out);
		ck_assert_int_eq(n, (long)strlen(rows[i].out));
	}
	ck_assert_int_eq(su_uri_add_param(&STR_LIT("sip:bob@h"),
	    &STR_LIT("x"), buf, 8), -1);
	ck_assert_int_eq(su_uri_add_param(&STR_LIT("bob"), &STR_LIT("x"),
	    buf, sizeof(buf)), -1);
}
END_TEST

static Suite *
su_suite(void)
{
	Suite *s = suite_create("siputils");
	TCase *tc = tcase_create("uri");

	tcase_add_test(tc, t_parse);
	tcase_add_test(tc, t_param_find);
	tcase_add_test(tc, t_e164);
	tcase_add_test(tc, t_cmp);
	tcase_add_test(tc, t_add_param);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(L_CRIT);
	return tcheck_run(su_suite());
}
