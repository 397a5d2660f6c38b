/*
 * listen.h - the bound sockets (listen= lines or -l), opened by the
 * supervisor before fork and inherited by every process.
 */
#ifndef TD_LISTEN_H
#define TD_LISTEN_H

#include <sys/socket.h>

#include "msg.h"

#define LISTEN_MAX 64

struct sock_info {
	int                      idx;
	enum proto               proto;     /* PROTO_UDP, PROTO_TCP, PROTO_TLS */
	int                      fd;
	struct sockaddr_storage  addr;
	socklen_t                addrlen;
	char                     text[80];  /* "udp:127.0.0.1:5060"        */
	char                     adv_host[64];  /* "" when none           */
	int                      adv_port;
};

/* Binds every configured address (udp and tcp when no proto is given;
 * no listen at all: udp+tcp on *:port).  0, or -1 (logged). */
int  listen_open_all(void);
void listen_close_all(void);
int  listen_count(void);
struct sock_info *listen_at(int i);
/* The socket of proto bound to addr (port compared too), or NULL. */
struct sock_info *listen_find(enum proto p,
                              const struct sockaddr_storage *addr);
/* The first socket of proto, or NULL. */
struct sock_info *listen_first(enum proto p);

#endif
