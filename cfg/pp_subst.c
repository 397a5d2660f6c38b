#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "core/xalloc.h"
#include "pp_subst.h"

/* pp_ctx.priv is the list of substs, applied in the order they were read. */
struct pp_subst {
	struct pp_subst *next;
	regex_t          re;
	char            *repl;      /* "\N" is group N, "\\" a backslash    */
	size_t           rlen;
	int              global;
};

/* ---- the working line ------------------------------------------------- */

/* Both arrays get the same capacity, doubled from 128 as needed. */
static int
line_reserve(struct pp_wline *w, size_t need, int *oom)
{
	size_t nc = w->cap ? w->cap : 128;
	void *np;

	if (need <= w->cap)
		return 0;
	while (nc < need)
		nc *= 2;
	if ((np = xrealloc(w->m, nc * sizeof(*w->m))) == NULL)
		goto oom;
	w->m = np;
	if ((np = xrealloc(w->b, nc)) == NULL)
		goto oom;
	w->b = np;
	w->cap = nc;
	return 0;
oom:
	*oom = 1;
	return -1;
}

void
pp_subst_line_put(struct pp_wline *w, char c, uint32_t col, uint32_t exp,
    int *oom)
{
	if (*oom || line_reserve(w, w->n + 2, oom) == -1)
		return;
	w->b[w->n] = c;
	w->m[w->n++] = (struct pp_lbyte){ col, exp };
	w->b[w->n] = '\0';
}

int
pp_subst_line_load(struct pp_wline *w, const char *p, size_t n, int *oom)
{
	w->n = 0;
	if (line_reserve(w, n + 2, oom) == -1)
		return -1;
	w->b[0] = '\0';
	for (size_t i = 0; i < n; i++)
		pp_subst_line_put(w, p[i], (uint32_t)i + 1, 0, oom);
	return *oom ? -1 : 0;
}

void
pp_subst_line_free(struct pp_wline *w)
{
	xfree(w->b);
	xfree(w->m);
	memset(w, 0, sizeof(*w));
}

/* ---- substs ----------------------------------------------------------- */

/* Runs one subst over *w; a replacement maps to its match's start. */
static void
subst_apply(struct pp_ctx *pp, const struct pp_subst *s, struct pp_wline *w,
    struct pp_wline *t, struct cfg_pos line, int *oom)
{
	struct pp_wline tmp;
	size_t pos = 0, base, so, eo;
	regmatch_t m[10], *g;
	int eflags = 0;
	uint32_t col;

	if (pp_subst_line_load(t, NULL, 0, oom) == -1)
		return;
	while (pos <= w->n && !*oom && t->n <= PP_MAX_EXPAND &&
	    regexec(&s->re, w->b + pos, 10, m, eflags) == 0) {
		base = pos;
		so = base + (size_t)m[0].rm_so;
		eo = base + (size_t)m[0].rm_eo;
		for (; pos < so; pos++)
			pp_subst_line_put(t, w->b[pos], w->m[pos].col,
			    w->m[pos].exp, oom);
		col = so < w->n ? w->m[so].col :    /* else: at the end */
		    w->n > 0 ? w->m[w->n - 1].col + 1 : 1;
		for (const char *r = s->repl; r < s->repl + s->rlen; r++) {
			if (r[0] != '\\' || !isdigit((unsigned char)r[1])) {
				r += r[0] == '\\';
				pp_subst_line_put(t, *r, col, 1, oom);
				continue;
			}
			g = &m[*++r - '0'];
			for (regoff_t k = g->rm_so; k >= 0 && k < g->rm_eo;
			    k++)
				pp_subst_line_put(t, w->b[base + (size_t)k],
				    col, 1, oom);
		}
		pos = eo;
		if (so == eo) {     /* an empty match: step over one byte */
			if (pos >= w->n)
				break;
			pp_subst_line_put(t, w->b[pos], w->m[pos].col,
			    w->m[pos].exp, oom);
			pos++;
		}
		eflags = REG_NOTBOL;
		if (!s->global)
			break;
	}
	for (; pos < w->n; pos++)
		pp_subst_line_put(t, w->b[pos], w->m[pos].col, w->m[pos].exp,
		    oom);
	if (t->n > PP_MAX_EXPAND) {     /* "/a/aa/g" on every line ... */
		diag_error_at(pp->diag, line, "line longer than %u bytes "
		    "after #!subst", PP_MAX_EXPAND);
		pp_subst_line_load(t, NULL, 0, oom);
	}
	tmp = *w;
	*w = *t;
	*t = tmp;
}

