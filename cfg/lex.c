#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

void
lex_init(struct lexer *lx, const struct pp_out *in, struct cfg_diag *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->in = in;
	lx->diag = d;
}

void
lex_free(struct lexer *lx)
{
	for (size_t i = 0; i < lx->npool; i++)
		free(lx->pool[i]);
	free(lx->pool);
	lx->pool = NULL;
	lx->npool = lx->cappool = 0;
}

size_t
lex_tell(const struct lexer *lx)
{
	return lx->off;
}

void
lex_seek(struct lexer *lx, size_t off)
{
	lx->off = off;
}

/* Keeps p for lex_free(); returns p, or NULL (and frees p) on failure. */
static char *
pool_keep(struct lexer *lx, char *p)
{
	char **np;

	if (p == NULL)
		return NULL;
	if (lx->npool == lx->cappool) {
		size_t cap = lx->cappool ? lx->cappool * 2 : 64;

		np = realloc(lx->pool, cap * sizeof(*np));
		if (np == NULL) {
			free(p);
			return NULL;
		}
		lx->pool = np;
		lx->cappool = cap;
	}
	lx->pool[lx->npool++] = p;
	return p;
}

static char *
pool_strndup(struct lexer *lx, const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return pool_keep(lx, p);
}

static int
peekc(const struct lexer *lx, size_t ahead)
{
	size_t o = lx->off + ahead;

	return o < lx->in->len ? (unsigned char)lx->in->text[o] : -1;
}

static void
skip_blanks(struct lexer *lx)
{
	while (lx->off < lx->in->len &&
	    isspace((unsigned char)lx->in->text[lx->off]))
		lx->off++;
}

static void
tok_begin(struct lexer *lx, struct token *t)
{
	memset(t, 0, sizeof(*t));
	t->start = lx->in->text + lx->off;
	t->off = lx->off;
	t->pos = pp_out_pos(lx->in, lx->off);
}

static enum tok
tok_end(struct lexer *lx, struct token *t, enum tok type)
{
	t->type = type;
	t->len = (size_t)(lx->in->text + lx->off - t->start);
	return type;
}

static enum tok
lex_error(struct lexer *lx, struct token *t, const char *msg)
{
	diag_error_at(lx->diag, t->pos, "%s", msg);
	return tok_end(lx, t, T_ERROR);
}

/*
 * Decodes one quoted string starting at the quote into buf.  Returns the
 * decoded length, or -1 when the closing quote is missing.
 */
static long
scan_quoted(struct lexer *lx, char *buf)
{
	int q = peekc(lx, 0);
	long n = 0;
	int c;

	lx->off++;
	while ((c = peekc(lx, 0)) != -1 && c != q) {
		lx->off++;
		if (c == '\\' && peekc(lx, 0) != -1) {
			c = peekc(lx, 0);
			lx->off++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '0': c = '\0'; break;
			case '\\': case '"': case '\'': break;
			case '\n': continue;    /* line continuation */
			default:
				/* keep unknown escapes as written: regexes
				 * such as "\.com" rely on it */
				buf[n++] = '\\';
				break;
			}
		}
		buf[n++] = (char)c;
	}
	if (c == -1)
		return -1;
	lx->off++;
	return n;
}

static enum tok
lex_string(struct lexer *lx, struct token *t)
{
	/* decoded text is never longer than the raw text */
	char *buf = malloc(lx->in->len - lx->off + 1);
	size_t total = 0;
	long n;

	if (buf == NULL)
		return lex_error(lx, t, "out of memory");
	for (;;) {
		n = scan_quoted(lx, buf + total);
		if (n < 0) {
			free(buf);
			return lex_error(lx, t, "unterminated string");
		}
		total += (size_t)n;
		/* "a" "b" is one string, as in Kamailio */
		size_t save = lx->off;
		skip_blanks(lx);
		if (peekc(lx, 0) != '"' && peekc(lx, 0) != '\'') {
			lx->off = save;
			break;
		}
	}
	buf[total] = '\0';
	t->str = pool_keep(lx, buf);
	t->slen = total;
	if (t->str == NULL)
		return lex_error(lx, t, "out of memory");
	return tok_end(lx, t, T_STRING);
}

/* Skips a balanced (...) starting at '(' ; quotes inside are skipped. */
static int
skip_parens(struct lexer *lx)
{
	int depth = 0, c;

	while ((c = peekc(lx, 0)) != -1) {
		if (c == '"' || c == '\'') {
			int q = c;

			lx->off++;
			while ((c = peekc(lx, 0)) != -1 && c != q) {
				if (c == '\\')
					lx->off++;
				lx->off++;
			}
			if (c == -1)
				return -1;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0) {
				lx->off++;
				return 0;
			}
		} else if (c == '\n' && depth > 0) {
			return -1;
		}
		lx->off++;
	}
	return -1;
}

