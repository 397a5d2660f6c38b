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
#include "pp_subst.h"

/* Each limit turns a runaway config into one error instead of a hang. */
#define PP_MAX_INCLUDE 10           /* include_file nesting              */
#define PP_MAX_NEST    32           /* a define inside a define ...      */
#define PP_MAX_OUT     (1u << 26)   /* bytes of output in all           */

#define IS_BLANK(c)   ((c) == ' ' || (c) == '\t')
#define IS_IDSTART(c) (isalpha((unsigned char)(c)) || (c) == '_')
#define IS_IDCHAR(c)  (isalnum((unsigned char)(c)) || (c) == '_')

struct pp_define {
	struct pp_define *next;
	char             *name;
	size_t            nlen;
	char             *value;
	size_t            vlen;
	struct cfg_pos    pos;      /* where defined; line 0: pp_define()   */
};

struct pp_cond {
	struct cfg_pos pos;         /* of the #!ifdef, for "unterminated"   */
	const char    *what;
	int            parent;      /* the enclosing region is read         */
	int            cond;
	int            active;
	int            seen_else;
};

/* One file being read; conditionals, comments and strings end with it. */
struct pp_file {
	uint32_t        file;
	const char     *name;
	const char     *buf;
	size_t          len, off;
	const char     *lp;         /* the current line, without '\n'       */
	size_t          ln;
	int             nl;         /* it ended with a newline              */
	uint32_t        no;
	struct pp_cond *conds;
	size_t          nconds, ccap;
	int             in_block;
	struct cfg_pos  block_pos;
	char            in_str;     /* a string may go on over a newline    */
};

struct pp_state {
	struct pp_ctx  *pp;
	struct pp_file *f;          /* the file being read                  */
	struct pp_out   out;
	size_t          cap, rcap;
	struct pp_wline w, t;       /* the line, and a scratch for substs   */
	size_t          budget;     /* bytes left for the current expansion */
	int             depth;      /* include depth                        */
	int             oom;
	int             full;       /* PP_MAX_OUT reached: stop reading     */
};

enum pp_dir {
	D_NONE, D_UNKNOWN, D_HEADER, D_DEFINE, D_TRYDEF, D_REDEF, D_UNDEF,
	D_IFDEF, D_IFNDEF, D_ELSE, D_ENDIF, D_DEFENV, D_TRYDEFENV, D_SUBST,
	D_SUBSTDEF, D_INCLUDE, D_IMPORT
};

/* A directive line. */
struct dir {
	enum pp_dir d;
	const char *at;             /* its first byte                       */
	const char *a;              /* what follows its name                */
	const char *e;              /* the end of the line, CR dropped      */
	char        what[32];       /* "#!define", for messages             */
};

static const struct {
	const char *name;
	enum pp_dir d;
} pp_dirs[] = {
	{ "define", D_DEFINE }, { "def", D_DEFINE }, { "trydef", D_TRYDEF },
	{ "trydefine", D_TRYDEF }, { "redefine", D_REDEF },
	{ "redef", D_REDEF }, { "undef", D_UNDEF }, { "ifdef", D_IFDEF },
	{ "ifndef", D_IFNDEF }, { "else", D_ELSE }, { "endif", D_ENDIF },
	{ "defenv", D_DEFENV }, { "trydefenv", D_TRYDEFENV },
	{ "subst", D_SUBST }, { "substdef", D_SUBSTDEF },
	{ "include_file", D_INCLUDE }, { "import_file", D_IMPORT },
	{ "KAMAILIO", D_HEADER }, { "SER", D_HEADER }, { "OPENSER", D_HEADER },
	{ "TANDEM", D_HEADER }, { "ALL", D_HEADER }, { "MAXCOMPAT", D_HEADER },
};
#define PP_NDIRS (sizeof(pp_dirs) / sizeof(pp_dirs[0]))

static const char *
skip_blanks(const char *p, const char *e)
{
	while (p < e && IS_BLANK(*p))
		p++;
	return p;
}

