/*
 * msilo_db.c - the silo table (see msilo_db.h).
 *
 * The schema is Kamailio 5.6's (utils/kamctl/sqlite, table version 8):
 * the same names and types, so either server reads what the other
 * stored.  snd_time is Kamailio's reminder time; Tandem has no reminders
 * and uses it as "being delivered since", a claim taken before a stored
 * message is sent and dropped when its transaction fails.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>

#include "core/log.h"
#include "msilo_db.h"

int
msilo_db_name_ok(const char *name)
{
	if (name == NULL || *name == '\0' || isdigit((unsigned char)*name))
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

int
msilo_db_create(const struct msilo_db *db)
{
	char sql[1024];
	int w;

	w = snprintf(sql, sizeof(sql),
	    "CREATE TABLE IF NOT EXISTS %s ("
	    "id INTEGER PRIMARY KEY NOT NULL, "
	    "src_addr VARCHAR(255) DEFAULT '' NOT NULL, "
	    "dst_addr VARCHAR(255) DEFAULT '' NOT NULL, "
	    "username VARCHAR(64) DEFAULT '' NOT NULL, "
	    "domain VARCHAR(64) DEFAULT '' NOT NULL, "
	    "inc_time INTEGER DEFAULT 0 NOT NULL, "
	    "exp_time INTEGER DEFAULT 0 NOT NULL, "
	    "snd_time INTEGER DEFAULT 0 NOT NULL, "
	    "ctype VARCHAR(32) DEFAULT 'text/plain' NOT NULL, "
	    "body BLOB, "
	    "extra_hdrs TEXT, "
	    "callid VARCHAR(128) DEFAULT '' NOT NULL, "
	    "status INTEGER DEFAULT 0 NOT NULL)", db->table);
	if (w < 0 || (size_t)w >= sizeof(sql) ||
	    db->api->exec(db->conn, sql) != 0)
		return -1;
	w = snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS "
	    "%s_account_idx ON %s (username, domain)", db->table, db->table);
	if (w < 0 || (size_t)w >= sizeof(sql) ||
	    db->api->exec(db->conn, sql) != 0)
		return -1;
	return 0;
}

static struct db_val
v_str(const str_t *s)
{
	struct db_val v = { .type = DB_STR };

	v.v.s = *s;
	return v;
}

static struct db_val
v_int(long long i)
{
	struct db_val v = { .type = DB_INT };

	v.v.i = i;
	return v;
}

static struct db_cond
c_int(const char *col, enum db_op op, long long i)
{
	struct db_cond c = { .col = col, .op = op };

	c.val = v_int(i);
	return c;
}

static struct db_cond
c_str(const char *col, const str_t *s)
{
	struct db_cond c = { .col = col, .op = DB_OP_EQ };

	c.val = v_str(s);
	return c;
}

int
msilo_db_store(const struct msilo_db *db, const struct msilo_new *n,
    long long *id)
{
	static const char *const cols[] = {
		"src_addr", "dst_addr", "username", "domain", "inc_time",
		"exp_time", "snd_time", "ctype", "body", "callid", "status",
	};
	struct db_val vals[11];

	vals[0] = v_str(&n->src_addr);
	vals[1] = v_str(&n->dst_addr);
	vals[2] = v_str(&n->username);
	vals[3] = v_str(&n->domain);
	vals[4] = v_int((long long)n->inc_time);
	vals[5] = v_int((long long)n->exp_time);
	vals[6] = v_int(0);
	vals[7] = v_str(&n->ctype);
	vals[8] = v_str(&n->body);
	vals[8].type = DB_BLOB;
	vals[9] = v_str(&n->callid);
	vals[10] = v_int(0);
	if (db->api->insert(db->conn, db->table, cols, vals, 11) != 0)
		return -1;
	*id = db->api->last_insert_id(db->conn);
	return 0;
}

int
msilo_db_count(const struct msilo_db *db, const str_t *user,
    const str_t *domain, time_t now, int limit)
{
	static const char *const cols[] = { "id" };
	struct db_cond conds[3];
	struct db_res *res = NULL;
	int n;

	conds[0] = c_str("username", user);
	conds[1] = c_str("domain", domain);
	conds[2] = c_int("exp_time", DB_OP_GT, (long long)now);
	if (db->api->query(db->conn, db->table, conds, 3, cols, 1, NULL,
	    limit, &res) != 0)
		return -1;
	n = res->nrows;
	db->api->free_result(db->conn, res);
	return n;
}

int
msilo_db_pending(const struct msilo_db *db, const str_t *user,
    const str_t *domain, time_t now, struct db_res **res)
{
	static const char *const cols[MSILO_NCOLS] = {
		[MSILO_C_ID] = "id", [MSILO_C_SRC] = "src_addr",
		[MSILO_C_DST] = "dst_addr", [MSILO_C_INC] = "inc_time",
		[MSILO_C_CTYPE] = "ctype", [MSILO_C_BODY] = "body",
		[MSILO_C_EXTRA] = "extra_hdrs",
	};
	struct db_cond conds[4];

	conds[0] = c_str("username", user);
	conds[1] = c_str("domain", domain);
	conds[2] = c_int("snd_time", DB_OP_EQ, 0);
	conds[3] = c_int("exp_time", DB_OP_GT, (long long)now);
	*res = NULL;
	return db->api->query(db->conn, db->table, conds, 4, cols,
	    MSILO_NCOLS, "id", 0, res) == 0 ? 0 : -1;
}

static long long
set_snd_time(const struct msilo_db *db, const struct db_cond *conds,
    int nconds, long long value)
{
	static const char *const cols[] = { "snd_time" };
	struct db_val v = v_int(value);

	return db->api->update(db->conn, db->table, conds, nconds, cols, &v, 1);
}

int
msilo_db_claim(const struct msilo_db *db, long long id, time_t now)
{
	struct db_cond conds[2];
	long long n;

	conds[0] = c_int("id", DB_OP_EQ, id);
	conds[1] = c_int("snd_time", DB_OP_EQ, 0);
	/* now is never 0: a claim is always distinguishable from none */
	n = set_snd_time(db, conds, 2, now > 0 ? (long long)now : 1);
	return n < 0 ? -1 : n > 0;
}

int
msilo_db_release(const struct msilo_db *db, long long id)
{
	struct db_cond cond = c_int("id", DB_OP_EQ, id);

	return set_snd_time(db, &cond, 1, 0) < 0 ? -1 : 0;
}

long long
msilo_db_delete(const struct msilo_db *db, long long id)
{
	struct db_cond cond = c_int("id", DB_OP_EQ, id);

	return db->api->delete(db->conn, db->table, &cond, 1);
}

long long
msilo_db_release_stuck(const struct msilo_db *db, time_t before)
{
	struct db_cond conds[2];

	conds[0] = c_int("snd_time", DB_OP_GT, 0);
	conds[1] = c_int("snd_time", DB_OP_LT, (long long)before);
	return set_snd_time(db, conds, 2, 0);
}

long long
msilo_db_release_all(const struct msilo_db *db)
{
	struct db_cond cond = c_int("snd_time", DB_OP_NE, 0);

	return set_snd_time(db, &cond, 1, 0);
}

long long
msilo_db_clean(const struct msilo_db *db, time_t now)
{
	struct db_cond cond = c_int("exp_time", DB_OP_LT, (long long)now);

	return db->api->delete(db->conn, db->table, &cond, 1);
}
