/*
 * check_mod_db_sqlite.c - the db_sqlite module through its descriptor,
 * as a database user (msilo) sees it: the struct db_api of core/db.h
 * and the modparams.  Opening and closing, the URL forms and refusals,
 * every value type (a blob with NUL bytes, NULL, datetime), each
 * operator, order and limit, update and delete counts, the last insert
 * id, name checks (no injection through names or values), errors that
 * leave the connection usable, two connections and two processes on
 * one file, and the statement cache past its size.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/db.h"
#include "core/module_api.h"
#include "tcheck.h"

extern const struct module tandem_module;

static const struct db_api *api;

/* "sqlite://" + tmpdir + "/" + name: an absolute-path URL. */
static const char *
url_for(const char *name)
{
	static char url[4][600];
	static int slot;
	char *u = url[slot++ % 4];

	snprintf(u, 600, "sqlite://%s/%s", tcheck_tmpdir(), name);
	return u;
}

static const char *
path_for(const char *name)
{
	static char path[4][600];
	static int slot;
	char *p = path[slot++ % 4];

	snprintf(p, 600, "%s/%s", tcheck_tmpdir(), name);
	return p;
}

static struct db_conn *
open_ok(const char *name)
{
	struct db_conn *c = api->open(url_for(name));

	ck_assert_msg(c != NULL, "open %s", url_for(name));
	return c;
}

static struct db_val
v_int(long long i)
{
	struct db_val v = { .type = DB_INT };

	v.v.i = i;
	return v;
}

static struct db_val
v_str(const char *s)
{
	struct db_val v = { .type = DB_STR };

	v.v.s = str_cstr(s);
	return v;
}

static struct db_val
v_null(enum db_type t)
{
	struct db_val v = { .type = t, .null = 1 };

	return v;
}

static struct db_cond
cond(const char *col, enum db_op op, struct db_val v)
{
	struct db_cond c = { .col = col, .op = op, .val = v };

	return c;
}

/* Table n(v INTEGER, s TEXT) with v = 1..5, s = "s1".."s5". */
static struct db_conn *
numbers(const char *file)
{
	static const char *const cols[] = { "v", "s" };
	struct db_conn *c = open_ok(file);
	struct db_val vals[2];
	char s[8];

	ck_assert_int_eq(api->exec(c, "CREATE TABLE IF NOT EXISTS n "
	    "(v INTEGER, s TEXT)"), 0);
	for (int i = 1; i <= 5; i++) {
		snprintf(s, sizeof(s), "s%d", i);
		vals[0] = v_int(i);
		vals[1] = v_str(s);
		ck_assert_int_eq(api->insert(c, "n", cols, vals, 2), 0);
	}
	return c;
}

/* The number of rows of n matching one condition on v. */
static int
count_where(struct db_conn *c, enum db_op op, long long v)
{
	static const char *const cols[] = { "v" };
	struct db_cond k = cond("v", op, v_int(v));
	struct db_res *res = NULL;
	int n;

	ck_assert_int_eq(api->query(c, "n", &k, 1, cols, 1, NULL, 0, &res), 0);
	ck_assert_ptr_nonnull(res);
	n = res->nrows;
	api->free_result(c, res);
	return n;
}

/* The journal mode stored in the file, read by sqlite itself. */
static void
assert_journal_mode(const char *path, const char *want)
{
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	sqlite3_close(raw);
}

static void
setup(void)
{
	log_set_level(L_ERR);
}

/* --- open / close / URLs ------------------------------------------------ */

START_TEST(t_descriptor)
{
	ck_assert_str_eq(tandem_module.name, "db_sqlite");
	ck_assert_uint_eq(tandem_module.api_version, DB_API_VERSION);
	ck_assert_ptr_nonnull(api);
	ck_assert_ptr_nonnull(api->open);
	ck_assert_ptr_nonnull(api->last_insert_id);
}
END_TEST

