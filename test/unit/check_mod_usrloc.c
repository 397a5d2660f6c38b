/*
 * check_mod_usrloc.c - the usrloc module's shared-memory location table
 * (ul_table.c) with a fake clock: insert, refresh, q and time ordering,
 * expiry before and by the sweep, Call-ID/CSeq ordering, max_contacts,
 * replace-all, deletes, flush, walk, the gauges, a binding's Path and
 * method set kept and replaced on refresh, and a binding made in a
 * child process seen by its parent.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/shm.h"
#include "modules/usrloc/ul_table.h"
#include "tcheck.h"

#define MIB ((size_t)1024 * 1024)

static long long fake_now;
static struct ul_table *T;
static struct arena A;

static long long
fake_clock(void)
{
	return fake_now;
}

static void
setup(void)
{
	ck_assert_int_eq(shm_init(16 * MIB), 0);
	fake_now = 1000000;
	ul_set_clock(fake_clock);
	T = ul_table_create("location", 4);
	ck_assert_ptr_nonnull(T);
	arena_init(&A, 0);
}

static void
teardown(void)
{
	arena_free(&A);
	ul_table_destroy(T);
	T = NULL;
	ul_set_clock(NULL);
	ck_assert_int_eq(shm_check(), 0);
	shm_destroy();
}

static struct ul_change
chg(const char *uri, long long expires_in, int q, const char *callid,
    int cseq)
{
	struct ul_change c;

	memset(&c, 0, sizeof(c));
	c.info.c = str_cstr(uri);
	c.info.expires = fake_now + expires_in;
	c.info.q = q;
	c.info.callid = str_cstr(callid);
	c.info.cseq = cseq;
	c.info.user_agent = STR_LIT("test-ua");
	c.info.conn_id = 77;
	c.remove = expires_in == 0;
	return c;
}

static enum ul_rc
put(const char *aor, struct ul_change c, struct ul_contacts *out)
{
	struct ul_update_opts o = { .cseq_delay = 20 };
	str_t a = str_cstr(aor);

	return ul_table_update(T, &a, &c, 1, &o, &A, out);
}

static int
look(const char *aor, struct ul_contacts *out)
{
	str_t a = str_cstr(aor);

	return ul_table_lookup(T, &a, &A, out);
}

START_TEST(test_insert_lookup_copies)
{
	struct ul_contacts cs;

	ck_assert_int_eq(look("alice", &cs), 0);
	ck_assert_int_eq(put("alice", chg("sip:a@1.1.1.1", 60, -1, "c1", 1),
	    &cs), UL_OK);
	ck_assert_int_eq(cs.n, 1);
	ck_assert_int_eq(look("alice", &cs), 1);
	ck_assert_int_eq(cs.n, 1);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:a@1.1.1.1"));
	ck_assert(str_eq_cstr(&cs.v[0].aor, "alice"));
	ck_assert(str_eq_cstr(&cs.v[0].user_agent, "test-ua"));
	ck_assert(str_eq_cstr(&cs.v[0].callid, "c1"));
	ck_assert_int_eq(cs.v[0].expires, fake_now + 60);
	ck_assert_int_eq(cs.v[0].last_modified, fake_now);
	ck_assert_uint_eq(cs.v[0].conn_id, 77);
	/* a copy: not in shared memory */
	ck_assert(!shm_contains(cs.v[0].c.s));
	ck_assert_int_eq(T->users, 1);
	ck_assert_int_eq(T->contacts, 1);
	/* AORs are compared byte for byte */
	ck_assert_int_eq(look("Alice", &cs), 0);
}
END_TEST

START_TEST(test_path_and_methods)
{
	struct ul_contacts cs;
	struct ul_change c = chg("sip:p@192.0.2.9", 60, -1, "c1", 1);

	c.info.path = STR_LIT("<sip:p1@10.0.0.1;lr>,<sip:p2@10.0.0.2;lr>");
	c.info.methods = 0x1 | 0x100;           /* INVITE, MESSAGE */
	ck_assert_int_eq(put("pat", c, &cs), UL_OK);
	ck_assert_int_eq(look("pat", &cs), 1);
	ck_assert(str_eq_cstr(&cs.v[0].path,
	    "<sip:p1@10.0.0.1;lr>,<sip:p2@10.0.0.2;lr>"));
	ck_assert(!shm_contains(cs.v[0].path.s));
	ck_assert_uint_eq(cs.v[0].methods, 0x101);
	/* a refresh brings its own path and methods (none: all) */
	c = chg("sip:p@192.0.2.9", 60, -1, "c1", 2);
	c.info.methods = UL_METHODS_ALL;
	ck_assert_int_eq(put("pat", c, &cs), UL_OK);
	ck_assert_int_eq(look("pat", &cs), 1);
	ck_assert_int_eq(cs.v[0].path.len, 0);
	ck_assert_uint_eq(cs.v[0].methods, UL_METHODS_ALL);
}
END_TEST

