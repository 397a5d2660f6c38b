/*
 * msilo - offline message storage: m_store() keeps a MESSAGE for a user
 * who is not online in the silo table, m_dump() sends a user's stored
 * messages to the contact of the REGISTER that brings the user back, and
 * a timer releases stuck deliveries and deletes expired messages.
 *
 * This file holds the exports, the parameters, init/child_init and the
 * timer; msilo_store.c and msilo_dump.c the two functions.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "msilo_mod.h"
#include "msilo_sip.h"

struct msilo_state msilo_st = {
	.db_url = "mysql://root@localhost/msilo",   /* the seed's default */
	.db_table = "silo",
	.expire_time = 259200,
	.check_time = 30,
	.clean_period = 5,
	.use_contact = 1,
	.add_date = 1,
	.max_messages = 0,
	.max_body_size = 60000,
};

/* tm, then the database module of db_url ("db_<scheme>"), so that both
 * are initialised before msilo's init runs (core/module.c orders by
 * this list, read after every modparam). */
static char msilo_dep_db[40];
static const char *msilo_depends[] = { "tm", NULL, NULL };

/* A URL's scheme is copied only if it is a plain name. */
static void
msilo_set_db_dep(const char *url)
{
	const char *sep = strstr(url, "://");
	size_t n = sep ? (size_t)(sep - url) : 0;

	msilo_depends[1] = NULL;
	if (n == 0 || n + 4 > sizeof(msilo_dep_db))
		return;
	for (size_t i = 0; i < n; i++)
		if (!((url[i] >= 'a' && url[i] <= 'z') ||
		    (url[i] >= '0' && url[i] <= '9') || url[i] == '_'))
			return;
	memcpy(msilo_dep_db, "db_", 3);
	memcpy(msilo_dep_db + 3, url, n);
	msilo_dep_db[n + 3] = '\0';
	msilo_depends[1] = msilo_dep_db;
}

/* The URL lives here, not on the heap: `tandem -c` loads and unloads the
 * module without init or destroy, and nothing may leak then. */
static char msilo_db_url_buf[1024];

static int
set_db_url(const struct val *v, struct cfg_diag *d)
{
	if (!(v->flags & VAL_STR) || v->s.len == 0) {
		diag_error(d, "msilo: db_url must be a non-empty string such "
		    "as \"sqlite:///var/lib/tandem/msilo.db\"");
		return -1;
	}
	if (v->s.len >= sizeof(msilo_db_url_buf)) {
		diag_error(d, "msilo: db_url is longer than %zu bytes",
		    sizeof(msilo_db_url_buf) - 1);
		return -1;
	}
	if (memchr(v->s.s, '\0', v->s.len) != NULL ||
	    memmem(v->s.s, v->s.len, "://", 3) == NULL) {
		diag_error(d, "msilo: db_url \"%.*s\" has no scheme:// (as in "
		    "sqlite:///var/lib/tandem/msilo.db)", STR_FMT(&v->s));
		return -1;
	}
	memcpy(msilo_db_url_buf, v->s.s, v->s.len);
	msilo_db_url_buf[v->s.len] = '\0';
	msilo_st.db_url = msilo_db_url_buf;
	msilo_set_db_dep(msilo_db_url_buf);
	return 0;
}

static const struct param_export msilo_params[] = {
	{ "db_url", PARAM_STR, NULL, set_db_url },
	{ "db_table", PARAM_STR, &msilo_st.db_table, NULL },
	{ "registrar", PARAM_STR, &msilo_st.registrar, NULL },
	{ "from_address", PARAM_STR, &msilo_st.registrar, NULL },
	{ "outbound_proxy", PARAM_STR, &msilo_st.outbound_proxy, NULL },
	{ "offline_message", PARAM_STR, &msilo_st.offline_message, NULL },
	{ "expire_time", PARAM_INT, &msilo_st.expire_time, NULL },
	{ "check_time", PARAM_INT, &msilo_st.check_time, NULL },
	{ "clean_period", PARAM_INT, &msilo_st.clean_period, NULL },
	{ "use_contact", PARAM_INT, &msilo_st.use_contact, NULL },
	{ "add_date", PARAM_INT, &msilo_st.add_date, NULL },
	{ "max_messages", PARAM_INT, &msilo_st.max_messages, NULL },
	{ "max_body_size", PARAM_INT, &msilo_st.max_body_size, NULL },
	{ NULL, 0, NULL, NULL },
};

/* --- argument checks at load time --------------------------------------- */

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
fix_store_mode(void **arg, struct cfg_diag *d)
{
	str_t t;

	if (!static_text(*arg, &t) || msilo_mode_parse(&t) >= 0 ||
	    msilo_is_aor(&t))
		return 0;
	diag_error(d, "m_store(): the mode must be \"0\", \"1\" or \"2\" (or, "
	    "as in Kamailio 5.6, the owner's URI user@host), not \"%.*s\"",
	    STR_FMT(&t));
	return -1;
}

