/*
 * check_mod_htable_pv.c - the htable module seen from the config and
 * the RPC side: the pseudo-variables and functions (ht_pv.c, ht_cmd.c)
 * through the core's registries, and the htable.* replies (ht_rpc.c)
 * through a recording writer.  The tables themselves are covered by
 * check_mod_htable.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "modules/htable/ht_cmd.h"
#include "modules/htable/ht_pv.h"
#include "modules/htable/ht_reg.h"
#include "modules/htable/ht_rpc.h"
#include "tcheck.h"

#define MIB ((size_t)1024 * 1024)

static long long fake_now;

static long long
fake_clock(void)
{
	return fake_now;
}

static void
setup(void)
{
	ck_assert_int_eq(shm_init(64 * MIB), 0);
	fake_now = 5000000;
	ht_set_clock(fake_clock);
}

static void
teardown(void)
{
	ht_reg_destroy_tables();
	ht_reg_reset();
	ht_set_clock(NULL);
	shm_destroy();
}

static void
set_s(struct ht_table *t, const char *k, const char *v)
{
	struct ht_value hv = { .type = HT_STR, .s = str_cstr(v) };
	str_t key = str_cstr(k);

	ck_assert_int_eq(ht_table_set(t, &key, &hv), 0);
}

static void
set_i(struct ht_table *t, const char *k, long long n)
{
	struct ht_value hv = { .type = HT_INT, .n = n };
	str_t key = str_cstr(k);

	ck_assert_int_eq(ht_table_set(t, &key, &hv), 0);
}

/* The value of k as text: "s:..." / "i:..." / "-" when missing. */
static const char *
get(struct ht_table *t, const char *k)
{
	static char buf[256];
	struct ht_value v;
	struct arena a;
	str_t key = str_cstr(k);
	int rc;

	arena_init(&a, 0);
	rc = ht_table_get(t, &key, &a, &v);
	ck_assert_int_ge(rc, 0);
	if (rc == 0)
		snprintf(buf, sizeof(buf), "-");
	else if (v.type == HT_INT)
		snprintf(buf, sizeof(buf), "i:%lld", v.n);
	else
		snprintf(buf, sizeof(buf), "s:%.*s", STR_FMT(&v.s));
	arena_free(&a);
	return buf;
}

static long
count(struct ht_table *t, enum ht_field f, enum ht_op op, const char *pat)
{
	struct ht_match mt = { .op = op, .s = str_cstr(pat) };
	regex_t re;
	char err[128];
	long n;

	if (op == HT_OP_RE) {
		ck_assert_int_eq(ht_re_compile(&re, &mt.s, err, sizeof(err)),
		    0);
		mt.re = &re;
	}
	n = ht_table_count(t, f, &mt);
	if (op == HT_OP_RE)
		regfree(&re);
	return n;
}

/* --- RPC --------------------------------------------------------------- */

struct rec {
	char  buf[4096];
	size_t n;
	int   need_comma;
};

static void
rec_put(struct rec *r, const char *fmt, const char *a, size_t alen)
{
	int n = snprintf(r->buf + r->n, sizeof(r->buf) - r->n, fmt,
	    (int)alen, a);

	ck_assert(n >= 0 && (size_t)n < sizeof(r->buf) - r->n);
	r->n += (size_t)n;
}

static void
rec_sep(struct rec *r, const char *name)
{
	if (r->need_comma)
		rec_put(r, "%.*s", ",", 1);
	if (name)
		rec_put(r, "%.*s:", name, strlen(name));
}

static void
rec_begin(void *out)
{
	memset(out, 0, sizeof(struct rec));
}

static void
rec_value(void *out, const char *name, const struct rpc_value *v)
{
	struct rec *r = out;
	char num[32];

	rec_sep(r, name);
	if (v->type == RPC_STR) {
		rec_put(r, "'%.*s'", v->s.s, v->s.len);
	} else {
		snprintf(num, sizeof(num), "%lld", v->i);
		rec_put(r, "%.*s", num, strlen(num));
	}
	r->need_comma = 1;
}

static void
rec_open(void *out, const char *name, int is_array)
{
	struct rec *r = out;

	rec_sep(r, name);
	rec_put(r, "%.*s", is_array ? "[" : "{", 1);
	r->need_comma = 0;
}

