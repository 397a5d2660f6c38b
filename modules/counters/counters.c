/*
 * counters - script counters and the cnt.* RPCs over every statistic
 * of the core and the modules.  See README.md.
 *
 * A counter is a core statistic (core/stats.h): one 64-bit value in
 * shared memory, registered in the supervisor before fork and updated
 * atomically by any process.  The config declares its own with
 * modparam script_counter; cnt_inc()/cnt_add()/cnt_reset() may also name
 * a statistic of the core or of another module ("sl.sent_replies").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/module_api.h"
#include "core/stats.h"
#include "core/xalloc.h"
#include "cnt_decl.h"
#include "cnt_rpc.h"
#include "cnt_stats.h"

/* script_cnt_grp_name, as in force while the config is read */
static char grp_name[CNT_GROUP_MAX + 1] = CNT_DEFAULT_GROUP;

/*
 * What a fixed-up cnt_*() argument holds.  The counter is found in init
 * (the declared ones and those registered so far) or, for a statistic
 * of a module initialised after this one, in child_init; each process
 * keeps its own pointer into the shared table.
 */
struct cnt_ref {
	char             group[CNT_GROUP_MAX + 1];
	char             name[CNT_NAME_MAX + 1];
	struct stat_var *v;
	struct cnt_ref  *next;
};

static struct cnt_ref *refs;    /* every reference of the config */

/* --- parameters -------------------------------------------------------- */

static int
set_script_counter(const struct val *v, struct cfg_diag *d)
{
	char err[160];

	/* the group in force where the declaration is written applies to
	 * it, as in Kamailio */
	if (cnt_decl_add(&v->s, grp_name, err, sizeof(err)) != 0) {
		diag_error(d, "counters: %s", err);
		return -1;
	}
	return 0;
}

static int
set_grp_name(const struct val *v, struct cfg_diag *d)
{
	str_t s = v->s;

	if (s.len == 0 || s.len > CNT_GROUP_MAX || str_chr(&s, '.') ||
	    memchr(s.s, '\0', s.len)) {
		diag_error(d, "counters: script_cnt_grp_name '%.*s': a group "
		    "is 1-%d characters without '.'", STR_FMT(&s),
		    CNT_GROUP_MAX);
		return -1;
	}
	memcpy(grp_name, s.s, s.len);
	grp_name[s.len] = '\0';
	return 0;
}

static const struct param_export cnt_params[] = {
	{ .name = "script_counter", .type = PARAM_STR,
	  .set = set_script_counter },
	{ .name = "script_cnt_grp_name", .type = PARAM_STR,
	  .set = set_grp_name },
	{ .name = NULL },
};

/* --- fixups ------------------------------------------------------------ */

static int
fix_counter(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	struct cnt_ref *r;
	char err[160];
	str_t text;

	if (a->kind != ARG_K_FMT || !fmt_is_static(a->fmt)) {
		diag_error(d, "counters: the counter name must be a constant "
		    "string");
		return -1;
	}
	text = fmt_static_text(a->fmt);
	str_trim(&text);
	if ((r = xcalloc(1, sizeof(*r))) == NULL) {
		diag_error(d, "counters: out of memory");
		return -1;
	}
	if (cnt_ref_split(&text, grp_name, r->group, r->name, err,
	    sizeof(err)) != 0) {
		diag_error(d, "counters: %s", err);
		xfree(r);
		return -1;
	}
	/* without a group it can only be a script counter, declared above:
	 * say so now, where it is written; a statistic of a module is
	 * known once the modules are initialised */
	if (str_chr(&text, '.') == NULL &&
	    cnt_decl_find(r->group, r->name) == NULL) {
		diag_error(d, "counters: counter %s.%s does not exist (forgot "
		    "to define it?)", r->group, r->name);
		xfree(r);
		return -1;
	}
	r->next = refs;
	refs = r;
	*arg = r;
	return 0;
}

static void
free_counter(void *p)
{
	for (struct cnt_ref **pp = &refs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = ((struct cnt_ref *)p)->next;
			break;
		}
	xfree(p);
}

/* --- functions --------------------------------------------------------- */

static int
w_cnt_inc(struct msg *m, void *const *args)
{
	const struct cnt_ref *r = args[0];

	stats_inc(r->v);
	return 1;
}

static int
w_cnt_add(struct msg *m, void *const *args)
{
	const struct cnt_ref *r = args[0];
	long long n;

	if (arg_int(m, args[1], &n) != 0) {
		log_errx("counters: cnt_add(\"%s.%s\"): the value is not a "
		    "number; counter unchanged", r->group, r->name);
		return -1;
	}
	stats_add(r->v, n);
	return 1;
}

static int
w_cnt_reset(struct msg *m, void *const *args)
{
	const struct cnt_ref *r = args[0];

	(void)cnt_stats_clear(r->v);
	return 1;
}

#define A_CNT { .flags = ARG_STR | ARG_STATIC, .fixup = fix_counter, \
		.free_fixup = free_counter }

static const struct cmd_export cnt_cmds[] = {
	{ .name = "cnt_inc", .fn = w_cnt_inc, .routes = RT_ANY,
	  .args = { A_CNT } },
	{ .name = "cnt_add", .fn = w_cnt_add, .routes = RT_ANY,
	  .args = { A_CNT, { .flags = ARG_INT } } },
	{ .name = "cnt_reset", .fn = w_cnt_reset, .routes = RT_ANY,
	  .args = { A_CNT } },
	{ .name = NULL },
};

/* --- init -------------------------------------------------------------- */

/* Finds what the references name.  With report, a reference still
 * unknown is an error; 0 or -1. */
static int
resolve_refs(int report)
{
	int rc = 0;

	for (struct cnt_ref *r = refs; r; r = r->next) {
		if (r->v == NULL)
			r->v = stats_find(r->group, r->name);
		if (r->v == NULL && report) {
			log_errx("counters: counter %s.%s does not exist "
			    "(forgot to define it?)", r->group, r->name);
			rc = -1;
		}
	}
	return rc;
}

static int
cnt_init(void)
{
	for (int i = 0; i < cnt_decl_count(); i++) {
		const struct cnt_decl *d = cnt_decl_at(i);

		if (stats_find(d->group, d->name) != NULL) {
			log_errx("counters: counter %s.%s already registered",
			    d->group, d->name);
			return -1;
		}
		if (stats_register(d->group, d->name, 0) == NULL)
			return -1;
	}
	/* a statistic of a module initialised later is looked for again
	 * in child_init, when every module has registered its own */
	(void)resolve_refs(0);
	return 0;
}

static int
cnt_child_init(const struct proc_self *self)
{
	return resolve_refs(1);
}

static void
cnt_destroy(void)
{
	cnt_decl_free_all();
}

const struct module tandem_module = {
	.abi        = MOD_ABI_VERSION,
	.name       = "counters",
	.version    = PACKAGE_VERSION,
	.cmds       = cnt_cmds,
	.params     = cnt_params,
	.rpcs       = cnt_rpcs,
	.init       = cnt_init,
	.child_init = cnt_child_init,
	.destroy    = cnt_destroy,
	.unload     = cnt_destroy,
};
