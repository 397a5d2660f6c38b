/*
 * parse.h - the recursive-descent parser: tokens to AST, nothing else (no
 * module is loaded and no name is looked up here; see resolve.h).
 */
#ifndef TD_CFG_PARSE_H
#define TD_CFG_PARSE_H

#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "pp.h"

/*
 * Parses the preprocessed text into *out.  Every syntax error is added to
 * d (the parser resynchronises at the next ';' or '}' and goes on).
 * Returns 0 when no error was found, -1 otherwise; *out holds whatever
 * parsed either way and is freed with ast_tree_free().
 */
int cfg_parse(const struct pp_out *in, struct cfg_diag *d,
              struct cfg_tree *out);

/* --- shared by parse.c, parse_top.c and parse_expr.c ---------------------- */
struct parser {
	struct lexer     lx;
	struct token     tok;           /* current token                    */
	struct cfg_diag *d;
	int              panic;         /* an error is being recovered from */
	int              loop_depth;    /* while / switch nesting           */
};

void parse_advance(struct parser *p);
int  parse_is(const struct parser *p, enum tok t);
int  parse_is_ident(const struct parser *p, const char *word);
/* Consumes t or reports "expected WHAT before TOKEN". 0 / -1. */
int  parse_expect(struct parser *p, enum tok t, const char *what);
void parse_error(struct parser *p, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The type of the token after the current one (no consumption). */
enum tok parse_peek(struct parser *p, struct token *out);
/* t for messages: its text in quotes (cut at 40 bytes) or its name. */
const char *parse_tok_desc(const struct token *t, char *buf, size_t len);
/* A malloc()ed, NUL-terminated copy of t's string value, or NULL. */
char *parse_tok_strdup(const struct token *t);
/* Statements until '}' (consumed); syntax errors are resynchronised. */
struct stmt *parse_block_body(struct parser *p);

struct expr *parse_expr(struct parser *p);
/* Function call arguments: at '(' ; fills c.  0 / -1. */
int parse_call_args(struct parser *p, struct call *c);

#endif
