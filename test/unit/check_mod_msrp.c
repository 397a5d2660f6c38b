/* check_mod_msrp.c - MSRP frame and URI parsing (modules/msrp/msrp_parse.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/msrp/msrp_parse.h"
#include "tcheck.h"

/* A literal and its length, NULs inside included. */
#define L(lit) lit, sizeof(lit) - 1
#define NITEMS(a) (int)(sizeof(a) / sizeof((a)[0]))

#define SL  "MSRP abcd SEND\r\n"
#define TP  "To-Path: msrp://bob.example.com:8888/9di4;tcp\r\n"
#define FP  "From-Path: msrp://alice.example.org:7777/iau39;tcp\r\n"
#define EL  "-------abcd$\r\n"

/*
 * Every parse works on an exactly sized heap copy, so that ASan reports
 * a read one byte past the frame.  The copy lives until the next parse
 * (results point into it) or the end of the test.
 */
static char *copy;
static struct msrp_frame fr;

static void
teardown(void)
{
	free(copy);
	copy = NULL;
}

static char *
exact(const char *s, size_t n)
{
	free(copy);
	copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	return copy;
}

static enum msrp_parse_rc
parse(const char *s, size_t n, const char **err)
{
	*err = NULL;
	return msrp_frame_parse(exact(s, n), n, &fr, err);
}

/* Parses a frame that must be valid. */
static void
parse_ok(const char *s, size_t n)
{
	const char *err;
	enum msrp_parse_rc rc = parse(s, n, &err);

	ck_assert_msg(rc == MSRP_PARSE_OK, "rc %d (%s) for:\n%.*s", rc,
	    err ? err : "-", (int)n, s);
}

static void
ck_str(const str_t *s, const char *want)
{
	ck_assert_msg(str_eq_cstr(s, want), "got '%.*s', want '%s'",
	    STR_FMT(s), want);
}

static void
ck_uri(const struct msrp_uri *u, const char *scheme, const char *host,
    int port, const char *session, const char *transport)
{
	ck_str(&u->scheme, scheme);
	ck_str(&u->host, host);
	ck_assert_int_eq(u->port_no, port);
	ck_str(&u->session, session);
	ck_str(&u->transport, transport);
}

/* RFC 4975 §7.1 */
static const char send_frame[] =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
    "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-25/25\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hey Bob, are you there?\r\n"
    "-------a786hjs2$\r\n";