START_TEST(t_open_close)
{
	struct db_conn *c = open_ok("open.db");
	struct stat sb;

	ck_assert_int_eq(stat(path_for("open.db"), &sb), 0);
	/* the default journal mode, WAL, is set in the file */
	assert_journal_mode(path_for("open.db"), "wal");
	api->close(c);
	api->close(NULL);
}
END_TEST

/* Kamailio's own example writes four slashes: the same file here. */
START_TEST(t_four_slashes)
{
	static const char *const cols[] = { "a" };
	struct db_conn *c = open_ok("four.db");
	struct db_conn *k;
	struct db_val v = v_int(4);
	struct db_res *res = NULL;
	char url[600];

	ck_assert_int_eq(api->exec(c, "CREATE TABLE f (a INTEGER)"), 0);
	ck_assert_int_eq(api->insert(c, "f", cols, &v, 1), 0);
	snprintf(url, sizeof(url), "sqlite:///%s", path_for("four.db"));
	ck_assert_ptr_nonnull(strstr(url, "sqlite:////"));
	k = api->open(url);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(api->query(k, "f", NULL, 0, cols, 1, NULL, 0, &res),
	    0);
	ck_assert_int_eq(res->nrows, 1);
	api->free_result(k, res);
	api->close(k);
	api->close(c);
}
END_TEST

START_TEST(t_memory)
{
	static const char *const cols[] = { "a" };
	struct db_conn *c = api->open("sqlite://:memory:");
	struct db_val v = v_str("in memory");
	struct db_res *res = NULL;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(api->exec(c, "CREATE TABLE m (a TEXT)"), 0);
	ck_assert_int_eq(api->insert(c, "m", cols, &v, 1), 0);
	ck_assert_int_eq(api->query(c, "m", NULL, 0, cols, 1, NULL, 0, &res),
	    0);
	ck_assert_int_eq(res->nrows, 1);
	ck_assert_str_eq(res->rows[0].vals[0].v.s.s, "in memory");
	api->free_result(c, res);
	api->close(c);
}
END_TEST

START_TEST(t_relative_url)
{
	struct db_conn *c;
	struct stat sb;
	char cwd[512];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tcheck_tmpdir()), 0);
	ck_assert_int_eq(mkdir("sub", 0700), 0);
	c = api->open("sqlite://sub/rel.db");
	ck_assert_ptr_nonnull(c);
	api->close(c);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(stat(path_for("sub/rel.db"), &sb), 0);
}
END_TEST

START_TEST(t_bad_url)
{
	static const char *const bad[] = {
		"mysql://u:p@localhost/db", "sqlite:", "sqlite://",
		"sqlite:///", "sqlite:///tmp/x.db?mode=ro", "sqlite:///tmp/",
		"/tmp/x.db",
	};
	struct tcheck_capture cap;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tcheck_capture_begin(&cap);
		ck_assert_ptr_null(api->open(bad[i]));
		tcheck_capture_end(&cap);
		ck_assert_msg(strstr(cap.text, "db_url") != NULL,
		    "%s: log: %s", bad[i], cap.text);
	}
	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(api->open(NULL));
	tcheck_capture_end(&cap);
	ck_assert_ptr_nonnull(strstr(cap.text, "does not start with"));
}
END_TEST

START_TEST(t_missing_dir)
{
	struct tcheck_capture cap;
	struct stat sb;

	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(api->open(url_for("no/such/dir/x.db")));
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "its directory") != NULL &&
	    strstr(cap.text, "no/such/dir:") != NULL &&
	    strstr(cap.text, "No such file or directory") != NULL,
	    "log: %s", cap.text);
	ck_assert_int_ne(stat(path_for("no"), &sb), 0);

	/* a file where the directory should be */
	tcheck_write_file("plain", "x");
	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(api->open(url_for("plain/x.db")));
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "is not a directory") != NULL,
	    "log: %s", cap.text);
}
END_TEST

START_TEST(t_not_a_database)
{
	struct tcheck_capture cap;

	tcheck_write_file("text.db", "this is not an sqlite file, it is "
	    "plain text long enough to have a header of sorts\n");
	tcheck_capture_begin(&cap);
	ck_assert_ptr_null(api->open(url_for("text.db")));
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "not a database") != NULL,
	    "log: %s", cap.text);
}
END_TEST

