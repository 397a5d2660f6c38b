/* check_rpc.c - the RPC registry, rpc_execute and the core methods. */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg/diag.h"
#include "cfg/src.h"
#include "core/conn.h"
#include "core/log.h"
#include "core/module_api.h"
#include "core/proc.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "tcheck.h"

static struct cfg_src src;
static struct cfg_diag d;
static struct cfg_pos pos;

static void
setup(void)
{
	src_init(&src);
	pos = (struct cfg_pos){ src_add_file(&src, "test.cfg"), 3, 1 };
	diag_init(&d, &src);
	rpc_registry_reset();
}

static void
teardown(void)
{
	/* for CK_FORK=no runs: the next case starts without shm */
	if (shm_ready())
		shm_destroy();
	rpc_registry_reset();
	diag_free(&d);
	src_free(&src);
}

/* The last diagnostic, formatted. */
static const char *
last_diag(void)
{
	static char buf[512];

	ck_assert_uint_gt(d.n, 0);
	diag_format(&d, d.n - 1, buf, sizeof(buf));
	return buf;
}

/* --- a writer that prints what it is told -------------------------------- */

struct out {
	char  text[8192];
	int   begins, ends, end_rc;
};

static void
outf(struct out *o, const char *fmt, ...)
{
	size_t n = strlen(o->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->text + n, sizeof(o->text) - n, fmt, ap);
	va_end(ap);
}

static void
t_begin(void *out)
{
	((struct out *)out)->begins++;
}

static void
t_name(struct out *o, const char *name)
{
	if (name)
		outf(o, "%s=", name);
}

static void
t_value(void *out, const char *name, const struct rpc_value *v)
{
	struct out *o = out;

	t_name(o, name);
	switch (v->type) {
	case RPC_INT:
		outf(o, "%lld ", v->i);
		break;
	case RPC_STR:
		outf(o, "'%.*s' ", STR_FMT(&v->s));
		break;
	case RPC_DOUBLE:
		outf(o, "%g ", v->d);
		break;
	}
}

static void
t_open(void *out, const char *name, int is_array)
{
	t_name(out, name);
	outf(out, "%s ", is_array ? "[" : "{");
}

static void
t_close(void *out, int is_array)
{
	outf(out, "%s ", is_array ? "]" : "}");
}

static void
t_fault(void *out, int code, const str_t *msg)
{
	outf(out, "FAULT %d %.*s", code, STR_FMT(msg));
}

static int
t_end(void *out)
{
	struct out *o = out;

	o->ends++;
	return o->end_rc;
}

static const struct rpc_writer tw = {
	t_begin, t_value, t_open, t_close, t_fault, t_end,
};

/* Runs method with the given args (NULL-terminated); returns the text. */
static const char *
call(struct out *o, const char *method, ...)
{
	str_t argv[16];
	const char *a;
	int argc = 0, rc;
	va_list ap;

	memset(o, 0, sizeof(*o));
	va_start(ap, method);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = str_cstr(a);
	va_end(ap);
	o->end_rc = 42;
	rc = rpc_execute(method, argc, argv, &tw, o);
	ck_assert_int_eq(rc, 42);
	ck_assert_int_eq(o->begins, 1);
	ck_assert_int_eq(o->ends, 1);
	return o->text;
}

/* --- handlers for the tests ---------------------------------------------------- */

static void
h_values(struct rpc_call *c)
{
	struct val v;
	char tmp[8];

	rpc_add_int(c, "ignored", 7);           /* top level: no name */
	rpc_add_cstr(c, NULL, "top");
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "n", -3);
	rpc_add_cstr(c, NULL, "anon");          /* "" inside a struct */
	rpc_add_double(c, "d", 2.5);
	strcpy(tmp, "stack");                   /* copied at once */
	rpc_add_cstr(c, "s", tmp);
	strcpy(tmp, "XXXXX");
	rpc_array_begin(c, "a");
	rpc_add_int(c, "dropped", 1);           /* arrays: no names */
	val_set_null(&v);
	rpc_add_val(c, NULL, &v);
	val_set_int(&v, 9);
	rpc_add_val(c, NULL, &v);
	val_set_str(&v, STR_LIT("str"));
	rpc_add_val(c, NULL, &v);
	rpc_array_end(c);
	rpc_add_str(c, "z", NULL);
	rpc_struct_end(c);
}

