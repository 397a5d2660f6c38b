/*
 * registrar.c - the registrar module: save() a REGISTER's bindings into
 * usrloc and lookup() them for requests.  This file holds the
 * descriptor, the parameters, the fixups and the thin wrappers; the
 * work is in reg_save.c, reg_lookup.c and the pure reg_parse.c /
 * reg_reply.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "reg_mod.h"
#include "reg_parse.h"

#define REG_MAX_TABLES 16

static struct reg_cfg cfg = {
	.default_expires = 3600,
	.min_expires = 60,
	.max_expires = 0,
	.max_contacts = 0,
	.default_q = UL_Q_UNSET,
	.case_sensitive = 0,
	.min_expires_mode = 0,
	.retry_after = 0,
	.use_path = 0,
	.path_mode = REG_PATH_STRICT,   /* Kamailio's default, RFC 3327's */
	.method_filtering = 0,
};

/* the tables the script names, registered with usrloc at config time */
static struct {
	char              *name;
	struct ul_domain  *d;
} tables[REG_MAX_TABLES];
static int ntables;

const struct reg_cfg *
reg_cfg(void)
{
	return &cfg;
}

static const struct arg *
as_arg(const void *p)
{
	return p;
}

/* The static text of a fixed-up argument; 1, or 0 when it has PVs. */
static int
arg_static(const void *p, str_t *out)
{
	const struct arg *a = as_arg(p);

	if (a->kind == ARG_K_FMT && fmt_is_static(a->fmt)) {
		*out = fmt_static_text(a->fmt);
		return 1;
	}
	return 0;
}

struct ul_domain *
reg_domain(struct msg *m, const void *arg)
{
	str_t name;

	if (arg_str(m, arg, &name) != 0)
		return NULL;
	for (int i = 0; i < ntables; i++)
		if (str_eq_cstr(&name, tables[i].name))
			return tables[i].d;
	log_errx("registrar: unknown location table '%.*s'", STR_FMT(&name));
	return NULL;
}

int
reg_aor_of(struct msg *m, const str_t *uri, str_t *aor)
{
	char buf[512];
	const char *err;
	str_t u;
	int n;

	if (uri != NULL)
		u = *uri;
	else if (msg_get_ruri(m, &u) != 0)
		return -1;
	n = reg_aor_build(&u, cfg.ul->use_domain(), cfg.case_sensitive,
	    cfg.realm_prefix, buf, sizeof(buf), &err);
	if (n < 0) {
		log_errx("registrar: %s: '%.*s'", err, STR_FMT(&u));
		return -1;
	}
	u = str_make(buf, (size_t)n);
	return arena_str_dup(&m->arena, &u, aor);
}

/* --- fixups -------------------------------------------------------------- */

/* The table name: static, and known to usrloc (which makes the table
 * in its init, before fork). */
static int
fix_table(void **arg, struct cfg_diag *d)
{
	char name[128];
	str_t s;

	if (!arg_static(*arg, &s)) {
		diag_error(d, "registrar: the location table name must be a "
		    "constant string");
		return -1;
	}
	if (cfg.ul == NULL &&
	    (cfg.ul = mod_api_get("usrloc", USRLOC_API_VERSION)) == NULL) {
		diag_error(d, "registrar: needs the usrloc module: loadmodule "
		    "\"usrloc.so\"");
		return -1;
	}
	for (int i = 0; i < ntables; i++)
		if (str_eq_cstr(&s, tables[i].name))
			return 0;
	if (s.len == 0 || s.len >= sizeof(name) || ntables == REG_MAX_TABLES) {
		diag_error(d, "registrar: bad or too many location tables "
		    "('%.*s')", STR_FMT(&s));
		return -1;
	}
	memcpy(name, s.s, s.len);
	name[s.len] = '\0';
	if ((tables[ntables].name = strdup(name)) == NULL ||
	    (tables[ntables].d = cfg.ul->register_domain(name)) == NULL) {
		free(tables[ntables].name);
		tables[ntables].name = NULL;
		diag_error(d, "registrar: cannot register location table "
		    "'%s' with usrloc", name);
		return -1;
	}
	ntables++;
	return 0;
}

/* save()'s table also needs sl for its reply. */
static int
fix_save_table(void **arg, struct cfg_diag *d)
{
	if (cfg.sl == NULL &&
	    (cfg.sl = mod_api_get("sl", SL_API_VERSION)) == NULL) {
		diag_error(d, "registrar: save() replies through the sl "
		    "module: loadmodule \"sl.so\"");
		return -1;
	}
	return fix_table(arg, d);
}

