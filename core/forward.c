/*
 * forward.c - SIP URI to destination, local socket choice, sending (see
 * forward.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "conn_send.h"
#include "forward.h"
#include "listen.h"
#include "log.h"
#include "sip.h"
#include "sock.h"

/* --- URI parsing (pure) ----------------------------------------------------- */

static int
fwd_ieq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

int
fwd_uri_parse(const str_t *uri, struct fwd_uri *out, const char **err)
{
	const char *p = uri->s, *end = uri->s + uri->len, *q, *hend;
	long port = 0;

	memset(out, 0, sizeof(*out));
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '<') {
		/* a name-addr's URI: up to the closing bracket */
		p++;
		if ((q = memchr(p, '>', (size_t)(end - p))) == NULL) {
			*err = "unbalanced '<' in the URI";
			return -1;
		}
		end = q;
	}
	if ((size_t)(end - p) >= 5 && strncasecmp(p, "sips:", 5) == 0) {
		out->secure = 1;
		p += 5;
	} else if ((size_t)(end - p) >= 4 && strncasecmp(p, "sip:", 4) == 0) {
		p += 4;
	} else {
		*err = "not a sip: or sips: URI";
		return -1;
	}
	/* the user part ends at the last '@' before the parameters */
	for (q = p; q < end && *q != ';' && *q != '?'; q++)
		if (*q == '@')
			p = q + 1;
	if (p < end && *p == '[') {
		if ((q = memchr(p, ']', (size_t)(end - p))) == NULL) {
			*err = "unbalanced '[' in the URI host";
			return -1;
		}
		out->host = str_make(p + 1, (size_t)(q - p - 1));
		hend = q + 1;
	} else {
		for (q = p; q < end && *q != ':' && *q != ';' && *q != '?' &&
		    *q != '>'; q++)
			;
		out->host = str_make(p, (size_t)(q - p));
		hend = q;
	}
	if (out->host.len == 0) {
		*err = "the URI has no host";
		return -1;
	}
	p = hend;
	if (p < end && *p == ':') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if ((port = port * 10 + (*p - '0')) > 65535)
				break;
		if (port < 1 || port > 65535 || (p < end && *p != ';' &&
		    *p != '?')) {
			*err = "bad port in the URI";
			return -1;
		}
		out->port = (int)port;
	} else if (p < end && *p != ';' && *p != '?') {
		*err = "unexpected character after the URI host";
		return -1;
	}
	/* parameters: only transport= matters here */
	while (p < end && *p == ';') {
		const char *n = ++p, *v = NULL;

		while (p < end && *p != ';' && *p != '?') {
			if (*p == '=' && v == NULL)
				v = p + 1;
			p++;
		}
		if (v && fwd_ieq(n, (size_t)(v - 1 - n), "transport")) {
			size_t vl = (size_t)(p - v);

			if (fwd_ieq(v, vl, "udp"))
				out->proto = PROTO_UDP;
			else if (fwd_ieq(v, vl, "tcp"))
				out->proto = PROTO_TCP;
			else if (fwd_ieq(v, vl, "tls"))
				out->proto = PROTO_TLS;
			else {
				*err = "unsupported transport= in the URI "
				    "(udp, tcp, tls)";
				return -1;
			}
		}
	}
	return 0;
}

enum proto
fwd_uri_proto(const struct fwd_uri *u)
{
	if (u->secure)
		return PROTO_TLS;       /* sips: TLS whatever transport= says */
	return u->proto != PROTO_NONE ? u->proto : PROTO_UDP;
}

int
fwd_uri_port(const struct fwd_uri *u)
{
	if (u->port)
		return u->port;
	return fwd_uri_proto(u) == PROTO_TLS ? 5061 : 5060;
}

/* --- resolution and the local socket ---------------------------------------- */

/* The first listen socket of proto in the address family of `to`. */
static int
fwd_pick_sock(enum proto p, const struct sockaddr_storage *to)
{
	for (int i = 0; i < listen_count(); i++) {
		struct sock_info *si = listen_at(i);

		if (si != NULL && si->proto == p &&
		    si->addr.ss_family == to->ss_family)
			return i;
	}
	return -1;
}

