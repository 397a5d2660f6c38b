/*
 * check_mod_textopsx.c - textopsx's message work (textopsx_edit.c):
 * msg_apply_changes() making the recorded edits the message itself (and
 * refusing a result that is no request), remove_body() and keep_hf(), by
 * the text msg_edit_apply() gives and what the SIP view reads.
 */
#include "config.h"

#include <regex.h>
#include <string.h>

#include "core/log.h"
#include "core/msg.h"
#include "core/msg_edit.h"
#include "core/sip.h"
#include "modules/textopsx/textopsx_edit.h"
#include "tcheck.h"

static const char req[] =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    "f: <sip:alice@example.com>;tag=1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: cid1\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Max-Forwards: 70\r\n"
    "X-Keep: 1\r\n"
    "X-Folded: a,\r\n b\r\n"
    "Route: <sip:p1;lr>\r\n"
    "m: <sip:alice@192.0.2.1>\r\n"
    "User-Agent: ua\r\n"
    "Record-Route: <sip:p0;lr>\r\n"
    "c: text/plain\r\n"
    "l: 2\r\n"
    "\r\n"
    "hi";

static struct msg m;

static void
setup(void)
{
	msg_init(&m, req, sizeof(req) - 1, NULL);
}

static void
teardown(void)
{
	msg_destroy(&m);
}

/* The request as it would be forwarded now. */
static const char *
applied(void)
{
	static char buf[2048];
	str_t out;

	ck_assert_int_eq(msg_edit_apply(&m, &m.buf, &m.arena, &out), 0);
	ck_assert_uint_lt(out.len, sizeof(buf));
	memcpy(buf, out.s, out.len);
	buf[out.len] = '\0';
	return buf;
}

/* m.buf as a C string. */
static const char *
text(void)
{
	static char buf[2048];

	ck_assert_uint_lt(m.buf.len, sizeof(buf));
	memcpy(buf, m.buf.s, m.buf.len);
	buf[m.buf.len] = '\0';
	return buf;
}

/* The offset of the line that starts with what (it must be there). */
static size_t
off_of(const char *what)
{
	const char *p = strstr(text(), what);

	ck_assert_ptr_nonnull(p);
	return (size_t)(p - text());
}

static void
insert(const char *before, const char *line)
{
	str_t s = str_cstr(line);

	ck_assert_ptr_nonnull(msg_edit_insert(&m, off_of(before), &s, 0));
}

static void
remove_line(const char *start)
{
	size_t off = off_of(start);
	const char *nl = strstr(text() + off, "\r\n");

	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(msg_edit_remove(&m, off,
	    (size_t)(nl + 2 - text()) - off), 0);
}

static int
hdr(const char *name, str_t *out)
{
	str_t n = str_cstr(name);

	return sip_header(&m, &n, 0, out);
}

START_TEST(t_apply)
{
	const char *err = NULL;
	str_t v;

	/* read before: the parse of the received text exists */
	ck_assert_int_eq(hdr("X-New", &v), 0);
	ck_assert_int_eq(hdr("User-Agent", &v), 1);
	insert("X-Keep", "X-New: 1\r\n");
	remove_line("User-Agent");
	ck_assert_int_eq(txx_apply(&m, &err), 1);
	ck_assert_ptr_null(m.edits);
	ck_assert_int_eq(msg_edit_count(&m), 0);
	/* the reads see the new text */
	ck_assert_int_eq(hdr("X-New", &v), 1);
	ck_assert_int_eq(str_eq_cstr(&v, "1"), 1);
	ck_assert_int_eq(hdr("User-Agent", &v), 0);
	ck_assert_int_eq(sip_body(&m, &v), 0);
	ck_assert_int_eq(str_eq_cstr(&v, "hi"), 1);
	ck_assert_ptr_nonnull(strstr(text(), "Max-Forwards: 70\r\n"
	    "X-New: 1\r\nX-Keep: 1\r\n"));
	/* edits recorded afterwards count in the new text */
	insert("X-Keep", "X-Later: 2\r\n");
	ck_assert_ptr_nonnull(strstr(applied(), "X-New: 1\r\nX-Later: 2\r\n"
	    "X-Keep: 1\r\n"));
	ck_assert_int_eq(txx_apply(&m, &err), 1);
	ck_assert_int_eq(hdr("X-Later", &v), 1);
}
END_TEST