START_TEST(t_send)
{
	static const enum msrp_hdr_type types[] = { MSRP_H_TO_PATH,
	    MSRP_H_FROM_PATH, MSRP_H_MESSAGE_ID, MSRP_H_BYTE_RANGE,
	    MSRP_H_CONTENT_TYPE };
	const struct msrp_hdr *h;
	str_t name = STR_LIT("content-TYPE");

	parse_ok(L(send_frame));
	ck_str(&fr.first_line, "MSRP a786hjs2 SEND");
	ck_str(&fr.tid, "a786hjs2");
	ck_assert_int_eq(fr.is_reply, 0);
	ck_str(&fr.method, "SEND");
	ck_assert_int_eq(fr.nhdrs, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(fr.hdrs[i].type, types[i]);
	ck_str(&fr.hdrs[2].name, "Message-ID");
	ck_str(&fr.hdrs[2].value, "87652491");
	ck_str(&fr.hdrs[2].line, "Message-ID: 87652491\r\n");
	ck_assert(fr.h_to_path == 0 && fr.h_from_path == 1 &&
	    fr.h_message_id == 2 && fr.h_byte_range == 3 && fr.h_expires == -1);
	ck_assert(fr.br_start == 1 && fr.br_end == 25 && fr.br_total == 25);
	ck_assert_ptr_eq(fr.hdr_block.s, copy + 20);
	ck_assert_uint_eq(fr.hdr_block.len,
	    (size_t)(strstr(send_frame, "\r\n\r\n") + 2 - send_frame - 20));
	ck_assert(fr.has_body == 1 && fr.flag == '$');
	ck_str(&fr.body, "Hey Bob, are you there?");
	ck_str(&fr.end_line, "-------a786hjs2$");
	ck_assert(fr.nto == 1 && fr.nfrom == 1);
	ck_uri(&fr.to[0], "msrp", "bob.example.com", 8888, "9di4eae923wzd",
	    "tcp");
	ck_str(&fr.to[0].buf, "msrp://bob.example.com:8888/9di4eae923wzd;tcp");
	ck_uri(&fr.from[0], "msrp", "alicepc.example.com", 7777,
	    "iau39soe2843z", "tcp");
	h = msrp_frame_hdr(&fr, MSRP_H_MESSAGE_ID);
	ck_assert_ptr_eq(h, &fr.hdrs[2]);
	ck_assert_ptr_null(msrp_frame_hdr(&fr, MSRP_H_STATUS));
	h = msrp_frame_hdr_name(&fr, &name);
	ck_assert_ptr_nonnull(h);
	ck_str(&h->value, "text/plain");
	name = STR_LIT("Content");
	ck_assert_ptr_null(msrp_frame_hdr_name(&fr, &name));
}
END_TEST

static const char reply_frame[] =
    "MSRP a786hjs2 200 OK\r\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
    "-------a786hjs2$\r\n";

START_TEST(t_reply)
{
	parse_ok(L(reply_frame));
	ck_assert(fr.is_reply == 1 && fr.code == 200 && fr.method.len == 0);
	ck_str(&fr.reason, "OK");
	ck_assert(fr.nhdrs == 2 && fr.has_body == 0 && fr.body.len == 0);
	ck_assert_ptr_eq(fr.hdr_block.s + fr.hdr_block.len, fr.end_line.s);
	ck_assert(fr.br_start == 0 && fr.br_end == -1 && fr.br_total == -1);
	/* no comment, and a comment with spaces */
	parse_ok(L("MSRP abcd 481\r\n" TP FP EL));
	ck_assert(fr.code == 481 && fr.reason.len == 0);
	parse_ok(L("MSRP abcd 413 Please stop  sending\r\n" TP FP EL));
	ck_str(&fr.reason, "Please stop  sending");
}
END_TEST

static const char report_frame[] =
    "MSRP dkei38sd REPORT\r\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 1-106/106\r\n"
    "Status: 000 200 OK\r\n"
    "-------dkei38sd$\r\n";

START_TEST(t_report)
{
	parse_ok(L(report_frame));
	ck_str(&fr.method, "REPORT");
	ck_str(&msrp_frame_hdr(&fr, MSRP_H_STATUS)->value, "000 200 OK");
	ck_assert(fr.br_start == 1 && fr.br_end == 106 && fr.br_total == 106);
	ck_assert_int_eq(fr.has_body, 0);
}
END_TEST

/* RFC 4976 §5.1 and §5.2 (AUTH, its 401 and 200, Use-Path) */
static const char auth_frame[] =
    "MSRP 49fh AUTH\r\n"
    "To-Path: msrps://alice@intra.example.com;tcp\r\n"
    "From-Path: msrps://alice.example.com:9892/98cjs;tcp\r\n"
    "Authorization: Digest username=\"Alice\", realm=\"intra.example.com\","
    " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
    " uri=\"msrps://alice@intra.example.com;tcp\","
    " response=\"6629fae49393a05397450978507c4ef1\"\r\n"
    "Expires: 900\r\n"
    "-------49fh$\r\n";

static const char auth_401[] =
    "MSRP 49fh 401 Unauthorized\r\n"
    "To-Path: msrps://alice.example.com:9892/98cjs;tcp\r\n"
    "From-Path: msrps://alice@intra.example.com;tcp\r\n"
    "WWW-Authenticate: Digest realm=\"intra.example.com\", qop=\"auth\","
    " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"\r\n"
    "-------49fh$\r\n";

static const char auth_200[] =
    "MSRP 49fi 200 OK\r\n"
    "To-Path: msrps://alice.example.com:9892/98cjs;tcp\r\n"
    "From-Path: msrps://alice@intra.example.com;tcp\r\n"
    "Use-Path: msrps://intra.example.com:9000/jui787s2f;tcp\r\n"
    "Expires: 900\r\n"
    "-------49fi$\r\n";

static const char auth_423[] =
    "MSRP 49fj 423 Interval Out-of-Bounds\r\n"
    "To-Path: msrps://alice.example.com:9892/98cjs;tcp\r\n"
    "From-Path: msrps://alice@intra.example.com;tcp\r\n"
    "Min-Expires: 90\r\n"
    "max-expires: 1800\r\n"
    "-------49fj$\r\n";

START_TEST(t_auth)
{
	parse_ok(L(auth_frame));
	ck_str(&fr.method, "AUTH");
	ck_assert_int_eq(fr.hdrs[2].type, MSRP_H_AUTHORIZATION);
	ck_assert_int_eq(fr.h_expires, 3);
	ck_str(&fr.hdrs[3].value, "900");
	ck_uri(&fr.to[0], "msrps", "intra.example.com", 0, "", "tcp");
	ck_assert(fr.to[0].secure == 1 && fr.to[0].port.len == 0);
	ck_str(&fr.to[0].user, "alice");
	parse_ok(L(auth_401));
	ck_assert_int_eq(fr.code, 401);
	ck_assert_ptr_nonnull(msrp_frame_hdr(&fr, MSRP_H_WWW_AUTHENTICATE));
	parse_ok(L(auth_200));
	ck_str(&msrp_frame_hdr(&fr, MSRP_H_USE_PATH)->value,
	    "msrps://intra.example.com:9000/jui787s2f;tcp");
	ck_assert_int_eq(fr.h_expires, 3);
	parse_ok(L(auth_423));
	ck_str(&msrp_frame_hdr(&fr, MSRP_H_MIN_EXPIRES)->value, "90");
	ck_str(&msrp_frame_hdr(&fr, MSRP_H_MAX_EXPIRES)->value, "1800");
}
END_TEST

static const char chunk_more[] = SL TP FP
    "Message-ID: m1\r\nByte-Range: 1-*/*\r\nFailure-Report: partial\r\n"
    "Content-Type: text/plain\r\n\r\nfirst half\r\n-------abcd+\r\n";
static const char chunk_last[] = "MSRP abce SEND\r\n" TP FP
    "Message-ID: m1\r\nByte-Range: 11-20/20\r\nSuccess-Report: yes\r\n"
    "Content-Type: text/plain\r\n\r\n2nd  half\r\n-------abce$\r\n";
static const char chunk_abort[] = "MSRP abcf SEND\r\n" TP FP
    "Message-ID: m2\r\nByte-Range: 1-*/100\r\nContent-Type: text/plain\r\n"
    "\r\npart" "\r\n-------abcf#\r\n";

START_TEST(t_chunks)
{
	parse_ok(L(chunk_more));
	ck_assert(fr.flag == '+' && fr.br_start == 1 && fr.br_end == -1 &&
	    fr.br_total == -1 && fr.hdrs[4].type == MSRP_H_FAILURE_REPORT);
	ck_str(&fr.body, "first half");
	parse_ok(L(chunk_last));
	ck_assert(fr.flag == '$' && fr.br_start == 11 && fr.br_end == 20 &&
	    fr.br_total == 20 && fr.hdrs[4].type == MSRP_H_SUCCESS_REPORT);
	parse_ok(L(chunk_abort));
	ck_assert(fr.flag == '#' && fr.br_start == 1 && fr.br_end == -1 &&
	    fr.br_total == 100);
	ck_str(&fr.end_line, "-------abcf#");
}
END_TEST

/* The body holds NULs, a blank line, header-like text and end-lines
 * that are not at a line start or not followed by CRLF. */
#define BIN_BODY "\0\x01\xff\r\n\r\nTo-Path: x\r\nx-------bin01$\r\n" \
    "-------bin01$x\r\n-------bin01\r\n-------bin0$\r\n\0"
static const char bin_frame[] = "MSRP bin01 SEND\r\n" TP FP
    "Content-Type: application/octet-stream\r\n\r\n" BIN_BODY
    "\r\n-------bin01$\r\n";

START_TEST(t_binary_body)
{
	parse_ok(L(bin_frame));
	ck_assert(fr.nhdrs == 3 && fr.has_body == 1);
	ck_assert_uint_eq(fr.body.len, sizeof(BIN_BODY) - 1);
	ck_assert_int_eq(memcmp(fr.body.s, BIN_BODY, fr.body.len), 0);
	ck_str(&fr.end_line, "-------bin01$");
	/* an empty body, with its own CRLF and without */
	parse_ok(L(SL TP FP "Content-Type: text/plain\r\n\r\n\r\n" EL));
	ck_assert(fr.has_body == 1 && fr.body.len == 0);
	parse_ok(L(SL TP FP "Content-Type: text/plain\r\n\r\n" EL));
	ck_assert(fr.has_body == 1 && fr.body.len == 0);
}
END_TEST

/* The relay example of the module documentation (RFC 4976 §7.1). */
static const char relay_frame[] =
    "MSRP 6aef SEND\r\n"
    "To-Path: msrps://a.example.org:9000/kjfjan;tcp "
    "msrps://b.example.net:9000/aeiug;tcp\t msrps://bob.example.net:8145/foo;tcp\r\n"
    "From-Path: msrps://alice.example.org:7965/bar;tcp\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-*/*\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "hi\r\n"
    "-------6aef$\r\n";

/* A frame whose header `name` has n URIs (the other path has one). */
static size_t
long_path(char *buf, size_t size, const char *name, int n)
{
	int len = snprintf(buf, size, SL "%s%s:", name[0] == 'T' ? FP : TP,
	    name);

	for (int i = 0; i < n; i++)
		len += snprintf(buf + len, size - (size_t)len,
		    " msrp://r%d.example.com:%d/s%d;tcp", i, 2855 + i, i);
	len += snprintf(buf + len, size - (size_t)len, "\r\n" EL);
	ck_assert_int_lt(len, (int)size);
	return (size_t)len;
}

START_TEST(t_paths)
{
	char buf[2048];
	const char *err;
	size_t n;

	parse_ok(L(relay_frame));
	ck_assert(fr.nto == 3 && fr.nfrom == 1);
	ck_uri(&fr.to[0], "msrps", "a.example.org", 9000, "kjfjan", "tcp");
	ck_uri(&fr.to[1], "msrps", "b.example.net", 9000, "aeiug", "tcp");
	ck_uri(&fr.to[2], "msrps", "bob.example.net", 8145, "foo", "tcp");
	ck_uri(&fr.from[0], "msrps", "alice.example.org", 7965, "bar", "tcp");
	ck_assert_int_eq(fr.from[0].secure, 1);
	/* a From-Path relays have added to: MSRP_MAX_PATH URIs fit */
	n = long_path(buf, sizeof(buf), "From-Path", MSRP_MAX_PATH);
	parse_ok(buf, n);
	ck_assert_int_eq(fr.nfrom, MSRP_MAX_PATH);
	ck_uri(&fr.from[MSRP_MAX_PATH - 1], "msrp", "r15.example.com", 2870,
	    "s15", "tcp");
	n = long_path(buf, sizeof(buf), "To-Path", MSRP_MAX_PATH + 1);
	ck_assert_int_eq(parse(buf, n, &err), MSRP_PARSE_BAD);
	ck_assert_str_eq(err, "more than 16 URIs in To-Path");
	ck_assert_int_eq(fr.nto, MSRP_MAX_PATH);
}
END_TEST

struct bad_case {
	const char *text;
	size_t      len;
	enum msrp_parse_rc rc;
	const char *err;
	int         paths;      /* BAD: both paths still parsed */
};

#define FATAL MSRP_PARSE_FATAL
#define BAD   MSRP_PARSE_BAD

static const struct bad_case bad_cases[] = {
	{ L(""), FATAL, "not an MSRP frame", 0 },
	{ L("SIP/2.0 200 OK\r\n\r\n"), FATAL, "not an MSRP frame", 0 },
	{ L("msrp abcd SEND\r\n" TP FP EL), FATAL, "not an MSRP frame", 0 },
	{ L("MSRP abcd SEND"), FATAL, "start line not terminated", 0 },
	{ L("MSRP abcd SEND\n" TP FP EL), FATAL, "bare LF in start line", 0 },
	{ L("MSRP abc SEND\r\n" TP FP "-------abc$\r\n"), FATAL,
	  "transaction id too short", 0 },
	{ L("MSRP  SEND\r\n" TP FP EL), FATAL, "transaction id too short", 0 },
	{ L("MSRP a23456789012345678901234567890123 SEND\r\n" TP FP
	    "-------a23456789012345678901234567890123$\r\n"), FATAL,
	  "transaction id too long", 0 },
	{ L("MSRP ab!cd SEND\r\n" TP FP "-------ab!cd$\r\n"), FATAL,
	  "bad character in transaction id", 0 },
	{ L("MSRP .abcd SEND\r\n" TP FP "-------.abcd$\r\n"), FATAL,
	  "bad character in transaction id", 0 },
	{ L("MSRP abcd\r\n" TP FP EL), FATAL, "missing method or status", 0 },
	{ L("MSRP abcd \r\n" TP FP EL), FATAL, "missing method or status", 0 },
	{ L("MSRP abcd send\r\n" TP FP EL), FATAL, "bad method", 0 },
	{ L("MSRP abcd SEND now\r\n" TP FP EL), FATAL, "bad method", 0 },
	{ L("MSRP abcd 20\r\n" TP FP EL), FATAL, "bad status code", 0 },
	{ L("MSRP abcd 2000 OK\r\n" TP FP EL), FATAL, "bad status code", 0 },
	{ L("MSRP abcd 2x0 OK\r\n" TP FP EL), FATAL, "bad status code", 0 },
	{ L("MSRP abcd 099 OK\r\n" TP FP EL), FATAL, "bad status code", 0 },
	{ L("MSRP abcd 200 O\0K\r\n" TP FP EL), FATAL,
	  "bad character in status comment", 0 },
	{ L(SL TP FP), FATAL, "missing end-line", 0 },
	{ L(SL TP FP "-------abcd$"), FATAL, "missing end-line", 0 },
	{ L(SL TP FP "\r\nbody\r\n"), FATAL, "missing end-line", 0 },
	{ L(SL), FATAL, "missing end-line", 0 },
	{ L(SL TP FP "-------abce$\r\n"), FATAL,
	  "end-line transaction id mismatch", 0 },
	{ L(SL TP FP "-------abcdef$\r\n"), FATAL,
	  "end-line transaction id mismatch", 0 },
	{ L(SL TP FP "-------abcd!\r\n"), FATAL, "bad end-line flag", 0 },
	{ L(SL TP "From-Path: msrp://a.example.org;tcp\n" EL), FATAL,
	  "end-line not preceded by CRLF", 0 },
	{ L(SL TP FP "Foo bar\r\n" EL), BAD, "header line without ':'", 1 },
	{ L(SL TP FP "\r\n" "Foo bar\r\n" EL), MSRP_PARSE_OK, NULL, 1 },
	{ L(SL TP FP "Fo o: bar\r\n" EL), BAD, "bad header name", 1 },
	{ L(SL TP FP "Foo : bar\r\n" EL), BAD, "bad header name", 1 },
	{ L(SL TP FP "F@o: bar\r\n" EL), BAD, "bad header name", 1 },
	{ L(SL TP FP ": bar\r\n" EL), BAD, "empty header name", 1 },
	{ L(SL TP FP "Foo: b\0r\r\n" EL), BAD, "NUL in header value", 1 },
	{ L(SL TP FP "Foo: b\rr\r\n" EL), BAD, "CR in header value", 1 },
	{ L(SL TP FP "Foo: b\nBar: x\r\n" EL), BAD, "bare LF in header", 1 },
	{ L(SL TP FP "\nX: y\r\n" EL), BAD, "bare LF in header", 1 },
	{ L(SL FP EL), BAD, "To-Path missing", 0 },
	{ L(SL EL), BAD, "To-Path missing", 0 },
	{ L(SL TP EL), BAD, "From-Path missing", 0 },
	{ L(SL TP FP TP EL), BAD, "To-Path duplicated", 1 },
	{ L(SL TP FP "from-path: msrp://x.example.org;tcp\r\n" EL), BAD,
	  "From-Path duplicated", 1 },
	{ L(SL "To-Path: \r\n" FP EL), BAD, "To-Path empty", 0 },
	{ L(SL TP "From-Path:\r\n" EL), BAD, "From-Path empty", 0 },
	{ L(SL "To-Path: msrp://bob.example.com:8888/9di4\r\n" FP EL), BAD,
	  "bad To-Path URI: missing transport", 0 },
	{ L(SL TP "From-Path: msrp://a.example.org;tcp sip:a@b\r\n" EL), BAD,
	  "bad From-Path URI: scheme is not msrp or msrps", 0 },
	{ L(SL TP FP "Byte-Range: 0-1/1\r\n" EL), BAD, "bad Byte-Range", 1 },
	/* only the first Byte-Range counts */
	{ L(SL TP FP "Byte-Range: 1-2/2\r\nByte-Range: x\r\n" EL), MSRP_PARSE_OK,
	  NULL, 1 },
	/* the first error wins, the paths after it are still parsed */
	{ L(SL "Byte-Range: 0-1/1\r\nX\r\n" TP FP EL), BAD,
	  "bad Byte-Range", 1 },
};

START_TEST(t_errors)
{
	const struct bad_case *c = &bad_cases[_i];
	const char *err;
	enum msrp_parse_rc rc = parse(c->text, c->len, &err);

	ck_assert_msg(rc == c->rc && (c->err == NULL ? err == NULL :
	    err != NULL && strcmp(err, c->err) == 0),
	    "case %d: rc %d err '%s', want %d '%s'", _i, rc, err ? err : "-",
	    c->rc, c->err ? c->err : "-");
	if (rc == MSRP_PARSE_BAD) {
		ck_str(&fr.tid, "abcd");
		ck_str(&fr.method, "SEND");
	}
	if (c->paths)
		ck_assert(fr.nto == 1 && fr.nfrom == 1);
}
END_TEST

/* Byte-Range values: valid ones as start, end, total (-1 for '*'). */
static const struct { const char *v; long long s, e, t; } ranges_ok[] = {
	{ "1-25/25", 1, 25, 25 }, { "1-*/*", 1, -1, -1 },
	{ "5-4/10", 5, 4, 10 }, { "1-0/0", 1, 0, 0 }, { "11-*/20", 11, -1, 20 },
	{ "3-9/*", 3, 9, -1 }, { "\t 1-25/25 \t", 1, 25, 25 },
	{ "999999999999999999-*/*", 999999999999999999LL, -1, -1 },
};
static const char *const ranges_bad[] = {
	"0-1/1", "a-b/c", "5-3/10", "1-30/25", "1-25", "1-25/25x", "*/25/25",
	"1 - 25/25", "1234567890123456789-*/*", "-1-2/3", "1-2/", "", "1-/2",
	"1--2/3", "+1-2/3", "1-2/3/4",
};

START_TEST(t_byte_range)
{
	char buf[512];
	const char *err;
	int n;

	for (int i = 0; i < NITEMS(ranges_ok); i++) {
		n = snprintf(buf, sizeof(buf), SL TP FP "Byte-Range: %s\r\n" EL,
		    ranges_ok[i].v);
		parse_ok(buf, (size_t)n);
		ck_assert_msg(fr.br_start == ranges_ok[i].s &&
		    fr.br_end == ranges_ok[i].e && fr.br_total == ranges_ok[i].t,
		    "Byte-Range: %s", ranges_ok[i].v);
	}
	for (int i = 0; i < NITEMS(ranges_bad); i++) {
		n = snprintf(buf, sizeof(buf), SL TP FP "Byte-Range: %s\r\n" EL,
		    ranges_bad[i]);
		ck_assert_msg(parse(buf, (size_t)n, &err) == BAD &&
		    strcmp(err, "bad Byte-Range") == 0, "Byte-Range: %s",
		    ranges_bad[i]);
		ck_assert(fr.nto == 1 && fr.nfrom == 1 && fr.h_byte_range == 2);
		ck_assert(fr.br_start == 0 && fr.br_end == -1);
	}
}
END_TEST

/* MSRP_MAX_HDRS header lines are fine, one more is BAD. */
START_TEST(t_too_many_headers)
{
	static char buf[8192];
	const char *err;
	int n = snprintf(buf, sizeof(buf), SL TP FP);

	for (int i = 2; i < MSRP_MAX_HDRS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X-%d: %d\r\n",
		    i, i);
	memcpy(buf + n, EL, sizeof(EL));
	parse_ok(buf, (size_t)n + sizeof(EL) - 1);
	ck_assert_int_eq(fr.nhdrs, MSRP_MAX_HDRS);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X-last: 1\r\n");
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, EL);
	ck_assert_int_eq(parse(buf, (size_t)n, &err), MSRP_PARSE_BAD);
	ck_assert_str_eq(err, "more than 64 headers");
	ck_assert(fr.nhdrs == MSRP_MAX_HDRS && fr.nto == 1 && fr.nfrom == 1);
}
END_TEST

