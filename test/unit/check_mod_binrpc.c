/*
 * check_mod_binrpc.c - the BINRPC codec (modules/ctl/binrpc.c) and the
 * request/reply glue (binrpc_rpc.c): exact bytes, round trips of every
 * record type, packets captured from Kamailio 5.6, and one case per
 * error class for truncated and garbage input.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/diag.h"
#include "cfg/src.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "modules/ctl/binrpc.h"
#include "modules/ctl/binrpc_rpc.h"
#include "tcheck.h"

/* "a1 03 0c" -> bytes; returns the length. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*hex) {
		unsigned v;

		if (isspace((unsigned char)*hex)) {
			hex++;
			continue;
		}
		ck_assert_int_eq(sscanf(hex, "%2x", &v), 1);
		ck_assert_uint_lt(n, cap);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Renders a body as text: "i:1 s:'x' {a=i:2} [ ]" (the decoder's view). */
static int
render(const uint8_t *body, size_t len, char *out, size_t cap)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	size_t n = 0;
	int rc;

	out[0] = '\0';
	binrpc_dec_init(&d, body, len);
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		if (v.name)
			n += (size_t)snprintf(out + n, cap - n, "%.*s=",
			    (int)v.name_len, v.name);
		if (v.end) {
			n += (size_t)snprintf(out + n, cap - n, "%s ",
			    v.type == BINRPC_T_STRUCT ? "}" : "]");
			continue;
		}
		switch (v.type) {
		case BINRPC_T_INT:
			n += (size_t)snprintf(out + n, cap - n, "i:%lld ", v.i);
			break;
		case BINRPC_T_DOUBLE:
			n += (size_t)snprintf(out + n, cap - n, "d:%.3f ", v.d);
			break;
		case BINRPC_T_STR:
			ck_assert_int_eq(v.s[v.len], '\0');
			n += (size_t)snprintf(out + n, cap - n, "s:'%.*s' ",
			    (int)v.len, v.s);
			break;
		case BINRPC_T_BYTES:
			n += (size_t)snprintf(out + n, cap - n, "b:%zu ", v.len);
			break;
		case BINRPC_T_STRUCT:
			n += (size_t)snprintf(out + n, cap - n, "{ ");
			break;
		case BINRPC_T_ARRAY:
			n += (size_t)snprintf(out + n, cap - n, "[ ");
			break;
		}
		ck_assert_uint_lt(n, cap);
	}
	return rc;
}

/* Decodes hex (a body) and returns the error, or 0 with *text set. */
static int
dec_hex(const char *hex, char *text, size_t cap)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof(buf));

	return render(buf, n, text, cap);
}

static struct binrpc_enc e;

static void
enc_setup(void)
{
	ck_assert_int_eq(binrpc_enc_init(&e, 0), BINRPC_OK);
}

static void
enc_teardown(void)
{
	binrpc_enc_free(&e);
}

/* The body written so far, as hex. */
static const char *
body_hex(void)
{
	static char buf[4096];
	const uint8_t *p = e.buf + BINRPC_HDR_MAX;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e.len && n + 4 < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%02x",
		    i ? " " : "", p[i]);
	return buf;
}

/* --- header -------------------------------------------------------------------- */

START_TEST(t_hdr_parse)
{
	uint8_t b[16];
	struct binrpc_hdr h;
	size_t n = unhex("a1 03 0c 12 34 ab cd", b, sizeof(b));

	ck_assert_int_eq(binrpc_parse_hdr(b, n, 0, &h), BINRPC_OK);
	ck_assert_int_eq(h.type, BINRPC_REQ);
	ck_assert_uint_eq(h.body_len, 12);
	ck_assert_uint_eq(h.cookie, 0x1234abcd);
	ck_assert_uint_eq(h.hdr_len, 7);
	/* every shorter prefix asks for more */
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(binrpc_parse_hdr(b, k, 0, &h), BINRPC_E_MORE);
	n = unhex("a1 3f 00 01 02 03 ff ff ff ff", b, sizeof(b));
	ck_assert_int_eq(binrpc_parse_hdr(b, n, 0, &h), BINRPC_OK);
	ck_assert_int_eq(h.type, BINRPC_FAULT);
	ck_assert_uint_eq(h.body_len, 0x010203);
	ck_assert_uint_eq(h.cookie, 0xffffffff);
	ck_assert_uint_eq(h.hdr_len, BINRPC_HDR_MAX);
	ck_assert_int_eq(binrpc_parse_hdr(b, n, 0x010202, &h), BINRPC_E_TOOBIG);
	ck_assert_uint_eq(h.cookie, 0xffffffff);  /* known for the fault */
}
END_TEST