static void
h_fault_late(struct rpc_call *c)
{
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "partial", 1);
	rpc_fault(c, 404, "no such %s", "thing");
	rpc_fault(c, 500, "second fault");      /* the first one stays */
	rpc_add_int(c, "after", 2);
	ck_assert(rpc_failed(c));
}

static void
h_unbalanced(struct rpc_call *c)
{
	rpc_struct_end(c);                      /* nothing open: ignored */
	rpc_struct_begin(c, NULL);
	rpc_array_begin(c, "x");
	rpc_struct_end(c);                      /* closes the array */
	rpc_array_begin(c, "y");
	rpc_add_int(c, NULL, 1);
}

static void
h_deep(struct rpc_call *c)
{
	for (int i = 0; i < 40; i++)
		rpc_array_begin(c, NULL);
}

static void
h_args(struct rpc_call *c)
{
	long long n;
	str_t s;

	rpc_add_int(c, NULL, rpc_arg_count(c));
	if (rpc_arg_str(c, 0, &s) == -1)
		return;
	rpc_add_str(c, NULL, &s);
	if (rpc_arg_int(c, 1, &n) == -1)
		return;
	rpc_add_int(c, NULL, n);
	if (rpc_arg_str_opt(c, 2, &s))
		rpc_add_str(c, NULL, &s);
	else
		rpc_add_cstr(c, NULL, "absent");
}

static const struct rpc_export test_rpcs[] = {
	{ "t.values", h_values, NULL, "values of every kind" },
	{ "t.fault", h_fault_late, NULL, "faults after a partial reply" },
	{ "t.unbalanced", h_unbalanced, NULL, "forgets to close" },
	{ "t.deep", h_deep, NULL, "nests too deep" },
	{ "t.args", h_args, "s i [s]", "reads its arguments" },
	{ NULL, NULL, NULL, NULL },
};

/* --- registry ------------------------------------------------------------------ */

START_TEST(t_register_lookup)
{
	const char *mod = NULL;

	ck_assert_int_eq(rpc_register_table(test_rpcs, "testmod", &d, pos), 0);
	ck_assert_int_eq(rpc_count(), 5);
	ck_assert_ptr_eq(rpc_lookup("t.args", &mod), &test_rpcs[4]);
	ck_assert_str_eq(mod, "testmod");
	ck_assert_ptr_null(rpc_lookup("t.nope", NULL));
	ck_assert_ptr_null(rpc_lookup(NULL, NULL));
	/* kept sorted by name */
	for (int i = 1; i < rpc_count(); i++)
		ck_assert_int_lt(strcmp(rpc_at(i - 1, NULL)->name,
		    rpc_at(i, NULL)->name), 0);
	ck_assert_ptr_null(rpc_at(5, NULL));
	ck_assert_ptr_null(rpc_at(-1, NULL));
	ck_assert_int_eq(rpc_register_table(NULL, "none", &d, pos), 0);
	rpc_registry_reset();
	ck_assert_int_eq(rpc_count(), 0);
}
END_TEST

START_TEST(t_register_dup)
{
	static const struct rpc_export other[] = {
		{ "t.args", h_args, NULL, "again" },
		{ "t.new", h_args, NULL, "new" },
		{ NULL, NULL, NULL, NULL },
	};

	ck_assert_int_eq(rpc_register_table(test_rpcs, "one", &d, pos), 0);
	ck_assert_int_eq(rpc_register_table(other, "two", &d, pos), -1);
	ck_assert_str_eq(last_diag(), "test.cfg:3:1: error: RPC method "
	    "'t.args' is exported by both 'one' and 'two'");
	/* the rest of the table is still registered */
	ck_assert_ptr_nonnull(rpc_lookup("t.new", NULL));
}
END_TEST

