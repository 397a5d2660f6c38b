#include "config.h"

#include <stdio.h>

#include "val.h"

int
val_to_int(const struct val *v, long long *out)
{
	if (v->flags & VAL_INT) {
		*out = v->n;
		return 0;
	}
	if ((v->flags & VAL_STR) && str_to_ll(&v->s, out) == 0)
		return 0;
	*out = 0;
	return v->flags == VAL_NULL ? 0 : -1;
}

int
val_to_str(struct arena *a, const struct val *v, str_t *out)
{
	char buf[24];
	int n;

	if (v->flags & VAL_STR) {
		*out = v->s;
		return 0;
	}
	if (!(v->flags & VAL_INT)) {
		*out = str_make("", 0);
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%lld", v->n);
	out->s = arena_strndup(a, buf, (size_t)n);
	out->len = (size_t)n;
	return out->s ? 0 : -1;
}

int
val_truth(const struct val *v)
{
	long long n;

	if (v->flags & VAL_INT)
		return v->n != 0;
	if (v->flags & VAL_STR) {
		if (str_to_ll(&v->s, &n) == 0)
			return n != 0;
		return v->s.len > 0;
	}
	return 0;
}
