/*
 * lex.h - the config tokenizer.  It runs on the preprocessor's output
 * (comments already blanked, defines expanded) and gives every token the
 * source position the preprocessor mapped it from.
 *
 * The parser pulls one token at a time.  Global values (listen=, alias=,
 * mpath= ...) are not ordinary tokens: after `name =` the parser asks for
 * lex_raw_value(), which takes a string or a blank-delimited word such as
 * udp:127.0.0.1:5060 or [::1]:5061.
 */
#ifndef TD_CFG_LEX_H
#define TD_CFG_LEX_H

#include <stddef.h>

#include "diag.h"
#include "pp.h"

enum tok {
	T_EOF = 0,
	T_ERROR,        /* already reported                                   */
	T_IDENT,        /* [A-Za-z_][A-Za-z0-9_]* (keywords too)              */
	T_NUMBER,       /* decimal or 0x hex                                  */
	T_ADDR,         /* dotted IPv4 address 1.2.3.4 (src_ip == 1.2.3.4)    */
	T_STRING,       /* "..." or '...', escapes decoded; adjacent joined   */
	T_PV,           /* $name, $name(...), $(...): the raw text            */
	T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
	T_SEMI, T_COMMA, T_COLON,
	T_ASSIGN,       /* =   */
	T_COLONEQ,      /* :=  */
	T_EQ, T_NE, T_LT, T_GT, T_LE, T_GE,
	T_MATCH,        /* =~  */
	T_NMATCH,       /* !~  */
	T_NOT,          /* !   */
	T_LAND,         /* &&  */
	T_LOR,          /* ||  */
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
	T_BAND, T_BOR, T_BXOR, T_BNOT, T_SHL, T_SHR,
	T_WORD,         /* lex_raw_value(): a blank-delimited word            */
};

struct token {
	enum tok        type;
	const char     *start;      /* in the pp text                       */
	size_t          len;        /* raw length in the pp text            */
	size_t          off;        /* offset of start in the pp text       */
	struct cfg_pos  pos;
	long long       num;        /* T_NUMBER                             */
	char           *str;        /* T_STRING, T_WORD, T_PV, T_IDENT, T_ADDR:
	                             * NUL-terminated value, owned by the
	                             * lexer (valid until lex_free)          */
	size_t          slen;       /* length of str (strings may hold NUL) */
};

struct lexer {
	const struct pp_out *in;
	struct cfg_diag     *diag;
	size_t               off;
	char               **pool;  /* every str handed out                 */
	size_t               npool, cappool;
};

void lex_init(struct lexer *lx, const struct pp_out *in, struct cfg_diag *d);
/* Next token; T_ERROR after reporting a bad character or string. */
enum tok lex_next(struct lexer *lx, struct token *t);
/* A global's value (see above): T_STRING, T_NUMBER or T_WORD. */
enum tok lex_raw_value(struct lexer *lx, struct token *t);
/* The text up to the next ']' on this line, trimmed (route names such as
 * msrp:frame-in): T_WORD, or T_ERROR when there is no ']'. */
enum tok lex_until_rbrack(struct lexer *lx, struct token *t);
/* Saves / restores the position (one-token lookahead in the parser). */
size_t lex_tell(const struct lexer *lx);
void   lex_seek(struct lexer *lx, size_t off);
const char *tok_name(enum tok t);
void lex_free(struct lexer *lx);

#endif
