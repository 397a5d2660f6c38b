/*
 * ev.c - level-triggered epoll loop with one-shot timers (see ev.h).
 *
 * Watchers live in an array indexed by fd, so dispatch is one bounds
 * check and one load per event and nothing is allocated per event.
 *
 * Each registration gets a generation number, stored next to the fd in
 * the epoll_event's data.  A callback may ev_del() (and close) another fd
 * whose event is already in the batch epoll_wait() returned, and may even
 * get the same fd number back from accept() and ev_add() it again before
 * the batch reaches it; the stale event then carries the old generation
 * and is dropped instead of being delivered to the new watcher.
 *
 * Two rules for callers, both from epoll itself:
 *  - ev_del() BEFORE close().  epoll registers the open file description,
 *    not the number; the supervisor keeps a dup of every connection, so a
 *    closed-but-not-deleted fd would go on reporting events.
 *  - ev_new() after fork(): an epoll fd shared across fork is one set.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "evtimer.h"
#include "log.h"
#include "xalloc.h"

#define EV_BATCH  256           /* events taken per epoll_wait()          */

struct ev_io {
	ev_io_cb      cb;           /* NULL: slot unused                      */
	void         *arg;
	uint32_t      gen;          /* matches the epoll data of live events  */
	uint8_t       events;       /* EV_READ | EV_WRITE wanted              */
	uint8_t       in_epoll;     /* 0 while paused with events == 0       */
};

struct ev_loop {
	int                   epfd;
	int                   stop;
	uint32_t              gen;
	struct ev_io         *io;
	size_t                nio;
	struct evtimer_heap   timers;
	void                (*before_sleep)(struct ev_loop *, void *);
	void                 *before_sleep_arg;
	struct epoll_event    evs[EV_BATCH];
};

uint64_t
ev_now_ms(void)
{
	struct timespec ts;

	/* cannot fail with a valid clock id and pointer */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct ev_loop *
ev_new(void)
{
	struct ev_loop *l = NULL;

	if ((l = xcalloc(1, sizeof(*l))) == NULL)
		goto fail;
	evtimer_init(&l->timers);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_err("ev: epoll_create1() failed");
		goto fail;
	}
	return l;

fail:
	xfree(l);
	return NULL;
}

void
ev_free(struct ev_loop *l)
{
	struct ev_timer *t;

	if (l == NULL)
		return;
	while ((t = evtimer_pop(&l->timers)) != NULL)
		xfree(t);
	evtimer_fini(&l->timers);
	close(l->epfd);
	xfree(l->io);
	xfree(l);
}

static uint32_t
ev_to_epoll(unsigned events)
{
	return ((events & EV_READ) ? EPOLLIN : 0) |
	    ((events & EV_WRITE) ? EPOLLOUT : 0);
}

static unsigned
ev_from_epoll(uint32_t e)
{
	return ((e & EPOLLIN) ? EV_READ : 0) | ((e & EPOLLOUT) ? EV_WRITE : 0) |
	    ((e & (EPOLLERR | EPOLLHUP)) ? EV_ERROR : 0);
}

static struct ev_io *
ev_slot(struct ev_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nio || l->io[fd].cb == NULL)
		return NULL;
	return &l->io[fd];
}

/* Makes room for fd; doubling keeps ev_add() amortised O(1). */
static int
ev_grow(struct ev_loop *l, int fd)
{
	size_t n = l->nio ? l->nio : 64;
	struct ev_io *io;

	while (n <= (size_t)fd)
		n *= 2;
	if ((io = xrealloc(l->io, n * sizeof(*io))) == NULL)
		return -1;
	memset(io + l->nio, 0, (n - l->nio) * sizeof(*io));
	l->io = io;
	l->nio = n;
	return 0;
}

/* Brings the kernel's view of fd in line with io->events: an fd with no
 * wanted events is taken out of epoll, as EPOLLHUP would otherwise be
 * reported on it forever and spin a level-triggered loop. */
