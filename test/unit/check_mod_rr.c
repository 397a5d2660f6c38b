/*
 * check_mod_rr.c - the rr module's pure parts: Route headers read as a
 * list with offsets (several per line, display names, header params,
 * one case per malformed form), URI parameters, the loose-routing plan
 * of RFC 3261 16.4 / 16.6 step 6 (loose, strict previous hop, strict
 * next hop, preloaded, double record-routing), the byte ranges that
 * remove Route values, and the Record-Route text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rr/rr_route.h"
#include "tcheck.h"

static struct rr_set set;
static char text[4096];

#define REQ_HEAD "BYE sip:bob@ua.example SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
#define REQ_TAIL "Call-ID: c1\r\nContent-Length: 0\r\n\r\n"

/* Scans REQ_HEAD hdrs REQ_TAIL into set; the scan's return code. */
static int
scan(const char *hdrs, const char **err, str_t *bad)
{
	str_t msg;

	snprintf(text, sizeof(text), "%s%s%s", REQ_HEAD, hdrs, REQ_TAIL);
	msg = str_cstr(text);
	return rr_set_scan(&msg, &set, err, bad);
}

static int
scan_ok(const char *hdrs)
{
	const char *err = NULL;
	str_t bad;
	int rc = scan(hdrs, &err, &bad);

	if (rc != 0)
		fprintf(stderr, "scan failed: %s\n", err);
	return rc;
}

START_TEST(test_scan_forms)
{
	ck_assert_int_eq(scan_ok("Route: <sip:a.example;lr>, \"Px, Y\" "
	    "<sip:u@b.example:5070;lr;ftag=x>;hp=\"q,\"\r\n"
	    "To: <sip:bob@b>;tag=2\r\n"
	    "route:<sip:c.example>\r\n"), 0);
	ck_assert_int_eq(set.n, 3);
	ck_assert_int_eq(set.nlines, 2);
	ck_assert(str_eq_cstr(&set.r[0].uri, "sip:a.example;lr"));
	ck_assert(str_eq_cstr(&set.r[0].params, ";lr"));
	ck_assert(str_eq_cstr(&set.r[0].value, "<sip:a.example;lr>"));
	ck_assert(str_eq_cstr(&set.r[1].uri, "sip:u@b.example:5070;lr;ftag=x"));
	ck_assert(str_eq_cstr(&set.r[1].params, ";lr;ftag=x"));
	ck_assert(str_eq_cstr(&set.r[1].value,
	    "\"Px, Y\" <sip:u@b.example:5070;lr;ftag=x>;hp=\"q,\""));
	ck_assert(str_eq_cstr(&set.r[2].uri, "sip:c.example"));
	ck_assert_int_eq(set.r[2].params.len, 0);
	ck_assert_int_eq(set.r[2].line, 1);
	ck_assert_int_eq(set.lines[0].first, 0);
	ck_assert_int_eq(set.lines[0].n, 2);
	ck_assert_int_eq(set.lines[1].first, 2);
	ck_assert_int_eq(set.lines[1].n, 1);
	/* a line's range is the whole line with its CRLF */
	ck_assert_int_eq(strncmp(text + set.lines[1].off,
	    "route:<sip:c.example>\r\n", set.lines[1].len), 0);
	ck_assert_int_eq(set.lines[1].len, strlen("route:<sip:c.example>\r\n"));
	ck_assert_int_eq(strncmp(text + set.lines[0].off, "Route: <sip:a", 13),
	    0);
	/* the end of the header block is the blank line */
	ck_assert_int_eq(strcmp(text + set.eoh, "\r\n"), 0);

	/* none at all, a folded one, IPv6 */
	ck_assert_int_eq(scan_ok("Record-Route: <sip:x;lr>\r\n"), 0);
	ck_assert_int_eq(set.n, 0);
	ck_assert_int_eq(strcmp(text + set.eoh, "\r\n"), 0);
	ck_assert_int_eq(scan_ok("Route: <sip:[::1]:5060;lr>,\r\n"
	    " <sip:d.example;lr>\r\n"), 0);
	ck_assert_int_eq(set.n, 2);
	ck_assert_int_eq(set.nlines, 1);
	ck_assert(str_eq_cstr(&set.r[0].params, ";lr"));
	ck_assert(str_eq_cstr(&set.r[1].uri, "sip:d.example;lr"));
}
END_TEST

