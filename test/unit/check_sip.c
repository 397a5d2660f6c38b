/*
 * check_sip.c - the lazy SIP view (core/sip.c): first line, headers as
 * written (compact forms, repeats, folding), the structured pieces from
 * libosip2, and messages that do not parse.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/msg.h"
#include "core/sip.h"
#include "tcheck.h"

static const char reg_text[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1\r\n"
    "v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK-2\r\n"
    "VIA: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3,\r\n"
    "   SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-4\r\n"
    "Max-Forwards: 70\r\n"
    "f: \"Alice <A>\" <sip:alice@example.com>;tag=abc123\r\n"
    "To: sip:alice@example.com\r\n"
    "i: reg-1@192.0.2.1\r\n"
    "CSeq: 7 REGISTER\r\n"
    "m: <sip:alice@192.0.2.1:5070;transport=udp>\r\n"
    "Subject: hello\r\n"
    "\tcruel \r\n"
    "  world\r\n"
    "User-Agent:   Tandem-test/1.0  \r\n"
    "X-Empty:\r\n"
    "l: 0\r\n"
    "\r\n";

static const char ok_text[] =
    "SIP/2.0 200 OK then\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1;received=192.0.2.9\r\n"
    "From: <sip:alice@example.com>;tag=abc123\r\n"
    "To: \"Al\" <sip:alice@example.com>;tag=srv-9\r\n"
    "Call-ID: reg-1@192.0.2.1\r\n"
    "CSeq: 7 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.1:5070>;expires=3600\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

static struct msg m;

static void
load(const char *text)
{
	msg_init(&m, text, strlen(text), NULL);
}

static void
teardown(void)
{
	msg_destroy(&m);
}

static void
ck_str(const str_t *s, const char *want)
{
	ck_assert_msg(s->len == strlen(want) && memcmp(s->s, want, s->len) == 0,
	    "got '%.*s', want '%s'", STR_FMT(s), want);
}

/* Header name and occurrence, expecting the value want (NULL: absent). */
static void
ck_hdr(const char *name, int idx, const char *want)
{
	str_t n = str_cstr(name), v;
	int rc = sip_header(&m, &n, idx, &v);

	if (want == NULL) {
		ck_assert_msg(rc == 0, "%s[%d]: rc %d, want absent", name, idx,
		    rc);
		return;
	}
	ck_assert_msg(rc == 1, "%s[%d]: rc %d", name, idx, rc);
	ck_str(&v, want);
}

static int
hcount(const char *name)
{
	str_t n = str_cstr(name);

	return sip_header_count(&m, &n);
}

START_TEST(t_request_line)
{
	str_t s;
	int code;

	load(reg_text);
	ck_assert_int_eq(m.kind, MSG_SIP_REQUEST);
	ck_assert_int_eq(m.sip_state, 0);       /* nothing parsed yet */
	ck_assert_int_eq(sip_parse(&m), 0);
	ck_assert_int_eq(m.sip_state, 1);
	ck_assert_int_eq(sip_method(&m, &s), 0);
	ck_str(&s, "REGISTER");
	ck_assert_int_eq(sip_ruri(&m, &s), 0);
	ck_str(&s, "sip:example.com");
	ck_assert_int_eq(sip_status(&m, &code), -1);
	ck_assert_int_eq(sip_reason(&m, &s), -1);
	teardown();
}
END_TEST

START_TEST(t_request_headers)
{
	load(reg_text);
	/* Via three times: long, compact, upper case; the last folded */
	ck_assert_int_eq(hcount("Via"), 3);
	ck_assert_int_eq(hcount("v"), 3);
	ck_assert_int_eq(hcount("via"), 3);
	ck_hdr("Via", 0, "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1");
	ck_hdr("via", 1, "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK-2");
	ck_hdr("V", 2, "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3, "
	    "SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-4");
	ck_hdr("Via", -1, "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-3, "
	    "SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-4");
	ck_hdr("Via", -3, "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1");
	ck_hdr("Via", 3, NULL);
	ck_hdr("Via", -4, NULL);
	/* compact forms written, long names asked, and the reverse */
	ck_hdr("From", 0, "\"Alice <A>\" <sip:alice@example.com>;tag=abc123");
	ck_hdr("Call-ID", 0, "reg-1@192.0.2.1");
	ck_hdr("call-id", 0, "reg-1@192.0.2.1");
	ck_hdr("Contact", 0, "<sip:alice@192.0.2.1:5070;transport=udp>");
	ck_hdr("Content-Length", 0, "0");
	ck_hdr("t", 0, "sip:alice@example.com");
	ck_hdr("Max-Forwards", 0, "70");
	ck_hdr("Subject", 0, "hello cruel world");
	ck_hdr("s", 0, "hello cruel world");
	ck_hdr("User-Agent", 0, "Tandem-test/1.0");
	ck_hdr("X-Empty", 0, "");
	ck_hdr("X-Missing", 0, NULL);
	ck_hdr("Max", 0, NULL);
	ck_assert_int_eq(hcount("X-Missing"), 0);
	ck_assert_int_eq(hcount("Subject"), 1);
	teardown();
}
END_TEST

