/*
 * check_fmt.c - pseudo-variable references, transformation chains,
 * formats and arguments (core/pv.c, pv_core.c, tr.c, fmt.c, arg.c),
 * evaluated on a real SIP message.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg/diag.h"
#include "core/arg.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/pv.h"
#include "core/tr.h"
#include "tcheck.h"

static const char reg_text[] =
    "REGISTER sip:bob@example.com:5080;transport=tcp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1\r\n"
    "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-2\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=abc123\r\n"
    "To: <sip:bob@example.org>\r\n"
    "Call-ID: reg-1@192.0.2.1\r\n"
    "CSeq: 7 REGISTER\r\n"
    "User-Agent: Tandem-test/1.0\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

static const char ok_text[] =
    "SIP/2.0 486 Busy Here\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1\r\n"
    "From: <sip:alice@example.com>;tag=abc123\r\n"
    "To: <sip:bob@example.org>;tag=xyz\r\n"
    "Call-ID: reg-1@192.0.2.1\r\n"
    "CSeq: 8 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static struct cfg_diag d;
static struct msg m;
static const struct cfg_pos pos0 = { 1, 3, 10 };

/* --- a writable test class $var(name) and a test transformation {t.} --- */

#define TVAR_MAX 8

struct tvar {
	char       name[32];
	struct val v;
	char       buf[64];
};

static struct tvar tvar[TVAR_MAX];

static int
tvar_parse(const str_t *in, void **compiled, struct cfg_diag *dd)
{
	/* $opt without a name is the variable "" */
	const str_t *inner = in ? in : &STR_LIT("");

	for (int i = 0; i < TVAR_MAX; i++) {
		if (tvar[i].name[0] == '\0')
			snprintf(tvar[i].name, sizeof(tvar[i].name), "%.*s",
			    STR_FMT(inner));
		if (str_eq_cstr(inner, tvar[i].name)) {
			*compiled = &tvar[i];
			return 0;
		}
	}
	diag_error(dd, "too many test variables");
	return -1;
}

static int
tvar_get(struct msg *mm, void *c, struct val *out)
{
	*out = ((struct tvar *)c)->v;
	return 0;
}

static int
tvar_set(struct msg *mm, void *c, const struct val *in)
{
	struct tvar *t = c;

	t->v = *in;
	if (in->flags & VAL_STR) {
		snprintf(t->buf, sizeof(t->buf), "%.*s", STR_FMT(&in->s));
		t->v.s = str_cstr(t->buf);
	}
	return 0;
}

static const struct pv_export test_pvs[] = {
	{ .name = "var", .flags = PV_READ | PV_WRITE | PV_INNER,
	  .parse = tvar_parse, .get = tvar_get, .set = tvar_set },
	{ .name = "opt", .flags = PV_READ | PV_INNER | PV_NOINNER_OK,
	  .parse = tvar_parse, .get = tvar_get },
};

enum { T_UPPER, T_LEN, T_CUT, T_ARGS };

struct t_tr {
	int       op;
	long long n;
	char      args[64];     /* T_ARGS: the raw args, "-" when absent */
};

static int
t_parse(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *dd)
{
	struct t_tr *t;
	int op;

	if (str_eq_cstr(key, "upper"))
		op = T_UPPER;
	else if (str_eq_cstr(key, "len"))
		op = T_LEN;
	else if (str_eq_cstr(key, "cut"))
		op = T_CUT;
	else if (str_eq_cstr(key, "args"))
		op = T_ARGS;
	else {
		diag_error(dd, "unknown transformation {t.%.*s}",
		    STR_FMT(key));
		return -1;
	}
	t = calloc(1, sizeof(*t));
	t->op = op;
	if (op == T_CUT && (args->s == NULL || str_to_ll(args, &t->n) != 0)) {
		diag_error(dd, "{t.cut} needs a number");
		free(t);
		return -1;
	}
	snprintf(t->args, sizeof(t->args), "%.*s", args->s ? (int)args->len
	    : 1, args->s ? args->s : "-");
	*compiled = t;
	return 0;
}

