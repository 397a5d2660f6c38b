/*
 * check_mod_pv_pure.c - the pv module's pure functions: the string work
 * behind {s.*}, URI and parameter-list parsing, digest credentials.
 * Linked into check_mod_pv (see check_mod_pv.c for the suite).
 * Expected values are what Kamailio 5.6 gives for the same input.
 */
#include "config.h"

#include <string.h>

#include "modules/pv/pv_cred.h"
#include "modules/pv/pv_trans.h"
#include "tcheck.h"

TCase *pv_pure_tcase(void);

/* --- pure string functions --------------------------------------------------- */

START_TEST(t_pure_int)
{
	long long n;

	ck_assert_int_eq(pvt_int(STR_LIT("42"), &n), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(pvt_int(STR_LIT("-7"), &n), 0);
	ck_assert_int_eq(n, -7);
	ck_assert_int_eq(pvt_int(STR_LIT("+5"), &n), 0);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(pvt_int(STR_LIT("-9223372036854775808"), &n), 0);
	ck_assert(n == -9223372036854775807LL - 1);
	ck_assert_int_eq(pvt_int(STR_LIT("9223372036854775808"), &n), -1);
	ck_assert_int_eq(pvt_int(STR_LIT("12abc"), &n), -1);
	ck_assert_int_eq(pvt_int(STR_LIT(" 5"), &n), -1);
	ck_assert_int_eq(pvt_int(STR_LIT("-"), &n), -1);
	ck_assert_int_eq(pvt_int(STR_LIT(""), &n), -1);
}
END_TEST

static void
eq_str(str_t got, const char *want)
{
	ck_assert_msg(got.len == strlen(want) && (got.len == 0 ||
	    memcmp(got.s, want, got.len) == 0), "got '%.*s', want '%s'",
	    STR_FMT(&got), want);
}

START_TEST(t_pure_substr_select)
{
	str_t in = STR_LIT("hello world"), o;

	ck_assert_int_eq(pvt_substr(in, -3, 0, &o), 0);
	eq_str(o, "rld");
	ck_assert_int_eq(pvt_substr(in, 2, 3, &o), 0);
	eq_str(o, "llo");
	ck_assert_int_eq(pvt_substr(in, 6, 100, &o), 0);
	eq_str(o, "world");
	ck_assert_int_eq(pvt_substr(in, -11, 0, &o), 0);
	eq_str(o, "hello world");
	ck_assert_int_eq(pvt_substr(in, 11, 1, &o), -1);
	ck_assert_int_eq(pvt_substr(in, -12, 1, &o), -1);
	ck_assert_int_eq(pvt_substr(in, 0, -1, &o), -1);
	ck_assert_int_eq(pvt_substr(STR_LIT(""), 0, 0, &o), -1);

	in = STR_LIT("a,b,,c");
	pvt_select(in, 0, ',', &o);
	eq_str(o, "a");
	pvt_select(in, -1, ',', &o);
	eq_str(o, "c");
	pvt_select(in, 2, ',', &o);
	eq_str(o, "");
	pvt_select(in, -2, ',', &o);
	eq_str(o, "");
	pvt_select(in, 3, ',', &o);
	eq_str(o, "c");
	pvt_select(in, 4, ',', &o);
	eq_str(o, "");
	pvt_select(in, -5, ',', &o);
	eq_str(o, "");
	pvt_select(STR_LIT("one two"), 1, ' ', &o);
	eq_str(o, "two");
}
END_TEST

START_TEST(t_pure_edit)
{
	struct arena a;
	str_t o, t;

	arena_init(&a, 0);
	ck_assert_int_eq(pvt_case(&a, STR_LIT("HeLLo1"), 0, &o), 0);
	eq_str(o, "hello1");
	ck_assert_int_eq(pvt_case(&a, STR_LIT("HeLLo1"), 1, &o), 0);
	eq_str(o, "HELLO1");
	pvt_strip(STR_LIT("Hello"), 2, 0, &o);
	eq_str(o, "llo");
	pvt_strip(STR_LIT("Hello"), 2, 1, &o);
	eq_str(o, "Hel");
	pvt_strip(STR_LIT("Hello"), 10, 0, &o);
	eq_str(o, "");
	pvt_strip(STR_LIT("Hello"), 9, 1, &o);
	eq_str(o, "");
	pvt_strip(STR_LIT("Hello"), -1, 0, &o);
	eq_str(o, "Hello");
	t = STR_LIT("  \t pad me \r\n");
	pvt_trim(&t, 1, 1);
	eq_str(t, "pad me");
	t = STR_LIT(" x ");
	pvt_trim(&t, 1, 0);
	eq_str(t, "x ");
	t = STR_LIT(" x ");
	pvt_trim(&t, 0, 1);
	eq_str(t, " x");
	t = STR_LIT("   ");
	pvt_trim(&t, 1, 1);
	eq_str(t, "");

	ck_assert_int_eq(pvt_escape_common(&a, STR_LIT("a'b\"c\\d\te"), &o), 0);
	eq_str(o, "a\\'b\\\"c\\\\d\te");
	ck_assert_int_eq(pvt_escape_common(&a, str_make("x\0y", 3), &o), 0);
	eq_str(o, "x\\0y");
	ck_assert_int_eq(pvt_unescape_common(&a, STR_LIT("a\\'b\\\"c\\\\d"),
	    &o), 0);
	eq_str(o, "a'b\"c\\d");
	ck_assert_int_eq(pvt_unescape_common(&a, STR_LIT("x\\ny\\0z\\"), &o),
	    0);
	ck_assert_uint_eq(o.len, 7);
	ck_assert_int_eq(memcmp(o.s, "x\\ny\0z\\", 7), 0);

	ck_assert_int_eq(pvt_replace(&a, STR_LIT("aXbXXc"), STR_LIT("X"),
	    STR_LIT("yz"), &o), 0);
	eq_str(o, "ayzbyzyzc");
	ck_assert_int_eq(pvt_replace(&a, STR_LIT("aXbXXc"), STR_LIT("XX"),
	    STR_LIT("-"), &o), 0);
	eq_str(o, "aXb-c");
	ck_assert_int_eq(pvt_replace(&a, STR_LIT("hello"), STR_LIT("ll"),
	    STR_LIT(""), &o), 0);
	eq_str(o, "heo");
	ck_assert_int_eq(pvt_replace(&a, STR_LIT("hello"), STR_LIT(""),
	    STR_LIT("x"), &o), 0);
	eq_str(o, "hello");
	ck_assert_int_eq(pvt_replace(&a, STR_LIT("aaa"), STR_LIT("aa"),
	    STR_LIT("b"), &o), 0);
	eq_str(o, "ba");
	ck_assert_int_eq(pvt_numeric(&a, STR_LIT("a1b2-3c"), &o), 0);
	eq_str(o, "123");
	pvt_unquote(STR_LIT("\"quoted\""), &o);
	eq_str(o, "quoted");
	pvt_unquote(STR_LIT("'q'"), &o);
	eq_str(o, "q");
	pvt_unquote(STR_LIT("<sip:x>"), &o);
	eq_str(o, "<sip:x>");
	pvt_unquote(STR_LIT("\""), &o);
	eq_str(o, "\"");
	pvt_unbracket(STR_LIT("<sip:x>"), &o);
	eq_str(o, "sip:x");
	arena_free(&a);
}
END_TEST

START_TEST(t_pure_digest_hex)
{
	struct arena a;
	str_t o;

	arena_init(&a, 0);
	ck_assert_int_eq(pvt_digest(&a, STR_LIT("Hello"), "md5", &o), 0);
	eq_str(o, "8b1a9953c4611296a827abf8c47804d7");
	ck_assert_int_eq(pvt_digest(&a, STR_LIT(""), "md5", &o), 0);
	eq_str(o, "d41d8cd98f00b204e9800998ecf8427e");
	ck_assert_int_eq(pvt_digest(&a, STR_LIT("Hello"), "sha256", &o), 0);
	eq_str(o, "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d17648"
	    "26381969");
	ck_assert_int_eq(pvt_digest(&a, STR_LIT("abc"), "sha384", &o), 0);
	eq_str(o, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a"
	    "43ff5bed8086072ba1e7cc2358baeca134c825a7");
	ck_assert_int_eq(pvt_digest(&a, STR_LIT("abc"), "sha512", &o), 0);
	ck_assert_uint_eq(o.len, 128);
	ck_assert_int_eq(pvt_digest(&a, STR_LIT("abc"), "nonesuch", &o), -1);
	ck_assert_int_eq(pvt_hex_encode(&a, STR_LIT("z/"), &o), 0);
	eq_str(o, "7a2f");
	ck_assert_int_eq(pvt_hex_decode(&a, STR_LIT("7A2f"), &o), 0);
	eq_str(o, "z/");
	ck_assert_int_eq(pvt_hex_decode(&a, STR_LIT("7a2"), &o), -1);
	ck_assert_int_eq(pvt_hex_decode(&a, STR_LIT("zz"), &o), -1);
	arena_free(&a);
}
END_TEST

/* --- URIs and parameters ---------------------------------------------------- */

START_TEST(t_pure_uri)
{
	struct pvt_uri u;

	ck_assert_int_eq(pvt_uri_parse(STR_LIT("sips:alice:pw@Example.com:5071;"
	    "transport=TCP;lr;x=1?h=v"), &u), 0);
	eq_str(u.scheme, "sips");
	eq_str(u.user, "alice");
	eq_str(u.passwd, "pw");
	eq_str(u.host, "Example.com");
	eq_str(u.port, "5071");
	eq_str(u.params, "transport=TCP;lr;x=1");
	eq_str(u.headers, "h=v");
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("sip:example.com"), &u), 0);
	ck_assert_uint_eq(u.user.len + u.port.len + u.params.len, 0);
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("sip:user;a=b@h.com:99;p=1"),
	    &u), 0);
	eq_str(u.user, "user;a=b");
	eq_str(u.host, "h.com");
	eq_str(u.port, "99");
	eq_str(u.params, "p=1");
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("sip:alice@[::1]:5062;"
	    "transport=tls"), &u), 0);
	eq_str(u.host, "[::1]");
	eq_str(u.port, "5062");
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("SIP:Bob@H"), &u), 0);
	eq_str(u.scheme, "SIP");
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("tel:+123;phone-context=x"),
	    &u), 0);
	eq_str(u.user, "+123");
	eq_str(u.host, "");
	eq_str(u.params, "phone-context=x");
	ck_assert_int_eq(pvt_uri_parse(STR_LIT("sip:h:0"), &u), 0);
	eq_str(u.port, "0");

	static const char *const bad[] = {
		"garbage", "<sip:u@h:5060;lr>", "sip:h:abc", "sip:@h",
		"sip:h:70000", "http://x", "sip:", "sip:h:", "sip:[::1",
		"sip:a b", "tel:", "sip:u@", "sip:[]", "sip:[zz]:5060",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pvt_uri_parse(str_cstr(bad[i]), &u) == -1,
		    "'%s' parsed", bad[i]);
}
END_TEST

