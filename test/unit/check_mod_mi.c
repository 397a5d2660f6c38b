/*
 * check_mod_mi.c - the MI text codec of mi_fifo (modules/mi_fifo/mi_text.c):
 * request parsing (valid forms, one case per error class, resync after
 * garbage, every input split at each byte) and the reply writer, alone
 * and behind rpc_execute().
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/diag.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "modules/mi_fifo/mi_text.h"
#include "tcheck.h"

/* --- a stream reader like the module's, recording what it saw -------------- */

struct stream {
	struct mi_parser p;
	char             buf[MI_REQ_MAX];
	size_t           len;
	char             log[8192];
	size_t           loglen;
};

static void
st_log(struct stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
st_log(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->loglen += (size_t)vsnprintf(s->log + s->loglen,
	    sizeof(s->log) - s->loglen, fmt, ap);
	va_end(ap);
	ck_assert_uint_lt(s->loglen, sizeof(s->log));
}

static void
st_drain(struct stream *s)
{
	struct mi_req r;
	const char *err;
	size_t off = 0, used;
	int rc;

	while ((rc = mi_parse(&s->p, s->buf + off, s->len - off, &r, &used,
	    &err)) != MI_MORE) {
		ck_assert_uint_le(used, s->len - off);
		if (rc == MI_REQ) {
			st_log(s, "REQ %.*s>%.*s", STR_FMT(&r.method),
			    STR_FMT(&r.reply));
			for (int i = 0; i < r.argc; i++)
				st_log(s, " [%.*s]", STR_FMT(&r.argv[i]));
			st_log(s, "\n");
		} else {
			ck_assert_ptr_nonnull(err);
			st_log(s, "BAD %s\n", err);
		}
		off += used;
	}
	off += used;
	ck_assert_uint_le(off, s->len);
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
}

static void
st_reset(void *ctx)
{
	struct stream *s = ctx;

	mi_parser_init(&s->p);
	s->len = 0;
	s->loglen = 0;
	s->log[0] = '\0';
}

/* Appends like read() into a bounded buffer: never more than it holds. */
static void
st_feed(void *ctx, const char *p, size_t n)
{
	struct stream *s = ctx;

	while (n > 0) {
		size_t room = sizeof(s->buf) - s->len;
		size_t k = n < room ? n : room;

		ck_assert_uint_gt(room, 0);
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
		st_drain(s);
	}
}

static struct stream S;

static const char *
parse_all(const char *input)
{
	st_reset(&S);
	st_feed(&S, input, strlen(input));
	return S.log;
}

/* --- requests -------------------------------------------------------------------- */

START_TEST(req_simple)
{
	struct mi_parser p;
	struct mi_req r;
	const char *in = ":core.version:reply_x\n\n", *err;
	size_t used;

	mi_parser_init(&p);
	ck_assert_int_eq(mi_parse(&p, in, strlen(in), &r, &used, &err),
	    MI_REQ);
	ck_assert_uint_eq(used, strlen(in));
	ck_assert(str_eq_cstr(&r.method, "core.version"));
	ck_assert(str_eq_cstr(&r.reply, "reply_x"));
	ck_assert_int_eq(r.argc, 0);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(req_args)
{
	ck_assert_str_eq(parse_all(
	    ":htable.sets:/tmp/r 1\nmsrp\n\"two words\"\n\"\"\n x \n"
	    "\"unbalanced\n\n"),
	    "REQ htable.sets>/tmp/r 1 [msrp] [two words] [] [ x ] "
	    "[\"unbalanced]\n");
}
END_TEST

START_TEST(req_crlf_and_blank_lines)
{
	ck_assert_str_eq(parse_all("\n\r\n\n:core.ps:r\r\na\r\n\r\n"
	    ":core.uptime:r2\n\n\n"),
	    "REQ core.ps>r [a]\nREQ core.uptime>r2\n");
}
END_TEST

START_TEST(req_incomplete)
{
	struct mi_parser p;
	struct mi_req r;
	const char *err;
	size_t used;
	const char *in = "\n\n:core.ps:r\narg\n";

	mi_parser_init(&p);
	ck_assert_int_eq(mi_parse(&p, in, strlen(in), &r, &used, &err),
	    MI_MORE);
	ck_assert_uint_eq(used, 2);     /* the blank lines go */
}
END_TEST

/* one case per error class, with its exact message */
static const struct {
	const char *in, *why;
} bad_cases[] = {
	{ "garbage\n\n", "request does not start with ':'" },
	{ " :core.ps:r\n\n", "request does not start with ':'" },
	{ "::r\n\n", "missing method name" },
	{ ":core.ps\n\n", "missing reply fifo name" },
	{ ":core.ps:\n\n", "missing reply fifo name" },
	{ ":core ps:r\n\n", "bad method name" },
	{ ":core.ps:r\x01x\n\n", "bad reply fifo name" },
	{ ":core.ps:a/b\n\n",
	  "reply fifo name is neither a file name nor an absolute path" },
	{ ":core.ps:..\n\n",
	  "reply fifo name is neither a file name nor an absolute path" },
	{ ":core.ps:r\na\0b\n\n", "NUL byte in request" },
};

START_TEST(req_errors)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct mi_parser p;
		struct mi_req r;
		const char *err;
		size_t used, len = strlen(bad_cases[i].in);

		if (strstr(bad_cases[i].why, "NUL"))
			len = 16;
		mi_parser_init(&p);
		ck_assert_int_eq(mi_parse(&p, bad_cases[i].in, len, &r, &used,
		    &err), MI_BAD);
		ck_assert_str_eq(err, bad_cases[i].why);
		ck_assert_uint_eq(used, 0);
		/* the rest of the bad request is skipped silently */
		ck_assert_int_eq(mi_parse(&p, bad_cases[i].in, len, &r, &used,
		    &err), MI_MORE);
		ck_assert_uint_eq(used, len);
	}
}
END_TEST

