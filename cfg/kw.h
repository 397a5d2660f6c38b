/*
 * kw.h - the core's global parameters (debug=, listen=, ...): their
 * names, value types and where they land in struct core_cfg.
 */
#ifndef TD_CFG_KW_H
#define TD_CFG_KW_H

#include "ast.h"
#include "core/globals.h"
#include "diag.h"

/*
 * Applies one `name = value` item to c.  Unknown names, values of the
 * wrong type and malformed addresses are errors in d at the item.
 * Parameters Kamailio has but Tandem does not use are accepted with a
 * warning saying so.  0 or -1.
 */
int kw_apply_global(const struct top_item *it, struct core_cfg *c,
                    struct cfg_diag *d);

/*
 * Parses a listen address "[proto:]host[:port]" (host may be "[v6]",
 * "*" or a name).  0, or -1 with a static message in *err.
 */
int kw_parse_listen(const char *text, struct listen_spec *out,
                    const char **err);

/* yes/no/on/off/true/false/enable/disable/1/0: 1, 0, or -1. */
int kw_parse_bool(const struct top_value *v);

#endif
