#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xalloc.h"

/*
 * The registry is a flat array searched linearly: it is filled and read
 * only while the config is resolved (a few hundred names at most), never
 * per message, so a hash would buy nothing.
 */
static struct {
	struct cmd_entry *v;
	size_t            n, cap;
} reg;

#define ARG_TYPES (ARG_INT | ARG_STR | ARG_PV | ARG_REGEX)

/*
 * Fills min/max from the arg specs.  Optional arguments must come last:
 * otherwise a call with fewer arguments could not tell which one was
 * left out.  0 or -1 (error in d).
 */
static int
cmd_count_args(const struct cmd_export *e, const char *module,
    struct cfg_diag *d, struct cfg_pos pos, int *min, int *max)
{
	int i, nmin = 0, seen_opt = 0;

	for (i = 0; i <= MOD_MAX_ARGS && e->args[i].flags != 0; i++) {
		unsigned f = e->args[i].flags;

		if (i == MOD_MAX_ARGS) {
			diag_error_at(d, pos, "function '%s' of module '%s' "
			    "declares more than %d arguments", e->name, module,
			    MOD_MAX_ARGS);
			return -1;
		}
		if ((f & ARG_TYPES) == 0) {
			diag_error_at(d, pos, "function '%s' of module '%s': "
			    "argument %d has no type", e->name, module, i + 1);
			return -1;
		}
		if (f & ARG_OPT) {
			seen_opt = 1;
		} else if (seen_opt) {
			diag_error_at(d, pos, "function '%s' of module '%s': "
			    "required argument %d follows an optional one",
			    e->name, module, i + 1);
			return -1;
		} else {
			nmin++;
		}
	}
	*min = nmin;
	*max = i;
	return 0;
}

/*
 * Checks ent against what is registered: one owner per name, and a
 * name exported again by its owner must take other argument counts.
 */
static int
cmd_check_dup(const struct cmd_entry *ent, struct cfg_diag *d,
    struct cfg_pos pos)
{
	for (size_t i = 0; i < reg.n; i++) {
		const struct cmd_entry *o = &reg.v[i];

		if (strcmp(o->exp->name, ent->exp->name) != 0)
			continue;
		if (strcmp(o->module, ent->module) != 0) {
			diag_error_at(d, pos, "function '%s' is exported by "
			    "both '%s' and '%s'", ent->exp->name, o->module,
			    ent->module);
			return -1;
		}
		if (ent->min_args <= o->max_args &&
		    o->min_args <= ent->max_args) {
			diag_error_at(d, pos, "function '%s' of module '%s' is "
			    "exported twice with overlapping argument counts "
			    "(%d..%d and %d..%d)", ent->exp->name, ent->module,
			    o->min_args, o->max_args, ent->min_args,
			    ent->max_args);
			return -1;
		}
	}
	return 0;
}

static int
cmd_register_one(const struct cmd_export *e, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	struct cmd_entry ent = { e, module, 0, 0 };

	if (e->fn == NULL) {
		diag_error_at(d, pos, "function '%s' of module '%s' has no "
		    "handler", e->name, module);
		return -1;
	}
	if ((e->routes & RT_ANY) == 0) {
		diag_error_at(d, pos, "function '%s' of module '%s' may be used "
		    "in no route type", e->name, module);
		return -1;
	}
	if (cmd_count_args(e, module, d, pos, &ent.min_args,
	    &ent.max_args) == -1)
		return -1;
	if (cmd_check_dup(&ent, d, pos) == -1)
		return -1;
	if (reg.n == reg.cap) {
		size_t cap = reg.cap ? reg.cap * 2 : 64;
		struct cmd_entry *nv = xrealloc(reg.v, cap * sizeof(*nv));

		if (nv == NULL) {
			diag_error_at(d, pos, "out of memory registering "
			    "function '%s'", e->name);
			return -1;
		}
		reg.v = nv;
		reg.cap = cap;
	}
	reg.v[reg.n++] = ent;
	return 0;
}

/*
 * Every entry is tried even after a failure so that one pass reports
 * all the bad entries of a table.  The table and the module name must
 * outlive the registry (they live in the module, or are literals).
 */
int
cmd_register_table(const struct cmd_export *tab, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	int rc = 0;

	if (tab == NULL)
		return 0;
	for (; tab->name != NULL; tab++)
		if (cmd_register_one(tab, module, d, pos) == -1)
			rc = -1;
	return rc;
}

const struct cmd_entry *
cmd_lookup(const char *name, int nargs, int *any,
    const struct cmd_entry **first)
{
	const struct cmd_entry *other = NULL;

	for (size_t i = 0; i < reg.n; i++) {
		const struct cmd_entry *e = &reg.v[i];

		if (strcmp(e->exp->name, name) != 0)
			continue;
		if (nargs >= e->min_args && nargs <= e->max_args) {
			if (any)
				*any = 1;
			if (first)
				*first = e;
			return e;
		}
		if (other == NULL)
			other = e;
	}
	if (any)
		*any = other != NULL;
	if (first)
		*first = other;
	return NULL;
}

void
cmd_registry_reset(void)
{
	xfree(reg.v);
	reg.v = NULL;
	reg.n = reg.cap = 0;
}
