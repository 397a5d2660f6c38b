/*
 * testmod - a module for the tests only (never installed).  It gives the
 * loader, resolver and route engine tests functions with known return
 * codes and route masks, parameters of each kind, a PV class and a
 * transformation, so they do not depend on any real module.
 *
 *   modparam: int_p (int), str_p (string, default "default"),
 *             multi (string, setter; counts calls, rejects "bad")
 *   tm_true() 1   tm_false() -1   tm_zero() 0   tm_ret(n) n
 *   tm_req_only()     1, request routes only
 *   tm_two(s1[, s2])  logs both (INFO); returns the number of arguments
 *   tm_set(pv, value) pv = value (the value keeps its type)
 *   tm_count()        increments $tm(count)
 *   $tm(count|int_p|str_p|multi|init|child)   read-only
 *   {tm.rev}          reverses a string
 *   api version 1: struct { int (*count)(void); }
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#include "core/module_api.h"

static char str_p_default[] = "default";

static int int_p;
static char *str_p = str_p_default;
static int multi_calls;
static int counter;
static int inited;
static int child_inits;

/* --- parameters ------------------------------------------------------- */

static int
tm_multi_set(const struct val *v, struct cfg_diag *d)
{
	if (str_eq_cstr(&v->s, "bad")) {
		diag_error(d, "testmod: parameter 'multi' does not take 'bad'");
		return -1;
	}
	multi_calls++;
	return 0;
}

static const struct param_export tm_params[] = {
	{ .name = "int_p", .type = PARAM_INT, .var = &int_p },
	{ .name = "str_p", .type = PARAM_STR, .var = &str_p },
	{ .name = "multi", .type = PARAM_STR, .set = tm_multi_set },
	{ .name = NULL },
};

/* --- functions ---------------------------------------------------------- */

static int
tm_true(struct msg *m, void *const *args)
{
	return 1;
}

static int
tm_false(struct msg *m, void *const *args)
{
	return -1;
}

static int
tm_zero(struct msg *m, void *const *args)
{
	return 0;
}

static int
tm_ret(struct msg *m, void *const *args)
{
	long long n;

	if (arg_int(m, args[0], &n) == -1) {
		log_errx("tm_ret(): argument is not a number");
		return -1;
	}
	if (n > INT_MAX || n < INT_MIN)
		return n > 0 ? INT_MAX : INT_MIN;
	return (int)n;
}

static int
tm_two(struct msg *m, void *const *args)
{
	str_t a, b = STR_LIT("<none>");

	if (arg_str(m, args[0], &a) == -1 ||
	    (args[1] != NULL && arg_str(m, args[1], &b) == -1)) {
		log_errx("tm_two(): could not render an argument");
		return -1;
	}
	log_info("tm_two: '%.*s' '%.*s'", STR_FMT(&a), STR_FMT(&b));
	return args[1] != NULL ? 2 : 1;
}

static int
tm_set(struct msg *m, void *const *args)
{
	struct val v;

	if (arg_val(m, args[1], &v) == -1 ||
	    pv_set(m, arg_pv(args[0]), &v) == -1) {
		log_errx("tm_set(): assignment failed");
		return -1;
	}
	return 1;
}

static int
tm_count(struct msg *m, void *const *args)
{
	counter++;
	return 1;
}

/* --- core tests: message ids, replies, cross-worker sends ---------------- */

/* Logs which message ran a route, so a test can count each exactly once. */
static int
tm_log_id(struct msg *m, void *const *args)
{
	str_t id = STR_LIT("?");
	const char *kind = "SIP";

	if (m->kind == MSG_MSRP) {
		const char *p = m->buf.s + 5, *end = m->buf.s + m->buf.len;
		const char *sp = p;

		kind = "MSRP";
		while (sp < end && *sp != ' ' && *sp != '\r')
			sp++;
		id = str_make(p, (size_t)(sp - p));
	} else if (sip_call_id(m, &id) < 0) {
		id = STR_LIT("?");
	}
	log_notice("TM-ID %s %.*s pid=%d conn=%llu", kind, STR_FMT(&id),
	    (int)getpid(), (unsigned long long)m->rcv.conn_id);
	return 1;
}

static int
tm_reply(struct msg *m, void *const *args)
{
	str_t s;

	if (arg_str(m, args[0], &s) < 0)
		return -1;
	return msg_send_back(m, NULL, s.s, s.len, 0) == 0 ? 1 : -1;
}

/* Sends text on any connection, whoever owns it. */
static int
tm_send(struct msg *m, void *const *args)
{
	long long id;
	str_t s;

	if (arg_int(m, args[0], &id) < 0 || arg_str(m, args[1], &s) < 0)
		return -1;
	return conn_send((uint64_t)id, s.s, s.len, 0) == 0 ? 1 : -1;
}

