/*
 * acc_log.c - accounting records as log lines (see acc_log.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "acc_log.h"

/* Kamailio's attribute names of the core fields, in record order. */
static const char *const core_names[ACC_NCORE] = {
	[ACC_METHOD] = "method", [ACC_FROM_TAG] = "from_tag",
	[ACC_TO_TAG] = "to_tag", [ACC_CALLID] = "call_id",
	[ACC_CODE] = "code", [ACC_REASON] = "reason",
};

static char *
put(char *p, const char *s, size_t n)
{
	if (n > 0)
		memcpy(p, s, n);
	return p + n;
}

int
acc_log_text(struct arena *a, const struct acc_rec *r,
    const struct acc_extras *x, str_t *out)
{
	char ts[32];
	size_t n;
	char *buf, *p;
	int tn, nextra = x ? (r->nextra < x->n ? r->nextra : x->n) : 0;

	tn = snprintf(ts, sizeof(ts), "timestamp=%" PRIdMAX, (intmax_t)r->ts);
	if (tn < 0 || (size_t)tn >= sizeof(ts))
		return -1;
	n = (size_t)tn;
	for (int i = 0; i < ACC_NCORE; i++)
		n += 1 + strlen(core_names[i]) + 1 + r->core[i].len;
	for (int i = 0; i < nextra; i++)
		n += 1 + strlen(x->x[i].name) + 1 + r->extra[i].len;
	if ((buf = arena_alloc(a, n + 1)) == NULL)
		return -1;
	p = put(buf, ts, (size_t)tn);
	for (int i = 0; i < ACC_NCORE; i++) {
		p = put(p, ";", 1);
		p = put(p, core_names[i], strlen(core_names[i]));
		p = put(p, "=", 1);
		p = put(p, r->core[i].s, r->core[i].len);
	}
	for (int i = 0; i < nextra; i++) {
		p = put(p, ";", 1);
		p = put(p, x->x[i].name, strlen(x->x[i].name));
		p = put(p, "=", 1);
		p = put(p, r->extra[i].s, r->extra[i].len);
	}
	*p = '\0';
	*out = str_make(buf, n);
	return 0;
}

void
acc_log_write(int facility, int level, const char *what, const str_t *text)
{
	log_fac_at(facility, level, "ACC: %s: %.*s", what, STR_FMT(text));
}
