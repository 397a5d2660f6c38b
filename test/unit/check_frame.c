/* check_frame.c - the SIP/MSRP stream framer (core/frame*.c). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/frame.h"
#include "tcheck.h"

/*
 * A collector feeds a framer, drains it after every feed the way the TCP
 * worker does, and writes what came out as text: `sum` (kind, length,
 * tid, flag, reason) for asserting on, `full` (the same plus a hash of
 * the bytes) for comparing runs.
 */
struct coll {
	struct framer      *f;
	struct frame_limits lim;
	char               *sum, *full;
	size_t              sum_len, full_len, sum_cap, full_cap;
	int                 nmsg, nping, nerr, refused;
	const char         *ref;        /* expected `full` for split runs */
};

static uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static void
append(char **s, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*s = realloc(*s, *cap);
		ck_assert_ptr_nonnull(*s);
	}
	memcpy(*s + *len, text, n + 1);
	*len += n;
}

static void
coll_log(struct coll *c, const char *line, uint64_t h)
{
	char hb[32];

	append(&c->sum, &c->sum_len, &c->sum_cap, line);
	append(&c->full, &c->full_len, &c->full_cap, line);
	snprintf(hb, sizeof(hb), "#%016llx\n", (unsigned long long)h);
	append(&c->full, &c->full_len, &c->full_cap, hb);
}

static void
coll_drain(struct coll *c)
{
	struct frame_msg m;
	const char *why;
	char line[160];
	enum frame_rc rc;

	while ((rc = frame_next(c->f, &m, &why)) != FRAME_NEED_MORE) {
		if (rc == FRAME_PING) {
			c->nping++;
			coll_log(c, "PING\n", 0);
			continue;
		}
		if (rc == FRAME_ERROR) {
			c->nerr++;
			snprintf(line, sizeof(line), "ERROR %s\n", why);
			coll_log(c, line, 0);
			return;
		}
		c->nmsg++;
		if (m.kind == FRAME_MSRP)
			snprintf(line, sizeof(line), "MSRP %.*s %c %zu\n",
			    (int)m.tid_len, m.tid, m.flag, m.len);
		else
			snprintf(line, sizeof(line), "SIP %zu\n", m.len);
		coll_log(c, line, fnv(m.buf, m.len));
	}
}

static void
coll_reset(void *ctx)
{
	struct coll *c = ctx;

	frame_free(c->f);
	c->f = frame_new(&c->lim);
	ck_assert_ptr_nonnull(c->f);
	c->sum_len = c->full_len = 0;
	if (c->sum_cap)
		c->sum[0] = '\0';
	if (c->full_cap)
		c->full[0] = '\0';
	c->nmsg = c->nping = c->nerr = c->refused = 0;
}

static void
coll_feed(void *ctx, const char *p, size_t n)
{
	struct coll *c = ctx;

	if (frame_feed(c->f, p, n) == -1)
		c->refused++;
	if (c->nerr == 0)       /* the worker closes after an error */
		coll_drain(c);
}

static void
coll_check(void *ctx, size_t split)
{
	struct coll *c = ctx;

	ck_assert_msg(c->full != NULL && strcmp(c->full, c->ref) == 0,
	    "split at %zu gave\n%s\ninstead of\n%s", split,
	    c->full ? c->full : "(nothing)", c->ref);
}

static void
coll_done(struct coll *c)
{
	frame_free(c->f);
	free(c->sum);
	free(c->full);
	memset(c, 0, sizeof(*c));
}

/* Feeds s in chunks of `chunk` bytes (0: all at once). */
static void
coll_run(struct coll *c, const char *s, size_t n, size_t chunk)
{
	coll_reset(c);
	if (chunk == 0)
		chunk = n;
	for (size_t off = 0; off < n; off += chunk)
		coll_feed(c, s + off, n - off < chunk ? n - off : chunk);
	if (c->sum == NULL)
		coll_log(c, "", 0);     /* an empty log, not a NULL one */
}

/* What the whole of s gives with default limits (no_cl_ok as told). */
static const char *
frames_of(const char *s, int no_cl_ok)
{
	static char out[4096];
	struct coll c = { .lim = { .no_cl_ok = no_cl_ok } };

	coll_run(&c, s, strlen(s), 0);
	snprintf(out, sizeof(out), "%s", c.sum);
	coll_done(&c);
	return out;
}

