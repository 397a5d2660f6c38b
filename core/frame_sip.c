/*
 * frame_sip.c - incremental SIP framing.
 *
 * A SIP message on a stream is a start line, header lines, an empty line
 * and Content-Length bytes of body (RFC 3261 §18.3).  Every byte is looked
 * at once: the start-line checker keeps its state between calls, and each
 * header line is read when its LF has arrived, with the LF search resuming
 * where it stopped.  Feeding one byte at a time therefore costs the same
 * as feeding the whole message.  Only Content-Length is interpreted; the
 * full parse is sip.c's job, later, on the complete message.
 *
 * Each decision depends only on the first min(n, limit) bytes, never on
 * how they arrived, so any split of the stream gives the same messages and
 * the same error.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frame_sip.h"

/* Start-line checker: request "METHOD SP Request-URI SP SIP/2.0" or
 * status "SIP/2.0 SP 3DIGIT [SP Reason-Phrase]", CRLF or bare LF. */
enum {
	SL_METHOD,      /* token; "SIP/" turns it into a status line */
	SL_URI,
	SL_RVER,        /* "SIP/2.0" closing a request line   */
	SL_SVER,        /* "SIP/2.0" opening a status line    */
	SL_CODE,
	SL_CODE_END,
	SL_REASON,
	SL_CR,
	SL_DONE,
	SL_BAD,
};

static const char sip_ver[] = "SIP/2.0";

static inline unsigned char
lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/* RFC 3261 §25.1 token */
static inline int
is_token(unsigned char c)
{
	if ((unsigned)(lc(c) - 'a') < 26 || (unsigned)(c - '0') < 10)
		return 1;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*':
	case '_': case '+': case '`': case '\'': case '~':
		return 1;
	}
	return 0;
}

/* Matches the next byte of "SIP/2.0" (the version is case-insensitive,
 * RFC 3261 §7.1). */
static inline int
ver_byte(unsigned char c, size_t k)
{
	return lc(c) == lc((unsigned char)sip_ver[k]);
}

/* Checks one start-line byte: returns the next checker state; *tok
 * counts the bytes of the current field. */
static int
sl_byte(int st, unsigned char c, size_t *tok, const char *line)
{
	switch (st) {
	case SL_METHOD:
		if (is_token(c)) {
			++*tok;
			return SL_METHOD;
		}
		if (c == ' ' && *tok > 0) {
			*tok = 0;
			return SL_URI;
		}
		/* "SIP" is also a valid method token: only the '/' tells */
		if (c == '/' && *tok == 3 && ver_byte((unsigned char)line[0], 0) &&
		    ver_byte((unsigned char)line[1], 1) &&
		    ver_byte((unsigned char)line[2], 2)) {
			*tok = 4;
			return SL_SVER;
		}
		return SL_BAD;
	case SL_URI:
		if (c > ' ' && c != 0x7f) {
			++*tok;
			return SL_URI;
		}
		if (c != ' ' || *tok == 0)
			return SL_BAD;
		*tok = 0;
		return SL_RVER;
	case SL_RVER:
		if (*tok == 7)
			return c == '\r' ? SL_CR : c == '\n' ? SL_DONE : SL_BAD;
		if (!ver_byte(c, (*tok)++))
			return SL_BAD;
		return SL_RVER;
	case SL_SVER:
		if (*tok == 7) {
			*tok = 0;
			return c == ' ' ? SL_CODE : SL_BAD;
		}
		if (!ver_byte(c, (*tok)++))
			return SL_BAD;
		return SL_SVER;
	case SL_CODE:
		if ((unsigned)(c - '0') >= 10)
			return SL_BAD;
		return ++*tok == 3 ? SL_CODE_END : SL_CODE;
	case SL_CODE_END:
		/* a missing reason phrase is tolerated (robustness) */
		return c == ' ' ? SL_REASON : c == '\r' ? SL_CR :
		    c == '\n' ? SL_DONE : SL_BAD;
	case SL_REASON:
		return c == '\0' ? SL_BAD : c == '\r' ? SL_CR :
		    c == '\n' ? SL_DONE : SL_REASON;
	case SL_CR:
		return c == '\n' ? SL_DONE : SL_BAD;
	}
	return SL_BAD;
}

