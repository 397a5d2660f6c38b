/*
 * textops_method.h - the method list of is_method("INVITE|MESSAGE"):
 * parsed once when the config loads, matched per message.
 */
#ifndef TD_TEXTOPS_METHOD_H
#define TD_TEXTOPS_METHOD_H

#include <stddef.h>

#include "core/str.h"

#define TX_METHODS_MAX 32

struct tx_methods {
	int     n;
	str_t   m[TX_METHODS_MAX];      /* point into text           */
	char   *text;                   /* owned copy of the list    */
};

/*
 * Parses "NAME|NAME|...": each NAME a SIP token (RFC 3261 25.1), at most
 * TX_METHODS_MAX.  Returns a new list (free with tx_methods_free()), or
 * NULL with *err set to a static text ("empty method name in the list",
 * ...).
 */
struct tx_methods *tx_methods_parse(const char *text, size_t len,
                                    const char **err);

/* 1 when method is in the list (ASCII case-insensitive), else 0. */
int tx_methods_match(const struct tx_methods *ms, const str_t *method);

void tx_methods_free(struct tx_methods *ms);

#endif
