/*
 * check_mod_jsonrpcs.c - the jsonrpcs module's pure parts: the JSON
 * parser (valid forms, one case per error class, every prefix of a valid
 * document, nesting limits), the writer (both layouts, escaping, invalid
 * UTF-8), request handling behind rpc_execute() (result shapes, ids,
 * notifications, every error code, params by position and by name), the
 * FIFO request stream (several requests per read, every split point,
 * resync after garbage, oversized requests), reply names, and a few
 * thousand random and mutated inputs that must never crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/diag.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "modules/jsonrpcs/jsonrpcs_fifo.h"
#include "modules/jsonrpcs/jsonrpcs_json.h"
#include "modules/jsonrpcs/jsonrpcs_rpc.h"
#include "tcheck.h"

/* --- helpers --------------------------------------------------------------- */

static int
parse_all(struct jsonrpcs_doc *doc, const char *s, struct jsonrpcs_perr *e)
{
	return jsonrpcs_parse_all(doc, s, strlen(s), e);
}

/* Parses s whole and writes it back in the given layout. */
static const char *
roundtrip(const char *s, int pretty)
{
	static char text[4096];
	struct jsonrpcs_doc doc;
	struct jsonrpcs_buf b;
	struct jsonrpcs_perr e;

	jsonrpcs_doc_init(&doc);
	jsonrpcs_buf_init(&b);
	ck_assert_msg(parse_all(&doc, s, &e) == JSONRPCS_OK, "%s: %s at %zu",
	    s, e.msg, e.off);
	ck_assert_int_eq(jsonrpcs_write(&b, &doc, 0, pretty), 0);
	ck_assert_uint_lt(b.len, sizeof(text));
	memcpy(text, b.s, b.len + 1);
	jsonrpcs_buf_free(&b);
	jsonrpcs_doc_free(&doc);
	return text;
}

/* --- parser ------------------------------------------------------------------ */

START_TEST(parse_values)
{
	struct jsonrpcs_doc doc;
	struct jsonrpcs_perr e;
	int a, o;

	jsonrpcs_doc_init(&doc);
	ck_assert_int_eq(parse_all(&doc, " \t\r\n{\"a\" : [1, -2.5e3, true, "
	    "false, null, \"x\"], \"b\":{}, \"\":[]} \n", &e), JSONRPCS_OK);
	ck_assert_int_eq(doc.v[0].type, JSONRPCS_OBJECT);
	ck_assert_int_eq(doc.v[0].count, 3);
	a = jsonrpcs_member(&doc, 0, "a");
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(doc.v[a].type, JSONRPCS_ARRAY);
	ck_assert_int_eq(doc.v[a].count, 6);
	o = doc.v[a].first;
	ck_assert_int_eq(doc.v[o].type, JSONRPCS_NUMBER);
	ck_assert_str_eq(jsonrpcs_str(&doc, o), "1");
	o = doc.v[o].next;
	ck_assert_str_eq(jsonrpcs_str(&doc, o), "-2.5e3");
	ck_assert(doc.v[o].d == -2500.0);
	o = doc.v[o].next;
	ck_assert_int_eq(doc.v[o].type, JSONRPCS_TRUE);
	o = doc.v[o].next;
	ck_assert_int_eq(doc.v[o].type, JSONRPCS_FALSE);
	o = doc.v[o].next;
	ck_assert_int_eq(doc.v[o].type, JSONRPCS_NULL);
	o = doc.v[o].next;
	ck_assert_str_eq(jsonrpcs_str(&doc, o), "x");
	ck_assert_int_eq(doc.v[o].next, -1);
	ck_assert_int_eq(doc.v[jsonrpcs_member(&doc, 0, "b")].type,
	    JSONRPCS_OBJECT);
	ck_assert_int_ge(jsonrpcs_member(&doc, 0, ""), 0);
	ck_assert_int_eq(jsonrpcs_member(&doc, 0, "c"), -1);
	/* a is an array: it has no members */
	ck_assert_int_eq(jsonrpcs_member(&doc, a, "a"), -1);
	/* scalars at the top level */
	ck_assert_int_eq(parse_all(&doc, "0", &e), JSONRPCS_OK);
	ck_assert_int_eq(doc.v[0].type, JSONRPCS_NUMBER);
	ck_assert_int_eq(parse_all(&doc, "\"s\"", &e), JSONRPCS_OK);
	ck_assert_int_eq(doc.v[0].type, JSONRPCS_STRING);
	jsonrpcs_doc_free(&doc);
}
END_TEST

