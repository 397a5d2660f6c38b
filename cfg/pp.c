#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "pp.h"

/* Limits: each one turns a runaway config into one error, not a hang. */
#define PP_MAX_INCLUDE  10          /* include_file nesting             */
#define PP_MAX_NEST     32          /* define inside define inside ...  */
#define PP_MAX_EXPAND   (1u << 20)  /* bytes one name may expand to:
                                     * "#!define A B B" chains double   */

struct pp_define {
	struct pp_define *next;
	char             *name;
	size_t            nlen;
	char             *value;
	size_t            vlen;
	struct cfg_pos    pos;      /* where defined; line 0: pp_define()   */
};

struct pp_subst {
	struct pp_subst *next;
	regex_t          re;
	char            *repl;      /* "\\N" is group N, "\\\\" a backslash */
	size_t           rlen;
	int              global;
};

struct pp_priv {
	struct pp_subst  *substs;   /* applied in the order they were read  */
	struct pp_subst **tail;
};

struct pp_cond {
	struct cfg_pos pos;         /* of the #!ifdef, for "unterminated"   */
	const char    *what;
	int            parent;      /* the enclosing region was active      */
	int            cond;
	int            active;
	int            seen_else;
};

/* The state of one file being read: conditionals do not cross files. */
struct pp_file {
	uint32_t        file;
	const char     *name;
	struct pp_cond *conds;
	size_t          nconds, ccap;
	int             in_block;
	struct cfg_pos  block_pos;
	char            in_str;     /* a string may go on over a newline    */
};

/* The working line: bytes plus, for each, its source column. */
struct lbyte {
	uint32_t col;
	uint32_t exp;               /* 1: produced by a subst replacement   */
};

struct wline {
	char         *b;
	struct lbyte *m;
	size_t        n, cap;
};

struct pp_state {
	struct pp_ctx  *pp;
	struct pp_priv *priv;
	char           *text;
	size_t          len, cap;
	struct pp_run  *runs;
	size_t          nruns, rcap;
	struct wline    w, t;       /* the line and a scratch for substs    */
	size_t          budget;     /* bytes left for the current expansion */
	int             depth;      /* include depth                        */
	int             oom;
};

struct cursor {
	const char *buf;
	size_t      len, off;
	uint32_t    no;
};

struct line {
	const char *p;
	size_t      n;              /* without the newline                  */
	int         nl;
	uint32_t    no;
};

enum pp_dir {
	D_NONE, D_UNKNOWN, D_HEADER, D_DEFINE, D_TRYDEF, D_REDEF, D_UNDEF,
	D_IFDEF, D_IFNDEF, D_ELSE, D_ENDIF, D_DEFENV, D_DEFENVS, D_TRYDEFENV,
	D_TRYDEFENVS, D_SUBST, D_SUBSTDEF, D_SUBSTDEFS, D_INCLUDE, D_IMPORT
};

static const struct {
	const char *name;
	enum pp_dir d;
} pp_dirs[] = {
	{ "define", D_DEFINE }, { "def", D_DEFINE },
	{ "trydef", D_TRYDEF }, { "trydefine", D_TRYDEF },
	{ "redefine", D_REDEF }, { "redef", D_REDEF },
	{ "undef", D_UNDEF }, { "ifdef", D_IFDEF }, { "ifndef", D_IFNDEF },
	{ "else", D_ELSE }, { "endif", D_ENDIF },
	{ "defenv", D_DEFENV }, { "defenvs", D_DEFENVS },
	{ "trydefenv", D_TRYDEFENV }, { "trydefenvs", D_TRYDEFENVS },
	{ "subst", D_SUBST }, { "substdef", D_SUBSTDEF },
	{ "substdefs", D_SUBSTDEFS },
	{ "include_file", D_INCLUDE }, { "import_file", D_IMPORT },
	{ "KAMAILIO", D_HEADER }, { "SER", D_HEADER }, { "OPENSER", D_HEADER },
	{ "TANDEM", D_HEADER }, { "ALL", D_HEADER }, { "MAXCOMPAT", D_HEADER },
};

