/* check_shm.c - the shared memory region and its allocator. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/shm.h"
#include "tcheck.h"

#define MIB             ((size_t)1024 * 1024)
#define STRESS_SLOTS    2048

/* xorshift64*: reproducible, and cheap enough not to dominate the stress */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void
shm_up(size_t bytes)
{
	ck_assert_int_eq(shm_init(bytes), 0);
	ck_assert(shm_ready());
}

static void
fill(unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag + i);
}

static int
holds(const unsigned char *p, size_t n, unsigned tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag + i))
			return 0;
	return 1;
}


static int
count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
same_stats(const struct shm_stats *a, const struct shm_stats *b)
{
	ck_assert_uint_eq(a->total, b->total);
	ck_assert_uint_eq(a->used, b->used);
	ck_assert_uint_eq(a->real_used, b->real_used);
	ck_assert_uint_eq(a->free, b->free);
	ck_assert_uint_eq(a->fragments, b->fragments);
	ck_assert_uint_eq(a->allocs, b->allocs);
	ck_assert_uint_eq(a->failed, b->failed);
}

START_TEST(t_init_destroy)
{
	struct shm_stats st;
	struct tcheck_capture cap;
	const char *log;

	ck_assert(!shm_ready());
	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(shm_malloc(8));
	ck_assert_int_eq(shm_init(0), -1);
	log = tcheck_capture_end(&cap);
	ck_assert(strstr(log, "shm_malloc: shared memory is not initialised"));
	ck_assert(strstr(log, "out of range"));

	shm_up(MIB);
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(shm_init(MIB), -1);
	ck_assert(strstr(tcheck_capture_end(&cap), "already mapped"));
	shm_get_stats(&st);
	ck_assert_uint_gt(st.total, MIB - 4096);
	ck_assert_uint_le(st.total, MIB);
	ck_assert_uint_eq(st.total, st.real_used + st.free);
	ck_assert_uint_eq(st.used, 0);
	ck_assert_uint_eq(st.fragments, 1);
	ck_assert_uint_eq(st.allocs, 0);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.max_used, st.real_used);
	shm_destroy();
	ck_assert(!shm_ready());

	/* tests and a restarting supervisor map again after destroy */
	shm_up(3 * MIB + 100);
	shm_get_stats(&st);
	ck_assert_uint_gt(st.total, 3 * MIB - 4096);
	ck_assert_ptr_nonnull(shm_malloc(100));
	shm_destroy();
}
END_TEST

START_TEST(t_basic_stats)
{
	struct shm_stats st0, st;
	unsigned char *p, *q;

	shm_up(MIB);
	shm_get_stats(&st0);
	p = shm_malloc(100);
	ck_assert_ptr_nonnull(p);
	ck_assert(shm_contains(p));
	ck_assert(shm_contains(p + 99));
	fill(p, 100, 7);
	shm_get_stats(&st);
	/* 100 bytes + 16 of header, rounded to 16 */
	ck_assert_uint_eq(st.used, 128);
	ck_assert_uint_eq(st.allocs, 1);
	ck_assert_uint_eq(st.fragments, 1);
	ck_assert_uint_eq(st.free, st0.free - 128);
	ck_assert_uint_eq(st.real_used, st0.real_used + 128);
	ck_assert_uint_eq(st.total, st.real_used + st.free);
	ck_assert_uint_eq(st.max_used, st.real_used);

	q = shm_malloc(0);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_ne(p, q);
	ck_assert(holds(p, 100, 7));
	shm_free(q);
	shm_free(p);
	shm_free(NULL);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	ck_assert_uint_eq(st.max_used, st0.real_used + 128 + 32);
	ck_assert(!shm_contains(&st));
	ck_assert_int_eq(shm_check(), 0);
	shm_destroy();
}
END_TEST