START_TEST(parse_strings)
{
	struct jsonrpcs_doc doc;
	struct jsonrpcs_perr e;

	jsonrpcs_doc_init(&doc);
	ck_assert_int_eq(parse_all(&doc, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
	    &e), JSONRPCS_OK);
	ck_assert_str_eq(jsonrpcs_str(&doc, 0), "a\"b\\c/d\b\f\n\r\t");
	/* \u escapes become UTF-8; a surrogate pair one 4-byte sequence */
	ck_assert_int_eq(parse_all(&doc, "\"\\u00e9\\u20AC\\ud83d\\ude00\"",
	    &e), JSONRPCS_OK);
	ck_assert_str_eq(jsonrpcs_str(&doc, 0),
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* \u0000 is kept as a byte: the length says where the string ends */
	ck_assert_int_eq(parse_all(&doc, "\"x\\u0000y\"", &e), JSONRPCS_OK);
	ck_assert_uint_eq(doc.v[0].s_len, 3);
	ck_assert_int_eq(memcmp(jsonrpcs_str(&doc, 0), "x\0y", 3), 0);
	/* raw UTF-8 and raw control characters (kamctl's "=" mode) pass */
	ck_assert_int_eq(parse_all(&doc, "\"caf\xc3\xa9\r\n\"", &e),
	    JSONRPCS_OK);
	ck_assert_str_eq(jsonrpcs_str(&doc, 0), "caf\xc3\xa9\r\n");
	ck_assert_int_eq(parse_all(&doc, "\"\"", &e), JSONRPCS_OK);
	ck_assert_uint_eq(doc.v[0].s_len, 0);
	jsonrpcs_doc_free(&doc);
}
END_TEST

/* One case per error class, with where the parser stops. */
START_TEST(parse_errors)
{
	static const struct { const char *in; size_t off; const char *msg; }
	cases[] = {
		{ "", 0, "no JSON value" },
		{ "   ", 3, "no JSON value" },
		{ "x", 0, "unexpected character" },
		{ "nul", 3, "unexpected end of input" },
		{ "nulx", 3, "unexpected character" },
		{ "tru", 3, "unexpected end of input" },
		{ "{", 1, "unexpected end of input" },
		{ "{\"a\"", 4, "unexpected end of input" },
		{ "{\"a\" 1}", 5, "':' expected after a member name" },
		{ "{1:2}", 1, "member name expected" },
		{ "{\"a\":1,}", 7, "member name expected" },
		{ "{\"a\":1 \"b\":2}", 7, "',' or '}' expected" },
		{ "[1,]", 3, "unexpected character" },
		{ "[1 2]", 3, "',' or ']' expected" },
		{ "[", 1, "unexpected end of input" },
		{ "\"abc", 4, "unexpected end of input" },
		{ "\"a\\qb\"", 2, "bad escape in a string" },
		{ "\"\\u12\"", 1, "bad \\u escape" },
		{ "\"\\u12g4\"", 1, "bad \\u escape" },
		{ "\"\\udc00\"", 1, "\\u escape: lone low surrogate" },
		{ "\"\\ud800\"", 1, "\\u escape: high surrogate without its "
		    "low half" },
		{ "\"\\ud800\\u0041\"", 1, "\\u escape: high surrogate without "
		    "its low half" },
		{ "-", 1, "unexpected end of input" },
		{ "-a", 1, "bad number: digit expected" },
		{ "1.", 2, "unexpected end of input" },
		{ "1.x", 2, "bad number: digit expected" },
		{ "1e+", 3, "unexpected end of input" },
		{ "01", 1, "more after the JSON value" },
		{ "+1", 0, "unexpected character" },
		{ ".5", 0, "unexpected character" },
		{ "{} {}", 3, "more after the JSON value" },
		{ "[1]]", 3, "more after the JSON value" },
		{ "'a'", 0, "unexpected character" },
	};
	struct jsonrpcs_doc doc;
	struct jsonrpcs_perr e;

	jsonrpcs_doc_init(&doc);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_all(&doc, cases[i].in, &e);

		ck_assert_msg(rc == JSONRPCS_ERR, "'%s': rc %d", cases[i].in,
		    rc);
		ck_assert_msg(e.off == cases[i].off && strcmp(e.msg,
		    cases[i].msg) == 0, "'%s': got '%s' at %zu, expected '%s' "
		    "at %zu", cases[i].in, e.msg, e.off, cases[i].msg,
		    cases[i].off);
	}
	jsonrpcs_doc_free(&doc);
}
END_TEST

START_TEST(parse_depth)
{
	char buf[2 * JSONRPCS_DEPTH_MAX + 8];
	struct jsonrpcs_doc doc;
	struct jsonrpcs_perr e;
	int n = JSONRPCS_DEPTH_MAX;

	jsonrpcs_doc_init(&doc);
	memset(buf, '[', (size_t)n);
	memset(buf + n, ']', (size_t)n);
	buf[2 * n] = '\0';
	ck_assert_int_eq(parse_all(&doc, buf, &e), JSONRPCS_OK);
	memset(buf, '[', (size_t)n + 1);
	memset(buf + n + 1, ']', (size_t)n + 1);
	buf[2 * n + 2] = '\0';
	ck_assert_int_eq(parse_all(&doc, buf, &e), JSONRPCS_ERR);
	ck_assert_str_eq(e.msg, "arrays or objects nested too deep");
	ck_assert_uint_eq(e.off, (size_t)n);
	jsonrpcs_doc_free(&doc);
}
END_TEST

/* A stream reader sees every prefix of a request: each must ask for
 * more, never fail, and the whole must parse. */
