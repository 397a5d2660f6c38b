/*
 * xalloc.h - private ("pkg") memory.  On failure these log the size that
 * could not be had and return NULL: callers fail the one operation, the
 * process carries on.
 */
#ifndef TD_XALLOC_H
#define TD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);   /* always NUL-terminates */
void  xfree(void *p);

#endif
