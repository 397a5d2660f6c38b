/*
 * xlog - formatted log lines from the script: xlog([[facility,] level,]
 * format), the one-level shortcuts xdbg/xinfo/.../xalert, and xlogl /
 * xdbgl, which put the config line in front.  See README.md.
 *
 * Formats are compiled once by the resolver (ARG_STR).  A line is only
 * rendered when the logger would write it, so an xdbg() costs one
 * comparison at the usual debug=2.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/xalloc.h"
#include "xlog_level.h"

#define XLOG_PREFIX_DEFAULT "<script>: "

static char xlog_prefix_default[] = XLOG_PREFIX_DEFAULT;

static int xlog_buf_size = 4096;
static int xlog_force_color;
static int xlog_long_format;
static char *xlog_prefix = xlog_prefix_default;
static int xlog_facility = -1;          /* -1: the core's facility */

/* The level argument after its fixup: fixed, or computed per message. */
struct xlog_level {
	int          level;
	struct fmt  *fmt;       /* NULL when the level is fixed */
};

/* The format argument of xlogl/xdbgl: the format and where it is. */
struct xlog_lfmt {
	struct fmt  *fmt;
	char        *where;     /* "12" or "file.cfg:12" (long_format) */
};

/* --- parameters ----------------------------------------------------------- */

static int
xlog_set_buf_size(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 16 || v->n > 1024 * 1024) {
		diag_error(d, "xlog: buf_size must be 16..1048576, not %lld",
		    v->n);
		return -1;
	}
	xlog_buf_size = (int)v->n;
	return 0;
}

static int
xlog_set_facility(const struct val *v, struct cfg_diag *d)
{
	char name[32];
	int f;

	if (v->s.len >= sizeof(name)) {
		diag_error(d, "xlog: unknown log_facility '%.*s'",
		    STR_FMT(&v->s));
		return -1;
	}
	memcpy(name, v->s.s, v->s.len);
	name[v->s.len] = '\0';
	if ((f = log_facility_from_name(name)) == -1) {
		diag_error(d, "xlog: unknown log_facility '%s' (LOG_DAEMON, "
		    "LOG_LOCAL0..LOG_LOCAL7, ...)", name);
		return -1;
	}
	xlog_facility = f;
	return 0;
}

/*
 * log_colors: Tandem's logger writes no colours, so the value is only
 * checked for the "L_NAME=xy[;...]" shape Kamailio documents, to catch
 * a typo the same way Kamailio would.
 */
static int
xlog_set_colors(const struct val *v, struct cfg_diag *d)
{
	str_t rest = v->s, item;
	int level;

	while (str_token(&rest, ';', &item) == 0) {
		const char *eq;
		str_t name;

		str_trim(&item);
		if (item.len == 0)
			continue;
		eq = memchr(item.s, '=', item.len);
		name = str_make(item.s, eq ? (size_t)(eq - item.s) : 0);
		if (eq == NULL || xlog_level_parse(&name, &level) != 0 ||
		    item.len - name.len - 1 != 2) {
			diag_error(d, "xlog: log_colors wants 'L_LEVEL=xy', "
			    "not '%.*s'", STR_FMT(&item));
			return -1;
		}
	}
	return 0;
}

static const struct param_export xlog_params[] = {
	{ .name = "buf_size", .type = PARAM_INT, .set = xlog_set_buf_size },
	{ .name = "force_color", .type = PARAM_INT, .var = &xlog_force_color },
	{ .name = "long_format", .type = PARAM_INT, .var = &xlog_long_format },
	{ .name = "prefix", .type = PARAM_STR, .var = &xlog_prefix },
	{ .name = "log_facility", .type = PARAM_STR, .set = xlog_set_facility },
	{ .name = "log_colors", .type = PARAM_STR, .set = xlog_set_colors },
	{ .name = NULL },
};

/* --- fixups ------------------------------------------------------------------ */

static void
xlog_free_level(void *p)
{
	struct xlog_level *xl = p;

	if (xl == NULL)
		return;
	fmt_free(xl->fmt);
	free(xl);
}

