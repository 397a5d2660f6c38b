/*
 * check_mod_htable.c - the htable module's pure parts: the table
 * definitions (ht_param.c), the shared-memory table (ht_table.c) with a
 * fake clock, across fork, and the registry and expiry sweep
 * (ht_reg.c, ht_expire.c).  check_mod_htable_pv.c covers the
 * pseudo-variables, functions and RPC methods.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/shm.h"
#include "modules/htable/ht_expire.h"
#include "modules/htable/ht_reg.h"
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

static struct ht_table *
mk(const char *spec)
{
	struct ht_table *t;
	struct ht_spec s;
	char err[256];
	int warn;

	ck_assert_msg(ht_spec_parse(spec, strlen(spec), &s, &warn, err,
	    sizeof(err)) == 0, "%s: %s", spec, err);
	t = ht_table_create(&s);
	ht_spec_clear(&s);
	ck_assert_ptr_nonnull(t);
	return t;
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

static long long
add(struct ht_table *t, const char *k, long long delta, int want_rc)
{
	str_t key = str_cstr(k);
	long long out = -12345;

	ck_assert_int_eq(ht_table_add(t, &key, delta, &out), want_rc);
	return out;
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

/* --- the table definitions --------------------------------------------- */

START_TEST(spec_valid)
{
	struct ht_spec s;
	char err[256];
	const char *txt = "msrp=>size=8;autoexpire=3600;initval=-5;"
	    "updateexpire=0;dbmode=0;dmqreplicate=0;dbtable=;";
	int warn;

	ck_assert_int_eq(ht_spec_parse(txt, strlen(txt), &s, &warn, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(s.name, "msrp");
	ck_assert_uint_eq(s.size, 8);
	ck_assert_uint_eq(s.autoexpire, 3600);
	ck_assert_int_eq(s.has_initval, 1);
	ck_assert_int_eq(s.initval, -5);
	ck_assert_int_eq(s.updateexpire, 0);
	ck_assert_int_eq(warn, 0);
	ht_spec_clear(&s);

	/* defaults, blanks around everything, no trailing ';' */
	txt = " t => autoexpire = 7 ; updateexpire = 2 ";
	ck_assert_int_eq(ht_spec_parse(txt, strlen(txt), &s, &warn, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(s.name, "t");
	ck_assert_uint_eq(s.size, HT_SIZE_DEFAULT);
	ck_assert_uint_eq(s.autoexpire, 7);
	ck_assert_int_eq(s.has_initval, 0);
	ck_assert_int_eq(s.updateexpire, 1);
	ht_spec_clear(&s);

	ck_assert_int_eq(ht_spec_parse("x=>", 3, &s, &warn, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(s.size, 4);
	ck_assert_int_eq(s.updateexpire, 1);
	ht_spec_clear(&s);
}
END_TEST

START_TEST(spec_sizes)
{
	static const struct {
		const char *txt;
		unsigned    size;
		int         warn;
	} cases[] = {
		{ "a=>size=0", 3, 0 }, { "a=>size=1", 3, 0 },
		{ "a=>size=2", 2, 0 }, { "a=>size=24", 24, 0 },
		{ "a=>size=32", 14, 1 }, { "a=>size=40", 14, 1 },
	};
	struct ht_spec s;
	char err[256];
	int warn;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(ht_spec_parse(cases[i].txt,
		    strlen(cases[i].txt), &s, &warn, err, sizeof(err)), 0);
		ck_assert_uint_eq(s.size, cases[i].size);
		ck_assert_int_eq(warn, cases[i].warn);
		ht_spec_clear(&s);
	}
	ck_assert_int_eq(ht_spec_parse("a=>size=40", 10, &s, &warn, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(err, "'size=40' is out of range (2..31); using "
	    "size=14 (16384 slots) as Kamailio does");
	ht_spec_clear(&s);
}
END_TEST

START_TEST(spec_errors)
{
	static const struct {
		const char *txt, *err;
	} cases[] = {
		{ "a=>foo=1;", "unknown key 'foo' (known: size, autoexpire, "
		  "initval, updateexpire, dbtable, dbmode, cols, coldelim, "
		  "colnull, dmqreplicate)" },
		{ "a=>size=8;dbtable=htable;", "'dbtable=htable': not "
		  "supported (no database in Tandem)" },
		{ "a=>dbmode=1", "'dbmode=1': not supported (no database in "
		  "Tandem)" },
		{ "a=>cols='k,v'", "'cols='k,v'': not supported (no database "
		  "in Tandem)" },
		{ "a=>dmqreplicate=1", "'dmqreplicate=1': not supported (no "
		  "DMQ replication in Tandem)" },
		{ "a=>size=abc;", "'size=abc': not a number" },
		{ "a=>size=25", "'size=25' is too large: 2^25 slots (at most "
		  "size=24)" },
		{ "a=>size=-1", "'size=-1': must not be negative" },
		{ "a=>autoexpire=-1;", "'autoexpire=-1': must not be "
		  "negative" },
		{ "a=>autoexpire=99999999999", "'autoexpire=99999999999': too "
		  "large" },
		{ "a=>initval=abc", "'initval=abc': not a number" },
		{ "a=>updateexpire=", "'updateexpire' needs a value" },
		{ "a=>size", "'size' is not key=value" },
		{ "a=>size=4;;", "empty key (\";;\")" },
		{ "a", "'a': expected name=>key=value;..." },
		{ "=>size=4", "'=>size=4': expected name=>key=value;..." },
		{ "a b=>size=4", "'a b=>size=4': invalid table name 'a b'" },
		{ "a$x=>", "'a$x=>': invalid table name 'a$x'" },
	};
	struct ht_spec s;
	char err[256];
	int warn;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(ht_spec_parse(cases[i].txt, strlen(cases[i].txt),
		    &s, &warn, err, sizeof(err)) == -1, "%s accepted",
		    cases[i].txt);
		ck_assert_str_eq(err, cases[i].err);
		ck_assert_ptr_null(s.name);
	}
}
END_TEST

START_TEST(spec_registry_and_refs)
{
	char err[256];
	str_t in, t, r;
	int warn;

	ck_assert_int_eq(ht_reg_define("a=>size=2", 9, &warn, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("b=>", 3, &warn, err, sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("a=>size=3", 9, &warn, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "table 'a' is already defined");
	ck_assert_uint_eq(ht_reg_count(), 2);
	in = STR_LIT("b");
	ck_assert_int_eq(ht_reg_find(&in), 1);
	in = STR_LIT("c");
	ck_assert_int_eq(ht_reg_find(&in), -1);
	ck_assert_ptr_null(ht_reg_table(0));    /* no shm tables yet */

	in = STR_LIT(" msrp =>$var(s)::a=>b");
	ck_assert_int_eq(ht_split_ref(&in, &t, &r), 0);
	ck_assert(str_eq_cstr(&t, "msrp"));
	ck_assert(str_eq_cstr(&r, "$var(s)::a=>b"));
	in = STR_LIT("t=>");
	ck_assert_int_eq(ht_split_ref(&in, &t, &r), 0);
	ck_assert_uint_eq(r.len, 0);
	in = STR_LIT("=>k");
	ck_assert_int_eq(ht_split_ref(&in, &t, &r), -1);
	in = STR_LIT("t=k");
	ck_assert_int_eq(ht_split_ref(&in, &t, &r), -1);
	ht_reg_reset();
}
END_TEST

/* --- items ------------------------------------------------------------- */

START_TEST(table_set_get_delete)
{
	struct ht_table *t = mk("a=>size=4");
	str_t k = STR_LIT("k1"), none = STR_LIT("none");

	ck_assert_uint_eq(t->nslots, 16);
	ck_assert_str_eq(get(t, "k1"), "-");
	set_s(t, "k1", "v1");
	set_i(t, "k2", 42);
	set_s(t, "empty", "");
	ck_assert_str_eq(get(t, "k1"), "s:v1");
	ck_assert_str_eq(get(t, "k2"), "i:42");
	ck_assert_str_eq(get(t, "empty"), "s:");
	set_i(t, "k1", -7);                 /* a string becomes an int */
	ck_assert_str_eq(get(t, "k1"), "i:-7");
	set_s(t, "k1", "a longer value than before");
	ck_assert_str_eq(get(t, "k1"), "s:a longer value than before");
	ck_assert_int_eq(ht_table_del(t, &k), 1);
	ck_assert_int_eq(ht_table_del(t, &k), 0);
	ck_assert_int_eq(ht_table_del(t, &none), 0);
	ck_assert_str_eq(get(t, "k1"), "-");
	ck_assert_str_eq(get(t, "k2"), "i:42");
	ck_assert_int_eq(ht_table_reset(t), 2);
	ck_assert_str_eq(get(t, "k2"), "-");
	ht_table_destroy(t);
}
END_TEST

START_TEST(table_inc_dec)
{
	struct ht_table *t = mk("a=>"), *iv = mk("b=>initval=7");

	/* Kamailio: no initval, no item: nothing is created */
	add(t, "n", 1, HT_ADD_MISSING);
	ck_assert_str_eq(get(t, "n"), "-");
	set_i(t, "n", 5);
	ck_assert_int_eq(add(t, "n", 1, HT_ADD_OK), 6);
	ck_assert_int_eq(add(t, "n", -1, HT_ADD_OK), 5);
	ck_assert_int_eq(add(t, "n", -10, HT_ADD_OK), -5);
	set_s(t, "s", "17");                /* strings are not counted */
	add(t, "s", 1, HT_ADD_NOTINT);
	ck_assert_str_eq(get(t, "s"), "s:17");
	set_i(t, "max", 0x7fffffffffffffffLL);  /* wraps, no UB */
	ck_assert_int_eq(add(t, "max", 1, HT_ADD_OK), (-0x7fffffffffffffffLL
	    - 1));

	ck_assert_int_eq(add(iv, "c", 1, HT_ADD_OK), 8);
	ck_assert_int_eq(add(iv, "c", 1, HT_ADD_OK), 9);
	ck_assert_int_eq(add(iv, "d", -1, HT_ADD_OK), 6);
	ck_assert_str_eq(get(iv, "c"), "i:9");
	ht_table_destroy(t);
	ht_table_destroy(iv);
}
END_TEST

START_TEST(table_match_count_remove)
{
	struct ht_table *t = mk("c=>size=2");
	struct ht_match mt = { .op = HT_OP_PREFIX, .s = STR_LIT("x") };

	set_s(t, "abc", "ABC");
	set_s(t, "Abd", "xab");
	set_s(t, "xab", "ab");
	set_i(t, "a.c", 5);
	/* regexps are case-insensitive, as Kamailio's */
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "^a"), 3);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "ab"), 3);
	ck_assert_int_eq(count(t, HT_VALUE, HT_OP_RE, "^a"), 2);
	ck_assert_int_eq(count(t, HT_VALUE, HT_OP_RE, "5"), 0); /* ints */
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_PREFIX, "ab"), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_SUFFIX, "ab"), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_EQ, "a.c"), 1);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_CONTAINS, "b"), 3);
	ck_assert_int_eq(count(t, HT_VALUE, HT_OP_EQ, "ab"), 1);
	ck_assert_int_eq(count(t, HT_VALUE, HT_OP_SUFFIX, "ab"), 2);

	ck_assert_int_eq(ht_table_remove(t, HT_NAME, &mt), 1);
	ck_assert_str_eq(get(t, "xab"), "-");
	mt.op = HT_OP_SUFFIX;
	mt.s = STR_LIT("ab");
	ck_assert_int_eq(ht_table_remove(t, HT_VALUE, &mt), 1);
	ck_assert_str_eq(get(t, "Abd"), "-");
	ck_assert_str_eq(get(t, "abc"), "s:ABC");
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "."), 2);
	ht_table_destroy(t);
}
END_TEST

