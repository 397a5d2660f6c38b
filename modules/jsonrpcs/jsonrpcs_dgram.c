/*
 * jsonrpcs_dgram.c - the datagram transport (see jsonrpcs_dgram.h).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sock.h"
#include "core/xalloc.h"
#include "jsonrpcs_dgram.h"
#include "jsonrpcs_rpc.h"

#define POLL_MS  500            /* how often the stop flag is seen */

struct addr {
	int   is_unix;
	char  path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char  host[256];
	int   port;
};

/* The bound socket; every process has its copy after fork. */
static struct {
	int    fd;
	int    is_unix;
	char   path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int    created;
	dev_t  dev;
	ino_t  ino;
} D = { .fd = -1 };

/* --- addresses ------------------------------------------------------------ */

/* "udp:host:port", "udp:[v6]:port", "unix:/path" or "/path" */
static int
parse_spec(const char *spec, struct addr *a, char *err, size_t errlen)
{
	const char *hp, *colon, *end;
	char *p;
	long port;

	memset(a, 0, sizeof(*a));
	if (strncasecmp(spec, "udp:", 4) != 0) {
		const char *path = strncasecmp(spec, "unix:", 5) == 0 ?
		    spec + 5 : spec;

		if (path[0] == '\0') {
			snprintf(err, errlen, "empty socket path");
			return -1;
		}
		if (strlen(path) >= sizeof(a->path)) {
			snprintf(err, errlen, "unix socket path longer than "
			    "%zu bytes", sizeof(a->path) - 1);
			return -1;
		}
		a->is_unix = 1;
		memcpy(a->path, path, strlen(path) + 1);
		return 0;
	}
	hp = spec + 4;
	if (hp[0] == '[') {
		if ((end = strchr(hp, ']')) == NULL) {
			snprintf(err, errlen, "missing ']' after the IPv6 "
			    "address");
			return -1;
		}
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL) {
			snprintf(err, errlen, "junk after ']'");
			return -1;
		}
		end++;
	} else {
		colon = strrchr(hp, ':');
		end = colon;
	}
	if (colon == NULL) {
		snprintf(err, errlen, "no port in '%s' (udp:host:port)", spec);
		return -1;
	}
	if (end == hp || (size_t)(end - hp) >= sizeof(a->host)) {
		snprintf(err, errlen, "missing or too long host in '%s'", spec);
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &p, 10);
	if (colon[1] == '\0' || *p != '\0' || errno || port < 1 ||
	    port > 65535) {
		snprintf(err, errlen, "bad port '%s'", colon + 1);
		return -1;
	}
	memcpy(a->host, hp, (size_t)(end - hp));
	a->host[end - hp] = '\0';
	a->port = (int)port;
	return 0;
}

int
jsonrpcs_dgram_check(const char *spec, char *err, size_t errlen)
{
	struct addr a;

	return parse_spec(spec, &a, err, errlen);
}

/* --- binding --------------------------------------------------------------- */

static int
mkdir_parent_of(const char *path)
{
	char *copy = xstrdup(path), *dir;
	int rc = 0;

	if (copy == NULL)
		return -1;
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err("jsonrpcs: cannot create the directory %s", dir);
		rc = -1;
	}
	xfree(copy);
	return rc;
}

/* A socket file left at path is replaced (as Kamailio does); anything
 * else there is an error. */
static int
take_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_err("jsonrpcs: lstat(%s)", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_errx("jsonrpcs: %s exists and is not a socket; not "
		    "replacing it", path);
		return -1;
	}
	log_info("jsonrpcs: replacing the old socket %s", path);
	if (unlink(path) == -1 && errno != ENOENT) {
		log_err("jsonrpcs: cannot remove the old socket %s", path);
		return -1;
	}
	return 0;
}

static int
open_unix(const struct jsonrpcs_dgram_cfg *cfg, const struct addr *a,
    int mkdir_parent)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	if ((mkdir_parent && mkdir_parent_of(a->path) == -1) ||
	    take_path(a->path) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->path, strlen(a->path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_err("jsonrpcs: socket() for %s", a->path);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_err("jsonrpcs: cannot bind the unix socket %s", a->path);
		close(fd);
		return -1;
	}
	memcpy(D.path, a->path, strlen(a->path) + 1);
	D.created = 1;
	D.fd = fd;
	if (lstat(a->path, &st) == -1) {
		log_err("jsonrpcs: lstat(%s)", a->path);
		return -1;
	}
	D.dev = st.st_dev;
	D.ino = st.st_ino;
	if (chmod(a->path, cfg->mode) == -1) {
		log_err("jsonrpcs: chmod(%s, 0%o)", a->path, cfg->mode);
		return -1;
	}
	if ((cfg->uid != (uid_t)-1 || cfg->gid != (gid_t)-1) &&
	    chown(a->path, cfg->uid, cfg->gid) == -1) {
		log_err("jsonrpcs: chown(%s)", a->path);
		return -1;
	}
	return 0;
}

static int
open_udp(const struct addr *a)
{
	struct sockaddr_storage ss;
	const char *err = NULL;
	socklen_t len;

	if (sock_resolve(a->host, a->port, &ss, &len, &err) == -1) {
		log_errx("jsonrpcs: dgram_socket udp:%s:%d: %s", a->host,
		    a->port, err);
		return -1;
	}
	if ((D.fd = sock_bind_udp(&ss, len)) == -1) {
		log_errx("jsonrpcs: cannot listen on udp:%s:%d", a->host,
		    a->port);
		return -1;
	}
	sock_cloexec(D.fd);
	return 0;
}