static int
fix_next_hop(void **arg, struct cfg_diag *d)
{
	str_t t, user, host;

	if (!static_text(*arg, &t) || t.len == 0 ||
	    msilo_uri_aor(&t, &user, &host) == 0)
		return 0;
	diag_error(d, "msilo: \"%.*s\" is not a SIP URI (a next hop is "
	    "written as \"sip:127.0.0.1:5060\")", STR_FMT(&t));
	return -1;
}

static const struct cmd_export msilo_cmds[] = {
	{ .name = "m_store", .fn = msilo_m_store,
	  .routes = RT_REQUEST | RT_FAILURE,
	  .args = { { .flags = ARG_STR | ARG_OPT, .fixup = fix_store_mode },
	            { .flags = ARG_STR | ARG_OPT, .fixup = fix_next_hop } } },
	{ .name = "m_dump", .fn = msilo_m_dump, .routes = RT_REQUEST,
	  .args = { { .flags = ARG_STR | ARG_OPT, .fixup = fix_next_hop } } },
	{ .name = NULL },
};

/* --- shared helpers ------------------------------------------------------ */

const struct msilo_db *
msilo_db_get(void)
{
	if (msilo_st.db.conn == NULL) {
		if (msilo_st.db_api == NULL)
			return NULL;
		msilo_st.db.conn = msilo_st.db_api->open(msilo_st.db_url);
		if (msilo_st.db.conn == NULL) {
			log_errx("msilo: cannot open the database %s",
			    msilo_st.db_url);
			return NULL;
		}
	}
	return &msilo_st.db;
}

const struct tm_api *
msilo_tm(void)
{
	if (msilo_st.tm == NULL &&
	    (msilo_st.tm = mod_api_get("tm", TM_API_VERSION)) == NULL)
		log_errx("msilo: the tm module (api version %d) is not "
		    "loaded: messages cannot be sent", TM_API_VERSION);
	return msilo_st.tm;
}

int
msilo_is_registrar(const str_t *uri)
{
	str_t user, host;

	if (msilo_st.reg_host.len == 0 || uri == NULL ||
	    msilo_uri_aor(uri, &user, &host) != 0)
		return 0;
	return str_eq(&user, &msilo_st.reg_user) &&
	    str_casecmp_eq(&host, &msilo_st.reg_host);
}

/* --- the timer ----------------------------------------------------------- */

/*
 * A claim older than this is a delivery whose outcome never came (tm
 * reports every transaction's end within its fr_timer, so only a crash
 * loses one): released, the next REGISTER sends the message again.
 */
static time_t
stuck_age(void)
{
	time_t a = 2 * (time_t)msilo_st.check_time;

	return a < 120 ? 120 : a;
}

static void
msilo_tick(void *arg)
{
	const struct msilo_db *db = msilo_db_get();
	time_t now = time(NULL);
	long long n;

	(void)arg;
	if (db == NULL)
		return;
	n = msilo_db_release_stuck(db, now - stuck_age());
	if (n > 0)
		log_warnx("msilo: %lld message(s) sent more than %lds ago got "
		    "no outcome; they will be sent again at the next "
		    "REGISTER", n, (long)stuck_age());
	if (++msilo_st.ticks % (unsigned)msilo_st.clean_period != 0)
		return;
	n = msilo_db_clean(db, now);
	if (n > 0)
		log_info("msilo: %lld expired message(s) deleted", n);
}

/* --- init ---------------------------------------------------------------- */

static int
check_params(void)
{
	str_t s;

	if (msilo_st.expire_time <= 0 || msilo_st.check_time <= 0 ||
	    msilo_st.clean_period <= 0) {
		log_errx("msilo: expire_time, check_time and clean_period "
		    "must be positive (have %d, %d, %d)",
		    msilo_st.expire_time, msilo_st.check_time,
		    msilo_st.clean_period);
		return -1;
	}
	if (msilo_st.max_messages < 0 || msilo_st.max_body_size <= 0) {
		log_errx("msilo: max_messages must be >= 0 and max_body_size "
		    "> 0 (have %d, %d)", msilo_st.max_messages,
		    msilo_st.max_body_size);
		return -1;
	}
	if (!msilo_db_name_ok(msilo_st.db_table)) {
		log_errx("msilo: db_table \"%s\" is not a plain table name "
		    "(letters, digits, '_')", msilo_st.db_table ?
		    msilo_st.db_table : "");
		return -1;
	}
	msilo_st.reg_user = msilo_st.reg_host = STR_NULL;
	if (msilo_st.registrar != NULL && *msilo_st.registrar != '\0') {
		s = str_cstr(msilo_st.registrar);
		if (!msilo_is_aor(&s) || msilo_uri_aor(&s, &msilo_st.reg_user,
		    &msilo_st.reg_host) != 0) {
			log_errx("msilo: registrar \"%s\" is not a SIP address "
			    "user@host such as sip:registrar@example.org",
			    msilo_st.registrar);
			return -1;
		}
	} else {
		msilo_st.registrar = NULL;
	}
	if (msilo_st.outbound_proxy != NULL &&
	    *msilo_st.outbound_proxy != '\0') {
		str_t u, h;

		s = str_cstr(msilo_st.outbound_proxy);
		if (msilo_uri_aor(&s, &u, &h) != 0) {
			log_errx("msilo: outbound_proxy \"%s\" is not a SIP URI",
			    msilo_st.outbound_proxy);
			return -1;
		}
	}
	return 0;
}