START_TEST(t_request_parts)
{
	str_t s, n, meth;

	load(reg_text);
	ck_assert_int_eq(sip_call_id(&m, &s), 0);
	ck_str(&s, "reg-1@192.0.2.1");
	ck_assert_int_eq(sip_cseq(&m, &n, &meth), 0);
	ck_str(&n, "7");
	ck_str(&meth, "REGISTER");
	ck_assert_int_eq(sip_cseq(&m, NULL, &meth), 0);
	ck_assert_int_eq(sip_from_uri(&m, &s), 0);
	ck_str(&s, "sip:alice@example.com");
	ck_assert_int_eq(sip_to_uri(&m, &s), 0);
	ck_str(&s, "sip:alice@example.com");
	ck_assert_int_eq(sip_from_tag(&m, &s), 0);
	ck_str(&s, "abc123");
	ck_assert_int_eq(sip_to_tag(&m, &s), -1);
	ck_assert_int_eq(sip_user_agent(&m, &s), 0);
	ck_str(&s, "Tandem-test/1.0");
	ck_assert_int_eq(sip_body(&m, &s), 0);
	ck_assert_uint_eq(s.len, 0);
	teardown();
}
END_TEST

START_TEST(t_uri_parts)
{
	str_t u, s;

	load(reg_text);
	u = str_cstr("sip:bob@host.example:5080;transport=tcp");
	ck_assert_int_eq(sip_uri_user(&m, &u, &s), 0);
	ck_str(&s, "bob");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), 0);
	ck_str(&s, "host.example");
	ck_assert_int_eq(sip_uri_port(&m, &u, &s), 0);
	ck_str(&s, "5080");
	u = str_cstr("sip:example.com");
	ck_assert_int_eq(sip_uri_user(&m, &u, &s), -1);
	ck_assert_int_eq(sip_uri_port(&m, &u, &s), -1);
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), 0);
	ck_str(&s, "example.com");
	/* as written: escapes kept, IPv6 brackets kept, no password */
	u = str_cstr("sip:al%20ice:secret@[2001:db8::1]:5070;x=y?h=a@b");
	ck_assert_int_eq(sip_uri_user(&m, &u, &s), 0);
	ck_str(&s, "al%20ice");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), 0);
	ck_str(&s, "[2001:db8::1]");
	ck_assert_int_eq(sip_uri_port(&m, &u, &s), 0);
	ck_str(&s, "5070");
	u = str_cstr("sips:[::1];lr");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), 0);
	ck_str(&s, "[::1]");
	ck_assert_int_eq(sip_uri_user(&m, &u, &s), -1);
	ck_assert_int_eq(sip_uri_port(&m, &u, &s), -1);
	u = str_cstr("sip:+1555;phone-context=x@gw.example?subject=a@b");
	ck_assert_int_eq(sip_uri_user(&m, &u, &s), 0);
	ck_str(&s, "+1555;phone-context=x");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), 0);
	ck_str(&s, "gw.example");
	u = str_cstr("tel:+1555");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), -1);
	u = str_cstr("not a uri");
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), -1);
	u = STR_NULL;
	ck_assert_int_eq(sip_uri_host(&m, &u, &s), -1);
	teardown();
}
END_TEST

