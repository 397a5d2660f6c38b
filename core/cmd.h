/*
 * cmd.h - the registry of script functions: the core's own (log, ...)
 * and those of every loaded module.  One name may be exported several
 * times by the same owner with different argument counts (xlog(fmt) and
 * xlog(level, fmt)); a name exported by two owners is an error.
 */
#ifndef TD_CMD_H
#define TD_CMD_H

#include "cfg/diag.h"
#include "module_api.h"

struct cmd_entry {
	const struct cmd_export *exp;
	const char              *module;    /* owner name, "core" for core */
	int                      min_args;  /* required args               */
	int                      max_args;  /* required + optional         */
};

/* Registers every entry of a NULL-terminated table.  0 or -1. */
int cmd_register_table(const struct cmd_export *tab, const char *module,
                       struct cfg_diag *d, struct cfg_pos pos);

/*
 * Looks up name for a call with nargs arguments.  Returns the entry, or
 * NULL; *any (if not NULL) is set to 1 when the name exists with another
 * argument count, and *first (if not NULL) to one such entry.
 */
const struct cmd_entry *cmd_lookup(const char *name, int nargs, int *any,
                                   const struct cmd_entry **first);
void cmd_registry_reset(void);
/* Registers the core's functions (log, ...).  0 or -1. */
int  cmd_core_register(struct cfg_diag *d);

#endif
