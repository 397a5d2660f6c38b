#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "conn_send.h"
#include "dispatch.h"
#include "ev.h"
#include "frame.h"
#include "globals.h"
#include "ipc.h"
#include "listen.h"
#include "log.h"
#include "proc.h"
#include "shm.h"
#include "sock.h"
#include "tcp_worker.h"
#include "tcp_worker_int.h"
#include "timer.h"
#include "tls_hooks.h"
#include "udp_recv.h"

#define READ_CHUNK  (64 * 1024)

static struct {
	struct ev_loop      *loop;
	int                  slot;
	int                  solo;
	int                  ctl, inbox;
	struct wconn       **conns;             /* by conn slot            */
	unsigned             max;
	struct frame_limits  lim;
	size_t               wq_max;
	char                *rbuf;
	volatile int        *stop;
} W;

static void conn_io(struct ev_loop *l, int fd, unsigned ev, void *arg);

struct wconn *
tw_conn_get(uint64_t id)
{
	struct wconn *c = W.conns ? W.conns[conn_slot_of(id)] : NULL;

	return c && c->id == id ? c : NULL;
}


void
tw_conn_close(struct wconn *c, const char *why)
{
	struct proc_info *me = proc_at(W.slot);
	char a[64];

	if (c->busy) {
		c->dead = 1;            /* the dispatch loop finishes it */
		return;
	}
	log_dbg("conn %llu from %s closed: %s", (unsigned long long)c->id,
	    sock_addr_text(&c->remote, a, sizeof(a)), why);
	ev_del(W.loop, c->fd);
	if (c->hs_timer)
		ev_timer_cancel(W.loop, c->hs_timer);
	if (c->tls)
		tls_hooks_get()->conn_free(c->tls);
	close(c->fd);
	frame_free(c->fr);
	tw_wq_free(c);
	W.conns[conn_slot_of(c->id)] = NULL;
	conn_run_close_hooks(c->id);
	tw_report_closed(c->id);
	if (me)
		__atomic_fetch_sub(&me->nconns, 1, __ATOMIC_RELAXED);
	free(c);
}

/* read(2) / write(2) on the connection, through TLS when it has it. */
static ssize_t
c_read(struct wconn *c, void *buf, size_t n)
{
	unsigned want = 0;

	if (c->tls == NULL)
		return read(c->fd, buf, n);
	return tls_hooks_get()->read(c->tls, buf, n, &want);
}

static int
local_close(uint64_t id)
{
	struct wconn *c = tw_conn_get(id);

	if (c == NULL)
		return -1;
	tw_conn_close(c, "closed on request");
	return 0;
}

static void
hs_timeout(struct ev_loop *l, void *arg)
{
	struct wconn *c = tw_conn_get((uint64_t)(uintptr_t)arg);
	const struct tls_hooks *th = tls_hooks_get();

	if (c == NULL)
		return;
	c->hs_timer = NULL;
	if (c->tls && th->established && !th->established(c->tls))
		tw_conn_close(c, "TLS handshake timed out");
}

/* Attaches TLS state (server side, or client once connected). 0 / -1. */
static int
tls_attach(struct wconn *c, int is_server)
{
	const struct tls_hooks *th = tls_hooks_get();
	char a[64];

	if (th == NULL) {
		log_errx("conn %llu from %s: TLS connection but no tls module "
		    "loaded", (unsigned long long)c->id,
		    sock_addr_text(&c->remote, a, sizeof(a)));
		return -1;
	}
	c->tls = th->conn_new(c->fd, c->id, is_server, &c->local, &c->remote);
	if (c->tls == NULL)
		return -1;
	if (th->handshake_timeout > 0)
		c->hs_timer = ev_timer_add(W.loop,
		    (uint64_t)th->handshake_timeout * 1000, hs_timeout,
		    (void *)(uintptr_t)c->id);
	return 0;
}

