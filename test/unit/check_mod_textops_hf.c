/*
 * check_mod_textops_hf.c - textops' header functions (textops_hf.c):
 * where append_hf()/insert_hf() put their lines, what remove_hf() and
 * remove_hf_re() take out, what is_present_hf*() see, and the bad
 * input each refuses, by the request text msg_edit_apply() gives.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg/diag.h"
#include "core/arg.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/msg_edit.h"
#include "core/pv.h"
#include "modules/textops/textops_hf.h"
#include "tcheck.h"

static const char req[] =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    "f: <sip:alice@example.com>;tag=1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Route: <sip:p1;lr>\r\n"
    "X-Foo: 1\r\n"
    "Subject: a,\r\n b\r\n"
    "Route: <sip:p2;lr>\r\n"
    "x-foo : 2\r\n"
    "k: 100rel, timer\r\n"
    "i: cid1\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Length: 2\r\n"
    "\r\n"
    "hi";

static const struct cfg_pos pos0 = { 1, 7, 3 };
static struct cfg_diag d;
static struct msg m;

/* The arguments of one call, as the core and the fixups leave them. */
struct call {
	struct arg *a[2];
	void       *fixed[2];
	void      (*free_fixup)(void *);
};

static void
setup(void)
{
	diag_init(&d, NULL);
	ck_assert_int_eq(pv_core_register(&d), 0);
	msg_init(&m, req, sizeof(req) - 1, NULL);
}

static void
teardown(void)
{
	msg_destroy(&m);
	diag_free(&d);
	pv_registry_reset();
}

/* Builds argument i of c from text and runs fixup on it (0 or -1). */
static int
build(struct call *c, int i, const char *text,
    int (*fixup)(void **, struct cfg_diag *))
{
	c->a[i] = arg_new_fmt(&(str_t){ (char *)text, strlen(text) }, &d,
	    pos0);
	ck_assert_ptr_nonnull(c->a[i]);
	c->fixed[i] = c->a[i];
	d.cur = pos0;           /* as the resolver does around a fixup */
	return fixup(&c->fixed[i], &d);
}

static void
drop(struct call *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->fixed[i] != NULL && c->fixed[i] != c->a[i] &&
		    c->free_fixup != NULL)
			c->free_fixup(c->fixed[i]);
		arg_free(c->a[i]);
	}
	memset(c, 0, sizeof(*c));
}

/* Runs fn(text [, name]) on m. */
static int
run2(int (*fn)(struct msg *, void *const *), const char *text,
    const char *name)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, NULL };
	int rc;

	ck_assert_int_eq(build(&c, 0, text, tx_hf_fix_text), 0);
	if (name != NULL)
		ck_assert_int_eq(build(&c, 1, name, tx_hf_fix_name), 0);
	rc = fn(&m, c.fixed);
	drop(&c);
	return rc;
}

/* Runs fn(name) on m (remove_hf, is_present_hf). */
static int
run_name(int (*fn)(struct msg *, void *const *), const char *name)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, NULL };
	int rc;

	ck_assert_int_eq(build(&c, 0, name, tx_hf_fix_name), 0);
	rc = fn(&m, c.fixed);
	drop(&c);
	return rc;
}

/* Runs fn(re) on m (remove_hf_re, is_present_hf_re). */
static int
run_re(int (*fn)(struct msg *, void *const *), const char *re)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, tx_hf_free_re };
	int rc;

	ck_assert_int_eq(build(&c, 0, re, tx_hf_fix_re), 0);
	rc = fn(&m, c.fixed);
	drop(&c);
	return rc;
}

/* The request as it would be forwarded. */
static const char *
applied(void)
{
	static char buf[1024];
	str_t out;

	ck_assert_int_eq(msg_edit_apply(&m, &m.buf, &m.arena, &out), 0);
	ck_assert_uint_lt(out.len, sizeof(buf));
	memcpy(buf, out.s, out.len);
	buf[out.len] = '\0';
	return buf;
}

