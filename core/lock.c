/*
 * lock.c - robust process-shared mutexes living in shared memory.
 *
 * A worker that crashes (or is killed) while holding a lock must not
 * wedge the others, so every mutex is PTHREAD_MUTEX_ROBUST: the next
 * locker gets EOWNERDEAD, marks the mutex consistent and carries on,
 * logging the pid that was recorded as the holder.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "shm.h"

/*
 * getpid() has been a real system call since glibc 2.25, too slow for
 * every lock_get(), so the pid is cached.  The atfork handler refreshes
 * it in every child; a process whose cache is still 0 registers the
 * handler on first use, so any process with a non-zero cache has it.
 */
static pid_t lock_self_pid;

static void
lock_atfork_child(void)
{
	lock_self_pid = getpid();
}

static void
lock_register_atfork(void)
{
	int rc = pthread_atfork(NULL, NULL, lock_atfork_child);

	if (rc != 0)
		log_errx("lock: pthread_atfork() failed: %s", strerror(rc));
}

static pid_t
lock_self_slow(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, lock_register_atfork);
	lock_self_pid = getpid();
	return lock_self_pid;
}

static inline pid_t
lock_self(void)
{
	pid_t pid = lock_self_pid;

	return __builtin_expect(pid != 0, 1) ? pid : lock_self_slow();
}

int
lock_init(struct lock *l)
{
	pthread_mutexattr_t attr;
	int rc;

	rc = pthread_mutexattr_init(&attr);
	if (rc != 0) {
		log_errx("lock_init: pthread_mutexattr_init() failed: %s",
		    strerror(rc));
		return -1;
	}
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutex_init(&l->m, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		log_errx("lock_init: robust process-shared mutex: %s",
		    strerror(rc));
		return -1;
	}
	l->owner = 0;
	(void)lock_self();
	return 0;
}

void
lock_destroy(struct lock *l)
{
	int rc = pthread_mutex_destroy(&l->m);

	if (rc != 0)
		log_bug("lock_destroy(%p): pthread_mutex_destroy() failed: %s",
		    (void *)l, strerror(rc));
	l->owner = 0;
}

/* The slow path of lock_acquire() and lock_try(): rc is not 0 or EBUSY. */
static enum lock_rc
lock_recover(struct lock *l, int rc, const char *fn)
{
	pid_t dead;

	if (rc != EOWNERDEAD) {
		/* ENOTRECOVERABLE cannot happen as long as every EOWNERDEAD
		 * is made consistent here; anything else is a bad lock */
		log_crit("%s(%p): pthread_mutex_lock() failed: %s", fn,
		    (void *)l, strerror(rc));
		return LOCK_ERR;
	}
	dead = l->owner;
	rc = pthread_mutex_consistent(&l->m);
	if (rc != 0) {
		log_crit("%s(%p): pthread_mutex_consistent() failed: %s", fn,
		    (void *)l, strerror(rc));
		pthread_mutex_unlock(&l->m);
		return LOCK_ERR;
	}
	l->owner = lock_self();
	log_warnx("lock held by dead process %d recovered", (int)dead);
	return LOCK_RECOVERED;
}

enum lock_rc
lock_acquire(struct lock *l)
{
	int rc = pthread_mutex_lock(&l->m);

	if (__builtin_expect(rc == 0, 1)) {
		l->owner = lock_self();
		return LOCK_TAKEN;
	}
	return lock_recover(l, rc, "lock_get");
}

void
lock_get(struct lock *l)
{
	(void)lock_acquire(l);
}

int
lock_try(struct lock *l)
{
	int rc = pthread_mutex_trylock(&l->m);

	if (rc == 0) {
		l->owner = lock_self();
		return 1;
	}
	if (rc == EBUSY)
		return 0;
	return lock_recover(l, rc, "lock_try") != LOCK_ERR;
}

void
lock_release(struct lock *l)
{
	int rc;

	l->owner = 0;
	rc = pthread_mutex_unlock(&l->m);
	if (__builtin_expect(rc != 0, 0))
		log_bug("lock_release(%p): pthread_mutex_unlock() failed: %s",
		    (void *)l, strerror(rc));
}

struct lock_set *
lock_set_alloc(unsigned n)
{
	struct lock_set *s = NULL;
	unsigned i = 0;

	if (n == 0) {
		log_bug("lock_set_alloc: a set needs at least one lock");
		return NULL;
	}
	s = shm_malloc(sizeof(*s) + (size_t)n * sizeof(s->locks[0]));
	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (lock_init(&s->locks[i]) == -1)
			goto fail;
	s->n = n;
	return s;
fail:
	while (i-- > 0)
		lock_destroy(&s->locks[i]);
	shm_free(s);
	return NULL;
}

void
lock_set_free(struct lock_set *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->n; i++)
		lock_destroy(&s->locks[i]);
	shm_free(s);
}

void
lock_set_get(struct lock_set *s, unsigned i)
{
	lock_get(&s->locks[i % s->n]);
}

void
lock_set_release(struct lock_set *s, unsigned i)
{
	lock_release(&s->locks[i % s->n]);
}
