/*
 * pv.c - the pv module: script variables ($var, $shv, $avp), time and
 * credential pseudo-variables, the {s.}, {uri.} and {param.}
 * transformations, and pv_printf / pv_unset / is_int / pv_isset.
 *
 * This file holds the export tables and the thin script functions; the
 * classes live in pv_var.c, pv_shv.c, pv_avp.c, pv_time.c, pv_misc.c and
 * pv_tr.c, the pure string work in pv_trans.c, pv_uri.c and pv_cred.c.
 */
#include "config.h"

#include "core/module_api.h"
#include "pv_mod.h"

/* --- script functions -------------------------------------------------------- */

/* pv_printf(dst, format): dst = the rendered format, always a string. */
static int
pv_cmd_printf(struct msg *m, void *const *args)
{
	struct pv_ref *dst = arg_pv(args[0]);
	struct val v;
	str_t s;

	if (arg_str(m, args[1], &s) != 0) {
		log_errx("pv_printf(): cannot render the format for %s",
		    dst->text);
		return -1;
	}
	val_set_str(&v, s);
	return pv_set(m, dst, &v) == 0 ? 1 : -1;
}

/* pv_unset(pv): the same as assigning $null. */
static int
pv_cmd_unset(struct msg *m, void *const *args)
{
	struct pv_ref *r = arg_pv(args[0]);
	struct val v;

	val_set_null(&v);
	return pv_set(m, r, &v) == 0 ? 1 : -1;
}

/*
 * is_int() and pv_isset() name a readable PV in a string ("$var(x)",
 * "$hdr(X)"): the core compiled it to a format; it must be exactly one
 * reference.
 */
static int
pv_fixup_one_pv(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind != ARG_K_FMT || fmt_single_pv(a->fmt) == NULL) {
		diag_error(d, "expected one pseudo-variable such as "
		    "\"$var(x)\", not \"%.*s\"", STR_FMT(&a->text));
		return -1;
	}
	return 0;
}

static int
pv_cmd_read(struct msg *m, void *const *args, struct val *v)
{
	const struct arg *a = args[0];

	return pv_get(m, fmt_single_pv(a->fmt), v);
}

/* is_int(pv): true when the value is an integer (not a numeric string). */
static int
pv_cmd_is_int(struct msg *m, void *const *args)
{
	struct val v;

	if (pv_cmd_read(m, args, &v) != 0)
		return -1;
	return (v.flags & VAL_INT) ? 1 : -1;
}

/* pv_isset(pv): true when the value is not null. */
static int
pv_cmd_isset(struct msg *m, void *const *args)
{
	struct val v;

	if (pv_cmd_read(m, args, &v) != 0)
		return -1;
	return val_is_null(&v) ? -1 : 1;
}

static const struct cmd_export pv_cmds[] = {
	{ .name = "pv_printf", .fn = pv_cmd_printf, .routes = RT_ANY,
	  .args = { { .flags = ARG_PV }, { .flags = ARG_STR } } },
	{ .name = "pv_unset", .fn = pv_cmd_unset, .routes = RT_ANY,
	  .args = { { .flags = ARG_PV } } },
	{ .name = "is_int", .fn = pv_cmd_is_int, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR, .fixup = pv_fixup_one_pv } } },
	{ .name = "pv_isset", .fn = pv_cmd_isset, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR, .fixup = pv_fixup_one_pv } } },
	{ .name = NULL },
};

static const struct param_export pv_params[] = {
	{ .name = "shvset", .type = PARAM_STR, .set = pv_shv_param },
	{ .name = "varset", .type = PARAM_STR, .set = pv_var_param },
	{ .name = NULL },
};

#define PV_RO(n, fn) { .name = n, .flags = PV_READ, .get = fn }

static const struct pv_export pv_pvs[] = {
	{ .name = "var", .flags = PV_READ | PV_WRITE | PV_INNER,
	  .parse = pv_var_parse, .get = pv_var_get, .set = pv_var_set },
	{ .name = "shv", .flags = PV_READ | PV_WRITE | PV_INNER,
	  .parse = pv_shv_parse, .get = pv_shv_get, .set = pv_shv_set },
	{ .name = "avp", .flags = PV_READ | PV_WRITE | PV_INNER,
	  .parse = pv_avp_parse, .get = pv_avp_get, .set = pv_avp_set,
	  .get_idx = pv_avp_get_idx, .free = pv_avp_free },
	PV_RO("Ts", pv_ts_get),
	{ .name = "TV", .flags = PV_READ | PV_INNER, .parse = pv_tv_parse,
	  .get = pv_tv_get },
	{ .name = "time", .flags = PV_READ | PV_INNER,
	  .parse = pv_time_parse, .get = pv_time_get },
	{ .name = "timef", .flags = PV_READ | PV_INNER,
	  .parse = pv_timef_parse, .get = pv_timef_get,
	  .free = pv_timef_free },
	PV_RO("au", pv_au_get),
	PV_RO("ar", pv_ar_get),
	PV_RO("ad", pv_ad_get),
	{ .name = "env", .flags = PV_READ | PV_INNER, .parse = pv_env_parse,
	  .get = pv_env_get, .free = pv_env_free },
	{ .name = NULL },
};

static const struct tr_export pv_trs[] = {
	{ .cls = "s", .parse = pv_tr_parse_s, .apply = pv_tr_apply,
	  .free = pv_tr_free },
	{ .cls = "uri", .parse = pv_tr_parse_uri, .apply = pv_tr_apply,
	  .free = pv_tr_free },
	{ .cls = "param", .parse = pv_tr_parse_param, .apply = pv_tr_apply,
	  .free = pv_tr_free },
	{ .cls = NULL },
};

static const struct rpc_export pv_rpcs[] = {
	{ .name = "pv.shvGet", .fn = pv_shv_rpc_get, .args = "[name]",
	  .help = "Value of a shared variable, or of all of them." },
	{ .name = "pv.shvSet", .fn = pv_shv_rpc_set,
	  .args = "name type(int|str) value",
	  .help = "Set the value of a shared variable." },
	{ .name = NULL },
};

/* In the supervisor, with shm ready, before fork. */
static int
pv_init(void)
{
	if (pv_ctx_init() != 0 || pv_shv_init() != 0)
		return -1;
	return 0;
}

static void
pv_destroy(void)
{
	pv_shv_destroy();
	pv_var_destroy();
}

/*
 * The private lists ($var values, $shv names) are filled while the config
 * is compiled; a config refused then, or a `tandem -c` run, unloads the
 * module without init or destroy, so they are also released when the
 * module is unloaded (twice is harmless: destroy empties them).
 */
__attribute__((destructor)) static void
pv_unload(void)
{
	pv_destroy();
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "pv",
	.version = "1.0",
	.cmds = pv_cmds,
	.params = pv_params,
	.pvs = pv_pvs,
	.trs = pv_trs,
	.rpcs = pv_rpcs,
	.init = pv_init,
	.destroy = pv_destroy,
};
