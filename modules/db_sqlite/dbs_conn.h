/*
 * dbs_conn.h - one sqlite connection (db.h's struct db_conn): opening it
 * from a URL, its cache of prepared statements, and error logging.
 *
 * A connection belongs to the process that opened it (db.h: open() runs
 * after fork); a call from another process is refused and logged, since
 * sqlite's file locks do not survive a fork.
 */
#ifndef TD_DBS_CONN_H
#define TD_DBS_CONN_H

#include <sqlite3.h>
#include <sys/types.h>

#include "core/db.h"

#define DBS_STMT_CACHE        32        /* prepared statements kept      */
#define DBS_JOURNAL_MODE_MAX  16

/* The module parameters a connection is opened with. */
struct dbs_cfg {
	int     busy_timeout;                       /* ms, >= 0         */
	char    journal_mode[DBS_JOURNAL_MODE_MAX]; /* "WAL", "DELETE"  */
};

struct dbs_stmt {
	char               *sql;        /* the key; NULL: slot free     */
	sqlite3_stmt       *st;
	unsigned long long  used;       /* tick of the last use (LRU)   */
};

struct db_conn {
	sqlite3            *db;
	char               *path;       /* as opened, for the logs      */
	pid_t               pid;        /* the owner process            */
	unsigned long long  tick;
	struct dbs_stmt     stmts[DBS_STMT_CACHE];
};

/*
 * The file path in url: "sqlite:///abs/x.db" -> "/abs/x.db",
 * "sqlite://rel/x.db" -> "rel/x.db".  A new string (free()), or NULL
 * with the reason in err (DBS_ERR_MAX bytes, dbs_sql.h).
 */
char *dbs_url_path(const char *url, char *err);

/* 1 when mode is a journal mode the module accepts, else 0. */
int dbs_journal_mode_ok(const char *mode);

/* A connection, or NULL (logged). */
struct db_conn *dbs_conn_open(const char *url, const struct dbs_cfg *cfg);
/* Finalizes the cached statements and closes; NULL is accepted. */
void dbs_conn_close(struct db_conn *c);

/* 0 when c may be used by this process, else -1 (logged, naming fn). */
int dbs_conn_usable(struct db_conn *c, const char *fn);

/*
 * The prepared statement for sql, from the cache or prepared now (and
 * cached), reset and without bindings.  NULL on error (logged with the
 * sqlite message and the SQL).  The caller ends with dbs_stmt_done().
 */
sqlite3_stmt *dbs_stmt_get(struct db_conn *c, const char *sql);
/* Resets st and clears its bindings: it holds no lock after this. */
void dbs_stmt_done(struct db_conn *c, sqlite3_stmt *st);

/* Logs "db_sqlite: <path>: <what>: <sqlite message> (SQL: <sql>)". */
void dbs_log_error(struct db_conn *c, const char *what, const char *sql);

#endif
