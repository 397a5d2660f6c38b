/*
 * tcp_send.c - the write side of a TCP worker: per-connection queues,
 * small sends batched and written once per loop round, sends to other
 * workers' connections gathered per connection and round, and the close
 * reports to the supervisor (retried when its socket is full).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "conn_send.h"
#include "ipc.h"
#include "log.h"
#include "tcp_worker_int.h"
#include "tls_hooks.h"

/* Bytes for a connection another worker owns, gathered during one loop
 * round and posted as one shm block and one inbox message. */
struct rsend {
	uint64_t  id;
	int       owner;
	unsigned  flags;
	char     *buf;
	size_t    len, cap;
	int       tries;
};

#define RSEND_MAX   (32u << 20)     /* per connection and round */
#define RSEND_TRIES 50              /* rounds a full inbox is retried */


/* This worker's write-side state (private to the worker process). */
static struct {
	struct ev_loop      *loop;
	int                  ctl;
	int                  solo;
	size_t               wq_max;
	uint64_t            *dirty;             /* ids to flush this round */
	size_t               ndirty, capdirty;
	uint64_t            *done;              /* closes not yet reported */
	size_t               ndone, capdone;
	struct rsend        *rq;                /* sends to other owners   */
	size_t               nrq, caprq;
} S;

void
tw_send_init(struct ev_loop *loop, int ctl, int solo, size_t wq_max)
{
	memset(&S, 0, sizeof(S));
	S.loop = loop;
	S.ctl = ctl;
	S.solo = solo;
	S.wq_max = wq_max;
}

void
tw_send_teardown(void)
{
	free(S.dirty);
	free(S.done);
	for (size_t i = 0; i < S.nrq; i++)
		free(S.rq[i].buf);
	free(S.rq);
	memset(&S, 0, sizeof(S));
}

static int
send_done(uint64_t id)
{
	struct ipc_hdr h = { .type = IPC_CONN_DONE, .conn_id = id };

	return ipc_send(S.ctl, &h, NULL, -1);
}

/* Tells the supervisor (or, alone, the table) that id is gone.  When
 * the control socket is full (a burst of closes), the report waits in a
 * list retried every loop round: a lost report would leak the
 * supervisor's copy of the fd and the table slot. */
void
tw_report_closed(uint64_t id)
{
	conn_set_state(id, CONN_CLOSING);
	if (S.solo) {
		conn_release(id);
		return;
	}
	if (S.ndone == 0 && send_done(id) == 0)
		return;
	if (errno != EAGAIN && S.ndone == 0) {
		log_err("conn %llu: telling the supervisor it closed failed",
		    (unsigned long long)id);
		return;
	}
	if (S.ndone == S.capdone) {
		size_t cap = S.capdone ? S.capdone * 2 : 64;
		uint64_t *nd = realloc(S.done, cap * sizeof(*nd));

		if (nd == NULL) {
			log_errx("conn %llu: out of memory keeping its close "
			    "report", (unsigned long long)id);
			return;
		}
		S.done = nd;
		S.capdone = cap;
	}
	S.done[S.ndone++] = id;
}

/* Sends the close reports that waited; keeps the rest, in order. */
static void
flush_done(void)
{
	size_t i = 0;

	while (i < S.ndone && send_done(S.done[i]) == 0)
		i++;
	if (i < S.ndone && errno != EAGAIN)
		log_err("telling the supervisor about closed connections "
		    "failed");
	memmove(S.done, S.done + i, (S.ndone - i) * sizeof(*S.done));
	S.ndone -= i;
}

static ssize_t
c_write(struct wconn *c, const void *buf, size_t n)
{
	unsigned want = 0;
	ssize_t r;

	if (c->tls == NULL)
		return write(c->fd, buf, n);
	r = tls_hooks_get()->write(c->tls, buf, n, &want);
	c->tls_want = want;
	return r;
}

void
tw_wq_free(struct wconn *c)
{
	struct wbuf *b, *n;

	for (b = c->wq_head; b; b = n) {
		n = b->next;
		free(b);
	}
	c->wq_head = c->wq_tail = NULL;
	c->wq_bytes = 0;
}
/* Writes the queue; 0 when all was written, 1 when some is left, -1 on
 * a broken connection. */