/* Takes ownership of fd for connection id. 0 or -1 (fd closed). */
static struct wconn *
adopt(uint64_t id, int fd, int connecting)
{
	struct proc_info *me = proc_at(W.slot);
	struct conn_info ci;
	struct wconn *c = NULL;
	int one = 1;

	if (conn_get(id, &ci) < 0 || conn_slot_of(id) >= W.max) {
		log_errx("conn %llu: adopted but unknown", (unsigned long long)id);
		goto fail;
	}
	if (tw_conn_get(id) != NULL) {
		/* handed twice (queued for a crashed worker, then rescued):
		 * the connection is already ours */
		close(fd);
		return tw_conn_get(id);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->fr = frame_new(&W.lim)) == NULL)
		goto fail;
	c->id = id;
	c->fd = fd;
	c->proto = ci.proto;
	c->sock = ci.sock;
	c->local = ci.local;
	c->remote = ci.remote;
	c->connecting = connecting;
	sock_nonblock(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ev_add(W.loop, fd, EV_READ | (connecting ? EV_WRITE : 0), conn_io,
	    c) < 0) {
		log_err("conn %llu: epoll add failed", (unsigned long long)id);
		goto fail;
	}
	W.conns[conn_slot_of(id)] = c;
	conn_set_owner(id, W.slot, getpid());
	if (me)
		__atomic_fetch_add(&me->nconns, 1, __ATOMIC_RELAXED);
	if (c->proto == PROTO_TLS && !connecting && tls_attach(c, 1) < 0) {
		tw_conn_close(c, "TLS setup failed");
		return NULL;
	}
	return c;
fail:
	if (c)
		frame_free(c->fr);
	free(c);
	close(fd);
	tw_report_closed(id);
	return NULL;
}

static void
dispatch_frames(struct wconn *c)
{
	struct proc_info *me = proc_at(W.slot);
	struct frame_msg fm;
	const char *why = NULL;
	enum frame_rc rc;

	c->busy = 1;
	while (!c->dead && (rc = frame_next(c->fr, &fm, &why)) != FRAME_NEED_MORE) {
		if (rc == FRAME_ERROR) {
			char a[64];

			log_warnx("conn %llu from %s: %s; closing it",
			    (unsigned long long)c->id,
			    sock_addr_text(&c->remote, a, sizeof(a)), why);
			c->dead = 1;
			break;
		}
		if (rc == FRAME_PING) {
			tw_send_conn(c, "\r\n", 2, 0);
			continue;
		}
		struct msg m;
		struct rcv_info ri = {
			.proto = c->proto, .src = c->remote, .dst = c->local,
			.conn_id = c->id, .sock = c->sock,
		};

		msg_init(&m, fm.buf, fm.len, &ri);
		if (fm.kind == FRAME_MSRP)
			m.kind = MSG_MSRP;
		conn_account(c->id, 0, 0, 1, 0);
		if (me)
			__atomic_fetch_add(&me->msgs, 1, __ATOMIC_RELAXED);
		dispatch_msg(&m, &fm);
		msg_destroy(&m);
	}
	c->busy = 0;
	if (c->dead)
		tw_conn_close(c, "closed");
}

static void
conn_read(struct wconn *c)
{
	ssize_t n;
	/* TLS may hold decrypted bytes epoll cannot see: read until EAGAIN
	 * (bounded, so one connection cannot starve the others) */
	int rounds = c->tls ? 16 : 1;
	uint64_t id = c->id;

	while (rounds-- > 0) {
		n = c_read(c, W.rbuf, READ_CHUNK);
		if (n == 0) {
			tw_conn_close(c, "peer closed");
			return;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != EWOULDBLOCK)
				tw_conn_close(c, c->tls ? "TLS error" : strerror(errno));
			return;
		}
		conn_account(c->id, (uint64_t)n, 0, 0, 0);
		if (frame_feed(c->fr, W.rbuf, (size_t)n) < 0)
			log_dbg("conn %llu: framer refused input",
			    (unsigned long long)c->id);
		dispatch_frames(c);
		/* the routes may have closed (and freed) it */
		if (tw_conn_get(id) == NULL)
			return;
	}
}

static void
conn_writable(struct wconn *c)
{
	int err = 0, rc;
	socklen_t len = sizeof(err);

	if (c->connecting) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			log_errx("conn %llu: connect failed: %s",
			    (unsigned long long)c->id, strerror(err ? err : errno));
			tw_conn_close(c, "connect failed");
			return;
		}
		c->connecting = 0;
		conn_set_state(c->id, CONN_OPEN);
		if (c->proto == PROTO_TLS && tls_attach(c, 0) < 0) {
			tw_conn_close(c, "TLS setup failed");
			return;
		}
	}
	rc = tw_wq_flush(c);
	if (rc < 0) {
		tw_conn_close(c, "write failed");
		return;
	}
	if (rc == 0) {
		ev_mod(W.loop, c->fd, EV_READ);
		if (c->close_after)
			tw_conn_close(c, "closed after send");
	} else if (c->tls && c->tls_want == TLS_WANT_READ) {
		/* the TLS write waits for the peer's data (a handshake in
		 * progress): a writable socket would only spin; conn_io
		 * retries the queue when it becomes readable */
		ev_mod(W.loop, c->fd, EV_READ);
	}
}

