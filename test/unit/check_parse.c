/* check_parse.c - the parser: one test per construct, one per error class. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/parse.h"
#include "cfg/pp.h"
#include "tcheck.h"

struct pfix {
	struct cfg_src  src;
	struct cfg_diag d;
	struct pp_ctx   pp;
	struct pp_out   out;
	struct cfg_tree tree;
	int             rc;
	char            dump[8192];
};

static void
pf_parse(struct pfix *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	src_init(&f->src);
	diag_init(&f->d, &f->src);
	pp_init(&f->pp, &f->src, &f->d);
	ck_assert_int_eq(pp_run_buffer(&f->pp, "t.cfg", text, strlen(text),
	    &f->out), 0);
	f->rc = cfg_parse(&f->out, &f->d, &f->tree);
	ast_dump(&f->tree, f->dump, sizeof(f->dump));
}

static void
pf_close(struct pfix *f)
{
	ast_tree_free(&f->tree);
	pp_out_free(&f->out);
	pp_free(&f->pp);
	diag_free(&f->d);
	src_free(&f->src);
}

static const char *
diag_at(struct pfix *f, unsigned i)
{
	static char buf[4][512];

	if (i >= f->d.n)
		return "";
	diag_format(&f->d, i, buf[i % 4], sizeof(buf[0]));
	return buf[i % 4];
}

/* parses text and compares the dump; no diagnostics allowed */
static void
expect_dump(const char *text, const char *want)
{
	struct pfix f;

	pf_parse(&f, text);
	ck_assert_msg(f.rc == 0 && f.d.errors == 0, "%s: %s", text,
	    diag_at(&f, 0));
	ck_assert_msg(strcmp(f.dump, want) == 0, "\n in: %s\ngot: %s\nwant: %s",
	    text, f.dump, want);
	pf_close(&f);
}

/* wraps a statement list in request_route */
static void
expect_stmts(const char *stmts, const char *want)
{
	char in[2048], w[4096];

	snprintf(in, sizeof(in), "request_route {\n%s\n}\n", stmts);
	snprintf(w, sizeof(w), "(request_route %s)", want);
	expect_dump(in, w);
}

static void
expect_expr(const char *expr, const char *want)
{
	char in[1024], w[2048];

	snprintf(in, sizeof(in), "if (%s) exit;", expr);
	snprintf(w, sizeof(w), "(if %s (exit))", want);
	expect_stmts(in, w);
}

static void
expect_error(const char *text, const char *msg)
{
	struct pfix f;

	pf_parse(&f, text);
	ck_assert_msg(f.rc == -1, "%s: parsed", text);
	ck_assert_msg(strcmp(diag_at(&f, 0), msg) == 0, "\n in: %s\ngot: %s\nwant: %s",
	    text, diag_at(&f, 0), msg);
	pf_close(&f);
}

/* --- top level ------------------------------------------------------------------ */

START_TEST(t_globals)
{
	expect_dump("debug=2\nfork = no\nmpath=\"modules_k/:modules/\"\n"
	    "log_facility=LOG_LOCAL0;\nport=-1\n",
	    "(global debug 2) (global fork \"no\") "
	    "(global mpath \"modules_k/:modules/\") "
	    "(global log_facility \"LOG_LOCAL0\") (global port -1)");
}
END_TEST

START_TEST(t_listen)
{
	expect_dump("listen=udp:127.0.0.1:5060 advertise 1.2.3.4:5080 name \"x\"\n"
	    "listen=[::1]:5061\nlisten=127.0.0.1\n",
	    "(global listen \"udp:127.0.0.1:5060\" \"advertise\" "
	    "\"1.2.3.4:5080\" \"name\" \"x\") (global listen \"[::1]:5061\") "
	    "(global listen \"127.0.0.1\")");
}
END_TEST

START_TEST(t_loadmodule_modparam)
{
	expect_dump("loadmodule \"sl.so\"\nloadmodule(\"../a/tm.so\");\n"
	    "modparam(\"auth\", \"nonce_count\", 1)\n"
	    "modparam(\"htable\", \"htable\", \"a=>size=8;\");\n"
	    "modparam(\"x\", \"y\", -3)\n",
	    "(loadmodule \"sl.so\") (loadmodule \"../a/tm.so\") "
	    "(modparam auth nonce_count 1) "
	    "(modparam htable htable \"a=>size=8;\") (modparam x y -3)");
}
END_TEST