#define INVITE_HDRS \
	"INVITE sip:bob@example.com SIP/2.0\r\n" \
	"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@example.com>\r\n" \
	"From: Alice <sip:alice@example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n" \
	"CSeq: 314159 INVITE\r\n"

#define SDP "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"

static const char invite[] = INVITE_HDRS
	"Content-Type: application/sdp\r\n"
	"Content-Length: 35\r\n\r\n" SDP;

static const char reply_200[] = "SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Content-Length: 0\r\n\r\n";

#define MSRP_SEND \
	"MSRP a786hjs2 SEND\r\n" \
	"To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n" \
	"From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n" \
	"Message-ID: 87652491\r\n" \
	"Byte-Range: 1-25/25\r\n" \
	"Content-Type: text/plain\r\n" \
	"\r\n" \
	"Hey Bob, are you there?\r\n" \
	"-------a786hjs2$\r\n"

#define MSRP_200 \
	"MSRP a786hjs2 200 OK\r\n" \
	"To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n" \
	"From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n" \
	"-------a786hjs2$\r\n"

#define MSRP_CHUNK(tid, range, data, flag) \
	"MSRP " tid " SEND\r\n" \
	"To-Path: msrp://b.example.com:8888/9di4e;tcp\r\n" \
	"From-Path: msrp://a.example.com:7777/iau39;tcp\r\n" \
	"Message-ID: 456\r\n" \
	"Byte-Range: " range "\r\n" \
	"Content-Type: text/plain\r\n\r\n" \
	data "\r\n" \
	"-------" tid flag "\r\n"

/* A body with "-------<tid>$" not at a line start, another tid's
 * end-line at a line start, and the right tid followed by a longer id,
 * by a byte that is no flag, and by a flag without CRLF. */
#define MSRP_TRICKY \
	"MSRP x9tid42 SEND\r\n" \
	"To-Path: msrp://b.example.com:8888/9di4e;tcp\r\n" \
	"From-Path: msrp://a.example.com:7777/iau39;tcp\r\n" \
	"Content-Type: text/plain\r\n\r\n" \
	"quote: -------x9tid42$\r\n" \
	"-------othertid$\r\n" \
	"-------x9tid42X$\r\n" \
	"-------x9tid42X\r\n" \
	"-------x9tid42$ trailing\r\n" \
	"end\r\n" \
	"-------x9tid42$\r\n"

static const char mixed[] = INVITE_HDRS
	"Content-Length: 35\r\n\r\n" SDP
	MSRP_SEND
	MSRP_200
	"\r\n\r\n"
	MSRP_CHUNK("dkei38sd", "1-5/10", "Hello", "+")
	MSRP_CHUNK("dkei38se", "6-10/10", "World", "$")
	"\r\n"
	MSRP_CHUNK("dkei38sf", "1-3/*", "abc", "#")
	MSRP_TRICKY
	"SIP/2.0 180 Ringing\r\nl: 0\r\n\r\n";

START_TEST(t_sip_request)
{
	char buf[1024];

	ck_assert_str_eq(frames_of(invite, 0), "SIP 344\n");
	snprintf(buf, sizeof(buf), "%s", INVITE_HDRS "Content-Length: 0\r\n\r\n");
	ck_assert_str_eq(frames_of(buf, 0), "SIP 277\n");
	/* any RFC 3261 token is a method */
	ck_assert_str_eq(frames_of("X-Ab.c_1!%*+`'~ sip:a@b SIP/2.0\r\n"
	    "l: 0\r\n\r\n", 0), "SIP 41\n");
	/* the body is not scanned: a CRLFCRLF in it changes nothing */
	ck_assert_str_eq(frames_of("MESSAGE sip:a@b SIP/2.0\r\n"
	    "Content-Length: 6\r\n\r\n\r\n\r\nab", 0), "SIP 52\n");
}
END_TEST

START_TEST(t_sip_reply)
{
	ck_assert_str_eq(frames_of(reply_200, 0), "SIP 114\n");
	ck_assert_str_eq(frames_of("SIP/2.0 200 OK\r\nContent-Length: 3\r\n"
	    "\r\nabc", 0), "SIP 40\n");
	/* no reason phrase, lower-case version: tolerated */
	ck_assert_str_eq(frames_of("sip/2.0 180\r\nl:0\r\n\r\n", 0),
	    "SIP 20\n");
}
END_TEST

