/*
 * pv_var.c - $var(name): script variables private to each process.
 *
 * A variable is created when the config names it (before fork), so every
 * process starts with the same set, each with its own values afterwards.
 * Like Kamailio, a variable never assigned is the integer 0 and
 * `$var(x) = $null` resets it to 0: $var is never null.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

struct pv_var {
	struct pv_var  *next;
	char           *name;
	size_t          nlen;
	struct val      v;          /* v.s points into buf                */
	char           *buf;
	size_t          cap;
};

/* Every variable the config named (private memory, one copy per process). */
static struct pv_var *pv_vars;

static struct pv_var *
pv_var_lookup(const str_t *name, int create)
{
	struct pv_var *v;

	for (v = pv_vars; v != NULL; v = v->next)
		if (v->nlen == name->len && memcmp(v->name, name->s,
		    name->len) == 0)
			return v;
	if (!create)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->name = xstrndup(name->s, name->len);
	if (v->name == NULL) {
		free(v);
		return NULL;
	}
	v->nlen = name->len;
	val_set_int(&v->v, 0);
	v->next = pv_vars;
	pv_vars = v;
	return v;
}

int
pv_var_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	str_t name = *inner;
	struct pv_var *v;

	pvt_trim(&name, 1, 1);
	if (name.len == 0) {
		diag_error(d, "$var() needs a name");
		return -1;
	}
	if (str_chr(&name, '$') != NULL) {
		diag_error(d, "$var(%.*s): the name of a $var cannot hold a "
		    "pseudo-variable", STR_FMT(&name));
		return -1;
	}
	v = pv_var_lookup(&name, 1);
	if (v == NULL) {
		diag_error(d, "out of memory creating $var(%.*s)",
		    STR_FMT(&name));
		return -1;
	}
	*compiled = v;
	return 0;
}

int
pv_var_get(struct msg *m, void *compiled, struct val *out)
{
	struct pv_var *v = compiled;

	/* a copy: the next assignment reuses the variable's buffer */
	if (m == NULL || !(v->v.flags & VAL_STR)) {
		*out = v->v;
		return 0;
	}
	if (pv_val_dup(&m->arena, &v->v, out) != 0) {
		val_set_null(out);
		return -1;
	}
	return 0;
}

/* Stores in into v; the string is copied (memmove: in may be v's own). */
static int
pv_var_store(struct pv_var *v, const struct val *in)
{
	char *nb;

	if (val_is_null(in)) {
		val_set_int(&v->v, 0);
		return 0;
	}
	if (in->flags & VAL_STR) {
		if (in->s.len + 1 > v->cap) {
			nb = xmalloc(in->s.len + 1);
			if (nb == NULL)
				return -1;
			if (in->s.len)
				memcpy(nb, in->s.s, in->s.len);
			free(v->buf);
			v->buf = nb;
			v->cap = in->s.len + 1;
		} else if (in->s.len) {
			memmove(v->buf, in->s.s, in->s.len);
		}
		v->buf[in->s.len] = '\0';
	}
	v->v.flags = in->flags;
	v->v.n = (in->flags & VAL_INT) ? in->n : 0;
	v->v.s = (in->flags & VAL_STR) ? str_make(v->buf, in->s.len)
	    : STR_NULL;
	return 0;
}

int
pv_var_set(struct msg *m, void *compiled, const struct val *in)
{
	struct pv_var *v = compiled;

	if (pv_var_store(v, in) != 0) {
		log_errx("out of memory assigning $var(%s)", v->name);
		return -1;
	}
	return 0;
}

int
pv_var_param(const struct val *pv, struct cfg_diag *d)
{
	struct pv_var *v;
	struct val init;
	str_t name;

	if (!(pv->flags & VAL_STR)) {
		diag_error(d, "varset: expected \"name=i:number\" or "
		    "\"name=s:text\"");
		return -1;
	}
	if (pv_nameval_parse(&pv->s, &name, &init, d, "varset") != 0)
		return -1;
	v = pv_var_lookup(&name, 1);
	if (v == NULL || pv_var_store(v, &init) != 0) {
		diag_error(d, "varset: out of memory");
		return -1;
	}
	return 0;
}

void
pv_var_destroy(void)
{
	struct pv_var *v, *next;

	for (v = pv_vars; v != NULL; v = next) {
		next = v->next;
		free(v->buf);
		free(v->name);
		free(v);
	}
	pv_vars = NULL;
}
