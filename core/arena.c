#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ARENA_CHUNK 8192
#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t              size;
	size_t              off;
	_Alignas(max_align_t) unsigned char data[];
};

void
arena_init(struct arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need < n)
		return NULL;
	if (a->limit && a->used + need > a->limit) {
		log_errx("message arena limit of %zu bytes reached", a->limit);
		return NULL;
	}
	if (c == NULL || c->size - c->off < need) {
		size_t sz = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		c = malloc(sizeof(*c) + sz);
		if (c == NULL) {
			log_errx("out of private memory (%zu bytes)", sz);
			return NULL;
		}
		c->size = sz;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	c->off += need;
	a->used += need;
	return c->data + c->off - need;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
arena_str_dup(struct arena *a, const str_t *in, str_t *out)
{
	char *p = arena_strndup(a, in->s, in->len);

	if (p == NULL)
		return -1;
	out->s = p;
	out->len = in->len;
	return 0;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	if (c == NULL)
		return;
	/* keep the oldest chunk only if it is of the default size */
	while (c->next) {
		next = c->next;
		free(c);
		c = next;
	}
	if (c->size != ARENA_CHUNK) {
		free(c);
		c = NULL;
	} else {
		c->off = 0;
	}
	a->head = c;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	while (c) {
		next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
