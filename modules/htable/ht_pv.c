/*
 * ht_pv.c - $sht, $shtex, $shtinc, $shtdec, $shtcn, $shtcv.
 *
 * The table part of the name is resolved when the config is compiled
 * (modparam runs first, so every table is known by then); the key part
 * is a format rendered per message.  A table that is not defined is a
 * warning, as Kamailio accepts it too: reads give $null, writes fail.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/xalloc.h"
#include "ht_pv.h"
#include "ht_reg.h"

enum ht_pv_kind { HPV_SHT, HPV_SHTEX, HPV_SHTINC, HPV_SHTDEC, HPV_SHTCN,
	HPV_SHTCV };

static const char *const ht_pv_names[] = {
	"sht", "shtex", "shtinc", "shtdec", "shtcn", "shtcv",
};

struct ht_pvname {
	enum ht_pv_kind  kind;
	int              table;         /* registry index; -1: undefined  */
	char            *tname;
	struct fmt      *key;           /* key, or the expression         */
	enum ht_op       op;            /* $shtcn / $shtcv                */
	regex_t          re;            /* a static regexp, compiled once */
	int              has_re;
};

static void
ht_pv_free(void *c)
{
	struct ht_pvname *p = c;

	if (p == NULL)
		return;
	if (p->has_re)
		regfree(&p->re);
	fmt_free(p->key);
	xfree(p->tname);
	xfree(p);
}