/* --- exec and the value types ------------------------------------------ */

START_TEST(t_exec)
{
	struct db_conn *c = open_ok("exec.db");
	struct tcheck_capture cap;
	const char *create = "CREATE TABLE IF NOT EXISTS e (a INTEGER)";

	ck_assert_int_eq(api->exec(c, create), 0);
	ck_assert_int_eq(api->exec(c, create), 0);     /* again: no error */
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->exec(c, "CREATE TABLEX e (a)"), -1);
	tcheck_capture_end(&cap);
	/* the sqlite message and the SQL */
	ck_assert_msg(strstr(cap.text, "syntax error") != NULL &&
	    strstr(cap.text, "CREATE TABLEX e (a)") != NULL,
	    "log: %s", cap.text);
	ck_assert_int_eq(api->exec(c, create), 0);     /* still usable */
	api->close(c);
}
END_TEST

START_TEST(t_insert_types)
{
	static const char blob[] = { 'a', 0, 'b', 0, 0, (char)0xff };
	static const char *const cols[] = { "i", "s", "b", "d", "n", "e",
	    "big" };
	struct db_conn *c = open_ok("types.db");
	struct db_val vals[7];
	struct db_res *res = NULL;
	const struct db_val *r;
	time_t now = 1700000123;

	ck_assert_int_eq(api->exec(c, "CREATE TABLE t (i INTEGER, s TEXT, "
	    "b BLOB, d INTEGER, n TEXT, e TEXT, big INTEGER)"), 0);
	vals[0] = v_int(-42);
	vals[1] = v_str("hello wörld");
	vals[2].type = DB_BLOB;
	vals[2].null = 0;
	vals[2].v.s = str_make(blob, sizeof(blob));
	vals[3].type = DB_DATETIME;
	vals[3].null = 0;
	vals[3].v.t = now;
	vals[4] = v_null(DB_STR);
	vals[5] = v_str("");
	vals[5].v.s = STR_NULL;         /* empty, without bytes: '' */
	vals[6] = v_int(9007199254740993LL);
	ck_assert_int_eq(api->insert(c, "t", cols, vals, 7), 0);

	ck_assert_int_eq(api->query(c, "t", NULL, 0, cols, 7, NULL, 0, &res),
	    0);
	ck_assert_int_eq(res->nrows, 1);
	ck_assert_int_eq(res->ncols, 7);
	r = res->rows[0].vals;
	ck_assert_int_eq(r[0].type, DB_INT);
	ck_assert_int_eq(r[0].null, 0);
	ck_assert_int_eq(r[0].v.i, -42);
	ck_assert_int_eq(r[1].type, DB_STR);
	ck_assert_uint_eq(r[1].v.s.len, strlen("hello wörld"));
	ck_assert(memcmp(r[1].v.s.s, "hello wörld", r[1].v.s.len) == 0);
	ck_assert_int_eq(r[2].type, DB_BLOB);
	ck_assert_uint_eq(r[2].v.s.len, sizeof(blob));
	ck_assert(memcmp(r[2].v.s.s, blob, sizeof(blob)) == 0);
	/* a datetime is stored as integer seconds: it comes back an int */
	ck_assert_int_eq(r[3].type, DB_INT);
	ck_assert_int_eq(r[3].v.i, (long long)now);
	ck_assert_int_eq(r[4].null, 1);
	ck_assert_int_eq(r[5].null, 0);
	ck_assert_int_eq(r[5].type, DB_STR);
	ck_assert_uint_eq(r[5].v.s.len, 0);
	ck_assert_int_eq(r[6].v.i, 9007199254740993LL);
	api->free_result(c, res);

	/* the stored types, seen by sqlite itself */
	ck_assert_int_eq(api->query(c, "t", NULL, 0, NULL, 0, NULL, 0, &res),
	    0);
	ck_assert_int_eq(res->ncols, 7);        /* SELECT *: every column */
	api->free_result(c, res);
	api->close(c);
}
END_TEST

