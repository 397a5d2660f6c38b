#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "core/arg.h"
#include "core/cmd.h"
#include "core/fmt.h"
#include "core/pv.h"

struct expr *
ast_expr_new(enum expr_op op, struct cfg_pos pos)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (e) {
		e->op = op;
		e->pos = pos;
	}
	return e;
}

struct stmt *
ast_stmt_new(enum stmt_kind kind, struct cfg_pos pos)
{
	struct stmt *s = calloc(1, sizeof(*s));

	if (s) {
		s->kind = kind;
		s->pos = pos;
	}
	return s;
}

struct call *
ast_call_new(const char *name, struct cfg_pos pos)
{
	struct call *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->name = strdup(name);
	if (c->name == NULL) {
		free(c);
		return NULL;
	}
	c->pos = pos;
	return c;
}

void
ast_call_free(struct call *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nargs; i++) {
		void *f = c->fixed[i];

		free(c->args[i].s);
		if (f == NULL)
			continue;
		if (c->fixed_core[i]) {
			arg_free(f);
		} else if (c->cmd && c->cmd->exp->args[i].free_fixup) {
			c->cmd->exp->args[i].free_fixup(f);
		}
	}
	free(c->name);
	free(c);
}

void
ast_expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	ast_expr_free(e->l);
	ast_expr_free(e->r);
	ast_call_free(e->call);
	if (e->pv)
		pv_ref_free(e->pv);
	if (e->re) {
		regfree(e->re);
		free(e->re);
	}
	if (e->fmt)
		fmt_free(e->fmt);
	free(e->s);
	free(e);
}

void
ast_stmt_free(struct stmt *s)
{
	struct stmt *next;

	for (; s; s = next) {
		next = s->next;
		ast_expr_free(s->cond);
		ast_stmt_free(s->body);
		ast_stmt_free(s->els);
		for (struct case_clause *c = s->cases, *cn; c; c = cn) {
			cn = c->next;
			ast_expr_free(c->val);
			ast_stmt_free(c->body);
			free(c);
		}
		ast_call_free(s->call);
		if (s->pv)
			pv_ref_free(s->pv);
		free(s->name);
		free(s);
	}
}

void
ast_tree_free(struct cfg_tree *t)
{
	for (struct top_item *i = t->items, *in; i; i = in) {
		in = i->next;
		free(i->name);
		free(i->param);
		free(i->val.s);
		for (int k = 0; k < i->nextra; k++)
			free(i->extra[k].s);
		free(i);
	}
	for (struct route_def *r = t->routes, *rn; r; r = rn) {
		rn = r->next;
		ast_stmt_free(r->body);
		free(r->name);
		free(r);
	}
	t->items = NULL;
	t->routes = NULL;
}

const char *
route_kind_name(enum route_kind k)
{
	switch (k) {
	case R_REQUEST: return "request_route";
	case R_NAMED:   return "route";
	case R_REPLY:   return "reply_route";
	case R_ONREPLY: return "onreply_route";
	case R_FAILURE: return "failure_route";
	case R_BRANCH:  return "branch_route";
	case R_EVENT:   return "event_route";
	case R_ONSEND:  return "onsend_route";
	default:        return "?";
	}
}

/* --- dump (tests) ------------------------------------------------------------ */

struct dbuf {
	char   *p;
	size_t  len, used;
};

static void
dput(struct dbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->used < b->len ? b->len - b->used : 0,
	    fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n;
}

