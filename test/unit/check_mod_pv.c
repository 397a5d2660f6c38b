/*
 * check_mod_pv.c - the pv module: every class and transformation through
 * the core's real registries (the module's own export tables registered
 * with pv_register / tr_register, formats compiled with fmt_compile),
 * the script functions and the RPCs.  Expected values are what Kamailio
 * 5.6 gives for the same input (observed, see modules/pv/README.md).
 * The pure functions are tested in check_mod_pv_pure.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg/diag.h"
#include "core/arg.h"
#include "core/fmt.h"
#include "core/module_api.h"
#include "core/msg.h"
#include "core/pv.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "core/tr.h"
#include "modules/pv/pv_mod.h"
#include "tcheck.h"

extern const struct module tandem_module;
TCase *pv_pure_tcase(void);           /* check_mod_pv_pure.c */

static const char opt_text[] =
    "OPTIONS sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1\r\n"
    "From: <sip:alice@example.com>;tag=abc\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c-1@192.0.2.1\r\n"
    "CSeq: 7 OPTIONS\r\n"
    "Proxy-Authorization: Digest username=\"carol\", realm=\"proxy.org\","
    " nonce=\"n\", uri=\"sip:bob@example.com\", response=\"r\"\r\n"
    "Authorization: Digest username=\"alice@atlanta.com\", "
    "realm=\"biloxi.com\", nonce=\"n\", response=\"r\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char reg_text[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-2\r\n"
    "From: <sip:alice@example.com>;tag=abc\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: c-2@192.0.2.1\r\n"
    "CSeq: 8 REGISTER\r\n"
    "Proxy-Authorization: Digest username=\"carol\", realm=\"proxy.org\"\r\n"
    "Authorization: Digest username=\"alice\", realm=\"biloxi.com\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static struct cfg_diag d;
static struct msg m;
static const struct cfg_pos pos0 = { 1, 1, 1 };
static char rbuf[1024];

/* --- helpers -------------------------------------------------------------- */

static void
load(const char *text)
{
	msg_init(&m, text, strlen(text), NULL);
}

static void
setup(void)
{
	diag_init(&d, NULL);
	ck_assert_int_eq(pv_core_register(&d), 0);
	for (const struct pv_export *e = tandem_module.pvs; e->name; e++)
		ck_assert_int_eq(pv_register(e, "pv", &d, pos0), 0);
	for (const struct tr_export *e = tandem_module.trs; e->cls; e++)
		ck_assert_int_eq(tr_register(e, "pv", &d, pos0), 0);
	ck_assert_int_eq(rpc_register_table(tandem_module.rpcs, "pv", &d,
	    pos0), 0);
	ck_assert_int_eq(pv_ctx_init(), 0);
	load(opt_text);
}

static void
teardown(void)
{
	msg_destroy(&m);
	pv_registry_reset();
	tr_registry_reset();
	rpc_registry_reset();
	diag_free(&d);
	pv_shv_destroy();
	pv_var_destroy();
}

static struct fmt *
compile(const char *text)
{
	struct fmt *f = NULL;

	ck_assert_msg(fmt_compile(text, strlen(text), &f, &d, pos0) == 0,
	    "'%s': %s", text, d.n ? d.items[d.n - 1].msg : "?");
	return f;
}

/* text rendered on m, or NULL when rendering fails */
static const char *
render(const char *text)
{
	struct fmt *f = compile(text);
	str_t s;
	int rc = fmt_render(&m, f, &s);

	fmt_free(f);
	if (rc != 0)
		return NULL;
	snprintf(rbuf, sizeof(rbuf), "%.*s", STR_FMT(&s));
	return rbuf;
}

static void
expect(const char *text, const char *want)
{
	const char *got = render(text);

	/* want NULL: the PV fails, which the core prints as <null> */
	if (want == NULL)
		ck_assert_msg(got && strstr(got, "<null>"), "'%s' gave '%s', "
		    "expected <null>", text, got ? got : "(no text)");
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "'%s' gave '%s', expected '%s'", text,
		    got ? got : "(failure)", want);
}