START_TEST(t_sip_content_length_forms)
{
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi", 0),
	    "SIP 31\n");
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\r\nL :2\r\n\r\nhi", 0),
	    "SIP 31\n");
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\r\n"
	    "cOnTeNt-LeNgTh\t:  \t2  \r\n\r\nhi", 0), "SIP 49\n");
	/* a folded value, and a header merely starting like one */
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\r\nContent-Length:"
	    "\r\n 2\r\nLocation: x\r\nContent-Lengthy: 9\r\n\r\nhi", 0),
	    "SIP 79\n");
	/* the same value twice is harmless */
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\r\nl: 2\r\n"
	    "Content-Length: 2\r\n\r\nhi", 0), "SIP 50\n");
	/* bare LF line ends (RFC 3261 §7.5 leniency) */
	ck_assert_str_eq(frames_of("BYE sip:a@b SIP/2.0\nl: 2\n\nhi", 0),
	    "SIP 28\n");
}
END_TEST

START_TEST(t_sip_no_content_length)
{
	static const char m[] = "OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS"
	    "\r\n\r\nINFO sip:a@b SIP/2.0\r\nl: 0\r\n\r\n";

	ck_assert_str_eq(frames_of(m, 0), "ERROR missing Content-Length\n");
	ck_assert_str_eq(frames_of(m, 1), "SIP 44\nSIP 30\n");
}
END_TEST

START_TEST(t_msrp_frames)
{
	ck_assert_str_eq(frames_of(MSRP_SEND, 0), "MSRP a786hjs2 $ 252\n");
	/* no body: the end-line follows the last header's CRLF */
	ck_assert_str_eq(frames_of(MSRP_200, 0), "MSRP a786hjs2 $ 158\n");
	ck_assert_str_eq(frames_of("MSRP abcd 200\r\n-------abcd$\r\n", 0),
	    "MSRP abcd $ 29\n");
	ck_assert_str_eq(frames_of("MSRP tid.+%=-9 REPORT\r\nStatus: 000 200 OK"
	    "\r\n-------tid.+%=-9$\r\n", 0), "MSRP tid.+%=-9 $ 62\n");
	ck_assert_str_eq(frames_of("MSRP abcd AUTH\r\nTo-Path: msrps://r;tcp\r\n"
	    "-------abcd$\r\nMSRP abcd 401 Unauthorized\r\n-------abcd$\r\n", 0),
	    "MSRP abcd $ 54\nMSRP abcd $ 42\n");
	ck_assert_str_eq(frames_of(MSRP_CHUNK("c1c1", "1-1/2", "a", "+")
	    MSRP_CHUNK("c1c2", "2-2/2", "b", "$")
	    MSRP_CHUNK("c1c3", "1-1/*", "z", "#"), 0),
	    "MSRP c1c1 + 191\nMSRP c1c2 $ 191\nMSRP c1c3 # 191\n");
}
END_TEST

START_TEST(t_msrp_fake_endlines)
{
	ck_assert_str_eq(frames_of(MSRP_TRICKY, 0), "MSRP x9tid42 $ 266\n");
	ck_assert_int_eq(strlen(MSRP_TRICKY), 266);
}
END_TEST

START_TEST(t_keepalive)
{
	struct coll c = { .lim = { 0 } };

	ck_assert_str_eq(frames_of("\r\n\r\n", 0), "PING\n");
	ck_assert_str_eq(frames_of("\r\n\r\n\r\n\r\n", 0), "PING\nPING\n");
	ck_assert_str_eq(frames_of("\r\nSIP/2.0 100 Trying\r\nl:0\r\n\r\n", 0),
	    "SIP 27\n");
	ck_assert_str_eq(frames_of("\r\n\r\n\r\nMSRP abcd 200\r\n-------abcd$"
	    "\r\n", 0), "PING\nMSRP abcd $ 29\n");
	/* a lone CRLF waits: it may be the start of a ping */
	coll_run(&c, "\r\n", 2, 0);
	ck_assert_str_eq(c.sum, "");
	ck_assert_uint_eq(frame_pending(c.f), 2);
	coll_feed(&c, "\r\n", 2);
	ck_assert_str_eq(c.sum, "PING\n");
	ck_assert_uint_eq(frame_pending(c.f), 0);
	coll_done(&c);
}
END_TEST

