/*
 * binrpc_rpc.h - serving BINRPC requests: decodes a request packet, runs
 * the method through core/rpc.h and encodes the reply with an rpc_writer
 * that speaks BINRPC.  Transport-free: the ctl listeners hand it whole
 * packets and send back what it returns.
 *
 * The reply's shape follows what kamcmd prints for Kamailio: values at
 * the top level are sent one after another, structs as structs.  kamcmd
 * cannot print an array inside a struct, so such an array is sent as a
 * struct whose members are named by their index ("0", "1", ...).
 */
#ifndef TD_BINRPC_RPC_H
#define TD_BINRPC_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "binrpc.h"

#define BINRPC_RPC_MAX_ARGS   128
#define BINRPC_RPC_NAME_MAX   128

struct binrpc_rpc {
	struct binrpc_enc  enc;
	size_t             max_body;
	size_t             struct_max;      /* 0: no limit                   */
	uint32_t           cookie;
	int                fault;
	int                too_big;         /* a struct exceeded struct_max  */
	int                depth;
	uint8_t            kind[BINRPC_MAX_DEPTH];  /* see binrpc_rpc.c     */
	long               index[BINRPC_MAX_DEPTH];
	size_t             start[BINRPC_MAX_DEPTH];
};

/* max_body / struct_max in bytes (struct_max 0: no limit).  0, or -1
 * when out of memory. */
int  binrpc_rpc_init(struct binrpc_rpc *r, size_t max_body,
                     size_t struct_max);
void binrpc_rpc_free(struct binrpc_rpc *r);

/*
 * Serves one whole packet (header included, exactly one packet).  On 0,
 * *reply / *rlen hold the reply packet (a reply or a fault), valid until
 * the next call on r.  -1 when there is nothing sensible to answer: the
 * header itself is not BINRPC (the caller drops the peer).
 */
int binrpc_rpc_handle(struct binrpc_rpc *r, const uint8_t *pkt, size_t len,
                      const uint8_t **reply, size_t *rlen);

/* A fault packet with the given cookie (e.g. "request too large" before
 * the body was read).  0 or -1. */
int binrpc_rpc_fault(struct binrpc_rpc *r, uint32_t cookie, int code,
                     const char *msg, const uint8_t **reply, size_t *rlen);

#endif