/* --- expiry, on the fake clock ----------------------------------------- */

START_TEST(expire_auto)
{
	struct ht_table *t = mk("e=>autoexpire=2");
	struct shm_stats before, after;
	long long secs;
	str_t k = STR_LIT("k");

	set_s(t, "k", "v");
	ck_assert_int_eq(ht_table_get_expire(t, &k, &secs), 1);
	ck_assert_int_eq(secs, 2);
	fake_now += 1999;
	ck_assert_str_eq(get(t, "k"), "s:v");
	ck_assert_int_eq(ht_table_get_expire(t, &k, &secs), 1);
	ck_assert_int_eq(secs, 1);          /* 1 ms left: rounded up */
	fake_now += 1;
	/* gone for reads before the sweep frees it */
	ck_assert_str_eq(get(t, "k"), "-");
	ck_assert_int_eq(ht_table_get_expire(t, &k, &secs), 0);
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "."), 0);
	shm_get_stats(&before);
	ck_assert_int_eq(ht_table_expire(t), 1);
	shm_get_stats(&after);
	ck_assert_uint_eq(after.allocs, before.allocs - 1);
	ck_assert_int_eq(ht_table_expire(t), 0);
	/* a write after expiry starts a new life */
	set_s(t, "k", "v2");
	fake_now += 1500;
	ck_assert_str_eq(get(t, "k"), "s:v2");
	ht_table_destroy(t);
}
END_TEST

