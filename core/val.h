/*
 * val.h - a script value: null, integer, string, or both (a PV such as
 * $msrp(nexthops) has a number and its text).  String bytes are borrowed:
 * they live in the message's arena, in the message, or in the config, and
 * are valid until the message is done.
 */
#ifndef TD_VAL_H
#define TD_VAL_H

#include "arena.h"
#include "str.h"

enum {
	VAL_NULL = 0,
	VAL_INT  = 1u << 0,
	VAL_STR  = 1u << 1,
};

struct val {
	unsigned   flags;       /* VAL_NULL, or VAL_INT and/or VAL_STR      */
	long long  n;
	str_t      s;
};

static inline void val_set_null(struct val *v)
{
	v->flags = VAL_NULL;
	v->n = 0;
	v->s = STR_NULL;
}

static inline void val_set_int(struct val *v, long long n)
{
	v->flags = VAL_INT;
	v->n = n;
	v->s = STR_NULL;
}

static inline void val_set_str(struct val *v, str_t s)
{
	v->flags = VAL_STR;
	v->n = 0;
	v->s = s;
}

static inline int val_is_null(const struct val *v)
{
	return v->flags == VAL_NULL;
}

/*
 * Integer view, Kamailio style: an int is itself, a numeric string its
 * number, anything else 0.  Returns 0, or -1 when a string was not a
 * number (*out is then 0).
 */
int val_to_int(const struct val *v, long long *out);

/*
 * String view: a string is itself, an int its decimal text (written to
 * the arena), null the empty string.  Returns 0, or -1 on arena failure.
 */
int val_to_str(struct arena *a, const struct val *v, str_t *out);

/* Truth of a condition: int != 0, non-empty numeric != 0, null false. */
int val_truth(const struct val *v);

#endif
