/*
 * sl - stateless replies: sl_send_reply(), send_reply(), sl_reply_error(),
 * the sl.stats RPC, the sl:* statistics and an API for other modules.
 * The reply text is built by sl_reply.c from the request's own bytes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/globals.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "core/stats.h"
#include "modules/textops/textops_api.h"
#include "sl_api.h"
#include "sl_msg.h"
#include "sl_reply.h"

#define SL_SECRET_LEN 16

/* Drawn in init, before fork: every process tags the replies to one
 * request alike, so a retransmission that reaches another UDP receiver
 * gets the same To tag. */
static unsigned char sl_secret[SL_SECRET_LEN];
static int sl_ext = -1;                 /* per-message recorded error */
static const struct textops_api *sl_textops;

/* --- statistics (Kamailio's names; a code with a counter of its own is
 * not counted again in its class) ------------------------------------------ */

static const int sl_stat_codes[] = {
	200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500,
};
#define SL_NCODES ((int)(sizeof(sl_stat_codes) / sizeof(sl_stat_codes[0])))

static struct stat_var *st_code[SL_NCODES];
static struct stat_var *st_class[7];    /* [1] = 1xx ... [6] = 6xx */
static struct stat_var *st_sent, *st_sent_err, *st_failures;

static int
sl_stats_init(void)
{
	char name[32];

	for (int i = 0; i < SL_NCODES; i++) {
		snprintf(name, sizeof(name), "%d_replies", sl_stat_codes[i]);
		if ((st_code[i] = stats_register("sl", name, 0)) == NULL)
			return -1;
	}
	for (int i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "%dxx_replies", i);
		if ((st_class[i] = stats_register("sl", name, 0)) == NULL)
			return -1;
	}
	st_sent = stats_register("sl", "sent_replies", 0);
	st_sent_err = stats_register("sl", "sent_err_replies", 0);
	st_failures = stats_register("sl", "failures", 0);
	return st_sent && st_sent_err && st_failures ? 0 : -1;
}

/* Counts a reply (d = 1), or takes the count back (d = -1) when the
 * send failed.  Counted before the send: a client that reads the
 * statistics right after the reply must see it. */
static void
sl_count(int code, int d)
{
	stats_add(st_sent, d);
	for (int i = 0; i < SL_NCODES; i++)
		if (sl_stat_codes[i] == code) {
			stats_add(st_code[i], d);
			return;
		}
	if (code >= 100 && code <= 699)
		stats_add(st_class[code / 100], d);
}

/* --- sending -------------------------------------------------------------- */

struct sl_err {
	int          code;
	const char  *reason;
};

static const char *
sl_src_text(const struct msg *m, char *buf, size_t len)
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

/* The "Server:" line of core_cfg.server_header, or an empty string. */
static str_t
sl_server_line(struct msg *m)
{
	const char *h = core_cfg.server_header;
	size_t n;
	char *s;

	if (h == NULL || *h == '\0' || !core_cfg.server_signature)
		return STR_NULL;
	if (strchr(h, ':') != NULL)             /* "Server: name" as Kamailio */
		return str_cstr(h);
	n = strlen(h) + sizeof("Server: ");
	if ((s = arena_alloc(&m->arena, n)) == NULL)
		return STR_NULL;
	snprintf(s, n, "Server: %s", h);
	return str_cstr(s);
}

/* The header lines of append_to_reply(), then hdrs. */
static int
sl_extra_hdrs(struct msg *m, const str_t *hdrs, str_t *out)
{
	str_t app = sl_textops ? sl_textops->reply_hdrs(m) : STR_NULL;
	char *s;

	if (hdrs == NULL || hdrs->len == 0) {
		*out = app;
		return 0;
	}
	if (app.len == 0) {
		*out = *hdrs;
		return 0;
	}
	if ((s = arena_alloc(&m->arena, app.len + hdrs->len)) == NULL)
		return -1;
	memcpy(s, app.s, app.len);
	memcpy(s + app.len, hdrs->s, hdrs->len);
	*out = str_make(s, app.len + hdrs->len);
	return 0;
}

static int
sl_is_ack(const struct msg *m)
{
	return m->buf.len >= 4 && memcmp(m->buf.s, "ACK ", 4) == 0;
}

/* Whether m can be answered; logs why not.  1 yes, 0 an ACK, -1 no. */
static int
sl_answerable(struct msg *m, const char *fn)
{
	if (m->kind == MSG_MSRP) {
		log_errx("%s: cannot answer an MSRP frame with a SIP reply "
		    "(use msrp_reply())", fn);
		return -1;
	}
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("%s: the message is not a SIP request; only requests "
		    "are answered", fn);
		return -1;
	}
	if (sl_is_ack(m))
		return 0;               /* an ACK is never answered */
	return 1;
}

