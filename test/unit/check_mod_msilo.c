/*
 * check_mod_msilo.c - the pure parts of the msilo module: the mailbox of
 * a URI, m_store()'s choice of R-URI by mode, what a REGISTER says about
 * its contacts (Contact, expires, Expires, "*"), the notification and
 * delivery texts, and the silo table layer over a recording fake of the
 * database api (which statements and conditions it asks for).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/msilo/msilo_db.h"
#include "modules/msilo/msilo_sip.h"
#include "modules/msilo/msilo_text.h"
#include "tcheck.h"

static str_t
S(const char *s)
{
	return str_cstr(s);
}

static void
ck_str(const str_t *got, const char *want)
{
	ck_assert_msg(got->len == strlen(want) && (got->len == 0 ||
	    memcmp(got->s, want, got->len) == 0), "got \"%.*s\", want \"%s\"",
	    (int)got->len, got->s ? got->s : "", want);
}

/* --- URIs ----------------------------------------------------------------- */

START_TEST(t_uri_aor)
{
	static const struct {
		const char *uri, *user, *host;
	} ok[] = {
		{ "sip:bob@example.org", "bob", "example.org" },
		{ "sips:bob@example.org:5061;transport=tls", "bob",
		  "example.org" },
		{ "<sip:alice:secret@10.0.0.1:5060>", "alice", "10.0.0.1" },
		{ "sip:carol@[2001:db8::1]:5060", "carol", "[2001:db8::1]" },
		{ "SIP:Dave@Example.ORG?subject=hi", "Dave", "Example.ORG" },
		{ "sip:127.0.0.1:5060", "", "127.0.0.1" },
		{ "sip:h;lr", "", "h" },
	};
	static const char *const bad[] = {
		"", "bob@example.org", "tel:+123", "sip:", "sip:bob@",
		"sip:bob@;x", "sip:u@[::1", "http://x",
	};
	str_t u, h, in;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		in = S(ok[i].uri);
		ck_assert_int_eq(msilo_uri_aor(&in, &u, &h), 0);
		ck_str(&u, ok[i].user);
		ck_str(&h, ok[i].host);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = S(bad[i]);
		ck_assert_msg(msilo_uri_aor(&in, &u, &h) == -1, "%s", bad[i]);
	}
}
END_TEST

START_TEST(t_uri_of)
{
	static const struct {
		const char *value, *uri;
	} ok[] = {
		{ "<sip:b@h>;tag=1", "sip:b@h" },
		{ "\"Bob, Jr <x>\" <sip:b@h;transport=udp>;tag=2",
		  "sip:b@h;transport=udp" },
		{ "Bob <sip:b@h>", "sip:b@h" },
		{ "  sip:b@h;tag=3", "sip:b@h" },
		{ "sip:b@h", "sip:b@h" },
	};
	static const char *const bad[] = { "", "  ", "<sip:b@h", "\"Bob <",
	    "<>" };
	str_t v, u;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = S(ok[i].value);
		ck_assert_int_eq(msilo_uri_of(&v, &u), 0);
		ck_str(&u, ok[i].uri);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = S(bad[i]);
		ck_assert_msg(msilo_uri_of(&v, &u) == -1, "%s", bad[i]);
	}
}
END_TEST

START_TEST(t_is_aor)
{
	str_t a = S("sip:bob@h"), b = S("sip:h:5060"), c = STR_NULL;
	str_t d = S("tel:+1234");

	ck_assert_int_eq(msilo_is_aor(&a), 1);
	ck_assert_int_eq(msilo_is_aor(&b), 0);
	ck_assert_int_eq(msilo_is_aor(&c), 0);
	ck_assert_int_eq(msilo_is_aor(&d), 0);
	ck_assert_int_eq(msilo_is_aor(NULL), 0);
}
END_TEST

/* --- m_store modes -------------------------------------------------------- */

