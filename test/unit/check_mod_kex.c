/* check_mod_kex.c - kex's flags, statistics selection and stats.* RPCs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/msg.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "core/stats.h"
#include "modules/kex/kex_flags.h"
#include "modules/kex/kex_rpc.h"
#include "modules/kex/kex_stats.h"
#include "tcheck.h"

/* --- flags ------------------------------------------------------------------- */

static void
msg_new(struct msg *m)
{
	static const char req[] = "OPTIONS sip:a@b SIP/2.0\r\n\r\n";

	msg_init(m, req, sizeof(req) - 1, NULL);
}

START_TEST(t_flags_sets_are_separate)
{
	struct msg m;

	ck_assert_int_eq(kex_flags_init(), 0);
	msg_new(&m);
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_MSG, 3));
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_SCRIPT, 3));
	ck_assert_int_eq(kex_flag_set(&m, KEX_FLAGS_MSG, 3), 0);
	ck_assert_uint_eq(m.flags, 1u << 3);
	ck_assert(kex_flag_test(&m, KEX_FLAGS_MSG, 3));
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_SCRIPT, 3));
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_BRANCH, 3));
	ck_assert_int_eq(kex_flag_set(&m, KEX_FLAGS_SCRIPT, 31), 0);
	ck_assert_int_eq(kex_flag_set(&m, KEX_FLAGS_BRANCH, 0), 0);
	ck_assert(kex_flag_test(&m, KEX_FLAGS_SCRIPT, 31));
	ck_assert(kex_flag_test(&m, KEX_FLAGS_BRANCH, 0));
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_MSG, 31));
	ck_assert_int_eq(kex_flag_reset(&m, KEX_FLAGS_SCRIPT, 31), 0);
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_SCRIPT, 31));
	ck_assert(kex_flag_test(&m, KEX_FLAGS_BRANCH, 0));
	msg_destroy(&m);
	/* the next message starts with none */
	msg_new(&m);
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_BRANCH, 0));
	ck_assert_int_eq(kex_flag_reset(&m, KEX_FLAGS_SCRIPT, 5), 0);
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_SCRIPT, 5));
	msg_destroy(&m);
}
END_TEST

START_TEST(t_flag_range)
{
	ck_assert(kex_flag_valid(0));
	ck_assert(kex_flag_valid(31));
	ck_assert(!kex_flag_valid(32));
	ck_assert(!kex_flag_valid(-1));
}
END_TEST

START_TEST(t_flags_without_init)
{
	struct msg m;

	log_set_level(L_ERR - 1);
	msg_new(&m);
	/* message flags need no slot; the others fail cleanly */
	ck_assert_int_eq(kex_flag_set(&m, KEX_FLAGS_MSG, 1), 0);
	ck_assert_int_eq(kex_flag_set(&m, KEX_FLAGS_SCRIPT, 1), -1);
	ck_assert(!kex_flag_test(&m, KEX_FLAGS_SCRIPT, 1));
	msg_destroy(&m);
}
END_TEST

/* --- statistics ----------------------------------------------------------------- */

static struct stat_var *st_b, *st_a, *st_x, *st_keep;

static void
stats_up(void)
{
	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	/* registered out of order: replies are sorted */
	st_b = stats_register("core", "rcv_b", 0);
	st_a = stats_register("core", "rcv_a", 0);
	st_x = stats_register("sl", "rcv_a", 0);
	st_keep = stats_register("sl", "kept", STAT_NO_RESET);
	ck_assert_ptr_nonnull(st_keep);
	stats_set(st_b, 2);
	stats_set(st_a, 1);
	stats_set(st_x, 7);
	stats_set(st_keep, 9);
}

struct collect {
	char text[2048];
	int  n;
};

static void
collect_line(void *ctx, struct stat_var *v)
{
	struct collect *c = ctx;
	char line[128];
	size_t len = strlen(c->text);

	kex_stats_line(v, stats_get(v), line, sizeof(line));
	snprintf(c->text + len, sizeof(c->text) - len, "%s|", line);
	c->n++;
}

