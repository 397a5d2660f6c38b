/*
 * pv_avp.c - $avp(name): attribute-value pairs of the message being
 * routed.  A name holds a stack of values: an assignment pushes a new
 * one on top, $avp(x) is the newest, $(avp(x)[i]) counts from the newest
 * (negative i from the oldest) and $(avp(x)[*]) joins them all.  They
 * live in private memory and are freed with the message.
 *
 * Names: $avp(name) and $avp(s:name) are the same string name; $avp(i:N)
 * is the integer name N (another namespace, as in Kamailio); a name with
 * a pseudo-variable in it ($avp($var(n))) is rendered per message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

/* What Kamailio puts between the values of $(avp(x)[*]). */
#define PV_AVP_JOIN ", "

struct pv_avp {
	struct pv_avp  *next;
	int             is_int;     /* integer name i:N                   */
	long long       id;
	size_t          nlen;
	struct val      v;          /* v.s points into data after the name */
	char            data[];     /* name, then the string value        */
};

/* A compiled name. */
struct pv_avp_name {
	int             is_int;
	long long       id;
	char           *name;
	size_t          nlen;
	struct fmt     *fmt;        /* set when the name holds a PV        */
};

void
pv_avp_free(void *compiled)
{
	struct pv_avp_name *n = compiled;

	if (n == NULL)
		return;
	fmt_free(n->fmt);
	free(n->name);
	free(n);
}

int
pv_avp_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	struct pv_avp_name *n = NULL;
	str_t name = *inner;

	pvt_trim(&name, 1, 1);
	n = xcalloc(1, sizeof(*n));
	if (n == NULL)
		goto nomem;
	if (name.len >= 2 && name.s[1] == ':' &&
	    (name.s[0] == 'i' || name.s[0] == 'I')) {
		str_t num = str_make(name.s + 2, name.len - 2);

		if (pvt_int(num, &n->id) != 0) {
			diag_error(d, "$avp(%.*s): an i: name must be an "
			    "integer", STR_FMT(&name));
			goto fail;
		}
		n->is_int = 1;
		*compiled = n;
		return 0;
	}
	if (name.len >= 2 && name.s[1] == ':' &&
	    (name.s[0] == 's' || name.s[0] == 'S'))
		name = str_make(name.s + 2, name.len - 2);
	if (name.len == 0) {
		diag_error(d, "$avp() needs a name");
		goto fail;
	}
	if (str_chr(&name, '$') != NULL) {
		if (fmt_compile(name.s, name.len, &n->fmt, d, d->cur) != 0)
			goto fail;
	} else {
		n->name = xstrndup(name.s, name.len);
		if (n->name == NULL)
			goto nomem;
		n->nlen = name.len;
	}
	*compiled = n;
	return 0;
nomem:
	diag_error(d, "out of memory compiling $avp()");
fail:
	pv_avp_free(n);
	return -1;
}

/* The name to use for this message (rendered when dynamic).  0 or -1. */
static int
pv_avp_key(struct msg *m, const struct pv_avp_name *n, str_t *key)
{
	if (n->fmt == NULL) {
		*key = str_make(n->name, n->nlen);
		return 0;
	}
	if (fmt_render(m, n->fmt, key) != 0) {
		log_errx("$avp(%s): cannot render the name",
		    fmt_source(n->fmt));
		return -1;
	}
	return 0;
}

static int
pv_avp_match(const struct pv_avp *a, const struct pv_avp_name *n,
    const str_t *key)
{
	if (a->is_int != n->is_int)
		return 0;
	if (a->is_int)
		return a->id == n->id;
	return a->nlen == key->len && memcmp(a->data, key->s, key->len) == 0;
}

/* The values named n in m, newest first, into v[] (up to max); count. */
static size_t
pv_avp_collect(struct msg *m, const struct pv_avp_name *n,
    const str_t *key, const struct pv_avp **v, size_t max)
{
	struct pv_msgctx *c = pv_ctx_peek(m);
	size_t k = 0;

	for (const struct pv_avp *a = c ? c->avps : NULL; a; a = a->next) {
		if (!pv_avp_match(a, n, key))
			continue;
		if (k < max)
			v[k] = a;
		k++;
	}
	return k;
}

/* Every value joined by ", " (newest first), or null when none. */
static int
pv_avp_all(struct msg *m, const struct pv_avp_name *n, const str_t *key,
    struct val *out)
{
	size_t cnt = pv_avp_collect(m, n, key, NULL, 0), total = 0, off = 0;
	const struct pv_avp **v;
	str_t *txt;
	char *buf;

