#include "config.h"

#include <limits.h>

#include "arg.h"
#include "cmd.h"
#include "log.h"
#include "msg.h"
#include "sip.h"

/*
 * SER's log(msg) logs at level 4 (L_DBG + 1), so it is silent unless
 * debug is above the usual maximum; configs written for SER and Kamailio
 * rely on that, so it is kept.
 */
#define LOG_DEFAULT_LEVEL (L_DBG + 1)

static int
log_write(struct msg *m, long long level, const void *text)
{
	str_t s;

	if (!log_enabled((int)level))
		return 1;       /* do not render what nobody will read */
	if (arg_str(m, text, &s) == -1) {
		log_errx("log(): could not render the message");
		return -1;
	}
	log_at((int)level, "<script>: %.*s", STR_FMT(&s));
	return 1;
}

static int
cmd_log1(struct msg *m, void *const *args)
{
	return log_write(m, LOG_DEFAULT_LEVEL, args[0]);
}

static int
cmd_log2(struct msg *m, void *const *args)
{
	long long level;

	if (arg_int(m, args[0], &level) == -1) {
		log_errx("log(): level is not a number");
		return -1;
	}
	/* a level above debug's range is only ever silent; keep the int
	 * conversion from wrapping it into a loud one */
	if (level < L_ALERT)
		level = L_ALERT;
	else if (level > INT_MAX)
		level = INT_MAX;
	return log_write(m, level, args[1]);
}

/* --- the Request-URI and the destination URI (Kamailio's core forms) --- */

static int
uri_arg(struct msg *m, const void *arg, const char *fn, str_t *out)
{
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("%s: only a request has a Request-URI", fn);
		return -1;
	}
	if (arg_str(m, arg, out) == -1) {
		log_errx("%s: could not render the argument", fn);
		return -1;
	}
	return 0;
}

static int
cmd_seturi(struct msg *m, void *const *args)
{
	str_t s, host;

	if (uri_arg(m, args[0], "seturi()", &s) < 0)
		return -1;
	if (sip_uri_host(m, &s, &host) != 0) {
		log_errx("seturi(): '%.*s' is not a SIP URI", STR_FMT(&s));
		return -1;
	}
	return msg_set_ruri(m, &s) == 0 ? 1 : -1;
}

static int
cmd_revert_uri(struct msg *m, void *const *args)
{
	(void)args;
	return msg_set_ruri(m, &STR_NULL) == 0 ? 1 : -1;
}

static int
set_part(struct msg *m, const void *arg, int which, const char *fn)
{
	str_t s;

	if (uri_arg(m, arg, fn, &s) < 0)
		return -1;
	return msg_set_ruri_part(m, which, &s) == 0 ? 1 : -1;
}

static int
cmd_sethost(struct msg *m, void *const *args)
{
	return set_part(m, args[0], 'd', "sethost()");
}

static int
cmd_setuser(struct msg *m, void *const *args)
{
	return set_part(m, args[0], 'U', "setuser()");
}

static int
cmd_setport(struct msg *m, void *const *args)
{
	return set_part(m, args[0], 'p', "setport()");
}

static int
cmd_setdsturi(struct msg *m, void *const *args)
{
	str_t s, host;

	if (uri_arg(m, args[0], "setdsturi()", &s) < 0)
		return -1;
	if (sip_uri_host(m, &s, &host) != 0) {
		log_errx("setdsturi(): '%.*s' is not a SIP URI", STR_FMT(&s));
		return -1;
	}
	return msg_set_duri(m, &s) == 0 ? 1 : -1;
}

static int
cmd_resetdsturi(struct msg *m, void *const *args)
{
	(void)args;
	return msg_set_duri(m, &STR_NULL) == 0 ? 1 : -1;
}

static int
cmd_isdsturiset(struct msg *m, void *const *args)
{
	str_t s;

	(void)args;
	return msg_get_duri(m, &s) == 1 ? 1 : -1;
}

/*
 * force_rport(), set_reply_no_connect(), ...: each sets one MSG_FWD_*
 * flag of the request, which sl and tm read when they reply or forward.
 */
#define FWD_FLAG_CMD(fn, flag)						\
static int								\
fn(struct msg *m, void *const *args)					\
{									\
	(void)args;							\
	if (m->kind != MSG_SIP_REQUEST)					\
		return -1;						\
	m->fwd_flags |= (flag);						\
	return 1;							\
}
FWD_FLAG_CMD(cmd_force_rport, MSG_FWD_FORCE_RPORT)
FWD_FLAG_CMD(cmd_reply_no_connect, MSG_FWD_REPLY_NO_CONNECT)
FWD_FLAG_CMD(cmd_reply_close, MSG_FWD_REPLY_CLOSE)
FWD_FLAG_CMD(cmd_forward_no_connect, MSG_FWD_NO_CONNECT)
FWD_FLAG_CMD(cmd_forward_close, MSG_FWD_CLOSE)

#define URI_CMD(n, f) { .name = n, .fn = f, .routes = RT_REQUEST | RT_FAILURE \
	| RT_BRANCH, .args = { { .flags = ARG_STR } } }
#define URI_CMD0(n, f) { .name = n, .fn = f, .routes = RT_REQUEST | \
	RT_FAILURE | RT_BRANCH }

static const struct cmd_export core_cmds[] = {
	{ .name = "log", .fn = cmd_log1, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "log", .fn = cmd_log2, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT }, { .flags = ARG_STR } } },
	URI_CMD("seturi", cmd_seturi),
	URI_CMD("rewriteuri", cmd_seturi),
	URI_CMD0("revert_uri", cmd_revert_uri),
	URI_CMD("sethost", cmd_sethost),
	URI_CMD("rewritehost", cmd_sethost),
	URI_CMD("setuser", cmd_setuser),
	URI_CMD("rewriteuser", cmd_setuser),
	URI_CMD("setport", cmd_setport),
	URI_CMD("rewriteport", cmd_setport),
	URI_CMD("setdsturi", cmd_setdsturi),
	URI_CMD0("resetdsturi", cmd_resetdsturi),
	URI_CMD0("isdsturiset", cmd_isdsturiset),
	URI_CMD0("force_rport", cmd_force_rport),
	URI_CMD0("set_reply_no_connect", cmd_reply_no_connect),
	URI_CMD0("set_reply_close", cmd_reply_close),
	URI_CMD0("set_forward_no_connect", cmd_forward_no_connect),
	URI_CMD0("set_forward_close", cmd_forward_close),
	{ .name = NULL },
};

/*
 * Registers the core's own script functions under the owner "core".
 * Returns 0 or -1 (error in d).
 */
int
cmd_core_register(struct cfg_diag *d)
{
	struct cfg_pos none = { 0, 0, 0 };

	return cmd_register_table(core_cmds, "core", d, none);
}