START_TEST(req_long_names)
{
	char in[2200];

	memset(in, 'm', sizeof(in));
	in[0] = ':';
	strcpy(in + MI_METHOD_MAX + 2, ":r\n\n");
	ck_assert_str_eq(parse_all(in), "BAD method name too long\n");
	in[MI_METHOD_MAX + 1] = ':';
	memset(in + MI_METHOD_MAX + 2, 'r', MI_REPLY_NAME_MAX + 1);
	strcpy(in + MI_METHOD_MAX + 2 + MI_REPLY_NAME_MAX + 1, "\n\n");
	ck_assert_str_eq(parse_all(in), "BAD reply fifo name too long\n");
}
END_TEST

START_TEST(req_resync)
{
	/* garbage lines, a bad request with its arguments, then good ones */
	ck_assert_str_eq(parse_all(
	    "hello\nworld\n:core.version:r1\n\n"
	    ":core.echo\nx\ny\n\n"
	    ":core.echo:r2\nz\n\n"),
	    "BAD request does not start with ':'\n"
	    "REQ core.version>r1\n"
	    "BAD missing reply fifo name\n"
	    "REQ core.echo>r2 [z]\n");
}
END_TEST

START_TEST(req_too_many_args)
{
	char in[1024];
	size_t n = (size_t)snprintf(in, sizeof(in), ":core.echo:r\n");

	for (int i = 0; i <= MI_ARGS_MAX; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "a%d\n", i);
	snprintf(in + n, sizeof(in) - n, "\n:core.ps:r\n\n");
	ck_assert_str_eq(parse_all(in),
	    "BAD too many arguments\nREQ core.ps>r\n");
}
END_TEST

START_TEST(req_long_line)
{
	static char in[3 * MI_LINE_MAX];
	size_t n = (size_t)snprintf(in, sizeof(in), ":core.echo:r\n");

	/* an over-long argument, fed in pieces: one error, then resync */
	memset(in + n, 'x', MI_LINE_MAX + 10);
	n += MI_LINE_MAX + 10;
	n += (size_t)snprintf(in + n, sizeof(in) - n,
	    "\nmore\n\n:core.ps:r\n\n");
	st_reset(&S);
	for (size_t i = 0; i < n; i += 1000)
		st_feed(&S, in + i, n - i < 1000 ? n - i : 1000);
	ck_assert_str_eq(S.log, "BAD line too long\nREQ core.ps>r\n");
	/* an over-long first line of garbage */
	memset(in, 'g', MI_LINE_MAX + 1);
	strcpy(in + MI_LINE_MAX + 1, "\n:core.ps:r\n\n");
	ck_assert_str_eq(parse_all(in), "BAD line too long\nREQ core.ps>r\n");
}
END_TEST