void
pp_subst_run(struct pp_ctx *pp, struct pp_wline *w, struct pp_wline *t,
    struct cfg_pos line, int *oom)
{
	for (const struct pp_subst *s = pp->priv; s != NULL; s = s->next)
		subst_apply(pp, s, w, t, line, oom);
}

/* Appends sub to pp's substs, keeping the order they were read in. */
static void
subst_append(struct pp_ctx *pp, struct pp_subst *sub)
{
	struct pp_subst *t;

	if ((t = pp->priv) == NULL)
		pp->priv = sub;
	else {
		while (t->next != NULL)
			t = t->next;
		t->next = sub;
	}
}

/*
 * Compiles "DreDreplDflags" (D: the delimiter) and adds it to the substs;
 * #!substdef (def) also defines the expression as the replacement.
 */
void
pp_subst_add(struct pp_ctx *pp, const char *what, const char *s, size_t n,
    struct cfg_pos pos, pp_subst_def_fn *def, void *arg, int *oom)
{
	struct pp_subst *sub = NULL;
	char *re = NULL, why[160] = "", c, d = n ? s[0] : '\0';
	size_t i = 1, rn = 0, wn = 0, rs, rend;
	int cflags = REG_EXTENDED, maxref = 0, rc, compiled = 0;

	if (n < 3 || d == '\\' || isalnum((unsigned char)d)) {
		snprintf(why, sizeof(why), "%s", n < 3 ? "too short" :
		    "bad delimiter");
		goto fail;
	}
	if ((re = xmalloc(n)) == NULL ||
	    (sub = xcalloc(1, sizeof(*sub))) == NULL ||
	    (sub->repl = xmalloc(2 * n + 1)) == NULL)
		goto oom;
	for (; i < n && s[i] != d; i++) {
		/* "\D" is D, unless D means something to regcomp() */
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] != d ||
		    strchr(".[]()*+?{}|^$", d) != NULL))
			re[rn++] = s[i++];
		else if (s[i] == '\\' && i + 1 < n)
			i++;
		re[rn++] = s[i];
	}
	re[rn] = '\0';
	for (rs = ++i; i < n && s[i] != d; i++) {
		if ((c = s[i]) == '\\' && i + 1 < n) {
			if (isdigit((unsigned char)(c = s[++i]))) {
				sub->repl[wn++] = '\\';
				maxref = c - '0' > maxref ? c - '0' : maxref;
			}
			c = c == 'n' ? '\n' : c == 'r' ? '\r' :
			    c == 't' ? '\t' : c;
		}
		if (c == '\\')
			sub->repl[wn++] = '\\';
		sub->repl[wn++] = c;
	}
	sub->repl[wn] = '\0';
	if ((rend = i) >= n) {
		snprintf(why, sizeof(why), "missing %c after the %s", d,
		    rs > n ? "expression" : "replacement");
		goto fail;
	}
	while (++i < n) {
		if (s[i] == 'g')
			sub->global = 1;
		else if (s[i] == 'i')
			cflags |= REG_ICASE;
		else if (s[i] != 's') {  /* s: no-op, lines are single */
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
		snprintf(why, sizeof(why), "no group %d", maxref);
		goto fail;
	}
	sub->rlen = wn;
	/* substdef defines the name as the replacement as written */
	if (def != NULL)
		def(arg, re, rn, s + rs, rend - rs, pos);
	subst_append(pp, sub);
	xfree(re);
	return;
oom:
	*oom = 1;
fail:
	if (why[0] != '\0')
		diag_error_at(pp->diag, pos, "bad %s expression '%.*s': %s",
		    what, (int)n, s, why);
	if (compiled)
		regfree(&sub->re);
	if (sub != NULL)
		xfree(sub->repl);
	xfree(sub);
	xfree(re);
}

void
pp_subst_free(struct pp_ctx *pp)
{
	struct pp_subst *s;

	while ((s = pp->priv) != NULL) {
		pp->priv = s->next;
		regfree(&s->re);
		xfree(s->repl);
		xfree(s);
	}
}