static int
compile_offline_message(void)
{
	struct cfg_pos none = { 0, 0, 0 };
	struct cfg_diag d;
	int rc;

	if (msilo_st.offline_message == NULL ||
	    *msilo_st.offline_message == '\0')
		return 0;
	diag_init(&d, NULL);
	rc = fmt_compile(msilo_st.offline_message,
	    strlen(msilo_st.offline_message), &msilo_st.offline_fmt, &d, none);
	if (rc != 0) {
		diag_log(&d);
		log_errx("msilo: offline_message \"%s\" does not compile",
		    msilo_st.offline_message);
	}
	diag_free(&d);
	return rc;
}

/* Creates the table and drops the claims of a previous run (nothing is
 * in flight in a daemon that starts), on a connection closed before
 * fork: every process opens its own. */
static int
prepare_table(void)
{
	struct msilo_db db = { msilo_st.db_api, NULL, msilo_st.db_table };
	long long n;
	int rc = -1;

	if ((db.conn = db.api->open(msilo_st.db_url)) == NULL) {
		log_errx("msilo: cannot open the database %s", msilo_st.db_url);
		return -1;
	}
	if (msilo_db_create(&db) != 0) {
		log_errx("msilo: cannot create the table %s in %s",
		    msilo_st.db_table, msilo_st.db_url);
		goto out;
	}
	if ((n = msilo_db_release_all(&db)) < 0)
		goto out;
	if (n > 0)
		log_notice("msilo: %lld message(s) were being delivered when "
		    "the server stopped; they wait for the next REGISTER", n);
	rc = 0;
out:
	db.api->close(db.conn);
	return rc;
}

static int
msilo_init(void)
{
	if (check_params() != 0 || compile_offline_message() != 0)
		return -1;
	if ((msilo_st.db_api = db_bind(msilo_st.db_url)) == NULL)
		return -1;
	if (msilo_tm() == NULL)
		return -1;
	msilo_st.db.api = msilo_st.db_api;
	msilo_st.db.table = msilo_st.db_table;
	if (prepare_table() != 0)
		return -1;
	msilo_st.st_stored = stats_register("msilo", "stored_messages", 0);
	msilo_st.st_dumped = stats_register("msilo", "dumped_messages", 0);
	msilo_st.st_failed = stats_register("msilo", "failed_messages", 0);
	msilo_st.st_dumped_rem = stats_register("msilo", "dumped_reminders", 0);
	msilo_st.st_failed_rem = stats_register("msilo", "failed_reminders", 0);
	if (!msilo_st.st_stored || !msilo_st.st_dumped || !msilo_st.st_failed ||
	    !msilo_st.st_dumped_rem || !msilo_st.st_failed_rem) {
		log_errx("msilo: cannot register the statistics");
		return -1;
	}
	if (timer_register("msilo check", (unsigned)msilo_st.check_time *
	    1000u, msilo_tick, NULL) != 0)
		return -1;
	return 0;
}

static int
msilo_child_init(const struct proc_self *self)
{
	/* the processes that route messages or run the timer use the
	 * database; the others open it only if they ever need it */
	if (self->role != PROC_ROLE_TCP_WORKER &&
	    self->role != PROC_ROLE_UDP_RECEIVER &&
	    self->role != PROC_ROLE_TIMER)
		return 0;
	return msilo_db_get() != NULL ? 0 : -1;
}

static void
msilo_destroy(void)
{
	if (msilo_st.db.conn != NULL && msilo_st.db_api != NULL)
		msilo_st.db_api->close(msilo_st.db.conn);
	msilo_st.db.conn = NULL;
	fmt_free(msilo_st.offline_fmt);
	msilo_st.offline_fmt = NULL;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "msilo",
	.version = PACKAGE_VERSION,
	.depends = msilo_depends,
	.cmds = msilo_cmds,
	.params = msilo_params,
	.init = msilo_init,
	.child_init = msilo_child_init,
	.destroy = msilo_destroy,
};
