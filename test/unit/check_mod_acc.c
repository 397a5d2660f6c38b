/*
 * check_mod_acc.c - the acc module's pure parts, without a daemon: the
 * comment's code and reason (as Kamailio 5.6 splits them), the
 * log_extra / db_extra syntax, the record of a SIP request and of an
 * MSRP frame's synthetic SIP view, the log line, which records a
 * transaction's end makes, and the table layer over a recording fake
 * of the database api.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cfg/diag.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/pv.h"
#include "modules/acc/acc_db.h"
#include "modules/acc/acc_log.h"
#include "modules/acc/acc_rec.h"
#include "tcheck.h"

static const char req_text[] =
    "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
    "From: <sip:alice@127.0.0.1>;tag=ft1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: cid-req@t\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "User-Agent: UA1\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char reply_text[] =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
    "From: <sip:alice@127.0.0.1>;tag=ft1\r\n"
    "To: <sip:bob@127.0.0.1>;tag=tt9\r\n"
    "Call-ID: cid-req@t\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static struct cfg_diag d;
static struct msg m;
static const struct cfg_pos pos7 = { 1, 7, 1 };

static void
setup(void)
{
	diag_init(&d, NULL);
	ck_assert_int_eq(pv_core_register(&d), 0);
	msg_init(&m, req_text, sizeof(req_text) - 1, NULL);
}

static void
teardown(void)
{
	msg_destroy(&m);
	diag_free(&d);
	pv_registry_reset();
}

/* --- the comment ------------------------------------------------------------ */

static void
ck_split(const char *comment, const char *code, const char *reason)
{
	str_t c = str_cstr(comment), co, re;

	acc_comment_split(&c, &co, &re);
	ck_assert_msg(str_eq_cstr(&co, code), "\"%s\": code \"%.*s\", want "
	    "\"%s\"", comment, STR_FMT(&co), code);
	ck_assert_msg(str_eq_cstr(&re, reason), "\"%s\": reason \"%.*s\", "
	    "want \"%s\"", comment, STR_FMT(&re), reason);
}

/* each case as Kamailio 5.6 logged it, side by side */
START_TEST(t_comment)
{
	ck_split("200 accounted here", "200", "accounted here");
	ck_split("whatever", "", "whatever");
	ck_split("200", "200", "");
	ck_split("200accounted", "200", "accounted");
	ck_split("2000 x", "200", "0 x");
	ck_split("404  two spaces", "404", "two spaces");
	ck_split("200\ttab", "200", "tab");
	ck_split("200 trailing  ", "200", "trailing  ");
	ck_split(" 200 x", "", " 200 x");
	ck_split("20", "", "20");
	ck_split("2x0 y", "", "2x0 y");
	ck_split("000 zero", "000", "zero");
	ck_split("", "", "");
}
END_TEST

/* --- the extras --------------------------------------------------------------- */

static int
parse(const char *spec, int sql, struct acc_extras *x)
{
	str_t s = str_cstr(spec);

	return acc_extras_parse(sql ? "db_extra" : "log_extra", &s, sql, x, &d,
	    pos7);
}

/* The last error's text (and its line is the modparam's); a note may
 * follow it. */
static const char *
last_error(void)
{
	unsigned i = d.n;

	while (i > 0 && d.items[i - 1].sev != DIAG_ERROR)
		i--;
	ck_assert_uint_gt(i, 0);
	ck_assert_uint_eq(d.items[i - 1].pos.line, 7);
	return d.items[i - 1].msg;
}

