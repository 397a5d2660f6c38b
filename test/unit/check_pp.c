#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg/pp.h"
#include "tcheck.h"

static struct cfg_src  src;
static struct cfg_diag diag;
static struct pp_ctx   pp;
static struct pp_out   out;

static void
setup(void)
{
	src_init(&src);
	diag_init(&diag, &src);
	pp_init(&pp, &src, &diag);
	memset(&out, 0, sizeof(out));
}

static void
teardown(void)
{
	pp_out_free(&out);
	pp_free(&pp);
	diag_free(&diag);
	src_free(&src);
}

/* Preprocesses text as "t.cfg" and returns the output. */
static const char *
run(const char *text)
{
	pp_out_free(&out);
	ck_assert_int_eq(pp_run_buffer(&pp, "t.cfg", text, strlen(text), &out),
	    0);
	ck_assert_uint_eq(strlen(out.text), out.len);
	return out.text;
}

/* Like run(), with no diagnostic allowed. */
static const char *
run_ok(const char *text)
{
	run(text);
	if (diag.n > 0)
		diag_print(&diag, stderr);
	ck_assert_uint_eq(diag.n, 0);
	return out.text;
}

static const char *
msg(unsigned i)
{
	static char buf[1400];

	ck_assert_uint_lt(i, diag.n);
	diag_format(&diag, i, buf, sizeof(buf));
	return buf;
}

/* Forgets the diagnostics so far, for a test with several inputs. */
static void
reset_diag(void)
{
	diag_free(&diag);
	diag_init(&diag, &src);
}

/* Exactly one diagnostic, the error want. */
static void
expect_error(const char *text, const char *want)
{
	run(text);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_uint_eq(diag.errors, 1);
	ck_assert_str_eq(msg(0), want);
}

/* The source position of the first occurrence of needle, as text. */
static const char *
where(const char *needle)
{
	static char buf[600];
	const char *p = strstr(out.text, needle);
	struct cfg_pos pos;

	ck_assert_msg(p != NULL, "'%s' not in output", needle);
	pos = pp_out_pos(&out, (size_t)(p - out.text));
	snprintf(buf, sizeof(buf), "%s:%u:%u", src_file_name(&src, pos.file),
	    pos.line, pos.col);
	return buf;
}

static unsigned
count_lines(const char *s, size_t n)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* ---- text, comments, strings ----------------------------------------- */

START_TEST(test_plain)
{
	ck_assert_str_eq(run_ok("a=1\n  b = c;\nlast"), "a=1\n  b = c;\nlast");
	ck_assert_str_eq(where("b ="), "t.cfg:2:3");
	ck_assert_str_eq(where("last"), "t.cfg:3:1");
	ck_assert_str_eq(where("\nlast"), "t.cfg:2:9");
}
END_TEST

START_TEST(test_empty)
{
	struct cfg_pos pos;

	ck_assert_str_eq(run_ok(""), "");
	pos = pp_out_pos(&out, 0);
	ck_assert_uint_eq(pos.line, 0);
}
END_TEST

START_TEST(test_hash_comment)
{
	ck_assert_str_eq(run_ok("debug=9 # comment\nfork=no #\n"),
	    "debug=9          \nfork=no  \n");
	ck_assert_str_eq(where("fork"), "t.cfg:2:1");
}
END_TEST

START_TEST(test_slash_comments)
{
	ck_assert_str_eq(run_ok("a=1 // x\nb=2 /* c\nd */ c=3 /**/x\n"),
	    "a=1     \nb=2     \n     c=3     x\n");
	ck_assert_str_eq(where("c=3"), "t.cfg:3:6");
	ck_assert_str_eq(where("x\n"), "t.cfg:3:14");
}
END_TEST

