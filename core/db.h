/*
 * db.h - the database interface.  A database module (db_sqlite, ...)
 * offers a struct db_api through mod_api_get("db_<scheme>",
 * DB_API_VERSION); a module that stores data (msilo, ...) finds it by
 * the scheme of its db_url with db_bind() and opens one connection per
 * process after fork (child_init), never before: a connection is not
 * shared between processes.
 *
 * Values are typed; strings are counted (str_t) and need not be
 * NUL-terminated.  A result set is owned by the caller until
 * free_result(); its strings live as long as the result.
 */
#ifndef TD_DB_H
#define TD_DB_H

#include <time.h>

#include "str.h"

#define DB_API_VERSION 1

enum db_type {
	DB_INT = 1,     /* long long              */
	DB_STR,         /* text                   */
	DB_BLOB,        /* bytes (may hold NULs)  */
	DB_DATETIME,    /* time_t, stored as an integer of seconds */
};

struct db_val {
	enum db_type    type;
	int             null;           /* SQL NULL: the union is unused */
	union {
		long long   i;
		str_t       s;              /* DB_STR and DB_BLOB          */
		time_t      t;
	} v;
};

enum db_op { DB_OP_EQ = 0, DB_OP_NE, DB_OP_LT, DB_OP_GT, DB_OP_LE, DB_OP_GE };

/* A condition: col op val; several are joined with AND. */
struct db_cond {
	const char     *col;
	enum db_op      op;
	struct db_val   val;
};

struct db_row {
	struct db_val  *vals;           /* ncols of them               */
};

struct db_res {
	int             ncols;
	int             nrows;
	struct db_row  *rows;
};

struct db_conn;                     /* the module's own */

struct db_api {
	/* "sqlite:///var/lib/x.db" -> a connection, or NULL (logged). */
	struct db_conn *(*open)(const char *url);
	void (*close)(struct db_conn *c);

	/* Executes a statement that returns no rows (CREATE TABLE IF NOT
	 * EXISTS ..., in SQL both sqlite and the common servers read).
	 * 0 or -1 (logged). */
	int (*exec)(struct db_conn *c, const char *sql);

	/* INSERT of n columns.  0 or -1 (logged). */
	int (*insert)(struct db_conn *c, const char *table,
	              const char *const *cols, const struct db_val *vals,
	              int n);

	/* SELECT cols FROM table WHERE conds [ORDER BY order_by] [LIMIT
	 * limit (0: none)].  Column types are those of the stored values
	 * (an INTEGER column gives DB_INT, TEXT DB_STR, ...).  0 with *res
	 * set (possibly 0 rows), or -1 (logged). */
	int (*query)(struct db_conn *c, const char *table,
	             const struct db_cond *conds, int nconds,
	             const char *const *cols, int ncols,
	             const char *order_by, int limit, struct db_res **res);
	void (*free_result)(struct db_conn *c, struct db_res *res);

	/* DELETE ... WHERE conds (nconds 0: all rows).  The number of rows
	 * deleted, or -1 (logged). */
	long long (*delete)(struct db_conn *c, const char *table,
	                    const struct db_cond *conds, int nconds);

	/* UPDATE table SET cols = vals WHERE conds.  Rows changed, or -1. */
	long long (*update)(struct db_conn *c, const char *table,
	                    const struct db_cond *conds, int nconds,
	                    const char *const *cols, const struct db_val *vals,
	                    int n);

	/* The rowid / auto-increment id of this connection's last INSERT. */
	long long (*last_insert_id)(struct db_conn *c);
};

/*
 * The api of the module for url's scheme ("sqlite://..." -> db_sqlite),
 * or NULL with the reason logged (no scheme, module not loaded).  For a
 * module's init, after the database module was loaded.
 */
const struct db_api *db_bind(const char *url);

#endif
