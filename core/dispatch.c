#include "config.h"

#include "dispatch.h"
#include "log.h"
#include "route.h"

static dispatch_msrp_fn msrp_handler;

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

void
dispatch_msg(struct msg *m, const struct frame_msg *fm)
{
	if (m->kind == MSG_MSRP) {
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
	route_run_main(m);
}
