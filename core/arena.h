/*
 * arena.h - per-message bump allocator.  Everything a route computes for
 * one message (PV values, transformation results, formatted strings) is
 * taken from the message's arena and released at once by arena_reset()
 * when the message is done, so no value needs an owner of its own.
 */
#ifndef TD_ARENA_H
#define TD_ARENA_H

#include <stddef.h>

#include "str.h"

struct arena_chunk;

struct arena {
	struct arena_chunk *head;       /* chunk being filled            */
	size_t              used;       /* bytes handed out (stats)      */
	size_t              limit;      /* 0 = none; else fail past it   */
};

void  arena_init(struct arena *a, size_t limit);
/* Returns n bytes aligned for any type, or NULL (logged) past the limit. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies s into the arena; the copy is NUL-terminated.  NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
int   arena_str_dup(struct arena *a, const str_t *in, str_t *out);
/* Frees every chunk but the first, which is kept for the next message. */
void  arena_reset(struct arena *a);
void  arena_free(struct arena *a);

#endif
