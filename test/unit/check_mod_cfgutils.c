/* check_mod_cfgutils.c - cfgutils' hash, probability and lock set. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/shm.h"
#include "core/str.h"
#include "modules/cfgutils/cfgutils_lock.h"
#include "modules/cfgutils/cfgutils_util.h"
#include "tcheck.h"

START_TEST(t_hash_stable_and_bounded)
{
	str_t a = STR_LIT("call-1@host"), b = STR_LIT("tag");
	str_t ab = STR_LIT("call-1@hosttag"), none = STR_LIT("");

	/* the same input always lands in the same bucket */
	ck_assert_uint_eq(cfgu_hash(&a, &b, 12), cfgu_hash(&a, &b, 12));
	/* s1 then s2 is the hash of the two joined */
	ck_assert_uint_eq(cfgu_hash(&a, &b, 16), cfgu_hash(&ab, NULL, 16));
	ck_assert_uint_eq(cfgu_hash(&a, &none, 16), cfgu_hash(&a, NULL, 16));
	for (unsigned bits = 0; bits <= 20; bits++)
		ck_assert_uint_lt(cfgu_hash(&a, &b, bits), 1u << bits);
	ck_assert_uint_eq(cfgu_hash(&a, NULL, 0), 0);
}
END_TEST

START_TEST(t_hash_spreads)
{
	enum { BITS = 4, N = 1 << BITS, KEYS = 16000 };
	unsigned count[N] = { 0 };
	char key[32];

	for (int i = 0; i < KEYS; i++) {
		str_t k;

		k.len = (size_t)snprintf(key, sizeof(key), "%d@10.0.0.1", i);
		k.s = key;
		count[cfgu_hash(&k, NULL, BITS)]++;
	}
	/* every bucket within 20% of the mean */
	for (int i = 0; i < N; i++) {
		ck_assert_uint_gt(count[i], KEYS / N * 8 / 10);
		ck_assert_uint_lt(count[i], KEYS / N * 12 / 10);
	}
}
END_TEST

START_TEST(t_core_hash)
{
	str_t a = STR_LIT("abc"), b = STR_LIT("def");
	long long h;

	for (long long size = -3; size <= CFGU_HASH_BITS_MAX; size++) {
		long long bits = size < 1 ? 1 : size;

		h = cfgu_core_hash(&a, &b, size);
		/* bucket + 1: always a true value for the script */
		ck_assert_int_ge(h, 1);
		ck_assert_int_le(h, 1LL << bits);
	}
	/* size 0 and 1 are the same, as in Kamailio */
	ck_assert_int_eq(cfgu_core_hash(&a, &b, 0), cfgu_core_hash(&a, &b, 1));
	ck_assert_int_eq(cfgu_core_hash(&a, &b, CFGU_HASH_BITS_MAX + 1), -1);
}
END_TEST

START_TEST(t_rand_hit)
{
	long range = 1000;
	int hits;

	for (long r = 0; r < range; r++) {
		ck_assert(!cfgu_rand_hit(0, r, range));
		ck_assert(cfgu_rand_hit(100, r, range));
	}
	/* p% of a uniform draw, exactly */
	for (int p = 1; p < 100; p++) {
		hits = 0;
		for (long r = 0; r < range; r++)
			hits += cfgu_rand_hit(p, r, range);
		ck_assert_int_eq(hits, p * 10);
	}
	ck_assert(!cfgu_rand_hit(50, 0, 0));
	ck_assert(cfgu_prob_valid(0) && cfgu_prob_valid(100));
	ck_assert(!cfgu_prob_valid(-1) && !cfgu_prob_valid(101));
}
END_TEST

/* --- the lock set ----------------------------------------------------------- */

static void
lockset_up(unsigned bits)
{
	log_set_level(L_ERR - 1);       /* the refusals are expected */
	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	ck_assert_int_eq(cfgu_lock_init(bits), 0);
}

static void
lockset_down(void)
{
	cfgu_lock_destroy();
	shm_destroy();
}

START_TEST(t_lock_no_set)
{
	str_t k = STR_LIT("k");

	lockset_up(0);
	ck_assert_int_eq(cfgu_lock(&k, 0), CFGU_LOCK_ERR);
	ck_assert_int_eq(cfgu_lock(&k, 1), CFGU_LOCK_ERR);
	ck_assert_int_eq(cfgu_unlock(&k), -1);
	lockset_down();
}
END_TEST

