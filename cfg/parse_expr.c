/*
 * parse_expr.c - the expression grammar, by precedence climbing.
 *
 * From the loosest to the tightest binding:
 *   || or        && and        ! not        == != < > <= >= =~ !~
 *   |            ^             &            << >>
 *   + -          * / %         unary - ~ (int) (str)        primary
 *
 * `!` binds looser than the comparisons, so `!method=="MESSAGE"` means
 * !(method == "MESSAGE"), as Kamailio and SER configs expect.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static const char *const core_keywords[] = {
	"method", "uri", "status", "src_ip", "src_port", "dst_ip",
	"dst_port", "proto", "af", "from_uri", "to_uri", "msg_len",
	"retcode", NULL,
};

static int
is_core_keyword(const char *s)
{
	for (int i = 0; core_keywords[i]; i++)
		if (strcmp(s, core_keywords[i]) == 0)
			return 1;
	return 0;
}

static struct expr *
mk_binary(enum expr_op op, struct cfg_pos pos, struct expr *l, struct expr *r)
{
	struct expr *e;

	if (l == NULL || r == NULL) {
		ast_expr_free(l);
		ast_expr_free(r);
		return NULL;
	}
	e = ast_expr_new(op, pos);
	if (e == NULL) {
		ast_expr_free(l);
		ast_expr_free(r);
		return NULL;
	}
	e->l = l;
	e->r = r;
	return e;
}

static struct expr *
mk_unary(enum expr_op op, struct cfg_pos pos, struct expr *l)
{
	struct expr *e;

	if (l == NULL)
		return NULL;
	e = ast_expr_new(op, pos);
	if (e == NULL) {
		ast_expr_free(l);
		return NULL;
	}
	e->l = l;
	return e;
}

static struct expr *
mk_text(enum expr_op op, const struct token *t)
{
	struct expr *e = ast_expr_new(op, t->pos);

	if (e == NULL)
		return NULL;
	e->s = malloc(t->slen + 1);
	if (e->s == NULL) {
		free(e);
		return NULL;
	}
	memcpy(e->s, t->str, t->slen);
	e->s[t->slen] = '\0';
	e->slen = t->slen;
	return e;
}

static struct expr *parse_unary(struct parser *p);

static struct expr *
parse_call_expr(struct parser *p)
{
	struct expr *e = ast_expr_new(E_CALL, p->tok.pos);

	if (e == NULL)
		return NULL;
	e->call = ast_call_new(p->tok.str, p->tok.pos);
	if (e->call == NULL) {
		free(e);
		return NULL;
	}
	parse_advance(p);
	if (parse_call_args(p, e->call) < 0) {
		ast_expr_free(e);
		return NULL;
	}
	return e;
}

static struct expr *
parse_ident(struct parser *p)
{
	struct token next;
	struct expr *e;

	if (parse_peek(p, &next) == T_LPAREN)
		return parse_call_expr(p);
	if (strcmp(p->tok.str, "myself") == 0)
		e = ast_expr_new(E_MYSELF, p->tok.pos);
	else
		e = mk_text(is_core_keyword(p->tok.str) ? E_KW : E_IDENT,
		    &p->tok);
	parse_advance(p);
	return e;
}

/* '(' already seen: a cast, or a parenthesised expression. */
static struct expr *
parse_paren(struct parser *p)
{
	struct cfg_pos pos = p->tok.pos;
	struct token next;
	struct expr *e;

	parse_advance(p);
	if (parse_is(p, T_IDENT) && (strcmp(p->tok.str, "int") == 0 ||
	    strcmp(p->tok.str, "str") == 0) &&
	    parse_peek(p, &next) == T_RPAREN) {
		enum expr_op op = p->tok.str[0] == 'i' ? E_CAST_INT : E_CAST_STR;

		parse_advance(p);       /* int|str */
		parse_advance(p);       /* ) */
		return mk_unary(op, pos, parse_unary(p));
	}
	e = parse_expr(p);
	if (e == NULL)
		return NULL;
	if (parse_expect(p, T_RPAREN, "')'") < 0) {
		ast_expr_free(e);
		return NULL;
	}
	return e;
}

