/*
 * pp.c - the config preprocessor's reader (pp.h says what it does): the
 * lines of each file, comments and strings, defined names and substs
 * applied to the text, the output with its source map, and the API.
 * The directives themselves are in pp_dir.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "pp.h"
#include "pp_int.h"
#include "pp_subst.h"

const char *
pp_skip_blanks(const char *p, const char *e)
{
	while (p < e && IS_BLANK(*p))
		p++;
	return p;
}

const char *
pp_skip_ident(const char *p, const char *e)
{
	if (p < e && IS_IDSTART(*p))
		for (p++; p < e && IS_IDCHAR(*p); p++)
			;
	return p;
}

/* Nothing but blanks or a comment left on a directive line. */
static int
rest_empty(const char *p, const char *e)
{
	p = pp_skip_blanks(p, e);
	return p == e || *p == '#' || (e - p > 1 && p[0] == '/' && p[1] == '/');
}

/* The position of p, a pointer into the current line. */
struct cfg_pos
pp_pos_of(const struct pp_state *st, const char *p)
{
	return (struct cfg_pos){ .file = st->f->file, .line = st->f->no,
		.col = (uint32_t)(p - st->f->lp) + 1 };
}

void
pp_err(struct pp_state *st, const char *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_error_at(st->pp->diag, pp_pos_of(st, p), "%s", buf);
}

/* Reports text after a directive's arguments: 1 if there was some. */
int
pp_junk(struct pp_state *st, const struct pp_dirline *x, const char *p)
{
	if (rest_empty(p, x->e))
		return 0;
	pp_err(st, pp_skip_blanks(p, x->e), "unexpected text after %s", x->what);
	return 1;
}

