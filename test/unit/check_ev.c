/* check_ev.c - the epoll loop (ev.c) and its timer heap (evtimer.c). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/ev.h"
#include "core/evtimer.h"
#include "tcheck.h"

struct rec {
	int       calls;
	int       fd;
	unsigned  events;
};

static void
on_io(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	struct rec *r = arg;

	r->calls++;
	r->fd = fd;
	r->events = events;
}

START_TEST(t_read)
{
	struct ev_loop *l = ev_new();
	struct rec r = { 0 };
	int p[2];
	char c;

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ev_add(l, p[0], EV_READ, on_io, &r), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(ev_run_once(l, 1000), 1);
	ck_assert_int_eq(r.fd, p[0]);
	ck_assert_uint_eq(r.events, EV_READ);
	/* level-triggered: still readable, reported again */
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ck_assert_int_eq(r.calls, 2);
	/* a closed writer is EV_ERROR (EPOLLHUP) */
	close(p[1]);
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_uint_eq(r.events & EV_ERROR, EV_ERROR);
	ck_assert_int_eq(ev_del(l, p[0]), 0);
	close(p[0]);
	ev_free(l);
}
END_TEST

START_TEST(t_write)
{
	struct ev_loop *l = ev_new();
	struct rec r = { 0 };
	int s[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	ck_assert_int_eq(ev_add(l, s[0], EV_WRITE, on_io, &r), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_uint_eq(r.events, EV_WRITE);
	/* narrowed to read: nothing to read yet */
	ck_assert_int_eq(ev_mod(l, s[0], EV_READ), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ck_assert_int_eq(ev_mod(l, s[0], EV_READ | EV_WRITE), 0);
	ck_assert_int_eq(write(s[1], "y", 1), 1);
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_uint_eq(r.events, EV_READ | EV_WRITE);
	/* paused (no events) with the peer gone: no EPOLLHUP spin */
	close(s[1]);
	ck_assert_int_eq(ev_mod(l, s[0], 0), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ck_assert_int_eq(ev_mod(l, s[0], EV_READ), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_uint_eq(r.events, EV_READ | EV_ERROR);
	ck_assert_int_eq(ev_del(l, s[0]), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	close(s[0]);
	ev_free(l);
}
END_TEST

START_TEST(t_errors)
{
	struct ev_loop *l = ev_new();
	struct rec r = { 0 };
	int p[2], big;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ev_add(l, -1, EV_READ, on_io, &r), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ev_add(l, p[0], EV_READ, NULL, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ev_add(l, p[0], EV_ERROR, on_io, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ev_mod(l, p[0], EV_READ), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ev_del(l, p[0]), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ev_add(l, p[0], EV_READ, on_io, &r), 0);
	ck_assert_int_eq(ev_add(l, p[0], EV_READ, on_io, &r), -1);
	ck_assert_int_eq(errno, EEXIST);
	/* an fd the kernel refuses leaves no slot behind */
	ck_assert_int_eq(ev_add(l, 999, EV_READ, on_io, &r), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(ev_del(l, 999), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* a high fd grows the slot array */
	big = dup2(p[1], 300);
	ck_assert_int_eq(big, 300);
	ck_assert_int_eq(ev_add(l, big, EV_WRITE, on_io, &r), 0);
	ck_assert_int_eq(ev_run_once(l, 0), 1);
	ck_assert_int_eq(r.fd, big);
	ck_assert_int_eq(ev_del(l, big), 0);
	ck_assert_int_eq(ev_del(l, p[0]), 0);
	close(big);
	close(p[0]);
	close(p[1]);
	ev_free(l);
}
END_TEST

static void
on_grow(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	int *big = arg;

	/* moves the slot array while dispatch is walking the batch */
	if (*big == -1) {
		*big = dup2(fd, 700);
		ck_assert_int_eq(ev_add(l, *big, EV_READ, on_grow, big), 0);
	}
}

START_TEST(t_grow_in_callback)
{
	struct ev_loop *l = ev_new();
	int s[2], big = -1;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	ck_assert_int_eq(write(s[1], "g", 1), 1);
	ck_assert_int_eq(ev_add(l, s[0], EV_READ, on_grow, &big), 0);
	ck_assert_int_eq(ev_run_once(l, 1000), 1);
	ck_assert_int_eq(big, 700);
	/* both numbers name the same readable socket now */
	ck_assert_int_eq(ev_run_once(l, 0), 2);
	ck_assert_int_eq(ev_del(l, big), 0);
	ck_assert_int_eq(ev_del(l, s[0]), 0);
	close(big);
	close(s[0]);
	close(s[1]);
	ev_free(l);
}
END_TEST

/* Both ends readable and writable; the first callback narrows the other
 * to EV_WRITE, whose event in the same batch then carries no EV_READ. */
struct narrow {
	int       fd[2];
	unsigned  got[2];
	int       calls;
};

static void
on_narrow(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	struct narrow *n = arg;
	int me = fd == n->fd[1];

	n->got[me] = events;
	if (n->calls++ == 0)
		ck_assert_int_eq(ev_mod(l, n->fd[!me], EV_WRITE), 0);
}

START_TEST(t_mod_in_batch)
{
	struct ev_loop *l = ev_new();
	struct narrow n = { .calls = 0 };
	int s[2][2];

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s[i]), 0);
		ck_assert_int_eq(write(s[i][1], "m", 1), 1);
		n.fd[i] = s[i][0];
		ck_assert_int_eq(ev_add(l, n.fd[i], EV_READ | EV_WRITE,
		    on_narrow, &n), 0);
	}
	ck_assert_int_eq(ev_run_once(l, 1000), 2);
	ck_assert_uint_eq(n.got[0] | n.got[1], EV_READ | EV_WRITE);
	ck_assert(n.got[0] == EV_WRITE || n.got[1] == EV_WRITE);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(ev_del(l, n.fd[i]), 0);
		close(s[i][0]);
		close(s[i][1]);
	}
	ev_free(l);
}
END_TEST

/* Two readable pipes; whichever callback runs first removes the other. */
struct pair {
	int        rd[2];
	int        wr[2];
	int        calls[2];
	int        spare;           /* an empty pipe's read end to dup     */
	int        reused;          /* fd number handed out again, or -1   */
	int        late;            /* callbacks on the re-added watcher   */
	int        reuse;           /* close and re-add, or just ev_del    */
};

static void
on_late(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	struct pair *p = arg;

	p->late++;
}

static void
on_pair(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	struct pair *p = arg;
	int me = fd == p->rd[1];
	int other = p->rd[!me];

	p->calls[me]++;
	if (other == -1)
		return;
	ck_assert_int_eq(ev_del(l, other), 0);
	if (p->reuse) {
		/* the number comes straight back, now for an empty pipe */
		close(other);
		p->rd[!me] = -1;
		p->reused = dup(p->spare);
		ck_assert_int_eq(p->reused, other);
		ck_assert_int_eq(ev_add(l, p->reused, EV_READ, on_late, p), 0);
	}
}

static void
pair_run(int reuse)
{
	struct ev_loop *l = ev_new();
	struct pair p = { .reused = -1, .reuse = reuse };
	int sp[2];

	for (int i = 0; i < 2; i++) {
		int fds[2];

		ck_assert_int_eq(pipe(fds), 0);
		p.rd[i] = fds[0];
		p.wr[i] = fds[1];
		ck_assert_int_eq(write(fds[1], "r", 1), 1);
		ck_assert_int_eq(ev_add(l, fds[0], EV_READ, on_pair, &p), 0);
	}
	ck_assert_int_eq(pipe(sp), 0);
	p.spare = sp[0];
	/* both events come back in one epoll_wait(); one callback runs */
	ck_assert_int_eq(ev_run_once(l, 1000), 1);
	ck_assert_int_eq(p.calls[0] + p.calls[1], 1);
	ck_assert_int_eq(p.late, 0);
	if (reuse) {
		/* the new watcher works once its pipe has data */
		ck_assert_int_eq(ev_run_once(l, 0), 1);     /* the survivor */
		ck_assert_int_eq(p.late, 0);
		ck_assert_int_eq(write(sp[1], "n", 1), 1);
		ck_assert_int_eq(ev_run_once(l, 0), 2);
		ck_assert_int_eq(p.late, 1);
		ev_del(l, p.reused);
		close(p.reused);
	}
	for (int i = 0; i < 2; i++) {
		if (p.rd[i] != -1) {
			ev_del(l, p.rd[i]);
			close(p.rd[i]);
		}
		close(p.wr[i]);
	}
	close(sp[0]);
	close(sp[1]);
	ev_free(l);
}

START_TEST(t_del_in_batch)
{
	pair_run(0);
}
END_TEST

START_TEST(t_fd_reuse_in_batch)
{
	pair_run(1);
}
END_TEST

/* --- timers ------------------------------------------------------------ */

struct tlog {
	int        order[16];
	uint64_t   at[16];
	int        n;
	struct ev_timer *self;
	struct ev_loop  *l;
};

struct tmark {
	struct tlog *log;
	int          id;
};

static void
on_mark(struct ev_loop *l, void *arg)
{
	struct tmark *m = arg;

	m->log->at[m->log->n] = ev_now_ms();
	m->log->order[m->log->n++] = m->id;
}

static void
run_until(struct ev_loop *l, const int *n, int want)
{
	uint64_t end = ev_now_ms() + 5000;

	while (*n < want && ev_now_ms() < end)
		ck_assert_int_ge(ev_run_once(l, -1), 0);
	ck_assert_int_eq(*n, want);
}

START_TEST(t_timer_order)
{
	static const uint64_t ms[] = { 30, 10, 20, 10, 0 };
	struct ev_loop *l = ev_new();
	struct tlog log = { .n = 0 };
	struct tmark m[5];
	uint64_t t0 = ev_now_ms();

	for (int i = 0; i < 5; i++) {
		m[i] = (struct tmark){ .log = &log, .id = i };
		ck_assert_ptr_nonnull(ev_timer_add(l, ms[i], on_mark, &m[i]));
	}
	run_until(l, &log.n, 5);
	/* by deadline; equal deadlines in the order they were added */
	ck_assert_int_eq(log.order[0], 4);
	ck_assert_int_eq(log.order[1], 1);
	ck_assert_int_eq(log.order[2], 3);
	ck_assert_int_eq(log.order[3], 2);
	ck_assert_int_eq(log.order[4], 0);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_ge(log.at[i], t0 + ms[log.order[i]]);
	ev_free(l);
}
END_TEST

static void
on_cancel_self(struct ev_loop *l, void *arg)
{
	struct tlog *log = arg;

	/* cancelling the timer that is firing must be harmless */
	ev_timer_cancel(l, log->self);
	log->order[log->n++] = 99;
}

START_TEST(t_timer_cancel)
{
	struct ev_loop *l = ev_new();
	struct tlog log = { .n = 0 };
	struct tmark a = { .log = &log, .id = 1 }, b = { .log = &log, .id = 2 };
	struct ev_timer *ta;

	ta = ev_timer_add(l, 5, on_mark, &a);
	ck_assert_ptr_nonnull(ev_timer_add(l, 10, on_mark, &b));
	ev_timer_cancel(l, ta);
	ev_timer_cancel(l, NULL);
	run_until(l, &log.n, 1);
	ck_assert_int_eq(log.order[0], 2);
	log.self = ev_timer_add(l, 0, on_cancel_self, &log);
	run_until(l, &log.n, 2);
	ck_assert_int_eq(log.order[1], 99);
	/* queued timers are freed by ev_free (ASan checks) */
	ck_assert_ptr_nonnull(ev_timer_add(l, 100000, on_mark, &a));
	ev_free(l);
}
END_TEST

static void
on_chain(struct ev_loop *l, void *arg)
{
	struct tlog *log = arg;

	log->order[log->n] = log->n;
	log->n++;
	if (log->n < 3)
		ck_assert_ptr_nonnull(ev_timer_add(l, 1, on_chain, log));
}

START_TEST(t_timer_chain)
{
	struct ev_loop *l = ev_new();
	struct tlog log = { .n = 0 };

	ck_assert_ptr_nonnull(ev_timer_add(l, 1, on_chain, &log));
	run_until(l, &log.n, 3);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ev_free(l);
}
END_TEST

static void
on_rearm0(struct ev_loop *l, void *arg)
{
	int *n = arg;

	(*n)++;
	ck_assert_ptr_nonnull(ev_timer_add(l, 0, on_rearm0, n));
}

START_TEST(t_timer_no_starve)
{
	struct ev_loop *l = ev_new();
	int n = 0;

	/* a timer re-arming itself for 0 ms fires once per round */
	ck_assert_ptr_nonnull(ev_timer_add(l, 0, on_rearm0, &n));
	ck_assert_int_eq(ev_run_once(l, -1), 1);
	ck_assert_int_eq(ev_run_once(l, -1), 1);
	ck_assert_int_eq(n, 2);
	ev_free(l);
}
END_TEST

START_TEST(t_timeout)
{
	struct ev_loop *l = ev_new();
	struct tlog log = { .n = 0 };
	struct tmark m = { .log = &log, .id = 1 };
	uint64_t t0 = ev_now_ms();

	/* no fds: ev_run_once(-1) sleeps exactly until the timer */
	ck_assert_ptr_nonnull(ev_timer_add(l, 50, on_mark, &m));
	ck_assert_int_eq(ev_run_once(l, -1), 1);
	ck_assert_uint_ge(ev_now_ms() - t0, 50);
	ck_assert_uint_lt(ev_now_ms() - t0, 1000);
	/* the caller's timeout wins when shorter */
	ck_assert_ptr_nonnull(ev_timer_add(l, 100000, on_mark, &m));
	t0 = ev_now_ms();
	ck_assert_int_eq(ev_run_once(l, 20), 0);
	ck_assert_uint_ge(ev_now_ms() - t0, 19);
	ck_assert_uint_lt(ev_now_ms() - t0, 1000);
	ev_free(l);
}
END_TEST

static void
on_stop_after(struct ev_loop *l, void *arg)
{
	int *n = arg;

	if (++*n == 3)
		ev_stop(l);
	else
		ck_assert_ptr_nonnull(ev_timer_add(l, 1, on_stop_after, n));
}

static void
on_io_stop(struct ev_loop *l, int fd, unsigned events, void *arg)
{
	int *n = arg;

	(*n)++;
	ev_stop(l);
}

static void
before(struct ev_loop *l, void *arg)
{
	int *n = arg;

	(*n)++;
}

START_TEST(t_stop)
{
	struct ev_loop *l = ev_new();
	int n = 0, hooks = 0, p[2];

	ev_set_before_sleep(l, before, &hooks);
	ck_assert_ptr_nonnull(ev_timer_add(l, 1, on_stop_after, &n));
	ck_assert_int_eq(ev_run(l), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_ge(hooks, 3);
	/* ev_stop() from an fd callback; then the loop runs again */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "s", 1), 1);
	n = 0;
	ck_assert_int_eq(ev_add(l, p[0], EV_READ, on_io_stop, &n), 0);
	ck_assert_int_eq(ev_run(l), 0);
	ck_assert_int_eq(ev_run(l), 0);
	ck_assert_int_eq(n, 2);
	/* a stop requested before ev_run() is honoured */
	ck_assert_int_eq(ev_del(l, p[0]), 0);
	ev_stop(l);
	hooks = 0;
	ck_assert_int_eq(ev_run(l), 0);
	ck_assert_int_eq(hooks, 0);
	ev_set_before_sleep(l, NULL, NULL);
	close(p[0]);
	close(p[1]);
	ev_free(l);
}
END_TEST

/* --- the heap itself ---------------------------------------------------- */

#define NHEAP 10000

START_TEST(t_heap_random)
{
	static struct ev_timer tm[NHEAP];
	struct evtimer_heap h;
	uint64_t last_d = 0, last_s = 0;
	size_t queued = 0;
	unsigned seed = 12345;
	int bad = 0;

	/* ck_assert costs a syscall per call in fork mode, so the hot loops
	 * count failures and assert once */
	evtimer_init(&h);
	for (int i = 0; i < NHEAP; i++)
		tm[i].idx = EVTIMER_NONE;
	for (int op = 0; op < 20 * NHEAP; op++) {
		struct ev_timer *t = &tm[rand_r(&seed) % NHEAP];

		if (t->idx == EVTIMER_NONE) {
			/* few distinct deadlines: ties are the common case */
			t->deadline = (uint64_t)(rand_r(&seed) % 500);
			bad += evtimer_push(&h, t) != 0;
			queued++;
		} else {
			evtimer_remove(&h, t);
			bad += t->idx != EVTIMER_NONE;
			queued--;
		}
		bad += h.n != queued;
		if (op % 251 == 0)
			bad += evtimer_check(&h) != 0;
	}
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(evtimer_check(&h), 0);
	/* fill up, then drain: the pops come out sorted by (deadline, seq) */
	for (int i = 0; i < NHEAP; i++) {
		if (tm[i].idx == EVTIMER_NONE) {
			tm[i].deadline = (uint64_t)(rand_r(&seed) % 500);
			ck_assert_int_eq(evtimer_push(&h, &tm[i]), 0);
		}
	}
	ck_assert_uint_eq(h.n, NHEAP);
	ck_assert_int_eq(evtimer_check(&h), 0);
	for (int i = 0; i < NHEAP; i++) {
		struct ev_timer *t = evtimer_pop(&h);

		if (t == NULL) {
			bad++;
			break;
		}
		bad += !(t->deadline > last_d ||
		    (t->deadline == last_d && (i == 0 || t->seq > last_s)));
		last_d = t->deadline;
		last_s = t->seq;
		if (i % 997 == 0)
			bad += evtimer_check(&h) != 0;
	}
	ck_assert_int_eq(bad, 0);
	ck_assert_ptr_null(evtimer_pop(&h));
	evtimer_fini(&h);
}
END_TEST

START_TEST(t_loop_many_timers)
{
	struct ev_loop *l = ev_new();
	static struct ev_timer *t[NHEAP];
	struct tlog log = { .n = 0 };
	struct tmark m = { .log = &log, .id = 0 };
	unsigned seed = 7;

	/* through the API: 10k far-off timers, cancelled in random order;
	 * ev_free() releases the rest (ASan's leak check) */
	for (int i = 0; i < NHEAP; i++) {
		t[i] = ev_timer_add(l, 100000 + rand_r(&seed) % 1000, on_mark,
		    &m);
		if (t[i] == NULL)
			ck_abort_msg("ev_timer_add failed at %d", i);
	}
	for (int i = NHEAP - 1; i > 0; i--) {
		int j = rand_r(&seed) % (i + 1);
		struct ev_timer *x = t[i];

		t[i] = t[j];
		t[j] = x;
	}
	for (int i = 0; i < NHEAP / 2; i++)
		ev_timer_cancel(l, t[i]);
	ck_assert_int_eq(ev_run_once(l, 0), 0);
	ck_assert_int_eq(log.n, 0);
	ev_free(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ev");
	TCase *io = tcase_create("io");
	TCase *tm = tcase_create("timer");

	tcase_add_test(io, t_read);
	tcase_add_test(io, t_write);
	tcase_add_test(io, t_errors);
	tcase_add_test(io, t_grow_in_callback);
	tcase_add_test(io, t_mod_in_batch);
	tcase_add_test(io, t_del_in_batch);
	tcase_add_test(io, t_fd_reuse_in_batch);
	tcase_add_test(io, t_stop);
	tcase_add_test(tm, t_timer_order);
	tcase_add_test(tm, t_timer_cancel);
	tcase_add_test(tm, t_timer_chain);
	tcase_add_test(tm, t_timer_no_starve);
	tcase_add_test(tm, t_timeout);
	tcase_add_test(tm, t_heap_random);
	tcase_add_test(tm, t_loop_many_timers);
	suite_add_tcase(s, io);
	suite_add_tcase(s, tm);
	return tcheck_run(s);
}
