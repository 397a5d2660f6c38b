/*
 * xlog_level.c - xlog's level names and buffer limit, kept free of the
 * module interface so that the unit tests link this file alone.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>

#include "core/log.h"
#include "xlog_level.h"

int
xlog_level_clamp(long long n)
{
	if (n < L_ALERT)
		return L_ALERT;
	if (n > INT_MAX)
		return INT_MAX;
	return (int)n;
}

int
xlog_level_parse(const str_t *s, int *level)
{
	long long n;

	if (s->len >= 3 && (s->s[0] == 'L' || s->s[0] == 'l') &&
	    s->s[1] == '_') {
		/* Kamailio looks at the letter after "L_" only */
		switch (toupper((unsigned char)s->s[2])) {
		case 'A': *level = L_ALERT;  return 0;
		case 'B': *level = L_BUG;    return 0;
		case 'C': *level = L_CRIT;   return 0;
		case 'E': *level = L_ERR;    return 0;
		case 'W': *level = L_WARN;   return 0;
		case 'N': *level = L_NOTICE; return 0;
		case 'I': *level = L_INFO;   return 0;
		case 'D': *level = L_DBG;    return 0;
		default:  return -1;
		}
	}
	if (str_to_ll(s, &n) == 0) {
		*level = xlog_level_clamp(n);
		return 0;
	}
	return -1;
}

int
xlog_fits(size_t len, int cap)
{
	return cap > 0 && len < (size_t)cap ? 0 : -1;
}