int
jsonrpcs_dgram_open(const struct jsonrpcs_dgram_cfg *cfg, int mkdir_parent)
{
	struct addr a;
	char err[160];
	int sndbuf = JSONRPCS_DGRAM_SNDBUF;

	if (parse_spec(cfg->spec, &a, err, sizeof(err)) == -1) {
		log_errx("jsonrpcs: dgram_socket: %s", err);
		return -1;
	}
	D.is_unix = a.is_unix;
	if ((a.is_unix ? open_unix(cfg, &a, mkdir_parent) : open_udp(&a)) ==
	    -1) {
		jsonrpcs_dgram_close(1);
		return -1;
	}
	/* large replies (core.psx of a big server) need a large buffer; the
	 * kernel caps it at wmem_max, which is fine: EMSGSIZE is handled */
	if (setsockopt(D.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf))
	    == -1)
		log_dbg("jsonrpcs: SO_SNDBUF not raised: %s", strerror(errno));
	return 0;
}

void
jsonrpcs_dgram_close(int unlink_file)
{
	struct stat st;

	if (D.fd != -1) {
		close(D.fd);
		D.fd = -1;
	}
	if (!unlink_file || !D.created)
		return;
	if (lstat(D.path, &st) == 0 && (st.st_dev != D.dev ||
	    st.st_ino != D.ino))
		log_info("jsonrpcs: %s was replaced by another process; "
		    "leaving it", D.path);
	else if (unlink(D.path) == -1 && errno != ENOENT)
		log_err("jsonrpcs: cannot remove %s", D.path);
	D.created = 0;
}

/* --- serving ------------------------------------------------------------------ */

static volatile sig_atomic_t dgram_stop;

static void
on_term(int sig)
{
	(void)sig;
	dgram_stop = 1;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends one datagram, waiting at most timeout_ms for room.  0, or the
 * errno that stopped it. */
static int
send_to(const char *data, size_t len, const struct sockaddr_storage *to,
    socklen_t tolen, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = D.fd, .events = POLLOUT };
		long left;

		if (sendto(D.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (const struct sockaddr *)to, tolen) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
			return errno;
		if ((left = deadline - now_ms()) <= 0)
			return ETIMEDOUT;
		poll(&pfd, 1, (int)(left < 50 ? left : 50));
	}
}

static void
reply(const struct jsonrpcs_dgram_cfg *cfg, struct jsonrpcs_reply *r,
    const struct sockaddr_storage *from, socklen_t fromlen)
{
	char who[128];
	int err;

	if (!r->send)
		return;
	if (fromlen <= (socklen_t)sizeof(sa_family_t)) {
		log_warnx("jsonrpcs: a datagram client without an address (an "
		    "unbound unix socket): reply dropped");
		return;
	}
	err = send_to(r->out.s, r->out.len, from, fromlen, cfg->timeout_ms);
	if (err == EMSGSIZE) {
		char why[96];

		snprintf(why, sizeof(why), "the reply of %zu bytes does not "
		    "fit in a datagram", r->out.len);
		log_warnx("jsonrpcs: %s", why);
		if (jsonrpcs_error_reply(r, cfg->pretty, JSONRPCS_E_INTERNAL,
		    why) == 0)
			err = send_to(r->out.s, r->out.len, from, fromlen,
			    cfg->timeout_ms);
	}
	if (err == 0)
		return;
	if (from->ss_family == AF_UNIX)
		snprintf(who, sizeof(who), "%s",
		    ((const struct sockaddr_un *)from)->sun_path);
	else
		sock_addr_text(from, who, sizeof(who));
	log_warnx("jsonrpcs: reply to %s dropped: %s", who, err == ETIMEDOUT ?
	    "not taken within dgram_timeout" : strerror(err));
}

void
jsonrpcs_dgram_run(const struct jsonrpcs_dgram_cfg *cfg)
{
	struct jsonrpcs_reply r;
	struct jsonrpcs_doc req;
	struct sigaction sa;
	pid_t parent = getppid();
	char *buf;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;        /* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (D.fd == -1 || (buf = xmalloc(JSONRPCS_DGRAM_REQ_MAX)) == NULL) {
		log_errx("jsonrpcs: cannot serve the datagram socket");
		_exit(2);
	}
	jsonrpcs_doc_init(&req);
	jsonrpcs_reply_init(&r);
	log_info("jsonrpcs: serving the datagram socket %s", cfg->spec);
	while (!dgram_stop && getppid() == parent) {
		struct pollfd pfd = { .fd = D.fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, POLL_MS) <= 0)
			continue;
		memset(&from, 0, sizeof(from));
		/* MSG_TRUNC: n is the datagram's real length */
		n = recvfrom(D.fd, buf, JSONRPCS_DGRAM_REQ_MAX,
		    MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from,
		    &fromlen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_err("jsonrpcs: recvfrom() failed");
			continue;
		}
		if (n > JSONRPCS_DGRAM_REQ_MAX) {
			char why[64];

			snprintf(why, sizeof(why), "request larger than %d "
			    "bytes", JSONRPCS_DGRAM_REQ_MAX);
			log_warnx("jsonrpcs: datagram of %zd bytes: %s", n,
			    why);
			jsonrpcs_error_reply(&r, cfg->pretty,
			    JSONRPCS_E_REQUEST, why);
		} else {
			jsonrpcs_serve_text(buf, (size_t)n, cfg->pretty, 0,
			    &req, &r);
		}
		reply(cfg, &r, &from, fromlen);
	}
	xfree(buf);
	jsonrpcs_doc_free(&req);
	jsonrpcs_reply_free(&r);
}
