/*
 * kex - core extensions: message, script and branch flags, the
 * per-process debug level, is_myself(), and the statistics RPCs (with
 * the shmem:* gauges).  See README.md.
 */
#include "config.h"

#include "core/expr.h"
#include "core/module_api.h"
#include "kex_flags.h"
#include "kex_rpc.h"
#include "kex_stats.h"

/* --- flags ------------------------------------------------------------------ */

/* A constant flag is checked when the config is loaded. */
static int
kex_fix_flag(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind == ARG_K_INT && !kex_flag_valid(a->n)) {
		diag_error(d, "kex: flag %lld is out of range 0..%d", a->n,
		    KEX_FLAG_MAX);
		return -1;
	}
	return 0;
}

/* The flag argument's value: 0 and *n, or -1 (logged). */
static int
kex_flag_arg(struct msg *m, const void *arg, const char *fn, int *n)
{
	long long v;

	if (arg_int(m, arg, &v) != 0)
		return -1;
	if (!kex_flag_valid(v)) {
		log_errx("kex: %s(%lld): flag out of range 0..%d", fn, v,
		    KEX_FLAG_MAX);
		return -1;
	}
	*n = (int)v;
	return 0;
}

/* Branch flags exist for branch 0 (the request URI) only: Tandem has
 * no other branches.  0, or -1 (logged as an error when the script
 * wants to change a flag there; testing one is just false). */
static int
kex_branch_arg(struct msg *m, const void *arg, const char *fn, int quiet)
{
	long long b;

	if (arg == NULL)
		return 0;
	if (arg_int(m, arg, &b) != 0)
		return -1;
	if (b != 0) {
		if (!quiet)
			log_errx("kex: %s(): branch %lld does not exist (only "
			    "branch 0, the request URI)", fn, b);
		return -1;
	}
	return 0;
}

enum { OP_SET, OP_RESET, OP_TEST };

static int
kex_flag_op(struct msg *m, void *const *args, enum kex_flagset s, int op,
    const char *fn)
{
	int n;

	if (kex_flag_arg(m, args[0], fn, &n) != 0)
		return -1;
	if (s == KEX_FLAGS_BRANCH &&
	    kex_branch_arg(m, args[1], fn, op == OP_TEST) != 0)
		return -1;
	switch (op) {
	case OP_SET:
		return kex_flag_set(m, s, n) == 0 ? 1 : -1;
	case OP_RESET:
		return kex_flag_reset(m, s, n) == 0 ? 1 : -1;
	default:
		return kex_flag_test(m, s, n) ? 1 : -1;
	}
}

#define KEX_FLAG_FN(fn, set, op, name) \
	static int \
	fn(struct msg *m, void *const *args) \
	{ \
		return kex_flag_op(m, args, set, op, name); \
	}

KEX_FLAG_FN(w_setflag, KEX_FLAGS_MSG, OP_SET, "setflag")
KEX_FLAG_FN(w_resetflag, KEX_FLAGS_MSG, OP_RESET, "resetflag")
KEX_FLAG_FN(w_isflagset, KEX_FLAGS_MSG, OP_TEST, "isflagset")
KEX_FLAG_FN(w_setsflag, KEX_FLAGS_SCRIPT, OP_SET, "setsflag")
KEX_FLAG_FN(w_resetsflag, KEX_FLAGS_SCRIPT, OP_RESET, "resetsflag")
KEX_FLAG_FN(w_issflagset, KEX_FLAGS_SCRIPT, OP_TEST, "issflagset")
KEX_FLAG_FN(w_setbflag, KEX_FLAGS_BRANCH, OP_SET, "setbflag")
KEX_FLAG_FN(w_resetbflag, KEX_FLAGS_BRANCH, OP_RESET, "resetbflag")
KEX_FLAG_FN(w_isbflagset, KEX_FLAGS_BRANCH, OP_TEST, "isbflagset")

/* --- debug level ---------------------------------------------------------------- */

/* This process only, until resetdebug(), as in Kamailio. */
static int
w_setdebug(struct msg *m, void *const *args)
{
	long long level;

	if (arg_int(m, args[0], &level) != 0)
		return -1;
	if (level < L_ALERT)
		level = L_ALERT;
	else if (level > 0x7fffffffLL)
		level = 0x7fffffffLL;
	log_set_local_level((int)level);
	return 1;
}

static int
w_resetdebug(struct msg *m, void *const *args)
{
	log_reset_local_level();
	return 1;
}

/* --- is_myself ------------------------------------------------------------------- */

static int
w_is_myself(struct msg *m, void *const *args)
{
	str_t s;

	if (arg_str(m, args[0], &s) != 0)
		return -1;
	return s.len > 0 && expr_is_myself(&s) ? 1 : -1;
}

/* --- exports ---------------------------------------------------------------------- */

#define A_FLAG   { .flags = ARG_INT, .fixup = kex_fix_flag }
#define A_BRANCH { .flags = ARG_INT | ARG_OPT }

static const struct cmd_export kex_cmds[] = {
	{ .name = "setflag", .fn = w_setflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "resetflag", .fn = w_resetflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "isflagset", .fn = w_isflagset, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "setsflag", .fn = w_setsflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "resetsflag", .fn = w_resetsflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "issflagset", .fn = w_issflagset, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "setbflag", .fn = w_setbflag, .routes = RT_ANY,
	  .args = { A_FLAG, A_BRANCH } },
	{ .name = "resetbflag", .fn = w_resetbflag, .routes = RT_ANY,
	  .args = { A_FLAG, A_BRANCH } },
	{ .name = "isbflagset", .fn = w_isbflagset, .routes = RT_ANY,
	  .args = { A_FLAG, A_BRANCH } },
	{ .name = "setdebug", .fn = w_setdebug, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT } } },
	{ .name = "resetdebug", .fn = w_resetdebug, .routes = RT_ANY },
	{ .name = "is_myself", .fn = w_is_myself, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = NULL },
};

static int
kex_init(void)
{
	if (kex_flags_init() != 0)
		return -1;
	if (kex_stats_shm_register() != 0) {
		log_errx("kex: cannot register the shmem statistics");
		return -1;
	}
	return 0;
}

const struct module tandem_module = {
	.abi     = MOD_ABI_VERSION,
	.name    = "kex",
	.version = PACKAGE_VERSION,
	.cmds    = kex_cmds,
	.rpcs    = kex_rpcs,
	.init    = kex_init,
};