static int
ev_sync(struct ev_loop *l, int fd, struct ev_io *io)
{
	struct epoll_event ee;
	int op;

	if (io->events == 0) {
		if (!io->in_epoll)
			return 0;
		if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) == -1)
			return -1;
		io->in_epoll = 0;
		return 0;
	}
	memset(&ee, 0, sizeof(ee));
	ee.events = ev_to_epoll(io->events);
	ee.data.u64 = (uint64_t)io->gen << 32 | (uint32_t)fd;
	op = io->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->epfd, op, fd, &ee) == -1)
		return -1;
	io->in_epoll = 1;
	return 0;
}

/*
 * Returns 0, or -1 with errno: EINVAL (bad events or no cb), EBADF
 * (fd < 0, or epoll's verdict), EEXIST (fd already watched here),
 * ENOMEM, EPERM (a regular file), and epoll_ctl()'s other errors.
 */
int
ev_add(struct ev_loop *l, int fd, unsigned events, ev_io_cb cb, void *arg)
{
	struct ev_io *io;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (cb == NULL || (events & ~(unsigned)(EV_READ | EV_WRITE))) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= l->nio && ev_grow(l, fd) == -1) {
		errno = ENOMEM;
		return -1;
	}
	io = &l->io[fd];
	if (io->cb != NULL) {
		errno = EEXIST;
		return -1;
	}
	io->events = (uint8_t)events;
	io->in_epoll = 0;
	io->gen = ++l->gen;
	if (ev_sync(l, fd, io) == -1) {
		io->events = 0;
		return -1;
	}
	io->cb = cb;
	io->arg = arg;
	return 0;
}

/* 0, or -1 with errno: ENOENT (not watched), EINVAL, epoll_ctl()'s. */
int
ev_mod(struct ev_loop *l, int fd, unsigned events)
{
	struct ev_io *io = ev_slot(l, fd);
	uint8_t old;

	if (io == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (events & ~(unsigned)(EV_READ | EV_WRITE)) {
		errno = EINVAL;
		return -1;
	}
	old = io->events;
	io->events = (uint8_t)events;
	if (ev_sync(l, fd, io) == -1) {
		io->events = old;
		return -1;
	}
	return 0;
}

/*
 * Stops watching fd.  The slot is released even if epoll_ctl() fails
 * (typically EBADF: the fd was closed first), so that no callback runs for
 * it again; the failure is still returned.  0, or -1 with errno (ENOENT:
 * not watched).
 */
int
ev_del(struct ev_loop *l, int fd)
{
	struct ev_io *io = ev_slot(l, fd);
	int rc = 0;

	if (io == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (io->in_epoll && epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) == -1) {
		log_warn("ev: epoll_ctl(DEL, %d) failed"
		    " (closed before ev_del?)", fd);
		rc = -1;
	}
	memset(io, 0, sizeof(*io));
	return rc;
}

/* NULL on allocation failure (logged by xalloc) or a NULL cb (EINVAL). */
struct ev_timer *
ev_timer_add(struct ev_loop *l, uint64_t ms, ev_timer_cb cb, void *arg)
{
	struct ev_timer *t = NULL;
	uint64_t now = ev_now_ms();

	if (cb == NULL) {
		errno = EINVAL;
		goto fail;
	}
	if ((t = xmalloc(sizeof(*t))) == NULL)
		goto fail;
	/* saturate: ms = UINT64_MAX means "never" */
	t->deadline = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
	t->cb = cb;
	t->arg = arg;
	if (evtimer_push(&l->timers, t) == -1)
		goto fail;
	return t;

fail:
	xfree(t);
	return NULL;
}

/*
 * Cancels a queued timer and frees it.  Cancelling the timer whose
 * callback is running is a no-op (it is freed when the callback
 * returns), so an owner can cancel "its" timer without knowing whether
 * it is the one firing.  NULL is ignored.
 */
void
ev_timer_cancel(struct ev_loop *l, struct ev_timer *t)
{
	if (t == NULL || t->idx == EVTIMER_FIRING)
		return;
	if (t->idx >= l->timers.n || l->timers.v[t->idx] != t) {
		log_bug("ev: cancel of a timer not in this loop (%p)",
		    (void *)t);
		return;
	}
	evtimer_remove(&l->timers, t);
	xfree(t);
}

void
ev_set_before_sleep(struct ev_loop *l, void (*fn)(struct ev_loop *, void *),
    void *arg)
{
	l->before_sleep = fn;
	l->before_sleep_arg = arg;
}

/* epoll_wait()'s timeout: the caller's, shortened to the next timer. */
static int
ev_timeout(struct ev_loop *l, int timeout_ms)
{
	struct ev_timer *t = evtimer_top(&l->timers);
	uint64_t now, wait;

	if (t == NULL)
		return timeout_ms < 0 ? -1 : timeout_ms;
	now = ev_now_ms();
	wait = t->deadline > now ? t->deadline - now : 0;
	if (wait > INT_MAX)
		wait = INT_MAX;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < wait)
		return timeout_ms;
	return (int)wait;
}