START_TEST(parse_prefixes)
{
	static const char *const docs[] = {
		"{\"jsonrpc\": \"2.0\", \"method\": \"core.echo\", \"params\": "
		"[\"a\\u00e9\\ud83d\\ude00\", -1.5e-3, true, false, null, "
		"{\"k\": []}], \"id\": 10}",
		"[[[]]]",
		"\"\\\\\\\"\"",
	};
	struct jsonrpcs_doc doc;
	struct jsonrpcs_perr e;
	size_t used;

	jsonrpcs_doc_init(&doc);
	/* a number at the very end of a stream may go on: "12" -> "123" */
	ck_assert_int_eq(jsonrpcs_parse(&doc, "12", 2, &used, &e),
	    JSONRPCS_MORE);
	ck_assert_int_eq(jsonrpcs_parse(&doc, "12 ", 3, &used, &e),
	    JSONRPCS_OK);
	ck_assert_uint_eq(used, 2);
	for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		size_t len = strlen(docs[d]);

		for (size_t k = 0; k < len; k++)
			ck_assert_msg(jsonrpcs_parse(&doc, docs[d], k, &used,
			    &e) == JSONRPCS_MORE, "doc %zu, prefix of %zu "
			    "bytes: %s", d, k, e.msg);
		ck_assert_int_eq(jsonrpcs_parse(&doc, docs[d], len, &used, &e),
		    JSONRPCS_OK);
		ck_assert_uint_eq(used, len);
	}
	jsonrpcs_doc_free(&doc);
}
END_TEST

/* --- writer -------------------------------------------------------------------- */

START_TEST(write_compact)
{
	ck_assert_str_eq(roundtrip(" { \"a\" : [ 1 , \"x\" , true , false , "
	    "null , { } ] , \"b\" : { \"c\" : [ ] } , \"n\": -1.50e+2 } ", 0),
	    "{\"a\":[1,\"x\",true,false,null,{}],\"b\":{\"c\":[]},"
	    "\"n\":-1.50e+2}");
	ck_assert_str_eq(roundtrip("[]", 0), "[]");
	ck_assert_str_eq(roundtrip("{}", 0), "{}");
	ck_assert_str_eq(roundtrip("\"\\u0000\"", 0), "\"\\u0000\"");
}
END_TEST

/* Kamailio's layout: what kamctl's output filter expects. */
START_TEST(write_pretty)
{
	ck_assert_str_eq(roundtrip("{\"a\":[1,{\"b\":2}],\"e\":{},\"f\":[],"
	    "\"g\":{\"h\":\"i\"}}", 1),
	    "{\n"
	    "\t\"a\":\t[1, {\n"
	    "\t\t\t\"b\":\t2\n"
	    "\t\t}],\n"
	    "\t\"e\":\t{\n"
	    "\t},\n"
	    "\t\"f\":\t[],\n"
	    "\t\"g\":\t{\n"
	    "\t\t\"h\":\t\"i\"\n"
	    "\t}\n"
	    "}");
	ck_assert_str_eq(roundtrip("{}", 1), "{\n}");
	ck_assert_str_eq(roundtrip("[1,\"a\"]", 1), "[1, \"a\"]");
}
END_TEST

START_TEST(write_strings)
{
	static const char in[] = "a\"\\\b\f\n\r\t\x01\x1f/\xc3\xa9"
	    "\xff|\xc3|\xc0\x80|\xed\xa0\x80|\xf0\x9f\x98\x80";
	struct jsonrpcs_buf b;

	jsonrpcs_buf_init(&b);
	jsonrpcs_write_str(&b, in, sizeof(in) - 1);
	ck_assert_str_eq(b.s, "\"a\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f/"
	    "\xc3\xa9\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
	    "\xf0\x9f\x98\x80\"");
	jsonrpcs_buf_free(&b);
}
END_TEST

START_TEST(write_numbers)
{
	static const struct { double d; const char *out; } cases[] = {
		{ 0, "0" }, { 2, "2" }, { -3, "-3" }, { 1.5, "1.500000" },
		{ 1e10 + 0.5, "1.000000e+10" }, { 1e-7, "1.000000e-07" },
		{ 1e20, "100000000000000000000" },
	};
	struct jsonrpcs_doc doc;
	struct jsonrpcs_buf b;
	int i;

	jsonrpcs_doc_init(&doc);
	jsonrpcs_buf_init(&b);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		b.len = 0;
		i = jsonrpcs_new_double(&doc, cases[k].d);
		ck_assert_int_eq(jsonrpcs_write(&b, &doc, i, 0), 0);
		ck_assert_str_eq(b.s, cases[k].out);
	}
	b.len = 0;
	i = jsonrpcs_new_double(&doc, 0.0 / 0.0);
	ck_assert_int_eq(jsonrpcs_write(&b, &doc, i, 0), 0);
	ck_assert_str_eq(b.s, "null");
	b.len = 0;
	i = jsonrpcs_new_int(&doc, -9223372036854775807LL - 1);
	ck_assert_int_eq(jsonrpcs_write(&b, &doc, i, 0), 0);
	ck_assert_str_eq(b.s, "-9223372036854775808");
	jsonrpcs_buf_free(&b);
	jsonrpcs_doc_free(&doc);
}
END_TEST

/* --- requests behind rpc_execute ------------------------------------------------ */

static void
t_none(struct rpc_call *c)
{
	(void)c;
}

static void
t_one(struct rpc_call *c)
{
	rpc_add_int(c, NULL, 42);
}

static void
t_two(struct rpc_call *c)
{
	rpc_add_cstr(c, NULL, "a");
	rpc_add_int(c, NULL, 1);
}

