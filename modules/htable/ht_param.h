/*
 * ht_param.h - the htable module's configuration, parsed in private
 * memory: the "name=>key=value;..." table definitions of
 * modparam("htable", "htable", ...) and the "table=>rest" references of
 * the pseudo-variables and functions.  Nothing here touches shared
 * memory: the modparam setters run before it exists (and during
 * `tandem -c`, where it never does).
 */
#ifndef TD_HT_PARAM_H
#define TD_HT_PARAM_H

#include <regex.h>
#include <stddef.h>

#include "core/str.h"

#define HT_SIZE_DEFAULT   4     /* 2^4 = 16 slots, as Kamailio          */
#define HT_SIZE_SMALL     3     /* what size=0 and size=1 give (8)      */
#define HT_SIZE_FALLBACK  14    /* what size > 31 gives (16384)         */
#define HT_SIZE_MAX       24    /* Tandem's limit: 16777216 slots       */

/* One table as the config defines it. */
struct ht_spec {
	char         *name;             /* NUL-terminated, owned            */
	unsigned      size;             /* the exponent: 2^size slots       */
	unsigned      autoexpire;       /* seconds; 0 = items never expire  */
	int           has_initval;
	long long     initval;
	int           updateexpire;     /* 1: a write restarts the expiry   */
};

/* Every table defined so far, in definition order. */
struct ht_specs {
	struct ht_spec *v;
	unsigned        n, cap;
};

/*
 * Parses one definition ("msrp=>size=8;autoexpire=3600;") into *out.
 * Returns 0; or -1 with a message in err (nothing to free).  *warn is
 * set (0 or 1) when a value was accepted but changed, with the reason in
 * err, as Kamailio's out-of-range sizes are.
 */
int  ht_spec_parse(const char *text, size_t len, struct ht_spec *out,
                   int *warn, char *err, size_t errlen);
void ht_spec_clear(struct ht_spec *s);

/* Appends s (ownership moves to l).  -1 when the name is taken or no
 * memory, with a message in err; s is then cleared. */
int  ht_specs_add(struct ht_specs *l, struct ht_spec *s, char *err,
                  size_t errlen);
/* Index of the table named name, or -1. */
int  ht_specs_find(const struct ht_specs *l, const str_t *name);
void ht_specs_free(struct ht_specs *l);

/*
 * Splits "table=>rest" at the first "=>": *table gets the name without
 * surrounding blanks, *rest what follows (untouched).  0, or -1 when
 * there is no "=>" or the name is empty.
 */
int  ht_split_ref(const str_t *in, str_t *table, str_t *rest);

/* The flags of every htable regexp: extended, case-insensitive (as
 * Kamailio's htable matches). */
#define HT_RE_FLAGS  (REG_EXTENDED | REG_ICASE | REG_NOSUB)

/* Compiles s (any bytes, not NUL-terminated) into re.  0, or -1 with
 * regerror()'s text in err (re is then not to be freed). */
int  ht_re_compile(regex_t *re, const str_t *s, char *err, size_t errlen);

#endif