START_TEST(t_hdr_errors)
{
	uint8_t b[16];
	struct binrpc_hdr h;

	b[0] = 0xa2;    /* version 2 */
	ck_assert_int_eq(binrpc_parse_hdr(b, 1, 0, &h), BINRPC_E_MAGIC);
	b[0] = 'G';     /* "GET / HTTP/1.1" */
	ck_assert_int_eq(binrpc_parse_hdr(b, 1, 0, &h), BINRPC_E_MAGIC);
	unhex("a1 23 01 00 00 00 00", b, sizeof(b));
	ck_assert_int_eq(binrpc_parse_hdr(b, 7, 0, &h), BINRPC_E_MSGTYPE);
	unhex("a1 f0 01 00", b, sizeof(b));
	ck_assert_int_eq(binrpc_parse_hdr(b, 4, 0, &h), BINRPC_E_MSGTYPE);
	ck_assert_str_eq(binrpc_strerror(BINRPC_E_MAGIC),
	    "bad magic or version (not BINRPC 1)");
	ck_assert_str_eq(binrpc_strerror(-99), "unknown error");
	for (int err = BINRPC_OK; err >= BINRPC_E_ARG; err--)
		ck_assert_str_ne(binrpc_strerror(err), "unknown error");
}
END_TEST

/* --- encoding: exact bytes ---------------------------------------------------- */

START_TEST(t_enc_ints)
{
	binrpc_add_int(&e, NULL, 0);
	binrpc_add_int(&e, NULL, 7);
	binrpc_add_int(&e, NULL, 0x1234);
	binrpc_add_int(&e, NULL, 500);
	binrpc_add_int(&e, NULL, -1);
	binrpc_add_int(&e, NULL, 0x7fffffff);
	binrpc_add_int(&e, NULL, -2147483647LL - 1);
	ck_assert_str_eq(body_hex(), "00 10 07 20 12 34 20 01 f4 "
	    "40 ff ff ff ff 40 7f ff ff ff 40 80 00 00 00");
	binrpc_enc_reset(&e);
	/* beyond 32 bits: its decimal text */
	binrpc_add_int(&e, NULL, 4294967296LL);
	ck_assert_str_eq(body_hex(), "91 0b 34 32 39 34 39 36 37 32 39 36 00");
}
END_TEST

START_TEST(t_enc_strings)
{
	binrpc_add_str(&e, NULL, "", 0);
	binrpc_add_str(&e, NULL, "abcdef", 6);        /* 7 with NUL: inline */
	binrpc_add_str(&e, NULL, "abcdefg", 7);       /* 8: length field */
	binrpc_add_bytes(&e, NULL, "abc", 3);
	ck_assert_str_eq(body_hex(), "11 00 71 61 62 63 64 65 66 00 "
	    "91 08 61 62 63 64 65 66 67 00 36 61 62 63");
	binrpc_enc_reset(&e);
	{
		char big[300];

		memset(big, 'x', sizeof(big));
		binrpc_add_str(&e, NULL, big, sizeof(big));
		ck_assert_uint_eq(e.len, 1 + 2 + 301);
		ck_assert_int_eq(e.buf[BINRPC_HDR_MAX], 0xa1);
	}
}
END_TEST

