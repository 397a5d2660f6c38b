/*
 * ht_param.c - parsing of the htable table definitions
 * ("name=>size=8;autoexpire=60;initval=0;updateexpire=1;").
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/xalloc.h"
#include "ht_param.h"

/* The keys Kamailio knows; those needing a database or DMQ are refused. */
static const char ht_known_keys[] = "size, autoexpire, initval, "
    "updateexpire, dbtable, dbmode, cols, coldelim, colnull, dmqreplicate";

static int
ht_errf(char *err, size_t errlen, const char *fmt, const str_t *a,
    const str_t *b)
{
	if (b != NULL)
		snprintf(err, errlen, fmt, STR_FMT(a), STR_FMT(b));
	else
		snprintf(err, errlen, fmt, STR_FMT(a));
	return -1;
}

/* A valid table name: no blanks, '$', '=', ';' or '>' (they would make
 * "$sht(name=>key)" ambiguous). */
static int
ht_name_ok(const str_t *n)
{
	if (n->len == 0)
		return 0;
	for (size_t i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->s[i];

		if (isspace(c) || c == '$' || c == '=' || c == ';' ||
		    c == '>' || c == '(' || c == ')' || c < 0x20)
			return 0;
	}
	return 1;
}

/* The value of key k as a number (>= 0 unless neg_ok).  0 or -1. */
static int
ht_num(const str_t *k, const str_t *v, int neg_ok, long long *out,
    char *err, size_t errlen)
{
	if (v->len == 0)
		return ht_errf(err, errlen, "'%.*s' needs a value", k, NULL);
	if (str_to_ll(v, out) == -1)
		return ht_errf(err, errlen, "'%.*s=%.*s': not a number", k, v);
	if (!neg_ok && *out < 0)
		return ht_errf(err, errlen, "'%.*s=%.*s': must not be negative",
		    k, v);
	return 0;
}

/* size: Kamailio's mapping of odd values, Tandem's upper bound. */
static int
ht_set_size(struct ht_spec *s, const str_t *k, const str_t *v, int *warn,
    char *err, size_t errlen)
{
	long long n;

	if (ht_num(k, v, 0, &n, err, errlen) == -1)
		return -1;
	if (n < 2) {
		s->size = HT_SIZE_SMALL;
	} else if (n > 31) {
		s->size = HT_SIZE_FALLBACK;
		*warn = 1;
		snprintf(err, errlen, "'size=%lld' is out of range (2..31); "
		    "using size=%d (%u slots) as Kamailio does", n,
		    HT_SIZE_FALLBACK, 1u << HT_SIZE_FALLBACK);
	} else if (n > HT_SIZE_MAX) {
		snprintf(err, errlen, "'size=%lld' is too large: 2^%lld slots "
		    "(at most size=%d)", n, n, HT_SIZE_MAX);
		return -1;
	} else {
		s->size = (unsigned)n;
	}
	return 0;
}

/* Keys that only make sense with a database or DMQ: 0 when harmless. */
static int
ht_set_unsupported(const str_t *k, const str_t *v, char *err, size_t errlen)
{
	if (str_eq_cstr(k, "dmqreplicate")) {
		if (str_eq_cstr(v, "0"))
			return 0;
		return ht_errf(err, errlen, "'%.*s=%.*s': not supported (no "
		    "DMQ replication in Tandem)", k, v);
	}
	/* dbmode=0 and an empty dbtable say "no database": accepted */
	if ((str_eq_cstr(k, "dbmode") && str_eq_cstr(v, "0")) ||
	    (str_eq_cstr(k, "dbtable") && v->len == 0))
		return 0;
	return ht_errf(err, errlen, "'%.*s=%.*s': not supported (no database "
	    "in Tandem)", k, v);
}

static int
ht_set_key(struct ht_spec *s, const str_t *k, const str_t *v, int *warn,
    char *err, size_t errlen)
{
	long long n;

	if (str_eq_cstr(k, "size"))
		return ht_set_size(s, k, v, warn, err, errlen);
	if (str_eq_cstr(k, "autoexpire")) {
		if (ht_num(k, v, 0, &n, err, errlen) == -1)
			return -1;
		if (n > INT_MAX)
			return ht_errf(err, errlen, "'%.*s=%.*s': too large",
			    k, v);
		s->autoexpire = (unsigned)n;
		return 0;
	}
	if (str_eq_cstr(k, "initval")) {
		if (ht_num(k, v, 1, &s->initval, err, errlen) == -1)
			return -1;
		s->has_initval = 1;
		return 0;
	}
	if (str_eq_cstr(k, "updateexpire")) {
		if (ht_num(k, v, 0, &n, err, errlen) == -1)
			return -1;
		s->updateexpire = n != 0;
		return 0;
	}
	if (str_eq_cstr(k, "dbtable") || str_eq_cstr(k, "dbmode") ||
	    str_eq_cstr(k, "cols") || str_eq_cstr(k, "coldelim") ||
	    str_eq_cstr(k, "colnull") || str_eq_cstr(k, "dmqreplicate"))
		return ht_set_unsupported(k, v, err, errlen);
	snprintf(err, errlen, "unknown key '%.*s' (known: %s)", STR_FMT(k),
	    ht_known_keys);
	return -1;
}

