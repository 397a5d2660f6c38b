/*
 * dbs_conn.c - opening and closing sqlite connections, their statement
 * cache (dbs_conn.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "dbs_conn.h"
#include "dbs_sql.h"

#define DBS_SCHEME "sqlite://"

char *
dbs_url_path(const char *url, char *err)
{
	const char *p;
	char *path;

	if (url == NULL || strncmp(url, DBS_SCHEME,
	    sizeof(DBS_SCHEME) - 1) != 0) {
		snprintf(err, DBS_ERR_MAX, "db_url '%.60s' does not start "
		    "with %s", url ? url : "", DBS_SCHEME);
		return NULL;
	}
	p = url + sizeof(DBS_SCHEME) - 1;
	if (*p == '\0' || strcmp(p, "/") == 0) {
		snprintf(err, DBS_ERR_MAX, "db_url '%.60s' names no file "
		    "(sqlite:///abs/path.db or sqlite://rel/path.db)", url);
		return NULL;
	}
	/* Kamailio's generic URL parser would read user, password, host,
	 * port or ?params here; none of them means anything for a file,
	 * so a URL that looks like it has them is refused, not guessed. */
	if (strpbrk(p, "?#") != NULL) {
		snprintf(err, DBS_ERR_MAX, "db_url '%.60s': parameters "
		    "(?...) are not supported", url);
		return NULL;
	}
	if (p[strlen(p) - 1] == '/') {
		snprintf(err, DBS_ERR_MAX, "db_url '%.60s' names a directory, "
		    "not a file", url);
		return NULL;
	}
	if ((path = strdup(p)) == NULL)
		snprintf(err, DBS_ERR_MAX, "out of memory");
	return path;
}

int
dbs_journal_mode_ok(const char *mode)
{
	/* MEMORY and OFF are left out: a crash in the middle of a write
	 * can corrupt the file, and stored messages must survive one. */
	static const char *const ok[] = { "WAL", "DELETE", "TRUNCATE",
	    "PERSIST" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcasecmp(mode, ok[i]) == 0)
			return 1;
	return 0;
}

void
dbs_log_error(struct db_conn *c, const char *what, const char *sql)
{
	log_errx("db_sqlite: %s: %s: %s%s%s%s", c->path, what,
	    sqlite3_errmsg(c->db), sql ? " (SQL: " : "", sql ? sql : "",
	    sql ? ")" : "");
}

/*
 * The directory of path must exist: sqlite creates the file, not its
 * directory, and says only "unable to open database file".  0 or -1
 * (logged).
 */
static int
check_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat sb;
	char *dir;
	int rc = 0;

	if (slash == NULL || strcmp(path, ":memory:") == 0)
		return 0;
	dir = slash == path ? strdup("/") :
	    strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		log_errx("db_sqlite: %s: out of memory", path);
		return -1;
	}
	if (stat(dir, &sb) == -1) {
		log_err("db_sqlite: cannot open %s: its directory %s",
		    path, dir);
		rc = -1;
	} else if (!S_ISDIR(sb.st_mode)) {
		log_errx("db_sqlite: cannot open %s: %s is not a directory",
		    path, dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

/*
 * PRAGMA journal_mode=<mode>.  The mode is persistent in the file, so
 * each process asking for the one it already has is cheap.  0, or -1
 * when the file is not usable (logged); a mode that could not be set
 * (busy, or sqlite chose another) is only warned about.
 */
static int
set_journal_mode(struct db_conn *c, const char *mode)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	const unsigned char *got;
	int rc;

	/* mode was checked against dbs_journal_mode_ok(): fixed words */
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s", mode);
	rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		got = sqlite3_column_text(st, 0);
		if (got == NULL || strcasecmp((const char *)got, mode) != 0)
			log_warnx("db_sqlite: %s: journal_mode is %s, not %s",
			    c->path, got ? (const char *)got : "unknown",
			    mode);
		sqlite3_finalize(st);
		return 0;
	}
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		log_warnx("db_sqlite: %s: journal_mode=%s not set: %s",
		    c->path, mode, sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return 0;
	}
	dbs_log_error(c, "the file is not usable", sql);
	sqlite3_finalize(st);
	return -1;
}