START_TEST(test_strings_keep_comments)
{
	ck_assert_str_eq(run_ok("s=\"a#b//c/*d\" 'e#f' t=\"q\\\"#\" # c\n"),
	    "s=\"a#b//c/*d\" 'e#f' t=\"q\\\"#\"    \n");
	/* a string may go on over a newline; a directive inside is text */
	ck_assert_str_eq(run_ok("s=\"a\n#!define X\nb\" X\n"),
	    "s=\"a\n#!define X\nb\" X\n");
	ck_assert(!pp_is_defined(&pp, "X"));
}
END_TEST

START_TEST(test_crlf)
{
	ck_assert_str_eq(run_ok("#!define A 1\r\nx=A\r\n"), "\nx=1\r\n");
}
END_TEST

START_TEST(test_headers)
{
	ck_assert_str_eq(run_ok("#!KAMAILIO\n!!SER\n#!Kamailio\n#!OPENSER\n"
	    "#!TANDEM\n#!ALL\n#!MAXCOMPAT\nx\n"), "\n\n\n\n\n\n\nx\n");
}
END_TEST

/* ---- defines ---------------------------------------------------------- */

START_TEST(test_define)
{
	ck_assert_str_eq(run_ok("#!define PORT 5060\n"
	    "listen=udp:1.2.3.4:PORT\n"
	    "$var(PORT) = $PORT + PORT;\n"
	    "xPORT PORTx PORT_1 \"PORT\" 'PORT' # PORT\n"),
	    "\nlisten=udp:1.2.3.4:5060\n"
	    "$var(5060) = $PORT + 5060;\n"
	    "xPORT PORTx PORT_1 \"PORT\" 'PORT'       \n");
	ck_assert(pp_is_defined(&pp, "PORT"));
}
END_TEST

START_TEST(test_define_empty_and_comment)
{
	ck_assert_str_eq(run_ok("#!define E\n#!define V 5 # five\n"
	    "#!define S \"a # b\" // c\nx=E;y=V;z=S\n"),
	    "\n\n\nx=;y=5;z=\"a # b\"\n");
}
END_TEST

START_TEST(test_define_continuation)
{
	ck_assert_str_eq(run_ok("#!define L a \\\n   b\t\\\n c\nx=L\n"),
	    "\n\n\nx=a b c\n");
	ck_assert_str_eq(where("x="), "t.cfg:4:1");
	/* a continuation at the end of the file */
	ck_assert_str_eq(run_ok("#!define M m \\\n"), "\n");
}
END_TEST

START_TEST(test_trydef_redefine_undef)
{
	ck_assert_str_eq(run_ok("#!define A 1\n#!trydef A 2\n#!trydef B 3\n"
	    "A B\n#!redefine A 4\n#!redef B 5\nA B\n#!undef A\n#!undef Z\nA\n"),
	    "\n\n\n1 3\n\n\n4 5\n\n\nA\n");
	ck_assert(!pp_is_defined(&pp, "A"));
	ck_assert(pp_is_defined(&pp, "B"));
}
END_TEST

START_TEST(test_rescan)
{
	ck_assert_str_eq(run_ok("#!define A B+1\n#!define B C*2\n#!define C 7\n"
	    "x=A\n#!define Q \"B\" B $B\ny=Q\n"),
	    "\n\n\nx=7*2+1\n\ny=\"B\" 7*2 $B\n");
}
END_TEST

START_TEST(test_expansion_positions)
{
	run_ok("#!define LONGNAME 1\n#!define V abc\nx = LONGNAME + yy; V z\n");
	ck_assert_str_eq(out.text, "\n\nx = 1 + yy; abc z\n");
	ck_assert_str_eq(where("1"), "t.cfg:3:5");
	ck_assert_str_eq(where("+"), "t.cfg:3:14");
	ck_assert_str_eq(where("yy"), "t.cfg:3:16");
	ck_assert_str_eq(where("bc"), "t.cfg:3:20");
	ck_assert_str_eq(where("c z"), "t.cfg:3:20");
	ck_assert_str_eq(where("z"), "t.cfg:3:22");
}
END_TEST

