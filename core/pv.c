#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"
#include "pv.h"
#include "tr.h"
#include "xalloc.h"

/* Longest piece of config text quoted back in an error message. */
#define PV_QUOTE_MAX 64

struct pv_class {
	const struct pv_export *exp;
	char                   *module;
};

/*
 * The classes.  Filled while the config is compiled (before fork) and
 * only read afterwards; file-private so that tests can reset it.
 */
static struct {
	struct pv_class *v;
	size_t           n, cap;
} reg;

static int
pv_name_start(int c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static int
pv_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * Length of the class name at s: the maximal [A-Za-z_][A-Za-z0-9_]*, or
 * the one-char "?" ($? is Kamailio's alias of $rc).
 */
static size_t
pv_name_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return 0;
	if (s[0] == '?')
		return 1;
	if (!pv_name_start(s[0]))
		return 0;
	while (i < len && pv_name_char(s[i]))
		i++;
	return i;
}

/*
 * Index of the ')' matching the '(' at s[open], or 0 when there is none.
 * A quoted run inside counts as text only when its closing quote exists,
 * so that a lone apostrophe in a name does not swallow the rest.
 */
static size_t
pv_paren_end(const char *s, size_t len, size_t open)
{
	int depth = 0;

	for (size_t i = open; i < len; i++) {
		char c = s[i];

		if (c == '"' || c == '\'') {
			size_t j = i + 1;

			while (j < len && s[j] != c)
				j += (s[j] == '\\' && j + 1 < len) ? 2 : 1;
			if (j < len)
				i = j;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && --depth == 0) {
			return i;
		}
	}
	return 0;
}

size_t
pv_ref_span(const char *s, size_t len)
{
	size_t n, end;

	if (len < 2 || s[0] != '$')
		return 0;
	if (s[1] == '(') {
		end = pv_paren_end(s, len, 1);
		return end ? end + 1 : 0;
	}
	n = pv_name_len(s + 1, len - 1);
	if (n == 0)
		return 0;
	n++;
	if (n < len && s[n] == '(') {
		end = pv_paren_end(s, len, n);
		return end ? end + 1 : 0;
	}
	return n;
}

/* pos moved over the n bytes of s (for errors inside a reference). */
static struct cfg_pos
pv_pos_add(struct cfg_pos pos, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
	}
	return pos;
}

int
pv_register(const struct pv_export *e, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	str_t name;
	const char *owner;
	struct pv_class *nv;

	if (e == NULL || e->name == NULL || e->name[0] == '\0') {
		diag_error_at(d, pos, "module '%s' exports a pseudo-variable "
		    "class without a name", module);
		return -1;
	}
	name = str_cstr(e->name);
	if (pv_lookup(&name, &owner) != NULL) {
		diag_error_at(d, pos, "pseudo-variable class $%s is exported "
		    "by both '%s' and '%s'", e->name, owner, module);
		return -1;
	}
	if (reg.n == reg.cap) {
		size_t cap = reg.cap ? reg.cap * 2 : 64;

		nv = xrealloc(reg.v, cap * sizeof(*nv));
		if (nv == NULL)
			goto nomem;
		reg.v = nv;
		reg.cap = cap;
	}
	reg.v[reg.n].module = xstrdup(module);
	if (reg.v[reg.n].module == NULL)
		goto nomem;
	reg.v[reg.n].exp = e;
	reg.n++;
	return 0;
nomem:
	diag_error_at(d, pos, "out of memory registering $%s", e->name);
	return -1;
}

const struct pv_export *
pv_lookup(const str_t *name, const char **module)
{
	for (size_t i = 0; i < reg.n; i++) {
		if (str_eq_cstr(name, reg.v[i].exp->name)) {
			if (module)
				*module = reg.v[i].module;
			return reg.v[i].exp;
		}
	}
	return NULL;
}

void
pv_registry_reset(void)
{
	for (size_t i = 0; i < reg.n; i++)
		free(reg.v[i].module);
	free(reg.v);
	reg.v = NULL;
	reg.n = reg.cap = 0;
}

/* "[idx]" at s[0]; returns the bytes used, or 0 when malformed. */
static size_t
pv_parse_idx(const char *s, size_t len, int *idx)
{
	size_t i = 1;
	long long v = 0;
	int neg = 0;

	if (len >= 3 && s[1] == '*' && s[2] == ']') {
		*idx = PV_IDX_ALL;
		return 3;
	}
	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= len || !isdigit((unsigned char)s[i]))
		return 0;
	while (i < len && isdigit((unsigned char)s[i])) {
		v = v * 10 + (s[i++] - '0');
		if (v > INT_MAX)
			return 0;
	}
	if (i >= len || s[i] != ']')
		return 0;
	*idx = neg ? (int)-v : (int)v;
	return i + 1;
}

/*
 * Checks the inner and index against what the class accepts, then lets
 * the class compile the inner.  0 or -1 (error in d).
 */
static int
pv_bind(struct pv_ref *r, const str_t *inner, struct cfg_diag *d,
    struct cfg_pos pos)
{
	const struct pv_export *e = r->cls;
	struct cfg_pos saved;
	int rc;

