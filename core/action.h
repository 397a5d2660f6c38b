/*
 * action.h - runs the statements of a route on a message.
 */
#ifndef TD_ACTION_H
#define TD_ACTION_H

#include "cfg/ast.h"
#include "msg.h"

enum act_status {
	ACT_NEXT = 0,       /* go on with the next statement              */
	ACT_BREAK,          /* break out of the nearest while / switch   */
	ACT_RETURN,         /* return from the current route             */
	ACT_EXIT,           /* exit / drop / a function returned 0       */
};

struct run_ctx {
	int       ret;      /* the value of ACT_RETURN                    */
	int       depth;    /* route() nesting, bounded                   */
	unsigned  rt;       /* RT_* the route runs as                     */
};

enum act_status action_run_list(struct msg *m, const struct stmt *s,
                                struct run_ctx *ctx);

#endif