/* "L_INFO", 2, or a format with PVs evaluated per message. */
static int
xlog_fix_level(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	struct xlog_level *xl = xcalloc(1, sizeof(*xl));
	str_t text;

	if (xl == NULL) {
		diag_error(d, "xlog: out of memory");
		return -1;
	}
	if (a->kind == ARG_K_INT) {
		xl->level = xlog_level_clamp(a->n);
	} else if (fmt_is_static(a->fmt)) {
		text = fmt_static_text(a->fmt);
		if (xlog_level_parse(&text, &xl->level) != 0) {
			diag_error(d, "xlog: unknown log level '%.*s' (L_ALERT, "
			    "L_BUG, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO, "
			    "L_DBG or a number)", STR_FMT(&text));
			free(xl);
			return -1;
		}
	} else {
		/* the format is ours now; the core frees what is left */
		xl->fmt = a->fmt;
		a->fmt = NULL;
	}
	*arg = xl;
	return 0;
}

/* A static facility name, for the three-argument xlog(). */
static int
xlog_fix_facility(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	int *fac;

	if ((fac = xmalloc(sizeof(*fac))) == NULL) {
		diag_error(d, "xlog: out of memory");
		return -1;
	}
	if ((*fac = log_facility_from_name(a->text.s)) == -1) {
		diag_error(d, "xlog: unknown log facility '%s' (LOG_DAEMON, "
		    "LOG_LOCAL0..LOG_LOCAL7, ...)", a->text.s);
		free(fac);
		return -1;
	}
	*arg = fac;
	return 0;
}

static void
xlog_free_lfmt(void *p)
{
	struct xlog_lfmt *lf = p;

	if (lf == NULL)
		return;
	fmt_free(lf->fmt);
	free(lf->where);
	free(lf);
}

/* xlogl()/xdbgl(): keeps the format and the config position it is at. */
static int
xlog_fix_lfmt(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	struct xlog_lfmt *lf = xcalloc(1, sizeof(*lf));
	const char *file = d->src ? src_file_name(d->src, d->cur.file) : NULL;
	char where[512];

	if (lf == NULL) {
		diag_error(d, "xlog: out of memory");
		return -1;
	}
	if (xlog_long_format && file != NULL)
		snprintf(where, sizeof(where), "%s:%u", file,
		    (unsigned)d->cur.line);
	else
		snprintf(where, sizeof(where), "%u", (unsigned)d->cur.line);
	if ((lf->where = xstrdup(where)) == NULL) {
		diag_error(d, "xlog: out of memory");
		free(lf);
		return -1;
	}
	lf->fmt = a->fmt;
	a->fmt = NULL;
	*arg = lf;
	return 0;
}

/* --- the functions ------------------------------------------------------------- */

/* The level of a fixed-up level argument: 0, or -1 (logged). */
static int
xlog_level_of(struct msg *m, const struct xlog_level *xl, int *level)
{
	struct val v;
	str_t s;

	if (xl->fmt == NULL) {
		*level = xl->level;
		return 0;
	}
	if (fmt_eval(m, xl->fmt, &v) != 0)
		return -1;
	if (v.flags & VAL_INT) {
		*level = xlog_level_clamp(v.n);
		return 0;
	}
	s = (v.flags & VAL_STR) ? v.s : STR_LIT("<null>");
	if ((v.flags & VAL_STR) && xlog_level_parse(&s, level) == 0)
		return 0;
	log_errx("xlog: level '%s' is '%.*s', not a log level",
	    fmt_source(xl->fmt), STR_FMT(&s));
	return -1;
}

/*
 * Writes one line: fmt is a struct fmt, where (if not NULL) goes in
 * front as "where:".  1, or -1 when the line could not be made.
 */
static int
xlog_write(struct msg *m, int facility, int level, const struct fmt *fmt,
    const char *where)
{
	str_t s;

	/* the rendering is the cost; skip it for a line nobody reads */
	if (!log_enabled(level))
		return 1;
	if (fmt_render(m, fmt, &s) != 0) {
		log_errx("xlog: could not render \"%s\"", fmt_source(fmt));
		return -1;
	}
	if (xlog_fits(s.len, xlog_buf_size) != 0) {
		log_errx("xlog: the message is %zu bytes, more than buf_size "
		    "(%d): not printed", s.len, xlog_buf_size);
		return -1;
	}
	if (facility < 0)
		facility = xlog_facility;
	if (where)
		log_fac_at(facility, level, "%s%s:%.*s", xlog_prefix, where,
		    STR_FMT(&s));
	else
		log_fac_at(facility, level, "%s%.*s", xlog_prefix,
		    STR_FMT(&s));
	return 1;
}

static const struct fmt *
xlog_fmt(const void *a)
{
	return ((const struct arg *)a)->fmt;
}

static int
w_xlog1(struct msg *m, void *const *args)
{
	return xlog_write(m, -1, L_ERR, xlog_fmt(args[0]), NULL);
}

