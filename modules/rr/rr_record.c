/*
 * rr_record.c - Record-Route (RFC 3261 16.6 step 4): record_route(),
 * record_route_advertised_address(), record_route_preset(),
 * add_rr_param() and remove_record_route().
 *
 * The header is a tagged insert before the first header line of the
 * request (msg_edit.h), so tm forwards it, a failure_route's new branch
 * keeps it, and add_rr_param() can still rewrite it after the fact.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/listen.h"
#include "core/msg_edit.h"
#include "core/sock.h"
#include "modules/sl/sl_msg.h"
#include "rr_mod.h"
#include "rr_route.h"

#define RR_URI_MAX  512

/* What may not appear in URI text we copy into a Record-Route. */
#define RR_BAD_URI  "\r\n<>\" \t,"

static int
rr_is_request(struct msg *m, const char *fn)
{
	if (m->kind == MSG_SIP_REQUEST)
		return 1;
	log_errx("rr: %s: only a SIP request can be record-routed", fn);
	return 0;
}

/* Kamailio's rule: one Record-Route (or preset pair) per request. */
static int
rr_already(struct msg *m, const char *fn)
{
	if (msg_edit_find_tag(m, RR_EDIT_TAG) == NULL)
		return 0;
	log_errx("rr: %s: the request is record-routed already (double "
	    "attempt to record-route)", fn);
	return 1;
}

/* The From tag for ;ftag, or empty (append_fromtag 0, no tag, or one
 * that would break the URI). */
static str_t
rr_ftag(struct msg *m)
{
	str_t t;

	if (!rr_cfg.append_fromtag || sip_from_tag(m, &t) != 0 || t.len == 0)
		return STR_NULL;
	if (!rr_text_ok(&t, RR_BAD_URI ";?&=@")) {
		log_warnx("rr: the From tag '%.*s' cannot go into a URI "
		    "parameter: Record-Route without ftag", STR_FMT(&t));
		return STR_NULL;
	}
	return t;
}

/* The Request-URI's user for add_username, or empty. */
static str_t
rr_user(struct msg *m)
{
	str_t ruri, user;

	if (!rr_cfg.add_username || msg_get_ruri(m, &ruri) != 0 ||
	    sip_uri_user(m, &ruri, &user) != 0 || user.len == 0)
		return STR_NULL;
	if (!rr_text_ok(&user, RR_BAD_URI "@?")) {
		log_warnx("rr: the R-URI user '%.*s' cannot go into a "
		    "Record-Route URI: left out", STR_FMT(&user));
		return STR_NULL;
	}
	return user;
}

/* The transport parameter of our URI for a request that came over p. */
static const char *
rr_transport(enum proto p)
{
	switch (p) {
	case PROTO_TCP:
		return "tcp";
	case PROTO_TLS:
		return "tls";
	case PROTO_WS:
	case PROTO_WSS:
		return "ws";
	case PROTO_SCTP:
		return "sctp";
	default:
		return "";
	}
}

/* host (IPv6 in brackets) and port of the local address the request
 * arrived on, or the advertised address of its listen socket. */
static int
rr_local_addr(struct msg *m, char *host, size_t hlen, int *port)
{
	const struct sockaddr_storage *ss = &m->rcv.dst;
	struct sock_info *si = listen_at(m->rcv.sock);
	char ip[INET6_ADDRSTRLEN];
	int v6 = ss->ss_family == AF_INET6;

	if (si != NULL && si->adv_host[0] != '\0') {
		int bare6 = strchr(si->adv_host, ':') != NULL &&
		    si->adv_host[0] != '[';

		snprintf(host, hlen, "%s%s%s", bare6 ? "[" : "",
		    si->adv_host, bare6 ? "]" : "");
		*port = si->adv_port ? si->adv_port : sock_port(&si->addr);
		return 0;
	}
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			goto wildcard;
	} else if (v6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			goto wildcard;
	} else {
		log_errx("rr: record_route: the request has no local IP "
		    "address to record");
		return -1;
	}
	sock_ip_text(ss, ip, sizeof(ip));
	snprintf(host, hlen, "%s%s%s", v6 ? "[" : "", ip, v6 ? "]" : "");
	*port = sock_port(ss);
	return 0;