int
tw_wq_flush(struct wconn *c)
{
	uint64_t out = 0;

	while (c->wq_head) {
		struct wbuf *b = c->wq_head;
		ssize_t n = c_write(c, b->data + b->off, b->len - b->off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		out += (uint64_t)n;
		b->off += (size_t)n;
		c->wq_bytes -= (size_t)n;
		if (b->off == b->len) {
			c->wq_head = b->next;
			if (c->wq_head == NULL)
				c->wq_tail = NULL;
			free(b);
		}
	}
	if (out)
		conn_account(c->id, 0, out, 0, 0);
	return c->wq_head ? 1 : 0;
}

static int
wq_append(struct wconn *c, const char *p, size_t n)
{
	struct wbuf *b = c->wq_tail;
	size_t cap;

	if (c->wq_bytes + n > S.wq_max) {
		log_errx("conn %llu: write queue over %zu bytes (peer not "
		    "reading); closing it", (unsigned long long)c->id, S.wq_max);
		return -1;
	}
	if (b && b->cap - b->len >= n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		c->wq_bytes += n;
		return 0;
	}
	cap = n > WBUF_MIN ? n : WBUF_MIN;
	b = malloc(sizeof(*b) + cap);
	if (b == NULL) {
		log_errx("conn %llu: out of memory queueing %zu bytes",
		    (unsigned long long)c->id, n);
		return -1;
	}
	b->next = NULL;
	b->len = n;
	b->off = 0;
	b->cap = cap;
	memcpy(b->data, p, n);
	if (c->wq_tail)
		c->wq_tail->next = b;
	else
		c->wq_head = b;
	c->wq_tail = b;
	c->wq_bytes += n;
	return 0;
}

static void
mark_dirty(struct wconn *c)
{
	if (c->dirty)
		return;
	if (S.ndirty == S.capdirty) {
		size_t cap = S.capdirty ? S.capdirty * 2 : 64;
		uint64_t *nd = realloc(S.dirty, cap * sizeof(*nd));

		if (nd == NULL) {
			/* cannot defer: write now, as before batching */
			ev_mod(S.loop, c->fd, EV_READ | EV_WRITE);
			return;
		}
		S.dirty = nd;
		S.capdirty = cap;
	}
	S.dirty[S.ndirty++] = c->id;
	c->dirty = 1;
}

int
tw_remote_send(uint64_t id, int owner, const char *buf, size_t len,
    unsigned flags)
{
	struct rsend *r = NULL;

	/* big frames go at once: no point copying them twice */
	if (len >= SEND_DIRECT)
		goto direct;
	for (size_t i = S.nrq; i-- > 0;)
		if (S.rq[i].id == id) {
			r = &S.rq[i];
			break;
		}
	if (r == NULL) {
		if (S.nrq == S.caprq) {
			size_t cap = S.caprq ? S.caprq * 2 : 16;
			struct rsend *nr = realloc(S.rq, cap * sizeof(*nr));

			if (nr == NULL)
				goto direct;
			S.rq = nr;
			S.caprq = cap;
		}
		r = &S.rq[S.nrq++];
		memset(r, 0, sizeof(*r));
		r->id = id;
		r->owner = owner;
	}
	if (r->len + len > RSEND_MAX)
		goto direct;
	if (r->len + len > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		char *nb;

		while (cap < r->len + len)
			cap *= 2;
		if ((nb = realloc(r->buf, cap)) == NULL)
			goto direct;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, buf, len);
	r->len += len;
	r->flags |= flags;
	return 0;
direct:
	/* keep the order: what was gathered for id goes first */
	for (size_t i = 0; i < S.nrq; i++)
		if (S.rq[i].id == id && S.rq[i].len) {
			if (conn_send_post(id, owner, S.rq[i].buf, S.rq[i].len,
			    S.rq[i].flags) < 0)
				return -1;
			S.rq[i].len = 0;
		}
	return conn_send_post(id, owner, buf, len, flags);
}

/* Posts what this round gathered for other workers' connections. */
static void
flush_remote(void)
{
	size_t keep = 0;

	for (size_t i = 0; i < S.nrq; i++) {
		struct rsend *r = &S.rq[i];

		if (r->len && conn_send_post(r->id, r->owner, r->buf, r->len,
		    r->flags) < 0 && errno == EAGAIN && ++r->tries < RSEND_TRIES) {
			/* the owner is busy: again next round, in order */
			S.rq[keep++] = *r;
			continue;
		}
		if (r->len && r->tries >= RSEND_TRIES)
			log_errx("conn %llu: the owner's inbox stayed full; "
			    "%zu bytes dropped", (unsigned long long)r->id, r->len);
		free(r->buf);
	}
	S.nrq = keep;
}

/* The before-sleep hook: writes what this round queued. */
void
tw_flush_round(struct ev_loop *l, void *arg)
{
	if (S.ndone)
		flush_done();
	if (S.nrq)
		flush_remote();
	for (size_t i = 0; i < S.ndirty; i++) {
		struct wconn *c = tw_conn_get(S.dirty[i]);
		int rc;

		if (c == NULL)
			continue;
		c->dirty = 0;
		if (c->connecting) {
			ev_mod(S.loop, c->fd, EV_READ | EV_WRITE);
			continue;
		}
		rc = tw_wq_flush(c);
		if (rc < 0)
			tw_conn_close(c, "write failed");
		else if (rc == 1)
			ev_mod(S.loop, c->fd, EV_READ | EV_WRITE);
		else if (c->close_after)
			tw_conn_close(c, "closed after send");
	}
	S.ndirty = 0;
}

int
tw_send_conn(struct wconn *c, const char *buf, size_t len, unsigned flags)
{
	size_t off = 0;

	if (c->dead)
		return -1;
	if (len >= SEND_DIRECT && c->wq_head == NULL && !c->connecting) {
		while (off < len) {
			ssize_t n = c_write(c, buf + off, len - off);

			if (n == -1) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				tw_conn_close(c, "write failed");
				return -1;
			}
			off += (size_t)n;
		}
		if (off)
			conn_account(c->id, 0, off, 0, 0);
		if (off < len) {
			if (wq_append(c, buf + off, len - off) < 0) {
				tw_conn_close(c, "write queue overflow");
				return -1;
			}
			ev_mod(S.loop, c->fd, EV_READ | EV_WRITE);
		}
	} else {
		if (wq_append(c, buf, len) < 0) {
			tw_conn_close(c, "write queue overflow");
			return -1;
		}
		mark_dirty(c);
	}
	conn_account(c->id, 0, 0, 0, 1);
	if (flags & SEND_CLOSE) {
		c->close_after = 1;
		if (c->wq_head == NULL && !c->connecting)
			tw_conn_close(c, "closed after send");
		else
			mark_dirty(c);
	}
	return 0;
}

int
tw_local_send(uint64_t id, const char *buf, size_t len, unsigned flags)
{
	struct wconn *c = tw_conn_get(id);

	if (c == NULL) {
		log_errx("conn %llu: not owned by this worker",
		    (unsigned long long)id);
		return -1;
	}
	return tw_send_conn(c, buf, len, flags);
}

