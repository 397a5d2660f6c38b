/*
 * ht_cmd.c - the htable script functions.  Every argument may hold
 * pseudo-variables, so tables and regexps are looked up per call; what
 * is static is checked once by the fixups (a bad regexp or operator is
 * a config error, an undefined table a warning, as for $sht).
 */
#include "config.h"

#include <stdio.h>

#include "core/module_api.h"
#include "ht_cmd.h"
#include "ht_reg.h"

/* The static text of a string argument, if it has no PV. */
static int
ht_arg_static(const void *p, str_t *out)
{
	const struct arg *a = p;

	if (a->kind == ARG_K_FMT && fmt_is_static(a->fmt)) {
		*out = fmt_static_text(a->fmt);
		return 1;
	}
	if (a->kind == ARG_K_INT) {
		*out = a->text;
		return 1;
	}
	return 0;
}

static void
ht_warn_table(struct cfg_diag *d, const str_t *name)
{
	if (ht_reg_find(name) == -1)
		diag_warn(d, "no htable '%.*s' is defined (modparam("
		    "\"htable\", \"htable\", \"%.*s=>...\")): the call "
		    "will fail",
		    STR_FMT(name), STR_FMT(name));
}

/* --- fixups: checks of what is static ---------------------------------- */

static int
ht_fix_table(void **arg, struct cfg_diag *d)
{
	str_t s;

	if (ht_arg_static(*arg, &s))
		ht_warn_table(d, &s);
	return 0;
}

/* "table=>key" (sht_lock, sht_unlock) */
static int
ht_fix_ref(void **arg, struct cfg_diag *d)
{
	str_t s, table, rest;

	if (!ht_arg_static(*arg, &s))
		return 0;
	if (ht_split_ref(&s, &table, &rest) == -1) {
		diag_error(d, "'%.*s': expected \"table=>key\"", STR_FMT(&s));
		return -1;
	}
	ht_warn_table(d, &table);
	return 0;
}

/* "table=>regexp" (sht_rm_name_re, sht_rm_value_re) */
static int
ht_fix_ref_re(void **arg, struct cfg_diag *d)
{
	str_t s, table, rest;
	regex_t re;
	char err[256];

	if (!ht_arg_static(*arg, &s))
		return 0;
	if (ht_split_ref(&s, &table, &rest) == -1) {
		diag_error(d, "'%.*s': expected \"table=>regexp\"",
		    STR_FMT(&s));
		return -1;
	}
	ht_warn_table(d, &table);
	if (ht_re_compile(&re, &rest, err, sizeof(err)) == -1) {
		diag_error(d, "bad regular expression '%.*s': %s",
		    STR_FMT(&rest), err);
		return -1;
	}
	regfree(&re);
	return 0;
}

/* The match operators of sht_rm_name / sht_rm_value: 0 or -1. */
static int
ht_op_parse(const str_t *s, enum ht_op *op)
{
	if (str_eq_cstr(s, "re"))
		*op = HT_OP_RE;
	else if (str_eq_cstr(s, "sw"))
		*op = HT_OP_PREFIX;
	else if (str_eq_cstr(s, "ew"))
		*op = HT_OP_SUFFIX;
	else if (str_eq_cstr(s, "in"))
		*op = HT_OP_CONTAINS;
	else
		return -1;
	return 0;
}

static int
ht_fix_op(void **arg, struct cfg_diag *d)
{
	enum ht_op op;
	str_t s;

	if (ht_arg_static(*arg, &s) && ht_op_parse(&s, &op) == -1) {
		diag_error(d, "unknown match operator '%.*s' (re, sw, ew "
		    "or in)", STR_FMT(&s));
		return -1;
	}
	return 0;
}

/* --- locks held at the end of a message -------------------------------- */

/*
 * What sht_lock() took and sht_unlock() has not given back yet, in the
 * message's arena.  A lock still held when the message is done would
 * stop every other process at that slot for ever, so it is released
 * then, with a warning naming it.
 */
struct ht_held {
	struct ht_table  *t;
	str_t             key;
	struct ht_held   *next;
};

static int ht_held_slot = -1;

static void
ht_held_release(void *data)
{
	for (struct ht_held *h = data; h != NULL; h = h->next) {
		log_warnx("sht_lock(%s=>%.*s) still held at the end of the "
		    "message; released", h->t->name, STR_FMT(&h->key));
		ht_table_unlock_key(h->t, &h->key);
	}
}

int
ht_cmd_track_locks(void)
{
	ht_held_slot = msg_ext_register(ht_held_release);
	return ht_held_slot == -1 ? -1 : 0;
}

