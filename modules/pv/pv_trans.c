/*
 * pv_trans.c - the string functions behind {s.*}.  Written from the
 * behaviour of Kamailio 5.6 as observed (see README.md), not its code.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "pv_trans.h"

static const char pvt_hexdig[] = "0123456789abcdef";

int
pvt_int(str_t in, long long *out)
{
	size_t i = 0;
	unsigned long long v = 0, lim;
	int neg = 0;

	if (in.len > 0 && (in.s[0] == '-' || in.s[0] == '+')) {
		neg = in.s[0] == '-';
		i++;
	}
	if (i == in.len)
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < in.len; i++) {
		if (!isdigit((unsigned char)in.s[i]))
			return -1;
		if (v > (lim - (unsigned long long)(in.s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(in.s[i] - '0');
	}
	/* -(LLONG_MAX + 1) is only reachable through the unsigned form */
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

int
pvt_substr(str_t in, long long off, long long len, str_t *out)
{
	long long n = (long long)in.len;

	if (off < 0)
		off += n;
	if (off < 0 || off >= n || len < 0)
		return -1;
	if (len == 0 || len > n - off)
		len = n - off;
	*out = str_make(in.s + off, (size_t)len);
	return 0;
}

void
pvt_select(str_t in, long long idx, char sep, str_t *out)
{
	long long nf = 1, want;
	size_t i, start = 0;

	for (i = 0; i < in.len; i++)
		if (in.s[i] == sep)
			nf++;
	want = idx < 0 ? nf + idx : idx;
	*out = str_make(in.s, 0);
	if (want < 0 || want >= nf)
		return;
	for (i = 0; i <= in.len; i++) {
		if (i < in.len && in.s[i] != sep)
			continue;
		if (want-- == 0) {
			*out = str_make(in.s + start, i - start);
			return;
		}
		start = i + 1;
	}
}

int
pvt_case(struct arena *a, str_t in, int upper, str_t *out)
{
	char *p = arena_alloc(a, in.len + 1);

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < in.len; i++)
		p[i] = (char)(upper ? toupper((unsigned char)in.s[i])
		    : tolower((unsigned char)in.s[i]));
	p[in.len] = '\0';
	*out = str_make(p, in.len);
	return 0;
}

void
pvt_strip(str_t in, long long n, int tail, str_t *out)
{
	if (n <= 0) {
		*out = in;
		return;
	}
	if ((unsigned long long)n >= in.len) {
		*out = str_make(in.s, 0);
		return;
	}
	if (tail)
		*out = str_make(in.s, in.len - (size_t)n);
	else
		*out = str_make(in.s + n, in.len - (size_t)n);
}

static int
pvt_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
pvt_trim(str_t *s, int left, int right)
{
	while (left && s->len > 0 && pvt_blank(s->s[0])) {
		s->s++;
		s->len--;
	}
	while (right && s->len > 0 && pvt_blank(s->s[s->len - 1]))
		s->len--;
}

int
pvt_escape_common(struct arena *a, str_t in, str_t *out)
{
	char *p = arena_alloc(a, in.len * 2 + 1);
	size_t j = 0;

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.s[i];

		if (c == '\'' || c == '"' || c == '\\' || c == '\0') {
			p[j++] = '\\';
			p[j++] = c == '\0' ? '0' : c;
		} else {
			p[j++] = c;
		}
	}
	p[j] = '\0';
	*out = str_make(p, j);
	return 0;
}

int
pvt_unescape_common(struct arena *a, str_t in, str_t *out)
{
	char *p = arena_alloc(a, in.len + 1);
	size_t j = 0;

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < in.len; i++) {
		char c = i + 1 < in.len ? in.s[i + 1] : 0;

		/* only the four escapes escape.common writes; others stay */
		if (in.s[i] == '\\' && i + 1 < in.len &&
		    (c == '\'' || c == '"' || c == '\\' || c == '0')) {
			p[j++] = c == '0' ? '\0' : c;
			i++;
		} else {
			p[j++] = in.s[i];
		}
	}
	p[j] = '\0';
	*out = str_make(p, j);
	return 0;
}

