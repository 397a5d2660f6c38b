/*
 * corex_rpc.h - the corex.* RPCs: list_sockets, list_aliases, debug and
 * shm_summary, with Kamailio's reply shapes.
 */
#ifndef TD_COREX_RPC_H
#define TD_COREX_RPC_H

#include "core/module_api.h"

extern const struct rpc_export corex_rpcs[];

/* The listen= entry listen socket idx was opened for, or NULL (the
 * default socket of a config without listen=). */
const struct listen_spec *corex_spec_of(int idx);

#endif