static const struct { const char *text; size_t len; } valid_frames[] = {
	{ L(send_frame) }, { L(reply_frame) }, { L(report_frame) },
	{ L(auth_frame) }, { L(auth_401) }, { L(auth_200) }, { L(auth_423) },
	{ L(chunk_more) }, { L(chunk_last) }, { L(chunk_abort) },
	{ L(bin_frame) }, { L(relay_frame) },
};

/* Every prefix of a valid frame, each in an exactly sized buffer: no
 * crash, no read past it, never OK, always a reason. */
START_TEST(t_truncated)
{
	const char *s = valid_frames[_i].text, *err;
	size_t n = valid_frames[_i].len;
	enum msrp_parse_rc rc;

	parse_ok(s, n);
	for (size_t k = 0; k < n; k++) {
		rc = parse(s, k, &err);
		ck_assert_msg(rc != MSRP_PARSE_OK && err != NULL && *err,
		    "frame %d cut at %zu: rc %d", _i, k, rc);
	}
}
END_TEST

/* Each valid URI with its parts: scheme|userinfo|user|host|port|session|
 * transport|params. */
static const char *const uri_ok[][2] = {
	{ "msrps://a.example.org:9000/kjfjan;tcp",
	  "msrps|||a.example.org|9000|kjfjan|tcp|" },
	{ "msrp://127.0.0.1:5060/s.1.2.3;tcp",
	  "msrp|||127.0.0.1|5060|s.1.2.3|tcp|" },
	{ "msrp://[2001:db8::1]:2855/abc;tcp",
	  "msrp|||[2001:db8::1]|2855|abc|tcp|" },
	{ "msrp://alice@atlanta.example.com:7777/iau39;tcp;foo=bar",
	  "msrp|alice|alice|atlanta.example.com|7777|iau39|tcp|foo=bar" },
	{ "msrps://alice@intra.example.com;tcp",
	  "msrps|alice|alice|intra.example.com|||tcp|" },
	{ "MSRP://Bob.Example.COM;TCP", "MSRP|||Bob.Example.COM|||TCP|" },
	{ "mSrPs://relay.example.com:65535;tcp",
	  "mSrPs|||relay.example.com|65535||tcp|" },
	{ "msrp://user:pw@h.example:1/a+b=c/d_e~f-.;sctp;x;y=z",
	  "msrp|user:pw|user|h.example|1|a+b=c/d_e~f-.|sctp|x;y=z" },
	{ "msrp://%41l;i&c=e+$,!~*'()@h;tcp",
	  "msrp|%41l;i&c=e+$,!~*'()|%41l;i&c=e+$,!~*'()|h|||tcp|" },
	{ "msrp://@h;tcp", "msrp|||h|||tcp|" },
	{ "msrp://[::ffff:192.0.2.1]:2855;tcp",
	  "msrp|||[::ffff:192.0.2.1]|2855||tcp|" },
	{ "msrp://host.example.;tcp", "msrp|||host.example.|||tcp|" },
	{ "msrp://9host-1.x-y.example;tcp2", "msrp|||9host-1.x-y.example|||tcp2|" },
	{ "msrp://127.0.0.1:8000;tcp", "msrp|||127.0.0.1|8000||tcp|" },
};

