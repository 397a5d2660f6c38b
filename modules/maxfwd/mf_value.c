/*
 * mf_value.c - the Max-Forwards arithmetic (mf_value.h).
 */
#include "config.h"

#include <limits.h>

#include "mf_value.h"

int
mf_parse(const str_t *value, int *out)
{
	str_t v = *value;
	long long n = 0;

	str_trim(&v);
	if (v.len == 0)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return -1;
		n = n * 10 + (v.s[i] - '0');
		if (n > INT_MAX)
			return -1;
	}
	*out = (int)n;
	return 0;
}

enum mf_result
mf_process(const str_t *value, int add, int limit, int *out)
{
	int n;

	if (value == NULL) {
		*out = add;
		return MF_ADDED;
	}
	if (mf_parse(value, &n) < 0)
		return MF_BAD;
	if (n == 0) {
		*out = 0;
		return MF_ZERO;
	}
	n--;
	*out = n > limit ? limit : n;
	return MF_DECREMENTED;
}