START_TEST(t_mode_parse)
{
	str_t s;

	s = S("0");
	ck_assert_int_eq(msilo_mode_parse(&s), 0);
	s = S("1");
	ck_assert_int_eq(msilo_mode_parse(&s), 1);
	s = S("2");
	ck_assert_int_eq(msilo_mode_parse(&s), 2);
	s = S("3");
	ck_assert_int_eq(msilo_mode_parse(&s), -1);
	s = S("01");
	ck_assert_int_eq(msilo_mode_parse(&s), -1);
	s = S("");
	ck_assert_int_eq(msilo_mode_parse(&s), -1);
	s = S("sip:bob@h");
	ck_assert_int_eq(msilo_mode_parse(&s), -1);
}
END_TEST

START_TEST(t_pick_owner)
{
	str_t newu = S("sip:bob@example.org"), contact = S("sip:10.0.0.9:5070");
	str_t ruri = S("sip:alice@example.org"), ruri_noaor = S("sip:example.org");
	str_t to = S("sip:carol@example.org"), to_noaor = S("sip:example.org");
	str_t none = STR_NULL;

	/* mode 0: the new R-URI when it is an AOR */
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_NEW_URI, &newu, &ruri,
	    &to), &newu);
	/* ... else the R-URI, else To */
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_NEW_URI, &contact,
	    &ruri, &to), &ruri);
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_NEW_URI, &none, &ruri,
	    &to), &ruri);
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_NEW_URI, &none,
	    &ruri_noaor, &to), &to);
	/* mode 1 ignores the new R-URI (failure_route after lookup()) */
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_RURI, &newu, &ruri, &to),
	    &ruri);
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_RURI, &newu,
	    &ruri_noaor, &to), &to);
	/* mode 2: To only */
	ck_assert_ptr_eq(msilo_pick_owner(MSILO_MODE_TO, &newu, &ruri, &to),
	    &to);
	ck_assert_ptr_null(msilo_pick_owner(MSILO_MODE_TO, &newu, &ruri,
	    &to_noaor));
	ck_assert_ptr_null(msilo_pick_owner(MSILO_MODE_NEW_URI, &contact,
	    &ruri_noaor, &to_noaor));
}
END_TEST

/* --- REGISTER ----------------------------------------------------------- */

START_TEST(t_contact_next)
{
	str_t rest = S("\"A, b\" <sip:a@h:5060;transport=udp>;expires=60;q=0.5,"
	    " sip:b@h;Expires=\"0\" , <sip:c@h>;foo;bar=\"x;y\"");
	struct msilo_contact c;

	ck_assert_int_eq(msilo_contact_next(&rest, &c), 1);
	ck_str(&c.uri, "sip:a@h:5060;transport=udp");
	ck_assert_int_eq(c.expires, 60);
	ck_assert_int_eq(msilo_contact_next(&rest, &c), 1);
	ck_str(&c.uri, "sip:b@h");
	ck_assert_int_eq(c.expires, 0);
	ck_assert_int_eq(msilo_contact_next(&rest, &c), 1);
	ck_str(&c.uri, "sip:c@h");
	ck_assert_int_eq(c.expires, -1);
	ck_assert_int_eq(msilo_contact_next(&rest, &c), 0);

	rest = S(" * ");
	ck_assert_int_eq(msilo_contact_next(&rest, &c), 1);
	ck_assert_int_eq(c.star, 1);

	rest = S("<sip:a@h>;expires=abc");
	ck_assert_int_eq(msilo_contact_next(&rest, &c), -1);
	rest = S("<sip:a@h;expires=5");
	ck_assert_int_eq(msilo_contact_next(&rest, &c), -1);
	rest = S("<sip:a@h> junk");
	ck_assert_int_eq(msilo_contact_next(&rest, &c), -1);
	rest = S("<sip:a@h>;expires");
	ck_assert_int_eq(msilo_contact_next(&rest, &c), -1);
}
END_TEST

