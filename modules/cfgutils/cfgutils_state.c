/*
 * cfgutils_state.c - the probability and global flags in shared memory.
 */
#include "config.h"

#include "cfgutils_state.h"
#include "core/log.h"
#include "core/shm.h"

struct cfgu_state {
	int       prob;             /* rand_event() percent, 0..100 */
	unsigned  gflags;
};

/* Made in init, before fork; the pointer is read-only afterwards. */
static struct cfgu_state *st;
static int initial;

int
cfgu_state_init(int initial_prob, unsigned initial_gflags)
{
	if ((st = shm_calloc(1, sizeof(*st))) == NULL) {
		log_errx("cfgutils: no shared memory");
		return -1;
	}
	initial = initial_prob;
	st->prob = initial_prob;
	st->gflags = initial_gflags;
	return 0;
}

void
cfgu_state_destroy(void)
{
	shm_free(st);
	st = NULL;
}

int
cfgu_prob_get(void)
{
	return __atomic_load_n(&st->prob, __ATOMIC_RELAXED);
}

void
cfgu_prob_set(int p)
{
	__atomic_store_n(&st->prob, p, __ATOMIC_RELAXED);
}

void
cfgu_prob_reset(void)
{
	cfgu_prob_set(initial);
}

unsigned
cfgu_gflags_get(void)
{
	return __atomic_load_n(&st->gflags, __ATOMIC_RELAXED);
}

void
cfgu_gflags_set(unsigned mask)
{
	__atomic_fetch_or(&st->gflags, mask, __ATOMIC_RELAXED);
}

void
cfgu_gflags_reset(unsigned mask)
{
	__atomic_fetch_and(&st->gflags, ~mask, __ATOMIC_RELAXED);
}
