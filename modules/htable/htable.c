/*
 * htable.c - the htable module: shared-memory hash tables for the
 * script ($sht and friends), with autoexpire, atomic counters, explicit
 * locks and RPC access.  This file holds the descriptor, the parameters
 * and the init / destroy hooks; the work is in ht_*.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/module_api.h"
#include "core/route.h"
#include "ht_cmd.h"
#include "ht_expire.h"
#include "ht_pv.h"
#include "ht_reg.h"
#include "ht_rpc.h"

#define HT_TIMER_DEFAULT  20    /* seconds, as Kamailio */

static int ht_timer_interval = HT_TIMER_DEFAULT;
static int ht_timer_interval_ms;        /* Tandem: finer, overrides     */
static int ht_timer_procs;
static int ht_dmq_init_sync;

/* --- parameters -------------------------------------------------------- */

static int
ht_param_htable(const struct val *v, struct cfg_diag *d)
{
	char err[512];
	int warn = 0;

	if (ht_reg_define(v->s.s, v->s.len, &warn, err, sizeof(err)) == -1) {
		diag_error(d, "htable: %s", err);
		return -1;
	}
	if (warn)
		diag_warn(d, "htable: %s", err);
	return 0;
}

static int
ht_param_timer(const struct val *v, struct cfg_diag *d)
{
	if (v->n <= 0 || v->n > 86400) {
		diag_error(d, "htable: timer_interval must be 1..86400 "
		    "seconds, not %lld", v->n);
		return -1;
	}
	ht_timer_interval = (int)v->n;
	return 0;
}

static int
ht_param_timer_ms(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 10 || v->n > 86400000) {
		diag_error(d, "htable: timer_interval_ms must be 10..86400000, "
		    "not %lld", v->n);
		return -1;
	}
	ht_timer_interval_ms = (int)v->n;
	return 0;
}

static int
ht_param_dmq(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0) {
		diag_error(d, "htable: enable_dmq=%lld: not supported (no DMQ "
		    "replication in Tandem); only 0 is accepted", v->n);
		return -1;
	}
	return 0;
}

static int
ht_param_no_db(const struct val *v, struct cfg_diag *d)
{
	diag_error(d, "htable: database parameters are not supported (no "
	    "database in Tandem)");
	return -1;
}

static int
ht_param_no_kemi(const struct val *v, struct cfg_diag *d)
{
	diag_error(d, "htable: event_callback is not supported (no KEMI in "
	    "Tandem); use event_route[htable:mod-init]");
	return -1;
}

#define HT_NO_DB_STR(n)  { .name = n, .type = PARAM_STR, .set = ht_param_no_db }
#define HT_NO_DB_INT(n)  { .name = n, .type = PARAM_INT, .set = ht_param_no_db }

static const struct param_export ht_params[] = {
	{ .name = "htable", .type = PARAM_STR, .set = ht_param_htable },
	{ .name = "timer_interval", .type = PARAM_INT, .set = ht_param_timer },
	{ .name = "timer_interval_ms", .type = PARAM_INT,
	  .set = ht_param_timer_ms },
	{ .name = "timer_procs", .type = PARAM_INT, .var = &ht_timer_procs },
	{ .name = "enable_dmq", .type = PARAM_INT, .set = ht_param_dmq },
	{ .name = "dmq_init_sync", .type = PARAM_INT,
	  .var = &ht_dmq_init_sync },
	HT_NO_DB_STR("db_url"),
	HT_NO_DB_STR("key_name_column"),
	HT_NO_DB_STR("key_type_column"),
	HT_NO_DB_STR("value_type_column"),
	HT_NO_DB_STR("key_value_column"),
	HT_NO_DB_STR("expires_column"),
	HT_NO_DB_STR("array_size_suffix"),
	HT_NO_DB_INT("fetch_rows"),
	HT_NO_DB_INT("db_expires"),
	{ .name = "event_callback", .type = PARAM_STR,
	  .set = ht_param_no_kemi },
	{ .name = "event_callback_mode", .type = PARAM_INT,
	  .set = ht_param_no_kemi },
	{ .name = NULL },
};

/* --- init -------------------------------------------------------------- */

/* Kamailio's expired-item routes need $shtrecord, which Tandem lacks:
 * say so rather than never running them silently. */
static void
ht_warn_expired_routes(void)
{
	char name[300];

	for (unsigned i = 0; i < ht_reg_count(); i++) {
		snprintf(name, sizeof(name), "htable:expired:%s",
		    ht_reg_spec(i)->name);
		if (route_find(R_EVENT, name) != NULL)
			log_warnx("htable: event_route[%s] is not supported "
			    "and will not run", name);
	}
}

/*
 * event_route[htable:mod-init] runs once, here in the supervisor with
 * no message, after the tables exist and before any worker starts, so
 * whatever it stores every process sees.  Kamailio runs it in its main
 * process too, but after every module's init; here the modules loaded
 * after htable are not initialised yet.
 */
static void
ht_run_mod_init_route(void)
{
	struct msg m;

	if (route_find(R_EVENT, "htable:mod-init") == NULL)
		return;
	msg_init(&m, "", 0, NULL);
	m.kind = MSG_NONE;
	route_run_event(&m, "htable:mod-init");
	msg_destroy(&m);
}

static int
ht_init(void)
{
	unsigned ms = ht_timer_interval_ms > 0 ? (unsigned)ht_timer_interval_ms
	    : (unsigned)ht_timer_interval * 1000u;

	if (ht_reg_create_all() == -1)
		return -1;
	if (ht_expire_start(ms) == -1) {
		ht_reg_destroy_tables();
		return -1;
	}
	if (ht_cmd_track_locks() == -1)
		log_warnx("htable: no message slot left: locks a message "
		    "forgets to sht_unlock() stay held");
	ht_warn_expired_routes();
	ht_run_mod_init_route();
	return 0;
}

static void
ht_destroy(void)
{
	ht_reg_destroy_tables();
}

/*
 * The definitions are private memory made by the modparam setters,
 * also under `tandem -c` where destroy never runs: free them when the
 * module is unloaded so nothing is left behind.
 */
__attribute__((destructor)) static void
ht_unload(void)
{
	ht_reg_reset();
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "htable",
	.version = "1.0",
	.cmds = ht_cmd_exports,
	.params = ht_params,
	.pvs = ht_pv_exports,
	.rpcs = ht_rpc_exports,
	.init = ht_init,
	.destroy = ht_destroy,
};
