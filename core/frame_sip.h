/*
 * frame_sip.h - incremental SIP framing (RFC 3261 §18.3): where one SIP
 * message ends in a TCP byte stream (frame.c) or a datagram (udp_recv.c,
 * so both accept the same messages).  It works on the bytes of one
 * message, from its first byte, and never copies them.
 */
#ifndef TD_FRAME_SIP_H
#define TD_FRAME_SIP_H

#include <stddef.h>

#include "frame.h"

/* Longest start line (SIP or MSRP) read before the stream is refused. */
#define FRAME_START_MAX 8192

enum frame_sip_state {
	FSIP_START,             /* checking the start line                */
	FSIP_HDRS,              /* reading header lines up to the empty one */
	FSIP_BODY,              /* waiting for Content-Length body bytes   */
};

/* All positions are offsets from the message's first byte: the buffer
 * under it may move between calls. */
struct frame_sip {
	enum frame_sip_state state;
	int     sl;             /* start-line checker state               */
	size_t  sl_pos;         /* next start-line byte to check          */
	size_t  sl_tok;         /* bytes of the current start-line field  */
	size_t  line;           /* start of the header line being read    */
	size_t  scan;           /* where the search for its LF resumes    */
	size_t  hdr_len;        /* header block incl. the empty line      */
	size_t  cl;             /* Content-Length once have_cl            */
	int     have_cl;
	int     cl_open;        /* a Content-Length value may still fold  */
	size_t  cl_val;         /* start of that value                    */
	size_t  cl_end;         /* its end, past the folded lines         */
	char    why[64];        /* formatted error reason                 */
};

/* Prepares s for a message starting at the next byte. */
void          frame_sip_reset(struct frame_sip *s);

/*
 * Looks at the n bytes buffered for the current message (p is its first
 * byte; p may differ between calls, the bytes may not).  Returns
 * FRAME_MSG with *out filled, FRAME_NEED_MORE, or FRAME_ERROR with *why
 * pointing at a static string or at s->why.
 */
enum frame_rc frame_sip_next(struct frame_sip *s, const char *p, size_t n,
                             const struct frame_limits *lim,
                             struct frame_msg *out, const char **why);

#endif
