#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "timer.h"

#define TIMER_MAX 64

struct timer {
	const char *name;
	unsigned    interval;
	timer_cb    cb;
	void       *arg;
	uint64_t    next;
};

/* Filled before fork, then read-only (each process has its own copy of
 * `next`, but only the timer process runs them). */
static struct timer timers[TIMER_MAX];
static int ntimers;
static int frozen;

int
timer_register(const char *name, unsigned interval_ms, timer_cb cb, void *arg)
{
	if (frozen) {
		log_bug("timer '%s' registered after fork; ignored", name);
		return -1;
	}
	if (ntimers == TIMER_MAX) {
		log_errx("too many timers (max %d): '%s'", TIMER_MAX, name);
		return -1;
	}
	if (interval_ms < 10)
		interval_ms = 10;
	timers[ntimers] = (struct timer){ name, interval_ms, cb, arg, 0 };
	ntimers++;
	return 0;
}

int
timer_count(void)
{
	return ntimers;
}

void
timer_freeze(void)
{
	frozen = 1;
}

int
timer_run_due(void)
{
	uint64_t now = ev_now_ms(), next = UINT64_MAX;

	for (int i = 0; i < ntimers; i++) {
		struct timer *t = &timers[i];

		if (t->next == 0)
			t->next = now + t->interval;
		if (t->next <= now) {
			t->cb(t->arg);
			now = ev_now_ms();
			/* a slow callback does not make the next runs pile up */
			t->next = now + t->interval;
		}
		if (t->next < next)
			next = t->next;
	}
	if (next == UINT64_MAX)
		return 1000;
	return next > now ? (int)(next - now) : 0;
}

void
timer_loop(volatile int *stop)
{
	while (!*stop) {
		int wait = timer_run_due();

		if (wait > 1000)
			wait = 1000;    /* notice *stop soon */
		if (poll(NULL, 0, wait) == -1 && errno != EINTR)
			log_err("poll() in the timer process failed");
	}
}