START_TEST(t_expires_parse)
{
	long long v;
	str_t s;

	s = S(" 3600 ");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), 0);
	ck_assert_int_eq(v, 3600);
	s = S("0");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), 0);
	ck_assert_int_eq(v, 0);
	s = S("99999999999999999999999");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), 0);
	ck_assert_int_eq(v, 4294967295LL);
	s = S("-1");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), -1);
	s = S("");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), -1);
	s = S("12a");
	ck_assert_int_eq(msilo_expires_parse(&s, &v), -1);
}
END_TEST

START_TEST(t_register_target)
{
	str_t h[2], e, uri;
	const char *why;

	/* no Expires at all: the registrar's default keeps it */
	h[0] = S("<sip:bob@10.0.0.2:5070>");
	ck_assert_int_eq(msilo_register_target(h, 1, NULL, &uri, &why), 1);
	ck_str(&uri, "sip:bob@10.0.0.2:5070");
	/* Expires: 0 removes it; a contact parameter wins over it */
	e = S("0");
	ck_assert_int_eq(msilo_register_target(h, 1, &e, &uri, &why), 0);
	h[0] = S("<sip:bob@10.0.0.2:5070>;expires=30");
	ck_assert_int_eq(msilo_register_target(h, 1, &e, &uri, &why), 1);
	e = S("600");
	h[0] = S("<sip:bob@10.0.0.2:5070>;expires=0, <sip:bob@10.0.0.3>");
	ck_assert_int_eq(msilo_register_target(h, 1, &e, &uri, &why), 1);
	ck_str(&uri, "sip:bob@10.0.0.3");
	/* across header lines */
	h[0] = S("<sip:bob@10.0.0.2>;expires=0");
	h[1] = S("sip:bob@10.0.0.4;expires=10");
	ck_assert_int_eq(msilo_register_target(h, 2, NULL, &uri, &why), 1);
	ck_str(&uri, "sip:bob@10.0.0.4");
	/* "*", no Contact (a query), malformed */
	h[0] = S("*");
	e = S("0");
	ck_assert_int_eq(msilo_register_target(h, 1, &e, &uri, &why), 0);
	ck_assert_int_eq(msilo_register_target(h, 0, NULL, &uri, &why), 0);
	e = S("soon");
	h[0] = S("<sip:bob@h>");
	ck_assert_int_eq(msilo_register_target(h, 1, &e, &uri, &why), -1);
	ck_assert_str_eq(why, "malformed Expires header");
	h[0] = S("<sip:bob@h");
	ck_assert_int_eq(msilo_register_target(h, 1, NULL, &uri, &why), -1);
	ck_assert_str_eq(why, "malformed Contact header");
}
END_TEST

/* --- texts ---------------------------------------------------------------- */

START_TEST(t_notice_body)
{
	char buf[256];
	str_t owner = S("sip:bob@example.org");
	int n = msilo_notice_body(buf, sizeof(buf), &owner);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "User [sip:bob@example.org] is offline. The "
	    "message will be delivered when user goes online.");
	ck_assert_int_eq(msilo_notice_body(buf, 20, &owner), -1);
}
END_TEST

START_TEST(t_offline_body)
{
	char buf[128];
	str_t body = S("hello");
	int n;

	setenv("TZ", "UTC", 1);
	tzset();
	n = msilo_offline_body(buf, sizeof(buf), 86400 * 365, 1, &body);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "[Offline message - Fri Jan  1 00:00:00 1971] "
	    "hello");
	n = msilo_offline_body(buf, sizeof(buf), 0, 0, &body);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	/* a body with NULs is copied as bytes */
	body = str_make("a\0b", 3);
	n = msilo_offline_body(buf, sizeof(buf), 0, 0, &body);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(memcmp(buf, "a\0b", 3), 0);
	body = S("hello");
	ck_assert_int_eq(msilo_offline_body(buf, 30, 0, 1, &body), -1);
}
END_TEST

