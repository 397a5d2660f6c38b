/*
 * msilo_db.h - the silo table through core/db.h: Kamailio's column
 * names and types, so a Kamailio sqlite msilo database works as it is.
 * Every function takes the api and a connection of the calling process
 * and logs its own errors.
 */
#ifndef TD_MSILO_DB_H
#define TD_MSILO_DB_H

#include <time.h>

#include "core/db.h"
#include "core/str.h"

struct msilo_db {
	const struct db_api  *api;
	struct db_conn       *conn;
	const char           *table;
};

/* One stored message as m_store() writes it. */
struct msilo_new {
	str_t       src_addr;       /* From URI                  */
	str_t       dst_addr;       /* To URI                    */
	str_t       username;       /* mailbox user and domain   */
	str_t       domain;
	time_t      inc_time;
	time_t      exp_time;
	str_t       ctype;
	str_t       body;
	str_t       callid;
};

/* Column indexes of msilo_db_pending()'s rows. */
enum {
	MSILO_C_ID = 0, MSILO_C_SRC, MSILO_C_DST, MSILO_C_INC, MSILO_C_CTYPE,
	MSILO_C_BODY, MSILO_C_EXTRA, MSILO_NCOLS,
};

/* 1 when name is a plain SQL identifier (letters, digits, '_'). */
int msilo_db_name_ok(const char *name);

/* CREATE TABLE IF NOT EXISTS + its index.  0 or -1. */
int msilo_db_create(const struct msilo_db *db);

/* INSERT; 0 with *id (the new row's id), or -1. */
int msilo_db_store(const struct msilo_db *db, const struct msilo_new *n,
                   long long *id);

/* Messages waiting in user@domain's mailbox (not expired at now), up to
 * limit (0: all).  The number, or -1. */
int msilo_db_count(const struct msilo_db *db, const str_t *user,
                   const str_t *domain, time_t now, int limit);

/* The mailbox's messages not in flight and not expired, oldest first.
 * 0 with *res (free with db->api->free_result), or -1. */
int msilo_db_pending(const struct msilo_db *db, const str_t *user,
                     const str_t *domain, time_t now, struct db_res **res);

/* Claims row id for sending (snd_time = now where it was 0): 1 claimed,
 * 0 already claimed by another process or gone, -1 error. */
int msilo_db_claim(const struct msilo_db *db, long long id, time_t now);
/* Releases a claim (snd_time = 0): the next REGISTER sends it again. */
int msilo_db_release(const struct msilo_db *db, long long id);
/* Deletes row id (delivered).  Rows deleted (0 or 1), or -1. */
long long msilo_db_delete(const struct msilo_db *db, long long id);
/* Releases every claim older than before.  Rows changed, or -1. */
long long msilo_db_release_stuck(const struct msilo_db *db, time_t before);
/* Releases every claim (at startup nothing is in flight).  Rows, -1. */
long long msilo_db_release_all(const struct msilo_db *db);
/* Deletes the messages expired at now.  Rows deleted, or -1. */
long long msilo_db_clean(const struct msilo_db *db, time_t now);

#endif