START_TEST(t_mixed_whole)
{
	ck_assert_str_eq(frames_of(mixed, 0),
	    "SIP 313\n"
	    "MSRP a786hjs2 $ 252\n"
	    "MSRP a786hjs2 $ 158\n"
	    "PING\n"
	    "MSRP dkei38sd + 204\n"
	    "MSRP dkei38se $ 205\n"
	    "MSRP dkei38sf # 201\n"
	    "MSRP x9tid42 $ 266\n"
	    "SIP 29\n");
}
END_TEST

/* Every split point, then one byte per feed, give exactly the same. */
START_TEST(t_mixed_split_each)
{
	struct coll c = { .lim = { 0 } };
	char *ref;

	coll_run(&c, mixed, sizeof(mixed) - 1, 0);
	ck_assert_int_eq(c.nmsg, 8);
	ref = strdup(c.full);
	c.ref = ref;
	tcheck_split_each(mixed, sizeof(mixed) - 1, &c, coll_reset, coll_feed,
	    coll_check);
	coll_run(&c, mixed, sizeof(mixed) - 1, 1);
	coll_check(&c, 1);
	coll_run(&c, mixed, sizeof(mixed) - 1, 7);
	coll_check(&c, 7);
	coll_done(&c);
	free(ref);
}
END_TEST

START_TEST(t_pipelined)
{
	struct coll c = { .lim = { 0 } };
	size_t one = sizeof(mixed) - 1, n = 500 * one, off = 0;
	char *s = malloc(n);

	for (int i = 0; i < 500; i++, off += one)
		memcpy(s + off, mixed, one);
	coll_run(&c, s, n, 0);
	ck_assert_int_eq(c.nmsg, 4000);
	ck_assert_int_eq(c.nping, 500);
	ck_assert_int_eq(c.nerr, 0);
	ck_assert_uint_eq(frame_pending(c.f), 0);
	/* odd-sized reads across message boundaries: same result */
	coll_run(&c, s, n, 1499);
	ck_assert_int_eq(c.nmsg, 4000);
	ck_assert_int_eq(c.nerr, 0);
	coll_done(&c);
	free(s);
}
END_TEST

/* One error class per case, with its exact reason. */
static const char *
error_of(const char *s, size_t n, const struct frame_limits *lim)
{
	static char out[256];
	struct coll c = { .lim = { 0 } };

	if (lim)
		c.lim = *lim;
	coll_run(&c, s, n, 0);
	ck_assert_int_eq(c.nerr, 1);
	snprintf(out, sizeof(out), "%s", strstr(c.sum, "ERROR ") + 6);
	out[strcspn(out, "\n")] = '\0';
	coll_done(&c);
	return out;
}

#define ERR(lit) error_of(lit, sizeof(lit) - 1, NULL)

static const char *
frames_of_lim(const char *s, size_t n, const struct frame_limits *lim)
{
	static char out[1024];
	struct coll c = { .lim = *lim };

	coll_run(&c, s, n, 0);
	snprintf(out, sizeof(out), "%s", c.sum);
	coll_done(&c);
	return out;
}