/* Checks start-line bytes up to end, resuming where the last call
 * stopped.  On SL_BAD sl_pos is the offending byte, on SL_DONE the first
 * byte after the LF. */
static void
sl_run(struct frame_sip *s, const char *p, size_t end)
{
	size_t i = s->sl_pos, tok = s->sl_tok;
	int st = s->sl;

	while (i < end && st != SL_DONE && st != SL_BAD) {
		st = sl_byte(st, (unsigned char)p[i], &tok, p);
		if (st != SL_BAD)
			i++;
	}
	s->sl = st;
	s->sl_pos = i;
	s->sl_tok = tok;
}

static enum frame_rc
sip_fail(struct frame_sip *s, const char **why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum frame_rc
sip_fail(struct frame_sip *s, const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	*why = s->why;
	return FRAME_ERROR;
}

/* The header block (and the start line in it) may not exceed hdr_max, nor
 * the whole message sip_max. */
static size_t
hdr_window(const struct frame_limits *lim)
{
	return lim->hdr_max < lim->sip_max ? lim->hdr_max : lim->sip_max;
}

static enum frame_rc
sip_start(struct frame_sip *s, const char *p, size_t n,
    const struct frame_limits *lim, const char **why)
{
	size_t max = hdr_window(lim);

	if (max > FRAME_START_MAX)
		max = FRAME_START_MAX;
	sl_run(s, p, n < max ? n : max);
	if (s->sl == SL_DONE) {
		s->line = s->scan = s->sl_pos;
		s->state = FSIP_HDRS;
		return FRAME_NEED_MORE;
	}
	if (s->sl == SL_BAD) {
		/* the first byte that cannot belong to a start line decides
		 * the reason, whatever follows it */
		*why = p[s->sl_pos] == '\0' ? "NUL byte in start line" :
		    "not a SIP or MSRP start line";
		return FRAME_ERROR;
	}
	if (n >= max)
		return sip_fail(s, why, "start line over %zu bytes", max);
	return FRAME_NEED_MORE;
}

static inline int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Is the line [h, h + n) a Content-Length header?  Sets *val to the
 * offset of its value. */
static int
is_cl(const char *h, size_t n, size_t *val)
{
	static const char name[] = "content-length";
	size_t i;

	if (lc((unsigned char)h[0]) == 'l') {
		i = 1;          /* compact form, RFC 3261 §7.3.3 */
	} else if (n >= sizeof(name) - 1) {
		for (i = 0; i < sizeof(name) - 1; i++)
			if (lc((unsigned char)h[i]) != (unsigned char)name[i])
				return 0;
	} else
		return 0;
	while (i < n && (h[i] == ' ' || h[i] == '\t'))
		i++;
	if (i == n || h[i] != ':')
		return 0;
	*val = i + 1;
	return 1;
}

/* Parses the pending Content-Length value (folded lines included). */
static enum frame_rc
cl_close(struct frame_sip *s, const char *p, const struct frame_limits *lim,
    const char **why)
{
	size_t i = s->cl_val, end = s->cl_end, v = 0, digits = 0;

	s->cl_open = 0;
	while (i < end && is_lws(p[i]))
		i++;
	for (; i < end && (unsigned)(p[i] - '0') < 10; i++, digits++)
		if (v <= lim->sip_max)          /* saturate: no overflow */
			v = v * 10 + (size_t)(p[i] - '0');
	while (i < end && is_lws(p[i]))
		i++;
	if (digits == 0 || i != end) {
		*why = "bad Content-Length";
		return FRAME_ERROR;
	}
	if (s->have_cl && v != s->cl) {
		*why = "duplicate Content-Length";
		return FRAME_ERROR;
	}
	/* refuse at once rather than buffer a body we would drop */
	if (v > lim->sip_max)
		return sip_fail(s, why, "SIP message over %zu bytes",
		    lim->sip_max);
	s->cl = v;
	s->have_cl = 1;
	return FRAME_NEED_MORE;
}

/* The header block is complete at hdr_len: the body length is known. */
static enum frame_rc
sip_hdr_end(struct frame_sip *s, size_t hdr_len,
    const struct frame_limits *lim, const char **why)
{
	s->hdr_len = hdr_len;
	if (!s->have_cl) {
		if (!lim->no_cl_ok) {
			*why = "missing Content-Length";
			return FRAME_ERROR;
		}
		s->cl = 0;
	}
	if (s->cl > lim->sip_max - hdr_len)
		return sip_fail(s, why, "SIP message over %zu bytes",
		    lim->sip_max);
	s->state = FSIP_BODY;
	return FRAME_NEED_MORE;
}

/* One complete header line [s->line, eol), eol just past its LF. */
static enum frame_rc
sip_line(struct frame_sip *s, const char *p, size_t eol,
    const struct frame_limits *lim, const char **why)
{
	const char *h = p + s->line;
	size_t n = eol - s->line - 1, val;

	if (n > 0 && h[n - 1] == '\r')
		n--;
	if (n == 0) {
		if (s->cl_open && cl_close(s, p, lim, why) == FRAME_ERROR)
			return FRAME_ERROR;
		return sip_hdr_end(s, eol, lim, why);
	}
	if (h[0] == ' ' || h[0] == '\t') {
		/* folded continuation (RFC 3261 §7.3.1) */
		if (s->cl_open)
			s->cl_end = eol;
		return FRAME_NEED_MORE;
	}
	if (s->cl_open && cl_close(s, p, lim, why) == FRAME_ERROR)
		return FRAME_ERROR;
	if (is_cl(h, n, &val)) {
		s->cl_open = 1;
		s->cl_val = s->line + val;
		s->cl_end = eol;
	}
	return FRAME_NEED_MORE;
}

static enum frame_rc
sip_hdrs(struct frame_sip *s, const char *p, size_t n,
    const struct frame_limits *lim, const char **why)
{
	size_t win = hdr_window(lim), end = n < win ? n : win, eol;
	const char *lf;

	while (s->scan < end) {
		/* the first byte of the next line tells whether the value
		 * folds: without SP/HT it is complete, judge it now */
		if (s->cl_open && s->scan == s->line && p[s->line] != ' ' &&
		    p[s->line] != '\t' && cl_close(s, p, lim, why) == FRAME_ERROR)
			return FRAME_ERROR;
		lf = memchr(p + s->scan, '\n', end - s->scan);
		if (lf == NULL) {
			s->scan = end;
			break;
		}
		eol = (size_t)(lf - p) + 1;
		if (sip_line(s, p, eol, lim, why) == FRAME_ERROR)
			return FRAME_ERROR;
		if (s->state != FSIP_HDRS)
			return FRAME_NEED_MORE;
		s->line = s->scan = eol;
	}
	/* the empty line would have had to end within the window */
	if (n >= win)
		return sip_fail(s, why, "SIP header block over %zu bytes", win);
	return FRAME_NEED_MORE;
}

static enum frame_rc
sip_body(struct frame_sip *s, const char *p, size_t n, struct frame_msg *out)
{
	if (n - s->hdr_len < s->cl)
		return FRAME_NEED_MORE;
	out->kind = FRAME_SIP;
	out->buf = p;
	out->len = s->hdr_len + s->cl;
	out->tid = NULL;
	out->tid_len = 0;
	out->flag = '\0';
	return FRAME_MSG;
}

void
frame_sip_reset(struct frame_sip *s)
{
	memset(s, 0, sizeof(*s));
	s->state = FSIP_START;
	s->sl = SL_METHOD;
}

enum frame_rc
frame_sip_next(struct frame_sip *s, const char *p, size_t n,
    const struct frame_limits *lim, struct frame_msg *out, const char **why)
{
	enum frame_sip_state st;
	enum frame_rc rc;

	/* a state function returning FRAME_NEED_MORE after moving to
	 * another state means "go on with the next one" */
	do {
		st = s->state;
		switch (st) {
		case FSIP_START:
			rc = sip_start(s, p, n, lim, why);
			break;
		case FSIP_HDRS:
			rc = sip_hdrs(s, p, n, lim, why);
			break;
		case FSIP_BODY:
			rc = sip_body(s, p, n, out);
			break;
		default:
			*why = "SIP framer in a bad state";
			return FRAME_ERROR;
		}
	} while (rc == FRAME_NEED_MORE && s->state != st);
	return rc;
}
