/*
 * cfgutils_util.c - hashing and probability for cfgutils, pure.
 */
#include "config.h"

#include <stdint.h>

#include "cfgutils_util.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

static uint32_t
fnv1a(uint32_t h, const str_t *s)
{
	if (s == NULL || s->s == NULL)
		return h;
	for (size_t i = 0; i < s->len; i++) {
		h ^= (unsigned char)s->s[i];
		h *= FNV_PRIME;
	}
	return h;
}

unsigned
cfgu_hash(const str_t *s1, const str_t *s2, unsigned bits)
{
	uint32_t h = fnv1a(fnv1a(FNV_OFFSET, s1), s2);

	if (bits == 0)
		return 0;
	if (bits >= 32)
		return h;
	/* fold the high bits in: FNV's low bits alone mix less well */
	return (unsigned)((h ^ (h >> bits)) & ((1u << bits) - 1));
}

long long
cfgu_core_hash(const str_t *s1, const str_t *s2, long long size)
{
	if (size > CFGU_HASH_BITS_MAX)
		return -1;
	if (size < 1)
		size = 1;
	return (long long)cfgu_hash(s1, s2, (unsigned)size) + 1;
}

int
cfgu_rand_hit(int prob, long r, long range)
{
	if (prob <= 0 || range <= 0)
		return 0;
	if (prob >= CFGU_PROB_MAX)
		return 1;
	/* r * 100 < prob * range, without the bias of r % 100 */
	return (long double)r * CFGU_PROB_MAX < (long double)prob * range;
}

int
cfgu_prob_valid(long long p)
{
	return p >= 0 && p <= CFGU_PROB_MAX;
}
