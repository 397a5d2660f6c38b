/*
 * dbs_ops.h - the statements of db.h's struct db_api on a db_sqlite
 * connection.  Contracts as in core/db.h; every error is logged with
 * the sqlite message and the SQL.
 */
#ifndef TD_DBS_OPS_H
#define TD_DBS_OPS_H

#include "core/db.h"

int dbs_exec(struct db_conn *c, const char *sql);
int dbs_insert(struct db_conn *c, const char *table,
               const char *const *cols, const struct db_val *vals, int n);
int dbs_query(struct db_conn *c, const char *table,
              const struct db_cond *conds, int nconds,
              const char *const *cols, int ncols,
              const char *order_by, int limit, struct db_res **res);
void dbs_free_result(struct db_conn *c, struct db_res *res);
long long dbs_delete(struct db_conn *c, const char *table,
                     const struct db_cond *conds, int nconds);
long long dbs_update(struct db_conn *c, const char *table,
                     const struct db_cond *conds, int nconds,
                     const char *const *cols, const struct db_val *vals,
                     int n);
long long dbs_last_insert_id(struct db_conn *c);

#endif
