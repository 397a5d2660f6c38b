/*
 * msrp_pv.c - $msrp(key): parts of the current frame, and the
 * {msrpuri.key} transformation.  Read-only.
 *
 * Hop keys follow Kamailio: crthop = first To-Path URI (this relay),
 * nexthop = second To-Path URI, lasthop = last To-Path URI, prevhop =
 * first From-Path URI, firsthop = last From-Path URI, nexthops = To-Path
 * URIs - 1, prevhops = From-Path URIs.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "msrp.h"

enum msrp_key {
	K_BUF = 1, K_BODY, K_CODE, K_HDRS, K_MSGID, K_METHOD, K_BUFLEN,
	K_SESSID, K_REASON, K_BODYLEN, K_TRANSID, K_CRTHOP, K_PREVHOP,
	K_NEXTHOP, K_LASTHOP, K_FIRSTHOP, K_PREVHOPS, K_NEXTHOPS, K_SRCADDR,
	K_SRCSOCK, K_CONID,
};

static const struct {
	const char    *name;
	enum msrp_key  key;
} keys[] = {
	{ "buf", K_BUF }, { "body", K_BODY }, { "code", K_CODE },
	{ "hdrs", K_HDRS }, { "msgid", K_MSGID }, { "method", K_METHOD },
	{ "buflen", K_BUFLEN }, { "sessid", K_SESSID }, { "reason", K_REASON },
	{ "bodylen", K_BODYLEN }, { "transid", K_TRANSID },
	{ "crthop", K_CRTHOP }, { "prevhop", K_PREVHOP },
	{ "nexthop", K_NEXTHOP }, { "lasthop", K_LASTHOP },
	{ "firsthop", K_FIRSTHOP }, { "prevhops", K_PREVHOPS },
	{ "nexthops", K_NEXTHOPS }, { "srcaddr", K_SRCADDR },
	{ "srcsock", K_SRCSOCK }, { "conid", K_CONID },
};

static int
msrp_pv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	for (size_t i = 0; inner && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (str_eq_cstr(inner, keys[i].name)) {
			*compiled = (void *)(uintptr_t)keys[i].key;
			return 0;
		}
	diag_error(d, "$msrp: unknown key '%.*s'", inner ? (int)inner->len : 0,
	    inner ? inner->s : "");
	return -1;
}

static void
set_s(struct val *out, str_t s)
{
	val_set_str(out, s);
}

static void
set_int(struct msg *m, struct val *out, long long n)
{
	/* both views, as Kamailio gives them: compare as a number, print as
	 * text */
	char buf[24];
	int len = snprintf(buf, sizeof(buf), "%lld", n);

	out->flags = VAL_INT;
	out->n = n;
	out->s = STR_NULL;
	if (len > 0 && (out->s.s = arena_strndup(&m->arena, buf, (size_t)len))) {
		out->s.len = (size_t)len;
		out->flags |= VAL_STR;
	}
}

static int
uri_or_null(struct val *out, const struct msrp_uri *u, int n, int i)
{
	if (i < 0 || i >= n)
		val_set_null(out);
	else
		set_s(out, u[i].buf);
	return 0;
}

