/*
 * tmx.c - the tmx module: tm extras a routing script asks for, built on
 * tm's API (modules/tm/tm_api.h): t_precheck_trans() against
 * retransmissions racing the first copy through the script, the
 * t_is_*_route() tests, and the $T_branch_idx, $T_reply_code and
 * $T_status pseudo-variables.
 */
#include "config.h"

#include "core/log.h"
#include "core/module_api.h"
#include "modules/tm/tm_api.h"

static const struct tm_api *tmx_tm;

static int
w_t_precheck_trans(struct msg *m, void *const *args)
{
	(void)args;
	if (m->kind != MSG_SIP_REQUEST)
		return -1;
	return tmx_tm->precheck(m);
}

#define TMX_ROUTE_TEST(fn, rt)						\
static int								\
fn(struct msg *m, void *const *args)					\
{									\
	(void)args;							\
	return m->route_type == (rt) ? 1 : -1;				\
}
TMX_ROUTE_TEST(w_t_is_request_route, RT_REQUEST)
TMX_ROUTE_TEST(w_t_is_failure_route, RT_FAILURE)
TMX_ROUTE_TEST(w_t_is_branch_route, RT_BRANCH)
TMX_ROUTE_TEST(w_t_is_reply_route, RT_REPLY)

enum { TMX_BRANCH_IDX, TMX_REPLY_CODE, TMX_STATUS };

/* Outside a transaction: $T_branch_idx is 0, the codes are $null (as
 * Kamailio gives 0 and -1 there, see README). */
static int
tmx_pv_get(struct msg *m, int what, struct val *out)
{
	struct tm_info in;

	if (tmx_tm->info(m, &in) != 1) {
		if (what == TMX_BRANCH_IDX)
			val_set_int(out, 0);
		else
			val_set_null(out);
		return 0;
	}
	switch (what) {
	case TMX_BRANCH_IDX:
		val_set_int(out, in.branch_idx);
		break;
	case TMX_REPLY_CODE:
		if (in.reply_code)
			val_set_int(out, in.reply_code);
		else
			val_set_null(out);
		break;
	default:
		if (in.status)
			val_set_int(out, in.status);
		else
			val_set_null(out);
		break;
	}
	return 0;
}

static int
pv_branch_idx(struct msg *m, void *c, struct val *out)
{
	(void)c;
	return tmx_pv_get(m, TMX_BRANCH_IDX, out);
}

static int
pv_reply_code(struct msg *m, void *c, struct val *out)
{
	(void)c;
	return tmx_pv_get(m, TMX_REPLY_CODE, out);
}

static int
pv_status(struct msg *m, void *c, struct val *out)
{
	(void)c;
	return tmx_pv_get(m, TMX_STATUS, out);
}

static const struct pv_export tmx_pvs[] = {
	{ .name = "T_branch_idx", .flags = PV_READ, .get = pv_branch_idx },
	{ .name = "T_reply_code", .flags = PV_READ, .get = pv_reply_code },
	{ .name = "T_status", .flags = PV_READ, .get = pv_status },
	{ .name = NULL },
};

#define TMX_ALL (RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_REPLY | RT_EVENT)

static const struct cmd_export tmx_cmds[] = {
	{ .name = "t_precheck_trans", .fn = w_t_precheck_trans,
	  .routes = RT_REQUEST },
	{ .name = "t_is_request_route", .fn = w_t_is_request_route,
	  .routes = TMX_ALL },
	{ .name = "t_is_failure_route", .fn = w_t_is_failure_route,
	  .routes = TMX_ALL },
	{ .name = "t_is_branch_route", .fn = w_t_is_branch_route,
	  .routes = TMX_ALL },
	{ .name = "t_is_reply_route", .fn = w_t_is_reply_route,
	  .routes = TMX_ALL },
	{ .name = NULL },
};

/* tm may be loaded after tmx: its API is looked up at init. */
static int
tmx_init(void)
{
	if ((tmx_tm = mod_api_get("tm", TM_API_VERSION)) == NULL) {
		log_errx("tmx: needs the tm module (API %d): loadmodule "
		    "\"tm.so\"", TM_API_VERSION);
		return -1;
	}
	return 0;
}

static const char *const tmx_depends[] = { "tm", NULL };

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "tmx",
	.version = PACKAGE_VERSION,
	.depends = tmx_depends,
	.cmds = tmx_cmds,
	.pvs = tmx_pvs,
	.init = tmx_init,
};