START_TEST(t_register_bad)
{
	static const struct rpc_export bad_name[] = {
		{ "has space", h_args, NULL, "x" }, { NULL, NULL, NULL, NULL } };
	static const struct rpc_export no_fn[] = {
		{ "t.nofn", NULL, NULL, "x" }, { NULL, NULL, NULL, NULL } };
	static const struct rpc_export no_help[] = {
		{ "t.nohelp", h_args, NULL, "" }, { NULL, NULL, NULL, NULL } };
	static const struct rpc_export empty[] = {
		{ "", h_args, NULL, "x" }, { NULL, NULL, NULL, NULL } };

	ck_assert_int_eq(rpc_register_table(bad_name, "m", &d, pos), -1);
	ck_assert_ptr_nonnull(strstr(last_diag(), "RPC method 'has space' "
	    "of module 'm': a name is 1-64 letters"));
	ck_assert_int_eq(rpc_register_table(no_fn, "m", &d, pos), -1);
	ck_assert_ptr_nonnull(strstr(last_diag(), "'t.nofn' of module 'm' "
	    "has no handler"));
	ck_assert_int_eq(rpc_register_table(no_help, "m", &d, pos), -1);
	ck_assert_ptr_nonnull(strstr(last_diag(), "'t.nohelp' of module 'm' "
	    "has no help text"));
	ck_assert_int_eq(rpc_register_table(empty, "m", &d, pos), -1);
	ck_assert_int_eq(rpc_count(), 0);
}
END_TEST

/* --- execute ------------------------------------------------------------------ */

START_TEST(t_exec_values)
{
	struct out o;

	rpc_register_table(test_rpcs, "testmod", &d, pos);
	ck_assert_str_eq(call(&o, "t.values", NULL),
	    "7 'top' { n=-3 ='anon' d=2.5 s='stack' a=[ 1 '<null>' 9 'str' ] "
	    "z='' } ");
}
END_TEST

START_TEST(t_exec_fault_replaces)
{
	struct out o;

	rpc_register_table(test_rpcs, "testmod", &d, pos);
	ck_assert_str_eq(call(&o, "t.fault", NULL), "FAULT 404 no such thing");
}
END_TEST

START_TEST(t_exec_unknown)
{
	struct out o;

	ck_assert_str_eq(call(&o, "no.such", NULL),
	    "FAULT 500 command no.such not found");
	ck_assert_str_eq(call(&o, "", NULL), "FAULT 500 command  not found");
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(rpc_execute(NULL, 0, NULL, &tw, &o), 0);
	ck_assert_str_eq(o.text, "FAULT 500 command  not found");
}
END_TEST

START_TEST(t_exec_unbalanced)
{
	struct out o;

	rpc_register_table(test_rpcs, "testmod", &d, pos);
	/* what is really open gets closed, in order, and nothing else */
	ck_assert_str_eq(call(&o, "t.unbalanced", NULL),
	    "{ x=[ ] y=[ 1 ] } ");
	ck_assert_str_eq(call(&o, "t.deep", NULL),
	    "FAULT 500 reply of t.deep nested too deep");
}
END_TEST

START_TEST(t_exec_args)
{
	struct out o;

	rpc_register_table(test_rpcs, "testmod", &d, pos);
	ck_assert_str_eq(call(&o, "t.args", "a", " 12 ", "c", NULL),
	    "3 'a' 12 'c' ");
	ck_assert_str_eq(call(&o, "t.args", "a", "-5", NULL),
	    "2 'a' -5 'absent' ");
	ck_assert_str_eq(call(&o, "t.args", "a", "x1", NULL),
	    "FAULT 400 argument 2 is not a number");
	ck_assert_str_eq(call(&o, "t.args", "a", NULL),
	    "FAULT 400 missing argument 2");
	ck_assert_str_eq(call(&o, "t.args", NULL),
	    "FAULT 400 missing argument 1");
	ck_assert_str_eq(call(&o, "t.args", "a", "99999999999999999999", NULL),
	    "FAULT 400 argument 2 is not a number");
}
END_TEST

/* --- core methods ------------------------------------------------------------------ */

static void
core_setup(void)
{
	setup();
	ck_assert_int_eq(rpc_core_register(&d), 0);
}

