/*
 * ctl_io.c - the ctl process's event loop (see ctl_io.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "binrpc.h"
#include "binrpc_rpc.h"
#include "core/ev.h"
#include "core/log.h"
#include "ctl_io.h"

#define IN_INITIAL    4096
#define ACCEPT_BATCH  32
#define DGRAM_BATCH   64
#define SWEEP_MS      250

struct client {
	struct client             *prev, *next;
	int                        fd;
	const struct ctl_listener *l;
	uint8_t                   *in;
	size_t                     inlen, incap;
	uint8_t                   *out;
	size_t                     outlen, outoff;
	uint64_t                   req_since;   /* unfinished request, 0 */
	uint64_t                   write_since; /* reply pending, 0      */
	uint64_t                   last;        /* last byte read        */
	int                        close_after; /* once the reply is out */
};

static struct {
	struct ev_loop          *loop;
	const struct ctl_io_cfg *cfg;
	struct binrpc_rpc        rpc;
	struct client           *clients;
	int                      nclients;
	uint8_t                 *dgram;
	size_t                   dgram_cap;
	struct ev_timer         *sweep;
} io;

static volatile sig_atomic_t io_stop;

static void
io_on_term(int sig)
{
	(void)sig;
	io_stop = 1;
}

static size_t
in_max(void)
{
	return BINRPC_HDR_MAX + io.cfg->max_body;
}

static void
count_clients(void)
{
	if (io.cfg->nclients)
		*io.cfg->nclients = io.nclients;
}

/* --- clients ------------------------------------------------------------------ */

static void
client_close(struct client *c)
{
	ev_del(io.loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		io.clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	free(c->out);
	free(c);
	io.nclients--;
	count_clients();
}

/* Sends what is queued; 0 when all is out, 1 when some is left, -1 on
 * error. */
static int
client_flush(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff, MSG_NOSIGNAL);

		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			log_dbg("ctl: send to a client failed: %s",
			    strerror(errno));
			return -1;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	c->write_since = 0;
	return 0;
}

/* Queues a reply and sends what the socket takes; 0, or -1 (drop). */
static int
client_send(struct client *c, const uint8_t *data, size_t len)
{
	uint8_t *nb;
	int rc;

	if ((nb = realloc(c->out, len)) == NULL) {
		log_errx("ctl: out of memory for a reply of %zu bytes", len);
		return -1;
	}
	c->out = nb;
	memcpy(c->out, data, len);
	c->outlen = len;
	c->outoff = 0;
	if ((rc = client_flush(c)) == 1) {
		/* stop reading until the client takes its reply */
		c->write_since = ev_now_ms();
		if (ev_mod(io.loop, c->fd, EV_WRITE) == -1)
			return -1;
	}
	return rc == -1 ? -1 : 0;
}

/* Makes room for total bytes of input; 0 or -1. */
static int
client_reserve(struct client *c, size_t total)
{
	size_t cap = c->incap ? c->incap : IN_INITIAL;
	uint8_t *nb;

	if (total <= c->incap)
		return 0;
	while (cap < total)
		cap *= 2;
	if (cap > in_max())
		cap = in_max();
	if (cap < total || (nb = realloc(c->in, cap)) == NULL)
		return -1;
	c->in = nb;
	c->incap = cap;
	return 0;
}

/*
 * Answers every whole request in the input, in order, while replies go
 * out at once.  0, or -1 when the client must be dropped (the stream
 * is not BINRPC: nothing after it can be framed).
 */
