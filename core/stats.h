/*
 * stats.h - named counters in shared memory ("group:name"), registered
 * before fork by the core and modules, updated lock-free from any
 * process, read by the kex module's stats.* RPCs.
 */
#ifndef TD_STATS_H
#define TD_STATS_H

#include <stdint.h>

struct stat_var;

enum {
	STAT_NO_RESET = 1u << 0,        /* stats.reset_statistics skips it */
	STAT_IS_GAUGE = 1u << 1,        /* a current value, not a counter  */
};

/* Registers group:name (before fork; after shm_init).  Returns the
 * counter, the existing one when already registered, or NULL. */
struct stat_var *stats_register(const char *group, const char *name,
                                unsigned flags);
struct stat_var *stats_find(const char *group, const char *name);

void     stats_inc(struct stat_var *v);
void     stats_add(struct stat_var *v, int64_t n);
void     stats_set(struct stat_var *v, int64_t n);
int64_t  stats_get(const struct stat_var *v);
void     stats_reset(struct stat_var *v);

/* Iteration in registration order. */
int              stats_count(void);
struct stat_var *stats_at(int i);
const char      *stats_group(const struct stat_var *v);
const char      *stats_name(const struct stat_var *v);
unsigned         stats_flags(const struct stat_var *v);

#endif