START_TEST(t_pure_params)
{
	str_t l = STR_LIT("a=1;b=2;c;d="), v;
	struct pvt_param p;

	ck_assert_int_eq(pvt_param_count(l, ';'), 4);
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("b"), &v), 1);
	eq_str(v, "2");
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("B"), &v), 1);
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("c"), &v), 1);
	eq_str(v, "");
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("z"), &v), 0);
	ck_assert_int_eq(pvt_param_at(l, ';', 1, &p), 1);
	eq_str(p.name, "b");
	eq_str(p.value, "2");
	ck_assert_int_eq(pvt_param_at(l, ';', -1, &p), 1);
	eq_str(p.name, "d");
	ck_assert_int_eq(pvt_param_at(l, ';', 9, &p), 0);
	ck_assert_int_eq(pvt_param_at(l, ';', -5, &p), 0);
	l = STR_LIT(" a = 1 ; b=\"x;y\" ;c;");
	ck_assert_int_eq(pvt_param_count(l, ';'), 3);
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("a"), &v), 1);
	eq_str(v, "1");
	ck_assert_int_eq(pvt_param_find(l, ';', STR_LIT("b"), &v), 1);
	eq_str(v, "x;y");
	ck_assert_int_eq(pvt_param_count(STR_LIT("a=1&b=2"), '&'), 2);
	ck_assert_int_eq(pvt_param_count(STR_LIT(""), ';'), 0);
}
END_TEST