/* The value of a format that is one reference (its type kept). */
static struct val
eval(const char *text)
{
	struct fmt *f = compile(text);
	struct val v;

	ck_assert_msg(fmt_eval(&m, f, &v) == 0, "'%s' failed", text);
	fmt_free(f);
	return v;
}

static void
assign(const char *ref, const struct val *v)
{
	struct pv_ref *r = NULL;
	size_t used;

	ck_assert_int_eq(pv_parse_ref(ref, strlen(ref), &used, &r, &d, pos0),
	    0);
	ck_assert_int_eq(pv_set(&m, r, v), 0);
	pv_ref_free(r);
}

#define assign_str(ref, text) \
	assign((ref), &(struct val){ .flags = VAL_STR, .s = str_cstr(text) })
#define assign_int(ref, num) \
	assign((ref), &(struct val){ .flags = VAL_INT, .n = (num) })
#define assign_null(ref) assign((ref), &(struct val){ .flags = VAL_NULL })

/* Compiling text fails with an error that says part. */
static void
expect_err(const char *text, const char *part)
{
	struct fmt *f = NULL;
	const char *msg;

	diag_free(&d);
	diag_init(&d, NULL);
	ck_assert_msg(fmt_compile(text, strlen(text), &f, &d, pos0) == -1,
	    "'%s' compiled", text);
	ck_assert_uint_ge(d.errors, 1);
	msg = d.items[d.n - 1].msg;
	ck_assert_msg(strstr(msg, part) != NULL, "'%s': error '%s' lacks "
	    "'%s'", text, msg, part);
}

/* --- transformations through the registries ---------------------------------- */

