/*
 * cnt_stats.h - the core's statistics (core/stats.h) seen as Kamailio's
 * counters: groups and the counters of a group, both sorted by name,
 * reset, and the description cnt.help shows.
 */
#ifndef TD_CNT_STATS_H
#define TD_CNT_STATS_H

#include <stdint.h>

#include "core/stats.h"

/* What cnt.help says of a statistic nobody described. */
#define CNT_NO_DESC "tandem statistic (no description)"

/*
 * The distinct group names, sorted (strcmp), in a new pkg array of *n
 * entries pointing into the statistics table; NULL with *n = 0 when
 * there is none or memory ran out (then *n = -1).
 */
const char      **cnt_stats_groups(int *n);
/* The statistics of group, sorted by name, in a new pkg array; as
 * above (an unknown group is *n = 0). */
struct stat_var **cnt_stats_vars(const char *group, int *n);

/* Sets v to 0 unless it is a gauge kept by its owner (STAT_NO_RESET);
 * an update racing with the reset is kept, not lost.  Returns the value
 * before. */
int64_t cnt_stats_clear(struct stat_var *v);

/* Brings the shmem:* gauges (kex registers them) up to date before
 * they are read, as kex does for its own RPCs. */
void cnt_stats_refresh(void);

/* The description of group.name: the script_counter text, or
 * CNT_NO_DESC. */
const char *cnt_stats_desc(const char *group, const char *name);

#endif
