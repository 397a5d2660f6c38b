/*
 * cfg_rpc_var.h - the registry of runtime variables (groups declared by
 * cfg_rpc for the core and by modules through cfg_rpc_api.h), and the
 * checked reading and writing of one variable.
 *
 * The registry is filled before fork and only read afterwards, so a
 * variable's index names the same variable in every process.
 */
#ifndef TD_CFG_RPC_VAR_H
#define TD_CFG_RPC_VAR_H

#include <stddef.h>

#include "cfg_rpc_api.h"

/* Longest string value cfg.get shows (longer ones are cut). */
#define CFG_RPC_STR_MAX 1024

/* A value on its way in or out; s is borrowed. */
struct cfg_rpc_val {
	enum cfg_rpc_type  type;
	long long          i;
	str_t              s;
};

enum cfg_rpc_rc {
	CFG_RPC_OK = 0,
	CFG_RPC_E_INVAL = -1,       /* no conversion, out of range, refused */
	CFG_RPC_E_RDONLY = -2,      /* the variable cannot be changed       */
};

/* cfg_rpc_api's declare(); see there.  0 or -1 (logged). */
int  cfg_rpc_var_declare(const char *group, const struct cfg_rpc_var *vars);
/* After fork: declare() is refused from then on. */
void cfg_rpc_var_freeze(void);
/* Forgets every declaration (module destroy, tests). */
void cfg_rpc_var_reset_all(void);

int                       cfg_rpc_var_count(void);
const char               *cfg_rpc_var_group(int idx);
const struct cfg_rpc_var *cfg_rpc_var_at(int idx);
/* The index of group.name, or -1. */
int  cfg_rpc_var_find(const str_t *group, const str_t *name);
/* 1 when some variable belongs to group. */
int  cfg_rpc_var_group_exists(const str_t *group);
int  cfg_rpc_var_readonly(int idx);

/* The current value; a string is written to buf (cut to size - 1). */
void cfg_rpc_var_get(int idx, struct cfg_rpc_val *out, char *buf,
                     size_t size);
/*
 * Converts in to the type of variable idx and checks it: an int from a
 * decimal string, a string from an int (written to buf), the range.
 * CFG_RPC_OK with *out set (out->s may point into buf or into in), or an
 * error with the reason logged.  Nothing is changed.
 */
enum cfg_rpc_rc cfg_rpc_var_check(int idx, const struct cfg_rpc_val *in,
                                  struct cfg_rpc_val *out, char *buf,
                                  size_t size);
/* Checks then sets; logs "group.name has been changed to ...". */
enum cfg_rpc_rc cfg_rpc_var_set(int idx, const struct cfg_rpc_val *in);
/* Sets every writable variable of group back to its value at
 * declaration.  0, or -1 when one was refused (the others are set). */
int  cfg_rpc_var_reset_group(const str_t *group);

#endif
