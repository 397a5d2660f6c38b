/*
 * fuzz_mi.c - libFuzzer target for the MI text codec of mi_fifo
 * (modules/mi_fifo/mi_text.c).
 *
 * The input is what a client writes into the FIFO, so the seeds are
 * plain MI requests.  It is parsed the way the module reads it (a
 * bounded buffer, read by read): in one read and in reads whose sizes
 * come from a hash of the input, with the default limits and with small
 * ones.  Every request found is answered through the reply writer, its
 * arguments echoed as values inside a struct and an array.  Besides what
 * the sanitizers catch, the target aborts when
 *  - two ways of cutting the input disagree on any request or error,
 *  - a request breaks the contract in mi_text.h (empty method or reply
 *    name, a relative reply name with a '/', too many arguments, a NUL
 *    byte, a field outside the buffer), or
 *  - a reply does not end with its one empty line, or holds another one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/mi_fifo/mi_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct mi_parser p;
	char            *buf;
	size_t           cap, len;
	uint64_t         hash;          /* of every request and error, in order */
	size_t           nreq, nbad;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static void
check_str(const struct run *r, const str_t *s)
{
	if (s->len > 0 && (s->s < r->buf || s->s + s->len > r->buf + r->len))
		abort();
	if (memchr(s->s, '\0', s->len) || memchr(s->s, '\n', s->len))
		abort();
}

/* A reply must be one block: its only empty line is the last one. */
static void
check_reply(const struct mi_out *o)
{
	if (o->len < 2 || o->buf[o->len - 1] != '\n' ||
	    o->buf[o->len - 2] != '\n')
		abort();
	for (size_t i = 0; i + 2 < o->len; i++)
		if (o->buf[i] == '\n' && o->buf[i + 1] == '\n')
			abort();
	if (o->buf[0] == '\n')
		abort();
}

static void
answer(const struct mi_req *q)
{
	const struct rpc_writer *w = mi_out_writer();
	struct rpc_value v = { .type = RPC_STR };
	struct mi_out o;

	mi_out_init(&o, 4096, q->argc & 1 ? NULL : "  ");
	w->begin(&o);
	v.s = q->method;
	w->value(&o, NULL, &v);
	w->open(&o, "args", 0);
	w->open(&o, "list", 1);
	for (int i = 0; i < q->argc; i++) {
		v.s = q->argv[i];
		w->value(&o, NULL, &v);
	}
	w->close(&o, 1);
	w->close(&o, 0);
	if (q->argc > 2)
		w->fault(&o, 400, &q->argv[1]);
	if (w->end(&o) == 0)
		check_reply(&o);
	mi_out_free(&o);
}

static void
on_req(struct run *r, const struct mi_req *q)
{
	if (q->method.len == 0 || q->reply.len == 0 ||
	    q->argc < 0 || q->argc > r->p.args_max)
		abort();
	check_str(r, &q->method);
	check_str(r, &q->reply);
	if (q->reply.s[0] != '/' && memchr(q->reply.s, '/', q->reply.len))
		abort();
	r->hash = fnv(r->hash, "R", 1);
	r->hash = fnv(r->hash, q->method.s, q->method.len);
	r->hash = fnv(r->hash, ">", 1);
	r->hash = fnv(r->hash, q->reply.s, q->reply.len);
	for (int i = 0; i < q->argc; i++) {
		check_str(r, &q->argv[i]);
		r->hash = fnv(r->hash, "|", 1);
		r->hash = fnv(r->hash, q->argv[i].s, q->argv[i].len);
	}
	r->nreq++;
	answer(q);
}

static void
drain(struct run *r)
{
	struct mi_req q;
	const char *err;
	size_t off = 0, used;
	int rc;

	while ((rc = mi_parse(&r->p, r->buf + off, r->len - off, &q, &used,
	    &err)) != MI_MORE) {
		if (used > r->len - off)
			abort();
		if (rc == MI_REQ)
			on_req(r, &q);
		else if (rc == MI_BAD && err != NULL) {
			r->hash = fnv(r->hash, err, strlen(err));
			r->nbad++;
		} else
			abort();
		off += used;
	}
	if (off + used > r->len)
		abort();
	off += used;
	memmove(r->buf, r->buf + off, r->len - off);
	r->len -= off;
}

enum cut { CUT_WHOLE, CUT_BYTES, CUT_HASH };

/* Feeds data in reads: all at once, one byte each, or of the sizes a
 * generator seeded with the input's hash gives. */
static void
run_once(struct run *r, const uint8_t *data, size_t size, enum cut cut,
    uint64_t seed, size_t req_max, size_t line_max)
{
	size_t at = 0;

	mi_parser_init(&r->p);
	r->p.req_max = req_max;
	r->p.line_max = line_max;
	r->cap = req_max;
	r->len = 0;
	r->hash = 14695981039346656037ULL;
	r->nreq = r->nbad = 0;
	while (at < size) {
		size_t room = r->cap - r->len, n = size - at;

		if (cut == CUT_BYTES)
			n = 1;
		else if (cut == CUT_HASH) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			n = 1 + (size_t)(seed >> 33) % 97;
			if (n > size - at)
				n = size - at;
		}
		if (n > room)
			n = room;
		if (n == 0)
			abort();        /* a full buffer must always drain */
		memcpy(r->buf + r->len, data + at, n);
		r->len += n;
		at += n;
		drain(r);
	}
}

static void
same(const struct run *a, const struct run *b)
{
	if (a->hash != b->hash || a->nreq != b->nreq || a->nbad != b->nbad ||
	    a->len != b->len)
		abort();
}

static void
compare(const uint8_t *data, size_t size, size_t req_max, size_t line_max)
{
	struct run a, b;
	uint64_t seed = fnv(14695981039346656037ULL, data, size);

	a.buf = malloc(req_max);
	b.buf = malloc(req_max);
	if (a.buf == NULL || b.buf == NULL)
		abort();
	run_once(&a, data, size, CUT_WHOLE, 0, req_max, line_max);
	run_once(&b, data, size, CUT_HASH, seed, req_max, line_max);
	same(&a, &b);
	if (size <= 512) {
		run_once(&b, data, size, CUT_BYTES, 0, req_max, line_max);
		same(&a, &b);
	}
	free(a.buf);
	free(b.buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	compare(data, size, MI_REQ_MAX, MI_LINE_MAX);
	compare(data, size, 96, 40);
	return 0;
}
