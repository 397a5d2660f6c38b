/*
 * mi_text.c - the MI text codec of mi_fifo (see mi_text.h for the
 * format).  The parser is a small state machine so that garbage is
 * reported once and skipped whatever the read boundaries are; the writer
 * is an rpc_writer rendering into a growable buffer.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mi_text.h"

enum {
	MI_ST_START = 0,        /* at a line start, looking for a request */
	MI_ST_SKIP_LINE,        /* dropping the rest of a bad line        */
	MI_ST_SKIP_REQ,         /* at a line start inside a bad request   */
};

void
mi_parser_init(struct mi_parser *p)
{
	p->state = MI_ST_START;
	p->line_max = MI_LINE_MAX;
	p->req_max = MI_REQ_MAX;
	p->args_max = MI_ARGS_MAX;
}

/* --- request parsing ---------------------------------------------------- */

static int
mi_bad(struct mi_parser *p, size_t at, size_t *used, const char **err,
    const char *why)
{
	/* the bad request starts at `at`: its first line goes first, then
	 * whole lines up to its end */
	p->state = MI_ST_SKIP_LINE;
	*used = at;
	*err = why;
	return MI_BAD;
}

static int
mi_is_printable(const char *s, size_t n, int allow_space)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c == ' ' && !allow_space))
			return 0;
	}
	return 1;
}

/* Checks ":method:reply" (without its LF).  NULL, or why it is bad. */
static const char *
mi_first_line(const char *line, size_t n, struct mi_req *r)
{
	const char *colon;
	size_t mlen, rlen;

	if (n == 0 || line[0] != ':')
		return "request does not start with ':'";
	colon = memchr(line + 1, ':', n - 1);
	mlen = colon ? (size_t)(colon - line - 1) : n - 1;
	if (mlen == 0)
		return "missing method name";
	if (mlen > MI_METHOD_MAX)
		return "method name too long";
	if (!mi_is_printable(line + 1, mlen, 0))
		return "bad method name";
	if (colon == NULL || (rlen = n - mlen - 2) == 0)
		return "missing reply fifo name";
	r->method = str_make(line + 1, mlen);
	r->reply = str_make(colon + 1, rlen);
	if (rlen > MI_REPLY_NAME_MAX)
		return "reply fifo name too long";
	if (!mi_is_printable(r->reply.s, rlen, 1))
		return "bad reply fifo name";
	/* a relative name is a file inside the reply directory, never a
	 * path out of it */
	if (r->reply.s[0] != '/' && (memchr(r->reply.s, '/', rlen) ||
	    str_eq_cstr(&r->reply, ".") || str_eq_cstr(&r->reply, "..")))
		return "reply fifo name is neither a file name nor an "
		    "absolute path";
	return NULL;
}

static void
mi_add_arg(struct mi_req *r, const char *s, size_t n)
{
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	r->argv[r->argc++] = str_make(s, n);
}

/* A request starting at buf[pos], which is ':'-or-garbage, not blank. */
static int
mi_parse_req(struct mi_parser *p, const char *buf, size_t pos, size_t len,
    struct mi_req *r, size_t *used, const char **err)
{
	size_t at = pos;
	int first = 1;
	const char *why;

	r->argc = 0;
	for (;;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n;

		if (nl == NULL) {
			if (len - at > p->line_max)
				return mi_bad(p, pos, used, err, "line too long");
			if (len - pos >= p->req_max)
				return mi_bad(p, pos, used, err,
				    "request too large");
			*used = pos;
			return MI_MORE;
		}
		n = (size_t)(nl - (buf + at));
		if (n > p->line_max)
			return mi_bad(p, pos, used, err, "line too long");
		if (memchr(buf + at, '\0', n))
			return mi_bad(p, pos, used, err, "NUL byte in request");
		if (n > 0 && buf[at + n - 1] == '\r')
			n--;
		if (first) {
			if ((why = mi_first_line(buf + at, n, r)) != NULL)
				return mi_bad(p, pos, used, err, why);
			first = 0;
		} else if (n == 0) {
			*used = (size_t)(nl + 1 - buf);
			return MI_REQ;
		} else if (r->argc >= p->args_max) {
			return mi_bad(p, pos, used, err, "too many arguments");
		} else {
			mi_add_arg(r, buf + at, n);
		}
		at = (size_t)(nl + 1 - buf);
		if (at - pos > p->req_max)
			return mi_bad(p, pos, used, err, "request too large");
	}
}

/* Skips blank lines at pos; returns the new pos, or len when the input
 * ends with what may still become a blank line. */
static size_t
mi_skip_blank(const char *buf, size_t pos, size_t len, int *partial)
{
	*partial = 0;
	while (pos < len) {
		if (buf[pos] == '\n')
			pos++;
		else if (buf[pos] == '\r' && pos + 1 == len) {
			*partial = 1;   /* "\r" then maybe "\n" */
			return pos;
		} else if (buf[pos] == '\r' && buf[pos + 1] == '\n')
			pos += 2;
		else
			break;
	}
	return pos;
}

int
mi_parse(struct mi_parser *p, const char *buf, size_t len,
    struct mi_req *r, size_t *used, const char **err)
{
	size_t pos = 0;
	const char *nl;
	int partial;