static void
conn_io(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	struct wconn *c = arg;
	uint64_t id = c->id;

	if (ev & EV_WRITE) {
		conn_writable(c);
		/* the connection may be gone now */
		if ((c = tw_conn_get(id)) == NULL)
			return;
	}
	if (ev & (EV_READ | EV_ERROR)) {
		/* a TLS write may have waited for the peer's data */
		if (c->tls && c->wq_head && !c->connecting) {
			conn_writable(c);
			if ((c = tw_conn_get(id)) == NULL)
				return;
		}
		conn_read(c);
	}
}

static uint64_t
worker_connect(enum proto p, const struct sockaddr_storage *to)
{
	struct ipc_hdr h = { .type = IPC_CONN_OUTBOUND, .flags = IPC_F_FD };
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	char a[64];
	uint64_t id;
	int fd;

	if (p != PROTO_TCP && !(p == PROTO_TLS && tls_hooks_get())) {
		log_errx("outbound %s connections are not available%s",
		    proto_name(p), p == PROTO_TLS ? " (no tls module)" : "");
		return 0;
	}
	fd = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_err("socket() for %s failed", sock_addr_text(to, a, sizeof(a)));
		return 0;
	}
	if (connect(fd, (const struct sockaddr *)to, sock_addr_len(to)) == -1 &&
	    errno != EINPROGRESS) {
		log_err("connect() to %s failed", sock_addr_text(to, a, sizeof(a)));
		close(fd);
		return 0;
	}
	memset(&local, 0, sizeof(local));
	getsockname(fd, (struct sockaddr *)&local, &llen);
	id = conn_add(p, -1, &local, to, W.slot, 1);
	if (id == 0) {
		close(fd);
		return 0;
	}
	h.conn_id = id;
	/* the supervisor keeps a dup, as for accepted connections */
	if (!W.solo && ipc_send(W.ctl, &h, NULL, fd) < 0)
		log_err("conn %llu: passing the outbound fd to the supervisor "
		    "failed", (unsigned long long)id);
	if (adopt(id, fd, 1) == NULL)
		return 0;
	return id;
}

static const struct conn_send_ops worker_ops = {
	.local_send = tw_local_send,
	.local_close = local_close,
	.connect = worker_connect,
	.remote_send = tw_remote_send,
};

static void
inbox_read(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	unsigned char payload[IPC_MAX_LEN];
	struct ipc_hdr h;
	int rfd = -1, rc;

	/* bounded: other connections get their turn */
	for (int i = 0; i < 64; i++) {
		rc = ipc_recv(fd, &h, payload, sizeof(payload), &rfd);
		if (rc <= 0)
			break;
		if (rfd != -1)
			close(rfd);
		if (h.type == IPC_SEND) {
			struct ipc_send s;
			struct wconn *c;

			memcpy(&s, payload, sizeof(s));
			c = tw_conn_get(h.conn_id);
			if (c == NULL) {
				struct conn_info ci;

				/* the usual case: it closed while the bytes
				 * were on their way */
				if (conn_get(h.conn_id, &ci) < 0 ||
				    ci.state == CONN_CLOSING)
					log_dbg("conn %llu: closed; queued send "
					    "dropped", (unsigned long long)h.conn_id);
				else
					log_errx("conn %llu: queued send for a "
					    "connection owned by %d, not this worker; "
					    "dropped", (unsigned long long)h.conn_id,
					    ci.owner);
			} else
				tw_send_conn(c, (const char *)(uintptr_t)s.blk,
				    s.len, (s.flags & IPC_SEND_CLOSE) ? SEND_CLOSE : 0);
			shm_free((void *)(uintptr_t)s.blk);
		} else if (h.type == IPC_CONN_CLOSE) {
			local_close(h.conn_id);
		}
	}
}

static void
ctl_read(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	unsigned char payload[IPC_MAX_LEN];
	struct ipc_hdr h;
	int rfd = -1, rc;

	for (;;) {
		rc = ipc_recv(fd, &h, payload, sizeof(payload), &rfd);
		if (rc == 0)
			return;
		if (rc < 0) {
			if (errno == ECONNRESET) {
				log_errx("supervisor gone; worker stopping");
				*W.stop = 1;
			}
			return;
		}
		switch (h.type) {
		case IPC_CONN_ADOPT:
			adopt(h.conn_id, rfd, 0);
			break;
		case IPC_SHUTDOWN:
			*W.stop = 1;
			break;
		default:
			if (rfd != -1)
				close(rfd);
			log_errx("worker: unexpected %s from the supervisor",
			    ipc_type_name(h.type));
		}
	}
}

