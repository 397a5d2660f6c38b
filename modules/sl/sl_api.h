/*
 * sl_api.h - what the sl module offers other modules, through
 * mod_api_get("sl", SL_API_VERSION): stateless replies with extra header
 * lines (auth's 401 with WWW-Authenticate, registrar's 200 with
 * Contact), and the error sl_reply_error() answers with.
 */
#ifndef TD_SL_API_H
#define TD_SL_API_H

#include "core/msg.h"
#include "core/str.h"

#define SL_API_VERSION 1

struct sl_api {
	/*
	 * Sends a stateless reply to request m (see sl_send_reply() in
	 * README.md).  hdrs (NULL or empty: none) are header lines, each
	 * ending with CRLF, put after those of append_to_reply().  Returns
	 * 1 when sent (or m is an ACK, which is never answered), -1 on
	 * error (logged).
	 */
	int (*reply)(struct msg *m, int code, const str_t *reason,
	             const str_t *hdrs);
	/*
	 * Records why processing m failed: a later sl_reply_error() answers
	 * with code and reason (a static string).  The last call wins.
	 */
	void (*set_error)(struct msg *m, int code, const char *reason);
	/* The To tag sl's replies to m carry (in m's arena).  0 or -1. */
	int (*get_totag)(struct msg *m, str_t *out);
};

#endif