static int
client_process(struct client *c)
{
	const uint8_t *reply;
	size_t rlen, total;
	struct binrpc_hdr h;
	int rc;

	while (c->outlen == 0 && c->inlen > 0 && !c->close_after) {
		rc = binrpc_parse_hdr(c->in, c->inlen, io.cfg->max_body, &h);
		if (rc == BINRPC_E_TOOBIG) {
			/* answered, then dropped: skipping the body would cost
			 * reading it */
			c->close_after = 1;
			c->inlen = 0;
			if (binrpc_rpc_fault(&io.rpc, h.cookie, 400,
			    "request too large", &reply, &rlen) == -1)
				return -1;
			return client_send(c, reply, rlen);
		}
		if (rc != BINRPC_OK && rc != BINRPC_E_MORE) {
			log_dbg("ctl: %s: dropping a client: %s", c->l->spec,
			    binrpc_strerror(rc));
			return -1;
		}
		total = rc == BINRPC_OK ? h.hdr_len + h.body_len : 0;
		if (rc == BINRPC_E_MORE || c->inlen < total) {
			if (c->req_since == 0)
				c->req_since = ev_now_ms();
			return total ? client_reserve(c, total) : 0;
		}
		if (binrpc_rpc_handle(&io.rpc, c->in, total, &reply, &rlen) == -1)
			return -1;
		memmove(c->in, c->in + total, c->inlen - total);
		c->inlen -= total;
		c->req_since = c->inlen ? ev_now_ms() : 0;
		if (client_send(c, reply, rlen) == -1)
			return -1;
	}
	return 0;
}

static int
client_read(struct client *c)
{
	ssize_t n;

	if (c->incap == c->inlen && client_reserve(c, c->inlen + 1) == -1)
		return -1;
	n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
	if (n == 0)
		return -1;
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : -1;
	c->inlen += (size_t)n;
	c->last = ev_now_ms();
	if (client_process(c) == -1)
		return -1;
	/* a refusal that went out at once: nothing more to say */
	return c->close_after && c->outlen == 0 ? -1 : 0;
}

static void
on_client(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	struct client *c = arg;
	int rc;

	(void)fd;
	if (c->outlen) {
		if (!(events & (EV_WRITE | EV_ERROR)))
			return;
		if ((rc = client_flush(c)) == 1)
			return;
		if (rc == -1 || c->close_after ||
		    ev_mod(l, c->fd, EV_READ) == -1 ||
		    client_process(c) == -1)
			client_close(c);
		return;
	}
	if (events & (EV_READ | EV_ERROR) && client_read(c) == -1)
		client_close(c);
}

/* Makes room for one more client by dropping the longest idle one. */
static void
evict_one(void)
{
	struct client *old = io.clients;

	for (struct client *c = io.clients; c; c = c->next)
		if (c->last < old->last)
			old = c;
	log_warnx("ctl: %d clients connected; dropping the longest idle",
	    io.nclients);
	client_close(old);
}

static void
on_accept(struct ev_loop *l, int lfd, unsigned events, void *arg)
{
	const struct ctl_listener *li = arg;

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_err("ctl: accept() on %s", li->spec);
			return;
		}
		if (io.nclients >= CTL_MAX_CLIENTS)
			evict_one();
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    ev_add(l, fd, EV_READ, on_client, c) == -1) {
			log_errx("ctl: cannot take a client on %s", li->spec);
			free(c);
			close(fd);
			return;
		}
		c->fd = fd;
		c->l = li;
		c->last = ev_now_ms();
		c->next = io.clients;
		if (io.clients)
			io.clients->prev = c;
		io.clients = c;
		io.nclients++;
		count_clients();
	}
}

/* --- datagrams ------------------------------------------------------------------ */

static void
dgram_one(const struct ctl_listener *li, size_t n,
    const struct sockaddr_storage *from, socklen_t fromlen)
{
	const uint8_t *reply;
	size_t rlen;
	struct binrpc_hdr h;
	int rc;

	rc = binrpc_parse_hdr(io.dgram, n < io.dgram_cap ? n : io.dgram_cap,
	    io.cfg->max_body, &h);
	if (rc == BINRPC_OK && n > in_max())
		rc = BINRPC_E_TOOBIG;      /* more was sent than it says */
	if (rc == BINRPC_E_TOOBIG)
		rc = binrpc_rpc_fault(&io.rpc, h.cookie, 400,
		    "request too large", &reply, &rlen);
	else if (rc == BINRPC_OK)
		rc = binrpc_rpc_handle(&io.rpc, io.dgram, n, &reply, &rlen);
	else
		rc = -1;
	if (rc != 0) {
		log_dbg("ctl: %s: dropping a datagram that is not BINRPC",
		    li->spec);
		return;
	}
	/* an unbound unix client has no address to answer to */
	if (fromlen <= sizeof(sa_family_t))
		return;
	if (sendto(li->fd, reply, rlen, MSG_NOSIGNAL,
	    (const struct sockaddr *)from, fromlen) == -1)
		log_dbg("ctl: %s: sendto() failed: %s", li->spec,
		    strerror(errno));
}