static int
sl_build_send(struct msg *m, const struct sl_req *rq, struct sl_reply *r,
    const char *fn)
{
	char tag[SL_TAG_LEN], src[80];
	struct sockaddr_storage dst;
	const char *err = NULL;
	char *buf;
	size_t cap;
	long len;

	if (!rq->to_has_tag) {
		if (sl_totag(sl_secret, sizeof(sl_secret), rq, tag) < 0) {
			log_errx("%s: cannot compute the To tag", fn);
			return -1;
		}
		r->to_tag = str_make(tag, SL_TAG_LEN);
	}
	r->server = sl_server_line(m);
	cap = sl_reply_cap(&m->buf, r);
	if ((buf = arena_alloc(&m->arena, cap)) == NULL)
		return -1;
	len = sl_reply_build(&m->buf, rq, &m->rcv.src, r, buf, cap, &err);
	if (len < 0) {
		log_errx("%s: cannot build the %d reply to the request from "
		    "%s: %s", fn, r->code, sl_src_text(m, src, sizeof(src)),
		    err);
		return -1;
	}
	if (m->rcv.proto == PROTO_UDP)
		sl_reply_dest(rq, &m->rcv.src, &dst);
	/* set_reply_close(): the connection ends with the final reply */
	if (msg_send_back(m, m->rcv.proto == PROTO_UDP ? &dst : NULL, buf,
	    (size_t)len, r->code >= 200 && (m->fwd_flags &
	    MSG_FWD_REPLY_CLOSE) ? SEND_CLOSE : 0) < 0) {
		log_errx("%s: sending the %d reply to %s failed", fn, r->code,
		    sl_src_text(m, src, sizeof(src)));
		return -1;
	}
	return 1;
}

/*
 * Sends the reply; 1 when sent or m is an ACK, -1 on error (logged and
 * counted in sl:failures).
 */
static int
sl_reply(struct msg *m, int code, const str_t *reason, const str_t *hdrs,
    const char *fn)
{
	struct sl_reply r = { .code = code, .reason = *reason };
	struct sl_req rq;
	const char *err = NULL;
	char src[80];
	int rc;

	if ((rc = sl_answerable(m, fn)) <= 0)
		return rc == 0 ? 1 : -1;
	if (sl_req_scan(&m->buf, &rq, &err) < 0) {
		log_errx("%s: cannot answer the request from %s: %s", fn,
		    sl_src_text(m, src, sizeof(src)), err);
		stats_inc(st_failures);
		return -1;
	}
	rq.force_rport = (m->fwd_flags & MSG_FWD_FORCE_RPORT) != 0;
	if (sl_extra_hdrs(m, hdrs, &r.hdrs) < 0) {
		stats_inc(st_failures);
		return -1;
	}
	sl_count(code, 1);
	if (sl_build_send(m, &rq, &r, fn) < 0) {
		sl_count(code, -1);
		stats_inc(st_failures);
		return -1;
	}
	return 1;
}

/* --- script functions ----------------------------------------------------- */

static int
sl_code_ok(long long code)
{
	return code >= 100 && code <= 699;
}

/* A status code written as a literal is checked when the config loads. */
static int
sl_fix_code(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	long long n;
	int rc = arg_literal_int(a, &n);

	if (rc < 0)
		diag_error(d, "sl: status code \"%.*s\" is not a number",
		    STR_FMT(&a->text));
	else if (rc > 0 && !sl_code_ok(n))
		diag_error(d, "sl: status code %lld is out of range 100-699",
		    n);
	return rc < 0 || (rc > 0 && !sl_code_ok(n)) ? -1 : 0;
}

static int
sl_w_send_reply(struct msg *m, void *const *args, const char *fn)
{
	long long code;
	str_t reason;

	if (arg_int(m, args[0], &code) < 0 || !sl_code_ok(code)) {
		log_errx("%s: bad status code (100-699 wanted)", fn);
		return -1;
	}
	if (arg_str(m, args[1], &reason) < 0) {
		log_errx("%s: cannot render the reason phrase", fn);
		return -1;
	}
	return sl_reply(m, (int)code, &reason, NULL, fn);
}

static int
w_sl_send_reply(struct msg *m, void *const *args)
{
	return sl_w_send_reply(m, args, "sl_send_reply()");
}

static int
w_send_reply(struct msg *m, void *const *args)
{
	return sl_w_send_reply(m, args, "send_reply()");
}

static int
w_sl_reply_error(struct msg *m, void *const *args)
{
	const struct sl_err *e = sl_ext >= 0 ? m->ext[sl_ext] : NULL;
	int code = 500, rc;
	str_t reason = STR_LIT("Server Internal Error");

	(void)args;
	if (e != NULL) {
		code = e->code;
		reason = str_cstr(e->reason);
	} else if (m->kind == MSG_SIP_REQUEST && sip_parse(m) < 0) {
		code = 400;
		reason = STR_LIT("Bad Request");
	}
	/* counted before the send, like every reply (see sl_count) */
	if (!sl_is_ack(m))
		stats_inc(st_sent_err);
	rc = sl_reply(m, code, &reason, NULL, "sl_reply_error()");
	if (rc <= 0 && !sl_is_ack(m))
		stats_add(st_sent_err, -1);
	return rc;
}

