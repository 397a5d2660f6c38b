/*
 * sl_reply.h - the text of a stateless reply (RFC 3261 8.2.6), its To
 * tag, and where it goes over UDP.  Pure functions: the request text, its
 * source address and the wanted status in, bytes out.
 *
 * The reply, for a request
 *
 *   OPTIONS sip:x@h SIP/2.0
 *   Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport
 *   From: <sip:a@h>;tag=f1
 *   To: <sip:x@h>
 *   Call-ID: c1
 *   CSeq: 7 OPTIONS
 *
 * received from 127.0.0.1:40000, with 403 "No SIP Here", reads
 *
 *   SIP/2.0 403 No SIP Here
 *   Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport=40000;
 *     received=127.0.0.1      (one line)
 *   From: <sip:a@h>;tag=f1
 *   To: <sip:x@h>;tag=<32 hex digits>
 *   Call-ID: c1
 *   CSeq: 7 OPTIONS
 *   [the extra header lines]
 *   [Server: ...]
 *   Content-Length: 0
 *
 * Header fields keep the request's order and spelling (compact names
 * stay compact); Record-Route is copied into 180-299 replies only; a 100
 * gets no To tag (RFC 3261 8.2.6.2 makes it optional there).
 */
#ifndef TD_SL_REPLY_H
#define TD_SL_REPLY_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/str.h"
#include "sl_msg.h"

#define SL_TAG_LEN  32          /* hex digits of a To tag */

/*
 * The To tag for the stateless replies to rq: a SHA-256 over the
 * daemon's secret, the Call-ID, the From tag and the top Via branch (the
 * CSeq number when the Via has no branch, as RFC 2543 clients send).  A
 * retransmission, and the ACK of a negative reply, give the same tag.
 * Writes SL_TAG_LEN characters (no NUL).  Returns 0, or -1 when the
 * hash cannot be computed.
 */
int sl_totag(const unsigned char *secret, size_t secret_len,
             const struct sl_req *rq, char *out);
/* Frees what sl_totag() keeps for the process (module destroy). */
void sl_totag_release(void);

struct sl_reply {
	int     code;           /* 100..699                               */
	str_t   reason;         /* no CR, LF or NUL                       */
	str_t   to_tag;         /* added to To when it has no tag         */
	str_t   hdrs;           /* extra header lines, each CRLF-ended    */
	str_t   server;         /* a "Server: ..." line without CRLF, or
	                         * empty                                  */
};

/* The most bytes sl_reply_build() can write for req and r. */
size_t sl_reply_cap(const str_t *req, const struct sl_reply *r);

/*
 * Writes the reply to req (scanned into rq by sl_req_scan()) received
 * from src into buf.  The top Via gets received= when src's address is
 * not its sent-by host (a name, or another address), and rport=PORT when
 * it has an empty rport (RFC 3581, which also forces received=).
 * Returns the length, or -1 with *err set to a static text (bad code or
 * reason, no tag to add, buffer too small).
 */
long sl_reply_build(const str_t *req, const struct sl_req *rq,
                    const struct sockaddr_storage *src,
                    const struct sl_reply *r, char *buf, size_t cap,
                    const char **err);

/*
 * Where the reply to a request that came over UDP from src goes: src's
 * address (which is what received= says, or the sent-by host when that
 * is src's address already), and the port of the top Via's rport when it
 * has one (RFC 3581), else its sent-by port, else 5060 (RFC 3261
 * 18.2.2).  maddr is not honoured: a reply never goes to an address the
 * request did not come from.
 */
void sl_reply_dest(const struct sl_req *rq,
                   const struct sockaddr_storage *src,
                   struct sockaddr_storage *dst);

#endif