START_TEST(t_core_version_echo)
{
	struct out o;

	ck_assert_ptr_nonnull(strstr(call(&o, "core.version", NULL),
	    "'tandem " PACKAGE_VERSION " ("));
	ck_assert_str_eq(call(&o, "core.echo", "a", "1", "", NULL),
	    "'a' '1' '' ");
	ck_assert_str_eq(call(&o, "core.echo", NULL), "");
	ck_assert_ptr_nonnull(strstr(call(&o, "core.info", NULL),
	    "{ version='tandem " PACKAGE_VERSION "' compiler="));
	ck_assert_ptr_nonnull(strstr(call(&o, "core.uptime", NULL),
	    " uptime=0 } "));
	/* registering the core twice is a clash, like any other */
	ck_assert_int_eq(rpc_core_register(&d), -1);
}
END_TEST

START_TEST(t_core_system)
{
	struct out o;
	const char *t;

	t = call(&o, "system.listMethods", NULL);
	ck_assert_str_eq(t, "'core.debug' 'core.echo' 'core.info' "
	    "'core.modules' 'core.ps' 'core.psx' 'core.shmmem' "
	    "'core.tcp_info' 'core.tcp_list' 'core.uptime' 'core.version' "
	    "'system.listMethods' 'system.methodHelp' "
	    "'system.methodSignature' ");
	ck_assert_str_eq(call(&o, "system.methodHelp", "core.ps", NULL),
	    "'Returns the description of running processes.' ");
	ck_assert_str_eq(call(&o, "system.methodHelp", "nope", NULL),
	    "FAULT 400 command not found");
	ck_assert_str_eq(call(&o, "system.methodHelp", NULL),
	    "FAULT 400 missing argument 1");
	ck_assert_str_eq(call(&o, "system.methodSignature", "core.debug",
	    NULL), "'[level: int]' ");
	ck_assert_str_eq(call(&o, "system.methodSignature", "core.ps",
	    NULL), "'none' ");
	ck_assert_str_eq(call(&o, "core.modules", NULL), "");
}
END_TEST

START_TEST(t_core_debug)
{
	struct out o;

	log_set_level(L_INFO);
	ck_assert_str_eq(call(&o, "core.debug", NULL), "2 ");
	ck_assert_str_eq(call(&o, "core.debug", "-1", NULL), "-1 ");
	ck_assert_int_eq(log_get_level(), L_ERR);
	ck_assert_str_eq(call(&o, "core.debug", NULL), "-1 ");
	ck_assert_str_eq(call(&o, "core.debug", "10", NULL),
	    "FAULT 400 debug level 10 out of range (-5..9)");
	ck_assert_str_eq(call(&o, "core.debug", "high", NULL),
	    "FAULT 400 argument 1 is not a number");
	ck_assert_int_eq(log_get_level(), L_ERR);
	log_set_level(L_INFO);
}
END_TEST

START_TEST(t_core_ps)
{
	struct out o;
	char want[256];
	int s1, s2;

	ck_assert_int_eq(shm_init(4 << 20), 0);
	ck_assert_int_eq(proc_table_init(), 0);
	s1 = proc_slot_add(PROC_ROLE_TCP_WORKER, 0, "tcp worker 1");
	s2 = proc_slot_add(PROC_ROLE_TIMER, 0, "timer");
	ck_assert_int_ge(proc_slot_add(PROC_ROLE_MODULE, 0, "dead"), 0);
	proc_at(s1)->pid = 1111;
	proc_at(s2)->pid = 2222;
	snprintf(want, sizeof(want), "%d 'main process - supervisor' 1111 "
	    "'tcp worker 1' 2222 'timer' ", (int)getpid());
	ck_assert_str_eq(call(&o, "core.ps", NULL), want);
	snprintf(want, sizeof(want), "{ IDX=0 PID=%d DSC='main process - "
	    "supervisor' } { IDX=1 PID=1111 DSC='tcp worker 1' } "
	    "{ IDX=2 PID=2222 DSC='timer' } ", (int)getpid());
	ck_assert_str_eq(call(&o, "core.psx", NULL), want);
	ck_assert_ptr_nonnull(strstr(call(&o, "core.tcp_info", NULL),
	    "{ readers=1 "));
}
END_TEST