static const struct cmd_export sl_cmds[] = {
	{ .name = "sl_send_reply", .fn = w_sl_send_reply, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT | ARG_STR, .fixup = sl_fix_code },
	            { .flags = ARG_STR } } },
	{ .name = "send_reply", .fn = w_send_reply, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT | ARG_STR, .fixup = sl_fix_code },
	            { .flags = ARG_STR } } },
	{ .name = "sl_reply_error", .fn = w_sl_reply_error, .routes = RT_ANY },
	{ .name = NULL },
};

/* --- API for other modules ------------------------------------------------ */

static int
sl_api_reply(struct msg *m, int code, const str_t *reason, const str_t *hdrs)
{
	if (!sl_code_ok(code)) {
		log_errx("sl: status code %d is out of range 100-699", code);
		return -1;
	}
	return sl_reply(m, code, reason, hdrs, "sl");
}

static void
sl_api_set_error(struct msg *m, int code, const char *reason)
{
	struct sl_err *e;

	if (sl_ext < 0 || !sl_code_ok(code) || reason == NULL)
		return;
	if ((e = m->ext[sl_ext]) == NULL) {
		if ((e = arena_alloc(&m->arena, sizeof(*e))) == NULL)
			return;
		m->ext[sl_ext] = e;
	}
	e->code = code;
	e->reason = reason;
}

static int
sl_api_get_totag(struct msg *m, str_t *out)
{
	struct sl_req rq;
	const char *err;
	char *tag;

	if (m->kind != MSG_SIP_REQUEST || sl_req_scan(&m->buf, &rq, &err) < 0)
		return -1;
	if (rq.to_has_tag)
		return arena_str_dup(&m->arena, &rq.to_tag, out);
	if ((tag = arena_alloc(&m->arena, SL_TAG_LEN)) == NULL ||
	    sl_totag(sl_secret, sizeof(sl_secret), &rq, tag) < 0)
		return -1;
	*out = str_make(tag, SL_TAG_LEN);
	return 0;
}

static const struct sl_api sl_api = {
	.reply = sl_api_reply,
	.set_error = sl_api_set_error,
	.get_totag = sl_api_get_totag,
};

/* --- RPC ------------------------------------------------------------------ */

/* sl.stats: the counters by code, as kamcmd shows Kamailio's. */
static void
sl_rpc_stats(struct rpc_call *c)
{
	char name[16];

	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "1xx", stats_get(st_class[1]));
	for (int i = 0; i < SL_NCODES; i++) {
		/* the class total follows the codes of its class */
		snprintf(name, sizeof(name), "%d", sl_stat_codes[i]);
		rpc_add_int(c, name, stats_get(st_code[i]));
		if (i + 1 == SL_NCODES ||
		    sl_stat_codes[i + 1] / 100 != sl_stat_codes[i] / 100) {
			snprintf(name, sizeof(name), "%dxx",
			    sl_stat_codes[i] / 100);
			rpc_add_int(c, name,
			    stats_get(st_class[sl_stat_codes[i] / 100]));
		}
	}
	rpc_add_int(c, "6xx", stats_get(st_class[6]));
	rpc_struct_end(c);
}

static const struct rpc_export sl_rpcs[] = {
	{ .name = "sl.stats", .fn = sl_rpc_stats, .args = "",
	  .help = "Print reply statistics." },
	{ .name = NULL },
};

/* --- life cycle ----------------------------------------------------------- */

static int
sl_secret_init(void)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(sl_secret)) {
		n = getrandom(sl_secret + got, sizeof(sl_secret) - got, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_err("sl: getrandom() for the To tag secret");
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int
sl_init(void)
{
	if (sl_secret_init() < 0)
		return -1;
	if ((sl_ext = msg_ext_register(NULL)) < 0) {
		log_errx("sl: no per-message data slot left");
		return -1;
	}
	if (sl_stats_init() < 0) {
		log_errx("sl: cannot register the sl:* statistics");
		return -1;
	}
	/* optional: without textops there is no append_to_reply() */
	sl_textops = mod_api_get("textops", TEXTOPS_API_VERSION);
	return 0;
}

static void
sl_destroy(void)
{
	sl_totag_release();
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "sl",
	.version = PACKAGE_VERSION,
	.cmds = sl_cmds,
	.rpcs = sl_rpcs,
	.api = &sl_api,
	.api_version = SL_API_VERSION,
	.init = sl_init,
	.destroy = sl_destroy,
};
