/*
 * parse.c - the parser's token helpers and the statements.  The top level
 * (globals, loadmodule, modparam, routes) is in parse_top.c, expressions
 * are in parse_expr.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

void
parse_advance(struct parser *p)
{
	lex_next(&p->lx, &p->tok);
}

int
parse_is(const struct parser *p, enum tok t)
{
	return p->tok.type == t;
}

int
parse_is_ident(const struct parser *p, const char *word)
{
	return p->tok.type == T_IDENT && strcmp(p->tok.str, word) == 0;
}

enum tok
parse_peek(struct parser *p, struct token *out)
{
	size_t save = lex_tell(&p->lx);
	struct cfg_diag *d = p->lx.diag;
	unsigned nerr = d->n;
	enum tok t;

	t = lex_next(&p->lx, out);
	/* a lexical error is reported when the token is really read */
	while (d->n > nerr) {
		free(d->items[--d->n].msg);
		d->errors--;
	}
	lex_seek(&p->lx, save);
	return t;
}

void
parse_error(struct parser *p, struct cfg_pos pos, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (p->panic)
		return;
	p->panic = 1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_error_at(p->d, pos, "%s", buf);
}

const char *
parse_tok_desc(const struct token *t, char *buf, size_t len)
{
	if (t->type == T_IDENT || t->type == T_NUMBER || t->type == T_ADDR ||
	    t->type == T_PV)
		snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
		    t->start);
	else
		snprintf(buf, len, "%s", tok_name(t->type));
	return buf;
}

int
parse_expect(struct parser *p, enum tok t, const char *what)
{
	char buf[64];

	if (p->tok.type == t) {
		parse_advance(p);
		return 0;
	}
	if (p->tok.type != T_ERROR)
		parse_error(p, p->tok.pos, "expected %s before %s", what,
		    parse_tok_desc(&p->tok, buf, sizeof(buf)));
	else
		p->panic = 1;
	return -1;
}

/* Skips to just after the next ';' or to the next '}' of this level. */
static void
parse_sync(struct parser *p)
{
	int depth = 0;

	while (!parse_is(p, T_EOF)) {
		if (parse_is(p, T_LBRACE))
			depth++;
		else if (parse_is(p, T_RBRACE)) {
			if (depth == 0)
				break;
			depth--;
		} else if (parse_is(p, T_SEMI) && depth == 0) {
			parse_advance(p);
			break;
		}
		parse_advance(p);
	}
	p->panic = 0;
}

char *
parse_tok_strdup(const struct token *t)
{
	char *s = malloc(t->slen + 1);

	if (s) {
		memcpy(s, t->str, t->slen);
		s[t->slen] = '\0';
	}
	return s;
}

/* --- function calls ------------------------------------------------------ */

int
parse_call_args(struct parser *p, struct call *c)
{
	if (parse_expect(p, T_LPAREN, "'('") < 0)
		return -1;
	if (parse_is(p, T_RPAREN)) {
		parse_advance(p);
		return 0;
	}
	for (;;) {
		struct call_arg *a;
		int neg = 0;

		if (c->nargs == MOD_MAX_ARGS) {
			parse_error(p, p->tok.pos,
			    "too many arguments to %s() (at most %d)", c->name,
			    MOD_MAX_ARGS);
			return -1;
		}
		a = &c->args[c->nargs];
		a->pos = p->tok.pos;
		if (parse_is(p, T_MINUS)) {
			neg = 1;
			parse_advance(p);
			if (!parse_is(p, T_NUMBER)) {
				parse_error(p, p->tok.pos,
				    "expected a number after '-'");
				return -1;
			}
		}
		switch (p->tok.type) {
		case T_NUMBER:
			a->kind = CA_INT;
			a->n = neg ? -p->tok.num : p->tok.num;
			break;
		case T_STRING:
		case T_ADDR:
			a->kind = CA_STR;
			break;
		case T_PV:
			a->kind = CA_PV;
			break;
		case T_IDENT:
			a->kind = CA_IDENT;
			break;
		default:
			parse_error(p, p->tok.pos,
			    "expected an argument (string, number or "
			    "pseudo-variable) to %s() before %s", c->name,
			    tok_name(p->tok.type));
			return -1;
		}
		if (a->kind != CA_INT) {
			a->s = parse_tok_strdup(&p->tok);
			if (a->s == NULL)
				return -1;
			a->slen = p->tok.slen;
		}
		c->nargs++;
		parse_advance(p);
		if (parse_is(p, T_COMMA)) {
			parse_advance(p);
			continue;
		}
		return parse_expect(p, T_RPAREN, "',' or ')'");
	}
}

/* --- statements -------------------------------------------------------------- */

static struct stmt *parse_stmt(struct parser *p);

