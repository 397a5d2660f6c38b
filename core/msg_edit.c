/*
 * msg_edit.c - header changes kept beside the received message and
 * applied to a copy when it is forwarded (msg_edit.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg_edit.h"
#include "xalloc.h"

static struct msg_edit *
edit_new(struct msg *m, size_t off, size_t del, int tag)
{
	struct msg_edit *e, **pp;

	if (off > m->buf.len || del > m->buf.len - off)
		return NULL;
	if ((e = arena_alloc(&m->arena, sizeof(*e))) == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->off = off;
	e->del = del;
	e->tag = tag;
	e->seq = m->edit_seq++;
	/* kept in call order: apply() sorts a copy */
	for (pp = &m->edits; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = e;
	return e;
}

struct msg_edit *
msg_edit_insert(struct msg *m, size_t off, const str_t *text, int tag)
{
	struct msg_edit *e;

	if (text == NULL || text->len == 0)
		return NULL;
	if ((e = edit_new(m, off, 0, tag)) == NULL)
		return NULL;
	if (arena_str_dup(&m->arena, text, &e->ins) < 0) {
		e->ins = STR_NULL;      /* stays in the list as a no-op */
		return NULL;
	}
	return e;
}

int
msg_edit_remove(struct msg *m, size_t off, size_t len)
{
	if (len == 0)
		return 0;
	return edit_new(m, off, len, 0) != NULL ? 0 : -1;
}

int
msg_edit_set_text(struct msg *m, struct msg_edit *e, const str_t *text)
{
	str_t copy = STR_NULL;

	if (text->len > 0 && arena_str_dup(&m->arena, text, &copy) < 0)
		return -1;
	e->ins = copy;
	return 0;
}

int
msg_edit_drop_tag(struct msg *m, int tag)
{
	struct msg_edit **pp = &m->edits;
	int n = 0;

	while (*pp != NULL) {
		if ((*pp)->del == 0 && (*pp)->tag == tag) {
			*pp = (*pp)->next;      /* arena memory: nothing to free */
			n++;
		} else {
			pp = &(*pp)->next;
		}
	}
	return n;
}

struct msg_edit *
msg_edit_find_tag(const struct msg *m, int tag)
{
	for (struct msg_edit *e = m->edits; e != NULL; e = e->next)
		if (e->del == 0 && e->tag == tag)
			return e;
	return NULL;
}

int
msg_edit_count(const struct msg *m)
{
	int n = 0;

	for (const struct msg_edit *e = m->edits; e != NULL; e = e->next)
		n++;
	return n;
}

int
msg_edit_is_removed(const struct msg *m, size_t off, size_t len)
{
	for (const struct msg_edit *e = m->edits; e != NULL; e = e->next)
		if (e->del > 0 && e->off <= off && off + len <= e->off + e->del)
			return 1;
	return 0;
}

/* By offset; at one offset inserts before removals, then call order. */
static int
edit_cmp(const void *a, const void *b)
{
	const struct msg_edit *x = *(const struct msg_edit *const *)a;
	const struct msg_edit *y = *(const struct msg_edit *const *)b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if ((x->del == 0) != (y->del == 0))
		return x->del == 0 ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
msg_edit_apply(const struct msg *m, const str_t *base, struct arena *a,
    str_t *out)
{
	struct msg_edit **v = NULL;
	size_t n = 0, total = base->len, cur = 0, o = 0;
	char *buf;
	int rc = -1;

	*out = *base;
	if (m->edits == NULL)
		return 0;
	if (base->len != m->buf.len)
		return -1;
	for (struct msg_edit *e = m->edits; e != NULL; e = e->next) {
		n++;
		total += e->ins.len;
	}
	if ((v = xmalloc(n * sizeof(*v))) == NULL)
		return -1;
	n = 0;
	for (struct msg_edit *e = m->edits; e != NULL; e = e->next)
		v[n++] = e;
	qsort(v, n, sizeof(*v), edit_cmp);
	if ((buf = arena_alloc(a, total + 1)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct msg_edit *e = v[i];

		/* an edit inside a range already removed acts where the
		 * removal ended: an insert still comes out, a removal only
		 * extends the cut */
		if (e->off > cur) {
			memcpy(buf + o, base->s + cur, e->off - cur);
			o += e->off - cur;
			cur = e->off;
		}
		if (e->del == 0) {
			memcpy(buf + o, e->ins.s, e->ins.len);
			o += e->ins.len;
		} else if (e->off + e->del > cur) {
			cur = e->off + e->del;
		}
	}
	memcpy(buf + o, base->s + cur, base->len - cur);
	o += base->len - cur;
	buf[o] = '\0';
	*out = str_make(buf, o);
	rc = 0;
out:
	xfree(v);
	return rc;
}

/* The packed form: per edit four uint64_t (off, del, tag, ins.len) and
 * the insert's text, in call order. */
struct packed {
	uint64_t off, del, tag, len;
};

int
msg_edit_pack(const struct msg *m, char **blk, size_t *len)
{
	size_t total = 0, o = 0;
	char *b;

	*blk = NULL;
	*len = 0;
	for (const struct msg_edit *e = m->edits; e != NULL; e = e->next)
		total += sizeof(struct packed) + e->ins.len;
	if (total == 0)
		return 0;
	if ((b = xmalloc(total)) == NULL)
		return -1;
	for (const struct msg_edit *e = m->edits; e != NULL; e = e->next) {
		struct packed p = { e->off, e->del, (uint64_t)(int64_t)e->tag,
		    e->ins.len };

		memcpy(b + o, &p, sizeof(p));
		o += sizeof(p);
		if (e->ins.len)
			memcpy(b + o, e->ins.s, e->ins.len);
		o += e->ins.len;
	}
	*blk = b;
	*len = total;
	return 0;
}

int
msg_edit_unpack(struct msg *m, const char *blk, size_t len)
{
	size_t o = 0;

	while (o < len) {
		struct packed p;
		str_t text;

		if (len - o < sizeof(p))
			return -1;
		memcpy(&p, blk + o, sizeof(p));
		o += sizeof(p);
		if (p.len > len - o)
			return -1;
		text = str_make(blk + o, (size_t)p.len);
		o += (size_t)p.len;
		if (p.del > 0) {
			if (p.len != 0 ||
			    msg_edit_remove(m, (size_t)p.off, (size_t)p.del) < 0)
				return -1;
		} else if (msg_edit_insert(m, (size_t)p.off, &text,
		    (int)(int64_t)p.tag) == NULL) {
			return -1;
		}
	}
	return 0;
}