START_TEST(t_extras_ok)
{
	struct acc_extras x;

	ck_assert_int_eq(parse("ua=$hdr(User-Agent);cid=$ci", 0, &x), 0);
	ck_assert_int_eq(x.n, 2);
	ck_assert_str_eq(x.x[0].name, "ua");
	ck_assert_str_eq(fmt_source(x.x[0].fmt), "$hdr(User-Agent)");
	ck_assert_str_eq(x.x[1].name, "cid");
	acc_extras_free(&x);
	ck_assert_int_eq(x.n, 0);

	/* blanks around names and values */
	ck_assert_int_eq(parse(" ua = $ci ; b = $rm ", 1, &x), 0);
	ck_assert_int_eq(x.n, 2);
	ck_assert_str_eq(x.x[0].name, "ua");
	ck_assert_str_eq(x.x[1].name, "b");
	acc_extras_free(&x);

	/* a ';' inside the PV's parentheses is the PV's */
	ck_assert_int_eq(parse("h=$hdr(X;Y);m=$rm", 0, &x), 0);
	ck_assert_int_eq(x.n, 2);
	ck_assert_str_eq(fmt_source(x.x[0].fmt), "$hdr(X;Y)");
	acc_extras_free(&x);

	/* an index or transformations belong to the one PV */
	ck_assert_int_eq(parse("v=$(hdr(Via)[-1]);ci=$ci", 0, &x), 0);
	ck_assert_int_eq(x.n, 2);
	ck_assert_str_eq(fmt_source(x.x[0].fmt), "$(hdr(Via)[-1])");
	acc_extras_free(&x);

	/* a log name is any text; a column name is an SQL name */
	ck_assert_int_eq(parse("u-a=$ci", 0, &x), 0);
	acc_extras_free(&x);
	ck_assert_int_eq(parse("", 0, &x), 0);
	ck_assert_int_eq(x.n, 0);
	ck_assert_int_eq(parse("   ", 1, &x), 0);
	ck_assert_int_eq(x.n, 0);
	ck_assert_uint_eq(d.errors, 0);
}
END_TEST

static void
ck_bad(const char *spec, int sql, const char *want)
{
	struct acc_extras x;
	unsigned errs = d.errors;

	x.n = 99;
	ck_assert_msg(parse(spec, sql, &x) == -1, "\"%s\" accepted", spec);
	ck_assert_int_eq(x.n, 0);
	ck_assert_uint_eq(d.errors, errs + 1);
	ck_assert_msg(strstr(last_error(), want) != NULL, "\"%s\": %s (want "
	    "\"%s\")", spec, last_error(), want);
}

START_TEST(t_extras_bad)
{
	ck_bad("ua=abc", 0, "must be one pseudo-variable");
	ck_bad("ua", 0, "'ua' has no '='");
	ck_bad("=$ci", 0, "has no name");
	ck_bad("ua=$ci;", 0, "ends with ';'");
	ck_bad("ua=$ci;;b=$rm", 0, "empty entry");
	ck_bad("ua=$ci x", 0, "one pseudo-variable per entry");
	ck_bad("ua=$ci$rm", 0, "one pseudo-variable per entry");
	ck_bad("ua=", 0, "must be one pseudo-variable");
	ck_bad("ua=$nosuch(x)", 0, "nosuch");
	ck_assert_int_eq(d.items[d.n - 1].sev, DIAG_NOTE);
	ck_assert_str_eq(d.items[d.n - 1].msg, "acc: in the value of 'ua' of "
	    "log_extra");
	ck_bad("ok=$ci;ua=$hdr(", 0, "'ua'");
	ck_bad("u-a=$ci", 1, "not a column name");
	ck_bad("1a=$ci", 1, "not a column name");
	ck_bad("ua=$ci;ua=$rm", 1, "named twice");
	/* the same name twice is fine in the log (Kamailio too) */
	{
		struct acc_extras x;

		ck_assert_int_eq(parse("ua=$ci;ua=$rm", 0, &x), 0);
		acc_extras_free(&x);
	}
}
END_TEST

START_TEST(t_extras_max)
{
	char spec[ACC_EXTRA_MAX * 16];
	struct acc_extras x;
	size_t n = 0;

	for (int i = 0; i < ACC_EXTRA_MAX; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%sx%d=$ci",
		    i ? ";" : "", i);
	ck_assert_int_eq(parse(spec, 1, &x), 0);
	ck_assert_int_eq(x.n, ACC_EXTRA_MAX);
	acc_extras_free(&x);
	snprintf(spec + n, sizeof(spec) - n, ";one=$rm");
	ck_bad(spec, 1, "more than 64 entries");
}
END_TEST

