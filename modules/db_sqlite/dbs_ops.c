/*
 * dbs_ops.c - exec, insert, query, update, delete on a sqlite
 * connection (dbs_ops.h).  The SQL comes from dbs_sql.c with numbered
 * parameters; the values are bound here, never written into the text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dbs_conn.h"
#include "dbs_ops.h"
#include "dbs_sql.h"

/* Something to point at for an empty text or blob: sqlite binds a NULL
 * pointer as SQL NULL, which an empty string is not. */
static const char dbs_empty[1] = "";

/* Binds v as parameter i.  0, or -1 (logged). */
static int
bind_val(struct db_conn *c, sqlite3_stmt *st, int i, const struct db_val *v,
         const char *sql)
{
	const char *p;
	int rc;

	if (v->null) {
		rc = sqlite3_bind_null(st, i);
	} else {
		switch (v->type) {
		case DB_INT:
			rc = sqlite3_bind_int64(st, i, v->v.i);
			break;
		case DB_DATETIME:
			rc = sqlite3_bind_int64(st, i, (sqlite3_int64)v->v.t);
			break;
		case DB_STR:
		case DB_BLOB:
			p = v->v.s.s != NULL ? v->v.s.s : dbs_empty;
			if (v->v.s.s == NULL && v->v.s.len > 0) {
				log_errx("db_sqlite: %s: parameter %d: a "
				    "string of %zu bytes without its bytes "
				    "(SQL: %s)", c->path, i, v->v.s.len, sql);
				return -1;
			}
			/* STATIC: the bytes outlive the step, and the
			 * binding is cleared before returning */
			rc = v->type == DB_STR ?
			    sqlite3_bind_text64(st, i, p, v->v.s.len,
			    SQLITE_STATIC, SQLITE_UTF8) :
			    sqlite3_bind_blob64(st, i, p, v->v.s.len,
			    SQLITE_STATIC);
			break;
		default:
			log_errx("db_sqlite: %s: parameter %d: unknown value "
			    "type %d (SQL: %s)", c->path, i, (int)v->type, sql);
			return -1;
		}
	}
	if (rc != SQLITE_OK) {
		dbs_log_error(c, "cannot bind a value", sql);
		return -1;
	}
	return 0;
}

static int
bind_vals(struct db_conn *c, sqlite3_stmt *st, int *num,
          const struct db_val *vals, int n, const char *sql)
{
	for (int i = 0; i < n; i++)
		if (bind_val(c, st, ++*num, &vals[i], sql) < 0)
			return -1;
	return 0;
}

static int
bind_conds(struct db_conn *c, sqlite3_stmt *st, int *num,
           const struct db_cond *conds, int nconds, const char *sql)
{
	for (int i = 0; i < nconds; i++)
		if (dbs_cond_binds(&conds[i]) &&
		    bind_val(c, st, ++*num, &conds[i].val, sql) < 0)
			return -1;
	return 0;
}

/* Logs a statement the builder refused. */
static int
refused(struct db_conn *c, const char *what, const char *table,
        const char *err)
{
	log_errx("db_sqlite: %s: %s %s refused: %s", c->path, what,
	    dbs_name_ok(table) ? table : "(bad table name)", err);
	return -1;
}

/* Runs a statement that returns no rows.  0 or -1 (logged). */
static int
run(struct db_conn *c, sqlite3_stmt *st, const char *sql)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	dbs_log_error(c, "statement failed", sql);
	return -1;
}

static long long
changes(struct db_conn *c)
{
#if SQLITE_VERSION_NUMBER >= 3037000
	return (long long)sqlite3_changes64(c->db);
#else
	return (long long)sqlite3_changes(c->db);
#endif
}

