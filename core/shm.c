/*
 * shm.c - the shared region and the public allocator API.
 *
 * The region starts with a small control block holding the allocator
 * lock, followed by the pool that shm_alloc.c manages.  This file maps
 * and unmaps, takes the lock around each allocator call, logs, and
 * recovers when a process died holding the lock.  The pointers below are
 * per-process copies made before fork; the region itself holds none.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "shm.h"

#define SHM_MIN_SIZE    ((size_t)16 * 1024)
/* The allocator counts in 16-byte units held in 32 bits. */
#define SHM_MAX_SIZE    (((size_t)1 << 36) - (size_t)64 * 1024)
#define SHM_CTL_SIZE    ((size_t)128)

struct shm_ctl {
	struct lock  lock;
};

_Static_assert(sizeof(struct shm_ctl) <= SHM_CTL_SIZE,
    "shm control block outgrew its slot");

static struct {
	char             *base;
	size_t            size;
	struct shm_ctl   *ctl;
	struct shm_pool  *pool;
	time_t            oom_last;    /* per process: rate limit of the */
	unsigned long     oom_quiet;   /* out-of-memory line             */
} shm;

int
shm_init(size_t bytes)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *base = MAP_FAILED;
	struct shm_ctl *ctl = NULL;
	struct shm_pool *pool;
	size_t size = 0;

	if (shm.base != NULL) {
		log_errx("shm_init: shared memory is already mapped");
		return -1;
	}
	if (pg <= 0)
		pg = 4096;
	if (bytes < SHM_MIN_SIZE || bytes > SHM_MAX_SIZE) {
		log_errx("shm_init: %zu bytes of shared memory is out of range "
		    "(%zu..%zu)", bytes, SHM_MIN_SIZE, SHM_MAX_SIZE);
		return -1;
	}
	size = (bytes + (size_t)pg - 1) & ~((size_t)pg - 1);
	base = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		log_err("shm_init: mmap() of %zu bytes failed", size);
		goto fail;
	}
	if (lock_init(&((struct shm_ctl *)base)->lock) == -1)
		goto fail;
	ctl = base;
	pool = shm_pool_create((char *)base + SHM_CTL_SIZE,
	    size - SHM_CTL_SIZE);
	if (pool == NULL) {
		log_errx("shm_init: cannot lay out an allocator in %zu bytes",
		    size);
		goto fail;
	}
	shm.base = base;
	shm.size = size;
	shm.ctl = ctl;
	shm.pool = pool;
	shm.oom_last = 0;
	shm.oom_quiet = 0;
	return 0;
fail:
	if (ctl != NULL)
		lock_destroy(&ctl->lock);
	if (base != MAP_FAILED)
		munmap(base, size);
	return -1;
}

void
shm_destroy(void)
{
	if (shm.base == NULL)
		return;
	lock_destroy(&shm.ctl->lock);
	if (munmap(shm.base, shm.size) == -1)
		log_err("shm_destroy: munmap() failed");
	memset(&shm, 0, sizeof(shm));
}

int
shm_ready(void)
{
	return shm.base != NULL;
}

int
shm_contains(const void *p)
{
	return shm.base != NULL && (const char *)p >= shm.base &&
	    (const char *)p < shm.base + shm.size;
}

/*
 * A process that died inside the allocator may have left it half-way
 * through an update; the heap walk tells whether it did.
 */
static void
shm_recovered(void)
{
	log_warnx("shm: a process died holding the allocator lock; "
	    "checking the heap");
	if (shm_pool_check(shm.pool) == -1)
		log_crit("shm: the allocator is damaged; shared memory "
		    "allocations may fail or corrupt data");
}

/* 0 with the allocator locked, or -1 (logged). */
static inline int
shm_lock(const char *fn)
{
	enum lock_rc rc;

	if (__builtin_expect(shm.base == NULL, 0)) {
		log_bug("%s: shared memory is not initialised", fn);
		return -1;
	}
	rc = lock_acquire(&shm.ctl->lock);
	if (__builtin_expect(rc == LOCK_TAKEN, 1))
		return 0;
	if (rc == LOCK_ERR)
		return -1;
	shm_recovered();
	return 0;
}

static inline void
shm_unlock(void)
{
	lock_release(&shm.ctl->lock);
}

