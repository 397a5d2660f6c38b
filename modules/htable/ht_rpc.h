/*
 * ht_rpc.h - the htable.* RPC methods (get, sets, seti, setxs, setxi,
 * setex, delete, dump, flush, listTables, stats, reload, store).
 */
#ifndef TD_HT_RPC_H
#define TD_HT_RPC_H

struct rpc_export;

/* NULL-terminated table for the module descriptor. */
extern const struct rpc_export ht_rpc_exports[];

#endif
