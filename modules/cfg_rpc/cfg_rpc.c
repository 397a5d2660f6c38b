/*
 * cfg_rpc - reading and changing configuration values at runtime over
 * RPC (cfg.get, cfg.set, ...).  See README.md.
 *
 * Tandem has no general cfg framework: the core parameters are read
 * once, before fork, into each process.  What can change at runtime is
 * what lives in shared memory.  cfg_rpc declares the "core" group with
 * the one core value that does, the log level every process shares, and
 * lets modules declare their own groups (cfg_rpc_api.h).
 */
#include "config.h"

#include "core/module_api.h"
#include "cfg_rpc_api.h"
#include "cfg_rpc_delay.h"
#include "cfg_rpc_methods.h"
#include "cfg_rpc_var.h"

/* core.debug's range is the core.debug RPC's */
#define DEBUG_MIN L_ALERT
#define DEBUG_MAX 9

static long long
core_debug_get(void)
{
	return log_get_level();
}

static int
core_debug_set(long long level)
{
	/* the level is an int in shm (log_bind_level): every process
	 * follows at once, as with the core.debug RPC */
	log_set_level((int)level);
	return 0;
}

static const struct cfg_rpc_var core_vars[] = {
	{ .name = "debug", .type = CFG_RPC_INT, .min = DEBUG_MIN,
	  .max = DEBUG_MAX, .help = "debug level",
	  .get_int = core_debug_get, .set_int = core_debug_set },
	{ .name = NULL },
};

static const struct cfg_rpc_api cfg_rpc_api = {
	.declare = cfg_rpc_var_declare,
};

static int
cfg_rpc_init(void)
{
	if (cfg_rpc_delay_init() != 0) {
		log_errx("cfg_rpc: no shared memory for the prepared changes");
		return -1;
	}
	return cfg_rpc_var_declare("core", core_vars);
}

static int
cfg_rpc_child_init(const struct proc_self *self)
{
	/* the registry is the same in every process from here on */
	cfg_rpc_var_freeze();
	return 0;
}

static void
cfg_rpc_destroy(void)
{
	cfg_rpc_delay_destroy();
	cfg_rpc_var_reset_all();
}

const struct module tandem_module = {
	.abi         = MOD_ABI_VERSION,
	.name        = "cfg_rpc",
	.version     = PACKAGE_VERSION,
	.rpcs        = cfg_rpc_methods,
	.api         = &cfg_rpc_api,
	.api_version = CFG_RPC_API_VERSION,
	.init        = cfg_rpc_init,
	.child_init  = cfg_rpc_child_init,
	.destroy     = cfg_rpc_destroy,
};
