/*
 * tls_rpc.h - tls.list and tls.info.  They run in the ctl process,
 * which owns no connection: they read the shared summary table
 * (tls_table.h) and the core's connection table.
 */
#ifndef TD_TLS_RPC_H
#define TD_TLS_RPC_H

#include "core/module_api.h"

extern const struct rpc_export tls_rpc_exports[];

#endif