START_TEST(t_sql_name)
{
	ck_assert_int_eq(acc_sql_name_ok("acc", 3), 1);
	ck_assert_int_eq(acc_sql_name_ok("_x9", 3), 1);
	ck_assert_int_eq(acc_sql_name_ok("9x", 2), 0);
	ck_assert_int_eq(acc_sql_name_ok("a b", 3), 0);
	ck_assert_int_eq(acc_sql_name_ok("a\"b", 3), 0);
	ck_assert_int_eq(acc_sql_name_ok("", 0), 0);
	ck_assert_int_eq(acc_sql_name_ok(NULL, 0), 0);
	ck_assert_int_eq(acc_sql_name_ok("\xc3\xa9t", 3), 0);
}
END_TEST

/* --- the record and the log line ------------------------------------------------ */

static void
ck_text(const struct acc_rec *r, const struct acc_extras *x, const char *want)
{
	str_t text;

	ck_assert_int_eq(acc_log_text(&m.arena, r, x, &text), 0);
	ck_assert_msg(str_eq_cstr(&text, want), "got  %.*s\nwant %s",
	    STR_FMT(&text), want);
}

START_TEST(t_record_request)
{
	struct acc_extras x;
	struct acc_rec r;
	str_t code, reason, c = STR_LIT("200 accounted here");

	/* Kamailio's line for this request, observed side by side */
	ck_assert_int_eq(parse("ua=$hdr(User-Agent);uuid=$hdr(X-None)", 0, &x),
	    0);
	acc_comment_split(&c, &code, &reason);
	ck_assert_int_eq(acc_rec_build(&m, &code, &reason, NULL, 1795324930,
	    &r), 0);
	acc_rec_extras(&m, &x, &r);
	ck_assert_int_eq(r.nextra, 2);
	ck_assert_int_eq(r.extra_null[0], 0);
	ck_assert_int_eq(r.extra_null[1], 1);
	ck_text(&r, &x, "timestamp=1795324930;method=MESSAGE;from_tag=ft1;"
	    "to_tag=;call_id=cid-req@t;code=200;reason=accounted here;"
	    "ua=UA1;uuid=");

	/* a transaction's end: the reply's To tag, no extras */
	code = STR_LIT("404");
	reason = STR_LIT("Not Here");
	ck_assert_int_eq(acc_rec_build(&m, &code, &reason, &STR_LIT("tt9"), 7,
	    &r), 0);
	ck_text(&r, NULL, "timestamp=7;method=MESSAGE;from_tag=ft1;"
	    "to_tag=tt9;call_id=cid-req@t;code=404;reason=Not Here");
	ck_assert_int_eq(r.nextra, 0);

	/* NULL code and reason are empty */
	ck_assert_int_eq(acc_rec_build(&m, NULL, NULL, NULL, 0, &r), 0);
	ck_text(&r, NULL, "timestamp=0;method=MESSAGE;from_tag=ft1;to_tag=;"
	    "call_id=cid-req@t;code=;reason=");
	acc_extras_free(&x);
}
END_TEST

START_TEST(t_record_not_a_request)
{
	struct acc_rec r;
	struct msg rm;
	static const char junk[] = "MESSAGE sip:x SIP/2.0\r\nVia: broken\r\n"
	    "From: <\r\n\r\n";

	msg_init(&rm, reply_text, sizeof(reply_text) - 1, NULL);
	ck_assert_int_eq(acc_rec_build(&rm, NULL, NULL, NULL, 0, &r), -1);
	msg_destroy(&rm);

	msg_init(&rm, junk, sizeof(junk) - 1, NULL);
	ck_assert_int_eq(acc_rec_build(&rm, NULL, NULL, NULL, 0, &r), -1);
	msg_destroy(&rm);

	/* an MSRP frame without the msrp module's SIP view */
	msg_init(&rm, "MSRP t1 SEND\r\n", 14, NULL);
	rm.kind = MSG_MSRP;
	ck_assert_int_eq(acc_rec_build(&rm, NULL, NULL, NULL, 0, &r), -1);
	msg_destroy(&rm);
}
END_TEST