static int
is_idstart(int c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static int
is_idchar(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_blanks(const char *p, const char *e)
{
	while (p < e && is_blank(*p))
		p++;
	return p;
}

static const char *
skip_ident(const char *p, const char *e)
{
	if (p < e && is_idstart(*p))
		for (p++; p < e && is_idchar(*p); p++)
			;
	return p;
}

/* Nothing but blanks or a comment left on a directive line. */
static int
rest_empty(const char *p, const char *e)
{
	p = skip_blanks(p, e);
	return p == e || *p == '#' || (e - p >= 2 && p[0] == '/' && p[1] == '/');
}

static struct cfg_pos
mkpos(const struct pp_file *f, uint32_t line, uint32_t col)
{
	return (struct cfg_pos){ .file = f->file, .line = line, .col = col };
}

/* The position of p on line ln. */
static struct cfg_pos
lpos(const struct pp_file *f, const struct line *ln, const char *p)
{
	return mkpos(f, ln->no, (uint32_t)(p - ln->p) + 1);
}

static struct pp_define *
def_find(const struct pp_ctx *pp, const char *name, size_t n)
{
	for (struct pp_define *d = pp->defs; d != NULL; d = d->next)
		if (d->nlen == n && memcmp(d->name, name, n) == 0)
			return d;
	return NULL;
}

/* Adds or replaces NAME; the caller has decided that it may.  0 / -1. */
static int
def_set(struct pp_ctx *pp, const char *name, size_t n, const char *val,
    size_t vlen, struct cfg_pos pos)
{
	struct pp_define *d = def_find(pp, name, n);
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

static void
def_del(struct pp_ctx *pp, const char *name, size_t n)
{
	for (struct pp_define **dp = &pp->defs; *dp != NULL; dp = &(*dp)->next)
		if ((*dp)->nlen == n && memcmp((*dp)->name, name, n) == 0) {
			struct pp_define *d = *dp;

			*dp = d->next;
			xfree(d->name);
			xfree(d->value);
			xfree(d);
			return;
		}
}

/* #!define semantics: an existing name is an error reported at pos. */
static void
def_new(struct pp_state *st, const char *name, size_t n, const char *val,
    size_t vlen, struct cfg_pos pos)
{
	struct pp_ctx *pp = st->pp;
	struct pp_define *d = def_find(pp, name, n);

	if (d != NULL) {
		if (d->pos.line == 0)
			diag_error_at(pp->diag, pos, "'%.*s' already defined on "
			    "the command line", (int)n, name);
		else
			diag_error_at(pp->diag, pos, "'%.*s' already defined at "
			    "%s:%u", (int)n, name,
			    src_file_name(pp->src, d->pos.file), d->pos.line);
		return;
	}
	if (def_set(pp, name, n, val, vlen, pos) == -1)
		st->oom = 1;
}

/* ---- output ---------------------------------------------------------- */

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc = *cap ? *cap : 256;
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

/* Appends one byte; runs are merged while columns keep following. */
static void
emit(struct pp_state *st, char c, struct cfg_pos pos, int exp)
{
	struct pp_run *r;

	if (st->oom || grow((void **)&st->text, &st->cap, st->len + 2, 1) == -1) {
		st->oom = 1;
		return;
	}
	r = st->nruns ? &st->runs[st->nruns - 1] : NULL;
	if (r == NULL || r->expanded != exp || r->pos.file != pos.file ||
	    r->pos.line != pos.line || (exp ? r->pos.col != pos.col :
	    (size_t)r->pos.col + (st->len - r->off) != pos.col)) {
		if (grow((void **)&st->runs, &st->rcap, st->nruns + 1,
		    sizeof(*r)) == -1) {
			st->oom = 1;
			return;
		}
		st->runs[st->nruns++] = (struct pp_run){ .off = st->len,
			.pos = pos, .expanded = exp };
	}
	st->text[st->len++] = c;
}

static void
emit_nl(struct pp_state *st, const struct pp_file *f, const struct line *ln)
{
	if (ln->nl)
		emit(st, '\n', mkpos(f, ln->no, (uint32_t)ln->n + 1), 0);
}

/* ---- the working line and substs ------------------------------------- */

static int
wl_reserve(struct pp_state *st, struct wline *w, size_t need)
{
	size_t nc = w->cap ? w->cap : 128;
	struct lbyte *m;
	char *b;

	if (need <= w->cap)
		return 0;
	while (nc < need)
		nc *= 2;
	/* cap only moves once both arrays have the new size */
	if ((b = xrealloc(w->b, nc)) == NULL)
		goto fail;
	w->b = b;
	if ((m = xrealloc(w->m, nc * sizeof(*m))) == NULL)
		goto fail;
	w->m = m;
	w->cap = nc;
	return 0;
fail:
	st->oom = 1;
	return -1;
}

static void
wl_put(struct pp_state *st, struct wline *w, char c, uint32_t col,
    uint32_t exp)
{
	if (st->oom || wl_reserve(st, w, w->n + 2) == -1)
		return;
	w->b[w->n] = c;
	w->m[w->n++] = (struct lbyte){ col, exp };
	w->b[w->n] = '\0';          /* regexec() wants a C string */
}

/* Empties w, keeping a valid C string in it. */
static int
wl_clear(struct pp_state *st, struct wline *w)
{
	w->n = 0;
	if (wl_reserve(st, w, 2) == -1)
		return -1;
	w->b[0] = '\0';
	return 0;
}

static uint32_t
wl_col(const struct wline *w, size_t i)
{
	if (i < w->n)
		return w->m[i].col;
	return w->n ? w->m[w->n - 1].col + 1 : 1;
}

/* Runs one subst over st->w; the replacement maps to the match start. */
static void
subst_apply(struct pp_state *st, const struct pp_subst *s)
{
	struct wline *w = &st->w, *t = &st->t, tmp;
	regmatch_t m[10];
	size_t pos = 0, base, so, eo;
	int eflags = 0;

	if (wl_clear(st, t) == -1)
		return;
	while (pos <= w->n && !st->oom &&
	    regexec(&s->re, w->b + pos, 10, m, eflags) == 0) {
		base = pos;
		so = base + (size_t)m[0].rm_so;
		eo = base + (size_t)m[0].rm_eo;
		for (; pos < so; pos++)
			wl_put(st, t, w->b[pos], w->m[pos].col, w->m[pos].exp);
		for (size_t i = 0; i < s->rlen; i++) {
			regmatch_t *g;

			if (s->repl[i] != '\\') {
				wl_put(st, t, s->repl[i], wl_col(w, so), 1);
				continue;
			}
			if (!isdigit((unsigned char)s->repl[++i])) {
				wl_put(st, t, s->repl[i], wl_col(w, so), 1);
				continue;
			}
			g = &m[s->repl[i] - '0'];
			for (regoff_t k = g->rm_so; g->rm_so != -1 && k < g->rm_eo;
			    k++)
				wl_put(st, t, w->b[base + (size_t)k], wl_col(w, so), 1);
		}
		pos = eo;
		if (so == eo) {         /* an empty match: step over a byte */
			if (pos >= w->n)
				break;
			wl_put(st, t, w->b[pos], w->m[pos].col, w->m[pos].exp);
			pos++;
		}
		eflags = REG_NOTBOL;
		if (!s->global)
			break;
	}
	for (; pos < w->n; pos++)
		wl_put(st, t, w->b[pos], w->m[pos].col, w->m[pos].exp);
	tmp = *w;
	*w = *t;
	*t = tmp;
}

/* ---- define expansion and the line scanner ---------------------------- */

enum { EXP_OK, EXP_DEEP, EXP_BIG };

/* Emits a define's value at pos, expanding the names in it again. */
static int
expand(struct pp_state *st, const char *v, size_t n, struct cfg_pos pos,
    int depth)
{
	const struct pp_define *d;
	char q = 0;
	size_t i = 0, j;
	int r;

	if (depth > PP_MAX_NEST)
		return EXP_DEEP;
	while (i < n && !st->oom) {
		if (q == 0 && is_idchar(v[i])) {
			for (j = i; j < n && is_idchar(v[j]); j++)
				;
			if (is_idstart(v[i]) && (i == 0 || v[i - 1] != '$') &&
			    (d = def_find(st->pp, v + i, j - i)) != NULL) {
				r = expand(st, d->value, d->vlen, pos, depth + 1);
				if (r != EXP_OK)
					return r;
				i = j;
				continue;
			}
		} else
			j = i + 1;
		/* a string in the value is copied as it is */
		if (q != 0 && v[i] == '\\' && q == '"' && j < n)
			j++;
		else if (q != 0 && v[i] == q)
			q = 0;
		else if (q == 0 && (v[i] == '"' || v[i] == '\''))
			q = v[i];
		if (j - i > st->budget)
			return EXP_BIG;
		st->budget -= j - i;
		for (; i < j; i++)
			emit(st, v[i], pos, 1);
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
wemit(struct pp_state *st, const struct pp_file *f, uint32_t no, size_t i,
    char c)
{
	emit(st, c, mkpos(f, no, st->w.m[i].col), (int)st->w.m[i].exp);
}

/*
 * Emits the working line: comments become spaces (so columns stay), the
 * insides of strings are copied, defined names are expanded.
 */
static void
scan_line(struct pp_state *st, struct pp_file *f, uint32_t no)
{
	const struct pp_define *d;
	const char *b = st->w.b;
	size_t n = st->w.n, i = 0, j;
	char c;

	while (i < n && !st->oom) {
		c = b[i];
		if (f->in_block) {
			if (c == '*' && i + 1 < n && b[i + 1] == '/') {
				f->in_block = 0;
				wemit(st, f, no, i++, ' ');
			}
			wemit(st, f, no, i++, ' ');
		} else if (f->in_str) {
			wemit(st, f, no, i++, c);
			if (c == '\\' && f->in_str == '"' && i < n) {
				wemit(st, f, no, i, b[i]);
				i++;
			} else if (c == f->in_str)
				f->in_str = 0;
		} else if (c == '"' || c == '\'') {
			f->in_str = c;
			wemit(st, f, no, i++, c);
		} else if (c == '#' || (c == '/' && i + 1 < n && b[i + 1] == '/')) {
			while (i < n)
				wemit(st, f, no, i++, ' ');
		} else if (c == '/' && i + 1 < n && b[i + 1] == '*') {
			f->in_block = 1;
			f->block_pos = mkpos(f, no, st->w.m[i].col);
			wemit(st, f, no, i++, ' ');
			wemit(st, f, no, i++, ' ');
		} else if (is_idchar(c)) {
			/* a whole word; "$name" is a pseudo-variable */
			for (j = i; j < n && is_idchar(b[j]); j++)
				;
			if (is_idstart(c) && (i == 0 || b[i - 1] != '$') &&
			    (d = def_find(st->pp, b + i, j - i)) != NULL) {
				expand_name(st, d, mkpos(f, no, st->w.m[i].col));
				i = j;
			}
			for (; i < j; i++)
				wemit(st, f, no, i, b[i]);
		} else
			wemit(st, f, no, i++, c);
	}
}

/* ---- directives ------------------------------------------------------- */

struct dctx {
	struct pp_state *st;
	struct pp_file  *f;
	struct cursor   *cur;
	struct line     *ln;
	const char      *e;         /* end of the line, CR dropped          */
	const char      *at;        /* first byte of the directive          */
	const char      *a;         /* what follows its name                */
	enum pp_dir      d;
	char             what[32];  /* "#!define", for messages             */
};

static int
f_active(const struct pp_file *f)
{
	return f->nconds == 0 || f->conds[f->nconds - 1].active;
}

/* Recognises a directive at the start of a line. */
static enum pp_dir
dir_parse(const char *p, const char *e, const char **at, const char **args)
{
	const char *n, *ne;
	int pre = 0;

	p = skip_blanks(p, e);
	*at = p;
	if (e - p >= 2 && (p[0] == '#' || p[0] == '!') && p[1] == '!') {
		pre = 1;
		p += 2;
	}
	n = p;
	ne = skip_ident(n, e);
	*args = ne;
	if (ne > n && (ne == e || is_blank(*ne) || *ne == '"' || *ne == '\''))
		for (size_t i = 0; i < sizeof(pp_dirs) / sizeof(pp_dirs[0]); i++) {
			enum pp_dir d = pp_dirs[i].d;
			size_t len = strlen(pp_dirs[i].name);

			if ((size_t)(ne - n) != len || (d == D_HEADER ?
			    strncasecmp(n, pp_dirs[i].name, len) :
			    strncmp(n, pp_dirs[i].name, len)) != 0)
				continue;
			if (pre || d == D_INCLUDE || d == D_IMPORT)
				return d;
			return D_NONE;
		}
	/* "!!" also reads as two negations, so only "#!" is an error */
	return pre && **at == '#' ? D_UNKNOWN : D_NONE;
}

static void
do_cond(struct dctx *x)
{
	struct pp_file *f = x->f;
	struct cfg_diag *diag = x->st->pp->diag;
	struct cfg_pos at = lpos(f, x->ln, x->at);
	const char *n = skip_blanks(x->a, x->e), *ne = skip_ident(n, x->e);
	int parent = f_active(f);
	struct pp_cond *c;

	if (x->d == D_IFDEF || x->d == D_IFNDEF) {
		if (grow((void **)&f->conds, &f->ccap, f->nconds + 1,
		    sizeof(*c)) == -1) {
			x->st->oom = 1;
			return;
		}
		c = &f->conds[f->nconds++];
		c->pos = at;
		c->what = x->d == D_IFDEF ? "#!ifdef" : "#!ifndef";
		c->parent = parent;
		c->seen_else = 0;
		c->cond = ne > n && (def_find(x->st->pp, n, (size_t)(ne - n)) !=
		    NULL) == (x->d == D_IFDEF);
		c->active = parent && c->cond;
		if (parent && ne == n)
			diag_error_at(diag, lpos(f, x->ln, n), "missing name after "
			    "%s", x->what);
		else if (parent && !rest_empty(ne, x->e))
			diag_error_at(diag, lpos(f, x->ln, ne), "unexpected text "
			    "after %s %.*s", x->what, (int)(ne - n), n);
		return;
	}
	if (f->nconds == 0) {
		diag_error_at(diag, at, "%s without #!ifdef", x->what);
		return;
	}
	c = &f->conds[f->nconds - 1];
	if (x->d == D_ELSE && c->seen_else) {
		diag_error_at(diag, at, "second #!else for the %s at line %u",
		    c->what, c->pos.line);
		return;
	}
	if (c->parent && !rest_empty(x->a, x->e))
		diag_error_at(diag, lpos(f, x->ln, skip_blanks(x->a, x->e)),
		    "unexpected text after %s", x->what);
	if (x->d == D_ELSE) {
		c->seen_else = 1;
		c->active = c->parent && !c->cond;
	} else
		f->nconds--;
}

static int
buf_add(struct pp_state *st, char **b, size_t *n, size_t *cap,
    const char *p, size_t len)
{
	if (grow((void **)b, cap, *n + len + 1, 1) == -1) {
		st->oom = 1;
		return -1;
	}
	memcpy(*b + *n, p, len);
	*n += len;
	return 0;
}

/* Cuts a trailing comment (outside strings) and blanks off a value. */
static size_t
value_trim(const char *v, size_t n)
{
	char q = 0;

	for (size_t i = 0; i < n; i++) {
		if (q != 0) {
			if (v[i] == '\\' && q == '"')
				i++;
			else if (v[i] == q)
				q = 0;
		} else if (v[i] == '"' || v[i] == '\'')
			q = v[i];
		else if (v[i] == '#' || (v[i] == '/' && i + 1 < n &&
		    v[i + 1] == '/')) {
			n = i;
			break;
		}
	}
	while (n > 0 && is_blank(v[n - 1]))
		n--;
	return n;
}

static const char *
line_end(const struct line *ln)
{
	const char *e = ln->p + ln->n;

	return e > ln->p && e[-1] == '\r' ? e - 1 : e;
}

static int next_line(struct cursor *c, struct line *ln);

/* #!define, #!trydef, #!redefine; a trailing '\' continues the value. */
static void
do_define(struct dctx *x)
{
	struct pp_state *st = x->st;
	const char *n = skip_blanks(x->a, x->e), *ne = skip_ident(n, x->e);
	struct cfg_pos npos = lpos(x->f, x->ln, n);
	const char *p = ne, *e = x->e, *ve;
	char *val = NULL;
	size_t vlen = 0, vcap = 0;
	int cont;

	if (ne == n || (ne < e && !is_blank(*ne))) {
		diag_error_at(st->pp->diag, npos, ne == e ? "missing name after "
		    "%s" : "invalid name after %s", x->what);
		return;
	}
	for (;;) {
		cont = e > p && e[-1] == '\\';
		ve = cont ? e - 1 : e;
		p = skip_blanks(p, ve);
		while (ve > p && is_blank(ve[-1]))
			ve--;
		/* the pieces of a continued value are joined by one space */
		if (buf_add(st, &val, &vlen, &vcap, p, (size_t)(ve - p)) == -1 ||
		    (cont && buf_add(st, &val, &vlen, &vcap, " ", 1) == -1)) {
			xfree(val);
			return;
		}
		if (!cont)
			break;
		emit_nl(st, x->f, x->ln);
		if (!next_line(x->cur, x->ln))
			break;
		p = x->ln->p;
		e = line_end(x->ln);
	}
	vlen = value_trim(val, vlen);
	if (x->d == D_DEFINE)
		def_new(st, n, (size_t)(ne - n), val, vlen, npos);
	else if ((x->d == D_REDEF || def_find(st->pp, n, (size_t)(ne - n)) ==
	    NULL) && def_set(st->pp, n, (size_t)(ne - n), val, vlen, npos) == -1)
		st->oom = 1;
	xfree(val);
}

/* A value in double quotes, for the *s directive variants. */
static char *
quote(struct pp_state *st, const char *v, size_t n, size_t *qlen)
{
	char *q = xmalloc(2 * n + 3);
	size_t k = 0;

	if (q == NULL) {
		st->oom = 1;
		return NULL;
	}
	q[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '"' || v[i] == '\\')
			q[k++] = '\\';
		q[k++] = v[i];
	}
	q[k++] = '"';
	*qlen = k;
	return q;
}

/* #!defenv NAME=ENVVAR or #!defenv ENVVAR, and the try/quoted forms. */
static void
do_defenv(struct dctx *x)
{
	struct pp_state *st = x->st;
	const char *p = skip_blanks(x->a, x->e), *t = p, *eq, *ne, *env;
	char *envname = NULL, *q = NULL;
	const char *val;
	size_t vlen;
	struct cfg_pos ppos = lpos(x->f, x->ln, p);

	while (t < x->e && !is_blank(*t))
		t++;
	eq = memchr(p, '=', (size_t)(t - p));
	ne = eq != NULL ? eq : t;
	env = eq != NULL ? eq + 1 : p;
	if (p == t || skip_ident(p, ne) != ne || env == t) {
		if (p == t)
			diag_error_at(st->pp->diag, ppos, "missing name after %s",
			    x->what);
		else
			diag_error_at(st->pp->diag, ppos, "invalid argument "
			    "'%.*s' after %s", (int)(t - p), p, x->what);
		return;
	}
	if (!rest_empty(t, x->e)) {
		diag_error_at(st->pp->diag, lpos(x->f, x->ln, skip_blanks(t,
		    x->e)), "unexpected text after %s", x->what);
		return;
	}
	if ((envname = xstrndup(env, (size_t)(t - env))) == NULL) {
		st->oom = 1;
		return;
	}
	if ((val = getenv(envname)) == NULL) {
		if (x->d == D_DEFENV || x->d == D_DEFENVS)
			diag_error_at(st->pp->diag, ppos, "environment variable "
			    "'%s' is not set", envname);
		goto fail;
	}
	vlen = strlen(val);
	if (x->d == D_DEFENVS || x->d == D_TRYDEFENVS) {
		if ((q = quote(st, val, vlen, &vlen)) == NULL)
			goto fail;
		val = q;
	}
	def_new(st, p, (size_t)(ne - p), val, vlen, ppos);
	xfree(q);
	xfree(envname);
	return;
fail:
	xfree(q);
	xfree(envname);
}

/*
 * Compiles "DrepDreplDflags" (D: any delimiter but a backslash or a
 * letter/digit) and appends it to the substs; #!substdef also defines
 * the expression as the replacement.
 */
static void
subst_add(struct dctx *x, const char *s, size_t n, struct cfg_pos pos)
{
	struct pp_state *st = x->st;
	struct pp_subst *sub = NULL;
	char *re = NULL, *raw = NULL, *q = NULL, why[160] = "", d;
	size_t i = 1, rn = 0, wn = 0, rawn = 0;
	int cflags = REG_EXTENDED, maxref = 0, rc, compiled = 0;

	d = n > 0 ? s[0] : '\0';
	if (n < 3 || d == '\\' || isalnum((unsigned char)d)) {
		snprintf(why, sizeof(why), n < 3 ? "too short" : "bad delimiter");
		goto fail;
	}
	if ((re = xmalloc(n)) == NULL || (raw = xmalloc(n)) == NULL ||
	    (sub = xcalloc(1, sizeof(*sub))) == NULL ||
	    (sub->repl = xmalloc(2 * n)) == NULL)
		goto oom;
	for (; i < n && s[i] != d; i++) {
		/* "\D" is the delimiter, unless D means something to regcomp */
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] != d ||
		    strchr(".[]()*+?{}|^$", d) != NULL))
			re[rn++] = s[i++];
		else if (s[i] == '\\' && i + 1 < n)
			i++;
		re[rn++] = s[i];
	}
	re[rn] = '\0';
	if (i++ >= n) {
		snprintf(why, sizeof(why), "missing %c after the expression", d);
		goto fail;
	}
	for (; i < n && s[i] != d; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c != d)
				raw[rawn++] = '\\';
			raw[rawn++] = c;
			if (isdigit((unsigned char)c)) {
				sub->repl[wn++] = '\\';
				maxref = c - '0' > maxref ? c - '0' : maxref;
			} else if (c == '\\')
				sub->repl[wn++] = '\\';
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
		} else {
			raw[rawn++] = c;
			if (c == '\\')
				sub->repl[wn++] = '\\';
		}
		sub->repl[wn++] = c;
	}
	if (i++ >= n) {
		snprintf(why, sizeof(why), "missing %c after the replacement", d);
		goto fail;
	}
	for (; i < n; i++) {
		if (s[i] == 'g')
			sub->global = 1;
		else if (s[i] == 'i')
			cflags |= REG_ICASE;
		else if (s[i] != 's') {   /* Kamailio's s: '.' matches newline */
			snprintf(why, sizeof(why), "unknown flag '%c'", s[i]);
			goto fail;
		}
	}
	if ((rc = regcomp(&sub->re, re, cflags)) != 0) {
		regerror(rc, &sub->re, why, sizeof(why));
		goto fail;
	}
	compiled = 1;
	if ((size_t)maxref > sub->re.re_nsub) {
		snprintf(why, sizeof(why), "\\%d refers to a missing group",
		    maxref);
		goto fail;
	}
	sub->rlen = wn;
	if (x->d != D_SUBST && rn > 0 && skip_ident(re, re + rn) == re + rn) {
		if (x->d == D_SUBSTDEFS &&
		    (q = quote(st, raw, rawn, &rawn)) == NULL)
			goto oom;
		def_new(st, re, rn, q != NULL ? q : raw, rawn, pos);
	}
	*st->priv->tail = sub;
	st->priv->tail = &sub->next;
	xfree(q);
	xfree(raw);
	xfree(re);
	return;
