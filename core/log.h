/*
 * log.h - leveled logging to stderr or syslog.
 *
 * Levels follow Kamailio's numbering so that `debug=N` in a config means
 * what its author expects: a line is written when its level <= debug.
 * Every line is prefixed with the pid and the level name.  The *_x
 * variants do not append strerror(errno); the plain err/warn ones do.
 */
#ifndef TD_LOG_H
#define TD_LOG_H

#include <stdarg.h>

enum log_level {
	L_ALERT  = -5,
	L_BUG    = -4,
	L_CRIT2  = -3,
	L_CRIT   = -2,
	L_ERR    = -1,
	L_WARN   = 0,
	L_NOTICE = 1,
	L_INFO   = 2,
	L_DBG    = 3,
};

/* Where lines go.  log_init() may be called again after the config is read. */
void log_init(const char *ident, int to_stderr, int facility);
/* Points the level at an int in shared memory (core.debug changes it). */
void log_bind_level(int *shared_level);
void log_set_level(int level);
int  log_get_level(void);
int  log_enabled(int level);
/* Prefix added after the pid and level, e.g. "cfg: " (log_prefix=). */
void log_set_prefix(const char *prefix);
/* Maps "LOG_LOCAL0" etc. to a facility; returns -1 if unknown. */
int  log_facility_from_name(const char *name);

/*
 * A level for the calling process only, which log_enabled() uses instead
 * of the shared one until log_reset_local_level() (kex setdebug()).
 */
void log_set_local_level(int level);
void log_reset_local_level(void);

void log_at(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* log_at() to syslog facility `facility` (ignored on stderr); xlog. */
void log_fac_at(int facility, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vat(int level, int with_errno, const char *fmt, va_list ap);

#define log_alert(...)  log_at(L_ALERT, __VA_ARGS__)
#define log_bug(...)    log_at(L_BUG, __VA_ARGS__)
#define log_crit(...)   log_at(L_CRIT, __VA_ARGS__)
#define log_errx(...)   log_at(L_ERR, __VA_ARGS__)
#define log_warnx(...)  log_at(L_WARN, __VA_ARGS__)
#define log_notice(...) log_at(L_NOTICE, __VA_ARGS__)
#define log_info(...)   log_at(L_INFO, __VA_ARGS__)
#define log_dbg(...)    do { if (log_enabled(L_DBG)) log_at(L_DBG, __VA_ARGS__); } while (0)

/* These append ": strerror(errno)". */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Before the daemon serves only: logs and exits with status 2. */
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

const char *log_level_name(int level);

#endif
