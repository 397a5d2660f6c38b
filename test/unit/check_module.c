/*
 * check_module.c - the module loader (search path, checks, modparam,
 * init order) and the script-function registry.
 *
 * testmod comes from the build (TD_TEST_MODDIR); the broken and the
 * lifecycle modules are written and compiled by the tests themselves
 * with `cc -shared -fPIC`, so the Makefile needs no entry per case.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cmd.h"
#include "core/module.h"
#include "tcheck.h"

#ifndef TD_TEST_MODDIR
#error "TD_TEST_MODDIR must name the build's test/modules directory"
#endif

#define TESTMOD_SO TD_TEST_MODDIR "/testmod/.libs/testmod.so"

#define OK(call)        ck_assert_int_eq((call), 0)
#define FAIL(call)      ck_assert_int_eq((call), -1)
#define LOAD(w, line)   mod_load((w), NULL, &d, at(line))
#define DIAG(i, text)   ck_assert_str_eq(diag_msg(i), (text))
#define PATH_OF(name)   (mod_find(name)->path)
#define VINT(x)         ((struct val){ .flags = VAL_INT, .n = (x) })
#define VSTR(x)         ((struct val){ .flags = VAL_STR, .s = STR_LIT(x) })

static struct cfg_src src;
static struct cfg_diag d;
static uint32_t cfg_file;
static char events[1024];

/* Called by the generated lifecycle modules (exported by -rdynamic). */
void check_module_record(const char *ev);

void
check_module_record(const char *ev)
{
	size_t n = strlen(events);

	snprintf(events + n, sizeof(events) - n, "%s ", ev);
}

static struct cfg_pos
at(uint32_t line)
{
	return (struct cfg_pos){ cfg_file, line, 1 };
}

static void
setup(void)
{
	src_init(&src);
	cfg_file = src_add_file(&src, "test.cfg");
	diag_init(&d, &src);
	mod_path_reset();
	events[0] = '\0';
}

static void
teardown(void)
{
	mod_unload_all();
	diag_free(&d);
	src_free(&src);
}

/* --- helpers ------------------------------------------------------------ */

static const char *
diag_msg(unsigned i)
{
	ck_assert_uint_lt(i, d.n);
	return d.items[i].msg;
}

static void
ck_prefix(const char *s, const char *prefix)
{
	ck_assert_msg(strncmp(s, prefix, strlen(prefix)) == 0,
	    "'%s' does not start with '%s'", s, prefix);
}