START_TEST(t_bad_value)
{
	static const char *const cols[] = { "a" };
	struct db_conn *c = open_ok("badval.db");
	struct tcheck_capture cap;
	struct db_val v = { .type = (enum db_type)99 };

	ck_assert_int_eq(api->exec(c, "CREATE TABLE b (a)"), 0);
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->insert(c, "b", cols, &v, 1), -1);
	v.type = DB_STR;
	v.v.s = str_make(NULL, 3);
	ck_assert_int_eq(api->insert(c, "b", cols, &v, 1), -1);
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "unknown value type 99") != NULL &&
	    strstr(cap.text, "without its bytes") != NULL, "log: %s",
	    cap.text);
	api->close(c);
}
END_TEST

/* --- query ---------------------------------------------------------------- */

START_TEST(t_query_ops)
{
	struct db_conn *c = numbers("ops.db");

	ck_assert_int_eq(count_where(c, DB_OP_EQ, 3), 1);
	ck_assert_int_eq(count_where(c, DB_OP_NE, 3), 4);
	ck_assert_int_eq(count_where(c, DB_OP_LT, 3), 2);
	ck_assert_int_eq(count_where(c, DB_OP_GT, 3), 2);
	ck_assert_int_eq(count_where(c, DB_OP_LE, 3), 3);
	ck_assert_int_eq(count_where(c, DB_OP_GE, 3), 3);
	ck_assert_int_eq(count_where(c, DB_OP_EQ, 9), 0);
	api->close(c);
}
END_TEST

START_TEST(t_query_and_null)
{
	static const char *const cols[] = { "v", "s" };
	static const char *const one[] = { "s" };
	struct db_conn *c = numbers("and.db");
	struct db_cond k[2];
	struct db_val nv[2];
	struct db_res *res = NULL;
	struct tcheck_capture cap;

	/* v > 1 AND s = 's4' */
	k[0] = cond("v", DB_OP_GT, v_int(1));
	k[1] = cond("s", DB_OP_EQ, v_str("s4"));
	ck_assert_int_eq(api->query(c, "n", k, 2, cols, 2, NULL, 0, &res), 0);
	ck_assert_int_eq(res->nrows, 1);
	ck_assert_int_eq(res->rows[0].vals[0].v.i, 4);
	ck_assert_int_eq(res->rows[0].vals[1].type, DB_STR);
	ck_assert_str_eq(res->rows[0].vals[1].v.s.s, "s4");
	api->free_result(c, res);

	/* a NULL compares with IS NULL / IS NOT NULL */
	nv[0] = v_int(6);
	nv[1] = v_null(DB_STR);
	ck_assert_int_eq(api->insert(c, "n", cols, nv, 2), 0);
	k[0] = cond("s", DB_OP_EQ, v_null(DB_STR));
	ck_assert_int_eq(api->query(c, "n", k, 1, cols, 2, NULL, 0, &res), 0);
	ck_assert_int_eq(res->nrows, 1);
	ck_assert_int_eq(res->rows[0].vals[0].v.i, 6);
	ck_assert_int_eq(res->rows[0].vals[1].null, 1);
	api->free_result(c, res);
	k[0] = cond("s", DB_OP_NE, v_null(DB_STR));
	ck_assert_int_eq(api->query(c, "n", k, 1, one, 1, NULL, 0, &res), 0);
	ck_assert_int_eq(res->nrows, 5);
	api->free_result(c, res);
	k[0] = cond("s", DB_OP_LT, v_null(DB_STR));
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->query(c, "n", k, 1, one, 1, NULL, 0, &res), -1);
	tcheck_capture_end(&cap);
	ck_assert_ptr_null(res);
	ck_assert_ptr_nonnull(strstr(cap.text, "NULL can only be compared"));
	api->close(c);
}
END_TEST