static const struct cmd_export tm_cmds[] = {
	{ .name = "tm_log_id", .fn = tm_log_id, .routes = RT_ANY },
	{ .name = "tm_reply", .fn = tm_reply, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "tm_send", .fn = tm_send, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT }, { .flags = ARG_STR } } },
	{ .name = "tm_true", .fn = tm_true, .routes = RT_ANY },
	{ .name = "tm_false", .fn = tm_false, .routes = RT_ANY },
	{ .name = "tm_zero", .fn = tm_zero, .routes = RT_ANY },
	{ .name = "tm_ret", .fn = tm_ret, .routes = RT_ANY,
	  .args = { { .flags = ARG_INT } } },
	{ .name = "tm_req_only", .fn = tm_true, .routes = RT_REQUEST },
	{ .name = "tm_two", .fn = tm_two, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "tm_set", .fn = tm_set, .routes = RT_ANY,
	  .args = { { .flags = ARG_PV }, { .flags = ARG_STR } } },
	{ .name = "tm_count", .fn = tm_count, .routes = RT_ANY },
	{ .name = NULL },
};

/* --- $tm(key) ------------------------------------------------------------ */

enum tm_key { TK_COUNT = 1, TK_INT_P, TK_STR_P, TK_MULTI, TK_INIT, TK_CHILD,
	TK_SHM };

static const struct {
	const char  *name;
	enum tm_key  key;
} tm_keys[] = {
	{ "count", TK_COUNT }, { "int_p", TK_INT_P }, { "str_p", TK_STR_P },
	{ "multi", TK_MULTI }, { "init", TK_INIT },   { "child", TK_CHILD },
	{ "shm_used", TK_SHM },
};

static int
tm_pv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	for (size_t i = 0; inner && i < sizeof(tm_keys) / sizeof(tm_keys[0]);
	    i++) {
		if (str_eq_cstr(inner, tm_keys[i].name)) {
			*compiled = (void *)(uintptr_t)tm_keys[i].key;
			return 0;
		}
	}
	diag_error(d, "$tm: unknown key '%.*s'", inner ? (int)inner->len : 0,
	    inner ? inner->s : "");
	return -1;
}

static int
tm_pv_get(struct msg *m, void *compiled, struct val *out)
{
	switch ((enum tm_key)(uintptr_t)compiled) {
	case TK_COUNT:
		val_set_int(out, counter);
		return 0;
	case TK_INT_P:
		val_set_int(out, int_p);
		return 0;
	case TK_STR_P:
		if (str_p == NULL)
			val_set_null(out);
		else
			val_set_str(out, str_cstr(str_p));
		return 0;
	case TK_MULTI:
		val_set_int(out, multi_calls);
		return 0;
	case TK_SHM: {
		struct shm_stats st;

		if (!shm_ready()) {
			val_set_null(out);
			return 0;
		}
		shm_get_stats(&st);
		val_set_int(out, (long long)st.real_used);
		return 0;
	}
	case TK_INIT:
		val_set_int(out, inited);
		return 0;
	case TK_CHILD:
		val_set_int(out, child_inits);
		return 0;
	}
	return -1;
}

static const struct pv_export tm_pvs[] = {
	{ .name = "tm", .flags = PV_READ | PV_INNER, .parse = tm_pv_parse,
	  .get = tm_pv_get },
	{ .name = NULL },
};

/* --- {tm.rev} ------------------------------------------------------------ */

static int
tm_tr_parse(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	if (!str_eq_cstr(key, "rev")) {
		diag_error(d, "unknown transformation {tm.%.*s}", STR_FMT(key));
		return -1;
	}
	if (args != NULL && args->len > 0) {
		diag_error(d, "{tm.rev} takes no arguments");
		return -1;
	}
	*compiled = NULL;
	return 0;
}

static int
tm_tr_apply(struct msg *m, void *compiled, struct val *v)
{
	str_t s;
	char *r;

	if (val_to_str(&m->arena, v, &s) == -1)
		return -1;
	r = arena_alloc(&m->arena, s.len + 1);
	if (r == NULL)
		return -1;
	for (size_t i = 0; i < s.len; i++)
		r[i] = s.s[s.len - 1 - i];
	r[s.len] = '\0';
	val_set_str(v, str_make(r, s.len));
	return 0;
}

static const struct tr_export tm_trs[] = {
	{ .cls = "tm", .parse = tm_tr_parse, .apply = tm_tr_apply },
	{ .cls = NULL },
};

/* --- api, lifecycle ------------------------------------------------------ */

static int
tm_api_count(void)
{
	return counter;
}

static const struct {
	int (*count)(void);
} tm_api = { tm_api_count };

static int
tm_init(void)
{
	inited = 1;
	return 0;
}

static int
tm_child_init(const struct proc_self *self)
{
	child_inits++;
	return 0;
}

static void
tm_destroy(void)
{
	inited = 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "testmod",
	.version = "1.0",
	.cmds = tm_cmds,
	.params = tm_params,
	.pvs = tm_pvs,
	.trs = tm_trs,
	.api = &tm_api,
	.api_version = 1,
	.init = tm_init,
	.child_init = tm_child_init,
	.destroy = tm_destroy,
};