START_TEST(req_too_large)
{
	static char in[2 * MI_REQ_MAX];
	size_t n = (size_t)snprintf(in, sizeof(in), ":core.echo:r\n");

	/* many short lines and never the empty one: the buffer fills up */
	while (n + 8 < MI_REQ_MAX + 100)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "aaaaaaa\n");
	snprintf(in + n, sizeof(in) - n, "\n:core.ps:r\n\n");
	ck_assert_str_eq(parse_all(in),
	    "BAD too many arguments\nREQ core.ps>r\n");
	/* fewer, longer lines: the buffer fills up before the args limit */
	n = (size_t)snprintf(in, sizeof(in), ":core.echo:r\n");
	for (int i = 0; i < 20; i++) {
		memset(in + n, 'a', 4000);
		n += 4000;
		in[n++] = '\n';
	}
	snprintf(in + n, sizeof(in) - n, "\n:core.ps:r\n\n");
	ck_assert_str_eq(parse_all(in),
	    "BAD request too large\nREQ core.ps>r\n");
	/* with a smaller size limit, the size is what trips */
	st_reset(&S);
	S.p.req_max = 64;
	S.p.line_max = 32;
	snprintf(in, sizeof(in), ":a.b:r\n0123456789\n0123456789\n"
	    "0123456789\n0123456789\n0123456789\n0123456789\n\n"
	    ":core.ps:r\n\n");
	st_feed(&S, in, strlen(in));
	ck_assert_str_eq(S.log, "BAD request too large\nREQ core.ps>r\n");
}
END_TEST

/* every input gives the same transcript however it is cut */
static const char *const split_inputs[] = {
	":core.version:reply_x\n\n",
	":htable.sets:r\r\nmsrp\r\n\"k v\"\r\n\r\n:core.ps:/tmp/x\n\n",
	"junk\r\n\r\n:core.echo\na\n\n:core.echo:r\n\"\"\n\n",
	"\r\n\n:x.y:r\n:a.b:r\n\n",
	"::r\n\n:core.ps:..\n\n:core.ps:ok\n\n",
};

static char want[8192];

static void
split_check(void *ctx, size_t k)
{
	struct stream *s = ctx;

	ck_assert_msg(strcmp(s->log, want) == 0, "split at %zu: got\n%s\n"
	    "want\n%s", k, s->log, want);
}

START_TEST(req_split_each)
{
	for (size_t i = 0; i < sizeof(split_inputs) / sizeof(*split_inputs);
	    i++) {
		const char *in = split_inputs[i];
		size_t len = strlen(in);

		snprintf(want, sizeof(want), "%s", parse_all(in));
		ck_assert_uint_gt(strlen(want), 0);
		tcheck_split_each(in, len, &S, st_reset, st_feed, split_check);
		st_reset(&S);
		for (size_t k = 0; k < len; k++)
			st_feed(&S, in + k, 1);
		split_check(&S, (size_t)-1);
	}
}
END_TEST

/* --- the reply writer ------------------------------------------------------------ */

static void
w_val(const struct rpc_writer *w, struct mi_out *o, const char *name,
    enum rpc_vtype t, long long i, double d, const char *s)
{
	struct rpc_value v = { .type = t, .i = i, .d = d,
	    .s = str_cstr(s) };

	w->value(o, name, &v);
}

START_TEST(reply_tree)
{
	const struct rpc_writer *w = mi_out_writer();
	struct mi_out o;

	mi_out_init(&o, 0, NULL);
	w->begin(&o);
	w_val(w, &o, NULL, RPC_STR, 0, 0, "kamailio 5.6");
	w->open(&o, NULL, 0);
	w_val(w, &o, "uptime", RPC_INT, -42, 0, NULL);
	w_val(w, &o, "load", RPC_DOUBLE, 0, 1.5, NULL);
	w->open(&o, "slots", 1);
	w_val(w, &o, NULL, RPC_STR, 0, 0, "a\nb\rc");
	w_val(w, &o, NULL, RPC_STR, 0, 0, "");
	w->close(&o, 1);
	w->close(&o, 0);
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert_uint_eq(o.len, strlen(
	    "200 OK\n:: kamailio 5.6\n::\n\tuptime:: -42\n\tload:: 1.500000\n"
	    "\tslots::\n\t\t:: a\\nb\\rc\n\t\t:: \n\n"));
	ck_assert(memcmp(o.buf,
	    "200 OK\n:: kamailio 5.6\n::\n\tuptime:: -42\n\tload:: 1.500000\n"
	    "\tslots::\n\t\t:: a\\nb\\rc\n\t\t:: \n\n", o.len) == 0);
	mi_out_free(&o);
}
END_TEST

START_TEST(reply_indent_and_empty)
{
	const struct rpc_writer *w = mi_out_writer();
	struct mi_out o;

	mi_out_init(&o, 0, "  ");
	w->begin(&o);
	w->open(&o, "a", 0);
	w_val(w, &o, "b", RPC_INT, 1, 0, NULL);
	w->close(&o, 0);
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert_int_eq((int)o.len, 20);
	ck_assert(memcmp(o.buf, "200 OK\na::\n  b:: 1\n\n", o.len) == 0);
	/* no value at all: the status line and the empty line */
	w->begin(&o);
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert(o.len == 8 && memcmp(o.buf, "200 OK\n\n", 8) == 0);
	mi_out_free(&o);
}
END_TEST

