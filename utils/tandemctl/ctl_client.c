/*
 * ctl_client.c - one BINRPC exchange with the ctl module (or Kamailio's):
 * parse the socket name, type the arguments like kamcmd, connect, send,
 * read the reply.  Every wait is bounded by the caller's timeout.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* --- the socket name ------------------------------------------------------- */

static int
parse_hostport(const char *s, struct ctl_addr *a, char *err, size_t errsz)
{
	const char *host = s, *port = NULL, *end;
	size_t hl;

	if (*s == '[') {                /* [v6]:port */
		if ((end = strchr(s, ']')) == NULL) {
			seterr(err, errsz, "missing ']' in %s", s);
			return -1;
		}
		host = s + 1;
		hl = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			seterr(err, errsz, "junk after ']' in %s", s);
			return -1;
		}
	} else if ((end = strrchr(s, ':')) != NULL) {
		if (strchr(s, ':') != end) {
			seterr(err, errsz, "write an IPv6 address in brackets: "
			    "[%s]", s);
			return -1;
		}
		hl = (size_t)(end - s);
		port = end + 1;
	} else
		hl = strlen(s);
	if (hl == 0 || hl >= sizeof(a->host)) {
		seterr(err, errsz, "bad host in %s", s);
		return -1;
	}
	memcpy(a->host, host, hl);
	a->host[hl] = '\0';
	if (port == NULL)
		port = CTL_DEFAULT_PORT;
	if (*port == '\0' || strlen(port) >= sizeof(a->port) ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535) {
		seterr(err, errsz, "bad port in %s", s);
		return -1;
	}
	snprintf(a->port, sizeof(a->port), "%s", port);
	return 0;
}

int
ctl_addr_parse(const char *spec, struct ctl_addr *a, char *err,
    size_t errsz)
{
	static const struct {
		const char   *prefix;
		enum ctl_kind kind;
	} kinds[] = {
		{ "unix:", CTL_UNIX }, { "unixs:", CTL_UNIX },
		{ "unixd:", CTL_UNIXD },
		{ "tcp:", CTL_TCP }, { "udp:", CTL_UDP },
	};
	const char *rest = spec;

	memset(a, 0, sizeof(*a));
	a->kind = CTL_UNIX;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(spec, kinds[i].prefix, strlen(kinds[i].prefix)) ==
		    0) {
			a->kind = kinds[i].kind;
			rest = spec + strlen(kinds[i].prefix);
			break;
		}
	if (a->kind == CTL_TCP || a->kind == CTL_UDP)
		return parse_hostport(rest, a, err, errsz);
	if (*rest == '\0' || strlen(rest) >= sizeof(a->path)) {
		seterr(err, errsz, "bad unix socket path '%s'", rest);
		return -1;
	}
	snprintf(a->path, sizeof(a->path), "%s", rest);
	return 0;
}

/* --- arguments --------------------------------------------------------------- */

static int
is_integer(const char *s, long long *n)
{
	char *end;

	if (*s == '\0' || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return 0;
	errno = 0;
	*n = strtoll(s, &end, 10);
	return *end == '\0' && errno == 0 && end != s;
}

int
ctl_arg_type(const char *arg, long long *n, const char **s, char *err,
    size_t errsz)
{
	if (strncmp(arg, "s:", 2) == 0) {
		*s = arg + 2;
		return BINRPC_T_STR;
	}
	if (strncmp(arg, "i:", 2) == 0) {
		if (!is_integer(arg + 2, n)) {
			seterr(err, errsz, "argument '%s': not an integer after "
			    "\"i:\"", arg);
			return -1;
		}
		return BINRPC_T_INT;
	}
	if (is_integer(arg, n))
		return BINRPC_T_INT;
	*s = arg;
	return BINRPC_T_STR;
}

int
ctl_build_request(struct binrpc_enc *e, uint32_t cookie, const char *method,
    int argc, char *const *argv, const uint8_t **pkt, size_t *len,
    char *err, size_t errsz)
{
	binrpc_enc_reset(e);
	binrpc_add_str(e, NULL, method, strlen(method));
	for (int i = 0; i < argc; i++) {
		long long n = 0;
		const char *s = NULL;

		switch (ctl_arg_type(argv[i], &n, &s, err, errsz)) {
		case BINRPC_T_INT:
			binrpc_add_int(e, NULL, n);
			break;
		case BINRPC_T_STR:
			binrpc_add_str(e, NULL, s, strlen(s));
			break;
		default:
			return -1;
		}
	}
	return binrpc_enc_finish(e, BINRPC_REQ, cookie, pkt, len);
}

uint32_t
ctl_cookie(void)
{
	uint32_t c;
	struct timespec ts;

	if (getrandom(&c, sizeof(c), GRND_NONBLOCK) == (ssize_t)sizeof(c))
		return c;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
}

/* --- the exchange -------------------------------------------------------------- */

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits for events on fd; 1 ready, 0 timeout, -1 error (errno). */
static int
wait_fd(int fd, short events, const struct timespec *t0, int timeout_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long left = timeout_ms - ms_since(t0);
		int rc;

		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)left);
		if (rc == -1 && errno == EINTR)
			continue;
		return rc < 0 ? -1 : rc > 0;
	}
}

