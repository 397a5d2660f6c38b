/*
 * frame_msrp.c - incremental MSRP framing.
 *
 * An MSRP frame (RFC 4975 §7.1) is a start line "MSRP tid method" or
 * "MSRP tid code [comment]", headers, an optional body, and the end-line
 * "-------" tid flag CRLF.  The body has no length: the frame ends at the
 * first end-line that starts a line, so the framer searches for
 * CRLF "-------" tid and then checks the flag and the CRLF.  A frame
 * without body has its end-line right after the last header's CRLF, and
 * the start line's own CRLF may precede it, so the search begins there.
 *
 * The search resumes where it stopped (minus a partial match), so one
 * byte per read stays linear even for a 10 MiB frame.  As in frame_sip.c
 * every decision depends only on the first min(n, limit) bytes, so any
 * split of the stream gives the same frames and the same error.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frame_msrp.h"
#include "frame_sip.h"          /* FRAME_START_MAX */

/* Start-line checker (after "MSRP "), RFC 4975 §9:
 *   req-start  = pMSRP SP transact-id SP method CRLF
 *   resp-start = pMSRP SP transact-id SP status-code [SP comment] CRLF */
enum {
	ML_TID,
	ML_WHAT,        /* first byte after the tid: method or status  */
	ML_METHOD,      /* 1*UPALPHA                                  */
	ML_CODE,
	ML_CODE_END,
	ML_COMMENT,
	ML_CR,
	ML_DONE,
	ML_BAD,
	ML_BAD_TID,
};

