/*
 * shm_alloc.c - the allocator inside the shared region: a TLSF-style
 * two-level segregated fit.  shm.c is its only caller and holds the
 * allocator lock around every call, so nothing here locks.
 *
 * Layout of the arena handed to shm_pool_create():
 *
 *   [struct shm_pool][blk][blk]...[blk][end sentinel: size 0, in use]
 *
 * Every block starts with a 16-byte header and is a multiple of 16
 * bytes, so payloads are 16-byte aligned.  Sizes and links are counted
 * in 16-byte units from the pool header, which keeps the header small
 * (the region is limited to 2^32 units = 64 GiB) and means nothing in
 * the region depends on where it is mapped.  Each header holds the size
 * of the block before it (the boundary tag), so freeing merges with both
 * neighbours in O(1), and a seal computed from the block's offset, size
 * and state, which makes shm_free() of anything that is not an allocated
 * block detectable instead of destructive.
 *
 * Free blocks sit in lists indexed by (fl, sl): fl is the position of the
 * size's top bit, sl the next 4 bits, i.e. 16 classes per power of two
 * (exact classes below 256 bytes).  Two bitmaps find the first non-empty
 * class that is large enough with two find-first-set instructions.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "log.h"
#include "shm.h"

#define UNIT            16u
#define UNIT_SHIFT      4
#define MIN_UNITS       2u          /* header + the two free-list links */
#define SL_SHIFT        4
#define SL_COUNT        (1u << SL_SHIFT)
#define FL_COUNT        29          /* classes for every size < 2^32 units */
#define SEAL            0x53484d31u
#define F_FREE          1u

struct blk {
	uint32_t  prev;         /* units of the block before; 0: first   */
	uint32_t  size;         /* units, header included; 0: sentinel   */
	uint32_t  flags;        /* F_FREE                                */
	uint32_t  seal;         /* seal_of(offset, size, flags)          */
};

/* A free block keeps its list links in what would be the payload. */
struct fblk {
	struct blk  h;
	uint32_t    next_free;  /* unit offsets; 0 ends the list (offset 0
	                         * is the pool header, never a block)    */
	uint32_t    prev_free;
};

struct shm_pool {
	uint32_t  fl_map;
	uint32_t  sl_map[FL_COUNT];
	uint32_t  head[FL_COUNT][SL_COUNT];
	uint32_t  first;        /* unit offset of the first block        */
	uint32_t  end;          /* unit offset of the end sentinel       */
	size_t    total;        /* bytes from the first block to the end */
	size_t    used;         /* bytes in allocated blocks             */
	size_t    max_used;     /* high-water mark of real_used          */
	size_t    fragments;    /* free blocks                           */
	size_t    allocs;
	size_t    failed;
};

#define BLK(pl, o)  ((struct blk *)((char *)(pl) + ((size_t)(o) << UNIT_SHIFT)))
#define FBLK(pl, o) ((struct fblk *)BLK(pl, o))

static inline uint32_t
seal_of(uint32_t o, uint32_t size, uint32_t flags)
{
	/* multiplying spreads the offset and size over all 32 bits, so
	 * user data that happens to sit where a header would be almost
	 * never passes for one */
	return SEAL ^ (o * 0x9e3779b1u) ^ (size * 0x85ebca6bu) ^ flags;
}

static inline void
set_hdr(struct blk *b, uint32_t o, uint32_t size, uint32_t flags)
{
	b->size = size;
	b->flags = flags;
	b->seal = seal_of(o, size, flags);
}

/* A header swallowed by a merge must never validate again. */
static inline void
wipe(struct blk *b)
{
	b->size = 0;
	b->seal = 0;
}

static inline void
class_of(uint64_t u, unsigned *fl, unsigned *sl)
{
	unsigned m;

	if (u < SL_COUNT) {
		*fl = 0;
		*sl = (unsigned)u;
		return;
	}
	m = 63u - (unsigned)__builtin_clzll(u);
	*fl = m - SL_SHIFT + 1;
	*sl = (unsigned)(u >> (m - SL_SHIFT)) - SL_COUNT;
}

