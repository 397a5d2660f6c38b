#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>

#include "str.h"

int
str_eq(const str_t *a, const str_t *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

int
str_eq_cstr(const str_t *a, const char *b)
{
	size_t n = strlen(b);

	return a->len == n && (n == 0 || memcmp(a->s, b, n) == 0);
}

int
str_casecmp_eq(const str_t *a, const str_t *b)
{
	return a->len == b->len &&
	    (a->len == 0 || strncasecmp(a->s, b->s, a->len) == 0);
}

int
str_caseeq_cstr(const str_t *a, const char *b)
{
	size_t n = strlen(b);

	return a->len == n && (n == 0 || strncasecmp(a->s, b, n) == 0);
}

int
str_cmp(const str_t *a, const str_t *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = n ? memcmp(a->s, b->s, n) : 0;

	if (r != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

void
str_trim(str_t *s)
{
	while (s->len && strchr(" \t\r\n", s->s[0])) {
		s->s++;
		s->len--;
	}
	while (s->len && strchr(" \t\r\n", s->s[s->len - 1]))
		s->len--;
}

int
str_to_ll(const str_t *in, long long *out)
{
	str_t s = *in;
	unsigned long long v = 0;
	int neg = 0;

	str_trim(&s);
	if (s.len && (s.s[0] == '-' || s.s[0] == '+')) {
		neg = s.s[0] == '-';
		s.s++;
		s.len--;
	}
	if (s.len == 0)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (!isdigit((unsigned char)s.s[i]))
			return -1;
		v = v * 10 + (unsigned)(s.s[i] - '0');
		if (v > (unsigned long long)LLONG_MAX + (neg ? 1 : 0))
			return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

char *
str_chr(const str_t *s, int c)
{
	return s->len ? memchr(s->s, c, s->len) : NULL;
}

int
str_token(str_t *rest, int sep, str_t *tok)
{
	char *p;

	if (rest->len == 0)
		return 0;
	p = str_chr(rest, sep);
	if (p == NULL) {
		*tok = *rest;
		rest->s += rest->len;
		rest->len = 0;
		return 1;
	}
	*tok = str_make(rest->s, (size_t)(p - rest->s));
	rest->len -= tok->len + 1;
	rest->s = p + 1;
	return 1;
}
