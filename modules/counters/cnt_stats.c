/*
 * cnt_stats.c - listing, resetting and describing statistics for the
 * counters module.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/shm.h"
#include "core/xalloc.h"
#include "cnt_decl.h"
#include "cnt_stats.h"

static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **
cnt_stats_groups(int *n)
{
	int total = stats_count(), k = 0;
	const char **g;

	*n = 0;
	if (total == 0)
		return NULL;
	if ((g = xmalloc((size_t)total * sizeof(*g))) == NULL) {
		*n = -1;
		return NULL;
	}
	for (int i = 0; i < total; i++)
		g[i] = stats_group(stats_at(i));
	qsort(g, (size_t)total, sizeof(*g), str_ptr_cmp);
	for (int i = 0; i < total; i++)
		if (k == 0 || strcmp(g[k - 1], g[i]) != 0)
			g[k++] = g[i];
	*n = k;
	return g;
}

static int
var_name_cmp(const void *a, const void *b)
{
	return strcmp(stats_name(*(struct stat_var *const *)a),
	    stats_name(*(struct stat_var *const *)b));
}

struct stat_var **
cnt_stats_vars(const char *group, int *n)
{
	int total = stats_count(), k = 0;
	struct stat_var **v;

	*n = 0;
	if (total == 0)
		return NULL;
	if ((v = xmalloc((size_t)total * sizeof(*v))) == NULL) {
		*n = -1;
		return NULL;
	}
	for (int i = 0; i < total; i++) {
		struct stat_var *s = stats_at(i);

		if (strcmp(stats_group(s), group) == 0)
			v[k++] = s;
	}
	qsort(v, (size_t)k, sizeof(*v), var_name_cmp);
	*n = k;
	return v;
}

int64_t
cnt_stats_clear(struct stat_var *v)
{
	int64_t old = stats_get(v);

	/* subtracting what was read keeps an increment made meanwhile by
	 * another process; a plain store of 0 would lose it */
	if (!(stats_flags(v) & STAT_NO_RESET))
		stats_add(v, -old);
	return old;
}

void
cnt_stats_refresh(void)
{
	struct shm_stats st;
	struct {
		const char *name;
		size_t     *val;
	} g[] = {
		{ "fragments", &st.fragments },
		{ "free_size", &st.free },
		{ "max_used_size", &st.max_used },
		{ "real_used_size", &st.real_used },
		{ "total_size", &st.total },
		{ "used_size", &st.used },
	};

	if (!shm_ready() || stats_find("shmem", "total_size") == NULL)
		return;
	shm_get_stats(&st);
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		stats_set(stats_find("shmem", g[i].name), (int64_t)*g[i].val);
}

const char *
cnt_stats_desc(const char *group, const char *name)
{
	const struct cnt_decl *d = cnt_decl_find(group, name);

	return d != NULL ? d->desc : CNT_NO_DESC;
}