oom:
	st->oom = 1;
fail:
	if (why[0] != '\0')
		diag_error_at(st->pp->diag, pos, "bad %s expression '%.*s': %s",
		    x->what, (int)n, s, why);
	if (sub != NULL) {
		if (compiled)
			regfree(&sub->re);
		xfree(sub->repl);
	}
	xfree(sub);
	xfree(q);
	xfree(raw);
	xfree(re);
}

/* #!subst "expr": the string takes \" and \\ only, like Kamailio's. */
static void
do_subst(struct dctx *x)
{
	const char *p = skip_blanks(x->a, x->e), *q;
	struct cfg_pos pos = lpos(x->f, x->ln, p);
	char *expr = NULL;
	size_t n = 0;

	if (p == x->e || *p != '"') {
		diag_error_at(x->st->pp->diag, pos, "missing quoted expression "
		    "after %s", x->what);
		return;
	}
	if ((expr = xmalloc((size_t)(x->e - p))) == NULL) {
		x->st->oom = 1;
		return;
	}
	for (q = p + 1; q < x->e && *q != '"'; q++) {
		if (*q == '\\' && q + 1 < x->e && (q[1] == '"' || q[1] == '\\'))
			q++;
		expr[n++] = *q;
	}
	if (q == x->e)
		diag_error_at(x->st->pp->diag, pos, "unterminated string after "
		    "%s", x->what);
	else if (!rest_empty(q + 1, x->e))
		diag_error_at(x->st->pp->diag, lpos(x->f, x->ln, skip_blanks(q +
		    1, x->e)), "unexpected text after %s", x->what);
	else
		subst_add(x, expr, n, pos);
	xfree(expr);
}