static void
t_struct(struct rpc_call *c)
{
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "x", 1);
	rpc_array_begin(c, "list");
	rpc_add_int(c, NULL, 1);
	rpc_add_cstr(c, NULL, "two");
	rpc_array_end(c);
	rpc_struct_begin(c, "in");
	rpc_add_double(c, "d", 1.5);
	rpc_struct_end(c);
	rpc_struct_end(c);
}

static void
t_fault(struct rpc_call *c)
{
	str_t s = STR_LIT("?");

	rpc_arg_str_opt(c, 0, &s);
	rpc_add_int(c, NULL, 1);        /* dropped: the fault replaces it */
	rpc_fault(c, 404, "no such thing %.*s", STR_FMT(&s));
}

/* "argc:a|b|c": what the handler received */
static void
t_args(struct rpc_call *c)
{
	char buf[2048];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%d:", rpc_arg_count(c));

	for (int i = 0; i < rpc_arg_count(c); i++) {
		str_t s;

		rpc_arg_str(c, i, &s);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s",
		    i ? "|" : "", STR_FMT(&s));
	}
	rpc_add_cstr(c, NULL, buf);
}

static const struct rpc_export t_rpcs[] = {
	{ "t.none", t_none, NULL, "Nothing." },
	{ "t.one", t_one, NULL, "One value." },
	{ "t.two", t_two, NULL, "Two values." },
	{ "t.struct", t_struct, NULL, "A struct with an array." },
	{ "t.fault", t_fault, NULL, "Fails." },
	{ "t.args", t_args, NULL, "Its arguments." },
	{ NULL, NULL, NULL, NULL }
};

static struct cfg_diag t_diag;

static void
rpc_setup(void)
{
	struct cfg_pos pos = { 0, 0, 0 };

	diag_init(&t_diag, NULL);
	rpc_registry_reset();
	ck_assert_int_eq(rpc_register_table(t_rpcs, "test", &t_diag, pos), 0);
}

static void
rpc_teardown(void)
{
	rpc_registry_reset();
	diag_free(&t_diag);
}

static struct jsonrpcs_reply t_reply;

/* The response to text ("" when none is sent). */
static const char *
serve(const char *text, int pretty, int always)
{
	static char out[8192];
	struct jsonrpcs_doc scratch;

	jsonrpcs_doc_init(&scratch);
	jsonrpcs_reply_init(&t_reply);
	ck_assert_int_eq(jsonrpcs_serve_text(text, strlen(text), pretty, always,
	    &scratch, &t_reply), 0);
	out[0] = '\0';
	if (t_reply.send) {
		ck_assert_uint_lt(t_reply.out.len, sizeof(out));
		memcpy(out, t_reply.out.s, t_reply.out.len + 1);
	}
	jsonrpcs_reply_free(&t_reply);
	jsonrpcs_doc_free(&scratch);
	return out;
}

#define REQ(m, rest) "{\"jsonrpc\":\"2.0\",\"method\":\"" m "\"" rest "}"
#define OK(result, id) "{\"jsonrpc\":\"2.0\",\"result\":" result \
	",\"id\":" id "}"
#define ERR(code, msg, id) "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" \
	#code ",\"message\":\"" msg "\"},\"id\":" id "}"
#define ERRD(code, msg, data, id) "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" \
	#code ",\"message\":\"" msg "\",\"data\":\"" data "\"},\"id\":" id "}"

START_TEST(serve_results)
{
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":1"), 0, 0), OK("42", "1"));
	ck_assert_str_eq(serve(REQ("t.none", ",\"id\":1"), 0, 0),
	    OK("{}", "1"));
	ck_assert_str_eq(serve(REQ("t.two", ",\"id\":1"), 0, 0),
	    OK("[\"a\",1]", "1"));
	ck_assert_str_eq(serve(REQ("t.struct", ",\"id\":\"s\""), 0, 0),
	    OK("{\"x\":1,\"list\":[1,\"two\"],\"in\":{\"d\":1.500000}}",
	    "\"s\""));
	ck_assert_str_eq(serve(REQ("t.struct", ",\"id\":2"), 1, 0),
	    "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n"
	    "\t\t\"x\":\t1,\n\t\t\"list\":\t[1, \"two\"],\n"
	    "\t\t\"in\":\t{\n\t\t\t\"d\":\t1.500000\n\t\t}\n\t},\n"
	    "\t\"id\":\t2\n}");
}
END_TEST

START_TEST(serve_ids)
{
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":\"a\\u00e9\""), 0, 0),
	    OK("42", "\"a\xc3\xa9\""));
	/* a number comes back as it was written */
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":1.50"), 0, 0),
	    OK("42", "1.50"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":12345678901234567890"),
	    0, 0), OK("42", "12345678901234567890"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":null"), 0, 0),
	    OK("42", "null"));
	/* the members in any order, unknown ones ignored */
	ck_assert_str_eq(serve("{\"id\":7,\"x\":{},\"method\":\"t.one\","
	    "\"jsonrpc\":\"2.0\",\"reply_name\":\"r\"}", 0, 0), OK("42", "7"));
	/* a notification: run, never answered, even when it fails */
	ck_assert_str_eq(serve(REQ("t.one", ""), 0, 0), "");
	ck_assert_str_eq(serve(REQ("no.such", ""), 0, 0), "");
	ck_assert_str_eq(serve(REQ("t.fault", ""), 0, 0), "");
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":[null]"), 0, 0), "");
	/* ... except by jsonrpc_exec, which shows a response without id */
	ck_assert_str_eq(serve(REQ("t.one", ""), 0, 1),
	    "{\"jsonrpc\":\"2.0\",\"result\":42}");
}
END_TEST