START_TEST(t_append_insert)
{
	ck_assert_int_eq(run2(tx_hf_append, "X-End: 1\r\n", NULL), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-Top: 2\r\n", NULL), 1);
	/* after the last Route, before the first */
	ck_assert_int_eq(run2(tx_hf_append, "X-AR: 3\r\n", "route"), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-IR: 4\r\n", "Route"), 1);
	/* compact forms count as their long names, both ways */
	ck_assert_int_eq(run2(tx_hf_append, "X-AF: 5\r\n", "From"), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-IS: 6\r\n", "s"), 1);
	ck_assert_int_eq(run2(tx_hf_append, "X-AC: 7\r\n", "Call-ID"), 1);
	/* a name that is absent: the end, the top */
	ck_assert_int_eq(run2(tx_hf_append, "X-AN: 8\r\n", "X-None"), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-IN: 9\r\n", "X-None"), 1);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "X-Top: 2\r\n"
	    "X-IN: 9\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "f: <sip:alice@example.com>;tag=1\r\n"
	    "X-AF: 5\r\n"
	    "To: <sip:bob@example.com>\r\n"
	    "X-IR: 4\r\n"
	    "Route: <sip:p1;lr>\r\n"
	    "X-Foo: 1\r\n"
	    "X-IS: 6\r\n"
	    "Subject: a,\r\n b\r\n"
	    "Route: <sip:p2;lr>\r\n"
	    "X-AR: 3\r\n"
	    "x-foo : 2\r\n"
	    "k: 100rel, timer\r\n"
	    "i: cid1\r\n"
	    "X-AC: 7\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Length: 2\r\n"
	    "X-End: 1\r\n"
	    "X-AN: 8\r\n"
	    "\r\n"
	    "hi");
}
END_TEST

START_TEST(t_line_ends)
{
	/* no line end, bare LFs, two fields and a continuation in one text */
	ck_assert_int_eq(run2(tx_hf_append, "X-A: 1", NULL), 1);
	ck_assert_int_eq(run2(tx_hf_append, "X-B: 2\nX-C: 3", NULL), 1);
	ck_assert_int_eq(run2(tx_hf_append, "X-D: 4,\r\n 5\r\nX-E : 6\r\n",
	    NULL), 1);
	ck_assert_ptr_nonnull(strstr(applied(),
	    "Content-Length: 2\r\n"
	    "X-A: 1\r\n"
	    "X-B: 2\r\nX-C: 3\r\n"
	    "X-D: 4,\r\n 5\r\nX-E : 6\r\n"
	    "\r\nhi"));
}
END_TEST

/* A request whose headers name what the variables below pick. */
static const char req_pv[] =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.com>;tag=1\r\n"
    "X-Where: cseq\r\n"
    "X-Re: ^(x-w|cs)\r\n"
    "X-Bad-Re: ^(cs\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "\r\n";

START_TEST(t_pv_text)
{
	msg_destroy(&m);
	msg_init(&m, req_pv, sizeof(req_pv) - 1, NULL);
	ck_assert_int_eq(run2(tx_hf_append, "X-Who: $fU at $rm\r\n",
	    "$hdr(X-Where)"), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-Top: $ci", "$hdr(X-None)"),
	    -1);    /* "<null>" is no header name */
	ck_assert_ptr_nonnull(strstr(applied(),
	    "CSeq: 1 MESSAGE\r\nX-Who: alice at MESSAGE\r\n\r\n"));
}
END_TEST

START_TEST(t_bad_text)
{
	static const char *const bad[] = {
		"X-A: 1\r\n\r\nsmuggled body",  /* would end the headers */
		"\r\n",
		"no colon here\r\n",
		"X-A: 1\r\nnot a header\r\n",
		" X-A: 1\r\n",                  /* would fold into the last */
		": 1\r\n",
		"X-A: 1\rX-B: 2\r\n",
	};
	struct call c = { { NULL, NULL }, { NULL, NULL }, NULL };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* a literal is refused when the config loads ... */
		ck_assert_int_eq(build(&c, 0, bad[i], tx_hf_fix_text), -1);
		ck_assert_uint_eq(d.errors, i + 1);
		ck_assert_ptr_nonnull(strstr(d.items[i].msg, "bad header text"));
		ck_assert_uint_eq(d.items[i].pos.line, 7);
		/* ... and the same text rendered from a variable per message */
		c.fixed[0] = c.a[0];
		ck_assert_int_eq(tx_hf_append(&m, c.fixed), -1);
		ck_assert_int_eq(tx_hf_insert(&m, c.fixed), -1);
		drop(&c);
	}
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_bad_name)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, NULL };

	ck_assert_int_eq(build(&c, 0, "X Foo", tx_hf_fix_name), -1);
	ck_assert_str_eq(d.items[0].msg, "\"X Foo\" is not a header name");
	drop(&c);
	ck_assert_int_eq(build(&c, 0, "", tx_hf_fix_name), -1);
	drop(&c);
	/* a name with variables waits for the message */
	ck_assert_int_eq(build(&c, 0, "$rm:x", tx_hf_fix_name), 0);
	ck_assert_int_eq(tx_hf_remove(&m, c.fixed), -1);
	ck_assert_int_eq(tx_hf_is_present(&m, c.fixed), -1);
	drop(&c);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_remove)
{
	/* every field of that name, any case, the compact form too; a comma
	 * list and a folded field go whole */
	ck_assert_int_eq(run_name(tx_hf_remove, "X-FOO"), 1);
	ck_assert_int_eq(run_name(tx_hf_remove, "Supported"), 1);
	ck_assert_int_eq(run_name(tx_hf_remove, "s"), 1);
	ck_assert_int_eq(run_name(tx_hf_remove, "X-Absent"), -1);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "f: <sip:alice@example.com>;tag=1\r\n"
	    "To: <sip:bob@example.com>\r\n"
	    "Route: <sip:p1;lr>\r\n"
	    "Route: <sip:p2;lr>\r\n"
	    "i: cid1\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Length: 2\r\n"
	    "\r\n"
	    "hi");
	/* the received message is what is read, as in Kamailio */
	ck_assert_int_eq(run_name(tx_hf_is_present, "X-Foo"), 1);
	ck_assert_int_eq(run_name(tx_hf_remove, "x-foo"), 1);
}
END_TEST