START_TEST(t_err_garbage)
{
	ck_assert_str_eq(ERR("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "not a SIP or MSRP start line");
	ck_assert_str_eq(ERR("INVITE sip:a@b SIP/3.0\r\n"),
	    "not a SIP or MSRP start line");
	ck_assert_str_eq(ERR("SIP/2.0 2000 OK\r\n"),
	    "not a SIP or MSRP start line");
	/* refused as soon as a byte cannot start a SIP line: a TLS
	 * ClientHello gets no wait for 8 KiB that never come */
	ck_assert_str_eq(ERR("\x16\x03\x01\x02"),
	    "not a SIP or MSRP start line");
	ck_assert_str_eq(ERR("\r\n\n"), "not a SIP or MSRP start line");
	ck_assert_str_eq(ERR("\rINVITE sip:a@b SIP/2.0\r\n"),
	    "not a SIP or MSRP start line");
	ck_assert_str_eq(ERR("msrp abcd SEND\r\n"),
	    "not a SIP or MSRP start line");
}
END_TEST

START_TEST(t_err_nul)
{
	ck_assert_str_eq(ERR("INV\0ITE sip:a@b SIP/2.0\r\n"),
	    "NUL byte in start line");
	ck_assert_str_eq(ERR("SIP/2.0 200 O\0K\r\n"), "NUL byte in start line");
	ck_assert_str_eq(ERR("MSRP ab\0cd SEND\r\n"), "NUL byte in start line");
}
END_TEST

START_TEST(t_err_start_line_long)
{
	size_t n = 9000;
	char *s = malloc(n);

	memcpy(s, "INVITE sip:", 11);
	memset(s + 11, 'a', n - 11);
	ck_assert_str_eq(error_of(s, n, NULL), "start line over 8192 bytes");
	memcpy(s, "MSRP abcd 200 ", 14);
	ck_assert_str_eq(error_of(s, n, NULL), "start line over 8192 bytes");
	free(s);
}
END_TEST

START_TEST(t_err_cl_too_big)
{
	struct frame_limits lim = { .sip_max = 1000 };

	/* refused before any body byte arrives */
	ck_assert_str_eq(ERR("MESSAGE sip:a@b SIP/2.0\r\nl: 1048577\r\n\r\n"),
	    "SIP message over 1048576 bytes");
	/* judged as soon as the next line shows it does not fold */
	ck_assert_str_eq(ERR("MESSAGE sip:a@b SIP/2.0\r\n"
	    "l: 99999999999999999999999999\r\nV"),
	    "SIP message over 1048576 bytes");
	/* the header block counts too */
	ck_assert_str_eq(error_of("MESSAGE sip:a@b SIP/2.0\r\nl: 980\r\n\r\n",
	    35, &lim), "SIP message over 1000 bytes");
	/* exactly at the limit: waits for the body */
	ck_assert_str_eq(frames_of("MESSAGE sip:a@b SIP/2.0\r\nl: 1048537"
	    "\r\n\r\n", 0), "");
}
END_TEST

START_TEST(t_err_header_too_big)
{
	size_t n = 70000;
	char *s = malloc(n);

	memset(s, 'x', n);
	memcpy(s, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
	for (size_t i = 100; i < n; i += 100)
		memcpy(s + i - 2, "\r\n", 2);
	ck_assert_str_eq(error_of(s, n, NULL),
	    "SIP header block over 65536 bytes");
	free(s);
}
END_TEST

START_TEST(t_err_cl_dup_bad)
{
	ck_assert_str_eq(ERR("BYE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n"
	    "l: 4\r\n\r\n"), "duplicate Content-Length");
	ck_assert_str_eq(ERR("BYE sip:a@b SIP/2.0\r\nContent-Length: 12a\r\n"
	    "\r\n"), "bad Content-Length");
	ck_assert_str_eq(ERR("BYE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n"
	    "\r\n"), "bad Content-Length");
	ck_assert_str_eq(ERR("BYE sip:a@b SIP/2.0\r\nl:\r\n\r\n"),
	    "bad Content-Length");
	ck_assert_str_eq(ERR("BYE sip:a@b SIP/2.0\r\nl: 1 2\r\n\r\n"),
	    "bad Content-Length");
}
END_TEST

START_TEST(t_err_msrp_tid)
{
	ck_assert_str_eq(ERR("MSRP abc SEND\r\n"), "bad MSRP transaction id");
	ck_assert_str_eq(ERR("MSRP .abcd SEND\r\n"), "bad MSRP transaction id");
	ck_assert_str_eq(ERR("MSRP ab$cd SEND\r\n"), "bad MSRP transaction id");
	ck_assert_str_eq(ERR("MSRP a23456789012345678901234567890123 SEND\r\n"),
	    "bad MSRP transaction id");
	ck_assert_str_eq(ERR("MSRP  abcd SEND\r\n"), "bad MSRP transaction id");
	/* 32 characters is the most */
	ck_assert_str_eq(frames_of("MSRP a2345678901234567890123456789012 "
	    "200\r\n-------a2345678901234567890123456789012#\r\n", 0),
	    "MSRP a2345678901234567890123456789012 # 85\n");
	ck_assert_str_eq(ERR("MSRP abcd send\r\n"), "bad MSRP start line");
	ck_assert_str_eq(ERR("MSRP abcd\r\n"), "bad MSRP start line");
	ck_assert_str_eq(ERR("MSRP abcd 20 OK\r\n"), "bad MSRP start line");
	ck_assert_str_eq(ERR("MSRP abcd SEND\n"), "bad MSRP start line");
}
END_TEST

START_TEST(t_err_msrp_too_big)
{
	struct frame_limits lim = { .msrp_max = 65536 };
	size_t n = 65536 + 100;
	char *s = malloc(n);
	struct coll c = { .lim = lim };

	memset(s, 'z', n);
	memcpy(s, "MSRP abcd SEND\r\nContent-Type: a/b\r\n\r\n", 37);
	/* the error comes exactly when the limit is reached */
	coll_run(&c, s, 65535, 1000);
	ck_assert_int_eq(c.nerr, 0);
	coll_feed(&c, s + 65535, 1);
	ck_assert_str_eq(c.sum, "ERROR MSRP frame over 65536 bytes\n");
	coll_done(&c);
	ck_assert_str_eq(error_of(s, n, &lim), "MSRP frame over 65536 bytes");
	/* an end-line just inside the limit is fine */
	memcpy(s + 65536 - 16, "\r\n-------abcd$\r\n", 16);
	c.lim = lim;
	coll_run(&c, s, 65536, 0);
	ck_assert_str_eq(c.sum, "MSRP abcd $ 65536\n");
	coll_done(&c);
	free(s);
}
END_TEST

START_TEST(t_err_msrp_headers)
{
	struct frame_limits lim = { .hdr_max = 100 };
	struct coll c = { .lim = lim };
	char s[400];

	memset(s, 'h', sizeof(s));
	memcpy(s, "MSRP abcd SEND\r\n", 16);
	for (size_t i = 40; i < sizeof(s); i += 40)
		memcpy(s + i - 2, "\r\n", 2);
	ck_assert_str_eq(error_of(s, sizeof(s), &lim),
	    "MSRP headers over 100 bytes");
	/* a complete frame without body whose headers end too late */
	memcpy(s + 200, "\r\n-------abcd$\r\n", 16);
	ck_assert_str_eq(error_of(s, 216, &lim), "MSRP headers over 100 bytes");
	c.lim = lim;
	coll_run(&c, s, 216, 1);
	ck_assert_str_eq(c.sum, "ERROR MSRP headers over 100 bytes\n");
	coll_done(&c);
	/* the same, ending within the limit */
	memcpy(s + 82, "\r\n-------abcd$\r\n", 16);
	ck_assert_str_eq(frames_of_lim(s, 98, &lim), "MSRP abcd $ 98\n");
}
END_TEST

START_TEST(t_err_sticky)
{
	struct coll c = { .lim = { 0 } };
	struct frame_msg m;
	const char *why = NULL;
	static const char s[] = "SIP/2.0 200 OK\r\nl: 0\r\n\r\nHELLO\r\n";

	coll_run(&c, s, sizeof(s) - 1, 0);
	ck_assert_str_eq(c.sum, "SIP 24\nERROR not a SIP or MSRP start line\n");
	ck_assert_int_eq(frame_next(c.f, &m, &why), FRAME_ERROR);
	ck_assert_str_eq(why, "not a SIP or MSRP start line");
	ck_assert_int_eq(frame_feed(c.f, invite, sizeof(invite) - 1), 0);
	ck_assert_int_eq(frame_next(c.f, &m, NULL), FRAME_ERROR);
	coll_done(&c);
}
END_TEST

/* A caller that never drains is refused, not given unbounded memory. */
START_TEST(t_feed_refused)
{
	struct frame_limits lim = { .sip_max = 4096, .msrp_max = 4096 };
	struct framer *f = frame_new(&lim);
	struct frame_msg m;
	const char *why;
	int rc = 0, i;

	for (i = 0; i < 1000 && rc == 0; i++)
		rc = frame_feed(f, reply_200, sizeof(reply_200) - 1);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(frame_next(f, &m, &why), FRAME_ERROR);
	ck_assert_str_eq(why, "read buffer over 69632 bytes");
	frame_free(f);
}
END_TEST

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An MSRP frame with a body of `body` bytes (no end-line inside). */
static char *
big_msrp(size_t body, size_t *len)
{
	static const char head[] = "MSRP bigtid01 SEND\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n";
	static const char tail[] = "\r\n-------bigtid01$\r\n";
	char *s = malloc(sizeof(head) + body + sizeof(tail));

	memcpy(s, head, sizeof(head) - 1);
	for (size_t i = 0; i < body; i++)   /* lines that look like end-lines */
		s[sizeof(head) - 1 + i] = "-------bigtid\r\n"[i % 15];
	memcpy(s + sizeof(head) - 1 + body, tail, sizeof(tail));
	*len = sizeof(head) - 1 + body + sizeof(tail) - 1;
	return s;
}

static double
time_feed(const char *s, size_t n, size_t chunk, const struct frame_limits *l)
{
	struct coll c = { .lim = *l };
	double best = 1e9;

	for (int k = 0; k < 3; k++) {
		double t = now();

		coll_run(&c, s, n, chunk);
		t = now() - t;
		best = t < best ? t : best;
		ck_assert_int_eq(c.nmsg, 1);
	}
	coll_done(&c);
	return best;
}

START_TEST(t_large_msrp)
{
	struct frame_limits lim = { 0 };
	size_t n;
	char *s = big_msrp(8 << 20, &n);
	double t = time_feed(s, n, 1500, &lim);

	ck_assert_msg(t < 5.0, "8 MiB in 1500-byte reads took %.2f s", t);
	free(s);
}
END_TEST

/* One byte per feed: 8 times the bytes must cost about 8 times the time
 * (quadratic rescanning would be 64 times). */
START_TEST(t_linear_bytewise)
{
	struct frame_limits lim = { .hdr_max = 1 << 20, .sip_max = 2 << 20 };
	size_t n1, n2, len;
	char *a = big_msrp(64 << 10, &n1), *b = big_msrp(512 << 10, &n2);
	double t1 = time_feed(a, n1, 1, &lim), t2 = time_feed(b, n2, 1, &lim);
	char *h;

	ck_assert_msg(t2 < 24 * t1 + 0.05, "MSRP 64 KiB %.3f s, 512 KiB %.3f s",
	    t1, t2);
	free(a);
	free(b);
	/* a SIP header line of 64 KiB and 512 KiB */
	for (int k = 0; k < 2; k++) {
		len = (k ? 512 : 64) << 10;
		h = malloc(len + 64);
		memset(h, 'x', len + 64);
		memcpy(h, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
		memcpy(h + len, "\r\nl: 0\r\n\r\n", 10);
		if (k == 0)
			t1 = time_feed(h, len + 10, 1, &lim);
		else
			t2 = time_feed(h, len + 10, 1, &lim);
		free(h);
	}
	ck_assert_msg(t2 < 24 * t1 + 0.05, "SIP 64 KiB %.3f s, 512 KiB %.3f s",
	    t1, t2);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("valid");
	TCase *te = tcase_create("errors");
	TCase *tl = tcase_create("large");

	tcase_add_test(tc, t_sip_request);
	tcase_add_test(tc, t_sip_reply);
	tcase_add_test(tc, t_sip_content_length_forms);
	tcase_add_test(tc, t_sip_no_content_length);
	tcase_add_test(tc, t_msrp_frames);
	tcase_add_test(tc, t_msrp_fake_endlines);
	tcase_add_test(tc, t_keepalive);
	tcase_add_test(tc, t_mixed_whole);
	tcase_add_test(tc, t_mixed_split_each);
	tcase_add_test(tc, t_pipelined);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_test(te, t_err_garbage);
	tcase_add_test(te, t_err_nul);
	tcase_add_test(te, t_err_start_line_long);
	tcase_add_test(te, t_err_cl_too_big);
	tcase_add_test(te, t_err_header_too_big);
	tcase_add_test(te, t_err_cl_dup_bad);
	tcase_add_test(te, t_err_msrp_tid);
	tcase_add_test(te, t_err_msrp_too_big);
	tcase_add_test(te, t_err_msrp_headers);
	tcase_add_test(te, t_err_sticky);
	tcase_add_test(te, t_feed_refused);
	suite_add_tcase(s, te);
	tcase_add_test(tl, t_large_msrp);
	tcase_add_test(tl, t_linear_bytewise);
	tcase_set_timeout(tl, 120);
	suite_add_tcase(s, tl);
	return s;
}

int
main(void)
{
	return tcheck_run(frame_suite());
}
