#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "diag.h"

void
diag_init(struct cfg_diag *d, struct cfg_src *src)
{
	memset(d, 0, sizeof(*d));
	d->src = src;
}

void
diag_free(struct cfg_diag *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	d->items = NULL;
	d->n = d->cap = 0;
}

static void
diag_add(struct cfg_diag *d, enum diag_sev sev, struct cfg_pos pos,
    const char *fmt, va_list ap)
{
	char buf[1024];
	struct diag_item *ni;

	if (sev == DIAG_ERROR)
		d->errors++;
	else if (sev == DIAG_WARNING)
		d->warnings++;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 16;

		ni = realloc(d->items, cap * sizeof(*ni));
		if (ni == NULL)
			return;         /* the count above still refuses the cfg */
		d->items = ni;
		d->cap = cap;
	}
	d->items[d->n].sev = sev;
	d->items[d->n].pos = pos;
	d->items[d->n].msg = strdup(buf);
	if (d->items[d->n].msg != NULL)
		d->n++;
}

#define DIAG_FN(name, sev)                                              \
	void name(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...) \
	{                                                               \
		va_list ap;                                             \
		va_start(ap, fmt);                                      \
		diag_add(d, sev, pos, fmt, ap);                         \
		va_end(ap);                                             \
	}
DIAG_FN(diag_error_at, DIAG_ERROR)
DIAG_FN(diag_warn_at, DIAG_WARNING)
DIAG_FN(diag_note_at, DIAG_NOTE)

void
diag_error(struct cfg_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, DIAG_ERROR, d->cur, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct cfg_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, DIAG_WARNING, d->cur, fmt, ap);
	va_end(ap);
}

static const char *
sev_name(enum diag_sev s)
{
	return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

int
diag_format(const struct cfg_diag *d, unsigned i, char *buf, size_t len)
{
	const struct diag_item *it = &d->items[i];
	const char *file = d->src ? src_file_name(d->src, it->pos.file)
	                          : "<config>";

	if (it->pos.line == 0)
		return snprintf(buf, len, "%s: %s: %s", file, sev_name(it->sev),
		    it->msg);
	return snprintf(buf, len, "%s:%u:%u: %s: %s", file, it->pos.line,
	    it->pos.col, sev_name(it->sev), it->msg);
}

void
diag_print(const struct cfg_diag *d, FILE *fp)
{
	char buf[1400];

	for (unsigned i = 0; i < d->n; i++) {
		diag_format(d, i, buf, sizeof(buf));
		fprintf(fp, "%s\n", buf);
	}
}

void
diag_log(const struct cfg_diag *d)
{
	char buf[1400];

	for (unsigned i = 0; i < d->n; i++) {
		diag_format(d, i, buf, sizeof(buf));
		log_at(d->items[i].sev == DIAG_ERROR ? L_ERR :
		    d->items[i].sev == DIAG_WARNING ? L_WARN : L_NOTICE,
		    "%s", buf);
	}
}