static void
rec_close(void *out, int is_array)
{
	struct rec *r = out;

	rec_put(r, "%.*s", is_array ? "]" : "}", 1);
	r->need_comma = 1;
}

static void
rec_fault(void *out, int code, const str_t *msg)
{
	struct rec *r = out;

	r->n = (size_t)snprintf(r->buf, sizeof(r->buf), "FAULT %d %.*s", code,
	    STR_FMT(msg));
}

static int
rec_end(void *out)
{
	return 0;
}

static const struct rpc_writer rec_writer = {
	rec_begin, rec_value, rec_open, rec_close, rec_fault, rec_end,
};

/* Runs "method a b c" and returns the recorded reply. */
static const char *
rpc(const char *method, const char *a0, const char *a1, const char *a2)
{
	static struct rec r;
	str_t argv[3];
	int argc = 0;

	if (a0)
		argv[argc++] = str_cstr(a0);
	if (a1)
		argv[argc++] = str_cstr(a1);
	if (a2)
		argv[argc++] = str_cstr(a2);
	rpc_execute(method, argc, argv, &rec_writer, &r);
	return r.buf;
}

static void
rpc_setup(void)
{
	struct cfg_diag d;
	struct cfg_pos pos = { 0, 0, 0 };
	char err[256];
	int warn;

	setup();
	diag_init(&d, NULL);
	ck_assert_int_eq(rpc_register_table(ht_rpc_exports, "htable", &d,
	    pos), 0);
	diag_free(&d);
	ck_assert_int_eq(ht_reg_define("a=>size=1", 9, &warn, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("e=>size=2;autoexpire=60", 23, &warn,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_create_all(), 0);
}

static void
rpc_teardown(void)
{
	rpc_registry_reset();
	teardown();
}

START_TEST(rpc_get_set_delete)
{
	ck_assert_str_eq(rpc("htable.sets", "a", "k1", "v1"),
	    "'Ok. Key set to new value.'");
	ck_assert_str_eq(rpc("htable.seti", "a", "k2", "42"),
	    "'Ok. Key set to new value.'");
	ck_assert_str_eq(rpc("htable.get", "a", "k1", NULL),
	    "{item:{name:'k1',value:'v1',flags:2,expire:'NEVER'}}");
	ck_assert_str_eq(rpc("htable.get", "a", "k2", NULL),
	    "{item:{name:'k2',value:42,flags:0,expire:'NEVER'}}");
	ck_assert_str_eq(rpc("htable.get", "a", "nope", NULL),
	    "FAULT 500 Key name doesn't exist in htable.");
	ck_assert_str_eq(rpc("htable.get", "zz", "k1", NULL),
	    "FAULT 500 No such htable");
	ck_assert_str_eq(rpc("htable.get", "a", NULL, NULL),
	    "FAULT 500 Not enough parameters (htable name and key name)");
	ck_assert_str_eq(rpc("htable.seti", "a", "k3", "abc"),
	    "FAULT 400 argument 3 is not a number");
	ck_assert_str_eq(rpc("htable.sets", "a", "k3", NULL),
	    "FAULT 500 Not enough parameters (htable name, key name and "
	    "value)");
	ck_assert_str_eq(rpc("htable.delete", "a", "k1", NULL),
	    "'Ok. Key deleted.'");
	ck_assert_str_eq(rpc("htable.delete", "a", "k1", NULL),
	    "FAULT 404 Key not found in htable.");
	ck_assert_str_eq(rpc("htable.reload", "a", NULL, NULL),
	    "FAULT 500 No htable db_url (Tandem has no database support)");
}
END_TEST

START_TEST(rpc_expire_dump_tables)
{
	const char *pre = "{item:{name:'x',value:'s',flags:2,expire:'";
	const char *r;

	rpc("htable.sets", "e", "x", "s");
	r = rpc("htable.get", "e", "x", NULL);
	/* an expiring item shows its local expiry time */
	ck_assert_msg(strncmp(r, pre, strlen(pre)) == 0 &&
	    strlen(r) == strlen(pre) + 19 + 3 &&
	    strcmp(r + strlen(r) - 3, "'}}") == 0, "%s", r);
	ck_assert_str_eq(rpc("htable.setex", "e", "x", "5"), "'Ok'");
	fake_now += 5000;
	ck_assert_str_eq(rpc("htable.get", "e", "x", NULL),
	    "FAULT 500 Key name doesn't exist in htable.");

	rpc("htable.seti", "a", "one", "1");
	rpc("htable.sets", "a", "two", "2");
	r = rpc("htable.dump", "a", NULL, NULL);
	/* each non-empty slot is a struct */
	ck_assert_msg(strstr(r, "{name:'one',value:1,type:'int'}") != NULL &&
	    strstr(r, "{name:'two',value:'2',type:'str'}") != NULL &&
	    strncmp(r, "{entry:", 7) == 0 && strstr(r, ",slot:[{") != NULL,
	    "%s", r);
	ck_assert_str_eq(rpc("htable.dump", NULL, NULL, NULL),
	    "FAULT 500 No htable name given");
	ck_assert_str_eq(rpc("htable.listTables", NULL, NULL, NULL),
	    "{name:'e',dbtable:'',dbmode:0,expire:60,updateexpire:1,size:4,"
	    "dmqreplicate:0},{name:'a',dbtable:'',dbmode:0,expire:0,"
	    "updateexpire:1,size:8,dmqreplicate:0}");
	ck_assert_str_eq(rpc("htable.stats", NULL, NULL, NULL),
	    "{name:'e',slots:4,all:0,min:0,max:0},"
	    "{name:'a',slots:8,all:2,min:0,max:1}");
	ck_assert_str_eq(rpc("htable.flush", "a", NULL, NULL),
	    "'Ok. Htable flushed.'");
	ck_assert_str_eq(rpc("htable.dump", "a", NULL, NULL), "");
}
END_TEST

/* --- pseudo-variables and functions, through the core's registries ----- */

static const char sip_text[] =
    "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK1\r\n"
    "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
    "Call-ID: cid-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

static struct cfg_diag pd;
static struct msg pm;
static const struct cfg_pos ppos = { 1, 2, 3 };

static void
pv_setup(void)
{
	char err[256];
	int warn;

	setup();
	diag_init(&pd, NULL);
	ck_assert_int_eq(pv_core_register(&pd), 0);
	for (const struct pv_export *e = ht_pv_exports; e->name; e++)
		ck_assert_int_eq(pv_register(e, "htable", &pd, ppos), 0);
	ck_assert_int_eq(ht_reg_define("s=>size=3", 9, &warn, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("i=>initval=7;autoexpire=10", 26,
	    &warn, err, sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_create_all(), 0);
	ck_assert_int_eq(ht_cmd_track_locks(), 0);
	msg_init(&pm, sip_text, sizeof(sip_text) - 1, NULL);
}

static void
pv_teardown(void)
{
	msg_destroy(&pm);
	diag_free(&pd);
	pv_registry_reset();
	teardown();
}

static struct pv_ref *
ref(const char *text)
{
	struct pv_ref *r = NULL;
	size_t used;

	ck_assert_msg(pv_parse_ref(text, strlen(text), &used, &r, &pd,
	    ppos) == 0 && used == strlen(text), "%s: %s", text,
	    pd.n ? pd.items[pd.n - 1].msg : "?");
	return r;
}

/* The reference's value as text: "i:..", "s:.." or "null". */
static const char *
pv_text(const char *text)
{
	static char buf[256];
	struct pv_ref *r = ref(text);
	struct val v;

	ck_assert_int_eq(pv_get(&pm, r, &v), 0);
	if (v.flags & VAL_INT)
		snprintf(buf, sizeof(buf), "i:%lld", v.n);
	else if (v.flags & VAL_STR)
		snprintf(buf, sizeof(buf), "s:%.*s", STR_FMT(&v.s));
	else
		snprintf(buf, sizeof(buf), "null");
	pv_ref_free(r);
	return buf;
}

static int
pv_assign(const char *text, const struct val *v)
{
	struct pv_ref *r = ref(text);
	int rc = pv_set(&pm, r, v);

	pv_ref_free(r);
	return rc;
}

static const char *
parse_error(const char *text)
{
	struct pv_ref *r = NULL;
	size_t used;

	ck_assert_int_eq(pv_parse_ref(text, strlen(text), &used, &r, &pd,
	    ppos), -1);
	ck_assert_uint_gt(pd.n, 0);
	return pd.items[pd.n - 1].msg;
}

START_TEST(pv_parse_errors)
{
	struct pv_ref *r;

	ck_assert_str_eq(parse_error("$sht(nokey)"),
	    "$sht(nokey): expected $sht(table=>key)");
	ck_assert_str_eq(parse_error("$shtcn(s)"),
	    "$shtcn(s): expected $shtcn(table=>expression)");
	ck_assert_str_eq(parse_error("$sht(s=>)"),
	    "$sht(s=>): the key is empty");
	ck_assert_str_eq(parse_error("$shtcv(s=>~~)"),
	    "$shtcv(s=>): the expression is empty");
	ck_assert_str_eq(parse_error("$shtcn(s=>a[)"),
	    "$shtcn(s=>a[): bad regular expression: Invalid regular "
	    "expression");
	ck_assert_str_eq(parse_error("$sht($ci=>k)"),
	    "$sht($ci=>...): the table name cannot hold a pseudo-variable");
	ck_assert_str_eq(parse_error("$sht"),
	    "pseudo-variable $sht needs a name: $sht(name)");
	/* an undefined table is only a warning, as Kamailio accepts it */
	r = ref("$sht(zz=>k)");
	ck_assert_uint_eq(pd.warnings, 1);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "$sht(zz=>...): no htable "
	    "'zz' is defined (modparam(\"htable\", \"htable\", \"zz=>...\")): "
	    "reads give $null and writes fail");
	pv_ref_free(r);
}
END_TEST

START_TEST(pv_sht_read_write)
{
	struct val v;

	ck_assert_str_eq(pv_text("$sht(s=>k)"), "null");
	ck_assert_str_eq(pv_text("$sht(i=>k)"), "i:7");    /* initval */
	val_set_str(&v, str_cstr("10.0.0.1:5060"));
	/* the seed's form: a key built from another PV */
	ck_assert_int_eq(pv_assign("$sht(s=>$ci::srcaddr)", &v), 0);
	ck_assert_str_eq(pv_text("$sht(s=>cid-1::srcaddr)"),
	    "s:10.0.0.1:5060");
	val_set_int(&v, 42);
	ck_assert_int_eq(pv_assign("$sht(s=>n)", &v), 0);
	ck_assert_str_eq(pv_text("$sht(s=>n)"), "i:42");
	val_set_null(&v);
	ck_assert_int_eq(pv_assign("$sht(s=>n)", &v), 0);
	ck_assert_str_eq(pv_text("$sht(s=>n)"), "null");
	/* an undefined table: $null, and writes fail */
	ck_assert_str_eq(pv_text("$sht(zz=>n)"), "null");
	val_set_int(&v, 1);
	ck_assert_int_eq(pv_assign("$sht(zz=>n)", &v), -1);
	ck_assert_int_eq(pv_assign("$shtinc(s=>n)", &v), -1);  /* r/o */
}
END_TEST

START_TEST(pv_inc_dec_expire)
{
	struct val v;

	ck_assert_str_eq(pv_text("$shtinc(s=>c)"), "null");  /* no initval */
	ck_assert_str_eq(pv_text("$shtinc(i=>c)"), "i:8");
	ck_assert_str_eq(pv_text("$shtinc(i=>c)"), "i:9");
	ck_assert_str_eq(pv_text("$shtdec(i=>d)"), "i:6");
	ck_assert_str_eq(pv_text("$shtex(i=>d)"), "i:10");
	ck_assert_str_eq(pv_text("$shtex(i=>none)"), "i:0");
	ck_assert_str_eq(pv_text("$shtex(s=>c)"), "i:0");
	val_set_int(&v, 3);
	ck_assert_int_eq(pv_assign("$shtex(i=>d)", &v), 0);
	ck_assert_str_eq(pv_text("$shtex(i=>d)"), "i:3");
	val_set_str(&v, str_cstr("30"));    /* a numeric string is fine */
	ck_assert_int_eq(pv_assign("$shtex(i=>c)", &v), 0);
	ck_assert_str_eq(pv_text("$shtex(i=>c)"), "i:30");
	val_set_int(&v, -1);
	ck_assert_int_eq(pv_assign("$shtex(i=>d)", &v), -1);
	fake_now += 3000;
	ck_assert_str_eq(pv_text("$sht(i=>d)"), "i:7");     /* initval */
	ck_assert_str_eq(pv_text("$sht(i=>c)"), "i:9");
}
END_TEST

START_TEST(pv_count)
{
	struct val v;

	val_set_str(&v, str_cstr("ABC"));
	pv_assign("$sht(s=>abc)", &v);
	val_set_str(&v, str_cstr("xab"));
	pv_assign("$sht(s=>Abd)", &v);
	val_set_int(&v, 5);
	pv_assign("$sht(s=>a.c)", &v);
	ck_assert_str_eq(pv_text("$shtcn(s=>^a)"), "i:3");
	ck_assert_str_eq(pv_text("$shtcn(s=>~~^ab)"), "i:2");
	ck_assert_str_eq(pv_text("$shtcn(s=>%~ab)"), "i:1");  /* exact */
	ck_assert_str_eq(pv_text("$shtcn(s=>~%bd)"), "i:1");
	ck_assert_str_eq(pv_text("$shtcn(s=>==a.c)"), "i:1");
	ck_assert_str_eq(pv_text("$shtcv(s=>^a)"), "i:1");
	ck_assert_str_eq(pv_text("$shtcv(s=>==xab)"), "i:1");
	/* a per-message expression: cid-1 is not a name here */
	ck_assert_str_eq(pv_text("$shtcn(s=>$ci)"), "i:0");
	ck_assert_str_eq(pv_text("$shtcn(zz=>.)"), "null");
}
END_TEST

/* Runs function name on pm with the given literal arguments (up to 4,
 * NULL ends), after the fixups; returns what it returned, or 1000 when
 * a fixup failed. */
static int
callv(const char *name, const char *const *texts)
{
	const struct cmd_export *e;
	void *args[MOD_MAX_ARGS] = { NULL };
	int n = 0, rc = 1000;

	for (e = ht_cmd_exports; e->name && strcmp(e->name, name); e++)
		;
	ck_assert_ptr_nonnull(e->name);
	for (; n < 4 && texts[n]; n++) {
		str_t t = str_cstr(texts[n]);

		args[n] = arg_new_fmt(&t, &pd, ppos);
		ck_assert_ptr_nonnull(args[n]);
		if (e->args[n].fixup && e->args[n].fixup(&args[n], &pd) < 0) {
			n++;
			goto out;
		}
	}
	rc = e->fn(&pm, args);
out:
	for (int i = 0; i < n; i++)
		arg_free(args[i]);
	return rc;
}

static int
call(const char *name, const char *a0, const char *a1, const char *a2)
{
	const char *texts[4] = { a0, a1, a2, NULL };

	return callv(name, texts);
}

static void
fill_s(void)
{
	struct ht_table *t = ht_reg_table(0);

	ht_table_reset(t);
	set_s(t, "abc", "one");
	set_s(t, "abd", "two");
	set_s(t, "xab", "three");
	set_i(t, "num", 1);
}

START_TEST(cmd_remove_and_lock)
{
	struct ht_table *t = ht_reg_table(0);

	fill_s();
	ck_assert_int_eq(call("sht_rm", "s", "abc", NULL), 1);
	ck_assert_int_eq(call("sht_rm", "s", "abc", NULL), 1);  /* Kamailio */
	ck_assert_int_eq(call("sht_rm", "zz", "abc", NULL), -1);
	ck_assert_str_eq(get(t, "abc"), "-");
	ck_assert_int_eq(call("sht_rm_name_re", "s=>^AB", NULL, NULL), 1);
	ck_assert_str_eq(get(t, "abd"), "-");
	ck_assert_str_eq(get(t, "xab"), "s:three");
	ck_assert_int_eq(call("sht_rm_value_re", "s=>^th", NULL, NULL), 1);
	ck_assert_str_eq(get(t, "xab"), "-");
	ck_assert_str_eq(get(t, "num"), "i:1");

	fill_s();
	ck_assert_int_eq(call("sht_rm_name", "s", "sw", "ab"), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "."), 2);
	ck_assert_int_eq(call("sht_rm_name", "s", "ew", "ab"), 1);
	ck_assert_str_eq(get(t, "xab"), "-");
	fill_s();
	ck_assert_int_eq(call("sht_rm_value", "s", "in", "w"), 1);
	ck_assert_str_eq(get(t, "abd"), "-");
	ck_assert_int_eq(call("sht_rm_value", "s", "re", "e$"), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "."), 1);
	ck_assert_int_eq(call("sht_reset", "s", NULL, NULL), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "."), 0);

	ck_assert_int_eq(call("sht_lock", "s=>k", NULL, NULL), 1);
	set_i(t, "k", 1);                   /* same process: recursive */
	ck_assert_int_eq(call("sht_unlock", "s=>k", NULL, NULL), 1);
	ck_assert_int_eq(call("sht_unlock", "s=>k", NULL, NULL), -1);
}
END_TEST

