/*
 * mf_value.h - what mf_process_maxfwd_header() decides from the
 * Max-Forwards value of a request (RFC 3261 16.6 step 3 and 20.22).
 */
#ifndef TD_MF_VALUE_H
#define TD_MF_VALUE_H

#include "core/str.h"

#define MF_LIMIT_MAX 256        /* highest max_limit accepted */

/* The return codes of mf_process_maxfwd_header(), as Kamailio's. */
enum mf_result {
	MF_ADDED       = 2,     /* none: one with the given value goes out */
	MF_DECREMENTED = 1,     /* it goes out one lower (<= limit)        */
	MF_ZERO        = -1,    /* it is 0: answer 483 Too Many Hops       */
	MF_BAD         = -2,    /* it is not a number                      */
};

/*
 * value: the header's value, or NULL when the request has none.
 * add: the value of a header added when there is none.
 * limit: max_limit; a decremented value above it is lowered to it.
 * *out receives the value the forwarded request carries (MF_ADDED,
 * MF_DECREMENTED) or 0 (MF_ZERO).
 */
enum mf_result mf_process(const str_t *value, int add, int limit, int *out);

/*
 * The number in a Max-Forwards value (1*DIGIT between blanks).  Returns
 * 0, or -1 when it is not a number or does not fit an int.
 */
int mf_parse(const str_t *value, int *out);

#endif
