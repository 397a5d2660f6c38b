/*
 * ctl_io.h - the ctl process's loop: accepts clients on the stream
 * listeners, reads datagrams, frames BINRPC packets and answers them
 * through binrpc_rpc.  One epoll loop serves every client; no client can
 * hold the process: each read is non-blocking, a request must arrive
 * whole within CTL_REQ_TIMEOUT_MS of its first byte and a reply must
 * drain within CTL_WRITE_TIMEOUT_MS, or the client is dropped.
 */
#ifndef TD_CTL_IO_H
#define TD_CTL_IO_H

#include <stddef.h>

#include "ctl_sock.h"

#define CTL_REQ_TIMEOUT_MS    5000
#define CTL_WRITE_TIMEOUT_MS  5000
#define CTL_MAX_CLIENTS       128     /* the longest idle is dropped */

struct ctl_io_cfg {
	struct ctl_listener *ls;
	int                  n;
	size_t               max_body;      /* bytes                       */
	size_t               struct_max;    /* bytes, 0: no limit          */
	volatile int        *nclients;      /* shm counter (ctl.connections),
	                                       or NULL                     */
};

/* Serves until SIGTERM or SIGINT.  0, or -1 when the loop could not be
 * set up (logged). */
int ctl_io_run(const struct ctl_io_cfg *cfg);

#endif