static void
ht_held_push(struct msg *m, struct ht_table *t, const str_t *key)
{
	struct ht_held *h;

	if (ht_held_slot == -1)
		return;
	h = arena_alloc(&m->arena, sizeof(*h));
	if (h == NULL || arena_str_dup(&m->arena, key, &h->key) == -1)
		return;         /* logged by the arena; untracked */
	h->t = t;
	h->next = m->ext[ht_held_slot];
	m->ext[ht_held_slot] = h;
}

static void
ht_held_pop(struct msg *m, struct ht_table *t, const str_t *key)
{
	struct ht_held *h, *prev = NULL;

	if (ht_held_slot == -1)
		return;
	for (h = m->ext[ht_held_slot]; h != NULL; prev = h, h = h->next) {
		if (h->t != t || !str_eq(&h->key, key))
			continue;
		if (prev == NULL)
			m->ext[ht_held_slot] = h->next;
		else
			prev->next = h->next;
		return;
	}
}

/* --- runtime ----------------------------------------------------------- */

static struct ht_table *
ht_table_of(const char *fn, const str_t *name)
{
	struct ht_table *t = ht_reg_lookup(name);

	if (t == NULL)
		log_errx("%s(): no such htable '%.*s'", fn, STR_FMT(name));
	return t;
}

static struct ht_table *
ht_arg_table(struct msg *m, const void *a, const char *fn)
{
	str_t name;

	if (arg_str(m, a, &name) == -1) {
		log_errx("%s(): cannot render the table name", fn);
		return NULL;
	}
	return ht_table_of(fn, &name);
}

/* "table=>rest": the table and the rest.  0 or -1 (logged). */
static int
ht_arg_ref(struct msg *m, const void *a, const char *fn,
    struct ht_table **t, str_t *rest)
{
	str_t s, table;

	if (arg_str(m, a, &s) == -1) {
		log_errx("%s(): cannot render the argument", fn);
		return -1;
	}
	if (ht_split_ref(&s, &table, rest) == -1) {
		log_errx("%s(): '%.*s' is not \"table=>...\"", fn, STR_FMT(&s));
		return -1;
	}
	*t = ht_table_of(fn, &table);
	return *t ? 0 : -1;
}

/* Removes the items of t whose field matches (op, pattern).  1 or -1. */
static int
ht_remove(const char *fn, struct ht_table *t, enum ht_field f,
    enum ht_op op, const str_t *pattern)
{
	struct ht_match mt = { .op = op, .s = *pattern };
	regex_t re;
	char err[256];

	if (op == HT_OP_RE) {
		if (ht_re_compile(&re, pattern, err, sizeof(err)) == -1) {
			log_errx("%s(): bad regular expression '%.*s': %s", fn,
			    STR_FMT(pattern), err);
			return -1;
		}
		mt.re = &re;
	}
	ht_table_remove(t, f, &mt);
	if (op == HT_OP_RE)
		regfree(&re);
	return 1;
}

static int
ht_cmd_rm(struct msg *m, void *const *args)
{
	struct ht_table *t = ht_arg_table(m, args[0], "sht_rm");
	str_t key;

	if (t == NULL)
		return -1;
	if (arg_str(m, args[1], &key) == -1) {
		log_errx("sht_rm(): cannot render the key");
		return -1;
	}
	ht_table_del(t, &key);
	return 1;
}

static int
ht_rm_re(struct msg *m, const void *a, const char *fn, enum ht_field f)
{
	struct ht_table *t;
	str_t re;

	if (ht_arg_ref(m, a, fn, &t, &re) == -1)
		return -1;
	return ht_remove(fn, t, f, HT_OP_RE, &re);
}

static int
ht_cmd_rm_name_re(struct msg *m, void *const *args)
{
	return ht_rm_re(m, args[0], "sht_rm_name_re", HT_NAME);
}

static int
ht_cmd_rm_value_re(struct msg *m, void *const *args)
{
	return ht_rm_re(m, args[0], "sht_rm_value_re", HT_VALUE);
}

static int
ht_rm_op(struct msg *m, void *const *args, const char *fn, enum ht_field f)
{
	struct ht_table *t = ht_arg_table(m, args[0], fn);
	str_t ops, val;
	enum ht_op op;

	if (t == NULL)
		return -1;
	if (arg_str(m, args[1], &ops) == -1 ||
	    arg_str(m, args[2], &val) == -1) {
		log_errx("%s(): cannot render the arguments", fn);
		return -1;
	}
	if (ht_op_parse(&ops, &op) == -1) {
		log_errx("%s(): unknown match operator '%.*s' (re, sw, ew or "
		    "in)", fn, STR_FMT(&ops));
		return -1;
	}
	return ht_remove(fn, t, f, op, &val);
}

static int
ht_cmd_rm_name(struct msg *m, void *const *args)
{
	return ht_rm_op(m, args, "sht_rm_name", HT_NAME);
}

