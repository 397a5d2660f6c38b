#include "config.h"

#include <string.h>

#include "action.h"
#include "expr.h"
#include "globals.h"
#include "log.h"
#include "pv.h"
#include "route.h"

#define ROUTE_MAX_DEPTH 100

static enum act_status action_run(struct msg *m, const struct stmt *s,
                                  struct run_ctx *ctx);

static enum act_status
run_route_stmt(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	const struct route_def *r = s->target;
	struct run_ctx sub;
	enum act_status st;

	if (r == NULL) {
		struct val v;
		str_t name;
		char buf[256];

		/* route($var(x)) / route("r_$var(y)"): looked up now */
		if (expr_eval(m, s->cond, &v) < 0 ||
		    val_to_str(&m->arena, &v, &name) < 0)
			return ACT_NEXT;
		if (name.len >= sizeof(buf))
			name.len = sizeof(buf) - 1;
		memcpy(buf, name.s, name.len);
		buf[name.len] = '\0';
		r = route_find(R_NAMED, buf);
		if (r == NULL) {
			log_errx("%s: route(%s): no such route",
			    route_pos_text(s->pos), buf);
			m->last_rc = -1;
			return ACT_NEXT;
		}
	}
	if (ctx->depth >= ROUTE_MAX_DEPTH) {
		log_errx("%s: route(%s): more than %d nested routes, stopping",
		    route_pos_text(s->pos), r->name, ROUTE_MAX_DEPTH);
		return ACT_EXIT;
	}
	sub = (struct run_ctx){ .ret = 1, .depth = ctx->depth + 1, .rt = ctx->rt };
	st = action_run_list(m, r->body, &sub);
	if (st == ACT_EXIT)
		return ACT_EXIT;
	m->last_rc = sub.ret;
	return ACT_NEXT;
}

static enum act_status
run_switch(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	const struct case_clause *c, *start = NULL, *dflt = NULL;
	struct val v, cv;
	enum act_status st;

	if (expr_eval(m, s->cond, &v) < 0)
		return ACT_NEXT;
	for (c = s->cases; c && !start; c = c->next) {
		long long n;
		str_t sv;

		if (c->val == NULL) {
			dflt = c;
			continue;
		}
		expr_eval(m, c->val, &cv);
		if (c->val->op == E_INT) {
			if (val_to_int(&v, &n) == 0 && !val_is_null(&v) &&
			    n == c->val->n)
				start = c;
		} else if (!val_is_null(&v) &&
		    val_to_str(&m->arena, &v, &sv) == 0 && str_eq(&sv, &cv.s)) {
			start = c;
		}
	}
	if (start == NULL)
		start = dflt;
	/* from the matching label on, falling through until break */
	for (c = start; c; c = c->next) {
		st = action_run_list(m, c->body, ctx);
		if (st == ACT_BREAK)
			return ACT_NEXT;
		if (st != ACT_NEXT)
			return st;
	}
	return ACT_NEXT;
}

static enum act_status
run_while(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	int n = 0, max = core_cfg.max_while_loops > 0 ?
	    core_cfg.max_while_loops : 100;
	enum act_status st;

	while (expr_truth(m, s->cond)) {
		if (m->run & MSG_RUN_EXIT)
			return ACT_EXIT;
		if (n++ >= max) {
			log_warnx("%s: while loop stopped after %d iterations "
			    "(max_while_loops)", route_pos_text(s->pos), max);
			break;
		}
		st = action_run(m, s->body, ctx);
		if (st == ACT_BREAK)
			break;
		if (st != ACT_NEXT)
			return st;
	}
	return (m->run & MSG_RUN_EXIT) ? ACT_EXIT : ACT_NEXT;
}

static enum act_status
run_return(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	struct val v;
	long long n = 1;

	if (s->cond) {
		if (expr_eval(m, s->cond, &v) < 0 || val_to_int(&v, &n) < 0) {
			log_errx("%s: return value is not a number",
			    route_pos_text(s->pos));
			n = -1;
		}
	}
	ctx->ret = (int)n;
	m->last_rc = (int)n;
	/* return(0) ends the script, as in Kamailio */
	if (n == 0) {
		m->run |= MSG_RUN_EXIT;
		return ACT_EXIT;
	}
	return ACT_RETURN;
}

static enum act_status
run_assign(struct msg *m, const struct stmt *s)
{
	struct val v;

	if (s->pv == NULL || expr_eval(m, s->cond, &v) < 0)
		return ACT_NEXT;
	if (pv_set(m, s->pv, &v) < 0)
		log_errx("%s: assignment to %s failed", route_pos_text(s->pos),
		    s->name);
	return ACT_NEXT;
}

static enum act_status
action_run(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	int c;

	switch (s->kind) {
	case S_BLOCK:
		return action_run_list(m, s->body, ctx);
	case S_IF:
		c = expr_truth(m, s->cond);
		if (m->run & MSG_RUN_EXIT)
			return ACT_EXIT;
		if (c)
			return action_run_list(m, s->body, ctx);
		return s->els ? action_run_list(m, s->els, ctx) : ACT_NEXT;
	case S_WHILE:
		return run_while(m, s, ctx);
	case S_SWITCH:
		return run_switch(m, s, ctx);
	case S_EXIT:
		m->run |= MSG_RUN_EXIT;
		return ACT_EXIT;
	case S_DROP:
		m->run |= MSG_RUN_EXIT | MSG_RUN_DROP;
		return ACT_EXIT;
	case S_RETURN:
		return run_return(m, s, ctx);
	case S_BREAK:
		return ACT_BREAK;
	case S_ROUTE:
		return run_route_stmt(m, s, ctx);
	case S_CALL:
		expr_call(m, s->call);
		return (m->run & MSG_RUN_EXIT) ? ACT_EXIT : ACT_NEXT;
	case S_ASSIGN:
		return run_assign(m, s);
	case S_NOP:
		return ACT_NEXT;
	}
	return ACT_NEXT;
}

enum act_status
action_run_list(struct msg *m, const struct stmt *s, struct run_ctx *ctx)
{
	enum act_status st;

	for (; s; s = s->next) {
		st = action_run(m, s, ctx);
		if (st != ACT_NEXT)
			return st;
		if (m->run & MSG_RUN_EXIT)
			return ACT_EXIT;
	}
	return ACT_NEXT;
}
