#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arg.h"
#include "core/cmd.h"
#include "core/fmt.h"
#include "core/module.h"
#include "core/pv.h"
#include "kw.h"
#include "resolve.h"

struct rctx {
	struct cfg_tree   *t;
	struct cfg_diag   *d;
	int                nfailed;         /* modules that did not load */
	char             **failed;
	const struct route_def *cur;        /* route being resolved      */
};

/*
 * A name that no loaded module provides: an error, unless some module
 * failed to load, in which case the name is probably that module's and
 * the real error is the missing module.
 */
static void
unresolved(struct rctx *rc, struct cfg_pos pos, const char *what)
{
	if (rc->nfailed)
		diag_note_at(rc->d, pos, "%s (not checked: %d module%s failed "
		    "to load)", what, rc->nfailed, rc->nfailed > 1 ? "s" : "");
	else
		diag_error_at(rc->d, pos, "%s", what);
}

static int
module_failed(const struct rctx *rc, const char *name)
{
	for (int i = 0; i < rc->nfailed; i++)
		if (strcmp(rc->failed[i], name) == 0)
			return 1;
	return 0;
}

static void
note_failed(struct rctx *rc, const char *written)
{
	char *dup = strdup(written), *base, *dot, **nf;

	if (dup == NULL)
		return;
	base = strrchr(dup, '/') ? strrchr(dup, '/') + 1 : dup;
	memmove(dup, base, strlen(base) + 1);
	if ((dot = strstr(dup, ".so")) != NULL && dot[3] == '\0')
		*dot = '\0';
	nf = realloc(rc->failed, (size_t)(rc->nfailed + 1) * sizeof(char *));
	if (nf == NULL) {
		free(dup);
		return;
	}
	rc->failed = nf;
	rc->failed[rc->nfailed++] = dup;
}

/* --- top level: globals, loadmodule, modparam ----------------------------- */

static void
resolve_top(struct rctx *rc, struct core_cfg *c, const char *cfg_dir)
{
	for (struct top_item *it = rc->t->items; it; it = it->next) {
		switch (it->kind) {
		case TOP_GLOBAL:
			kw_apply_global(it, c, rc->d);
			/* mpath must be in effect for the loadmodules after it */
			if (strcmp(it->name, "mpath") == 0 && c->mpath)
				mod_path_set_mpath(c->mpath);
			break;
		case TOP_LOADMODULE:
			if (mod_load(it->name, cfg_dir, rc->d, it->val.pos) < 0)
				note_failed(rc, it->name);
			break;
		case TOP_MODPARAM: {
			struct val v;
			char what[256];

			if (mod_find(it->name) == NULL && module_failed(rc, it->name)) {
				snprintf(what, sizeof(what), "modparam for module "
				    "'%s', which did not load", it->name);
				unresolved(rc, it->pos, what);
				break;
			}
			if (it->val.is_int)
				val_set_int(&v, it->val.n);
			else
				val_set_str(&v, str_cstr(it->val.s));
			mod_set_param(it->name, it->param, &v, rc->d, it->val.pos);
			break;
		}
		}
	}
}

/* --- routes ------------------------------------------------------------------- */

struct route_def *
cfg_route_find(struct cfg_tree *t, enum route_kind k, const char *name)
{
	for (struct route_def *r = t->routes; r; r = r->next) {
		if (r->kind != k)
			continue;
		if ((name == NULL && r->name == NULL) ||
		    (name && r->name && strcmp(name, r->name) == 0))
			return r;
	}
	return NULL;
}

static void
check_duplicate_routes(struct rctx *rc)
{
	for (struct route_def *r = rc->t->routes; r; r = r->next)
		for (struct route_def *o = rc->t->routes; o != r; o = o->next) {
			if (o->kind != r->kind)
				continue;
			if ((o->name == NULL && r->name == NULL) ||
			    (o->name && r->name && strcmp(o->name, r->name) == 0)) {
				diag_error_at(rc->d, r->pos, "%s%s%s%s defined "
				    "twice (first at line %u)",
				    route_kind_name(r->kind), r->name ? "[" : "",
				    r->name ? r->name : "", r->name ? "]" : "",
				    o->pos.line);
				break;
			}
		}
}

/* --- expressions -------------------------------------------------------------- */

