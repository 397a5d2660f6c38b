/*
 * lock.h - process-shared locks living in shared memory.
 *
 * They are robust pthread mutexes: when the holder dies, the next
 * locker gets the lock (EOWNERDEAD), marks it consistent and logs that a
 * crashed process held it, so a worker crash never wedges the others.
 * The pid of the current holder is recorded for diagnostics.
 */
#ifndef TD_LOCK_H
#define TD_LOCK_H

#include <pthread.h>
#include <sys/types.h>

struct lock {
	pthread_mutex_t  m;
	volatile pid_t   owner;     /* 0 when free */
};

struct lock_set {
	unsigned     n;
	struct lock  locks[];
};

/* Initialises a lock that lives in shared memory.  0 or -1. */
int  lock_init(struct lock *l);
void lock_destroy(struct lock *l);
void lock_get(struct lock *l);
/* 1 when taken, 0 when busy. */
int  lock_try(struct lock *l);
void lock_release(struct lock *l);

/* A set of n locks in shared memory (NULL when shm is exhausted). */
struct lock_set *lock_set_alloc(unsigned n);
void lock_set_free(struct lock_set *s);
void lock_set_get(struct lock_set *s, unsigned i);     /* i % n */
void lock_set_release(struct lock_set *s, unsigned i);


/*
 * lock_get() for callers that must know when the previous holder died
 * with the lock held, because the data it guards may be half-updated.
 */
enum lock_rc {
	LOCK_ERR = -1,              /* not taken: mutex unusable (logged)  */
	LOCK_TAKEN = 0,
	LOCK_RECOVERED = 1,         /* taken from a dead holder (logged)   */
};
enum lock_rc lock_acquire(struct lock *l);

#endif
