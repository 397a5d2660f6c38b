/*
 * textops_hf.c - append_hf(), insert_hf(), remove_hf(), remove_hf_re(),
 * is_present_hf() and is_present_hf_re() (see textops_hf.h).
 *
 * Every function reads the header block of the message as it was
 * received (modules/sl/sl_msg.h walks its raw lines, so each field has an
 * offset) and records its changes with core/msg_edit.h.  Like Kamailio's
 * lumps, the changes never alter what is read: a header removed here is
 * still seen by $hdr(), is_present_hf() and a later remove_hf().
 */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/msg_edit.h"
#include "modules/sl/sl_msg.h"
#include "textops_hf.h"

/* How much of a script's text a log line quotes. */
#define TX_HF_SHOWN 64

/* --- header names --------------------------------------------------------- */

/* RFC 3261 7.3.3 and the compact forms registered since. */
static const struct {
	char        c;
	const char *name;
} tx_hf_compact[] = {
	{ 'a', "Accept-Contact" },      { 'b', "Referred-By" },
	{ 'c', "Content-Type" },        { 'd', "Request-Disposition" },
	{ 'e', "Content-Encoding" },    { 'f', "From" },
	{ 'i', "Call-ID" },             { 'j', "Reject-Contact" },
	{ 'k', "Supported" },           { 'l', "Content-Length" },
	{ 'm', "Contact" },             { 'o', "Event" },
	{ 'r', "Refer-To" },            { 's', "Subject" },
	{ 't', "To" },                  { 'u', "Allow-Events" },
	{ 'v', "Via" },                 { 'x', "Session-Expires" },
	{ 'y', "Identity" },
};

/* The long name of a one-letter name, or NULL. */
static const char *
tx_hf_long(const str_t *n)
{
	if (n->len != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(tx_hf_compact) / sizeof(tx_hf_compact[0]);
	    i++)
		if ((n->s[0] | 0x20) == tx_hf_compact[i].c)
			return tx_hf_compact[i].name;
	return NULL;
}

/* Same field name: case-insensitive, a compact form equal to its long
 * name ("f" is "From"). */
static int
tx_hf_name_eq(const str_t *a, const str_t *b)
{
	const char *la, *lb;

	if (str_casecmp_eq(a, b))
		return 1;
	la = tx_hf_long(a);
	lb = tx_hf_long(b);
	return (la != NULL && str_caseeq_cstr(b, la)) ||
	    (lb != NULL && str_caseeq_cstr(a, lb));
}

