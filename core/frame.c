/*
 * frame.c - per-connection demux and read buffer for SIP and MSRP mixed
 * on one stream.
 *
 * The bytes live in one contiguous buffer so that a message can be handed
 * out in place: [rd, wr) is buffered, and the message returned last,
 * [rd, rd + done), is released by the next frame_* call.  Between
 * messages the first bytes choose the framer (frame_sip.c or
 * frame_msrp.c); those keep offsets from the message start, so the
 * buffer may move under them.
 *
 * Buffer policy, chosen so that no pattern of reads is quadratic:
 *  - when everything is consumed rd and wr go back to 0, no copy;
 *  - when a read does not fit, the unconsumed tail is moved down only if
 *    that copies no more than it frees, or the buffer ends up at most half
 *    full; otherwise the buffer doubles (up to the largest message plus
 *    slack) and only the tail is copied.  Each copy is thus paid for by
 *    at least as many new bytes;
 *  - a buffer grown past FRAME_KEEP_CAP for one big frame is given back
 *    once it is empty, so idle connections stay small.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "frame_msrp.h"
#include "frame_sip.h"
#include "xalloc.h"

#define FRAME_SIP_MAX   (1024 * 1024)
#define FRAME_MSRP_MAX  (10 * 1024 * 1024)
#define FRAME_HDR_MAX   (64 * 1024)
#define FRAME_SLACK     (64 * 1024)     /* read-ahead beyond one message */
#define FRAME_MIN_CAP   4096
#define FRAME_KEEP_CAP  (256 * 1024)

enum framer_state {
	FR_IDLE,        /* between messages: keep-alives, then the kind */
	FR_SIP,
	FR_MSRP,
	FR_BROKEN,      /* an error was returned: it stays               */
};

struct framer {
	struct frame_limits lim;
	enum framer_state state;
	char   *buf;
	size_t  cap;
	size_t  rd;             /* first byte not released             */
	size_t  wr;             /* end of the buffered bytes           */
	size_t  done;           /* length of the message returned last */
	size_t  soft_cap;       /* the buffer doubles up to this       */
	const char *why;        /* reason once FR_BROKEN               */
	char    whybuf[64];
	struct frame_sip  sip;
	struct frame_msrp msrp;
};

struct framer *
frame_new(const struct frame_limits *lim)
{
	struct framer *f = xcalloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	/* a zero limit (or no limits at all) means the default */
	if (lim != NULL)
		f->lim = *lim;
	if (f->lim.sip_max == 0)
		f->lim.sip_max = FRAME_SIP_MAX;
	if (f->lim.msrp_max == 0)
		f->lim.msrp_max = FRAME_MSRP_MAX;
	if (f->lim.hdr_max == 0)
		f->lim.hdr_max = FRAME_HDR_MAX;
	f->soft_cap = (f->lim.sip_max > f->lim.msrp_max ? f->lim.sip_max :
	    f->lim.msrp_max) + FRAME_SLACK;
	f->state = FR_IDLE;
	return f;
}

void
frame_free(struct framer *f)
{
	if (f == NULL)
		return;
	xfree(f->buf);
	xfree(f);
}

size_t
frame_pending(const struct framer *f)
{
	return f->wr - f->rd - f->done;
}