/* ident-char = ALPHANUM / "." / "-" / "+" / "%" / "=" */
static inline int
is_alnum(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

static inline int
is_ident(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '+' || c == '%' ||
	    c == '=';
}

static int
ml_tid(unsigned char c, size_t *tok)
{
	if (*tok == 0 ? is_alnum(c) : is_ident(c))
		return ++*tok > FRAME_MSRP_TID_MAX ? ML_BAD_TID : ML_TID;
	if (*tok < FRAME_MSRP_TID_MIN)
		return ML_BAD_TID;
	if (c == ' ')
		return ML_WHAT;
	/* a complete tid followed by CR: the method is what is missing */
	return c == '\r' || c == '\n' ? ML_BAD : ML_BAD_TID;
}

/* Checks one start-line byte: returns the next checker state; *tok
 * counts the bytes of the current field (the tid's length stays in
 * m->tid_len). */
static int
ml_byte(struct frame_msrp *m, int st, unsigned char c, size_t *tok)
{
	switch (st) {
	case ML_TID:
		st = ml_tid(c, tok);
		if (st == ML_WHAT) {
			m->tid_len = *tok;
			*tok = 0;
		}
		return st;
	case ML_WHAT:
		if ((unsigned)(c - 'A') < 26)
			return ML_METHOD;
		if ((unsigned)(c - '0') >= 10)
			return ML_BAD;
		*tok = 1;
		return ML_CODE;
	case ML_METHOD:
		if ((unsigned)(c - 'A') < 26)
			return ML_METHOD;
		return c == '\r' ? ML_CR : ML_BAD;
	case ML_CODE:
		if ((unsigned)(c - '0') >= 10)
			return ML_BAD;
		return ++*tok == 3 ? ML_CODE_END : ML_CODE;
	case ML_CODE_END:
		return c == ' ' ? ML_COMMENT : c == '\r' ? ML_CR : ML_BAD;
	case ML_COMMENT:
		return c == '\0' || c == '\n' ? ML_BAD :
		    c == '\r' ? ML_CR : ML_COMMENT;
	case ML_CR:
		return c == '\n' ? ML_DONE : ML_BAD;
	}
	return ML_BAD;
}

/* Checks start-line bytes up to end, resuming where the last call
 * stopped.  On a bad state sl_pos is the offending byte, on ML_DONE the
 * first byte after the LF. */
static void
ml_run(struct frame_msrp *m, const char *p, size_t end)
{
	size_t i = m->sl_pos, tok = m->sl_tok;
	int st = m->sl;

	while (i < end && st != ML_DONE && st != ML_BAD && st != ML_BAD_TID) {
		st = ml_byte(m, st, (unsigned char)p[i], &tok);
		if (st != ML_BAD && st != ML_BAD_TID)
			i++;
	}
	m->sl = st;
	m->sl_pos = i;
	m->sl_tok = tok;
}

static enum frame_rc
msrp_fail(struct frame_msrp *m, const char **why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum frame_rc
msrp_fail(struct frame_msrp *m, const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	*why = m->why;
	return FRAME_ERROR;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t r = a < b ? a : b;

	return r < c ? r : c;
}

static enum frame_rc
msrp_start(struct frame_msrp *m, const char *p, size_t n,
    const struct frame_limits *lim, const char **why)
{
	size_t max = min3(FRAME_START_MAX, lim->hdr_max, lim->msrp_max);

	ml_run(m, p, n < max ? n : max);
	switch (m->sl) {
	case ML_DONE:
		memcpy(m->pat, "\r\n-------", 9);
		memcpy(m->pat + 9, p + 5, m->tid_len);
		m->pat_len = 9 + m->tid_len;
		/* the start line's CRLF may be the one before the end-line */
		m->escan = m->sl_pos - 2;
		m->state = FMSRP_BODY;
		return FRAME_NEED_MORE;
	case ML_BAD:
	case ML_BAD_TID:
		if (p[m->sl_pos] == '\0')
			*why = "NUL byte in start line";
		else if (m->sl == ML_BAD_TID)
			*why = "bad MSRP transaction id";
		else
			*why = "bad MSRP start line";
		return FRAME_ERROR;
	}
	if (n >= max)
		return msrp_fail(m, why, "start line over %zu bytes", max);
	return FRAME_NEED_MORE;
}

/*
 * Finds the end-line within the first w bytes.  Returns 1 and sets
 * *eline to the offset of the CRLF before it, or 0 having moved escan to
 * the first position a later match could start at.
 */
static int
msrp_find_end(struct frame_msrp *m, const char *p, size_t w, size_t *eline)
{
	size_t need = m->pat_len + 3, at;
	const char *hit, *t;

	while (m->escan + need <= w) {
		hit = memmem(p + m->escan, w - m->escan, m->pat, m->pat_len);
		if (hit == NULL) {
			m->escan = w - m->pat_len + 1;
			return 0;
		}
		at = (size_t)(hit - p);
		if (at + need > w) {
			m->escan = at;  /* flag and CRLF not here yet */
			return 0;
		}
		t = hit + m->pat_len;
		if ((t[0] == '$' || t[0] == '+' || t[0] == '#') &&
		    t[1] == '\r' && t[2] == '\n') {
			*eline = at;
			return 1;
		}
		/* "-------tidX" with a longer id, or no CRLF: body data */
		m->escan = at + 1;
	}
	return 0;
}

/*
 * The headers end at the first CRLFCRLF or at the end-line, whichever
 * comes first, and must do so within hdr_max.  bound is where they end
 * at the latest; when it is past hdr_max the first hdr_max bytes are all
 * buffered, and one search over them settles it.
 */
static int
msrp_hdrs_ok(struct frame_msrp *m, const char *p, size_t bound,
    size_t hdr_max)
{
	if (m->hdr_done || bound <= hdr_max)
		return 1;
	m->hdr_done = memmem(p, hdr_max, "\r\n\r\n", 4) != NULL;
	return m->hdr_done;
}

static enum frame_rc
msrp_hdr_over(struct frame_msrp *m, const struct frame_limits *lim,
    const char **why)
{
	return msrp_fail(m, why, "MSRP headers over %zu bytes", lim->hdr_max);
}

static enum frame_rc
msrp_body(struct frame_msrp *m, const char *p, size_t n,
    const struct frame_limits *lim, struct frame_msg *out, const char **why)
{
	size_t w = n < lim->msrp_max ? n : lim->msrp_max, eline;

	if (msrp_find_end(m, p, w, &eline)) {
		if (!msrp_hdrs_ok(m, p, eline + 2, lim->hdr_max))
			return msrp_hdr_over(m, lim, why);
		out->kind = FRAME_MSRP;
		out->buf = p;
		out->len = eline + m->pat_len + 3;
		out->tid = p + 5;
		out->tid_len = m->tid_len;
		out->flag = p[eline + m->pat_len];
		return FRAME_MSG;
	}
	/* Past this many bytes an end-line starting within hdr_max would
	 * have been found: without a CRLFCRLF the headers are too long. */
	if (w >= lim->hdr_max + m->pat_len + 1 &&
	    !msrp_hdrs_ok(m, p, w, lim->hdr_max))
		return msrp_hdr_over(m, lim, why);
	if (n >= lim->msrp_max)
		return msrp_fail(m, why, "MSRP frame over %zu bytes",
		    lim->msrp_max);
	return FRAME_NEED_MORE;
}

void
frame_msrp_reset(struct frame_msrp *m)
{
	memset(m, 0, sizeof(*m));
	m->state = FMSRP_START;
	m->sl = ML_TID;
	m->sl_pos = 5;          /* "MSRP " was matched by the demux */
}

enum frame_rc
frame_msrp_next(struct frame_msrp *m, const char *p, size_t n,
    const struct frame_limits *lim, struct frame_msg *out, const char **why)
{
	enum frame_msrp_state st;
	enum frame_rc rc;

	/* FRAME_NEED_MORE after a state change means "go on" */
	do {
		st = m->state;
		switch (st) {
		case FMSRP_START:
			rc = msrp_start(m, p, n, lim, why);
			break;
		case FMSRP_BODY:
			rc = msrp_body(m, p, n, lim, out, why);
			break;
		default:
			*why = "MSRP framer in a bad state";
			return FRAME_ERROR;
		}
	} while (rc == FRAME_NEED_MORE && m->state != st);
	return rc;
}
