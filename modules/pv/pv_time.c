/*
 * pv_time.c - $Ts, $TV(...), $time(...) and $timef(format).
 *
 * As in Kamailio, the time is taken once per message: $Ts, $TV(s),
 * $TV(u), $time() and $timef() agree with each other all through one
 * message, while $TV(sn), $TV(un) and $TV(Sn) read the clock anew.
 * $time() is local time with Kamailio's ranges: mon 1..12, year in full,
 * wday 1..7 (1 = Sunday), yday 1..366.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

/* Longest $timef() result; Kamailio's buffer is of the same order. */
#define PV_TIMEF_MAX 256

enum pv_tv_kind { PV_TV_S, PV_TV_U, PV_TV_SN, PV_TV_UN, PV_TV_SSTR };
enum pv_tm_field {
	PV_TM_SEC, PV_TM_MIN, PV_TM_HOUR, PV_TM_MDAY, PV_TM_MON, PV_TM_YEAR,
	PV_TM_WDAY, PV_TM_YDAY, PV_TM_ISDST,
};

static const char *const pv_tv_names[] = {
	[PV_TV_S] = "s", [PV_TV_U] = "u", [PV_TV_SN] = "sn",
	[PV_TV_UN] = "un", [PV_TV_SSTR] = "Sn",
};

static const char *const pv_tm_names[] = {
	[PV_TM_SEC] = "sec", [PV_TM_MIN] = "min", [PV_TM_HOUR] = "hour",
	[PV_TM_MDAY] = "mday", [PV_TM_MON] = "mon", [PV_TM_YEAR] = "year",
	[PV_TM_WDAY] = "wday", [PV_TM_YDAY] = "yday", [PV_TM_ISDST] = "isdst",
};

/*
 * The compiled form of a keyword class is the keyword's index encoded as
 * a pointer (index + 1, so that it is never NULL); nothing to free.
 */
static int
pv_kw_parse(const str_t *inner, const char *const *names, size_t n,
    const char *cls, void **compiled, struct cfg_diag *d)
{
	str_t k = *inner;

	pvt_trim(&k, 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (str_eq_cstr(&k, names[i])) {
			*compiled = (void *)(i + 1);
			return 0;
		}
	}
	diag_error(d, "unknown $%s(%.*s)", cls, STR_FMT(&k));
	return -1;
}

static size_t
pv_kw(void *compiled)
{
	return (size_t)compiled - 1;
}

/* The message's time, taken on first use; the clock when m is NULL. */
static struct timeval
pv_msg_time(struct msg *m)
{
	struct pv_msgctx *c = pv_ctx(m);
	struct timeval tv;

	if (c == NULL) {
		gettimeofday(&tv, NULL);
		return tv;
	}
	if (!c->tv_set) {
		gettimeofday(&c->tv, NULL);
		c->tv_set = 1;
	}
	return c->tv;
}

int
pv_ts_get(struct msg *m, void *compiled, struct val *out)
{
	val_set_int(out, (long long)pv_msg_time(m).tv_sec);
	return 0;
}

int
pv_tv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	return pv_kw_parse(inner, pv_tv_names,
	    sizeof(pv_tv_names) / sizeof(pv_tv_names[0]), "TV", compiled, d);
}

int
pv_tv_get(struct msg *m, void *compiled, struct val *out)
{
	struct timeval tv;
	char buf[48];
	str_t s;
	int n;

	switch (pv_kw(compiled)) {
	case PV_TV_S:
		val_set_int(out, (long long)pv_msg_time(m).tv_sec);
		return 0;
	case PV_TV_U:
		val_set_int(out, (long long)pv_msg_time(m).tv_usec);
		return 0;
	}
	gettimeofday(&tv, NULL);
	switch (pv_kw(compiled)) {
	case PV_TV_SN:
		val_set_int(out, (long long)tv.tv_sec);
		return 0;
	case PV_TV_UN:
		val_set_int(out, (long long)tv.tv_usec);
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%lld.%06ld", (long long)tv.tv_sec,
	    (long)tv.tv_usec);
	val_set_null(out);
	if (m == NULL)
		return 0;
	s = str_make(buf, (size_t)n);
	if (arena_str_dup(&m->arena, &s, &s) != 0)
		return -1;
	val_set_str(out, s);
	return 0;
}

int
pv_time_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	return pv_kw_parse(inner, pv_tm_names,
	    sizeof(pv_tm_names) / sizeof(pv_tm_names[0]), "time", compiled,
	    d);
}

static int
pv_msg_tm(struct msg *m, struct tm *tm)
{
	time_t t = pv_msg_time(m).tv_sec;

	if (localtime_r(&t, tm) == NULL) {
		log_errx("pv: localtime failed");
		return -1;
	}
	return 0;
}

int
pv_time_get(struct msg *m, void *compiled, struct val *out)
{
	struct tm tm;
	int v = 0;

	val_set_null(out);
	if (pv_msg_tm(m, &tm) != 0)
		return -1;
	switch ((enum pv_tm_field)pv_kw(compiled)) {
	case PV_TM_SEC:   v = tm.tm_sec; break;
	case PV_TM_MIN:   v = tm.tm_min; break;
	case PV_TM_HOUR:  v = tm.tm_hour; break;
	case PV_TM_MDAY:  v = tm.tm_mday; break;
	case PV_TM_MON:   v = tm.tm_mon + 1; break;
	case PV_TM_YEAR:  v = tm.tm_year + 1900; break;
	case PV_TM_WDAY:  v = tm.tm_wday + 1; break;
	case PV_TM_YDAY:  v = tm.tm_yday + 1; break;
	case PV_TM_ISDST: v = tm.tm_isdst; break;
	}
	val_set_int(out, v);
	return 0;
}

int
pv_timef_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	char *f;

	if (inner == NULL || inner->len == 0) {
		diag_error(d, "$timef() needs a strftime format");
		return -1;
	}
	f = xstrndup(inner->s, inner->len);
	if (f == NULL) {
		diag_error(d, "out of memory compiling $timef()");
		return -1;
	}
	*compiled = f;
	return 0;
}

int
pv_timef_get(struct msg *m, void *compiled, struct val *out)
{
	char buf[PV_TIMEF_MAX];
	struct tm tm;
	size_t n;
	str_t s;

	val_set_null(out);
	if (m == NULL)
		return 0;
	if (pv_msg_tm(m, &tm) != 0)
		return -1;
	n = strftime(buf, sizeof(buf), compiled, &tm);
	s = str_make(buf, n);
	if (arena_str_dup(&m->arena, &s, &s) != 0)
		return -1;
	val_set_str(out, s);
	return 0;
}

void
pv_timef_free(void *compiled)
{
	free(compiled);
}