START_TEST(t_enc_struct_example)
{
	const uint8_t *pkt;
	size_t len;

	/* the examples of binrpc.h */
	binrpc_open(&e, NULL, BINRPC_T_STRUCT);
	binrpc_add_int(&e, "up", 42);
	binrpc_close(&e);
	ck_assert_str_eq(body_hex(), "03 35 75 70 00 10 2a 83");
	ck_assert_int_eq(binrpc_build_request(&e, 0x1234abcd, "core.echo", 0,
	    NULL, &pkt, &len), BINRPC_OK);
	ck_assert_uint_eq(len, 7 + 12);
	ck_assert_mem_eq(pkt, "\xa1\x03\x0c\x12\x34\xab\xcd\x91\x0a"
	    "core.echo", 18);
	ck_assert_int_eq(pkt[18], 0);
	binrpc_enc_reset(&e);
	binrpc_add_str(&e, NULL, "hi", 2);
	ck_assert_int_eq(binrpc_enc_finish(&e, BINRPC_REPLY, 0x1234abcd, &pkt,
	    &len), BINRPC_OK);
	ck_assert_uint_eq(len, 11);
	ck_assert_mem_eq(pkt, "\xa1\x13\x04\x12\x34\xab\xcd\x31hi", 11);
}
END_TEST

START_TEST(t_enc_double)
{
	char text[256];

	binrpc_add_double(&e, NULL, 2.5);
	binrpc_add_double(&e, NULL, -1.25);
	binrpc_add_double(&e, NULL, 0.0004);          /* below 1/1000: 0 */
	binrpc_add_double(&e, NULL, 1e12);            /* does not fit: text */
	ck_assert_str_eq(body_hex(), "22 09 c4 42 ff ff fb 1e 02 "
	    "91 15 31 30 30 30 30 30 30 30 30 30 30 30 30 2e 30 30 30 30 30 30 00");
	ck_assert_int_eq(render(e.buf + BINRPC_HDR_MAX, e.len, text,
	    sizeof(text)), 0);
	ck_assert_str_eq(text, "d:2.500 d:-1.250 d:0.000 "
	    "s:'1000000000000.000000' ");
}
END_TEST

/* --- round trips ---------------------------------------------------------------- */

START_TEST(t_roundtrip_all)
{
	const uint8_t *pkt;
	struct binrpc_hdr h;
	char text[1024];
	size_t len;

	binrpc_add_int(&e, "ignored", -5);
	binrpc_add_str(&e, NULL, "top", 3);
	binrpc_open(&e, NULL, BINRPC_T_STRUCT);
	binrpc_add_int(&e, "i", 1);
	binrpc_add_str(&e, "a long member name", "v", 1);
	binrpc_add_bytes(&e, "b", "\0\1\2", 3);
	binrpc_add_double(&e, "d", 0.125);
	binrpc_add_int(&e, NULL, 3);                  /* name "" */
	binrpc_open(&e, "inner", BINRPC_T_STRUCT);
	binrpc_add_int(&e, "x", 65536);
	binrpc_close(&e);
	binrpc_open(&e, "list", BINRPC_T_ARRAY);
	binrpc_add_int(&e, "no names in arrays", 1);
	binrpc_open(&e, NULL, BINRPC_T_ARRAY);
	binrpc_close(&e);
	binrpc_open(&e, NULL, BINRPC_T_STRUCT);
	binrpc_add_str(&e, "k", "", 0);
	binrpc_close(&e);
	binrpc_close(&e);
	binrpc_close(&e);
	ck_assert_int_eq(binrpc_enc_finish(&e, BINRPC_REPLY, 1, &pkt, &len),
	    BINRPC_OK);
	ck_assert_int_eq(binrpc_parse_hdr(pkt, len, 0, &h), BINRPC_OK);
	ck_assert_uint_eq(h.hdr_len + h.body_len, len);
	ck_assert_int_eq(h.type, BINRPC_REPLY);
	ck_assert_int_eq(render(pkt + h.hdr_len, h.body_len, text,
	    sizeof(text)), 0);
	ck_assert_str_eq(text, "i:-5 s:'top' { i=i:1 a long member name=s:'v' "
	    "b=b:3 d=d:0.125 =i:3 inner={ x=i:65536 } list=[ i:1 [ ] "
	    "{ k=s:'' } ] } ");
}
END_TEST