static inline size_t
real_used(const struct shm_pool *pl)
{
	/* every free block's header and the sentinel are overhead */
	return pl->used + (pl->fragments + 1) * UNIT;
}

static inline void
note_high_water(struct shm_pool *pl)
{
	size_t ru = real_used(pl);

	if (ru > pl->max_used)
		pl->max_used = ru;
}

static inline void
list_push(struct shm_pool *pl, struct fblk *b, uint32_t o)
{
	unsigned fl, sl;
	uint32_t h;

	class_of(b->h.size, &fl, &sl);
	h = pl->head[fl][sl];
	b->next_free = h;
	b->prev_free = 0;
	if (h)
		FBLK(pl, h)->prev_free = o;
	pl->head[fl][sl] = o;
	pl->sl_map[fl] |= 1u << sl;
	pl->fl_map |= 1u << fl;
	pl->fragments++;
}

static inline void
list_unlink(struct shm_pool *pl, struct fblk *b)
{
	unsigned fl, sl;

	class_of(b->h.size, &fl, &sl);
	if (b->prev_free)
		FBLK(pl, b->prev_free)->next_free = b->next_free;
	else
		pl->head[fl][sl] = b->next_free;
	if (b->next_free)
		FBLK(pl, b->next_free)->prev_free = b->prev_free;
	if (pl->head[fl][sl] == 0) {
		pl->sl_map[fl] &= ~(1u << sl);
		if (pl->sl_map[fl] == 0)
			pl->fl_map &= ~(1u << fl);
	}
	pl->fragments--;
}

static inline int
same_class(uint32_t a, uint32_t b)
{
	unsigned fa, sa, fb, sb;

	class_of(a, &fa, &sa);
	class_of(b, &fb, &sb);
	return fa == fb && sa == sb;
}

/* Puts free block o where a block with these links was in its list. */
static inline void
list_relink(struct shm_pool *pl, struct fblk *b, uint32_t o, uint32_t next,
    uint32_t prev)
{
	unsigned fl, sl;

	b->next_free = next;
	b->prev_free = prev;
	if (prev) {
		FBLK(pl, prev)->next_free = o;
	} else {
		class_of(b->h.size, &fl, &sl);
		pl->head[fl][sl] = o;
	}
	if (next)
		FBLK(pl, next)->prev_free = o;
}

/*
 * Takes k units from the front of free block f (at unit fo, on its list)
 * for the allocated block that ends or starts there, and returns how
 * many were taken: k, or all of f when the rest would be too small to be
 * a block.  The block after f is in use, so the rest needs no merge, and
 * it inherits f's list place when its size stays in f's class: the usual
 * case when a big block is cut, and cheaper than unlink + push.  The
 * caller writes the boundary tag after its own block.
 */
static inline uint32_t
take_front(struct shm_pool *pl, struct fblk *f, uint32_t fo, uint32_t k)
{
	uint32_t size = f->h.size, rest = size - k;
	uint32_t next = f->next_free, prev = f->prev_free;
	int keep;
	struct fblk *r;

	if (rest < MIN_UNITS) {
		list_unlink(pl, f);
		wipe(&f->h);
		return size;
	}
	keep = same_class(size, rest);
	if (!keep)
		list_unlink(pl, f);
	wipe(&f->h);
	/* with k == 1 the rest's header covers f's links: read above */
	r = FBLK(pl, fo + k);
	set_hdr(&r->h, fo + k, rest, F_FREE);
	BLK(pl, fo + size)->prev = rest;
	if (keep)
		list_relink(pl, r, fo + k, next, prev);
	else
		list_push(pl, r, fo + k);
	return k;
}

/* Units for an n-byte request, or 0 if it can never fit. */
static inline uint32_t
units_for(const struct shm_pool *pl, size_t n)
{
	size_t u;

	if (n > pl->total)
		return 0;
	u = (n + 2 * UNIT - 1) >> UNIT_SHIFT;
	return u < MIN_UNITS ? MIN_UNITS : (uint32_t)u;
}

