/*
 * su_uri.h - the SIP URI pieces siputils looks at, read from text
 * without a parser library: scheme, user, host, port, the parameters,
 * and the comparisons of RFC 3261 19.1.4.
 */
#ifndef TD_SU_URI_H
#define TD_SU_URI_H

#include "core/str.h"

struct su_uri {
	int     secure;         /* sips:                                  */
	str_t   user;           /* without its ;params (tel-subscriber)   */
	str_t   host;           /* IPv6 references keep their brackets    */
	int     port;           /* 0 when absent                          */
	str_t   params;         /* after the host[:port], from the first ';'
	                         * up to '?' or the end; empty when none   */
	str_t   headers;        /* after '?', without it                  */
};

/* 0, or -1 when text is not a sip:/sips: URI with a host. */
int su_uri_parse(const str_t *text, struct su_uri *u);

/*
 * Looks for ;name[=value] in params (names case-insensitive).  1 found
 * (*value set, empty when the parameter has none), 0 not there.
 */
int su_param_find(const str_t *params, const str_t *name, str_t *value);

/* "+" and 2 to 15 digits (E.164, as Kamailio checks it). */
int su_is_e164(const str_t *s);

/*
 * RFC 3261 19.1.4: 1 equal, 0 not, -1 one does not parse.  Scheme and
 * user case-sensitive, host case-insensitive, port as written (absent
 * is not 5060), user/ttl/method/maddr/transport must match when either
 * has them, other parameters only when both have them, headers ignored.
 */
int su_uri_cmp(const str_t *a, const str_t *b);

/*
 * The address-of-record comparison (Kamailio's cmp_aor): user and host
 * (as above) and the port, an absent port being the scheme's default.
 */
int su_aor_cmp(const str_t *a, const str_t *b);

/*
 * uri with ";param" added before its headers, into buf (cap bytes).
 * The length, or -1 when uri does not parse or buf is too small.
 */
long su_uri_add_param(const str_t *uri, const str_t *param, char *buf,
                      size_t cap);

#endif