START_TEST(test_order_q_then_recent)
{
	struct ul_contacts cs;

	put("bob", chg("sip:old@h", 100, -1, "c1", 1), &cs);
	fake_now += 5;
	put("bob", chg("sip:new@h", 100, -1, "c2", 1), &cs);
	fake_now += 5;
	put("bob", chg("sip:low@h", 100, 100, "c3", 1), &cs);
	put("bob", chg("sip:high@h", 100, 900, "c4", 1), &cs);
	ck_assert_int_eq(look("bob", &cs), 1);
	ck_assert_int_eq(cs.n, 4);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:high@h"));
	ck_assert(str_eq_cstr(&cs.v[1].c, "sip:low@h"));
	ck_assert(str_eq_cstr(&cs.v[2].c, "sip:new@h"));
	ck_assert(str_eq_cstr(&cs.v[3].c, "sip:old@h"));
	/* a refresh makes it the most recent of its q */
	fake_now += 1;
	put("bob", chg("sip:old@h", 100, -1, "c1", 2), &cs);
	ck_assert(str_eq_cstr(&cs.v[2].c, "sip:old@h"));
	ck_assert_int_eq(T->contacts, 4);
	/* time order only */
	T->time_order = 1;
	look("bob", &cs);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:old@h"));
}
END_TEST

START_TEST(test_expiry)
{
	struct ul_contacts cs;

	put("carol", chg("sip:short@h", 2, -1, "c1", 1), &cs);
	put("carol", chg("sip:long@h", 50, -1, "c2", 1), &cs);
	fake_now += 2;
	/* gone for lookups before the sweep */
	ck_assert_int_eq(look("carol", &cs), 1);
	ck_assert_int_eq(cs.n, 1);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:long@h"));
	ck_assert_int_eq(T->contacts, 2);
	ck_assert_int_eq(ul_table_expire(T), 1);
	ck_assert_int_eq(T->contacts, 1);
	ck_assert_int_eq(T->expired, 1);
	fake_now += 100;
	ck_assert_int_eq(look("carol", &cs), 0);
	ck_assert_int_eq(ul_table_expire(T), 1);
	ck_assert_int_eq(T->users, 0);
	ck_assert_int_eq(T->contacts, 0);
}
END_TEST

START_TEST(test_cseq_order)
{
	struct ul_contacts cs;

	ck_assert_int_eq(put("dave", chg("sip:d@h", 60, -1, "call", 10), &cs),
	    UL_OK);
	/* older CSeq of the same Call-ID: refused, binding untouched */
	ck_assert_int_eq(put("dave", chg("sip:d@h", 0, -1, "call", 9), &cs),
	    UL_BAD_CSEQ);
	ck_assert_int_eq(cs.n, 1);
	/* the same CSeq soon after: a retransmission, accepted unchanged */
	fake_now += 3;
	ck_assert_int_eq(put("dave", chg("sip:d@h", 500, -1, "call", 10),
	    &cs), UL_OK);
	ck_assert_int_eq(cs.v[0].expires, fake_now - 3 + 60);
	/* ... but not after cseq_delay */
	fake_now += 30;
	ck_assert_int_eq(put("dave", chg("sip:d@h", 60, -1, "call", 10), &cs),
	    UL_BAD_CSEQ);
	/* another Call-ID may use any CSeq */
	ck_assert_int_eq(put("dave", chg("sip:d@h", 60, -1, "other", 1), &cs),
	    UL_OK);
	ck_assert(str_eq_cstr(&cs.v[0].callid, "other"));
	/* a newer CSeq removes */
	ck_assert_int_eq(put("dave", chg("sip:d@h", 0, -1, "other", 2), &cs),
	    UL_OK);
	ck_assert_int_eq(cs.n, 0);
	ck_assert_int_eq(look("dave", &cs), 0);
	ck_assert_int_eq(T->users, 0);
}
END_TEST