START_TEST(t_pure_cred)
{
	struct pv_cred c;

	ck_assert_int_eq(pv_cred_parse(STR_LIT("Digest username=\"alice@"
	    "atlanta.com\", realm=\"biloxi.com\", nonce=\"n,x\", uri=\"sip:x\","
	    " response=\"r\", algorithm=MD5, nc=00000001"), &c), 0);
	eq_str(c.username, "alice@atlanta.com");
	eq_str(c.user, "alice");
	eq_str(c.domain, "atlanta.com");
	eq_str(c.realm, "biloxi.com");
	ck_assert_int_eq(pv_cred_parse(STR_LIT("  digest  realm = \"r.org\" ,"
	    "username=bob"), &c), 0);
	eq_str(c.user, "bob");
	eq_str(c.domain, "r.org");
	ck_assert_int_eq(pv_cred_parse(STR_LIT("Digest username=\"a\\\"b\""),
	    &c), 0);
	eq_str(c.username, "a\\\"b");
	ck_assert_ptr_null(c.realm.s);

	static const char *const bad[] = {
		"Basic dXNlcjpwYXNz", "Digest", "Digest username=\"x",
		"Digest realm=\"r\"", "Digest username", "Digest =x",
		"Digest username=a realm=b", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pv_cred_parse(str_cstr(bad[i]), &c) == -1,
		    "'%s' parsed", bad[i]);
}
END_TEST

TCase *
pv_pure_tcase(void)
{
	TCase *tp = tcase_create("pure");

	tcase_add_test(tp, t_pure_int);
	tcase_add_test(tp, t_pure_substr_select);
	tcase_add_test(tp, t_pure_edit);
	tcase_add_test(tp, t_pure_digest_hex);
	tcase_add_test(tp, t_pure_uri);
	tcase_add_test(tp, t_pure_params);
	tcase_add_test(tp, t_pure_cred);
	return tp;
}
