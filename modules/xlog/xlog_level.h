/*
 * xlog_level.h - what xlog's level and facility arguments mean: pure
 * parsing, shared by the module and its unit tests.
 */
#ifndef TD_XLOG_LEVEL_H
#define TD_XLOG_LEVEL_H

#include "core/str.h"

/*
 * A level written as a name or a number.  Names are Kamailio's: "L_"
 * followed by a word whose first letter decides (L_ALERT, L_BUG,
 * L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO, L_DBG; so "L_ERROR" is
 * L_ERR, as in Kamailio).  A number is the level itself (-5..3, and
 * higher levels that only a debug above 3 shows), clamped to
 * xlog_level_clamp().  Returns 0 and *level, or -1 when s is neither.
 */
int xlog_level_parse(const str_t *s, int *level);

/* n as a level: below L_ALERT is L_ALERT, above INT_MAX is INT_MAX. */
int xlog_level_clamp(long long n);

/*
 * The text that goes to the logger: at most cap - 1 bytes of msg (cap
 * is buf_size).  Returns 0, or -1 when msg does not fit, which xlog
 * reports instead of printing a cut line (Kamailio does the same).
 */
int xlog_fits(size_t len, int cap);

#endif