static void
on_dgram(struct ev_loop *l, int lfd, unsigned events, void *arg)
{
	const struct ctl_listener *li = arg;

	(void)l;
	(void)events;
	for (int i = 0; i < DGRAM_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		memset(&from, 0, sizeof(from));
		/* MSG_TRUNC: the real size, to refuse what did not fit */
		n = recvfrom(lfd, io.dgram, io.dgram_cap, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_err("ctl: recvfrom() on %s", li->spec);
			return;
		}
		dgram_one(li, (size_t)n, &from, fromlen);
	}
}

/* --- the loop ------------------------------------------------------------------------ */

static void
on_sweep(struct ev_loop *l, void *arg)
{
	uint64_t now = ev_now_ms();
	struct client *c, *next;

	(void)arg;
	for (c = io.clients; c; c = next) {
		next = c->next;
		if (c->req_since && now - c->req_since > CTL_REQ_TIMEOUT_MS) {
			log_dbg("ctl: %s: request not complete after %d ms; "
			    "dropping the client", c->l->spec,
			    CTL_REQ_TIMEOUT_MS);
			client_close(c);
		} else if (c->write_since &&
		    now - c->write_since > CTL_WRITE_TIMEOUT_MS) {
			log_dbg("ctl: %s: reply not taken after %d ms; "
			    "dropping the client", c->l->spec,
			    CTL_WRITE_TIMEOUT_MS);
			client_close(c);
		}
	}
	io.sweep = ev_timer_add(l, SWEEP_MS, on_sweep, NULL);
}

static int
io_setup(const struct ctl_io_cfg *cfg)
{
	struct sigaction sa;

	memset(&io, 0, sizeof(io));
	io.cfg = cfg;
	/* no SA_RESTART: epoll_wait returns at once and the loop stops */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = io_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	io.dgram_cap = in_max() + 1;
	if ((io.loop = ev_new()) == NULL ||
	    (io.dgram = malloc(io.dgram_cap)) == NULL ||
	    binrpc_rpc_init(&io.rpc, cfg->max_body, cfg->struct_max) == -1) {
		log_errx("ctl: out of memory setting up the loop");
		return -1;
	}
	for (int i = 0; i < cfg->n; i++) {
		struct ctl_listener *li = &cfg->ls[i];
		int stream = li->kind == CTL_UNIX_STREAM || li->kind == CTL_TCP;

		if (ev_add(io.loop, li->fd, EV_READ, stream ? on_accept : on_dgram,
		    li) == -1) {
			log_err("ctl: cannot watch %s", li->spec);
			return -1;
		}
	}
	if ((io.sweep = ev_timer_add(io.loop, SWEEP_MS, on_sweep, NULL)) ==
	    NULL) {
		log_errx("ctl: out of memory for the timeout timer");
		return -1;
	}
	return 0;
}

static void
io_teardown(void)
{
	while (io.clients)
		client_close(io.clients);
	ev_free(io.loop);      /* frees the sweep timer too */
	binrpc_rpc_free(&io.rpc);
	free(io.dgram);
	memset(&io, 0, sizeof(io));
}

int
ctl_io_run(const struct ctl_io_cfg *cfg)
{
	int rc = 0;

	if (io_setup(cfg) == -1) {
		io_teardown();
		return -1;
	}
	while (!io_stop) {
		if (ev_run_once(io.loop, 1000) == -1 && errno != EINTR) {
			log_err("ctl: event loop failed");
			rc = -1;
			break;
		}
	}
	io_teardown();
	return rc;
}
