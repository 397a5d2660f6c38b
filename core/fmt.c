#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "log.h"
#include "msg.h"
#include "pv.h"
#include "xalloc.h"

#define FMT_NULL_TEXT "<null>"

/* A literal run (pv == NULL, text in f->lit) or one reference. */
struct fmt_part {
	struct pv_ref *pv;
	size_t         off, len;    /* literal: its slice of f->lit       */
};

struct fmt {
	char            *src;       /* as written, NUL-terminated          */
	char            *lit;       /* every literal run, joined, with NUL */
	size_t           lit_len;
	struct fmt_part *part;
	size_t           n, cap;
	size_t           npv;
};

/* 1 when the '$' at s[0] starts a reference rather than being text. */
static int
fmt_starts_ref(const char *s, size_t len)
{
	unsigned char c;

	if (len < 2)
		return 0;
	c = (unsigned char)s[1];
	return isalpha(c) || c == '_' || c == '(' || c == '?';
}

static struct fmt_part *
fmt_new_part(struct fmt *f)
{
	struct fmt_part *np;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;

		np = xrealloc(f->part, cap * sizeof(*np));
		if (np == NULL)
			return NULL;
		f->part = np;
		f->cap = cap;
	}
	memset(&f->part[f->n], 0, sizeof(f->part[0]));
	return &f->part[f->n++];
}

/* Appends c to the literal run being built (opening one if needed). */
static int
fmt_add_char(struct fmt *f, char c)
{
	struct fmt_part *p = f->n ? &f->part[f->n - 1] : NULL;

	if (p == NULL || p->pv != NULL) {
		p = fmt_new_part(f);
		if (p == NULL)
			return -1;
		p->off = f->lit_len;
	}
	/* f->lit was sized for the whole source: literals never outgrow it */
	f->lit[f->lit_len++] = c;
	f->lit[f->lit_len] = '\0';
	p->len++;
	return 0;
}

int
fmt_compile(const char *s, size_t len, struct fmt **out,
    struct cfg_diag *d, struct cfg_pos pos)
{
	struct fmt *f = NULL;
	struct fmt_part *p;
	struct pv_ref *r = NULL;
	struct cfg_pos at = pos;
	size_t i = 0, used, k;

	*out = NULL;
	f = xcalloc(1, sizeof(*f));
	if (f == NULL)
		goto nomem;
	f->src = xstrndup(s, len);
	f->lit = xmalloc(len + 1);
	if (f->src == NULL || f->lit == NULL)
		goto nomem;
	f->lit[0] = '\0';
	while (i < len) {
		if (s[i] != '$' || !fmt_starts_ref(s + i, len - i)) {
			/* "$$" is one literal dollar */
			used = (s[i] == '$' && i + 1 < len && s[i + 1] == '$')
			    ? 2 : 1;
			if (fmt_add_char(f, s[i]) != 0)
				goto nomem;
		} else {
			if (pv_parse_ref(s + i, len - i, &used, &r, d, at) != 0)
				goto fail;
			p = fmt_new_part(f);
			if (p == NULL)
				goto nomem;
			p->pv = r;
			r = NULL;
			f->npv++;
		}
		for (k = i; k < i + used; k++) {
			if (s[k] == '\n') {
				at.line++;
				at.col = 1;
			} else {
				at.col++;
			}
		}
		i += used;
	}
	*out = f;
	return 0;
nomem:
	diag_error_at(d, pos, "out of memory compiling a format");
fail:
	pv_ref_free(r);
	fmt_free(f);
	return -1;
}

int
fmt_is_static(const struct fmt *f)
{
	return f->npv == 0;
}

str_t
fmt_static_text(const struct fmt *f)
{
	return str_make(f->lit, f->lit_len);
}

const struct pv_ref *
fmt_single_pv(const struct fmt *f)
{
	return (f->n == 1 && f->part[0].pv != NULL) ? f->part[0].pv : NULL;
}

const char *
fmt_source(const struct fmt *f)
{
	return f->src;
}

int
fmt_render(struct msg *m, const struct fmt *f, str_t *out)
{
	str_t *piece;
	struct val v;
	size_t total = 0;
	char *buf;

	if (f->npv == 0) {
		*out = fmt_static_text(f);
		return 0;
	}
	piece = arena_alloc(&m->arena, f->n * sizeof(*piece));
	if (piece == NULL)
		return -1;
	for (size_t i = 0; i < f->n; i++) {
		const struct fmt_part *p = &f->part[i];

		if (p->pv == NULL) {
			piece[i] = str_make(f->lit + p->off, p->len);
		} else {
			/* a PV that fails (a transformation on bad input)
			 * prints like a null one and the rest of the text
			 * is kept, as Kamailio's xlog does; the failure was
			 * logged by the class */
			if (pv_get(m, p->pv, &v) != 0)
				val_set_null(&v);
			if (val_is_null(&v))
				piece[i] = STR_LIT(FMT_NULL_TEXT);
			else if (val_to_str(&m->arena, &v, &piece[i]) != 0)
				return -1;
		}
		total += piece[i].len;
	}
	/* NUL-terminated as a courtesy to callers handing it to libc */
	buf = arena_alloc(&m->arena, total + 1);
	if (buf == NULL)
		return -1;
	total = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (piece[i].len)
			memcpy(buf + total, piece[i].s, piece[i].len);
		total += piece[i].len;
	}
	buf[total] = '\0';
	*out = str_make(buf, total);
	return 0;
}

int
fmt_eval(struct msg *m, const struct fmt *f, struct val *out)
{
	const struct pv_ref *r = fmt_single_pv(f);
	str_t s;

	if (r != NULL)
		return pv_get(m, r, out);
	if (fmt_render(m, f, &s) != 0) {
		val_set_null(out);
		return -1;
	}
	val_set_str(out, s);
	return 0;
}

void
fmt_free(struct fmt *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		pv_ref_free(f->part[i].pv);
	free(f->part);
	free(f->lit);
	free(f->src);
	free(f);
}
