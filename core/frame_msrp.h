/*
 * frame_msrp.h - incremental MSRP framing (RFC 4975 §7.1, §9): where one
 * MSRP frame ends in a TCP byte stream.  Only frame.c uses it; it works
 * on the bytes of one frame, from its first byte ("MSRP "), and never
 * copies them.
 */
#ifndef TD_FRAME_MSRP_H
#define TD_FRAME_MSRP_H

#include <stddef.h>

#include "frame.h"

/* transact-id = ident = ALPHANUM 3*31ident-char */
#define FRAME_MSRP_TID_MIN 4
#define FRAME_MSRP_TID_MAX 32

enum frame_msrp_state {
	FMSRP_START,            /* checking the start line            */
	FMSRP_BODY,             /* searching for the end-line         */
};

/* All positions are offsets from the frame's first byte. */
struct frame_msrp {
	enum frame_msrp_state state;
	int     sl;             /* start-line checker state           */
	size_t  sl_pos;         /* next start-line byte to check      */
	size_t  sl_tok;         /* bytes of the current field         */
	size_t  tid_len;
	size_t  escan;          /* where the end-line search resumes  */
	size_t  hscan;          /* where the CRLFCRLF search resumes  */
	int     hdr_done;       /* headers known to end within hdr_max */
	size_t  pat_len;
	char    pat[2 + 7 + FRAME_MSRP_TID_MAX];  /* CRLF "-------" tid */
	char    why[64];        /* formatted error reason             */
};

/* Prepares m for a frame whose first five bytes are "MSRP ". */
void          frame_msrp_reset(struct frame_msrp *m);

/*
 * Looks at the n bytes buffered for the current frame (p is its first
 * byte; p may differ between calls, the bytes may not).  Returns
 * FRAME_MSG with *out filled (tid, tid_len and flag included),
 * FRAME_NEED_MORE, or FRAME_ERROR with *why pointing at a static string
 * or at m->why.
 */
enum frame_rc frame_msrp_next(struct frame_msrp *m, const char *p, size_t n,
                              const struct frame_limits *lim,
                              struct frame_msg *out, const char **why);

#endif
