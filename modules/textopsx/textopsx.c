/*
 * textopsx - textops eXtensions: msg_apply_changes(), remove_body(),
 * keep_hf() and fnmatch().  This file is the script glue (arguments,
 * route checks, log lines); the message work is in textopsx_edit.c.
 */
#include "config.h"

#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/msg_edit.h"
#include "modules/tm/tm_api.h"
#include "textopsx_edit.h"

/* How much of a script's text a log line quotes. */
#define TXX_SHOWN 64

/* tm when loaded (its transactions keep their own copy of a request). */
static const struct tm_api *txx_tm;

/* --- msg_apply_changes ------------------------------------------------------ */

static int
w_msg_apply_changes(struct msg *m, void *const *args)
{
	static const char fn[] = "msg_apply_changes()";
	struct tm_info ti;
	const char *err;
	int n;

	(void)args;
	/* route($var) escapes the check at load: said here too */
	if (m->route_type != RT_REQUEST || m->kind != MSG_SIP_REQUEST) {
		log_errx("%s: only a request in request_route can be changed",
		    fn);
		return -1;
	}
	if (m->edits == NULL)
		return 1;
	/*
	 * t_newtran() and t_relay() copy the request into the transaction
	 * and t_relay() applies the edits to that copy: a new text here
	 * would leave the copy behind, and the edits recorded after it
	 * would count their offsets in a text the copy is not.  The edits
	 * are kept, so the forwarded request still carries them.
	 */
	if (txx_tm != NULL && txx_tm->info(m, &ti) == 1) {
		log_errx("%s: the request has its transaction already "
		    "(t_newtran() or t_relay() ran): call it before; the "
		    "changes are left for t_relay() to apply", fn);
		return -1;
	}
	n = msg_edit_count(m);
	if (txx_apply(m, &err) < 0) {
		log_errx("%s: the request is left as it was: %s", fn, err);
		return -1;
	}
	log_dbg("%s: %d change(s) applied, the request has now %zu bytes",
	    fn, n, m->buf.len);
	return 1;
}

/* --- remove_body / keep_hf ------------------------------------------------------ */

static int
w_remove_body(struct msg *m, void *const *args)
{
	const char *err;

	(void)args;
	if (txx_remove_body(m, &err) < 0) {
		log_errx("remove_body(): %s", err);
		return -1;
	}
	return 1;
}

/* keep_hf()'s expression: compiled at load when literal, else per
 * message from its format. */
struct txx_re {
	regex_t      re;
	int          ready;
	struct fmt  *fmt;
};

/* Kamailio's flags for header-name expressions: extended, any case. */
static int
txx_re_comp(regex_t *re, const char *src, char *msg, size_t cap)
{
	int err = regcomp(re, src, REG_EXTENDED | REG_ICASE | REG_NOSUB);

	if (err != 0)
		regerror(err, re, msg, cap);
	return err == 0 ? 0 : -1;
}

static int
txx_fix_re(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	struct txx_re *r;
	char *src = NULL, msg[160];
	str_t text;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		diag_error(d, "out of memory");
		return -1;
	}
	if (a->kind == ARG_K_FMT && !fmt_is_static(a->fmt)) {
		r->fmt = a->fmt;        /* taken: the core must not free it */
		a->fmt = NULL;
		*arg = r;
		return 0;
	}
	text = a->kind == ARG_K_FMT ? fmt_static_text(a->fmt) : a->text;
	if ((src = strndup(text.s, text.len)) == NULL) {
		diag_error(d, "out of memory");
		goto fail;
	}
	if (txx_re_comp(&r->re, src, msg, sizeof(msg)) < 0) {
		diag_error(d, "keep_hf(): bad regular expression \"%s\": %s",
		    src, msg);
		goto fail;
	}
	free(src);
	r->ready = 1;
	*arg = r;
	return 0;
fail:
	free(src);
	free(r);
	return -1;
}

static void
txx_free_re(void *p)
{
	struct txx_re *r = p;

	if (r == NULL)
		return;
	if (r->ready)
		regfree(&r->re);
	fmt_free(r->fmt);
	free(r);
}