static int
t_apply(struct msg *mm, void *c, struct val *v)
{
	struct t_tr *t = c;
	str_t s;
	char *p;

	if (val_to_str(&mm->arena, v, &s) != 0)
		return -1;
	switch (t->op) {
	case T_UPPER:
		p = arena_strndup(&mm->arena, s.s, s.len);
		for (size_t i = 0; i < s.len; i++)
			p[i] = (char)toupper((unsigned char)p[i]);
		val_set_str(v, str_make(p, s.len));
		break;
	case T_LEN:
		val_set_int(v, (long long)s.len);
		break;
	case T_CUT:
		if ((size_t)t->n < s.len)
			s.len = (size_t)t->n;
		val_set_str(v, s);
		break;
	case T_ARGS:
		val_set_str(v, str_cstr(t->args));
		break;
	}
	return 0;
}

static const struct tr_export test_tr = {
	.cls = "t", .parse = t_parse, .apply = t_apply, .free = free,
};

static void
setup(void)
{
	struct rcv_info ri;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ri.src;
	struct sockaddr_in *din = (struct sockaddr_in *)&ri.dst;

	memset(&ri, 0, sizeof(ri));
	memset(tvar, 0, sizeof(tvar));
	ri.proto = PROTO_UDP;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5070);
	inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
	din->sin_family = AF_INET;
	din->sin_port = htons(5060);
	inet_pton(AF_INET, "198.51.100.7", &din->sin_addr);
	diag_init(&d, NULL);
	ck_assert_int_eq(pv_core_register(&d), 0);
	for (size_t i = 0; i < sizeof(test_pvs) / sizeof(test_pvs[0]); i++)
		ck_assert_int_eq(pv_register(&test_pvs[i], "test", &d, pos0),
		    0);
	ck_assert_int_eq(tr_register(&test_tr, "test", &d, pos0), 0);
	msg_init(&m, reg_text, sizeof(reg_text) - 1, &ri);
	m.last_rc = -2;
}

static void
teardown(void)
{
	msg_destroy(&m);
	diag_free(&d);
	pv_registry_reset();
	tr_registry_reset();
}

/* The message of the only diagnostic. */
static const char *
only_error(void)
{
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.items[0].sev, DIAG_ERROR);
	return d.items[0].msg;
}

/* Parses text expecting success, consuming `want_used` bytes. */
static struct pv_ref *
ref_ok(const char *text, size_t want_used)
{
	struct pv_ref *r = NULL;
	size_t used = 0;

	ck_assert_msg(pv_parse_ref(text, strlen(text), &used, &r, &d,
	    pos0) == 0, "'%s': %s", text, d.n ? d.items[0].msg : "?");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(used, want_used);
	ck_assert_uint_eq(strlen(r->text), want_used);
	ck_assert_int_eq(strncmp(r->text, text, want_used), 0);
	return r;
}

static void
ref_err(const char *text, const char *want)
{
	struct pv_ref *r = (struct pv_ref *)1;
	size_t used = 0;

	diag_free(&d);
	diag_init(&d, NULL);
	ck_assert_int_eq(pv_parse_ref(text, strlen(text), &used, &r, &d, pos0),
	    -1);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(only_error(), want);
	ck_assert_uint_eq(d.items[0].pos.line, pos0.line);
	diag_free(&d);
	diag_init(&d, NULL);
}

/* Renders fmt text on m and compares. */
static void
render_is(const char *text, const char *want)
{
	struct fmt *f = NULL;
	str_t out;

	ck_assert_msg(fmt_compile(text, strlen(text), &f, &d, pos0) == 0,
	    "'%s': %s", text, d.n ? d.items[0].msg : "?");
	ck_assert_int_eq(fmt_render(&m, f, &out), 0);
	ck_assert_msg(out.len == strlen(want) && memcmp(out.s, want,
	    out.len) == 0, "'%s' gave '%.*s', want '%s'", text, STR_FMT(&out),
	    want);
	ck_assert_int_eq(out.s[out.len], '\0');
	ck_assert_str_eq(fmt_source(f), text);
	fmt_free(f);
}