static void
do_undef(struct dctx *x)
{
	const char *n = skip_blanks(x->a, x->e), *ne = skip_ident(n, x->e);

	if (ne == n || !rest_empty(ne, x->e))
		diag_error_at(x->st->pp->diag, lpos(x->f, x->ln, n), ne == n ?
		    "missing name after %s" : "unexpected text after %s",
		    x->what);
	else
		def_del(x->st->pp, n, (size_t)(ne - n));
}

/* Reads a whole file; 0, or -1 with errno set. */
static int
read_all(const char *path, char **buf, size_t *len)
{
	FILE *fp = NULL;
	char *b = NULL;
	size_t n = 0, cap = 0, r;
	int err;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	do {
		if (grow((void **)&b, &cap, n + 4096, 1) == -1) {
			errno = ENOMEM;
			goto fail;
		}
		n += r = fread(b + n, 1, cap - n, fp);
	} while (r > 0);
	if (ferror(fp)) {
		errno = EIO;
		goto fail;
	}
	fclose(fp);
	*buf = b;
	*len = n;
	return 0;
fail:
	err = errno;
	xfree(b);
	fclose(fp);
	errno = err;
	return -1;
}

static void process_text(struct pp_state *st, uint32_t file,
    const char *buf, size_t len);

/*
 * Reads path in place: tried next to the including file, then as given
 * (the working directory).  The name goes through the substs first, as
 * in Kamailio.
 */
