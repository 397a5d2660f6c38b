/*
 * conn.h - the connection table in shared memory: every TCP/TLS
 * connection with its owner, addresses, state, times and counters.
 *
 * An id encodes its slot (id % CONN_ID_STRIDE), so lookup by id is O(1)
 * and an id is never reused while the table lives (the slot's generation
 * is part of it).  A second hash finds a connection by remote address
 * (the alias used to reuse an existing connection to a peer).
 * Callers get copies (struct conn_info), never pointers into the table:
 * nothing escapes the lock.
 */
#ifndef TD_CONN_H
#define TD_CONN_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "msg.h"

#define CONN_ID_STRIDE (1u << 20)

enum conn_state {
	CONN_FREE = 0,
	CONN_CONNECTING,        /* outbound, connect() in progress        */
	CONN_OPEN,
	CONN_CLOSING,           /* owner closed it; supervisor releasing  */
};

struct conn_info {
	uint64_t                 id;
	enum proto               proto;
	enum conn_state          state;
	int                      outbound;
	int                      owner;     /* proc slot, -1: none          */
	pid_t                    owner_pid;
	int                      sock;      /* listen socket index, -1       */
	struct sockaddr_storage  local;
	struct sockaddr_storage  remote;
	time_t                   created;
	time_t                   last_active;
	uint64_t                 bytes_in, bytes_out;
	uint64_t                 msgs_in, msgs_out;
};

/* Creates the table with room for max connections (before fork). */
int  conn_table_init(unsigned max);
unsigned conn_table_max(void);

/* Registers a new connection; returns its id, or 0 when the table is
 * full (logged). */
uint64_t conn_add(enum proto p, int sock, const struct sockaddr_storage *local,
                  const struct sockaddr_storage *remote, int owner,
                  int outbound);
/* Copies the entry out.  0, or -1 when id is unknown (closed). */
int  conn_get(uint64_t id, struct conn_info *out);
/* The id of an open connection to remote over proto, or 0. */
uint64_t conn_find_by_addr(enum proto p,
                           const struct sockaddr_storage *remote);
int  conn_set_owner(uint64_t id, int owner, pid_t pid);
int  conn_set_state(uint64_t id, enum conn_state st);
/* Counters and last activity. */
void conn_account(uint64_t id, uint64_t bytes_in, uint64_t bytes_out,
                  uint64_t msgs_in, uint64_t msgs_out);
/* Frees the slot (the supervisor, after closing its dup).  0 or -1. */
int  conn_release(uint64_t id);

/* The slot index of id (for arrays indexed like the table). */
static inline unsigned conn_slot_of(uint64_t id)
{
	return (unsigned)(id % CONN_ID_STRIDE);
}

/*
 * Calls fn for a copy of every used entry (for core.tcp_list, the idle
 * timer, crash recovery).  fn must not call back into conn_*.
 */
/*
 * Close hooks: fn runs in the owner process each time one of its
 * connections closes (modules drop state tied to it: the msrp cmap).
 * Register before fork.  0, or -1 when the table of hooks is full.
 */
typedef void (*conn_close_fn)(uint64_t id, void *arg);
int  conn_on_close(conn_close_fn fn, void *arg);
void conn_run_close_hooks(uint64_t id);

void conn_foreach(void (*fn)(const struct conn_info *ci, void *arg),
                  void *arg);
unsigned conn_count(void);

#endif
