/*
 * tm_api.h - what the tm module offers other modules, through
 * mod_api_get("tm", TM_API_VERSION): new requests sent statefully (a
 * UAC transaction: retransmitted over UDP, ended by a final reply or by
 * fr_timer) and stateful replies to the message being routed.
 */
#ifndef TD_TM_API_H
#define TD_TM_API_H

#include <stdint.h>

#include "core/msg.h"
#include "core/str.h"

#define TM_API_VERSION 2

/*
 * Called once per UAC transaction with its final status: the code of
 * the final reply (200..699), or 408 when fr_timer fired without one,
 * or 477/503 when the request could not be sent at all after t_uac()
 * returned.  It runs in whichever process saw the end (a receiver, a
 * TCP worker or the timer process), so `param` is plain data, never a
 * pointer into one process's memory.
 */
typedef void (*tm_uac_cb)(int code, uint64_t param);
typedef void (*tm_final_cb)(struct msg *req, int code, const str_t *reason,
                            const str_t *to_tag);

/* What tmx's pseudo-variables and tests read of a message's transaction. */
struct tm_info {
	int     branch_idx;     /* the branch (0 the first; in branch_route
	                         * the one about to be sent)                */
	int     status;         /* final status sent upstream, 0 none yet   */
	int     reply_code;     /* the branch's last reply, 0 none          */
	int     canceled;       /* a CANCEL came for it                     */
};

struct tm_uac_req {
	str_t   method;         /* "MESSAGE"                                */
	str_t   ruri;           /* Request-URI                              */
	str_t   to;             /* To URI (also the Request-URI if ruri is
	                         * empty)                                   */
	str_t   from;           /* From URI; tm adds the tag                */
	str_t   hdrs;           /* extra header lines, each CRLF-ended      */
	str_t   body;           /* may be empty                             */
	str_t   next_hop;       /* outbound proxy URI, or empty: the
	                         * Request-URI decides where it goes        */
};

struct tm_api {
	/*
	 * Sends r as a new transaction (Via, Call-ID, CSeq, From tag,
	 * Max-Forwards and Content-Length are added).  cb (may be NULL) gets
	 * the outcome.  1 when sent (or queued), -1 when it could not even
	 * be built or sent (logged; cb is not called then).
	 */
	int (*t_uac)(const struct tm_uac_req *r, tm_uac_cb cb, uint64_t param);

	/*
	 * Replies to m statefully, as t_reply() in the script does: in a
	 * request route on the transaction of m (made by t_newtran() or
	 * t_relay()), in failure_route on the transaction that failed.
	 * 1 or -1.
	 */
	int (*t_reply)(struct msg *m, int code, const str_t *reason);

	/*
	 * Registers cb (in a module's init, before fork; up to 8): it is
	 * called once per server transaction, when its first final reply
	 * (>= 200) goes upstream, relayed or made by tm (t_reply(), the 408
	 * of a timeout).  req is the request as received, its script flags
	 * those of the last t_newtran()/t_relay()/t_reply() on it; code,
	 * reason and to_tag are the reply's.  It runs in the process that
	 * sends the reply, with the transaction locked: keep it short.
	 * 0 or -1.
	 */
	int (*register_final_cb)(tm_final_cb cb);

	/*
	 * The transaction of m (a request in request, branch or failure
	 * route, or a reply in onreply_route): 1 with *out filled, -1 when
	 * m has none.
	 */
	int (*info)(struct msg *m, struct tm_info *out);

	/*
	 * t_precheck_trans(): 1 when the same request is being routed right
	 * now by another process (a retransmission the script should drop),
	 * -1 otherwise (m is then noted until its processing ends).
	 */
	int (*precheck)(struct msg *m);
};

#endif