static int
worker_setup(int slot, int solo, volatile int *stop)
{
	struct proc_info *me = proc_at(slot);

	memset(&W, 0, sizeof(W));
	W.solo = solo;
	W.slot = slot;
	W.stop = stop;
	W.max = conn_table_max();
	W.lim.sip_max = (size_t)core_cfg.sip_max_msg;
	W.lim.msrp_max = (size_t)core_cfg.msrp_max_frame;
	W.lim.hdr_max = 64 * 1024;
	W.lim.no_cl_ok = core_cfg.tcp_accept_no_cl;
	/* room for two full frames in flight to a slow reader */
	W.wq_max = 2 * (size_t)core_cfg.msrp_max_frame + (1u << 20);
	W.loop = ev_new();
	W.conns = calloc(W.max, sizeof(*W.conns));
	W.rbuf = malloc(READ_CHUNK);
	if (W.loop == NULL || W.conns == NULL || W.rbuf == NULL) {
		log_errx("worker: out of memory at start");
		return -1;
	}
	if (me && !W.solo) {
		W.ctl = me->ctl_child;
		W.inbox = me->inbox_rd;
		sock_nonblock(W.ctl);
		sock_nonblock(W.inbox);
		if (ev_add(W.loop, W.ctl, EV_READ, ctl_read, NULL) < 0 ||
		    ev_add(W.loop, W.inbox, EV_READ, inbox_read, NULL) < 0) {
			log_err("worker: epoll add failed");
			return -1;
		}
	}
	tw_send_init(W.loop, W.ctl, W.solo, W.wq_max);
	conn_send_set_ops(&worker_ops);
	ev_set_before_sleep(W.loop, tw_flush_round, NULL);
	return 0;
}

static void
worker_run(void)
{
	while (!*W.stop) {
		if (ev_run_once(W.loop, 1000) < 0 && errno != EINTR) {
			log_err("worker: epoll failed");
			break;
		}
	}
}

static void
worker_teardown(void)
{
	conn_send_set_ops(NULL);
	for (unsigned i = 0; W.conns && i < W.max; i++) {
		struct wconn *c = W.conns[i];

		if (c == NULL)
			continue;
		/* the supervisor keeps its dup: the connection survives a
		 * worker that stops */
		ev_del(W.loop, c->fd);
		if (c->tls)
			tls_hooks_get()->conn_free(c->tls);
		close(c->fd);
		frame_free(c->fr);
		tw_wq_free(c);
		free(c);
	}
	free(W.conns);
	free(W.rbuf);
	tw_send_teardown();
	if (W.loop)
		ev_free(W.loop);
	memset(&W, 0, sizeof(W));
}

void
tcp_worker_main(int slot, volatile int *stop)
{
	if (worker_setup(slot, 0, stop) == 0)
		worker_run();
	worker_teardown();
}

/* --- fork=no ---------------------------------------------------------------- */

static void
solo_accept(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	struct sock_info *si = arg;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage remote, local;
		socklen_t rl = sizeof(remote), ll = sizeof(local);
		uint64_t id;
		int cfd = accept4(fd, (struct sockaddr *)&remote, &rl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd == -1)
			return;
		getsockname(cfd, (struct sockaddr *)&local, &ll);
		id = conn_add(si->proto, si->idx, &local, &remote, W.slot, 0);
		if (id == 0) {
			close(cfd);
			continue;
		}
		adopt(id, cfd, 0);
	}
}

static void
solo_udp(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	udp_read_ready(((struct sock_info *)arg)->idx, 64);
}

static void
solo_timer(struct ev_loop *l, void *arg)
{
	int wait = timer_run_due();

	ev_timer_add(l, (uint64_t)(wait > 0 ? wait : 1), solo_timer, NULL);
}

void
tcp_worker_solo(int slot, volatile int *stop)
{
	if (worker_setup(slot, 1, stop) < 0)
		goto out;
	for (int i = 0; i < listen_count(); i++) {
		struct sock_info *si = listen_at(i);

		ev_add(W.loop, si->fd, EV_READ, si->proto == PROTO_UDP ?
		    solo_udp : solo_accept, si);
	}
	ev_timer_add(W.loop, 10, solo_timer, NULL);
	worker_run();
out:
	worker_teardown();
}

void *
tls_conn_state(uint64_t id)
{
	struct wconn *c = tw_conn_get(id);

	return c ? c->tls : NULL;
}
