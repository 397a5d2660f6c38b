/*
 * kex_stats.h - what the stats.* RPCs select and print, over the core's
 * named counters (core/stats.h).  No RPC here: the handlers in
 * kex_rpc.c turn these into replies, and the unit tests call them.
 */
#ifndef TD_KEX_STATS_H
#define TD_KEX_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "core/str.h"

typedef void (*kex_stat_fn)(void *ctx, struct stat_var *v);

/*
 * Calls fn for each statistic that selector sel names, in group then
 * name order:
 *   "all"                 every statistic
 *   "group:"              every statistic of the group
 *   "group:name" or "group.name"   that one
 *   "name"                that name, in whichever group has it
 * Returns how many matched (0: none, which is not an error), or -1 when
 * memory ran out (logged).
 */
int  kex_stats_select(const str_t *sel, kex_stat_fn fn, void *ctx);

/* "group:name = value" (Kamailio's stats.get_statistics line) into buf,
 * NUL-terminated; returns its length (truncated to len - 1). */
size_t kex_stats_line(const struct stat_var *v, int64_t value, char *buf,
                      size_t len);

/* "group.name", the key of stats.fetch; as kex_stats_line(). */
size_t kex_stats_key(const struct stat_var *v, char *buf, size_t len);

/*
 * Zeroes v unless it is STAT_NO_RESET, keeping increments that race
 * with the reset (only the value read is taken away).  Returns the
 * value it had.
 */
int64_t kex_stats_clear(struct stat_var *v);

/* Registers the shmem:* gauges (init, before fork).  0 or -1. */
int  kex_stats_shm_register(void);
/* Brings the shmem:* gauges up to date (before a read). */
void kex_stats_shm_refresh(void);

#endif
