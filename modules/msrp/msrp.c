/*
 * msrp.c - the msrp module's exports: an RFC 4976 relay scripted from
 * event_route[msrp:frame-in].  See README.md.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/timer.h"
#include "msrp.h"

static struct msrp_params P = {
	.sipmsg = 1,
	.cmap_size = 0,
	.timer_interval = 60,
	.auth_min_expires = 60,
	.auth_max_expires = 3600,
	.use_path_addr = NULL,
	.event_callback = NULL,
};

static struct msrp_stats S;

const struct msrp_params *
msrp_params(void)
{
	return &P;
}

const struct msrp_stats *
msrp_stats(void)
{
	return &S;
}

struct msrp_ctx *
msrp_ctx_of(struct msg *m, const char *fn)
{
	if (m->kind != MSG_MSRP || m->proto_ctx == NULL) {
		log_errx("%s(): the message is not an MSRP frame", fn);
		return NULL;
	}
	return m->proto_ctx;
}

/* --- script functions -------------------------------------------------------- */

static int
w_msrp_relay(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_relay");

	return c ? msrp_relay(m, c) : -1;
}

static int
w_msrp_reply(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_reply");
	str_t reason, hdrs = STR_NULL;
	long long code;

	if (c == NULL)
		return -1;
	if (arg_int(m, args[0], &code) < 0 || code < 100 || code > 999) {
		log_errx("msrp_reply(): the code must be a 3-digit number");
		return -1;
	}
	if (arg_str(m, args[1], &reason) < 0 ||
	    (args[2] && arg_str(m, args[2], &hdrs) < 0))
		return -1;
	return msrp_send_reply(m, c, (int)code, &reason, &hdrs);
}

static int
w_msrp_is_request(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = m->kind == MSG_MSRP ? m->proto_ctx : NULL;

	return c && !c->f.is_reply ? 1 : -1;
}

static int
w_msrp_is_reply(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = m->kind == MSG_MSRP ? m->proto_ctx : NULL;

	return c && c->f.is_reply ? 1 : -1;
}

static int
w_msrp_set_dst(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_set_dst");
	str_t addr, sock;

	if (c == NULL || arg_str(m, args[0], &addr) < 0 ||
	    arg_str(m, args[1], &sock) < 0)
		return -1;
	return msrp_set_dst(c, &addr, &sock);
}

static int
get_flags(struct msg *m, void *arg, const char *fn, unsigned *out)
{
	long long f;

	if (arg_int(m, arg, &f) < 0 || f < 0 || f > 3) {
		log_errx("%s(): flags must be 0..3 (1: no new connection, "
		    "2: close after send)", fn);
		return -1;
	}
	*out = (unsigned)f;
	return 1;
}

static int
w_msrp_relay_flags(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_relay_flags");

	return c ? get_flags(m, args[0], "msrp_relay_flags", &c->relay_flags) : -1;
}

static int
w_msrp_reply_flags(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_reply_flags");

	return c ? get_flags(m, args[0], "msrp_reply_flags", &c->reply_flags) : -1;
}

static int
w_msrp_cmap_save(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_cmap_save");

	return c ? msrp_cmap_save(m, c) : -1;
}

static int
w_msrp_cmap_lookup(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_cmap_lookup");

	return c ? msrp_cmap_lookup(m, c) : -1;
}

static int
w_msrp_forward(struct msg *m, void *const *args)
{
	struct msrp_ctx *c = msrp_ctx_of(m, "msrp_forward");
	str_t tp = STR_NULL, fp = STR_NULL;

	if (c == NULL)
		return -1;
	if ((args[0] && arg_str(m, args[0], &tp) < 0) ||
	    (args[1] && arg_str(m, args[1], &fp) < 0))
		return -1;
	return msrp_forward(m, c, args[0] ? &tp : NULL, args[1] ? &fp : NULL);
}