START_TEST(t_alignment)
{
	static unsigned char *p[2049];
	struct shm_stats st0, st;

	shm_up(8 * MIB);
	shm_get_stats(&st0);
	for (size_t n = 0; n <= 2048; n++) {
		p[n] = shm_malloc(n);
		ck_assert_ptr_nonnull(p[n]);
		ck_assert_uint_eq((uintptr_t)p[n] % 16, 0);
		fill(p[n], n, (unsigned)n);
	}
	for (size_t n = 0; n <= 2048; n++)
		ck_assert_msg(holds(p[n], n, (unsigned)n), "block %zu", n);
	/* free every other one first so the rest merge on both sides */
	for (size_t n = 0; n <= 2048; n += 2)
		shm_free(p[n]);
	ck_assert_int_eq(shm_check(), 0);
	for (size_t n = 1; n <= 2048; n += 2)
		shm_free(p[n]);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	shm_destroy();
}
END_TEST

START_TEST(t_calloc_strndup)
{
	unsigned char *p;
	char *s;
	struct shm_stats st0, st;
	struct tcheck_capture cap;

	shm_up(MIB);
	shm_get_stats(&st0);
	/* dirty the memory calloc will get back */
	p = shm_malloc(1000);
	memset(p, 0xa5, 1000);
	shm_free(p);
	p = shm_calloc(10, 100);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(p[i], 0);
	shm_free(p);

	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(shm_calloc(SIZE_MAX / 2, 4));
	ck_assert(strstr(tcheck_capture_end(&cap), "overflows"));

	s = shm_strndup("Via: SIP/2.0", 3);
	ck_assert_str_eq(s, "Via");
	shm_free(s);
	s = shm_strndup("", 0);
	ck_assert_str_eq(s, "");
	shm_free(s);
	shm_get_stats(&st);
	ck_assert_uint_eq(st.failed, st0.failed + 1);
	ck_assert_uint_eq(st.allocs, 0);
	ck_assert_uint_eq(st.used, 0);
	shm_destroy();
}
END_TEST

START_TEST(t_realloc)
{
	struct shm_stats st0, st;
	unsigned char *a, *b, *c, *d;

	shm_up(MIB);
	shm_get_stats(&st0);
	a = shm_realloc(NULL, 100);
	ck_assert_ptr_nonnull(a);
	fill(a, 100, 1);

	/* the rest of the region follows a: grows in place */
	b = shm_realloc(a, 1000);
	ck_assert_ptr_eq(b, a);
	ck_assert(holds(b, 100, 1));
	fill(b, 1000, 2);

	/* c lands right after b, so b can only grow by moving */
	c = shm_malloc(50);
	ck_assert_ptr_eq(c, b + 1024);
	fill(c, 50, 3);
	d = shm_realloc(b, 5000);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_ne(d, b);
	ck_assert(holds(d, 1000, 2));
	ck_assert(holds(c, 50, 3));
	fill(d, 5000, 4);

	/* shrinking keeps the place and gives the tail back */
	shm_get_stats(&st);
	a = shm_realloc(d, 10);
	ck_assert_ptr_eq(a, d);
	ck_assert(holds(a, 10, 4));
	{
		struct shm_stats st2;

		shm_get_stats(&st2);
		ck_assert_uint_eq(st2.used, st.used - 5024 + 32);
	}
	/* ...and the freed tail lets it grow in place again */
	a = shm_realloc(a, 4000);
	ck_assert_ptr_eq(a, d);
	ck_assert(holds(a, 10, 4));

	/* a shrink by less than a block keeps the block as it is */
	b = shm_realloc(c, 40);
	ck_assert_ptr_eq(b, c);
	ck_assert(holds(b, 40, 3));

	ck_assert_ptr_null(shm_realloc(b, 0));
	shm_free(a);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	ck_assert_int_eq(shm_check(), 0);
	shm_destroy();
}
END_TEST