/* RFC 3261 25.1 token characters. */
static int
tx_hf_is_token(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-.!%*_+`'~", c));
}

static int
tx_hf_name_ok(const str_t *n)
{
	if (n->len == 0)
		return 0;
	for (size_t i = 0; i < n->len; i++)
		if (!tx_hf_is_token(n->s[i]))
			return 0;
	return 1;
}

/* How many bytes of s a log line shows: its first line, cut. */
static int
tx_hf_shown(const str_t *s)
{
	size_t n = 0;

	while (n < s->len && n < TX_HF_SHOWN && s->s[n] != '\r' &&
	    s->s[n] != '\n')
		n++;
	return (int)n;
}

/* --- the received header block --------------------------------------------- */

/* One header field of the received message. */
struct tx_hf {
	size_t  off;        /* its first byte                                */
	size_t  len;        /* to the line end of its last line, included    */
	str_t   name;       /* as written ("f", "X-Foo")                     */
};

struct tx_hf_block {
	struct tx_hf   *v;
	size_t          n;
	size_t          end;    /* offset of the blank line after the fields */
};

/*
 * Walks the header lines of buf; fills v (when not NULL) with n fields.
 * 0, or -1 when a line is not a header or the block does not end with a
 * line end.
 */
static int
tx_hf_walk(const str_t *buf, struct tx_hf *v, size_t *n, size_t *end)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	const char *line;
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
	/* text added at the end must start on a line of its own */
	if (rc < 0 || k == 0 || line[-1] != '\n')
		return -1;
	*n = k;
	*end = (size_t)(line - buf->s);
	return 0;
}

/* The fields of m, in m's arena.  0, or -1 (logged). */
static int
tx_hf_block(struct msg *m, const char *fn, struct tx_hf_block *b)
{
	size_t n = 0, end = 0;

	if (tx_hf_walk(&m->buf, NULL, &n, &end) < 0) {
		log_errx("%s: the message has a malformed header block", fn);
		return -1;
	}
	if ((b->v = arena_alloc(&m->arena, n * sizeof(*b->v))) == NULL)
		return -1;
	return tx_hf_walk(&m->buf, b->v, &b->n, &b->end);
}

/* Only a request is forwarded, so only a request's edits matter. */
static int
tx_hf_request(const struct msg *m, const char *fn)
{
	if (m->kind == MSG_SIP_REQUEST && m->buf.len > 0)
		return 0;
	log_errx("%s: only a SIP request's headers can be changed", fn);
	return -1;
}

/* --- the text of append_hf / insert_hf -------------------------------------- */

/*
 * Why t cannot go into a header block, or NULL: it must be whole header
 * lines ("Name: value", or a continuation starting with a blank after
 * the first), without an empty line, which would end the headers and
 * turn the rest into the body.
 */
static const char *
tx_hf_text_err(const str_t *t)
{
	const char *p = t->s, *end = t->s + t->len, *nl, *le, *q;

	if (t->len == 0)
		return "the header text is empty";
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (le == p)
			return "an empty line would end the headers";
		if (memchr(p, '\r', (size_t)(le - p)) != NULL ||
		    memchr(p, '\0', (size_t)(le - p)) != NULL)
			return "a CR or NUL inside a line";
		if (*p == ' ' || *p == '\t') {
			if (p == t->s)
				return "the text starts with a blank";
		} else {
			for (q = p; q < le && tx_hf_is_token(*q); q++)
				;
			if (q == p)
				return "a line does not start with a header name";
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (q == le || *q != ':')
				return "a header name without ':'";
		}
		if (nl == end)
			break;
		p = nl + 1;
	}
	return NULL;
}

/* t with every line ended by CRLF (in m's arena when it changes). */
static int
tx_hf_crlf(struct msg *m, const str_t *t, str_t *out)
{
	size_t extra = 0, o = 0;
	int open = t->s[t->len - 1] != '\n';
	char *s;

	for (size_t i = 0; i < t->len; i++)
		if (t->s[i] == '\n' && (i == 0 || t->s[i - 1] != '\r'))
			extra++;
	if (extra == 0 && !open) {
		*out = *t;
		return 0;
	}
	if ((s = arena_alloc(&m->arena, t->len + extra + 2)) == NULL)
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] == '\n' && (i == 0 || t->s[i - 1] != '\r'))
			s[o++] = '\r';
		s[o++] = t->s[i];
	}
	if (open) {
		s[o++] = '\r';
		s[o++] = '\n';
	}
	*out = str_make(s, o);
	return 0;
}

/* A header-name argument, rendered and checked.  0 or -1 (logged). */
static int
tx_hf_arg_name(struct msg *m, const void *a, const char *fn, str_t *out)
{
	if (arg_str(m, a, out) < 0) {
		log_errx("%s: cannot render the header name", fn);
		return -1;
	}
	str_trim(out);
	if (!tx_hf_name_ok(out)) {
		log_errx("%s: \"%.*s\" is not a header name", fn,
		    tx_hf_shown(out), out->s);
		return -1;
	}
	return 0;
}

enum tx_hf_where { TX_HF_APPEND, TX_HF_INSERT };

/*
 * append: after the last field named name (as Kamailio), else after the
 * last field; insert: before the first field named name, else before
 * the first field.
 */
static int
tx_hf_add(struct msg *m, void *const *args, enum tx_hf_where w,
    const char *fn)
{
	struct tx_hf_block b;
	str_t text, name = STR_NULL, line;
	const char *err;
	size_t off;

	if (tx_hf_request(m, fn) < 0)
		return -1;
	if (arg_str(m, args[0], &text) < 0) {
		log_errx("%s: cannot render the header text", fn);
		return -1;
	}
	if ((err = tx_hf_text_err(&text)) != NULL) {
		log_errx("%s: not added: %s: \"%.*s\"", fn, err,
		    tx_hf_shown(&text), text.s);
		return -1;
	}
	if (args[1] != NULL && tx_hf_arg_name(m, args[1], fn, &name) < 0)
		return -1;
	if (tx_hf_block(m, fn, &b) < 0)
		return -1;
	off = w == TX_HF_APPEND ? b.end : b.v[0].off;
	for (size_t i = 0; name.len > 0 && i < b.n; i++) {
		if (!tx_hf_name_eq(&b.v[i].name, &name))
			continue;
		if (w == TX_HF_INSERT) {
			off = b.v[i].off;
			break;
		}
		off = b.v[i].off + b.v[i].len;
	}
	if (tx_hf_crlf(m, &text, &line) < 0 ||
	    msg_edit_insert(m, off, &line, 0) == NULL) {
		log_errx("%s: out of memory", fn);
		return -1;
	}
	return 1;
}

int
tx_hf_append(struct msg *m, void *const *args)
{
	return tx_hf_add(m, args, TX_HF_APPEND, "append_hf()");
}

int
tx_hf_insert(struct msg *m, void *const *args)
{
	return tx_hf_add(m, args, TX_HF_INSERT, "insert_hf()");
}

/* --- finding and removing fields ------------------------------------------- */

/* 1 when the field name matches, 0 when not, -1 on error. */
typedef int (*tx_hf_match_fn)(struct msg *m, const str_t *name,
                              const void *ctx);

static int
tx_hf_match_name(struct msg *m, const str_t *name, const void *ctx)
{
	(void)m;
	return tx_hf_name_eq(name, ctx);
}

/* The expression sees the name as written, NUL-terminated. */
static int
tx_hf_match_re(struct msg *m, const str_t *name, const void *ctx)
{
	char buf[128], *s = buf;

	if (name->len < sizeof(buf)) {
		memcpy(buf, name->s, name->len);
		buf[name->len] = '\0';
	} else if ((s = arena_strndup(&m->arena, name->s, name->len)) ==
	    NULL) {
		return -1;
	}
	return regexec(ctx, s, 0, NULL, 0) == 0;
}

/*
 * Walks the fields of m; with drop set, removes each that matches.
 * 1 when one matched, -1 when none did or on error (logged).
 */
static int
tx_hf_each(struct msg *m, const char *fn, int drop, tx_hf_match_fn match,
    const void *ctx)
{
	struct tx_hf_block b;
	size_t hits = 0;
	int rc;

	if (tx_hf_block(m, fn, &b) < 0)
		return -1;
	for (size_t i = 0; i < b.n; i++) {
		if ((rc = match(m, &b.v[i].name, ctx)) < 0) {
			log_errx("%s: out of memory", fn);
			return -1;
		}
		if (rc == 0)
			continue;
		hits++;
		if (!drop)
			return 1;
		if (msg_edit_remove(m, b.v[i].off, b.v[i].len) < 0) {
			log_errx("%s: cannot record the removal", fn);
			return -1;
		}
	}
	if (drop)
		log_dbg("%s: %zu header field(s) removed", fn, hits);
	return hits > 0 ? 1 : -1;
}

/* is_present_hf*() read any SIP message; other messages have no fields. */
static int
tx_hf_is_sip(const struct msg *m)
{
	return (m->kind == MSG_SIP_REQUEST || m->kind == MSG_SIP_REPLY) &&
	    m->buf.len > 0;
}

int
tx_hf_remove(struct msg *m, void *const *args)
{
	static const char fn[] = "remove_hf()";
	str_t name;

	if (tx_hf_request(m, fn) < 0 || tx_hf_arg_name(m, args[0], fn,
	    &name) < 0)
		return -1;
	return tx_hf_each(m, fn, 1, tx_hf_match_name, &name);
}

int
tx_hf_is_present(struct msg *m, void *const *args)
{
	static const char fn[] = "is_present_hf()";
	str_t name;

	if (!tx_hf_is_sip(m) || tx_hf_arg_name(m, args[0], fn, &name) < 0)
		return -1;
	return tx_hf_each(m, fn, 0, tx_hf_match_name, &name);
}

/* --- regular expressions ------------------------------------------------------ */

/* A literal compiled at load time, or a format compiled per message. */
struct tx_hf_re {
	regex_t      re;
	int          ready;
	struct fmt  *fmt;
};

/* Kamailio's flags for header-name expressions: extended, any case. */
static int
tx_hf_re_comp(regex_t *re, const char *src, char *msg, size_t cap)
{
	int err = regcomp(re, src, REG_EXTENDED | REG_ICASE | REG_NOSUB);

	if (err != 0)
		regerror(err, re, msg, cap);
	return err == 0 ? 0 : -1;
}

int
tx_hf_fix_re(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	struct tx_hf_re *r;
	char *src = NULL, msg[160];
	str_t text;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		diag_error(d, "out of memory");
		return -1;
	}
	if (a->kind == ARG_K_FMT && !fmt_is_static(a->fmt)) {
		r->fmt = a->fmt;        /* taken: the core must not free it */
		a->fmt = NULL;
		*arg = r;
		return 0;
	}
	text = a->kind == ARG_K_FMT ? fmt_static_text(a->fmt) : a->text;
	if ((src = strndup(text.s, text.len)) == NULL) {
		diag_error(d, "out of memory");
		goto fail;
	}
	if (tx_hf_re_comp(&r->re, src, msg, sizeof(msg)) < 0) {
		diag_error(d, "bad regular expression \"%s\" for a header "
		    "name: %s", src, msg);
		goto fail;
	}
	free(src);
	r->ready = 1;
	*arg = r;
	return 0;
fail:
	free(src);
	free(r);
	return -1;
}

void
tx_hf_free_re(void *p)
{
	struct tx_hf_re *r = p;

	if (r == NULL)
		return;
	if (r->ready)
		regfree(&r->re);
	fmt_free(r->fmt);
	free(r);
}

static int
tx_hf_re_run(struct msg *m, const struct tx_hf_re *r, const char *fn,
    int drop)
{
	regex_t re;
	char *src, msg[160];
	str_t text;
	int rc;

	if (r->ready)
		return tx_hf_each(m, fn, drop, tx_hf_match_re, &r->re);
	if (fmt_render(m, r->fmt, &text) < 0 ||
	    (src = arena_strndup(&m->arena, text.s, text.len)) == NULL) {
		log_errx("%s: cannot render \"%s\"", fn, fmt_source(r->fmt));
		return -1;
	}
	if (tx_hf_re_comp(&re, src, msg, sizeof(msg)) < 0) {
		log_errx("%s: bad regular expression \"%.*s\": %s", fn,
		    tx_hf_shown(&text), src, msg);
		return -1;
	}
	rc = tx_hf_each(m, fn, drop, tx_hf_match_re, &re);
	regfree(&re);
	return rc;
}

int
tx_hf_remove_re(struct msg *m, void *const *args)
{
	static const char fn[] = "remove_hf_re()";

	if (tx_hf_request(m, fn) < 0)
		return -1;
	return tx_hf_re_run(m, args[0], fn, 1);
}

int
tx_hf_is_present_re(struct msg *m, void *const *args)
{
	if (!tx_hf_is_sip(m))
		return -1;
	return tx_hf_re_run(m, args[0], "is_present_hf_re()", 0);
}

/* --- fixups of literal text and names ------------------------------------------ */

/* The literal text of a, or 0 when it holds pseudo-variables. */
static int
tx_hf_literal(const struct arg *a, str_t *out)
{
	if (a->kind == ARG_K_FMT) {
		if (!fmt_is_static(a->fmt))
			return 0;
		*out = fmt_static_text(a->fmt);
		return 1;
	}
	*out = a->text;
	return 1;
}

int
tx_hf_fix_text(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	const char *err;
	str_t text;

	if (tx_hf_literal(a, &text) && (err = tx_hf_text_err(&text)) != NULL) {
		diag_error(d, "bad header text \"%.*s\": %s",
		    tx_hf_shown(&text), text.s, err);
		return -1;
	}
	return 0;
}

int
tx_hf_fix_name(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	str_t name;

	if (!tx_hf_literal(a, &name))
		return 0;
	str_trim(&name);
	if (!tx_hf_name_ok(&name)) {
		diag_error(d, "\"%.*s\" is not a header name",
		    tx_hf_shown(&name), name.s);
		return -1;
	}
	return 0;
}