static void
shm_oom(const char *fn, size_t n)
{
	struct shm_stats st;
	time_t now = time(NULL);

	/* a full region fails every request until something is freed:
	 * one line a second per process says it without flooding */
	if (now == shm.oom_last) {
		shm.oom_quiet++;
		return;
	}
	shm.oom_last = now;
	shm_get_stats(&st);
	log_errx("%s: out of shared memory: %zu bytes requested, %zu free in "
	    "%zu fragments, %zu failures (%lu lines suppressed)", fn, n,
	    st.free, st.fragments, st.failed, shm.oom_quiet);
	shm.oom_quiet = 0;
}

/* The block is left alone: leaking it is better than spreading damage. */
static void
shm_bad_pointer(const char *fn, const void *p, int rc)
{
	if (rc == SHM_POOL_DOUBLE)
		log_bug("%s(%p): shared memory block is already free "
		    "(double free)", fn, p);
	else if (rc == SHM_POOL_CORRUPT)
		log_crit("%s(%p): shared memory around the block is "
		    "overwritten (write past its end?); block not freed",
		    fn, p);
	else
		log_bug("%s(%p): not an allocated shared memory block "
		    "(freed and merged, interior pointer or corrupted)", fn, p);
}

void *
shm_malloc(size_t n)
{
	void *p;

	if (shm_lock("shm_malloc") == -1)
		return NULL;
	p = shm_pool_alloc(shm.pool, n);
	shm_unlock();
	if (__builtin_expect(p == NULL, 0))
		shm_oom("shm_malloc", n);
	return p;
}

void *
shm_calloc(size_t nmemb, size_t n)
{
	void *p;

	if (n != 0 && nmemb > SIZE_MAX / n) {
		log_errx("shm_calloc: %zu x %zu bytes overflows", nmemb, n);
		/* still an allocation that got NULL: let the pool count it */
		if (shm_lock("shm_calloc") == 0) {
			(void)shm_pool_alloc(shm.pool, SIZE_MAX);
			shm_unlock();
		}
		return NULL;
	}
	p = shm_malloc(nmemb * n);
	if (p != NULL)
		memset(p, 0, nmemb * n);
	return p;
}

/*
 * Grows in place when the next block is free; otherwise moves.  The copy
 * runs without the lock: the caller owns the old block, and other
 * processes should not wait for a large memcpy.  n == 0 frees p and
 * returns NULL, like glibc.  On failure p is left untouched.
 */
void *
shm_realloc(void *p, size_t n)
{
	size_t avail = 0;
	void *q = NULL;
	int rc;

	if (p == NULL)
		return shm_malloc(n);
	if (n == 0) {
		shm_free(p);
		return NULL;
	}
	if (!shm_contains(p)) {
		log_bug("shm_realloc(%p): not a shared memory pointer", p);
		return NULL;
	}
	if (shm_lock("shm_realloc") == -1)
		return NULL;
	rc = shm_pool_resize(shm.pool, p, n, &avail);
	if (rc == SHM_POOL_NOFIT)
		q = shm_pool_alloc(shm.pool, n);
	shm_unlock();
	if (rc == SHM_POOL_OK)
		return p;
	if (rc != SHM_POOL_NOFIT) {
		shm_bad_pointer("shm_realloc", p, rc);
		return NULL;
	}
	if (q == NULL) {
		shm_oom("shm_realloc", n);
		return NULL;
	}
	memcpy(q, p, avail < n ? avail : n);
	shm_free(p);
	return q;
}

void
shm_free(void *p)
{
	int rc;

	if (p == NULL)
		return;
	if (__builtin_expect(!shm_contains(p), 0)) {
		log_bug("shm_free(%p): not a shared memory pointer", p);
		return;
	}
	if (shm_lock("shm_free") == -1)
		return;
	rc = shm_pool_free(shm.pool, p);
	shm_unlock();
	if (__builtin_expect(rc != SHM_POOL_OK, 0))
		shm_bad_pointer("shm_free", p, rc);
}

char *
shm_strndup(const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX) {
		log_errx("shm_strndup: %zu bytes is too long", n);
		return NULL;
	}
	p = shm_malloc(n + 1);
	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
shm_get_stats(struct shm_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (shm.base == NULL || shm_lock("shm_get_stats") == -1)
		return;
	shm_pool_stats(shm.pool, st);
	shm_unlock();
}

int
shm_check(void)
{
	int rc;

	if (shm_lock("shm_check") == -1)
		return -1;
	rc = shm_pool_check(shm.pool);
	shm_unlock();
	return rc;
}