START_TEST(t_delivery_hdrs)
{
	char buf[256];
	str_t ct = S("text/html;charset=UTF-8"), none = STR_NULL;
	str_t extra = S("X-A: 1\r\nX-B: 2");
	int n;

	n = msilo_delivery_hdrs(buf, sizeof(buf), &ct, 0, &none);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "Content-Type: text/html;charset=UTF-8\r\n"
	    "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
	n = msilo_delivery_hdrs(buf, sizeof(buf), &none, 1700000000, &extra);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "Content-Type: text/plain\r\n"
	    "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nX-A: 1\r\nX-B: 2\r\n");
	ck_assert_int_eq(msilo_delivery_hdrs(buf, 40, &ct, 0, &none), -1);
}
END_TEST

START_TEST(t_ctype_ok)
{
	str_t s;

	s = S("text/plain");
	ck_assert_int_eq(msilo_ctype_ok(&s), 1);
	s = S("application/im-iscomposing+xml; charset=utf-8");
	ck_assert_int_eq(msilo_ctype_ok(&s), 1);
	s = S("text/plain\r\nX-Evil: 1");
	ck_assert_int_eq(msilo_ctype_ok(&s), 0);
	s = S("text");
	ck_assert_int_eq(msilo_ctype_ok(&s), 0);
	s = S("/plain");
	ck_assert_int_eq(msilo_ctype_ok(&s), 0);
	s = S("text/");
	ck_assert_int_eq(msilo_ctype_ok(&s), 0);
	s = STR_NULL;
	ck_assert_int_eq(msilo_ctype_ok(&s), 0);
}
END_TEST

/* --- the table layer over a recording fake -------------------------------- */

static struct {
	char            sql[2][1024];
	int             nexec;
	const char     *op;
	char            table[32];
	int             ncols, nconds;
	const char     *cols[16];
	struct db_val   vals[16];
	struct db_cond  conds[8];
	const char     *order;
	int             limit;
	long long       rc;
} rec;

static int
f_exec(struct db_conn *c, const char *sql)
{
	(void)c;
	snprintf(rec.sql[rec.nexec++ % 2], sizeof(rec.sql[0]), "%s", sql);
	return 0;
}

static void
note(const char *op, const char *table, const struct db_cond *conds,
    int nconds, const char *const *cols, const struct db_val *vals, int n)
{
	rec.op = op;
	snprintf(rec.table, sizeof(rec.table), "%s", table);
	rec.nconds = nconds;
	for (int i = 0; i < nconds && i < 8; i++)
		rec.conds[i] = conds[i];
	rec.ncols = n;
	for (int i = 0; i < n && i < 16; i++) {
		rec.cols[i] = cols[i];
		if (vals != NULL)
			rec.vals[i] = vals[i];
	}
}

static int
f_insert(struct db_conn *c, const char *table, const char *const *cols,
    const struct db_val *vals, int n)
{
	(void)c;
	note("insert", table, NULL, 0, cols, vals, n);
	return 0;
}

static struct db_res fake_res;

static int
f_query(struct db_conn *c, const char *table, const struct db_cond *conds,
    int nconds, const char *const *cols, int ncols, const char *order_by,
    int limit, struct db_res **res)
{
	(void)c;
	note("query", table, conds, nconds, cols, NULL, ncols);
	rec.order = order_by;
	rec.limit = limit;
	fake_res.ncols = ncols;
	fake_res.nrows = (int)rec.rc;
	*res = &fake_res;
	return 0;
}

static void
f_free(struct db_conn *c, struct db_res *res)
{
	(void)c;
	(void)res;
}

static long long
f_delete(struct db_conn *c, const char *table, const struct db_cond *conds,
    int nconds)
{
	(void)c;
	note("delete", table, conds, nconds, NULL, NULL, 0);
	return rec.rc;
}

static long long
f_update(struct db_conn *c, const char *table, const struct db_cond *conds,
    int nconds, const char *const *cols, const struct db_val *vals, int n)
{
	(void)c;
	note("update", table, conds, nconds, cols, vals, n);
	return rec.rc;
}

static long long
f_last_id(struct db_conn *c)
{
	(void)c;
	return 42;
}

static const struct db_api fake_api = {
	.exec = f_exec, .insert = f_insert, .query = f_query,
	.free_result = f_free, .delete = f_delete, .update = f_update,
	.last_insert_id = f_last_id,
};