START_TEST(cmd_setx)
{
	const char *xs[] = { "i", "$ci", "v", "30", NULL };
	const char *xi[] = { "i", "n", "-4", "0", NULL };
	const char *bad[] = { "i", "n", "abc", "5", NULL };
	struct ht_table *t = ht_reg_table(1);
	str_t k = STR_LIT("cid-1");
	long long secs;

	ck_assert_int_eq(callv("sht_setxs", xs), 1);
	ck_assert_str_eq(get(t, "cid-1"), "s:v");
	ck_assert_int_eq(ht_table_get_expire(t, &k, &secs), 1);
	ck_assert_int_eq(secs, 30);
	ck_assert_int_eq(callv("sht_setxi", xi), 1);
	ck_assert_str_eq(get(t, "n"), "i:-4");
	k = STR_LIT("n");
	ck_assert_int_eq(ht_table_get_expire(t, &k, &secs), 1);
	ck_assert_int_eq(secs, 0);          /* 0: never */
	ck_assert_int_eq(callv("sht_setxi", bad), -1);
	ck_assert_str_eq(get(t, "n"), "i:-4");
}
END_TEST

START_TEST(cmd_lock_released_with_message)
{
	struct ht_table *t = ht_reg_table(0);
	str_t k = STR_LIT("k");

	ck_assert_int_eq(call("sht_lock", "s=>k", NULL, NULL), 1);
	ck_assert_int_eq(call("sht_lock", "s=>k", NULL, NULL), 1);
	ck_assert_int_eq(call("sht_unlock", "s=>k", NULL, NULL), 1);
	/* the message is done with one sht_lock() not undone: released */
	msg_destroy(&pm);
	ck_assert_int_eq(ht_table_unlock_key(t, &k), -1);
	msg_init(&pm, sip_text, sizeof(sip_text) - 1, NULL);
}
END_TEST

