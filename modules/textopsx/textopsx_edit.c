/*
 * textopsx_edit.c - msg_apply_changes(), remove_body() and keep_hf() on
 * a struct msg (textopsx_edit.h).
 *
 * The header block is read with the raw line walker of the sl module
 * (modules/sl/sl_msg.h): every field it gives points into the text, so
 * its offset is what core/msg_edit.h wants.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/msg_edit.h"
#include "core/sip.h"
#include "modules/sl/sl_msg.h"
#include "textopsx_edit.h"

/* One header field of the text: [off, off + len) with its line end and
 * continuation lines. */
struct txx_field {
	size_t  off;
	size_t  len;
	str_t   name;       /* as written ("l", "Content-Length") */
};

struct txx_block {
	struct txx_field *v;
	size_t            n;
	size_t            end;      /* offset of the blank line            */
	size_t            body;     /* offset of the body (buf.len: none)  */
	int               closed;   /* the blank line is there             */
};

/*
 * Walks the fields of buf; fills v when not NULL.  0, or -1 when a line
 * is not a header field or there is no request line.
 */
static int
txx_walk(const str_t *buf, struct txx_field *v, struct txx_block *b)
{
	const char *line, *end = buf->s + buf->len;
	struct sl_hdr_iter it;
	struct sl_hdr h;
	size_t k = 0;
	int rc;

	if (sl_hdr_first(&it, buf) < 0)
		return -1;
	for (;;) {
		line = it.p;
		if ((rc = sl_hdr_next(&it, &h)) != 1)
			break;
		if (v != NULL) {
			v[k].off = (size_t)(line - buf->s);
			v[k].len = (size_t)(it.p - line);
			v[k].name = h.name;
		}
		k++;
	}
	if (rc < 0)
		return -1;
	b->n = k;
	b->end = (size_t)(line - buf->s);
	/* `line` is the blank line, or the end when the text has none */
	b->closed = line < end && line > buf->s && line[-1] == '\n';
	if (line < end && *line == '\r')
		line++;
	if (line < end && *line == '\n')
		line++;
	b->body = b->closed ? (size_t)(line - buf->s) : buf->len;
	return 0;
}

/* The fields of m's text, in its arena.  0, or -1 with *err set. */
static int
txx_block(struct msg *m, struct txx_block *b, const char **err)
{
	if (m->kind != MSG_SIP_REQUEST || m->buf.len == 0) {
		*err = "only a SIP request can be changed";
		return -1;
	}
	if (txx_walk(&m->buf, NULL, b) < 0) {
		*err = "the request has a malformed header block";
		return -1;
	}
	b->v = arena_alloc(&m->arena, (b->n ? b->n : 1) * sizeof(*b->v));
	if (b->v == NULL) {
		*err = "out of memory";
		return -1;
	}
	return txx_walk(&m->buf, b->v, b);
}

/* --- msg_apply_changes ------------------------------------------------------ */

int
txx_apply(struct msg *m, const char **err)
{
	static char why[96];
	const char *missing;
	struct msg chk;
	str_t out;
	int ok;

	if (m->kind != MSG_SIP_REQUEST || m->buf.len == 0) {
		*err = "only a SIP request can be changed";
		return -1;
	}
	if (m->edits == NULL)
		return 1;
	if (msg_edit_apply(m, &m->buf, &m->arena, &out) < 0) {
		*err = "out of memory";
		return -1;
	}
	/* the new text must be what a receiver would have accepted: a
	 * request with the headers every route takes for granted (the core
	 * drops one without them) that parses */
	if ((missing = sip_missing_hdr(out.s, out.len)) != NULL) {
		snprintf(why, sizeof(why), "the changed request would have no "
		    "%s header", missing);
		*err = why;
		return -1;
	}
	msg_init(&chk, out.s, out.len, &m->rcv);
	ok = chk.kind == MSG_SIP_REQUEST && sip_parse(&chk) == 0;
	msg_destroy(&chk);
	if (!ok) {
		*err = "the changed request does not parse as SIP";
		return -1;
	}
	/* the old text stays valid (its owner frees it after the routes),
	 * but nothing may read it through m any more: the parse made from
	 * it goes, and the edits, whose offsets count in it, are now in
	 * the text */
	sip_release(m);
	m->buf = out;
	m->edits = NULL;
	m->edit_seq = 0;
	return 1;
}

