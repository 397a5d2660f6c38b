/* check_lex.c - the tokenizer: every token class, positions, errors. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cfg/lex.h"
#include "cfg/pp.h"
#include "tcheck.h"

struct lexfix {
	struct cfg_src  src;
	struct cfg_diag d;
	struct pp_ctx   pp;
	struct pp_out   out;
	struct lexer    lx;
};

static void
lf_open(struct lexfix *f, const char *text)
{
	src_init(&f->src);
	diag_init(&f->d, &f->src);
	pp_init(&f->pp, &f->src, &f->d);
	ck_assert_int_eq(pp_run_buffer(&f->pp, "t.cfg", text, strlen(text),
	    &f->out), 0);
	lex_init(&f->lx, &f->out, &f->d);
}

static void
lf_close(struct lexfix *f)
{
	lex_free(&f->lx);
	pp_out_free(&f->out);
	pp_free(&f->pp);
	diag_free(&f->d);
	src_free(&f->src);
}

static const char *
first_diag(struct lexfix *f)
{
	static char buf[512];

	if (f->d.n == 0)
		return "";
	diag_format(&f->d, 0, buf, sizeof(buf));
	return buf;
}

START_TEST(t_punct)
{
	static const enum tok want[] = {
		T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
		T_SEMI, T_COMMA, T_COLON, T_ASSIGN, T_COLONEQ, T_EQ, T_NE,
		T_LT, T_GT, T_LE, T_GE, T_MATCH, T_NMATCH, T_NOT, T_LAND,
		T_LOR, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_BAND,
		T_BOR, T_BXOR, T_BNOT, T_SHL, T_SHR, T_EOF,
	};
	struct lexfix f;
	struct token t;

	lf_open(&f, "{ } ( ) [ ] ; , : = := == != < > <= >= =~ !~ ! && || "
	    "+ - * / % & | ^ ~ << >>");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		lex_next(&f.lx, &t);
		ck_assert_msg(t.type == want[i], "token %zu: %s, want %s", i,
		    tok_name(t.type), tok_name(want[i]));
	}
	ck_assert_int_eq(f.d.errors, 0);
	lf_close(&f);
}
END_TEST

START_TEST(t_values)
{
	struct lexfix f;
	struct token t;

	lf_open(&f, "foo_1 42 0x1F 127.0.0.1 \"a\\tb\\n\", 'q\"x'; \"x\" \"y\"");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_IDENT);
	ck_assert_str_eq(t.str, "foo_1");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_NUMBER);
	ck_assert_int_eq(t.num, 42);
	ck_assert_int_eq(lex_next(&f.lx, &t), T_NUMBER);
	ck_assert_int_eq(t.num, 31);
	ck_assert_int_eq(lex_next(&f.lx, &t), T_ADDR);
	ck_assert_str_eq(t.str, "127.0.0.1");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_STRING);
	ck_assert_str_eq(t.str, "a\tb\n");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_COMMA);
	ck_assert_int_eq(lex_next(&f.lx, &t), T_STRING);
	ck_assert_str_eq(t.str, "q\"x");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_SEMI);
	/* adjacent strings are one */
	ck_assert_int_eq(lex_next(&f.lx, &t), T_STRING);
	ck_assert_str_eq(t.str, "xy");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_EOF);
	lf_close(&f);
}
END_TEST

START_TEST(t_unknown_escape_kept)
{
	struct lexfix f;
	struct token t;

	lf_open(&f, "\"^sip:.*\\.com$\"");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_STRING);
	ck_assert_str_eq(t.str, "^sip:.*\\.com$");
	lf_close(&f);
}
END_TEST

START_TEST(t_pv_tokens)
{
	static const char *want[] = {
		"$si", "$var(x)", "$sht(msrp=>$var(sessid)::srcaddr)",
		"$(hdr(Via)[1]{s.len})", "$(pp)", "$?", "$avp(s:a)",
	};
	struct lexfix f;
	struct token t;

	lf_open(&f, "$si $var(x)==$sht(msrp=>$var(sessid)::srcaddr) "
	    "$(hdr(Via)[1]{s.len}) $(pp) $? $avp(s:a)");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		lex_next(&f.lx, &t);
		ck_assert_int_eq(t.type, T_PV);
		ck_assert_str_eq(t.str, want[i]);
		if (i == 1) {
			lex_next(&f.lx, &t);
			ck_assert_int_eq(t.type, T_EQ);
		}
	}
	ck_assert_int_eq(lex_next(&f.lx, &t), T_EOF);
	lf_close(&f);
}
END_TEST

