#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

/*
 * The logger's own state.  It is private to this file; the level may live
 * in shared memory so that one RPC changes it for every process.
 */
static struct {
	int         to_stderr;
	int         facility;
	int         local_level;
	int        *level;
	char        prefix[64];
	int         has_override;   /* log_set_local_level() in effect */
	int         override;
} lg = { 1, LOG_DAEMON, L_WARN, &lg.local_level, "", 0, 0 };

void
log_init(const char *ident, int to_stderr, int facility)
{
	lg.to_stderr = to_stderr;
	lg.facility = facility;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_bind_level(int *shared_level)
{
	*shared_level = *lg.level;
	lg.level = shared_level;
}

void
log_set_level(int level)
{
	*lg.level = level;
}

int
log_get_level(void)
{
	return *lg.level;
}

int
log_enabled(int level)
{
	return level <= (lg.has_override ? lg.override : *lg.level);
}

void
log_set_local_level(int level)
{
	lg.override = level;
	lg.has_override = 1;
}

void
log_reset_local_level(void)
{
	lg.has_override = 0;
}

void
log_set_prefix(const char *prefix)
{
	snprintf(lg.prefix, sizeof(lg.prefix), "%s", prefix ? prefix : "");
}

const char *
log_level_name(int level)
{
	switch (level) {
	case L_ALERT:  return "ALERT";
	case L_BUG:    return "BUG";
	case L_CRIT2:
	case L_CRIT:   return "CRITICAL";
	case L_ERR:    return "ERROR";
	case L_WARN:   return "WARNING";
	case L_NOTICE: return "NOTICE";
	case L_INFO:   return "INFO";
	default:       return "DEBUG";
	}
}

static int
syslog_prio(int level)
{
	if (level <= L_ALERT)
		return LOG_ALERT;
	if (level <= L_CRIT)
		return LOG_CRIT;
	if (level == L_ERR)
		return LOG_ERR;
	if (level == L_WARN)
		return LOG_WARNING;
	if (level == L_NOTICE)
		return LOG_NOTICE;
	if (level == L_INFO)
		return LOG_INFO;
	return LOG_DEBUG;
}

void
log_vat(int level, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	/* drop one trailing newline; the writer adds its own */
	if (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (with_errno)
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));
	if (lg.to_stderr)
		fprintf(stderr, "%5d %s: %s%s\n", (int)getpid(),
		    log_level_name(level), lg.prefix, msg);
	else
		syslog(lg.facility | syslog_prio(level), "%s: %s%s",
		    log_level_name(level), lg.prefix, msg);
	errno = saved;
}

void
log_at(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(level, 0, fmt, ap);
	va_end(ap);
}

void
log_fac_at(int facility, int level, const char *fmt, ...)
{
	int saved = lg.facility;
	va_list ap;

	/* processes are single-threaded: swapping the facility for one
	 * line cannot leak into another line */
	if (facility >= 0)
		lg.facility = facility;
	va_start(ap, fmt);
	log_vat(level, 0, fmt, ap);
	va_end(ap);
	lg.facility = saved;
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(L_ERR, 1, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(L_WARN, 1, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vat(L_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(2);
}

int
log_facility_from_name(const char *name)
{
	static const struct { const char *n; int f; } tab[] = {
		{ "LOG_AUTH", LOG_AUTH },     { "LOG_CRON", LOG_CRON },
		{ "LOG_DAEMON", LOG_DAEMON }, { "LOG_KERN", LOG_KERN },
		{ "LOG_LOCAL0", LOG_LOCAL0 }, { "LOG_LOCAL1", LOG_LOCAL1 },
		{ "LOG_LOCAL2", LOG_LOCAL2 }, { "LOG_LOCAL3", LOG_LOCAL3 },
		{ "LOG_LOCAL4", LOG_LOCAL4 }, { "LOG_LOCAL5", LOG_LOCAL5 },
		{ "LOG_LOCAL6", LOG_LOCAL6 }, { "LOG_LOCAL7", LOG_LOCAL7 },
		{ "LOG_LPR", LOG_LPR },       { "LOG_MAIL", LOG_MAIL },
		{ "LOG_NEWS", LOG_NEWS },     { "LOG_SYSLOG", LOG_SYSLOG },
		{ "LOG_USER", LOG_USER },     { "LOG_UUCP", LOG_UUCP },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].n) == 0 ||
		    strcasecmp(name, tab[i].n + 4) == 0)
			return tab[i].f;
	return -1;
}