/* Invalid URIs by the error they give; L63 is a 63-byte label. */
#define L63 "a12345678901234567890123456789012345678901234567890123456789012"
static const struct { const char *err, *uris[6]; } uri_bad[] = {
	{ "empty URI", { "" } },
	{ "scheme is not msrp or msrps",
	  { "sip://a.example.org;tcp", "msrpx://a;tcp", "msr://a;tcp" } },
	{ "missing \"://\" after the scheme",
	  { "msrp", "msrp:a.example.org;tcp", "msrps:/a.example.org;tcp" } },
	{ "bad userinfo",
	  { "msrp://a\"b@host;tcp", "msrp://a%zz@host;tcp", "msrp://a%4@h;tcp" } },
	{ "missing host",
	  { "msrp://;tcp", "msrp://:80;tcp", "msrp://alice@;tcp", "msrp://" } },
	{ "bad character in host", { "msrp://ho_st;tcp", "msrp://host?x;tcp",
	  "msrp://_;tcp", "msrp://[::1]x;tcp" } },
	{ "bad host name", { "msrp://-host;tcp", "msrp://host-;tcp",
	  "msrp://a..b;tcp", "msrp://.;tcp", "msrp://x" L63 ".b;tcp",
	  "msrp://" L63 "." L63 "." L63 "." L63 ";tcp" } },
	{ "bad IPv4 address", { "msrp://1.2.3;tcp", "msrp://256.1.1.1;tcp",
	  "msrp://01.2.3.4;tcp", "msrp://1.2.3.4.5;tcp", "msrp://1.2.3.;tcp" } },
	{ "bad IPv6 reference", { "msrp://[2001:db8::1;tcp", "msrp://[zz::1];tcp",
	  "msrp://[];tcp", "msrp://[1:2:3];tcp", "msrp://[1.2.3.4];tcp" } },
	{ "bad port", { "msrp://host:;tcp", "msrp://host:0;tcp",
	  "msrp://host:65536;tcp", "msrp://host:123456;tcp",
	  "msrp://host:12a;tcp" } },
	{ "bad session-id",
	  { "msrp://host/;tcp", "msrp://host/a?b;tcp", "msrp://h:1/a@b;tcp" } },
	{ "missing transport",
	  { "msrp://host:1/abc", "msrp://host", "msrp://[::1]:2855" } },
	{ "bad transport",
	  { "msrp://host;", "msrp://host;t-cp", "msrp://host;;x" } },
	{ "bad URI parameter", { "msrp://host;tcp;", "msrp://host;tcp;a=",
	  "msrp://host;tcp;=b", "msrp://host;tcp;a=b=c", "msrp://h;tcp;a;;b" } },
};

