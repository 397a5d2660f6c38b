/*
 * timer.h - the timer process: callbacks registered before fork (by the
 * core and by modules in their init) run there, each at its interval.
 * A callback runs in the timer process only, so it must work on shared
 * memory (cmap expiry, htable autoexpire, idle connections...).
 */
#ifndef TD_TIMER_H
#define TD_TIMER_H

typedef void (*timer_cb)(void *arg);

/* Registers cb to run every interval_ms (>= 10).  Before fork only.
 * 0, or -1 (too many timers, or called after fork: logged). */
int  timer_register(const char *name, unsigned interval_ms, timer_cb cb,
                    void *arg);
int  timer_count(void);
/* Runs the due callbacks once (solo mode and tests); returns the ms
 * until the next one is due. */
int  timer_run_due(void);
/* The timer process's loop; returns when *stop becomes non-zero. */
void timer_loop(volatile int *stop);
/* After fork, in every process: registration is closed. */
void timer_freeze(void);

#endif
