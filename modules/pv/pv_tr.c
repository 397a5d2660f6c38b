/*
 * pv_tr.c - the {s.*}, {uri.*} and {param.*} transformation classes:
 * keys and arguments compiled once at load time, applied per message
 * through the pure functions of pv_trans.c and pv_uri.c.
 *
 * An argument is a literal or holds pseudo-variables ({s.substr,$var(o),2},
 * {param.value,$var(name)}); the latter is a format rendered per message.
 * The last argument takes the rest of the text, so a separator may be a
 * comma: {s.select,0,,}.  A literal that is not a number where one is
 * wanted is a config error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

enum pv_tr_op {
	TR_S_LEN, TR_S_INT, TR_S_MD5, TR_S_SHA256, TR_S_SHA384, TR_S_SHA512,
	TR_S_SUBSTR, TR_S_SELECT, TR_S_LOWER, TR_S_UPPER, TR_S_STRIP,
	TR_S_STRIPTAIL, TR_S_ESC, TR_S_UNESC, TR_S_TRIM, TR_S_LTRIM,
	TR_S_RTRIM, TR_S_RM, TR_S_REPLACE, TR_S_NUMERIC, TR_S_HEXENC,
	TR_S_HEXDEC, TR_S_UNQUOTE, TR_S_UNBRACKET,
	TR_URI_USER, TR_URI_HOST, TR_URI_PORT, TR_URI_PARAMS, TR_URI_PARAM,
	TR_URI_SCHEME, TR_URI_PASSWD, TR_URI_HEADERS, TR_URI_NAMED,
	TR_P_VALUE, TR_P_VALUEAT, TR_P_NAME, TR_P_COUNT,
};

/*
 * args: one letter per argument: i integer, n integer >= 0, s string,
 * c one literal character; what follows '[' may be omitted.
 */
struct pv_tr_key {
	const char *key;
	int         op;
	const char *args;
};

static const struct pv_tr_key pv_tr_s_keys[] = {
	{ "len", TR_S_LEN, "" }, { "int", TR_S_INT, "" },
	{ "md5", TR_S_MD5, "" }, { "sha256", TR_S_SHA256, "" },
	{ "sha384", TR_S_SHA384, "" }, { "sha512", TR_S_SHA512, "" },
	{ "substr", TR_S_SUBSTR, "in" }, { "select", TR_S_SELECT, "ic" },
	{ "tolower", TR_S_LOWER, "" }, { "toupper", TR_S_UPPER, "" },
	{ "strip", TR_S_STRIP, "i" }, { "striptail", TR_S_STRIPTAIL, "i" },
	{ "escape.common", TR_S_ESC, "" },
	{ "unescape.common", TR_S_UNESC, "" },
	{ "trim", TR_S_TRIM, "" }, { "ltrim", TR_S_LTRIM, "" },
	{ "rtrim", TR_S_RTRIM, "" }, { "rm", TR_S_RM, "s" },
	{ "replace", TR_S_REPLACE, "ss" }, { "numeric", TR_S_NUMERIC, "" },
	{ "encode.hexa", TR_S_HEXENC, "" }, { "decode.hexa", TR_S_HEXDEC, "" },
	{ "unquote", TR_S_UNQUOTE, "" }, { "unbracket", TR_S_UNBRACKET, "" },
	{ NULL, 0, NULL },
};

/* uri keys that are the value of the parameter of the same name */
static const struct pv_tr_key pv_tr_uri_keys[] = {
	{ "user", TR_URI_USER, "" }, { "host", TR_URI_HOST, "" },
	{ "port", TR_URI_PORT, "" }, { "params", TR_URI_PARAMS, "" },
	{ "param", TR_URI_PARAM, "s" }, { "scheme", TR_URI_SCHEME, "" },
	{ "passwd", TR_URI_PASSWD, "" }, { "headers", TR_URI_HEADERS, "" },
	{ "transport", TR_URI_NAMED, "" }, { "ttl", TR_URI_NAMED, "" },
	{ "maddr", TR_URI_NAMED, "" }, { "method", TR_URI_NAMED, "" },
	{ "lr", TR_URI_NAMED, "" }, { "r2", TR_URI_NAMED, "" },
	{ NULL, 0, NULL },
};

static const struct pv_tr_key pv_tr_param_keys[] = {
	{ "value", TR_P_VALUE, "s[c" }, { "valueat", TR_P_VALUEAT, "i[c" },
	{ "name", TR_P_NAME, "i[c" }, { "count", TR_P_COUNT, "[c" },
	{ NULL, 0, NULL },
};