START_TEST(reply_fault)
{
	const struct rpc_writer *w = mi_out_writer();
	struct mi_out o;
	str_t msg = STR_LIT("bad\nthing");

	mi_out_init(&o, 0, NULL);
	w->begin(&o);
	w_val(w, &o, NULL, RPC_STR, 0, 0, "dropped");
	w->fault(&o, 404, &msg);
	w_val(w, &o, NULL, RPC_STR, 0, 0, "ignored");
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert_int_eq(o.fault, 1);
	ck_assert(o.len == 16 && memcmp(o.buf, "404 bad\\nthing\n\n", 16) == 0);
	mi_out_free(&o);
}
END_TEST

START_TEST(reply_too_large)
{
	const struct rpc_writer *w = mi_out_writer();
	struct mi_out o;

	mi_out_init(&o, 64, NULL);
	w->begin(&o);
	for (int i = 0; i < 100; i++)
		w_val(w, &o, "name", RPC_INT, i, 0, NULL);
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert(o.len == 21 &&
	    memcmp(o.buf, "500 reply too large\n\n", 21) == 0);
	/* the writer is reusable for the next reply */
	w->begin(&o);
	w_val(w, &o, "n", RPC_INT, 7, 0, NULL);
	ck_assert_int_eq(w->end(&o), 0);
	ck_assert(o.len == 14 && memcmp(o.buf, "200 OK\nn:: 7\n\n", 14) == 0);
	mi_out_free(&o);
}
END_TEST

/* --- behind rpc_execute ---------------------------------------------------------- */

static void
t_rpc_info(struct rpc_call *c)
{
	str_t who;

	if (rpc_arg_str(c, 0, &who) == -1)
		return;
	rpc_struct_begin(c, "info");
	rpc_add_str(c, "who", &who);
	rpc_array_begin(c, "list");
	rpc_add_int(c, NULL, 1);
	rpc_add_cstr(c, NULL, "two");
	rpc_array_end(c);
	rpc_struct_end(c);
}

static const struct rpc_export t_rpcs[] = {
	{ "test.info", t_rpc_info, "who", "A struct with an array." },
	{ NULL, NULL, NULL, NULL }
};

static const char *
run(const char *method, int argc, const str_t *argv, struct mi_out *o)
{
	static char text[1024];

	ck_assert_int_eq(rpc_execute(method, argc, argv, mi_out_writer(), o),
	    0);
	ck_assert_uint_lt(o->len, sizeof(text));
	memcpy(text, o->buf, o->len);
	text[o->len] = '\0';
	return text;
}

START_TEST(reply_rpc)
{
	struct cfg_diag d;
	struct cfg_pos pos = { 0, 0, 0 };
	struct mi_out o;
	str_t arg = STR_LIT("me");

	diag_init(&d, NULL);
	rpc_registry_reset();
	ck_assert_int_eq(rpc_register_table(t_rpcs, "test", &d, pos), 0);
	mi_out_init(&o, 0, NULL);
	/* the core drops names outside structs: the top level is a list */
	ck_assert_str_eq(run("test.info", 1, &arg, &o),
	    "200 OK\n::\n\twho:: me\n\tlist::\n\t\t:: 1\n\t\t:: two\n\n");
	ck_assert_str_eq(run("test.info", 0, NULL, &o),
	    "400 missing argument 1\n\n");
	ck_assert_str_eq(run("no.such", 0, NULL, &o),
	    "500 command no.such not found\n\n");
	mi_out_free(&o);
	rpc_registry_reset();
	diag_free(&d);
}
END_TEST

static Suite *
mi_suite(void)
{
	Suite *s = suite_create("mi_text");
	TCase *tc = tcase_create("requests");

	tcase_add_test(tc, req_simple);
	tcase_add_test(tc, req_args);
	tcase_add_test(tc, req_crlf_and_blank_lines);
	tcase_add_test(tc, req_incomplete);
	tcase_add_test(tc, req_errors);
	tcase_add_test(tc, req_long_names);
	tcase_add_test(tc, req_resync);
	tcase_add_test(tc, req_too_many_args);
	tcase_add_test(tc, req_long_line);
	tcase_add_test(tc, req_too_large);
	tcase_add_test(tc, req_split_each);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("replies");
	tcase_add_test(tc, reply_tree);
	tcase_add_test(tc, reply_indent_and_empty);
	tcase_add_test(tc, reply_fault);
	tcase_add_test(tc, reply_too_large);
	tcase_add_test(tc, reply_rpc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(mi_suite());
}
