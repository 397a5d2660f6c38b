/*
 * acc_db.c - accounting records as table rows (see acc_db.h).
 *
 * The schema is kamctl's for SQLite (Kamailio 5.6) with one change: the
 * time is declared DATETIME and holds integer seconds, as core/db.h's
 * DB_DATETIME is stored; kamctl declares TIMESTAMP WITHOUT TIME ZONE,
 * which SQLite reads with the same (numeric) affinity.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "acc_db.h"

#define ACC_SQL_MAX 8192

/* The declared type of each core column, in record order. */
static const char *const col_types[ACC_DB_NCOLS] = {
	[ACC_METHOD] = "VARCHAR(16) DEFAULT '' NOT NULL",
	[ACC_FROM_TAG] = "VARCHAR(128) DEFAULT '' NOT NULL",
	[ACC_TO_TAG] = "VARCHAR(128) DEFAULT '' NOT NULL",
	[ACC_CALLID] = "VARCHAR(255) DEFAULT '' NOT NULL",
	[ACC_CODE] = "VARCHAR(3) DEFAULT '' NOT NULL",
	[ACC_REASON] = "VARCHAR(128) DEFAULT '' NOT NULL",
	[ACC_DB_TIME] = "DATETIME NOT NULL",
};

/* Appends printf output to sql[*len]; -1 once it does not fit. */
static int
add(char *sql, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
add(char *sql, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*len >= ACC_SQL_MAX)
		return -1;
	va_start(ap, fmt);
	w = vsnprintf(sql + *len, ACC_SQL_MAX - *len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= ACC_SQL_MAX - *len)
		return -1;
	*len += (size_t)w;
	return 0;
}

int
acc_db_create(const struct acc_db *db, const char *table)
{
	char sql[ACC_SQL_MAX];
	size_t len = 0;
	int rc = 0;

	/* names are plain SQL names (checked at load), double-quoted so
	 * that "time" and other keywords stay names */
	rc |= add(sql, &len, "CREATE TABLE IF NOT EXISTS \"%s\" (id INTEGER "
	    "PRIMARY KEY NOT NULL", table);
	for (int i = 0; i < ACC_DB_NCOLS; i++)
		rc |= add(sql, &len, ", \"%s\" %s", db->cols[i], col_types[i]);
	for (int i = 0; db->extra && i < db->extra->n; i++)
		rc |= add(sql, &len, ", \"%s\" TEXT", db->extra->x[i].name);
	rc |= add(sql, &len, ")");
	if (rc != 0) {
		log_errx("acc: the CREATE TABLE statement of %s is too long",
		    table);
		return -1;
	}
	if (db->api->exec(db->conn, sql) != 0)
		return -1;
	len = 0;
	if (add(sql, &len, "CREATE INDEX IF NOT EXISTS \"%s_callid_idx\" ON "
	    "\"%s\" (\"%s\")", table, table, db->cols[ACC_CALLID]) != 0) {
		log_errx("acc: the CREATE INDEX statement of %s is too long",
		    table);
		return -1;
	}
	return db->api->exec(db->conn, sql) == 0 ? 0 : -1;
}

int
acc_db_insert(const struct acc_db *db, const char *table,
    const struct acc_rec *r)
{
	const char *cols[ACC_DB_NCOLS + ACC_EXTRA_MAX];
	struct db_val vals[ACC_DB_NCOLS + ACC_EXTRA_MAX];
	int n = 0, nextra = 0;

	if (db->extra != NULL)
		nextra = r->nextra < db->extra->n ? r->nextra : db->extra->n;
	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < ACC_NCORE; i++, n++) {
		cols[n] = db->cols[i];
		vals[n].type = DB_STR;
		vals[n].v.s = r->core[i];
	}
	cols[n] = db->cols[ACC_DB_TIME];
	vals[n].type = DB_DATETIME;
	vals[n].v.t = r->ts;
	n++;
	for (int i = 0; i < nextra; i++, n++) {
		cols[n] = db->extra->x[i].name;
		vals[n].type = DB_STR;
		vals[n].null = r->extra_null[i];
		vals[n].v.s = r->extra[i];
	}
	return db->api->insert(db->conn, table, cols, vals, n) == 0 ? 0 : -1;
}
