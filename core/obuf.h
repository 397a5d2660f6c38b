/*
 * obuf.h - text written into a caller's fixed buffer.  A put that does
 * not fit sets `overflow` and nothing more is written, so a builder
 * makes all its puts and checks once at the end (sl's and tm's replies
 * and requests are built this way).
 */
#ifndef TD_OBUF_H
#define TD_OBUF_H

#include <stddef.h>
#include <string.h>

#include "str.h"

struct obuf {
	char    *buf;
	size_t   cap;
	size_t   len;
	int      overflow;
};

static inline void
obuf_init(struct obuf *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->overflow = 0;
}

static inline void
obuf_put(struct obuf *o, const char *s, size_t n)
{
	if (n == 0)
		return;                 /* s may be NULL (an empty str_t) */
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void
obuf_puts(struct obuf *o, const str_t *s)
{
	obuf_put(o, s->s, s->len);
}

/* a C string */
static inline void
obuf_putcs(struct obuf *o, const char *s)
{
	obuf_put(o, s, strlen(s));
}

#endif
