/*
 * cfg_rpc_methods.c - the cfg.* RPCs, with Kamailio 5.6's reply shapes
 * and fault messages:
 *
 *   cfg.list [group]              one string "group: var" per variable
 *   cfg.get group [var]           the value; a group alone: struct
 *   cfg.set|seti|sets group var value, and the aliases set_now_int and
 *   set_now_string                nothing (the change is logged)
 *   cfg.set_delayed[_int|_string] group var value   nothing
 *   cfg.commit, cfg.rollback      nothing
 *   cfg.diff                      one struct per prepared change
 *   cfg.help group var            two strings: the help, the type
 *   cfg.reset group               nothing
 *
 * Arguments arrive as text whatever the client sent, so cfg.set, cfg.sets
 * and cfg.seti differ only in that cfg.seti wants a number: the value is
 * converted to the variable's type (as Kamailio's cfg.set does).  Why a
 * change was refused is logged; the fault carries Kamailio's message.
 */
#include "config.h"

#include <stdio.h>

#include "core/log.h"
#include "core/rpc.h"
#include "cfg_rpc_delay.h"
#include "cfg_rpc_methods.h"
#include "cfg_rpc_var.h"

#define E_GET       "Failed to get the variable"
#define E_SET       "Failed to set the variable"
#define E_HELP      "Failed to get the variable description"

static void
add_val(struct rpc_call *c, const char *name, const struct cfg_rpc_val *v)
{
	if (v->type == CFG_RPC_INT)
		rpc_add_int(c, name, v->i);
	else
		rpc_add_str(c, name, &v->s);
}

/* The variable named by arguments 0 and 1: its index, -1 when unknown,
 * -2 when an argument is missing (fault set). */
static int
arg_var(struct rpc_call *c)
{
	str_t group, name;

	if (rpc_arg_str(c, 0, &group) != 0 || rpc_arg_str(c, 1, &name) != 0)
		return -2;
	return cfg_rpc_var_find(&group, &name);
}

/* --- reading ----------------------------------------------------------- */

static void
rpc_list(struct rpc_call *c)
{
	str_t group;
	int filter = rpc_arg_str_opt(c, 0, &group);
	char line[160];

	for (int i = 0; i < cfg_rpc_var_count(); i++) {
		if (filter && !str_eq_cstr(&group, cfg_rpc_var_group(i)))
			continue;
		snprintf(line, sizeof(line), "%s: %s", cfg_rpc_var_group(i),
		    cfg_rpc_var_at(i)->name);
		rpc_add_cstr(c, NULL, line);
	}
}

static void
rpc_get(struct rpc_call *c)
{
	char buf[CFG_RPC_STR_MAX];
	struct cfg_rpc_val v;
	str_t group, name;
	int idx;

	if (!rpc_arg_str_opt(c, 0, &group)) {
		rpc_fault(c, 500, "Failed to get the parameters");
		return;
	}
	if (!rpc_arg_str_opt(c, 1, &name)) {
		/* a group alone: all of it (an unknown group is empty) */
		rpc_struct_begin(c, NULL);
		for (int i = 0; i < cfg_rpc_var_count(); i++) {
			if (!str_eq_cstr(&group, cfg_rpc_var_group(i)))
				continue;
			cfg_rpc_var_get(i, &v, buf, sizeof(buf));
			add_val(c, cfg_rpc_var_at(i)->name, &v);
		}
		rpc_struct_end(c);
		return;
	}
	if ((idx = cfg_rpc_var_find(&group, &name)) < 0) {
		rpc_fault(c, 400, E_GET);
		return;
	}
	cfg_rpc_var_get(idx, &v, buf, sizeof(buf));
	add_val(c, NULL, &v);
}

static void
rpc_help(struct rpc_call *c)
{
	int idx = arg_var(c);
	const struct cfg_rpc_var *v;

	if (idx == -2)
		return;
	if (idx < 0) {
		rpc_fault(c, 400, E_HELP);
		return;
	}
	v = cfg_rpc_var_at(idx);
	rpc_add_cstr(c, NULL, v->help);
	rpc_add_cstr(c, NULL, v->type == CFG_RPC_INT ?
	    "(parameter type is integer)" : "(parameter type is string)");
}

/* --- changing ---------------------------------------------------------- */

enum how { NOW, DELAYED };