static void
include(struct dctx *x, const char *name, size_t nlen, struct cfg_pos pos)
{
	struct pp_state *st = x->st;
	const char *slash = strrchr(x->f->name, '/');
	char *path = NULL, *full = NULL, *buf = NULL;
	size_t len = 0;
	uint32_t file;
	int r = -1;

	if (wl_load(st, name, nlen) == -1)
		return;
	for (struct pp_subst *s = st->priv->substs; s != NULL; s = s->next)
		subst_apply(st, s);
	if (st->oom || (path = xstrndup(st->w.b, st->w.n)) == NULL)
		goto oom;
	if (path[0] != '/' && slash != NULL) {
		int dl = (int)(slash - x->f->name);

		if ((full = xmalloc((size_t)dl + strlen(path) + 2)) == NULL)
			goto oom;
		sprintf(full, "%.*s/%s", dl, x->f->name, path);
		r = read_all(full, &buf, &len);
	}
	if (r == -1 && (full == NULL || errno == ENOENT)) {
		xfree(full);
		full = NULL;
		r = read_all(path, &buf, &len);
	}
	if (r == -1) {
		if (errno != ENOENT || x->d != D_IMPORT)
			diag_error_at(st->pp->diag, pos, "cannot read included "
			    "file '%s': %s", path, strerror(errno));
		goto fail;
	}
	if ((file = src_add_file(st->pp->src, full != NULL ? full : path)) == 0)
		goto oom;
	st->depth++;
	process_text(st, file, buf, len);
	st->depth--;
	xfree(buf);
	xfree(full);
	xfree(path);
	return;
oom:
	st->oom = 1;
fail:
	xfree(buf);
	xfree(full);
	xfree(path);
}

