/*
 * shm.h - the shared memory region: one mmap(MAP_SHARED|MAP_ANONYMOUS)
 * made by the supervisor before fork, so every process sees it at the
 * same address and a pointer into it is valid everywhere.
 *
 * The allocator (shm_alloc.c) keeps segregated free lists and coalesces
 * neighbours; one process-shared robust mutex guards it, so a process
 * that dies while allocating cannot wedge the others.  Running out is a
 * NULL return and one log line, never a crash.
 */
#ifndef TD_SHM_H
#define TD_SHM_H

#include <stddef.h>

struct shm_stats {
	size_t total;           /* usable bytes in the region           */
	size_t used;            /* bytes in allocated blocks (headers in) */
	size_t real_used;       /* used + allocator overhead             */
	size_t max_used;        /* high-water mark of real_used          */
	size_t free;            /* total - real_used                     */
	size_t fragments;       /* free blocks                           */
	size_t allocs;          /* live allocations                      */
	size_t failed;          /* allocations that got NULL             */
};

/* Maps `bytes` (rounded up to pages).  0, or -1 (logged).  Once. */
int    shm_init(size_t bytes);
/* Unmaps (supervisor at exit, tests). */
void   shm_destroy(void);
int    shm_ready(void);

void  *shm_malloc(size_t n);
void  *shm_calloc(size_t nmemb, size_t n);
void  *shm_realloc(void *p, size_t n);
void   shm_free(void *p);
char  *shm_strndup(const char *s, size_t n);    /* NUL-terminated copy */

/* 1 if p points into the region. */
int    shm_contains(const void *p);
void   shm_get_stats(struct shm_stats *st);

/*
 * Walks every block and every free list and checks the allocator's
 * invariants (headers, boundary tags, list membership, counters).  0, or
 * -1 with the first inconsistency logged.  O(blocks): for tests and for
 * the recovery after a process died holding the allocator lock.
 */
int    shm_check(void);

/*
 * Internal: the allocator in shm_alloc.c, called only by shm.c with the
 * allocator lock held.  Nothing else may use these.
 */
struct shm_pool;

enum shm_pool_rc {
	SHM_POOL_OK = 0,
	SHM_POOL_NOFIT = -1,        /* resize: cannot be done in place    */
	SHM_POOL_BADPTR = -2,       /* not the start of a block of ours   */
	SHM_POOL_DOUBLE = -3,       /* block is already free              */
	SHM_POOL_CORRUPT = -4,      /* a neighbour's header is overwritten */
};

/* Lays the allocator out over [base, base + size); NULL if too small. */
struct shm_pool *shm_pool_create(void *base, size_t size);
/* NULL (and the failure counted) when no free block fits. */
void  *shm_pool_alloc(struct shm_pool *pl, size_t n);
int    shm_pool_free(struct shm_pool *pl, void *p);
/* Resizes in place; on SHM_POOL_NOFIT *avail is p's usable size. */
int    shm_pool_resize(struct shm_pool *pl, void *p, size_t n,
           size_t *avail);
void   shm_pool_stats(const struct shm_pool *pl, struct shm_stats *st);
int    shm_pool_check(const struct shm_pool *pl);

#endif