static int
w_keep_hf(struct msg *m, void *const *args)
{
	static const char fn[] = "keep_hf()";
	const struct txx_re *r = args[0];
	const char *err;
	regex_t re;
	char *src, msg[160];
	str_t text;
	int rc;

	if (r == NULL || r->ready) {
		rc = txx_keep_hf(m, r ? &r->re : NULL, &err);
		goto out;
	}
	if (fmt_render(m, r->fmt, &text) < 0 ||
	    (src = arena_strndup(&m->arena, text.s, text.len)) == NULL) {
		log_errx("%s: cannot render \"%s\"", fn, fmt_source(r->fmt));
		return -1;
	}
	if (txx_re_comp(&re, src, msg, sizeof(msg)) < 0) {
		log_errx("%s: bad regular expression \"%.*s\": %s", fn,
		    (int)(text.len < TXX_SHOWN ? text.len : TXX_SHOWN), src,
		    msg);
		return -1;
	}
	rc = txx_keep_hf(m, &re, &err);
	regfree(&re);
out:
	if (rc < 0)
		log_errx("%s: %s", fn, err);
	return rc;
}

/* --- fnmatch ------------------------------------------------------------------ */

/*
 * The flags argument: "i" (or "I") matches in any case, as Kamailio's
 * documentation says; an empty one is none.  FNM_* flags, or -1 with
 * *bad set to the first character that is not a flag.
 */
static int
txx_fn_flags(const str_t *f, char *bad)
{
	int flags = 0;

	for (size_t i = 0; i < f->len; i++) {
		if (f->s[i] != 'i' && f->s[i] != 'I') {
			*bad = f->s[i];
			return -1;
		}
		flags |= FNM_CASEFOLD;
	}
	return flags;
}

static int
txx_fix_fn_flags(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	str_t text;
	char bad;

	if (a->kind != ARG_K_FMT || !fmt_is_static(a->fmt))
		return 0;       /* a variable: checked when it runs */
	text = fmt_static_text(a->fmt);
	if (txx_fn_flags(&text, &bad) < 0) {
		diag_error(d, "fnmatch(): unknown flag '%c' (\"i\" matches in "
		    "any case)", bad);
		return -1;
	}
	return 0;
}

static int
w_fnmatch(struct msg *m, void *const *args)
{
	static const char fn[] = "fnmatch()";
	str_t val, pat, fl = STR_NULL;
	char *vs, *ps, bad = 0;
	int flags;

	if (arg_str(m, args[0], &val) < 0 || arg_str(m, args[1], &pat) < 0 ||
	    (args[2] != NULL && arg_str(m, args[2], &fl) < 0)) {
		log_errx("%s: cannot render the arguments", fn);
		return -1;
	}
	if ((flags = txx_fn_flags(&fl, &bad)) < 0) {
		log_errx("%s: unknown flag '%c' (\"i\" matches in any case)",
		    fn, bad);
		return -1;
	}
	/* fnmatch(3) reads NUL-terminated strings: a NUL inside a value
	 * ends it there */
	if ((vs = arena_strndup(&m->arena, val.len ? val.s : "",
	    val.len)) == NULL ||
	    (ps = arena_strndup(&m->arena, pat.len ? pat.s : "",
	    pat.len)) == NULL)
		return -1;
	return fnmatch(ps, vs, flags) == 0 ? 1 : -1;
}

/* --- exports -------------------------------------------------------------------- */

/* Where a request is still to be forwarded, so its edits count. */
#define TXX_EDIT_ROUTES (RT_REQUEST | RT_FAILURE | RT_BRANCH)

static const struct cmd_export txx_cmds[] = {
	{ .name = "msg_apply_changes", .fn = w_msg_apply_changes,
	  .routes = RT_REQUEST },
	{ .name = "remove_body", .fn = w_remove_body,
	  .routes = TXX_EDIT_ROUTES },
	{ .name = "keep_hf", .fn = w_keep_hf, .routes = TXX_EDIT_ROUTES,
	  .args = { { .flags = ARG_STR | ARG_OPT, .fixup = txx_fix_re,
	              .free_fixup = txx_free_re } } },
	{ .name = "fnmatch", .fn = w_fnmatch, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR },
	            { .flags = ARG_STR | ARG_OPT,
	              .fixup = txx_fix_fn_flags } } },
	{ .name = NULL },
};

static int
txx_init(void)
{
	/* optional: without tm no transaction holds a copy */
	txx_tm = mod_api_get("tm", TM_API_VERSION);
	return 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "textopsx",
	.version = PACKAGE_VERSION,
	.cmds = txx_cmds,
	.init = txx_init,
};
