/*
 * check_expr.c - the expression evaluator and the route engine, driven
 * through the whole compiler (pp, parse, resolve) on small configs, and
 * the resolver's error classes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/cfg.h"
#include "core/cmd.h"
#include "core/globals.h"
#include "core/module.h"
#include "core/pv.h"
#include "core/route.h"
#include "core/tr.h"
#include "tcheck.h"

/* --- a test PV class $t(name), writable, values kept across messages ----- */

#define TV_MAX 32
static struct {
	char       *name;
	struct val  v;
	char       *s;
} tvars[TV_MAX];
static int ntvars;

static int
tv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	if (inner == NULL || inner->len == 0) {
		diag_error(d, "$t needs a name");
		return -1;
	}
	*compiled = strndup(inner->s, inner->len);
	return *compiled ? 0 : -1;
}

static int
tv_find(const char *name)
{
	for (int i = 0; i < ntvars; i++)
		if (strcmp(tvars[i].name, name) == 0)
			return i;
	return -1;
}

static int
tv_get(struct msg *m, void *c, struct val *out)
{
	int i = tv_find(c);

	if (i < 0)
		val_set_null(out);
	else
		*out = tvars[i].v;
	return 0;
}

static int
tv_set(struct msg *m, void *c, const struct val *in)
{
	int i = tv_find(c);

	if (i < 0) {
		if (ntvars == TV_MAX)
			return -1;
		i = ntvars++;
		tvars[i].name = strdup(c);
	}
	free(tvars[i].s);
	tvars[i].s = NULL;
	tvars[i].v = *in;
	if (in->flags & VAL_STR) {
		tvars[i].s = strndup(in->s.s, in->s.len);
		tvars[i].v.s = str_make(tvars[i].s, in->s.len);
	}
	return 0;
}

static void
tv_reset(void)
{
	for (int i = 0; i < ntvars; i++) {
		free(tvars[i].name);
		free(tvars[i].s);
	}
	memset(tvars, 0, sizeof(tvars));
	ntvars = 0;
}

static const struct pv_export test_pvs[] = {
	{ .name = "t", .flags = PV_READ | PV_WRITE | PV_INNER,
	  .parse = tv_parse, .get = tv_get, .set = tv_set, .free = free },
	{ .name = NULL },
};

/* --- test functions ------------------------------------------------------------ */

static int calls;

static int
f_ret(struct msg *m, void *const *args)
{
	long long n = 0;

	calls++;
	arg_int(m, args[0], &n);
	return (int)n;
}

static int
f_req(struct msg *m, void *const *args)
{
	return 1;
}

static const struct cmd_export test_cmds[] = {
	{ "ret", f_ret, RT_ANY, { { .flags = ARG_INT } } },
	{ "req_only", f_req, RT_REQUEST, { { 0 } } },
	{ "two", f_req, RT_ANY, { { .flags = ARG_STR },
	    { .flags = ARG_STR | ARG_OPT } } },
	{ NULL, NULL, 0, { { 0 } } },
};

/* --- fixture -------------------------------------------------------------------- */

static struct cfg cfg;
static int loaded;

static void
world_reset(void)
{
	if (loaded) {
		route_set_cfg(NULL);
		cfg_free(&cfg);
		loaded = 0;
	}
	mod_unload_all();
	pv_registry_reset();
	tr_registry_reset();
	cmd_registry_reset();
	core_cfg_free(&core_cfg);
	tv_reset();
	calls = 0;
}

static int
load(const char *text)
{
	struct cfg_diag d;
	struct cfg_src src;
	int rc;

	world_reset();
	src_init(&src);
	diag_init(&d, &src);
	ck_assert_int_eq(pv_register(test_pvs, "test", &d,
	    (struct cfg_pos){ 0, 0, 0 }), 0);
	ck_assert_int_eq(cmd_register_table(test_cmds, "test", &d,
	    (struct cfg_pos){ 0, 0, 0 }), 0);
	diag_free(&d);
	src_free(&src);
	rc = cfg_load_buffer("t.cfg", text, &core_cfg, &cfg);
	loaded = 1;
	route_set_cfg(&cfg);
	return rc;
}

static const char *
diag_at(unsigned i)
{
	static char buf[4][512];

	if (i >= cfg.diag.n)
		return "";
	diag_format(&cfg.diag, i, buf[i % 4], sizeof(buf[0]));
	return buf[i % 4];
}

static const char sip_req[] =
    "OPTIONS sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"
    "From: <sip:alice@192.0.2.1>;tag=a1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: c1@192.0.2.1\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n";