START_TEST(test_scan_malformed)
{
	static const struct {
		const char *hdr;
		const char *err;
	} bad[] = {
		{ "Route: sip:proxy.example;lr\r\n", "without '<'" },
		{ "Route: %%%garbage\r\n", "without '<'" },
		{ "Route: <sip:proxy.example;lr\r\n", "closing '>'" },
		{ "Route: <>\r\n", "not a sip" },
		{ "Route: <http://x.example/>\r\n", "not a sip" },
		{ "Route: <sip:;lr>\r\n", "no host" },
		{ "Route: <sip:a.example:99999>\r\n", "bad port" },
		{ "Route: <sip:a.example>,\r\n", "empty Route value" },
		{ "Route: <sip:a.example>, ,<sip:b>\r\n", "empty Route value" },
		{ "Route:\r\n", "empty Route value" },
		{ "Route: \"open <sip:a.example>\r\n", "unclosed quote" },
	};
	const char *err;
	str_t b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ck_assert_msg(scan(bad[i].hdr, &err, &b) == -1, "%s", bad[i].hdr);
		ck_assert_msg(err != NULL && strstr(err, bad[i].err) != NULL,
		    "%s: got '%s', want '%s'", bad[i].hdr, err ? err : "(null)",
		    bad[i].err);
	}
	/* the offending value is reported */
	ck_assert_int_eq(scan("Route: <sip:a.example;lr>\r\nRoute: junk\r\n",
	    &err, &b), -1);
	ck_assert(str_eq_cstr(&b, "junk"));
}
END_TEST

START_TEST(test_scan_limits)
{
	char hdrs[3000];
	size_t o = 0;
	const char *err;
	str_t b;

	o += (size_t)snprintf(hdrs, sizeof(hdrs), "Route: ");
	for (int i = 0; i < RR_MAX_ROUTES; i++)
		o += (size_t)snprintf(hdrs + o, sizeof(hdrs) - o, "%s<sip:h%d>",
		    i ? "," : "", i);
	snprintf(hdrs + o, sizeof(hdrs) - o, "\r\n");
	ck_assert_int_eq(scan_ok(hdrs), 0);
	ck_assert_int_eq(set.n, RR_MAX_ROUTES);
	snprintf(hdrs + o, sizeof(hdrs) - o, ",<sip:one-more>\r\n");
	ck_assert_int_eq(scan(hdrs, &err, &b), -1);
	ck_assert(strstr(err, "too many") != NULL);
}
END_TEST

START_TEST(test_uri_params)
{
	str_t u, p, v;

	u = str_cstr("sip:al;x=1@host.example:5060;lr;ftag=a?h=1");
	p = rr_uri_params(&u);
	ck_assert(str_eq_cstr(&p, ";lr;ftag=a"));
	u = str_cstr("sip:[::1]:5060;lr");
	p = rr_uri_params(&u);
	ck_assert(str_eq_cstr(&p, ";lr"));
	u = str_cstr("sip:host.example");
	p = rr_uri_params(&u);
	ck_assert_int_eq(p.len, 0);

	u = str_cstr("sip:gw@proxy.example;lr");
	p = rr_uri_user(&u);
	ck_assert(str_eq_cstr(&p, "gw"));
	u = str_cstr("sips:a;b=c@[::1]:5061?x=@");
	p = rr_uri_user(&u);
	ck_assert(str_eq_cstr(&p, "a;b=c"));
	u = str_cstr("sip:proxy.example;lr");
	p = rr_uri_user(&u);
	ck_assert_int_eq(p.len, 0);

	p = str_cstr(";lr;ftag=abc; nat = yes ;R2=on");
	ck_assert_int_eq(rr_param_get(&p, "lr", &v), 1);
	ck_assert_int_eq(v.len, 0);
	ck_assert_int_eq(rr_param_get(&p, "LR", NULL), 1);
	ck_assert_int_eq(rr_param_get(&p, "ftag", &v), 1);
	ck_assert(str_eq_cstr(&v, "abc"));
	ck_assert_int_eq(rr_param_get(&p, "nat", &v), 1);
	ck_assert(str_eq_cstr(&v, "yes"));
	ck_assert_int_eq(rr_param_get(&p, "r2", &v), 1);
	ck_assert(str_eq_cstr(&v, "on"));
	ck_assert_int_eq(rr_param_get(&p, "l", NULL), 0);
	ck_assert_int_eq(rr_param_get(&p, "ftags", NULL), 0);
}
END_TEST

