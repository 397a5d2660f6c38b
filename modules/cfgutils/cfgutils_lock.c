/*
 * cfgutils_lock.c - the shared lock set of lock()/trylock()/unlock().
 */
#include "config.h"

#include <unistd.h>

#include "cfgutils_lock.h"
#include "cfgutils_util.h"
#include "core/lock.h"
#include "core/log.h"

/* Made in the supervisor before fork; the pointer is then read-only. */
static struct lock_set *cfgu_set;
static unsigned cfgu_bits;
/* Locks the calling process holds: the end-of-message sweep is skipped
 * while it is 0, which is the usual case. */
static int cfgu_held;

int
cfgu_lock_init(unsigned bits)
{
	if (bits == 0)
		return 0;
	if (bits > CFGU_LOCK_BITS_MAX) {
		log_errx("cfgutils: lock_set_size %u is more than %d", bits,
		    CFGU_LOCK_BITS_MAX);
		return -1;
	}
	if ((cfgu_set = lock_set_alloc(1u << bits)) == NULL) {
		log_errx("cfgutils: no shared memory for %u locks",
		    1u << bits);
		return -1;
	}
	cfgu_bits = bits;
	return 0;
}

void
cfgu_lock_destroy(void)
{
	lock_set_free(cfgu_set);
	cfgu_set = NULL;
	cfgu_bits = 0;
}

static struct lock *
cfgu_lock_of(const str_t *key)
{
	return &cfgu_set->locks[cfgu_hash(key, NULL, cfgu_bits)];
}

enum cfgu_lock_rc
cfgu_lock(const str_t *key, int try)
{
	struct lock *l;

	if (cfgu_set == NULL) {
		log_errx("cfgutils: lock(%.*s): there is no lock set "
		    "(modparam lock_set_size is 0)", STR_FMT(key));
		return CFGU_LOCK_ERR;
	}
	l = cfgu_lock_of(key);
	/* single-threaded processes: owner == us means we hold it */
	if (l->owner == getpid()) {
		if (try)
			return CFGU_LOCK_BUSY;
		log_errx("cfgutils: lock(%.*s): this process already holds "
		    "its lock (same key, or a key with the same hash): not "
		    "waiting for itself", STR_FMT(key));
		return CFGU_LOCK_ERR;
	}
	if (try) {
		if (!lock_try(l))
			return CFGU_LOCK_BUSY;
	} else if (lock_acquire(l) == LOCK_ERR) {
		return CFGU_LOCK_ERR;
	}
	cfgu_held++;
	return CFGU_LOCK_TAKEN;
}

int
cfgu_unlock(const str_t *key)
{
	struct lock *l;

	if (cfgu_set == NULL) {
		log_errx("cfgutils: unlock(%.*s): there is no lock set "
		    "(modparam lock_set_size is 0)", STR_FMT(key));
		return -1;
	}
	l = cfgu_lock_of(key);
	if (l->owner != getpid()) {
		log_warnx("cfgutils: unlock(%.*s): this process does not "
		    "hold that lock", STR_FMT(key));
		return -1;
	}
	lock_release(l);
	if (cfgu_held > 0)
		cfgu_held--;
	return 1;
}

int
cfgu_lock_held(void)
{
	return cfgu_held;
}

int
cfgu_lock_release_all(void)
{
	pid_t me = getpid();
	int n = 0;

	if (cfgu_set == NULL || cfgu_held == 0)
		return 0;
	for (unsigned i = 0; i < cfgu_set->n; i++) {
		if (cfgu_set->locks[i].owner == me) {
			lock_release(&cfgu_set->locks[i]);
			n++;
		}
	}
	cfgu_held = 0;
	return n;
}