/* printf into one of 8 rotating buffers (paths built by the tests). */
__attribute__((format(printf, 1, 2))) static const char *
fmtp(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int slot;
	char *b = bufs[slot++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	return b;
}

/* tmpdir/rel in buf, created with its parents. */
static const char *
tmp_dir(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s", fmtp("%s/%s", tcheck_tmpdir(), rel));
	ck_assert_int_eq(system(fmtp("mkdir -p '%s'", buf)), 0);
	return buf;
}

/* Makes tmpdir/rel (and its directory) a link to the built testmod. */
static void
link_testmod(const char *rel)
{
	const char *p = fmtp("%s/%s", tcheck_tmpdir(), rel);

	ck_assert_msg(access(TESTMOD_SO, R_OK) == 0, "%s not built",
	    TESTMOD_SO);
	ck_assert_int_eq(system(fmtp("mkdir -p \"$(dirname '%s')\" && "
	    "ln -s '%s' '%s'", p, TESTMOD_SO, p)), 0);
}

/*
 * Compiles `body` (after #include "core/module_api.h") into
 * tmpdir/gen/<file>; returns the directory.  The headers are found in
 * the build tree and, for VPATH builds, three levels above __FILE__.
 */
static const char *
gen_module(const char *file, const char *body)
{
	static char dir[PATH_MAX];
	const char *csrc;

	tmp_dir(dir, sizeof(dir), "gen");
	csrc = tcheck_write_file(fmtp("gen/%s.c", file), fmtp("#include "
	    "\"core/module_api.h\"\nvoid check_module_record(const char *);"
	    "\n%s\n", body));
	ck_assert_msg(system(fmtp("cc -D_GNU_SOURCE -shared -fPIC "
	    "-I'%s/../..' -I\"$(dirname \"$(dirname \"$(dirname '%s')\")\")\" "
	    "-o '%s/%s' '%s'", TD_TEST_MODDIR, __FILE__, dir, file, csrc)) == 0,
	    "could not compile %s", csrc);
	return dir;
}

#define GEN_DESC(name, more) \
	"const struct module tandem_module = { .abi = MOD_ABI_VERSION, " \
	".name = \"" name "\"" more " };\n"

/* A module that records init/child/destroy; deps like "\"b\", ". */
static const char *
gen_lifecycle(const char *name, const char *deps, int init_rc)
{
	return gen_module(fmtp("%s.so", name), fmtp(
	    "static int i_(void) { check_module_record(\"init:%s\"); "
	    "return %d; }\n"
	    "static int c_(const struct proc_self *s) { (void)s; "
	    "check_module_record(\"child:%s\"); return 0; }\n"
	    "static void d_(void) { check_module_record(\"destroy:%s\"); }\n"
	    "static const char *const deps_[] = { %s 0 };\n"
	    "const struct module tandem_module = { .abi = MOD_ABI_VERSION, "
	    ".name = \"%s\", .depends = deps_, .init = i_, "
	    ".child_init = c_, .destroy = d_ };\n",
	    name, init_rc, name, name, deps, name));
}

static const struct loaded_module *
load_testmod(uint32_t line)
{
	mod_path_add(TD_TEST_MODDIR);
	OK(LOAD("testmod.so", line));
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_nonnull(mod_find("testmod"));
	return mod_find("testmod");
}

/* $tm(key) through testmod's own table: no PV parser involved. */
static struct val
tm_pv(const char *key)
{
	const struct loaded_module *lm = mod_find("testmod");
	str_t inner = str_cstr(key);
	void *compiled = NULL;
	struct val v;

	ck_assert_ptr_nonnull(lm);
	OK(lm->mod->pvs[0].parse(&inner, &compiled, &d));
	OK(lm->mod->pvs[0].get(NULL, compiled, &v));
	return v;
}

/* $tm(key) for the integer keys */
#define tm_int(key)     (tm_pv(key).n)

static void
ck_str_p(const char *exp)
{
	struct val v = tm_pv("str_p");

	ck_assert(v.flags & VAL_STR);
	ck_assert_msg(str_eq_cstr(&v.s, exp), "str_p is '%.*s', not '%s'",
	    STR_FMT(&v.s), exp);
}

/* --- search path ----------------------------------------------------- */

START_TEST(test_load_from_moddir)
{
	const struct loaded_module *lm = load_testmod(2);
	const struct { int (*count)(void); } *api;
	const char *owner = NULL;
	str_t tm = STR_LIT("tm");

	ck_assert_int_eq(mod_count(), 1);
	ck_assert_ptr_eq(mod_at(0), lm);
	ck_assert_ptr_null(mod_at(1));
	ck_assert_str_eq(lm->mod->name, "testmod");
	ck_assert_uint_eq(lm->pos.line, 2);
	ck_assert_int_eq(lm->initialized, 0);
	ck_assert_str_eq(cmd_lookup("tm_true", 0, NULL, NULL)->module,
	    "testmod");
	ck_assert_ptr_nonnull(pv_lookup(&tm, &owner));
	ck_assert_str_eq(owner, "testmod");
	owner = NULL;
	ck_assert_ptr_nonnull(tr_lookup(&tm, &owner));
	ck_assert_str_eq(owner, "testmod");
	ck_assert_ptr_nonnull(api = mod_api_get("testmod", 1));
	ck_assert_int_eq(api->count(), (int)tm_int("count"));
	ck_assert_ptr_null(mod_api_get("testmod", 2));
	ck_assert_ptr_null(mod_api_get("ghost", 1));
}
END_TEST

START_TEST(test_layouts)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], both[PATH_MAX];
	const char *dirs[] = { a, b, c };
	const char *fmts[] = { "%s/testmod.so", "%s/testmod/testmod.so",
	    "%s/testmod/.libs/testmod.so" };

	link_testmod("flat/testmod.so");
	link_testmod("inst/testmod/testmod.so");
	link_testmod("tree/testmod/.libs/testmod.so");
	link_testmod("both/testmod/.libs/testmod.so");
	link_testmod("both/testmod.so");
	tmp_dir(a, sizeof(a), "flat");
	tmp_dir(b, sizeof(b), "inst");
	tmp_dir(c, sizeof(c), "tree");
	tmp_dir(both, sizeof(both), "both");

	/* D/x.so, D/x/x.so, D/x/.libs/x.so; ".so" is appended */
	for (int i = 0; i < 3; i++) {
		mod_path_add("/nonexistent/tandem-x");
		mod_path_add(dirs[i]);
		OK(LOAD("testmod", 1));
		ck_assert_str_eq(PATH_OF("testmod"), fmtp(fmts[i], dirs[i]));
		mod_unload_all();
	}
	/* D/x.so before D/x/.libs/x.so */
	mod_path_add(both);
	OK(LOAD("testmod", 1));
	ck_assert_str_eq(PATH_OF("testmod"), fmtp("%s/testmod.so", both));
	mod_unload_all();

	/* -L before mpath; a later mpath replaces the earlier one */
	mod_path_set_mpath(b);
	mod_path_set_mpath(fmtp("/nonexistent/m1::%s", a));
	mod_path_add(c);
	ck_prefix(mod_path_describe(), fmtp("%s:/nonexistent/m1:%s:", c, a));
	ck_assert_ptr_null(strstr(mod_path_describe(), b));
	OK(LOAD("testmod", 1));
	ck_assert_str_eq(PATH_OF("testmod"),
	    fmtp("%s/testmod/.libs/testmod.so", c));
	mod_unload_all();

	/* mpath entries are searched in order */
	mod_path_set_mpath(fmtp("/nonexistent/m:%s:%s", b, a));
	OK(LOAD("testmod.so", 1));
	ck_assert_str_eq(PATH_OF("testmod"), fmtp("%s/testmod/testmod.so", b));
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(test_not_found)
{
	mod_path_add("/nonexistent/tandem-a");
	FAIL(LOAD("nosuch", 4));
	ck_prefix(diag_msg(0), "module 'nosuch.so' not found (searched: "
	    "/nonexistent/tandem-a:");
	ck_assert_uint_eq(d.items[0].pos.line, 4);
	ck_assert_int_eq(mod_count(), 0);
	/* a written path that leads nowhere names itself too */
	FAIL(mod_load("../x/nosuch.so", "/nonexistent", &d, at(5)));
	ck_prefix(diag_msg(1), "module 'nosuch.so' not found (searched: "
	    "'../x/nosuch.so', then /nonexistent/tandem-a:");
	FAIL(LOAD("", 6));
	DIAG(2, "loadmodule: invalid module name ''");
	FAIL(LOAD("dir/.so", 6));
	ck_assert_uint_eq(d.errors, 4);
}
END_TEST