START_TEST(t_routes)
{
	expect_dump("route { exit; }\nroute[NAME] { }\nroute[\"Q\"] { }\n"
	    "route[1] { }\nrequest_route { }\nreply_route { drop; }\n"
	    "onreply_route { }\nonreply_route[R] { }\nfailure_route[1] { }\n"
	    "branch_route[b] { }\nevent_route[msrp:frame-in] { }\n"
	    "onsend_route { }\n",
	    "(request_route (exit)) (route[NAME]) (route[Q]) (route[1]) "
	    "(request_route) (reply_route (drop)) (reply_route) "
	    "(onreply_route[R]) (failure_route[1]) (branch_route[b]) "
	    "(event_route[msrp:frame-in]) (onsend_route)");
}
END_TEST

/* --- statements -------------------------------------------------------------------- */

START_TEST(t_if_else)
{
	expect_stmts("if ($a) { f(); } else if ($b) g(); else { h(1); }",
	    "(if $a (block (call f)) else (if $b (call g) else (block (call h 1))))");
}
END_TEST

START_TEST(t_while)
{
	expect_stmts("while ($i < 3) { $i = $i + 1; break; }",
	    "(while (< $i 3) (block (= $i (+ $i 1)) (break)))");
}
END_TEST

START_TEST(t_switch)
{
	expect_stmts("switch ($rm) {\ncase \"INVITE\":\n f(); break;\n"
	    "case 1: case -2:\n g();\ndefault:\n exit;\n}",
	    "(switch $rm (case \"INVITE\" (call f) (break)) (case 1) "
	    "(case -2 (call g)) (default (exit)))");
}
END_TEST

START_TEST(t_exit_drop_return)
{
	expect_stmts("exit; drop; drop(); exit(); return; return 1; "
	    "return(-1); return $rc;",
	    "(exit) (drop) (drop) (exit) (return) (return 1) (return -1) "
	    "(return $rc)");
}
END_TEST

START_TEST(t_ser_break)
{
	struct pfix f;

	/* SER: break; outside a loop ends the route, with a warning */
	pf_parse(&f, "route {\n  if (1) { break; };\n}\n");
	ck_assert_int_eq(f.rc, 0);
	ck_assert_str_eq(f.dump, "(request_route (if 1 (block (return))) (nop))");
	ck_assert_int_eq(f.d.warnings, 1);
	ck_assert_str_eq(diag_at(&f, 0), "t.cfg:2:12: warning: 'break' outside "
	    "a loop or switch ends the route (SER semantics); write 'return'");
	pf_close(&f);
}
END_TEST

START_TEST(t_route_call)
{
	expect_stmts("route(NAME); route(1); route(\"q\"); route($var(r)); "
	    "route(\"r_$var(x)\");",
	    "(route NAME) (route 1) (route q) (route $var(r)) "
	    "(route \"r_$var(x)\")");
}
END_TEST

START_TEST(t_calls)
{
	expect_stmts("f; g(); sl_send_reply(\"403\", \"No SIP Here\"); "
	    "h(-5, $var(x), IDENT, 10.0.0.1);",
	    "(call f) (call g) (call sl_send_reply \"403\" \"No SIP Here\") "
	    "(call h -5 $var(x) IDENT \"10.0.0.1\")");
}
END_TEST

START_TEST(t_assign)
{
	expect_stmts("$var(x) = 1; $avp(y) := \"s\"; "
	    "$sht(msrp=>$var(sessid)::srcaddr) = $msrp(srcaddr); $x = $null;",
	    "(= $var(x) 1) (= $avp(y) \"s\") "
	    "(= $sht(msrp=>$var(sessid)::srcaddr) $msrp(srcaddr)) (= $x $null)");
}
END_TEST

START_TEST(t_nop_and_ser_semicolons)
{
	expect_stmts("; if (1) { f(); };",
	    "(nop) (if 1 (block (call f))) (nop)");
}
END_TEST

/* --- expressions --------------------------------------------------------------- */

START_TEST(t_precedence)
{
	expect_expr("1 + 2 * 3 - 4", "(- (+ 1 (* 2 3)) 4)");
	expect_expr("$a || $b && $c", "(|| $a (&& $b $c))");
	expect_expr("$a or $b and not $c", "(|| $a (&& $b (! $c)))");
	expect_expr("1 | 2 ^ 3 & 4 << 1", "(| 1 (^ 2 (& 3 (<< 4 1))))");
	expect_expr("($a + 1) * 2", "(* (+ $a 1) 2)");
	expect_expr("$a == 1 && $b != \"x\"", "(&& (== $a 1) (!= $b \"x\"))");
	expect_expr("1 < 2 && 3 >= 4 && 5 <= 6 && 7 > 8",
	    "(&& (&& (&& (< 1 2) (>= 3 4)) (<= 5 6)) (> 7 8))");
	expect_expr("8 / 2 % 3", "(% (/ 8 2) 3)");
	expect_expr("1 >> 2", "(>> 1 2)");
}
END_TEST

