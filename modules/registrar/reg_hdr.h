/*
 * reg_hdr.h - the pure parsing of the REGISTER headers that extensions
 * add: Path (RFC 3327), Allow and the Contact "methods" parameter
 * (RFC 3261 §20.5, RFC 3840), and option tags of Supported.  No
 * module_api.h, no globals: the Check suite links this file directly.
 */
#ifndef TD_REG_HDR_H
#define TD_REG_HDR_H

#include <stddef.h>

#include "core/str.h"

/* The longest Path vector save() keeps (all Path values joined). */
#define REG_MAX_PATH  1024

/*
 * Method bits with Kamailio's values (see usrloc_api.h): ul.dump shows
 * the same "Methods" numbers as Kamailio's.
 */
#define REG_METHOD_OTHER  0x80000u

/* The bit of a method name (case-insensitive, as Kamailio); an unknown
 * method is REG_METHOD_OTHER. */
unsigned reg_method_bit(const str_t *name);

/*
 * A comma-separated list of methods (an Allow body or the unquoted value
 * of a Contact's methods parameter) into *mask, ORed in.  Empty elements
 * are skipped; an empty list adds nothing (RFC 3261 §20.5: an empty
 * Allow means no method).  0, or -1 when an element is not a token.
 */
int reg_methods_parse(const str_t *list, unsigned *mask);

/* 1 when the comma-separated option-tag list body (Supported, Require)
 * holds tag (case-insensitive), else 0. */
int reg_option_tag(const str_t *body, const char *tag);

/*
 * Checks one Path header body (RFC 3327 §4: name-addr *(; rr-param),
 * comma-separated, each URI sip: or sips:).  Sets *count to the number
 * of values and first (may be NULL) to the URI of the first, without
 * the < >, pointing into body.  0, or -1 with a message in err.
 * A Path vector saved by the registrar (the values of every Path
 * header joined with ',') is checked the same way.
 */
int reg_path_parse(const str_t *body, int *count, str_t *first, char *err,
                   size_t errlen);

#endif
