#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "expr.h"
#include "fmt.h"
#include "globals.h"
#include "log.h"
#include "pv.h"
#include "route.h"

int
expr_call(struct msg *m, const struct call *c)
{
	int rc;

	if (c->cmd == NULL) {
		log_errx("%s: %s() was not resolved", route_pos_text(c->pos),
		    c->name);
		return -1;
	}
	rc = c->cmd->exp->fn(m, c->fixed);
	m->last_rc = rc;
	if (rc == 0)
		m->run |= MSG_RUN_EXIT;
	return rc;
}

/* --- myself ------------------------------------------------------------------ */

static int
host_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	/* compare without IPv6 brackets on either side */
	if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	if (blen >= 2 && b[0] == '[' && b[blen - 1] == ']') {
		b++;
		blen -= 2;
	}
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

int
expr_is_myself(const str_t *text)
{
	const char *s = text->s, *end = text->s + text->len, *h, *he, *p;
	long port = 0;

	/* sip:user@host:port;params, or host[:port] */
	for (const char *sc = s; sc < end && sc < s + 6; sc++)
		if (*sc == ':') {
			if ((sc - s == 3 && strncasecmp(s, "sip", 3) == 0) ||
			    (sc - s == 4 && strncasecmp(s, "sips", 4) == 0) ||
			    (sc - s == 3 && strncasecmp(s, "tel", 3) == 0)) {
				s = sc + 1;
				p = memchr(s, '@', (size_t)(end - s));
				if (p)
					s = p + 1;
			}
			break;
		}
	h = s;
	if (h < end && *h == '[') {
		he = memchr(h, ']', (size_t)(end - h));
		if (he == NULL)
			return 0;
		he++;
	} else {
		for (he = h; he < end && *he != ':' && *he != ';' &&
		    *he != '?' && *he != '>'; he++)
			;
	}
	if (he < end && *he == ':') {
		for (p = he + 1; p < end && *p >= '0' && *p <= '9'; p++)
			port = port * 10 + (*p - '0');
	}
	for (int i = 0; i < core_cfg.nlisten; i++) {
		const struct listen_spec *l = &core_cfg.listen[i];
		int lport = l->port ? l->port : core_cfg.port;

		if (host_eq(h, (size_t)(he - h), l->host) &&
		    (port == 0 || port == lport))
			return 1;
		if (l->adv_host && host_eq(h, (size_t)(he - h), l->adv_host) &&
		    (port == 0 || port == (l->adv_port ? l->adv_port : lport)))
			return 1;
	}
	for (int i = 0; i < core_cfg.nalias; i++) {
		const struct alias_spec *a = &core_cfg.alias[i];

		if (host_eq(h, (size_t)(he - h), a->host) &&
		    (port == 0 || a->port == 0 || port == a->port))
			return 1;
	}
	return 0;
}

/* --- operators ----------------------------------------------------------------- */

static int
both_ints(const struct val *l, const struct val *r, long long *a, long long *b)
{
	return val_to_int(l, a) == 0 && val_to_int(r, b) == 0 &&
	    !val_is_null(l) && !val_is_null(r);
}

static int
eval_compare(struct msg *m, const struct expr *e, const struct val *l,
    const struct val *r)
{
	long long a, b;
	str_t ls, rs;
	int c;

	if (val_is_null(l) || val_is_null(r)) {
		int both = val_is_null(l) && val_is_null(r);

		return e->op == E_EQ ? both : e->op == E_NE ? !both : 0;
	}
	if (e->op == E_EQ || e->op == E_NE) {
		/* the left operand decides the comparison type */
		if (l->flags & VAL_INT) {
			if (val_to_int(r, &b) < 0)
				return e->op == E_NE;
			return (l->n == b) == (e->op == E_EQ);
		}
		if (val_to_str(&m->arena, r, &rs) < 0)
			return 0;
		return str_eq(&l->s, &rs) == (e->op == E_EQ);
	}
	if (both_ints(l, r, &a, &b)) {
		c = a < b ? -1 : a > b;
	} else {
		if (val_to_str(&m->arena, l, &ls) < 0 ||
		    val_to_str(&m->arena, r, &rs) < 0)
			return 0;
		c = str_cmp(&ls, &rs);
	}
	switch (e->op) {
	case E_LT: return c < 0;
	case E_GT: return c > 0;
	case E_LE: return c <= 0;
	case E_GE: return c >= 0;
	default:   return 0;
	}
}

