#include "config.h"

#include "dispatch.h"
#include "log.h"
#include "route.h"
#include "sip.h"
#include "sock.h"
#include "stats.h"

static dispatch_msrp_fn msrp_handler;
static dispatch_sip_hook_fn req_hook, rep_hook;

/* core:* counters (kex's stats.get_statistics shows them); NULL before
 * dispatch_stats_init(), which stats_inc() accepts */
static struct {
	struct stat_var *req, *rep, *msrp, *drop;
} st;

void
dispatch_stats_init(void)
{
	st.req = stats_register("core", "rcv_requests", 0);
	st.rep = stats_register("core", "rcv_replies", 0);
	st.msrp = stats_register("core", "rcv_msrp_frames", 0);
	st.drop = stats_register("core", "drop_requests", 0);
}

int
dispatch_set_msrp_handler(dispatch_msrp_fn fn)
{
	if (msrp_handler && fn) {
		log_errx("an MSRP frame handler is already registered");
		return -1;
	}
	msrp_handler = fn;
	return 0;
}

int
dispatch_set_sip_hooks(dispatch_sip_hook_fn request,
    dispatch_sip_hook_fn reply)
{
	if ((req_hook || rep_hook) && (request || reply)) {
		log_errx("SIP transaction hooks are already registered");
		return -1;
	}
	req_hook = request;
	rep_hook = reply;
	return 0;
}

/*
 * A request without Via, From, To, Call-ID or CSeq is dropped before any
 * route, as Kamailio's core does (sip_check.c says why); 1 complete.
 */
static int
sip_request_complete(const struct msg *m)
{
	const char *missing = sip_missing_hdr(m->buf.s, m->buf.len);
	char a[80];

	if (missing == NULL)
		return 1;
	log_info("request from %s:%s dropped: no %s header",
	    proto_name(m->rcv.proto), sock_addr_text(&m->rcv.src, a,
	    sizeof(a)), missing);
	return 0;
}

void
dispatch_msg(struct msg *m, const struct frame_msg *fm)
{
	if (m->kind == MSG_MSRP) {
		stats_inc(st.msrp);
		if (msrp_handler) {
			msrp_handler(m, fm);
			return;
		}
		if (route_run_event(m, "msrp:frame-in") < 0)
			log_dbg("MSRP frame on conn %llu dropped: no msrp "
			    "module and no event_route[msrp:frame-in]",
			    (unsigned long long)m->rcv.conn_id);
		return;
	}
	stats_inc(m->kind == MSG_SIP_REPLY ? st.rep : st.req);
	if (m->kind == MSG_SIP_REQUEST && !sip_request_complete(m)) {
		stats_inc(st.drop);
		return;
	}
	if (m->kind == MSG_SIP_REQUEST && req_hook && req_hook(m) == 1)
		return;                 /* absorbed by its transaction */
	route_run_main(m);
	if ((m->run & MSG_RUN_DROP) && m->kind == MSG_SIP_REQUEST)
		stats_inc(st.drop);
	if (m->kind == MSG_SIP_REPLY && rep_hook &&
	    !(m->run & MSG_RUN_DROP))
		rep_hook(m);
}