/* The operator at the start of a $shtcn / $shtcv expression. */
static enum ht_op
ht_pv_op(str_t *exp)
{
	static const struct {
		const char  *text;
		enum ht_op   op;
	} ops[] = {
		{ "~~", HT_OP_RE }, { "%~", HT_OP_PREFIX },
		{ "~%", HT_OP_SUFFIX }, { "==", HT_OP_EQ },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (exp->len >= 2 && memcmp(exp->s, ops[i].text, 2) == 0) {
			exp->s += 2;
			exp->len -= 2;
			return ops[i].op;
		}
	return HT_OP_RE;
}

/* Compiles the key or expression part of p. */
static int
ht_pv_parse_rest(struct ht_pvname *p, str_t rest, struct cfg_diag *d)
{
	const char *name = ht_pv_names[p->kind];
	char err[256];

	if (p->kind == HPV_SHTCN || p->kind == HPV_SHTCV)
		p->op = ht_pv_op(&rest);
	if (rest.len == 0) {
		diag_error(d, "$%s(%s=>): the %s is empty", name, p->tname,
		    p->kind >= HPV_SHTCN ? "expression" : "key");
		return -1;
	}
	if (fmt_compile(rest.s, rest.len, &p->key, d, d->cur) != 0)
		return -1;
	if (p->kind >= HPV_SHTCN && p->op == HT_OP_RE &&
	    fmt_is_static(p->key)) {
		str_t re = fmt_static_text(p->key);

		if (ht_re_compile(&p->re, &re, err, sizeof(err)) == -1) {
			diag_error(d, "$%s(%s=>%.*s): bad regular expression: "
			    "%s", name, p->tname, STR_FMT(&re), err);
			return -1;
		}
		p->has_re = 1;
	}
	return 0;
}

static int
ht_pv_parse(const str_t *inner, void **compiled, struct cfg_diag *d,
    enum ht_pv_kind kind)
{
	const char *name = ht_pv_names[kind];
	struct ht_pvname *p = NULL;
	str_t tname, rest;

	if (inner == NULL || ht_split_ref(inner, &tname, &rest) == -1) {
		diag_error(d, "$%s(%.*s): expected $%s(table=>%s)", name,
		    inner ? (int)inner->len : 0, inner ? inner->s : "", name,
		    kind >= HPV_SHTCN ? "expression" : "key");
		return -1;
	}
	if (str_chr(&tname, '$') != NULL) {
		diag_error(d, "$%s(%.*s=>...): the table name cannot hold a "
		    "pseudo-variable", name, STR_FMT(&tname));
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	if (p == NULL || (p->tname = xstrndup(tname.s, tname.len)) == NULL) {
		diag_error(d, "out of memory compiling $%s()", name);
		goto fail;
	}
	p->kind = kind;
	p->table = ht_reg_find(&tname);
	if (p->table == -1)
		diag_warn(d, "$%s(%s=>...): no htable '%s' is defined "
		    "(modparam(\"htable\", \"htable\", \"%s=>...\")): reads "
		    "give $null and writes fail", name, p->tname, p->tname,
		    p->tname);
	if (ht_pv_parse_rest(p, rest, d) == -1)
		goto fail;
	*compiled = p;
	return 0;
fail:
	ht_pv_free(p);
	return -1;
}

#define HT_PV_PARSER(fn, kind)                                              \
	static int fn(const str_t *inner, void **compiled,                  \
	    struct cfg_diag *d)                                             \
	{                                                                   \
		return ht_pv_parse(inner, compiled, d, kind);               \
	}

HT_PV_PARSER(ht_pv_parse_sht, HPV_SHT)
HT_PV_PARSER(ht_pv_parse_shtex, HPV_SHTEX)
HT_PV_PARSER(ht_pv_parse_shtinc, HPV_SHTINC)
HT_PV_PARSER(ht_pv_parse_shtdec, HPV_SHTDEC)
HT_PV_PARSER(ht_pv_parse_shtcn, HPV_SHTCN)
HT_PV_PARSER(ht_pv_parse_shtcv, HPV_SHTCV)

/* --- runtime ----------------------------------------------------------- */

static int
ht_pv_render(struct msg *m, const struct ht_pvname *p, str_t *out)
{
	if (fmt_is_static(p->key)) {
		*out = fmt_static_text(p->key);
		return 0;
	}
	if (fmt_render(m, p->key, out) != 0) {
		log_errx("$%s(%s=>%s): cannot render the key",
		    ht_pv_names[p->kind], p->tname, fmt_source(p->key));
		return -1;
	}
	return 0;
}

/* $shtcn / $shtcv: a per-message regexp is compiled for this call. */
static int
ht_pv_count(struct msg *m, struct ht_table *t, const struct ht_pvname *p,
    const str_t *exp, struct val *out)
{
	struct ht_match mt = { .op = p->op, .s = *exp, .re = &p->re };
	enum ht_field f = p->kind == HPV_SHTCN ? HT_NAME : HT_VALUE;
	regex_t re;
	char err[256];

	if (p->op == HT_OP_RE && !p->has_re) {
		if (ht_re_compile(&re, exp, err, sizeof(err)) == -1) {
			log_errx("$%s(%s=>%.*s): bad regular expression: %s",
			    ht_pv_names[p->kind], p->tname, STR_FMT(exp), err);
			return -1;
		}
		mt.re = &re;
		val_set_int(out, ht_table_count(t, f, &mt));
		regfree(&re);
		return 0;
	}
	val_set_int(out, ht_table_count(t, f, &mt));
	return 0;
}

static int
ht_pv_get_sht(struct msg *m, struct ht_table *t, const str_t *key,
    struct val *out)
{
	struct ht_value v;
	int rc = ht_table_get(t, key, &m->arena, &v);

	if (rc == -1) {
		log_errx("$sht(%s=>%.*s): out of message memory", t->name,
		    STR_FMT(key));
		return -1;
	}
	if (rc == 0 && t->has_initval)
		val_set_int(out, t->initval);
	else if (v.type == HT_INT)
		val_set_int(out, v.n);
	else if (v.type == HT_STR)
		val_set_str(out, v.s);
	else
		val_set_null(out);
	return 0;
}

static int
ht_pv_get(struct msg *m, void *c, struct val *out)
{
	const struct ht_pvname *p = c;
	struct ht_table *t = ht_reg_table(p->table);
	long long n;
	str_t key;

	val_set_null(out);
	if (t == NULL)
		return 0;
	if (ht_pv_render(m, p, &key) == -1)
		return -1;
	switch (p->kind) {
	case HPV_SHT:
		return ht_pv_get_sht(m, t, &key, out);
	case HPV_SHTEX:
		ht_table_get_expire(t, &key, &n);
		val_set_int(out, n);
		return 0;
	case HPV_SHTINC:
	case HPV_SHTDEC:
		switch (ht_table_add(t, &key, p->kind == HPV_SHTINC ? 1 : -1,
		    &n)) {
		case HT_ADD_OK:
			val_set_int(out, n);
			return 0;
		case HT_ADD_NOMEM:
			return -1;
		default:        /* missing without initval, or a string */
			return 0;
		}
	case HPV_SHTCN:
	case HPV_SHTCV:
		return ht_pv_count(m, t, p, &key, out);
	}
	return 0;
}

static int
ht_pv_set_expire(struct ht_table *t, const str_t *key, const struct val *in)
{
	long long secs;

	if (val_is_null(in) || val_to_int(in, &secs) == -1 || secs < 0) {
		log_errx("$shtex(%s=>%.*s): the expiry must be a number of "
		    "seconds >= 0", t->name, STR_FMT(key));
		return -1;
	}
	if (t->autoexpire == 0)
		log_dbg("$shtex(%s=>%.*s): table has no autoexpire; ignored "
		    "(as Kamailio does)", t->name, STR_FMT(key));
	else
		ht_table_set_expire(t, key, secs);
	return 0;
}

static int
ht_pv_set(struct msg *m, void *c, const struct val *in)
{
	const struct ht_pvname *p = c;
	struct ht_table *t = ht_reg_table(p->table);
	struct ht_value v = { .type = HT_NONE };
	str_t key;

	if (t == NULL) {
		log_errx("$%s(%s=>...): no such htable; assignment failed",
		    ht_pv_names[p->kind], p->tname);
		return -1;
	}
	if (ht_pv_render(m, p, &key) == -1)
		return -1;
	if (p->kind == HPV_SHTEX)
		return ht_pv_set_expire(t, &key, in);
	if (val_is_null(in)) {
		ht_table_del(t, &key);
		return 0;
	}
	if (in->flags & VAL_INT) {
		v.type = HT_INT;
		v.n = in->n;
	} else {
		v.type = HT_STR;
		v.s = in->s;
	}
	return ht_table_set(t, &key, &v);
}

#define HT_PV_RO  (PV_READ | PV_INNER)
#define HT_PV_RW  (PV_READ | PV_WRITE | PV_INNER)

const struct pv_export ht_pv_exports[] = {
	{ .name = "sht", .flags = HT_PV_RW, .parse = ht_pv_parse_sht,
	  .get = ht_pv_get, .set = ht_pv_set, .free = ht_pv_free },
	{ .name = "shtex", .flags = HT_PV_RW, .parse = ht_pv_parse_shtex,
	  .get = ht_pv_get, .set = ht_pv_set, .free = ht_pv_free },
	{ .name = "shtinc", .flags = HT_PV_RO, .parse = ht_pv_parse_shtinc,
	  .get = ht_pv_get, .free = ht_pv_free },
	{ .name = "shtdec", .flags = HT_PV_RO, .parse = ht_pv_parse_shtdec,
	  .get = ht_pv_get, .free = ht_pv_free },
	{ .name = "shtcn", .flags = HT_PV_RO, .parse = ht_pv_parse_shtcn,
	  .get = ht_pv_get, .free = ht_pv_free },
	{ .name = "shtcv", .flags = HT_PV_RO, .parse = ht_pv_parse_shtcv,
	  .get = ht_pv_get, .free = ht_pv_free },
	{ .name = NULL },
};