/* --- remove_body -------------------------------------------------------------- */

static int
txx_is_cl(const str_t *name)
{
	return str_caseeq_cstr(name, "Content-Length") ||
	    str_caseeq_cstr(name, "l");
}

int
txx_remove_body(struct msg *m, const char **err)
{
	static const str_t cl_line = STR_LIT("Content-Length: 0\r\n");
	struct txx_block b;
	size_t blen;
	int seen = 0;
	char line[80];

	if (txx_block(m, &b, err) < 0)
		return -1;
	if (b.body >= m->buf.len)
		return 1;               /* no body: nothing to do (Kamailio) */
	blen = m->buf.len - b.body;
	if (msg_edit_is_removed(m, b.body, blen))
		return 1;               /* a second call */
	if (msg_edit_remove(m, b.body, blen) < 0)
		goto nomem;
	/* the forwarder copies the header block as it is: the length must
	 * be said here.  Each Content-Length field is replaced by a whole
	 * line, which stays right whatever else removes that field. */
	for (size_t i = 0; i < b.n; i++) {
		const struct txx_field *f = &b.v[i];
		int n;

		if (!txx_is_cl(&f->name))
			continue;
		if (!seen++) {
			n = snprintf(line, sizeof(line), "%.*s: 0\r\n",
			    STR_FMT(&f->name));
			if (n < 0 || (size_t)n >= sizeof(line) ||
			    msg_edit_insert(m, f->off, &(str_t){ line,
			    (size_t)n }, 0) == NULL)
				goto nomem;
		}
		if (msg_edit_remove(m, f->off, f->len) < 0)
			goto nomem;
	}
	if (!seen && msg_edit_insert(m, b.end, &cl_line, 0) == NULL)
		goto nomem;
	return 1;
nomem:
	*err = "out of memory";
	return -1;
}

/* --- keep_hf -------------------------------------------------------------------- */

/* What Kamailio's keep_hf() never removes, with the compact forms. */
static const struct {
	const char *name;
	const char *compact;
} txx_kept[] = {
	{ "Via", "v" },             { "From", "f" },
	{ "To", "t" },              { "Call-ID", "i" },
	{ "CSeq", NULL },           { "Content-Length", "l" },
	{ "Content-Type", "c" },    { "Max-Forwards", NULL },
	{ "Contact", "m" },         { "Route", NULL },
	{ "Record-Route", NULL },
};

int
txx_hf_always_kept(const str_t *name)
{
	for (size_t i = 0; i < sizeof(txx_kept) / sizeof(txx_kept[0]); i++)
		if (str_caseeq_cstr(name, txx_kept[i].name) ||
		    (txx_kept[i].compact != NULL &&
		    str_caseeq_cstr(name, txx_kept[i].compact)))
			return 1;
	return 0;
}

int
txx_keep_hf(struct msg *m, const regex_t *re, const char **err)
{
	struct txx_block b;
	char buf[128], *s;

	if (txx_block(m, &b, err) < 0)
		return -1;
	for (size_t i = 0; i < b.n; i++) {
		const struct txx_field *f = &b.v[i];

		if (txx_hf_always_kept(&f->name))
			continue;
		if (re != NULL) {
			/* the expression sees the name NUL-terminated */
			s = buf;
			if (f->name.len < sizeof(buf)) {
				memcpy(buf, f->name.s, f->name.len);
				buf[f->name.len] = '\0';
			} else if ((s = arena_strndup(&m->arena, f->name.s,
			    f->name.len)) == NULL) {
				goto nomem;
			}
			if (regexec(re, s, 0, NULL, 0) == 0)
				continue;
		}
		if (msg_edit_remove(m, f->off, f->len) < 0)
			goto nomem;
	}
	return 1;
nomem:
	*err = "out of memory";
	return -1;
}
