/*
 * acc - accounting: acc_log_request() / acc_db_request() write a record
 * of the request being routed (a SIP request, or an MSRP frame through
 * the msrp module's synthetic SIP view) to the log or a table, and with
 * tm the final reply of a transaction whose request carried log_flag,
 * db_flag, ... is accounted when it goes upstream.
 *
 * This file holds the exports, the parameters, the script functions'
 * wrappers and init/child_init; acc_run.c does the accounting.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "modules/tm/tm_api.h"
#include "acc_log.h"
#include "acc_mod.h"

struct acc_state acc_st = {
	.flags = { .log = -1, .log_missed = -1, .failed = -1, .db = -1,
	           .db_missed = -1 },
	.log_level = L_NOTICE,
	.log_facility = LOG_DAEMON,
	.table_acc = "acc",
	.table_missed = "missed_calls",
	.cols = {
		[ACC_METHOD] = "method", [ACC_FROM_TAG] = "from_tag",
		[ACC_TO_TAG] = "to_tag", [ACC_CALLID] = "callid",
		[ACC_CODE] = "sip_code", [ACC_REASON] = "sip_reason",
		[ACC_DB_TIME] = "time",
	},
};

/*
 * Every parameter is checked when the modparam is read, so `tandem -c`
 * reports a bad one at its line.  Values are kept in static buffers,
 * never on the heap: `tandem -c` loads and unloads the module without
 * init or destroy, and nothing may leak then.
 */

/* --- flags and levels ------------------------------------------------------ */

static int
set_flag(const struct val *v, struct cfg_diag *d, const char *name, int *out)
{
	if (!(v->flags & VAL_INT) || v->n < -1 || v->n > 31) {
		diag_error(d, "acc: %s must be a flag number from 0 to 31 (-1: "
		    "none)", name);
		return -1;
	}
	*out = (int)v->n;
	return 0;
}

#define ACC_FLAG_PARAM(fn, field, pname)                                  \
	static int fn(const struct val *v, struct cfg_diag *d)            \
	{                                                                  \
		return set_flag(v, d, pname, &acc_st.flags.field);        \
	}

ACC_FLAG_PARAM(set_log_flag, log, "log_flag")
ACC_FLAG_PARAM(set_log_missed_flag, log_missed, "log_missed_flag")
ACC_FLAG_PARAM(set_failed_flag, failed, "failed_transaction_flag")
ACC_FLAG_PARAM(set_db_flag, db, "db_flag")
ACC_FLAG_PARAM(set_db_missed_flag, db_missed, "db_missed_flag")

/* Kamailio's level numbers are the core's (core/log.h). */
static int
set_log_level(const struct val *v, struct cfg_diag *d)
{
	if (!(v->flags & VAL_INT) || v->n < L_ALERT || v->n > L_DBG) {
		diag_error(d, "acc: log_level must be from %d to %d (-1 ERR, "
		    "0 WARN, 1 NOTICE, 2 INFO, 3 DBG)", L_ALERT, L_DBG);
		return -1;
	}
	acc_st.log_level = (int)v->n;
	return 0;
}

static int
set_log_facility(const struct val *v, struct cfg_diag *d)
{
	char name[32];
	int fac = -1;

	if ((v->flags & VAL_STR) && v->s.len < sizeof(name)) {
		memcpy(name, v->s.s, v->s.len);
		name[v->s.len] = '\0';
		fac = log_facility_from_name(name);
	}
	if (fac < 0) {
		diag_error(d, "acc: log_facility \"%.*s\" is not a syslog "
		    "facility such as LOG_DAEMON or LOG_LOCAL0",
		    (v->flags & VAL_STR) ? (int)v->s.len : 0,
		    (v->flags & VAL_STR) ? v->s.s : "");
		return -1;
	}
	acc_st.log_facility = fac;
	return 0;
}

/* --- names of tables and columns -------------------------------------------- */

