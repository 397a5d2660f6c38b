/*
 * acc_mod.h - the module's state shared by its glue files (acc.c:
 * exports, parameters, init; acc_run.c: accounting a request or a
 * transaction's end).  Not for the pure files (acc_rec.c, acc_log.c,
 * acc_db.c).
 */
#ifndef TD_ACC_MOD_H
#define TD_ACC_MOD_H

#include "core/module_api.h"
#include "acc_db.h"
#include "acc_rec.h"

#define ACC_SPEC_MAX    4096    /* log_extra / db_extra text            */
#define ACC_TABLES_MAX  16      /* acc_db_request() tables created      */

struct acc_state {
	/* parameters */
	struct acc_flags     flags;
	int                  log_level;         /* a core level (log.h)  */
	int                  log_facility;
	const char          *db_url;            /* NULL: no database     */
	const char          *table_acc;
	const char          *table_missed;
	const char          *cols[ACC_DB_NCOLS];
	char                 log_extra_spec[ACC_SPEC_MAX];
	char                 db_extra_spec[ACC_SPEC_MAX];

	/* from the script: acc_db_request() is called, with these literal
	 * table names (created at startup with the others) */
	int                  db_used;
	int                  ntables;
	char                 tables[ACC_TABLES_MAX][ACC_NAME_MAX];

	/* from init */
	struct acc_extras    log_extra, db_extra;
	const struct db_api *db_api;

	/* this process's connection (opened after fork) */
	struct acc_db        db;
};

extern struct acc_state acc_st;

/* This process's database, opened on first use; NULL (logged). */
const struct acc_db *acc_db_get(void);

/*
 * Accounts request m: the record (code, reason; the To tag of a reply
 * when to_tag is not NULL) with log_extra, logged as "ACC: <what>: ...";
 * or with db_extra, inserted into table.  1, or -1 (logged).
 */
int  acc_run_log(struct msg *m, const char *what, time_t ts,
                 const str_t *code, const str_t *reason,
                 const str_t *to_tag);
int  acc_run_db(struct msg *m, const char *table, time_t ts,
                const str_t *code, const str_t *reason, const str_t *to_tag);

/* tm's final-reply callback (a tm_final_cb): accounts the transaction. */
void acc_run_final(struct msg *req, int code, const str_t *reason,
                   const str_t *to_tag);

#endif
