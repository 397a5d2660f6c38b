/*
 * conn_send.h - sending on a connection from any process, and on UDP.
 *
 * conn_send() works everywhere: in the owner worker the bytes are written
 * at once (what the socket does not take is queued, bounded); in any
 * other process they are copied to shared memory and posted to the
 * owner's inbox, and the owner writes them.  One call is one unit: the
 * bytes of two calls never interleave on the wire.
 */
#ifndef TD_CONN_SEND_H
#define TD_CONN_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msg.h"

enum {
	SEND_CLOSE = 1u << 0,   /* close the connection once written */
};

/* 0 (written or queued), or -1 (unknown connection, shm exhausted,
 * owner's inbox full: logged). */
int conn_send(uint64_t id, const char *buf, size_t len, unsigned flags);

/* Asks the owner to close id.  0 or -1. */
int conn_close(uint64_t id);

/*
 * Opens an outbound TCP connection to `to` owned by the calling worker
 * (only a TCP worker, or the single process of fork=no, can).  The
 * connect completes in the background; sends are queued until then.
 * Returns the new id, or 0 (logged).
 */
uint64_t conn_connect(enum proto p, const struct sockaddr_storage *to);

/* Sends a datagram from listen socket sock_idx.  0 or -1 (logged). */
int udp_send(int sock_idx, const struct sockaddr_storage *to,
             const char *buf, size_t len);

/*
 * Sends bytes back the way m came: on its connection, or as a datagram
 * to `to` (UDP; NULL = the source address) from the socket it arrived on.
 */
int msg_send_back(struct msg *m, const struct sockaddr_storage *to,
                  const char *buf, size_t len, unsigned flags);

/* --- the owner side, set by tcp_worker.c (a test seam) --------------------- */
struct conn_send_ops {
	/* in the owner process: write or queue */
	int      (*local_send)(uint64_t id, const char *buf, size_t len,
	                       unsigned flags);
	int      (*local_close)(uint64_t id);
	uint64_t (*connect)(enum proto p, const struct sockaddr_storage *to);
	/* optional: a send to a connection another process owns; the
	 * worker batches them per connection and loop round */
	int      (*remote_send)(uint64_t id, int owner, const char *buf,
	                        size_t len, unsigned flags);
};

/*
 * Posts bytes to the inbox of `owner` for connection id right away (one
 * shm block, one message).  0, or -1 with errno (EAGAIN: inbox full).
 */
int conn_send_post(uint64_t id, int owner, const char *buf, size_t len,
                   unsigned flags);
void conn_send_set_ops(const struct conn_send_ops *ops);

#endif