START_TEST(test_ser_path_fallback)
{
	const char *written = "../sip_router/modules/testmod/testmod.so";

	mod_path_add(TD_TEST_MODDIR);
	OK(mod_load(written, "/nonexistent", &d, at(3)));
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(d.warnings, 1);
	DIAG(0, fmtp("module path '%s' not found; loaded testmod.so from %s",
	    written, PATH_OF("testmod")));
	ck_assert_int_eq(d.items[0].sev, DIAG_WARNING);
	ck_assert_uint_eq(d.items[0].pos.line, 3);
}
END_TEST

START_TEST(test_written_path)
{
	char cwd[PATH_MAX];

	/* absolute, as written */
	OK(LOAD(TESTMOD_SO, 1));
	ck_assert_str_eq(PATH_OF("testmod"), TESTMOD_SO);
	mod_unload_all();
	/* relative to the config's directory */
	OK(mod_load("testmod/.libs/testmod.so", TD_TEST_MODDIR, &d, at(1)));
	ck_assert_str_eq(PATH_OF("testmod"), TESTMOD_SO);
	mod_unload_all();
	/* relative to the working directory, before the config's */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	OK(chdir(TD_TEST_MODDIR));
	OK(mod_load("testmod/.libs/testmod", "/nonexistent", &d, at(1)));
	OK(chdir(cwd));
	ck_assert_str_eq(PATH_OF("testmod"), "testmod/.libs/testmod.so");
	ck_assert_uint_eq(d.n, 0);
	/* loaded twice, by another path */
	FAIL(LOAD(TESTMOD_SO, 7));
	DIAG(0, "module 'testmod' already loaded at test.cfg:1");
	ck_assert_uint_eq(d.items[0].pos.line, 7);
	ck_assert_int_eq(mod_count(), 1);
}
END_TEST

