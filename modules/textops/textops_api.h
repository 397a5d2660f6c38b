/*
 * textops_api.h - what the textops module offers other modules, through
 * mod_api_get("textops", TEXTOPS_API_VERSION).
 *
 * The sl module reads the header lines that append_to_reply() stored for
 * a message and puts them in the replies it sends for it.
 */
#ifndef TD_TEXTOPS_API_H
#define TD_TEXTOPS_API_H

#include "core/msg.h"
#include "core/str.h"

#define TEXTOPS_API_VERSION 1

struct textops_api {
	/*
	 * The header lines append_to_reply() added for m, in call order,
	 * each ending with CRLF; an empty string when there is none.  The
	 * text lives in m's arena.
	 */
	str_t (*reply_hdrs)(struct msg *m);
};

#endif