static int
fix_flags(void **arg, struct cfg_diag *d)
{
	const struct arg *a = as_arg(*arg);

	if (a->kind == ARG_K_INT && (a->n < 0 || (a->n & ~REG_SAVE_ALL))) {
		diag_error(d, "registrar: save() flags 0x%llx: only 0x01 "
		    "(memory), 0x02 (no reply), 0x04 (replace all) and 0x08 "
		    "are known", (unsigned long long)a->n);
		return -1;
	}
	return 0;
}

/* --- the script functions ---------------------------------------------- */

/* The optional uri argument: 1 set (out), 0 absent, -1 error. */
static int
opt_uri(struct msg *m, const void *arg, str_t *out)
{
	if (arg == NULL)
		return 0;
	if (arg_str(m, arg, out) != 0 || out->len == 0) {
		log_errx("registrar: empty or unusable URI argument");
		return -1;
	}
	return 1;
}

static int
w_save(struct msg *m, void *const *args)
{
	struct ul_domain *d = reg_domain(m, args[0]);
	long long flags = 0;
	str_t uri;
	int has_uri;

	if (d == NULL)
		return -1;
	if (args[1] != NULL && arg_int(m, args[1], &flags) != 0) {
		log_errx("registrar: save(): flags are not a number");
		return -1;
	}
	if ((has_uri = opt_uri(m, args[2], &uri)) < 0)
		return -1;
	return reg_save(m, d, (unsigned)flags, has_uri ? &uri : NULL);
}

static int
w_lookup(struct msg *m, void *const *args)
{
	struct ul_domain *d = reg_domain(m, args[0]);
	str_t uri;
	int has_uri;

	if (d == NULL)
		return -3;
	if ((has_uri = opt_uri(m, args[1], &uri)) < 0)
		return -3;
	return reg_lookup(m, d, has_uri ? &uri : NULL);
}

static int
w_registered(struct msg *m, void *const *args)
{
	struct ul_domain *d = reg_domain(m, args[0]);
	str_t uri;
	int has_uri;

	if (d == NULL || (has_uri = opt_uri(m, args[1], &uri)) < 0)
		return -1;
	return reg_registered(m, d, has_uri ? &uri : NULL);
}

static int
w_unregister(struct msg *m, void *const *args)
{
	struct ul_domain *d = reg_domain(m, args[0]);
	str_t uri;

	if (d == NULL || opt_uri(m, args[1], &uri) != 1)
		return -1;
	return reg_unregister(m, d, &uri);
}

#define A_SAVE_TABLE { .flags = ARG_STR | ARG_STATIC, \
	.fixup = fix_save_table }
#define A_TABLE      { .flags = ARG_STR | ARG_STATIC, .fixup = fix_table }
#define A_FLAGS_OPT  { .flags = ARG_INT | ARG_OPT, .fixup = fix_flags }
#define A_STR_OPT    { .flags = ARG_STR | ARG_OPT }
#define A_STR        { .flags = ARG_STR }

static const struct cmd_export reg_cmds[] = {
	{ .name = "save", .fn = w_save, .routes = RT_REQUEST,
	  .args = { A_SAVE_TABLE, A_FLAGS_OPT, A_STR_OPT } },
	{ .name = "lookup", .fn = w_lookup, .routes = RT_REQUEST |
	  RT_FAILURE | RT_BRANCH, .args = { A_TABLE, A_STR_OPT } },
	{ .name = "registered", .fn = w_registered, .routes = RT_ANY,
	  .args = { A_TABLE, A_STR_OPT } },
	{ .name = "unregister", .fn = w_unregister, .routes = RT_ANY,
	  .args = { A_TABLE, A_STR } },
	{ .name = NULL },
};

/* --- parameters -------------------------------------------------------- */

static int
param_range(const struct val *v, struct cfg_diag *d, const char *name,
    long long lo, long long hi, int *out)
{
	if (v->n < lo || v->n > hi) {
		diag_error(d, "registrar: %s must be %lld..%lld, not %lld",
		    name, lo, hi, v->n);
		return -1;
	}
	*out = (int)v->n;
	return 0;
}

#define REG_INT_PARAM(fn, pname, lo, hi, field)                          \
	static int fn(const struct val *v, struct cfg_diag *d)             \
	{                                                                  \
		return param_range(v, d, pname, lo, hi, &cfg.field);       \
	}

REG_INT_PARAM(p_default_expires, "default_expires", 0, 0x7fffffff,
    default_expires)