START_TEST(t_remove_then_add)
{
	/* lines added beside a removed field survive it */
	ck_assert_int_eq(run_name(tx_hf_remove, "Route"), 1);
	ck_assert_int_eq(run2(tx_hf_append, "X-After: 1\r\n", "Route"), 1);
	ck_assert_int_eq(run2(tx_hf_insert, "X-Before: 2\r\n", "Route"), 1);
	ck_assert_ptr_nonnull(strstr(applied(),
	    "To: <sip:bob@example.com>\r\n"
	    "X-Before: 2\r\n"
	    "X-Foo: 1\r\n"
	    "Subject: a,\r\n b\r\n"
	    "X-After: 1\r\n"
	    "x-foo : 2\r\n"));
}
END_TEST

START_TEST(t_present)
{
	ck_assert_int_eq(run_name(tx_hf_is_present, "From"), 1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "f"), 1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "Call-ID"), 1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "x-FOO"), 1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "Contact"), -1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "m"), -1);
	ck_assert_int_eq(run_re(tx_hf_is_present_re, "^x-f"), 1);
	ck_assert_int_eq(run_re(tx_hf_is_present_re, "^P-"), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

START_TEST(t_remove_re)
{
	/* any case; the name as written ("k", not "Supported") */
	ck_assert_int_eq(run_re(tx_hf_remove_re, "^x-"), 1);
	ck_assert_int_eq(run_re(tx_hf_remove_re, "^Supported$"), -1);
	ck_assert_int_eq(run_re(tx_hf_remove_re, "^(k|subject)$"), 1);
	ck_assert_int_eq(run_re(tx_hf_remove_re, "^P-"), -1);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "f: <sip:alice@example.com>;tag=1\r\n"
	    "To: <sip:bob@example.com>\r\n"
	    "Route: <sip:p1;lr>\r\n"
	    "Route: <sip:p2;lr>\r\n"
	    "i: cid1\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Length: 2\r\n"
	    "\r\n"
	    "hi");
}
END_TEST