enum pv_targ_kind { TA_INT, TA_STR, TA_FMT };

struct pv_targ {
	enum pv_targ_kind kind;
	long long         n;
	str_t             s;        /* TA_STR: own copy                    */
	struct fmt       *f;
};

#define PV_TR_MAXARG 2

struct pv_tr {
	int             op;
	char            cls[8];     /* for messages: "{s.substr}"          */
	const char     *key;
	char            delim;      /* the 'c' argument                     */
	struct pv_targ  a[PV_TR_MAXARG];
	int             na;
};

void
pv_tr_free(void *compiled)
{
	struct pv_tr *t = compiled;

	if (t == NULL)
		return;
	for (int i = 0; i < t->na; i++) {
		fmt_free(t->a[i].f);
		free(t->a[i].s.s);
	}
	free(t);
}

/*
 * Splits args into at most max parts at commas outside pseudo-variables;
 * the last part takes the rest.  Returns the number of parts.
 */
static int
pv_tr_split(const str_t *args, int max, str_t *part)
{
	size_t i = 0, start = 0, n;
	int k = 0;

	if (args->s == NULL || max == 0)
		return 0;
	while (i < args->len && k < max - 1) {
		if (args->s[i] == '$' &&
		    (n = pv_ref_span(args->s + i, args->len - i)) != 0) {
			i += n;
			continue;
		}
		if (args->s[i] == ',') {
			part[k++] = str_make(args->s + start, i - start);
			start = i + 1;
		}
		i++;
	}
	part[k++] = str_make(args->s + start, args->len - start);
	return k;
}

/* Compiles one argument of type letter ty (see pv_tr_key).  0 or -1. */
static int
pv_tr_arg(struct pv_tr *t, char ty, str_t text, struct cfg_diag *d)
{
	struct pv_targ *a = &t->a[t->na];

	if (ty == 'c') {
		if (text.len != 1) {
			diag_error(d, "{%s.%s}: the separator must be one "
			    "character, not '%.*s'", t->cls, t->key,
			    STR_FMT(&text));
			return -1;
		}
		t->delim = text.s[0];
		return 0;
	}
	memset(a, 0, sizeof(*a));
	t->na++;
	if (str_chr(&text, '$') != NULL) {
		if (fmt_compile(text.s, text.len, &a->f, d, d->cur) != 0)
			return -1;
		if (!fmt_is_static(a->f)) {
			a->kind = TA_FMT;
			return 0;
		}
		/* "$$" and the like: literal after all */
		text = fmt_static_text(a->f);
	}
	if (ty == 's') {
		a->kind = TA_STR;
		a->s.s = xstrndup(text.len ? text.s : "", text.len);
		a->s.len = text.len;
		if (a->s.s == NULL) {
			diag_error(d, "out of memory");
			return -1;
		}
		return 0;
	}
	a->kind = TA_INT;
	pvt_trim(&text, 1, 1);
	if (pvt_int(text, &a->n) != 0 || (ty == 'n' && a->n < 0)) {
		diag_error(d, "{%s.%s}: '%.*s' is not a%s number", t->cls,
		    t->key, STR_FMT(&text), ty == 'n' ? " non-negative" : "");
		return -1;
	}
	return 0;
}