START_TEST(expire_update_and_explicit)
{
	struct ht_table *up = mk("u=>autoexpire=10");
	struct ht_table *keep = mk("k=>autoexpire=10;updateexpire=0");
	struct ht_table *never = mk("n=>");
	str_t k = STR_LIT("k");
	long long secs;

	set_i(up, "k", 1);
	set_i(keep, "k", 1);
	fake_now += 6000;
	set_i(up, "k", 2);                  /* restarts: 10 s from now */
	set_i(keep, "k", 2);                /* keeps: 4 s left */
	add(up, "k", 1, HT_ADD_OK);
	ck_assert_int_eq(ht_table_get_expire(up, &k, &secs), 1);
	ck_assert_int_eq(secs, 10);
	ck_assert_int_eq(ht_table_get_expire(keep, &k, &secs), 1);
	ck_assert_int_eq(secs, 4);

	/* per-item expiry: from now; 0 = never */
	ck_assert_int_eq(ht_table_set_expire(up, &k, 3), 1);
	ck_assert_int_eq(ht_table_get_expire(up, &k, &secs), 1);
	ck_assert_int_eq(secs, 3);
	ck_assert_int_eq(ht_table_set_expire(keep, &k, 0), 1);
	fake_now += 100000;
	ck_assert_str_eq(get(up, "k"), "-");
	ck_assert_str_eq(get(keep, "k"), "i:2");
	ck_assert_int_eq(ht_table_get_expire(keep, &k, &secs), 1);
	ck_assert_int_eq(secs, 0);
	/* a table without autoexpire ignores it, as Kamailio does */
	set_i(never, "k", 1);
	ck_assert_int_eq(ht_table_set_expire(never, &k, 1), 0);
	fake_now += 100000;
	ck_assert_str_eq(get(never, "k"), "i:1");
	ht_table_destroy(up);
	ht_table_destroy(keep);
	ht_table_destroy(never);
}
END_TEST

