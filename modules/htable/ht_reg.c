/*
 * ht_reg.c - the module's table definitions and their shm tables.
 */
#include "config.h"

#include <stdio.h>

#include "core/xalloc.h"
#include "ht_reg.h"

static struct ht_specs ht_specs;
/* ht_specs.n pointers, private memory filled before fork (inherited). */
static struct ht_table **ht_tables;

int
ht_reg_define(const char *text, size_t len, int *warn, char *err,
    size_t errlen)
{
	struct ht_spec s;

	if (ht_tables != NULL) {
		snprintf(err, errlen, "tables cannot be added after start");
		return -1;
	}
	if (ht_spec_parse(text, len, &s, warn, err, errlen) == -1)
		return -1;
	return ht_specs_add(&ht_specs, &s, err, errlen);
}

int
ht_reg_find(const str_t *name)
{
	return ht_specs_find(&ht_specs, name);
}

unsigned
ht_reg_count(void)
{
	return ht_specs.n;
}

const struct ht_spec *
ht_reg_spec(unsigned i)
{
	return i < ht_specs.n ? &ht_specs.v[i] : NULL;
}

int
ht_reg_create_all(void)
{
	if (ht_specs.n == 0)
		return 0;
	ht_tables = xcalloc(ht_specs.n, sizeof(ht_tables[0]));
	if (ht_tables == NULL)
		return -1;
	for (unsigned i = 0; i < ht_specs.n; i++) {
		ht_tables[i] = ht_table_create(&ht_specs.v[i]);
		if (ht_tables[i] == NULL) {
			ht_reg_destroy_tables();
			return -1;
		}
	}
	return 0;
}

struct ht_table *
ht_reg_table(int i)
{
	if (ht_tables == NULL || i < 0 || (unsigned)i >= ht_specs.n)
		return NULL;
	return ht_tables[i];
}

struct ht_table *
ht_reg_lookup(const str_t *name)
{
	return ht_reg_table(ht_reg_find(name));
}

void
ht_reg_destroy_tables(void)
{
	if (ht_tables == NULL)
		return;
	for (unsigned i = 0; i < ht_specs.n; i++)
		ht_table_destroy(ht_tables[i]);
	xfree(ht_tables);
	ht_tables = NULL;
}

void
ht_reg_reset(void)
{
	/* the shm tables are not touched: shm may already be gone */
	xfree(ht_tables);
	ht_tables = NULL;
	ht_specs_free(&ht_specs);
}