START_TEST(test_pp_define_api)
{
	ck_assert_int_eq(pp_define(&pp, "WITH_X", NULL), 0);
	ck_assert_int_eq(pp_define(&pp, "V", "42"), 0);
	ck_assert_int_eq(pp_define(&pp, "V", "43"), -1);
	ck_assert_int_eq(pp_define(&pp, "1bad", "x"), -1);
	ck_assert_int_eq(pp_define(&pp, "a-b", "x"), -1);
	ck_assert_int_eq(pp_define(&pp, "", "x"), -1);
	ck_assert(pp_is_defined(&pp, "WITH_X"));
	ck_assert(!pp_is_defined(&pp, "WITH_Y"));
	ck_assert_str_eq(run_ok("#!ifdef WITH_X\nv=V\n#!endif\n"),
	    "\nv=42\n\n");
}
END_TEST

/* ---- conditionals ------------------------------------------------------ */

START_TEST(test_ifdef_nested)
{
	ck_assert_str_eq(run_ok("#!define A\n"
	    "#!ifdef A\n"
	    "a1\n"
	    "#!ifndef B\n"
	    "b1\n"
	    "#!else\n"
	    "b2\n"
	    "#!endif\n"
	    "#!else\n"
	    "a2\n"
	    "#!define C\n"
	    "#!foo\n"
	    "#!ifdef A\n"
	    "nested\n"
	    "#!else\n"
	    "nested2\n"
	    "#!endif\n"
	    "#!endif // done\n"
	    "end\n"),
	    "\n\na1\n\nb1\n\n\n\n\n\n\n\n\n\n\n\n\n\nend\n");
	ck_assert(!pp_is_defined(&pp, "C"));
	ck_assert_str_eq(where("end"), "t.cfg:19:1");
}
END_TEST

START_TEST(test_ifndef_else)
{
	ck_assert_str_eq(run_ok("#!ifndef X\nyes\n#!else\nno\n#!endif\n"),
	    "\nyes\n\n\n\n");
	ck_assert_str_eq(run_ok("  #!ifdef X # why\nno\n  #!else\nyes\n"
	    "#!endif\n"), "\n\n\nyes\n\n");
}
END_TEST

START_TEST(test_defenv)
{
	setenv("TANDEM_PP_TEST", "val", 1);
	unsetenv("TANDEM_PP_UNSET");
	ck_assert_str_eq(run_ok("#!defenv X=TANDEM_PP_TEST\n"
	    "#!defenv TANDEM_PP_TEST\n"
	    "#!trydefenv Y=TANDEM_PP_UNSET\n"
	    "#!trydefenv Z=TANDEM_PP_TEST\n"
	    "X TANDEM_PP_TEST Y Z\n"), "\n\n\n\nval val Y val\n");
}
END_TEST

START_TEST(test_bang_prefix)
{
	ck_assert_str_eq(run_ok("!!define A 1\n!!ifdef A\nx=A\n!!else\nno\n"
	    "!!endif\n!!x\n!! y\n"), "\n\nx=1\n\n\n\n!!x\n!! y\n");
}
END_TEST

/* ---- substs ------------------------------------------------------------ */

START_TEST(test_subst)
{
	ck_assert_str_eq(run_ok("foo\n#!subst \"/foo/bar/\"\n"
	    "foo foo \"foo\"\n#!define foo 1\n"),
	    "foo\n\nbar foo \"foo\"\n\n");
	/* the directive line itself was left alone */
	ck_assert(pp_is_defined(&pp, "foo"));
}
END_TEST

START_TEST(test_subst_flags)
{
	ck_assert_str_eq(run_ok("#!subst \"/ab/X/gi\"\nab AB aB ab\n"),
	    "\nX X X X\n");
}
END_TEST

START_TEST(test_subst_backrefs)
{
	ck_assert_str_eq(run_ok("#!subst \"!(a+)-(b+)!<\\\\2\\1\\0>!g\"\n"
	    "aa-b a-bb\n"), "\n<baaaa-b> <bbaa-bb>\n");
}
END_TEST