static int
is_name_char(int c)
{
	return c != -1 && (isalnum(c) || c == '_');
}

static enum tok
lex_pv(struct lexer *lx, struct token *t)
{
	lx->off++;                              /* '$' */
	if (peekc(lx, 0) == '(') {
		if (skip_parens(lx) < 0)
			return lex_error(lx, t, "unterminated pseudo-variable");
	} else if (is_name_char(peekc(lx, 0)) && !isdigit(peekc(lx, 0))) {
		while (is_name_char(peekc(lx, 0)))
			lx->off++;
		if (peekc(lx, 0) == '(' && skip_parens(lx) < 0)
			return lex_error(lx, t, "unterminated pseudo-variable");
	} else if (peekc(lx, 0) == '?') {
		lx->off++;                      /* $? : last return code */
	} else {
		return lex_error(lx, t, "'$' must start a pseudo-variable name");
	}
	tok_end(lx, t, T_PV);
	t->str = pool_strndup(lx, t->start, t->len);
	t->slen = t->len;
	return t->str ? T_PV : lex_error(lx, t, "out of memory");
}

static enum tok
lex_number(struct lexer *lx, struct token *t)
{
	size_t dots = 0;
	int hex = peekc(lx, 0) == '0' && (peekc(lx, 1) == 'x' || peekc(lx, 1) == 'X');

	if (hex) {
		lx->off += 2;
		while (peekc(lx, 0) != -1 && isxdigit(peekc(lx, 0)))
			lx->off++;
	} else {
		while (peekc(lx, 0) != -1 &&
		    (isdigit(peekc(lx, 0)) ||
		     (peekc(lx, 0) == '.' && peekc(lx, 1) != -1 &&
		      isdigit(peekc(lx, 1))))) {
			dots += peekc(lx, 0) == '.';
			lx->off++;
		}
	}
	if (is_name_char(peekc(lx, 0)))
		return lex_error(lx, t, "malformed number");
	tok_end(lx, t, T_NUMBER);
	t->str = pool_strndup(lx, t->start, t->len);
	t->slen = t->len;
	if (t->str == NULL)
		return lex_error(lx, t, "out of memory");
	if (dots == 3) {
		t->type = T_ADDR;
		return T_ADDR;
	}
	if (dots != 0)
		return lex_error(lx, t, "malformed number or address");
	errno = 0;
	t->num = strtoll(t->str, NULL, hex ? 16 : 10);
	if (errno == ERANGE)
		return lex_error(lx, t, "number out of range");
	return T_NUMBER;
}

struct punct {
	const char *s;
	enum tok    t;
};

/* longest first */
static const struct punct puncts[] = {
	{ "==", T_EQ }, { "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE },
	{ "=~", T_MATCH }, { "!~", T_NMATCH }, { "&&", T_LAND },
	{ "||", T_LOR }, { "<<", T_SHL }, { ">>", T_SHR }, { ":=", T_COLONEQ },
	{ "{", T_LBRACE }, { "}", T_RBRACE }, { "(", T_LPAREN },
	{ ")", T_RPAREN }, { "[", T_LBRACK }, { "]", T_RBRACK },
	{ ";", T_SEMI }, { ",", T_COMMA }, { ":", T_COLON }, { "=", T_ASSIGN },
	{ "<", T_LT }, { ">", T_GT }, { "!", T_NOT }, { "+", T_PLUS },
	{ "-", T_MINUS }, { "*", T_STAR }, { "/", T_SLASH },
	{ "%", T_PERCENT }, { "&", T_BAND }, { "|", T_BOR }, { "^", T_BXOR },
	{ "~", T_BNOT },
};

enum tok
lex_next(struct lexer *lx, struct token *t)
{
	int c;

	skip_blanks(lx);
	tok_begin(lx, t);
	c = peekc(lx, 0);
	if (c == -1)
		return tok_end(lx, t, T_EOF);
	if (c == '"' || c == '\'')
		return lex_string(lx, t);
	if (c == '$')
		return lex_pv(lx, t);
	if (isdigit(c))
		return lex_number(lx, t);
	if (isalpha(c) || c == '_') {
		while (is_name_char(peekc(lx, 0)))
			lx->off++;
		tok_end(lx, t, T_IDENT);
		t->str = pool_strndup(lx, t->start, t->len);
		t->slen = t->len;
		return t->str ? T_IDENT : lex_error(lx, t, "out of memory");
	}
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t n = strlen(puncts[i].s);

		if (lx->off + n <= lx->in->len &&
		    memcmp(lx->in->text + lx->off, puncts[i].s, n) == 0) {
			lx->off += n;
			return tok_end(lx, t, puncts[i].t);
		}
	}
	lx->off++;
	if (c < 0x20 || c >= 0x7f)
		diag_error_at(lx->diag, t->pos, "unexpected byte 0x%02x", c);
	else
		diag_error_at(lx->diag, t->pos, "unexpected character '%c'", c);
	return tok_end(lx, t, T_ERROR);
}

