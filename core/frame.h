/*
 * frame.h - incremental framing of one TCP (or TLS) byte stream that
 * carries SIP messages and MSRP frames mixed.
 *
 * The worker appends whatever a read() returned with frame_feed() and
 * then takes complete messages with frame_next() until it says
 * FRAME_NEED_MORE.  Boundaries may fall anywhere: one byte per read or
 * many messages per read give the same messages.
 *
 *  - A message whose first bytes are "MSRP " is an MSRP frame (RFC 4975
 *    §7): the transaction id is taken from the start line
 *    "MSRP <tid> <method|status ...>"; the frame ends at the end-line
 *    "-------<tid>" followed by one of '$', '+', '#' and CRLF.  The
 *    end-line is searched only at the start of a line.
 *  - Anything else is SIP (RFC 3261 §18.3): the header block ends at the
 *    first CRLFCRLF (bare LFLF accepted too); the body is Content-Length
 *    bytes (also the compact form "l:").  Without a Content-Length the
 *    message is an error unless no_cl_ok is set, in which case the body
 *    is empty.
 *  - CRLF keep-alives between messages: a lone "\r\n\r\n" is reported as
 *    FRAME_PING (the worker answers "\r\n"); a single stray "\r\n" before
 *    a message is skipped.
 *
 * Errors close the connection (FRAME_ERROR with a reason): a message
 * over the size limit, a header block over the limit, a start line that
 * is neither SIP nor MSRP (garbage), a NUL byte in the start line, a bad
 * or duplicate Content-Length, an MSRP start line without a valid
 * transaction id.
 */
#ifndef TD_FRAME_H
#define TD_FRAME_H

#include <stddef.h>

enum frame_kind { FRAME_SIP = 1, FRAME_MSRP = 2 };

enum frame_rc {
	FRAME_NEED_MORE = 0,    /* no complete message buffered          */
	FRAME_MSG,              /* *out describes a complete message     */
	FRAME_PING,             /* a CRLFCRLF keep-alive was consumed    */
	FRAME_ERROR,            /* the stream is broken: close it        */
};

struct frame_limits {
	size_t  sip_max;        /* whole SIP message (default 1 MiB)      */
	size_t  msrp_max;       /* whole MSRP frame (default 10 MiB)      */
	size_t  hdr_max;        /* SIP header block / MSRP headers (64 KiB) */
	int     no_cl_ok;       /* tcp_accept_no_cl                        */
};

struct frame_msg {
	enum frame_kind  kind;
	const char      *buf;   /* valid until the next frame_* call      */
	size_t           len;
	/* MSRP: the transaction id and the end-line flag ('$', '+', '#') */
	const char      *tid;
	size_t           tid_len;
	char             flag;
};

struct framer;          /* opaque: buffer and parser state */

struct framer *frame_new(const struct frame_limits *lim);
void           frame_free(struct framer *f);
/* Appends n bytes.  0, or -1 when the buffer cannot grow (out of memory
 * or over the limit: the next frame_next() returns FRAME_ERROR). */
int            frame_feed(struct framer *f, const char *p, size_t n);
/*
 * Returns the next complete message (FRAME_MSG, *out filled), a keep-
 * alive (FRAME_PING), FRAME_NEED_MORE, or FRAME_ERROR with *why set to a
 * static description ("SIP message over 1048576 bytes", ...).  The
 * previous message's bytes are released by this call.
 */
enum frame_rc  frame_next(struct framer *f, struct frame_msg *out,
                          const char **why);
/* Bytes buffered but not yet returned (for stats and tests). */
size_t         frame_pending(const struct framer *f);

#endif
