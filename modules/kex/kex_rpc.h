/*
 * kex_rpc.h - the stats.* RPC methods, for the module's table and the
 * unit tests.
 */
#ifndef TD_KEX_RPC_H
#define TD_KEX_RPC_H

#include "core/module_api.h"

/* NULL-terminated: stats.get_statistics, stats.reset_statistics,
 * stats.clear_statistics, stats.fetch, stats.fetchn. */
extern const struct rpc_export kex_rpcs[];

#endif