int
fwd_resolve(const str_t *uri, struct fwd_dest *d, const char **err)
{
	struct fwd_uri u;
	char host[256];
	socklen_t len;

	memset(d, 0, sizeof(*d));
	d->sock = -1;
	if (fwd_uri_parse(uri, &u, err) < 0)
		return -1;
	if (u.host.len >= sizeof(host)) {
		*err = "URI host too long";
		return -1;
	}
	memcpy(host, u.host.s, u.host.len);
	host[u.host.len] = '\0';
	d->proto = fwd_uri_proto(&u);
	if (sock_resolve(host, fwd_uri_port(&u), &d->to, &len, err) < 0)
		return -1;
	if ((d->sock = fwd_pick_sock(d->proto, &d->to)) < 0) {
		*err = d->proto == PROTO_UDP ? "no UDP listen socket for the "
		    "destination's address family" : d->proto == PROTO_TCP ?
		    "no TCP listen socket for the destination's address "
		    "family" : "no TLS listen socket for the destination's "
		    "address family";
		return -1;
	}
	return 0;
}

int
fwd_msg_dest(struct msg *m, struct fwd_dest *d, const char **err)
{
	str_t uri;

	if (msg_get_duri(m, &uri) == 1 && uri.len > 0)
		return fwd_resolve(&uri, d, err);
	if (msg_get_ruri(m, &uri) < 0) {
		*err = "the request has no Request-URI";
		return -1;
	}
	return fwd_resolve(&uri, d, err);
}

int
fwd_via_addr(const struct fwd_dest *d, char *host, size_t hostlen,
    int *port)
{
	struct sock_info *si = d->sock >= 0 ? listen_at(d->sock) : NULL;
	char ip[INET6_ADDRSTRLEN];

	if (si == NULL)
		return -1;
	if (si->adv_host[0]) {
		snprintf(host, hostlen, "%s", si->adv_host);
		*port = si->adv_port ? si->adv_port : sock_port(&si->addr);
		return 0;
	}
	sock_ip_text(&si->addr, ip, sizeof(ip));
	if (si->addr.ss_family == AF_INET6)
		snprintf(host, hostlen, "[%s]", ip);
	else
		snprintf(host, hostlen, "%s", ip);
	*port = sock_port(&si->addr);
	return 0;
}

const char *
fwd_proto_token(enum proto p)
{
	switch (p) {
	case PROTO_TCP:
		return "TCP";
	case PROTO_TLS:
		return "TLS";
	case PROTO_WS:
		return "WS";
	case PROTO_WSS:
		return "WSS";
	case PROTO_SCTP:
		return "SCTP";
	default:
		return "UDP";
	}
}

/* --- sending ------------------------------------------------------------------ */

int
fwd_send(const struct fwd_dest *d, const char *buf, size_t len,
    uint64_t *conn_id)
{
	return fwd_send_opt(d, buf, len, conn_id, 0);
}

int
fwd_send_opt(const struct fwd_dest *d, const char *buf, size_t len,
    uint64_t *conn_id, unsigned opt)
{
	uint64_t id;
	char a[64];

	if (d->proto == PROTO_UDP) {
		if (d->sock < 0)
			return FWD_ERR_SEND;
		return udp_send(d->sock, &d->to, buf, len) < 0 ?
		    FWD_ERR_SEND : FWD_OK;
	}
	if ((id = conn_find_by_addr(d->proto, &d->to)) == 0 &&
	    (opt & FWD_O_NO_CONNECT)) {
		log_info("no %s connection to %s, and the script said not to "
		    "open one", proto_name(d->proto),
		    sock_addr_text(&d->to, a, sizeof(a)));
		return FWD_ERR_NOCONN;
	}
	if (id == 0) {
		/* only a TCP worker (or fork=no) can open a connection;
		 * conn_connect() says so when this process cannot */
		if ((id = conn_connect(d->proto, &d->to)) == 0) {
			log_errx("no %s connection to %s and this process "
			    "cannot open one", proto_name(d->proto),
			    sock_addr_text(&d->to, a, sizeof(a)));
			return FWD_ERR_NOCONN;
		}
	}
	if (conn_id)
		*conn_id = id;
	return conn_send(id, buf, len, (opt & FWD_O_CLOSE) ? SEND_CLOSE : 0)
	    < 0 ? FWD_ERR_SEND : FWD_OK;
}