/* The next '|'-separated field of *p. */
static str_t
field(const char **p)
{
	const char *bar = strchr(*p, '|');
	str_t f = str_make(*p, bar ? (size_t)(bar - *p) : strlen(*p));

	*p += f.len + (bar != NULL);
	return f;
}

START_TEST(t_uri_ok)
{
	const char *want = uri_ok[_i][1];
	str_t s = str_cstr(uri_ok[_i][0]), w;
	long long port = 0;
	struct msrp_uri u;
	const char *err = NULL;
	const str_t *got[] = { &u.scheme, &u.userinfo, &u.user, &u.host,
	    &u.port, &u.session, &u.transport, &u.params };

	s.s = exact(s.s, s.len);
	ck_assert_msg(msrp_uri_parse(&s, &u, &err) == 0, "%s: %s",
	    uri_ok[_i][0], err ? err : "-");
	ck_assert(u.buf.s == s.s && u.buf.len == s.len);
	for (size_t k = 0; k < sizeof(got) / sizeof(got[0]); k++) {
		w = field(&want);
		ck_assert_msg(str_eq(got[k], &w), "%s: part %zu is '%.*s'",
		    uri_ok[_i][0], k, STR_FMT(got[k]));
		if (got[k] == &u.port && w.len > 0)
			ck_assert_int_eq(str_to_ll(&w, &port), 0);
	}
	ck_assert_int_eq(u.port_no, port);
	ck_assert_int_eq(u.secure, u.scheme.len == 5);
}
END_TEST

