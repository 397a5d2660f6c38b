#include "config.h"

#include <limits.h>

#include "arg.h"
#include "cmd.h"
#include "log.h"
#include "msg.h"

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

static const struct cmd_export core_cmds[] = {
	{ .name = "log", .fn = cmd_log1, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "log", .fn = cmd_log2, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT }, { .flags = ARG_STR } } },
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