/* Keeps the warnings and notes a successful parse produced. */
static void
keep_warnings(struct rctx *rc, const struct cfg_diag *tmp)
{
	for (unsigned i = 0; i < tmp->n; i++) {
		if (tmp->items[i].sev == DIAG_WARNING)
			diag_warn_at(rc->d, tmp->items[i].pos, "%s", tmp->items[i].msg);
		else if (tmp->items[i].sev == DIAG_NOTE)
			diag_note_at(rc->d, tmp->items[i].pos, "%s", tmp->items[i].msg);
	}
}

static const struct {
	const char *kw;
	const char *pv;
} kw_pvs[] = {
	{ "method", "$rm" }, { "uri", "$ru" }, { "status", "$rs" },
	{ "src_ip", "$si" }, { "src_port", "$sp" }, { "dst_ip", "$Ri" },
	{ "dst_port", "$Rp" }, { "proto", "$pr" }, { "af", "$af" },
	{ "from_uri", "$fu" }, { "to_uri", "$tu" }, { "msg_len", "$ml" },
	{ "retcode", "$rc" },
};

static const char *const ident_consts[] = {
	"udp", "tcp", "tls", "sctp", "ws", "wss", "inet", "inet6", NULL,
};

static int resolve_call(struct rctx *rc, struct call *c);

static struct pv_ref *
parse_pv_text(struct rctx *rc, const char *text, struct cfg_pos pos)
{
	struct pv_ref *ref = NULL;
	size_t used = 0, len = strlen(text);
	struct cfg_diag tmp;
	const char *cls_end;

	/* parse into a private list first: an unknown class may be the
	 * fault of a module that did not load */
	diag_init(&tmp, rc->d->src);
	if (pv_parse_ref(text, len, &used, &ref, &tmp, pos) == 0 && used == len) {
		keep_warnings(rc, &tmp);
		diag_free(&tmp);
		return ref;
	}
	if (ref) {
		pv_ref_free(ref);
		ref = NULL;
		diag_error_at(rc->d, pos, "unexpected text after "
		    "pseudo-variable in '%s'", text);
	}
	for (unsigned i = 0; i < tmp.n; i++) {
		cls_end = strstr(tmp.items[i].msg, "unknown pseudo-variable class");
		if (cls_end && rc->nfailed)
			unresolved(rc, tmp.items[i].pos, tmp.items[i].msg);
		else
			diag_error_at(rc->d, tmp.items[i].pos, "%s",
			    tmp.items[i].msg);
	}
	diag_free(&tmp);
	return NULL;
}

/* Compiles a format, demoting unknown PV classes as parse_pv_text does. */
static struct fmt *
compile_fmt(struct rctx *rc, const char *s, size_t len, struct cfg_pos pos)
{
	struct fmt *f = NULL;
	struct cfg_diag tmp;

	diag_init(&tmp, rc->d->src);
	if (fmt_compile(s, len, &f, &tmp, pos) == 0) {
		keep_warnings(rc, &tmp);
		diag_free(&tmp);
		return f;
	}
	for (unsigned i = 0; i < tmp.n; i++) {
		if (rc->nfailed && strstr(tmp.items[i].msg,
		    "unknown pseudo-variable class"))
			unresolved(rc, tmp.items[i].pos, tmp.items[i].msg);
		else
			diag_error_at(rc->d, tmp.items[i].pos, "%s",
			    tmp.items[i].msg);
	}
	diag_free(&tmp);
	return NULL;
}

