/*
 * cnt_rpc.h - the cnt.* RPCs (Kamailio's counters module reply shapes).
 */
#ifndef TD_CNT_RPC_H
#define TD_CNT_RPC_H

#include "core/module_api.h"

extern const struct rpc_export cnt_rpcs[];

#endif