/* --- broken modules ------------------------------------------------------ */

START_TEST(test_bad_modules)
{
	gen_module("badabi.so", "const struct module tandem_module = { "
	    ".abi = MOD_ABI_VERSION + 1, .name = \"badabi\" };");
	gen_module("wrongname.so", GEN_DESC("other", ""));
	gen_module("nosym.so", "int not_a_module = 1;");
	mod_path_add(gen_module("noparam.so", "static const struct "
	    "param_export p[] = { { .name = \"x\", .type = PARAM_INT }, "
	    "{ 0 } };\n" GEN_DESC("noparam", ", .params = p")));
	tcheck_write_file("gen/junk.so", "this is no ELF file\n");

	FAIL(LOAD("badabi", 1));
	DIAG(0, fmtp("module 'badabi.so' was built for module ABI version %u, "
	    "this Tandem uses version %u; rebuild it", MOD_ABI_VERSION + 1,
	    MOD_ABI_VERSION));
	FAIL(LOAD("wrongname", 2));
	ck_prefix(diag_msg(1), "module 'wrongname.so' calls itself 'other';");
	FAIL(LOAD("nosym", 3));
	DIAG(2, "'nosym.so' is not a Tandem module (no tandem_module symbol)");
	FAIL(LOAD("junk", 4));
	ck_prefix(diag_msg(3), "could not load module 'junk.so': ");
	FAIL(LOAD("noparam", 5));
	DIAG(4, "module 'noparam': parameter 'x' has neither a variable nor "
	    "a setter");
	ck_assert_uint_eq(d.errors, 5);
	ck_assert_int_eq(mod_count(), 0);
}
END_TEST

START_TEST(test_export_clash)
{
	load_testmod(1);
	mod_path_add(gen_module("dupfn.so", "static int f(struct msg *m, "
	    "void *const *a) { return 1; }\n"
	    "static const struct cmd_export c[] = { { .name = \"tm_true\", "
	    ".fn = f, .routes = RT_ANY }, { 0 } };\n"
	    GEN_DESC("dupfn", ", .cmds = c")));
	gen_module("duppv.so", "static int g(struct msg *m, void *c, "
	    "struct val *o) { return 0; }\n"
	    "static const struct pv_export p[] = { { .name = \"tm\", "
	    ".flags = PV_READ, .get = g }, { 0 } };\n"
	    GEN_DESC("duppv", ", .pvs = p"));

	FAIL(LOAD("dupfn", 2));
	DIAG(0, "function 'tm_true' is exported by both 'testmod' and 'dupfn'");
	/* registration failed after dlopen: the module stays listed */
	ck_assert_ptr_nonnull(mod_find("dupfn"));
	ck_assert_str_eq(cmd_lookup("tm_true", 0, NULL, NULL)->module,
	    "testmod");
	FAIL(LOAD("duppv", 3));
	ck_assert_uint_eq(d.errors, 2);
	ck_assert_int_eq(mod_count(), 3);
}
END_TEST

/* --- modparam ------------------------------------------------------------ */

/* v: a struct val variable or a VINT()/VSTR() compound literal */
#define set_param(mod, name, v, line) \
	mod_set_param((mod), (name), &(v), &d, at(line))

