/*
 * cnt_rpc.c - the cnt.* RPCs over every statistic the core and the
 * modules registered, with Kamailio 5.6's reply shapes:
 *
 *   cnt.get group name       the value (an int)
 *   cnt.get group            struct { name: value } of the group
 *   cnt.reset group name     nothing
 *   cnt.grps_list            one string per group, sorted
 *   cnt.var_list group       one string per counter, sorted
 *   cnt.grp_get_all group    struct { name: value }, sorted
 *   cnt.help group name      the description (a string)
 *
 * plus Kamailio's aliases cnt.list_groups, cnt.list_vars, cnt.get_vars.
 * An unknown group lists nothing; an unknown counter is fault 400
 * "non-existent counter group.name" (with Kamailio's trailing newline).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/rpc.h"
#include "core/xalloc.h"
#include "cnt_decl.h"
#include "cnt_rpc.h"
#include "cnt_stats.h"

/*
 * Argument i as a C string in buf.  0; 1 when it is too long to name
 * anything (or holds a NUL); -1 when missing (fault set).
 */
static int
arg_cstr(struct rpc_call *c, int i, char *buf, size_t size)
{
	str_t s;

	if (rpc_arg_str(c, i, &s) != 0)
		return -1;
	if (s.len >= size || memchr(s.s, '\0', s.len) != NULL) {
		snprintf(buf, size, "%.*s", (int)(size - 1), s.s);
		return 1;
	}
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	return 0;
}

/* The counter named by arguments 0 and 1, or NULL with a fault set. */
static struct stat_var *
arg_counter(struct rpc_call *c)
{
	char group[CNT_GROUP_MAX + 1], name[CNT_NAME_MAX + 1];
	struct stat_var *v = NULL;
	int rg, rn;

	if ((rg = arg_cstr(c, 0, group, sizeof(group))) < 0 ||
	    (rn = arg_cstr(c, 1, name, sizeof(name))) < 0)
		return NULL;
	if (rg == 0 && rn == 0)
		v = stats_find(group, name);
	if (v == NULL)
		rpc_fault(c, 400, "non-existent counter %s.%s\n", group, name);
	return v;
}

static void
add_group_values(struct rpc_call *c, const char *group)
{
	int n;
	struct stat_var **v = cnt_stats_vars(group, &n);

	if (n < 0) {
		rpc_fault(c, 500, "out of memory");
		return;
	}
	cnt_stats_refresh();
	rpc_struct_begin(c, NULL);
	for (int i = 0; i < n; i++)
		rpc_add_int(c, stats_name(v[i]), stats_get(v[i]));
	rpc_struct_end(c);
	xfree(v);
}

static void
rpc_cnt_get(struct rpc_call *c)
{
	char group[CNT_GROUP_MAX + 1];
	struct stat_var *v;
	str_t name;
	int rg;

	/* Kamailio 5.6 answers a group alone with the whole group */
	if (!rpc_arg_str_opt(c, 1, &name)) {
		if ((rg = arg_cstr(c, 0, group, sizeof(group))) < 0)
			return;
		add_group_values(c, rg == 0 ? group : "");
		return;
	}
	if ((v = arg_counter(c)) == NULL)
		return;
	cnt_stats_refresh();
	rpc_add_int(c, NULL, stats_get(v));
}

static void
rpc_cnt_reset(struct rpc_call *c)
{
	struct stat_var *v = arg_counter(c);

	if (v != NULL)
		(void)cnt_stats_clear(v);
}

static void
rpc_cnt_grps_list(struct rpc_call *c)
{
	int n;
	const char **g = cnt_stats_groups(&n);

	if (n < 0) {
		rpc_fault(c, 500, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++)
		rpc_add_cstr(c, NULL, g[i]);
	xfree(g);
}

static void
rpc_cnt_var_list(struct rpc_call *c)
{
	char group[CNT_GROUP_MAX + 1];
	struct stat_var **v;
	int n, rg;

	if ((rg = arg_cstr(c, 0, group, sizeof(group))) < 0 || rg == 1)
		return;
	if ((v = cnt_stats_vars(group, &n)) == NULL && n < 0) {
		rpc_fault(c, 500, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++)
		rpc_add_cstr(c, NULL, stats_name(v[i]));
	xfree(v);
}

static void
rpc_cnt_grp_get_all(struct rpc_call *c)
{
	char group[CNT_GROUP_MAX + 1];
	int rg;

	if ((rg = arg_cstr(c, 0, group, sizeof(group))) < 0)
		return;
	add_group_values(c, rg == 0 ? group : "");
}

static void
rpc_cnt_help(struct rpc_call *c)
{
	struct stat_var *v = arg_counter(c);

	if (v != NULL)
		rpc_add_cstr(c, NULL, cnt_stats_desc(stats_group(v),
		    stats_name(v)));
}

#define H_GET   "Returns the value of counter group.name; with a group " \
		"alone, every counter of the group."
#define H_RESET "Resets counter group.name to 0."
#define H_GRPS  "Lists the counter groups."
#define H_VARS  "Lists the counters of a group."
#define H_ALL   "Returns every counter of a group with its value."
#define H_HELP  "Returns the description of counter group.name."

const struct rpc_export cnt_rpcs[] = {
	{ "cnt.get", rpc_cnt_get, "group: str, [name: str]", H_GET },
	{ "cnt.reset", rpc_cnt_reset, "group: str, name: str", H_RESET },
	{ "cnt.grps_list", rpc_cnt_grps_list, NULL, H_GRPS },
	{ "cnt.list_groups", rpc_cnt_grps_list, NULL, H_GRPS },
	{ "cnt.var_list", rpc_cnt_var_list, "group: str", H_VARS },
	{ "cnt.list_vars", rpc_cnt_var_list, "group: str", H_VARS },
	{ "cnt.grp_get_all", rpc_cnt_grp_get_all, "group: str", H_ALL },
	{ "cnt.get_vars", rpc_cnt_grp_get_all, "group: str", H_ALL },
	{ "cnt.help", rpc_cnt_help, "group: str, name: str", H_HELP },
	{ NULL, NULL, NULL, NULL },
};