static const char *
select_text(const char *sel)
{
	static struct collect c;
	str_t s = str_cstr(sel);

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(kex_stats_select(&s, collect_line, &c), c.n);
	return c.text;
}

START_TEST(t_stats_select)
{
	stats_up();
	ck_assert_str_eq(select_text("all"), "core:rcv_a = 1|core:rcv_b = 2|"
	    "sl:kept = 9|sl:rcv_a = 7|");
	ck_assert_str_eq(select_text("core:"), "core:rcv_a = 1|"
	    "core:rcv_b = 2|");
	ck_assert_str_eq(select_text("rcv_a"), "core:rcv_a = 1|"
	    "sl:rcv_a = 7|");
	ck_assert_str_eq(select_text("sl:rcv_a"), "sl:rcv_a = 7|");
	ck_assert_str_eq(select_text("sl.rcv_a"), "sl:rcv_a = 7|");
	ck_assert_str_eq(select_text("nosuch"), "");
	ck_assert_str_eq(select_text("nosuch:"), "");
	ck_assert_str_eq(select_text("core"), "");
	ck_assert_str_eq(select_text("sl."), "");
	ck_assert_str_eq(select_text(""), "");
	shm_destroy();
}
END_TEST

START_TEST(t_stats_clear)
{
	stats_up();
	ck_assert_int_eq(kex_stats_clear(st_b), 2);
	ck_assert_int_eq(stats_get(st_b), 0);
	/* a no-reset statistic keeps its value */
	ck_assert_int_eq(kex_stats_clear(st_keep), 9);
	ck_assert_int_eq(stats_get(st_keep), 9);
	shm_destroy();
}
END_TEST

START_TEST(t_stats_line_truncates)
{
	char buf[8];

	stats_up();
	ck_assert_uint_eq(kex_stats_line(st_a, 1, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "core:rc");
	ck_assert_uint_eq(kex_stats_key(st_a, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "core.rc");
	shm_destroy();
}
END_TEST

START_TEST(t_stats_shm_gauges)
{
	struct stat_var *v;

	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	ck_assert_int_eq(kex_stats_shm_register(), 0);
	v = stats_find("shmem", "total_size");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(stats_get(v), 0);
	kex_stats_shm_refresh();
	ck_assert_int_gt(stats_get(v), 1 << 20);
	ck_assert_int_gt(stats_get(stats_find("shmem", "free_size")), 0);
	ck_assert(stats_flags(v) & STAT_NO_RESET);
	shm_destroy();
}
END_TEST

/* --- the RPCs, through the core's registry and a text writer -------------------- */

struct out {
	char text[4096];
};

static void
o_put(struct out *o, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(o->text);

	snprintf(o->text + n, sizeof(o->text) - n, fmt, a, b);
}

static void
w_begin(void *out)
{
	((struct out *)out)->text[0] = '\0';
}

static void
w_value(void *out, const char *name, const struct rpc_value *v)
{
	char val[160];

	if (v->type == RPC_STR)
		snprintf(val, sizeof(val), "\"%.*s\";", STR_FMT(&v->s));
	else
		snprintf(val, sizeof(val), "%lld;", v->i);
	/* name=value; inside structs, value; elsewhere */
	o_put(out, "%s%s", name ? name : "", name ? "=" : "");
	o_put(out, "%s%s", val, "");
}

static void
w_open(void *out, const char *name, int is_array)
{
	o_put(out, "%s%s", is_array ? "[" : "{", "");
}

static void
w_close(void *out, int is_array)
{
	o_put(out, "%s%s", is_array ? "]" : "}", "");
}

static void
w_fault(void *out, int code, const str_t *msg)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "FAULT %d %.*s", code, STR_FMT(msg));
	o_put(out, "%s%s", buf, "");
}

static int
w_end(void *out)
{
	return 0;
}

static const struct rpc_writer text_writer = {
	w_begin, w_value, w_open, w_close, w_fault, w_end,
};

