/*
 * rr_loose.c - routing by the Route set (RFC 3261 16.4, 16.6 step 6,
 * 16.12): loose_route(), and what it learnt about our own URI for
 * check_route_param(), is_direction() and $route_uri.
 *
 * The decision is rr_plan_make() (pure, rr_route.c); this file reads
 * the request, asks expr_is_myself() which URIs are ours and applies
 * the plan: Route values removed through msg_edit, $ru / $du set.
 */
#include "config.h"

#include <string.h>

#include "core/expr.h"
#include "core/msg_edit.h"
#include "rr_mod.h"
#include "rr_route.h"

/* Ours: one of our addresses, unless its user is ignore_user. */
static int
rr_mine(const str_t *uri, void *ctx)
{
	str_t user;

	(void)ctx;
	if (rr_cfg.ignore_user != NULL) {
		user = rr_uri_user(uri);
		if (str_eq_cstr(&user, rr_cfg.ignore_user))
			return 0;
	}
	return expr_is_myself(uri);
}

/* Adds "Route: <uri>" at the end of the header block. */
static int
rr_append_route(struct msg *m, size_t eoh, const str_t *uri)
{
	size_t cap = uri->len + 16;
	char *buf = arena_alloc(&m->arena, cap);
	str_t line;

	if (buf == NULL)
		return -1;
	memcpy(buf, "Route: <", 8);
	memcpy(buf + 8, uri->s, uri->len);
	memcpy(buf + 8 + uri->len, ">\r\n", 3);
	line = str_make(buf, uri->len + 11);
	return msg_edit_insert(m, eoh, &line, 0) != NULL ? 0 : -1;
}

/* The plan's changes to m.  0 or -1 (out of memory). */
static int
rr_apply(struct msg *m, const struct rr_set *s, const struct rr_plan *p)
{
	struct rr_cut cuts[RR_MAX_CUTS];
	int n = rr_set_cuts(s, p->drop, cuts);

	for (int i = 0; i < n; i++)
		if (msg_edit_remove(m, cuts[i].off, cuts[i].len) < 0)
			return -1;
	if (p->append.len && rr_append_route(m, s->eoh, &p->append) < 0)
		return -1;
	if (p->new_ruri.len && msg_set_ruri(m, &p->new_ruri) < 0)
		return -1;
	if (p->new_duri.len && msg_set_duri(m, &p->new_duri) < 0)
		return -1;
	return 0;
}

int
rr_loose_route(struct msg *m)
{
	struct rr_state *st;
	struct rr_plan p;
	struct rr_set *s;
	const char *err;
	str_t bad, ruri, totag;
	int in_dialog;

	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("rr: loose_route: not a SIP request");
		return -1;
	}
	/* a second call finds the Route set it already consumed */
	if ((st = rr_state_get(m, 0)) != NULL && st->loose_rc != 0)
		return st->loose_rc;
	if ((s = arena_alloc(&m->arena, sizeof(*s))) == NULL)
		goto nomem;
	if (rr_set_scan(&m->buf, s, &err, &bad) < 0) {
		log_errx("rr: loose_route: malformed Route header: %s: '%.*s'",
		    err, STR_FMT(&bad));
		return -1;
	}
	if (s->n == 0) {
		log_dbg("rr: loose_route: no Route header");
		return -1;
	}
	if (msg_get_ruri(m, &ruri) < 0) {
		log_errx("rr: loose_route: the request has no Request-URI");
		return -1;
	}
	in_dialog = sip_to_tag(m, &totag) == 0 && totag.len > 0;
	rr_plan_make(s, &ruri, in_dialog, rr_mine, NULL, &p);
	if ((st = rr_state_get(m, 1)) == NULL)
		goto nomem;
	/* the plan points into the received text or the R-URI in the
	 * arena: keep our URI's parameters before the R-URI changes */
	st->own = p.own;
	if (p.own && arena_str_dup(&m->arena, &p.own_params,
	    &st->own_params) < 0)
		goto nomem;
	if (rr_apply(m, s, &p) < 0)
		goto nomem;
	st->loose_rc = p.rc;
	log_dbg("rr: loose_route: rc %d, R-URI %.*s, destination %.*s",
	    p.rc, STR_FMT(&p.new_ruri), STR_FMT(&p.new_duri));
	return p.rc;
nomem:
	log_errx("rr: loose_route: out of memory");
	return -1;
}

int
rr_check_param(struct msg *m, const regex_t *re)
{
	struct rr_state *st = rr_state_get(m, 0);
	char *text;
	int rc;

	if (st == NULL || !st->own) {
		log_dbg("rr: check_route_param: no Route of ours was "
		    "processed (call loose_route() first)");
		return -1;
	}
	/* regexec() wants a C string */
	if ((text = arena_strndup(&m->arena, st->own_params.s,
	    st->own_params.len)) == NULL)
		return -1;
	rc = regexec(re, text, 0, NULL, 0);
	return rc == 0 ? 1 : -1;
}

int
rr_is_direction(struct msg *m, int upstream)
{
	struct rr_state *st = rr_state_get(m, 0);
	str_t ftag, tag;
	int down = 1;

	/* as in Kamailio, a request without an ftag to compare with
	 * counts as downstream */
	if (st != NULL && st->own &&
	    rr_param_get(&st->own_params, "ftag", &ftag) && ftag.len > 0) {
		if (sip_from_tag(m, &tag) != 0)
			tag = STR_NULL;
		down = str_eq(&ftag, &tag);
	}
	return down != upstream ? 1 : -1;
}

int
rr_route_uri(struct msg *m, struct val *out)
{
	struct rr_set *s;
	const char *err;
	str_t bad;

	val_set_null(out);
	if (m->kind != MSG_SIP_REQUEST)
		return 0;
	if ((s = arena_alloc(&m->arena, sizeof(*s))) == NULL)
		return -1;
	if (rr_set_scan(&m->buf, s, &err, &bad) < 0) {
		log_errx("rr: $route_uri: malformed Route header: %s: '%.*s'",
		    err, STR_FMT(&bad));
		return 0;
	}
	if (s->n > 0)
		val_set_str(out, s->r[0].uri);
	return 0;
}
