/*
 * acc_db.h - accounting records as table rows through core/db.h.
 *
 * The tables have Kamailio 5.6's columns (kamctl's acc / missed_calls:
 * id, method, from_tag, to_tag, callid, sip_code, sip_reason, time,
 * names configurable) plus one TEXT column per db_extra entry.  Every
 * function takes the api and a connection of the calling process and
 * logs its own errors.
 */
#ifndef TD_ACC_DB_H
#define TD_ACC_DB_H

#include "core/db.h"
#include "acc_rec.h"

/* Column of the time, after the ACC_NCORE core columns. */
#define ACC_DB_TIME     ACC_NCORE
#define ACC_DB_NCOLS    (ACC_NCORE + 1)

struct acc_db {
	const struct db_api      *api;
	struct db_conn           *conn;
	const char               *cols[ACC_DB_NCOLS];  /* core + time     */
	const struct acc_extras  *extra;                /* db_extra        */
};

/* CREATE TABLE IF NOT EXISTS table (...) and its Call-ID index.  0/-1. */
int acc_db_create(const struct acc_db *db, const char *table);

/* INSERT of r into table.  0 or -1. */
int acc_db_insert(const struct acc_db *db, const char *table,
                  const struct acc_rec *r);

#endif