START_TEST(test_modparam_types)
{
	struct val part = VSTR("abcdef"), null = { .flags = VAL_NULL };

	load_testmod(1);
	OK(set_param("testmod", "int_p", VINT(42), 2));
	ck_assert_int_eq(tm_int("int_p"), 42);
	/* Kamailio takes a number written as a string */
	OK(set_param("testmod", "int_p", VSTR("-17"), 3));
	ck_assert_int_eq(tm_int("int_p"), -17);
	ck_assert_uint_eq(d.n, 0);

	FAIL(set_param("testmod", "int_p", VSTR("abc"), 4));
	DIAG(0, "modparam: parameter 'int_p' of module 'testmod' takes an "
	    "integer");
	ck_assert_uint_eq(d.items[0].pos.line, 4);
	FAIL(set_param("testmod", "int_p", VSTR(""), 5));
	FAIL(set_param("testmod", "int_p", null, 5));
	FAIL(set_param("testmod", "int_p", VINT(1LL << 40), 6));
	DIAG(3, "modparam: value 1099511627776 of parameter 'int_p' of "
	    "module 'testmod' is out of range");
	ck_assert_int_eq(tm_int("int_p"), -17);

	FAIL(set_param("ghost", "x", VINT(1), 7));
	DIAG(4, "modparam: module 'ghost' is not loaded");
	FAIL(set_param("testmod", "nope", VINT(1), 8));
	DIAG(5, "modparam: module 'testmod' has no parameter 'nope'");
	ck_assert_uint_eq(d.items[5].pos.line, 8);
	ck_assert_uint_eq(d.errors, 6);
	diag_free(&d);
	diag_init(&d, &src);

	ck_str_p("default");
	/* replacing the module's literal default must not free it */
	OK(set_param("testmod", "str_p", VSTR("hello"), 2));
	ck_str_p("hello");
	/* the copy made for "hello" is freed (LSan checks) */
	OK(set_param("testmod", "str_p", VSTR("world"), 3));
	ck_str_p("world");
	/* values are counted strings, not NUL-terminated */
	part.s.len = 3;
	OK(set_param("testmod", "str_p", part, 4));
	ck_str_p("abc");
	ck_assert_uint_eq(d.n, 0);

	FAIL(set_param("testmod", "str_p", VINT(5), 5));
	DIAG(0, "modparam: parameter 'str_p' of module 'testmod' takes a "
	    "string");
	FAIL(set_param("testmod", "str_p", null, 6));
	ck_str_p("abc");
	ck_assert_uint_eq(d.errors, 2);
}
END_TEST

START_TEST(test_modparam_setter)
{
	load_testmod(1);
	for (int i = 0; i < 3; i++)
		OK(set_param("testmod", "multi", VSTR("x"), 2));
	ck_assert_int_eq(tm_int("multi"), 3);

	/* the setter's diag_error() lands on the modparam line */
	d.cur = (struct cfg_pos){ 9, 9, 9 };
	FAIL(set_param("testmod", "multi", VSTR("bad"), 12));
	ck_assert_uint_eq(d.errors, 1);
	DIAG(0, "testmod: parameter 'multi' does not take 'bad'");
	ck_assert_uint_eq(d.items[0].pos.line, 12);
	ck_assert_uint_eq(d.cur.line, 9);
	FAIL(set_param("testmod", "multi", VINT(3), 13));
	DIAG(1, "modparam: parameter 'multi' of module 'testmod' takes a "
	    "string");
	ck_assert_int_eq(tm_int("multi"), 3);
}
END_TEST

/* --- the function registry ----------------------------------------------- */

static int
fn_one(struct msg *m, void *const *args)
{
	return 1;
}

#define A(f)    { .flags = (f) }

static const struct cmd_export tab_a[] = {
	{ .name = "f", .fn = fn_one, .routes = RT_ANY, .args = { A(ARG_STR) } },
	{ .name = "f", .fn = fn_one, .routes = RT_REQUEST,
	  .args = { A(ARG_STR), A(ARG_INT), A(ARG_STR | ARG_OPT) } },
	{ .name = "g", .fn = fn_one, .routes = RT_ANY,
	  .args = { A(ARG_STR | ARG_OPT) } },
	{ .name = NULL },
};

static const struct cmd_export tab_b[] = {
	{ .name = "f", .fn = fn_one, .routes = RT_ANY },
	{ .name = NULL },
};

static const struct cmd_export tab_bad[] = {
	{ .name = "nofn", .routes = RT_ANY },
	{ .name = "noroute", .fn = fn_one },
	{ .name = "optfirst", .fn = fn_one, .routes = RT_ANY,
	  .args = { A(ARG_STR | ARG_OPT), A(ARG_STR) } },
	{ .name = "notype", .fn = fn_one, .routes = RT_ANY,
	  .args = { A(ARG_OPT) } },
	{ .name = "seven", .fn = fn_one, .routes = RT_ANY,
	  .args = { A(ARG_INT), A(ARG_INT), A(ARG_INT), A(ARG_INT), A(ARG_INT),
	            A(ARG_INT), A(ARG_INT) } },
	{ .name = "h", .fn = fn_one, .routes = RT_ANY,
	  .args = { A(ARG_STR | ARG_OPT) } },
	{ .name = "h", .fn = fn_one, .routes = RT_ANY, .args = { A(ARG_STR) } },
	{ .name = NULL },
};

