/*
 * evtimer.h - the one-shot timer heap behind ev_timer_add() (internal to
 * ev.c and its tests; modules use ev.h).
 *
 * A binary min-heap of timer pointers ordered by (deadline, seq): equal
 * deadlines fire in the order they were added.  Each timer stores its
 * index in the heap so that removing it is O(log n) with no search.
 */
#ifndef TD_EVTIMER_H
#define TD_EVTIMER_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"

#define EVTIMER_NONE    ((size_t)-1)    /* idx: not in any heap          */
#define EVTIMER_FIRING  ((size_t)-2)    /* idx: popped, callback running */

struct ev_timer {
	uint64_t      deadline;     /* ev_now_ms() value to fire at        */
	uint64_t      seq;          /* set by evtimer_push(): tie-breaker  */
	size_t        idx;          /* position in the heap, or the above  */
	ev_timer_cb   cb;
	void         *arg;
};

struct evtimer_heap {
	struct ev_timer **v;
	size_t            n;
	size_t            cap;
	uint64_t          seq;      /* next seq to hand out                */
};

void evtimer_init(struct evtimer_heap *h);
/* Frees the array only: the timers still queued belong to the caller
 * (ev.c frees them with evtimer_pop() first). */
void evtimer_fini(struct evtimer_heap *h);

/* Queues t (deadline, cb, arg set by the caller).  0, or -1 when the
 * array cannot grow (t is then not queued). */
int  evtimer_push(struct evtimer_heap *h, struct ev_timer *t);
/* Removes a queued t; t->idx becomes EVTIMER_NONE. */
void evtimer_remove(struct evtimer_heap *h, struct ev_timer *t);
/* The earliest timer, or NULL when empty. */
struct ev_timer *evtimer_top(const struct evtimer_heap *h);
/* Removes and returns the earliest timer, or NULL. */
struct ev_timer *evtimer_pop(struct evtimer_heap *h);

/* For tests: 0 when the heap order and every stored index hold, else
 * -1. O(n). */
int  evtimer_check(const struct evtimer_heap *h);

#endif