START_TEST(t_tr_s)
{
	static const char *const cases[][2] = {
		{ "$(var(s){s.len})", "11" },
		{ "$(var(s){s.substr,-3,0})", "rld" },
		{ "$(var(s){s.substr,2,3})", "llo" },
		{ "$(var(s){s.substr,20,1})", NULL },
		{ "$(var(s){s.select,1, })", "world" },
		{ "$(var(s){s.toupper})", "HELLO WORLD" },
		{ "$(var(s){s.toupper}{s.tolower})", "hello world" },
		{ "$(var(s){s.md5})", "5eb63bbbe01eeed093cb22bb8f5acdc3" },
		{ "$(var(s){s.strip,6})", "world" },
		{ "$(var(s){s.striptail,6})", "hello" },
		{ "$(var(s){s.rm,o})", "hell wrld" },
		{ "$(var(s){s.replace,o,0})", "hell0 w0rld" },
		{ "$(var(s){s.replace,l,})", "heo word" },
		{ "$(var(s){s.encode.hexa}{s.decode.hexa})", "hello world" },
		{ "$(var(s){s.substr,0,5}{s.sha256}{s.len})", "64" },
		{ "$(var(s){s.sha384}{s.len})", "96" },
		{ "$(var(s){s.sha512}{s.len})", "128" },
		{ "$(var(p){s.trim})", "pad me" },
		{ "[$(var(p){s.ltrim})]", "[pad me \r\n]" },
		{ "[$(var(p){s.rtrim})]", "[  \t pad me]" },
		{ "$(var(q){s.escape.common})", "a\\'b\\\"c\\\\d" },
		{ "$(var(q){s.escape.common}{s.unescape.common})", "a'b\"c\\d" },
		{ "$(var(c){s.select,0,,})", "a" },
		{ "$(var(c){s.select,-1,,})", "c" },
		{ "$(var(c){s.select,2,,})", "" },
		{ "$(var(c){s.select,9,,})", "" },
		{ "$(var(c){s.numeric})", "" },
		{ "$(var(n){s.int})", "42" },
		{ "$(var(n){s.len})", "2" },
		{ "$(var(n){s.toupper})", "42" },
		{ "$(var(n){s.substr,0,1})", "4" },
		{ "$(var(bad){s.int})", NULL },
		{ "$(var(neg){s.int})", "-7" },
		{ "$(var(qq){s.unquote})", "quoted" },
		{ "$(var(br){s.unbracket})", "sip:x" },
		{ "$(var(empty){s.len})", "0" },
		{ "$(var(empty){s.md5})", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "$(var(empty){s.substr,0,0})", NULL },
		{ "$(var(bad){s.decode.hexa})", NULL },
		{ "$(var(never){s.len})", "1" },
	};

	assign_str("$var(s)", "hello world");
	assign_str("$var(p)", "  \t pad me \r\n");
	assign_str("$var(q)", "a'b\"c\\d");
	assign_str("$var(c)", "a,b,,c");
	assign_int("$var(n)", 42);
	assign_str("$var(bad)", "12abc");
	assign_str("$var(neg)", "-7");
	assign_str("$var(qq)", "\"quoted\"");
	assign_str("$var(br)", "<sip:x>");
	assign_str("$var(empty)", "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(t_tr_types_and_null)
{
	struct val v;

	assign_str("$var(s)", "abc");
	v = eval("$(var(s){s.len})");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ck_assert_int_eq(v.n, 3);
	assign_str("$var(s)", "-12");
	v = eval("$(var(s){s.int})");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ck_assert_int_eq(v.n, -12);
	v = eval("$(var(s){s.md5})");
	ck_assert_uint_eq(v.flags, VAL_STR);
	/* a transformation of nothing fails, as in Kamailio */
	expect("$(hdr(X-Nope){s.len})", NULL);
	expect("$(hdr(X-Nope){uri.user})", NULL);
	expect("$(hdr(X-Nope){param.count})", NULL);
	expect("$(avp(nope){s.toupper})", NULL);
	/* a header value goes through a chain */
	expect("$(hdr(CSeq){s.select,1, }{s.tolower})", "options");
	expect("$(hdr(From){s.select,1,;}{param.value,tag})", "abc");
}
END_TEST

START_TEST(t_tr_uri)
{
	static const char *const cases[][2] = {
		{ "$(var(u){uri.user})", "alice" },
		{ "$(var(u){uri.host})", "Example.com" },
		{ "$(var(u){uri.port})", "5071" },
		{ "$(var(u){uri.params})", "transport=TCP;lr;x=1;ttl=5" },
		{ "$(var(u){uri.param,x})", "1" },
		{ "$(var(u){uri.param,X})", "1" },
		{ "$(var(u){uri.param,nope})", "" },
		{ "$(var(u){uri.param,$var(pn)})", "5" },
		{ "$(var(u){uri.transport})", "TCP" },
		{ "$(var(u){uri.ttl})", "5" },
		{ "$(var(u){uri.lr})", "" },
		{ "$(var(u){uri.maddr})", "" },
		{ "$(var(u){uri.scheme})", "sips" },
		{ "$(var(u){uri.passwd})", "pw" },
		{ "$(var(u){uri.headers})", "h=v" },
		{ "$(var(u){uri.params}{param.value,transport}{s.tolower})",
		  "tcp" },
		{ "$(var(v){uri.user})", "" },
		{ "$(var(v){uri.port})", "" },
		{ "$(var(v){uri.transport})", "" },
		{ "$(var(v){uri.scheme})", "sip" },
		{ "$(var(bad){uri.host})", NULL },
		{ "$(ru{uri.user})", "bob" },
		{ "$(fu{uri.host})", "example.com" },
	};

	assign_str("$var(u)",
	    "sips:alice:pw@Example.com:5071;transport=TCP;lr;x=1;ttl=5?h=v");
	assign_str("$var(v)", "sip:example.com");
	assign_str("$var(bad)", "<sip:u@h>");
	assign_str("$var(pn)", "ttl");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(t_tr_param)
{
	static const char *const cases[][2] = {
		{ "$(var(p){param.value,b})", "2" },
		{ "$(var(p){param.value,c})", "" },
		{ "$(var(p){param.value,z})", "" },
		{ "$(var(p){param.valueat,1})", "2" },
		{ "$(var(p){param.valueat,-4})", "1" },
		{ "$(var(p){param.name,2})", "c" },
		{ "$(var(p){param.name,9})", "" },
		{ "$(var(p){param.count})", "4" },
		{ "$(var(p){param.value,$var(k)})", "2" },
		{ "$(var(p){param.valueat,$var(i)})", "2" },
		{ "$(var(a){param.value,b,&})", "2" },
		{ "$(var(a){param.count,&})", "2" },
		{ "$(var(a){param.valueat,-1,&})", "2" },
		{ "$(var(a){param.name,0,&})", "a" },
		{ "$(var(a){param.count})", "1" },
	};

	assign_str("$var(p)", "a=1;b=2;c;d=");
	assign_str("$var(a)", "a=1&b=2");
	assign_str("$var(k)", "b");
	assign_int("$var(i)", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(cases[i][0], cases[i][1]);
	/* a PV argument that is not a number fails at run time */
	assign_str("$var(i)", "x");
	expect("$(var(p){param.valueat,$var(i)})", NULL);
	expect("$(var(p){s.substr,$var(i),1})", NULL);
}
END_TEST

START_TEST(t_tr_config_errors)
{
	expect_err("$(var(s){s.nope})", "unknown transformation {s.nope}");
	expect_err("$(var(s){uri.nope})", "unknown transformation {uri.nope}");
	expect_err("$(var(s){param.value})",
	    "{param.value} takes 1 to 2 arguments");
	expect_err("$(var(s){s.substr,x,1})", "'x' is not a number");
	expect_err("$(var(s){s.substr,1,-1})", "'-1' is not a non-negative");
	expect_err("$(var(s){s.substr,1})", "{s.substr} takes 2 arguments");
	expect_err("$(var(s){s.len,3})", "{s.len} takes 0 arguments");
	expect_err("$(var(s){s.select,1,ab})", "must be one character");
	expect_err("$(var(s){s.select,a,;})", "'a' is not a number");
	expect_err("$(var(s){s.strip})", "{s.strip} takes 1 argument");
	expect_err("$(var(s){uri.param})", "{uri.param} takes 1 argument");
	expect_err("$(var(s){param.value,a,;;})", "must be one character");
	expect_err("$(var(s){param.valueat,z})", "'z' is not a number");
	expect_err("$(var(s){s.substr,$nope(x),1})",
	    "unknown pseudo-variable class '$nope'");
}
END_TEST

/* --- the classes ---------------------------------------------------------------- */

START_TEST(t_var)
{
	struct val v;

	expect("$var(x)", "0");
	v = eval("$var(x)");
	ck_assert_uint_eq(v.flags, VAL_INT);
	assign_str("$var(x)", "text");
	expect("$var(x)", "text");
	assign_int("$var(x)", 5);
	v = eval("$var(x)");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ck_assert_int_eq(v.n, 5);
	assign_null("$var(x)");
	v = eval("$var(x)");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ck_assert_int_eq(v.n, 0);
	/* a value overwritten keeps what was read before intact */
	assign_str("$var(y)", "abcdef");
	v = eval("$var(y)");
	assign_str("$var(y)", "XY");
	ck_assert(str_eq_cstr(&v.s, "abcdef"));
	expect("$var(y)", "XY");
	/* assigning a slice of the variable to itself */
	assign_str("$var(y)", "hello");
	v = eval("$(var(y){s.substr,1,0})");
	assign("$var(y)", &v);
	expect("$var(y)", "ello");
	/* survives the message: per process, not per message */
	msg_destroy(&m);
	load(opt_text);
	expect("$var(y)", "ello");
	expect_err("$var()", "$var() needs a name");
	expect_err("$var($var(a))", "cannot hold a pseudo-variable");
}
END_TEST

START_TEST(t_var_param)
{
	struct val p;

	val_set_str(&p, STR_LIT("vv=s:init value"));
	ck_assert_int_eq(pv_var_param(&p, &d), 0);
	val_set_str(&p, STR_LIT("vi = i: 12"));
	ck_assert_int_eq(pv_var_param(&p, &d), 0);
	expect("$var(vv)/$var(vi)", "init value/12");
	ck_assert_uint_eq(eval("$var(vi)").flags, VAL_INT);
	val_set_str(&p, STR_LIT("bad=i:xx"));
	ck_assert_int_eq(pv_var_param(&p, &d), -1);
	ck_assert_str_eq(d.items[d.n - 1].msg,
	    "varset: 'xx' is not an integer");
	val_set_str(&p, STR_LIT("noeq"));
	ck_assert_int_eq(pv_var_param(&p, &d), -1);
	val_set_str(&p, STR_LIT("x=q:1"));
	ck_assert_int_eq(pv_var_param(&p, &d), -1);
	val_set_int(&p, 3);
	ck_assert_int_eq(pv_var_param(&p, &d), -1);
}
END_TEST

START_TEST(t_avp)
{
	struct val v;

	expect("$avp(x)", "<null>");
	assign_int("$avp(x)", 1);
	assign_str("$avp(x)", "two");
	assign_int("$avp(s:x)", 3);
	expect("$avp(x)", "3");
	v = eval("$avp(x)");
	ck_assert_uint_eq(v.flags, VAL_INT);
	expect("$(avp(x)[0])/$(avp(x)[1])/$(avp(x)[2])/$(avp(x)[3])",
	    "3/two/1/<null>");
	expect("$(avp(x)[-1])/$(avp(x)[-3])/$(avp(x)[-4])", "1/3/<null>");
	expect("$(avp(x)[*])", "3, two, 1");
	expect("$(avp(x)[0]{s.len})", "1");
	/* i:5 is its own namespace */
	assign_int("$avp(i:5)", 9);
	assign_str("$avp(5)", "five");
	expect("$avp(i:5)/$avp(5)/$avp(s:5)", "9/five/five");
	/* a name from a PV */
	assign_str("$var(n)", "x");
	expect("$avp($var(n))", "3");
	assign_str("$avp($var(n))", "dyn");
	expect("$avp(x)", "dyn");
	/* $null deletes every value of the name, only of that name */
	assign_null("$avp(x)");
	expect("$avp(x)/$(avp(x)[*])/$avp(i:5)", "<null>/<null>/9");
	/* freed with the message */
	assign_str("$avp(y)", "keep?");
	msg_destroy(&m);
	load(opt_text);
	expect("$avp(y)", "<null>");
	expect_err("$avp(i:abc)", "an i: name must be an integer");
	expect_err("$avp(s:)", "$avp() needs a name");
}
END_TEST

START_TEST(t_shv)
{
	struct val p, v;

	val_set_str(&p, STR_LIT("seed=i:5"));
	ck_assert_int_eq(pv_shv_param(&p, &d), 0);
	val_set_str(&p, STR_LIT("gw=s:sip:10.0.0.1"));
	ck_assert_int_eq(pv_shv_param(&p, &d), 0);
	val_set_str(&p, STR_LIT("x=i:"));
	ck_assert_int_eq(pv_shv_param(&p, &d), -1);
	/* names are collected while compiling; reading needs the table */
	struct fmt *f = compile("$shv(cnt)");
	str_t s;

	ck_assert(fmt_render(&m, f, &s) == 0 && str_eq_cstr(&s, "<null>"));
	ck_assert_int_eq(pv_shv_init(), 0);
	expect("$shv(seed)/$shv(gw)/$shv(cnt)", "5/sip:10.0.0.1/0");
	ck_assert_uint_eq(eval("$shv(cnt)").flags, VAL_INT);
	assign_str("$shv(cnt)", "a string in shm");
	v = eval("$shv(cnt)");
	ck_assert(!shm_contains(v.s.s));
	assign_int("$shv(cnt)", 7);
	expect("$shv(cnt)", "7");
	assign_null("$shv(cnt)");
	expect("$shv(cnt)", "<null>");
	/* no new names once the table is built */
	expect_err("$shv(late)", "fixed once the server runs");
	expect_err("$shv()", "$shv() needs a name");
	fmt_free(f);
}
END_TEST

START_TEST(t_shv_across_fork)
{
	struct fmt *f = compile("$shv(c)");
	int st;
	pid_t pid;

	ck_assert_int_eq(pv_shv_init(), 0);
	assign_str("$shv(c)", "parent");
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		str_t s;

		/* the child sees the parent's value and replaces it */
		if (fmt_render(&m, f, &s) != 0 || !str_eq_cstr(&s, "parent"))
			_exit(1);
		assign_str("$shv(c)", "child");
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	expect("$shv(c)", "child");
	fmt_free(f);
}
END_TEST

/* --- RPC: a writer that prints the reply as text -------------------------------- */

static char rpc_out[1024];

static void
rb_put(const char *a, const char *b, const char *c)
{
	size_t n = strlen(rpc_out);

	snprintf(rpc_out + n, sizeof(rpc_out) - n, "%s%s%s", a, b, c);
}

static void rb_begin(void *out) { rpc_out[0] = '\0'; }
static void rb_close(void *out, int is_array) { rb_put("}", "", ""); }
static int rb_end(void *out) { return 0; }

static void
rb_open(void *out, const char *name, int is_array)
{
	rb_put(name ? name : "", "{", "");
}

static void
rb_value(void *out, const char *name, const struct rpc_value *v)
{
	char t[256];

	if (v->type == RPC_INT)
		snprintf(t, sizeof(t), "%lld", v->i);
	else
		snprintf(t, sizeof(t), "%.*s", STR_FMT(&v->s));
	rb_put(name ? name : "", "=", t);
	rb_put(" ", "", "");
}

static void
rb_fault(void *out, int code, const str_t *msg)
{
	snprintf(rpc_out, sizeof(rpc_out), "FAULT %d %.*s", code,
	    STR_FMT(msg));
}

static const struct rpc_writer rb_writer = {
	rb_begin, rb_value, rb_open, rb_close, rb_fault, rb_end,
};

static const char *
rpc(const char *method, int argc, const char *a0, const char *a1,
    const char *a2)
{
	str_t argv[3] = { str_cstr(a0), str_cstr(a1), str_cstr(a2) };

	rpc_execute(method, argc, argv, &rb_writer, NULL);
	return rpc_out;
}

START_TEST(t_shv_rpc)
{
	struct val p;

	val_set_str(&p, STR_LIT("a=i:1"));
	ck_assert_int_eq(pv_shv_param(&p, &d), 0);
	val_set_str(&p, STR_LIT("b=s:hello"));
	ck_assert_int_eq(pv_shv_param(&p, &d), 0);
	ck_assert_str_eq(rpc("pv.shvGet", 0, NULL, NULL, NULL),
	    "FAULT 500 Shared variables are not initialized");
	ck_assert_int_eq(pv_shv_init(), 0);
	ck_assert_str_eq(rpc("pv.shvGet", 1, "a", NULL, NULL),
	    "{name=a type=int value=1 }");
	ck_assert_str_eq(rpc("pv.shvGet", 0, NULL, NULL, NULL),
	    "{items{shv{name=a type=int value=1 }shv{name=b type=string "
	    "value=hello }}}");
	ck_assert_str_eq(rpc("pv.shvGet", 1, "nope", NULL, NULL),
	    "FAULT 404 Variable not found");
	ck_assert_str_eq(rpc("pv.shvSet", 3, "a", "str", "x y"), "");
	expect("$shv(a)", "x y");
	ck_assert_str_eq(rpc("pv.shvSet", 3, "b", "int", "-3"), "");
	ck_assert_uint_eq(eval("$shv(b)").flags, VAL_INT);
	expect("$shv(b)", "-3");
	ck_assert_str_eq(rpc("pv.shvSet", 3, "c", "int", "1"),
	    "FAULT 404 Variable not found");
	ck_assert_str_eq(rpc("pv.shvSet", 3, "a", "bogus", "1"),
	    "FAULT 500 Unknown parameter type (Types: int or str)");
	ck_assert_str_eq(rpc("pv.shvSet", 3, "a", "int", "abc"),
	    "FAULT 500 Missing integer parameter value (Parameters: varname "
	    "type value)");
	ck_assert_str_eq(rpc("pv.shvSet", 1, "a", NULL, NULL),
	    "FAULT 500 Missing parameter type (Parameters: varname type "
	    "value)");
	ck_assert_str_eq(rpc("pv.shvSet", 2, "a", "int", NULL),
	    "FAULT 500 Missing parameter value (Parameters: varname type "
	    "value)");
	assign_null("$shv(a)");
	ck_assert_str_eq(rpc("pv.shvGet", 1, "a", NULL, NULL),
	    "{name=a type=null value= }");
}
END_TEST

/* --- time, credentials, environment --------------------------------------------- */

START_TEST(t_time)
{
	time_t before = time(NULL), ts;
	struct tm tm;
	struct val v;
	char want[64];

	v = eval("$Ts");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ts = (time_t)v.n;
	ck_assert(ts >= before && ts <= time(NULL));
	/* one time per message: $Ts, $TV(s) and $time agree */
	ck_assert_int_eq(eval("$TV(s)").n, v.n);
	ck_assert(eval("$TV(u)").n >= 0 && eval("$TV(u)").n < 1000000);
	ck_assert_int_eq(eval("$TV(u)").n, eval("$TV(u)").n);
	ck_assert(eval("$TV(sn)").n >= v.n);
	ck_assert(eval("$TV(un)").n >= 0 && eval("$TV(un)").n < 1000000);
	ck_assert_ptr_nonnull(strchr(render("$TV(Sn)"), '.'));
	localtime_r(&ts, &tm);
	snprintf(want, sizeof(want), "%d-%d-%d %d:%d:%d w%d y%d d%d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, tm.tm_wday + 1, tm.tm_yday + 1,
	    tm.tm_isdst);
	expect("$time(year)-$time(mon)-$time(mday) $time(hour):$time(min):"
	    "$time(sec) w$time(wday) y$time(yday) d$time(isdst)", want);
	strftime(want, sizeof(want), "%Y-%m-%d %H", &tm);
	expect("$timef(%Y-%m-%d %H)", want);
	expect_err("$time(month)", "unknown $time(month)");
	expect_err("$TV(x)", "unknown $TV(x)");
	expect_err("$TV", "needs a name");
	expect_err("$timef()", "$timef() needs a strftime format");
}
END_TEST

START_TEST(t_auth_env)
{
	/* OPTIONS: Proxy-Authorization first */
	expect("$au|$ar|$ad", "carol|proxy.org|proxy.org");
	msg_destroy(&m);
	load(reg_text);
	/* REGISTER: Authorization first */
	expect("$au|$ar|$ad", "alice|biloxi.com|biloxi.com");
	msg_destroy(&m);
	load("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-3\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: c3\r\n"
	    "CSeq: 1 OPTIONS\r\nAuthorization: Digest username=\"u@d.com\","
	    " realm=\"r.com\"\r\nContent-Length: 0\r\n\r\n");
	expect("$au|$ar|$ad", "u|r.com|d.com");
	msg_destroy(&m);
	load("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-4\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: c4\r\n"
	    "CSeq: 1 OPTIONS\r\nAuthorization: Basic eDp5\r\n"
	    "Content-Length: 0\r\n\r\n");
	expect("$au|$ar|$ad", "<null>|<null>|<null>");

	setenv("TD_PV_TEST_ENV", "env value", 1);
	unsetenv("TD_PV_TEST_UNSET");
	expect("$env(TD_PV_TEST_ENV)|$env(TD_PV_TEST_UNSET)",
	    "env value|<null>");
	expect_err("$env()", "$env() needs the name");
}
END_TEST

/* --- script functions --------------------------------------------------------- */

static const struct cmd_export *
cmd(const char *name)
{
	for (const struct cmd_export *c = tandem_module.cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	ck_abort_msg("no function %s", name);
	return NULL;
}

/* Builds argument i of c from text the way the resolver does. */
static void *
mkarg(const struct cmd_export *c, int i, const char *text)
{
	str_t t = str_cstr(text);
	void *a = (c->args[i].flags & ARG_PV) ? arg_new_pv(&t, &d, pos0)
	    : arg_new_fmt(&t, &d, pos0);

	ck_assert_ptr_nonnull(a);
	if (c->args[i].fixup != NULL && c->args[i].fixup(&a, &d) != 0) {
		arg_free(a);
		return NULL;
	}
	return a;
}

static int
call1(const char *name, const char *a0)
{
	const struct cmd_export *c = cmd(name);
	void *args[2] = { mkarg(c, 0, a0), NULL };
	int rc;

	ck_assert_ptr_nonnull(args[0]);
	rc = c->fn(&m, args);
	arg_free(args[0]);
	return rc;
}

START_TEST(t_functions)
{
	const struct cmd_export *c = cmd("pv_printf");
	void *args[2];

	assign_int("$var(cnt)", 3);
	args[0] = mkarg(c, 0, "$var(sessid)");
	args[1] = mkarg(c, 1, "s.$(var(cnt)).$ci.$(var(cnt){s.len})");
	ck_assert_int_eq(c->fn(&m, args), 1);
	expect("$var(sessid)", "s.3.c-1@192.0.2.1.1");
	ck_assert_uint_eq(eval("$var(sessid)").flags, VAL_STR);
	arg_free(args[0]);
	arg_free(args[1]);

	ck_assert_int_eq(call1("is_int", "$var(cnt)"), 1);
	assign_str("$var(cnt)", "12");
	ck_assert_int_eq(call1("is_int", "$var(cnt)"), -1);
	ck_assert_int_eq(call1("is_int", "$cs"), 1);
	ck_assert_int_eq(call1("pv_isset", "$var(never)"), 1);
	ck_assert_int_eq(call1("pv_isset", "$avp(a)"), -1);
	assign_str("$avp(a)", "v");
	ck_assert_int_eq(call1("pv_isset", "$avp(a)"), 1);
	ck_assert_int_eq(call1("pv_isset", "$hdr(Call-ID)"), 1);
	ck_assert_int_eq(call1("pv_isset", "$hdr(X-Nope)"), -1);
	ck_assert_int_eq(call1("pv_unset", "$avp(a)"), 1);
	ck_assert_int_eq(call1("pv_isset", "$avp(a)"), -1);
	ck_assert_int_eq(call1("pv_unset", "$var(cnt)"), 1);
	expect("$var(cnt)", "0");

	/* is_int / pv_isset want exactly one reference */
	ck_assert_ptr_null(mkarg(cmd("is_int"), 0, "x$var(a)"));
	ck_assert_ptr_nonnull(strstr(d.items[d.n - 1].msg,
	    "expected one pseudo-variable"));
	ck_assert_ptr_null(mkarg(cmd("pv_isset"), 0, "plain"));
}
END_TEST

static Suite *
pv_suite(void)
{
	Suite *s = suite_create("mod_pv");
	TCase *tc = tcase_create("registries");

	suite_add_tcase(s, pv_pure_tcase());

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_tr_s);
	tcase_add_test(tc, t_tr_types_and_null);
	tcase_add_test(tc, t_tr_uri);
	tcase_add_test(tc, t_tr_param);
	tcase_add_test(tc, t_tr_config_errors);
	tcase_add_test(tc, t_var);
	tcase_add_test(tc, t_var_param);
	tcase_add_test(tc, t_avp);
	tcase_add_test(tc, t_shv);
	tcase_add_test(tc, t_shv_across_fork);
	tcase_add_test(tc, t_shv_rpc);
	tcase_add_test(tc, t_time);
	tcase_add_test(tc, t_auth_env);
	tcase_add_test(tc, t_functions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* the $shv table and its locks live in shm, made once, before the
	 * tests fork, as the supervisor does before the workers */
	if (shm_init(4 << 20) != 0)
		return 99;
	return tcheck_run(pv_suite());
}