static int
msrp_pv_get(struct msg *m, void *compiled, struct val *out)
{
	struct msrp_ctx *c = m->kind == MSG_MSRP ? m->proto_ctx : NULL;
	const struct msrp_frame *f;
	const struct msrp_hdr *h;
	str_t s;

	val_set_null(out);
	if (c == NULL)
		return 0;
	f = &c->f;
	switch ((enum msrp_key)(uintptr_t)compiled) {
	case K_BUF:      set_s(out, f->buf); break;
	case K_BODY:     set_s(out, f->body); break;
	case K_CODE:     if (f->is_reply) set_int(m, out, f->code); break;
	case K_HDRS:     set_s(out, f->hdr_block); break;
	case K_MSGID:
		if ((h = msrp_frame_hdr(f, MSRP_H_MESSAGE_ID)) != NULL)
			set_s(out, h->value);
		break;
	case K_METHOD:   if (!f->is_reply) set_s(out, f->method); break;
	case K_BUFLEN:   set_int(m, out, (long long)f->buf.len); break;
	case K_SESSID:
		if (f->nto > 0)
			set_s(out, f->to[0].session);
		break;
	case K_REASON:   if (f->is_reply) set_s(out, f->reason); break;
	case K_BODYLEN:  set_int(m, out, (long long)f->body.len); break;
	case K_TRANSID:  set_s(out, f->tid); break;
	case K_CRTHOP:   return uri_or_null(out, f->to, f->nto, 0);
	case K_NEXTHOP:  return uri_or_null(out, f->to, f->nto, 1);
	case K_LASTHOP:  return uri_or_null(out, f->to, f->nto, f->nto - 1);
	case K_PREVHOP:  return uri_or_null(out, f->from, f->nfrom, 0);
	case K_FIRSTHOP: return uri_or_null(out, f->from, f->nfrom, f->nfrom - 1);
	case K_PREVHOPS: set_int(m, out, f->nfrom); break;
	case K_NEXTHOPS: set_int(m, out, f->nto > 0 ? f->nto - 1 : 0); break;
	case K_SRCADDR:
		if (msrp_srcaddr(m, &s) < 0)
			return -1;
		set_s(out, s);
		break;
	case K_SRCSOCK:
		if (msrp_srcsock(m, &s) < 0)
			return -1;
		set_s(out, s);
		break;
	case K_CONID:    set_int(m, out, (long long)m->rcv.conn_id); break;
	}
	return 0;
}

const struct pv_export msrp_pvs[] = {
	{ .name = "msrp", .flags = PV_READ | PV_INNER, .parse = msrp_pv_parse,
	  .get = msrp_pv_get },
	{ .name = NULL },
};

/* --- {msrpuri.key} ---------------------------------------------------------- */

enum uri_key { U_USER = 1, U_HOST, U_PORT, U_SESSION, U_PROTO, U_PARAMS,
	U_USERINFO, U_SCHEME };

static int
msrpuri_parse(const str_t *key, const str_t *args, void **compiled,
    struct cfg_diag *d)
{
	static const struct { const char *n; enum uri_key k; } tab[] = {
		{ "user", U_USER }, { "host", U_HOST }, { "port", U_PORT },
		{ "session", U_SESSION }, { "proto", U_PROTO },
		{ "params", U_PARAMS }, { "userinfo", U_USERINFO },
		{ "scheme", U_SCHEME },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (str_eq_cstr(key, tab[i].n)) {
			*compiled = (void *)(uintptr_t)tab[i].k;
			return 0;
		}
	diag_error(d, "{msrpuri.%.*s}: unknown key (user, host, port, session, "
	    "proto, params, userinfo, scheme)", (int)key->len, key->s);
	return -1;
}

static int
msrpuri_apply(struct msg *m, void *compiled, struct val *v)
{
	struct msrp_uri u;
	const char *err = NULL;
	str_t in;

	if (val_to_str(&m->arena, v, &in) < 0)
		return -1;
	if (msrp_uri_parse(&in, &u, &err) < 0) {
		log_dbg("{msrpuri}: '%.*s' is not an MSRP URI: %s", STR_FMT(&in),
		    err);
		val_set_null(v);
		return 0;
	}
	switch ((enum uri_key)(uintptr_t)compiled) {
	case U_USER:     val_set_str(v, u.user); break;
	case U_HOST:     val_set_str(v, u.host); break;
	case U_PORT:     val_set_str(v, u.port); break;
	case U_SESSION:  val_set_str(v, u.session); break;
	case U_PROTO:    val_set_str(v, u.transport); break;
	case U_PARAMS:   val_set_str(v, u.params); break;
	case U_USERINFO: val_set_str(v, u.userinfo); break;
	case U_SCHEME:   val_set_str(v, u.scheme); break;
	}
	return 0;
}

const struct tr_export msrp_trs[] = {
	{ .cls = "msrpuri", .parse = msrpuri_parse, .apply = msrpuri_apply },
	{ .cls = NULL },
};
