/*
 * parse_top.c - the top level of a config: global parameters, loadmodule,
 * modparam and the route definitions.  The statements inside a route are
 * in parse.c, expressions in parse_expr.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int
top_value_from(struct top_value *v, const struct token *t)
{
	v->pos = t->pos;
	v->is_int = t->type == T_NUMBER;
	v->n = t->num;
	v->quoted = t->type == T_STRING;
	v->s = parse_tok_strdup(t);
	return v->s ? 0 : -1;
}

static struct top_item *
top_new(enum top_kind kind, struct cfg_pos pos)
{
	struct top_item *it = calloc(1, sizeof(*it));

	if (it) {
		it->kind = kind;
		it->pos = pos;
	}
	return it;
}

static void
top_free(struct top_item *it)
{
	struct cfg_tree t = { it, NULL };

	if (it) {
		it->next = NULL;
		ast_tree_free(&t);
	}
}

/* name = value [advertise addr] [name "x"] [;] */
static struct top_item *
parse_global(struct parser *p)
{
	struct top_item *it = top_new(TOP_GLOBAL, p->tok.pos);
	struct token t;

	if (it == NULL || (it->name = parse_tok_strdup(&p->tok)) == NULL)
		goto fail;
	parse_advance(p);                       /* lexes the '=' */
	if (lex_raw_value(&p->lx, &t) == T_ERROR) {
		p->panic = 1;
		goto fail;
	}
	if (top_value_from(&it->val, &t) < 0)
		goto fail;
	for (;;) {
		struct token kw;
		size_t save = lex_tell(&p->lx);

		if (lex_next(&p->lx, &kw) != T_IDENT ||
		    (strcmp(kw.str, "advertise") != 0 &&
		     strcmp(kw.str, "name") != 0) ||
		    it->nextra + 2 > TOP_MAX_EXTRA) {
			lex_seek(&p->lx, save);
			break;
		}
		if (top_value_from(&it->extra[it->nextra++], &kw) < 0)
			goto fail;
		if (lex_raw_value(&p->lx, &t) == T_ERROR) {
			p->panic = 1;
			goto fail;
		}
		if (top_value_from(&it->extra[it->nextra++], &t) < 0)
			goto fail;
	}
	parse_advance(p);
	if (parse_is(p, T_SEMI))
		parse_advance(p);
	return it;
fail:
	top_free(it);
	return NULL;
}

/* loadmodule "path"  |  loadmodule("path") */
static struct top_item *
parse_loadmodule(struct parser *p)
{
	struct top_item *it = top_new(TOP_LOADMODULE, p->tok.pos);
	int paren;

	if (it == NULL)
		return NULL;
	parse_advance(p);
	paren = parse_is(p, T_LPAREN);
	if (paren)
		parse_advance(p);
	if (!parse_is(p, T_STRING)) {
		parse_error(p, p->tok.pos,
		    "loadmodule needs a module name in quotes");
		goto fail;
	}
	if ((it->name = parse_tok_strdup(&p->tok)) == NULL)
		goto fail;
	it->val.pos = p->tok.pos;
	parse_advance(p);
	if (paren && parse_expect(p, T_RPAREN, "')'") < 0)
		goto fail;
	if (parse_is(p, T_SEMI))
		parse_advance(p);
	return it;
fail:
	top_free(it);
	return NULL;
}

/* modparam("module", "param", value) */
static struct top_item *
parse_modparam(struct parser *p)
{
	struct top_item *it = top_new(TOP_MODPARAM, p->tok.pos);
	int neg = 0;

	if (it == NULL)
		return NULL;
	parse_advance(p);
	if (parse_expect(p, T_LPAREN, "'(' after modparam") < 0)
		goto fail;
	if (!parse_is(p, T_STRING)) {
		parse_error(p, p->tok.pos, "modparam: expected the module "
		    "name in quotes");
		goto fail;
	}
	it->name = parse_tok_strdup(&p->tok);
	parse_advance(p);
	if (parse_expect(p, T_COMMA, "','") < 0)
		goto fail;
	if (!parse_is(p, T_STRING)) {
		parse_error(p, p->tok.pos, "modparam: expected the parameter "
		    "name in quotes");
		goto fail;
	}
	it->param = parse_tok_strdup(&p->tok);
	parse_advance(p);
	if (parse_expect(p, T_COMMA, "','") < 0)
		goto fail;
	if (parse_is(p, T_MINUS)) {
		neg = 1;
		parse_advance(p);
	}
	if (!parse_is(p, T_STRING) && !parse_is(p, T_NUMBER)) {
		parse_error(p, p->tok.pos,
		    "modparam: the value must be a string or a number");
		goto fail;
	}
	if (neg && !parse_is(p, T_NUMBER)) {
		parse_error(p, p->tok.pos, "modparam: expected a number after '-'");
		goto fail;
	}
	if (top_value_from(&it->val, &p->tok) < 0 || !it->name || !it->param)
		goto fail;
	if (neg)
		it->val.n = -it->val.n;
	parse_advance(p);
	if (parse_expect(p, T_RPAREN, "')'") < 0)
		goto fail;
	if (parse_is(p, T_SEMI))
		parse_advance(p);
	return it;
fail:
	top_free(it);
	return NULL;
}