/* Drops the message returned last (its pointer is now stale). */
static void
frame_release(struct framer *f)
{
	f->rd += f->done;
	f->done = 0;
	if (f->rd != f->wr)
		return;
	f->rd = f->wr = 0;
	if (f->cap > FRAME_KEEP_CAP) {
		xfree(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
}

static void
frame_break(struct framer *f, const char *why)
{
	if (why != f->whybuf)
		snprintf(f->whybuf, sizeof(f->whybuf), "%s", why);
	f->why = f->whybuf;
	f->state = FR_BROKEN;
}

/* Makes room for n more bytes.  0, or -1 out of memory. */
static int
frame_room(struct framer *f, size_t n)
{
	size_t pend = f->wr - f->rd, need = pend + n, cap;
	char *nb;

	if (need <= f->cap && (f->rd >= pend || need <= f->cap / 2)) {
		memmove(f->buf, f->buf + f->rd, pend);
		f->rd = 0;
		f->wr = pend;
		return 0;
	}
	if (n > SIZE_MAX / 2 - pend)
		return -1;
	cap = f->cap < FRAME_MIN_CAP / 2 ? FRAME_MIN_CAP : f->cap * 2;
	if (cap > f->soft_cap)
		cap = f->soft_cap;
	if (cap < need)
		cap = need;
	/* a fresh block and one copy of the tail: realloc() would also
	 * copy the consumed head */
	if ((nb = xmalloc(cap)) == NULL)
		return -1;
	if (pend)
		memcpy(nb, f->buf + f->rd, pend);
	xfree(f->buf);
	f->buf = nb;
	f->cap = cap;
	f->rd = 0;
	f->wr = pend;
	return 0;
}

int
frame_feed(struct framer *f, const char *p, size_t n)
{
	/* the connection is being closed: the bytes do not matter */
	if (f->state == FR_BROKEN || n == 0)
		return 0;
	frame_release(f);
	/* With frame_next() called until FRAME_NEED_MORE after each feed,
	 * what is pending is one partial message, below its limit.  More
	 * means a caller that does not drain: refuse, do not grow. */
	if (f->wr - f->rd >= f->soft_cap) {
		snprintf(f->whybuf, sizeof(f->whybuf),
		    "read buffer over %zu bytes", f->soft_cap);
		frame_break(f, f->whybuf);
		return -1;
	}
	if (n > f->cap - f->wr && frame_room(f, n) == -1) {
		frame_break(f, "out of memory for the read buffer");
		return -1;
	}
	memcpy(f->buf + f->wr, p, n);
	f->wr += n;
	return 0;
}

/*
 * Between messages: CRLFCRLF is a keep-alive ping, a lone CRLF is skipped
 * (RFC 5626 §3.5.1), then "MSRP " picks the MSRP framer and anything else
 * the SIP one.  Waits whenever the bytes so far allow both readings.
 */
static enum frame_rc
fr_idle(struct framer *f)
{
	const char *p;
	size_t n;

	for (;;) {
		if ((n = f->wr - f->rd) == 0)
			return FRAME_NEED_MORE;
		p = f->buf + f->rd;
		if (p[0] != '\r')
			break;
		if (n < 2)
			return FRAME_NEED_MORE;
		if (p[1] != '\n')
			break;
		if (n < 3 || (p[2] == '\r' && n < 4))
			return FRAME_NEED_MORE;
		if (p[2] == '\r' && p[3] == '\n') {
			f->rd += 4;
			return FRAME_PING;
		}
		f->rd += 2;
	}
	if (memcmp(p, "MSRP ", n < 5 ? n : 5) != 0) {
		frame_sip_reset(&f->sip);
		f->state = FR_SIP;
	} else if (n >= 5) {
		frame_msrp_reset(&f->msrp);
		f->state = FR_MSRP;
	}
	return FRAME_NEED_MORE;
}

/* Runs the current state once; FRAME_NEED_MORE with a new state means
 * "go on". */
static enum frame_rc
fr_step(struct framer *f, struct frame_msg *out, const char **why)
{
	size_t n = f->wr - f->rd;

	/* in FR_SIP and FR_MSRP at least one byte is buffered: buf is set */
	switch (f->state) {
	case FR_IDLE:
		return fr_idle(f);
	case FR_SIP:
		return frame_sip_next(&f->sip, f->buf + f->rd, n, &f->lim, out,
		    why);
	case FR_MSRP:
		return frame_msrp_next(&f->msrp, f->buf + f->rd, n, &f->lim,
		    out, why);
	case FR_BROKEN:
		break;
	}
	*why = f->why;
	return FRAME_ERROR;
}

enum frame_rc
frame_next(struct framer *f, struct frame_msg *out, const char **why)
{
	enum framer_state st;
	enum frame_rc rc;
	const char *reason = NULL;

	if (why == NULL)
		why = &reason;
	if (f->state == FR_BROKEN) {
		*why = f->why;
		return FRAME_ERROR;
	}
	frame_release(f);
	do {
		st = f->state;
		rc = fr_step(f, out, why);
	} while (rc == FRAME_NEED_MORE && f->state != st);
	switch (rc) {
	case FRAME_MSG:
		f->done = out->len;
		f->state = FR_IDLE;
		break;
	case FRAME_ERROR:
		/* keep the reason: the sub-framer's buffer is reused */
		frame_break(f, *why);
		*why = f->why;
		break;
	default:
		break;
	}
	return rc;
}
