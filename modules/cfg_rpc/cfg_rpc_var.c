/*
 * cfg_rpc_var.c - the registry of runtime variables and their checked
 * reading and writing.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/shm.h"
#include "core/xalloc.h"
#include "cfg_rpc_var.h"

#define NAME_MAX_LEN 63

struct entry {
	char                     *group;
	const struct cfg_rpc_var *v;
	long long                 def_i;    /* the value at declaration,   */
	char                     *def_s;    /* for cfg.reset               */
	size_t                    def_len;
};

static struct {
	struct entry *e;
	int           n, cap;
	int           frozen;
} reg;

static int
name_ok(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		    s[n] == '-'))
			return 0;
	return n > 0 && n <= NAME_MAX_LEN;
}

/* The reason vars[i] cannot be declared, or NULL. */
static const char *
var_problem(const struct cfg_rpc_var *vars, int i)
{
	const struct cfg_rpc_var *v = &vars[i];

	if (!name_ok(v->name))
		return "a name is 1-63 letters, digits, '_' or '-'";
	for (int k = 0; k < i; k++)
		if (strcmp(vars[k].name, v->name) == 0)
			return "declared twice";
	if (v->help == NULL)
		return "no help text";
	switch (v->type) {
	case CFG_RPC_INT:
		if ((v->ival == NULL) == (v->get_int == NULL))
			return "an int needs ival or get_int (not both)";
		if (v->min > v->max)
			return "min is above max";
		/* a write into private memory would change the RPC process
		 * only: the others would never see it */
		if (v->ival && !(v->flags & CFG_RPC_READONLY) &&
		    !shm_contains(v->ival))
			return "a writable ival must be in shared memory";
		return NULL;
	case CFG_RPC_STR:
		return v->get_str == NULL ? "a string needs get_str" : NULL;
	default:
		return "unknown type";
	}
}

static int
group_known(const char *group)
{
	for (int i = 0; i < reg.n; i++)
		if (strcmp(reg.e[i].group, group) == 0)
			return 1;
	return 0;
}

/* Appends one entry with its current value as default; 0 or -1. */
static int
add_entry(const char *group, const struct cfg_rpc_var *v)
{
	struct entry *e;
	struct cfg_rpc_val cur;
	char buf[CFG_RPC_STR_MAX];

	if (reg.n == reg.cap) {
		int cap = reg.cap ? reg.cap * 2 : 32;
		struct entry *ne = xrealloc(reg.e, (size_t)cap * sizeof(*ne));

		if (ne == NULL)
			return -1;
		reg.e = ne;
		reg.cap = cap;
	}
	e = &reg.e[reg.n];
	memset(e, 0, sizeof(*e));
	e->v = v;
	if ((e->group = xstrdup(group)) == NULL)
		return -1;
	reg.n++;
	cfg_rpc_var_get(reg.n - 1, &cur, buf, sizeof(buf));
	e->def_i = cur.i;
	if (v->type == CFG_RPC_STR) {
		if ((e->def_s = xstrndup(cur.s.s, cur.s.len)) == NULL)
			return -1;
		e->def_len = cur.s.len;
	}
	return 0;
}

int
cfg_rpc_var_declare(const char *group, const struct cfg_rpc_var *vars)
{
	const char *why;
	int first = reg.n;

	if (reg.frozen) {
		log_errx("cfg_rpc: group '%s' declared after startup (declare "
		    "in a module's init)", group ? group : "");
		return -1;
	}
	if (!name_ok(group)) {
		log_errx("cfg_rpc: bad group name '%s'", group ? group : "");
		return -1;
	}
	if (group_known(group)) {
		log_errx("cfg_rpc: configuration group '%s' is declared twice",
		    group);
		return -1;
	}
	for (int i = 0; vars && vars[i].name; i++)
		if ((why = var_problem(vars, i)) != NULL) {
			log_errx("cfg_rpc: variable %s.%s: %s", group,
			    vars[i].name, why);
			return -1;
		}
	for (int i = 0; vars && vars[i].name; i++)
		if (add_entry(group, &vars[i]) != 0)
			goto fail;
	return 0;

fail:
	while (reg.n > first) {
		reg.n--;
		xfree(reg.e[reg.n].group);
		xfree(reg.e[reg.n].def_s);
	}
	return -1;
}

void
cfg_rpc_var_freeze(void)
{
	reg.frozen = 1;
}

void
cfg_rpc_var_reset_all(void)
{
	for (int i = 0; i < reg.n; i++) {
		xfree(reg.e[i].group);
		xfree(reg.e[i].def_s);
	}
	xfree(reg.e);
	memset(&reg, 0, sizeof(reg));
}

int
cfg_rpc_var_count(void)
{
	return reg.n;
}

const char *
cfg_rpc_var_group(int idx)
{
	return reg.e[idx].group;
}

const struct cfg_rpc_var *
cfg_rpc_var_at(int idx)
{
	return reg.e[idx].v;
}

