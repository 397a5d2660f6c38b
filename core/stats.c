#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "shm.h"
#include "stats.h"

#define STATS_MAX 1024

struct stat_var {
	char      group[32];
	char      name[64];
	unsigned  flags;
	int64_t   value;
};

struct stats_table {
	int              n;
	struct stat_var  vars[STATS_MAX];
};

/* In shm, created on first registration (before fork). */
static struct stats_table *tab;

struct stat_var *
stats_find(const char *group, const char *name)
{
	for (int i = 0; tab && i < tab->n; i++)
		if (strcmp(tab->vars[i].group, group) == 0 &&
		    strcmp(tab->vars[i].name, name) == 0)
			return &tab->vars[i];
	return NULL;
}

struct stat_var *
stats_register(const char *group, const char *name, unsigned flags)
{
	struct stat_var *v;

	if (tab == NULL) {
		if (!shm_ready() || (tab = shm_calloc(1, sizeof(*tab))) == NULL) {
			log_errx("statistic %s:%s: no shared memory", group, name);
			return NULL;
		}
	}
	if ((v = stats_find(group, name)) != NULL)
		return v;
	if (tab->n == STATS_MAX) {
		log_errx("too many statistics (max %d): %s:%s", STATS_MAX,
		    group, name);
		return NULL;
	}
	v = &tab->vars[tab->n++];
	snprintf(v->group, sizeof(v->group), "%s", group);
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->flags = flags;
	v->value = 0;
	return v;
}

void
stats_inc(struct stat_var *v)
{
	if (v)
		__atomic_fetch_add(&v->value, 1, __ATOMIC_RELAXED);
}

void
stats_add(struct stat_var *v, int64_t n)
{
	if (v)
		__atomic_fetch_add(&v->value, n, __ATOMIC_RELAXED);
}

void
stats_set(struct stat_var *v, int64_t n)
{
	if (v)
		__atomic_store_n(&v->value, n, __ATOMIC_RELAXED);
}

int64_t
stats_get(const struct stat_var *v)
{
	return v ? __atomic_load_n(&v->value, __ATOMIC_RELAXED) : 0;
}

void
stats_reset(struct stat_var *v)
{
	if (v && !(v->flags & STAT_NO_RESET))
		__atomic_store_n(&v->value, 0, __ATOMIC_RELAXED);
}

int
stats_count(void)
{
	return tab ? tab->n : 0;
}

struct stat_var *
stats_at(int i)
{
	return tab && i >= 0 && i < tab->n ? &tab->vars[i] : NULL;
}

const char *
stats_group(const struct stat_var *v)
{
	return v->group;
}

const char *
stats_name(const struct stat_var *v)
{
	return v->name;
}

unsigned
stats_flags(const struct stat_var *v)
{
	return v->flags;
}