START_TEST(cmd_fixup_errors)
{
	ck_assert_int_eq(call("sht_rm_name", "s", "zz", "x"), 1000);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "unknown match operator "
	    "'zz' (re, sw, ew or in)");
	ck_assert_int_eq(call("sht_rm_name_re", "s=>a[", NULL, NULL), 1000);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "bad regular expression "
	    "'a[': Invalid regular expression");
	ck_assert_int_eq(call("sht_rm_value_re", "s", NULL, NULL), 1000);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "'s': expected "
	    "\"table=>regexp\"");
	ck_assert_int_eq(call("sht_lock", "sk", NULL, NULL), 1000);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "'sk': expected "
	    "\"table=>key\"");
	ck_assert_uint_eq(pd.warnings, 0);
	ck_assert_int_eq(call("sht_reset", "nope", NULL, NULL), -1);
	ck_assert_uint_eq(pd.warnings, 1);
	ck_assert_str_eq(pd.items[pd.n - 1].msg, "no htable 'nope' is "
	    "defined (modparam(\"htable\", \"htable\", \"nope=>...\")): the "
	    "call will fail");
}
END_TEST

static void
check_mod_htable_pv_cases(Suite *s)
{
	TCase *tc = tcase_create("pv_cmd");

	tcase_add_checked_fixture(tc, pv_setup, pv_teardown);
	tcase_add_test(tc, pv_parse_errors);
	tcase_add_test(tc, pv_sht_read_write);
	tcase_add_test(tc, pv_inc_dec_expire);
	tcase_add_test(tc, pv_count);
	tcase_add_test(tc, cmd_remove_and_lock);
	tcase_add_test(tc, cmd_setx);
	tcase_add_test(tc, cmd_lock_released_with_message);
	tcase_add_test(tc, cmd_fixup_errors);
	suite_add_tcase(s, tc);
}

int
main(void)
{
	Suite *s = suite_create("mod_htable_pv");
	TCase *tr = tcase_create("rpc");

	tcase_add_checked_fixture(tr, rpc_setup, rpc_teardown);
	tcase_add_test(tr, rpc_get_set_delete);
	tcase_add_test(tr, rpc_expire_dump_tables);
	suite_add_tcase(s, tr);
	check_mod_htable_pv_cases(s);
	return tcheck_run(s);
}