/* include_file "path" / import_file 'path' / include_file path */
static void
do_include(struct dctx *x)
{
	const char *p = skip_blanks(x->a, x->e), *n = p, *ne;
	struct cfg_pos pos = lpos(x->f, x->ln, p);
	struct cfg_diag *diag = x->st->pp->diag;

	if (p < x->e && (*p == '"' || *p == '\'')) {
		n = p + 1;
		if ((ne = memchr(n, *p, (size_t)(x->e - n))) == NULL) {
			diag_error_at(diag, pos, "unterminated file name after %s",
			    x->what);
			return;
		}
		p = ne + 1;
	} else {
		for (ne = n; ne < x->e && !is_blank(*ne); ne++)
			;
		p = ne;
	}
	if (ne == n)
		diag_error_at(diag, pos, "missing file name after %s", x->what);
	else if (!rest_empty(p, x->e))
		diag_error_at(diag, lpos(x->f, x->ln, skip_blanks(p, x->e)),
		    "unexpected text after %s", x->what);
	else if (x->st->depth >= PP_MAX_INCLUDE)
		diag_error_at(diag, pos, "too many nested includes (limit %d) "
		    "at '%.*s'", PP_MAX_INCLUDE, (int)(ne - n), n);
	else
		include(x, n, (size_t)(ne - n), pos);
}