/*
 * Fires the due timers.  Only timers queued before this pass may fire:
 * one that re-arms itself for 0 ms would otherwise keep the pass going
 * and starve the fds.
 */
static int
ev_run_timers(struct ev_loop *l)
{
	uint64_t now = ev_now_ms(), limit = l->timers.seq;
	struct ev_timer *t;
	int ran = 0;

	while ((t = evtimer_top(&l->timers)) != NULL && t->deadline <= now &&
	    t->seq < limit) {
		evtimer_remove(&l->timers, t);
		t->idx = EVTIMER_FIRING;
		t->cb(l, t->arg);
		xfree(t);
		ran++;
	}
	return ran;
}

static int
ev_dispatch(struct ev_loop *l, int n)
{
	int ran = 0;

	for (int i = 0; i < n; i++) {
		uint64_t data = l->evs[i].data.u64;
		int fd = (int)(uint32_t)data;
		struct ev_io *io = ev_slot(l, fd);
		unsigned got;

		/* deleted, paused, or deleted and re-added by an earlier
		 * callback of this batch */
		if (io == NULL || !io->in_epoll ||
		    io->gen != (uint32_t)(data >> 32))
			continue;
		/* an earlier callback may have narrowed the mask by ev_mod() */
		got = ev_from_epoll(l->evs[i].events) & (io->events | EV_ERROR);
		if (got == 0)
			continue;
		/* io is dead after the call: the callback may grow the array */
		io->cb(l, fd, got, io->arg);
		ran++;
	}
	return ran;
}

int
ev_run_once(struct ev_loop *l, int timeout_ms)
{
	int n, timeout;

	if (l->before_sleep != NULL)
		l->before_sleep(l, l->before_sleep_arg);
	/* after the hook: it may have queued timers */
	timeout = ev_timeout(l, timeout_ms);
	n = epoll_wait(l->epfd, l->evs, EV_BATCH, timeout);
	if (n == -1) {
		if (errno != EINTR) {
			log_err("ev: epoll_wait() failed");
			return -1;
		}
		n = 0;
	}
	return ev_dispatch(l, n) + ev_run_timers(l);
}

int
ev_run(struct ev_loop *l)
{
	int rc = 0;

	while (!l->stop) {
		if (ev_run_once(l, -1) == -1) {
			rc = -1;
			break;
		}
	}
	/* reset on the way out, not in: an ev_stop() made before ev_run()
	 * (say, by a shutdown message read during setup) still counts */
	l->stop = 0;
	return rc;
}

void
ev_stop(struct ev_loop *l)
{
	l->stop = 1;
}