START_TEST(t_order_limit)
{
	static const char *const cols[] = { "v" };
	struct db_conn *c = numbers("order.db");
	struct db_res *res = NULL;
	struct tcheck_capture cap;

	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1, "v DESC", 2,
	    &res), 0);
	ck_assert_int_eq(res->nrows, 2);
	ck_assert_int_eq(res->rows[0].vals[0].v.i, 5);
	ck_assert_int_eq(res->rows[1].vals[0].v.i, 4);
	api->free_result(c, res);

	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1, "v", 0, &res),
	    0);
	ck_assert_int_eq(res->nrows, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(res->rows[i].vals[0].v.i, i + 1);
	api->free_result(c, res);

	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1, "s desc, v asc",
	    3, &res), 0);
	ck_assert_int_eq(res->nrows, 3);
	ck_assert_int_eq(res->rows[0].vals[0].v.i, 5);
	api->free_result(c, res);

	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1,
	    "v; DROP TABLE n", 0, &res), -1);
	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1, "v DESC x", 0,
	    &res), -1);
	ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1, "v", -1, &res),
	    -1);
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "bad order_by") != NULL &&
	    strstr(cap.text, "bad limit -1") != NULL, "log: %s", cap.text);
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 5);  /* table intact */
	api->close(c);
}
END_TEST

START_TEST(t_empty_result)
{
	static const char *const cols[] = { "v" };
	struct db_conn *c = numbers("empty.db");
	struct db_cond k = cond("v", DB_OP_GT, v_int(100));
	struct db_res *res = NULL;

	ck_assert_int_eq(api->query(c, "n", &k, 1, cols, 1, "v", 10, &res), 0);
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(res->nrows, 0);
	ck_assert_int_eq(res->ncols, 1);
	api->free_result(c, res);
	api->free_result(c, NULL);
	api->close(c);
}
END_TEST

/* --- update / delete / last id ------------------------------------------ */

START_TEST(t_update)
{
	static const char *const set[] = { "s" };
	static const char *const cols[] = { "s" };
	struct db_conn *c = numbers("update.db");
	struct db_cond k = cond("v", DB_OP_GT, v_int(3));
	struct db_val nv = v_str("big");
	struct db_res *res = NULL;

	ck_assert_int_eq(api->update(c, "n", &k, 1, set, &nv, 1), 2);
	k = cond("s", DB_OP_EQ, v_str("big"));
	ck_assert_int_eq(api->query(c, "n", &k, 1, cols, 1, NULL, 0, &res), 0);
	ck_assert_int_eq(res->nrows, 2);
	api->free_result(c, res);
	k = cond("v", DB_OP_EQ, v_int(99));
	ck_assert_int_eq(api->update(c, "n", &k, 1, set, &nv, 1), 0);
	ck_assert_int_eq(api->update(c, "n", NULL, 0, set, &nv, 1), 5);
	api->close(c);
}
END_TEST

START_TEST(t_delete)
{
	struct db_conn *c = numbers("delete.db");
	struct db_cond k = cond("v", DB_OP_LT, v_int(3));

	ck_assert_int_eq(api->delete(c, "n", &k, 1), 2);
	ck_assert_int_eq(api->delete(c, "n", &k, 1), 0);
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 3);
	ck_assert_int_eq(api->delete(c, "n", NULL, 0), 3);
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 0);
	api->close(c);
}
END_TEST

START_TEST(t_last_insert_id)
{
	static const char *const cols[] = { "body" };
	struct db_conn *c = open_ok("lastid.db");
	struct db_val v = v_str("m");

	ck_assert_int_eq(api->exec(c, "CREATE TABLE m (mid INTEGER PRIMARY "
	    "KEY AUTOINCREMENT, body TEXT)"), 0);
	ck_assert_int_eq(api->insert(c, "m", cols, &v, 1), 0);
	ck_assert_int_eq(api->last_insert_id(c), 1);
	ck_assert_int_eq(api->insert(c, "m", cols, &v, 1), 0);
	ck_assert_int_eq(api->last_insert_id(c), 2);
	api->close(c);
}
END_TEST

/* --- refusals and errors -------------------------------------------------- */