	if (inner == NULL && (e->flags & PV_INNER) &&
	    !(e->flags & PV_NOINNER_OK)) {
		diag_error_at(d, pos, "pseudo-variable $%s needs a name: "
		    "$%s(name)", e->name, e->name);
		return -1;
	}
	if (inner != NULL && !(e->flags & PV_INNER) && e->parse == NULL) {
		diag_error_at(d, pos, "pseudo-variable $%s takes no name",
		    e->name);
		return -1;
	}
	if (r->has_idx && e->get_idx == NULL) {
		diag_error_at(d, pos, "pseudo-variable $%s takes no index",
		    e->name);
		return -1;
	}
	if (e->parse == NULL)
		return 0;
	/* the class reports with diag_error(), which points at d->cur */
	saved = d->cur;
	d->cur = pos;
	rc = e->parse(inner, &r->compiled, d);
	d->cur = saved;
	return rc == 0 ? 0 : -1;
}

/* The "(...)[idx]{tr})" tail of a $(...) reference, from s[*i]. */
static int
pv_parse_tail(const char *s, size_t len, size_t *i, struct pv_ref *r,
    struct cfg_diag *d, struct cfg_pos pos)
{
	size_t n, q = len < PV_QUOTE_MAX ? len : PV_QUOTE_MAX;

	if (*i < len && s[*i] == '[') {
		n = pv_parse_idx(s + *i, len - *i, &r->idx);
		if (n == 0) {
			diag_error_at(d, pos, "bad index in pseudo-variable "
			    "'%.*s'", (int)q, s);
			return -1;
		}
		r->has_idx = 1;
		*i += n;
	}
	if (*i < len && s[*i] == '{') {
		if (tr_parse_chain(s + *i, len - *i, &n, &r->tr, d,
		    pv_pos_add(pos, s, *i)) != 0)
			return -1;
		*i += n;
	}
	if (*i >= len) {
		diag_error_at(d, pos, "unterminated pseudo-variable '%.*s'",
		    (int)q, s);
		return -1;
	}
	if (s[*i] != ')') {
		diag_error_at(d, pos, "unexpected '%c' in pseudo-variable "
		    "'%.*s'", s[*i], (int)(*i + 1 < q ? *i + 1 : q), s);
		return -1;
	}
	(*i)++;
	return 0;
}

int
pv_parse_ref(const char *s, size_t len, size_t *used, struct pv_ref **out,
    struct cfg_diag *d, struct cfg_pos pos)
{
	struct pv_ref *r = NULL;
	str_t name, inner = STR_NULL;
	size_t i, n, end, q = len < PV_QUOTE_MAX ? len : PV_QUOTE_MAX;
	int wrapped, has_inner = 0;

	*out = NULL;
	if (len < 2 || s[0] != '$') {
		diag_error_at(d, pos, "bad pseudo-variable '%.*s'", (int)q, s);
		return -1;
	}
	wrapped = s[1] == '(';
	i = wrapped ? 2 : 1;
	n = pv_name_len(s + i, len - i);
	if (n == 0) {
		diag_error_at(d, pos, "bad pseudo-variable name in '%.*s'",
		    (int)q, s);
		return -1;
	}
	name = str_make(s + i, n);
	i += n;
	r = xcalloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	r->cls = pv_lookup(&name, NULL);
	if (r->cls == NULL) {
		diag_error_at(d, pos, "unknown pseudo-variable class '$%.*s'",
		    STR_FMT(&name));
		goto fail;
	}
	if (i < len && s[i] == '(') {
		end = pv_paren_end(s, len, i);
		if (end == 0) {
			diag_error_at(d, pos, "unterminated pseudo-variable "
			    "'%.*s'", (int)q, s);
			goto fail;
		}
		inner = str_make(s + i + 1, end - i - 1);
		has_inner = 1;
		i = end + 1;
	}
	if (wrapped && pv_parse_tail(s, len, &i, r, d, pos) != 0)
		goto fail;
	if (pv_bind(r, has_inner ? &inner : NULL, d, pos) != 0)
		goto fail;
	r->text = xstrndup(s, i);
	if (r->text == NULL)
		goto nomem;
	*used = i;
	*out = r;
	return 0;
nomem:
	diag_error_at(d, pos, "out of memory compiling '%.*s'", (int)q, s);
fail:
	pv_ref_free(r);
	return -1;
}

int
pv_get(struct msg *m, const struct pv_ref *r, struct val *out)
{
	const struct pv_export *e = r->cls;
	int rc;

	val_set_null(out);
	if (r->has_idx)
		rc = e->get_idx(m, r->compiled, r->idx, out);
	else if (e->get != NULL)
		rc = e->get(m, r->compiled, out);
	else {
		log_errx("pseudo-variable %s cannot be read", r->text);
		return -1;
	}
	if (rc != 0)
		return -1;
	if (r->tr != NULL && tr_apply_chain(m, r->tr, out) != 0)
		return -1;
	return 0;
}

int
pv_is_writable(const struct pv_ref *r)
{
	/* an index or a transformation has no meaning on the left side */
	return r->cls->set != NULL && !r->has_idx && r->tr == NULL;
}

int
pv_set(struct msg *m, const struct pv_ref *r, const struct val *in)
{
	if (!pv_is_writable(r)) {
		log_errx("cannot assign to %s: it is read-only", r->text);
		return -1;
	}
	return r->cls->set(m, r->compiled, in) == 0 ? 0 : -1;
}

void
pv_ref_free(struct pv_ref *r)
{
	if (r == NULL)
		return;
	if (r->compiled != NULL && r->cls != NULL && r->cls->free != NULL)
		r->cls->free(r->compiled);
	tr_chain_free(r->tr);
	free(r->text);
	free(r);
}