static void
resolve_expr(struct rctx *rc, struct expr *e)
{
	char what[256];

	if (e == NULL)
		return;
	if ((e->op == E_EQ || e->op == E_NE) && e->l->op == E_MYSELF &&
	    e->r->op == E_MYSELF) {
		diag_error_at(rc->d, e->pos, "comparing myself with myself");
		return;
	}
	/* `x == myself` is checked by the operator: myself is no value */
	if (!((e->op == E_EQ || e->op == E_NE) && e->l->op == E_MYSELF))
		resolve_expr(rc, e->l);
	if (!((e->op == E_EQ || e->op == E_NE) && e->r->op == E_MYSELF))
		resolve_expr(rc, e->r);
	switch (e->op) {
	case E_PV:
		e->pv = parse_pv_text(rc, e->s, e->pos);
		break;
	case E_KW:
		for (size_t i = 0; i < sizeof(kw_pvs) / sizeof(kw_pvs[0]); i++)
			if (strcmp(e->s, kw_pvs[i].kw) == 0)
				e->pv = parse_pv_text(rc, kw_pvs[i].pv, e->pos);
		break;
	case E_IDENT:
		for (int i = 0; ident_consts[i]; i++)
			if (strcasecmp(e->s, ident_consts[i]) == 0) {
				/* a constant: the lower-case text, as $pr gives */
				for (char *p = e->s; *p; p++)
					*p = (char)(*p | 0x20);
				e->op = E_STR;
				return;
			}
		if (cmd_lookup(e->s, 0, NULL, NULL) != NULL) {
			e->call = ast_call_new(e->s, e->pos);
			if (e->call) {
				e->op = E_CALL;
				resolve_call(rc, e->call);
			}
			return;
		}
		snprintf(what, sizeof(what), "unknown identifier '%s' (a "
		    "string needs quotes)", e->s);
		unresolved(rc, e->pos, what);
		break;
	case E_CALL:
		resolve_call(rc, e->call);
		break;
	case E_MYSELF:
		diag_error_at(rc->d, e->pos, "'myself' can only be compared "
		    "with == or !=");
		break;
	case E_MATCH:
	case E_NMATCH:
		if (e->r->op == E_STR) {
			int err;

			e->re = malloc(sizeof(*e->re));
			if (e->re == NULL)
				break;
			err = regcomp(e->re, e->r->s,
			    REG_EXTENDED | REG_NOSUB | REG_ICASE);
			if (err != 0) {
				char msg[128];

				regerror(err, e->re, msg, sizeof(msg));
				free(e->re);
				e->re = NULL;
				diag_error_at(rc->d, e->r->pos, "bad regular "
				    "expression \"%s\": %s", e->r->s, msg);
			}
		}
		break;
	default:
		break;
	}
}

/* --- function calls ------------------------------------------------------- */

/* Builds the core's struct arg for argument i from what the config says. */
static struct arg *
build_arg(struct rctx *rc, const struct call *c, int i, unsigned flags)
{
	const struct call_arg *ca = &c->args[i];
	struct arg *a = calloc(1, sizeof(*a));
	char num[32];
	const char *text;
	size_t tlen;

	if (a == NULL)
		return NULL;
	if (ca->kind == CA_INT) {
		tlen = (size_t)snprintf(num, sizeof(num), "%lld", ca->n);
		text = num;
	} else {
		text = ca->s;
		tlen = ca->slen;
	}
	a->text.s = strndup(text, tlen);
	a->text.len = tlen;
	if (a->text.s == NULL)
		goto fail;

	if (flags & ARG_PV) {
		if (ca->kind == CA_INT || text[0] != '$') {
			diag_error_at(rc->d, ca->pos, "%s(): argument %d must be "
			    "a writable pseudo-variable such as \"$var(x)\"",
			    c->name, i + 1);
			goto fail;
		}
		a->kind = ARG_K_PV;
		if ((a->pv = parse_pv_text(rc, a->text.s, ca->pos)) == NULL)
			goto fail;
		if (!pv_is_writable(a->pv)) {
			diag_error_at(rc->d, ca->pos, "%s(): %s is read-only",
			    c->name, a->text.s);
			goto fail;
		}
		return a;
	}
	if (flags & ARG_REGEX) {
		int err;

		a->kind = ARG_K_REGEX;
		err = regcomp(&a->re, a->text.s, REG_EXTENDED | REG_ICASE);
		if (err != 0) {
			char msg[128];

			regerror(err, &a->re, msg, sizeof(msg));
			diag_error_at(rc->d, ca->pos, "%s(): bad regular "
			    "expression \"%s\": %s", c->name, a->text.s, msg);
			a->kind = ARG_K_INT;    /* nothing to regfree */
			goto fail;
		}
		return a;
	}
	if (ca->kind == CA_INT && (flags & ARG_INT)) {
		a->kind = ARG_K_INT;
		a->n = ca->n;
		return a;
	}
	a->kind = ARG_K_FMT;
	if (flags & ARG_STATIC) {
		/* literal only: a '$' is text, never a PV */
		if (memchr(text, '$', tlen)) {
			diag_error_at(rc->d, ca->pos, "%s(): argument %d must be "
			    "a literal (no pseudo-variables)", c->name, i + 1);
			goto fail;
		}
	}
	a->fmt = compile_fmt(rc, text, tlen, ca->pos);
	if (a->fmt == NULL)
		goto fail;
	if (!(flags & ARG_STR) && (flags & ARG_INT) && fmt_is_static(a->fmt)) {
		str_t st = fmt_static_text(a->fmt);
		long long n;

		if (str_to_ll(&st, &n) < 0) {
			diag_error_at(rc->d, ca->pos, "%s(): argument %d must be "
			    "a number, not \"%s\"", c->name, i + 1, a->text.s);
			goto fail;
		}
		fmt_free(a->fmt);
		a->fmt = NULL;
		a->kind = ARG_K_INT;
		a->n = n;
	}
	return a;
fail:
	arg_free(a);
	return NULL;
}

