/*
 * textops - text tests on the message (is_method, has_body, search) and
 * append_to_reply(), whose header lines the sl module puts in its
 * replies (textops_api.h).  The header functions that change the
 * forwarded request (append_hf, remove_hf, ...) are in textops_hf.c.
 */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "textops_api.h"
#include "textops_hf.h"
#include "textops_method.h"

/* The reply headers of one message, in its arena. */
struct tx_data {
	str_t   hdrs;
};

static int tx_ext = -1;

/* --- is_method ------------------------------------------------------------ */

/* A literal list is parsed once; one with PVs per message. */
struct tx_method_arg {
	struct tx_methods  *ms;
	struct fmt         *fmt;
};

static void
tx_free_methods(void *p)
{
	struct tx_method_arg *ma = p;

	if (ma == NULL)
		return;
	tx_methods_free(ma->ms);
	fmt_free(ma->fmt);
	free(ma);
}

static int
tx_fix_methods(void **arg, struct cfg_diag *d)
{
	struct arg *a = *arg;
	struct tx_method_arg *ma;
	const char *err = NULL;
	str_t text;

	if ((ma = calloc(1, sizeof(*ma))) == NULL) {
		diag_error(d, "is_method(): out of memory");
		return -1;
	}
	if (a->kind == ARG_K_FMT && !fmt_is_static(a->fmt)) {
		ma->fmt = a->fmt;       /* taken: the core must not free it */
		a->fmt = NULL;
		*arg = ma;
		return 0;
	}
	text = a->kind == ARG_K_FMT ? fmt_static_text(a->fmt) : a->text;
	ma->ms = tx_methods_parse(text.s, text.len, &err);
	if (ma->ms == NULL) {
		diag_error(d, "is_method(\"%.*s\"): %s", STR_FMT(&text), err);
		free(ma);
		return -1;
	}
	*arg = ma;
	return 0;
}

/* A request's method; for a reply the method of its CSeq. */
static int
w_is_method(struct msg *m, void *const *args)
{
	const struct tx_method_arg *ma = args[0];
	struct tx_methods *dyn = NULL;
	const char *err = NULL;
	str_t method, num, list;
	int rc;

	if (m->kind == MSG_SIP_REPLY)
		rc = sip_cseq(m, &num, &method);
	else
		rc = sip_method(m, &method);
	if (rc < 0)
		return -1;
	if (ma->ms != NULL)
		return tx_methods_match(ma->ms, &method) ? 1 : -1;
	if (fmt_render(m, ma->fmt, &list) < 0 ||
	    (dyn = tx_methods_parse(list.s, list.len, &err)) == NULL) {
		log_errx("is_method(\"%s\"): %s", fmt_source(ma->fmt),
		    err ? err : "cannot render the list");
		return -1;
	}
	rc = tx_methods_match(dyn, &method) ? 1 : -1;
	tx_methods_free(dyn);
	return rc;
}

/* --- has_body ------------------------------------------------------------- */

/* "type/subtype" of a Content-Type value, without parameters. */
static str_t
tx_mime(const str_t *ct)
{
	str_t t = *ct;
	char *semi = str_chr(&t, ';');

	if (semi != NULL)
		t.len = (size_t)(semi - t.s);
	str_trim(&t);
	return t;
}

static int
w_has_body(struct msg *m, void *const *args)
{
	static const str_t cl_name = STR_LIT("Content-Length");
	static const str_t ct_name = STR_LIT("Content-Type");
	str_t body, cl, ct, want, have;
	long long n;

	if (sip_body(m, &body) < 0 || body.len == 0)
		return -1;
	/* a Content-Length, where given, says how much of it is the body */
	if (sip_header(m, &cl_name, 0, &cl) == 1 &&
	    (str_to_ll(&cl, &n) < 0 || n <= 0))
		return -1;
	if (args[0] == NULL)
		return 1;
	if (arg_str(m, args[0], &want) < 0) {
		log_errx("has_body(): cannot render the MIME type");
		return -1;
	}
	if (sip_header(m, &ct_name, 0, &ct) != 1)
		return -1;
	have = tx_mime(&ct);
	str_trim(&want);
	return str_casecmp_eq(&have, &want) ? 1 : -1;
}

/* --- search --------------------------------------------------------------- */

/*
 * The core compiled the expression already; it is compiled again with
 * Kamailio's flags for search(), where ^ and $ match at each line of the
 * message.
 */