static int
ht_cmd_rm_value(struct msg *m, void *const *args)
{
	return ht_rm_op(m, args, "sht_rm_value", HT_VALUE);
}

static int
ht_cmd_reset(struct msg *m, void *const *args)
{
	struct ht_table *t = ht_arg_table(m, args[0], "sht_reset");

	if (t == NULL)
		return -1;
	ht_table_reset(t);
	return 1;
}

static int
ht_cmd_lock(struct msg *m, void *const *args)
{
	struct ht_table *t;
	str_t key;

	if (ht_arg_ref(m, args[0], "sht_lock", &t, &key) == -1)
		return -1;
	ht_table_lock_key(t, &key);
	ht_held_push(m, t, &key);
	return 1;
}

static int
ht_cmd_unlock(struct msg *m, void *const *args)
{
	struct ht_table *t;
	str_t key;

	if (ht_arg_ref(m, args[0], "sht_unlock", &t, &key) == -1)
		return -1;
	if (ht_table_unlock_key(t, &key) == -1) {
		log_errx("sht_unlock(%s=>%.*s): this process does not hold "
		    "that lock", t->name, STR_FMT(&key));
		return -1;
	}
	ht_held_pop(m, t, &key);
	return 1;
}

/* sht_setxs / sht_setxi: a value and its expiry in one call. */
static int
ht_setx(struct msg *m, void *const *args, const char *fn, int is_int)
{
	struct ht_table *t = ht_arg_table(m, args[0], fn);
	struct ht_value v = { .type = is_int ? HT_INT : HT_STR };
	long long secs;
	str_t key;

	if (t == NULL)
		return -1;
	if (arg_str(m, args[1], &key) == -1 ||
	    (is_int ? arg_int(m, args[2], &v.n) : arg_str(m, args[2], &v.s))
	    == -1 || arg_int(m, args[3], &secs) == -1 || secs < 0) {
		log_errx("%s(): bad arguments (table, key, %s value, expire "
		    "seconds >= 0)", fn, is_int ? "integer" : "string");
		return -1;
	}
	if (ht_table_set(t, &key, &v) == -1)
		return -1;
	ht_table_set_expire(t, &key, secs);
	return 1;
}

static int
ht_cmd_setxs(struct msg *m, void *const *args)
{
	return ht_setx(m, args, "sht_setxs", 0);
}

static int
ht_cmd_setxi(struct msg *m, void *const *args)
{
	return ht_setx(m, args, "sht_setxi", 1);
}

#define HT_A_TABLE  { .flags = ARG_STR, .fixup = ht_fix_table }
#define HT_A_REF    { .flags = ARG_STR, .fixup = ht_fix_ref }
#define HT_A_REFRE  { .flags = ARG_STR, .fixup = ht_fix_ref_re }
#define HT_A_OP     { .flags = ARG_STR, .fixup = ht_fix_op }
#define HT_A_STR    { .flags = ARG_STR }
#define HT_A_INT    { .flags = ARG_INT }

const struct cmd_export ht_cmd_exports[] = {
	{ .name = "sht_rm", .fn = ht_cmd_rm, .routes = RT_ANY,
	  .args = { HT_A_TABLE, HT_A_STR } },
	{ .name = "sht_rm_name_re", .fn = ht_cmd_rm_name_re, .routes = RT_ANY,
	  .args = { HT_A_REFRE } },
	{ .name = "sht_rm_value_re", .fn = ht_cmd_rm_value_re,
	  .routes = RT_ANY, .args = { HT_A_REFRE } },
	{ .name = "sht_rm_name", .fn = ht_cmd_rm_name, .routes = RT_ANY,
	  .args = { HT_A_TABLE, HT_A_OP, HT_A_STR } },
	{ .name = "sht_rm_value", .fn = ht_cmd_rm_value, .routes = RT_ANY,
	  .args = { HT_A_TABLE, HT_A_OP, HT_A_STR } },
	{ .name = "sht_reset", .fn = ht_cmd_reset, .routes = RT_ANY,
	  .args = { HT_A_TABLE } },
	{ .name = "sht_setxs", .fn = ht_cmd_setxs, .routes = RT_ANY,
	  .args = { HT_A_TABLE, HT_A_STR, HT_A_STR, HT_A_INT } },
	{ .name = "sht_setxi", .fn = ht_cmd_setxi, .routes = RT_ANY,
	  .args = { HT_A_TABLE, HT_A_STR, HT_A_INT, HT_A_INT } },
	{ .name = "sht_lock", .fn = ht_cmd_lock, .routes = RT_ANY,
	  .args = { HT_A_REF } },
	{ .name = "sht_unlock", .fn = ht_cmd_unlock, .routes = RT_ANY,
	  .args = { HT_A_REF } },
	{ .name = NULL },
};