/* Every prefix of a valid body is either an error or a clean prefix of
 * the full decode: never a different value. */
START_TEST(t_truncated_every_byte)
{
	uint8_t b[256];
	char full[1024], part[1024];
	size_t n = unhex("10 07 91 08 61 62 63 64 65 66 67 00 03 35 75 70 00 "
	    "20 01 f4 55 6c 69 73 74 00 04 10 01 41 61 62 63 00 84 83 "
	    "22 09 c4 36 61 62 63", b, sizeof(b));

	ck_assert_int_eq(render(b, n, full, sizeof(full)), 0);
	for (size_t k = 0; k < n; k++) {
		int rc = render(b, k, part, sizeof(part));

		ck_assert_msg(rc == 0 || rc == BINRPC_E_MORE ||
		    rc == BINRPC_E_UNCLOSED, "prefix %zu: %d", k, rc);
		ck_assert_msg(strncmp(full, part, strlen(part)) == 0,
		    "prefix %zu decoded to '%s'", k, part);
	}
}
END_TEST

/* --- one case per error class ------------------------------------------------- */

START_TEST(t_dec_errors)
{
	char t[256];

	ck_assert_int_eq(dec_hex("07", t, sizeof(t)), BINRPC_E_TYPE);
	ck_assert_int_eq(dec_hex("0f", t, sizeof(t)), BINRPC_E_TYPE);
	ck_assert_int_eq(dec_hex("80", t, sizeof(t)), BINRPC_E_LEN);
	ck_assert_int_eq(dec_hex("d1 00 00 00 00 01", t, sizeof(t)),
	    BINRPC_E_LEN);
	ck_assert_int_eq(dec_hex("50 01 02 03 04 05", t, sizeof(t)),
	    BINRPC_E_INT);
	ck_assert_int_eq(dec_hex("52 01 02 03 04 05", t, sizeof(t)),
	    BINRPC_E_INT);
	ck_assert_int_eq(dec_hex("31 61 62 63", t, sizeof(t)), BINRPC_E_NUL);
	ck_assert_int_eq(dec_hex("03 25 61 62 10 01 83", t, sizeof(t)),
	    BINRPC_E_NUL);
	ck_assert_int_eq(dec_hex("25 61 00 10 01", t, sizeof(t)),
	    BINRPC_E_AVP);                      /* a name outside a struct */
	ck_assert_int_eq(dec_hex("03 10 01 83", t, sizeof(t)),
	    BINRPC_E_AVP);                      /* a member without a name */
	ck_assert_int_eq(dec_hex("03 25 61 00 25 62 00 83", t, sizeof(t)),
	    BINRPC_E_AVP);                      /* two names in a row */
	ck_assert_int_eq(dec_hex("03 25 61 00 83", t, sizeof(t)),
	    BINRPC_E_AVP);                      /* a name, then the end */
	ck_assert_int_eq(dec_hex("83", t, sizeof(t)), BINRPC_E_END);
	ck_assert_int_eq(dec_hex("04 10 01 83", t, sizeof(t)), BINRPC_E_END);
	ck_assert_int_eq(dec_hex("13", t, sizeof(t)), BINRPC_E_END);
	ck_assert_int_eq(dec_hex("04 04 04 04 04 04 04 04 04 04 04 04 04 04 "
	    "04 04 04", t, sizeof(t)), BINRPC_E_DEPTH);
	ck_assert_int_eq(dec_hex("04 04 04 04 04 04 04 04 04 04 04 04 04 04 "
	    "04 04 84 84 84 84 84 84 84 84 84 84 84 84 84 84 84 84", t,
	    sizeof(t)), 0);
	ck_assert_int_eq(dec_hex("03", t, sizeof(t)), BINRPC_E_UNCLOSED);
	ck_assert_int_eq(dec_hex("03 25 61 00", t, sizeof(t)),
	    BINRPC_E_UNCLOSED);
	ck_assert_int_eq(dec_hex("31 61", t, sizeof(t)), BINRPC_E_MORE);
	ck_assert_int_eq(dec_hex("91", t, sizeof(t)), BINRPC_E_MORE);
	ck_assert_int_eq(dec_hex("a1 01", t, sizeof(t)), BINRPC_E_MORE);
	ck_assert_int_eq(dec_hex("20 01", t, sizeof(t)), BINRPC_E_MORE);
	/* the values before the error were read, and the error sticks */
	ck_assert_int_eq(dec_hex("10 05 31 61", t, sizeof(t)), BINRPC_E_MORE);
	ck_assert_str_eq(t, "i:5 ");
	{
		uint8_t b[] = { 0x07 };
		struct binrpc_dec d;
		struct binrpc_val v;

		binrpc_dec_init(&d, b, 1);
		ck_assert_int_eq(binrpc_dec_next(&d, &v), BINRPC_E_TYPE);
		ck_assert_int_eq(binrpc_dec_next(&d, &v), BINRPC_E_TYPE);
	}
	/* "null" values: int of 0 bytes, str of 0 bytes */
	ck_assert_int_eq(dec_hex("00 01 06", t, sizeof(t)), 0);
	ck_assert_str_eq(t, "i:0 s:'' b:0 ");
}
END_TEST

