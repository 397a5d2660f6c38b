/* check_mod_counters.c - script_counter declarations, counter references
 * and the cnt.* RPCs over the core's statistics. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "core/stats.h"
#include "core/xalloc.h"
#include "modules/counters/cnt_decl.h"
#include "modules/counters/cnt_rpc.h"
#include "modules/counters/cnt_stats.h"
#include "tcheck.h"

/* --- declarations ------------------------------------------------------ */

static int
decl(const char *text, const char *grp, char *err, size_t errlen)
{
	str_t s = str_cstr(text);

	return cnt_decl_add(&s, grp, err, errlen);
}

START_TEST(t_decl_forms)
{
	const struct cnt_decl *d;
	char err[160];

	ck_assert_int_eq(decl("foo", "script", err, sizeof(err)), 0);
	ck_assert_int_eq(decl("test.bar", "script", err, sizeof(err)), 0);
	ck_assert_int_eq(decl("baz example counter", "script", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(decl("test.x:another example", "script", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(decl("  y:   spaced  ", "mine", err, sizeof(err)), 0);
	ck_assert_int_eq(decl("a.b.c", "script", err, sizeof(err)), 0);
	ck_assert_int_eq(cnt_decl_count(), 6);

	d = cnt_decl_find("script", "foo");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->desc, CNT_DEFAULT_DESC);
	ck_assert_ptr_nonnull(cnt_decl_find("test", "bar"));
	ck_assert_str_eq(cnt_decl_find("script", "baz")->desc,
	    "example counter");
	ck_assert_str_eq(cnt_decl_find("test", "x")->desc, "another example");
	/* the group in force at the declaration, description trimmed */
	ck_assert_str_eq(cnt_decl_find("mine", "y")->desc, "spaced");
	ck_assert_ptr_null(cnt_decl_find("script", "y"));
	/* the group ends at the first dot */
	ck_assert_ptr_nonnull(cnt_decl_find("a", "b.c"));
	cnt_decl_free_all();
	ck_assert_int_eq(cnt_decl_count(), 0);
}
END_TEST

START_TEST(t_decl_errors)
{
	char err[160];

	ck_assert_int_eq(decl("foo", "script", err, sizeof(err)), 0);
	ck_assert_int_eq(decl("foo other text", "script", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "counter script.foo already registered");
	ck_assert_int_eq(decl("", "script", err, sizeof(err)), -1);
	ck_assert_int_eq(decl(":desc", "script", err, sizeof(err)), -1);
	ck_assert_int_eq(decl("q.:x", "script", err, sizeof(err)), -1);
	ck_assert(strstr(err, "empty name") != NULL);
	ck_assert_int_eq(decl(".q", "script", err, sizeof(err)), -1);
	ck_assert(strstr(err, "empty group") != NULL);
	ck_assert_int_eq(decl("g234567890123456789012345678901234.x",
	    "script", err, sizeof(err)), -1);
	ck_assert_int_eq(cnt_decl_count(), 1);
	cnt_decl_free_all();
}
END_TEST

START_TEST(t_ref_split)
{
	char g[CNT_GROUP_MAX + 1], n[CNT_NAME_MAX + 1], err[160];
	str_t s;

	s = str_cstr("reqs");
	ck_assert_int_eq(cnt_ref_split(&s, "script", g, n, err, sizeof(err)),
	    0);
	ck_assert_str_eq(g, "script");
	ck_assert_str_eq(n, "reqs");
	s = str_cstr("sl.sent_replies");
	ck_assert_int_eq(cnt_ref_split(&s, "script", g, n, err, sizeof(err)),
	    0);
	ck_assert_str_eq(g, "sl");
	ck_assert_str_eq(n, "sent_replies");
	s = str_cstr("sl.");
	ck_assert_int_eq(cnt_ref_split(&s, "script", g, n, err, sizeof(err)),
	    -1);
}
END_TEST

/* --- statistics and the RPCs ------------------------------------------- */

struct out {
	char text[4096];
};

static void
o_put(struct out *o, const char *s)
{
	size_t n = strlen(o->text);

	snprintf(o->text + n, sizeof(o->text) - n, "%s", s);
}

static void
w_begin(void *out)
{
	((struct out *)out)->text[0] = '\0';
}

static void
w_value(void *out, const char *name, const struct rpc_value *v)
{
	char buf[256];

	if (name)
		snprintf(buf, sizeof(buf), "%s=", name);
	else
		buf[0] = '\0';
	o_put(out, buf);
	if (v->type == RPC_STR)
		snprintf(buf, sizeof(buf), "\"%.*s\";", STR_FMT(&v->s));
	else
		snprintf(buf, sizeof(buf), "%lld;", v->i);
	o_put(out, buf);
}

static void
w_open(void *out, const char *name, int is_array)
{
	o_put(out, is_array ? "[" : "{");
}

static void
w_close(void *out, int is_array)
{
	o_put(out, is_array ? "]" : "}");
}

static void
w_fault(void *out, int code, const str_t *msg)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "FAULT %d %.*s", code, STR_FMT(msg));
	o_put(out, buf);
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

#define CALL(method, ...) \
	call(method, (int)(sizeof((const char *[]){ __VA_ARGS__ }) / \
	    sizeof(const char *)), (const char *[]){ __VA_ARGS__ })

static struct stat_var *s_foo, *s_bar, *s_rcv, *s_gauge;

static void
setup(void)
{
	struct cfg_diag d;
	struct cfg_pos none = { 0, 0, 0 };
	char err[160];

	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	/* registered out of order: the replies are sorted */
	s_rcv = stats_register("core", "rcv_requests", 0);
	stats_register("core", "drop_requests", 0);
	s_gauge = stats_register("usrloc", "registered_users",
	    STAT_NO_RESET | STAT_IS_GAUGE);
	ck_assert_int_eq(decl("foo", "script", err, sizeof(err)), 0);
	ck_assert_int_eq(decl("bar: bars seen", "script", err, sizeof(err)),
	    0);
	s_foo = stats_register("script", "foo", 0);
	s_bar = stats_register("script", "bar", 0);
	stats_register("shmem", "total_size", STAT_NO_RESET | STAT_IS_GAUGE);
	stats_set(s_rcv, 5);
	stats_set(s_foo, 3);
	stats_set(s_gauge, 2);
	diag_init(&d, NULL);
	ck_assert_int_eq(rpc_register_table(cnt_rpcs, "counters", &d, none),
	    0);
	diag_free(&d);
}

START_TEST(t_groups_and_vars)
{
	int n;
	const char **g;
	struct stat_var **v;

	setup();
	g = cnt_stats_groups(&n);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(g[0], "core");
	ck_assert_str_eq(g[1], "script");
	ck_assert_str_eq(g[2], "shmem");
	ck_assert_str_eq(g[3], "usrloc");
	xfree(g);
	v = cnt_stats_vars("core", &n);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(stats_name(v[0]), "drop_requests");
	ck_assert_str_eq(stats_name(v[1]), "rcv_requests");
	xfree(v);
	v = cnt_stats_vars("nosuch", &n);
	ck_assert_int_eq(n, 0);
	xfree(v);
	/* a gauge is left alone, a counter keeps nothing */
	ck_assert_int_eq(cnt_stats_clear(s_gauge), 2);
	ck_assert_int_eq(stats_get(s_gauge), 2);
	ck_assert_int_eq(cnt_stats_clear(s_foo), 3);
	ck_assert_int_eq(stats_get(s_foo), 0);
	cnt_stats_refresh();
	ck_assert_int_gt(stats_get(stats_find("shmem", "total_size")), 0);
	cnt_decl_free_all();
	shm_destroy();
}
END_TEST

START_TEST(t_rpc_get_reset)
{
	setup();
	ck_assert_str_eq(CALL("cnt.get", "script", "foo"), "3;");
	ck_assert_str_eq(CALL("cnt.get", "core", "rcv_requests"), "5;");
	ck_assert_str_eq(CALL("cnt.get", "script"), "{bar=0;foo=3;}");
	ck_assert_str_eq(CALL("cnt.get", "nosuch"), "{}");
	ck_assert_str_eq(CALL("cnt.get", "script", "nosuch"),
	    "FAULT 400 non-existent counter script.nosuch\n");
	ck_assert_str_eq(CALL("cnt.get", "nosuch", "foo"),
	    "FAULT 400 non-existent counter nosuch.foo\n");
	ck_assert_str_eq(call("cnt.get", 0, NULL),
	    "FAULT 400 missing argument 1");
	ck_assert_str_eq(CALL("cnt.reset", "script", "foo"), "");
	ck_assert_int_eq(stats_get(s_foo), 0);
	ck_assert_str_eq(CALL("cnt.reset", "script"),
	    "FAULT 400 missing argument 2");
	ck_assert_str_eq(CALL("cnt.reset", "script", "nosuch"),
	    "FAULT 400 non-existent counter script.nosuch\n");
	/* too long to name anything */
	ck_assert_str_eq(CALL("cnt.get", "script",
	    "n12345678901234567890123456789012345678901234567890123456789"
	    "01234567890"),
	    "FAULT 400 non-existent counter script.n12345678901234567890"
	    "123456789012345678901234567890123456789012\n");
	cnt_decl_free_all();
	shm_destroy();
}
END_TEST

START_TEST(t_rpc_lists)
{
	setup();
	ck_assert_str_eq(call("cnt.grps_list", 0, NULL),
	    "\"core\";\"script\";\"shmem\";\"usrloc\";");
	ck_assert_str_eq(call("cnt.list_groups", 0, NULL),
	    "\"core\";\"script\";\"shmem\";\"usrloc\";");
	ck_assert_str_eq(CALL("cnt.var_list", "core"),
	    "\"drop_requests\";\"rcv_requests\";");
	ck_assert_str_eq(CALL("cnt.list_vars", "script"),
	    "\"bar\";\"foo\";");
	ck_assert_str_eq(CALL("cnt.var_list", "nosuch"), "");
	ck_assert_str_eq(CALL("cnt.grp_get_all", "usrloc"),
	    "{registered_users=2;}");
	ck_assert_str_eq(CALL("cnt.get_vars", "core"),
	    "{drop_requests=0;rcv_requests=5;}");
	ck_assert_str_eq(CALL("cnt.grp_get_all", "nosuch"), "{}");
	ck_assert_str_eq(call("cnt.var_list", 0, NULL),
	    "FAULT 400 missing argument 1");
	cnt_decl_free_all();
	shm_destroy();
}
END_TEST

START_TEST(t_rpc_help)
{
	setup();
	ck_assert_str_eq(CALL("cnt.help", "script", "foo"),
	    "\"custom script counter.\";");
	ck_assert_str_eq(CALL("cnt.help", "script", "bar"),
	    "\"bars seen\";");
	ck_assert_str_eq(CALL("cnt.help", "core", "rcv_requests"),
	    "\"" CNT_NO_DESC "\";");
	ck_assert_str_eq(CALL("cnt.help", "script", "nosuch"),
	    "FAULT 400 non-existent counter script.nosuch\n");
	ck_assert_str_eq(CALL("cnt.help", "script"),
	    "FAULT 400 missing argument 2");
	cnt_decl_free_all();
	shm_destroy();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("counters");

	log_set_level(L_ERR - 1);
	tcase_add_test(tc, t_decl_forms);
	tcase_add_test(tc, t_decl_errors);
	tcase_add_test(tc, t_ref_split);
	tcase_add_test(tc, t_groups_and_vars);
	tcase_add_test(tc, t_rpc_get_reset);
	tcase_add_test(tc, t_rpc_lists);
	tcase_add_test(tc, t_rpc_help);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(suite());
}