static int
set_name(const struct val *v, struct cfg_diag *d, const char *pname,
    char *buf, const char **dst)
{
	if (!(v->flags & VAL_STR) || !acc_sql_name_ok(v->s.s, v->s.len)) {
		diag_error(d, "acc: %s must be a plain SQL name (letters, "
		    "digits and '_', not starting with a digit, at most %d "
		    "bytes), not \"%.*s\"", pname, ACC_NAME_MAX - 1,
		    (v->flags & VAL_STR) ? (int)v->s.len : 0,
		    (v->flags & VAL_STR) ? v->s.s : "");
		return -1;
	}
	memcpy(buf, v->s.s, v->s.len);
	buf[v->s.len] = '\0';
	*dst = buf;
	return 0;
}

#define ACC_NAME_PARAM(fn, pname, dst)                                    \
	static char fn##_buf[ACC_NAME_MAX];                                \
	static int fn(const struct val *v, struct cfg_diag *d)            \
	{                                                                  \
		return set_name(v, d, pname, fn##_buf, &(dst));           \
	}

ACC_NAME_PARAM(set_table_acc, "db_table_acc", acc_st.table_acc)
ACC_NAME_PARAM(set_table_missed, "db_table_missed_calls",
    acc_st.table_missed)
ACC_NAME_PARAM(set_col_method, "acc_method_column", acc_st.cols[ACC_METHOD])
ACC_NAME_PARAM(set_col_from_tag, "acc_from_tag_column",
    acc_st.cols[ACC_FROM_TAG])
ACC_NAME_PARAM(set_col_to_tag, "acc_to_tag_column", acc_st.cols[ACC_TO_TAG])
ACC_NAME_PARAM(set_col_callid, "acc_callid_column", acc_st.cols[ACC_CALLID])
ACC_NAME_PARAM(set_col_code, "acc_sip_code_column", acc_st.cols[ACC_CODE])
ACC_NAME_PARAM(set_col_reason, "acc_sip_reason_column",
    acc_st.cols[ACC_REASON])
ACC_NAME_PARAM(set_col_time, "acc_time_column", acc_st.cols[ACC_DB_TIME])

/* --- the extras ----------------------------------------------------------- */

/*
 * The spec is compiled here to report a mistake at the modparam's line,
 * then dropped: init compiles it again for good (by then every module
 * is loaded), which keeps `tandem -c` free of leaks.
 */
static int
set_extra(const struct val *v, struct cfg_diag *d, const char *pname,
    int sql_names, char *buf)
{
	struct acc_extras check;

	if (!(v->flags & VAL_STR) || v->s.len >= ACC_SPEC_MAX) {
		diag_error(d, "acc: %s must be a string shorter than %d bytes",
		    pname, ACC_SPEC_MAX);
		return -1;
	}
	if (acc_extras_parse(pname, &v->s, sql_names, &check, d, d->cur) != 0)
		return -1;
	acc_extras_free(&check);
	memcpy(buf, v->s.s, v->s.len);
	buf[v->s.len] = '\0';
	return 0;
}

static int
set_log_extra(const struct val *v, struct cfg_diag *d)
{
	return set_extra(v, d, "log_extra", 0, acc_st.log_extra_spec);
}

static int
set_db_extra(const struct val *v, struct cfg_diag *d)
{
	return set_extra(v, d, "db_extra", 1, acc_st.db_extra_spec);
}

/* --- the database URL ------------------------------------------------------ */

/* The database module of db_url ("db_<scheme>") is initialised before
 * acc's init (core/module.c orders by this list, read after every
 * modparam). */
static char acc_dep_db[40];
static const char *acc_depends[] = { NULL, NULL };
static char acc_db_url_buf[1024];

static void
set_db_dep(const char *url)
{
	const char *sep = strstr(url, "://");
	size_t n = sep ? (size_t)(sep - url) : 0;

	acc_depends[0] = NULL;
	if (n == 0 || n + 4 > sizeof(acc_dep_db))
		return;
	for (size_t i = 0; i < n; i++)
		if (!((url[i] >= 'a' && url[i] <= 'z') ||
		    (url[i] >= '0' && url[i] <= '9') || url[i] == '_'))
			return;
	memcpy(acc_dep_db, "db_", 3);
	memcpy(acc_dep_db + 3, url, n);
	acc_dep_db[n + 3] = '\0';
	acc_depends[0] = acc_dep_db;
}

static int
set_db_url(const struct val *v, struct cfg_diag *d)
{
	if (!(v->flags & VAL_STR) || v->s.len == 0) {
		diag_error(d, "acc: db_url must be a non-empty string such as "
		    "\"sqlite:///var/lib/tandem/acc.db\"");
		return -1;
	}
	if (v->s.len >= sizeof(acc_db_url_buf)) {
		diag_error(d, "acc: db_url is longer than %zu bytes",
		    sizeof(acc_db_url_buf) - 1);
		return -1;
	}
	if (memchr(v->s.s, '\0', v->s.len) != NULL ||
	    memmem(v->s.s, v->s.len, "://", 3) == NULL) {
		diag_error(d, "acc: db_url \"%.*s\" has no scheme:// (as in "
		    "sqlite:///var/lib/tandem/acc.db)", STR_FMT(&v->s));
		return -1;
	}
	memcpy(acc_db_url_buf, v->s.s, v->s.len);
	acc_db_url_buf[v->s.len] = '\0';
	acc_st.db_url = acc_db_url_buf;
	set_db_dep(acc_db_url_buf);
	return 0;
}

/*
 * early_media, report_ack, report_cancels, detect_direction: Kamailio's
 * default config sets each to 0, which is what Tandem's acc does (no
 * record for a 183, an ACK or a CANCEL; From/To as received).  1 would
 * ask for records Tandem does not make: refused, so that nobody counts
 * on them.
 */
static int
set_off_only(const struct val *v, struct cfg_diag *d, const char *name,
    const char *why)
{
	long long n;

	if (val_to_int(v, &n) < 0 || (n != 0 && n != 1)) {
		diag_error(d, "acc: %s is 0 or 1", name);
		return -1;
	}
	if (n == 1) {
		diag_error(d, "acc: %s 1 is not supported: %s", name, why);
		return -1;
	}
	return 0;
}

static int
set_early_media(const struct val *v, struct cfg_diag *d)
{
	return set_off_only(v, d, "early_media", "provisional replies are "
	    "not accounted");
}

static int
set_report_ack(const struct val *v, struct cfg_diag *d)
{
	return set_off_only(v, d, "report_ack", "ACKs are not accounted");
}

static int
set_report_cancels(const struct val *v, struct cfg_diag *d)
{
	return set_off_only(v, d, "report_cancels", "tm answers a CANCEL "
	    "before the routes run, so it is never accounted");
}

static int
set_detect_direction(const struct val *v, struct cfg_diag *d)
{
	return set_off_only(v, d, "detect_direction", "From and To are "
	    "recorded as received");
}

static const struct param_export acc_params[] = {
	{ "early_media", PARAM_INT, NULL, set_early_media },
	{ "report_ack", PARAM_INT, NULL, set_report_ack },
	{ "report_cancels", PARAM_INT, NULL, set_report_cancels },
	{ "detect_direction", PARAM_INT, NULL, set_detect_direction },
	{ "log_flag", PARAM_INT, NULL, set_log_flag },
	{ "log_missed_flag", PARAM_INT, NULL, set_log_missed_flag },
	{ "failed_transaction_flag", PARAM_INT, NULL, set_failed_flag },
	{ "log_level", PARAM_INT, NULL, set_log_level },
	{ "log_facility", PARAM_STR, NULL, set_log_facility },
	{ "log_extra", PARAM_STR, NULL, set_log_extra },
	{ "db_url", PARAM_STR, NULL, set_db_url },
	{ "db_flag", PARAM_INT, NULL, set_db_flag },
	{ "db_missed_flag", PARAM_INT, NULL, set_db_missed_flag },
	{ "db_extra", PARAM_STR, NULL, set_db_extra },
	{ "db_table_acc", PARAM_STR, NULL, set_table_acc },
	{ "db_table_missed_calls", PARAM_STR, NULL, set_table_missed },
	{ "acc_method_column", PARAM_STR, NULL, set_col_method },
	{ "acc_from_tag_column", PARAM_STR, NULL, set_col_from_tag },
	{ "acc_to_tag_column", PARAM_STR, NULL, set_col_to_tag },
	{ "acc_callid_column", PARAM_STR, NULL, set_col_callid },
	{ "acc_sip_code_column", PARAM_STR, NULL, set_col_code },
	{ "acc_sip_reason_column", PARAM_STR, NULL, set_col_reason },
	{ "acc_time_column", PARAM_STR, NULL, set_col_time },
	{ NULL, 0, NULL, NULL },
};

/* --- the script functions ---------------------------------------------------- */

/* The literal text of a fixed argument, or 0 when it holds variables. */
static int
static_text(void *arg, str_t *out)
{
	const struct arg *a = arg;

	if (a == NULL || a->kind != ARG_K_FMT || a->fmt == NULL ||
	    !fmt_is_static(a->fmt))
		return 0;
	*out = fmt_static_text(a->fmt);
	return 1;
}

static int
fix_comment(void **arg, struct cfg_diag *d)
{
	str_t t;

	if (static_text(*arg, &t) && t.len == 0) {
		diag_error(d, "acc: the comment is empty (write \"200 OK\" or "
		    "any text)");
		return -1;
	}
	return 0;
}

/* Notes a literal table name so that init creates the table. */
static int
fix_table(void **arg, struct cfg_diag *d)
{
	str_t t;

	if (acc_st.db_url == NULL) {
		diag_error(d, "acc_db_request() needs a database: set "
		    "modparam(\"acc\", \"db_url\", ...) before the routes");
		return -1;
	}
	acc_st.db_used = 1;
	if (!static_text(*arg, &t))
		return 0;
	if (!acc_sql_name_ok(t.s, t.len)) {
		diag_error(d, "acc_db_request(): \"%.*s\" is not a table name "
		    "(letters, digits and '_', not starting with a digit)",
		    STR_FMT(&t));
		return -1;
	}
	for (int i = 0; i < acc_st.ntables; i++)
		if (str_eq_cstr(&t, acc_st.tables[i]))
			return 0;
	if (acc_st.ntables == ACC_TABLES_MAX)
		return 0;       /* used as it is, not created */
	memcpy(acc_st.tables[acc_st.ntables], t.s, t.len);
	acc_st.tables[acc_st.ntables++][t.len] = '\0';
	return 0;
}

static int
w_acc_log_request(struct msg *m, void *const *args)
{
	str_t comment, code, reason;

	if (arg_str(m, args[0], &comment) != 0)
		return -1;
	acc_comment_split(&comment, &code, &reason);
	return acc_run_log(m, ACC_LOG_REQUEST, time(NULL), &code, &reason,
	    NULL);
}

static int
w_acc_db_request(struct msg *m, void *const *args)
{
	str_t comment, code, reason, table;
	char name[ACC_NAME_MAX];

	if (arg_str(m, args[0], &comment) != 0 ||
	    arg_str(m, args[1], &table) != 0)
		return -1;
	if (!acc_sql_name_ok(table.s, table.len)) {
		log_errx("acc_db_request(): \"%.*s\" is not a table name",
		    STR_FMT(&table));
		return -1;
	}
	memcpy(name, table.s, table.len);
	name[table.len] = '\0';
	acc_comment_split(&comment, &code, &reason);
	return acc_run_db(m, name, time(NULL), &code, &reason, NULL);
}

#define ACC_ROUTES (RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_EVENT)

static const struct cmd_export acc_cmds[] = {
	{ .name = "acc_log_request", .fn = w_acc_log_request,
	  .routes = ACC_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = fix_comment } } },
	{ .name = "acc_db_request", .fn = w_acc_db_request,
	  .routes = ACC_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = fix_comment },
	            { .flags = ARG_STR, .fixup = fix_table } } },
	{ .name = NULL },
};