START_TEST(serve_invalid)
{
	ck_assert_str_eq(serve("[" REQ("t.one", ",\"id\":1") "]", 0, 0),
	    ERRD(-32600, "Invalid Request", "batch requests are not supported",
	    "null"));
	ck_assert_str_eq(serve("\"t.one\"", 0, 0), ERRD(-32600,
	    "Invalid Request", "the request is not a JSON object", "null"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":{}"), 0, 0), ERRD(-32600,
	    "Invalid Request", "\\\"id\\\" must be a string, a number or null",
	    "null"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":true"), 0, 0), ERRD(-32600,
	    "Invalid Request", "\\\"id\\\" must be a string, a number or null",
	    "null"));
	ck_assert_str_eq(serve("{\"jsonrpc\":\"1.0\",\"method\":\"t.one\","
	    "\"id\":1}", 0, 0), ERRD(-32600, "Invalid Request",
	    "\\\"jsonrpc\\\" must be \\\"2.0\\\"", "1"));
	ck_assert_str_eq(serve("{\"jsonrpc\":2.0,\"method\":\"t.one\","
	    "\"id\":1}", 0, 0), ERRD(-32600, "Invalid Request",
	    "\\\"jsonrpc\\\" must be \\\"2.0\\\"", "1"));
	ck_assert_str_eq(serve("{\"method\":\"t.one\",\"id\":1}", 0, 0),
	    ERRD(-32600, "Invalid Request", "\\\"jsonrpc\\\" must be "
	    "\\\"2.0\\\"", "1"));
	ck_assert_str_eq(serve("{\"jsonrpc\":\"2.0\",\"id\":1}", 0, 0),
	    ERRD(-32600, "Invalid Request", "\\\"method\\\" must be a string",
	    "1"));
	/* not valid: answered even without an id (the spec's example) */
	ck_assert_str_eq(serve("{\"jsonrpc\":\"2.0\",\"method\":1,"
	    "\"params\":\"bar\"}", 0, 0), ERRD(-32600, "Invalid Request",
	    "\\\"method\\\" must be a string", "null"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"params\":\"x\",\"id\":1"), 0,
	    0), ERRD(-32600, "Invalid Request", "\\\"params\\\" must be an "
	    "array or an object", "1"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"params\":3,\"id\":1"), 0, 0),
	    ERRD(-32600, "Invalid Request", "\\\"params\\\" must be an array "
	    "or an object", "1"));
}
END_TEST

START_TEST(serve_methods)
{
	static const char pre[] = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"";
	char big[512];

	ck_assert_str_eq(serve(REQ("no.such", ",\"id\":3"), 0, 0),
	    ERR(-32601, "Method Not Found", "3"));
	ck_assert_str_eq(serve(REQ("", ",\"id\":3"), 0, 0),
	    ERR(-32601, "Method Not Found", "3"));
	ck_assert_str_eq(serve(REQ("t.one\\u0000x", ",\"id\":3"), 0, 0),
	    ERR(-32601, "Method Not Found", "3"));
	memset(big, 'a', 300);
	memcpy(big, pre, sizeof(pre) - 1);
	memcpy(big + 300, "\"}", 3);
	ck_assert_str_eq(serve(big, 0, 0),
	    ERR(-32601, "Method Not Found", "3"));
	/* the RPC's own fault: its code and message, nothing of its reply */
	ck_assert_str_eq(serve(REQ("t.fault", ",\"params\":[\"zz\"],\"id\":4"),
	    0, 0), ERR(404, "no such thing zz", "4"));
	ck_assert_str_eq(serve(REQ("no.such", ",\"id\":1"), 1, 0),
	    "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"error\":\t{\n"
	    "\t\t\"code\":\t-32601,\n\t\t\"message\":\t\"Method Not Found\"\n"
	    "\t},\n\t\"id\":\t1\n}");
	/* what $jsonrpl(code) / $jsonrpl(text) show */
	serve(REQ("t.fault", ",\"id\":4"), 0, 0);
	ck_assert_int_eq(t_reply.code, 404);
	ck_assert_str_eq(t_reply.text, "no such thing ?");
	serve(REQ("t.one", ",\"id\":4"), 0, 0);
	ck_assert_int_eq(t_reply.code, 200);
	ck_assert_str_eq(t_reply.text, "OK");
}
END_TEST

