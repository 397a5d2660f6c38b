/*
 * route.h - the routes of the running config and the entry points that
 * run a message through them.
 */
#ifndef TD_ROUTE_H
#define TD_ROUTE_H

#include "cfg/ast.h"
#include "cfg/cfg.h"
#include "msg.h"

/* Makes cfg the running config (its routes and source names). */
void route_set_cfg(struct cfg *cfg);
struct cfg *route_get_cfg(void);

/* A route by kind and name (NULL for the unnamed kinds), or NULL. */
struct route_def *route_find(enum route_kind k, const char *name);

/*
 * Runs route r on m as route type rt (RT_*).  Returns the route's value:
 * what `return n` gave, 1 when it ended without one, 0 after exit/drop
 * (m->run says which).
 */
int route_run(struct msg *m, const struct route_def *r, unsigned rt);

/* request_route / reply_route for a SIP message; 1 when none exists. */
int route_run_main(struct msg *m);
/* event_route[name]: -1 when the config has no such route. */
int route_run_event(struct msg *m, const char *name);

/* "file:line" of a position, for runtime log lines (static buffer). */
const char *route_pos_text(struct cfg_pos pos);

#endif