START_TEST(t_lock_bad_size)
{
	ck_assert_int_eq(shm_init((size_t)1 << 20), 0);
	log_set_level(L_ERR - 1);
	ck_assert_int_eq(cfgu_lock_init(CFGU_LOCK_BITS_MAX + 1), -1);
	shm_destroy();
}
END_TEST

START_TEST(t_lock_same_process)
{
	str_t k = STR_LIT("$ci-value");

	lockset_up(4);
	ck_assert_int_eq(cfgu_lock(&k, 0), CFGU_LOCK_TAKEN);
	ck_assert_int_eq(cfgu_lock_held(), 1);
	/* never waits for itself: an error, and trylock says busy */
	ck_assert_int_eq(cfgu_lock(&k, 0), CFGU_LOCK_ERR);
	ck_assert_int_eq(cfgu_lock(&k, 1), CFGU_LOCK_BUSY);
	ck_assert_int_eq(cfgu_unlock(&k), 1);
	ck_assert_int_eq(cfgu_lock_held(), 0);
	/* a second unlock is refused, not a crash or a BUG line */
	ck_assert_int_eq(cfgu_unlock(&k), -1);
	ck_assert_int_eq(cfgu_lock(&k, 1), CFGU_LOCK_TAKEN);
	ck_assert_int_eq(cfgu_unlock(&k), 1);
	lockset_down();
}
END_TEST

/* Runs fn in a child and returns its exit status. */
static int
in_child(int (*fn)(void *), void *arg)
{
	int st = 0;
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		_exit(fn(arg));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
child_trylock(void *arg)
{
	return cfgu_lock(arg, 1) == CFGU_LOCK_BUSY ? 10 : 11;
}

static int
child_unlock(void *arg)
{
	return cfgu_unlock(arg) == -1 ? 20 : 21;
}

static int
child_lock_exit(void *arg)
{
	/* takes the lock and dies holding it */
	return cfgu_lock(arg, 0) == CFGU_LOCK_TAKEN ? 30 : 31;
}

START_TEST(t_lock_across_processes)
{
	str_t k = STR_LIT("shared-key");

	lockset_up(4);
	ck_assert_int_eq(cfgu_lock(&k, 0), CFGU_LOCK_TAKEN);
	ck_assert_int_eq(in_child(child_trylock, &k), 10);
	/* only the holder can release */
	ck_assert_int_eq(in_child(child_unlock, &k), 20);
	ck_assert_int_eq(cfgu_unlock(&k), 1);
	/* a holder that dies does not wedge the others */
	ck_assert_int_eq(in_child(child_lock_exit, &k), 30);
	ck_assert_int_eq(cfgu_lock(&k, 0), CFGU_LOCK_TAKEN);
	ck_assert_int_eq(cfgu_unlock(&k), 1);
	lockset_down();
}
END_TEST

START_TEST(t_lock_release_all)
{
	str_t keys[3] = { STR_LIT("a"), STR_LIT("b"), STR_LIT("c") };
	int taken = 0;

	lockset_up(8);
	ck_assert_int_eq(cfgu_lock_release_all(), 0);
	for (int i = 0; i < 3; i++)
		if (cfgu_lock(&keys[i], 1) == CFGU_LOCK_TAKEN)
			taken++;
	/* distinct keys may share a lock; at least one was taken */
	ck_assert_int_ge(taken, 1);
	ck_assert_int_eq(cfgu_lock_held(), taken);
	ck_assert_int_eq(cfgu_lock_release_all(), taken);
	ck_assert_int_eq(cfgu_lock_held(), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(in_child(child_trylock, &keys[i]), 11);
	lockset_down();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_cfgutils");
	TCase *tc = tcase_create("util");
	TCase *tl = tcase_create("lock");

	tcase_add_test(tc, t_hash_stable_and_bounded);
	tcase_add_test(tc, t_hash_spreads);
	tcase_add_test(tc, t_core_hash);
	tcase_add_test(tc, t_rand_hit);
	tcase_add_test(tl, t_lock_no_set);
	tcase_add_test(tl, t_lock_bad_size);
	tcase_add_test(tl, t_lock_same_process);
	tcase_add_test(tl, t_lock_across_processes);
	tcase_add_test(tl, t_lock_release_all);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tl);
	return tcheck_run(s);
}