/* Evaluates one reference. */
static struct val
eval(const char *text)
{
	struct pv_ref *r = ref_ok(text, strlen(text));
	struct val v;

	ck_assert_int_eq(pv_get(&m, r, &v), 0);
	pv_ref_free(r);
	return v;
}

START_TEST(t_ref_forms)
{
	struct pv_ref *r;

	r = ref_ok("$si", 3);
	ck_assert_int_eq(r->has_idx, 0);
	ck_assert_ptr_null(r->tr);
	pv_ref_free(r);
	pv_ref_free(ref_ok("$si:$sp", 3));
	pv_ref_free(ref_ok("$si.x", 3));
	pv_ref_free(ref_ok("$RANDOM-", 7));
	pv_ref_free(ref_ok("$?", 2));
	pv_ref_free(ref_ok("$var(x) tail", 7));
	pv_ref_free(ref_ok("$var(a(b)c))", 11));
	pv_ref_free(ref_ok("$var(k$var(i))", 14));
	pv_ref_free(ref_ok("$var(\"a)b\")", 11));
	pv_ref_free(ref_ok("$var(it's)", 10));
	pv_ref_free(ref_ok("$var()", 6));
	pv_ref_free(ref_ok("$(var(x))", 9));
	pv_ref_free(ref_ok("$(si)", 5));
	pv_ref_free(ref_ok("$opt", 4));
	pv_ref_free(ref_ok("$opt(x)", 7));
	r = ref_ok("$(hdr(Via)[1])x", 14);
	ck_assert_int_eq(r->has_idx, 1);
	ck_assert_int_eq(r->idx, 1);
	pv_ref_free(r);
	r = ref_ok("$(hdr(Via)[-1])", 15);
	ck_assert_int_eq(r->idx, -1);
	pv_ref_free(r);
	r = ref_ok("$(hdr(Via)[*])", 14);
	ck_assert_int_eq(r->idx, PV_IDX_ALL);
	pv_ref_free(r);
	r = ref_ok("$(ru{t.upper}{t.len})", 21);
	ck_assert_ptr_nonnull(r->tr);
	pv_ref_free(r);
	r = ref_ok("$(hdr(Via)[0]{t.cut,3})", 23);
	ck_assert_int_eq(r->idx, 0);
	ck_assert_ptr_nonnull(r->tr);
	pv_ref_free(r);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(t_ref_errors)
{
	ref_err("$foo", "unknown pseudo-variable class '$foo'");
	ref_err("$(foo[1])", "unknown pseudo-variable class '$foo'");
	ref_err("$var(x", "unterminated pseudo-variable '$var(x'");
	ref_err("$(var(x)", "unterminated pseudo-variable '$(var(x)'");
	ref_err("$var", "pseudo-variable $var needs a name: $var(name)");
	ref_err("$(var)", "pseudo-variable $var needs a name: $var(name)");
	ref_err("$(si[0])", "pseudo-variable $si takes no index");
	ref_err("$(si[-2])", "pseudo-variable $si takes no index");
	ref_err("$si(x)", "pseudo-variable $si takes no name");
	ref_err("$(hdr(Via)[x])", "bad index in pseudo-variable "
	    "'$(hdr(Via)[x])'");
	ref_err("$(hdr(Via)[1]", "unterminated pseudo-variable "
	    "'$(hdr(Via)[1]'");
	ref_err("$(si x)", "unexpected ' ' in pseudo-variable '$(si '");
	ref_err("$1", "bad pseudo-variable name in '$1'");
	ref_err("$", "bad pseudo-variable '$'");
	ref_err("$(si{foo.bar})", "unknown transformation class '{foo.'");
	ref_err("$(si{t.upper)", "unterminated transformation");
	ref_err("$(si{t.upper}", "unterminated pseudo-variable "
	    "'$(si{t.upper}'");
	ref_err("$(si{t.nope})", "unknown transformation {t.nope}");
	ref_err("$(si{t.cut})", "{t.cut} needs a number");
	ref_err("$(si{upper})", "bad transformation '{upper}': expected "
	    "{class.key}");
	ref_err("$(si{t.})", "bad transformation '{t.}': no key");
	ref_err("$hdr()", "$hdr() needs a header name");
}
END_TEST

START_TEST(t_registry)
{
	static const struct pv_export dup = { .name = "si", .flags = PV_READ };
	static const struct tr_export trdup = { .cls = "t" };
	const char *owner = NULL;
	str_t n = STR_LIT("si");

	ck_assert_ptr_nonnull(pv_lookup(&n, &owner));
	ck_assert_str_eq(owner, "core");
	ck_assert_int_eq(pv_register(&dup, "mymod", &d, pos0), -1);
	ck_assert_str_eq(only_error(), "pseudo-variable class $si is "
	    "exported by both 'core' and 'mymod'");
	diag_free(&d);
	diag_init(&d, NULL);
	ck_assert_int_eq(tr_register(&trdup, "other", &d, pos0), -1);
	ck_assert_str_eq(only_error(), "transformation class {t.} is "
	    "exported by both 'test' and 'other'");
	n = STR_LIT("t");
	ck_assert_ptr_eq(tr_lookup(&n, &owner), &test_tr);
	ck_assert_str_eq(owner, "test");
	pv_registry_reset();
	n = STR_LIT("si");
	ck_assert_ptr_null(pv_lookup(&n, NULL));
	ck_assert_int_eq(pv_core_register(&d), 0);
}
END_TEST

START_TEST(t_core_pvs)
{
	struct val v;

	render_is("from $si:$sp to $Ri:$Rp over $pr/$proto $af",
	    "from 192.0.2.1:5070 to 198.51.100.7:5060 over udp/udp INET");
	render_is("$rm $ru user=$rU host=$rd port=$rp",
	    "REGISTER sip:bob@example.com:5080;transport=tcp user=bob "
	    "host=example.com port=5080");
	render_is("$fu|$fU|$fd|$ft", "sip:alice@example.com|alice|"
	    "example.com|abc123");
	render_is("$tu|$tU|$td|$tt", "sip:bob@example.org|bob|example.org|"
	    "<null>");
	render_is("$ci $cs $ua [$rb] $ml", "reg-1@192.0.2.1 7 Tandem-test/1.0 "
	    "[hello] 369");
	render_is("$rs $rr $conid $null", "<null> <null> <null> <null>");
	render_is("rc=$rc $retcode $?", "rc=-2 -2 -2");
	render_is("$hdr(User-Agent) $hdr(via) $hdrc(Via) $hdrc(X)",
	    "Tandem-test/1.0 SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1 3 0");
	render_is("$(hdr(Via)[1])", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-2");
	render_is("$(hdr(Via)[-1])", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3");
	render_is("$(hdr(Via)[-3])", "SIP/2.0/UDP 192.0.2.1:5070;"
	    "branch=z9hG4bK-1");
	render_is("$(hdr(Via)[3])|$(hdr(Via)[-4])|$hdr(X-None)",
	    "<null>|<null>|<null>");
	render_is("$(hdr(Via)[*])", "SIP/2.0/UDP 192.0.2.1:5070;"
	    "branch=z9hG4bK-1,SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-2,"
	    "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3");
	ck_assert_int_eq(strlen(reg_text), 369);
	v = eval("$mb");
	ck_assert_uint_eq(v.s.len, sizeof(reg_text) - 1);
	v = eval("$cs");
	ck_assert_uint_eq(v.flags, VAL_INT | VAL_STR);
	ck_assert_int_eq(v.n, 7);
	v = eval("$sp");
	ck_assert_uint_eq(v.flags & VAL_INT, VAL_INT);
	ck_assert_int_eq(v.n, 5070);
	v = eval("$pp");
	ck_assert_int_eq(v.n, getpid());
	v = eval("$RANDOM");
	ck_assert_uint_eq(v.flags, VAL_INT);
	v = eval("$hdrc(v)");
	ck_assert_int_eq(v.n, 3);
}
END_TEST

START_TEST(t_reply_pvs)
{
	msg_destroy(&m);
	msg_init(&m, ok_text, sizeof(ok_text) - 1, NULL);
	m.rcv.proto = PROTO_TCP;
	m.rcv.conn_id = 42;
	render_is("$rs $rr|$rm|$ru|$tt|$cs|$conid|$si|$af|[$rb]",
	    "486 Busy Here|INVITE|<null>|xyz|8|42|<null>|<null>|[]");
	ck_assert_int_eq(eval("$rs").n, 486);
}
END_TEST

START_TEST(t_ruri_default_port)
{
	static const char opt[] = "OPTIONS sips:h.example SIP/2.0\r\n"
	    "Call-ID: x\r\n\r\n";

	msg_destroy(&m);
	msg_init(&m, opt, sizeof(opt) - 1, NULL);
	render_is("$rm $rU $rd $rp $fu $ft $ua $cs [$rb]",
	    "OPTIONS <null> h.example 5061 <null> <null> <null> <null> []");
	msg_destroy(&m);
	msg_init(&m, "X sip:u@h SIP/2.0\r\n\r\n", 21, NULL);
	render_is("$rm $rU $rp", "X u 5060");
}
END_TEST

START_TEST(t_ipv6_and_none)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&m.rcv.src;

	memset(&m.rcv.src, 0, sizeof(m.rcv.src));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(5062);
	inet_pton(AF_INET6, "2001:db8::1", &s6->sin6_addr);
	render_is("$si:$sp $af", "2001:db8::1:5062 INET6");
	/* no message at all: everything message-bound is null */
	msg_destroy(&m);
	msg_init(&m, NULL, 0, NULL);
	render_is("$ru $si $ci $hdr(Via) $hdrc(Via) $mb $ml $(hdr(Via)[*])",
	    "<null> <null> <null> <null> <null> <null> <null> <null>");
	/* an unparsable buffer: null too, not an error */
	msg_destroy(&m);
	msg_init(&m, "garbage\r\n\r\n", 11, NULL);
	render_is("$rm|$hdr(Via)|$fu|$ml", "<null>|<null>|<null>|11");
}
END_TEST

START_TEST(t_transformations)
{
	struct val v;

	render_is("$(rm{t.upper})", "REGISTER");
	render_is("$(fU{t.upper}) $(fU{t.len})", "ALICE 5");
	render_is("$(hdr(Via)[1]{t.cut,11}{t.upper})", "SIP/2.0/UDP");
	render_is("$(fU{t.upper}{t.len})", "5");
	/* raw args: nested braces and references balanced, '(' literal */
	render_is("$(si{t.args,a{b}c,$(var(x){t.len}),$var(a}b)})",
	    "a{b}c,$(var(x){t.len}),$var(a}b)");
	render_is("$(si{t.args,(,[})", "(,[");
	render_is("$(si{t.args}) $(si{t.args,})", "- ");
	v = eval("$(ci{t.len})");
	ck_assert_uint_eq(v.flags, VAL_INT);
	ck_assert_int_eq(v.n, 15);
}
END_TEST

START_TEST(t_literals)
{
	struct fmt *f = NULL;
	str_t s;

	render_is("$$", "$");
	render_is("cost $$5", "cost $5");
	render_is("cost $5 and $ and $", "cost $5 and $ and $");
	render_is("a$-b ${x} $.", "a$-b ${x} $.");
	render_is("", "");
	render_is("$$si", "$si");
	render_is("x$$$si", "x$192.0.2.1");
	ck_assert_int_eq(fmt_compile("plain $$ text", 13, &f, &d, pos0), 0);
	ck_assert_int_eq(fmt_is_static(f), 1);
	s = fmt_static_text(f);
	ck_assert_str_eq(s.s, "plain $ text");
	ck_assert_ptr_null(fmt_single_pv(f));
	ck_assert_str_eq(fmt_source(f), "plain $$ text");
	fmt_free(f);
}
END_TEST

START_TEST(t_fmt_eval)
{
	struct fmt *f = NULL;
	struct val v;
	str_t s;

	ck_assert_int_eq(fmt_compile("$sp", 3, &f, &d, pos0), 0);
	ck_assert_int_eq(fmt_is_static(f), 0);
	ck_assert_ptr_nonnull(fmt_single_pv(f));
	ck_assert_int_eq(fmt_eval(&m, f, &v), 0);
	ck_assert_uint_eq(v.flags & VAL_INT, VAL_INT);
	ck_assert_int_eq(v.n, 5070);
	fmt_free(f);
	ck_assert_int_eq(fmt_compile("p=$sp;", 6, &f, &d, pos0), 0);
	ck_assert_ptr_null(fmt_single_pv(f));
	s = fmt_static_text(f);
	ck_assert_str_eq(s.s, "p=;");
	ck_assert_int_eq(fmt_eval(&m, f, &v), 0);
	ck_assert_uint_eq(v.flags, VAL_STR);
	ck_assert_int_eq(strncmp(v.s.s, "p=5070;", v.s.len), 0);
	fmt_free(f);
	ck_assert_int_eq(fmt_compile("$var(none)", 10, &f, &d, pos0), 0);
	ck_assert_int_eq(fmt_eval(&m, f, &v), 0);
	ck_assert(val_is_null(&v));
	ck_assert_int_eq(fmt_render(&m, f, &s), 0);
	ck_assert_int_eq(strncmp(s.s, "<null>", s.len), 0);
	fmt_free(f);
}
END_TEST

START_TEST(t_fmt_errors)
{
	struct fmt *f = (struct fmt *)1;

	ck_assert_int_eq(fmt_compile("a $foo b", 8, &f, &d, pos0), -1);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(only_error(), "unknown pseudo-variable class '$foo'");
	/* the error points at the '$' */
	ck_assert_uint_eq(d.items[0].pos.line, 3);
	ck_assert_uint_eq(d.items[0].pos.col, 12);
	diag_free(&d);
	diag_init(&d, NULL);
	ck_assert_int_eq(fmt_compile("x\n  $si $var(y", 14, &f, &d, pos0), -1);
	ck_assert_str_eq(only_error(), "unterminated pseudo-variable "
	    "'$var(y'");
	ck_assert_uint_eq(d.items[0].pos.line, 4);
	ck_assert_uint_eq(d.items[0].pos.col, 7);
}
END_TEST

START_TEST(t_pv_set)
{
	struct pv_ref *r = ref_ok("$var(x)", 7), *ro = ref_ok("$si", 3);
	struct pv_ref *ri = ref_ok("$(var(x){t.upper})", 18);
	struct val v;

	ck_assert_int_eq(pv_is_writable(r), 1);
	ck_assert_int_eq(pv_is_writable(ro), 0);
	ck_assert_int_eq(pv_is_writable(ri), 0);
	val_set_str(&v, STR_LIT("abc"));
	ck_assert_int_eq(pv_set(&m, r, &v), 0);
	ck_assert_int_eq(pv_set(&m, ro, &v), -1);
	ck_assert_int_eq(pv_set(&m, ri, &v), -1);
	render_is("$var(x) $(var(x){t.upper})", "abc ABC");
	val_set_int(&v, 12);
	ck_assert_int_eq(pv_set(&m, r, &v), 0);
	render_is("[$var(x)]", "[12]");
	pv_ref_free(r);
	pv_ref_free(ro);
	pv_ref_free(ri);
}
END_TEST

START_TEST(t_args)
{
	struct arg *a;
	long long n;
	str_t s;
	struct val v;

	a = arg_new_int(42, &STR_LIT("42"));
	ck_assert_int_eq(arg_int(&m, a, &n), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(arg_str(&m, a, &s), 0);
	ck_assert_int_eq(strncmp(s.s, "42", s.len), 0);
	ck_assert_ptr_null(arg_pv(a));
	ck_assert_ptr_null(arg_regex(a));
	arg_free(a);

	a = arg_new_fmt(&STR_LIT("$sp"), &d, pos0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(arg_int(&m, a, &n), 0);
	ck_assert_int_eq(n, 5070);
	ck_assert_int_eq(arg_val(&m, a, &v), 0);
	ck_assert_uint_eq(v.flags & VAL_INT, VAL_INT);
	arg_free(a);

	a = arg_new_fmt(&STR_LIT(" 1$cs "), &d, pos0);
	ck_assert_int_eq(arg_int(&m, a, &n), 0);
	ck_assert_int_eq(n, 17);
	ck_assert_int_eq(arg_str(&m, a, &s), 0);
	ck_assert_int_eq(strncmp(s.s, " 17 ", s.len), 0);
	arg_free(a);

	a = arg_new_fmt(&STR_LIT("x$cs"), &d, pos0);
	ck_assert_int_eq(arg_int(&m, a, &n), -1);
	arg_free(a);
	a = arg_new_fmt(&STR_LIT("$tt"), &d, pos0);
	ck_assert_int_eq(arg_int(&m, a, &n), -1);
	arg_free(a);
	ck_assert_ptr_null(arg_new_fmt(&STR_LIT("$nope"), &d, pos0));
	ck_assert_str_eq(only_error(), "unknown pseudo-variable class "
	    "'$nope'");
	diag_free(&d);
	diag_init(&d, NULL);

	a = arg_new_pv(&STR_LIT("$var(dst)"), &d, pos0);
	ck_assert_ptr_nonnull(arg_pv(a));
	val_set_int(&v, 9);
	ck_assert_int_eq(pv_set(&m, arg_pv(a), &v), 0);
	ck_assert_int_eq(arg_int(&m, a, &n), 0);
	ck_assert_int_eq(n, 9);
	arg_free(a);
	ck_assert_ptr_null(arg_new_pv(&STR_LIT("$si"), &d, pos0));
	ck_assert_str_eq(only_error(), "pseudo-variable $si is read-only");
	diag_free(&d);
	diag_init(&d, NULL);
	ck_assert_ptr_null(arg_new_pv(&STR_LIT("$var(a)b"), &d, pos0));
	ck_assert_str_eq(only_error(), "'$var(a)b' is not a single "
	    "pseudo-variable");
	diag_free(&d);
	diag_init(&d, NULL);

	a = arg_new_regex(&STR_LIT("^REG(IST)+ER$"), &d, pos0);
	ck_assert_ptr_nonnull(arg_regex(a));
	ck_assert_int_eq(regexec(arg_regex(a), "REGISTER", 0, NULL, 0), 0);
	ck_assert_int_eq(arg_str(&m, a, &s), 0);
	ck_assert_int_eq(strncmp(s.s, "^REG(IST)+ER$", s.len), 0);
	arg_free(a);
	ck_assert_ptr_null(arg_new_regex(&STR_LIT("a(b"), &d, pos0));
	ck_assert_uint_eq(d.n, 1);
	ck_assert(strncmp(d.items[0].msg, "bad regular expression 'a(b': ",
	    30) == 0);
	arg_free(NULL);
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_ref_forms);
	tcase_add_test(tc, t_ref_errors);
	tcase_add_test(tc, t_registry);
	tcase_add_test(tc, t_core_pvs);
	tcase_add_test(tc, t_reply_pvs);
	tcase_add_test(tc, t_ruri_default_port);
	tcase_add_test(tc, t_ipv6_and_none);
	tcase_add_test(tc, t_transformations);
	tcase_add_test(tc, t_literals);
	tcase_add_test(tc, t_fmt_eval);
	tcase_add_test(tc, t_fmt_errors);
	tcase_add_test(tc, t_pv_set);
	tcase_add_test(tc, t_args);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* several cases log runtime errors on purpose */
	log_set_level(L_CRIT);
	return tcheck_run(fmt_suite());
}