/* --- encoder errors --------------------------------------------------------------- */

START_TEST(t_enc_errors)
{
	struct binrpc_enc small;
	const uint8_t *pkt;
	size_t len;

	binrpc_close(&e);
	ck_assert_int_eq(binrpc_enc_error(&e), BINRPC_E_STATE);
	binrpc_add_int(&e, NULL, 1);            /* sticky: a no-op */
	ck_assert_uint_eq(e.len, 0);
	ck_assert_int_eq(binrpc_enc_finish(&e, BINRPC_REPLY, 0, &pkt, &len),
	    BINRPC_E_STATE);
	binrpc_enc_reset(&e);
	binrpc_open(&e, NULL, BINRPC_T_ARRAY);
	ck_assert_int_eq(binrpc_enc_finish(&e, BINRPC_REPLY, 0, &pkt, &len),
	    BINRPC_E_STATE);
	binrpc_enc_reset(&e);
	ck_assert_int_eq(binrpc_enc_finish(&e, 2, 0, &pkt, &len), BINRPC_E_ARG);
	binrpc_open(&e, NULL, BINRPC_T_INT);
	ck_assert_int_eq(binrpc_enc_error(&e), BINRPC_E_ARG);
	binrpc_enc_reset(&e);
	for (int i = 0; i <= BINRPC_MAX_DEPTH; i++)
		binrpc_open(&e, NULL, BINRPC_T_ARRAY);
	ck_assert_int_eq(binrpc_enc_error(&e), BINRPC_E_DEPTH);
	/* a fault replaces a failed body */
	binrpc_set_fault(&e, 500, "boom", 4);
	ck_assert_int_eq(binrpc_enc_finish(&e, BINRPC_FAULT, 9, &pkt, &len),
	    BINRPC_OK);
	ck_assert_uint_eq(len, 4 + 9);
	ck_assert_mem_eq(pkt, "\xa1\x30\x09\x09\x20\x01\xf4\x51" "boom", 13);
	{
		int code;
		const char *msg;
		size_t ml;

		ck_assert_int_eq(binrpc_parse_fault(pkt + 4, 9, &code, &msg, &ml),
		    BINRPC_OK);
		ck_assert_int_eq(code, 500);
		ck_assert_str_eq(msg, "boom");
		ck_assert_int_eq(binrpc_parse_fault((const uint8_t *)"\x11\x00",
		    2, &code, &msg, &ml), BINRPC_E_TYPE);
		ck_assert_int_eq(binrpc_parse_fault((const uint8_t *)"\x10\x05",
		    2, &code, &msg, &ml), BINRPC_OK);
		ck_assert_int_eq(code, 5);
		ck_assert_str_eq(msg, "");
	}
	ck_assert_int_eq(binrpc_enc_init(&small, 8), BINRPC_OK);
	binrpc_add_str(&small, NULL, "1234567", 7);
	ck_assert_int_eq(binrpc_enc_error(&small), BINRPC_E_OVERFLOW);
	binrpc_enc_reset(&small);
	binrpc_add_str(&small, NULL, "123456", 6);    /* exactly 8 */
	ck_assert_int_eq(binrpc_enc_error(&small), BINRPC_OK);
	binrpc_enc_free(&small);
}
END_TEST

