/*
 * pp_dir.c - the preprocessor's directives: #!define and its kin,
 * #!ifdef/#!ifndef/#!else/#!endif, #!defenv, #!subst/#!substdef and
 * include_file/import_file.  pp.c reads the lines and calls
 * pp_dir_parse()/pp_dir_run() on each one that starts a directive.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "pp_int.h"

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
/* Recognises a directive at the start of the current line. */
enum pp_dir
pp_dir_parse(struct pp_state *st, struct pp_dirline *x)
{
	const char *p = pp_skip_blanks(st->f->lp, x->e), *n, *w;
	int pre = x->e - p >= 2 && (*p == '#' || *p == '!') && p[1] == '!';

	x->at = p;
	n = pre ? p + 2 : p;
	x->a = pp_skip_ident(n, x->e);
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
do_cond(struct pp_state *st, struct pp_dirline *x)
{
	struct pp_file *f = st->f;
	const char *n = pp_skip_blanks(x->a, x->e), *ne = pp_skip_ident(n, x->e);
	int parent = pp_file_active(f);
	struct pp_cond *c;

	if (x->d == D_IFDEF || x->d == D_IFNDEF) {
		if (pp_grow((void **)&f->conds, &f->ccap, f->nconds + 1,
		    sizeof(*c)) == -1) {
			st->oom = 1;
			return;
		}
		c = &f->conds[f->nconds++];
		*c = (struct pp_cond){ .pos = pp_pos_of(st, x->at),
			.what = x->d == D_IFDEF ? "#!ifdef" : "#!ifndef",
			.parent = parent };
		c->cond = ne > n && (pp_def_find(st->pp, n, (size_t)(ne - n)) !=
		    NULL) == (x->d == D_IFDEF);
		c->active = parent && c->cond;
		if (parent && ne == n)
			pp_err(st, n, "missing name after %s", x->what);
		else if (parent)
			pp_junk(st, x, ne);
		return;
	}
	if (f->nconds == 0) {
		pp_err(st, x->at, "%s without #!ifdef", x->what);
		return;
	}
	c = &f->conds[f->nconds - 1];
	if (x->d == D_ELSE && c->seen_else) {
		pp_err(st, x->at, "second #!else for the %s at line %u", c->what,
		    c->pos.line);
		return;
	}
	if (c->parent)
		pp_junk(st, x, x->a);
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

/* #!define, #!trydef, #!redefine (a trailing '\' goes on), #!undef. */
static void
do_define(struct pp_state *st, struct pp_dirline *x)
{
	struct pp_file *f = st->f;
	const char *n = pp_skip_blanks(x->a, x->e), *ne = pp_skip_ident(n, x->e);
	const char *p = ne, *e = x->e, *ve;
	struct cfg_pos npos = pp_pos_of(st, n);
	struct pp_wline *v = &st->w;    /* free while a directive is read */
	size_t nl = (size_t)(ne - n), vlen;
	int cont;

	if (ne == n || (ne < e && !IS_BLANK(*ne))) {
		pp_err(st, n, "%s name after %s", ne == n ? "missing" : "invalid",
		    x->what);
		return;
	}
	if (x->d == D_UNDEF) {
		if (!pp_junk(st, x, ne))
			pp_def_del(st->pp, n, nl);
		return;
	}
	if (pp_subst_line_load(v, NULL, 0, &st->oom) == -1)
		return;
	for (;;) {
		cont = e > p && e[-1] == '\\';
		ve = cont ? e - 1 : e;
		p = pp_skip_blanks(p, ve);
		while (ve > p && IS_BLANK(ve[-1]))
			ve--;
		while (p < ve)
			pp_subst_line_put(v, *p++, 0, 0, &st->oom);
		if (cont)   /* the pieces of a value are joined by a space */
			pp_subst_line_put(v, ' ', 0, 0, &st->oom);
		if (!cont || f->off >= f->len)
			break;
		pp_emit_nl(st);
		pp_next_line(f);
		p = f->lp;
		e = pp_line_end(f);
	}
	if (st->oom)
		return;
	vlen = value_trim(v->b, v->n);
	if (x->d == D_DEFINE)
		pp_def_new(st, n, nl, v->b, vlen, npos);
	else if ((x->d == D_REDEF || pp_def_find(st->pp, n, nl) == NULL) &&
	    pp_def_set(st->pp, n, nl, v->b, vlen, npos) == -1)
		st->oom = 1;
}

/* #!defenv NAME=ENVVAR or ENVVAR; #!trydefenv skips an unset one. */
static void
do_defenv(struct pp_state *st, struct pp_dirline *x)
{
	const char *p = pp_skip_blanks(x->a, x->e), *t = p, *eq, *ne, *env;
	const char *val;
	char name[256];

	while (t < x->e && !IS_BLANK(*t))
		t++;
	eq = memchr(p, '=', (size_t)(t - p));
	ne = eq != NULL ? eq : t;
	env = eq != NULL ? eq + 1 : p;
	if (p == t || pp_skip_ident(p, ne) != ne || env == t ||
	    (size_t)(t - env) >= sizeof(name)) {
		pp_err(st, p, "%s argument '%.*s' after %s", p == t ? "missing" :
		    "invalid", (int)(t - p), p, x->what);
		return;
	}
	if (pp_junk(st, x, t))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(t - env), env);
	if ((val = getenv(name)) != NULL)
		pp_def_new(st, p, (size_t)(ne - p), val, strlen(val),
		    pp_pos_of(st, p));
	else if (x->d == D_DEFENV)
		pp_err(st, p, "environment variable '%s' is not set", name);
}

/* #!substdef: an expression that is a name defines it as the replacement. */
static void
substdef(void *arg, const char *name, size_t n, const char *val, size_t vlen,
    struct cfg_pos pos)
{
	struct pp_state *st = arg;

	if (n > 0 && pp_skip_ident(name, name + n) == name + n)
		pp_def_new(st, name, n, val, vlen, pos);
}

/* #!subst "expr": the string knows \" and \\ only, as regexes need \. */
static void
do_subst(struct pp_state *st, struct pp_dirline *x)
{
	const char *p = pp_skip_blanks(x->a, x->e), *q;
	char *expr;
	size_t n = 0;

	if (p == x->e || *p != '"') {
		pp_err(st, p, "missing quoted expression after %s", x->what);
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
		pp_err(st, p, "unterminated string after %s", x->what);
	else if (!pp_junk(st, x, q + 1))
		pp_subst_add(st->pp, x->what, expr, n, pp_pos_of(st, p),
		    x->d == D_SUBSTDEF ? substdef : NULL, st, &st->oom);
	xfree(expr);
}

/* Reads a whole file: 0, or -1 with errno set. */
int
pp_read_all(const char *path, char **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;
	int ok, e;

	if (fp == NULL)
		return -1;
	do      /* a short read is the end of the file (or an error) */
		ok = pp_grow((void **)&b, &cap, n + 4096, 1) == 0;
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

/*
 * Reads the file named at [n, ne) in place: next to the including file,
 * then as given (the working directory).  The name goes through the
 * substs first, as in Kamailio.
 */
static void
include(struct pp_state *st, struct pp_dirline *x, const char *n, const char *ne)
{
	const char *slash = strrchr(st->f->name, '/');
	char *path = NULL, *full = NULL, *buf = NULL;
	struct cfg_pos pos = pp_pos_of(st, n);
	size_t len = 0;
	uint32_t file;
	int r = -1;

	if (pp_subst_line_load(&st->w, n, (size_t)(ne - n), &st->oom) == -1)
		return;
	pp_subst_apply(st);
	if (st->oom || (path = xstrndup(st->w.b, st->w.n)) == NULL)
		goto oom;
	if (path[0] != '/' && slash != NULL) {
		int dl = (int)(slash - st->f->name);

		if ((full = xmalloc((size_t)dl + strlen(path) + 2)) == NULL)
			goto oom;
		sprintf(full, "%.*s/%s", dl, st->f->name, path);
		r = pp_read_all(full, &buf, &len);
	}
	if (r == -1 && (full == NULL || errno == ENOENT)) {
		xfree(full);
		full = NULL;
		r = pp_read_all(path, &buf, &len);
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
	pp_process_text(st, file, buf, len);
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
do_include(struct pp_state *st, struct pp_dirline *x)
{
	const char *p = pp_skip_blanks(x->a, x->e), *n = p, *ne;

	if (p < x->e && (*p == '"' || *p == '\'')) {
		n++;
		if ((ne = memchr(n, *p, (size_t)(x->e - n))) == NULL) {
			pp_err(st, p, "unterminated file name after %s", x->what);
			return;
		}
		p = ne + 1;
	} else {
		for (ne = n; ne < x->e && !IS_BLANK(*ne); ne++)
			;
		p = ne;
	}
	if (ne == n)
		pp_err(st, n, "missing file name after %s", x->what);
	else if (pp_junk(st, x, p))
		return;
	else if (st->depth >= PP_MAX_INCLUDE)
		pp_err(st, n, "too many nested includes (limit %d) at '%.*s'",
		    PP_MAX_INCLUDE, (int)(ne - n), n);
	else
		include(st, x, n, ne);
}

void
pp_dir_run(struct pp_state *st, struct pp_dirline *x)
{
	const char *w;
	int cond = x->d >= D_IFDEF && x->d <= D_ENDIF;

	/* in a skipped region only the conditionals count */
	switch (cond || pp_file_active(st->f) ? x->d : D_NONE) {
	case D_IFDEF: case D_IFNDEF: case D_ELSE: case D_ENDIF:
		do_cond(st, x);
		break;
	case D_UNKNOWN:
		for (w = x->at; w < x->e && !IS_BLANK(*w); w++)
			;
		pp_err(st, x->at, "unknown preprocessor directive '%.*s'",
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