int
pp_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc = *cap ? *cap : 128;
	void *np;

	if (need <= *cap)
		return 0;
	while (nc < need)
		nc *= 2;
	if ((np = xrealloc(*p, nc * size)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

/* ---- defines ---------------------------------------------------------- */

struct pp_define *
pp_def_find(const struct pp_ctx *pp, const char *name, size_t n)
{
	for (struct pp_define *d = pp->defs; d != NULL; d = d->next)
		if (d->nlen == n && memcmp(d->name, name, n) == 0)
			return d;
	return NULL;
}

/* Adds or replaces NAME; the caller has decided that it may.  0 / -1. */
int
pp_def_set(struct pp_ctx *pp, const char *name, size_t n, const char *val,
    size_t vlen, struct cfg_pos pos)
{
	struct pp_define *d = pp_def_find(pp, name, n);
	char *v = xstrndup(val, vlen);

	if (v == NULL)
		return -1;
	if (d == NULL) {
		if ((d = xcalloc(1, sizeof(*d))) == NULL ||
		    (d->name = xstrndup(name, n)) == NULL) {
			xfree(d);
			xfree(v);
			return -1;
		}
		d->nlen = n;
		d->next = pp->defs;
		pp->defs = d;
	}
	xfree(d->value);
	d->value = v;
	d->vlen = vlen;
	d->pos = pos;
	return 0;
}

void
pp_def_del(struct pp_ctx *pp, const char *name, size_t n)
{
	struct pp_define *d;

	for (struct pp_define **dp = &pp->defs; (d = *dp) != NULL;
	    dp = &d->next)
		if (d->nlen == n && memcmp(d->name, name, n) == 0) {
			*dp = d->next;
			xfree(d->name);
			xfree(d->value);
			xfree(d);
			return;
		}
}

/* #!define: a name that exists already is an error reported at pos. */
void
pp_def_new(struct pp_state *st, const char *name, size_t n, const char *val,
    size_t vlen, struct cfg_pos pos)
{
	struct pp_define *d = pp_def_find(st->pp, name, n);
	struct cfg_diag *diag = st->pp->diag;

	if (d != NULL && d->pos.line == 0)
		diag_error_at(diag, pos, "'%.*s' already defined on the "
		    "command line", (int)n, name);
	else if (d != NULL)
		diag_error_at(diag, pos, "'%.*s' already defined at %s:%u",
		    (int)n, name, src_file_name(st->pp->src, d->pos.file),
		    d->pos.line);
	else if (pp_def_set(st->pp, name, n, val, vlen, pos) == -1)
		st->oom = 1;
}

/* ---- output ----------------------------------------------------------- */

/*
 * Appends n bytes from pos on (each at pos when exp, else each one column
 * further); a run goes on while its columns keep following.
 */
static void
emit_n(struct pp_state *st, const char *p, size_t n, struct cfg_pos pos,
    int exp)
{
	struct pp_out *o = &st->out;
	struct pp_run *r = o->nruns ? &o->runs[o->nruns - 1] : NULL;

	if (st->oom || st->full || n == 0)
		return;
	if (n > PP_MAX_OUT - o->len) {
		diag_error_at(st->pp->diag, pos, "the preprocessed config is "
		    "longer than %u bytes", PP_MAX_OUT);
		st->full = 1;
		n = PP_MAX_OUT - o->len;
	}
	if (pp_grow((void **)&o->text, &st->cap, o->len + n + 1, 1) == -1)
		goto oom;
	if (r == NULL || r->expanded != exp || r->pos.file != pos.file ||
	    r->pos.line != pos.line ||
	    r->pos.col + (exp ? 0 : o->len - r->off) != pos.col) {
		if (pp_grow((void **)&o->runs, &st->rcap, o->nruns + 1,
		    sizeof(*r)) == -1)
			goto oom;
		o->runs[o->nruns++] = (struct pp_run){ .off = o->len,
			.pos = pos, .expanded = exp };
	}
	memcpy(o->text + o->len, p, n);
	o->len += n;
	return;
oom:
	st->oom = 1;
}


void
pp_emit_nl(struct pp_state *st)
{
	const struct pp_file *f = st->f;

	if (f->nl)
		emit_n(st, "\n", 1, (struct cfg_pos){ f->file, f->no,
		    (uint32_t)f->ln + 1 }, 0);
}

/* ---- substs ----------------------------------------------------------- */

/* Runs the substs over st->w, the current line. */
void
pp_subst_apply(struct pp_state *st)
{
	pp_subst_run(st->pp, &st->w, &st->t, (struct cfg_pos){ st->f->file,
	    st->f->no, 1 }, &st->oom);
}

/* ---- define expansion and the line scanner ---------------------------- */

enum { EXP_OK, EXP_DEEP, EXP_BIG };

/* Emits a define's value at pos, expanding the names in it again. */
static int
expand(struct pp_state *st, const char *v, size_t n, struct cfg_pos pos,
    int depth)
{
	const struct pp_define *d;
	size_t i = 0, j;
	char q = 0;
	int r;

	if (depth > PP_MAX_NEST)
		return EXP_DEEP;
	while (i < n && !st->oom) {
		j = i + 1;
		if (q == 0 && IS_IDCHAR(v[i])) {
			for (j = i; j < n && IS_IDCHAR(v[j]); j++)
				;
			if (IS_IDSTART(v[i]) && (i == 0 || v[i - 1] != '$') &&
			    (d = pp_def_find(st->pp, v + i, j - i)) != NULL) {
				if ((r = expand(st, d->value, d->vlen, pos,
				    depth + 1)) != EXP_OK)
					return r;
				i = j;
				continue;
			}
		} else if (q != 0 && v[i] == '\\' && q == '"' && j < n)
			j++;    /* a string in a value is copied as it is */
		else if (q != 0 && v[i] == q)
			q = 0;
		else if (q == 0 && (v[i] == '"' || v[i] == '\''))
			q = v[i];
		if (j - i > st->budget)
			return EXP_BIG;
		st->budget -= j - i;
		emit_n(st, v + i, j - i, pos, 1);
		i = j;
	}
	return EXP_OK;
}

static void
expand_name(struct pp_state *st, const struct pp_define *d,
    struct cfg_pos pos)
{
	st->budget = PP_MAX_EXPAND;
	switch (expand(st, d->value, d->vlen, pos, 1)) {
	case EXP_DEEP:
		diag_error_at(st->pp->diag, pos, "too many nested define "
		    "expansions in '%s' (limit %d)", d->name, PP_MAX_NEST);
		break;
	case EXP_BIG:
		diag_error_at(st->pp->diag, pos, "expansion of '%s' is longer "
		    "than %u bytes", d->name, PP_MAX_EXPAND);
		break;
	}
}

/* Emits byte i of the working line as c. */
static void
wemit(struct pp_state *st, size_t i, char c)
{
	emit_n(st, &c, 1, (struct cfg_pos){ st->f->file, st->f->no,
	    st->w.m[i].col }, (int)st->w.m[i].exp);
}

/*
 * Emits the working line: comments become spaces (so columns stay), the
 * insides of strings are copied, defined names are expanded.
 */
static void
scan_line(struct pp_state *st)
{
	struct pp_file *f = st->f;
	const struct pp_define *d;
	const char *b = st->w.b;
	size_t n = st->w.n, i = 0, j;
	char c;

	while (i < n && !st->oom) {
		c = b[i];
		if (f->in_block) {
			if (c == '*' && i + 1 < n && b[i + 1] == '/') {
				f->in_block = 0;
				wemit(st, i++, ' ');
			}
			wemit(st, i++, ' ');
		} else if (f->in_str) {
			wemit(st, i++, c);
			if (c == '\\' && f->in_str == '"' && i < n) {
				wemit(st, i, b[i]);
				i++;
			} else if (c == f->in_str)
				f->in_str = 0;
		} else if (c == '"' || c == '\'') {
			f->in_str = c;
			wemit(st, i++, c);
		} else if (c == '#' || (c == '/' && i + 1 < n &&
		    b[i + 1] == '/')) {
			while (i < n)
				wemit(st, i++, ' ');
		} else if (c == '/' && i + 1 < n && b[i + 1] == '*') {
			f->in_block = 1;
			f->block_pos = (struct cfg_pos){ f->file, f->no,
				st->w.m[i].col };
			wemit(st, i++, ' ');
			wemit(st, i++, ' ');
		} else if (IS_IDCHAR(c)) {
			/* a whole word; "$name" is a pseudo-variable */
			for (j = i; j < n && IS_IDCHAR(b[j]); j++)
				;
			if (IS_IDSTART(c) && (i == 0 || b[i - 1] != '$') &&
			    (d = pp_def_find(st->pp, b + i, j - i)) != NULL) {
				expand_name(st, d, (struct cfg_pos){ f->file,
				    f->no, st->w.m[i].col });
				i = j;
			}
			for (; i < j; i++)
				wemit(st, i, b[i]);
		} else
			wemit(st, i++, c);
	}
}


int
pp_file_active(const struct pp_file *f)
{
	return f->nconds == 0 || f->conds[f->nconds - 1].active;
}

const char *
pp_line_end(const struct pp_file *f)
{
	const char *e = f->lp + f->ln;

	return e > f->lp && e[-1] == '\r' ? e - 1 : e;
}

int
pp_next_line(struct pp_file *f)
{
	const char *nl;

	if (f->off >= f->len)
		return 0;
	f->lp = f->buf + f->off;
	nl = memchr(f->lp, '\n', f->len - f->off);
	f->ln = nl != NULL ? (size_t)(nl - f->lp) : f->len - f->off;
	f->nl = nl != NULL;
	f->no++;
	f->off += f->ln + (size_t)f->nl;
	return 1;
}

/* ---- files ------------------------------------------------------------ */

static void
do_line(struct pp_state *st)
{
	struct pp_file *f = st->f;
	struct pp_dirline x = { .e = pp_line_end(f) };

	/* a directive starts its line, outside comments and strings */
	if (!f->in_block && !f->in_str &&
	    (x.d = pp_dir_parse(st, &x)) != D_NONE) {
		pp_dir_run(st, &x);
		return;
	}
	if (!pp_file_active(f) ||
	    pp_subst_line_load(&st->w, f->lp, f->ln, &st->oom) == -1)
		return;
	pp_subst_apply(st);
	scan_line(st);
}

void
pp_process_text(struct pp_state *st, uint32_t file, const char *buf, size_t len)
{
	struct pp_file f = { .file = file, .buf = buf, .len = len };
	struct pp_file *outer = st->f;

	f.name = src_file_name(st->pp->src, file);
	st->f = &f;
	while (!st->oom && !st->full && pp_next_line(&f)) {
		do_line(st);
		pp_emit_nl(st);
	}
	if (f.in_block)
		diag_error_at(st->pp->diag, f.block_pos,
		    "unterminated comment");
	for (size_t i = 0; i < f.nconds; i++)
		diag_error_at(st->pp->diag, f.conds[i].pos, "unterminated %s "
		    "(missing #!endif)", f.conds[i].what);
	xfree(f.conds);
	st->f = outer;
}

/* ---- API -------------------------------------------------------------- */

void
pp_init(struct pp_ctx *pp, struct cfg_src *src, struct cfg_diag *diag)
{
	memset(pp, 0, sizeof(*pp));
	pp->src = src;
	pp->diag = diag;
}

/* 0, or -1 when name is not an identifier or is defined already, or on
 * allocation failure.  A NULL value defines the name as empty. */
int
pp_define(struct pp_ctx *pp, const char *name, const char *value)
{
	size_t n = strlen(name);

	if (n == 0 || pp_skip_ident(name, name + n) != name + n ||
	    pp_def_find(pp, name, n) != NULL)
		return -1;
	if (value == NULL)
		value = "";
	return pp_def_set(pp, name, n, value, strlen(value),
	    (struct cfg_pos){ 0, 0, 0 });
}

int
pp_is_defined(const struct pp_ctx *pp, const char *name)
{
	return pp_def_find(pp, name, strlen(name)) != NULL;
}

/* 0 and *out filled, or -1 on allocation failure (out left empty). */
int
pp_run_buffer(struct pp_ctx *pp, const char *name, const char *buf,
    size_t len, struct pp_out *out)
{
	struct pp_state st = { .pp = pp };
	uint32_t file;

	memset(out, 0, sizeof(*out));
	if ((file = src_add_file(pp->src, name)) == 0)
		return -1;
	pp_process_text(&st, file, buf, len);
	if (pp_grow((void **)&st.out.text, &st.cap, st.out.len + 1, 1) == -1)
		st.oom = 1;
	pp_subst_line_free(&st.w);
	pp_subst_line_free(&st.t);
	if (st.oom) {
		diag_error_at(pp->diag, (struct cfg_pos){ file, 0, 0 },
		    "out of memory while preprocessing");
		pp_out_free(&st.out);
		return -1;
	}
	st.out.text[st.out.len] = '\0';
	*out = st.out;
	return 0;
}

int
pp_run_file(struct pp_ctx *pp, const char *path, struct pp_out *out)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (pp_read_all(path, &buf, &len) == -1) {
		diag_error_at(pp->diag, (struct cfg_pos){ src_add_file(pp->src,
		    path), 0, 0 }, "cannot read config file: %s",
		    strerror(errno));
		return -1;
	}
	r = pp_run_buffer(pp, path, buf, len, out);
	xfree(buf);
	return r;
}

struct cfg_pos
pp_out_pos(const struct pp_out *out, size_t off)
{
	size_t lo = 0, hi = out->nruns, mid;
	const struct pp_run *r;
	struct cfg_pos pos;

	if (out->nruns == 0)
		return (struct cfg_pos){ 0, 0, 0 };
	while (hi - lo > 1) {       /* the last run starting at or before off */
		mid = lo + (hi - lo) / 2;
		if (out->runs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	r = &out->runs[lo];
	pos = r->pos;
	if (!r->expanded && off > r->off)
		pos.col += (uint32_t)(off - r->off);
	return pos;
}

void
pp_out_free(struct pp_out *out)
{
	xfree(out->text);
	xfree(out->runs);
	memset(out, 0, sizeof(*out));
}

void
pp_free(struct pp_ctx *pp)
{
	while (pp->defs != NULL)
		pp_def_del(pp, pp->defs->name, pp->defs->nlen);
	pp_subst_free(pp);
}