START_TEST(t_uri_bad)
{
	struct msrp_uri u;
	const char *err;
	str_t s;

	for (int k = 0; k == 0 || (k < 6 && uri_bad[_i].uris[k]); k++) {
		s = str_cstr(uri_bad[_i].uris[k]);
		s.s = exact(s.s, s.len);
		err = NULL;
		ck_assert_int_eq(msrp_uri_parse(&s, &u, &err), -1);
		ck_assert_msg(err != NULL && strcmp(err, uri_bad[_i].err) == 0,
		    "%s: got '%s', want '%s'", uri_bad[_i].uris[k],
		    err ? err : "-", uri_bad[_i].err);
	}
}
END_TEST

static int
in(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* 1 when the template, every \001 replaced by x, parses (as a URI when
 * uri is set, else as a frame); in an exact copy as always. */
static int
parses(const char *tmpl, int x, int uri)
{
	char buf[256];
	const char *err;
	struct msrp_uri u;
	str_t s = { NULL, strlen(tmpl) };

	ck_assert_uint_lt(s.len, sizeof(buf));
	for (size_t i = 0; i < s.len; i++)
		buf[i] = tmpl[i] == '\001' ? (char)x : tmpl[i];
	s.s = exact(buf, s.len);
	if (uri)
		return msrp_uri_parse(&s, &u, &err) == 0;
	return msrp_frame_parse(s.s, s.len, &fr, &err) == MSRP_PARSE_OK;
}

/* Every byte against the grammar's character sets, written out here
 * independently of the parser's table. */
START_TEST(t_char_classes)
{
	for (int c = 0; c < 256; c++) {
		int tok = in(c, ALNUM "-.!%*_+`'~");

		ck_assert_msg(parses("MSRP ab\001d SEND\r\n" TP FP
		    "-------ab\001d$\r\n", c, 0) == in(c, ALNUM ".-+%="),
		    "tid byte %#x", c);
		ck_assert_msg(parses("MSRP abcd SE\001D\r\n" TP FP EL, c, 0) ==
		    in(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "method byte %#x", c);
		ck_assert_msg(c == ':' ||
		    parses(SL TP FP "X\001y: 1\r\n" EL, c, 0) == tok,
		    "header name byte %#x", c);
		ck_assert_msg(parses(SL TP FP "X: a\001b\r\n" EL, c, 0) ==
		    (c != 0 && !in(c, "\r\n")), "header value byte %#x", c);
		ck_assert_msg(parses("msrp://u\001v@h;tcp", c, 1) ==
		    in(c, ALNUM "-_.!~*'();:&=+$,"), "userinfo byte %#x", c);
		ck_assert_msg(in(c, ":/;@") ||
		    parses("msrp://a\001b;tcp", c, 1) == in(c, ALNUM "-."),
		    "host byte %#x", c);
		ck_assert_msg(c == ';' || parses("msrp://h/a\001b;tcp", c, 1) ==
		    in(c, ALNUM "-._~+=/"), "session byte %#x", c);
		ck_assert_msg(c == ';' || parses("msrp://h;t\001p", c, 1) ==
		    in(c, ALNUM), "transport byte %#x", c);
		ck_assert_msg(parses("msrp://h;tcp;a\001b=c", c, 1) ==
		    (tok || c == ';'), "param byte %#x", c);
	}
}
END_TEST

/* send_frame grown to `total` bytes with text lines in the body. */
static char *
send_of_size(size_t total)
{
	static const char tail[] = "\r\n-------a786hjs2$\r\n";
	size_t head = (size_t)(strstr(send_frame, "Hey Bob") - send_frame);
	char *s = malloc(total);

	ck_assert_ptr_nonnull(s);
	memcpy(s, send_frame, head);
	for (size_t i = head; i < total; i++)
		s[i] = "Hello world, this is MSRP.\r\n"[i % 28];
	memcpy(s + total - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	return s;
}

/* Best of three runs of n parses, in CPU seconds per parse. */
static double
time_parse(const char *s, size_t len, int n)
{
	double best = 1e9, t;
	const char *err;

	for (int k = 0; k < 3; k++) {
		t = (double)clock();
		for (int i = 0; i < n; i++)
			if (msrp_frame_parse(s, len, &fr, &err) != MSRP_PARSE_OK)
				ck_abort_msg("parse failed: %s", err);
		t = ((double)clock() - t) / CLOCKS_PER_SEC / n;
		best = t < best ? t : best;
	}
	return best;
}

/*
 * The body is located, not scanned: 1 MiB costs what 4 KiB does (were
 * it scanned, a hundred times more).  The relay needs 100k frames/s;
 * optimised the parser does over a million, so even a loaded machine
 * under the sanitizers stays above the 10k asserted here.
 */
START_TEST(t_speed)
{
	char *small = send_of_size(4096), *big = send_of_size(1 << 20);
	double t4 = time_parse(small, 4096, 20000);
	double t1m = time_parse(big, 1 << 20, 20000);

	ck_assert_ptr_eq(fr.end_line.s + fr.end_line.len + 2, big + (1 << 20));
	ck_assert_ptr_eq(fr.body.s + fr.body.len + 2, fr.end_line.s);
	ck_assert_msg(t4 < 1e-4, "4 KiB SEND: %.0f frames/s", 1 / t4);
	ck_assert_msg(t1m < 5 * t4, "4 KiB %.2f us, 1 MiB %.2f us",
	    t4 * 1e6, t1m * 1e6);
	free(small);
	free(big);
}
END_TEST

static Suite *
msrp_suite(void)
{
	Suite *s = suite_create("mod_msrp");
	TCase *tv = tcase_create("valid");
	TCase *te = tcase_create("errors");
	TCase *tu = tcase_create("uri");
	TCase *tp = tcase_create("speed");

	tcase_add_checked_fixture(tv, NULL, teardown);
	tcase_add_test(tv, t_send);
	tcase_add_test(tv, t_reply);
	tcase_add_test(tv, t_report);
	tcase_add_test(tv, t_auth);
	tcase_add_test(tv, t_chunks);
	tcase_add_test(tv, t_binary_body);
	tcase_add_test(tv, t_paths);
	suite_add_tcase(s, tv);
	tcase_add_checked_fixture(te, NULL, teardown);
	tcase_add_loop_test(te, t_errors, 0, NITEMS(bad_cases));
	tcase_add_test(te, t_byte_range);
	tcase_add_test(te, t_too_many_headers);
	tcase_add_loop_test(te, t_truncated, 0, NITEMS(valid_frames));
	tcase_set_timeout(te, 60);
	suite_add_tcase(s, te);
	tcase_add_checked_fixture(tu, NULL, teardown);
	tcase_add_loop_test(tu, t_uri_ok, 0, NITEMS(uri_ok));
	tcase_add_loop_test(tu, t_uri_bad, 0, NITEMS(uri_bad));
	tcase_add_test(tu, t_char_classes);
	suite_add_tcase(s, tu);
	tcase_add_test(tp, t_speed);
	tcase_set_timeout(tp, 60);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return tcheck_run(msrp_suite());
}
