/*
 * acc_run.c - accounting a request (acc_log_request(), acc_db_request())
 * and a transaction's end (tm's final-reply callback): the record is
 * built from the message, then logged or stored.
 */
#include "config.h"

#include <stdio.h>

#include "acc_log.h"
#include "acc_mod.h"

const struct acc_db *
acc_db_get(void)
{
	if (acc_st.db.conn == NULL) {
		if (acc_st.db_api == NULL) {
			log_errx("acc: no database: set modparam(\"acc\", "
			    "\"db_url\", ...)");
			return NULL;
		}
		acc_st.db.conn = acc_st.db_api->open(acc_st.db_url);
		if (acc_st.db.conn == NULL) {
			log_errx("acc: cannot open the database %s",
			    acc_st.db_url);
			return NULL;
		}
	}
	return &acc_st.db;
}

/* Builds r for m; -1 with the reason logged. */
static int
build(struct msg *m, time_t ts, const str_t *code, const str_t *reason,
    const str_t *to_tag, struct acc_rec *r)
{
	if (acc_rec_build(m, code, reason, to_tag, ts, r) == 0)
		return 0;
	if (m->kind == MSG_MSRP)
		log_errx("acc: this MSRP frame has no SIP view to account: "
		    "set modparam(\"msrp\", \"sipmsg\", 1)");
	else if (m->kind == MSG_SIP_REQUEST)
		log_errx("acc: the request does not parse: not accounted");
	else
		log_errx("acc: only requests are accounted");
	return -1;
}

int
acc_run_log(struct msg *m, const char *what, time_t ts, const str_t *code,
    const str_t *reason, const str_t *to_tag)
{
	struct acc_rec r;
	str_t text;

	if (build(m, ts, code, reason, to_tag, &r) != 0)
		return -1;
	acc_rec_extras(m, &acc_st.log_extra, &r);
	if (acc_log_text(&m->arena, &r, &acc_st.log_extra, &text) != 0) {
		log_errx("acc: no memory for the record of %.*s",
		    STR_FMT(&r.core[ACC_CALLID]));
		return -1;
	}
	acc_log_write(acc_st.log_facility, acc_st.log_level, what, &text);
	return 1;
}

int
acc_run_db(struct msg *m, const char *table, time_t ts, const str_t *code,
    const str_t *reason, const str_t *to_tag)
{
	const struct acc_db *db;
	struct acc_rec r;

	if (build(m, ts, code, reason, to_tag, &r) != 0)
		return -1;
	if ((db = acc_db_get()) == NULL)
		return -1;
	acc_rec_extras(m, &acc_st.db_extra, &r);
	if (acc_db_insert(db, table, &r) != 0) {
		log_errx("acc: the record of %.*s %.*s was not stored in "
		    "table %s", STR_FMT(&r.core[ACC_METHOD]),
		    STR_FMT(&r.core[ACC_CALLID]), table);
		return -1;
	}
	return 1;
}

void
acc_run_final(struct msg *req, int code, const str_t *reason,
    const str_t *to_tag)
{
	unsigned what;
	str_t method, cs;
	char cbuf[16];
	time_t ts;
	int n;

	/* most transactions carry none of acc's flags: no parse for them */
	if (acc_trans_what(&acc_st.flags, req->flags, 1, code) == 0)
		return;
	if (sip_method(req, &method) != 0) {
		log_errx("acc: the request of a transaction answered %d does "
		    "not parse: not accounted", code);
		return;
	}
	what = acc_trans_what(&acc_st.flags, req->flags,
	    str_eq_cstr(&method, "INVITE"), code);
	n = snprintf(cbuf, sizeof(cbuf), "%d", code);
	cs = str_make(cbuf, n > 0 ? (size_t)n : 0);
	ts = time(NULL);
	/* Kamailio's order: the missed call, then the transaction */
	if (what & ACC_T_LOG_MISSED)
		acc_run_log(req, ACC_LOG_MISSED, ts, &cs, reason, to_tag);
	if (what & ACC_T_LOG)
		acc_run_log(req, ACC_LOG_ANSWERED, ts, &cs, reason, to_tag);
	if (what & ACC_T_DB_MISSED)
		acc_run_db(req, acc_st.table_missed, ts, &cs, reason, to_tag);
	if (what & ACC_T_DB)
		acc_run_db(req, acc_st.table_acc, ts, &cs, reason, to_tag);
}