START_TEST(test_max_contacts_atomic)
{
	struct ul_update_opts o = { .max_contacts = 2, .cseq_delay = 20 };
	struct ul_change ch[3];
	struct ul_contacts cs;
	str_t aor = STR_LIT("eve");

	ch[0] = chg("sip:1@h", 60, -1, "c", 1);
	ch[1] = chg("sip:2@h", 60, -1, "c", 1);
	ck_assert_int_eq(ul_table_update(T, &aor, ch, 2, &o, &A, &cs), UL_OK);
	ck_assert_int_eq(cs.n, 2);
	/* a third: refused, and the request's refresh is not applied */
	ch[0] = chg("sip:1@h", 99, -1, "c", 2);
	ch[1] = chg("sip:3@h", 60, -1, "c", 2);
	ck_assert_int_eq(ul_table_update(T, &aor, ch, 2, &o, &A, &cs),
	    UL_TOO_MANY);
	ck_assert_int_eq(cs.n, 2);
	for (int i = 0; i < cs.n; i++)
		ck_assert_int_eq(cs.v[i].expires, fake_now + 60);
	/* removing one while adding one fits */
	ch[0] = chg("sip:1@h", 0, -1, "c", 3);
	ch[1] = chg("sip:3@h", 60, -1, "c", 3);
	ck_assert_int_eq(ul_table_update(T, &aor, ch, 2, &o, &A, &cs), UL_OK);
	ck_assert_int_eq(cs.n, 2);
	/* replace-all keeps only what the request names */
	o.replace_all = 1;
	ch[0] = chg("sip:9@h", 60, -1, "c", 4);
	ck_assert_int_eq(ul_table_update(T, &aor, ch, 1, &o, &A, &cs), UL_OK);
	ck_assert_int_eq(cs.n, 1);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:9@h"));
	ck_assert_int_eq(T->contacts, 1);
}
END_TEST

static int walked;

static void
walk_cb(void *ctx, const str_t *aor, const struct ul_contacts *cs)
{
	(void)ctx;
	ck_assert(aor->len > 0);
	ck_assert_int_gt(cs->n, 0);
	walked += cs->n;
}

START_TEST(test_delete_flush_walk)
{
	struct ul_contacts cs;
	char aor[32];
	str_t a, c;

	for (int i = 0; i < 40; i++) {
		snprintf(aor, sizeof(aor), "user%d", i);
		put(aor, chg("sip:x@h", 60, -1, "c", 1), &cs);
		put(aor, chg("sip:y@h", 60, -1, "c", 1), &cs);
	}
	ck_assert_int_eq(T->users, 40);
	ck_assert_int_eq(T->contacts, 80);
	walked = 0;
	ck_assert_int_eq(ul_table_walk(T, &A, walk_cb, NULL), 40);
	ck_assert_int_eq(walked, 80);
	a = str_cstr("user3");
	c = str_cstr("sip:x@h");
	ck_assert_int_eq(ul_table_delete_contact(T, &a, &c), 1);
	ck_assert_int_eq(ul_table_delete_contact(T, &a, &c), 0);
	c = str_cstr("sip:y@h");
	ck_assert_int_eq(ul_table_delete_contact(T, &a, &c), 1);
	ck_assert_int_eq(T->users, 39);
	a = str_cstr("user4");
	ck_assert_int_eq(ul_table_delete_aor(T, &a), 2);
	ck_assert_int_eq(ul_table_delete_aor(T, &a), 0);
	ck_assert_int_eq(ul_table_flush(T), 76);
	ck_assert_int_eq(T->users, 0);
	ck_assert_int_eq(T->contacts, 0);
	ck_assert_int_eq(look("user5", &cs), 0);
}
END_TEST

START_TEST(test_put_permanent)
{
	struct ul_contact_info ci;
	struct ul_contacts cs;
	str_t a = STR_LIT("perm");

	memset(&ci, 0, sizeof(ci));
	ci.c = STR_LIT("sip:p@h");
	ci.q = 500;
	ci.expires = 0;
	ck_assert_int_eq(ul_table_put(T, &a, &ci), 0);
	fake_now += 1000000;
	ck_assert_int_eq(ul_table_expire(T), 0);
	ck_assert_int_eq(look("perm", &cs), 1);
	ck_assert_int_eq(cs.v[0].q, 500);
	ck_assert_int_eq(cs.v[0].expires, 0);
}
END_TEST

START_TEST(test_across_fork)
{
	struct ul_contacts cs;
	int status;
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct arena a;
		struct ul_update_opts o = { .cseq_delay = 20 };
		struct ul_change c = chg("sip:child@h", 60, -1, "c", 1);
		str_t aor = STR_LIT("forked");

		arena_init(&a, 0);
		_exit(ul_table_update(T, &aor, &c, 1, &o, &a, &cs) == UL_OK ?
		    0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(look("forked", &cs), 1);
	ck_assert(str_eq_cstr(&cs.v[0].c, "sip:child@h"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("usrloc");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_insert_lookup_copies);
	tcase_add_test(tc, test_path_and_methods);
	tcase_add_test(tc, test_order_q_then_recent);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_cseq_order);
	tcase_add_test(tc, test_max_contacts_atomic);
	tcase_add_test(tc, test_delete_flush_walk);
	tcase_add_test(tc, test_put_permanent);
	tcase_add_test(tc, test_across_fork);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(suite());
}
