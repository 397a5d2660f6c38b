/*
 * acc_log.h - accounting records as log lines, in Kamailio 5.6's format:
 *
 *   ACC: request accounted: timestamp=1795324930;method=MESSAGE;
 *   from_tag=ft1;to_tag=;call_id=c1@h;code=200;reason=OK;ua=UA1
 *
 * (one line; the extras of log_extra follow the core fields, an unset
 * one is empty).
 */
#ifndef TD_ACC_LOG_H
#define TD_ACC_LOG_H

#include "core/arena.h"
#include "core/str.h"
#include "acc_rec.h"

/* What a line says before its fields. */
#define ACC_LOG_REQUEST  "request accounted"
#define ACC_LOG_ANSWERED "transaction answered"
#define ACC_LOG_MISSED   "call missed"

/* The fields of r ("timestamp=...;...;name=value") in a.  0 or -1. */
int  acc_log_text(struct arena *a, const struct acc_rec *r,
                  const struct acc_extras *x, str_t *out);

/* Logs "ACC: <what>: <text>" at level (a core level) to facility (a
 * syslog facility, used when logging to syslog). */
void acc_log_write(int facility, int level, const char *what,
                   const str_t *text);

#endif