/* --- the plan --------------------------------------------------------------- */

/* "ours": the host is proxy.example */
static int
fake_mine(const str_t *uri, void *ctx)
{
	str_t params = rr_uri_params(uri);
	const char *h = uri->s, *at;
	size_t n;

	(void)ctx;
	if ((at = memchr(uri->s, '@', uri->len)) != NULL)
		h = at + 1;
	else if (uri->len > 4)
		h = uri->s + 4;
	n = (size_t)(params.s - h);
	return n >= 13 && strncmp(h, "proxy.example", 13) == 0 &&
	    (n == 13 || h[13] == ':');
}

static struct rr_plan plan;

static void
run_plan(const char *hdrs, const char *ruri, int in_dialog)
{
	str_t r = str_cstr(ruri);

	ck_assert_int_eq(scan_ok(hdrs), 0);
	rr_plan_make(&set, &r, in_dialog, fake_mine, NULL, &plan);
}

static void
drops(int a, int b, int c)
{
	ck_assert_int_eq(plan.drop[0], a);
	ck_assert_int_eq(plan.drop[1], b);
	ck_assert_int_eq(plan.drop[2], c);
}

START_TEST(test_plan_loose)
{
	/* in a dialog: our Route goes, the next is the destination */
	run_plan("Route: <sip:proxy.example:5060;lr;ftag=F;nat=yes>\r\n"
	    "Route: <sip:next.example;lr>\r\n", "sip:bob@ua.example", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(1, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:next.example;lr"));
	ck_assert_int_eq(plan.new_ruri.len, 0);
	ck_assert_int_eq(plan.append.len, 0);
	ck_assert_int_eq(plan.own, 1);
	ck_assert(str_eq_cstr(&plan.own_params, ";lr;ftag=F;nat=yes"));

	/* only ours: route by the Request-URI */
	run_plan("Route: <sip:proxy.example;lr>\r\n", "sip:bob@ua.example", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(1, 0, 0);
	ck_assert_int_eq(plan.new_duri.len, 0);

	/* the same outside a dialog: removed, but false (Kamailio's -3) */
	run_plan("Route: <sip:proxy.example;lr>\r\n", "sip:bob@ua.example", 0);
	ck_assert_int_eq(plan.rc, -3);
	drops(1, 0, 0);

	/* a user of our domain with our own preloaded Route: not a strict
	 * router's doing outside a dialog */
	run_plan("Route: <sip:proxy.example;lr>\r\n",
	    "sip:alice@proxy.example", 0);
	ck_assert_int_eq(plan.rc, -3);
	ck_assert_int_eq(plan.new_ruri.len, 0);

	/* preloaded Route of someone else: it is the destination */
	run_plan("Route: <sip:outbound.example;lr>\r\n",
	    "sip:bob@ua.example", 0);
	ck_assert_int_eq(plan.rc, 1);
	drops(0, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:outbound.example;lr"));
	ck_assert_int_eq(plan.own, 0);

	/* no Route at all */
	run_plan("", "sip:bob@ua.example", 1);
	ck_assert_int_eq(plan.rc, -1);
}
END_TEST

START_TEST(test_plan_strict)
{
	/* previous hop strict: our URI is the R-URI, the target the last
	 * Route (16.4) */
	run_plan("Route: <sip:bob@ua.example>\r\n",
	    "sip:proxy.example;lr;ftag=F", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(1, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_ruri, "sip:bob@ua.example"));
	ck_assert_int_eq(plan.new_duri.len, 0);
	ck_assert_int_eq(plan.own, 1);
	ck_assert(str_eq_cstr(&plan.own_params, ";lr;ftag=F"));

	/* ... with a loose router after us */
	run_plan("Route: <sip:next.example;lr>, <sip:carol@ua.example>\r\n",
	    "sip:proxy.example;lr", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(0, 1, 0);
	ck_assert(str_eq_cstr(&plan.new_ruri, "sip:carol@ua.example"));
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:next.example;lr"));

	/* ... with a strict router after us: it gets the R-URI, the target
	 * stays the last Route */
	run_plan("Route: <sip:next.example>\r\nRoute: <sip:carol@ua.example>\r\n",
	    "sip:proxy.example;lr", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(1, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_ruri, "sip:next.example"));
	ck_assert_int_eq(plan.append.len, 0);

	/* next hop strict after our Route (16.6 step 6) */
	run_plan("Route: <sip:proxy.example;lr>, <sip:next.example>, "
	    "<sip:far.example;lr>\r\n", "sip:bob@ua.example", 1);
	ck_assert_int_eq(plan.rc, 1);
	drops(1, 1, 0);
	ck_assert(str_eq_cstr(&plan.new_ruri, "sip:next.example"));
	ck_assert(str_eq_cstr(&plan.append, "sip:bob@ua.example"));
	ck_assert_int_eq(plan.new_duri.len, 0);
}
END_TEST

START_TEST(test_plan_double)
{
	/* double record-routing: both of ours go */
	run_plan("Route: <sip:proxy.example;r2=on;lr>,"
	    "<sip:proxy.example:5060;transport=tcp;r2=on;lr>,"
	    "<sip:next.example;lr>\r\n", "sip:bob@ua.example", 1);
	drops(1, 1, 0);
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:next.example;lr"));

	/* without r2 the second is a spiral through us: it stays */
	run_plan("Route: <sip:proxy.example;lr>,"
	    "<sip:proxy.example:5070;lr>\r\n", "sip:bob@ua.example", 1);
	drops(1, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:proxy.example:5070;lr"));

	/* r2 but the second is not ours */
	run_plan("Route: <sip:proxy.example;r2=on;lr>,<sip:x.example;lr>\r\n",
	    "sip:bob@ua.example", 1);
	drops(1, 0, 0);
	ck_assert(str_eq_cstr(&plan.new_duri, "sip:x.example;lr"));
}
END_TEST

/* --- removing --------------------------------------------------------------- */

static int
cut_cmp(const void *a, const void *b)
{
	const struct rr_cut *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* The headers after the cuts for the drops given as a string "10100". */
static const char *
after_cuts(const char *hdrs, const char *dropmask)
{
	static char out[4096];
	unsigned char drop[RR_MAX_ROUTES] = { 0 };
	struct rr_cut cuts[RR_MAX_CUTS];
	size_t cur, o = 0, start, end;
	int n;

	ck_assert_int_eq(scan_ok(hdrs), 0);
	for (int i = 0; dropmask[i]; i++)
		drop[i] = dropmask[i] == '1';
	n = rr_set_cuts(&set, drop, cuts);
	qsort(cuts, (size_t)n, sizeof(cuts[0]), cut_cmp);
	start = strlen(REQ_HEAD);
	end = strlen(text) - strlen(REQ_TAIL);
	cur = start;
	for (int i = 0; i < n; i++) {
		ck_assert(cuts[i].off >= cur);
		memcpy(out + o, text + cur, cuts[i].off - cur);
		o += cuts[i].off - cur;
		cur = cuts[i].off + cuts[i].len;
	}
	memcpy(out + o, text + cur, end - cur);
	out[o + end - cur] = '\0';
	return out;
}

#define THREE "Route: <sip:a>, <sip:b>,<sip:c>\r\nRoute: <sip:d>\r\n"

START_TEST(test_cuts)
{
	ck_assert_str_eq(after_cuts(THREE, "0000"), THREE);
	ck_assert_str_eq(after_cuts(THREE, "1000"),
	    "Route: <sip:b>,<sip:c>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "0100"),
	    "Route: <sip:a>, <sip:c>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "0010"),
	    "Route: <sip:a>, <sip:b>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "1100"),
	    "Route: <sip:c>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "0110"),
	    "Route: <sip:a>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "1010"),
	    "Route: <sip:b>\r\nRoute: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "1110"), "Route: <sip:d>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "0001"),
	    "Route: <sip:a>, <sip:b>,<sip:c>\r\n");
	ck_assert_str_eq(after_cuts(THREE, "1111"), "");
	/* a folded line goes as a whole */
	ck_assert_str_eq(after_cuts("Route: <sip:a>,\r\n <sip:b>\r\nX: 1\r\n",
	    "11"), "X: 1\r\n");
}
END_TEST

/* --- building ---------------------------------------------------------------- */

START_TEST(test_build)
{
	char buf[256], small[24];
	str_t user = str_cstr("alice"), none = STR_NULL, u, ftag, params;
	size_t len;
	int n;

	n = rr_local_uri(&none, "10.0.0.1", 5060, "", buf, sizeof(buf));
	ck_assert_str_eq(buf, "sip:10.0.0.1:5060");
	ck_assert_int_eq(n, (int)strlen(buf));
	rr_local_uri(&user, "[2001:db8::1]", 5061, "tls", buf, sizeof(buf));
	ck_assert_str_eq(buf, "sip:alice@[2001:db8::1]:5061;transport=tls");
	rr_local_uri(NULL, "pub.example:7000", 0, "tcp", buf, sizeof(buf));
	ck_assert_str_eq(buf, "sip:pub.example:7000;transport=tcp");
	ck_assert_int_eq(rr_local_uri(&none, "10.0.0.1", 5060, "tcp", small,
	    sizeof(small)), -1);

	u = str_cstr("sip:10.0.0.1:5060;transport=tcp");
	ftag = str_cstr("F1");
	params = str_cstr(";p=x;nat=yes");
	rr_hdr_build(&u, 0, &ftag, &params, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Record-Route: <sip:10.0.0.1:5060;"
	    "transport=tcp;lr;ftag=F1;p=x;nat=yes>\r\n");
	rr_hdr_build(&u, 1, &none, &none, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Record-Route: <sip:10.0.0.1:5060;"
	    "transport=tcp;lr=on>\r\n");
	/* presets: "sip:" only when the text has no scheme */
	u = str_cstr("1.2.3.4:5090;foo=1");
	rr_hdr_build(&u, 0, &ftag, &none, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Record-Route: <sip:1.2.3.4:5090;foo=1;lr;"
	    "ftag=F1>\r\n");
	u = str_cstr("SIPS:edge.example");
	rr_hdr_build(&u, 0, &none, &none, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Record-Route: <SIPS:edge.example;lr>\r\n");
	ck_assert_int_eq(rr_hdr_build(&u, 0, &none, &none, small,
	    sizeof(small)), -1);

	u = str_cstr("nat=yes");
	ck_assert_int_eq(rr_params_norm(&u, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(len, 8);
	ck_assert_int_eq(strncmp(buf, ";nat=yes", len), 0);
	u = str_cstr(";a=1;b");
	ck_assert_int_eq(rr_params_norm(&u, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(strncmp(buf, ";a=1;b", len), 0);
	ck_assert_int_eq(rr_params_norm(&none, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(len, 0);
	static const char *const badp[] = { ";a=1>", ";a=\r\nX: y", ";a b",
		";a,b", ";a=\"q\"", ";", "<x" };
	for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++) {
		u = str_cstr(badp[i]);
		ck_assert_msg(rr_params_norm(&u, buf, sizeof(buf), &len) == -1,
		    "%s", badp[i]);
	}
	u = str_cstr(";abcdefghijklmnopqrstuvwxyz");
	ck_assert_int_eq(rr_params_norm(&u, small, sizeof(small), &len), -1);

	u = str_cstr("abc");
	ck_assert_int_eq(rr_text_ok(&u, "<>"), 1);
	u = str_cstr("a>c");
	ck_assert_int_eq(rr_text_ok(&u, "<>"), 0);
	ck_assert_int_eq(rr_text_ok(&none, "<>"), 0);
}
END_TEST

static Suite *
rr_suite(void)
{
	Suite *s = suite_create("mod_rr");
	TCase *tc = tcase_create("rr");

	tcase_add_test(tc, test_scan_forms);
	tcase_add_test(tc, test_scan_malformed);
	tcase_add_test(tc, test_scan_limits);
	tcase_add_test(tc, test_uri_params);
	tcase_add_test(tc, test_plan_loose);
	tcase_add_test(tc, test_plan_strict);
	tcase_add_test(tc, test_plan_double);
	tcase_add_test(tc, test_cuts);
	tcase_add_test(tc, test_build);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(rr_suite());
}