START_TEST(serve_params)
{
	char req[4096];
	size_t n;

	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":[\"x\",12,1e2,-0,2.5,"
	    "true,false,12345678901234567890,-7.0,\"\"],\"id\":1"), 0, 0),
	    OK("\"10:x|12|100|0|2.5|1|0|12345678901234567890|-7|\"", "1"));
	/* by name: the values in order, the names do not matter */
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":{\"b\":\"x\","
	    "\"a\":2},\"id\":1"), 0, 0), OK("\"2:x|2\"", "1"));
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":[],\"id\":1"), 0, 0),
	    OK("\"0:\"", "1"));
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":[\"a\",null],"
	    "\"id\":1"), 0, 0), ERRD(-32602, "Invalid Parameters",
	    "parameter 2 is null: only strings, numbers and booleans are "
	    "accepted", "1"));
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":[[1]],\"id\":1"), 0,
	    0), ERRD(-32602, "Invalid Parameters", "parameter 1 is an array: "
	    "only strings, numbers and booleans are accepted", "1"));
	ck_assert_str_eq(serve(REQ("t.args", ",\"params\":{\"a\":{}},\"id\":1"),
	    0, 0), ERRD(-32602, "Invalid Parameters", "parameter 1 is an "
	    "object: only strings, numbers and booleans are accepted", "1"));
	/* 128 parameters pass, 129 do not */
	n = (size_t)snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"t.args\",\"params\":[0");
	for (int i = 1; i < JSONRPCS_MAX_PARAMS; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, ",%d", i % 10);
	memcpy(req + n, "]}", 3);
	ck_assert_ptr_nonnull(strstr(serve(req, 0, 0), "\"128:0|1|2|"));
	memcpy(req + n, ",9]}", 5);
	ck_assert_str_eq(serve(req, 0, 0), ERRD(-32602, "Invalid Parameters",
	    "more than 128 parameters", "1"));
}
END_TEST

START_TEST(serve_parse_errors)
{
	ck_assert_str_eq(serve("{", 0, 0), ERRD(-32700, "Parse Error",
	    "unexpected end of input at byte 1", "null"));
	ck_assert_str_eq(serve(REQ("t.one", ",\"id\":1") " x", 0, 0),
	    ERRD(-32700, "Parse Error", "more after the JSON value at byte 42",
	    "null"));
	ck_assert_str_eq(serve("", 0, 0), ERRD(-32700, "Parse Error",
	    "no JSON value at byte 0", "null"));
	ck_assert_str_eq(serve("\xff\xfe", 0, 0), ERRD(-32700, "Parse Error",
	    "unexpected character at byte 0", "null"));
	ck_assert_int_eq(t_reply.code, -32700);
	ck_assert_str_eq(t_reply.text, "Parse Error");
	/* white space around a request is fine */
	ck_assert_str_eq(serve("\r\n " REQ("t.one", ",\"id\":1") "\n\n", 0, 0),
	    OK("42", "1"));
}
END_TEST

/* --- the FIFO request stream ------------------------------------------------------- */

struct rec {
	struct jsonrpcs_stream st;
	struct jsonrpcs_doc    doc;
	char                   log[4096];
	size_t                 loglen;
};

static void
rec_log(struct rec *r, const char *what, const char *s, size_t n)
{
	r->loglen += (size_t)snprintf(r->log + r->loglen,
	    sizeof(r->log) - r->loglen, "%s %.*s\n", what, (int)n, s);
	ck_assert_uint_lt(r->loglen, sizeof(r->log));
}

static void
rec_drain(struct rec *r)
{
	const char *text;
	size_t len;
	int rc;

	while ((rc = jsonrpcs_stream_next(&r->st, &r->doc, &text, &len)) !=
	    JSONRPCS_S_MORE) {
		ck_assert_uint_gt(len, 0);
		if (rc == JSONRPCS_S_REQ)
			rec_log(r, "REQ", text, len);
		else
			rec_log(r, "BAD", r->st.err, strlen(r->st.err));
	}
}

static void
rec_feed(void *ctx, const char *p, size_t n)
{
	struct rec *r = ctx;

	while (n > 0) {
		size_t room, k;
		char *at = jsonrpcs_stream_room(&r->st, &room);

		ck_assert_uint_gt(room, 0);
		k = n < room ? n : room;
		memcpy(at, p, k);
		jsonrpcs_stream_added(&r->st, k);
		p += k;
		n -= k;
		rec_drain(r);
	}
}

static void
rec_reset(void *ctx)
{
	struct rec *r = ctx;

	jsonrpcs_stream_reset(&r->st);
	r->loglen = 0;
	r->log[0] = '\0';
}

static void
rec_init(struct rec *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(jsonrpcs_stream_init(&r->st, max), 0);
	jsonrpcs_doc_init(&r->doc);
}

static void
rec_free(struct rec *r)
{
	jsonrpcs_stream_free(&r->st);
	jsonrpcs_doc_free(&r->doc);
}

START_TEST(stream_several)
{
	struct rec r;

	rec_init(&r, 4096);
	rec_feed(&r, "{\"a\":1}{\"b\":2}\n  [3]\r\n\"s\" 4 {\"c\":", 33);
	ck_assert_str_eq(r.log, "REQ {\"a\":1}\nREQ {\"b\":2}\nREQ [3]\n"
	    "REQ \"s\"\nREQ 4\n");
	ck_assert_uint_eq(jsonrpcs_stream_pending(&r.st), 5);
	rec_feed(&r, "\n3}", 3);
	ck_assert_str_eq(r.log, "REQ {\"a\":1}\nREQ {\"b\":2}\nREQ [3]\n"
	    "REQ \"s\"\nREQ 4\nREQ {\"c\":\n3}\n");
	ck_assert_uint_eq(jsonrpcs_stream_pending(&r.st), 0);
	/* a writer that went away mid-request: the rest is forgotten */
	rec_feed(&r, "{\"d\":", 5);
	jsonrpcs_stream_reset(&r.st);
	r.loglen = 0;
	rec_feed(&r, "{\"e\":5}", 7);
	ck_assert_str_eq(r.log, "REQ {\"e\":5}\n");
	rec_free(&r);
}
END_TEST