START_TEST(t_re_pv)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, tx_hf_free_re };

	msg_destroy(&m);
	msg_init(&m, req_pv, sizeof(req_pv) - 1, NULL);
	/* compiled per message */
	ck_assert_int_eq(build(&c, 0, "$hdr(X-Re)", tx_hf_fix_re), 0);
	ck_assert_int_eq(tx_hf_is_present_re(&m, c.fixed), 1);
	ck_assert_int_eq(tx_hf_remove_re(&m, c.fixed), 1);
	drop(&c);
	ck_assert_str_eq(applied(),
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "From: <sip:alice@example.com>;tag=1\r\n"
	    "X-Re: ^(x-w|cs)\r\n"
	    "X-Bad-Re: ^(cs\r\n"
	    "\r\n");
	/* a bad expression from a variable: false, nothing removed */
	c.free_fixup = tx_hf_free_re;
	ck_assert_int_eq(build(&c, 0, "$hdr(X-Bad-Re)", tx_hf_fix_re), 0);
	ck_assert_int_eq(tx_hf_remove_re(&m, c.fixed), -1);
	ck_assert_int_eq(tx_hf_is_present_re(&m, c.fixed), -1);
	drop(&c);
	ck_assert_int_eq(msg_edit_count(&m), 2);
}
END_TEST

START_TEST(t_bad_re)
{
	struct call c = { { NULL, NULL }, { NULL, NULL }, tx_hf_free_re };

	ck_assert_int_eq(build(&c, 0, "^X-(Foo", tx_hf_fix_re), -1);
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_uint_eq(d.items[0].pos.line, 7);
	ck_assert_ptr_nonnull(strstr(d.items[0].msg,
	    "bad regular expression \"^X-(Foo\" for a header name: "));
	/* the fixup kept the core's argument: nothing to free twice */
	ck_assert_ptr_eq(c.fixed[0], c.a[0]);
	drop(&c);
}
END_TEST

START_TEST(t_not_request)
{
	static const char rpl[] =
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "Server: x\r\n"
	    "\r\n";

	msg_destroy(&m);
	msg_init(&m, rpl, sizeof(rpl) - 1, NULL);
	ck_assert_int_eq(m.kind, MSG_SIP_REPLY);
	ck_assert_int_eq(run2(tx_hf_append, "X-A: 1\r\n", NULL), -1);
	ck_assert_int_eq(run_name(tx_hf_remove, "Server"), -1);
	ck_assert_int_eq(run_re(tx_hf_remove_re, "."), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
	/* reading a reply is fine */
	ck_assert_int_eq(run_name(tx_hf_is_present, "Server"), 1);
	ck_assert_int_eq(run_re(tx_hf_is_present_re, "^v"), 1);
}
END_TEST

START_TEST(t_malformed)
{
	static const char bad[] =
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
	    "this line is no header\r\n"
	    "X-Foo: 1\r\n"
	    "\r\n";
	static const char cut[] =
	    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "X-Foo: 1";

	msg_destroy(&m);
	msg_init(&m, bad, sizeof(bad) - 1, NULL);
	ck_assert_int_eq(run_name(tx_hf_remove, "X-Foo"), -1);
	ck_assert_int_eq(run2(tx_hf_append, "X-A: 1\r\n", NULL), -1);
	ck_assert_int_eq(run_name(tx_hf_is_present, "X-Foo"), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
	msg_destroy(&m);
	msg_init(&m, cut, sizeof(cut) - 1, NULL);
	ck_assert_int_eq(run2(tx_hf_append, "X-A: 1\r\n", NULL), -1);
	ck_assert_int_eq(msg_edit_count(&m), 0);
}
END_TEST

static Suite *
hf_suite(void)
{
	Suite *s = suite_create("textops_hf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_append_insert);
	tcase_add_test(tc, t_line_ends);
	tcase_add_test(tc, t_pv_text);
	tcase_add_test(tc, t_bad_text);
	tcase_add_test(tc, t_bad_name);
	tcase_add_test(tc, t_remove);
	tcase_add_test(tc, t_remove_then_add);
	tcase_add_test(tc, t_present);
	tcase_add_test(tc, t_remove_re);
	tcase_add_test(tc, t_re_pv);
	tcase_add_test(tc, t_bad_re);
	tcase_add_test(tc, t_not_request);
	tcase_add_test(tc, t_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(L_CRIT);
	return tcheck_run(hf_suite());
}