START_TEST(test_subst_delimiter)
{
	ck_assert_str_eq(run_ok("#!subst \"/a\\/b/X/\"\n"
	    "#!subst \"|c\\|d|Y\\|Z|\"\n"
	    "#!subst \",e,\\n\\t\\\\\\\\,\"\n"
	    "a/b c|d e\n"), "\n\n\nX Y|Z \n\t\\\n");
}
END_TEST

START_TEST(test_subst_positions)
{
	run_ok("#!subst \"/LONG/s/g\"\na LONG b LONG\n");
	ck_assert_str_eq(out.text, "\na s b s\n");
	ck_assert_str_eq(where("s"), "t.cfg:2:3");
	ck_assert_str_eq(where("b"), "t.cfg:2:8");
	ck_assert_str_eq(where("s\n"), "t.cfg:2:10");
}
END_TEST

START_TEST(test_substdef)
{
	ck_assert_str_eq(run_ok("#!substdef \"!MSRP_MIN_EXPIRES!1800!g\"\n"
	    "if ($var(x) < MSRP_MIN_EXPIRES) r(\"Min-Expires: "
	    "MSRP_MIN_EXPIRES\\r\\n\");\n#!define Y MSRP_MIN_EXPIRES\nY\n"),
	    "\nif ($var(x) < 1800) r(\"Min-Expires: 1800\\r\\n\");\n\n1800\n");
	ck_assert(pp_is_defined(&pp, "MSRP_MIN_EXPIRES"));
}
END_TEST

/* ---- includes ---------------------------------------------------------- */

START_TEST(test_include)
{
	const char *inc = tcheck_write_file("inc.cfg",
	    "#!define INC 42\ninc_line = 1\n");
	const char *main_cfg = tcheck_write_file("main.cfg",
	    "a=1\ninclude_file \"inc.cfg\"\nb=INC\n#!include_file 'inc.cfg'\n"
	    "!!import_file \"missing.cfg\"\nimport_file inc.cfg\nc\n");
	char want[600];

	ck_assert_int_eq(pp_run_file(&pp, main_cfg, &out), 0);
	/* the second and third reads redefine INC */
	ck_assert_uint_eq(diag.errors, 2);
	snprintf(want, sizeof(want), "%s:1:10: error: 'INC' already defined "
	    "at %s:1", inc, inc);
	ck_assert_str_eq(msg(0), want);
	ck_assert_str_eq(out.text, "a=1\n\ninc_line = 1\n\nb=42\n\ninc_line = 1"
	    "\n\n\n\ninc_line = 1\n\nc\n");
	snprintf(want, sizeof(want), "%s:2:1", inc);
	ck_assert_str_eq(where("inc_line"), want);
	snprintf(want, sizeof(want), "%s:3:1", main_cfg);
	ck_assert_str_eq(where("b=42"), want);
	snprintf(want, sizeof(want), "%s:7:1", main_cfg);
	ck_assert_str_eq(where("c\n"), want);
}
END_TEST

START_TEST(test_include_relative_dir)
{
	char dir[512], want[600];
	const char *main_cfg;

	snprintf(dir, sizeof(dir), "%s/sub", tcheck_tmpdir());
	mkdir(dir, 0700);
	tcheck_write_file("sub/inc2.cfg", "from_sub\n");
	main_cfg = tcheck_write_file("sub/main2.cfg",
	    "include_file \"inc2.cfg\"\n");
	ck_assert_int_eq(pp_run_file(&pp, main_cfg, &out), 0);
	ck_assert_uint_eq(diag.n, 0);
	ck_assert_str_eq(out.text, "from_sub\n\n");
	snprintf(want, sizeof(want), "%s/inc2.cfg:1:1", dir);
	ck_assert_str_eq(where("from_sub"), want);
}
END_TEST

START_TEST(test_include_missing)
{
	expect_error("x\ninclude_file \"/nonexistent/nope.cfg\"\n",
	    "t.cfg:2:15: error: cannot read included file "
	    "'/nonexistent/nope.cfg': No such file or directory");
	ck_assert_str_eq(out.text, "x\n\n");
}
END_TEST