static int
resolve_call(struct rctx *rc, struct call *c)
{
	const struct cmd_entry *ce, *first = NULL;
	int any = 0;
	char what[256];

	ce = cmd_lookup(c->name, c->nargs, &any, &first);
	if (ce == NULL) {
		if (any && first) {
			if (first->min_args == first->max_args)
				diag_error_at(rc->d, c->pos, "%s() takes %d "
				    "argument%s, %d given", c->name,
				    first->min_args,
				    first->min_args == 1 ? "" : "s", c->nargs);
			else
				diag_error_at(rc->d, c->pos, "%s() takes %d to %d "
				    "arguments, %d given", c->name,
				    first->min_args, first->max_args, c->nargs);
			return -1;
		}
		snprintf(what, sizeof(what), "unknown function '%s'", c->name);
		unresolved(rc, c->pos, what);
		return -1;
	}
	c->cmd = ce;
	for (int i = 0; i < c->nargs; i++) {
		const struct arg_spec *as = &ce->exp->args[i];
		struct arg *a = build_arg(rc, c, i, as->flags);
		void *orig = a;

		if (a == NULL)
			return -1;
		c->fixed[i] = a;
		c->fixed_core[i] = 1;
		if (as->fixup) {
			rc->d->cur = c->args[i].pos;
			if (as->fixup(&c->fixed[i], rc->d) < 0) {
				c->fixed[i] = orig;
				return -1;
			}
			if (c->fixed[i] != orig) {
				/* the module keeps its own structure; what it
				 * took from ours it has set to NULL */
				arg_free(orig);
				c->fixed_core[i] = 0;
			}
		}
	}
	return 0;
}

/* --- statements ------------------------------------------------------------- */

static void resolve_stmts(struct rctx *rc, struct stmt *s);

static void
resolve_route_call(struct rctx *rc, struct stmt *s)
{
	if (s->cond) {
		/* a route name computed per message */
		if (s->cond->op == E_STR)
			s->cond->fmt = compile_fmt(rc, s->cond->s, s->cond->slen,
			    s->cond->pos);
		else
			resolve_expr(rc, s->cond);
		return;
	}
	s->target = cfg_route_find(rc->t, R_NAMED, s->name);
	if (s->target == NULL)
		diag_error_at(rc->d, s->pos, "route(%s): no route[%s] is "
		    "defined", s->name, s->name);
}

static void
resolve_stmt(struct rctx *rc, struct stmt *s)
{
	switch (s->kind) {
	case S_BLOCK:
		resolve_stmts(rc, s->body);
		break;
	case S_IF:
		resolve_expr(rc, s->cond);
		resolve_stmts(rc, s->body);
		resolve_stmts(rc, s->els);
		break;
	case S_WHILE:
		resolve_expr(rc, s->cond);
		resolve_stmts(rc, s->body);
		break;
	case S_SWITCH:
		resolve_expr(rc, s->cond);
		for (struct case_clause *c = s->cases; c; c = c->next) {
			for (struct case_clause *o = s->cases; o != c; o = o->next)
				if (!o->val && !c->val)
					diag_error_at(rc->d, c->pos, "switch has "
					    "two default labels");
			resolve_stmts(rc, c->body);
		}
		break;
	case S_RETURN:
		resolve_expr(rc, s->cond);
		break;
	case S_ROUTE:
		resolve_route_call(rc, s);
		break;
	case S_CALL:
		resolve_call(rc, s->call);
		break;
	case S_ASSIGN:
		s->pv = parse_pv_text(rc, s->name, s->pos);
		if (s->pv && !pv_is_writable(s->pv))
			diag_error_at(rc->d, s->pos, "cannot assign to %s: it "
			    "is read-only", s->name);
		resolve_expr(rc, s->cond);
		break;
	default:
		break;
	}
}

static void
resolve_stmts(struct rctx *rc, struct stmt *s)
{
	for (; s; s = s->next)
		resolve_stmt(rc, s);
}

/* --- route types ------------------------------------------------------------- */