/* --- packets captured from Kamailio 5.6's ctl module ------------------------------ */

START_TEST(t_kamailio_packets)
{
	uint8_t b[512];
	struct binrpc_hdr h;
	char text[1024];
	size_t n;
	int code;
	const char *msg;
	size_t ml;

	/* core.uptime */
	n = unhex("a1 13 52 12 34 56 78 03 45 6e 6f 77 00 91 19 53 75 6e 20 4e "
	    "6f 76 20 32 32 20 30 30 3a 30 33 3a 33 31 20 32 30 32 36 00 95 09 "
	    "75 70 5f 73 69 6e 63 65 00 91 19 53 75 6e 20 4e 6f 76 20 32 32 20 "
	    "30 30 3a 30 33 3a 31 39 20 32 30 32 36 00 75 75 70 74 69 6d 65 00 "
	    "10 0c 83", b, sizeof(b));
	ck_assert_int_eq(binrpc_parse_hdr(b, n, 0, &h), BINRPC_OK);
	ck_assert_uint_eq(h.hdr_len + h.body_len, n);
	ck_assert_int_eq(render(b + h.hdr_len, h.body_len, text, sizeof(text)),
	    0);
	ck_assert_str_eq(text, "{ now=s:'Sun Nov 22 00:03:31 2026' "
	    "up_since=s:'Sun Nov 22 00:03:19 2026' uptime=i:12 } ");
	/* the fault for an unknown method */
	n = unhex("a1 33 1f 12 34 56 78 20 01 f4 91 1a 63 6f 6d 6d 61 6e 64 20 "
	    "66 6f 6f 2e 62 61 72 20 6e 6f 74 20 66 6f 75 6e 64 00", b,
	    sizeof(b));
	ck_assert_int_eq(binrpc_parse_hdr(b, n, 0, &h), BINRPC_OK);
	ck_assert_int_eq(h.type, BINRPC_FAULT);
	ck_assert_int_eq(binrpc_parse_fault(b + h.hdr_len, h.body_len, &code,
	    &msg, &ml), BINRPC_OK);
	ck_assert_int_eq(code, 500);
	ck_assert_str_eq(msg, "command foo.bar not found");
	/* core.sockets_list (start): a struct inside a struct */
	n = unhex("03 75 73 6f 63 6b 65 74 00 03 65 70 72 6f 74 6f 00 41 75 64 "
	    "70 00 55 70 6f 72 74 00 61 32 35 30 36 30 00 83 83", b, sizeof(b));
	ck_assert_int_eq(render(b, n, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "{ socket={ proto=s:'udp' port=s:'25060' } } ");
}
END_TEST

/* --- requests through binrpc_rpc --------------------------------------------------- */

static struct binrpc_rpc rr;

static void
h_echo_types(struct rpc_call *c)
{
	str_t s;

	for (int i = 0; i < rpc_arg_count(c); i++)
		if (rpc_arg_str(c, i, &s) == 0)
			rpc_add_str(c, NULL, &s);
}

static void
h_nested(struct rpc_call *c)
{
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "n", 1);
	rpc_array_begin(c, "list");
	rpc_add_cstr(c, NULL, "a");
	rpc_add_cstr(c, NULL, "b");
	rpc_array_end(c);
	rpc_struct_end(c);
	rpc_array_begin(c, NULL);
	rpc_add_double(c, NULL, 1.5);
	rpc_array_end(c);
}

