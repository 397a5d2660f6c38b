/*
 * expr.h - evaluation of config expressions with Kamailio's coercions:
 * the left operand decides between integer and string arithmetic and
 * comparison; $null equals only $null; =~ is a case-insensitive POSIX
 * extended match; a function call is true when it returned > 0.
 */
#ifndef TD_EXPR_H
#define TD_EXPR_H

#include "cfg/ast.h"
#include "msg.h"
#include "val.h"

struct run_ctx;

/* 0 and *out, or -1 (a runtime error, logged with the config location). */
int expr_eval(struct msg *m, const struct expr *e, struct val *out);
/* The truth of e as a condition: 1 or 0 (an error counts as false). */
int expr_truth(struct msg *m, const struct expr *e);

/* Runs a resolved call; its return code (0 also sets MSG_RUN_EXIT). */
int expr_call(struct msg *m, const struct call *c);

/* 1 when host[:port] (or a SIP URI's host:port) is one of ours. */
int expr_is_myself(const str_t *text);

#endif