START_TEST(t_coalesce)
{
	struct shm_stats st0, st;
	unsigned char *big;
	void **p;
	size_t n = 0, cap;
	uint64_t seed = 42;

	shm_up(4 * MIB);
	shm_get_stats(&st0);
	cap = st0.total / 64 + 16;
	p = calloc(cap, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	for (int round = 0; round < 2; round++) {
		for (n = 0; n < cap && (p[n] = shm_malloc(48)) != NULL; n++)
			;
		ck_assert_uint_lt(n, cap);
		ck_assert_uint_gt(n, st0.total / 64 - 2);
		if (round == 0) {
			/* odd first, then each even one merges both ways */
			for (size_t i = 1; i < n; i += 2)
				shm_free(p[i]);
			shm_get_stats(&st);
			ck_assert_uint_ge(st.fragments, n / 2);
			for (size_t i = 0; i < n; i += 2)
				shm_free(p[i]);
		} else {
			for (size_t i = n - 1; i > 0; i--) {
				size_t j = rnd(&seed) % (i + 1);
				void *t = p[i];

				p[i] = p[j];
				p[j] = t;
			}
			for (size_t i = 0; i < n; i++)
				shm_free(p[i]);
		}
		shm_get_stats(&st);
		ck_assert_uint_eq(st.fragments, 1);
		ck_assert_uint_eq(st.free, st0.free);
		ck_assert_int_eq(shm_check(), 0);
	}
	free(p);

	/* one block again: all of it can be had, and not a byte more */
	big = shm_malloc(st0.free);
	ck_assert_ptr_nonnull(big);
	big[0] = 1;
	big[st0.free - 1] = 2;
	ck_assert_ptr_null(shm_malloc(1));
	shm_free(big);
	ck_assert_ptr_null(shm_malloc(st0.free + 1));
	shm_get_stats(&st);
	ck_assert_uint_eq(st.fragments, 1);
	ck_assert_uint_eq(st.free, st0.free);
	ck_assert_uint_eq(st.max_used, st.total);
	shm_destroy();
}
END_TEST

START_TEST(t_exhaustion)
{
	struct shm_stats st0, st;
	struct tcheck_capture cap;
	void *p[600], *small[2000], *keep;
	size_t n, m;
	const char *log;

	shm_up(MIB);
	shm_get_stats(&st0);
	keep = shm_malloc(64);
	fill(keep, 64, 9);
	tcheck_capture_begin(&cap);
	for (n = 0; n < 600 && (p[n] = shm_malloc(4000)) != NULL; n++)
		;
	ck_assert_uint_lt(n, 600);
	for (m = 0; m < 2000 && (small[m] = shm_malloc(16)) != NULL; m++)
		;
	ck_assert_uint_lt(m, 2000);
	ck_assert_ptr_null(shm_malloc(SIZE_MAX));
	ck_assert_ptr_null(shm_malloc(SIZE_MAX - 15));
	ck_assert_ptr_null(shm_malloc(st0.total + 1));
	ck_assert_ptr_null(shm_calloc(1, SIZE_MAX));
	ck_assert_ptr_null(shm_strndup("x", SIZE_MAX - 1));
	ck_assert_ptr_null(shm_realloc(keep, 100000));
	ck_assert_ptr_null(shm_realloc(keep, SIZE_MAX));
	log = tcheck_capture_end(&cap);
	/* rate-limited to a line a second: one, or two across a tick */
	ck_assert_int_ge(count_of(log, "out of shared memory"), 1);
	ck_assert_int_le(count_of(log, "out of shared memory"), 2);
	ck_assert(holds(keep, 64, 9));
	shm_get_stats(&st);
	ck_assert_uint_eq(st.failed, 9);
	ck_assert_uint_lt(st.free, 64);
	ck_assert_uint_eq(st.max_used, st.real_used);
	ck_assert_int_eq(shm_check(), 0);

	for (size_t i = 0; i < n; i++)
		shm_free(p[i]);
	for (size_t i = 0; i < m; i++)
		shm_free(small[i]);
	shm_free(keep);
	shm_get_stats(&st);
	ck_assert_uint_eq(st.fragments, 1);
	ck_assert_uint_eq(st.free, st0.free);
	ck_assert_ptr_nonnull(keep = shm_malloc(4000));
	shm_free(keep);
	shm_destroy();
}
END_TEST

START_TEST(t_bad_free)
{
	struct shm_stats st0, st;
	struct tcheck_capture cap;
	unsigned char *a, *b, *c;
	int on_stack;
	void *heap = malloc(32);
	const char *log;

	shm_up(MIB);
	a = shm_malloc(64);
	b = shm_malloc(64);
	c = shm_malloc(64);
	fill(c, 64, 5);
	shm_get_stats(&st0);

	tcheck_capture_begin(&cap);
	shm_free(&on_stack);
	shm_free(heap);
	shm_free(a + 1);
	shm_free(a + 16);
	shm_free(a + 64);                       /* header inside a's data */
	ck_assert_ptr_null(shm_realloc(a + 32, 10));
	ck_assert_ptr_null(shm_realloc(&on_stack, 10));
	log = tcheck_capture_end(&cap);
	ck_assert_int_eq(count_of(log, "not a shared memory pointer"), 3);
	ck_assert_int_eq(count_of(log, "not an allocated shared memory "
	    "block"), 4);
	shm_get_stats(&st);
	same_stats(&st0, &st);

	/* b free: its header survives as the header of a free block */
	shm_free(b);
	shm_get_stats(&st0);
	tcheck_capture_begin(&cap);
	shm_free(b);
	ck_assert(strstr(tcheck_capture_end(&cap), "double free"));
	shm_get_stats(&st);
	same_stats(&st0, &st);

	/* a merges with b: b's header is gone, and must not come back */
	shm_free(a);
	shm_get_stats(&st0);
	tcheck_capture_begin(&cap);
	shm_free(b);
	shm_free(a);
	ck_assert_ptr_null(shm_realloc(a, 200));
	log = tcheck_capture_end(&cap);
	ck_assert_int_eq(count_of(log, "not an allocated shared memory "
	    "block"), 1);
	ck_assert_int_eq(count_of(log, "double free"), 2);
	shm_get_stats(&st);
	same_stats(&st0, &st);

	ck_assert(holds(c, 64, 5));
	ck_assert_int_eq(shm_check(), 0);
	a = shm_malloc(100);
	ck_assert_ptr_nonnull(a);
	shm_free(a);
	shm_free(c);
	free(heap);
	shm_destroy();
}
END_TEST

START_TEST(t_overflow)
{
	struct shm_stats st0, st;
	struct tcheck_capture cap;
	unsigned char *a, *b, *c;

	shm_up(MIB);
	a = shm_malloc(64);
	b = shm_malloc(64);
	c = shm_malloc(64);
	shm_free(b);
	shm_get_stats(&st0);
	/* 64 bytes asked, 64 usable: the next 8 are the free b's boundary
	 * tag and size */
	memset(a, 'x', 72);
	tcheck_capture_begin(&cap);
	shm_free(a);                            /* forward merge refused */
	ck_assert_ptr_null(shm_realloc(a, 1000));
	shm_free(c);                            /* backward merge refused */
	ck_assert_int_eq(count_of(tcheck_capture_end(&cap), "overwritten"), 3);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(shm_check(), -1);
	ck_assert(strstr(tcheck_capture_end(&cap), "bad header"));
	shm_destroy();
}
END_TEST

struct slot {
	unsigned char  *p;
	size_t          n;
	unsigned        tag;
};

static size_t
random_size(uint64_t *seed)
{
	uint64_t r = rnd(seed);

	/* mostly SIP-header sized, some bodies, a few large buffers */
	switch (r % 16) {
	case 0:
		return (size_t)(r >> 8) % 65536;
	case 1:
	case 2:
		return (size_t)(r >> 8) % 4096;
	default:
		return (size_t)(r >> 8) % 256;
	}
}

/*
 * n random malloc/realloc/free operations over private slots, checking
 * every block's contents before it is touched and the whole heap every
 * check_every operations.  Returns the number of problems; frees
 * everything before returning.
 */
static int
stress(uint64_t seed, long ops, unsigned id, long check_every)
{
	static struct slot s[STRESS_SLOTS];
	int bad = 0;

	memset(s, 0, sizeof(s));
	for (long i = 0; i < ops && bad == 0; i++) {
		uint64_t r = rnd(&seed);
		struct slot *sl = &s[r % STRESS_SLOTS];
		size_t n;
		unsigned char *q;

		if (sl->p != NULL && !holds(sl->p, sl->n, sl->tag)) {
			bad++;
			break;
		}
		if (sl->p == NULL) {
			sl->n = random_size(&seed);
			sl->p = shm_malloc(sl->n);
			bad += sl->p == NULL || (uintptr_t)sl->p % 16 != 0;
		} else if ((r >> 32) % 3 == 0) {
			n = random_size(&seed) + 1;
			q = shm_realloc(sl->p, n);
			if (q == NULL) {
				bad++;
				break;
			}
			bad += !holds(q, n < sl->n ? n : sl->n, sl->tag);
			sl->p = q;
			sl->n = n;
		} else {
			shm_free(sl->p);
			sl->p = NULL;
			continue;
		}
		sl->tag = (unsigned)(r >> 40) ^ id;
		if (sl->p != NULL)
			fill(sl->p, sl->n, sl->tag);
		if (i % check_every == 0)
			bad += shm_check() != 0;
	}
	for (size_t i = 0; i < STRESS_SLOTS; i++) {
		if (s[i].p != NULL && !holds(s[i].p, s[i].n, s[i].tag))
			bad++;
		shm_free(s[i].p);
	}
	return bad;
}

START_TEST(t_stress)
{
	struct shm_stats st0, st;

	shm_up(64 * MIB);
	shm_get_stats(&st0);
	ck_assert_int_eq(stress(0x9e3779b97f4a7c15ull, 200000, 0, 20000), 0);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	ck_assert_uint_gt(st.max_used, st0.real_used + MIB);
	ck_assert_int_eq(shm_check(), 0);
	shm_destroy();
}
END_TEST

/* Fewer operations, but the heap's invariants checked after each one. */
START_TEST(t_stress_checked)
{
	struct shm_stats st0, st;

	shm_up(8 * MIB);
	shm_get_stats(&st0);
	ck_assert_int_eq(stress(7, 20000, 0, 1), 0);
	shm_get_stats(&st);
	same_stats(&st0, &st);
	shm_destroy();
}
END_TEST

START_TEST(t_fork_concurrent)
{
	struct shm_stats st0, st;
	pid_t pid[4];
	int status;

	shm_up(64 * MIB);
	shm_get_stats(&st0);
	for (unsigned i = 0; i < 4; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0)
			_exit(stress(0x1234567ull * (i + 1), 50000, i << 5,
			    10000) ? 1 : 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %u: status %#x", i, status);
	}
	shm_get_stats(&st);
	same_stats(&st0, &st);
	ck_assert_uint_gt(st.max_used, st0.real_used + MIB);
	ck_assert_int_eq(shm_check(), 0);
	shm_destroy();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shm");
	TCase *tc = tcase_create("alloc");
	TCase *ts = tcase_create("stress");

	tcase_add_test(tc, t_init_destroy);
	tcase_add_test(tc, t_basic_stats);
	tcase_add_test(tc, t_alignment);
	tcase_add_test(tc, t_calloc_strndup);
	tcase_add_test(tc, t_realloc);
	tcase_add_test(tc, t_coalesce);
	tcase_add_test(tc, t_exhaustion);
	tcase_add_test(tc, t_bad_free);
	tcase_add_test(tc, t_overflow);
	suite_add_tcase(s, tc);
	/* sanitizer builds are several times slower */
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, t_stress);
	tcase_add_test(ts, t_stress_checked);
	tcase_add_test(ts, t_fork_concurrent);
	suite_add_tcase(s, ts);
	return tcheck_run(s);
}