START_TEST(test_include_depth)
{
	const char *self = tcheck_write_file("self.cfg",
	    "include_file \"self.cfg\"\n");
	char want[600];

	ck_assert_int_eq(pp_run_file(&pp, self, &out), 0);
	ck_assert_uint_eq(diag.n, 1);
	snprintf(want, sizeof(want), "%s:1:15: error: too many nested "
	    "includes (limit 10) at 'self.cfg'", self);
	ck_assert_str_eq(msg(0), want);
	ck_assert_uint_eq(count_lines(out.text, out.len), 11);
}
END_TEST

START_TEST(test_include_conditionals_per_file)
{
	const char *inc = tcheck_write_file("open.cfg", "#!ifdef X\n");
	char text[600], want[600];

	snprintf(text, sizeof(text), "include_file \"%s\"\n#!endif\n", inc);
	run(text);
	ck_assert_uint_eq(diag.n, 2);
	snprintf(want, sizeof(want), "%s:1:1: error: unterminated #!ifdef "
	    "(missing #!endif)", inc);
	ck_assert_str_eq(msg(0), want);
	ck_assert_str_eq(msg(1), "t.cfg:2:1: error: #!endif without #!ifdef");
}
END_TEST

START_TEST(test_run_file_missing)
{
	ck_assert_int_eq(pp_run_file(&pp, "/nonexistent/x.cfg", &out), -1);
	ck_assert_uint_eq(diag.errors, 1);
	ck_assert_str_eq(msg(0), "/nonexistent/x.cfg: error: cannot read "
	    "config file: No such file or directory");
}
END_TEST

/* ---- one case per error class ------------------------------------------ */

START_TEST(test_err_unknown_directive)
{
	expect_error("x=1\n  #!foo bar\n",
	    "t.cfg:2:3: error: unknown preprocessor directive '#!foo'");
	ck_assert_str_eq(out.text, "x=1\n\n");
}
END_TEST

START_TEST(test_err_else_without_ifdef)
{
	expect_error("#!else\n", "t.cfg:1:1: error: #!else without #!ifdef");
}
END_TEST

START_TEST(test_err_endif_without_ifdef)
{
	expect_error("a\n #!endif\n",
	    "t.cfg:2:2: error: #!endif without #!ifdef");
}
END_TEST

START_TEST(test_err_second_else)
{
	expect_error("#!ifdef A\n#!else\n#!else\n#!endif\n",
	    "t.cfg:3:1: error: second #!else for the #!ifdef at line 1");
}
END_TEST

START_TEST(test_err_unterminated_ifdef)
{
	expect_error("x\n  #!ifndef A\ny\n",
	    "t.cfg:2:3: error: unterminated #!ifndef (missing #!endif)");
}
END_TEST

START_TEST(test_err_unexpected_text)
{
	expect_error("#!ifdef A\n#!endif junk\n",
	    "t.cfg:2:9: error: unexpected text after #!endif");
}
END_TEST

START_TEST(test_err_unterminated_comment)
{
	expect_error("a=1 /* x\ny\n", "t.cfg:1:5: error: unterminated comment");
	ck_assert_str_eq(out.text, "a=1     \n \n");
}
END_TEST

START_TEST(test_err_already_defined)
{
	expect_error("#!define A 1\n#!define A 2\nA\n",
	    "t.cfg:2:10: error: 'A' already defined at t.cfg:1");
	ck_assert_str_eq(out.text, "\n\n1\n");
}
END_TEST

START_TEST(test_err_already_defined_cmdline)
{
	ck_assert_int_eq(pp_define(&pp, "A", "1"), 0);
	expect_error("#!define A 2\n",
	    "t.cfg:1:10: error: 'A' already defined on the command line");
}
END_TEST

START_TEST(test_err_define_name)
{
	expect_error("#!define\n", "t.cfg:1:9: error: missing name after "
	    "#!define");
	reset_diag();
	expect_error("#!define A-B 1\n", "t.cfg:1:10: error: invalid name "
	    "after #!define");
	reset_diag();
	expect_error("#!ifdef\n#!endif\n", "t.cfg:1:8: error: missing name "
	    "after #!ifdef");
}
END_TEST