START_TEST(t_reply)
{
	str_t s;
	int code = 0;

	load(ok_text);
	ck_assert_int_eq(m.kind, MSG_SIP_REPLY);
	ck_assert_int_eq(sip_status(&m, &code), 0);
	ck_assert_int_eq(code, 200);
	ck_assert_int_eq(sip_reason(&m, &s), 0);
	ck_str(&s, "OK then");
	ck_assert_int_eq(sip_method(&m, &s), -1);
	ck_assert_int_eq(sip_ruri(&m, &s), -1);
	ck_assert_int_eq(sip_to_tag(&m, &s), 0);
	ck_str(&s, "srv-9");
	ck_assert_int_eq(sip_from_tag(&m, &s), 0);
	ck_str(&s, "abc123");
	ck_assert_int_eq(sip_to_uri(&m, &s), 0);
	ck_str(&s, "sip:alice@example.com");
	ck_assert_int_eq(sip_body(&m, &s), 0);
	ck_str(&s, "hello");
	ck_hdr("c", 0, "text/plain");
	ck_hdr("Via", 0,
	    "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-1;received=192.0.2.9");
	ck_assert_int_eq(hcount("Via"), 1);
	ck_assert_int_eq(hcount("Content-Length"), 1);
	teardown();
}
END_TEST

START_TEST(t_release_reparse)
{
	str_t s;

	load(reg_text);
	ck_assert_int_eq(sip_method(&m, &s), 0);
	sip_release(&m);
	ck_assert_int_eq(m.sip_state, 0);
	ck_assert_ptr_null(m.sip);
	ck_assert_int_eq(hcount("Via"), 3);
	sip_release(&m);
	sip_release(&m);    /* twice is harmless */
	teardown();
}
END_TEST

/* Every call gives -1 on a buffer libosip2 rejects, and nothing crashes. */
static void
ck_broken(void)
{
	str_t s, n = STR_LIT("Via");
	int code;

	ck_assert_int_eq(sip_parse(&m), -1);
	ck_assert_int_eq(m.sip_state, -1);
	ck_assert_int_eq(sip_parse(&m), -1);
	ck_assert_int_eq(sip_method(&m, &s), -1);
	ck_assert_int_eq(sip_ruri(&m, &s), -1);
	ck_assert_int_eq(sip_status(&m, &code), -1);
	ck_assert_int_eq(sip_reason(&m, &s), -1);
	ck_assert_int_eq(sip_header(&m, &n, 0, &s), -1);
	ck_assert_int_eq(sip_header(&m, &n, -1, &s), -1);
	ck_assert_int_eq(sip_header_count(&m, &n), -1);
	ck_assert_int_eq(sip_call_id(&m, &s), -1);
	ck_assert_int_eq(sip_cseq(&m, &s, &s), -1);
	ck_assert_int_eq(sip_from_uri(&m, &s), -1);
	ck_assert_int_eq(sip_to_uri(&m, &s), -1);
	ck_assert_int_eq(sip_from_tag(&m, &s), -1);
	ck_assert_int_eq(sip_to_tag(&m, &s), -1);
	ck_assert_int_eq(sip_user_agent(&m, &s), -1);
	ck_assert_int_eq(sip_body(&m, &s), -1);
}

START_TEST(t_garbage)
{
	static const char *bad[] = {
		"\x01\x02\xff garbage\r\n\r\n",
		"hello\r\n",
		"SIP/2.0 abc\r\n\r\n",
		"INVITE\r\n\r\n",
		"\r\n\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load(bad[i]);
		ck_broken();
		teardown();
	}
}
END_TEST

/* A request whose headers libosip2 refuses still has its request line:
 * the method and Request-URI are known, nothing else is. */
START_TEST(t_broken_headers_request_line)
{
	str_t s, n = STR_LIT("Contact");

	load("REGISTER sip:example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"
	    "From: <sip:alice@example.com>;tag=1\r\n"
	    "To: <sip:alice@example.com>\r\n"
	    "Call-ID: c\r\nCSeq: 1 REGISTER\r\n"
	    "Contact: <sip:x@h\r\n"
	    "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(sip_parse(&m), -1);
	ck_assert_int_eq(sip_method(&m, &s), 0);
	ck_str(&s, "REGISTER");
	ck_assert_int_eq(sip_ruri(&m, &s), 0);
	ck_str(&s, "sip:example.com");
	ck_assert_int_eq(sip_header(&m, &n, 0, &s), -1);
	ck_assert_int_eq(sip_call_id(&m, &s), -1);
	teardown();
	/* not a request line: still nothing */
	load("REGISTER sip:example.com HTTP/1.1\r\nContact: <x\r\n\r\n");
	ck_broken();
	teardown();
}
END_TEST

START_TEST(t_binary_garbage)
{
	char buf[512];

	/* NUL bytes and no terminator: the parse gets a length, not a C
	 * string */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 37 + 11);
	msg_init(&m, buf, sizeof(buf), NULL);
	ck_broken();
	teardown();
}
END_TEST