/* Garbage costs its line only; the requests around it are served. */
static const char stream_text[] =
	"{\"jsonrpc\":\"2.0\",\"method\":\"a\",\n \"id\":1}\n"
	"garbage {{{ ]]] \"\n"
	"{\"jsonrpc\":\"2.0\",\"method\":\"b\",\"id\":2 x}\n"
	"\t{\"jsonrpc\":\"2.0\",\"method\":\"c\",\"params\":[\"}\\\"{\"],"
	"\"id\":3}\n";

static const char stream_log[] =
	"REQ {\"jsonrpc\":\"2.0\",\"method\":\"a\",\n \"id\":1}\n"
	"BAD unexpected character at byte 0\n"
	"BAD ',' or '}' expected at byte 37\n"
	"REQ {\"jsonrpc\":\"2.0\",\"method\":\"c\",\"params\":[\"}\\\"{\"],"
	"\"id\":3}\n";

static void
stream_check(void *ctx, size_t split)
{
	struct rec *r = ctx;

	ck_assert_msg(strcmp(r->log, stream_log) == 0, "split at %zu:\n%s",
	    split, r->log);
	ck_assert_uint_eq(jsonrpcs_stream_pending(&r->st), 0);
}

START_TEST(stream_split_each)
{
	struct rec r;

	rec_init(&r, 4096);
	tcheck_split_each(stream_text, sizeof(stream_text) - 1, &r, rec_reset,
	    rec_feed, stream_check);
	/* and one byte at a time */
	rec_reset(&r);
	for (size_t i = 0; i < sizeof(stream_text) - 1; i++)
		rec_feed(&r, stream_text + i, 1);
	stream_check(&r, 0);
	rec_free(&r);
}
END_TEST

START_TEST(stream_too_large)
{
	char big[300];
	struct rec r;

	rec_init(&r, 64);
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	memcpy(big + 1, "\"x\":\"", 5);
	memset(big + 6, 'a', 200);
	rec_feed(&r, big, 250);
	ck_assert_str_eq(r.log, "BAD request larger than 64 bytes\n");
	/* the rest of its line is dropped too, the next one served */
	rec_feed(&r, "aaaa\"}\n{\"ok\":1}\n", 16);
	ck_assert_str_eq(r.log, "BAD request larger than 64 bytes\n"
	    "REQ {\"ok\":1}\n");
	rec_free(&r);
	/* nesting beyond the limit is an error, not a stack overflow */
	rec_init(&r, 4096);
	memset(big, '[', sizeof(big));
	rec_feed(&r, big, sizeof(big));
	ck_assert_ptr_nonnull(strstr(r.log, "BAD arrays or objects nested too "
	    "deep"));
	rec_feed(&r, "\n[1]", 4);
	rec_feed(&r, "\n", 1);
	ck_assert_ptr_nonnull(strstr(r.log, "REQ [1]\n"));
	rec_free(&r);
}
END_TEST