REG_INT_PARAM(p_min_expires, "min_expires", 0, 0x7fffffff, min_expires)
REG_INT_PARAM(p_max_expires, "max_expires", 0, 0x7fffffff, max_expires)
REG_INT_PARAM(p_max_contacts, "max_contacts", 0, 0x7fffffff, max_contacts)
REG_INT_PARAM(p_default_q, "default_q", -1, 1000, default_q)
REG_INT_PARAM(p_case_sensitive, "case_sensitive", 0, 1, case_sensitive)
REG_INT_PARAM(p_min_expires_mode, "min_expires_mode", 0, 1,
    min_expires_mode)
REG_INT_PARAM(p_retry_after, "retry_after", 0, 0x7fffffff, retry_after)
REG_INT_PARAM(p_use_path, "use_path", 0, 1, use_path)
REG_INT_PARAM(p_path_mode, "path_mode", 0, 2, path_mode)
REG_INT_PARAM(p_method_filtering, "method_filtering", 0, 1,
    method_filtering)

static int
p_realm_prefix(const struct val *v, struct cfg_diag *d)
{
	char *s = malloc(v->s.len + 1);

	if (s == NULL) {
		diag_error(d, "registrar: out of memory");
		return -1;
	}
	memcpy(s, v->s.s, v->s.len);
	s[v->s.len] = '\0';
	free(cfg.realm_prefix);
	cfg.realm_prefix = s;
	return 0;
}

/*
 * GRUU (RFC 5627) needs more than the registrar: pub-gruu/temp-gruu in
 * the 200 OK, Require: gruu, and a lookup() that routes a GRUU R-URI
 * to its instance's contact.  Tandem does none of it, so only 0 (GRUU
 * extensions ignored, +sip.instance kept) is accepted.
 */
static int
p_gruu_enabled(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0) {
		diag_error(d, "registrar: gruu_enabled %lld is not supported: "
		    "Tandem's registrar does not issue GRUUs (RFC 5627 "
		    "pub-gruu/temp-gruu) nor route by them; set it to 0",
		    v->n);
		return -1;
	}
	return 0;
}

static int
p_append_branches(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0)
		diag_warn(d, "registrar: append_branches has no effect: "
		    "Tandem has no branches yet, lookup() uses the best "
		    "contact only");
	return 0;
}

static const struct param_export reg_params[] = {
	{ .name = "default_expires", .type = PARAM_INT,
	  .set = p_default_expires },
	{ .name = "min_expires", .type = PARAM_INT, .set = p_min_expires },
	{ .name = "max_expires", .type = PARAM_INT, .set = p_max_expires },
	{ .name = "max_contacts", .type = PARAM_INT, .set = p_max_contacts },
	{ .name = "default_q", .type = PARAM_INT, .set = p_default_q },
	{ .name = "case_sensitive", .type = PARAM_INT,
	  .set = p_case_sensitive },
	{ .name = "min_expires_mode", .type = PARAM_INT,
	  .set = p_min_expires_mode },
	{ .name = "retry_after", .type = PARAM_INT, .set = p_retry_after },
	{ .name = "realm_prefix", .type = PARAM_STR, .set = p_realm_prefix },
	{ .name = "use_path", .type = PARAM_INT, .set = p_use_path },
	{ .name = "path_mode", .type = PARAM_INT, .set = p_path_mode },
	{ .name = "method_filtering", .type = PARAM_INT,
	  .set = p_method_filtering },
	{ .name = "gruu_enabled", .type = PARAM_INT, .set = p_gruu_enabled },
	{ .name = "append_branches", .type = PARAM_INT,
	  .set = p_append_branches },
	{ .name = NULL },
};

/* --- life cycle ----------------------------------------------------------- */

static const char *const reg_depends[] = { "usrloc", "sl", NULL };

static int
reg_init(void)
{
	if ((cfg.ul = mod_api_get("usrloc", USRLOC_API_VERSION)) == NULL) {
		log_errx("registrar: needs the usrloc module");
		return -1;
	}
	if ((cfg.sl = mod_api_get("sl", SL_API_VERSION)) == NULL) {
		log_errx("registrar: needs the sl module");
		return -1;
	}
	return 0;
}

/* Private memory made at config time, also under `tandem -c`. */
__attribute__((destructor)) static void
reg_unload(void)
{
	for (int i = 0; i < ntables; i++) {
		free(tables[i].name);
		tables[i].name = NULL;
	}
	ntables = 0;
	free(cfg.realm_prefix);
	cfg.realm_prefix = NULL;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "registrar",
	.version = PACKAGE_VERSION,
	.depends = reg_depends,
	.cmds = reg_cmds,
	.params = reg_params,
	.init = reg_init,
};
