/*
 * msilo_mod.h - the module's state shared by its glue files (msilo.c:
 * exports, parameters, init, timer; msilo_store.c: m_store(); msilo_dump.c:
 * m_dump() and the delivery outcome).  Not for the pure files.
 */
#ifndef TD_MSILO_MOD_H
#define TD_MSILO_MOD_H

#include <time.h>

#include "core/module_api.h"
#include "core/stats.h"
#include "modules/tm/tm_api.h"
#include "msilo_db.h"

struct msilo_state {
	/* parameters */
	char        *db_url;
	char        *db_table;
	char        *registrar;         /* also "from_address" (5.6)      */
	char        *outbound_proxy;
	char        *offline_message;
	int          expire_time;
	int          check_time;
	int          clean_period;
	int          use_contact;
	int          add_date;
	int          max_messages;
	int          max_body_size;

	/* from init */
	const struct db_api *db_api;
	const struct tm_api *tm;
	struct fmt          *offline_fmt;   /* offline_message compiled  */
	str_t                reg_user, reg_host;   /* the registrar's AOR */
	unsigned             ticks;          /* timer runs (clean_period) */

	/* this process's connection (opened after fork) */
	struct msilo_db      db;

	struct stat_var     *st_stored, *st_dumped, *st_failed;
	struct stat_var     *st_dumped_rem, *st_failed_rem;
};

extern struct msilo_state msilo_st;

/* This process's database, opened on first use; NULL (logged). */
const struct msilo_db *msilo_db_get(void);
/* tm's api; NULL (logged) when tm is not loaded. */
const struct tm_api *msilo_tm(void);
/* 1 when uri's user@host is the registrar's address. */
int msilo_is_registrar(const str_t *uri);

int msilo_m_store(struct msg *m, void *const *args);
int msilo_m_dump(struct msg *m, void *const *args);

/* The outcome of a delivered message's transaction (a tm_uac_cb). */
void msilo_dump_done(int code, uint64_t id);

#endif