START_TEST(test_cmd_registry)
{
	const struct cmd_entry *e1, *e3, *first = NULL;
	int any = -1;

	OK(cmd_register_table(tab_a, "a", &d, at(1)));
	ck_assert_ptr_nonnull(e1 = cmd_lookup("f", 1, NULL, NULL));
	ck_assert_ptr_nonnull(e3 = cmd_lookup("f", 3, NULL, NULL));
	ck_assert_ptr_eq(e1->exp, &tab_a[0]);
	ck_assert_ptr_eq(e3->exp, &tab_a[1]);
	ck_assert_int_eq(e3->min_args, 2);
	ck_assert_int_eq(e3->max_args, 3);
	ck_assert_ptr_eq(cmd_lookup("f", 2, NULL, NULL), e3);
	ck_assert_ptr_null(cmd_lookup("f", 0, &any, &first));
	ck_assert_int_eq(any, 1);
	ck_assert_ptr_eq(first, e1);
	ck_assert_ptr_null(cmd_lookup("f", 4, NULL, NULL));
	ck_assert_ptr_null(cmd_lookup("F", 1, &any, &first));
	ck_assert_int_eq(any, 0);
	ck_assert_ptr_null(first);
	ck_assert_ptr_nonnull(cmd_lookup("g", 0, NULL, NULL));
	ck_assert_ptr_nonnull(cmd_lookup("g", 1, NULL, NULL));
	ck_assert_uint_eq(d.n, 0);

	FAIL(cmd_register_table(tab_b, "b", &d, at(3)));
	DIAG(0, "function 'f' is exported by both 'a' and 'b'");
	/* every bad entry is reported; the good ones still register */
	FAIL(cmd_register_table(tab_bad, "bad", &d, at(4)));
	ck_assert_uint_eq(d.errors, 7);
	DIAG(1, "function 'nofn' of module 'bad' has no handler");
	DIAG(2, "function 'noroute' of module 'bad' may be used in no route "
	    "type");
	DIAG(3, "function 'optfirst' of module 'bad': required argument 2 "
	    "follows an optional one");
	DIAG(4, "function 'notype' of module 'bad': argument 1 has no type");
	DIAG(5, "function 'seven' of module 'bad' declares more than 6 "
	    "arguments");
	DIAG(6, "function 'h' of module 'bad' is exported twice with "
	    "overlapping argument counts (0..1 and 1..1)");
	ck_assert_ptr_nonnull(cmd_lookup("h", 0, NULL, NULL));
	ck_assert_ptr_null(cmd_lookup("nofn", 0, NULL, NULL));

	OK(cmd_register_table(NULL, "x", &d, at(5)));
	cmd_registry_reset();
	ck_assert_ptr_null(cmd_lookup("f", 1, NULL, NULL));
}
END_TEST

static struct val captured;

static int
cap_set(struct msg *m, void *compiled, const struct val *in)
{
	captured = *in;
	return 0;
}

static const struct pv_export cap_class = {
	.name = "cap", .flags = PV_WRITE, .set = cap_set,
};

static int
call(const char *name, int nargs, void *const *args, struct msg *m)
{
	const struct cmd_entry *e = cmd_lookup(name, nargs, NULL, NULL);

	ck_assert_msg(e != NULL, "%s/%d not registered", name, nargs);
	return e->exp->fn(m, args);
}