static unsigned
kind_mask(enum route_kind k)
{
	switch (k) {
	case R_REQUEST: return RT_REQUEST;
	case R_REPLY:
	case R_ONREPLY: return RT_REPLY;
	case R_FAILURE: return RT_FAILURE;
	case R_BRANCH:  return RT_BRANCH;
	case R_EVENT:   return RT_EVENT;
	case R_ONSEND:  return RT_ONSEND;
	default:        return 0;
	}
}

/* Adds mask to every route called from s; returns 1 if anything grew. */
static int
spread_mask(struct stmt *s, unsigned mask)
{
	int grew = 0;

	for (; s; s = s->next) {
		if (s->kind == S_ROUTE && s->target) {
			s->target->called = 1;
			if ((s->target->rt_mask | mask) != s->target->rt_mask) {
				s->target->rt_mask |= mask;
				grew = 1;
			}
		}
		grew |= spread_mask(s->body, mask);
		grew |= spread_mask(s->els, mask);
		for (struct case_clause *c = s->cases; c; c = c->next)
			grew |= spread_mask(c->body, mask);
	}
	return grew;
}

static const char *
mask_name(unsigned m)
{
	if (m & RT_FAILURE) return "failure_route";
	if (m & RT_REPLY)   return "onreply_route";
	if (m & RT_BRANCH)  return "branch_route";
	if (m & RT_EVENT)   return "event_route";
	if (m & RT_ONSEND)  return "onsend_route";
	return "request_route";
}

static void
check_call_mask(struct rctx *rc, const struct call *c, unsigned mask)
{
	unsigned bad;

	if (c == NULL || c->cmd == NULL || mask == 0)
		return;
	bad = mask & ~c->cmd->exp->routes;
	if (bad == 0)
		return;
	if (rc->cur->kind == R_NAMED)
		diag_error_at(rc->d, c->pos, "%s() cannot be used in %s "
		    "(route[%s] is called from there)", c->name, mask_name(bad),
		    rc->cur->name);
	else
		diag_error_at(rc->d, c->pos, "%s() cannot be used in %s",
		    c->name, mask_name(bad));
}

static void
check_expr_mask(struct rctx *rc, const struct expr *e, unsigned mask)
{
	if (e == NULL)
		return;
	if (e->op == E_CALL)
		check_call_mask(rc, e->call, mask);
	check_expr_mask(rc, e->l, mask);
	check_expr_mask(rc, e->r, mask);
}

static void
check_masks(struct rctx *rc, const struct stmt *s, unsigned mask)
{
	for (; s; s = s->next) {
		check_expr_mask(rc, s->cond, mask);
		if (s->kind == S_CALL)
			check_call_mask(rc, s->call, mask);
		check_masks(rc, s->body, mask);
		check_masks(rc, s->els, mask);
		for (const struct case_clause *c = s->cases; c; c = c->next) {
			check_expr_mask(rc, c->val, mask);
			check_masks(rc, c->body, mask);
		}
	}
}

static void
resolve_route_types(struct rctx *rc)
{
	struct route_def *r;
	int grew = 1, rounds = 0;

	for (r = rc->t->routes; r; r = r->next)
		r->rt_mask = kind_mask(r->kind);
	/* named routes take the types of their callers, transitively */
	while (grew && rounds++ < 1000) {
		grew = 0;
		for (r = rc->t->routes; r; r = r->next)
			if (r->rt_mask)
				grew |= spread_mask(r->body, r->rt_mask);
	}
	for (r = rc->t->routes; r; r = r->next) {
		rc->cur = r;
		check_masks(rc, r->body, r->rt_mask);
	}
}

/* The tree whose calls are being fixed up (cfg_route_defined()). */
static struct cfg_tree *resolving;

int
cfg_route_defined(enum route_kind k, const char *name)
{
	if (resolving == NULL)
		return -1;
	return cfg_route_find(resolving, k, name) != NULL;
}

int
cfg_resolve(struct cfg_tree *t, struct core_cfg *c, const char *cfg_dir,
    struct cfg_diag *d)
{
	struct rctx rc = { .t = t, .d = d };
	unsigned errors = d->errors;

	resolve_top(&rc, c, cfg_dir);
	check_duplicate_routes(&rc);
	resolving = t;
	for (struct route_def *r = t->routes; r; r = r->next) {
		rc.cur = r;
		resolve_stmts(&rc, r->body);
	}
	resolving = NULL;
	resolve_route_types(&rc);
	for (int i = 0; i < rc.nfailed; i++)
		free(rc.failed[i]);
	free(rc.failed);
	return d->errors == errors ? 0 : -1;
}
