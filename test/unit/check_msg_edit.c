/*
 * check_msg_edit.c - header edits beside the received message
 * (core/msg_edit.c): inserts, removals, their order, the packed form.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/msg.h"
#include "core/msg_edit.h"
#include "tcheck.h"

static const char req[] =
    "MESSAGE sip:bob@h SIP/2.0\r\n"
    "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
    "Route: <sip:p1;lr>, <sip:p2;lr>\r\n"
    "To: <sip:bob@h>\r\n"
    "\r\n"
    "body";

static struct msg m;

static size_t
off_of(const char *needle)
{
	const char *p = strstr(req, needle);

	ck_assert_ptr_nonnull(p);
	return (size_t)(p - req);
}

static const char *
applied(void)
{
	str_t base = str_make(req, sizeof(req) - 1), out;
	static char buf[512];

	ck_assert_int_eq(msg_edit_apply(&m, &base, &m.arena, &out), 0);
	ck_assert_uint_lt(out.len, sizeof(buf));
	memcpy(buf, out.s, out.len);
	buf[out.len] = '\0';
	return buf;
}

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

START_TEST(t_none)
{
	ck_assert_str_eq(applied(), req);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_insert_remove)
{
	size_t to = off_of("To:"), route = off_of("Route:");
	size_t rlen = off_of("To:") - route;

	/* two inserts at one offset keep their order; an insert where a
	 * removed line starts survives it */
	ck_assert_ptr_nonnull(msg_edit_insert(&m, to, &STR_LIT("X-A: 1\r\n"),
	    0));
	ck_assert_ptr_nonnull(msg_edit_insert(&m, to, &STR_LIT("X-B: 2\r\n"),
	    0));
	ck_assert_ptr_nonnull(msg_edit_insert(&m, route,
	    &STR_LIT("Record-Route: <sip:me;lr>\r\n"), 7));
	ck_assert_int_eq(msg_edit_remove(&m, route, rlen), 0);
	ck_assert_int_eq(msg_edit_remove(&m, route, rlen), 0); /* merged */
	ck_assert_int_eq(msg_edit_is_removed(&m, route, 5), 1);
	ck_assert_int_eq(msg_edit_is_removed(&m, to, 3), 0);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@h SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
	    "Record-Route: <sip:me;lr>\r\n"
	    "X-A: 1\r\nX-B: 2\r\n"
	    "To: <sip:bob@h>\r\n"
	    "\r\n"
	    "body");
}
END_TEST

START_TEST(t_partial_value)
{
	/* one value of a comma-separated header line */
	size_t v = off_of("<sip:p1"), next = off_of("<sip:p2");

	ck_assert_int_eq(msg_edit_remove(&m, v, next - v), 0);
	ck_assert_ptr_nonnull(strstr(applied(), "Route: <sip:p2;lr>\r\n"));
	ck_assert_ptr_null(strstr(applied(), "p1"));
}
END_TEST

START_TEST(t_overlap)
{
	size_t route = off_of("Route:"), to = off_of("To:");

	/* a removal inside another, and one that reaches past it */
	ck_assert_int_eq(msg_edit_remove(&m, route + 7, 4), 0);
	ck_assert_int_eq(msg_edit_remove(&m, route, to - route - 2), 0);
	ck_assert_int_eq(msg_edit_remove(&m, to - 2, 2), 0);
	ck_assert_ptr_nonnull(msg_edit_insert(&m, route + 3,
	    &STR_LIT("X: y\r\n"), 0));
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@h SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
	    "X: y\r\n"
	    "To: <sip:bob@h>\r\n"
	    "\r\n"
	    "body");
}
END_TEST

START_TEST(t_tags)
{
	size_t to = off_of("To:");
	struct msg_edit *e;

	e = msg_edit_insert(&m, to, &STR_LIT("Record-Route: <sip:a;lr>\r\n"),
	    7);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_eq(msg_edit_find_tag(&m, 7), e);
	ck_assert_int_eq(msg_edit_set_text(&m, e,
	    &STR_LIT("Record-Route: <sip:a;lr;x=1>\r\n")), 0);
	ck_assert_ptr_nonnull(strstr(applied(), "<sip:a;lr;x=1>"));
	ck_assert_int_eq(msg_edit_drop_tag(&m, 7), 1);
	ck_assert_ptr_null(msg_edit_find_tag(&m, 7));
	ck_assert_str_eq(applied(), req);
}
END_TEST

START_TEST(t_bounds)
{
	ck_assert_ptr_null(msg_edit_insert(&m, sizeof(req),
	    &STR_LIT("X: 1\r\n"), 0));
	ck_assert_int_eq(msg_edit_remove(&m, 10, sizeof(req)), -1);
	ck_assert_ptr_null(msg_edit_insert(&m, 3, &STR_LIT(""), 0));
	ck_assert_int_eq(msg_edit_count(&m), 0);
	/* a base of another length is refused */
	ck_assert_int_eq(msg_edit_remove(&m, 0, 1), 0);
	{
		str_t other = STR_LIT("short"), out;

		ck_assert_int_eq(msg_edit_apply(&m, &other, &m.arena, &out),
		    -1);
	}
}
END_TEST

START_TEST(t_pack)
{
	struct msg m2;
	size_t to = off_of("To:"), route = off_of("Route:");
	char *blk;
	size_t len;
	str_t base = str_make(req, sizeof(req) - 1), a, b;

	ck_assert_int_eq(msg_edit_pack(&m, &blk, &len), 0);
	ck_assert_ptr_null(blk);
	msg_edit_insert(&m, route, &STR_LIT("Record-Route: <sip:me;lr>\r\n"),
	    7);
	msg_edit_remove(&m, route, to - route);
	ck_assert_int_eq(msg_edit_pack(&m, &blk, &len), 0);
	ck_assert_ptr_nonnull(blk);
	msg_init(&m2, req, sizeof(req) - 1, NULL);
	ck_assert_int_eq(msg_edit_unpack(&m2, blk, len), 0);
	ck_assert_ptr_nonnull(msg_edit_find_tag(&m2, 7));
	ck_assert_int_eq(msg_edit_apply(&m, &base, &m.arena, &a), 0);
	ck_assert_int_eq(msg_edit_apply(&m2, &base, &m2.arena, &b), 0);
	ck_assert_int_eq(str_eq(&a, &b), 1);
	/* a truncated block is refused */
	ck_assert_int_eq(msg_edit_unpack(&m2, blk, len - 1), -1);
	free(blk);
	msg_destroy(&m2);
}
END_TEST

static Suite *
edit_suite(void)
{
	Suite *s = suite_create("msg_edit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_none);
	tcase_add_test(tc, t_insert_remove);
	tcase_add_test(tc, t_partial_value);
	tcase_add_test(tc, t_overlap);
	tcase_add_test(tc, t_tags);
	tcase_add_test(tc, t_bounds);
	tcase_add_test(tc, t_pack);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(L_CRIT);
	return tcheck_run(edit_suite());
}