static const char *
call(const char *method, int argc, const char *const *argv)
{
	static struct out o;
	str_t args[8];

	for (int i = 0; i < argc; i++)
		args[i] = str_cstr(argv[i]);
	rpc_execute(method, argc, args, &text_writer, &o);
	return o.text;
}

static void
rpc_up(void)
{
	struct cfg_diag d;
	struct cfg_pos none = { 0, 0, 0 };

	stats_up();
	diag_init(&d, NULL);
	ck_assert_int_eq(rpc_register_table(kex_rpcs, "kex", &d, none), 0);
	diag_free(&d);
}

START_TEST(t_rpc_get)
{
	const char *all[] = { "all" };
	const char *two[] = { "rcv_b", "sl:" };

	rpc_up();
	ck_assert_str_eq(call("stats.get_statistics", 1, all),
	    "\"core:rcv_a = 1\";\"core:rcv_b = 2\";\"sl:kept = 9\";"
	    "\"sl:rcv_a = 7\";");
	ck_assert_str_eq(call("stats.get_statistics", 2, two),
	    "\"core:rcv_b = 2\";\"sl:kept = 9\";\"sl:rcv_a = 7\";");
	ck_assert_str_eq(call("stats.get_statistics", 0, NULL),
	    "FAULT 400 Please provide which stats to retrieve");
	shm_destroy();
}
END_TEST

START_TEST(t_rpc_reset_and_clear)
{
	const char *core[] = { "core:" };
	const char *sl[] = { "sl:" };

	rpc_up();
	ck_assert_str_eq(call("stats.reset_statistics", 1, core), "");
	ck_assert_int_eq(stats_get(st_a), 0);
	ck_assert_int_eq(stats_get(st_b), 0);
	ck_assert_int_eq(stats_get(st_x), 7);
	/* new value, then the old one in parentheses (Kamailio's shape) */
	ck_assert_str_eq(call("stats.clear_statistics", 1, sl),
	    "\"sl:kept = 9 (9)\";\"sl:rcv_a = 0 (7)\";");
	ck_assert_int_eq(stats_get(st_x), 0);
	ck_assert_str_eq(call("stats.reset_statistics", 0, NULL),
	    "FAULT 400 Please provide stats name");
	ck_assert_str_eq(call("stats.clear_statistics", 0, NULL),
	    "FAULT 400 Please provide stats name");
	shm_destroy();
}
END_TEST

START_TEST(t_rpc_fetch)
{
	const char *sel[] = { "core:rcv_a", "sl.kept" };

	rpc_up();
	ck_assert_str_eq(call("stats.fetch", 2, sel),
	    "{core.rcv_a=\"1\";sl.kept=\"9\";}");
	ck_assert_str_eq(call("stats.fetchn", 2, sel),
	    "{core.rcv_a=1;sl.kept=9;}");
	ck_assert_str_eq(call("stats.fetch", 0, NULL),
	    "FAULT 400 Please provide which stats to retrieve");
	shm_destroy();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_kex");
	TCase *tf = tcase_create("flags");
	TCase *ts = tcase_create("stats");
	TCase *tr = tcase_create("rpc");

	/* before any kex_flags_init(), also when CK_FORK=no */
	tcase_add_test(tf, t_flags_without_init);
	tcase_add_test(tf, t_flags_sets_are_separate);
	tcase_add_test(tf, t_flag_range);
	tcase_add_test(ts, t_stats_select);
	tcase_add_test(ts, t_stats_clear);
	tcase_add_test(ts, t_stats_line_truncates);
	tcase_add_test(ts, t_stats_shm_gauges);
	tcase_add_test(tr, t_rpc_get);
	tcase_add_test(tr, t_rpc_reset_and_clear);
	tcase_add_test(tr, t_rpc_fetch);
	suite_add_tcase(s, tf);
	suite_add_tcase(s, ts);
	suite_add_tcase(s, tr);
	return tcheck_run(s);
}
