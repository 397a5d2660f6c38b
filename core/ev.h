/*
 * ev.h - a small epoll event loop with one-shot timers (evtimer.c).
 * Each process (worker, ctl, supervisor) runs one loop.
 */
#ifndef TD_EV_H
#define TD_EV_H

#include <stdint.h>

struct ev_loop;
struct ev_timer;

enum {
	EV_READ  = 1u << 0,
	EV_WRITE = 1u << 1,
	EV_ERROR = 1u << 2,     /* reported only: EPOLLERR / EPOLLHUP     */
};

typedef void (*ev_io_cb)(struct ev_loop *l, int fd, unsigned events,
                         void *arg);
typedef void (*ev_timer_cb)(struct ev_loop *l, void *arg);

struct ev_loop *ev_new(void);
void ev_free(struct ev_loop *l);     /* does not close the watched fds */

/* Watches fd (level-triggered).  0 or -1 (errno). */
int  ev_add(struct ev_loop *l, int fd, unsigned events, ev_io_cb cb,
            void *arg);
int  ev_mod(struct ev_loop *l, int fd, unsigned events);
/* Stops watching fd; safe to call from inside a callback, also for a fd
 * whose event is still pending in this round (it is not delivered). */
int  ev_del(struct ev_loop *l, int fd);

/* One-shot timer after ms; NULL on allocation failure. */
struct ev_timer *ev_timer_add(struct ev_loop *l, uint64_t ms,
                              ev_timer_cb cb, void *arg);
void ev_timer_cancel(struct ev_loop *l, struct ev_timer *t);

/* Called before each epoll_wait (flush queued writes, ...). */
void ev_set_before_sleep(struct ev_loop *l, void (*fn)(struct ev_loop *,
                         void *), void *arg);

/* Waits at most timeout_ms (-1: until the next timer) and dispatches.
 * Returns the number of callbacks run, or -1 on an epoll error. */
int  ev_run_once(struct ev_loop *l, int timeout_ms);
/* Runs until ev_stop(). 0, or -1 on error. */
int  ev_run(struct ev_loop *l);
void ev_stop(struct ev_loop *l);

/* Monotonic milliseconds. */
uint64_t ev_now_ms(void);

#endif