/* What the msrp module's sipmsg=1 gives (modules/msrp/msrp_frame.c). */
static int
fake_sip_text(struct msg *mm, str_t *out)
{
	static const char text[] =
	    "MSRP sip:a@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKa\r\n"
	    "From: <sip:b@127.0.0.1>;tag=a\r\n"
	    "To: <sip:a@127.0.0.1>\r\n"
	    "Call-ID: a\r\n"
	    "CSeq: 1 MSRP\r\n"
	    "Content-Length: 0\r\n"
	    "MSRP-First-Line: MSRP t1 SEND\r\n"
	    "To-Path: msrp://127.0.0.1:9/s;tcp\r\n"
	    "Message-ID: mid42\r\n"
	    "\r\n";

	(void)mm;
	*out = str_make(text, sizeof(text) - 1);
	return 0;
}

START_TEST(t_record_msrp)
{
	static const char frame[] = "MSRP t1 SEND\r\nTo-Path: msrp://127.0.0.1:"
	    "9/s;tcp\r\nMessage-ID: mid42\r\n-------t1$\r\n";
	struct acc_extras x;
	struct acc_rec r;
	struct msg fm;
	str_t code = STR_LIT("200"), reason = STR_LIT("MSRP SEND"), text;

	ck_assert_int_eq(parse("mid=$hdr(Message-ID)", 0, &x), 0);
	msg_init(&fm, frame, sizeof(frame) - 1, NULL);
	fm.kind = MSG_MSRP;
	fm.sip_text = fake_sip_text;
	ck_assert_int_eq(acc_rec_build(&fm, &code, &reason, NULL, 5, &r), 0);
	acc_rec_extras(&fm, &x, &r);
	/* Kamailio 5.6's line for the same frame */
	ck_assert_int_eq(acc_log_text(&fm.arena, &r, &x, &text), 0);
	ck_assert_msg(str_eq_cstr(&text, "timestamp=5;method=MSRP;from_tag=a;"
	    "to_tag=;call_id=a;code=200;reason=MSRP SEND;mid=mid42"),
	    "%.*s", STR_FMT(&text));
	msg_destroy(&fm);
	acc_extras_free(&x);
}
END_TEST

