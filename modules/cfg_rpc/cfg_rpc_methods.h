/*
 * cfg_rpc_methods.h - the cfg.* RPCs (Kamailio's cfg_rpc module).
 */
#ifndef TD_CFG_RPC_METHODS_H
#define TD_CFG_RPC_METHODS_H

#include "core/module_api.h"

extern const struct rpc_export cfg_rpc_methods[];

#endif