static const char *
skip_ident(const char *p, const char *e)
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
	p = skip_blanks(p, e);
	return p == e || *p == '#' || (e - p > 1 && p[0] == '/' && p[1] == '/');
}

/* The position of p, a pointer into the current line. */
static struct cfg_pos
pos_of(const struct pp_state *st, const char *p)
{
	return (struct cfg_pos){ .file = st->f->file, .line = st->f->no,
		.col = (uint32_t)(p - st->f->lp) + 1 };
}

static void __attribute__((format(printf, 3, 4)))
err(struct pp_state *st, const char *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_error_at(st->pp->diag, pos_of(st, p), "%s", buf);
}

/* Reports text after a directive's arguments: 1 if there was some. */
static int
junk(struct pp_state *st, const struct dir *x, const char *p)
{
	if (rest_empty(p, x->e))
		return 0;
	err(st, skip_blanks(p, x->e), "unexpected text after %s", x->what);
	return 1;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
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
static void
def_new(struct pp_state *st, const char *name, size_t n, const char *val,
    size_t vlen, struct cfg_pos pos)
{
	struct pp_define *d = def_find(st->pp, name, n);
	struct cfg_diag *diag = st->pp->diag;

	if (d != NULL && d->pos.line == 0)
		diag_error_at(diag, pos, "'%.*s' already defined on the "
		    "command line", (int)n, name);
	else if (d != NULL)
		diag_error_at(diag, pos, "'%.*s' already defined at %s:%u",
		    (int)n, name, src_file_name(st->pp->src, d->pos.file),
		    d->pos.line);
	else if (def_set(st->pp, name, n, val, vlen, pos) == -1)
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
	if (grow((void **)&o->text, &st->cap, o->len + n + 1, 1) == -1)
		goto oom;
	if (r == NULL || r->expanded != exp || r->pos.file != pos.file ||
	    r->pos.line != pos.line ||
	    r->pos.col + (exp ? 0 : o->len - r->off) != pos.col) {
		if (grow((void **)&o->runs, &st->rcap, o->nruns + 1,
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


static void
emit_nl(struct pp_state *st)
{
	const struct pp_file *f = st->f;

	if (f->nl)
		emit_n(st, "\n", 1, (struct cfg_pos){ f->file, f->no,
		    (uint32_t)f->ln + 1 }, 0);
}

/* ---- substs ----------------------------------------------------------- */

/* Runs the substs over st->w, the current line. */
static void
subst_line(struct pp_state *st)
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
			    (d = def_find(st->pp, v + i, j - i)) != NULL) {
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
			    (d = def_find(st->pp, b + i, j - i)) != NULL) {
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

/* ---- directives ------------------------------------------------------- */

static int
f_active(const struct pp_file *f)
{
	return f->nconds == 0 || f->conds[f->nconds - 1].active;
}

/* Recognises a directive at the start of the current line. */
static enum pp_dir
dir_parse(struct pp_state *st, struct dir *x)
{
	const char *p = skip_blanks(st->f->lp, x->e), *n, *w;
	int pre = x->e - p >= 2 && (*p == '#' || *p == '!') && p[1] == '!';

	x->at = p;
	n = pre ? p + 2 : p;
	x->a = skip_ident(n, x->e);
	w = x->a;
	if (w > n && (w == x->e || IS_BLANK(*w) || *w == '"' || *w == '\''))
		for (size_t i = 0; i < PP_NDIRS; i++) {
			enum pp_dir d = pp_dirs[i].d;
			size_t len = strlen(pp_dirs[i].name);

			if ((size_t)(w - n) != len || (d == D_HEADER ?
			    strncasecmp(n, pp_dirs[i].name, len) :
			    strncmp(n, pp_dirs[i].name, len)) != 0)
				continue;
			snprintf(x->what, sizeof(x->what), "%s%s",
			    d == D_INCLUDE || d == D_IMPORT ? "" : "#!",
			    pp_dirs[i].name);
			/* include_file and import_file need no prefix */
			return pre || x->what[0] != '#' ? d : D_NONE;
		}
	/* "!!" also reads as two negations, so only "#!" is an error */
	return pre && *p == '#' ? D_UNKNOWN : D_NONE;
}

static void
do_cond(struct pp_state *st, struct dir *x)
{
	struct pp_file *f = st->f;
	const char *n = skip_blanks(x->a, x->e), *ne = skip_ident(n, x->e);
	int parent = f_active(f);
	struct pp_cond *c;

	if (x->d == D_IFDEF || x->d == D_IFNDEF) {
		if (grow((void **)&f->conds, &f->ccap, f->nconds + 1,
		    sizeof(*c)) == -1) {
			st->oom = 1;
			return;
		}
		c = &f->conds[f->nconds++];
		*c = (struct pp_cond){ .pos = pos_of(st, x->at),
			.what = x->d == D_IFDEF ? "#!ifdef" : "#!ifndef",
			.parent = parent };
		c->cond = ne > n && (def_find(st->pp, n, (size_t)(ne - n)) !=
		    NULL) == (x->d == D_IFDEF);
		c->active = parent && c->cond;
		if (parent && ne == n)
			err(st, n, "missing name after %s", x->what);
		else if (parent)
			junk(st, x, ne);
		return;
	}
	if (f->nconds == 0) {
		err(st, x->at, "%s without #!ifdef", x->what);
		return;
	}
	c = &f->conds[f->nconds - 1];
	if (x->d == D_ELSE && c->seen_else) {
		err(st, x->at, "second #!else for the %s at line %u", c->what,
		    c->pos.line);
		return;
	}
	if (c->parent)
		junk(st, x, x->a);
	if (x->d == D_ELSE) {
		c->seen_else = 1;
		c->active = c->parent && !c->cond;
	} else
		f->nconds--;
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
		    v[i + 1] == '/'))
			n = i;
	}
	while (n > 0 && IS_BLANK(v[n - 1]))
		n--;
	return n;
}

static const char *
line_end(const struct pp_file *f)
{
	const char *e = f->lp + f->ln;

	return e > f->lp && e[-1] == '\r' ? e - 1 : e;
}

static int
next_line(struct pp_file *f)
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

/* #!define, #!trydef, #!redefine (a trailing '\' goes on), #!undef. */
static void
do_define(struct pp_state *st, struct dir *x)
{
	struct pp_file *f = st->f;
	const char *n = skip_blanks(x->a, x->e), *ne = skip_ident(n, x->e);
	const char *p = ne, *e = x->e, *ve;
	struct cfg_pos npos = pos_of(st, n);
	struct pp_wline *v = &st->w;    /* free while a directive is read */
	size_t nl = (size_t)(ne - n), vlen;
	int cont;

	if (ne == n || (ne < e && !IS_BLANK(*ne))) {
		err(st, n, "%s name after %s", ne == n ? "missing" : "invalid",
		    x->what);
		return;
	}
	if (x->d == D_UNDEF) {
		if (!junk(st, x, ne))
			def_del(st->pp, n, nl);
		return;
	}
	if (pp_subst_line_load(v, NULL, 0, &st->oom) == -1)
		return;
	for (;;) {
		cont = e > p && e[-1] == '\\';
		ve = cont ? e - 1 : e;
		p = skip_blanks(p, ve);
		while (ve > p && IS_BLANK(ve[-1]))
			ve--;
		while (p < ve)
			pp_subst_line_put(v, *p++, 0, 0, &st->oom);
		if (cont)   /* the pieces of a value are joined by a space */
			pp_subst_line_put(v, ' ', 0, 0, &st->oom);
		if (!cont || f->off >= f->len)
			break;
		emit_nl(st);
		next_line(f);
		p = f->lp;
		e = line_end(f);
	}
	if (st->oom)
		return;
	vlen = value_trim(v->b, v->n);
	if (x->d == D_DEFINE)
		def_new(st, n, nl, v->b, vlen, npos);
	else if ((x->d == D_REDEF || def_find(st->pp, n, nl) == NULL) &&
	    def_set(st->pp, n, nl, v->b, vlen, npos) == -1)
		st->oom = 1;
}

/* #!defenv NAME=ENVVAR or ENVVAR; #!trydefenv skips an unset one. */
static void
do_defenv(struct pp_state *st, struct dir *x)
{
	const char *p = skip_blanks(x->a, x->e), *t = p, *eq, *ne, *env;
	const char *val;
	char name[256];

	while (t < x->e && !IS_BLANK(*t))
		t++;
	eq = memchr(p, '=', (size_t)(t - p));
	ne = eq != NULL ? eq : t;
	env = eq != NULL ? eq + 1 : p;
	if (p == t || skip_ident(p, ne) != ne || env == t ||
	    (size_t)(t - env) >= sizeof(name)) {
		err(st, p, "%s argument '%.*s' after %s", p == t ? "missing" :
		    "invalid", (int)(t - p), p, x->what);
		return;
	}
	if (junk(st, x, t))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(t - env), env);
	if ((val = getenv(name)) != NULL)
		def_new(st, p, (size_t)(ne - p), val, strlen(val),
		    pos_of(st, p));
	else if (x->d == D_DEFENV)
		err(st, p, "environment variable '%s' is not set", name);
}

/* #!substdef: an expression that is a name defines it as the replacement. */
static void
substdef(void *arg, const char *name, size_t n, const char *val, size_t vlen,
    struct cfg_pos pos)
{
	struct pp_state *st = arg;

	if (n > 0 && skip_ident(name, name + n) == name + n)
		def_new(st, name, n, val, vlen, pos);
}

/* #!subst "expr": the string knows \" and \\ only, as regexes need \. */
static void
do_subst(struct pp_state *st, struct dir *x)
{
	const char *p = skip_blanks(x->a, x->e), *q;
	char *expr;
	size_t n = 0;

	if (p == x->e || *p != '"') {
		err(st, p, "missing quoted expression after %s", x->what);
		return;
	}
	if ((expr = xmalloc((size_t)(x->e - p))) == NULL) {
		st->oom = 1;
		return;
	}
	for (q = p + 1; q < x->e && *q != '"'; q++) {
		if (*q == '\\' && q + 1 < x->e && (q[1] == '"' || q[1] == '\\'))
			q++;
		expr[n++] = *q;
	}
	if (q == x->e)
		err(st, p, "unterminated string after %s", x->what);
	else if (!junk(st, x, q + 1))
		pp_subst_add(st->pp, x->what, expr, n, pos_of(st, p),
		    x->d == D_SUBSTDEF ? substdef : NULL, st, &st->oom);
	xfree(expr);
}

/* Reads a whole file: 0, or -1 with errno set. */
static int
read_all(const char *path, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;
	int ok, e;

	if (fp == NULL)
		return -1;
	do      /* a short read is the end of the file (or an error) */
		ok = grow((void **)&b, &cap, n + 4096, 1) == 0;
	while (ok && (n += fread(b + n, 1, cap - n, fp)) == cap);
	e = !ok ? ENOMEM : ferror(fp) ? EIO : 0;
	fclose(fp);
	if (e != 0) {
		xfree(b);
		errno = e;
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

static void process_text(struct pp_state *st, uint32_t file,
    const char *buf, size_t len);

/*
 * Reads the file named at [n, ne) in place: next to the including file,
 * then as given (the working directory).  The name goes through the
 * substs first, as in Kamailio.
 */
static void
include(struct pp_state *st, struct dir *x, const char *n, const char *ne)
{
	const char *slash = strrchr(st->f->name, '/');
	char *path = NULL, *full = NULL, *buf = NULL;
	struct cfg_pos pos = pos_of(st, n);
	size_t len = 0;
	uint32_t file;
	int r = -1;

	if (pp_subst_line_load(&st->w, n, (size_t)(ne - n), &st->oom) == -1)
		return;
	subst_line(st);
	if (st->oom || (path = xstrndup(st->w.b, st->w.n)) == NULL)
		goto oom;
	if (path[0] != '/' && slash != NULL) {
		int dl = (int)(slash - st->f->name);

		if ((full = xmalloc((size_t)dl + strlen(path) + 2)) == NULL)
			goto oom;
		sprintf(full, "%.*s/%s", dl, st->f->name, path);
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
			    "file '%s': %s", full ? full : path,
			    strerror(errno));
		goto fail;
	}
	if ((file = src_add_file(st->pp->src, full ? full : path)) == 0)
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

/* include_file "path", import_file 'path' or include_file path */
static void
do_include(struct pp_state *st, struct dir *x)
{
	const char *p = skip_blanks(x->a, x->e), *n = p, *ne;

	if (p < x->e && (*p == '"' || *p == '\'')) {
		n++;
		if ((ne = memchr(n, *p, (size_t)(x->e - n))) == NULL) {
			err(st, p, "unterminated file name after %s", x->what);
			return;
		}
		p = ne + 1;
	} else {
		for (ne = n; ne < x->e && !IS_BLANK(*ne); ne++)
			;
		p = ne;
	}
	if (ne == n)
		err(st, n, "missing file name after %s", x->what);
	else if (junk(st, x, p))
		return;
	else if (st->depth >= PP_MAX_INCLUDE)
		err(st, n, "too many nested includes (limit %d) at '%.*s'",
		    PP_MAX_INCLUDE, (int)(ne - n), n);
	else
		include(st, x, n, ne);
}

static void
run_dir(struct pp_state *st, struct dir *x)
{
	const char *w;
	int cond = x->d >= D_IFDEF && x->d <= D_ENDIF;

	/* in a skipped region only the conditionals count */
	switch (cond || f_active(st->f) ? x->d : D_NONE) {
	case D_IFDEF: case D_IFNDEF: case D_ELSE: case D_ENDIF:
		do_cond(st, x);
		break;
	case D_UNKNOWN:
		for (w = x->at; w < x->e && !IS_BLANK(*w); w++)
			;
		err(st, x->at, "unknown preprocessor directive '%.*s'",
		    (int)(w - x->at), x->at);
		break;
	case D_DEFINE: case D_TRYDEF: case D_REDEF: case D_UNDEF:
		do_define(st, x);
		break;
	case D_DEFENV: case D_TRYDEFENV:
		do_defenv(st, x);
		break;
	case D_SUBST: case D_SUBSTDEF:
		do_subst(st, x);
		break;
	case D_INCLUDE: case D_IMPORT:
		do_include(st, x);
		break;
	default:    /* #!KAMAILIO and the other headers */
		break;
	}
}

/* ---- files ------------------------------------------------------------ */

static void
do_line(struct pp_state *st)
{
	struct pp_file *f = st->f;
	struct dir x = { .e = line_end(f) };

	/* a directive starts its line, outside comments and strings */
	if (!f->in_block && !f->in_str &&
	    (x.d = dir_parse(st, &x)) != D_NONE) {
		run_dir(st, &x);
		return;
	}
	if (!f_active(f) ||
	    pp_subst_line_load(&st->w, f->lp, f->ln, &st->oom) == -1)
		return;
	subst_line(st);
	scan_line(st);
}

static void
process_text(struct pp_state *st, uint32_t file, const char *buf, size_t len)
{
	struct pp_file f = { .file = file, .buf = buf, .len = len };
	struct pp_file *outer = st->f;

	f.name = src_file_name(st->pp->src, file);
	st->f = &f;
	while (!st->oom && !st->full && next_line(&f)) {
		do_line(st);
		emit_nl(st);
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
	process_text(&st, file, buf, len);
	if (grow((void **)&st.out.text, &st.cap, st.out.len + 1, 1) == -1)
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
	if (read_all(path, &buf, &len) == -1) {
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
		def_del(pp, pp->defs->name, pp->defs->nlen);
	pp_subst_free(pp);
}
