/*
 * sanity.c - the sanity module: Kamailio 5.6's sanity_check() and
 * sanity_reply(), which judge a SIP message before the script relies on
 * it and answer a broken request with a reply saying what is wrong.
 *
 * The checks themselves are in sanity_checks.c (pure, read from the
 * message text); this file holds the parameters, the script functions,
 * the log line of a failure, and the stateless reply sent through sl.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/arg.h"
#include "core/log.h"
#include "core/module_api.h"
#include "core/xalloc.h"
#include "modules/sl/sl_api.h"
#include "modules/sl/sl_msg.h"
#include "sanity_checks.h"

#define SANITY_MAX_EXT 64       /* names in proxy_require */

static int default_checks = SANITY_DEFAULT_CHECKS;
static int uri_checks = SANITY_DEFAULT_URI_CHECKS;
static int autodrop = 1;
static int noreply;

/* proxy_require: the text as set (owned) and the names in it */
static char *pr_text;
static str_t pr_ext[SANITY_MAX_EXT];
static size_t pr_n;

static const struct sl_api *san_sl;
static int san_ext = -1;

/* What sanity_reply() answers for a request that failed (arena). */
struct san_reply {
	int           code;         /* 0: the failed check has no reply */
	const char   *reason;
	str_t         hdrs;         /* "Unsupported: ...\r\n" of a 420   */
};

/* --- parameters ----------------------------------------------------------- */

static int
san_set_mask(const struct val *v, struct cfg_diag *d, const char *name,
    long long hi, int *dst)
{
	if (v->n < 0 || v->n > hi) {
		diag_error(d, "sanity: %s %lld outside of valid range 0-%lld",
		    name, v->n, hi);
		return -1;
	}
	*dst = (int)v->n;
	return 0;
}

static int
san_set_default_checks(const struct val *v, struct cfg_diag *d)
{
	return san_set_mask(v, d, "default_checks", SANITY_ALL,
	    &default_checks);
}

static int
san_set_uri_checks(const struct val *v, struct cfg_diag *d)
{
	return san_set_mask(v, d, "uri_checks", SANITY_URI_ALL, &uri_checks);
}

static int
san_set_proxy_require(const struct val *v, struct cfg_diag *d)
{
	char *text = xstrndup(v->s.s, v->s.len);
	str_t list = str_cstr(text);
	int n;

	if (text == NULL) {
		diag_error(d, "sanity: proxy_require: out of memory");
		return -1;
	}
	if ((n = sanity_split_extensions(&list, pr_ext, SANITY_MAX_EXT)) < 0) {
		diag_error(d, "sanity: proxy_require \"%s\": each item must be "
		    "an option tag (at most %d, comma-separated)", text,
		    SANITY_MAX_EXT);
		xfree(text);
		pr_n = 0;
		return -1;
	}
	xfree(pr_text);
	pr_text = text;
	pr_n = (size_t)n;
	return 0;
}

/* --- arguments ------------------------------------------------------------ */

/* A literal mask is checked when the config loads, as Kamailio does
 * for every call. */
static int
san_fix_mask(void **arg, struct cfg_diag *d, const char *name, long long hi)
{
	const struct arg *a = *arg;
	long long n;
	int rc = arg_literal_int(a, &n);

	if (rc < 0) {
		diag_error(d, "sanity: %s \"%.*s\" is not a number", name,
		    STR_FMT(&a->text));
		return -1;
	}
	if (rc > 0 && (n < 1 || n > hi)) {
		diag_error(d, "sanity: %s %lld outside of valid range 1-%lld",
		    name, n, hi);
		return -1;
	}
	return 0;
}

static int
san_fix_msg_checks(void **arg, struct cfg_diag *d)
{
	return san_fix_mask(arg, d, "msg_checks", SANITY_ALL);
}

static int
san_fix_uri_checks(void **arg, struct cfg_diag *d)
{
	return san_fix_mask(arg, d, "uri_checks", SANITY_URI_ALL);
}