wildcard:
	log_errx("rr: record_route: the request came in on a wildcard "
	    "address (%s): listen on a specific address, give the listen "
	    "an advertised address, or use record_route_advertised_address()",
	    si != NULL ? si->text : "?");
	return -1;
}

/* a and b joined in m's arena. */
static int
rr_join(struct msg *m, const str_t *a, const str_t *b, str_t *out)
{
	char *s = arena_alloc(&m->arena, a->len + b->len + 1);

	if (s == NULL)
		return -1;
	if (a->len)
		memcpy(s, a->s, a->len);
	if (b->len)
		memcpy(s + a->len, b->s, b->len);
	s[a->len + b->len] = '\0';
	*out = str_make(s, a->len + b->len);
	return 0;
}

/* URI parameters from the script (";a=1"), normalised into m's arena. */
static int
rr_norm(struct msg *m, const str_t *in, str_t *out, const char *fn)
{
	size_t cap = in->len + 2, len;
	char *s;

	*out = STR_NULL;
	if (in->len == 0)
		return 0;
	if ((s = arena_alloc(&m->arena, cap)) == NULL)
		return -1;
	if (rr_params_norm(in, s, cap, &len) < 0) {
		log_errx("rr: %s: the parameters '%.*s' cannot go into a "
		    "Record-Route URI (\";name=value\" without blanks, "
		    "quotes, commas or angle brackets)", fn, STR_FMT(in));
		return -1;
	}
	*out = str_make(s, len);
	return 0;
}

/* Inserts our Record-Route for uri before the first header line, with
 * own parameters, then the ones add_rr_param() collected.  1 or -1. */
static int
rr_insert(struct msg *m, const str_t *uri, const str_t *own, const char *fn)
{
	struct rr_state *st = rr_state_get(m, 0);
	str_t ftag = rr_ftag(m), pend = st ? st->params : STR_NULL;
	str_t params, line;
	struct sl_hdr_iter it;
	size_t cap;
	char *buf;
	int n;

	if (sl_hdr_first(&it, &m->buf) < 0 ||
	    it.p >= m->buf.s + m->buf.len) {
		log_errx("rr: %s: the request has no header to put the "
		    "Record-Route before", fn);
		return -1;
	}
	if (rr_join(m, own, &pend, &params) < 0)
		goto nomem;
	cap = uri->len + ftag.len + params.len + 64;
	if ((buf = arena_alloc(&m->arena, cap)) == NULL)
		goto nomem;
	if ((n = rr_hdr_build(uri, rr_cfg.enable_full_lr, &ftag, &params,
	    buf, cap)) < 0)
		goto nomem;
	line = str_make(buf, (size_t)n);
	if (msg_edit_insert(m, (size_t)(it.p - m->buf.s), &line,
	    RR_EDIT_TAG) == NULL)
		goto nomem;
	return 1;
nomem:
	log_errx("rr: %s: cannot add the Record-Route (out of memory)", fn);
	return -1;
}

int
rr_record(struct msg *m, const str_t *params)
{
	char host[INET6_ADDRSTRLEN + 72], uri[RR_URI_MAX];
	str_t own = STR_NULL, user, u;
	int port, n;

	if (!rr_is_request(m, "record_route") ||
	    rr_already(m, "record_route"))
		return -1;
	if (params != NULL && rr_norm(m, params, &own, "record_route") < 0)
		return -1;
	if (rr_local_addr(m, host, sizeof(host), &port) < 0)
		return -1;
	user = rr_user(m);
	if ((n = rr_local_uri(&user, host, port, rr_transport(m->rcv.proto),
	    uri, sizeof(uri))) < 0) {
		log_errx("rr: record_route: the Record-Route URI is too long");
		return -1;
	}
	u = str_make(uri, (size_t)n);
	return rr_insert(m, &u, &own, "record_route");
}