enum tok
lex_raw_value(struct lexer *lx, struct token *t)
{
	int c;

	while ((c = peekc(lx, 0)) == ' ' || c == '\t')
		lx->off++;
	tok_begin(lx, t);
	if (c == '"' || c == '\'')
		return lex_string(lx, t);
	while ((c = peekc(lx, 0)) != -1 && !isspace(c) && c != ';')
		lx->off++;
	if (lx->off == t->off)
		return lex_error(lx, t, "expected a value");
	tok_end(lx, t, T_WORD);
	t->str = pool_strndup(lx, t->start, t->len);
	t->slen = t->len;
	if (t->str == NULL)
		return lex_error(lx, t, "out of memory");
	{
		char *end = NULL;
		long long v;

		errno = 0;
		v = strtoll(t->str, &end, 0);
		if (end && *end == '\0' && errno == 0 &&
		    (isdigit((unsigned char)t->str[0]) || t->str[0] == '-')) {
			t->num = v;
			t->type = T_NUMBER;
		}
	}
	return t->type;
}

enum tok
lex_until_rbrack(struct lexer *lx, struct token *t)
{
	size_t end;
	int c;

	while ((c = peekc(lx, 0)) == ' ' || c == '\t')
		lx->off++;
	tok_begin(lx, t);
	while ((c = peekc(lx, 0)) != -1 && c != ']' && c != '\n')
		lx->off++;
	if (c != ']')
		return lex_error(lx, t, "missing ']'");
	end = lx->off;
	while (end > t->off && isspace((unsigned char)lx->in->text[end - 1]))
		end--;
	t->str = pool_strndup(lx, t->start, end - t->off);
	tok_end(lx, t, T_WORD);
	if (t->str == NULL)
		return lex_error(lx, t, "out of memory");
	t->slen = strlen(t->str);
	/* a quoted name: route["x"] */
	if (t->slen >= 2 && (t->str[0] == '"' || t->str[0] == '\'') &&
	    t->str[t->slen - 1] == t->str[0]) {
		memmove(t->str, t->str + 1, t->slen - 2);
		t->slen -= 2;
		t->str[t->slen] = '\0';
	}
	return T_WORD;
}

const char *
tok_name(enum tok t)
{
	static const char *names[] = {
		[T_EOF] = "end of file", [T_ERROR] = "error",
		[T_IDENT] = "identifier", [T_NUMBER] = "number",
		[T_ADDR] = "address", [T_STRING] = "string",
		[T_PV] = "pseudo-variable", [T_LBRACE] = "'{'",
		[T_RBRACE] = "'}'", [T_LPAREN] = "'('", [T_RPAREN] = "')'",
		[T_LBRACK] = "'['", [T_RBRACK] = "']'", [T_SEMI] = "';'",
		[T_COMMA] = "','", [T_COLON] = "':'", [T_ASSIGN] = "'='",
		[T_COLONEQ] = "':='", [T_EQ] = "'=='", [T_NE] = "'!='",
		[T_LT] = "'<'", [T_GT] = "'>'", [T_LE] = "'<='", [T_GE] = "'>='",
		[T_MATCH] = "'=~'", [T_NMATCH] = "'!~'", [T_NOT] = "'!'",
		[T_LAND] = "'&&'", [T_LOR] = "'||'", [T_PLUS] = "'+'",
		[T_MINUS] = "'-'", [T_STAR] = "'*'", [T_SLASH] = "'/'",
		[T_PERCENT] = "'%'", [T_BAND] = "'&'", [T_BOR] = "'|'",
		[T_BXOR] = "'^'", [T_BNOT] = "'~'", [T_SHL] = "'<<'",
		[T_SHR] = "'>>'", [T_WORD] = "value",
	};

	return (size_t)t < sizeof(names) / sizeof(names[0]) && names[t] ?
	    names[t] : "token";
}