static int
pv_tr_compile(const char *cls, const struct pv_tr_key *keys,
    const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	const struct pv_tr_key *k;
	str_t part[PV_TR_MAXARG + 1];
	struct pv_tr *t;
	size_t need, total;
	int np;

	for (k = keys; k->key != NULL; k++)
		if (str_eq_cstr(key, k->key))
			break;
	if (k->key == NULL) {
		diag_error(d, "unknown transformation {%s.%.*s}", cls,
		    STR_FMT(key));
		return -1;
	}
	total = strlen(k->args) - (strchr(k->args, '[') != NULL);
	need = strchr(k->args, '[') ? (size_t)(strchr(k->args, '[') - k->args)
	    : total;
	np = pv_tr_split(args, (int)total, part);
	if ((size_t)np < need || (total == 0 && args->s != NULL)) {
		if (need == total)
			diag_error(d, "{%s.%s} takes %zu argument%s", cls,
			    k->key, total, total == 1 ? "" : "s");
		else
			diag_error(d, "{%s.%s} takes %zu to %zu arguments",
			    cls, k->key, need, total);
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	if (t == NULL) {
		diag_error(d, "out of memory");
		return -1;
	}
	t->op = k->op;
	t->key = k->key;
	t->delim = ';';
	snprintf(t->cls, sizeof(t->cls), "%s", cls);
	for (int i = 0, j = 0; i < np; i++, j++) {
		if (k->args[j] == '[')
			j++;
		if (pv_tr_arg(t, k->args[j], part[i], d) != 0) {
			pv_tr_free(t);
			return -1;
		}
	}
	*compiled = t;
	return 0;
}

int
pv_tr_parse_s(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	return pv_tr_compile("s", pv_tr_s_keys, key, args, compiled, d);
}

int
pv_tr_parse_uri(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	return pv_tr_compile("uri", pv_tr_uri_keys, key, args, compiled, d);
}

int
pv_tr_parse_param(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	return pv_tr_compile("param", pv_tr_param_keys, key, args, compiled,
	    d);
}

/* --- per message -------------------------------------------------------------- */

static int
pv_targ_str(struct msg *m, const struct pv_targ *a, str_t *out)
{
	if (a->kind != TA_FMT) {
		*out = a->s;
		return 0;
	}
	return fmt_render(m, a->f, out);
}

static int
pv_targ_int(struct msg *m, const struct pv_tr *t, const struct pv_targ *a,
    long long *out)
{
	struct val v;
	str_t s;

	if (a->kind != TA_FMT) {
		*out = a->n;
		return 0;
	}
	if (fmt_eval(m, a->f, &v) != 0)
		return -1;
	if (v.flags & VAL_INT) {
		*out = v.n;
		return 0;
	}
	s = (v.flags & VAL_STR) ? v.s : STR_LIT("<null>");
	pvt_trim(&s, 1, 1);
	if (pvt_int(s, out) != 0) {
		log_errx("{%s.%s}: argument '%s' is not a number: '%.*s'",
		    t->cls, t->key, fmt_source(a->f), STR_FMT(&s));
		return -1;
	}
	return 0;
}

static int
pv_tr_digest(struct msg *m, int op, str_t in, str_t *out)
{
	const char *alg = op == TR_S_MD5 ? "md5" : op == TR_S_SHA256 ?
	    "sha256" : op == TR_S_SHA384 ? "sha384" : "sha512";

	return pvt_digest(&m->arena, in, alg, out);
}

/* The {s.*} that need arguments or may fail on their input. */
static int
pv_tr_s_args(struct msg *m, const struct pv_tr *t, str_t in, str_t *out)
{
	long long a0 = 0, a1 = 0;
	str_t s0, s1;

	switch (t->op) {
	case TR_S_SUBSTR:
		if (pv_targ_int(m, t, &t->a[0], &a0) != 0 ||
		    pv_targ_int(m, t, &t->a[1], &a1) != 0)
			return -1;
		if (pvt_substr(in, a0, a1, out) != 0) {
			log_errx("{s.substr,%lld,%lld}: out of range for a "
			    "string of %zu bytes", a0, a1, in.len);
			return -1;
		}
		return 0;
	case TR_S_SELECT:
		if (pv_targ_int(m, t, &t->a[0], &a0) != 0)
			return -1;
		pvt_select(in, a0, t->delim, out);
		return 0;
	case TR_S_STRIP:
	case TR_S_STRIPTAIL:
		if (pv_targ_int(m, t, &t->a[0], &a0) != 0)
			return -1;
		pvt_strip(in, a0, t->op == TR_S_STRIPTAIL, out);
		return 0;
	case TR_S_RM:
		if (pv_targ_str(m, &t->a[0], &s0) != 0)
			return -1;
		return pvt_replace(&m->arena, in, s0, STR_LIT(""), out);
	case TR_S_REPLACE:
		if (pv_targ_str(m, &t->a[0], &s0) != 0 ||
		    pv_targ_str(m, &t->a[1], &s1) != 0)
			return -1;
		return pvt_replace(&m->arena, in, s0, s1, out);
	case TR_S_HEXDEC:
		if (pvt_hex_decode(&m->arena, in, out) != 0) {
			log_errx("{s.decode.hexa}: '%.*s' is not hex",
			    STR_FMT(&in));
			return -1;
		}
		return 0;
	}
	return -1;
}

static int
pv_tr_s(struct msg *m, const struct pv_tr *t, str_t in, struct val *v)
{
	str_t out = in;
	long long n;
	int rc = 0;

	switch (t->op) {
	case TR_S_LEN:
		val_set_int(v, (long long)in.len);
		return 0;
	case TR_S_INT:
		if (pvt_int(in, &n) != 0) {
			log_errx("{s.int}: '%.*s' is not a number",
			    STR_FMT(&in));
			return -1;
		}
		val_set_int(v, n);
		return 0;
	case TR_S_MD5: case TR_S_SHA256: case TR_S_SHA384: case TR_S_SHA512:
		rc = pv_tr_digest(m, t->op, in, &out);
		break;
	case TR_S_LOWER: case TR_S_UPPER:
		rc = pvt_case(&m->arena, in, t->op == TR_S_UPPER, &out);
		break;
	case TR_S_ESC:
		rc = pvt_escape_common(&m->arena, in, &out);
		break;
	case TR_S_UNESC:
		rc = pvt_unescape_common(&m->arena, in, &out);
		break;
	case TR_S_TRIM: case TR_S_LTRIM: case TR_S_RTRIM:
		pvt_trim(&out, t->op != TR_S_RTRIM, t->op != TR_S_LTRIM);
		break;
	case TR_S_NUMERIC:
		rc = pvt_numeric(&m->arena, in, &out);
		break;
	case TR_S_HEXENC:
		rc = pvt_hex_encode(&m->arena, in, &out);
		break;
	case TR_S_UNQUOTE:
		pvt_unquote(in, &out);
		break;
	case TR_S_UNBRACKET:
		pvt_unbracket(in, &out);
		break;
	default:
		rc = pv_tr_s_args(m, t, in, &out);
		break;
	}
	if (rc != 0)
		return -1;
	val_set_str(v, out);
	return 0;
}

static int
pv_tr_uri(struct msg *m, const struct pv_tr *t, str_t in, struct val *v)
{
	struct pvt_uri u;
	str_t out = STR_LIT(""), name;

	if (pvt_uri_parse(in, &u) != 0) {
		log_errx("{uri.%s}: invalid uri '%.*s'", t->key, STR_FMT(&in));
		return -1;
	}
	switch (t->op) {
	case TR_URI_USER:    out = u.user; break;
	case TR_URI_HOST:    out = u.host; break;
	case TR_URI_PORT:    out = u.port; break;
	case TR_URI_PARAMS:  out = u.params; break;
	case TR_URI_SCHEME:  out = u.scheme; break;
	case TR_URI_PASSWD:  out = u.passwd; break;
	case TR_URI_HEADERS: out = u.headers; break;
	case TR_URI_PARAM:
	case TR_URI_NAMED:
		if (t->op == TR_URI_NAMED)
			name = str_cstr(t->key);
		else if (pv_targ_str(m, &t->a[0], &name) != 0)
			return -1;
		if (!pvt_param_find(u.params, ';', name, &out))
			out = STR_LIT("");
		break;
	}
	/* absent parts are empty strings, not null, as in Kamailio */
	if (out.s == NULL)
		out = STR_LIT("");
	val_set_str(v, out);
	return 0;
}

static int
pv_tr_param(struct msg *m, const struct pv_tr *t, str_t in, struct val *v)
{
	struct pvt_param p;
	str_t name, out = STR_LIT("");
	long long i;

	switch (t->op) {
	case TR_P_COUNT:
		val_set_int(v, pvt_param_count(in, t->delim));
		return 0;
	case TR_P_VALUE:
		if (pv_targ_str(m, &t->a[0], &name) != 0)
			return -1;
		if (!pvt_param_find(in, t->delim, name, &out))
			out = STR_LIT("");
		break;
	case TR_P_VALUEAT:
	case TR_P_NAME:
		if (pv_targ_int(m, t, &t->a[0], &i) != 0)
			return -1;
		if (pvt_param_at(in, t->delim, i, &p))
			out = t->op == TR_P_NAME ? p.name : p.value;
		break;
	}
	val_set_str(v, out);
	return 0;
}

int
pv_tr_apply(struct msg *m, void *compiled, struct val *v)
{
	const struct pv_tr *t = compiled;
	str_t in;

	if (m == NULL) {
		log_errx("{%s.%s}: no message to work in", t->cls, t->key);
		return -1;
	}
	/* like Kamailio, a transformation of nothing fails (quietly) */
	if (val_is_null(v)) {
		log_dbg("{%s.%s} applied to a null value", t->cls, t->key);
		return -1;
	}
	if (t->op == TR_S_INT && (v->flags & VAL_INT)) {
		val_set_int(v, v->n);
		return 0;
	}
	if (val_to_str(&m->arena, v, &in) != 0)
		return -1;
	if (t->op <= TR_S_UNBRACKET)
		return pv_tr_s(m, t, in, v);
	if (t->op <= TR_URI_NAMED)
		return pv_tr_uri(m, t, in, v);
	return pv_tr_param(m, t, in, v);
}