int
rr_record_adv(struct msg *m, const str_t *addr)
{
	const char *fn = "record_route_advertised_address";
	char host[RR_URI_MAX], uri[RR_URI_MAX];
	str_t user, u, none = STR_NULL;
	const char *colon;
	int bare6, n;

	if (!rr_is_request(m, fn) || rr_already(m, fn))
		return -1;
	if (!rr_text_ok(addr, RR_BAD_URI ";?@") || addr->len >= 256) {
		log_errx("rr: %s: '%.*s' is not a host[:port]", fn,
		    STR_FMT(addr));
		return -1;
	}
	/* an IPv6 address without brackets (and so without a port) */
	colon = memchr(addr->s, ':', addr->len);
	bare6 = addr->s[0] != '[' && colon != NULL &&
	    memchr(colon + 1, ':', addr->len - (size_t)(colon + 1 - addr->s));
	snprintf(host, sizeof(host), "%s%.*s%s", bare6 ? "[" : "",
	    (int)addr->len, addr->s, bare6 ? "]" : "");
	user = rr_user(m);
	if ((n = rr_local_uri(&user, host, 0, rr_transport(m->rcv.proto),
	    uri, sizeof(uri))) < 0) {
		log_errx("rr: %s: the Record-Route URI is too long", fn);
		return -1;
	}
	u = str_make(uri, (size_t)n);
	return rr_insert(m, &u, &none, fn);
}

int
rr_record_preset(struct msg *m, const str_t *uri, const str_t *uri2)
{
	const char *fn = "record_route_preset";
	str_t none = STR_NULL;

	if (!rr_is_request(m, fn) || rr_already(m, fn))
		return -1;
	for (int i = 0; i < 2; i++) {
		const str_t *u = i == 0 ? uri : uri2;

		if (u != NULL && !rr_text_ok(u, RR_BAD_URI)) {
			log_errx("rr: %s: '%.*s' cannot go into a "
			    "Record-Route", fn, STR_FMT(u));
			return -1;
		}
	}
	if (rr_insert(m, uri, &none, fn) < 0)
		return -1;
	if (uri2 != NULL && rr_insert(m, uri2, &none, fn) < 0) {
		msg_edit_drop_tag(m, RR_EDIT_TAG);
		return -1;
	}
	return 1;
}

int
rr_add_param(struct msg *m, const str_t *param)
{
	struct rr_state *st;
	str_t p, all;

	if (!rr_is_request(m, "add_rr_param") ||
	    rr_norm(m, param, &p, "add_rr_param") < 0)
		return -1;
	if (p.len == 0) {
		log_errx("rr: add_rr_param: empty parameter");
		return -1;
	}
	if ((st = rr_state_get(m, 1)) == NULL ||
	    rr_join(m, &st->params, &p, &all) < 0)
		return -1;
	st->params = all;
	/* a Record-Route made already gets it before its closing '>' */
	for (struct msg_edit *e = m->edits; e != NULL; e = e->next) {
		const char *gt;
		str_t head, tail, a, b;

		if (e->del != 0 || e->tag != RR_EDIT_TAG || e->ins.len == 0)
			continue;
		for (gt = e->ins.s + e->ins.len - 1; gt > e->ins.s &&
		    *gt != '>'; gt--)
			;
		head = str_make(e->ins.s, (size_t)(gt - e->ins.s));
		tail = str_make(gt, e->ins.len - head.len);
		if (rr_join(m, &head, &p, &a) < 0 ||
		    rr_join(m, &a, &tail, &b) < 0 ||
		    msg_edit_set_text(m, e, &b) < 0) {
			log_errx("rr: add_rr_param: out of memory");
			return -1;
		}
	}
	return 1;
}

int
rr_remove(struct msg *m)
{
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("rr: remove_record_route: not a SIP request");
		return -1;
	}
	if (msg_edit_drop_tag(m, RR_EDIT_TAG) == 0)
		log_dbg("rr: remove_record_route: nothing to remove");
	return 1;
}
