/* check_lock.c - robust process-shared locks, across fork. */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/lock.h"
#include "core/shm.h"
#include "tcheck.h"

#define NPROC           4
#define SET_SIZE        8

struct shared {
	struct lock    l;
	volatile long  counter;
	volatile long  slots[SET_SIZE];
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static struct shared *
shared_new(void)
{
	struct shared *sh;

	ck_assert_int_eq(shm_init((size_t)4 << 20), 0);
	sh = shm_calloc(1, sizeof(*sh));
	ck_assert_ptr_nonnull(sh);
	ck_assert_int_eq(lock_init(&sh->l), 0);
	return sh;
}

static void
shared_free(struct shared *sh)
{
	lock_destroy(&sh->l);
	shm_free(sh);
	shm_destroy();
}


static void
wait_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child %d: status %#x", (int)pid, status);
}

/* Forks a child that takes l, reports through a pipe, then runs how. */
enum holder_end { HOLD_PAUSE, HOLD_EXIT, HOLD_RELEASE_ON_WORD };

static pid_t
spawn_holder(struct lock *l, enum holder_end how, int *to_child)
{
	int up[2], down[2];
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		lock_get(l);
		if (write(up[1], "x", 1) != 1)
			_exit(3);
		if (how == HOLD_EXIT)
			_exit(0);               /* dies holding the lock */
		if (how == HOLD_PAUSE)
			for (;;)
				pause();
		if (read(down[0], &c, 1) != 1)
			_exit(4);
		lock_release(l);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ck_assert_int_eq(read(up[0], &c, 1), 1);
	close(up[0]);
	if (to_child != NULL)
		*to_child = down[1];
	else
		close(down[1]);
	return pid;
}

START_TEST(t_basic)
{
	struct shared *sh = shared_new();

	ck_assert_int_eq(sh->l.owner, 0);
	lock_get(&sh->l);
	ck_assert_int_eq(sh->l.owner, getpid());
	/* not recursive: the holder itself finds it busy */
	ck_assert_int_eq(lock_try(&sh->l), 0);
	lock_release(&sh->l);
	ck_assert_int_eq(sh->l.owner, 0);
	ck_assert_int_eq(lock_try(&sh->l), 1);
	ck_assert_int_eq(sh->l.owner, getpid());
	lock_release(&sh->l);
	ck_assert_int_eq(lock_acquire(&sh->l), LOCK_TAKEN);
	lock_release(&sh->l);
	shared_free(sh);
}
END_TEST

