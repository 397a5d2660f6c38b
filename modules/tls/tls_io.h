/*
 * tls_io.h - the per-connection TLS state and the hooks the core's TCP
 * workers call (core/tls_hooks.h): non-blocking handshake, reads and
 * writes through OpenSSL, in the worker that owns the connection.
 */
#ifndef TD_TLS_IO_H
#define TD_TLS_IO_H

#include <stdint.h>

#include "core/tls_hooks.h"
#include "tls_table.h"

/* What the pseudo-variables show of one connection. */
struct tls_conn_view {
	int          established;
	const char  *version;
	const char  *cipher;
	const char  *peer_cn;           /* "" when no certificate        */
	int          verified;
};

/* The hooks, with handshake_timeout seconds (<= 0: none); the struct
 * lives as long as the module. */
const struct tls_hooks *tls_io_hooks(int handshake_timeout,
                                     int send_close_notify);

/* Fills v from st (a tls_conn_state() result).  0, or -1 when st is
 * NULL or the handshake has not completed. */
int tls_io_view(void *st, struct tls_conn_view *v);

#endif