static int
eval_match(struct msg *m, const struct expr *e, const struct val *l,
    const struct val *r)
{
	regex_t tmp, *re = e->re;
	str_t ls, rs;
	char *subject, *pattern;
	int rc, err;

	if (val_to_str(&m->arena, l, &ls) < 0 ||
	    (subject = arena_strndup(&m->arena, ls.s, ls.len)) == NULL)
		return -1;
	if (re == NULL) {
		/* a pattern computed per message */
		if (val_to_str(&m->arena, r, &rs) < 0 ||
		    (pattern = arena_strndup(&m->arena, rs.s, rs.len)) == NULL)
			return -1;
		err = regcomp(&tmp, pattern, REG_EXTENDED | REG_NOSUB | REG_ICASE);
		if (err != 0) {
			log_errx("%s: bad regular expression \"%s\"",
			    route_pos_text(e->pos), pattern);
			return -1;
		}
		re = &tmp;
	}
	rc = regexec(re, subject, 0, NULL, 0) == 0;
	if (re == &tmp)
		regfree(&tmp);
	return e->op == E_MATCH ? rc : !rc;
}

static int
eval_arith(struct msg *m, const struct expr *e, const struct val *l,
    const struct val *r, struct val *out)
{
	long long a = 0, b = 0;

	if (e->op == E_ADD && !(l->flags & VAL_INT) && (l->flags & VAL_STR)) {
		str_t rs;
		char *p;

		/* string left operand: concatenation */
		if (val_to_str(&m->arena, r, &rs) < 0)
			return -1;
		p = arena_alloc(&m->arena, l->s.len + rs.len + 1);
		if (p == NULL)
			return -1;
		memcpy(p, l->s.s, l->s.len);
		memcpy(p + l->s.len, rs.s, rs.len);
		p[l->s.len + rs.len] = '\0';
		val_set_str(out, str_make(p, l->s.len + rs.len));
		return 0;
	}
	if (val_to_int(l, &a) < 0 || val_to_int(r, &b) < 0) {
		log_errx("%s: '%s' needs numbers", route_pos_text(e->pos),
		    e->op == E_ADD ? "+" : "arithmetic");
		return -1;
	}
	switch (e->op) {
	case E_ADD:  a = (long long)((unsigned long long)a + (unsigned long long)b); break;
	case E_SUB:  a = (long long)((unsigned long long)a - (unsigned long long)b); break;
	case E_MUL:  a = (long long)((unsigned long long)a * (unsigned long long)b); break;
	case E_DIV:
	case E_MOD:
		if (b == 0 || (a == -0x7fffffffffffffffLL - 1 && b == -1)) {
			log_errx("%s: division by zero", route_pos_text(e->pos));
			return -1;
		}
		a = e->op == E_DIV ? a / b : a % b;
		break;
	case E_BAND: a &= b; break;
	case E_BOR:  a |= b; break;
	case E_BXOR: a ^= b; break;
	case E_SHL:  a = (b < 0 || b > 63) ? 0 : (long long)((unsigned long long)a << b); break;
	case E_SHR:  a = (b < 0 || b > 63) ? 0 : a >> b; break;
	default:     return -1;
	}
	val_set_int(out, a);
	return 0;
}

static int
eval_myself(struct msg *m, const struct expr *e, struct val *out)
{
	const struct expr *other = e->l->op == E_MYSELF ? e->r : e->l;
	struct val v;
	str_t s;
	int mine;

	if (expr_eval(m, other, &v) < 0)
		return -1;
	if (val_is_null(&v))
		mine = 0;
	else if (val_to_str(&m->arena, &v, &s) < 0)
		return -1;
	else
		mine = expr_is_myself(&s);
	val_set_int(out, e->op == E_EQ ? mine : !mine);
	return 0;
}

