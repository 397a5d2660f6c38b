/*
 * ht_expire.h - the sweep that frees expired items, run by the core's
 * timer process every timer_interval.  Reads never depend on it: an
 * item past its expiry is already invisible (ht_table.h); the sweep only
 * gives its memory back.
 */
#ifndef TD_HT_EXPIRE_H
#define TD_HT_EXPIRE_H

/* One sweep over every table that has autoexpire; returns the number
 * of items freed.  What the timer runs. */
long ht_expire_sweep_all(void);

/*
 * Registers the sweep with the core timer to run every interval_ms
 * (before fork).  Nothing is registered when no table has autoexpire.
 * 0, or -1 (logged).
 */
int  ht_expire_start(unsigned interval_ms);

#endif