START_TEST(reply_names)
{
	char name[JSONRPCS_REPLY_NAME_MAX + 1], big[200];
	static const char *const good[] = { "a", "kamailio_receiver_1234",
		"x.y", "..." };
	static const char *const bad[] = { "", ".", "..", "a/b", "/tmp/x",
		"../x", "x\n", "x\x7f" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(jsonrpcs_reply_name_ok(good[i], strlen(good[i])),
		    "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!jsonrpcs_reply_name_ok(bad[i], strlen(bad[i])),
		    "%s", bad[i]);
	memset(big, 'a', sizeof(big));
	ck_assert(jsonrpcs_reply_name_ok(big, JSONRPCS_REPLY_NAME_MAX));
	ck_assert(!jsonrpcs_reply_name_ok(big, JSONRPCS_REPLY_NAME_MAX + 1));
	ck_assert(jsonrpcs_reply_name_ok("a\0b", 3) == 0);

#define SCAN(s) jsonrpcs_reply_name_scan(s, strlen(s), name, sizeof(name))
	ck_assert_int_eq(SCAN("{\"reply_name\" :\n \"r1\", \"x\": [}"), 1);
	ck_assert_str_eq(name, "r1");
	ck_assert_int_eq(SCAN("{\"reply_name\":\"../x\",\"id\":1"), 0);
	ck_assert_int_eq(SCAN("{\"reply_name\":\"a\\\"b\"}"), 0);
	ck_assert_int_eq(SCAN("{\"reply_name\":5, \"reply_name\":\"r2\""), 1);
	ck_assert_str_eq(name, "r2");
	ck_assert_int_eq(SCAN("{\"reply_name\""), 0);
	ck_assert_int_eq(SCAN("{\"reply_name\":\"unterminated"), 0);
	ck_assert_int_eq(SCAN("garbage"), 0);
#undef SCAN
}
END_TEST

/* --- random and mutated input ----------------------------------------------------- */

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Whatever comes in, a response that is sent is valid JSON. */
static void
fuzz_one(const char *in, size_t len, struct jsonrpcs_doc *scratch,
    struct jsonrpcs_doc *check)
{
	struct jsonrpcs_perr e;

	ck_assert_int_eq(jsonrpcs_serve_text(in, len, (int)rnd(2), 0, scratch,
	    &t_reply), 0);
	if (!t_reply.send)
		return;
	ck_assert_msg(jsonrpcs_parse_all(check, t_reply.out.s, t_reply.out.len,
	    &e) == JSONRPCS_OK, "response is not JSON: %s", t_reply.out.s);
	ck_assert_int_eq(check->v[0].type, JSONRPCS_OBJECT);
}

START_TEST(fuzz_random)
{
	static const char alpha[] = "{}[]\":,.-+eE0123456789 \n\\utrfalsn"
	    "abcdjsonrpcmethodidparams\xc3\xff\x01";
	struct jsonrpcs_doc scratch, check;
	char in[512];

	jsonrpcs_doc_init(&scratch);
	jsonrpcs_doc_init(&check);
	jsonrpcs_reply_init(&t_reply);
	for (int it = 0; it < 20000; it++) {
		size_t len = rnd(sizeof(in));

		for (size_t i = 0; i < len; i++)
			in[i] = rnd(4) ? alpha[rnd(sizeof(alpha) - 1)] :
			    (char)rnd(256);
		fuzz_one(in, len, &scratch, &check);
	}
	jsonrpcs_reply_free(&t_reply);
	jsonrpcs_doc_free(&scratch);
	jsonrpcs_doc_free(&check);
}
END_TEST

START_TEST(fuzz_mutated)
{
	static const char seed[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"t.struct\",\"params\":[\"a\\u00e9\",1,{\"k\":[true,null]}],"
	    "\"id\":\"x\"}";
	static const char *const seeds[] = { seed,
		REQ("t.args", ",\"params\":{\"a\":1.5e3,"
		"\"b\":\"\\ud83d\\ude00\"},\"id\":9"),
		REQ("t.fault", ",\"params\":[\"q\"],\"id\":null"),
	};
	struct jsonrpcs_doc scratch, check;
	char in[512];
	struct rec r;

	jsonrpcs_doc_init(&scratch);
	jsonrpcs_doc_init(&check);
	jsonrpcs_reply_init(&t_reply);
	rec_init(&r, 256);
	for (int it = 0; it < 20000; it++) {
		const char *s = seeds[rnd(3)];
		size_t len = strlen(s);
		int edits = 1 + (int)rnd(4);

		memcpy(in, s, len);
		while (edits--) {
			size_t at = rnd((unsigned)len);

			switch (rnd(3)) {
			case 0:         /* change a byte */
				in[at] = (char)rnd(256);
				break;
			case 1:         /* drop a byte */
				memmove(in + at, in + at + 1, len - at - 1);
				len--;
				break;
			default:        /* double a byte */
				if (len + 1 < sizeof(in)) {
					memmove(in + at + 1, in + at, len - at);
					len++;
				}
			}
			if (len == 0)
				break;
		}
		fuzz_one(in, len, &scratch, &check);
		/* and through the stream, in random pieces */
		for (size_t off = 0; off < len;) {
			size_t k = 1 + rnd((unsigned)(len - off));

			rec_feed(&r, in + off, k);
			off += k;
			r.loglen = 0;
		}
	}
	rec_free(&r);
	jsonrpcs_reply_free(&t_reply);
	jsonrpcs_doc_free(&scratch);
	jsonrpcs_doc_free(&check);
}
END_TEST

/* Thousands of bad requests: their warnings would drown the report. */
static void
fuzz_setup(void)
{
	rpc_setup();
	log_set_local_level(L_ERR);
}

static void
fuzz_teardown(void)
{
	log_reset_local_level();
	rpc_teardown();
}

static Suite *
jsonrpcs_suite(void)
{
	Suite *s = suite_create("jsonrpcs");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, parse_values);
	tcase_add_test(tc, parse_strings);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, parse_depth);
	tcase_add_test(tc, parse_prefixes);
	tcase_add_test(tc, write_compact);
	tcase_add_test(tc, write_pretty);
	tcase_add_test(tc, write_strings);
	tcase_add_test(tc, write_numbers);
	suite_add_tcase(s, tc);
	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, rpc_setup, rpc_teardown);
	tcase_add_test(tc, serve_results);
	tcase_add_test(tc, serve_ids);
	tcase_add_test(tc, serve_invalid);
	tcase_add_test(tc, serve_methods);
	tcase_add_test(tc, serve_params);
	tcase_add_test(tc, serve_parse_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("stream");
	tcase_add_test(tc, stream_several);
	tcase_add_test(tc, stream_split_each);
	tcase_add_test(tc, stream_too_large);
	tcase_add_test(tc, reply_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("fuzz");
	tcase_add_checked_fixture(tc, fuzz_setup, fuzz_teardown);
	tcase_add_test(tc, fuzz_random);
	tcase_add_test(tc, fuzz_mutated);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(jsonrpcs_suite());
}
