/*
 * cfgutils_lock.h - the lock set behind lock(key) / trylock(key) /
 * unlock(key): 2^bits robust process-shared locks in shared memory, a
 * key picking one by its hash.
 *
 * A lock belongs to the process that took it (core/lock.h records the
 * holder): only that process can release it, and a process never waits
 * for a lock it already holds (it would wait forever), it gets an error.
 */
#ifndef TD_CFGUTILS_LOCK_H
#define TD_CFGUTILS_LOCK_H

#include "core/str.h"

/* Creates the set (supervisor, before fork); bits 0: no set.  0 or -1. */
int  cfgu_lock_init(unsigned bits);
void cfgu_lock_destroy(void);

enum cfgu_lock_rc {
	CFGU_LOCK_ERR = -1,     /* no set, or held by this process (logged) */
	CFGU_LOCK_BUSY = 0,     /* trylock: held by another process         */
	CFGU_LOCK_TAKEN = 1,
};

/* Takes the lock of key, waiting for it unless try. */
enum cfgu_lock_rc cfgu_lock(const str_t *key, int try);
/* Releases the lock of key: 1, or -1 when this process does not hold it
 * (logged). */
int  cfgu_unlock(const str_t *key);
/* How many locks this process holds. */
int  cfgu_lock_held(void);
/* Releases every lock this process holds; returns how many. */
int  cfgu_lock_release_all(void);

#endif