START_TEST(t_bad_names)
{
	static const char *const bad[] = {
		"t;drop", "a b", "1a", "", "x\"y", "a-b", "tä",
		"a234567890123456789012345678901234567890123456789012345678901234",
	};
	static const char *const good[] = { "v" };
	struct db_conn *c = numbers("names.db");
	struct db_cond k = cond("v", DB_OP_EQ, v_int(1));
	struct db_val v = v_int(1);
	struct db_res *res = NULL;
	struct tcheck_capture cap;
	const char *col[1];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		col[0] = bad[i];
		tcheck_capture_begin(&cap);
		ck_assert_int_eq(api->insert(c, bad[i], good, &v, 1), -1);
		ck_assert_int_eq(api->insert(c, "n", col, &v, 1), -1);
		ck_assert_int_eq(api->query(c, bad[i], NULL, 0, good, 1, NULL,
		    0, &res), -1);
		ck_assert_int_eq(api->query(c, "n", NULL, 0, col, 1, NULL, 0,
		    &res), -1);
		k.col = bad[i];
		ck_assert_int_eq(api->delete(c, "n", &k, 1), -1);
		ck_assert_int_eq(api->update(c, "n", NULL, 0, col, &v, 1), -1);
		ck_assert_int_eq(api->delete(c, bad[i], NULL, 0), -1);
		tcheck_capture_end(&cap);
		ck_assert_msg(strstr(cap.text, "bad table name") != NULL &&
		    strstr(cap.text, "bad column name") != NULL &&
		    strstr(cap.text, "[A-Za-z_][A-Za-z0-9_]*") != NULL,
		    "%s: log: %s", bad[i], cap.text);
	}
	/* NULL names */
	col[0] = NULL;
	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->insert(c, NULL, good, &v, 1), -1);
	ck_assert_int_eq(api->insert(c, "n", col, &v, 1), -1);
	ck_assert_int_eq(api->insert(c, "n", NULL, &v, 1), -1);
	ck_assert_int_eq(api->insert(c, "n", good, &v, 0), -1);
	tcheck_capture_end(&cap);
	ck_assert_ptr_nonnull(strstr(cap.text, "no table name given"));
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 5);  /* untouched */
	api->close(c);
}
END_TEST

START_TEST(t_missing_table)
{
	static const char *const cols[] = { "a" };
	struct db_conn *c = open_ok("missing.db");
	struct db_val v = v_int(1);
	struct db_res *res = (struct db_res *)&v;   /* must be reset */
	struct tcheck_capture cap;

	tcheck_capture_begin(&cap);
	ck_assert_int_eq(api->query(c, "nosuch", NULL, 0, cols, 1, NULL, 0,
	    &res), -1);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(api->insert(c, "nosuch", cols, &v, 1), -1);
	ck_assert_int_eq(api->delete(c, "nosuch", NULL, 0), -1);
	tcheck_capture_end(&cap);
	ck_assert_msg(strstr(cap.text, "no such table: nosuch") != NULL &&
	    strstr(cap.text, "SELECT \"a\" FROM \"nosuch\"") != NULL,
	    "log: %s", cap.text);
	/* the connection goes on, and the table can come later */
	ck_assert_int_eq(api->exec(c, "CREATE TABLE nosuch (a INTEGER)"), 0);
	ck_assert_int_eq(api->insert(c, "nosuch", cols, &v, 1), 0);
	ck_assert_int_eq(api->query(c, "nosuch", NULL, 0, cols, 1, NULL, 0,
	    &res), 0);
	ck_assert_int_eq(res->nrows, 1);
	api->free_result(c, res);
	api->close(c);
}
END_TEST

