/*
 * maxfwd_api.h - what the maxfwd module offers other modules, through
 * mod_api_get("maxfwd", MAXFWD_API_VERSION).
 *
 * Tandem does not rewrite a received message in place: the Max-Forwards
 * value mf_process_maxfwd_header() decided is recorded per message, and
 * whoever forwards the request writes it.
 */
#ifndef TD_MAXFWD_API_H
#define TD_MAXFWD_API_H

#include "core/msg.h"

#define MAXFWD_API_VERSION 1

struct maxfwd_api {
	/*
	 * The Max-Forwards value the forwarded copy of m must carry, and
	 * whether the header is to be added (1) or its value replaced (0).
	 * Returns 1 when mf_process_maxfwd_header() recorded one for m, 0
	 * when it did not run (the request goes out as it came).
	 */
	int (*fwd_value)(struct msg *m, int *value, int *added);
};

#endif
