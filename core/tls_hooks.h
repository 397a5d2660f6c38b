/*
 * tls_hooks.h - how the tls module plugs into the core's TCP workers.
 *
 * The core knows no TLS: a connection accepted on a `tls:` listener (or
 * opened to an msrps: next hop) gets per-connection state from the hooks
 * the tls module registers in its init, and the worker that owns the
 * connection does all its reads and writes through them, so the
 * handshake and the TLS state live in that one process (DESIGN.md §1).
 * Everything is non-blocking: a call that cannot progress returns -1
 * with errno EAGAIN and says in *want which readiness it waits for.
 */
#ifndef TD_TLS_HOOKS_H
#define TD_TLS_HOOKS_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum {
	TLS_WANT_READ  = 1u << 0,
	TLS_WANT_WRITE = 1u << 1,
};

struct tls_hooks {
	/* New state for fd (server side when is_server, else client
	 * connecting to `remote`); NULL refuses the connection (logged). */
	void   *(*conn_new)(int fd, uint64_t id, int is_server,
	                    const struct sockaddr_storage *local,
	                    const struct sockaddr_storage *remote);
	void    (*conn_free)(void *st);
	/* Like read(2)/write(2) on the decrypted stream: >0 bytes, 0 on a
	 * clean close (read), -1 with errno (EAGAIN: *want says what to
	 * wait for; anything else: the connection is broken). */
	ssize_t (*read)(void *st, void *buf, size_t n, unsigned *want);
	ssize_t (*write)(void *st, const void *buf, size_t n, unsigned *want);
	/* Seconds a handshake may take before the worker drops it. */
	int       handshake_timeout;
	/* 1 once the handshake completed (for the timeout). */
	int     (*established)(void *st);
};

/* Set once by the tls module's init.  0, or -1 if already set. */
int tls_hooks_set(const struct tls_hooks *h);
const struct tls_hooks *tls_hooks_get(void);

/* The TLS state of connection id in the calling (owner) process, or
 * NULL: for the tls module's pseudo-variables and RPC. */
void *tls_conn_state(uint64_t id);

#endif
