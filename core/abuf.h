/*
 * abuf.h - text built in an arena (a message's): the buffer doubles on
 * demand and old copies are left to the arena, which frees them with
 * the message.  A failed allocation sets `failed` and stops all further
 * writes; the builder checks once at the end.  (MSRP frames and the
 * registrar's Contact lists are built this way.)
 */
#ifndef TD_ABUF_H
#define TD_ABUF_H

#include <string.h>

#include "arena.h"
#include "str.h"

/* A growing buffer in the message arena. */
struct abuf {
	struct arena *a;
	char         *p;
	size_t        len, cap;
	int           failed;
};

static inline void
abuf_put(struct abuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 512);
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = arena_alloc(b->a, cap);
		if (np == NULL) {
			b->failed = 1;
			return;
		}
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
abuf_puts(struct abuf *b, const str_t *s)
{
	abuf_put(b, s->s, s->len);
}

static inline void
abuf_putcs(struct abuf *b, const char *s)
{
	abuf_put(b, s, strlen(s));
}

/* Sizes the buffer once when the final length is known (big frames). */
static inline void
abuf_reserve(struct abuf *b, size_t n)
{
	if (b->failed || b->cap >= n + 1)
		return;
	b->p = arena_alloc(b->a, n + 1);
	if (b->p == NULL)
		b->failed = 1;
	else
		b->cap = n + 1;
}

#endif