START_TEST(t_positions)
{
	struct lexfix f;
	struct token t;

	lf_open(&f, "a\n  bb\n\tc");
	lex_next(&f.lx, &t);
	ck_assert_int_eq(t.pos.line, 1);
	ck_assert_int_eq(t.pos.col, 1);
	lex_next(&f.lx, &t);
	ck_assert_int_eq(t.pos.line, 2);
	ck_assert_int_eq(t.pos.col, 3);
	lex_next(&f.lx, &t);
	ck_assert_int_eq(t.pos.line, 3);
	ck_assert_int_eq(t.pos.col, 2);
	lf_close(&f);
}
END_TEST

START_TEST(t_raw_value)
{
	struct lexfix f;
	struct token t;

	lf_open(&f, "udp:127.0.0.1:5060 advertise 1.2.3.4 \"q w\" -5 x;");
	ck_assert_int_eq(lex_raw_value(&f.lx, &t), T_WORD);
	ck_assert_str_eq(t.str, "udp:127.0.0.1:5060");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_IDENT);
	ck_assert_int_eq(lex_raw_value(&f.lx, &t), T_WORD);
	ck_assert_str_eq(t.str, "1.2.3.4");
	ck_assert_int_eq(lex_raw_value(&f.lx, &t), T_STRING);
	ck_assert_str_eq(t.str, "q w");
	ck_assert_int_eq(lex_raw_value(&f.lx, &t), T_NUMBER);
	ck_assert_int_eq(t.num, -5);
	ck_assert_int_eq(lex_raw_value(&f.lx, &t), T_WORD);
	ck_assert_str_eq(t.str, "x");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_SEMI);
	lf_close(&f);
}
END_TEST

START_TEST(t_until_rbrack)
{
	struct lexfix f;
	struct token t;

	lf_open(&f, "[ msrp:frame-in ] [\"quoted\"] [broken\n]");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_LBRACK);
	ck_assert_int_eq(lex_until_rbrack(&f.lx, &t), T_WORD);
	ck_assert_str_eq(t.str, "msrp:frame-in");
	ck_assert_int_eq(lex_next(&f.lx, &t), T_RBRACK);
	ck_assert_int_eq(lex_next(&f.lx, &t), T_LBRACK);
	ck_assert_int_eq(lex_until_rbrack(&f.lx, &t), T_WORD);
	ck_assert_str_eq(t.str, "quoted");
	lex_next(&f.lx, &t);
	ck_assert_int_eq(lex_next(&f.lx, &t), T_LBRACK);
	ck_assert_int_eq(lex_until_rbrack(&f.lx, &t), T_ERROR);
	ck_assert_str_eq(first_diag(&f), "t.cfg:1:31: error: missing ']'");
	lf_close(&f);
}
END_TEST

/* one test per lexical error class, with the exact message */
START_TEST(t_errors)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "x = \"abc", "t.cfg:1:5: error: unterminated string" },
		{ "  @", "t.cfg:1:3: error: unexpected character '@'" },
		{ "\x01", "t.cfg:1:1: error: unexpected byte 0x01" },
		{ "$var(x", "t.cfg:1:1: error: unterminated pseudo-variable" },
		{ "$ x", "t.cfg:1:1: error: '$' must start a pseudo-variable name" },
		{ "12ab", "t.cfg:1:1: error: malformed number" },
		{ "1.2.3", "t.cfg:1:1: error: malformed number or address" },
		{ "99999999999999999999", "t.cfg:1:1: error: number out of range" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lexfix f;
		struct token t;

		lf_open(&f, cases[i].in);
		while (lex_next(&f.lx, &t) != T_EOF && t.type != T_ERROR)
			;
		ck_assert_int_eq(t.type, T_ERROR);
		ck_assert_str_eq(first_diag(&f), cases[i].msg);
		lf_close(&f);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lex");
	TCase *tc = tcase_create("lex");

	tcase_add_test(tc, t_punct);
	tcase_add_test(tc, t_values);
	tcase_add_test(tc, t_unknown_escape_kept);
	tcase_add_test(tc, t_pv_tokens);
	tcase_add_test(tc, t_positions);
	tcase_add_test(tc, t_raw_value);
	tcase_add_test(tc, t_until_rbrack);
	tcase_add_test(tc, t_errors);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