static const struct cmd_export msrp_cmds[] = {
	{ .name = "msrp_relay", .fn = w_msrp_relay, .routes = RT_ANY },
	{ .name = "msrp_reply", .fn = w_msrp_reply, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT | ARG_STR }, { .flags = ARG_STR },
	            { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "msrp_is_request", .fn = w_msrp_is_request, .routes = RT_ANY },
	{ .name = "msrp_is_reply", .fn = w_msrp_is_reply, .routes = RT_ANY },
	{ .name = "msrp_set_dst", .fn = w_msrp_set_dst, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR } } },
	{ .name = "msrp_relay_flags", .fn = w_msrp_relay_flags, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT } } },
	{ .name = "msrp_reply_flags", .fn = w_msrp_reply_flags, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT } } },
	{ .name = "msrp_cmap_save", .fn = w_msrp_cmap_save, .routes = RT_ANY },
	{ .name = "msrp_cmap_lookup", .fn = w_msrp_cmap_lookup, .routes = RT_ANY },
	{ .name = "msrp_forward", .fn = w_msrp_forward, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR | ARG_OPT },
	            { .flags = ARG_STR | ARG_OPT } } },
	{ .name = NULL },
};

/* --- parameters ------------------------------------------------------------------ */

static int
set_event_callback(const struct val *v, struct cfg_diag *d)
{
	if (v->s.len == 0)
		return 0;
	/* a KEMI engine (Lua, Python...) is needed to call a function by
	 * name; Tandem has none yet, and silently ignoring the parameter
	 * would drop every frame */
	diag_error(d, "msrp: event_callback needs a scripting-language "
	    "engine (KEMI), which Tandem does not have yet; use "
	    "event_route[msrp:frame-in]");
	return -1;
}

static const struct param_export msrp_params_tab[] = {
	{ .name = "sipmsg", .type = PARAM_INT, .var = &P.sipmsg },
	{ .name = "cmap_size", .type = PARAM_INT, .var = &P.cmap_size },
	{ .name = "timer_interval", .type = PARAM_INT, .var = &P.timer_interval },
	{ .name = "auth_min_expires", .type = PARAM_INT,
	  .var = &P.auth_min_expires },
	{ .name = "auth_max_expires", .type = PARAM_INT,
	  .var = &P.auth_max_expires },
	{ .name = "use_path_addr", .type = PARAM_STR, .var = &P.use_path_addr },
	{ .name = "event_callback", .type = PARAM_STR, .set = set_event_callback },
	{ .name = NULL },
};

static const struct rpc_export msrp_rpcs[] = {
	{ .name = "msrp.cmaplist", .fn = msrp_rpc_cmaplist, .args = "",
	  .help = "List the MSRP connection map (sessions saved by AUTH)." },
	{ .name = "msrp.cmapstats", .fn = msrp_rpc_cmapstats, .args = "",
	  .help = "Frames and bytes relayed per MSRP session." },
	{ .name = NULL },
};

/* --- life cycle ---------------------------------------------------------------------- */

static int
msrp_init(void)
{
	if (P.cmap_size < 0 || P.cmap_size > 20) {
		log_errx("msrp: cmap_size must be 0..20 (2^N slots)");
		return -1;
	}
	if (P.auth_min_expires < 0 || P.auth_max_expires < P.auth_min_expires) {
		log_errx("msrp: need 0 <= auth_min_expires <= auth_max_expires");
		return -1;
	}
	if (P.timer_interval < 1)
		P.timer_interval = 1;
	if (dispatch_set_msrp_handler(msrp_frame_in) < 0)
		return -1;
	S.frames_in = stats_register("msrp", "frames_in", 0);
	S.relayed = stats_register("msrp", "frames_relayed", 0);
	S.replies = stats_register("msrp", "replies_sent", 0);
	S.bad = stats_register("msrp", "bad_frames", 0);
	S.no_route = stats_register("msrp", "no_route", 0);
	if (P.cmap_size > 0) {
		if (msrp_cmap_init() < 0)
			return -1;
		if (timer_register("msrp cmap expiry",
		    (unsigned)P.timer_interval * 1000, msrp_cmap_timer, NULL) < 0 ||
		    conn_on_close(msrp_cmap_conn_closed, NULL) < 0)
			return -1;
	}
	return 0;
}

static void
msrp_destroy(void)
{
	msrp_cmap_destroy();
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "msrp",
	.version = PACKAGE_VERSION,
	.cmds = msrp_cmds,
	.params = msrp_params_tab,
	.pvs = msrp_pvs,
	.trs = msrp_trs,
	.rpcs = msrp_rpcs,
	.init = msrp_init,
	.destroy = msrp_destroy,
};