/* The "k=v;k=v" part. */
static int
ht_parse_keys(struct ht_spec *s, str_t rest, int *warn, char *err,
    size_t errlen)
{
	str_t item, k, v;
	char *eq;

	while (str_token(&rest, ';', &item)) {
		size_t raw = item.len;

		str_trim(&item);
		if (item.len == 0) {
			/* blanks after the final ';' are fine; ";;" is a
			 * typo (Kamailio refuses it too) */
			if (raw > 0 && rest.len == 0)
				break;
			snprintf(err, errlen, "empty key (\";;\")");
			return -1;
		}
		eq = str_chr(&item, '=');
		if (eq == NULL)
			return ht_errf(err, errlen, "'%.*s' is not key=value",
			    &item, NULL);
		k = str_make(item.s, (size_t)(eq - item.s));
		v = str_make(eq + 1, item.len - k.len - 1);
		str_trim(&k);
		str_trim(&v);
		if (ht_set_key(s, &k, &v, warn, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
ht_spec_parse(const char *text, size_t len, struct ht_spec *out, int *warn,
    char *err, size_t errlen)
{
	str_t in = str_make(text, len), name, rest;

	memset(out, 0, sizeof(*out));
	out->size = HT_SIZE_DEFAULT;
	out->updateexpire = 1;
	*warn = 0;
	err[0] = '\0';
	if (ht_split_ref(&in, &name, &rest) == -1) {
		snprintf(err, errlen, "'%.*s': expected name=>key=value;...",
		    (int)len, text);
		return -1;
	}
	if (!ht_name_ok(&name)) {
		snprintf(err, errlen, "'%.*s': invalid table name '%.*s'",
		    (int)len, text, STR_FMT(&name));
		return -1;
	}
	if (ht_parse_keys(out, rest, warn, err, errlen) == -1)
		return -1;
	out->name = xstrndup(name.s, name.len);
	if (out->name == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
ht_spec_clear(struct ht_spec *s)
{
	xfree(s->name);
	memset(s, 0, sizeof(*s));
}

int
ht_specs_add(struct ht_specs *l, struct ht_spec *s, char *err, size_t errlen)
{
	str_t name = str_cstr(s->name);

	if (ht_specs_find(l, &name) != -1) {
		snprintf(err, errlen, "table '%s' is already defined", s->name);
		goto fail;
	}
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 8;
		struct ht_spec *nv = xrealloc(l->v, cap * sizeof(*nv));

		if (nv == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *s;
	memset(s, 0, sizeof(*s));
	return 0;
fail:
	ht_spec_clear(s);
	return -1;
}

int
ht_specs_find(const struct ht_specs *l, const str_t *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (str_eq_cstr(name, l->v[i].name))
			return (int)i;
	return -1;
}

void
ht_specs_free(struct ht_specs *l)
{
	for (unsigned i = 0; i < l->n; i++)
		ht_spec_clear(&l->v[i]);
	xfree(l->v);
	memset(l, 0, sizeof(*l));
}

int
ht_split_ref(const str_t *in, str_t *table, str_t *rest)
{
	for (size_t i = 0; i + 1 < in->len; i++) {
		if (in->s[i] != '=' || in->s[i + 1] != '>')
			continue;
		*table = str_make(in->s, i);
		*rest = str_make(in->s + i + 2, in->len - i - 2);
		str_trim(table);
		return table->len > 0 ? 0 : -1;
	}
	return -1;
}

int
ht_re_compile(regex_t *re, const str_t *s, char *err, size_t errlen)
{
	char *z = xstrndup(s->s, s->len);
	int rc;

	if (z == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = regcomp(re, z, HT_RE_FLAGS);
	xfree(z);
	if (rc != 0) {
		regerror(rc, re, err, errlen);
		return -1;
	}
	return 0;
}