START_TEST(test_err_recursion)
{
	expect_error("#!define A A\nx=A\n", "t.cfg:2:3: error: too many nested "
	    "define expansions in 'A' (limit 32)");
}
END_TEST

START_TEST(test_err_expansion_too_big)
{
	char text[2048];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "#!define D0 x\n");
	for (int i = 1; i <= 21; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "#!define D%d D%d D%d\n", i, i - 1, i - 1);
	snprintf(text + n, sizeof(text) - n, "y=D21\n");
	run(text);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(msg(0), "t.cfg:23:3: error: expansion of 'D21' is "
	    "longer than 1048576 bytes");
}
END_TEST

START_TEST(test_err_subst_too_long)
{
	/* 256 matches of 4100 bytes each pass 1 MiB */
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof(text), "#!subst \"/a/");

	memset(text + n, 'b', 4100);
	n += 4100;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "/g\"\n");
	memset(text + n, 'a', 256);
	n += 256;
	snprintf(text + n, sizeof(text) - n, "\n");
	expect_error(text, "t.cfg:2:1: error: line longer than 1048576 bytes "
	    "after #!subst");
	ck_assert_str_eq(out.text, "\n\n");
}
END_TEST

START_TEST(test_err_output_too_long)
{
	/* 64 lines of 256 names of 4 KiB each pass 64 MiB */
	size_t cap = 8192 + 70 * 520, n = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	n += (size_t)snprintf(text, cap, "#!define L ");
	memset(text + n, 'x', 4096);
	n += 4096;
	text[n++] = '\n';
	for (int i = 0; i < 70; i++) {
		for (int k = 0; k < 256; k++) {
			text[n++] = 'L';
			text[n++] = k < 255 ? ' ' : '\n';
		}
	}
	text[n] = '\0';
	run(text);
	free(text);
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(msg(0), "t.cfg:65:505: error: the preprocessed "
	    "config is longer than 67108864 bytes");
	ck_assert_uint_eq(out.len, 1u << 26);
}
END_TEST

START_TEST(test_err_subst)
{
	const char *want;

	expect_error("#!subst \"/a/b\"\n", "t.cfg:1:9: error: bad #!subst "
	    "expression '/a/b': missing / after the replacement");
	reset_diag();
	expect_error("#!subst \"/ab\"\n", "t.cfg:1:9: error: bad #!subst "
	    "expression '/ab': missing / after the expression");
	reset_diag();
	expect_error("#!subst \"/a/b/q\"\n", "t.cfg:1:9: error: bad #!subst "
	    "expression '/a/b/q': unknown flag 'q'");
	reset_diag();
	expect_error("#!substdef \"!a!\\1!\"\n", "t.cfg:1:12: error: bad "
	    "#!substdef expression '!a!\\1!': no group 1");
	reset_diag();
	expect_error("#!subst \"ab\"\n", "t.cfg:1:9: error: bad #!subst "
	    "expression 'ab': too short");
	reset_diag();
	expect_error("#!subst /a/b/\n", "t.cfg:1:9: error: missing quoted "
	    "expression after #!subst");
	reset_diag();
	run("#!subst \"/(/x/\"\n");
	ck_assert_uint_eq(diag.n, 1);
	want = "t.cfg:1:9: error: bad #!subst expression '/(/x/': ";
	ck_assert(strncmp(msg(0), want, strlen(want)) == 0);
}
END_TEST

START_TEST(test_err_defenv)
{
	unsetenv("TANDEM_PP_UNSET");
	expect_error("#!defenv X=TANDEM_PP_UNSET\n", "t.cfg:1:10: error: "
	    "environment variable 'TANDEM_PP_UNSET' is not set");
	reset_diag();
	expect_error("#!defenv X=\n", "t.cfg:1:10: error: invalid argument "
	    "'X=' after #!defenv");
}
END_TEST