START_TEST(t_not_binds_loosely)
{
	/* the SER msilo config writes !method=="MESSAGE" */
	expect_expr("!method==\"MESSAGE\"", "(! (== (kw method) \"MESSAGE\"))");
	expect_expr("!f() && $x", "(&& (! (call f)) $x)");
	expect_expr("$a + !$b", "(+ $a (! $b))");
}
END_TEST

START_TEST(t_unary_casts)
{
	expect_expr("-$a + -3", "(+ (neg $a) -3)");
	expect_expr("~1", "(~ 1)");
	expect_expr("(int)$hdr(Expires) < 60", "(< ((int) $hdr(Expires)) 60)");
	expect_expr("(str)$x + \"a\"", "(+ ((str) $x) \"a\")");
}
END_TEST

START_TEST(t_keywords)
{
	expect_expr("uri==myself", "(== (kw uri) myself)");
	expect_expr("src_ip==127.0.0.1 && proto==UDP && af==INET",
	    "(&& (&& (== (kw src_ip) \"127.0.0.1\") (== (kw proto) (id UDP))) "
	    "(== (kw af) (id INET)))");
	expect_expr("status == 200 || src_port > 1024",
	    "(|| (== (kw status) 200) (> (kw src_port) 1024))");
}
END_TEST

START_TEST(t_match)
{
	expect_expr("$ru =~ \"^sip:.*@x\\.com\" || $a !~ $b",
	    "(|| (=~ $ru \"^sip:.*@x\\\\.com\") (!~ $a $b))");
}
END_TEST

START_TEST(t_call_in_condition)
{
	expect_expr("pv_www_authenticate(\"r\", \"$var(p)\", \"0\", \"$msrp(method)\")",
	    "(call pv_www_authenticate \"r\" \"$var(p)\" \"0\" \"$msrp(method)\")");
}
END_TEST

/* --- errors: one per class, exact message -------------------------------------- */

START_TEST(t_err_missing_semi)
{
	expect_error("request_route {\n  exit\n}\n",
	    "t.cfg:3:1: error: expected ';' before '}'");
}
END_TEST

START_TEST(t_err_missing_paren)
{
	expect_error("request_route {\n  if ($a == 1 { exit; }\n}\n",
	    "t.cfg:2:15: error: expected ')' before '{'");
}
END_TEST

START_TEST(t_err_if_without_paren)
{
	expect_error("request_route { if $a { exit; } }",
	    "t.cfg:1:20: error: expected '(' after if before '$a'");
}
END_TEST

START_TEST(t_err_expr_expected)
{
	expect_error("request_route {\n  if ($var(x) == ) { exit; }\n}\n",
	    "t.cfg:2:18: error: expected an expression before ')'");
}
END_TEST

START_TEST(t_err_top_level)
{
	expect_error("debug=2\n{ exit; }\n",
	    "t.cfg:2:1: error: expected a global parameter, loadmodule, "
	    "modparam or a route before '{'");
	expect_error("foo bar\n",
	    "t.cfg:1:1: error: unexpected 'foo' at top level: expected a "
	    "global parameter (name=value), loadmodule, modparam or a route");
}
END_TEST

START_TEST(t_err_else_case)
{
	expect_error("route { else { } }",
	    "t.cfg:1:9: error: 'else' without a matching if");
	expect_error("route { case 1: exit; }",
	    "t.cfg:1:9: error: 'case' without a matching switch");
}
END_TEST

START_TEST(t_err_route_names)
{
	expect_error("failure_route { }",
	    "t.cfg:1:15: error: failure_route needs a name: failure_route[NAME]");
	expect_error("request_route[x] { }",
	    "t.cfg:1:14: error: request_route takes no name");
	expect_error("event_route[] { }",
	    "t.cfg:1:13: error: empty route name");
	expect_error("route { route(); }",
	    "t.cfg:1:15: error: expected a route name");
}
END_TEST

START_TEST(t_err_loadmodule_modparam)
{
	expect_error("loadmodule sl\n",
	    "t.cfg:1:12: error: loadmodule needs a module name in quotes");
	expect_error("modparam(auth, \"x\", 1)\n",
	    "t.cfg:1:10: error: modparam: expected the module name in quotes");
	expect_error("modparam(\"auth\", \"x\", $var(x))\n",
	    "t.cfg:1:23: error: modparam: the value must be a string or a number");
}
END_TEST