static void
run_dir(struct dctx *x)
{
	const char *w = x->at[1] == '!' ? x->at + 2 : x->at;

	snprintf(x->what, sizeof(x->what), "%s%.*s", w == x->at ? "" : "#!",
	    (int)(x->a - w), w);
	if (x->d == D_IFDEF || x->d == D_IFNDEF || x->d == D_ELSE ||
	    x->d == D_ENDIF) {
		do_cond(x);
		return;
	}
	if (!f_active(x->f))
		return;             /* skipped: not even an unknown one counts */
	switch (x->d) {
	case D_UNKNOWN:
		for (w = x->at; w < x->e && !is_blank(*w); w++)
			;
		diag_error_at(x->st->pp->diag, lpos(x->f, x->ln, x->at),
		    "unknown preprocessor directive '%.*s'", (int)(w - x->at),
		    x->at);
		break;
	case D_DEFINE: case D_TRYDEF: case D_REDEF:
		do_define(x);
		break;
	case D_UNDEF:
		do_undef(x);
		break;
	case D_DEFENV: case D_DEFENVS: case D_TRYDEFENV: case D_TRYDEFENVS:
		do_defenv(x);
		break;
	case D_SUBST: case D_SUBSTDEF: case D_SUBSTDEFS:
		do_subst(x);
		break;
	case D_INCLUDE: case D_IMPORT:
		do_include(x);
		break;
	default:                    /* #!KAMAILIO and the other headers */
		break;
	}
}

/* ---- files ------------------------------------------------------------ */