static const struct msilo_db fake_db = { &fake_api, NULL, "silo" };

static void
ck_cond(int i, const char *col, enum db_op op, long long v)
{
	ck_assert_str_eq(rec.conds[i].col, col);
	ck_assert_int_eq(rec.conds[i].op, op);
	ck_assert_int_eq(rec.conds[i].val.type, DB_INT);
	ck_assert_int_eq(rec.conds[i].val.v.i, v);
}

START_TEST(t_db_create)
{
	static const char *const cols[] = {
		"id INTEGER PRIMARY KEY", "src_addr VARCHAR(255)",
		"dst_addr VARCHAR(255)", "username VARCHAR(64)",
		"domain VARCHAR(64)", "inc_time INTEGER", "exp_time INTEGER",
		"snd_time INTEGER", "ctype VARCHAR(32) DEFAULT 'text/plain'",
		"body BLOB", "extra_hdrs TEXT", "callid VARCHAR(128)",
		"status INTEGER",
	};

	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(msilo_db_create(&fake_db), 0);
	ck_assert_int_eq(rec.nexec, 2);
	ck_assert_ptr_nonnull(strstr(rec.sql[0],
	    "CREATE TABLE IF NOT EXISTS silo ("));
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		ck_assert_msg(strstr(rec.sql[0], cols[i]) != NULL, "%s",
		    cols[i]);
	ck_assert_str_eq(rec.sql[1], "CREATE INDEX IF NOT EXISTS "
	    "silo_account_idx ON silo (username, domain)");
	ck_assert_int_eq(msilo_db_name_ok("silo"), 1);
	ck_assert_int_eq(msilo_db_name_ok("my_silo2"), 1);
	ck_assert_int_eq(msilo_db_name_ok("silo; DROP TABLE x"), 0);
	ck_assert_int_eq(msilo_db_name_ok("1silo"), 0);
	ck_assert_int_eq(msilo_db_name_ok(""), 0);
}
END_TEST

START_TEST(t_db_store)
{
	struct msilo_new n = {
		.src_addr = S("sip:alice@h"), .dst_addr = S("sip:bob@h"),
		.username = S("bob"), .domain = S("h"), .inc_time = 1000,
		.exp_time = 2000, .ctype = S("text/plain"), .body = S("hi"),
		.callid = S("cid-1"),
	};
	long long id = 0;

	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(msilo_db_store(&fake_db, &n, &id), 0);
	ck_assert_int_eq(id, 42);
	ck_assert_str_eq(rec.op, "insert");
	ck_assert_str_eq(rec.table, "silo");
	ck_assert_int_eq(rec.ncols, 11);
	ck_assert_str_eq(rec.cols[0], "src_addr");
	ck_str(&rec.vals[0].v.s, "sip:alice@h");
	ck_assert_str_eq(rec.cols[2], "username");
	ck_str(&rec.vals[2].v.s, "bob");
	ck_assert_str_eq(rec.cols[5], "exp_time");
	ck_assert_int_eq(rec.vals[5].v.i, 2000);
	ck_assert_str_eq(rec.cols[6], "snd_time");
	ck_assert_int_eq(rec.vals[6].v.i, 0);
	ck_assert_str_eq(rec.cols[8], "body");
	ck_assert_int_eq(rec.vals[8].type, DB_BLOB);
	ck_str(&rec.vals[8].v.s, "hi");
}
END_TEST