START_TEST(t_err_args)
{
	expect_error("route { f(1,2,3,4,5,6,7); }",
	    "t.cfg:1:23: error: too many arguments to f() (at most 6)");
	expect_error("route { f(1 2); }",
	    "t.cfg:1:13: error: expected ',' or ')' before '2'");
	expect_error("route { f({); }",
	    "t.cfg:1:11: error: expected an argument (string, number or "
	    "pseudo-variable) to f() before '{'");
}
END_TEST

START_TEST(t_err_switch)
{
	expect_error("route { switch ($x) { exit; } }",
	    "t.cfg:1:23: error: expected 'case' or 'default' in switch");
	expect_error("route { switch ($x) { case $y: exit; } }",
	    "t.cfg:1:28: error: case label must be a number or a string");
}
END_TEST

START_TEST(t_err_assign)
{
	expect_error("route { $x + 1; }",
	    "t.cfg:1:12: error: expected '=' after $x, found '+'");
}
END_TEST

START_TEST(t_every_error_reported)
{
	struct pfix f;

	/* recovery: three independent errors, three messages */
	pf_parse(&f, "route {\n  exit\n}\nroute[A] {\n  if (1 { }\n}\n"
	    "route[B] { f(; }\n");
	ck_assert_int_eq(f.rc, -1);
	ck_assert_int_eq(f.d.errors, 3);
	ck_assert_str_eq(diag_at(&f, 0), "t.cfg:3:1: error: expected ';' before '}'");
	ck_assert_str_eq(diag_at(&f, 1), "t.cfg:5:9: error: expected ')' before '{'");
	ck_assert_str_eq(diag_at(&f, 2), "t.cfg:7:14: error: expected an argument "
	    "(string, number or pseudo-variable) to f() before ';'");
	pf_close(&f);
}
END_TEST

START_TEST(t_seed_configs_parse)
{
	static const char *names[] = {
		"ex117-htable.cfg", "ex118-cmap.cfg", "ex19-old.cfg",
		"msilo-ser-adapted.cfg",
	};
	const char *srcdir = getenv("TANDEM_SRCDIR");

	for (size_t i = 0; i < 4; i++) {
		char path[1024];
		struct cfg_src src;
		struct cfg_diag d;
		struct pp_ctx pp;
		struct pp_out out;
		struct cfg_tree tree = { 0 };
		char msg[512];

		snprintf(path, sizeof(path), "%s/test/fixtures/configs/%s",
		    srcdir ? srcdir : ".", names[i]);
		src_init(&src);
		diag_init(&d, &src);
		pp_init(&pp, &src, &d);
		ck_assert_msg(pp_run_file(&pp, path, &out) == 0, "%s", path);
		cfg_parse(&out, &d, &tree);
		msg[0] = '\0';
		if (d.errors)
			diag_format(&d, 0, msg, sizeof(msg));
		ck_assert_msg(d.errors == 0, "%s", msg);
		ck_assert_ptr_nonnull(tree.routes);
		ast_tree_free(&tree);
		pp_out_free(&out);
		pp_free(&pp);
		diag_free(&d);
		src_free(&src);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("constructs");
	TCase *te = tcase_create("errors");

	tcase_add_test(tc, t_globals);
	tcase_add_test(tc, t_listen);
	tcase_add_test(tc, t_loadmodule_modparam);
	tcase_add_test(tc, t_routes);
	tcase_add_test(tc, t_if_else);
	tcase_add_test(tc, t_while);
	tcase_add_test(tc, t_switch);
	tcase_add_test(tc, t_exit_drop_return);
	tcase_add_test(tc, t_ser_break);
	tcase_add_test(tc, t_route_call);
	tcase_add_test(tc, t_calls);
	tcase_add_test(tc, t_assign);
	tcase_add_test(tc, t_nop_and_ser_semicolons);
	tcase_add_test(tc, t_precedence);
	tcase_add_test(tc, t_not_binds_loosely);
	tcase_add_test(tc, t_unary_casts);
	tcase_add_test(tc, t_keywords);
	tcase_add_test(tc, t_match);
	tcase_add_test(tc, t_call_in_condition);
	tcase_add_test(tc, t_seed_configs_parse);
	tcase_add_test(te, t_err_missing_semi);
	tcase_add_test(te, t_err_missing_paren);
	tcase_add_test(te, t_err_if_without_paren);
	tcase_add_test(te, t_err_expr_expected);
	tcase_add_test(te, t_err_top_level);
	tcase_add_test(te, t_err_else_case);
	tcase_add_test(te, t_err_route_names);
	tcase_add_test(te, t_err_loadmodule_modparam);
	tcase_add_test(te, t_err_args);
	tcase_add_test(te, t_err_switch);
	tcase_add_test(te, t_err_assign);
	tcase_add_test(te, t_every_error_reported);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, te);
	return tcheck_run(s);
}
