/*
 * ul_table.h - one location table ("location") in shared memory: a
 * hash of records, one per AOR, each with its list of contacts, guarded
 * by a lock set (one lock per slot up to UL_MAX_LOCKS, then shared).
 *
 * Records and contacts live in shared memory, so every process sees the
 * same bindings.  Each operation locks the AOR's slot and copies what
 * it returns into the caller's arena.  Time comes from a replaceable
 * clock (UNIX seconds) so tests can move it; a contact past its expiry
 * is gone for every operation before ul_table_expire() frees it.
 */
#ifndef TD_UL_TABLE_H
#define TD_UL_TABLE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/lock.h"
#include "core/str.h"
#include "usrloc_api.h"

#define UL_MAX_LOCKS  4096u

struct ul_contact;
struct ul_record;

struct ul_table {
	char               *name;       /* shm copy                        */
	unsigned            nslots;     /* a power of two                  */
	struct ul_record  **slots;
	struct lock_set    *locks;
	int                 time_order; /* best = most recent, q ignored */
	/* gauges kept with atomic operations (several slots at once) */
	long                users;      /* records with contacts           */
	long                contacts;
	long                expired;    /* contacts the timer removed       */
};

/* --- the clock --------------------------------------------------------- */

typedef long long (*ul_clock_fn)(void);
/* Replaces the clock (NULL restores time(NULL)). */
void      ul_set_clock(ul_clock_fn fn);
long long ul_now(void);

/* --- life cycle (supervisor, before fork) ------------------------------ */

/* A table of 2^size_exp slots in shm, or NULL (logged). */
struct ul_table *ul_table_create(const char *name, unsigned size_exp);
/* Frees every record, the slots, locks and the table; NULL is fine. */
void ul_table_destroy(struct ul_table *t);

/* --- operations (any process) ----------------------------------------- */

/* See usrloc_api.h lookup: 1 found, 0 none, -1 arena full. */
int  ul_table_lookup(struct ul_table *t, const str_t *aor, struct arena *a,
                     struct ul_contacts *out);
/* See usrloc_api.h update. */
enum ul_rc ul_table_update(struct ul_table *t, const str_t *aor,
                           const struct ul_change *ch, int n,
                           const struct ul_update_opts *o, struct arena *a,
                           struct ul_contacts *out);
/* Adds or replaces one binding (ul.add): 0, or -1 (no shm, logged). */
int  ul_table_put(struct ul_table *t, const str_t *aor,
                  const struct ul_contact_info *ci);
/* Bindings removed (0 when the AOR had none). */
int  ul_table_delete_aor(struct ul_table *t, const str_t *aor);
/* 1 removed, 0 no such binding. */
int  ul_table_delete_contact(struct ul_table *t, const str_t *aor,
                             const str_t *contact);
/* Frees the expired contacts and empty records; returns how many
 * contacts were removed. */
long ul_table_expire(struct ul_table *t);
/* Removes every record; returns how many contacts there were. */
long ul_table_flush(struct ul_table *t);

/* --- walking (RPC) ----------------------------------------------------- */

/*
 * Calls fn for each AOR with its live contacts (best first), slot by
 * slot: a slot's records are copied into a under its lock, then the
 * callbacks run outside it and a is reset.  Returns the number of AORs
 * visited, or -1 when the arena is full (logged).
 */
long ul_table_walk(struct ul_table *t, struct arena *a,
                   void (*fn)(void *ctx, const str_t *aor,
                              const struct ul_contacts *cs),
                   void *ctx);

/* Orders contacts best first: q descending, then most recent first
 * (time_only: most recent first, q ignored). */
void ul_contacts_sort(struct ul_contact_info *v, int n, int time_only);

#endif