struct shm_pool *
shm_pool_create(void *base, size_t size)
{
	struct shm_pool *pl = base;
	size_t units, hdr;
	struct blk *b;

	if ((uintptr_t)base % UNIT != 0)
		return NULL;
	units = size >> UNIT_SHIFT;
	hdr = (sizeof(*pl) + UNIT - 1) >> UNIT_SHIFT;
	if (units > UINT32_MAX || units < hdr + MIN_UNITS + 1)
		return NULL;
	memset(pl, 0, sizeof(*pl));
	pl->first = (uint32_t)hdr;
	pl->end = (uint32_t)units - 1;
	pl->total = (size_t)(pl->end - pl->first + 1) << UNIT_SHIFT;

	b = BLK(pl, pl->end);
	b->prev = pl->end - pl->first;
	set_hdr(b, pl->end, 0, 0);
	b = BLK(pl, pl->first);
	b->prev = 0;
	set_hdr(b, pl->first, pl->end - pl->first, F_FREE);
	list_push(pl, (struct fblk *)b, pl->first);
	pl->max_used = real_used(pl);
	return pl;
}

/*
 * Rounding the request up to a class boundary skips the request's own
 * class, which may still hold a block that fits.  Near exhaustion that
 * block is all there is, so look through the start of that list.
 */
static struct fblk *
fit_in_class(struct shm_pool *pl, uint32_t u)
{
	unsigned fl, sl, tries = 64;
	uint32_t o;
	struct fblk *b;

	class_of(u, &fl, &sl);
	if (fl >= FL_COUNT)
		return NULL;
	for (o = pl->head[fl][sl]; o != 0 && tries-- > 0; o = b->next_free) {
		b = FBLK(pl, o);
		if (b->h.size >= u)
			return b;
	}
	return NULL;
}

void *
shm_pool_alloc(struct shm_pool *pl, size_t n)
{
	uint32_t u = units_for(pl, n), map = 0, o;
	uint64_t s = u;
	unsigned fl, sl;
	struct fblk *b = NULL;

	if (u == 0)
		goto fail;
	/* round up to the next class boundary: then any block of the class
	 * found fits and the list head can be taken without a search */
	if (s >= SL_COUNT)
		s += (1ull << (63 - __builtin_clzll(s) - SL_SHIFT)) - 1;
	class_of(s, &fl, &sl);
	if (fl < FL_COUNT) {
		map = pl->sl_map[fl] & (~0u << sl);
		if (map == 0) {
			map = pl->fl_map & (~0u << (fl + 1));
			if (map != 0) {
				fl = (unsigned)__builtin_ctz(map);
				map = pl->sl_map[fl];
			}
		}
	}
	if (__builtin_expect(map != 0, 1)) {
		sl = (unsigned)__builtin_ctz(map);
		b = FBLK(pl, pl->head[fl][sl]);
	} else {
		b = fit_in_class(pl, u);
		if (b == NULL)
			goto fail;
	}
	o = (uint32_t)(((char *)b - (char *)pl) >> UNIT_SHIFT);
	u = take_front(pl, b, o, u);
	set_hdr(&b->h, o, u, 0);
	BLK(pl, o + u)->prev = u;

	pl->used += (size_t)u << UNIT_SHIFT;
	pl->allocs++;
	note_high_water(pl);
	return (char *)b + UNIT;
fail:
	pl->failed++;
	return NULL;
}

/* Finds the allocated block whose payload starts at p. */
static inline int
lookup(const struct shm_pool *pl, const void *p, struct blk **bp,
    uint32_t *op)
{
	uintptr_t d = (uintptr_t)p - (uintptr_t)pl;
	uintptr_t o = (d >> UNIT_SHIFT) - 1;
	struct blk *b, *n;

	/* p below the pool wraps d around and fails the range test too */
	if (d % UNIT != 0 || d < UNIT || o < pl->first || o >= pl->end)
		return SHM_POOL_BADPTR;
	b = BLK(pl, o);
	if (b->size < MIN_UNITS || b->size > pl->end - o ||
	    b->prev > o - pl->first ||
	    b->seal != seal_of((uint32_t)o, b->size, b->flags))
		return SHM_POOL_BADPTR;
	if (b->flags & F_FREE)
		return SHM_POOL_DOUBLE;
	/* writing past the end of a block lands in the next header: the
	 * most common way a heap gets corrupted, so refuse to merge then */
	n = BLK(pl, o + b->size);
	if (n->prev != b->size ||
	    n->seal != seal_of((uint32_t)o + b->size, n->size, n->flags))
		return SHM_POOL_CORRUPT;
	*bp = b;
	*op = (uint32_t)o;
	return SHM_POOL_OK;
}