int
dbs_exec(struct db_conn *c, const char *sql)
{
	char *msg = NULL;

	if (dbs_conn_usable(c, "exec") < 0)
		return -1;
	if (sql == NULL) {
		log_errx("db_sqlite: %s: exec() without a statement", c->path);
		return -1;
	}
	/* the caller's own text (schema): run as written, not cached */
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_errx("db_sqlite: %s: statement failed: %s (SQL: %s)",
		    c->path, msg ? msg : sqlite3_errmsg(c->db), sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
dbs_insert(struct db_conn *c, const char *table, const char *const *cols,
           const struct db_val *vals, int n)
{
	struct dbs_sql b;
	sqlite3_stmt *st = NULL;
	char err[DBS_ERR_MAX];
	int num = 0, rc = -1;

	if (dbs_conn_usable(c, "insert") < 0)
		return -1;
	dbs_sql_init(&b);
	if (dbs_sql_insert(&b, table, cols, n, err) < 0) {
		refused(c, "insert into", table, err);
		goto out;
	}
	if (vals == NULL) {
		refused(c, "insert into", table, "no values given");
		goto out;
	}
	if ((st = dbs_stmt_get(c, b.s)) == NULL ||
	    bind_vals(c, st, &num, vals, n, b.s) < 0)
		goto out;
	rc = run(c, st, b.s);
out:
	dbs_stmt_done(c, st);
	dbs_sql_free(&b);
	return rc;
}

long long
dbs_delete(struct db_conn *c, const char *table, const struct db_cond *conds,
           int nconds)
{
	struct dbs_sql b;
	sqlite3_stmt *st = NULL;
	char err[DBS_ERR_MAX];
	long long rc = -1;
	int num = 0;

	if (dbs_conn_usable(c, "delete") < 0)
		return -1;
	dbs_sql_init(&b);
	if (dbs_sql_delete(&b, table, conds, nconds, err) < 0) {
		refused(c, "delete from", table, err);
		goto out;
	}
	if ((st = dbs_stmt_get(c, b.s)) == NULL ||
	    bind_conds(c, st, &num, conds, nconds, b.s) < 0)
		goto out;
	if (run(c, st, b.s) == 0)
		rc = changes(c);
out:
	dbs_stmt_done(c, st);
	dbs_sql_free(&b);
	return rc;
}

long long
dbs_update(struct db_conn *c, const char *table, const struct db_cond *conds,
           int nconds, const char *const *cols, const struct db_val *vals,
           int n)
{
	struct dbs_sql b;
	sqlite3_stmt *st = NULL;
	char err[DBS_ERR_MAX];
	long long rc = -1;
	int num = 0;

	if (dbs_conn_usable(c, "update") < 0)
		return -1;
	dbs_sql_init(&b);
	if (dbs_sql_update(&b, table, conds, nconds, cols, n, err) < 0) {
		refused(c, "update of", table, err);
		goto out;
	}
	if (vals == NULL) {
		refused(c, "update of", table, "no values given");
		goto out;
	}
	if ((st = dbs_stmt_get(c, b.s)) == NULL ||
	    bind_vals(c, st, &num, vals, n, b.s) < 0 ||
	    bind_conds(c, st, &num, conds, nconds, b.s) < 0)
		goto out;
	if (run(c, st, b.s) == 0)
		rc = changes(c);
out:
	dbs_stmt_done(c, st);
	dbs_sql_free(&b);
	return rc;
}

long long
dbs_last_insert_id(struct db_conn *c)
{
	if (dbs_conn_usable(c, "last_insert_id") < 0)
		return -1;
	return (long long)sqlite3_last_insert_rowid(c->db);
}

/* --- query ------------------------------------------------------------- */

void
dbs_free_result(struct db_conn *c, struct db_res *res)
{
	(void)c;
	if (res == NULL)
		return;
	/* each row's values and their bytes are one block */
	for (int i = 0; i < res->nrows; i++)
		free(res->rows[i].vals);
	free(res->rows);
	free(res);
}

/*
 * The current row of st as one block: ncols values, then the bytes of
 * the texts and blobs, each NUL-terminated (a convenience: they are
 * counted).  types has room for ncols: sqlite3_column_type() means
 * nothing once text() converted a value, so the types are read first.
 * 0 or -1 (out of memory, logged).
 */
static int
take_row(struct db_conn *c, sqlite3_stmt *st, int ncols, int *types,
         struct db_row *row)
{
	size_t size = (size_t)ncols * sizeof(struct db_val);
	struct db_val *v;
	const void *p;
	char *bytes;
	int i, n;

	for (i = 0; i < ncols; i++)
		types[i] = sqlite3_column_type(st, i);
	for (i = 0; i < ncols; i++) {
		switch (types[i]) {
		case SQLITE_TEXT:
		case SQLITE_FLOAT:
			/* text() before bytes(): the size of the text form */
			(void)sqlite3_column_text(st, i);
			size += (size_t)sqlite3_column_bytes(st, i) + 1;
			break;
		case SQLITE_BLOB:
			(void)sqlite3_column_blob(st, i);
			size += (size_t)sqlite3_column_bytes(st, i) + 1;
			break;
		default:
			break;
		}
	}
	if ((row->vals = calloc(1, size)) == NULL) {
		log_errx("db_sqlite: %s: out of memory for a row of %zu "
		    "bytes", c->path, size);
		return -1;
	}
	bytes = (char *)(row->vals + ncols);
	for (i = 0; i < ncols; i++) {
		v = &row->vals[i];
		switch (types[i]) {
		case SQLITE_INTEGER:
			v->type = DB_INT;
			v->v.i = sqlite3_column_int64(st, i);
			continue;
		case SQLITE_NULL:
			v->type = DB_STR;
			v->null = 1;
			continue;
		case SQLITE_BLOB:
			v->type = DB_BLOB;
			p = sqlite3_column_blob(st, i);
			break;
		default:        /* TEXT; a REAL comes as its text */
			v->type = DB_STR;
			p = sqlite3_column_text(st, i);
			break;
		}
		n = sqlite3_column_bytes(st, i);
		if (n > 0)
			memcpy(bytes, p, (size_t)n);
		bytes[n] = '\0';
		v->v.s = str_make(bytes, (size_t)n);
		bytes += n + 1;
	}
	return 0;
}

/* Appends the current row of st to res.  0 or -1 (logged). */
static int
add_row(struct db_conn *c, sqlite3_stmt *st, struct db_res *res, int *cap,
        int *types)
{
	struct db_row *rows;
	int ncap;

	if (res->nrows == *cap) {
		ncap = *cap ? *cap * 2 : 8;
		rows = realloc(res->rows, (size_t)ncap * sizeof(*rows));
		if (rows == NULL) {
			log_errx("db_sqlite: %s: out of memory for %d rows",
			    c->path, ncap);
			return -1;
		}
		res->rows = rows;
		*cap = ncap;
	}
	if (take_row(c, st, res->ncols, types, &res->rows[res->nrows]) < 0)
		return -1;
	res->nrows++;
	return 0;
}

int
dbs_query(struct db_conn *c, const char *table, const struct db_cond *conds,
          int nconds, const char *const *cols, int ncols,
          const char *order_by, int limit, struct db_res **res)
{
	struct dbs_sql b;
	struct db_res *r = NULL;
	sqlite3_stmt *st = NULL;
	char err[DBS_ERR_MAX];
	int *types = NULL;
	int num = 0, cap = 0, rc;

	if (res == NULL) {
		log_errx("db_sqlite: query() without a place for the result");
		return -1;
	}
	*res = NULL;
	if (dbs_conn_usable(c, "query") < 0)
		return -1;
	dbs_sql_init(&b);
	if (dbs_sql_select(&b, table, conds, nconds, cols, ncols, order_by,
	    limit, err) < 0) {
		refused(c, "query on", table, err);
		goto fail;
	}
	if ((st = dbs_stmt_get(c, b.s)) == NULL ||
	    bind_conds(c, st, &num, conds, nconds, b.s) < 0)
		goto fail;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_errx("db_sqlite: %s: out of memory for a result", c->path);
		goto fail;
	}
	r->ncols = sqlite3_column_count(st);
	if ((types = calloc((size_t)r->ncols + 1, sizeof(*types))) == NULL) {
		log_errx("db_sqlite: %s: out of memory for a result", c->path);
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_row(c, st, r, &cap, types) < 0)
			goto fail;
	if (rc != SQLITE_DONE) {
		dbs_log_error(c, "query failed", b.s);
		goto fail;
	}
	dbs_stmt_done(c, st);
	dbs_sql_free(&b);
	free(types);
	*res = r;
	return 0;

fail:
	free(types);
	dbs_free_result(c, r);
	dbs_stmt_done(c, st);
	dbs_sql_free(&b);
	return -1;
}