static int
tx_fix_regex(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	regex_t *re;
	char msg[160];
	int err;

	if ((re = malloc(sizeof(*re))) == NULL) {
		diag_error(d, "search(): out of memory");
		return -1;
	}
	err = regcomp(re, a->text.s, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
	if (err != 0) {
		regerror(err, re, msg, sizeof(msg));
		diag_error(d, "search(): bad regular expression \"%s\": %s",
		    a->text.s, msg);
		free(re);
		return -1;
	}
	*arg = re;
	return 0;
}

static void
tx_free_regex(void *p)
{
	if (p == NULL)
		return;
	regfree(p);
	free(p);
}

/*
 * The message is not NUL-terminated, and REG_STARTEND is not honoured
 * by every regexec() (the sanitizers' interceptor reads to a NUL), so
 * the text is matched in a terminated copy; like Kamailio, the search
 * stops at a NUL byte in the message.
 */
static int
w_search(struct msg *m, void *const *args)
{
	char *text;

	if (m->buf.len == 0)
		return -1;
	if ((text = arena_strndup(&m->arena, m->buf.s, m->buf.len)) == NULL)
		return -1;
	return regexec(args[0], text, 0, NULL, 0) == 0 ? 1 : -1;
}

/* --- append_to_reply ------------------------------------------------------ */

static int
w_append_to_reply(struct msg *m, void *const *args)
{
	struct tx_data *td = m->ext[tx_ext];
	str_t line;
	size_t crlf, n;
	char *s;

	if (arg_str(m, args[0], &line) < 0) {
		log_errx("append_to_reply(): cannot render the header");
		return -1;
	}
	if (line.len == 0)
		return 1;
	/* a header line the writer forgot to end is ended here */
	crlf = line.len >= 2 && memcmp(line.s + line.len - 2, "\r\n", 2) == 0 ?
	    0 : 2;
	if (td == NULL) {
		if ((td = arena_alloc(&m->arena, sizeof(*td))) == NULL)
			return -1;
		td->hdrs = STR_NULL;
		m->ext[tx_ext] = td;
	}
	n = td->hdrs.len + line.len + crlf;
	if ((s = arena_alloc(&m->arena, n)) == NULL)
		return -1;
	if (td->hdrs.len)
		memcpy(s, td->hdrs.s, td->hdrs.len);
	memcpy(s + td->hdrs.len, line.s, line.len);
	if (crlf)
		memcpy(s + n - 2, "\r\n", 2);
	td->hdrs = str_make(s, n);
	return 1;
}

static str_t
tx_api_reply_hdrs(struct msg *m)
{
	const struct tx_data *td = tx_ext >= 0 ? m->ext[tx_ext] : NULL;

	return td ? td->hdrs : STR_NULL;
}

static const struct textops_api tx_api = {
	.reply_hdrs = tx_api_reply_hdrs,
};

/* --- exports -------------------------------------------------------------- */

/* Where a request is still to be forwarded, so its header edits count. */
#define TX_HF_ROUTES (RT_REQUEST | RT_FAILURE | RT_BRANCH)

static const struct cmd_export tx_cmds[] = {
	{ .name = "is_method", .fn = w_is_method, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR, .fixup = tx_fix_methods,
	              .free_fixup = tx_free_methods } } },
	{ .name = "has_body", .fn = w_has_body, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "search", .fn = w_search, .routes = RT_ANY,
	  .args = { { .flags = ARG_REGEX, .fixup = tx_fix_regex,
	              .free_fixup = tx_free_regex } } },
	{ .name = "append_to_reply", .fn = w_append_to_reply,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_EVENT,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "append_hf", .fn = tx_hf_append, .routes = TX_HF_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_text },
	            { .flags = ARG_STR | ARG_OPT, .fixup = tx_hf_fix_name } } },
	{ .name = "insert_hf", .fn = tx_hf_insert, .routes = TX_HF_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_text },
	            { .flags = ARG_STR | ARG_OPT, .fixup = tx_hf_fix_name } } },
	{ .name = "remove_hf", .fn = tx_hf_remove, .routes = TX_HF_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_name } } },
	{ .name = "remove_hf_re", .fn = tx_hf_remove_re,
	  .routes = TX_HF_ROUTES,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_re,
	              .free_fixup = tx_hf_free_re } } },
	{ .name = "is_present_hf", .fn = tx_hf_is_present, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_name } } },
	{ .name = "is_present_hf_re", .fn = tx_hf_is_present_re,
	  .routes = RT_ANY,
	  .args = { { .flags = ARG_STR, .fixup = tx_hf_fix_re,
	              .free_fixup = tx_hf_free_re } } },
	{ .name = NULL },
};

static int
tx_init(void)
{
	if ((tx_ext = msg_ext_register(NULL)) < 0) {
		log_errx("textops: no per-message data slot left");
		return -1;
	}
	return 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "textops",
	.version = PACKAGE_VERSION,
	.cmds = tx_cmds,
	.api = &tx_api,
	.api_version = TEXTOPS_API_VERSION,
	.init = tx_init,
};