START_TEST(test_cmd_testmod)
{
	struct arg n = { .kind = ARG_K_INT, .n = 7 };
	struct arg s1 = { .kind = ARG_K_FMT }, s2 = { .kind = ARG_K_FMT };
	struct pv_ref ref = { .cls = &cap_class, .text = (char *)"$cap" };
	struct arg pv = { .kind = ARG_K_PV, .pv = &ref };
	void *args[MOD_MAX_ARGS + 1] = { NULL };
	const struct cmd_entry *e, *first = NULL;
	long long before;
	struct msg m;
	int any = 0;

	load_testmod(1);
	ck_assert_ptr_nonnull(e = cmd_lookup("tm_two", 1, NULL, NULL));
	ck_assert_int_eq(e->min_args, 1);
	ck_assert_int_eq(e->max_args, 2);
	ck_assert_ptr_eq(cmd_lookup("tm_two", 2, NULL, NULL), e);
	ck_assert_ptr_null(cmd_lookup("tm_two", 3, &any, &first));
	ck_assert_int_eq(any, 1);
	ck_assert_ptr_eq(first, e);
	ck_assert_uint_eq(cmd_lookup("tm_req_only", 0, NULL, NULL)->exp->routes,
	    RT_REQUEST);
	ck_assert_ptr_null(cmd_lookup("tm_ret", 0, NULL, NULL));

	/* the handlers, called the way the route engine calls them */
	msg_init(&m, "", 0, NULL);
	OK(fmt_compile("one", 3, &s1.fmt, &d, at(1)));
	OK(fmt_compile("two", 3, &s2.fmt, &d, at(1)));
	ck_assert_int_eq(call("tm_true", 0, args, &m), 1);
	ck_assert_int_eq(call("tm_false", 0, args, &m), -1);
	ck_assert_int_eq(call("tm_zero", 0, args, &m), 0);
	args[0] = &n;
	ck_assert_int_eq(call("tm_ret", 1, args, &m), 7);
	n.n = -3;
	ck_assert_int_eq(call("tm_ret", 1, args, &m), -3);
	args[0] = &s1;
	ck_assert_int_eq(call("tm_two", 1, args, &m), 1);
	args[1] = &s2;
	ck_assert_int_eq(call("tm_two", 2, args, &m), 2);
	args[0] = &pv;
	args[1] = &n;
	ck_assert_int_eq(call("tm_set", 2, args, &m), 1);
	ck_assert(captured.flags & VAL_INT);
	ck_assert_int_eq(captured.n, -3);
	args[0] = args[1] = NULL;
	before = tm_int("count");
	ck_assert_int_eq(call("tm_count", 0, args, &m), 1);
	ck_assert_int_eq(call("tm_count", 0, args, &m), 1);
	ck_assert_int_eq(tm_int("count"), before + 2);
	fmt_free(s1.fmt);
	fmt_free(s2.fmt);
	msg_destroy(&m);
	ck_assert_uint_eq(d.errors, 0);
}
END_TEST

START_TEST(test_core_log)
{
	struct arg lvl = { .kind = ARG_K_INT, .n = L_ERR };
	struct arg text = { .kind = ARG_K_FMT }, bad = { .kind = ARG_K_FMT };
	void *args[MOD_MAX_ARGS + 1] = { NULL };
	const struct cmd_entry *e1, *e2;
	struct msg m;

	OK(cmd_core_register(&d));
	ck_assert_ptr_nonnull(e1 = cmd_lookup("log", 1, NULL, NULL));
	ck_assert_ptr_nonnull(e2 = cmd_lookup("log", 2, NULL, NULL));
	ck_assert_ptr_ne(e1, e2);
	ck_assert_str_eq(e1->module, "core");
	ck_assert_uint_eq(e2->exp->args[0].flags, ARG_INT);
	ck_assert_ptr_null(cmd_lookup("log", 3, NULL, NULL));
	msg_init(&m, "", 0, NULL);
	OK(fmt_compile("from the test", 13, &text.fmt, &d, at(1)));
	OK(fmt_compile("loud", 4, &bad.fmt, &d, at(1)));
	args[0] = &text;
	ck_assert_int_eq(e1->exp->fn(&m, args), 1);
	args[0] = &lvl;
	args[1] = &text;
	ck_assert_int_eq(e2->exp->fn(&m, args), 1);
	args[0] = &bad;         /* a level that is not a number */
	ck_assert_int_eq(e2->exp->fn(&m, args), -1);
	fmt_free(text.fmt);
	fmt_free(bad.fmt);
	msg_destroy(&m);

	/* a module may not take over a core function */
	FAIL(cmd_register_table((const struct cmd_export[]){ { .name = "log",
	    .fn = fn_one, .routes = RT_ANY }, { .name = NULL } }, "m", &d,
	    at(2)));
	DIAG(0, "function 'log' is exported by both 'core' and 'm'");
}
END_TEST