int
shm_pool_free(struct shm_pool *pl, void *p)
{
	struct blk *b = NULL, *nb, *pb = NULL;
	uint32_t o = 0, size, total, next, prev;
	int rc;

	rc = lookup(pl, p, &b, &o);
	if (rc != SHM_POOL_OK)
		return rc;
	size = b->size;
	nb = BLK(pl, o + size);
	if (b->prev != 0 && (BLK(pl, o - b->prev)->flags & F_FREE)) {
		pb = BLK(pl, o - b->prev);
		if (pb->size != b->prev ||
		    pb->seal != seal_of(o - b->prev, pb->size, pb->flags))
			return SHM_POOL_CORRUPT;
	}
	pl->used -= (size_t)size << UNIT_SHIFT;
	pl->allocs--;

	if (pb != NULL) {
		/* into the free block before: it keeps its list place
		 * unless it changes class */
		total = pb->size + size;
		if (nb->flags & F_FREE) {
			list_unlink(pl, (struct fblk *)nb);
			total += nb->size;
			wipe(nb);
		}
		o -= b->prev;
		wipe(b);
		if (!same_class(pb->size, total)) {
			list_unlink(pl, (struct fblk *)pb);
			set_hdr(pb, o, total, F_FREE);
			list_push(pl, (struct fblk *)pb, o);
		} else {
			set_hdr(pb, o, total, F_FREE);
		}
	} else if (nb->flags & F_FREE) {
		/* the free block after is absorbed: b takes its list place
		 * when the class stays */
		total = size + nb->size;
		if (same_class(nb->size, total)) {
			next = ((struct fblk *)nb)->next_free;
			prev = ((struct fblk *)nb)->prev_free;
			wipe(nb);
			set_hdr(b, o, total, F_FREE);
			list_relink(pl, (struct fblk *)b, o, next, prev);
		} else {
			list_unlink(pl, (struct fblk *)nb);
			wipe(nb);
			set_hdr(b, o, total, F_FREE);
			list_push(pl, (struct fblk *)b, o);
		}
	} else {
		total = size;
		set_hdr(b, o, total, F_FREE);
		list_push(pl, (struct fblk *)b, o);
	}
	BLK(pl, o + total)->prev = total;
	return SHM_POOL_OK;
}

/* Gives the tail of block o beyond u units back, merged with a free next. */
static void
shrink(struct shm_pool *pl, struct blk *b, uint32_t o, uint32_t u)
{
	uint32_t give = b->size - u, t = o + u, tsize = give;
	struct blk *nb = BLK(pl, o + b->size), *tb;

	if (nb->flags & F_FREE) {
		list_unlink(pl, (struct fblk *)nb);
		tsize += nb->size;
		wipe(nb);
	} else if (give < MIN_UNITS) {
		return;         /* too small to stand alone: keep it */
	}
	tb = BLK(pl, t);
	tb->prev = u;
	set_hdr(tb, t, tsize, F_FREE);
	BLK(pl, t + tsize)->prev = tsize;
	list_push(pl, (struct fblk *)tb, t);
	set_hdr(b, o, u, 0);
	pl->used -= (size_t)give << UNIT_SHIFT;
}

