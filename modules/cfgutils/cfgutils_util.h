/*
 * cfgutils_util.h - the pure parts of cfgutils: the hash behind
 * core_hash() and lock(key), and the probability test of rand_event().
 * No module interface, no globals: the unit tests link this file alone.
 */
#ifndef TD_CFGUTILS_UTIL_H
#define TD_CFGUTILS_UTIL_H

#include "core/str.h"

#define CFGU_PROB_MAX       100     /* rand_set_prob() range: 0..100   */
#define CFGU_HASH_BITS_MAX  30      /* core_hash() size: 1..30         */
#define CFGU_LOCK_BITS_MAX  14      /* lock_set_size: 0..14            */
#define CFGU_FLAG_MAX       31      /* gflags 0..31                    */

/*
 * 32-bit FNV-1a over s1 then s2 (either may be NULL), folded into
 * 2^bits buckets (bits 0..32; 0 gives bucket 0).  Fast and well spread
 * for short keys such as Call-IDs; not meant to resist an attacker.
 */
unsigned cfgu_hash(const str_t *s1, const str_t *s2, unsigned bits);

/*
 * What core_hash(s1, s2, size) returns: the bucket + 1, so that the
 * result is always a true value for the script (0 would end it).
 * size < 1 is taken as 1, as Kamailio does; size > CFGU_HASH_BITS_MAX
 * is an error: -1.
 */
long long cfgu_core_hash(const str_t *s1, const str_t *s2, long long size);

/* 1 when a draw r (uniform in 0..range-1) hits probability prob (%). */
int cfgu_rand_hit(int prob, long r, long range);

/* 1 when p is a valid probability (0..CFGU_PROB_MAX). */
int cfgu_prob_valid(long long p);

#endif