/* runs request_route on a SIP OPTIONS; returns the route's value */
static int
run(unsigned *run_flags)
{
	struct msg m;
	int rc;

	msg_init(&m, sip_req, sizeof(sip_req) - 1, NULL);
	rc = route_run_main(&m);
	if (run_flags)
		*run_flags = m.run;
	msg_destroy(&m);
	return rc;
}

static struct val
tget(const char *name)
{
	struct val v;
	int i = tv_find(name);

	if (i < 0)
		val_set_null(&v);
	else
		v = tvars[i].v;
	return v;
}

static void
eval_int(const char *expr, long long want)
{
	char text[1024];
	struct val v;

	snprintf(text, sizeof(text), "request_route {\n $t(r) = %s;\n}\n", expr);
	ck_assert_msg(load(text) == 0, "%s: %s", expr, diag_at(0));
	run(NULL);
	v = tget("r");
	ck_assert_msg(v.flags & VAL_INT, "%s: not an int (flags %u)", expr,
	    v.flags);
	ck_assert_msg(v.n == want, "%s = %lld, want %lld", expr, v.n, want);
}

static void
eval_str(const char *expr, const char *want)
{
	char text[1024];
	struct val v;

	snprintf(text, sizeof(text), "request_route {\n $t(r) = %s;\n}\n", expr);
	ck_assert_msg(load(text) == 0, "%s: %s", expr, diag_at(0));
	run(NULL);
	v = tget("r");
	ck_assert_msg(v.flags == VAL_STR, "%s: not a string (flags %u)", expr,
	    v.flags);
	ck_assert_msg(str_eq_cstr(&v.s, want), "%s = '%.*s', want '%s'", expr,
	    STR_FMT(&v.s), want);
}

/* --- expressions ------------------------------------------------------------------ */

START_TEST(t_arith)
{
	eval_int("1 + 2 * 3", 7);
	eval_int("(1 + 2) * 3", 9);
	eval_int("7 / 2", 3);
	eval_int("-7 / 2", -3);
	eval_int("7 % 4", 3);
	eval_int("1 << 4", 16);
	eval_int("256 >> 4", 16);
	eval_int("6 & 3", 2);
	eval_int("6 | 1", 7);
	eval_int("6 ^ 3", 5);
	eval_int("~0", -1);
	eval_int("-(2 + 3)", -5);
	eval_int("0x10 + 1", 17);
}
END_TEST

START_TEST(t_left_type_decides)
{
	eval_str("\"a\" + 1 + 2", "a12");
	eval_int("1 + \"2\"", 3);
	eval_str("\"Expires: \" + 60 + \"\\r\\n\"", "Expires: 60\r\n");
	eval_int("\"10\" == 10", 1);
	eval_int("10 == \"10\"", 1);
	eval_int("\"010\" == 10", 0);       /* string comparison */
	eval_int("10 == \"010\"", 1);       /* integer comparison */
	eval_int("\"abc\" == \"abd\"", 0);
	eval_int("\"abc\" != \"abd\"", 1);
}
END_TEST

START_TEST(t_relational)
{
	eval_int("3 < 10", 1);
	eval_int("\"3\" < \"10\"", 1);      /* both numbers: as integers */
	eval_int("\"b\" > \"a\"", 1);
	eval_int("\"abc\" <= \"abc\"", 1);
	eval_int("5 >= 6", 0);
}
END_TEST

START_TEST(t_null)
{
	eval_int("$null == $null", 1);
	eval_int("$t(unset) == $null", 1);
	eval_int("\"x\" != $null", 1);
	eval_int("0 == $null", 0);
	eval_int("$t(unset) + 1", 1);
}
END_TEST

START_TEST(t_casts)
{
	eval_int("(int)\"42\" + 1", 43);
	eval_int("(int)\"abc\"", 0);
	eval_str("(str)5 + 5", "55");
	eval_str("(str)\"x\"", "x");
}
END_TEST

START_TEST(t_regex)
{
	eval_int("\"sip:alice@example.com\" =~ \"^SIP:.*@example\\.com$\"", 1);
	eval_int("\"abc\" !~ \"b\"", 0);
	eval_int("\"abc\" =~ \"x\" + \"|c$\"", 1);     /* pattern per message */
}
END_TEST