START_TEST(t_mutual_exclusion)
{
	struct shared *sh = shared_new();
	pid_t pid[NPROC];

	for (int i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0) {
			for (int k = 0; k < 100000; k++) {
				long v;

				lock_get(&sh->l);
				if (sh->l.owner != getpid())
					_exit(1);
				/* a read-modify-write that loses updates
				 * as soon as two processes overlap */
				v = sh->counter;
				sh->counter = v + 1;
				lock_release(&sh->l);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < NPROC; i++)
		wait_ok(pid[i]);
	ck_assert_int_eq(sh->counter, NPROC * 100000L);
	ck_assert_int_eq(sh->l.owner, 0);
	shared_free(sh);
}
END_TEST

START_TEST(t_try_across_fork)
{
	struct shared *sh = shared_new();
	int to_child = -1;
	pid_t pid;

	pid = spawn_holder(&sh->l, HOLD_RELEASE_ON_WORD, &to_child);
	ck_assert_int_eq(sh->l.owner, pid);
	ck_assert_int_eq(lock_try(&sh->l), 0);
	ck_assert_int_eq(sh->l.owner, pid);
	ck_assert_int_eq(write(to_child, "r", 1), 1);
	close(to_child);
	wait_ok(pid);
	ck_assert_int_eq(sh->l.owner, 0);
	ck_assert_int_eq(lock_try(&sh->l), 1);
	lock_release(&sh->l);
	shared_free(sh);
}
END_TEST

START_TEST(t_dead_holder_killed)
{
	struct shared *sh = shared_new();
	struct tcheck_capture cap;
	char want[80];
	pid_t pid;

	pid = spawn_holder(&sh->l, HOLD_PAUSE, NULL);
	ck_assert_int_eq(sh->l.owner, pid);
	ck_assert_int_eq(lock_try(&sh->l), 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);

	tcheck_capture_begin(&cap);
	ck_assert_int_eq(lock_acquire(&sh->l), LOCK_RECOVERED);
	snprintf(want, sizeof(want), "lock held by dead process %d recovered",
	    (int)pid);
	ck_assert_msg(strstr(tcheck_capture_end(&cap), want), "log: %s", cap.text);
	ck_assert_int_eq(sh->l.owner, getpid());
	lock_release(&sh->l);

	/* consistent again: an ordinary lock from now on */
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(lock_acquire(&sh->l), LOCK_TAKEN);
	lock_release(&sh->l);
	lock_get(&sh->l);
	lock_release(&sh->l);
	ck_assert_str_eq(tcheck_capture_end(&cap), "");
	shared_free(sh);
}
END_TEST

START_TEST(t_dead_holder_exited)
{
	struct shared *sh = shared_new();
	struct tcheck_capture cap;
	pid_t pid;

	pid = spawn_holder(&sh->l, HOLD_EXIT, NULL);
	wait_ok(pid);
	ck_assert_int_eq(sh->l.owner, pid);

	/* lock_try takes it over as well */
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(lock_try(&sh->l), 1);
	ck_assert(strstr(tcheck_capture_end(&cap), "lock held by dead process"));
	ck_assert_int_eq(sh->l.owner, getpid());
	lock_release(&sh->l);
	ck_assert_int_eq(lock_try(&sh->l), 1);
	lock_release(&sh->l);

	/* and a second death is recovered the same way, by lock_get */
	pid = spawn_holder(&sh->l, HOLD_EXIT, NULL);
	wait_ok(pid);
	tcheck_capture_begin(&cap);
	lock_get(&sh->l);
	ck_assert(strstr(tcheck_capture_end(&cap), "lock held by dead process"));
	ck_assert_int_eq(sh->l.owner, getpid());
	lock_release(&sh->l);
	shared_free(sh);
}
END_TEST

START_TEST(t_lock_set)
{
	struct shm_stats st0, st;
	struct lock_set *s;
	struct tcheck_capture cap;

	ck_assert_int_eq(shm_init((size_t)1 << 20), 0);
	shm_get_stats(&st0);
	s = lock_set_alloc(SET_SIZE);
	ck_assert_ptr_nonnull(s);
	ck_assert(shm_contains(s));
	ck_assert_uint_eq(s->n, SET_SIZE);

	/* i is taken modulo n */
	lock_set_get(s, 3 + 2 * SET_SIZE);
	ck_assert_int_eq(lock_try(&s->locks[3]), 0);
	ck_assert_int_eq(s->locks[3].owner, getpid());
	for (unsigned i = 0; i < SET_SIZE; i++) {
		if (i == 3)
			continue;
		ck_assert_int_eq(lock_try(&s->locks[i]), 1);
		lock_release(&s->locks[i]);
	}
	lock_set_release(s, 3);
	ck_assert_int_eq(lock_try(&s->locks[3]), 1);
	lock_release(&s->locks[3]);

	lock_set_free(s);
	lock_set_free(NULL);
	shm_get_stats(&st);
	ck_assert_uint_eq(st.allocs, st0.allocs);
	ck_assert_uint_eq(st.free, st0.free);

	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(lock_set_alloc(0));
	/* larger than the region: NULL, nothing leaked */
	ck_assert_ptr_null(lock_set_alloc(1u << 20));
	tcheck_capture_end(&cap);
	shm_get_stats(&st);
	ck_assert_uint_eq(st.allocs, st0.allocs);
	ck_assert_uint_eq(st.failed, st0.failed + 1);
	shm_destroy();
}
END_TEST

START_TEST(t_lock_set_fork)
{
	struct shared *sh = shared_new();
	struct lock_set *s = lock_set_alloc(SET_SIZE);
	long want[SET_SIZE] = { 0 }, total = 0;
	pid_t pid[NPROC];

	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0) {
			uint64_t seed = 77 + (uint64_t)i;

			for (int k = 0; k < 50000; k++) {
				unsigned j = (unsigned)rnd(&seed);
				long v;

				lock_set_get(s, j);
				v = sh->slots[j % SET_SIZE];
				sh->slots[j % SET_SIZE] = v + 1;
				lock_set_release(s, j);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < NPROC; i++)
		wait_ok(pid[i]);
	/* replay the children's choices to know each slot's count */
	for (int i = 0; i < NPROC; i++) {
		uint64_t seed = 77 + (uint64_t)i;

		for (int k = 0; k < 50000; k++)
			want[(unsigned)rnd(&seed) % SET_SIZE]++;
	}
	for (int j = 0; j < SET_SIZE; j++) {
		ck_assert_int_eq(sh->slots[j], want[j]);
		total += sh->slots[j];
	}
	ck_assert_int_eq(total, NPROC * 50000L);
	lock_set_free(s);
	shared_free(sh);
}
END_TEST

START_TEST(t_lock_set_dead_holder)
{
	struct lock_set *s;
	struct tcheck_capture cap;
	pid_t pid;

	ck_assert_int_eq(shm_init((size_t)1 << 20), 0);
	s = lock_set_alloc(4);
	ck_assert_ptr_nonnull(s);
	pid = spawn_holder(&s->locks[2], HOLD_PAUSE, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	tcheck_capture_begin(&cap);
	lock_set_get(s, 6);
	ck_assert(strstr(tcheck_capture_end(&cap), "lock held by dead process"));
	lock_set_release(s, 6);
	lock_set_free(s);
	shm_destroy();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("lock");

	/* contended across processes, and slower under sanitizers */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, t_basic);
	tcase_add_test(tc, t_mutual_exclusion);
	tcase_add_test(tc, t_try_across_fork);
	tcase_add_test(tc, t_dead_holder_killed);
	tcase_add_test(tc, t_dead_holder_exited);
	tcase_add_test(tc, t_lock_set);
	tcase_add_test(tc, t_lock_set_fork);
	tcase_add_test(tc, t_lock_set_dead_holder);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