	*err = NULL;
	for (;;) {
		switch (p->state) {
		case MI_ST_SKIP_LINE:
			nl = memchr(buf + pos, '\n', len - pos);
			if (nl == NULL) {
				*used = len;
				return MI_MORE;
			}
			pos = (size_t)(nl + 1 - buf);
			p->state = MI_ST_SKIP_REQ;
			break;
		case MI_ST_SKIP_REQ:
			if (pos == len) {
				*used = pos;
				return MI_MORE;
			}
			if (buf[pos] == ':') {
				p->state = MI_ST_START;
				break;
			}
			nl = memchr(buf + pos, '\n', len - pos);
			if (nl == NULL) {
				/* a line of the bad request, or a blank line
				 * that is still missing its LF */
				if (buf[pos] == '\r' && pos + 1 == len) {
					*used = pos;
					return MI_MORE;
				}
				p->state = MI_ST_SKIP_LINE;
				*used = len;
				return MI_MORE;
			}
			if (nl == buf + pos ||
			    (nl == buf + pos + 1 && buf[pos] == '\r'))
				p->state = MI_ST_START;     /* its end */
			pos = (size_t)(nl + 1 - buf);
			break;
		default:
			pos = mi_skip_blank(buf, pos, len, &partial);
			if (pos == len || partial) {
				*used = pos;
				return MI_MORE;
			}
			return mi_parse_req(p, buf, pos, len, r, used, err);
		}
	}
}

/* --- the reply writer ----------------------------------------------------- */

void
mi_out_init(struct mi_out *o, size_t max, const char *indent)
{
	memset(o, 0, sizeof(*o));
	o->max = max ? max : MI_REPLY_MAX;
	o->indent = indent ? indent : "\t";
}

void
mi_out_free(struct mi_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* Room for n more bytes.  0, or -1 (overflow or nomem flagged). */
static int
mi_room(struct mi_out *o, size_t n, size_t max)
{
	size_t cap;
	char *nb;

	if (o->nomem || o->overflow)
		return -1;
	if (n > max || o->len > max - n) {
		o->overflow = 1;
		return -1;
	}
	if (o->len + n <= o->cap)
		return 0;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n)
		cap *= 2;
	if ((nb = realloc(o->buf, cap)) == NULL) {
		o->nomem = 1;
		return -1;
	}
	o->buf = nb;
	o->cap = cap;
	return 0;
}

static void
mi_put(struct mi_out *o, const char *s, size_t n)
{
	if (mi_room(o, n, o->max) == 0) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	}
}

static void
mi_puts(struct mi_out *o, const char *s)
{
	mi_put(o, s, strlen(s));
}

/* Text that must stay on its line: LF and CR become \n and \r. */
static void
mi_put_text(struct mi_out *o, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n' && s[i] != '\r')
			continue;
		mi_put(o, s + run, i - run);
		mi_puts(o, s[i] == '\n' ? "\\n" : "\\r");
		run = i + 1;
	}
	mi_put(o, s + run, n - run);
}

static void
mi_put_indent(struct mi_out *o)
{
	for (int i = 0; i < o->depth; i++)
		mi_puts(o, o->indent);
}

static void
mi_put_name(struct mi_out *o, const char *name)
{
	mi_put_indent(o);
	if (name != NULL)
		mi_put_text(o, name, strlen(name));
	mi_put(o, "::", 2);
}

static void
mi_w_begin(void *out)
{
	struct mi_out *o = out;

	o->len = 0;
	o->depth = 0;
	o->fault = o->overflow = o->nomem = 0;
	mi_puts(o, "200 OK\n");
}

static void
mi_w_value(void *out, const char *name, const struct rpc_value *v)
{
	struct mi_out *o = out;
	char num[64];

	if (o->fault)
		return;
	mi_put_name(o, name);
	mi_put(o, " ", 1);
	switch (v->type) {
	case RPC_INT:
		snprintf(num, sizeof(num), "%lld", v->i);
		mi_puts(o, num);
		break;
	case RPC_DOUBLE:
		snprintf(num, sizeof(num), "%f", v->d);
		mi_puts(o, num);
		break;
	case RPC_STR:
		mi_put_text(o, v->s.s ? v->s.s : "", v->s.s ? v->s.len : 0);
		break;
	}
	mi_put(o, "\n", 1);
}

static void
mi_w_open(void *out, const char *name, int is_array)
{
	struct mi_out *o = out;

	(void)is_array;         /* MI text has one kind of node */
	if (o->fault)
		return;
	mi_put_name(o, name);
	mi_put(o, "\n", 1);
	o->depth++;
}

static void
mi_w_close(void *out, int is_array)
{
	struct mi_out *o = out;

	(void)is_array;
	if (o->depth > 0)
		o->depth--;
}

static void
mi_w_fault(void *out, int code, const str_t *msg)
{
	struct mi_out *o = out;
	char num[24];

	/* whatever was written goes: a fault is the whole reply */
	o->len = 0;
	o->depth = 0;
	o->fault = 1;
	o->overflow = 0;
	snprintf(num, sizeof(num), "%d ", code);
	mi_puts(o, num);
	if (msg != NULL && msg->s != NULL)
		mi_put_text(o, msg->s, msg->len);
	mi_put(o, "\n", 1);
}

static int
mi_w_end(void *out)
{
	struct mi_out *o = out;
	static const char too_large[] = "500 reply too large\n\n";

	mi_put(o, "\n", 1);
	if (o->overflow && !o->nomem) {
		o->len = 0;
		o->overflow = 0;
		o->fault = 1;
		/* the limit does not apply to this short fault */
		if (mi_room(o, sizeof(too_large) - 1, (size_t)-1) == 0) {
			memcpy(o->buf, too_large, sizeof(too_large) - 1);
			o->len = sizeof(too_large) - 1;
		}
	}
	return o->nomem ? -1 : 0;
}

static const struct rpc_writer mi_writer = {
	.begin = mi_w_begin,
	.value = mi_w_value,
	.open = mi_w_open,
	.close = mi_w_close,
	.fault = mi_w_fault,
	.end = mi_w_end,
};

const struct rpc_writer *
mi_out_writer(void)
{
	return &mi_writer;
}