/* ---- the seed configs -------------------------------------------------- */

static void
seed_config(const char *name)
{
	const char *srcdir = getenv("TANDEM_SRCDIR");
	char path[1024], *buf = NULL;
	struct stat sb;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/test/fixtures/configs/%s",
	    srcdir ? srcdir : ".", name);
	if (srcdir == NULL || stat(path, &sb) == -1)
		snprintf(path, sizeof(path), "/work/shared/configs/%s", name);
	ck_assert_int_eq(pp_run_file(&pp, path, &out), 0);
	if (diag.n > 0)
		diag_print(&diag, stderr);
	ck_assert_uint_eq(diag.n, 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	/* every line is still there, in its place */
	ck_assert_uint_eq(count_lines(out.text, out.len), count_lines(buf, n));
	free(buf);
}

START_TEST(test_seed_configs)
{
	static const char *const names[] = { "ex117-htable.cfg",
		"ex118-cmap.cfg", "ex19-old.cfg", "msilo-ser-adapted.cfg" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		teardown();
		setup();
		seed_config(names[i]);
	}
}
END_TEST

START_TEST(test_seed_htable_substdef)
{
	seed_config("ex117-htable.cfg");
	ck_assert_ptr_nonnull(strstr(out.text, "autoexpire=3600;"));
	ck_assert_ptr_nonnull(strstr(out.text, "\"Min-Expires: 1800\\r\\n\""));
	ck_assert_ptr_nonnull(strstr(out.text, "$var(expires) < 1800)"));
	ck_assert_ptr_null(strstr(out.text, "MSRP_M"));
}
END_TEST

static Suite *
pp_suite(void)
{
	Suite *s = suite_create("pp");
	TCase *tc = tcase_create("pp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_hash_comment);
	tcase_add_test(tc, test_slash_comments);
	tcase_add_test(tc, test_strings_keep_comments);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_define);
	tcase_add_test(tc, test_define_empty_and_comment);
	tcase_add_test(tc, test_define_continuation);
	tcase_add_test(tc, test_trydef_redefine_undef);
	tcase_add_test(tc, test_rescan);
	tcase_add_test(tc, test_expansion_positions);
	tcase_add_test(tc, test_pp_define_api);
	tcase_add_test(tc, test_ifdef_nested);
	tcase_add_test(tc, test_ifndef_else);
	tcase_add_test(tc, test_defenv);
	tcase_add_test(tc, test_bang_prefix);
	tcase_add_test(tc, test_subst);
	tcase_add_test(tc, test_subst_flags);
	tcase_add_test(tc, test_subst_backrefs);
	tcase_add_test(tc, test_subst_delimiter);
	tcase_add_test(tc, test_subst_positions);
	tcase_add_test(tc, test_substdef);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_include_relative_dir);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_conditionals_per_file);
	tcase_add_test(tc, test_run_file_missing);
	tcase_add_test(tc, test_err_unknown_directive);
	tcase_add_test(tc, test_err_else_without_ifdef);
	tcase_add_test(tc, test_err_endif_without_ifdef);
	tcase_add_test(tc, test_err_second_else);
	tcase_add_test(tc, test_err_unterminated_ifdef);
	tcase_add_test(tc, test_err_unexpected_text);
	tcase_add_test(tc, test_err_unterminated_comment);
	tcase_add_test(tc, test_err_already_defined);
	tcase_add_test(tc, test_err_already_defined_cmdline);
	tcase_add_test(tc, test_err_define_name);
	tcase_add_test(tc, test_err_recursion);
	tcase_add_test(tc, test_err_expansion_too_big);
	tcase_add_test(tc, test_err_subst);
	tcase_add_test(tc, test_err_subst_too_long);
	tcase_add_test(tc, test_err_output_too_long);
	tcase_add_test(tc, test_err_defenv);
	tcase_add_test(tc, test_seed_configs);
	tcase_add_test(tc, test_seed_htable_substdef);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tcheck_run(pp_suite());
}