int
cfg_rpc_var_find(const str_t *group, const str_t *name)
{
	for (int i = 0; i < reg.n; i++)
		if (str_eq_cstr(group, reg.e[i].group) &&
		    str_eq_cstr(name, reg.e[i].v->name))
			return i;
	return -1;
}

int
cfg_rpc_var_group_exists(const str_t *group)
{
	for (int i = 0; i < reg.n; i++)
		if (str_eq_cstr(group, reg.e[i].group))
			return 1;
	return 0;
}

int
cfg_rpc_var_readonly(int idx)
{
	const struct cfg_rpc_var *v = reg.e[idx].v;

	if (v->flags & CFG_RPC_READONLY)
		return 1;
	if (v->type == CFG_RPC_INT)
		return v->ival == NULL && v->set_int == NULL;
	return v->set_str == NULL;
}

void
cfg_rpc_var_get(int idx, struct cfg_rpc_val *out, char *buf, size_t size)
{
	const struct cfg_rpc_var *v = reg.e[idx].v;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->type = v->type;
	if (v->type == CFG_RPC_INT) {
		out->i = v->ival ? __atomic_load_n(v->ival, __ATOMIC_RELAXED) :
		    v->get_int();
		return;
	}
	buf[0] = '\0';
	n = v->get_str(buf, size);
	out->s = str_make(buf, n < size ? n : size - 1);
}

enum cfg_rpc_rc
cfg_rpc_var_check(int idx, const struct cfg_rpc_val *in,
    struct cfg_rpc_val *out, char *buf, size_t size)
{
	const struct entry *e = &reg.e[idx];
	const struct cfg_rpc_var *v = e->v;
	long long n;
	int len;

	if (cfg_rpc_var_readonly(idx)) {
		log_errx("cfg_rpc: %s.%s is read-only", e->group, v->name);
		return CFG_RPC_E_RDONLY;
	}
	memset(out, 0, sizeof(*out));
	out->type = v->type;
	if (v->type == CFG_RPC_STR) {
		if (in->type == CFG_RPC_STR) {
			out->s = in->s;
			return CFG_RPC_OK;
		}
		len = snprintf(buf, size, "%lld", in->i);
		out->s = str_make(buf, len > 0 ? (size_t)len : 0);
		return CFG_RPC_OK;
	}
	n = in->i;
	if (in->type == CFG_RPC_STR && str_to_ll(&in->s, &n) != 0) {
		log_errx("cfg_rpc: %s.%s: cannot convert string to integer "
		    "'%.*s'", e->group, v->name, STR_FMT(&in->s));
		return CFG_RPC_E_INVAL;
	}
	if (((v->min != 0 || v->max != 0) && (n < v->min || n > v->max)) ||
	    (v->ival && (n < INT_MIN || n > INT_MAX))) {
		log_errx("cfg_rpc: %s.%s: integer value %lld is out of range "
		    "(%lld..%lld)", e->group, v->name, n,
		    v->min || v->max ? v->min : INT_MIN,
		    v->min || v->max ? v->max : INT_MAX);
		return CFG_RPC_E_INVAL;
	}
	out->i = n;
	return CFG_RPC_OK;
}

enum cfg_rpc_rc
cfg_rpc_var_set(int idx, const struct cfg_rpc_val *in)
{
	const struct entry *e = &reg.e[idx];
	const struct cfg_rpc_var *v = e->v;
	struct cfg_rpc_val val;
	char buf[32];
	enum cfg_rpc_rc rc;

	if ((rc = cfg_rpc_var_check(idx, in, &val, buf, sizeof(buf))) != 0)
		return rc;
	if (v->type == CFG_RPC_INT) {
		if (v->ival)
			__atomic_store_n(v->ival, (int)val.i,
			    __ATOMIC_RELAXED);
		else if (v->set_int(val.i) != 0)
			goto refused;
		log_notice("cfg_rpc: %s.%s has been changed to %lld", e->group,
		    v->name, val.i);
		return CFG_RPC_OK;
	}
	if (v->set_str(&val.s) != 0)
		goto refused;
	log_notice("cfg_rpc: %s.%s has been changed to \"%.*s\"", e->group,
	    v->name, STR_FMT(&val.s));
	return CFG_RPC_OK;

refused:
	log_errx("cfg_rpc: failed to set the variable: %s.%s", e->group,
	    v->name);
	return CFG_RPC_E_INVAL;
}

int
cfg_rpc_var_reset_group(const str_t *group)
{
	int rc = 0;

	for (int i = 0; i < reg.n; i++) {
		const struct entry *e = &reg.e[i];
		struct cfg_rpc_val def = { .type = e->v->type, .i = e->def_i,
		    .s = str_make(e->def_s, e->def_len) };

		if (!str_eq_cstr(group, e->group) || cfg_rpc_var_readonly(i))
			continue;
		if (cfg_rpc_var_set(i, &def) != CFG_RPC_OK)
			rc = -1;
	}
	return rc;
}
