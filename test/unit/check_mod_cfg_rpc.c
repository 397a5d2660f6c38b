/* check_mod_cfg_rpc.c - cfg_rpc's registry of runtime variables (ints in
 * shm, getters and setters, strings, read-only values, ranges) and the
 * cfg.* RPCs over it, with the prepared changes in shm. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "modules/cfg_rpc/cfg_rpc_delay.h"
#include "modules/cfg_rpc/cfg_rpc_methods.h"
#include "modules/cfg_rpc/cfg_rpc_var.h"
#include "tcheck.h"

/* --- a module's variables ---------------------------------------------- */

static int *shm_timeout;                /* ival, in shm */
static long long level = 2;             /* behind a getter and a setter */
static char reason[64] = "Busy Here";   /* a string */
static int refuse_next;

static long long
level_get(void)
{
	return level;
}

static int
level_set(long long v)
{
	if (refuse_next) {
		refuse_next = 0;
		return -1;
	}
	level = v;
	return 0;
}

static size_t
reason_get(char *buf, size_t size)
{
	return (size_t)snprintf(buf, size, "%s", reason);
}

static int
reason_set(const str_t *v)
{
	if (v->len >= sizeof(reason))
		return -1;
	memcpy(reason, v->s, v->len);
	reason[v->len] = '\0';
	return 0;
}

static long long
version_get(void)
{
	return 7;
}

static struct cfg_rpc_var vars[] = {
	{ .name = "timeout", .type = CFG_RPC_INT, .min = 1, .max = 3600,
	  .help = "seconds to wait" },              /* .ival set in setup() */
	{ .name = "level", .type = CFG_RPC_INT, .help = "any level",
	  .get_int = level_get, .set_int = level_set },
	{ .name = "reason", .type = CFG_RPC_STR, .help = "reason phrase",
	  .get_str = reason_get, .set_str = reason_set },
	{ .name = "version", .type = CFG_RPC_INT, .help = "fixed at start",
	  .get_int = version_get },
	{ .name = "mode", .type = CFG_RPC_STR, .flags = CFG_RPC_READONLY,
	  .help = "read-only string", .get_str = reason_get,
	  .set_str = reason_set },
	{ .name = NULL },
};

/* --- a text writer ----------------------------------------------------- */

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

static void
setup(void)
{
	struct cfg_diag d;
	struct cfg_pos none = { 0, 0, 0 };

	log_set_level(L_ERR - 1);
	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	shm_timeout = shm_malloc(sizeof(*shm_timeout));
	*shm_timeout = 30;
	vars[0].ival = shm_timeout;
	ck_assert_int_eq(cfg_rpc_delay_init(), 0);
	ck_assert_int_eq(cfg_rpc_var_declare("test", vars), 0);
	diag_init(&d, NULL);
	ck_assert_int_eq(rpc_register_table(cfg_rpc_methods, "cfg_rpc", &d,
	    none), 0);
	diag_free(&d);
}

static void
teardown(void)
{
	cfg_rpc_delay_destroy();
	cfg_rpc_var_reset_all();
	shm_destroy();
}

/* --- the registry ------------------------------------------------------ */

START_TEST(t_declare_checks)
{
	static int private_int;
	struct cfg_rpc_var bad[2] = { { .name = "x", .type = CFG_RPC_INT,
	    .help = "h", .ival = &private_int }, { .name = NULL } };
	struct cfg_rpc_var twice[3] = {
		{ .name = "a", .type = CFG_RPC_INT, .help = "h",
		  .get_int = version_get },
		{ .name = "a", .type = CFG_RPC_INT, .help = "h",
		  .get_int = version_get },
		{ .name = NULL } };

	setup();
	ck_assert_int_eq(cfg_rpc_var_count(), 5);
	/* a group only once */
	ck_assert_int_eq(cfg_rpc_var_declare("test", vars), -1);
	/* a writable int outside shm would change one process only */
	ck_assert_int_eq(cfg_rpc_var_declare("other", bad), -1);
	bad[0].flags = CFG_RPC_READONLY;
	ck_assert_int_eq(cfg_rpc_var_declare("other", bad), 0);
	ck_assert_int_eq(cfg_rpc_var_declare("dup", twice), -1);
	ck_assert_int_eq(cfg_rpc_var_declare("bad group", twice + 1), -1);
	ck_assert_int_eq(cfg_rpc_var_count(), 6);
	/* after fork nothing more */
	cfg_rpc_var_freeze();
	ck_assert_int_eq(cfg_rpc_var_declare("late", twice + 1), -1);
	teardown();
}
END_TEST