START_TEST(t_apply_nothing)
{
	const char *err = NULL, *before = m.buf.s;

	ck_assert_int_eq(txx_apply(&m, &err), 1);
	ck_assert_ptr_eq(m.buf.s, before);
	ck_assert_uint_eq(m.buf.len, sizeof(req) - 1);
}
END_TEST

START_TEST(t_apply_refused)
{
	const char *err = NULL, *before = m.buf.s;
	str_t v;

	/* a request without a Via is no request: m stays as it was */
	ck_assert_int_eq(hdr("Via", &v), 1);
	remove_line("Via:");
	ck_assert_int_eq(txx_apply(&m, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "no Via header"));
	ck_assert_ptr_eq(m.buf.s, before);
	ck_assert_int_eq(msg_edit_count(&m), 1);
	ck_assert_int_eq(hdr("Via", &v), 1);
}
END_TEST

START_TEST(t_apply_unparsable)
{
	const char *err = NULL, *before = m.buf.s;

	/* a CSeq without a method is refused by the parser */
	remove_line("CSeq:");
	insert("Max-Forwards", "CSeq: x\r\n");
	ck_assert_int_eq(txx_apply(&m, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_eq(m.buf.s, before);
}
END_TEST

START_TEST(t_apply_not_request)
{
	static const char rpl[] =
	    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\n"
	    "CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
	const char *err = NULL;

	msg_destroy(&m);
	msg_init(&m, rpl, sizeof(rpl) - 1, NULL);
	ck_assert_int_eq(txx_apply(&m, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "request"));
	ck_assert_int_eq(txx_remove_body(&m, &err), -1);
	ck_assert_int_eq(txx_keep_hf(&m, NULL, &err), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_remove_body)
{
	const char *err = NULL;
	str_t v;

	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	/* the compact name stays as written */
	ck_assert_ptr_nonnull(strstr(applied(),
	    "c: text/plain\r\nl: 0\r\n\r\n"));
	ck_assert_int_eq(strlen(strstr(applied(), "l: 0\r\n\r\n")), 8);
	/* a second call changes nothing */
	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	ck_assert_int_eq(msg_edit_count(&m), 3);
	ck_assert_int_eq(txx_apply(&m, &err), 1);
	ck_assert_int_eq(sip_body(&m, &v), 0);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_int_eq(hdr("Content-Length", &v), 1);
	ck_assert_int_eq(str_eq_cstr(&v, "0"), 1);
	/* no body now: nothing more to do */
	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_remove_body_cl_cases)
{
	static const char nocl[] =
	    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	    "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\n"
	    "CSeq: 1 MESSAGE\r\n\r\nbody";
	static const char twocl[] =
	    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	    "Content-Length: 4\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
	    "Call-ID: c\r\nCSeq: 1 MESSAGE\r\ncontent-length: 4\r\n\r\nbody";
	const char *err = NULL;

	/* none: one is added at the end of the header block */
	msg_destroy(&m);
	msg_init(&m, nocl, sizeof(nocl) - 1, NULL);
	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	    "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\n"
	    "CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
	/* two: the first says 0, the other goes */
	msg_destroy(&m);
	msg_init(&m, twocl, sizeof(twocl) - 1, NULL);
	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	    "Content-Length: 0\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
	    "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n");
}
END_TEST

START_TEST(t_remove_body_after_remove_hf)
{
	const char *err = NULL;

	/* the script removed Content-Length itself: a 0 still comes out */
	remove_line("l: 2");
	ck_assert_int_eq(txx_remove_body(&m, &err), 1);
	ck_assert_ptr_nonnull(strstr(applied(),
	    "c: text/plain\r\nl: 0\r\n\r\n"));
	ck_assert_ptr_null(strstr(applied(), "l: 2"));
}
END_TEST

START_TEST(t_keep_hf)
{
	const char *err = NULL;
	regex_t re;

	ck_assert_int_eq(regcomp(&re, "^x-k", REG_EXTENDED | REG_ICASE |
	    REG_NOSUB), 0);
	ck_assert_int_eq(txx_keep_hf(&m, &re, &err), 1);
	regfree(&re);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "f: <sip:alice@example.com>;tag=1\r\n"
	    "To: <sip:bob@example.com>\r\n"
	    "Call-ID: cid1\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Max-Forwards: 70\r\n"
	    "X-Keep: 1\r\n"
	    "Route: <sip:p1;lr>\r\n"
	    "m: <sip:alice@192.0.2.1>\r\n"
	    "Record-Route: <sip:p0;lr>\r\n"
	    "c: text/plain\r\n"
	    "l: 2\r\n"
	    "\r\n"
	    "hi");
}
END_TEST

START_TEST(t_keep_hf_none)
{
	const char *err = NULL;

	ck_assert_int_eq(txx_keep_hf(&m, NULL, &err), 1);
	ck_assert_ptr_null(strstr(applied(), "X-Keep"));
	ck_assert_ptr_null(strstr(applied(), "X-Folded"));
	ck_assert_ptr_null(strstr(applied(), " b\r\n"));
	ck_assert_ptr_nonnull(strstr(applied(), "Max-Forwards: 70\r\n"
	    "Route: <sip:p1;lr>\r\n"));
	/* the edits give a request that applies */
	ck_assert_int_eq(txx_apply(&m, &err), 1);
}
END_TEST

START_TEST(t_always_kept)
{
	static const char *kept[] = { "via", "V", "From", "f", "TO", "t",
	    "call-id", "i", "CSeq", "Content-Length", "l", "content-type",
	    "c", "Max-Forwards", "Contact", "m", "Route", "record-route" };
	static const char *other[] = { "X-Keep", "Supported", "k", "Allow",
	    "Routes", "" };

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		str_t s = str_cstr(kept[i]);

		ck_assert_int_eq(txx_hf_always_kept(&s), 1);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		str_t s = str_cstr(other[i]);

		ck_assert_int_eq(txx_hf_always_kept(&s), 0);
	}
}
END_TEST