/* --- init order ------------------------------------------------------ */

START_TEST(test_init_order)
{
	struct proc_self self = { PROC_ROLE_TCP_WORKER, 0, "tcp worker 0" };

	gen_lifecycle("ord_a", "\"ord_b\", \"testmod\",", 0);
	gen_lifecycle("ord_b", "\"ord_c\",", 0);
	load_testmod(1);
	mod_path_add(gen_lifecycle("ord_c", "", 0));
	OK(LOAD("ord_a", 2));
	OK(LOAD("ord_b", 3));
	OK(LOAD("ord_c", 4));
	ck_assert_uint_eq(d.n, 0);

	OK(mod_init_all());
	ck_assert_str_eq(events, "init:ord_c init:ord_b init:ord_a ");
	ck_assert_int_eq(tm_int("init"), 1);
	for (int i = 0; i < mod_count(); i++)
		ck_assert_int_eq(mod_at(i)->initialized, 1);
	/* a second call does not run init again */
	OK(mod_init_all());
	ck_assert_str_eq(events, "init:ord_c init:ord_b init:ord_a ");
	events[0] = '\0';
	OK(mod_child_init_all(&self));
	ck_assert_str_eq(events, "child:ord_c child:ord_b child:ord_a ");
	ck_assert_int_eq(tm_int("child"), 1);
	events[0] = '\0';
	mod_destroy_all();
	ck_assert_str_eq(events, "destroy:ord_a destroy:ord_b destroy:ord_c ");
	ck_assert_int_eq(tm_int("init"), 0);
	for (int i = 0; i < mod_count(); i++)
		ck_assert_int_eq(mod_at(i)->initialized, 0);
}
END_TEST

START_TEST(test_init_errors)
{
	const char *dir;

	gen_lifecycle("needy", "\"ghostmod\",", 0);
	gen_lifecycle("cyc_x", "\"cyc_y\",", 0);
	gen_lifecycle("cyc_y", "\"cyc_x\",", 0);
	gen_lifecycle("okmod", "", 0);
	gen_lifecycle("failmod", "", -1);
	dir = gen_module("later.so", "static int i_(void) { "
	    "check_module_record(\"init:later\"); return 0; }\n"
	    GEN_DESC("later", ", .init = i_"));

	/* a missing dependency: nothing is initialised */
	mod_path_add(dir);
	OK(LOAD("needy", 1));
	FAIL(mod_init_all());
	ck_assert_str_eq(events, "");
	ck_assert_int_eq(mod_at(0)->initialized, 0);
	mod_unload_all();

	/* a cycle (unloading forgets the search path) */
	mod_path_add(dir);
	OK(LOAD("cyc_x", 2));
	OK(LOAD("cyc_y", 3));
	FAIL(mod_init_all());
	ck_assert_str_eq(events, "");
	ck_assert_uint_eq(d.n, 0);
	mod_unload_all();

	/* an init fails: the modules after it are not initialised */
	mod_path_add(dir);
	OK(LOAD("okmod", 1));
	OK(LOAD("failmod", 2));
	OK(LOAD("later", 3));
	FAIL(mod_init_all());
	ck_assert_str_eq(events, "init:okmod init:failmod ");
	ck_assert_int_eq(mod_find("okmod")->initialized, 1);
	ck_assert_int_eq(mod_find("failmod")->initialized, 0);
	/* only what was initialised is destroyed */
	events[0] = '\0';
	mod_destroy_all();
	ck_assert_str_eq(events, "destroy:okmod ");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("module");
	TCase *tc = tcase_create("module");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);      /* some cases run the compiler */
	tcase_add_test(tc, test_load_from_moddir);
	tcase_add_test(tc, test_layouts);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_ser_path_fallback);
	tcase_add_test(tc, test_written_path);
	tcase_add_test(tc, test_bad_modules);
	tcase_add_test(tc, test_export_clash);
	tcase_add_test(tc, test_modparam_types);
	tcase_add_test(tc, test_modparam_setter);
	tcase_add_test(tc, test_cmd_registry);
	tcase_add_test(tc, test_cmd_testmod);
	tcase_add_test(tc, test_core_log);
	tcase_add_test(tc, test_init_order);
	tcase_add_test(tc, test_init_errors);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