/* --- init ------------------------------------------------------------------ */

static int
compile_extras(void)
{
	struct cfg_pos none = { 0, 0, 0 };
	struct cfg_diag d;
	str_t spec;
	int rc;

	diag_init(&d, NULL);
	spec = str_cstr(acc_st.log_extra_spec);
	rc = acc_extras_parse("log_extra", &spec, 0, &acc_st.log_extra, &d,
	    none);
	spec = str_cstr(acc_st.db_extra_spec);
	if (rc == 0)
		rc = acc_extras_parse("db_extra", &spec, 1, &acc_st.db_extra,
		    &d, none);
	if (rc != 0)
		diag_log(&d);
	diag_free(&d);
	if (rc != 0)
		return -1;
	/* a db_extra column must not be one of the record's own */
	for (int i = 0; i < acc_st.db_extra.n; i++)
		for (int k = 0; k < ACC_DB_NCOLS; k++)
			if (strcmp(acc_st.db_extra.x[i].name,
			    acc_st.cols[k]) == 0) {
				log_errx("acc: db_extra names the column '%s', "
				    "which holds the record's own field",
				    acc_st.cols[k]);
				return -1;
			}
	return 0;
}

/* Creates the tables on a connection closed before fork: every process
 * opens its own. */
static int
prepare_tables(void)
{
	struct acc_db db = acc_st.db;
	const char *fixed[2] = { acc_st.table_acc, acc_st.table_missed };
	int rc = -1;

	if ((db.conn = db.api->open(acc_st.db_url)) == NULL) {
		log_errx("acc: cannot open the database %s", acc_st.db_url);
		return -1;
	}
	for (int i = 0; i < 2 + acc_st.ntables; i++) {
		const char *t = i < 2 ? fixed[i] : acc_st.tables[i - 2];

		if (acc_db_create(&db, t) != 0) {
			log_errx("acc: cannot create the table %s in %s", t,
			    acc_st.db_url);
			goto out;
		}
	}
	rc = 0;
out:
	db.api->close(db.conn);
	return rc;
}