START_TEST(t_malformed)
{
	static const char bad[] =
	    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	    "no colon here\r\n\r\n";
	static const char noline[] = "MESSAGE sip:b@x SIP/2.0";
	const char *err = NULL;

	msg_destroy(&m);
	msg_init(&m, bad, sizeof(bad) - 1, NULL);
	ck_assert_int_eq(txx_keep_hf(&m, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "malformed"));
	ck_assert_int_eq(txx_remove_body(&m, &err), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
	msg_destroy(&m);
	msg_init(&m, noline, sizeof(noline) - 1, NULL);
	ck_assert_int_eq(txx_keep_hf(&m, NULL, &err), -1);
	ck_assert_int_eq(txx_remove_body(&m, &err), -1);
	ck_assert_int_eq(txx_apply(&m, &err), 1);   /* nothing recorded */
}
END_TEST

static Suite *
txx_suite(void)
{
	Suite *s = suite_create("textopsx");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_apply);
	tcase_add_test(tc, t_apply_nothing);
	tcase_add_test(tc, t_apply_refused);
	tcase_add_test(tc, t_apply_unparsable);
	tcase_add_test(tc, t_apply_not_request);
	tcase_add_test(tc, t_remove_body);
	tcase_add_test(tc, t_remove_body_cl_cases);
	tcase_add_test(tc, t_remove_body_after_remove_hf);
	tcase_add_test(tc, t_keep_hf);
	tcase_add_test(tc, t_keep_hf_none);
	tcase_add_test(tc, t_always_kept);
	tcase_add_test(tc, t_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(L_CRIT);
	return tcheck_run(txx_suite());
}