START_TEST(t_logic_and_calls)
{
	eval_int("ret(1) && ret(-1)", 0);
	eval_int("ret(-1) || ret(2)", 1);
	eval_int("!ret(-1)", 1);
	eval_int("1 && 0 || 1", 1);
	eval_int("not 0", 1);
	eval_int("1 and 2", 1);
	/* short circuit: the right side never runs */
	eval_int("ret(-1) && ret(5)", 0);
	ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(t_keywords_and_myself)
{
	ck_assert_int_eq(load("listen=udp:127.0.0.1:5060\nalias=example.com\n"
	    "request_route {\n"
	    " $t(m) = method;\n"
	    " if (uri == myself) $t(me) = 1;\n"
	    " if (\"sip:x@127.0.0.1:5070\" != myself) $t(other) = 1;\n"
	    " if (\"sip:x@EXAMPLE.com\" == myself) $t(alias) = 1;\n"
	    " if (src_ip == 192.0.2.1) $t(src) = 1;\n"
	    " if (!method==\"MESSAGE\") $t(notmsg) = 1;\n"
	    " if (proto == UDP) $t(udp) = 1;\n"
	    "}\n"), 0);
	/* source address: 192.0.2.1:5070 over UDP */
	{
		struct msg m;
		struct rcv_info ri;
		struct sockaddr_in *sin = (struct sockaddr_in *)&ri.src;

		memset(&ri, 0, sizeof(ri));
		ri.proto = PROTO_UDP;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(5070);
		sin->sin_addr.s_addr = htonl(0xc0000201);
		msg_init(&m, sip_req, sizeof(sip_req) - 1, &ri);
		route_run_main(&m);
		msg_destroy(&m);
	}
	ck_assert(str_eq_cstr(&tvars[tv_find("m")].v.s, "OPTIONS"));
	ck_assert_int_ge(tv_find("me"), 0);
	ck_assert_int_ge(tv_find("other"), 0);
	ck_assert_int_ge(tv_find("alias"), 0);
	ck_assert_int_ge(tv_find("src"), 0);
	ck_assert_int_ge(tv_find("notmsg"), 0);
	ck_assert_int_ge(tv_find("udp"), 0);
}
END_TEST

START_TEST(t_runtime_error_is_logged_not_fatal)
{
	ck_assert_int_eq(load("request_route {\n $t(a) = 1 / 0;\n $t(b) = 2;\n}\n"), 0);
	run(NULL);
	ck_assert_int_lt(tv_find("a"), 0);      /* the failed assignment */
	ck_assert_int_eq(tget("b").n, 2);       /* the next statement ran */
}
END_TEST

/* --- statements ---------------------------------------------------------------------- */

START_TEST(t_if_while_switch)
{
	ck_assert_int_eq(load("request_route {\n"
	    " $t(i) = 0; $t(sum) = 0;\n"
	    " while ($t(i) < 5) { $t(i) = $t(i) + 1; if ($t(i) == 4) break;"
	    " $t(sum) = $t(sum) + $t(i); }\n"
	    " switch ($t(i)) {\n"
	    "  case 1: $t(sw) = \"one\"; break;\n"
	    "  case 4: $t(sw) = \"four\";\n"
	    "  case 5: $t(sw) = $t(sw) + \"+five\"; break;\n"
	    "  default: $t(sw) = \"default\";\n"
	    " }\n"
	    " switch (\"x\") { case \"y\": $t(s2) = 1; break; default: $t(s2) = 2; }\n"
	    " if ($t(i) == 4) { $t(b) = \"then\"; } else { $t(b) = \"else\"; }\n"
	    "}\n"), 0);
	run(NULL);
	ck_assert_int_eq(tget("i").n, 4);
	ck_assert_int_eq(tget("sum").n, 6);
	ck_assert(str_eq_cstr(&tvars[tv_find("sw")].v.s, "four+five"));
	ck_assert_int_eq(tget("s2").n, 2);
	ck_assert(str_eq_cstr(&tvars[tv_find("b")].v.s, "then"));
}
END_TEST

START_TEST(t_while_bounded)
{
	ck_assert_int_eq(load("max_while_loops=10\nrequest_route {\n"
	    " $t(n) = 0; while (1) { $t(n) = $t(n) + 1; }\n $t(after) = 1;\n}\n"), 0);
	run(NULL);
	ck_assert_int_eq(tget("n").n, 10);
	ck_assert_int_eq(tget("after").n, 1);
}
END_TEST

START_TEST(t_routes_and_return)
{
	unsigned fl;

	ck_assert_int_eq(load("request_route {\n"
	    " route(A); $t(ra) = $rc;\n"
	    " route(\"B\"); $t(rb) = $rc;\n"
	    " $t(name) = \"A\"; route($t(name)); $t(rdyn) = $rc;\n"
	    " if (ret(-2)) $t(no) = 1;\n $t(rcf) = $rc;\n"
	    " return 7;\n $t(never) = 1;\n"
	    "}\n"
	    "route[A] { return -3; }\n"
	    "route[B] { $t(inb) = 1; }\n"), 0);
	ck_assert_int_eq(run(&fl), 7);
	ck_assert_int_eq(fl, 0);
	ck_assert_int_eq(tget("ra").n, -3);
	ck_assert_int_eq(tget("rb").n, 1);
	ck_assert_int_eq(tget("rdyn").n, -3);
	ck_assert_int_eq(tget("rcf").n, -2);
	ck_assert_int_lt(tv_find("no"), 0);
	ck_assert_int_lt(tv_find("never"), 0);
}
END_TEST

START_TEST(t_exit_drop_zero)
{
	unsigned fl;

	ck_assert_int_eq(load("request_route { route(X); $t(after) = 1; }\n"
	    "route[X] { exit; }\n"), 0);
	ck_assert_int_eq(run(&fl), 0);
	ck_assert(fl & MSG_RUN_EXIT);
	ck_assert_int_lt(tv_find("after"), 0);

	ck_assert_int_eq(load("request_route { drop; $t(after) = 1; }\n"), 0);
	run(&fl);
	ck_assert(fl & MSG_RUN_DROP);
	ck_assert_int_lt(tv_find("after"), 0);

	/* a function returning 0 ends the script */
	ck_assert_int_eq(load("request_route { ret(0); $t(after) = 1; }\n"), 0);
	run(&fl);
	ck_assert(fl & MSG_RUN_EXIT);
	ck_assert_int_lt(tv_find("after"), 0);

	/* return(0) from a sub-route ends the script too */
	ck_assert_int_eq(load("request_route { route(Z); $t(after) = 1; }\n"
	    "route[Z] { return(0); }\n"), 0);
	run(&fl);
	ck_assert_int_lt(tv_find("after"), 0);
}
END_TEST

START_TEST(t_recursion_bounded)
{
	ck_assert_int_eq(load("request_route { route(L); }\n"
	    "route[L] { $t(n) = $t(n) + 1; route(L); }\n"), 0);
	run(NULL);
	ck_assert_int_eq(tget("n").n, 100);
}
END_TEST

START_TEST(t_ser_msilo_style)
{
	ck_assert_int_eq(load("route {\n"
	    "if (method==\"OPTIONS\") { $t(a) = 1; break; };\n"
	    "$t(b) = 1;\n}\n"), 0);
	run(NULL);
	ck_assert_int_eq(tget("a").n, 1);
	ck_assert_int_lt(tv_find("b"), 0);
}
END_TEST

START_TEST(t_core_log_function)
{
	ck_assert_int_eq(load("request_route { log(\"x\\n\"); log(1, \"y $rm\\n\");"
	    " $t(ok) = 1; }\n"), 0);
	run(NULL);
	ck_assert_int_eq(tget("ok").n, 1);
}
END_TEST

/* --- resolver errors: one per class ------------------------------------------------- */

static void
expect_resolve_error(const char *text, const char *msg)
{
	ck_assert_msg(load(text) == -1, "%s: accepted", text);
	for (unsigned i = 0; i < cfg.diag.n; i++)
		if (strcmp(diag_at(i), msg) == 0)
			return;
	ck_abort_msg("\n in: %s\ngot: %s\nwant: %s", text, diag_at(0), msg);
}

START_TEST(t_resolve_errors)
{
	expect_resolve_error("request_route { nosuch(1); }",
	    "t.cfg:1:17: error: unknown function 'nosuch'");
	expect_resolve_error("request_route { ret(); }",
	    "t.cfg:1:17: error: ret() takes 1 argument, 0 given");
	expect_resolve_error("request_route { two(); }",
	    "t.cfg:1:17: error: two() takes 1 to 2 arguments, 0 given");
	expect_resolve_error("request_route { ret(\"abc\"); }",
	    "t.cfg:1:21: error: ret(): argument 1 must be a number, not \"abc\"");
	expect_resolve_error("request_route { route(NOPE); }",
	    "t.cfg:1:17: error: route(NOPE): no route[NOPE] is defined");
	expect_resolve_error("reply_route { req_only(); }",
	    "t.cfg:1:15: error: req_only() cannot be used in onreply_route");
	expect_resolve_error("failure_route[F] { route(R); }\n"
	    "route[R] { req_only(); }\n",
	    "t.cfg:2:12: error: req_only() cannot be used in failure_route "
	    "(route[R] is called from there)");
	expect_resolve_error("request_route { $si = 1; }",
	    "t.cfg:1:17: error: cannot assign to $si: it is read-only");
	expect_resolve_error("request_route { $nosuch(x) = 1; }",
	    "t.cfg:1:17: error: unknown pseudo-variable class '$nosuch'");
	expect_resolve_error("request_route { if (FOO) exit; }",
	    "t.cfg:1:21: error: unknown identifier 'FOO' (a string needs quotes)");
	expect_resolve_error("request_route { exit; }\nroute { exit; }\n",
	    "t.cfg:2:1: error: request_route defined twice (first at line 1)");
	expect_resolve_error("route[A] { exit; }\nroute[A] { exit; }\n",
	    "t.cfg:2:1: error: route[A] defined twice (first at line 1)");
	expect_resolve_error("request_route { if ($t(x) =~ \"(\") exit; }",
	    "t.cfg:1:30: error: bad regular expression \"(\": Unmatched ( or \\(");
	expect_resolve_error("request_route { if (myself) exit; }",
	    "t.cfg:1:21: error: 'myself' can only be compared with == or !=");
	expect_resolve_error("foo_bar=1\n",
	    "t.cfg:1:1: error: unknown global parameter 'foo_bar'");
	expect_resolve_error("children=many\n",
	    "t.cfg:1:10: error: children: expected a number, found 'many'");
	expect_resolve_error("fork=perhaps\n",
	    "t.cfg:1:6: error: fork: expected yes/no, on/off or 1/0");
	expect_resolve_error("listen=udp:1.2.3.4:99999\n",
	    "t.cfg:1:8: error: listen: bad address 'udp:1.2.3.4:99999': port "
	    "must be a number from 1 to 65535");
	expect_resolve_error("modparam(\"nomod\", \"x\", 1)\n",
	    "t.cfg:1:24: error: modparam: module 'nomod' is not loaded");
}
END_TEST

START_TEST(t_missing_module_demotes)
{
	/* the missing module is THE error; its functions are notes */
	ck_assert_int_eq(load("loadmodule \"nosuchmod.so\"\n"
	    "modparam(\"nosuchmod\", \"p\", 1)\n"
	    "request_route { nosuch_fn(); $nosuch(x) = 1; if (nosuch2()) exit; }\n"),
	    -1);
	ck_assert_int_eq(cfg.diag.errors, 1);
	ck_assert_ptr_nonnull(strstr(diag_at(0), "t.cfg:1:12: error: module "
	    "'nosuchmod.so' not found (searched: "));
	ck_assert_int_eq(cfg.diag.n, 5);
	ck_assert_str_eq(diag_at(2), "t.cfg:3:17: note: unknown function "
	    "'nosuch_fn' (not checked: 1 module failed to load)");
}
END_TEST

START_TEST(t_warnings_accepted)
{
	ck_assert_int_eq(load("dns_try_ipv6=no\nrequest_route { exit; }\n"), 0);
	ck_assert_int_eq(cfg.diag.warnings, 1);
	ck_assert_str_eq(diag_at(0), "t.cfg:1:1: warning: global parameter "
	    "'dns_try_ipv6' has no effect in Tandem; ignored");
}
END_TEST

static void
teardown(void)
{
	world_reset();
}

int
main(void)
{
	Suite *s = suite_create("expr");
	TCase *te = tcase_create("expressions");
	TCase *ts = tcase_create("statements");
	TCase *tr = tcase_create("resolve");

	log_set_level(L_ERR);
	tcase_add_checked_fixture(te, NULL, teardown);
	tcase_add_checked_fixture(ts, NULL, teardown);
	tcase_add_checked_fixture(tr, NULL, teardown);
	tcase_add_test(te, t_arith);
	tcase_add_test(te, t_left_type_decides);
	tcase_add_test(te, t_relational);
	tcase_add_test(te, t_null);
	tcase_add_test(te, t_casts);
	tcase_add_test(te, t_regex);
	tcase_add_test(te, t_logic_and_calls);
	tcase_add_test(te, t_keywords_and_myself);
	tcase_add_test(te, t_runtime_error_is_logged_not_fatal);
	tcase_add_test(ts, t_if_while_switch);
	tcase_add_test(ts, t_while_bounded);
	tcase_add_test(ts, t_routes_and_return);
	tcase_add_test(ts, t_exit_drop_zero);
	tcase_add_test(ts, t_recursion_bounded);
	tcase_add_test(ts, t_ser_msilo_style);
	tcase_add_test(ts, t_core_log_function);
	tcase_add_test(tr, t_resolve_errors);
	tcase_add_test(tr, t_missing_module_demotes);
	tcase_add_test(tr, t_warnings_accepted);
	suite_add_tcase(s, te);
	suite_add_tcase(s, ts);
	suite_add_tcase(s, tr);
	return tcheck_run(s);
}