START_TEST(t_no_injection)
{
	static const char *const cols[] = { "v", "s" };
	static const char *const tricky[] = {
		"x'); DROP TABLE n; --",
		"it's \"quoted\"; SELECT 1;",
		"?1 ?2 :a @b $c",
	};
	struct db_conn *c = numbers("inject.db");
	struct db_val vals[2];
	struct db_cond k;
	struct db_res *res = NULL;

	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		vals[0] = v_int(100 + (long long)i);
		vals[1] = v_str(tricky[i]);
		ck_assert_int_eq(api->insert(c, "n", cols, vals, 2), 0);
		k = cond("s", DB_OP_EQ, v_str(tricky[i]));
		ck_assert_int_eq(api->query(c, "n", &k, 1, cols, 2, NULL, 0,
		    &res), 0);
		ck_assert_int_eq(res->nrows, 1);
		ck_assert_int_eq(res->rows[0].vals[0].v.i, 100 + (long long)i);
		ck_assert_uint_eq(res->rows[0].vals[1].v.s.len,
		    strlen(tricky[i]));
		ck_assert(memcmp(res->rows[0].vals[1].v.s.s, tricky[i],
		    strlen(tricky[i])) == 0);
		api->free_result(c, res);
	}
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 8);
	api->close(c);
}
END_TEST

/* --- several connections and processes ---------------------------------- */

START_TEST(t_two_connections)
{
	static const char *const cols[] = { "v", "s" };
	struct db_conn *w = numbers("two.db");
	struct db_conn *r = open_ok("two.db");
	struct db_val vals[2] = { v_int(7), v_str("from w") };

	ck_assert_int_eq(count_where(r, DB_OP_GE, 0), 5);
	ck_assert_int_eq(api->insert(w, "n", cols, vals, 2), 0);
	ck_assert_int_eq(count_where(r, DB_OP_EQ, 7), 1);
	vals[0] = v_int(8);
	ck_assert_int_eq(api->insert(r, "n", cols, vals, 2), 0);
	ck_assert_int_eq(count_where(w, DB_OP_EQ, 8), 1);
	api->close(r);
	api->close(w);
}
END_TEST

#define T_PROCS 4
#define T_ROWS  150

/* Several processes, each with its own connection, start on a file
 * that does not exist yet (each sets WAL and creates the table, as
 * workers do at startup), then insert at once: the busy timeout makes
 * them wait for each other, none fails. */
START_TEST(t_processes)
{
	static const char *const cols[] = { "v", "s" };
	const char *url = url_for("procs.db");  /* one tmpdir, made here */
	struct db_conn *c = NULL;
	struct db_val vals[2];
	pid_t pids[T_PROCS];
	int status;

	for (int p = 0; p < T_PROCS; p++) {
		pids[p] = fork();
		ck_assert_int_ne(pids[p], -1);
		if (pids[p] > 0)
			continue;
		c = api->open(url);
		if (c == NULL)
			_exit(2);
		if (api->exec(c, "CREATE TABLE IF NOT EXISTS n "
		    "(v INTEGER, s TEXT)") != 0)
			_exit(4);
		for (int i = 0; i < T_ROWS; i++) {
			vals[0] = v_int(1000 + p * T_ROWS + i);
			vals[1] = v_str("child");
			if (api->insert(c, "n", cols, vals, 2) != 0)
				_exit(3);
		}
		api->close(c);
		_exit(0);
	}
	for (int p = 0; p < T_PROCS; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d: status %d", p, status);
	}
	c = open_ok("procs.db");
	ck_assert_int_eq(count_where(c, DB_OP_GE, 1000), T_PROCS * T_ROWS);
	api->close(c);
}
END_TEST

/* A connection used by a process that did not open it is refused. */
START_TEST(t_other_process)
{
	struct db_conn *c = numbers("other.db");
	struct tcheck_capture cap;
	int status;
	pid_t pid;

	tcheck_capture_begin(&cap);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (api->delete(c, "n", NULL, 0) != -1)
			_exit(1);
		api->close(c);          /* leaves the parent's file alone */
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	tcheck_capture_end(&cap);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(strstr(cap.text, "each process opens its own") != NULL,
	    "log: %s", cap.text);
	ck_assert_int_eq(count_where(c, DB_OP_GE, 0), 5);
	api->close(c);
}
END_TEST