static int
init_db(void)
{
	const struct acc_flags *f = &acc_st.flags;

	if (acc_st.db_url == NULL) {
		if (f->db >= 0 || f->db_missed >= 0) {
			log_errx("acc: db_flag / db_missed_flag are set but "
			    "there is no database: set modparam(\"acc\", "
			    "\"db_url\", ...)");
			return -1;
		}
		return 0;
	}
	if ((acc_st.db_api = db_bind(acc_st.db_url)) == NULL)
		return -1;
	acc_st.db.api = acc_st.db_api;
	acc_st.db.conn = NULL;
	for (int i = 0; i < ACC_DB_NCOLS; i++)
		acc_st.db.cols[i] = acc_st.cols[i];
	acc_st.db.extra = &acc_st.db_extra;
	return prepare_tables();
}

/* tm is needed only for the transaction flags. */
static int
init_tm(void)
{
	const struct acc_flags *f = &acc_st.flags;
	const struct tm_api *tm;

	if (f->log < 0 && f->log_missed < 0 && f->db < 0 && f->db_missed < 0)
		return 0;
	if ((tm = mod_api_get("tm", TM_API_VERSION)) == NULL) {
		log_errx("acc: log_flag, log_missed_flag, db_flag and "
		    "db_missed_flag account transactions: they need the tm "
		    "module (api version %d), which is not loaded",
		    TM_API_VERSION);
		return -1;
	}
	return tm->register_final_cb(acc_run_final);
}

