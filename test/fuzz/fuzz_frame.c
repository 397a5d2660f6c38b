/*
 * fuzz_frame.c - libFuzzer target for the stream framer (core/frame*.c).
 *
 * The input is the byte stream itself, so the seeds are plain SIP/MSRP
 * text.  Each input is framed several ways: in one feed, one byte per
 * feed (small inputs), and in reads whose sizes come from a hash of the
 * input; with the default limits and with small ones.  Besides what the
 * sanitizers catch, the target aborts when
 *  - the runs of one limit set disagree in any message, ping or error
 *    (the framer must not depend on how the stream was cut), or
 *  - a message breaks the contract in frame.h (size limit, MSRP start
 *    and end-line, tid, flag).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EV_MAX 512

struct ev {
	int      rc;
	int      kind;
	size_t   len;
	uint64_t hash;          /* of the bytes, or of the reason     */
	char     flag;
};

struct run {
	struct ev ev[EV_MAX];
	size_t    nev;          /* may exceed EV_MAX: then only counted */
};

static uint64_t
fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

static void
fail(const char *what, size_t at)
{
	fprintf(stderr, "fuzz_frame: %s (event %zu)\n", what, at);
	abort();
}

/* The contract of one FRAME_MSG. */
static void
check_msg(const struct frame_msg *m, const struct frame_limits *lim,
    size_t at)
{
	const char *e;

	if (m->len == 0)
		fail("empty message", at);
	if (m->kind == FRAME_SIP) {
		if (m->len > lim->sip_max || m->tid != NULL)
			fail("bad SIP message", at);
		return;
	}
	/* shortest: "MSRP " tid " X" CRLF "-------" tid "$" CRLF */
	if (m->kind != FRAME_MSRP || m->len > lim->msrp_max ||
	    m->tid != m->buf + 5 || m->tid_len < 4 || m->tid_len > 32 ||
	    m->len < 19 + 2 * m->tid_len || memcmp(m->buf, "MSRP ", 5) != 0)
		fail("bad MSRP frame", at);
	e = m->buf + m->len - (9 + m->tid_len + 3);
	if (memcmp(e, "\r\n-------", 9) != 0 ||
	    memcmp(e + 9, m->tid, m->tid_len) != 0 ||
	    e[9 + m->tid_len] != m->flag ||
	    memcmp(e + 10 + m->tid_len, "\r\n", 2) != 0 ||
	    (m->flag != '$' && m->flag != '+' && m->flag != '#'))
		fail("bad MSRP end-line", at);
}

static void
record(struct run *r, int rc, const struct frame_msg *m, const char *why)
{
	struct ev *e;

	if (r->nev++ >= EV_MAX)
		return;
	e = &r->ev[r->nev - 1];
	memset(e, 0, sizeof(*e));
	e->rc = rc;
	if (rc == FRAME_MSG) {
		e->kind = m->kind;
		e->len = m->len;
		e->flag = m->flag;
		e->hash = fnv(m->buf, m->len, 14695981039346656037ULL);
	} else if (rc == FRAME_ERROR)
		e->hash = fnv(why, strlen(why), 14695981039346656037ULL);
}

/* Returns 1 once the framer reported an error. */
static int
drain(struct framer *f, const struct frame_limits *lim, struct run *r)
{
	struct frame_msg m;
	const char *why = NULL;
	enum frame_rc rc;

	while ((rc = frame_next(f, &m, &why)) != FRAME_NEED_MORE) {
		if (rc == FRAME_MSG)
			check_msg(&m, lim, r->nev);
		else if (rc == FRAME_ERROR && (why == NULL || *why == '\0'))
			fail("error without a reason", r->nev);
		record(r, rc, &m, why);
		if (rc == FRAME_ERROR)
			return 1;
	}
	return 0;
}

/* Size of the next read: 0 whole, 1 one byte, else from the seed. */
static size_t
chunk(int mode, uint64_t *seed, size_t left)
{
	size_t k;

	if (mode == 0)
		return left;
	if (mode == 1)
		return 1;
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	switch (*seed & 3) {
	case 0:
		k = 1;
		break;
	case 1:
		k = 1 + (*seed >> 8) % 16;
		break;
	case 2:
		k = 1 + (*seed >> 8) % 512;
		break;
	default:
		k = 1 + (*seed >> 8) % 8192;
		break;
	}
	return k < left ? k : left;
}

static void
run(const uint8_t *d, size_t n, const struct frame_limits *lim, int mode,
    uint64_t seed, struct run *r)
{
	struct framer *f = frame_new(lim);
	struct frame_msg m;
	const char *why;
	size_t off = 0, k;

	if (f == NULL)
		abort();
	r->nev = 0;
	while (off < n) {
		k = chunk(mode, &seed, n - off);
		if (frame_feed(f, (const char *)d + off, k) == -1)
			fail("feed refused although drained", r->nev);
		off += k;
		if (drain(f, lim, r)) {
			/* errors stay */
			if (frame_next(f, &m, &why) != FRAME_ERROR ||
			    frame_feed(f, "x", 1) != 0)
				fail("error did not stick", r->nev);
			break;
		}
	}
	if (frame_pending(f) > n)
		fail("more pending than fed", r->nev);
	frame_free(f);
}

static void
same(const struct run *a, const struct run *b, const char *how)
{
	size_t n = a->nev < EV_MAX ? a->nev : EV_MAX;

	if (a->nev != b->nev) {
		fprintf(stderr, "fuzz_frame: %zu events whole, %zu %s\n",
		    a->nev, b->nev, how);
		abort();
	}
	for (size_t i = 0; i < n; i++)
		if (memcmp(&a->ev[i], &b->ev[i], sizeof(a->ev[i])) != 0) {
			fprintf(stderr, "fuzz_frame: event %zu differs (%s)\n",
			    i, how);
			abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, cut;
	uint64_t seed = fnv(data, size, 14695981039346656037ULL) | 1;
	struct frame_limits lims[2] = {
		{ .sip_max = 1 << 20, .msrp_max = 10 << 20, .hdr_max = 64 << 10,
		  .no_cl_ok = (int)(seed >> 1 & 1) },
		/* small enough for short inputs to hit every limit */
		{ .sip_max = 600, .msrp_max = 900, .hdr_max = 300,
		  .no_cl_ok = (int)(seed >> 2 & 1) },
	};

	for (int l = 0; l < 2; l++) {
		run(data, size, &lims[l], 0, 0, &whole);
		run(data, size, &lims[l], 2, seed, &cut);
		same(&whole, &cut, "in random reads");
		if (size <= 4096) {
			run(data, size, &lims[l], 1, 0, &cut);
			same(&whole, &cut, "one byte per read");
		}
	}
	return 0;
}