/* A nonblocking connect bounded by the timeout.  0, or -1 (errno). */
static int
connect_wait(int fd, const struct sockaddr *sa, socklen_t sl,
    const struct timespec *t0, int timeout_ms)
{
	int soerr = 0;
	socklen_t el = sizeof(soerr);

	if (connect(fd, sa, sl) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -1;
	switch (wait_fd(fd, POLLOUT, t0, timeout_ms)) {
	case 0:
		errno = ETIMEDOUT;
		return -1;
	case -1:
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static void
unix_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path));
}

/* A unix socket connected to a's path.  For a datagram socket, the
 * server needs an address to reply to: bind one in $TMPDIR first and
 * return its path in local (the caller unlinks it). */
static int
open_unix(const struct ctl_addr *a, char *local, size_t lsize,
    const struct timespec *t0, int timeout_ms, char *err, size_t errsz)
{
	struct sockaddr_un sun;
	const char *tmp = getenv("TMPDIR");
	int type = a->kind == CTL_UNIXD ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd == -1) {
		seterr(err, errsz, "socket(): %s", strerror(errno));
		return -1;
	}
	if (type == SOCK_DGRAM) {
		int n = snprintf(local, lsize, "%s/tandemctl.%d.%08x",
		    tmp && *tmp ? tmp : "/tmp", (int)getpid(), ctl_cookie());

		if (n < 0 || (size_t)n >= lsize ||
		    (size_t)n >= sizeof(sun.sun_path)) {
			seterr(err, errsz, "reply socket path too long");
			local[0] = '\0';
			goto fail;
		}
		unix_addr(&sun, local);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			seterr(err, errsz, "cannot bind the reply socket %s: %s",
			    local, strerror(errno));
			local[0] = '\0';
			goto fail;
		}
	}
	unix_addr(&sun, a->path);
	if (connect_wait(fd, (struct sockaddr *)&sun, sizeof(sun), t0,
	    timeout_ms) == -1) {
		seterr(err, errsz, "cannot connect to %s:%s: %s",
		    type == SOCK_DGRAM ? "unixd" : "unix", a->path,
		    strerror(errno));
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return -1;
}

static int
open_inet(const struct ctl_addr *a, const struct timespec *t0,
    int timeout_ms, char *err, size_t errsz)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, type = a->kind == CTL_TCP ? SOCK_STREAM : SOCK_DGRAM;
	const char *proto = a->kind == CTL_TCP ? "tcp" : "udp";

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	if ((rc = getaddrinfo(a->host, a->port, &hints, &res)) != 0) {
		seterr(err, errsz, "%s:%s:%s: %s", proto, a->host, a->port,
		    gai_strerror(rc));
		return -1;
	}
	seterr(err, errsz, "%s:%s:%s: no address", proto, a->host, a->port);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd == -1)
			continue;
		if (connect_wait(fd, ai->ai_addr, ai->ai_addrlen, t0,
		    timeout_ms) == 0)
			break;
		seterr(err, errsz, "cannot connect to %s:%s:%s: %s", proto,
		    a->host, a->port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
send_all(int fd, const uint8_t *p, size_t len, const struct timespec *t0,
    int timeout_ms, char *err, size_t errsz)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, p + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			seterr(err, errsz, "send(): %s", strerror(errno));
			return -1;
		}
		if (wait_fd(fd, POLLOUT, t0, timeout_ms) <= 0) {
			seterr(err, errsz, "timeout sending the request");
			return -1;
		}
	}
	return 0;
}

/* Checks a complete packet; 0 with r's fields set, or -1. */
static int
check_reply(struct ctl_reply *r, const struct binrpc_hdr *h, char *err,
    size_t errsz)
{
	if (h->type != BINRPC_REPLY && h->type != BINRPC_FAULT) {
		seterr(err, errsz, "the server sent a request, not a reply");
		return -1;
	}
	r->type = h->type;
	r->body = r->buf + h->hdr_len;
	r->body_len = h->body_len;
	return 0;
}

