#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "fmt.h"
#include "log.h"
#include "msg.h"
#include "pv.h"
#include "xalloc.h"

int
arg_str(struct msg *m, const void *p, str_t *out)
{
	const struct arg *a = p;
	struct val v;

	switch (a->kind) {
	case ARG_K_INT:
		val_set_int(&v, a->n);
		return val_to_str(&m->arena, &v, out);
	case ARG_K_FMT:
		return fmt_render(m, a->fmt, out);
	case ARG_K_PV:
		if (pv_get(m, a->pv, &v) != 0)
			return -1;
		return val_to_str(&m->arena, &v, out);
	case ARG_K_REGEX:
		*out = a->text;
		return 0;
	}
	return -1;
}

int
arg_literal_int(const void *p, long long *out)
{
	const struct arg *a = p;
	str_t s;

	if (a->kind == ARG_K_INT) {
		*out = a->n;
		return 1;
	}
	if (a->kind != ARG_K_FMT || !fmt_is_static(a->fmt))
		return 0;
	s = fmt_static_text(a->fmt);
	return str_to_ll(&s, out) == 0 ? 1 : -1;
}

int
arg_int(struct msg *m, const void *p, long long *out)
{
	const struct arg *a = p;
	struct val v;
	str_t s;

	switch (a->kind) {
	case ARG_K_INT:
		*out = a->n;
		return 0;
	case ARG_K_FMT:
		/* a lone int PV gives its number without a round trip */
		if (fmt_eval(m, a->fmt, &v) != 0)
			return -1;
		if (v.flags & VAL_INT) {
			*out = v.n;
			return 0;
		}
		s = (v.flags & VAL_STR) ? v.s : STR_LIT("<null>");
		if (!(v.flags & VAL_STR) || str_to_ll(&s, out) != 0) {
			log_errx("argument '%s' is not a number: '%.*s'",
			    fmt_source(a->fmt), STR_FMT(&s));
			return -1;
		}
		return 0;
	case ARG_K_PV:
		if (pv_get(m, a->pv, &v) != 0)
			return -1;
		if (val_to_int(&v, out) != 0) {
			log_errx("%s is not a number", a->pv->text);
			return -1;
		}
		return 0;
	case ARG_K_REGEX:
		break;
	}
	log_errx("argument '%.*s' is not a number", STR_FMT(&a->text));
	return -1;
}

int
arg_val(struct msg *m, const void *p, struct val *out)
{
	const struct arg *a = p;

	switch (a->kind) {
	case ARG_K_INT:
		val_set_int(out, a->n);
		return 0;
	case ARG_K_FMT:
		return fmt_eval(m, a->fmt, out);
	case ARG_K_PV:
		return pv_get(m, a->pv, out);
	case ARG_K_REGEX:
		val_set_str(out, a->text);
		return 0;
	}
	val_set_null(out);
	return -1;
}

struct pv_ref *
arg_pv(const void *p)
{
	const struct arg *a = p;

	return a != NULL && a->kind == ARG_K_PV ? a->pv : NULL;
}

regex_t *
arg_regex(const void *p)
{
	const struct arg *a = p;

	/* regexec() takes a const regex_t; the cast only fits the API */
	return a != NULL && a->kind == ARG_K_REGEX ? (regex_t *)&a->re : NULL;
}

void
arg_free(struct arg *a)
{
	if (a == NULL)
		return;
	switch (a->kind) {
	case ARG_K_FMT:
		fmt_free(a->fmt);
		break;
	case ARG_K_PV:
		pv_ref_free(a->pv);
		break;
	case ARG_K_REGEX:
		regfree(&a->re);
		break;
	case ARG_K_INT:
		break;
	}
	free(a->text.s);
	free(a);
}

/*
 * A new arg with its own NUL-terminated copy of text.  Its kind stays
 * ARG_K_INT until the member the real kind names is built, so that an
 * early arg_free() never touches an unset format, reference or regex.
 */
static struct arg *
arg_alloc(const str_t *text)
{
	struct arg *a = xcalloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->kind = ARG_K_INT;
	a->text.s = xstrndup(text->s, text->len);
	a->text.len = text->len;
	if (a->text.s == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

struct arg *
arg_new_int(long long n, const str_t *text)
{
	struct arg *a = arg_alloc(text);

	if (a != NULL)
		a->n = n;
	return a;
}

struct arg *
arg_new_fmt(const str_t *text, struct cfg_diag *d, struct cfg_pos pos)
{
	struct arg *a = arg_alloc(text);

	if (a == NULL) {
		diag_error_at(d, pos, "out of memory");
		return NULL;
	}
	if (fmt_compile(text->s, text->len, &a->fmt, d, pos) != 0) {
		arg_free(a);
		return NULL;
	}
	a->kind = ARG_K_FMT;
	return a;
}

struct arg *
arg_new_pv(const str_t *text, struct cfg_diag *d, struct cfg_pos pos)
{
	struct arg *a = arg_alloc(text);
	struct pv_ref *r = NULL;
	size_t used = 0;

	if (a == NULL) {
		diag_error_at(d, pos, "out of memory");
		return NULL;
	}
	if (text->len == 0 || text->s[0] != '$') {
		diag_error_at(d, pos, "'%.*s' is not a pseudo-variable",
		    STR_FMT(text));
		goto fail;
	}
	if (pv_parse_ref(text->s, text->len, &used, &r, d, pos) != 0)
		goto fail;
	if (used != text->len) {
		diag_error_at(d, pos, "'%.*s' is not a single pseudo-variable",
		    STR_FMT(text));
		goto fail;
	}
	if (!pv_is_writable(r)) {
		diag_error_at(d, pos, "pseudo-variable %s is read-only",
		    r->text);
		goto fail;
	}
	a->pv = r;
	a->kind = ARG_K_PV;
	return a;
fail:
	pv_ref_free(r);
	arg_free(a);
	return NULL;
}

struct arg *
arg_new_regex(const str_t *text, struct cfg_diag *d, struct cfg_pos pos)
{
	struct arg *a = arg_alloc(text);
	char err[128];
	int rc;

	if (a == NULL) {
		diag_error_at(d, pos, "out of memory");
		return NULL;
	}
	/* text.s is the NUL-terminated copy regcomp() needs */
	rc = regcomp(&a->re, a->text.s, REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, &a->re, err, sizeof(err));
		diag_error_at(d, pos, "bad regular expression '%s': %s",
		    a->text.s, err);
		arg_free(a);
		return NULL;
	}
	a->kind = ARG_K_REGEX;
	return a;
}