static int
acc_init(void)
{
	if (compile_extras() != 0 || init_db() != 0 || init_tm() != 0)
		return -1;
	return 0;
}

static int
acc_child_init(const struct proc_self *self)
{
	/* the processes that route messages or end transactions (the
	 * timer's fr_timer) account; the others open it only if they ever
	 * need it */
	if (acc_st.db_api == NULL ||
	    (self->role != PROC_ROLE_TCP_WORKER &&
	    self->role != PROC_ROLE_UDP_RECEIVER &&
	    self->role != PROC_ROLE_TIMER))
		return 0;
	return acc_db_get() != NULL ? 0 : -1;
}

/* The extras compiled by the modparams and init: freed also when init
 * failed or never ran. */
static void
acc_unload(void)
{
	acc_extras_free(&acc_st.log_extra);
	acc_extras_free(&acc_st.db_extra);
}

static void
acc_destroy(void)
{
	if (acc_st.db.conn != NULL && acc_st.db_api != NULL)
		acc_st.db_api->close(acc_st.db.conn);
	acc_st.db.conn = NULL;
	acc_extras_free(&acc_st.log_extra);
	acc_extras_free(&acc_st.db_extra);
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "acc",
	.version = PACKAGE_VERSION,
	.depends = acc_depends,
	.cmds = acc_cmds,
	.params = acc_params,
	.init = acc_init,
	.child_init = acc_child_init,
	.destroy = acc_destroy,
	.unload = acc_unload,
};