static int
eval_unary(struct msg *m, const struct expr *e, struct val *out)
{
	struct val v;
	long long n;
	str_t s;

	if (expr_eval(m, e->l, &v) < 0)
		return -1;
	switch (e->op) {
	case E_NOT:
		val_set_int(out, !val_truth(&v));
		return 0;
	case E_CAST_INT:
		val_to_int(&v, &n);     /* not a number: 0, as Kamailio */
		val_set_int(out, n);
		return 0;
	case E_CAST_STR:
		if (val_to_str(&m->arena, &v, &s) < 0)
			return -1;
		val_set_str(out, s);
		return 0;
	default:
		if (val_to_int(&v, &n) < 0) {
			log_errx("%s: '%s' needs a number", route_pos_text(e->pos),
			    e->op == E_NEG ? "-" : "~");
			return -1;
		}
		val_set_int(out, e->op == E_NEG ? -n : ~n);
		return 0;
	}
}

int
expr_eval(struct msg *m, const struct expr *e, struct val *out)
{
	struct val l, r;
	int rc;

	switch (e->op) {
	case E_INT:
		val_set_int(out, e->n);
		return 0;
	case E_STR:
		if (e->fmt)
			return fmt_eval(m, e->fmt, out);
		val_set_str(out, str_make(e->s, e->slen));
		return 0;
	case E_PV:
	case E_KW:
		if (e->pv == NULL)
			break;
		if (pv_get(m, e->pv, out) < 0) {
			log_errx("%s: cannot read %s", route_pos_text(e->pos),
			    e->s);
			return -1;
		}
		return 0;
	case E_CALL:
		rc = expr_call(m, e->call);
		val_set_int(out, rc > 0);
		return 0;
	case E_NOT: case E_NEG: case E_BNOT: case E_CAST_INT: case E_CAST_STR:
		return eval_unary(m, e, out);
	case E_LAND:
	case E_LOR:
		rc = expr_truth(m, e->l);
		if (m->run & MSG_RUN_EXIT) {
			val_set_int(out, 0);
			return 0;
		}
		if ((e->op == E_LAND && !rc) || (e->op == E_LOR && rc)) {
			val_set_int(out, rc);
			return 0;
		}
		val_set_int(out, expr_truth(m, e->r));
		return 0;
	case E_EQ:
	case E_NE:
		if (e->l->op == E_MYSELF || e->r->op == E_MYSELF)
			return eval_myself(m, e, out);
		/* FALLTHROUGH */
	case E_LT: case E_GT: case E_LE: case E_GE:
	case E_MATCH: case E_NMATCH:
	case E_ADD: case E_SUB: case E_MUL: case E_DIV: case E_MOD:
	case E_BAND: case E_BOR: case E_BXOR: case E_SHL: case E_SHR:
		if (expr_eval(m, e->l, &l) < 0 || expr_eval(m, e->r, &r) < 0)
			return -1;
		if (e->op == E_MATCH || e->op == E_NMATCH) {
			if ((rc = eval_match(m, e, &l, &r)) < 0)
				return -1;
			val_set_int(out, rc);
			return 0;
		}
		if (e->op >= E_EQ && e->op <= E_GE) {
			val_set_int(out, eval_compare(m, e, &l, &r));
			return 0;
		}
		return eval_arith(m, e, &l, &r, out);
	default:
		break;
	}
	log_errx("%s: expression cannot be evaluated (unresolved)",
	    route_pos_text(e->pos));
	return -1;
}

int
expr_truth(struct msg *m, const struct expr *e)
{
	struct val v;

	if (e->op == E_CALL)
		return expr_call(m, e->call) > 0;
	if (expr_eval(m, e, &v) < 0)
		return 0;
	return val_truth(&v);
}