/* A mask computed per message: 0, or -1 (logged) when out of range. */
static int
san_arg_mask(struct msg *m, const void *a, const char *name, long long hi,
    unsigned *out)
{
	long long n;

	if (arg_int(m, a, &n) < 0) {
		log_errx("sanity_check(): %s is not a number", name);
		return -1;
	}
	if (n < 1 || n > hi) {
		log_errx("sanity_check(): %s %lld outside of valid range "
		    "1-%lld", name, n, hi);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* --- the failure ---------------------------------------------------------- */

/* Copies up to cap - 1 bytes of s, with anything unprintable as '?'
 * (the text comes off the wire and goes into the log). */
static const char *
san_printable(const str_t *s, char *buf, size_t cap)
{
	size_t n = s->len < cap - 1 ? s->len : cap - 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s->s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[n] = '\0';
	return buf;
}

static const char *
san_src(const struct msg *m, char *buf, size_t len)
{
	const struct sockaddr_storage *ss = &m->rcv.src;
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		port = ntohs(s->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, len, "%s:%s:%d", proto_name(m->rcv.proto), ip, port);
	return buf;
}

static void
san_log(const struct msg *m, const struct sanity_fail *f,
    const char *unanswered)
{
	const char *sp = memchr(m->buf.s, ' ', m->buf.len);
	str_t first = str_make(m->buf.s, sp ? (size_t)(sp - m->buf.s) : 0);
	char src[80], what[96], start[40];

	log_info("sanity: %s check failed on %s from %s: %s%s%s%s%s%s",
	    sanity_check_name(f->check), m->kind == MSG_SIP_REPLY ? "a reply" :
	    san_printable(&first, start, sizeof(start)),
	    san_src(m, src, sizeof(src)), f->why, f->what.len ? " (" : "",
	    san_printable(&f->what, what, sizeof(what)),
	    f->what.len ? ")" : "", unanswered ? "; not answered: " : "",
	    unanswered ? unanswered : "");
}

/*
 * Records the reply for sanity_reply() and sends it unless noreply.
 * Returns why a reply the check calls for was not sent, or NULL.
 */
static const char *
san_answer(struct msg *m, const struct sanity_fail *f)
{
	struct san_reply *r = arena_alloc(&m->arena, sizeof(*r));
	const char *err = NULL;
	struct sl_req rq;
	str_t reason;

	if (r == NULL)
		return "out of memory";
	r->code = f->code;
	r->reason = f->reason;
	r->hdrs = STR_NULL;
	if (f->code == 420 && f->unsup_len > 0) {
		/* RFC 3261 8.2.2.3: the 420 lists what is not supported */
		size_t cap = f->unsup_len + sizeof("Unsupported: \r\n");
		char *h = arena_alloc(&m->arena, cap);
		int n;

		if (h != NULL && (n = snprintf(h, cap, "Unsupported: %.*s\r\n",
		    (int)f->unsup_len, f->unsup)) > 0)
			r->hdrs = str_make(h, (size_t)n);
	}
	if (san_ext >= 0)
		m->ext[san_ext] = r;
	/* an ACK is never answered (sl sends nothing) */
	if (noreply || r->code == 0 || (m->buf.len >= 4 &&
	    memcmp(m->buf.s, "ACK ", 4) == 0))
		return NULL;
	/* a broken request may lack what a reply copies (the top Via, the
	 * From tag): that is part of the verdict, not an sl error */
	if (sl_req_scan(&m->buf, &rq, &err) < 0)
		return err;
	reason = str_cstr(r->reason);
	if (san_sl->reply(m, r->code, &reason, &r->hdrs) < 0)
		return "sl could not send it";
	return NULL;
}

/* --- script functions ----------------------------------------------------- */

static int
w_sanity_check(struct msg *m, void *const *args)
{
	unsigned mc = (unsigned)default_checks, uc = (unsigned)uri_checks;
	struct sanity_in in = { .supported = pr_ext, .n_supported = pr_n };
	struct sanity_fail f;

	if (m->kind != MSG_SIP_REQUEST && m->kind != MSG_SIP_REPLY) {
		log_errx("sanity_check(): the message is not SIP");
		return -1;
	}
	if ((args[0] != NULL && san_arg_mask(m, args[0], "msg_checks",
	    SANITY_ALL, &mc) < 0) || (args[1] != NULL && san_arg_mask(m,
	    args[1], "uri_checks", SANITY_URI_ALL, &uc) < 0))
		return -1;
	in.text = m->buf;
	in.is_reply = m->kind == MSG_SIP_REPLY;
	in.ruri = m->new_uri;
	if (sanity_run(&in, mc, uc, &f))
		return 1;
	san_log(m, &f, in.is_reply ? NULL : san_answer(m, &f));
	/* autodrop: the route ends here, as with exit */
	return autodrop ? 0 : -1;
}

static int
w_sanity_reply(struct msg *m, void *const *args)
{
	const struct san_reply *r = san_ext >= 0 ? m->ext[san_ext] : NULL;
	str_t reason = STR_LIT("Server Sanity Failure");

	(void)args;
	/* without noreply, sanity_check() has answered already */
	if (!noreply)
		return 1;
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("sanity_reply(): the message is not a SIP request");
		return -1;
	}
	if (r != NULL && r->code != 0) {
		reason = str_cstr(r->reason);
		return san_sl->reply(m, r->code, &reason, &r->hdrs);
	}
	return san_sl->reply(m, 500, &reason, NULL);
}

static const struct cmd_export san_cmds[] = {
	{ .name = "sanity_check", .fn = w_sanity_check,
	  .routes = RT_REQUEST | RT_REPLY,
	  .args = { { .flags = ARG_INT | ARG_STR | ARG_OPT,
	              .fixup = san_fix_msg_checks },
	            { .flags = ARG_INT | ARG_STR | ARG_OPT,
	              .fixup = san_fix_uri_checks } } },
	{ .name = "sanity_reply", .fn = w_sanity_reply, .routes = RT_REQUEST },
	{ .name = NULL },
};

static const struct param_export san_params[] = {
	{ .name = "default_checks", .type = PARAM_INT,
	  .set = san_set_default_checks },
	{ .name = "uri_checks", .type = PARAM_INT, .set = san_set_uri_checks },
	{ .name = "proxy_require", .type = PARAM_STR,
	  .set = san_set_proxy_require },
	{ .name = "autodrop", .type = PARAM_INT, .var = &autodrop },
	{ .name = "noreply", .type = PARAM_INT, .var = &noreply },
	{ .name = NULL },
};

/* Replies go through sl; like Kamailio, sanity does not start without
 * it (sl may be loaded after sanity). */
static int
san_init(void)
{
	if ((san_sl = mod_api_get("sl", SL_API_VERSION)) == NULL) {
		log_errx("sanity: needs the sl module for its replies: "
		    "loadmodule \"sl.so\"");
		return -1;
	}
	if ((san_ext = msg_ext_register(NULL)) < 0) {
		log_errx("sanity: no per-message slot left");
		return -1;
	}
	return 0;
}

static void
san_destroy(void)
{
	xfree(pr_text);
	pr_text = NULL;
	pr_n = 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "sanity",
	.version = PACKAGE_VERSION,
	.cmds = san_cmds,
	.params = san_params,
	.init = san_init,
	.destroy = san_destroy,
	.unload = san_destroy,
};
