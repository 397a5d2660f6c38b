/*
 * ht_table.h - one hash table in shared memory: 2^size slots, each a
 * list of items (name, int or string value, expiry), guarded by a lock
 * set (one lock per slot up to HT_MAX_LOCKS, then slots share them).
 *
 * Every item and string lives in shared memory, so all processes see
 * the same table.  The slot locks are recursive per process: a script
 * that took sht_lock("t=>k") can still read and write $sht(t=>k).
 *
 * Time comes from a replaceable clock (milliseconds, monotonic) so the
 * tests can move it.  An item whose expiry has passed is gone for every
 * operation, even before the timer sweep (ht_table_expire) frees it.
 */
#ifndef TD_HT_TABLE_H
#define TD_HT_TABLE_H

#include <regex.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/lock.h"
#include "core/str.h"
#include "ht_param.h"

#define HT_MAX_LOCKS  16384u

enum ht_vtype { HT_NONE = 0, HT_INT, HT_STR };

/* A value going in (s borrowed) or coming out (s in the caller's arena,
 * or pointing into the table inside a ht_table_foreach callback). */
struct ht_value {
	enum ht_vtype  type;
	long long      n;
	str_t          s;
};

struct ht_item {
	struct ht_item  *next;
	uint32_t         hash;
	uint32_t         name_len;
	uint32_t         str_len;
	enum ht_vtype    type;
	long long        n;
	long long        expire;        /* ms on the ht clock; 0 = never */
	char             data[];        /* name NUL [string value NUL]   */
};

/* Recursion bookkeeping of one lock of the set, in shm beside it. */
struct ht_rlock {
	uint64_t         holder;        /* process token; atomic access */
	unsigned         depth;
};

struct ht_table {
	char             *name;         /* shm copy                        */
	unsigned          size;         /* exponent                        */
	unsigned          nslots;       /* 2^size                          */
	unsigned          autoexpire;   /* seconds, 0 = never              */
	int               has_initval;
	long long         initval;
	int               updateexpire;
	struct ht_item  **slots;
	struct lock_set  *locks;
	struct ht_rlock  *rlocks;       /* locks->n entries                */
};

/* --- the clock --------------------------------------------------------- */

typedef long long (*ht_clock_fn)(void);
/* Replaces the clock (NULL restores CLOCK_MONOTONIC in milliseconds). */
void      ht_set_clock(ht_clock_fn fn);
long long ht_now_ms(void);

/* --- life cycle (supervisor, before fork) ------------------------------ */

/* A table for spec in shm, or NULL (logged: shm exhausted). */
struct ht_table *ht_table_create(const struct ht_spec *spec);
/* Frees the items, slots, locks and the table; NULL is fine. */
void ht_table_destroy(struct ht_table *t);

uint32_t ht_hash(const str_t *key);

/* --- items ------------------------------------------------------------- */

/*
 * Sets key to v (HT_INT or HT_STR; the string is copied into shm).  A
 * new item expires autoexpire seconds from now; an existing one keeps
 * its expiry unless the table has updateexpire.  0, or -1 (no shm,
 * logged).
 */
int  ht_table_set(struct ht_table *t, const str_t *key,
                  const struct ht_value *v);
/*
 * Copies the value of key into *out (a string into arena a).  1 when
 * found, 0 when missing or expired (out->type HT_NONE; the initval is
 * the caller's business), -1 when the arena is full.
 */
int  ht_table_get(struct ht_table *t, const str_t *key, struct arena *a,
                  struct ht_value *out);
/* The same, also giving the ms until the item expires (0 = never). */
int  ht_table_get_ex(struct ht_table *t, const str_t *key, struct arena *a,
                     struct ht_value *out, long long *expire_in_ms);
/* 1 when an item was removed, 0 when there was none. */
int  ht_table_del(struct ht_table *t, const str_t *key);

enum ht_add_rc {
	HT_ADD_NOMEM = -1,
	HT_ADD_MISSING = 0,     /* no item and no initval               */
	HT_ADD_NOTINT = 1,      /* the item holds a string              */
	HT_ADD_OK = 2,
};
/*
 * Atomically adds delta to key's integer value and stores the result in
 * *out.  A missing (or expired) item is created as initval + delta when
 * the table has an initval.
 */
enum ht_add_rc ht_table_add(struct ht_table *t, const str_t *key,
                            long long delta, long long *out);

/* Seconds until key expires (rounded up), 0 when it never does: 1; or 0
 * when there is no such item. */
int  ht_table_get_expire(struct ht_table *t, const str_t *key,
                         long long *secs);
/*
 * Makes key expire secs seconds from now (0: never).  1 when set; 0 when
 * there is no such item, or the table has no autoexpire (Kamailio only
 * expires items of such tables, so it ignores the write too).
 */
int  ht_table_set_expire(struct ht_table *t, const str_t *key,
                         long long secs);

/* --- matching many items ----------------------------------------------- */

enum ht_field { HT_NAME, HT_VALUE };
enum ht_op { HT_OP_RE, HT_OP_PREFIX, HT_OP_SUFFIX, HT_OP_EQ,
	HT_OP_CONTAINS };

struct ht_match {
	enum ht_op      op;
	const regex_t  *re;     /* HT_OP_RE                               */
	str_t           s;      /* the others                             */
};

/* 1 when subject (NUL-terminated at subject->len) matches. */
int  ht_match(const struct ht_match *mt, const str_t *subject);
/* Items whose name / string value matches (integer values never do). */
long ht_table_count(struct ht_table *t, enum ht_field f,
                    const struct ht_match *mt);
long ht_table_remove(struct ht_table *t, enum ht_field f,
                     const struct ht_match *mt);
/* Removes every item; returns how many there were. */
long ht_table_reset(struct ht_table *t);
/* Frees the expired items (the timer); returns how many. */
long ht_table_expire(struct ht_table *t);

/* --- explicit locking (sht_lock / sht_unlock) -------------------------- */

void ht_table_lock_key(struct ht_table *t, const str_t *key);
/* 0, or -1 when this process does not hold that key's lock. */
int  ht_table_unlock_key(struct ht_table *t, const str_t *key);

/* --- walking (RPC) ----------------------------------------------------- */

struct ht_item_view {
	str_t             name;
	struct ht_value   value;        /* s points into the table      */
	long long         expire_in_ms; /* 0 = never                     */
};

struct ht_walk_ops {
	/* each non-empty slot, with its number of live items */
	void (*slot_begin)(void *ctx, unsigned slot, unsigned count);
	void (*item)(void *ctx, const struct ht_item_view *it);
	void (*slot_end)(void *ctx, unsigned slot);
};
/* Calls ops for every live item, slot by slot, each slot under its
 * lock: the callbacks must not touch the table. */
void ht_table_walk(struct ht_table *t, const struct ht_walk_ops *ops,
                   void *ctx);

struct ht_stats {
	unsigned  slots;
	unsigned  all;          /* live items                       */
	unsigned  min, max;     /* fewest / most live items per slot */
};
void ht_table_stats(struct ht_table *t, struct ht_stats *st);

#endif