START_TEST(expire_initval_counter_restarts)
{
	struct ht_table *t = mk("c=>autoexpire=1;initval=0");

	ck_assert_int_eq(add(t, "hits", 1, HT_ADD_OK), 1);
	ck_assert_int_eq(add(t, "hits", 1, HT_ADD_OK), 2);
	fake_now += 1000;
	ck_assert_int_eq(add(t, "hits", 1, HT_ADD_OK), 1);
	set_s(t, "s", "str");
	fake_now += 1000;
	/* an expired string is replaced by the initval counter */
	ck_assert_int_eq(add(t, "s", 5, HT_ADD_OK), 5);
	ht_table_destroy(t);
}
END_TEST

START_TEST(expire_registry_sweep)
{
	char err[256];
	int warn;
	str_t k;

	ck_assert_int_eq(ht_reg_define("a=>autoexpire=1", 15, &warn, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("b=>autoexpire=5", 15, &warn, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_define("n=>", 3, &warn, err, sizeof(err)), 0);
	ck_assert_int_eq(ht_reg_create_all(), 0);
	for (int i = 0; i < 3; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		set_i(ht_reg_table(0), key, i);
		set_i(ht_reg_table(1), key, i);
		set_i(ht_reg_table(2), key, i);
	}
	k = STR_LIT("b");
	ck_assert_ptr_eq(ht_reg_lookup(&k), ht_reg_table(1));
	fake_now += 1000;
	ck_assert_int_eq(ht_expire_sweep_all(), 3);
	fake_now += 4000;
	ck_assert_int_eq(ht_expire_sweep_all(), 3);
	fake_now += 1000000;
	ck_assert_int_eq(ht_expire_sweep_all(), 0);
	ck_assert_str_eq(get(ht_reg_table(2), "k2"), "i:2");
}
END_TEST

/* --- many items, collisions -------------------------------------------- */

START_TEST(many_items_collide)
{
	struct ht_table *t = mk("m=>size=2");    /* 4 slots for 5000 keys */
	struct ht_stats st;
	char key[32], want[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		set_i(t, key, i);
	}
	for (int i = 0; i < 5000; i += 2) {
		str_t k;

		snprintf(key, sizeof(key), "key-%d", i);
		k = str_cstr(key);
		ck_assert_int_eq(ht_table_del(t, &k), 1);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		snprintf(want, sizeof(want), "i:%d", i);
		ck_assert_str_eq(get(t, key), i % 2 ? want : "-");
	}
	ht_table_stats(t, &st);
	ck_assert_uint_eq(st.slots, 4);
	ck_assert_uint_eq(st.all, 2500);
	ck_assert_uint_le(st.min, st.max);
	ck_assert_uint_gt(st.min, 400);     /* FNV spreads "key-N" */
	ck_assert_int_eq(count(t, HT_NAME, HT_OP_RE, "^key-[0-9]*1$"), 500);
	ht_table_destroy(t);
}
END_TEST

/* --- across fork: the table is shared, the counter atomic -------------- */

#define NCHILD  4
#define NINC    2000

START_TEST(fork_shared_counter)
{
	struct ht_table *t = mk("f=>size=3;initval=0");
	pid_t pids[NCHILD];
	char key[16];

	for (int c = 0; c < NCHILD; c++) {
		pids[c] = fork();
		ck_assert_int_ne(pids[c], -1);
		if (pids[c] == 0) {
			str_t k = STR_LIT("hits");
			long long v;

			snprintf(key, sizeof(key), "child%d", c);
			set_i(t, key, getpid());
			for (int i = 0; i < NINC; i++)
				if (ht_table_add(t, &k, 1, &v) != HT_ADD_OK)
					_exit(1);
			_exit(0);
		}
	}
	for (int c = 0; c < NCHILD; c++) {
		int status;

		ck_assert_int_eq(waitpid(pids[c], &status, 0), pids[c]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		snprintf(key, sizeof(key), "child%d", c);
		ck_assert_str_ne(get(t, key), "-");
	}
	ck_assert_int_eq(add(t, "hits", 0, HT_ADD_OK), NCHILD * NINC);
	ht_table_destroy(t);
}
END_TEST

START_TEST(fork_lock_excludes_others)
{
	struct ht_table *t = mk("l=>size=1;initval=0");
	volatile int *released = shm_calloc(1, sizeof(int));
	str_t k = STR_LIT("k");
	pid_t pid;
	int status;

	ht_table_lock_key(t, &k);
	/* recursive for this process: sht_lock then $sht still works */
	ck_assert_int_eq(add(t, "k", 1, HT_ADD_OK), 1);
	set_s(t, "other-key", "x");         /* 8 slots, 8 locks: any key */
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		long long v;

		/* blocks until the parent lets go */
		if (ht_table_add(t, &k, 1, &v) != HT_ADD_OK)
			_exit(1);
		_exit(*released ? 0 : 2);
	}
	usleep(200000);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);
	*released = 1;
	ck_assert_int_eq(ht_table_unlock_key(t, &k), 0);
	ck_assert_int_eq(ht_table_unlock_key(t, &k), -1);  /* not held */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(add(t, "k", 0, HT_ADD_OK), 2);
	ht_table_destroy(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_htable");
	TCase *tp = tcase_create("spec");
	TCase *tt = tcase_create("table");
	TCase *tf = tcase_create("fork");

	tcase_add_test(tp, spec_valid);
	tcase_add_test(tp, spec_sizes);
	tcase_add_test(tp, spec_errors);
	tcase_add_test(tp, spec_registry_and_refs);
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_add_test(tt, table_set_get_delete);
	tcase_add_test(tt, table_inc_dec);
	tcase_add_test(tt, table_match_count_remove);
	tcase_add_test(tt, expire_auto);
	tcase_add_test(tt, expire_update_and_explicit);
	tcase_add_test(tt, expire_initval_counter_restarts);
	tcase_add_test(tt, expire_registry_sweep);
	tcase_add_test(tt, many_items_collide);
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, fork_shared_counter);
	tcase_add_test(tf, fork_lock_excludes_others);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tt);
	suite_add_tcase(s, tf);
	return tcheck_run(s);
}