int
shm_pool_resize(struct shm_pool *pl, void *p, size_t n, size_t *avail)
{
	struct blk *b = NULL, *nb;
	uint32_t o = 0, u, size, sum;
	int rc;

	rc = lookup(pl, p, &b, &o);
	if (rc != SHM_POOL_OK)
		return rc;
	size = b->size;
	*avail = ((size_t)size - 1) << UNIT_SHIFT;
	u = units_for(pl, n);
	if (u == 0)
		return SHM_POOL_NOFIT;
	if (u <= size) {
		if (u < size)
			shrink(pl, b, o, u);
		return SHM_POOL_OK;
	}
	nb = BLK(pl, o + size);
	if (!(nb->flags & F_FREE) || nb->size < u - size)
		return SHM_POOL_NOFIT;
	sum = size + take_front(pl, (struct fblk *)nb, o + size, u - size);
	set_hdr(b, o, sum, 0);
	BLK(pl, o + sum)->prev = sum;
	pl->used += (size_t)(sum - size) << UNIT_SHIFT;
	note_high_water(pl);
	return SHM_POOL_OK;
}

void
shm_pool_stats(const struct shm_pool *pl, struct shm_stats *st)
{
	st->total = pl->total;
	st->used = pl->used;
	st->real_used = real_used(pl);
	st->max_used = pl->max_used;
	st->free = pl->total - st->real_used;
	st->fragments = pl->fragments;
	st->allocs = pl->allocs;
	st->failed = pl->failed;
}

static int
check_lists(const struct shm_pool *pl, size_t nfree)
{
	size_t listed = 0;
	unsigned fl, sl, f2, s2;
	uint32_t o, prev;
	const struct fblk *b;

	for (fl = 0; fl < FL_COUNT; fl++) {
		if (!!(pl->fl_map & (1u << fl)) != !!pl->sl_map[fl]) {
			log_errx("shm: class %u: bitmaps disagree", fl);
			return -1;
		}
		for (sl = 0; sl < SL_COUNT; sl++) {
			if (!!(pl->sl_map[fl] & (1u << sl)) !=
			    !!pl->head[fl][sl]) {
				log_errx("shm: class %u/%u: bitmap and list "
				    "disagree", fl, sl);
				return -1;
			}
			prev = 0;
			for (o = pl->head[fl][sl]; o; o = b->next_free) {
				b = FBLK(pl, o);
				if (o < pl->first || o >= pl->end ||
				    !(b->h.flags & F_FREE) ||
				    b->prev_free != prev || ++listed > nfree) {
					log_errx("shm: class %u/%u: bad free "
					    "list entry at unit %u", fl, sl, o);
					return -1;
				}
				class_of(b->h.size, &f2, &s2);
				if (f2 != fl || s2 != sl) {
					log_errx("shm: block at unit %u is in "
					    "the wrong free list", o);
					return -1;
				}
				prev = o;
			}
		}
	}
	if (listed != nfree) {
		log_errx("shm: %zu free blocks but %zu listed", nfree, listed);
		return -1;
	}
	return 0;
}

int
shm_pool_check(const struct shm_pool *pl)
{
	size_t nfree = 0, nalloc = 0, used = 0;
	uint32_t o = pl->first, prev = 0, prev_free = 0;
	const struct blk *b;

	while (o < pl->end) {
		b = BLK(pl, o);
		if (b->size < MIN_UNITS || b->size > pl->end - o ||
		    b->seal != seal_of(o, b->size, b->flags) ||
		    b->prev != prev) {
			log_errx("shm: block at unit %u: bad header", o);
			return -1;
		}
		if (b->flags & F_FREE) {
			if (prev_free) {
				log_errx("shm: block at unit %u: free next to "
				    "a free block", o);
				return -1;
			}
			nfree++;
		} else {
			nalloc++;
			used += (size_t)b->size << UNIT_SHIFT;
		}
		prev_free = b->flags & F_FREE;
		prev = b->size;
		o += b->size;
	}
	b = BLK(pl, o);
	if (o != pl->end || b->size != 0 || b->flags != 0 || b->prev != prev ||
	    b->seal != seal_of(o, 0, 0)) {
		log_errx("shm: end sentinel damaged");
		return -1;
	}
	if (nfree != pl->fragments || nalloc != pl->allocs ||
	    used != pl->used) {
		log_errx("shm: counters disagree with the heap (free %zu/%zu, "
		    "allocs %zu/%zu, used %zu/%zu)", nfree, pl->fragments,
		    nalloc, pl->allocs, used, pl->used);
		return -1;
	}
	return check_lists(pl, nfree);
}
