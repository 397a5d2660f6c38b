#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"
#include "pv.h"
#include "tr.h"
#include "xalloc.h"

#define TR_QUOTE_MAX 64

struct tr_class {
	const struct tr_export *exp;
	char                   *module;
};

struct tr_step {
	const struct tr_export *exp;
	void                   *compiled;
};

struct tr_chain {
	struct tr_step *step;
	size_t          n, cap;
};

/* Filled before fork, read-only afterwards; file-private for tests. */
static struct {
	struct tr_class *v;
	size_t           n, cap;
} reg;

int
tr_register(const struct tr_export *e, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	str_t cls;
	const char *owner;
	struct tr_class *nv;

	if (e == NULL || e->cls == NULL || e->cls[0] == '\0' ||
	    strchr(e->cls, '.') != NULL) {
		diag_error_at(d, pos, "module '%s' exports a transformation "
		    "class without a valid name", module);
		return -1;
	}
	cls = str_cstr(e->cls);
	if (tr_lookup(&cls, &owner) != NULL) {
		diag_error_at(d, pos, "transformation class {%s.} is exported "
		    "by both '%s' and '%s'", e->cls, owner, module);
		return -1;
	}
	if (reg.n == reg.cap) {
		size_t cap = reg.cap ? reg.cap * 2 : 16;

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
	diag_error_at(d, pos, "out of memory registering {%s.}", e->cls);
	return -1;
}

const struct tr_export *
tr_lookup(const str_t *cls, const char **module)
{
	for (size_t i = 0; i < reg.n; i++) {
		if (str_eq_cstr(cls, reg.v[i].exp->cls)) {
			if (module)
				*module = reg.v[i].module;
			return reg.v[i].exp;
		}
	}
	return NULL;
}

void
tr_registry_reset(void)
{
	for (size_t i = 0; i < reg.n; i++)
		free(reg.v[i].module);
	free(reg.v);
	reg.v = NULL;
	reg.n = reg.cap = 0;
}

/*
 * Index of the '}' closing the '{' at s[0], or 0.  Nested braces count,
 * and a PV reference in the args is skipped whole, so that
 * {s.select,$(var(x){s.len}),;} and {param.value,$var(a}b)} close at the
 * right place; a bare '(' stays literal, as in {s.replace,(,[}.
 */
static size_t
tr_close(const char *s, size_t len)
{
	int depth = 0;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] == '$' && (n = pv_ref_span(s + i, len - i)) != 0) {
			i += n;
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return i;
		i++;
	}
	return 0;
}

static int
tr_chain_add(struct tr_chain *c, const struct tr_export *e, void *compiled)
{
	struct tr_step *ns;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;

		ns = xrealloc(c->step, cap * sizeof(*ns));
		if (ns == NULL)
			return -1;
		c->step = ns;
		c->cap = cap;
	}
	c->step[c->n].exp = e;
	c->step[c->n].compiled = compiled;
	c->n++;
	return 0;
}

/* Compiles the one "{cls.key,args}" of `body` (braces excluded). */
static int
tr_parse_one(struct tr_chain *c, const str_t *body, struct cfg_diag *d,
    struct cfg_pos pos)
{
	const struct tr_export *e;
	str_t cls, key, args = STR_NULL;
	struct cfg_pos saved;
	void *compiled = NULL;
	char *dot, *comma;
	int q = body->len < TR_QUOTE_MAX ? (int)body->len : TR_QUOTE_MAX;

	dot = str_chr(body, '.');
	if (dot == NULL || dot == body->s) {
		diag_error_at(d, pos, "bad transformation '{%.*s}': expected "
		    "{class.key}", q, body->s);
		return -1;
	}
	cls = str_make(body->s, (size_t)(dot - body->s));
	e = tr_lookup(&cls, NULL);
	if (e == NULL) {
		diag_error_at(d, pos, "unknown transformation class '{%.*s.'",
		    STR_FMT(&cls));
		return -1;
	}
	key = str_make(dot + 1, body->len - cls.len - 1);
	comma = str_chr(&key, ',');
	if (comma != NULL) {
		key.len = (size_t)(comma - key.s);
		args = str_make(comma + 1, body->len - cls.len - key.len - 2);
	}
	if (key.len == 0) {
		diag_error_at(d, pos, "bad transformation '{%.*s}': no key",
		    q, body->s);
		return -1;
	}
	if (e->parse != NULL) {
		/* the class reports with diag_error(), at d->cur */
		saved = d->cur;
		d->cur = pos;
		if (e->parse(&key, &args, &compiled, d) != 0) {
			d->cur = saved;
			return -1;
		}
		d->cur = saved;
	}
	if (tr_chain_add(c, e, compiled) != 0) {
		if (compiled != NULL && e->free != NULL)
			e->free(compiled);
		diag_error_at(d, pos, "out of memory compiling a "
		    "transformation");
		return -1;
	}
	return 0;
}

int
tr_parse_chain(const char *s, size_t len, size_t *used,
    struct tr_chain **out, struct cfg_diag *d, struct cfg_pos pos)
{
	struct tr_chain *c = NULL;
	struct cfg_pos at = pos;
	size_t i = 0, end;
	str_t body;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	if (c == NULL) {
		diag_error_at(d, pos, "out of memory compiling a "
		    "transformation");
		return -1;
	}
	if (len == 0 || s[0] != '{') {
		diag_error_at(d, pos, "a transformation starts with '{'");
		goto fail;
	}
	while (i < len && s[i] == '{') {
		end = tr_close(s + i, len - i);
		if (end == 0) {
			diag_error_at(d, at, "unterminated transformation");
			goto fail;
		}
		body = str_make(s + i + 1, end - 1);
		if (tr_parse_one(c, &body, d, at) != 0)
			goto fail;
		/* a chain rarely spans lines, but keep columns right */
		for (size_t k = i; k <= i + end; k++) {
			if (s[k] == '\n') {
				at.line++;
				at.col = 1;
			} else {
				at.col++;
			}
		}
		i += end + 1;
	}
	*used = i;
	*out = c;
	return 0;
fail:
	tr_chain_free(c);
	return -1;
}

int
tr_apply_chain(struct msg *m, const struct tr_chain *c, struct val *v)
{
	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct tr_step *st = &c->step[i];

		if (st->exp->apply == NULL)
			continue;
		if (st->exp->apply(m, st->compiled, v) != 0)
			return -1;
	}
	return 0;
}

void
tr_chain_free(struct tr_chain *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->step[i].compiled != NULL && c->step[i].exp->free != NULL)
			c->step[i].exp->free(c->step[i].compiled);
	free(c->step);
	free(c);
}