static struct expr *
parse_primary(struct parser *p)
{
	struct expr *e;

	switch (p->tok.type) {
	case T_NUMBER:
		e = ast_expr_new(E_INT, p->tok.pos);
		if (e)
			e->n = p->tok.num;
		parse_advance(p);
		return e;
	case T_STRING:
	case T_ADDR:
		e = mk_text(E_STR, &p->tok);
		parse_advance(p);
		return e;
	case T_PV:
		e = mk_text(E_PV, &p->tok);
		parse_advance(p);
		return e;
	case T_IDENT:
		return parse_ident(p);
	case T_LPAREN:
		return parse_paren(p);
	default:
		parse_error(p, p->tok.pos, "expected an expression before %s",
		    tok_name(p->tok.type));
		return NULL;
	}
}

static struct expr *
parse_unary(struct parser *p)
{
	struct cfg_pos pos = p->tok.pos;

	if (parse_is(p, T_MINUS)) {
		parse_advance(p);
		if (parse_is(p, T_NUMBER)) {
			struct expr *e = ast_expr_new(E_INT, pos);

			if (e)
				e->n = -p->tok.num;
			parse_advance(p);
			return e;
		}
		return mk_unary(E_NEG, pos, parse_unary(p));
	}
	if (parse_is(p, T_BNOT)) {
		parse_advance(p);
		return mk_unary(E_BNOT, pos, parse_unary(p));
	}
	/* `!` directly in an arithmetic operand: !$x + 1 */
	if (parse_is(p, T_NOT)) {
		parse_advance(p);
		return mk_unary(E_NOT, pos, parse_unary(p));
	}
	return parse_primary(p);
}

struct binop {
	enum tok      tok;
	enum expr_op  op;
	int           prec;
};

/* tighter binding = higher prec; comparisons at 3 */
static const struct binop binops[] = {
	{ T_EQ, E_EQ, 3 }, { T_NE, E_NE, 3 }, { T_LT, E_LT, 3 },
	{ T_GT, E_GT, 3 }, { T_LE, E_LE, 3 }, { T_GE, E_GE, 3 },
	{ T_MATCH, E_MATCH, 3 }, { T_NMATCH, E_NMATCH, 3 },
	{ T_BOR, E_BOR, 4 }, { T_BXOR, E_BXOR, 5 }, { T_BAND, E_BAND, 6 },
	{ T_SHL, E_SHL, 7 }, { T_SHR, E_SHR, 7 },
	{ T_PLUS, E_ADD, 8 }, { T_MINUS, E_SUB, 8 },
	{ T_STAR, E_MUL, 9 }, { T_SLASH, E_DIV, 9 }, { T_PERCENT, E_MOD, 9 },
};

static const struct binop *
find_binop(enum tok t)
{
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (binops[i].tok == t)
			return &binops[i];
	return NULL;
}

static struct expr *
parse_binary(struct parser *p, int min_prec)
{
	struct expr *l = parse_unary(p);
	const struct binop *b;

	while (l && (b = find_binop(p->tok.type)) != NULL && b->prec >= min_prec) {
		struct cfg_pos pos = p->tok.pos;
		struct expr *r;

		parse_advance(p);
		r = parse_binary(p, b->prec + 1);
		l = mk_binary(b->op, pos, l, r);
	}
	return l;
}

static struct expr *
parse_not(struct parser *p)
{
	struct cfg_pos pos = p->tok.pos;

	if (parse_is(p, T_NOT) || parse_is_ident(p, "not")) {
		parse_advance(p);
		return mk_unary(E_NOT, pos, parse_not(p));
	}
	return parse_binary(p, 3);
}

static struct expr *
parse_and(struct parser *p)
{
	struct expr *l = parse_not(p);

	while (l && (parse_is(p, T_LAND) || parse_is_ident(p, "and"))) {
		struct cfg_pos pos = p->tok.pos;

		parse_advance(p);
		l = mk_binary(E_LAND, pos, l, parse_not(p));
	}
	return l;
}

struct expr *
parse_expr(struct parser *p)
{
	struct expr *l = parse_and(p);

	while (l && (parse_is(p, T_LOR) || parse_is_ident(p, "or"))) {
		struct cfg_pos pos = p->tok.pos;

		parse_advance(p);
		l = mk_binary(E_LOR, pos, l, parse_and(p));
	}
	return l;
}