	if (cnt == 0)
		return 0;
	v = arena_alloc(&m->arena, cnt * sizeof(*v));
	txt = arena_alloc(&m->arena, cnt * sizeof(*txt));
	if (v == NULL || txt == NULL)
		return -1;
	pv_avp_collect(m, n, key, v, cnt);
	for (size_t i = 0; i < cnt; i++) {
		if (val_to_str(&m->arena, &v[i]->v, &txt[i]) != 0)
			return -1;
		total += txt[i].len + sizeof(PV_AVP_JOIN) - 1;
	}
	buf = arena_alloc(&m->arena, total + 1);
	if (buf == NULL)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		if (i > 0) {
			memcpy(buf + off, PV_AVP_JOIN, sizeof(PV_AVP_JOIN) - 1);
			off += sizeof(PV_AVP_JOIN) - 1;
		}
		if (txt[i].len)
			memcpy(buf + off, txt[i].s, txt[i].len);
		off += txt[i].len;
	}
	buf[off] = '\0';
	val_set_str(out, str_make(buf, off));
	return 0;
}

int
pv_avp_get_idx(struct msg *m, void *compiled, int idx, struct val *out)
{
	const struct pv_avp_name *n = compiled;
	const struct pv_avp *a = NULL;
	size_t cnt, want;
	str_t key;

	val_set_null(out);
	if (pv_ctx_peek(m) == NULL)
		return 0;
	if (pv_avp_key(m, n, &key) != 0)
		return -1;
	if (idx == PV_IDX_ALL)
		return pv_avp_all(m, n, &key, out);
	cnt = pv_avp_collect(m, n, &key, NULL, 0);
	if (idx < 0 && (size_t)-(long long)idx > cnt)
		return 0;
	want = idx < 0 ? cnt - (size_t)-(long long)idx : (size_t)idx;
	if (want >= cnt)
		return 0;
	for (a = pv_ctx_peek(m)->avps; a != NULL; a = a->next)
		if (pv_avp_match(a, n, &key) && want-- == 0)
			break;
	if (a == NULL)
		return 0;
	return pv_val_dup(&m->arena, &a->v, out);
}

int
pv_avp_get(struct msg *m, void *compiled, struct val *out)
{
	return pv_avp_get_idx(m, compiled, 0, out);
}

/* Deletes every value named n (what `$avp(x) = $null` does here). */
static void
pv_avp_delete(struct pv_msgctx *c, const struct pv_avp_name *n,
    const str_t *key)
{
	struct pv_avp **pp = &c->avps, *a;

	while ((a = *pp) != NULL) {
		if (pv_avp_match(a, n, key)) {
			*pp = a->next;
			free(a);
		} else {
			pp = &a->next;
		}
	}
}

int
pv_avp_set(struct msg *m, void *compiled, const struct val *in)
{
	const struct pv_avp_name *n = compiled;
	struct pv_msgctx *c;
	struct pv_avp *a;
	size_t slen;
	str_t key;

	if (m == NULL) {
		log_errx("$avp() assigned outside a message");
		return -1;
	}
	if (pv_avp_key(m, n, &key) != 0)
		return -1;
	if (val_is_null(in)) {
		if ((c = pv_ctx_peek(m)) != NULL)
			pv_avp_delete(c, n, &key);
		return 0;
	}
	c = pv_ctx(m);
	slen = (in->flags & VAL_STR) ? in->s.len : 0;
	a = c ? xmalloc(sizeof(*a) + key.len + slen + 1) : NULL;
	if (a == NULL) {
		log_errx("out of memory assigning an AVP");
		return -1;
	}
	a->is_int = n->is_int;
	a->id = n->id;
	a->nlen = n->is_int ? 0 : key.len;
	if (a->nlen)
		memcpy(a->data, key.s, a->nlen);
	a->v = *in;
	if (in->flags & VAL_STR) {
		if (slen)
			memcpy(a->data + a->nlen, in->s.s, slen);
		a->data[a->nlen + slen] = '\0';
		a->v.s = str_make(a->data + a->nlen, slen);
	}
	a->next = c->avps;
	c->avps = a;
	return 0;
}

void
pv_avp_release(struct pv_avp *head)
{
	struct pv_avp *next;

	for (; head != NULL; head = next) {
		next = head->next;
		free(head);
	}
}