static int
next_line(struct cursor *c, struct line *ln)
{
	const char *p, *nl;

	if (c->off >= c->len)
		return 0;
	p = c->buf + c->off;
	nl = memchr(p, '\n', c->len - c->off);
	ln->p = p;
	ln->n = nl != NULL ? (size_t)(nl - p) : c->len - c->off;
	ln->nl = nl != NULL;
	ln->no = ++c->no;
	c->off += ln->n + (size_t)ln->nl;
	return 1;
}

static void
do_line(struct pp_state *st, struct pp_file *f, struct cursor *cur,
    struct line *ln)
{
	struct dctx x = { .st = st, .f = f, .cur = cur, .ln = ln };

	x.e = line_end(ln);
	/* a directive must start the line, outside comments and strings */
	if (!f->in_block && !f->in_str &&
	    (x.d = dir_parse(ln->p, x.e, &x.at, &x.a)) != D_NONE) {
		run_dir(&x);
		return;
	}
	if (!f_active(f) || wl_load(st, ln->p, ln->n) == -1)
		return;
	for (struct pp_subst *s = st->priv->substs; s != NULL; s = s->next)
		subst_apply(st, s);
	scan_line(st, f, ln->no);
}

static void
process_text(struct pp_state *st, uint32_t file, const char *buf, size_t len)
{
	struct pp_file f = { .file = file };
	struct cursor cur = { .buf = buf, .len = len };
	struct line ln;

	f.name = src_file_name(st->pp->src, file);
	while (!st->oom && next_line(&cur, &ln)) {
		do_line(st, &f, &cur, &ln);
		emit_nl(st, &f, &ln);
	}
	if (f.in_block)
		diag_error_at(st->pp->diag, f.block_pos, "unterminated comment");
	for (size_t i = 0; i < f.nconds; i++)
		diag_error_at(st->pp->diag, f.conds[i].pos, "unterminated %s "
		    "(missing #!endif)", f.conds[i].what);
	xfree(f.conds);
}

/* ---- API -------------------------------------------------------------- */

void
pp_init(struct pp_ctx *pp, struct cfg_src *src, struct cfg_diag *diag)
{
	memset(pp, 0, sizeof(*pp));
	pp->src = src;
	pp->diag = diag;
}

/* 0, or -1 when name is not an identifier, is defined already or memory
 * ran out.  A NULL value defines the name as empty. */
int
pp_define(struct pp_ctx *pp, const char *name, const char *value)
{
	size_t n = strlen(name);

	if (n == 0 || skip_ident(name, name + n) != name + n ||
	    def_find(pp, name, n) != NULL)
		return -1;
	if (value == NULL)
		value = "";
	return def_set(pp, name, n, value, strlen(value),
	    (struct cfg_pos){ 0, 0, 0 });
}

int
pp_is_defined(const struct pp_ctx *pp, const char *name)
{
	return def_find(pp, name, strlen(name)) != NULL;
}

int
pp_run_buffer(struct pp_ctx *pp, const char *name, const char *buf,
    size_t len, struct pp_out *out)
{
	struct pp_state st = { .pp = pp };
	struct pp_priv *priv;
	uint32_t file;

	memset(out, 0, sizeof(*out));
	if (pp->priv == NULL) {
		if ((priv = xcalloc(1, sizeof(*priv))) == NULL)
			return -1;
		priv->tail = &priv->substs;
		pp->priv = priv;
	}
	st.priv = pp->priv;
	if ((file = src_add_file(pp->src, name)) == 0)
		return -1;
	process_text(&st, file, buf, len);
	if (!st.oom && grow((void **)&st.text, &st.cap, st.len + 1, 1) == -1)
		st.oom = 1;
	xfree(st.w.b);
	xfree(st.w.m);
	xfree(st.t.b);
	xfree(st.t.m);
	if (st.oom) {
		diag_error_at(pp->diag, (struct cfg_pos){ file, 0, 0 },
		    "out of memory while preprocessing");
		xfree(st.text);
		xfree(st.runs);
		return -1;
	}
	st.text[st.len] = '\0';
	out->text = st.text;
	out->len = st.len;
	out->runs = st.runs;
	out->nruns = st.nruns;
	return 0;
}

int
pp_run_file(struct pp_ctx *pp, const char *path, struct pp_out *out)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (read_all(path, &buf, &len) == -1) {
		diag_error_at(pp->diag, (struct cfg_pos){ src_add_file(pp->src,
		    path), 0, 0 }, "cannot read config file: %s", strerror(errno));
		return -1;
	}
	r = pp_run_buffer(pp, path, buf, len, out);
	xfree(buf);
	return r;
}

struct cfg_pos
pp_out_pos(const struct pp_out *out, size_t off)
{
	size_t lo = 0, hi = out->nruns;
	const struct pp_run *r;
	struct cfg_pos pos;

	if (out->nruns == 0)
		return (struct cfg_pos){ 0, 0, 0 };
	/* the last run starting at or before off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

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
	struct pp_priv *priv = pp->priv;

	while (pp->defs != NULL)
		def_del(pp, pp->defs->name, pp->defs->nlen);
	while (priv != NULL && priv->substs != NULL) {
		struct pp_subst *s = priv->substs;

		priv->substs = s->next;
		regfree(&s->re);
		xfree(s->repl);
		xfree(s);
	}
	xfree(priv);
	pp->priv = NULL;
}