static const struct {
	const char      *word;
	enum route_kind  kind;
	int              named;     /* 0 never, 1 always, 2 optional */
} route_words[] = {
	{ "request_route", R_REQUEST, 0 },
	{ "route", R_REQUEST, 2 },
	{ "reply_route", R_REPLY, 0 },
	{ "onreply_route", R_REPLY, 2 },
	{ "failure_route", R_FAILURE, 1 },
	{ "branch_route", R_BRANCH, 1 },
	{ "event_route", R_EVENT, 1 },
	{ "onsend_route", R_ONSEND, 0 },
};

static struct route_def *
parse_route_def(struct parser *p, int w)
{
	struct route_def *r = calloc(1, sizeof(*r));
	struct token t;

	if (r == NULL)
		return NULL;
	r->kind = route_words[w].kind;
	r->pos = p->tok.pos;
	parse_advance(p);
	if (parse_is(p, T_LBRACK)) {
		if (route_words[w].named == 0) {
			parse_error(p, p->tok.pos, "%s takes no name",
			    route_words[w].word);
			goto fail;
		}
		if (lex_until_rbrack(&p->lx, &t) == T_ERROR) {
			p->panic = 1;
			goto fail;
		}
		if (t.slen == 0) {
			parse_error(p, t.pos, "empty route name");
			goto fail;
		}
		if ((r->name = strdup(t.str)) == NULL)
			goto fail;
		parse_advance(p);
		if (parse_expect(p, T_RBRACK, "']'") < 0)
			goto fail;
		if (r->kind == R_REQUEST)
			r->kind = R_NAMED;
		else if (r->kind == R_REPLY)
			r->kind = R_ONREPLY;
	} else if (route_words[w].named == 1) {
		parse_error(p, p->tok.pos, "%s needs a name: %s[NAME]",
		    route_words[w].word, route_words[w].word);
		goto fail;
	}
	if (parse_expect(p, T_LBRACE, "'{'") < 0)
		goto fail;
	r->body = parse_block_body(p);
	return r;
fail:
	free(r->name);
	free(r);
	return NULL;
}

static int
route_word(const struct parser *p)
{
	for (size_t i = 0; i < sizeof(route_words) / sizeof(route_words[0]); i++)
		if (parse_is_ident(p, route_words[i].word))
			return (int)i;
	return -1;
}

/* Skips a broken top-level item: to the end of its block or line. */
static void
top_sync(struct parser *p)
{
	p->panic = 0;
	while (!parse_is(p, T_EOF)) {
		struct token next;

		if (parse_is(p, T_LBRACE)) {
			parse_advance(p);
			/* syntax errors inside still count */
			ast_stmt_free(parse_block_body(p));
			return;
		}
		if (parse_is(p, T_SEMI)) {
			parse_advance(p);
			return;
		}
		parse_advance(p);
		/* the next item starts: a global, loadmodule or a route */
		if (parse_is(p, T_IDENT) && (route_word(p) >= 0 ||
		    parse_is_ident(p, "loadmodule") ||
		    parse_is_ident(p, "modparam") ||
		    parse_peek(p, &next) == T_ASSIGN))
			return;
	}
}

int
cfg_parse(const struct pp_out *in, struct cfg_diag *d, struct cfg_tree *out)
{
	struct parser p;
	struct top_item **itail = &out->items;
	struct route_def **rtail = &out->routes;
	unsigned errors = d->errors;
	char buf[64];

	memset(&p, 0, sizeof(p));
	p.d = d;
	lex_init(&p.lx, in, d);
	parse_advance(&p);
	while (!parse_is(&p, T_EOF)) {
		struct top_item *it = NULL;
		struct route_def *r = NULL;
		struct token next;
		int w;

		if (parse_is(&p, T_SEMI)) {
			parse_advance(&p);
			continue;
		}
		if (parse_is(&p, T_ERROR)) {
			parse_advance(&p);
			continue;
		}
		if (!parse_is(&p, T_IDENT)) {
			parse_error(&p, p.tok.pos, "expected a global parameter, "
			    "loadmodule, modparam or a route before %s",
			    parse_tok_desc(&p.tok, buf, sizeof(buf)));
			top_sync(&p);
			continue;
		}
		if ((w = route_word(&p)) >= 0 &&
		    (parse_peek(&p, &next) == T_LBRACE || next.type == T_LBRACK)) {
			r = parse_route_def(&p, w);
		} else if (parse_is_ident(&p, "loadmodule")) {
			it = parse_loadmodule(&p);
		} else if (parse_is_ident(&p, "modparam")) {
			it = parse_modparam(&p);
		} else if (parse_peek(&p, &next) == T_ASSIGN) {
			it = parse_global(&p);
		} else {
			parse_error(&p, p.tok.pos, "unexpected %s at top level: "
			    "expected a global parameter (name=value), "
			    "loadmodule, modparam or a route",
			    parse_tok_desc(&p.tok, buf, sizeof(buf)));
		}
		if (it) {
			*itail = it;
			itail = &it->next;
		} else if (r) {
			*rtail = r;
			rtail = &r->next;
		} else {
			top_sync(&p);
		}
		p.panic = 0;
	}
	lex_free(&p.lx);
	return d->errors == errors ? 0 : -1;
}
