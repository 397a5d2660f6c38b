/*
 * dispatch.h - where a complete message goes: SIP to request_route /
 * reply_route, MSRP frames to the handler the msrp module registers
 * (the core knows nothing of MSRP beyond framing).
 */
#ifndef TD_DISPATCH_H
#define TD_DISPATCH_H

#include "frame.h"
#include "msg.h"

/* The msrp module's frame handler; returns like a route. */
typedef int (*dispatch_msrp_fn)(struct msg *m, const struct frame_msg *fm);

/*
 * The transaction layer's hooks (the tm module sets them in its init).
 * The request hook sees every SIP request before request_route and
 * returns 1 when it absorbed it (a retransmission of a request whose
 * transaction exists, an ACK or CANCEL it matched): the routes do not
 * run then.  The reply hook sees every SIP reply after reply_route,
 * unless the route dropped it; its return value is ignored.
 */
typedef int (*dispatch_sip_hook_fn)(struct msg *m);

/* Set once in a module's init (before fork).  0, or -1 if already set. */
int  dispatch_set_sip_hooks(dispatch_sip_hook_fn request,
                            dispatch_sip_hook_fn reply);

/* Registers the core:* message counters (supervisor, after shm_init). */
void dispatch_stats_init(void);

/* Set once in a module's init (before fork).  0, or -1 if already set. */
int  dispatch_set_msrp_handler(dispatch_msrp_fn fn);

/*
 * Runs the routes for m.  fm is the framing result for stream transports
 * (NULL for UDP).  Without an msrp handler, an MSRP frame runs
 * event_route[msrp:frame-in] when the config has one, else it is dropped
 * with a debug line.
 */
void dispatch_msg(struct msg *m, const struct frame_msg *fm);

#endif
