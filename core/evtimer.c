/*
 * evtimer.c - binary min-heap of one-shot timers (see evtimer.h).
 *
 * The heap holds pointers, not timers, so a timer never moves and the
 * handle ev_timer_add() returned stays valid until it fires or is
 * cancelled; each swap updates the moved timer's idx so that cancel
 * finds its slot directly.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "evtimer.h"
#include "xalloc.h"

static int
evtimer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void
evtimer_place(struct evtimer_heap *h, size_t i, struct ev_timer *t)
{
	h->v[i] = t;
	t->idx = i;
}

/* Moves t up from hole i; the slot at i is treated as empty. */
static void
evtimer_up(struct evtimer_heap *h, size_t i, struct ev_timer *t)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!evtimer_before(t, h->v[parent]))
			break;
		evtimer_place(h, i, h->v[parent]);
		i = parent;
	}
	evtimer_place(h, i, t);
}

/* Moves t down from hole i among the first h->n slots. */
static void
evtimer_down(struct evtimer_heap *h, size_t i, struct ev_timer *t)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && evtimer_before(h->v[c + 1], h->v[c]))
			c++;
		if (!evtimer_before(h->v[c], t))
			break;
		evtimer_place(h, i, h->v[c]);
		i = c;
	}
	evtimer_place(h, i, t);
}

void
evtimer_init(struct evtimer_heap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
	h->seq = 0;
}

void
evtimer_fini(struct evtimer_heap *h)
{
	xfree(h->v);
	evtimer_init(h);
}

int
evtimer_push(struct evtimer_heap *h, struct ev_timer *t)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct ev_timer **v = xrealloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	t->seq = h->seq++;
	h->n++;
	evtimer_up(h, h->n - 1, t);
	return 0;
}

void
evtimer_remove(struct evtimer_heap *h, struct ev_timer *t)
{
	size_t i = t->idx;
	struct ev_timer *last;

	t->idx = EVTIMER_NONE;
	last = h->v[--h->n];
	if (last == t)
		return;
	/* the last timer fills the hole; it may belong above or below it */
	if (i > 0 && evtimer_before(last, h->v[(i - 1) / 2]))
		evtimer_up(h, i, last);
	else
		evtimer_down(h, i, last);
}

struct ev_timer *
evtimer_top(const struct evtimer_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct ev_timer *
evtimer_pop(struct evtimer_heap *h)
{
	struct ev_timer *t = evtimer_top(h);

	if (t != NULL)
		evtimer_remove(h, t);
	return t;
}

int
evtimer_check(const struct evtimer_heap *h)
{
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i]->idx != i)
			return -1;
		if (i > 0 && evtimer_before(h->v[i], h->v[(i - 1) / 2]))
			return -1;
	}
	return 0;
}
