/*
 * str.h - counted strings.  Nothing in Tandem assumes a str_t is
 * NUL-terminated: wire data is sliced in place.
 */
#ifndef TD_STR_H
#define TD_STR_H

#include <stddef.h>
#include <string.h>

typedef struct {
	char   *s;
	size_t  len;
} str_t;

#define STR_NULL     ((str_t){ NULL, 0 })
#define STR_LIT(lit) ((str_t){ (char *)(lit), sizeof(lit) - 1 })
#define STR_FMT(p)   (int)(p)->len, (p)->s   /* printf("%.*s", STR_FMT(&x)) */

static inline str_t str_make(const char *s, size_t len)
{
	return (str_t){ (char *)s, len };
}

static inline str_t str_cstr(const char *s)
{
	return (str_t){ (char *)s, s ? strlen(s) : 0 };
}

/* 1 when equal, 0 otherwise. */
int str_eq(const str_t *a, const str_t *b);
int str_eq_cstr(const str_t *a, const char *b);
/* case-insensitive (ASCII) variants */
int str_casecmp_eq(const str_t *a, const str_t *b);
int str_caseeq_cstr(const str_t *a, const char *b);
/* <0, 0, >0 like memcmp, shorter string first on a common prefix */
int str_cmp(const str_t *a, const str_t *b);

/* Removes leading and trailing spaces, tabs, CR and LF in place. */
void str_trim(str_t *s);

/*
 * Parses a decimal integer, optional sign, surrounding blanks allowed.
 * Returns 0 and sets *out, or -1 when s is not entirely a number or
 * overflows a long long.
 */
int str_to_ll(const str_t *s, long long *out);

/* Returns a pointer to the first occurrence of c in s, or NULL. */
char *str_chr(const str_t *s, int c);

/*
 * Splits off the next token ending at sep: *tok receives the text before
 * sep and *rest what follows it.  Returns 1 if a token was produced, 0 when
 * rest was empty.
 */
int str_token(str_t *rest, int sep, str_t *tok);

#endif