START_TEST(t_log_write)
{
	struct tcheck_capture cap;
	str_t text = STR_LIT("timestamp=1;method=X");
	const char *out;

	log_set_level(L_NOTICE);
	tcheck_capture_begin(&cap);
	acc_log_write(-1, L_NOTICE, ACC_LOG_REQUEST, &text);
	acc_log_write(-1, L_INFO, ACC_LOG_MISSED, &text);      /* filtered */
	acc_log_write(-1, L_ERR, ACC_LOG_ANSWERED, &text);
	out = tcheck_capture_end(&cap);
	log_set_level(L_CRIT);
	ck_assert_msg(strstr(out, "NOTICE: ACC: request accounted: "
	    "timestamp=1;method=X\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "call missed") == NULL, "%s", out);
	ck_assert_msg(strstr(out, "ERROR: ACC: transaction answered: "
	    "timestamp=1;method=X\n") != NULL, "%s", out);
}
END_TEST

/* --- a transaction's end ------------------------------------------------------ */

START_TEST(t_trans_what)
{
	struct acc_flags f = { .log = 1, .log_missed = 2, .failed = 3,
	                       .db = 4, .db_missed = 5 };
	struct acc_flags none = { -1, -1, -1, -1, -1 };
	unsigned F1 = 1u << 1, F2 = 1u << 2, F3 = 1u << 3, F4 = 1u << 4,
	    F5 = 1u << 5;

	/* the cases observed with Kamailio 5.6 */
	ck_assert_uint_eq(acc_trans_what(&f, F1, 0, 200), ACC_T_LOG);
	ck_assert_uint_eq(acc_trans_what(&f, F1, 0, 404), 0);
	ck_assert_uint_eq(acc_trans_what(&f, F1 | F3, 0, 404), ACC_T_LOG);
	ck_assert_uint_eq(acc_trans_what(&f, F2, 0, 404), 0);
	ck_assert_uint_eq(acc_trans_what(&f, F2, 1, 486), ACC_T_LOG_MISSED);
	ck_assert_uint_eq(acc_trans_what(&f, F1, 1, 486), 0);
	ck_assert_uint_eq(acc_trans_what(&f, F1 | F2 | F3, 1, 486),
	    ACC_T_LOG | ACC_T_LOG_MISSED);
	ck_assert_uint_eq(acc_trans_what(&f, F1 | F2, 1, 200), ACC_T_LOG);
	/* the database flags, alone and together */
	ck_assert_uint_eq(acc_trans_what(&f, F4, 0, 202), ACC_T_DB);
	ck_assert_uint_eq(acc_trans_what(&f, F4, 0, 500), 0);
	ck_assert_uint_eq(acc_trans_what(&f, F4 | F3, 0, 500), ACC_T_DB);
	ck_assert_uint_eq(acc_trans_what(&f, F5, 1, 408), ACC_T_DB_MISSED);
	ck_assert_uint_eq(acc_trans_what(&f, F5, 0, 408), 0);
	ck_assert_uint_eq(acc_trans_what(&f, F1 | F2 | F4 | F5, 1, 603),
	    ACC_T_LOG_MISSED | ACC_T_DB_MISSED);
	/* provisional replies and unset flags account nothing */
	ck_assert_uint_eq(acc_trans_what(&f, ~0u, 1, 180), 0);
	ck_assert_uint_eq(acc_trans_what(&none, ~0u, 1, 486), 0);
	ck_assert_uint_eq(acc_trans_what(&f, 0, 1, 200), 0);
	/* flag 31 is a flag like the others */
	f.log = 31;
	ck_assert_uint_eq(acc_trans_what(&f, 1u << 31, 0, 200), ACC_T_LOG);
}
END_TEST

/* --- the table layer over a recording fake ---------------------------------------- */

static struct {
	char            sql[4][2048];
	int             nexec;
	int             fail;
	char            table[64];
	int             n;
	const char     *cols[ACC_DB_NCOLS + 4];
	struct db_val   vals[ACC_DB_NCOLS + 4];
} rec;

static int
f_exec(struct db_conn *c, const char *sql)
{
	(void)c;
	snprintf(rec.sql[rec.nexec++ % 4], sizeof(rec.sql[0]), "%s", sql);
	return rec.fail ? -1 : 0;
}

static int
f_insert(struct db_conn *c, const char *table, const char *const *cols,
    const struct db_val *vals, int n)
{
	(void)c;
	snprintf(rec.table, sizeof(rec.table), "%s", table);
	rec.n = n;
	for (int i = 0; i < n && i < ACC_DB_NCOLS + 4; i++) {
		rec.cols[i] = cols[i];
		rec.vals[i] = vals[i];
	}
	return rec.fail ? -1 : 0;
}

static const struct db_api fake_api = { .exec = f_exec,
                                        .insert = f_insert };

static void
fake_db(struct acc_db *db, const struct acc_extras *x)
{
	static const char *const cols[ACC_DB_NCOLS] = {
		"method", "from_tag", "to_tag", "callid", "sip_code",
		"sip_reason", "time",
	};

	memset(&rec, 0, sizeof(rec));
	db->api = &fake_api;
	db->conn = NULL;
	for (int i = 0; i < ACC_DB_NCOLS; i++)
		db->cols[i] = cols[i];
	db->extra = x;
}

START_TEST(t_db_create)
{
	struct acc_extras x;
	struct acc_db db;

	ck_assert_int_eq(parse("ua=$hdr(User-Agent);uuid=$ci", 1, &x), 0);
	fake_db(&db, &x);
	ck_assert_int_eq(acc_db_create(&db, "acc"), 0);
	ck_assert_int_eq(rec.nexec, 2);
	ck_assert_str_eq(rec.sql[0], "CREATE TABLE IF NOT EXISTS \"acc\" ("
	    "id INTEGER PRIMARY KEY NOT NULL, "
	    "\"method\" VARCHAR(16) DEFAULT '' NOT NULL, "
	    "\"from_tag\" VARCHAR(128) DEFAULT '' NOT NULL, "
	    "\"to_tag\" VARCHAR(128) DEFAULT '' NOT NULL, "
	    "\"callid\" VARCHAR(255) DEFAULT '' NOT NULL, "
	    "\"sip_code\" VARCHAR(3) DEFAULT '' NOT NULL, "
	    "\"sip_reason\" VARCHAR(128) DEFAULT '' NOT NULL, "
	    "\"time\" DATETIME NOT NULL, \"ua\" TEXT, \"uuid\" TEXT)");
	ck_assert_str_eq(rec.sql[1], "CREATE INDEX IF NOT EXISTS "
	    "\"acc_callid_idx\" ON \"acc\" (\"callid\")");

	/* renamed columns, no extras */
	fake_db(&db, NULL);
	db.cols[ACC_CALLID] = "cid";
	ck_assert_int_eq(acc_db_create(&db, "missed_calls"), 0);
	ck_assert_msg(strstr(rec.sql[0], "\"cid\" VARCHAR(255)") != NULL,
	    "%s", rec.sql[0]);
	ck_assert_str_eq(rec.sql[1], "CREATE INDEX IF NOT EXISTS "
	    "\"missed_calls_callid_idx\" ON \"missed_calls\" (\"cid\")");

	/* an error of the database is the caller's -1 */
	rec.fail = 1;
	ck_assert_int_eq(acc_db_create(&db, "acc"), -1);
	acc_extras_free(&x);
}
END_TEST

START_TEST(t_db_insert)
{
	struct acc_extras x;
	struct acc_db db;
	struct acc_rec r;
	str_t code = STR_LIT(""), reason = STR_LIT("plain");

	ck_assert_int_eq(parse("ua=$hdr(User-Agent);uuid=$hdr(X-None)", 1,
	    &x), 0);
	fake_db(&db, &x);
	ck_assert_int_eq(acc_rec_build(&m, &code, &reason, NULL, 1795324930,
	    &r), 0);
	acc_rec_extras(&m, &x, &r);
	ck_assert_int_eq(acc_db_insert(&db, "mytab", &r), 0);
	ck_assert_str_eq(rec.table, "mytab");
	ck_assert_int_eq(rec.n, ACC_DB_NCOLS + 2);
	ck_assert_str_eq(rec.cols[0], "method");
	ck_assert_int_eq(rec.vals[0].type, DB_STR);
	ck_assert(str_eq_cstr(&rec.vals[0].v.s, "MESSAGE"));
	ck_assert(str_eq_cstr(&rec.vals[ACC_TO_TAG].v.s, ""));
	ck_assert_int_eq(rec.vals[ACC_TO_TAG].null, 0);
	ck_assert(str_eq_cstr(&rec.vals[ACC_CALLID].v.s, "cid-req@t"));
	ck_assert(str_eq_cstr(&rec.vals[ACC_CODE].v.s, ""));
	ck_assert(str_eq_cstr(&rec.vals[ACC_REASON].v.s, "plain"));
	ck_assert_str_eq(rec.cols[ACC_DB_TIME], "time");
	ck_assert_int_eq(rec.vals[ACC_DB_TIME].type, DB_DATETIME);
	ck_assert_int_eq((long long)rec.vals[ACC_DB_TIME].v.t, 1795324930LL);
	ck_assert_str_eq(rec.cols[ACC_DB_NCOLS], "ua");
	ck_assert(str_eq_cstr(&rec.vals[ACC_DB_NCOLS].v.s, "UA1"));
	ck_assert_int_eq(rec.vals[ACC_DB_NCOLS].null, 0);
	/* an unset PV is SQL NULL */
	ck_assert_str_eq(rec.cols[ACC_DB_NCOLS + 1], "uuid");
	ck_assert_int_eq(rec.vals[ACC_DB_NCOLS + 1].null, 1);

	rec.fail = 1;
	ck_assert_int_eq(acc_db_insert(&db, "mytab", &r), -1);
	acc_extras_free(&x);
}
END_TEST

static Suite *
acc_suite(void)
{
	Suite *s = suite_create("mod_acc");
	TCase *tc = tcase_create("acc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_comment);
	tcase_add_test(tc, t_extras_ok);
	tcase_add_test(tc, t_extras_bad);
	tcase_add_test(tc, t_extras_max);
	tcase_add_test(tc, t_sql_name);
	tcase_add_test(tc, t_record_request);
	tcase_add_test(tc, t_record_not_a_request);
	tcase_add_test(tc, t_record_msrp);
	tcase_add_test(tc, t_log_write);
	tcase_add_test(tc, t_trans_what);
	tcase_add_test(tc, t_db_create);
	tcase_add_test(tc, t_db_insert);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* several cases log errors on purpose */
	log_set_level(L_CRIT);
	return tcheck_run(acc_suite());
}