START_TEST(t_check_and_set)
{
	struct cfg_rpc_val in = { .type = CFG_RPC_STR }, out;
	str_t g = STR_LIT("test"), n = STR_LIT("timeout");
	int idx;
	char buf[32];

	setup();
	idx = cfg_rpc_var_find(&g, &n);
	ck_assert_int_ge(idx, 0);
	in.s = STR_LIT("abc");
	ck_assert_int_eq(cfg_rpc_var_check(idx, &in, &out, buf, sizeof(buf)),
	    CFG_RPC_E_INVAL);
	in.s = STR_LIT("0");
	ck_assert_int_eq(cfg_rpc_var_check(idx, &in, &out, buf, sizeof(buf)),
	    CFG_RPC_E_INVAL);
	in.s = STR_LIT(" 90 ");
	ck_assert_int_eq(cfg_rpc_var_set(idx, &in), CFG_RPC_OK);
	ck_assert_int_eq(*shm_timeout, 90);
	n = STR_LIT("nosuch");
	ck_assert_int_eq(cfg_rpc_var_find(&g, &n), -1);
	teardown();
}
END_TEST

/* --- the RPCs ---------------------------------------------------------- */

START_TEST(t_rpc_list_get_help)
{
	setup();
	ck_assert_str_eq(call("cfg.list", 0, NULL), "\"test: timeout\";"
	    "\"test: level\";\"test: reason\";\"test: version\";"
	    "\"test: mode\";");
	ck_assert_str_eq(CALL("cfg.list", "nosuch"), "");
	ck_assert_str_eq(CALL("cfg.get", "test", "timeout"), "30;");
	ck_assert_str_eq(CALL("cfg.get", "test", "reason"), "\"Busy Here\";");
	ck_assert_str_eq(CALL("cfg.get", "test"), "{timeout=30;level=2;"
	    "reason=\"Busy Here\";version=7;mode=\"Busy Here\";}");
	ck_assert_str_eq(CALL("cfg.get", "nosuch"), "{}");
	ck_assert_str_eq(CALL("cfg.get", "test", "nosuch"),
	    "FAULT 400 Failed to get the variable");
	ck_assert_str_eq(call("cfg.get", 0, NULL),
	    "FAULT 500 Failed to get the parameters");
	ck_assert_str_eq(CALL("cfg.help", "test", "timeout"),
	    "\"seconds to wait\";\"(parameter type is integer)\";");
	ck_assert_str_eq(CALL("cfg.help", "test", "reason"),
	    "\"reason phrase\";\"(parameter type is string)\";");
	ck_assert_str_eq(CALL("cfg.help", "test", "nosuch"),
	    "FAULT 400 Failed to get the variable description");
	ck_assert_str_eq(CALL("cfg.help", "test"),
	    "FAULT 400 missing argument 2");
	teardown();
}
END_TEST