static void
set_common(struct rpc_call *c, int want_int, enum how how)
{
	struct cfg_rpc_val in = { .type = CFG_RPC_STR }, out;
	char buf[32];
	enum cfg_rpc_rc rc;
	str_t group, name;
	int idx;

	if (rpc_arg_str(c, 0, &group) != 0 || rpc_arg_str(c, 1, &name) != 0)
		return;
	if (want_int) {
		in.type = CFG_RPC_INT;
		if (rpc_arg_int(c, 2, &in.i) != 0)
			return;
	} else if (rpc_arg_str(c, 2, &in.s) != 0) {
		return;
	}
	if ((idx = cfg_rpc_var_find(&group, &name)) < 0) {
		log_errx("cfg_rpc: variable not found: %.*s.%.*s",
		    STR_FMT(&group), STR_FMT(&name));
		rpc_fault(c, 400, E_SET);
		return;
	}
	if (how == NOW) {
		rc = cfg_rpc_var_set(idx, &in);
	} else if ((rc = cfg_rpc_var_check(idx, &in, &out, buf,
	    sizeof(buf))) == CFG_RPC_OK && cfg_rpc_delay_add(idx, &out) != 0) {
		rc = CFG_RPC_E_INVAL;
	}
	if (rc == CFG_RPC_E_RDONLY)
		rpc_fault(c, 400, E_SET ": %.*s.%.*s is read-only",
		    STR_FMT(&group), STR_FMT(&name));
	else if (rc != CFG_RPC_OK)
		rpc_fault(c, 400, E_SET);
}

static void
rpc_set(struct rpc_call *c)
{
	set_common(c, 0, NOW);
}

static void
rpc_seti(struct rpc_call *c)
{
	set_common(c, 1, NOW);
}

static void
rpc_set_delayed(struct rpc_call *c)
{
	set_common(c, 0, DELAYED);
}

static void
rpc_set_delayed_int(struct rpc_call *c)
{
	set_common(c, 1, DELAYED);
}

static void
rpc_commit(struct rpc_call *c)
{
	if (cfg_rpc_delay_commit() != 0)
		rpc_fault(c, 400, "Failed to commit the changes");
}

static void
rpc_rollback(struct rpc_call *c)
{
	cfg_rpc_delay_rollback();
}

static void
diff_one(void *ctx, int idx, const struct cfg_rpc_val *v)
{
	struct rpc_call *c = ctx;
	char buf[CFG_RPC_STR_MAX];
	struct cfg_rpc_val cur;

	cfg_rpc_var_get(idx, &cur, buf, sizeof(buf));
	rpc_struct_begin(c, NULL);
	rpc_add_cstr(c, "group name", cfg_rpc_var_group(idx));
	rpc_add_cstr(c, "variable name", cfg_rpc_var_at(idx)->name);
	add_val(c, "old value", &cur);
	add_val(c, "new value", v);
	rpc_struct_end(c);
}

static void
rpc_diff(struct rpc_call *c)
{
	(void)cfg_rpc_delay_each(diff_one, c);
}

static void
rpc_reset(struct rpc_call *c)
{
	str_t group;

	if (rpc_arg_str(c, 0, &group) != 0)
		return;
	if (cfg_rpc_var_reset_group(&group) != 0)
		rpc_fault(c, 500, "Reset failed");
}

#define A_SET   "group: str, var: str, value: int|str"
#define A_SETI  "group: str, var: str, value: int"
#define A_SETS  "group: str, var: str, value: str"
#define H_SET   "Sets a configuration variable and commits the change at " \
		"once (the value is converted to the variable's type)."
#define H_SETI  "Sets an integer configuration variable at once."
#define H_SETS  "Sets a string configuration variable at once."
#define H_DEL   "Prepares the change of a configuration variable; " \
		"cfg.commit applies it."

const struct rpc_export cfg_rpc_methods[] = {
	{ "cfg.list", rpc_list, "[group: str]",
	    "Lists the configuration variables (of one group)." },
	{ "cfg.get", rpc_get, "group: str, [var: str]",
	    "Returns the value of a configuration variable, or of every "
	    "variable of a group." },
	{ "cfg.help", rpc_help, "group: str, var: str",
	    "Returns the description and the type of a configuration "
	    "variable." },
	{ "cfg.set", rpc_set, A_SET, H_SET },
	{ "cfg.seti", rpc_seti, A_SETI, H_SETI },
	{ "cfg.set_now_int", rpc_seti, A_SETI, H_SETI },
	{ "cfg.sets", rpc_set, A_SETS, H_SETS },
	{ "cfg.set_now_string", rpc_set, A_SETS, H_SETS },
	{ "cfg.set_delayed", rpc_set_delayed, A_SET, H_DEL },
	{ "cfg.set_delayed_int", rpc_set_delayed_int, A_SETI, H_DEL },
	{ "cfg.set_delayed_string", rpc_set_delayed, A_SETS, H_DEL },
	{ "cfg.commit", rpc_commit, NULL,
	    "Applies the changes prepared with cfg.set_delayed*." },
	{ "cfg.rollback", rpc_rollback, NULL,
	    "Drops the changes prepared with cfg.set_delayed*." },
	{ "cfg.diff", rpc_diff, NULL,
	    "Lists the prepared changes with the old and the new values." },
	{ "cfg.reset", rpc_reset, "group: str",
	    "Sets the variables of a group back to their values at "
	    "startup." },
	{ NULL, NULL, NULL, NULL },
};