static void
h_big(struct rpc_call *c)
{
	char chunk[1000];

	memset(chunk, 'y', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\0';
	rpc_struct_begin(c, NULL);
	for (int i = 0; i < 3; i++)
		rpc_add_cstr(c, "c", chunk);
	rpc_struct_end(c);
	for (int i = 0; i < 10; i++)
		rpc_add_cstr(c, NULL, chunk);
}

static const struct rpc_export req_rpcs[] = {
	{ "t.echo", h_echo_types, NULL, "echo" },
	{ "t.nested", h_nested, NULL, "nested" },
	{ "t.big", h_big, NULL, "big" },
	{ NULL, NULL, NULL, NULL },
};

static void
rpc_setup(void)
{
	static struct cfg_src src;
	struct cfg_diag d;

	src_init(&src);
	diag_init(&d, &src);
	rpc_registry_reset();
	ck_assert_int_eq(rpc_register_table(req_rpcs, "t", &d,
	    (struct cfg_pos){ 0, 0, 0 }), 0);
	diag_free(&d);
	src_free(&src);
	ck_assert_int_eq(binrpc_rpc_init(&rr, 8192, 2048), 0);
}

static void
rpc_teardown(void)
{
	binrpc_rpc_free(&rr);
	rpc_registry_reset();
}

/* Sends a request (hex of its body), returns the reply's type and text. */
static int
serve(const char *body_hexstr, int type, char *text, size_t cap)
{
	uint8_t req[1024], body[1024];
	const uint8_t *reply;
	struct binrpc_hdr h;
	size_t blen = unhex(body_hexstr, body, sizeof(body)), rlen;
	int code;
	const char *msg;
	size_t ml;

	ck_assert_uint_lt(blen, 256);
	req[0] = 0xa1;
	req[1] = (uint8_t)(type << 4);          /* 1-byte len and cookie */
	req[2] = (uint8_t)blen;
	req[3] = 0x5a;
	memcpy(req + 4, body, blen);
	ck_assert_int_eq(binrpc_rpc_handle(&rr, req, 4 + blen, &reply, &rlen),
	    0);
	ck_assert_int_eq(binrpc_parse_hdr(reply, rlen, 0, &h), BINRPC_OK);
	ck_assert_uint_eq(h.cookie, 0x5a);
	ck_assert_uint_eq(h.hdr_len + h.body_len, rlen);
	if (h.type == BINRPC_FAULT) {
		ck_assert_int_eq(binrpc_parse_fault(reply + h.hdr_len, h.body_len,
		    &code, &msg, &ml), BINRPC_OK);
		snprintf(text, cap, "%d %s", code, msg);
	} else {
		ck_assert_int_eq(render(reply + h.hdr_len, h.body_len, text,
		    cap), 0);
	}
	return h.type;
}

START_TEST(t_rpc_requests)
{
	char t[4096];

	/* kamcmd t.echo abc 12 2.5 -> str, int, double */
	ck_assert_int_eq(serve("71 74 2e 65 63 68 6f 00 41 61 62 63 00 10 0c "
	    "22 09 c4 40 ff ff ff fe", BINRPC_REQ, t, sizeof(t)), BINRPC_REPLY);
	ck_assert_str_eq(t, "s:'abc' s:'12' s:'2.5' s:'-2' ");
	ck_assert_int_eq(serve("91 08 6e 6f 2e 73 75 63 68 00", BINRPC_REQ, t,
	    sizeof(t)), BINRPC_FAULT);
	ck_assert_str_eq(t, "500 command no.such not found");
	/* kamcmd cannot print arrays inside structs: sent as a struct */
	ck_assert_int_eq(serve("91 09 74 2e 6e 65 73 74 65 64 00", BINRPC_REQ,
	    t, sizeof(t)), BINRPC_REPLY);
	ck_assert_str_eq(t, "{ n=i:1 list={ 0=s:'a' 1=s:'b' } } [ d:1.500 ] ");
}
END_TEST

START_TEST(t_rpc_bad_requests)
{
	uint8_t pkt[64];
	const uint8_t *reply;
	size_t rlen;
	char t[512];

	ck_assert_int_eq(serve("", BINRPC_REQ, t, sizeof(t)), BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: no method name");
	ck_assert_int_eq(serve("10 01", BINRPC_REQ, t, sizeof(t)),
	    BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: no method name");
	ck_assert_int_eq(serve("31 61 62 63", BINRPC_REQ, t, sizeof(t)),
	    BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: string not NUL-terminated");
	ck_assert_int_eq(serve("71 74 2e 65 63 68 6f 00 04 84", BINRPC_REQ, t,
	    sizeof(t)), BINRPC_FAULT);
	ck_assert_str_eq(t, "400 argument 1: structs and arrays are not "
	    "supported");
	ck_assert_int_eq(serve("71 74 2e 65 63 68 6f 00 41 61 62", BINRPC_REQ,
	    t, sizeof(t)), BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: truncated packet");
	ck_assert_int_eq(serve("41 61 00 62 00", BINRPC_REQ, t, sizeof(t)),
	    BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: invalid method name");
	ck_assert_int_eq(serve("71 74 2e 65 63 68 6f 00", BINRPC_REPLY, t,
	    sizeof(t)), BINRPC_FAULT);
	ck_assert_str_eq(t, "400 bad request: not a request");
	/* header and length disagree */
	memcpy(pkt, "\xa1\x00\x05\x01\x11\x00", 6);
	ck_assert_int_eq(binrpc_rpc_handle(&rr, pkt, 6, &reply, &rlen), 0);
	ck_assert_int_eq(reply[1] >> 4, BINRPC_FAULT);
	/* larger than the limit: refused before the body is looked at */
	memcpy(pkt, "\xa1\x04\xff\xff\x07", 5);
	ck_assert_int_eq(binrpc_rpc_handle(&rr, pkt, 5, &reply, &rlen), 0);
	ck_assert_int_eq(reply[1] >> 4, BINRPC_FAULT);
	ck_assert_int_eq(reply[3], 0x07);             /* its cookie */
	/* not BINRPC at all: nothing to answer */
	ck_assert_int_eq(binrpc_rpc_handle(&rr, (const uint8_t *)"GET /", 5,
	    &reply, &rlen), -1);
}
END_TEST

START_TEST(t_rpc_limits)
{
	char t[512];

	/* 8 KB body, 2 KB per struct: the struct of 3 KB fails first */
	ck_assert_int_eq(serve("61 74 2e 62 69 67 00", BINRPC_REQ, t, sizeof(t)),
	    BINRPC_FAULT);
	ck_assert_str_eq(t, "500 struct in reply too large (over 2048 bytes; "
	    "see binrpc_struct_max_body_size)");
	binrpc_rpc_free(&rr);
	ck_assert_int_eq(binrpc_rpc_init(&rr, 8192, 0), 0);
	ck_assert_int_eq(serve("61 74 2e 62 69 67 00", BINRPC_REQ, t, sizeof(t)),
	    BINRPC_FAULT);
	ck_assert_str_eq(t, "500 reply too large (over 8192 bytes; see "
	    "binrpc_max_body_size)");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("binrpc");
	TCase *hdr = tcase_create("header");
	TCase *enc = tcase_create("codec");
	TCase *rpc = tcase_create("rpc");

	tcase_add_test(hdr, t_hdr_parse);
	tcase_add_test(hdr, t_hdr_errors);
	tcase_add_checked_fixture(enc, enc_setup, enc_teardown);
	tcase_add_test(enc, t_enc_ints);
	tcase_add_test(enc, t_enc_strings);
	tcase_add_test(enc, t_enc_struct_example);
	tcase_add_test(enc, t_enc_double);
	tcase_add_test(enc, t_roundtrip_all);
	tcase_add_test(enc, t_truncated_every_byte);
	tcase_add_test(enc, t_dec_errors);
	tcase_add_test(enc, t_enc_errors);
	tcase_add_test(enc, t_kamailio_packets);
	tcase_add_checked_fixture(rpc, rpc_setup, rpc_teardown);
	tcase_add_test(rpc, t_rpc_requests);
	tcase_add_test(rpc, t_rpc_bad_requests);
	tcase_add_test(rpc, t_rpc_limits);
	suite_add_tcase(s, hdr);
	suite_add_tcase(s, enc);
	suite_add_tcase(s, rpc);
	return tcheck_run(s);
}
