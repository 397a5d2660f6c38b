/*
 * check_mod_registrar.c - the registrar's pure parts: Contact header
 * parsing (name-addr, addr-spec, several per line, parameters, "*",
 * one case per error class), Expires and q values, SIP URI pieces, the
 * AOR of a To URI, the 200 OK's Contact list with remaining
 * expires, and the extension headers: Path values (RFC 3327), Allow
 * lists and the Contact methods parameter as Kamailio's method bits,
 * Supported option tags, the Path echo.
 */
#include "config.h"

#include <string.h>

#include "core/arena.h"
#include "modules/registrar/reg_hdr.h"
#include "modules/registrar/reg_parse.h"
#include "modules/registrar/reg_reply.h"
#include "tcheck.h"

static struct reg_contact cv[8];
static char err[REG_ERR_LEN];

static enum reg_perr
parse(const char *body, int *n, int *star)
{
	str_t b = str_cstr(body);

	*n = 0;
	*star = 0;
	return reg_parse_contacts(&b, cv, 8, n, star, err, sizeof(err));
}

START_TEST(test_contact_forms)
{
	int n, star;

	ck_assert_int_eq(parse("<sip:a@1.2.3.4:5060;transport=tcp>;expires=30;"
	    "q=0.7", &n, &star), REG_PE_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(star, 0);
	ck_assert(str_eq_cstr(&cv[0].uri, "sip:a@1.2.3.4:5060;transport=tcp"));
	ck_assert_int_eq(cv[0].expires, 30);
	ck_assert_int_eq(cv[0].q, 700);

	ck_assert_int_eq(parse("\"Alice, \\\"A\\\" <x>\" <sip:a@h> , "
	    "Bob <sips:b@h:5061>;Q=1 ,sip:c@h;expires=0", &n, &star),
	    REG_PE_OK);
	ck_assert_int_eq(n, 3);
	ck_assert(str_eq_cstr(&cv[0].uri, "sip:a@h"));
	ck_assert_int_eq(cv[0].expires, REG_NO_EXP);
	ck_assert_int_eq(cv[0].q, REG_NO_Q);
	ck_assert(str_eq_cstr(&cv[1].uri, "sips:b@h:5061"));
	ck_assert_int_eq(cv[1].q, 1000);
	/* addr-spec: the parameters are the header's */
	ck_assert(str_eq_cstr(&cv[2].uri, "sip:c@h"));
	ck_assert_int_eq(cv[2].expires, 0);

	ck_assert_int_eq(parse("<sip:a@h>;+sip.instance=\"<urn:uuid:1-2>\";"
	    "reg-id=3;other;x=\"q;,\"", &n, &star), REG_PE_OK);
	ck_assert(str_eq_cstr(&cv[0].instance, "\"<urn:uuid:1-2>\""));
	ck_assert_int_eq(cv[0].reg_id, 3);

	ck_assert_int_eq(parse("  *  ", &n, &star), REG_PE_OK);
	ck_assert_int_eq(star, 1);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_contact_errors)
{
	int n, star;

	ck_assert_int_eq(parse("<sip:a@h>;expires=abc", &n, &star),
	    REG_PE_EXPIRES);
	ck_assert_str_eq(err, "bad expires parameter 'abc'");
	ck_assert_int_eq(parse("<sip:a@h>;expires", &n, &star), REG_PE_EXPIRES);
	ck_assert_int_eq(parse("<sip:a@h>;q=1.5", &n, &star), REG_PE_Q);
	ck_assert_str_eq(err, "bad q parameter '1.5'");
	ck_assert_int_eq(parse("<sip:a@h>;reg-id=x", &n, &star), REG_PE_REGID);
	ck_assert_int_eq(parse("<sip:a@h", &n, &star), REG_PE_CONTACT);
	ck_assert_str_eq(err, "'>' missing");
	ck_assert_int_eq(parse("garbage", &n, &star), REG_PE_CONTACT);
	ck_assert_str_eq(err, "'garbage' is not a URI");
	ck_assert_int_eq(parse("", &n, &star), REG_PE_CONTACT);
	ck_assert_int_eq(parse("<sip:a@h>,", &n, &star), REG_PE_CONTACT);
	ck_assert_int_eq(parse("* <sip:a@h>", &n, &star), REG_PE_CONTACT);
	ck_assert_int_eq(parse("\"open <sip:a@h>", &n, &star), REG_PE_CONTACT);
	ck_assert_int_eq(parse("<sip:a@h> junk", &n, &star), REG_PE_CONTACT);
	ck_assert_int_eq(parse("<sip:1@h>,<sip:2@h>,<sip:3@h>,<sip:4@h>,"
	    "<sip:5@h>,<sip:6@h>,<sip:7@h>,<sip:8@h>,<sip:9@h>", &n, &star),
	    REG_PE_TOO_MANY);
}
END_TEST

START_TEST(test_expires_and_q)
{
	long long e;
	char buf[16];
	int q;
	str_t s;

	s = str_cstr(" 3600 ");
	ck_assert_int_eq(reg_parse_expires(&s, &e), 0);
	ck_assert_int_eq(e, 3600);
	s = str_cstr("99999999999999999999");
	ck_assert_int_eq(reg_parse_expires(&s, &e), 0);
	ck_assert_int_eq(e, REG_MAX_EXP);
	s = str_cstr("-1");
	ck_assert_int_eq(reg_parse_expires(&s, &e), -1);
	s = str_cstr("");
	ck_assert_int_eq(reg_parse_expires(&s, &e), -1);
	s = str_cstr("12s");
	ck_assert_int_eq(reg_parse_expires(&s, &e), -1);

	static const struct { const char *in; int q; } ok[] = {
		{ "0", 0 }, { "1", 1000 }, { "0.5", 500 }, { "0.25", 250 },
		{ "0.125", 125 }, { "1.000", 1000 }, { "0.", 0 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = str_cstr(ok[i].in);
		ck_assert_int_eq(reg_parse_q(&s, &q), 0);
		ck_assert_int_eq(q, ok[i].q);
	}
	static const char *bad[] = { "", "2", "1.5", "0.1234", "-0.1", "0,5",
		"a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = str_cstr(bad[i]);
		ck_assert_msg(reg_parse_q(&s, &q) == -1, "%s", bad[i]);
	}
	reg_print_q(500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.5");
	reg_print_q(125, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.125");
	reg_print_q(1000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1");
	reg_print_q(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
	reg_print_q(50, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.05");
}
END_TEST

START_TEST(test_uri)
{
	struct reg_uri u;
	str_t s, v;

	s = str_cstr("sip:alice:pw@Example.COM:5070;transport=TCP;lr?X=1");
	ck_assert_int_eq(reg_parse_uri(&s, &u), 0);
	ck_assert(str_eq_cstr(&u.scheme, "sip"));
	ck_assert(str_eq_cstr(&u.user, "alice"));
	ck_assert(str_eq_cstr(&u.host, "Example.COM"));
	ck_assert_int_eq(u.port, 5070);
	ck_assert(str_eq_cstr(&u.params, "transport=TCP;lr"));
	ck_assert_int_eq(reg_uri_param(&u.params, "transport", &v), 1);
	ck_assert(str_eq_cstr(&v, "TCP"));
	ck_assert_int_eq(reg_uri_param(&u.params, "lr", &v), 1);
	ck_assert_int_eq(v.len, 0);
	ck_assert_int_eq(reg_uri_param(&u.params, "maddr", &v), 0);

	s = str_cstr("sip:[::1]:5060");
	ck_assert_int_eq(reg_parse_uri(&s, &u), 0);
	ck_assert(str_eq_cstr(&u.host, "[::1]"));
	ck_assert_int_eq(u.user.len, 0);

	static const char *bad[] = { "sip:", "nocolon", "sip:a@h:99999",
		"sip:a@h:x", "sip:[::1", ":a@h" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = str_cstr(bad[i]);
		ck_assert_msg(reg_parse_uri(&s, &u) == -1, "%s", bad[i]);
	}
}
END_TEST

static const char *
aor(const char *uri, int use_domain, int cs, const char *prefix, int *rc)
{
	static char buf[64];
	const char *e;
	str_t s = str_cstr(uri);

	*rc = reg_aor_build(&s, use_domain, cs, prefix, buf, sizeof(buf), &e);
	return *rc < 0 ? e : buf;
}

START_TEST(test_aor)
{
	int rc;

	ck_assert_str_eq(aor("sip:Alice@Example.com;user=phone", 0, 0, NULL,
	    &rc), "alice");
	ck_assert_str_eq(aor("sip:Alice@Example.com", 1, 0, NULL, &rc),
	    "alice@example.com");
	ck_assert_str_eq(aor("sip:Alice@Example.com:5060", 1, 1, NULL, &rc),
	    "Alice@example.com");
	ck_assert_str_eq(aor("sip:a%40b@h", 0, 1, NULL, &rc), "a@b");
	ck_assert_str_eq(aor("sip:u@sip.example.com", 1, 0, "sip.", &rc),
	    "u@example.com");
	ck_assert_str_eq(aor("sip:example.com", 0, 0, NULL, &rc),
	    "Error while parsing AOR");
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(aor("sip:a%4@h", 0, 0, NULL, &rc),
	    "Error while unescaping username");
	ck_assert_str_eq(aor("sip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaa@h", 0, 0, NULL, &rc),
	    "Address Of Record too long");
}
END_TEST

START_TEST(test_reply_contacts)
{
	struct ul_contact_info v[3];
	struct ul_contacts cs = { v, 3 };
	struct arena a;
	str_t out;

	memset(v, 0, sizeof(v));
	v[0].c = STR_LIT("sip:a@1.2.3.4");
	v[0].expires = 1100;
	v[0].q = 500;
	v[0].received = STR_LIT("sip:5.6.7.8:1024");
	v[1].c = STR_LIT("sip:gone@h");
	v[1].expires = 1000;            /* expired at now: not listed */
	v[1].q = UL_Q_UNSET;
	v[2].c = STR_LIT("sip:b@h;transport=tcp");
	v[2].expires = 1060;
	v[2].q = UL_Q_UNSET;
	v[2].instance = STR_LIT("\"<urn:uuid:x>\"");
	v[2].reg_id = 1;
	arena_init(&a, 0);
	ck_assert_int_eq(reg_reply_contacts(&cs, 1000, &a, &out), 0);
	ck_assert_int_eq(out.len, strlen(out.s));
	ck_assert_str_eq(out.s, "Contact: <sip:a@1.2.3.4>;expires=100;q=0.5;"
	    "received=\"sip:5.6.7.8:1024\", <sip:b@h;transport=tcp>;"
	    "expires=60;+sip.instance=\"<urn:uuid:x>\";reg-id=1\r\n");
	cs.n = 0;
	ck_assert_int_eq(reg_reply_contacts(&cs, 1000, &a, &out), 0);
	ck_assert_int_eq(out.len, 0);

	ck_assert_int_eq(reg_reply_error_hdrs("Interval too brief", 60, 0, &a,
	    &out), 0);
	ck_assert_str_eq(out.s, "P-Registrar-Error: Interval too brief\r\n"
	    "Min-Expires: 60\r\n");
	ck_assert_int_eq(reg_reply_error_hdrs("Too many registered contacts",
	    0, 30, &a, &out), 0);
	ck_assert_str_eq(out.s, "P-Registrar-Error: Too many registered "
	    "contacts\r\nRetry-After: 30\r\n");
	arena_free(&a);
}
END_TEST

/* Many contacts: the reply buffer grows past its first size. */
START_TEST(test_reply_long)
{
	struct ul_contact_info v[40];
	struct ul_contacts cs = { v, 40 };
	struct arena a;
	str_t out;
	int commas = 0;

	memset(v, 0, sizeof(v));
	for (int i = 0; i < 40; i++) {
		v[i].c = STR_LIT("sip:someone@some.long.host.example.com:5060");
		v[i].expires = 2000;
		v[i].q = UL_Q_UNSET;
	}
	arena_init(&a, 0);
	ck_assert_int_eq(reg_reply_contacts(&cs, 1000, &a, &out), 0);
	for (size_t i = 0; i < out.len; i++)
		commas += out.s[i] == ',';
	ck_assert_int_eq(commas, 39);
	ck_assert(out.len > 40 * 50);
	arena_free(&a);
}
END_TEST

START_TEST(test_contact_methods_param)
{
	int n, star;

	ck_assert_int_eq(parse("<sip:a@h>;methods=\"INVITE,MESSAGE\";q=0.5, "
	    "<sip:b@h>;methods=INVITE, <sip:c@h>", &n, &star), REG_PE_OK);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(cv[0].has_methods, 1);
	ck_assert(str_eq_cstr(&cv[0].methods, "INVITE,MESSAGE"));
	ck_assert_int_eq(cv[0].q, 500);
	ck_assert_int_eq(cv[1].has_methods, 1);
	ck_assert(str_eq_cstr(&cv[1].methods, "INVITE"));
	ck_assert_int_eq(cv[2].has_methods, 0);
	ck_assert_int_eq(parse("<sip:a@h>;methods=\"\"", &n, &star),
	    REG_PE_OK);
	ck_assert_int_eq(cv[0].has_methods, 1);
	ck_assert_int_eq(cv[0].methods.len, 0);
}
END_TEST

static unsigned
methods(const char *list, int *rc)
{
	str_t s = str_cstr(list);
	unsigned m = 0;

	*rc = reg_methods_parse(&s, &m);
	return m;
}

START_TEST(test_methods)
{
	static const char *names[] = { "INVITE", "CANCEL", "ACK", "BYE",
		"INFO", "REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "OPTIONS",
		"PRACK", "UPDATE", "REFER", "PUBLISH", "KDMQ", "GET", "POST",
		"PUT", "DELETE" };
	str_t s;
	int rc;

	/* Kamailio's values, as its ul.dump shows them */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = str_cstr(names[i]);
		ck_assert_uint_eq(reg_method_bit(&s), 1u << i);
	}
	s = str_cstr("FOO");
	ck_assert_uint_eq(reg_method_bit(&s), REG_METHOD_OTHER);
	ck_assert_uint_eq(REG_METHOD_OTHER, 524288);
	s = str_cstr("invite");
	ck_assert_uint_eq(reg_method_bit(&s), 1);

	ck_assert_uint_eq(methods("INVITE, ACK, CANCEL, BYE, OPTIONS", &rc),
	    527);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(methods("INVITE, FOO, BAR", &rc), 524289);
	ck_assert_uint_eq(methods(" INVITE ,  BYE ", &rc), 9);
	ck_assert_uint_eq(methods("INVITE,", &rc), 1);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(methods("", &rc), 0);
	ck_assert_int_eq(rc, 0);
	methods("INVITE BYE", &rc);
	ck_assert_int_eq(rc, -1);
	methods("INVITE,,@@@ BYE", &rc);
	ck_assert_int_eq(rc, -1);
	methods("\"INVITE\"", &rc);
	ck_assert_int_eq(rc, -1);
}
END_TEST

START_TEST(test_option_tag)
{
	str_t s = str_cstr("replaces, PATH ,100rel");

	ck_assert_int_eq(reg_option_tag(&s, "path"), 1);
	ck_assert_int_eq(reg_option_tag(&s, "100rel"), 1);
	ck_assert_int_eq(reg_option_tag(&s, "gruu"), 0);
	s = str_cstr("pathx, xpath");
	ck_assert_int_eq(reg_option_tag(&s, "path"), 0);
	s = str_cstr("");
	ck_assert_int_eq(reg_option_tag(&s, "path"), 0);
}
END_TEST

static int
path(const char *body, int *count, str_t *first)
{
	str_t b = str_cstr(body);

	return reg_path_parse(&b, count, first, err, sizeof(err));
}

START_TEST(test_path)
{
	str_t first;
	int n;

	ck_assert_int_eq(path("<sip:p1@10.0.0.1;lr>", &n, &first), 0);
	ck_assert_int_eq(n, 1);
	ck_assert(str_eq_cstr(&first, "sip:p1@10.0.0.1;lr"));
	/* a vector as save() joins it: bodies with ',' */
	ck_assert_int_eq(path("<sip:p1@10.0.0.1;lr>, <sip:p2@10.0.0.2;lr>,"
	    "\"edge, \\\"x\\\"\" <sip:p3@10.0.0.3;lr;ob>;foo=bar;k=\"a;,b\"",
	    &n, &first), 0);
	ck_assert_int_eq(n, 3);
	ck_assert(str_eq_cstr(&first, "sip:p1@10.0.0.1;lr"));
	ck_assert_int_eq(path(" Edge Proxy <sips:p1@[::1]:5061;lr;"
	    "transport=tls> ", &n, &first), 0);
	ck_assert(str_eq_cstr(&first, "sips:p1@[::1]:5061;lr;transport=tls"));
	ck_assert_int_eq(path("<sip:a@h;lr> , <SIP:b@h>", &n, NULL), 0);
	ck_assert_int_eq(n, 2);

	ck_assert_int_eq(path("sip:x@1.2.3.4;lr", &n, &first), -1);
	ck_assert_str_eq(err, "a Path value must be a name-addr (<uri>)");
	ck_assert_int_eq(path("<sip:x@1.2.3.4;lr", &n, &first), -1);
	ck_assert_str_eq(err, "'>' missing");
	ck_assert_int_eq(path("garbage<<", &n, &first), -1);
	ck_assert_int_eq(path("<http://x>", &n, &first), -1);
	ck_assert_str_eq(err, "'http://x' is not a SIP URI");
	ck_assert_int_eq(path("<sip:>", &n, &first), -1);
	ck_assert_int_eq(path("<sip:p1@h;lr>,", &n, &first), -1);
	ck_assert_str_eq(err, "empty value after ','");
	ck_assert_int_eq(path("", &n, &first), -1);
	ck_assert_int_eq(path("<sip:p1@h> junk", &n, &first), -1);
	ck_assert_int_eq(path("<sip:p1@h>;", &n, &first), -1);
	ck_assert_int_eq(path("<sip:p1@h>;x=", &n, &first), -1);
	ck_assert_int_eq(path("<sip:p1@h>;x=\"open", &n, &first), -1);
	ck_assert_int_eq(path("\"open <sip:p1@h>", &n, &first), -1);
}
END_TEST

START_TEST(test_reply_path)
{
	str_t p = STR_LIT("<sip:p1@h;lr>,<sip:p2@h;lr>"), out;
	struct arena a;

	arena_init(&a, 0);
	ck_assert_int_eq(reg_reply_path_hdrs(&p, 0, &a, &out), 0);
	ck_assert_int_eq(out.len, strlen(out.s));
	ck_assert_str_eq(out.s, "Path: <sip:p1@h;lr>,<sip:p2@h;lr>\r\n");
	ck_assert_int_eq(reg_reply_path_hdrs(&p, 1, &a, &out), 0);
	ck_assert_str_eq(out.s, "Unsupported: path\r\n"
	    "Path: <sip:p1@h;lr>,<sip:p2@h;lr>\r\n");
	p = STR_NULL;
	ck_assert_int_eq(reg_reply_path_hdrs(&p, 1, &a, &out), 0);
	ck_assert_int_eq(out.len, 0);
	arena_free(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("registrar");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_contact_forms);
	tcase_add_test(tc, test_contact_errors);
	tcase_add_test(tc, test_expires_and_q);
	tcase_add_test(tc, test_uri);
	tcase_add_test(tc, test_aor);
	tcase_add_test(tc, test_reply_contacts);
	tcase_add_test(tc, test_reply_long);
	tcase_add_test(tc, test_contact_methods_param);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_option_tag);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_reply_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(suite());
}