START_TEST(t_db_pending_claim)
{
	struct db_res *res = NULL;
	str_t u = S("bob"), d = S("h");

	memset(&rec, 0, sizeof(rec));
	rec.rc = 3;
	ck_assert_int_eq(msilo_db_pending(&fake_db, &u, &d, 500, &res), 0);
	ck_assert_ptr_nonnull(res);
	ck_assert_str_eq(rec.op, "query");
	ck_assert_int_eq(rec.nconds, 4);
	ck_assert_str_eq(rec.conds[0].col, "username");
	ck_str(&rec.conds[0].val.v.s, "bob");
	ck_assert_str_eq(rec.conds[1].col, "domain");
	ck_cond(2, "snd_time", DB_OP_EQ, 0);
	ck_cond(3, "exp_time", DB_OP_GT, 500);
	ck_assert_str_eq(rec.order, "id");
	ck_assert_int_eq(rec.ncols, MSILO_NCOLS);
	ck_assert_str_eq(rec.cols[MSILO_C_BODY], "body");

	/* a claim only takes an unclaimed row */
	rec.rc = 1;
	ck_assert_int_eq(msilo_db_claim(&fake_db, 7, 900), 1);
	ck_assert_str_eq(rec.op, "update");
	ck_cond(0, "id", DB_OP_EQ, 7);
	ck_cond(1, "snd_time", DB_OP_EQ, 0);
	ck_assert_str_eq(rec.cols[0], "snd_time");
	ck_assert_int_eq(rec.vals[0].v.i, 900);
	rec.rc = 0;
	ck_assert_int_eq(msilo_db_claim(&fake_db, 7, 900), 0);
	rec.rc = -1;
	ck_assert_int_eq(msilo_db_claim(&fake_db, 7, 900), -1);

	rec.rc = 1;
	ck_assert_int_eq(msilo_db_release(&fake_db, 7), 0);
	ck_cond(0, "id", DB_OP_EQ, 7);
	ck_assert_int_eq(rec.vals[0].v.i, 0);
	ck_assert_int_eq(msilo_db_delete(&fake_db, 7), 1);
	ck_assert_str_eq(rec.op, "delete");
	ck_cond(0, "id", DB_OP_EQ, 7);
}
END_TEST

START_TEST(t_db_timer_ops)
{
	str_t u = S("bob"), d = S("h");

	memset(&rec, 0, sizeof(rec));
	rec.rc = 2;
	ck_assert_int_eq(msilo_db_release_stuck(&fake_db, 100), 2);
	ck_assert_str_eq(rec.op, "update");
	ck_cond(0, "snd_time", DB_OP_GT, 0);
	ck_cond(1, "snd_time", DB_OP_LT, 100);
	ck_assert_int_eq(msilo_db_release_all(&fake_db), 2);
	ck_assert_int_eq(rec.nconds, 1);
	ck_cond(0, "snd_time", DB_OP_NE, 0);
	ck_assert_int_eq(msilo_db_clean(&fake_db, 300), 2);
	ck_assert_str_eq(rec.op, "delete");
	ck_cond(0, "exp_time", DB_OP_LT, 300);
	rec.rc = 5;
	ck_assert_int_eq(msilo_db_count(&fake_db, &u, &d, 300, 5), 5);
	ck_assert_int_eq(rec.limit, 5);
	ck_cond(2, "exp_time", DB_OP_GT, 300);
}
END_TEST

static Suite *
msilo_suite(void)
{
	Suite *s = suite_create("mod_msilo");
	TCase *tu = tcase_create("uri");
	TCase *tr = tcase_create("register");
	TCase *tt = tcase_create("text");
	TCase *td = tcase_create("db");

	tcase_add_test(tu, t_uri_aor);
	tcase_add_test(tu, t_uri_of);
	tcase_add_test(tu, t_is_aor);
	tcase_add_test(tu, t_mode_parse);
	tcase_add_test(tu, t_pick_owner);
	suite_add_tcase(s, tu);
	tcase_add_test(tr, t_contact_next);
	tcase_add_test(tr, t_expires_parse);
	tcase_add_test(tr, t_register_target);
	suite_add_tcase(s, tr);
	tcase_add_test(tt, t_notice_body);
	tcase_add_test(tt, t_offline_body);
	tcase_add_test(tt, t_delivery_hdrs);
	tcase_add_test(tt, t_ctype_ok);
	suite_add_tcase(s, tt);
	tcase_add_test(td, t_db_create);
	tcase_add_test(td, t_db_store);
	tcase_add_test(td, t_db_pending_claim);
	tcase_add_test(td, t_db_timer_ops);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	return tcheck_run(msilo_suite());
}
