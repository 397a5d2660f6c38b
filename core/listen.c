#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "globals.h"
#include "listen.h"
#include "log.h"
#include "sock.h"

/* Filled by the supervisor before fork; read-only in the children. */
static struct sock_info socks[LISTEN_MAX];
static int nsocks;

static int
open_one(enum proto p, const struct listen_spec *ls)
{
	struct sock_info *si;
	const char *err = NULL;
	char buf[64];
	int port = ls->port ? ls->port : p == PROTO_TLS ? 5061 : core_cfg.port;

	if (nsocks == LISTEN_MAX) {
		log_errx("too many listen sockets (max %d)", LISTEN_MAX);
		return -1;
	}
	si = &socks[nsocks];
	memset(si, 0, sizeof(*si));
	si->idx = nsocks;
	si->proto = p;
	if (sock_resolve(ls->host, port, &si->addr, &si->addrlen, &err) < 0) {
		log_errx("listen %s:%d: %s", ls->host, port, err);
		return -1;
	}
	si->fd = p == PROTO_UDP ? sock_bind_udp(&si->addr, si->addrlen) :
	    sock_bind_tcp(&si->addr, si->addrlen, 1024);
	if (si->fd == -1)
		return -1;
	if (p == PROTO_UDP && sock_udp_sleep_reads(si->fd) < 0)
		return -1;
	snprintf(si->text, sizeof(si->text), "%s:%s", proto_name(p),
	    sock_addr_text(&si->addr, buf, sizeof(buf)));
	if (ls->adv_host) {
		snprintf(si->adv_host, sizeof(si->adv_host), "%s", ls->adv_host);
		si->adv_port = ls->adv_port ? ls->adv_port : port;
	}
	log_info("listening on %s", si->text);
	nsocks++;
	return 0;
}

int
listen_open_all(void)
{
	struct listen_spec any = { .proto = PROTO_NONE, .host = "*" };
	int n = core_cfg.nlisten;

	for (int i = 0; i < (n ? n : 1); i++) {
		const struct listen_spec *ls = n ? &core_cfg.listen[i] : &any;

		switch (ls->proto) {
		case PROTO_NONE:
			if (open_one(PROTO_UDP, ls) < 0)
				return -1;
			if (!core_cfg.disable_tcp && open_one(PROTO_TCP, ls) < 0)
				return -1;
			break;
		case PROTO_UDP:
		case PROTO_TCP:
			if (open_one(ls->proto, ls) < 0)
				return -1;
			break;
		case PROTO_TLS:
			/* a TCP socket whose connections the tls module's
			 * hooks wrap (tls_hooks.h) */
			if (!core_cfg.enable_tls) {
				log_errx("listen tls:%s:%d: set enable_tls=yes and "
				    "load the tls module", ls->host, ls->port);
				return -1;
			}
			if (open_one(PROTO_TLS, ls) < 0)
				return -1;
			break;
		default:
			log_errx("listen %s:%s:%d: %s transport is not "
			    "available (it needs its module)",
			    proto_name(ls->proto), ls->host, ls->port,
			    proto_name(ls->proto));
			return -1;
		}
	}
	return 0;
}

void
listen_close_all(void)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].fd != -1)
			close(socks[i].fd);
	nsocks = 0;
}

int
listen_count(void)
{
	return nsocks;
}

struct sock_info *
listen_at(int i)
{
	return i >= 0 && i < nsocks ? &socks[i] : NULL;
}

struct sock_info *
listen_find(enum proto p, const struct sockaddr_storage *addr)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].proto == p && sock_addr_eq(&socks[i].addr, addr))
			return &socks[i];
	return NULL;
}

struct sock_info *
listen_first(enum proto p)
{
	for (int i = 0; i < nsocks; i++)
		if (socks[i].proto == p)
			return &socks[i];
	return NULL;
}