int
pvt_replace(struct arena *a, str_t in, str_t from, str_t to, str_t *out)
{
	size_t n = 0, i, j = 0;
	char *p;

	if (from.len == 0 || from.len > in.len) {
		*out = in;
		return 0;
	}
	for (i = 0; i + from.len <= in.len;) {
		if (memcmp(in.s + i, from.s, from.len) == 0) {
			n++;
			i += from.len;
		} else {
			i++;
		}
	}
	if (n == 0) {
		*out = in;
		return 0;
	}
	/* n * from.len <= in.len, so only the growth can overflow */
	if (to.len > from.len &&
	    n > (SIZE_MAX - in.len - 1) / (to.len - from.len))
		return -1;
	p = arena_alloc(a, in.len - n * from.len + n * to.len + 1);
	if (p == NULL)
		return -1;
	for (i = 0; i < in.len;) {
		if (i + from.len <= in.len &&
		    memcmp(in.s + i, from.s, from.len) == 0) {
			if (to.len)
				memcpy(p + j, to.s, to.len);
			j += to.len;
			i += from.len;
		} else {
			p[j++] = in.s[i++];
		}
	}
	p[j] = '\0';
	*out = str_make(p, j);
	return 0;
}

int
pvt_numeric(struct arena *a, str_t in, str_t *out)
{
	char *p = arena_alloc(a, in.len + 1);
	size_t j = 0;

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < in.len; i++)
		if (isdigit((unsigned char)in.s[i]))
			p[j++] = in.s[i];
	p[j] = '\0';
	*out = str_make(p, j);
	return 0;
}

static int
pvt_hex_of(struct arena *a, const unsigned char *b, size_t n, str_t *out)
{
	char *p = arena_alloc(a, n * 2 + 1);

	if (p == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = pvt_hexdig[b[i] >> 4];
		p[2 * i + 1] = pvt_hexdig[b[i] & 0x0f];
	}
	p[n * 2] = '\0';
	*out = str_make(p, n * 2);
	return 0;
}

int
pvt_digest(struct arena *a, str_t in, const char *alg, str_t *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type = EVP_get_digestbyname(alg);

	if (type == NULL)
		return -1;
	if (EVP_Digest(in.len ? in.s : "", in.len, md, &mdlen, type,
	    NULL) != 1)
		return -1;
	return pvt_hex_of(a, md, mdlen, out);
}

int
pvt_hex_encode(struct arena *a, str_t in, str_t *out)
{
	return pvt_hex_of(a, (const unsigned char *)in.s, in.len, out);
}

static int
pvt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
pvt_hex_decode(struct arena *a, str_t in, str_t *out)
{
	char *p;

	if (in.len % 2 != 0)
		return -1;
	p = arena_alloc(a, in.len / 2 + 1);
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < in.len; i += 2) {
		int hi = pvt_hexval(in.s[i]), lo = pvt_hexval(in.s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		p[i / 2] = (char)(hi << 4 | lo);
	}
	p[in.len / 2] = '\0';
	*out = str_make(p, in.len / 2);
	return 0;
}

static void
pvt_unwrap(str_t in, char open, char close, str_t *out)
{
	if (in.len >= 2 && in.s[0] == open && in.s[in.len - 1] == close)
		*out = str_make(in.s + 1, in.len - 2);
	else
		*out = in;
}

void
pvt_unquote(str_t in, str_t *out)
{
	if (in.len >= 2 && in.s[0] == '\'')
		pvt_unwrap(in, '\'', '\'', out);
	else
		pvt_unwrap(in, '"', '"', out);
}

void
pvt_unbracket(str_t in, str_t *out)
{
	pvt_unwrap(in, '<', '>', out);
}
