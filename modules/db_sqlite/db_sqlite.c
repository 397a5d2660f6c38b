/*
 * db_sqlite - the database API of core/db.h on SQLite 3 files.  Modules
 * find it with db_bind("sqlite://...") and open one connection per
 * process after fork.  No script functions: the module only serves
 * other modules (msilo, ...).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/module_api.h"
#include "dbs_conn.h"
#include "dbs_ops.h"

#define DBS_BUSY_TIMEOUT_DEFAULT 5000       /* ms */
#define DBS_BUSY_TIMEOUT_MAX     600000

static struct dbs_cfg dbs_cfg = {
	.busy_timeout = DBS_BUSY_TIMEOUT_DEFAULT,
	.journal_mode = "WAL",
};

static int
dbs_set_busy_timeout(const struct val *v, struct cfg_diag *d)
{
	long long n;

	if (val_to_int(v, &n) < 0 || n < 0 || n > DBS_BUSY_TIMEOUT_MAX) {
		diag_error(d, "db_sqlite: busy_timeout must be a number of "
		    "milliseconds from 0 to %d", DBS_BUSY_TIMEOUT_MAX);
		return -1;
	}
	dbs_cfg.busy_timeout = (int)n;
	return 0;
}

static int
dbs_set_journal_mode(const struct val *v, struct cfg_diag *d)
{
	char mode[DBS_JOURNAL_MODE_MAX];

	if (!(v->flags & VAL_STR) || v->s.len == 0 ||
	    v->s.len >= sizeof(mode)) {
		diag_error(d, "db_sqlite: journal_mode must be one of WAL, "
		    "DELETE, TRUNCATE, PERSIST");
		return -1;
	}
	memcpy(mode, v->s.s, v->s.len);
	mode[v->s.len] = '\0';
	if (!dbs_journal_mode_ok(mode)) {
		diag_error(d, "db_sqlite: journal_mode '%s' is not one of "
		    "WAL, DELETE, TRUNCATE, PERSIST (MEMORY and OFF risk "
		    "the file on a crash)", mode);
		return -1;
	}
	memcpy(dbs_cfg.journal_mode, mode, sizeof(mode));
	return 0;
}

static const struct param_export dbs_params[] = {
	{ .name = "busy_timeout", .type = PARAM_INT,
	  .set = dbs_set_busy_timeout },
	{ .name = "journal_mode", .type = PARAM_STR,
	  .set = dbs_set_journal_mode },
	{ .name = NULL },
};

static struct db_conn *
dbs_open(const char *url)
{
	return dbs_conn_open(url, &dbs_cfg);
}

static const struct db_api dbs_api = {
	.open = dbs_open,
	.close = dbs_conn_close,
	.exec = dbs_exec,
	.insert = dbs_insert,
	.query = dbs_query,
	.free_result = dbs_free_result,
	.delete = dbs_delete,
	.update = dbs_update,
	.last_insert_id = dbs_last_insert_id,
};

static int
dbs_init(void)
{
	log_dbg("db_sqlite: SQLite %s, busy_timeout %d ms, journal_mode %s",
	    sqlite3_libversion(), dbs_cfg.busy_timeout,
	    dbs_cfg.journal_mode);
	return 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "db_sqlite",
	.version = PACKAGE_VERSION,
	.params = dbs_params,
	.api = &dbs_api,
	.api_version = DB_API_VERSION,
	.init = dbs_init,
};