/* More distinct statements than the cache holds, then the first again. */
START_TEST(t_stmt_cache)
{
	static const char *const cols[] = { "v" };
	struct db_conn *c = numbers("cache.db");
	struct db_res *res = NULL;

	for (int round = 0; round < 2; round++)
		for (int lim = 1; lim <= 45; lim++) {
			ck_assert_int_eq(api->query(c, "n", NULL, 0, cols, 1,
			    "v", lim, &res), 0);
			ck_assert_int_eq(res->nrows, lim < 5 ? lim : 5);
			api->free_result(c, res);
		}
	api->close(c);
}
END_TEST

/* --- modparams --------------------------------------------------------------- */

static int
set_param(const char *name, struct val *v)
{
	const struct param_export *p;
	struct cfg_diag d;
	int rc = -2;

	diag_init(&d, NULL);
	for (p = tandem_module.params; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			rc = p->set(v, &d);
	ck_assert_int_ne(rc, -2);
	ck_assert_uint_eq(d.errors, rc == 0 ? 0 : 1);
	diag_free(&d);
	return rc;
}

START_TEST(t_params)
{
	struct db_conn *c;
	struct val v;

	val_set_int(&v, -1);
	ck_assert_int_eq(set_param("busy_timeout", &v), -1);
	val_set_int(&v, 2000);
	ck_assert_int_eq(set_param("busy_timeout", &v), 0);
	val_set_str(&v, str_cstr("OFF"));
	ck_assert_int_eq(set_param("journal_mode", &v), -1);
	val_set_str(&v, str_cstr("wal; DROP"));
	ck_assert_int_eq(set_param("journal_mode", &v), -1);
	val_set_str(&v, str_cstr("delete"));
	ck_assert_int_eq(set_param("journal_mode", &v), 0);

	c = open_ok("params.db");
	api->close(c);
	assert_journal_mode(path_for("params.db"), "delete");
	val_set_str(&v, str_cstr("WAL"));
	ck_assert_int_eq(set_param("journal_mode", &v), 0);
}
END_TEST

static Suite *
db_sqlite_suite(void)
{
	Suite *s = suite_create("mod_db_sqlite");
	TCase *to = tcase_create("open");
	TCase *tv = tcase_create("values");
	TCase *tq = tcase_create("query");
	TCase *tw = tcase_create("write");
	TCase *te = tcase_create("refusals");
	TCase *tp = tcase_create("processes");

	TCase *all[] = { to, tv, tq, tw, te, tp };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, NULL);
		suite_add_tcase(s, all[i]);
	}
	tcase_set_timeout(tp, 30);
	tcase_add_test(to, t_descriptor);
	tcase_add_test(to, t_open_close);
	tcase_add_test(to, t_four_slashes);
	tcase_add_test(to, t_memory);
	tcase_add_test(to, t_relative_url);
	tcase_add_test(to, t_bad_url);
	tcase_add_test(to, t_missing_dir);
	tcase_add_test(to, t_not_a_database);
	tcase_add_test(to, t_params);
	tcase_add_test(tv, t_exec);
	tcase_add_test(tv, t_insert_types);
	tcase_add_test(tv, t_bad_value);
	tcase_add_test(tq, t_query_ops);
	tcase_add_test(tq, t_query_and_null);
	tcase_add_test(tq, t_order_limit);
	tcase_add_test(tq, t_empty_result);
	tcase_add_test(tw, t_update);
	tcase_add_test(tw, t_delete);
	tcase_add_test(tw, t_last_insert_id);
	tcase_add_test(te, t_bad_names);
	tcase_add_test(te, t_missing_table);
	tcase_add_test(te, t_no_injection);
	tcase_add_test(tp, t_two_connections);
	tcase_add_test(tp, t_processes);
	tcase_add_test(tp, t_other_process);
	tcase_add_test(tp, t_stmt_cache);
	return s;
}

int
main(void)
{
	/* each case runs in its own process and so gets its own temporary
	 * directory from tcheck_tmpdir(), removed when the case exits */
	api = tandem_module.api;
	return tcheck_run(db_sqlite_suite());
}
