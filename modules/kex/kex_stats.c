/*
 * kex_stats.c - selecting, printing and clearing statistics, and the
 * shmem:* gauges kex keeps (the only statistics kex itself can count
 * honestly: it reads them from the allocator when asked).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/shm.h"
#include "core/xalloc.h"
#include "kex_stats.h"

enum {
	SHM_FRAGMENTS, SHM_FREE, SHM_MAX_USED, SHM_REAL_USED, SHM_TOTAL,
	SHM_USED, SHM_N
};

static const char *const shm_names[SHM_N] = {
	"fragments", "free_size", "max_used_size", "real_used_size",
	"total_size", "used_size",
};

/* Registered in init, before fork; read-only afterwards. */
static struct stat_var *shm_vars[SHM_N];

static int
stat_cmp(const void *a, const void *b)
{
	const struct stat_var *x = *(struct stat_var *const *)a;
	const struct stat_var *y = *(struct stat_var *const *)b;
	int c = strcmp(stats_group(x), stats_group(y));

	return c != 0 ? c : strcmp(stats_name(x), stats_name(y));
}

/* 1 when v is what sel names (see kex_stats_select). */
static int
stat_match(const struct stat_var *v, const str_t *sel)
{
	const char *g = stats_group(v), *n = stats_name(v);
	size_t glen = strlen(g);
	str_t name = *sel;
	const char *sep;

	if (str_eq_cstr(sel, "all"))
		return 1;
	sep = memchr(sel->s, ':', sel->len);
	if (sep == NULL)
		sep = memchr(sel->s, '.', sel->len);
	if (sep != NULL) {
		if ((size_t)(sep - sel->s) != glen ||
		    memcmp(sel->s, g, glen) != 0)
			return 0;
		name = str_make(sep + 1, sel->len - glen - 1);
		/* "group:" is the whole group */
		if (name.len == 0)
			return *sep == ':';
	}
	return str_eq_cstr(&name, n);
}

int
kex_stats_select(const str_t *sel, kex_stat_fn fn, void *ctx)
{
	int total = stats_count(), n = 0;
	struct stat_var **v = NULL;

	if (total == 0 || sel->len == 0)
		return 0;
	if ((v = xmalloc((size_t)total * sizeof(*v))) == NULL)
		return -1;
	for (int i = 0; i < total; i++) {
		struct stat_var *s = stats_at(i);

		if (s != NULL && stat_match(s, sel))
			v[n++] = s;
	}
	qsort(v, (size_t)n, sizeof(*v), stat_cmp);
	for (int i = 0; i < n; i++)
		fn(ctx, v[i]);
	xfree(v);
	return n;
}

size_t
kex_stats_line(const struct stat_var *v, int64_t value, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "%s:%s = %" PRId64, stats_group(v),
	    stats_name(v), value);

	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

size_t
kex_stats_key(const struct stat_var *v, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.%s", stats_group(v), stats_name(v));

	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

int64_t
kex_stats_clear(struct stat_var *v)
{
	int64_t old = stats_get(v);

	if (!(stats_flags(v) & STAT_NO_RESET))
		stats_add(v, -old);
	return old;
}

int
kex_stats_shm_register(void)
{
	for (int i = 0; i < SHM_N; i++) {
		shm_vars[i] = stats_register("shmem", shm_names[i],
		    STAT_NO_RESET | STAT_IS_GAUGE);
		if (shm_vars[i] == NULL)
			return -1;
	}
	return 0;
}

void
kex_stats_shm_refresh(void)
{
	struct shm_stats st;

	if (shm_vars[0] == NULL || !shm_ready())
		return;
	shm_get_stats(&st);
	stats_set(shm_vars[SHM_FRAGMENTS], (int64_t)st.fragments);
	stats_set(shm_vars[SHM_FREE], (int64_t)st.free);
	stats_set(shm_vars[SHM_MAX_USED], (int64_t)st.max_used);
	stats_set(shm_vars[SHM_REAL_USED], (int64_t)st.real_used);
	stats_set(shm_vars[SHM_TOTAL], (int64_t)st.total);
	stats_set(shm_vars[SHM_USED], (int64_t)st.used);
}