struct db_conn *
dbs_conn_open(const char *url, const struct dbs_cfg *cfg)
{
	char err[DBS_ERR_MAX];
	struct db_conn *c = NULL;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_errx("db_sqlite: out of memory opening '%s'", url ? url : "");
		return NULL;
	}
	c->pid = getpid();
	if ((c->path = dbs_url_path(url, err)) == NULL) {
		log_errx("db_sqlite: %s", err);
		goto fail;
	}
	if (check_dir(c->path) < 0)
		goto fail;
	/* NOMUTEX: a connection is used by one thread of one process */
	rc = sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (c->db != NULL)
			dbs_log_error(c, "cannot open the database", NULL);
		else
			log_errx("db_sqlite: %s: cannot open the database: "
			    "%s", c->path, sqlite3_errstr(rc));
		goto fail;
	}
	/* several processes write the file: wait for a lock this long
	 * instead of failing at once with SQLITE_BUSY */
	sqlite3_busy_timeout(c->db, cfg->busy_timeout);
	/* an in-memory database has no journal file to choose */
	if (strcmp(c->path, ":memory:") != 0 &&
	    set_journal_mode(c, cfg->journal_mode) < 0)
		goto fail;
	log_dbg("db_sqlite: %s opened (busy_timeout %d ms)", c->path,
	    cfg->busy_timeout);
	return c;

fail:
	dbs_conn_close(c);
	return NULL;
}

void
dbs_conn_close(struct db_conn *c)
{
	if (c == NULL)
		return;
	if (c->pid != getpid()) {
		/* sqlite must not close a handle a fork copied: it could
		 * checkpoint or remove the WAL under the owner's feet.  The
		 * copy's memory is left to the process's exit. */
		log_warnx("db_sqlite: %s: close() of a connection opened by "
		    "pid %d: left alone", c->path, (int)c->pid);
		return;
	}
	for (int i = 0; i < DBS_STMT_CACHE; i++) {
		sqlite3_finalize(c->stmts[i].st);
		free(c->stmts[i].sql);
	}
	if (c->db != NULL && sqlite3_close(c->db) != SQLITE_OK)
		dbs_log_error(c, "close failed", NULL);
	free(c->path);
	free(c);
}

int
dbs_conn_usable(struct db_conn *c, const char *fn)
{
	if (c == NULL) {
		log_errx("db_sqlite: %s() without a connection", fn);
		return -1;
	}
	if (c->pid != getpid()) {
		log_errx("db_sqlite: %s: %s() on a connection opened by pid "
		    "%d: each process opens its own (after fork)", c->path,
		    fn, (int)c->pid);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
dbs_stmt_get(struct db_conn *c, const char *sql)
{
	struct dbs_stmt *slot = NULL;
	sqlite3_stmt *st = NULL;
	char *key;
	int i;

	c->tick++;
	for (i = 0; i < DBS_STMT_CACHE; i++) {
		if (c->stmts[i].sql != NULL &&
		    strcmp(c->stmts[i].sql, sql) == 0) {
			c->stmts[i].used = c->tick;
			return c->stmts[i].st;
		}
		/* a free slot, else the least recently used one */
		if (slot == NULL || (slot->sql != NULL &&
		    (c->stmts[i].sql == NULL ||
		    c->stmts[i].used < slot->used)))
			slot = &c->stmts[i];
	}
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		dbs_log_error(c, "cannot prepare the statement", sql);
		sqlite3_finalize(st);
		return NULL;
	}
	if ((key = strdup(sql)) == NULL) {
		log_errx("db_sqlite: %s: out of memory caching a statement",
		    c->path);
		sqlite3_finalize(st);
		return NULL;
	}
	sqlite3_finalize(slot->st);
	free(slot->sql);
	slot->sql = key;
	slot->st = st;
	slot->used = c->tick;
	return st;
}

void
dbs_stmt_done(struct db_conn *c, sqlite3_stmt *st)
{
	(void)c;
	if (st == NULL)
		return;
	/* the error of the last step was already taken from the db
	 * handle; reset returns it again, nothing more to log */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}
