#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sock.h"

int
sock_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

int
sock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

int
sock_resolve(const char *host, int port, struct sockaddr_storage *ss,
    socklen_t *len, const char **err)
{
	struct addrinfo hints, *res = NULL;
	char h[256], p[16];
	size_t n = strlen(host);

	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof(h)) {
		*err = "host name too long";
		return -1;
	}
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcmp(h, "*") == 0 || strcmp(h, "0.0.0.0") == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		*len = sizeof(*sin);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(p, sizeof(p), "%d", port);
	if (getaddrinfo(h, p, &hints, &res) != 0 || res == NULL) {
		*err = "cannot resolve the host";
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
sock_bind_common(int type, const struct sockaddr_storage *ss, socklen_t len)
{
	char buf[64];
	int fd, on = 1;

	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_err("socket() for %s failed", sock_addr_text(ss, buf,
		    sizeof(buf)));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1) {
		log_err("bind() to %s/%s failed", sock_addr_text(ss, buf,
		    sizeof(buf)), type == SOCK_DGRAM ? "udp" : "tcp");
		close(fd);
		return -1;
	}
	return fd;
}

int
sock_bind_udp(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = sock_bind_common(SOCK_DGRAM, ss, len);
	int sz = 4 << 20;

	if (fd != -1) {
		/* bursts of requests must not be dropped by a small queue */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	return fd;
}

int
sock_udp_sleep_reads(int fd)
{
	struct timeval tv = { .tv_sec = 1 };
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		log_err("cannot make UDP socket %d blocking", fd);
		return -1;
	}
	return 0;
}

int
sock_bind_tcp(const struct sockaddr_storage *ss, socklen_t len, int backlog)
{
	char buf[64];
	int fd = sock_bind_common(SOCK_STREAM, ss, len);

	if (fd == -1)
		return -1;
	if (listen(fd, backlog) == -1) {
		log_err("listen() on %s failed", sock_addr_text(ss, buf,
		    sizeof(buf)));
		close(fd);
		return -1;
	}
	return fd;
}

const char *
sock_ip_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

int
sock_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return 0;
}

const char *
sock_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	sock_ip_text(ss, ip, sizeof(ip));
	if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", ip, sock_port(ss));
	else
		snprintf(buf, len, "%s:%d", ip, sock_port(ss));
	return buf;
}

int
sock_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

socklen_t
sock_addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}