/* Reads one reply packet from a stream. */
static int
recv_stream(int fd, uint32_t cookie, struct ctl_reply *r,
    const struct timespec *t0, int timeout_ms, char *err, size_t errsz)
{
	struct binrpc_hdr h;
	size_t cap = 4096, want = 0;
	int rc;

	if ((r->buf = malloc(cap)) == NULL) {
		seterr(err, errsz, "out of memory");
		return -1;
	}
	for (;;) {
		ssize_t n;

		if (r->len == cap) {
			uint8_t *nb = realloc(r->buf, cap *= 2);

			if (nb == NULL) {
				seterr(err, errsz, "out of memory");
				return -1;
			}
			r->buf = nb;
		}
		n = recv(fd, r->buf + r->len, cap - r->len, 0);
		if (n == 0) {
			seterr(err, errsz, "the server closed the connection "
			    "before its reply was complete");
			return -1;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				seterr(err, errsz, "recv(): %s", strerror(errno));
				return -1;
			}
			if (wait_fd(fd, POLLIN, t0, timeout_ms) <= 0) {
				seterr(err, errsz, "no reply within %d ms",
				    timeout_ms);
				return -1;
			}
			continue;
		}
		r->len += (size_t)n;
		rc = binrpc_parse_hdr(r->buf, r->len, CTL_REPLY_MAX, &h);
		if (rc == BINRPC_E_MORE)
			continue;
		if (rc != BINRPC_OK) {
			seterr(err, errsz, "bad reply: %s", binrpc_strerror(rc));
			return -1;
		}
		want = h.hdr_len + h.body_len;
		if (r->len < want)
			continue;
		if (h.cookie != cookie) {
			seterr(err, errsz, "the reply's cookie %08x is not the "
			    "request's %08x", h.cookie, cookie);
			return -1;
		}
		r->len = want;          /* anything more is not ours */
		return check_reply(r, &h, err, errsz);
	}
}

/* Reads datagrams until the one with our cookie. */
static int
recv_dgram(int fd, uint32_t cookie, struct ctl_reply *r,
    const struct timespec *t0, int timeout_ms, char *err, size_t errsz)
{
	struct binrpc_hdr h;
	size_t cap = 65536;
	int rc;

	if ((r->buf = malloc(cap)) == NULL) {
		seterr(err, errsz, "out of memory");
		return -1;
	}
	for (;;) {
		ssize_t n = recv(fd, r->buf, cap, 0);

		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				seterr(err, errsz, "recv(): %s", strerror(errno));
				return -1;
			}
			if (wait_fd(fd, POLLIN, t0, timeout_ms) <= 0) {
				seterr(err, errsz, "no reply within %d ms",
				    timeout_ms);
				return -1;
			}
			continue;
		}
		r->len = (size_t)n;
		rc = binrpc_parse_hdr(r->buf, r->len, CTL_REPLY_MAX, &h);
		if (rc == BINRPC_OK && h.hdr_len + h.body_len > r->len)
			rc = BINRPC_E_MORE;
		if (rc != BINRPC_OK) {
			seterr(err, errsz, "bad reply: %s", binrpc_strerror(rc));
			return -1;
		}
		if (h.cookie != cookie)
			continue;       /* a late reply to someone else */
		r->len = h.hdr_len + h.body_len;
		return check_reply(r, &h, err, errsz);
	}
}

int
ctl_call(const struct ctl_addr *a, int timeout_ms, const uint8_t *pkt,
    size_t len, uint32_t cookie, struct ctl_reply *r, char *err,
    size_t errsz)
{
	struct timespec t0;
	char local[sizeof(((struct sockaddr_un *)0)->sun_path)] = "";
	int fd = -1, rc;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (a->kind == CTL_UNIX || a->kind == CTL_UNIXD)
		fd = open_unix(a, local, sizeof(local), &t0, timeout_ms, err,
		    errsz);
	else
		fd = open_inet(a, &t0, timeout_ms, err, errsz);
	if (fd == -1)
		goto fail;
	if (send_all(fd, pkt, len, &t0, timeout_ms, err, errsz) == -1)
		goto fail;
	rc = a->kind == CTL_UDP || a->kind == CTL_UNIXD ?
	    recv_dgram(fd, cookie, r, &t0, timeout_ms, err, errsz) :
	    recv_stream(fd, cookie, r, &t0, timeout_ms, err, errsz);
	if (rc == -1)
		goto fail;
	close(fd);
	if (local[0] != '\0')
		unlink(local);
	return 0;

fail:
	ctl_reply_free(r);
	if (fd != -1)
		close(fd);
	if (local[0] != '\0')
		unlink(local);
	return -1;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