START_TEST(t_no_message)
{
	str_t s;

	msg_init(&m, NULL, 0, NULL);
	ck_assert_int_eq(m.kind, MSG_NONE);
	ck_assert_int_eq(sip_parse(&m), -1);
	ck_assert_int_eq(sip_method(&m, &s), -1);
	teardown();
}
END_TEST

/* The msrp module's hook: the SIP view of an MSRP frame is built text. */
static int
fake_sip_text(struct msg *mm, str_t *out)
{
	*out = str_make(reg_text, sizeof(reg_text) - 1);
	return 0;
}

START_TEST(t_sip_text)
{
	static const char frame[] =
	    "MSRP a786hjs2 SEND\r\n-------a786hjs2$\r\n";
	str_t s;

	msg_init(&m, frame, sizeof(frame) - 1, NULL);
	ck_assert_int_eq(m.kind, MSG_MSRP);
	ck_assert_int_eq(sip_parse(&m), -1);    /* no view without the hook */
	teardown();
	msg_init(&m, frame, sizeof(frame) - 1, NULL);
	m.sip_text = fake_sip_text;
	ck_assert_int_eq(sip_method(&m, &s), 0);
	ck_str(&s, "REGISTER");
	ck_assert_int_eq(hcount("Via"), 3);
	teardown();
}
END_TEST

/* One request per row: its header block and the header sip_missing_hdr()
 * must name (NULL: complete). */
START_TEST(t_missing_hdr)
{
	static const struct {
		const char *text, *missing;
	} rows[] = {
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
		  "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: 1\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n", NULL },
		/* compact forms, any case, blanks before the colon */
		{ "OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\n"
		  "F : <sip:a@b>\r\nt:<sip:c@d>\r\nI: 1\r\ncseq: 1 OPTIONS\r\n"
		  "\r\n", NULL },
		/* bare LF line ends, a value on a folded line */
		{ "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\nFrom:\n"
		  " <sip:a@b>\nTo: x\nCall-ID: 1\nCSeq: 1 OPTIONS\n\n", NULL },
		{ "OPTIONS sip:a@b SIP/2.0\r\nFrom: a\r\nTo: b\r\n"
		  "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n", "Via" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nTo: b\r\n"
		  "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n", "From" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFrom: a\r\n"
		  "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n", "To" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n", "Call-ID" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\n"
		  "Call-ID: 1\r\n\r\n", "CSeq" },
		/* empty values, also when the next line is not a fold */
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFrom:   \r\nTo: b\r\n"
		  "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n", "From" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\n"
		  "Call-ID:\r\n \t\r\nCSeq: 1 OPTIONS\r\n\r\n", "Call-ID" },
		/* names that only start like a required one; headers in the
		 * body do not count */
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nFromage: a\r\n"
		  "To-X: b\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\n"
		  "Content-Length: 24\r\n\r\nFrom: a\r\nTo: b\r\n\r\n", "From" },
		{ "OPTIONS sip:a@b SIP/2.0", "Via" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n\r\n", "Via" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = sip_missing_hdr(rows[i].text,
		    strlen(rows[i].text));

		if (rows[i].missing == NULL)
			ck_assert_msg(got == NULL, "row %zu: %s missing", i,
			    got);
		else
			ck_assert_msg(got != NULL &&
			    strcmp(got, rows[i].missing) == 0,
			    "row %zu: expected %s, got %s", i, rows[i].missing,
			    got ? got : "none");
	}
}
END_TEST

static Suite *
sip_suite(void)
{
	Suite *s = suite_create("sip");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_request_line);
	tcase_add_test(tc, t_request_headers);
	tcase_add_test(tc, t_request_parts);
	tcase_add_test(tc, t_uri_parts);
	tcase_add_test(tc, t_reply);
	tcase_add_test(tc, t_release_reparse);
	tcase_add_test(tc, t_garbage);
	tcase_add_test(tc, t_binary_garbage);
	tcase_add_test(tc, t_broken_headers_request_line);
	tcase_add_test(tc, t_no_message);
	tcase_add_test(tc, t_sip_text);
	tcase_add_test(tc, t_missing_hdr);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* the broken-message cases log on purpose; keep the output short */
	log_set_level(L_CRIT);
	return tcheck_run(sip_suite());
}