START_TEST(t_rpc_set)
{
	setup();
	ck_assert_str_eq(CALL("cfg.seti", "test", "timeout", "60"), "");
	ck_assert_int_eq(*shm_timeout, 60);
	ck_assert_str_eq(CALL("cfg.set_now_int", "test", "level", "-3"), "");
	ck_assert_int_eq(level, -3);
	/* cfg.set converts to the variable's type, both ways */
	ck_assert_str_eq(CALL("cfg.set", "test", "level", "4"), "");
	ck_assert_int_eq(level, 4);
	ck_assert_str_eq(CALL("cfg.seti", "test", "reason", "486"), "");
	ck_assert_str_eq(reason, "486");
	ck_assert_str_eq(CALL("cfg.sets", "test", "reason", "Gone Away"), "");
	ck_assert_str_eq(reason, "Gone Away");
	ck_assert_str_eq(CALL("cfg.set_now_string", "test", "timeout", "120"),
	    "");
	ck_assert_int_eq(*shm_timeout, 120);

	/* refused: nothing changes */
	ck_assert_str_eq(CALL("cfg.seti", "test", "timeout", "0"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(CALL("cfg.set", "test", "timeout", "3601"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(CALL("cfg.sets", "test", "timeout", "abc"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_int_eq(*shm_timeout, 120);
	ck_assert_str_eq(CALL("cfg.seti", "test", "timeout", "abc"),
	    "FAULT 400 argument 3 is not a number");
	ck_assert_str_eq(CALL("cfg.seti", "test", "nosuch", "1"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(CALL("cfg.seti", "nosuch", "timeout", "1"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(CALL("cfg.seti", "test", "version", "1"),
	    "FAULT 400 Failed to set the variable: test.version is read-only");
	ck_assert_str_eq(CALL("cfg.sets", "test", "mode", "x"),
	    "FAULT 400 Failed to set the variable: test.mode is read-only");
	ck_assert_str_eq(reason, "Gone Away");
	refuse_next = 1;
	ck_assert_str_eq(CALL("cfg.seti", "test", "level", "1"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_int_eq(level, 4);
	ck_assert_str_eq(CALL("cfg.seti", "test", "timeout"),
	    "FAULT 400 missing argument 3");

	/* back to the values at declaration */
	ck_assert_str_eq(CALL("cfg.reset", "test"), "");
	ck_assert_int_eq(*shm_timeout, 30);
	ck_assert_int_eq(level, 2);
	ck_assert_str_eq(reason, "Busy Here");
	ck_assert_str_eq(CALL("cfg.reset", "nosuch"), "");
	teardown();
}
END_TEST

START_TEST(t_rpc_delayed)
{
	setup();
	ck_assert_str_eq(CALL("cfg.set_delayed_int", "test", "timeout", "45"),
	    "");
	ck_assert_str_eq(CALL("cfg.set_delayed_string", "test", "reason",
	    "Later"), "");
	ck_assert_str_eq(CALL("cfg.set_delayed", "test", "level", "1"), "");
	ck_assert_str_eq(CALL("cfg.set_delayed", "test", "level", "3"), "");
	/* checked when prepared */
	ck_assert_str_eq(CALL("cfg.set_delayed_int", "test", "timeout", "0"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(CALL("cfg.set_delayed", "test", "version", "1"),
	    "FAULT 400 Failed to set the variable: test.version is read-only");
	ck_assert_int_eq(*shm_timeout, 30);
	ck_assert_str_eq(call("cfg.diff", 0, NULL),
	    "{group name=\"test\";variable name=\"timeout\";old value=30;"
	    "new value=45;}"
	    "{group name=\"test\";variable name=\"reason\";"
	    "old value=\"Busy Here\";new value=\"Later\";}"
	    "{group name=\"test\";variable name=\"level\";old value=2;"
	    "new value=1;}"
	    "{group name=\"test\";variable name=\"level\";old value=2;"
	    "new value=3;}");
	ck_assert_str_eq(call("cfg.commit", 0, NULL), "");
	ck_assert_int_eq(*shm_timeout, 45);
	ck_assert_str_eq(reason, "Later");
	ck_assert_int_eq(level, 3);
	ck_assert_str_eq(call("cfg.diff", 0, NULL), "");

	ck_assert_str_eq(CALL("cfg.set_delayed_int", "test", "timeout", "99"),
	    "");
	ck_assert_str_eq(call("cfg.rollback", 0, NULL), "");
	ck_assert_str_eq(call("cfg.diff", 0, NULL), "");
	ck_assert_str_eq(call("cfg.commit", 0, NULL), "");
	ck_assert_int_eq(*shm_timeout, 45);

	/* a list that is full refuses more */
	for (int i = 0; i < CFG_RPC_DELAY_MAX; i++)
		ck_assert_str_eq(CALL("cfg.set_delayed_int", "test", "level",
		    "5"), "");
	ck_assert_str_eq(CALL("cfg.set_delayed_int", "test", "level", "5"),
	    "FAULT 400 Failed to set the variable");
	ck_assert_str_eq(call("cfg.rollback", 0, NULL), "");
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_cfg_rpc");
	TCase *tv = tcase_create("registry");
	TCase *tr = tcase_create("rpc");

	tcase_add_test(tv, t_declare_checks);
	tcase_add_test(tv, t_check_and_set);
	tcase_add_test(tr, t_rpc_list_get_help);
	tcase_add_test(tr, t_rpc_set);
	tcase_add_test(tr, t_rpc_delayed);
	suite_add_tcase(s, tv);
	suite_add_tcase(s, tr);
	return tcheck_run(s);
}
