/*
 * sock.h - socket helpers: flags, bind/listen, address <-> text.
 */
#ifndef TD_SOCK_H
#define TD_SOCK_H

#include <stddef.h>
#include <sys/socket.h>

#include "str.h"

int sock_nonblock(int fd);
int sock_cloexec(int fd);

/*
 * Resolves host (IPv4, IPv6 with or without brackets, "*" = any, or a
 * name) and port into *ss.  0, or -1 with a static message in *err.
 */
int sock_resolve(const char *host, int port, struct sockaddr_storage *ss,
                 socklen_t *len, const char **err);

/* A bound (and for TCP listening) non-blocking socket, or -1 (logged). */
int sock_bind_udp(const struct sockaddr_storage *ss, socklen_t len);
int sock_bind_tcp(const struct sockaddr_storage *ss, socklen_t len,
                  int backlog);
/*
 * Makes a SIP listen socket blocking for reads, so UDP receivers sleep
 * in recvmmsg() itself (see udp_recv.c); every other reader and every
 * sender of such a socket passes MSG_DONTWAIT.  A one-second receive
 * timeout lets a receiver look at its stop flag.  0 or -1 (logged).
 */
int sock_udp_sleep_reads(int fd);

/* "1.2.3.4" / "::1" (no brackets) into buf; returns buf. */
const char *sock_ip_text(const struct sockaddr_storage *ss, char *buf,
                         size_t len);
int         sock_port(const struct sockaddr_storage *ss);
/* "1.2.3.4:5060" or "[::1]:5060" into buf; returns buf. */
const char *sock_addr_text(const struct sockaddr_storage *ss, char *buf,
                           size_t len);
/* 1 when address and port are equal. */
int         sock_addr_eq(const struct sockaddr_storage *a,
                         const struct sockaddr_storage *b);
socklen_t   sock_addr_len(const struct sockaddr_storage *ss);

#endif
