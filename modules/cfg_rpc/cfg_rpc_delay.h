/*
 * cfg_rpc_delay.h - changes prepared with cfg.set_delayed* and applied
 * by cfg.commit (or dropped by cfg.rollback).
 *
 * As in Kamailio there is one list for all RPC clients: it lives in
 * shared memory under a lock, so whichever process serves the next RPC
 * (ctl, mi_fifo, ...) sees it.  Values are checked when they are
 * prepared; the same variable may be prepared more than once, and the
 * changes are applied in the order they were prepared.
 */
#ifndef TD_CFG_RPC_DELAY_H
#define TD_CFG_RPC_DELAY_H

#include "cfg_rpc_var.h"

#define CFG_RPC_DELAY_MAX 64

/* The list in shared memory (before fork).  0 or -1. */
int  cfg_rpc_delay_init(void);
void cfg_rpc_delay_destroy(void);

/* Queues the change of variable idx to v (already checked).  0, or -1
 * (no list, list full, no shared memory; logged). */
int  cfg_rpc_delay_add(int idx, const struct cfg_rpc_val *v);

/* Calls fn for every pending change, in order, under the lock (fn must
 * not call back into this file).  Returns how many there were. */
int  cfg_rpc_delay_each(void (*fn)(void *ctx, int idx,
                                   const struct cfg_rpc_val *v),
                        void *ctx);

/* Applies every pending change and empties the list.  0, or -1 when a
 * change was refused (the others are applied). */
int  cfg_rpc_delay_commit(void);
/* Drops every pending change. */
void cfg_rpc_delay_rollback(void);

#endif