/* Statements until '}' (consumed). */
struct stmt *
parse_block_body(struct parser *p)
{
	struct stmt *head = NULL, **tail = &head;

	while (!parse_is(p, T_RBRACE) && !parse_is(p, T_EOF)) {
		struct stmt *s = parse_stmt(p);

		if (s) {
			*tail = s;
			tail = &s->next;
		} else {
			parse_sync(p);
		}
	}
	parse_expect(p, T_RBRACE, "'}'");
	return head;
}

static int
expect_semi(struct parser *p)
{
	return parse_expect(p, T_SEMI, "';'");
}

/* `kw ;` or `kw ( ) ;`  (exit, drop) */
static struct stmt *
parse_simple(struct parser *p, enum stmt_kind kind)
{
	struct stmt *s = ast_stmt_new(kind, p->tok.pos);

	parse_advance(p);
	if (parse_is(p, T_LPAREN)) {
		parse_advance(p);
		if (parse_expect(p, T_RPAREN, "')'") < 0)
			goto fail;
	}
	if (expect_semi(p) < 0)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_if(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_IF, p->tok.pos);

	if (s == NULL)
		return NULL;
	parse_advance(p);
	if (parse_expect(p, T_LPAREN, "'(' after if") < 0)
		goto fail;
	if ((s->cond = parse_expr(p)) == NULL)
		goto fail;
	if (parse_expect(p, T_RPAREN, "')'") < 0)
		goto fail;
	if ((s->body = parse_stmt(p)) == NULL)
		goto fail;
	if (parse_is_ident(p, "else")) {
		parse_advance(p);
		if ((s->els = parse_stmt(p)) == NULL)
			goto fail;
	}
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_while(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_WHILE, p->tok.pos);

	if (s == NULL)
		return NULL;
	parse_advance(p);
	if (parse_expect(p, T_LPAREN, "'(' after while") < 0)
		goto fail;
	if ((s->cond = parse_expr(p)) == NULL)
		goto fail;
	if (parse_expect(p, T_RPAREN, "')'") < 0)
		goto fail;
	p->loop_depth++;
	s->body = parse_stmt(p);
	p->loop_depth--;
	if (s->body == NULL)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct expr *
parse_case_value(struct parser *p)
{
	struct expr *e = NULL;
	int neg = 0;

	if (parse_is(p, T_MINUS)) {
		neg = 1;
		parse_advance(p);
	}
	if (parse_is(p, T_NUMBER)) {
		e = ast_expr_new(E_INT, p->tok.pos);
		if (e)
			e->n = neg ? -p->tok.num : p->tok.num;
	} else if (!neg && parse_is(p, T_STRING)) {
		e = ast_expr_new(E_STR, p->tok.pos);
		if (e && (e->s = parse_tok_strdup(&p->tok)) == NULL) {
			free(e);
			e = NULL;
		} else if (e) {
			e->slen = p->tok.slen;
		}
	} else {
		parse_error(p, p->tok.pos,
		    "case label must be a number or a string");
		return NULL;
	}
	parse_advance(p);
	return e;
}

static struct stmt *
parse_switch(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_SWITCH, p->tok.pos);
	struct case_clause **ctail;
	struct stmt **btail = NULL;

	if (s == NULL)
		return NULL;
	ctail = &s->cases;
	parse_advance(p);
	if (parse_expect(p, T_LPAREN, "'(' after switch") < 0)
		goto fail;
	if ((s->cond = parse_expr(p)) == NULL)
		goto fail;
	if (parse_expect(p, T_RPAREN, "')'") < 0 ||
	    parse_expect(p, T_LBRACE, "'{'") < 0)
		goto fail;
	p->loop_depth++;
	while (!parse_is(p, T_RBRACE) && !parse_is(p, T_EOF)) {
		if (parse_is_ident(p, "case") || parse_is_ident(p, "default")) {
			struct case_clause *c = calloc(1, sizeof(*c));

			if (c == NULL)
				break;
			c->pos = p->tok.pos;
			*ctail = c;
			ctail = &c->next;
			btail = &c->body;
			if (parse_is_ident(p, "case")) {
				parse_advance(p);
				if ((c->val = parse_case_value(p)) == NULL) {
					parse_sync(p);
					continue;
				}
			} else {
				parse_advance(p);
			}
			if (parse_expect(p, T_COLON, "':'") < 0)
				parse_sync(p);
			continue;
		}
		if (btail == NULL) {
			parse_error(p, p->tok.pos,
			    "expected 'case' or 'default' in switch");
			parse_sync(p);
			continue;
		}
		struct stmt *st = parse_stmt(p);

		if (st) {
			*btail = st;
			btail = &st->next;
		} else {
			parse_sync(p);
		}
	}
	p->loop_depth--;
	parse_expect(p, T_RBRACE, "'}'");
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_return(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_RETURN, p->tok.pos);

	if (s == NULL)
		return NULL;
	parse_advance(p);
	if (!parse_is(p, T_SEMI) && (s->cond = parse_expr(p)) == NULL)
		goto fail;
	if (expect_semi(p) < 0)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_break(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_BREAK, p->tok.pos);

	if (s == NULL)
		return NULL;
	if (p->loop_depth == 0) {
		/* SER configs end a route with break; */
		s->kind = S_RETURN;
		diag_warn_at(p->d, p->tok.pos, "'break' outside a loop or "
		    "switch ends the route (SER semantics); write 'return'");
	}
	parse_advance(p);
	if (expect_semi(p) < 0) {
		ast_stmt_free(s);
		return NULL;
	}
	return s;
}