static int
w_xlog2(struct msg *m, void *const *args)
{
	int level;

	if (xlog_level_of(m, args[0], &level) != 0)
		return -1;
	return xlog_write(m, -1, level, xlog_fmt(args[1]), NULL);
}

static int
w_xlog3(struct msg *m, void *const *args)
{
	int level;

	if (xlog_level_of(m, args[1], &level) != 0)
		return -1;
	return xlog_write(m, *(const int *)args[0], level, xlog_fmt(args[2]),
	    NULL);
}

#define XLOG_AT(fn, lvl) \
	static int \
	fn(struct msg *m, void *const *args) \
	{ \
		return xlog_write(m, -1, lvl, xlog_fmt(args[0]), NULL); \
	}

XLOG_AT(w_xdbg, L_DBG)
XLOG_AT(w_xinfo, L_INFO)
XLOG_AT(w_xnotice, L_NOTICE)
XLOG_AT(w_xwarn, L_WARN)
XLOG_AT(w_xerr, L_ERR)
XLOG_AT(w_xbug, L_BUG)
XLOG_AT(w_xcrit, L_CRIT)
XLOG_AT(w_xalert, L_ALERT)

static int
w_xlogl1(struct msg *m, void *const *args)
{
	const struct xlog_lfmt *lf = args[0];

	return xlog_write(m, -1, L_ERR, lf->fmt, lf->where);
}

static int
w_xlogl2(struct msg *m, void *const *args)
{
	const struct xlog_lfmt *lf = args[1];
	int level;

	if (xlog_level_of(m, args[0], &level) != 0)
		return -1;
	return xlog_write(m, -1, level, lf->fmt, lf->where);
}

static int
w_xlogl3(struct msg *m, void *const *args)
{
	const struct xlog_lfmt *lf = args[2];
	int level;

	if (xlog_level_of(m, args[1], &level) != 0)
		return -1;
	return xlog_write(m, *(const int *)args[0], level, lf->fmt,
	    lf->where);
}

static int
w_xdbgl(struct msg *m, void *const *args)
{
	const struct xlog_lfmt *lf = args[0];

	return xlog_write(m, -1, L_DBG, lf->fmt, lf->where);
}

#define A_FMT    { .flags = ARG_STR }
#define A_LEVEL  { .flags = ARG_STR | ARG_INT, .fixup = xlog_fix_level, \
		   .free_fixup = xlog_free_level }
#define A_FAC    { .flags = ARG_STR | ARG_STATIC, .fixup = xlog_fix_facility, \
		   .free_fixup = free }
#define A_LFMT   { .flags = ARG_STR, .fixup = xlog_fix_lfmt, \
		   .free_fixup = xlog_free_lfmt }

static const struct cmd_export xlog_cmds[] = {
	{ .name = "xlog", .fn = w_xlog1, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xlog", .fn = w_xlog2, .routes = RT_ANY,
	  .args = { A_LEVEL, A_FMT } },
	{ .name = "xlog", .fn = w_xlog3, .routes = RT_ANY,
	  .args = { A_FAC, A_LEVEL, A_FMT } },
	{ .name = "xdbg", .fn = w_xdbg, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xinfo", .fn = w_xinfo, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xnotice", .fn = w_xnotice, .routes = RT_ANY,
	  .args = { A_FMT } },
	{ .name = "xwarn", .fn = w_xwarn, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xerr", .fn = w_xerr, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xbug", .fn = w_xbug, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xcrit", .fn = w_xcrit, .routes = RT_ANY, .args = { A_FMT } },
	{ .name = "xalert", .fn = w_xalert, .routes = RT_ANY,
	  .args = { A_FMT } },
	{ .name = "xlogl", .fn = w_xlogl1, .routes = RT_ANY,
	  .args = { A_LFMT } },
	{ .name = "xlogl", .fn = w_xlogl2, .routes = RT_ANY,
	  .args = { A_LEVEL, A_LFMT } },
	{ .name = "xlogl", .fn = w_xlogl3, .routes = RT_ANY,
	  .args = { A_FAC, A_LEVEL, A_LFMT } },
	{ .name = "xdbgl", .fn = w_xdbgl, .routes = RT_ANY,
	  .args = { A_LFMT } },
	{ .name = NULL },
};

const struct module tandem_module = {
	.abi     = MOD_ABI_VERSION,
	.name    = "xlog",
	.version = PACKAGE_VERSION,
	.cmds    = xlog_cmds,
	.params  = xlog_params,
};
