/*
 * pv_trans.h - the pure string work behind the {s.*}, {uri.*} and
 * {param.*} transformations: functions of a str_t that put what they
 * build in an arena.  No module interface, no globals, so the unit
 * tests call them directly.
 *
 * Unless said otherwise a function returns 0 with *out set, or -1 when
 * the input does not fit (out of range, not a number, arena full).
 * Results may point into the input when they are a slice of it.
 */
#ifndef TD_PV_TRANS_H
#define TD_PV_TRANS_H

#include "core/arena.h"
#include "core/str.h"

/* --- {s.*} ------------------------------------------------------------- */

/* Strict integer: optional sign then digits, nothing else. */
int  pvt_int(str_t in, long long *out);
/*
 * Kamailio's {s.substr,off,len}: off < 0 counts from the end, len 0
 * means "to the end", a len past the end is cut; an offset outside the
 * string is -1.
 */
int  pvt_substr(str_t in, long long off, long long len, str_t *out);
/*
 * Field idx (0.., < 0 from the end) of in split at sep.  A missing field
 * gives the empty string (not an error), as in Kamailio.
 */
void pvt_select(str_t in, long long idx, char sep, str_t *out);
int  pvt_case(struct arena *a, str_t in, int upper, str_t *out);
/* Drops n bytes from the start (tail == 0) or the end; n <= 0: none. */
void pvt_strip(str_t in, long long n, int tail, str_t *out);
/* Blanks (space, tab, CR, LF) off the left and/or right end. */
void pvt_trim(str_t *s, int left, int right);
/* Backslash before ' " \ and NUL (written \0); and back. */
int  pvt_escape_common(struct arena *a, str_t in, str_t *out);
int  pvt_unescape_common(struct arena *a, str_t in, str_t *out);
/* Every occurrence of from replaced by to ({s.rm} is to = ""). */
int  pvt_replace(struct arena *a, str_t in, str_t from, str_t to,
                 str_t *out);
/* Only the decimal digits of in. */
int  pvt_numeric(struct arena *a, str_t in, str_t *out);
/* Lowercase hex digest; alg is an OpenSSL name ("md5", "sha256"). */
int  pvt_digest(struct arena *a, str_t in, const char *alg, str_t *out);
int  pvt_hex_encode(struct arena *a, str_t in, str_t *out);
/* -1 on an odd length or a non-hex digit. */
int  pvt_hex_decode(struct arena *a, str_t in, str_t *out);
/* Removes one pair of enclosing quotes ("..." or '...') / <...>. */
void pvt_unquote(str_t in, str_t *out);
void pvt_unbracket(str_t in, str_t *out);

/* --- {uri.*} ------------------------------------------------------------- */

struct pvt_uri {
	str_t scheme;       /* as written: "sip", "SIPS", "tel"           */
	str_t user;         /* may hold user parameters: "bob;npdi"      */
	str_t passwd;
	str_t host;         /* IPv6 keeps its brackets                   */
	str_t port;         /* empty when absent                         */
	str_t params;       /* after the first ';' of hostport, up to '?' */
	str_t headers;      /* after '?'                                 */
};

/*
 * Parses sip:, sips:, tel: and tels: URIs (scheme case-insensitive).
 * -1 for anything else, an empty host, "@" with an empty user, or a
 * port that is not a number in 0..65535.
 */
int  pvt_uri_parse(str_t in, struct pvt_uri *u);

/* --- {param.*} ----------------------------------------------------------- */

struct pvt_param {
	str_t name;
	str_t value;        /* empty when the parameter has no '=' value */
};

/*
 * Parameter lists "a=1;b;c=\"x;y\"" split at delim outside double quotes;
 * blanks around names and values are skipped, empty entries ignored and
 * a quoted value is returned without its quotes.
 */
int  pvt_param_count(str_t list, char delim);
/* 1 when entry idx (< 0 from the end) exists, else 0. */
int  pvt_param_at(str_t list, char delim, long long idx,
                  struct pvt_param *p);
/* 1 when a parameter named name (case-insensitive) exists, else 0. */
int  pvt_param_find(str_t list, char delim, str_t name, str_t *value);

#endif