START_TEST(t_core_shmmem)
{
	struct out o;
	const char *t;
	long long total = 0, total_k = 0;

	ck_assert_str_eq(call(&o, "core.shmmem", NULL),
	    "FAULT 500 shared memory is not set up");
	ck_assert_int_eq(shm_init(8 << 20), 0);
	t = call(&o, "core.shmmem", NULL);
	ck_assert_int_eq(sscanf(t, "{ total=%lld ", &total), 1);
	ck_assert_ptr_nonnull(strstr(t, " free="));
	ck_assert_ptr_nonnull(strstr(t, " used="));
	ck_assert_ptr_nonnull(strstr(t, " real_used="));
	ck_assert_ptr_nonnull(strstr(t, " max_used="));
	ck_assert_ptr_nonnull(strstr(t, " fragments="));
	ck_assert_int_gt(total, 7 << 20);
	t = call(&o, "core.shmmem", "K", NULL);
	ck_assert_int_eq(sscanf(t, "{ total=%lld ", &total_k), 1);
	ck_assert_int_eq(total_k, total >> 10);
	ck_assert_str_eq(call(&o, "core.shmmem", "x", NULL),
	    "FAULT 400 unknown unit 'x' (b, k, m or g)");
}
END_TEST

START_TEST(t_core_tcp_list)
{
	struct sockaddr_storage l, r;
	struct sockaddr_in *sl = (struct sockaddr_in *)&l;
	struct sockaddr_in *sr = (struct sockaddr_in *)&r;
	struct out o;
	const char *t;
	uint64_t id;

	ck_assert_int_eq(shm_init(8 << 20), 0);
	ck_assert_int_eq(proc_table_init(), 0);
	ck_assert_int_eq(conn_table_init(8), 0);
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	sl->sin_family = sr->sin_family = AF_INET;
	sl->sin_addr.s_addr = sr->sin_addr.s_addr = htonl(0x7f000001);
	sl->sin_port = htons(5060);
	sr->sin_port = htons(40000);
	ck_assert_str_eq(call(&o, "core.tcp_list", NULL), "");
	id = conn_add(PROTO_TCP, 0, &l, &r, -1, 0);
	ck_assert_uint_ne(id, 0);
	conn_set_state(id, CONN_OPEN);
	conn_account(id, 100, 20, 2, 1);
	t = call(&o, "core.tcp_list", NULL);
	ck_assert_ptr_nonnull(strstr(t, "type='TCP' state='CONN_OK' "));
	ck_assert_ptr_nonnull(strstr(t, "src_ip='127.0.0.1' src_port=40000 "
	    "dst_ip='127.0.0.1' dst_port=5060 direction='inbound' "
	    "owner_pid=0 owner='none' "));
	ck_assert_ptr_nonnull(strstr(t, "bytes_in=100 bytes_out=20 "
	    "msgs_in=2 msgs_out=1 } "));
	ck_assert_ptr_nonnull(strstr(call(&o, "core.tcp_info", NULL),
	    "max_connections=8 max_tls_connections=8 opened_connections=1 "
	    "opened_tls_connections=0 } "));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rpc");
	TCase *reg = tcase_create("registry");
	TCase *ex = tcase_create("execute");
	TCase *core = tcase_create("core");

	tcase_add_checked_fixture(reg, setup, teardown);
	tcase_add_test(reg, t_register_lookup);
	tcase_add_test(reg, t_register_dup);
	tcase_add_test(reg, t_register_bad);
	tcase_add_checked_fixture(ex, setup, teardown);
	tcase_add_test(ex, t_exec_values);
	tcase_add_test(ex, t_exec_fault_replaces);
	tcase_add_test(ex, t_exec_unknown);
	tcase_add_test(ex, t_exec_unbalanced);
	tcase_add_test(ex, t_exec_args);
	tcase_add_checked_fixture(core, core_setup, teardown);
	tcase_add_test(core, t_core_version_echo);
	tcase_add_test(core, t_core_system);
	tcase_add_test(core, t_core_debug);
	tcase_add_test(core, t_core_ps);
	tcase_add_test(core, t_core_shmmem);
	tcase_add_test(core, t_core_tcp_list);
	suite_add_tcase(s, reg);
	suite_add_tcase(s, ex);
	suite_add_tcase(s, core);
	return tcheck_run(s);
}
