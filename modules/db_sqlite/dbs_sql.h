/*
 * dbs_sql.h - the SQL text of db_sqlite's statements, built from the
 * db.h arguments.  Pure: no sqlite, no logging, no globals.
 *
 * Values never enter the text: each is a numbered parameter ("?3") that
 * dbs_ops.c binds.  Table and column names cannot be parameters, so they
 * are checked against [A-Za-z_][A-Za-z0-9_]* (at most DBS_NAME_MAX
 * chars) and written double-quoted; anything else is refused.
 *
 * Parameter numbering: an UPDATE's SET values come first (?1..?n), then
 * the conditions in order.  A condition whose value is NULL takes no
 * parameter: DB_OP_EQ becomes "IS NULL", DB_OP_NE "IS NOT NULL", the
 * other operators are refused (nothing compares with NULL).
 */
#ifndef TD_DBS_SQL_H
#define TD_DBS_SQL_H

#include <stddef.h>

#include "core/db.h"

#define DBS_NAME_MAX 64         /* with the NUL: names of 63 chars */
#define DBS_ERR_MAX  160

/* A growable NUL-terminated text; on allocation failure oom is set and
 * the builders fail. */
struct dbs_sql {
	char    *s;
	size_t   len;
	size_t   cap;
	int      oom;
};

void dbs_sql_init(struct dbs_sql *b);
void dbs_sql_free(struct dbs_sql *b);

/* 1 when name is a valid table or column name, else 0. */
int dbs_name_ok(const char *name);

/* 1 when condition c takes a bound parameter, else 0. */
int dbs_cond_binds(const struct db_cond *c);

/*
 * The builders: 0 with the statement in b, or -1 with the reason in err
 * (always NUL-terminated, at most DBS_ERR_MAX bytes with the NUL).
 */
int dbs_sql_insert(struct dbs_sql *b, const char *table,
                   const char *const *cols, int n, char *err);
int dbs_sql_select(struct dbs_sql *b, const char *table,
                   const struct db_cond *conds, int nconds,
                   const char *const *cols, int ncols,
                   const char *order_by, int limit, char *err);
int dbs_sql_delete(struct dbs_sql *b, const char *table,
                   const struct db_cond *conds, int nconds, char *err);
int dbs_sql_update(struct dbs_sql *b, const char *table,
                   const struct db_cond *conds, int nconds,
                   const char *const *cols, int n, char *err);

#endif
