/*
 * sanity_uri.h - the syntax of the URIs and address headers the sanity
 * checks read: Request-URI, From, To, Contact (RFC 3261 20.10 and
 * 25.1, RFC 3966 for tel:, RFC 8141 for urn:), header value lists and
 * header parameters.
 *
 * Pure: every str_t points into the text given; nothing is allocated.
 */
#ifndef TD_SANITY_URI_H
#define TD_SANITY_URI_H

#include "core/str.h"

enum sanity_uri_rc {
	SANITY_URI_OK     = 0,
	SANITY_URI_BAD    = -1,     /* not a URI, or a malformed one          */
	SANITY_URI_SCHEME = -2,     /* a well-formed scheme Tandem does not
	                             * route (anything but sip, sips, tel, urn) */
};

/*
 * Checks an absolute URI: a sip: or sips: URI (user, password, host,
 * port, parameters, headers), a tel: URI, a urn:, each by its grammar.
 * Returns an enum sanity_uri_rc.
 */
int sanity_uri_check(const str_t *uri);

/*
 * Splits one From/To/Contact value (name-addr or addr-spec, then header
 * parameters): *uri is the URI (without angle brackets), *params the
 * text from the first header parameter's ';' (empty when none).
 * Returns 0, or -1 when the value is malformed (an unclosed quote or
 * '<', text after '>' that is not a parameter, no URI).
 */
int sanity_addr_split(const str_t *value, str_t *uri, str_t *params);

/*
 * The next element of a comma-separated header value, blanks trimmed;
 * commas inside quoted strings and <...> do not split.  *rest moves past
 * it.  Returns 1 with *elem set, 0 when rest holds no more text, -1 on
 * an unclosed quote or '<'.
 */
int sanity_list_next(str_t *rest, str_t *elem);

/*
 * Counts the header parameters named name (case-insensitive) in params
 * (";a=b;tag=x", as sanity_addr_split gives).  Returns the count, or -1
 * when params are malformed.
 */
int sanity_param_count(const str_t *params, const char *name);

/* 1 when c is an RFC 3261 token character. */
int sanity_is_token_char(char c);

#endif