static void
dstr(struct dbuf *b, const char *s, size_t n)
{
	dput(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			dput(b, "\\%c", c);
		else if (c == '\n')
			dput(b, "\\n");
		else if (c == '\r')
			dput(b, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			dput(b, "\\x%02x", c);
		else
			dput(b, "%c", c);
	}
	dput(b, "\"");
}

static const char *
op_name(enum expr_op op)
{
	static const char *n[] = {
		[E_NOT] = "!", [E_NEG] = "neg", [E_BNOT] = "~",
		[E_CAST_INT] = "(int)", [E_CAST_STR] = "(str)",
		[E_ADD] = "+", [E_SUB] = "-", [E_MUL] = "*", [E_DIV] = "/",
		[E_MOD] = "%", [E_BAND] = "&", [E_BOR] = "|", [E_BXOR] = "^",
		[E_SHL] = "<<", [E_SHR] = ">>", [E_EQ] = "==", [E_NE] = "!=",
		[E_LT] = "<", [E_GT] = ">", [E_LE] = "<=", [E_GE] = ">=",
		[E_MATCH] = "=~", [E_NMATCH] = "!~", [E_LAND] = "&&",
		[E_LOR] = "||",
	};

	return (size_t)op < sizeof(n) / sizeof(n[0]) && n[op] ? n[op] : "?";
}

static void dump_call(struct dbuf *b, const struct call *c);

static void
dump_expr(struct dbuf *b, const struct expr *e)
{
	if (e == NULL) {
		dput(b, "nil");
		return;
	}
	switch (e->op) {
	case E_INT:    dput(b, "%lld", e->n); return;
	case E_STR:    dstr(b, e->s, e->slen); return;
	case E_PV:     dput(b, "%s", e->s); return;
	case E_KW:     dput(b, "(kw %s)", e->s); return;
	case E_MYSELF: dput(b, "myself"); return;
	case E_IDENT:  dput(b, "(id %s)", e->s); return;
	case E_CALL:   dump_call(b, e->call); return;
	default:       break;
	}
	dput(b, "(%s ", op_name(e->op));
	dump_expr(b, e->l);
	if (e->r) {
		dput(b, " ");
		dump_expr(b, e->r);
	}
	dput(b, ")");
}

static void
dump_call(struct dbuf *b, const struct call *c)
{
	dput(b, "(call %s", c->name);
	for (int i = 0; i < c->nargs; i++) {
		const struct call_arg *a = &c->args[i];

		dput(b, " ");
		if (a->kind == CA_INT)
			dput(b, "%lld", a->n);
		else if (a->kind == CA_STR)
			dstr(b, a->s, a->slen);
		else
			dput(b, "%s", a->s);
	}
	dput(b, ")");
}

static void dump_stmts(struct dbuf *b, const struct stmt *s);

static void
dump_stmt(struct dbuf *b, const struct stmt *s)
{
	switch (s->kind) {
	case S_BLOCK:
		dput(b, "(block");
		dump_stmts(b, s->body);
		dput(b, ")");
		break;
	case S_IF:
		dput(b, "(if ");
		dump_expr(b, s->cond);
		dump_stmts(b, s->body);
		if (s->els) {
			dput(b, " else");
			dump_stmts(b, s->els);
		}
		dput(b, ")");
		break;
	case S_WHILE:
		dput(b, "(while ");
		dump_expr(b, s->cond);
		dump_stmts(b, s->body);
		dput(b, ")");
		break;
	case S_SWITCH:
		dput(b, "(switch ");
		dump_expr(b, s->cond);
		for (const struct case_clause *c = s->cases; c; c = c->next) {
			dput(b, " (");
			if (c->val) {
				dput(b, "case ");
				dump_expr(b, c->val);
			} else {
				dput(b, "default");
			}
			dump_stmts(b, c->body);
			dput(b, ")");
		}
		dput(b, ")");
		break;
	case S_EXIT:  dput(b, "(exit)"); break;
	case S_DROP:  dput(b, "(drop)"); break;
	case S_BREAK: dput(b, "(break)"); break;
	case S_NOP:   dput(b, "(nop)"); break;
	case S_RETURN:
		dput(b, "(return");
		if (s->cond) {
			dput(b, " ");
			dump_expr(b, s->cond);
		}
		dput(b, ")");
		break;
	case S_ROUTE:
		dput(b, "(route ");
		if (s->cond)
			dump_expr(b, s->cond);
		else
			dput(b, "%s", s->name);
		dput(b, ")");
		break;
	case S_CALL:
		dump_call(b, s->call);
		break;
	case S_ASSIGN:
		dput(b, "(= %s ", s->name);
		dump_expr(b, s->cond);
		dput(b, ")");
		break;
	}
}

static void
dump_stmts(struct dbuf *b, const struct stmt *s)
{
	for (; s; s = s->next) {
		dput(b, " ");
		dump_stmt(b, s);
	}
}

int
ast_dump_expr(const struct expr *e, char *buf, size_t len)
{
	struct dbuf b = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	dump_expr(&b, e);
	return b.used < len ? 0 : -1;
}

int
ast_dump(const struct cfg_tree *t, char *buf, size_t len)
{
	struct dbuf b = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	for (const struct top_item *i = t->items; i; i = i->next) {
		if (b.used)
			dput(&b, " ");
		if (i->kind == TOP_GLOBAL)
			dput(&b, "(global %s ", i->name);
		else if (i->kind == TOP_LOADMODULE)
			dput(&b, "(loadmodule ");
		else
			dput(&b, "(modparam %s %s ", i->name, i->param);
		if (i->kind == TOP_LOADMODULE)
			dstr(&b, i->name, strlen(i->name));
		else if (i->val.is_int)
			dput(&b, "%lld", i->val.n);
		else
			dstr(&b, i->val.s, strlen(i->val.s));
		for (int k = 0; k < i->nextra; k++) {
			dput(&b, " ");
			dstr(&b, i->extra[k].s, strlen(i->extra[k].s));
		}
		dput(&b, ")");
	}
	for (const struct route_def *r = t->routes; r; r = r->next) {
		if (b.used)
			dput(&b, " ");
		dput(&b, "(%s", route_kind_name(r->kind));
		if (r->name)
			dput(&b, "[%s]", r->name);
		dump_stmts(&b, r->body);
		dput(&b, ")");
	}
	return b.used < len ? 0 : -1;
}
