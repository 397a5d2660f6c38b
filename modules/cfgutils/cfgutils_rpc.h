/*
 * cfgutils_rpc.h - the cfgutils.* RPC methods, for the module's table.
 */
#ifndef TD_CFGUTILS_RPC_H
#define TD_CFGUTILS_RPC_H

#include "core/module_api.h"

/* NULL-terminated: rand_set_prob, rand_reset_prob, rand_get_prob,
 * set_gflag, reset_gflag, is_gflag, get_gflags (cfgutils.*). */
extern const struct rpc_export cfgu_rpcs[];

#endif