static struct stmt *
parse_route_call(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_ROUTE, p->tok.pos);

	if (s == NULL)
		return NULL;
	parse_advance(p);
	if (parse_expect(p, T_LPAREN, "'(' after route") < 0)
		goto fail;
	switch (p->tok.type) {
	case T_IDENT:
	case T_NUMBER:
		s->name = strndup(p->tok.start, p->tok.len);
		break;
	case T_STRING:
		if (memchr(p->tok.str, '$', p->tok.slen) == NULL) {
			s->name = parse_tok_strdup(&p->tok);
			break;
		}
		/* a name computed per message */
		/* FALLTHROUGH */
	case T_PV:
		s->cond = ast_expr_new(p->tok.type == T_PV ? E_PV : E_STR,
		    p->tok.pos);
		if (s->cond == NULL ||
		    (s->cond->s = parse_tok_strdup(&p->tok)) == NULL)
			goto fail;
		s->cond->slen = p->tok.slen;
		break;
	default:
		parse_error(p, p->tok.pos, "expected a route name");
		goto fail;
	}
	if (s->name == NULL && s->cond == NULL)
		goto fail;
	parse_advance(p);
	if (parse_expect(p, T_RPAREN, "')'") < 0 || expect_semi(p) < 0)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_call_stmt(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_CALL, p->tok.pos);

	if (s == NULL)
		return NULL;
	s->call = ast_call_new(p->tok.str, p->tok.pos);
	if (s->call == NULL)
		goto fail;
	parse_advance(p);
	/* `fname;` calls a function without arguments */
	if (parse_is(p, T_LPAREN) && parse_call_args(p, s->call) < 0)
		goto fail;
	if (expect_semi(p) < 0)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_assign(struct parser *p)
{
	struct stmt *s = ast_stmt_new(S_ASSIGN, p->tok.pos);
	char buf[64];

	if (s == NULL)
		return NULL;
	if ((s->name = parse_tok_strdup(&p->tok)) == NULL)
		goto fail;
	parse_advance(p);
	if (parse_is(p, T_COLONEQ)) {
		s->colon_assign = 1;
	} else if (!parse_is(p, T_ASSIGN)) {
		parse_error(p, p->tok.pos, "expected '=' after %s, found %s",
		    s->name, parse_tok_desc(&p->tok, buf, sizeof(buf)));
		goto fail;
	}
	parse_advance(p);
	if ((s->cond = parse_expr(p)) == NULL || expect_semi(p) < 0)
		goto fail;
	return s;
fail:
	ast_stmt_free(s);
	return NULL;
}

static struct stmt *
parse_stmt(struct parser *p)
{
	char buf[64];

	switch (p->tok.type) {
	case T_LBRACE: {
		struct stmt *s = ast_stmt_new(S_BLOCK, p->tok.pos);

		if (s == NULL)
			return NULL;
		parse_advance(p);
		s->body = parse_block_body(p);
		return s;
	}
	case T_SEMI: {
		struct stmt *s = ast_stmt_new(S_NOP, p->tok.pos);

		parse_advance(p);
		return s;
	}
	case T_PV:
		return parse_assign(p);
	case T_IDENT:
		break;
	case T_ERROR:
		p->panic = 1;
		return NULL;
	default:
		parse_error(p, p->tok.pos, "expected a statement before %s",
		    parse_tok_desc(&p->tok, buf, sizeof(buf)));
		return NULL;
	}
	if (parse_is_ident(p, "if"))
		return parse_if(p);
	if (parse_is_ident(p, "while"))
		return parse_while(p);
	if (parse_is_ident(p, "switch"))
		return parse_switch(p);
	if (parse_is_ident(p, "exit"))
		return parse_simple(p, S_EXIT);
	if (parse_is_ident(p, "drop"))
		return parse_simple(p, S_DROP);
	if (parse_is_ident(p, "return"))
		return parse_return(p);
	if (parse_is_ident(p, "break"))
		return parse_break(p);
	if (parse_is_ident(p, "route"))
		return parse_route_call(p);
	if (parse_is_ident(p, "else") || parse_is_ident(p, "case") ||
	    parse_is_ident(p, "default")) {
		parse_error(p, p->tok.pos, "'%s' without a matching %s",
		    p->tok.str, p->tok.str[0] == 'e' ? "if" : "switch");
		return NULL;
	}
	return parse_call_stmt(p);
}
