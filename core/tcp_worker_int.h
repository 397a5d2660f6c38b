/*
 * tcp_worker_int.h - what the TCP worker's two files share: a worker's
 * private view of a connection it owns.  tcp_worker.c runs the loop,
 * adopts, reads and dispatches; tcp_send.c queues and writes, batches
 * sends per loop round and reports closes to the supervisor.
 */
#ifndef TD_TCP_WORKER_INT_H
#define TD_TCP_WORKER_INT_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ev.h"
#include "frame.h"
#include "msg.h"

struct wbuf {
	struct wbuf *next;
	size_t       len, off, cap;
	char         data[];
};

/* Small sends are queued and written once per loop round (the before-
 * sleep hook): a read that carried many frames costs one write per
 * connection, not one per frame.  Big ones go straight out. */
#define SEND_DIRECT   (64 * 1024)
#define WBUF_MIN      (16 * 1024)

struct wconn {
	uint64_t                 id;
	int                      fd;
	enum proto               proto;
	int                      sock;
	struct sockaddr_storage  local, remote;
	struct framer           *fr;
	struct wbuf             *wq_head, *wq_tail;
	size_t                   wq_bytes;
	int                      connecting;
	int                      close_after;   /* close once flushed      */
	int                      busy;          /* routes running on it    */
	int                      dead;          /* close when not busy     */
	int                      dirty;         /* queued, flush this round */
	void                    *tls;           /* tls module's state      */
	struct ev_timer         *hs_timer;      /* TLS handshake deadline  */
	unsigned                 tls_want;      /* last TLS write's wait   */
};

/* This process's worker state: private to the worker. */

/* tcp_worker.c */
struct wconn *tw_conn_get(uint64_t id);
void          tw_conn_close(struct wconn *c, const char *why);

/* tcp_send.c */
void tw_send_init(struct ev_loop *loop, int ctl, int solo, size_t wq_max);
void tw_send_teardown(void);
void tw_report_closed(uint64_t id);
/* 0 all written, 1 some left, -1 broken */
int  tw_wq_flush(struct wconn *c);
void tw_wq_free(struct wconn *c);
int  tw_send_conn(struct wconn *c, const char *buf, size_t len,
                  unsigned flags);
int  tw_local_send(uint64_t id, const char *buf, size_t len, unsigned flags);
int  tw_remote_send(uint64_t id, int owner, const char *buf, size_t len,
                    unsigned flags);
/* the before-sleep hook */
void tw_flush_round(struct ev_loop *l, void *arg);

#endif
