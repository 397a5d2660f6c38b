/*
 * ctl_sock.c - parsing and binding the ctl listeners (see ctl_sock.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/sock.h"
#include "ctl_sock.h"

const char *
ctl_kind_name(enum ctl_kind k)
{
	switch (k) {
	case CTL_UNIX_STREAM:   return "unix_stream";
	case CTL_UNIX_DGRAM:    return "unix_dgram";
	case CTL_TCP:           return "tcp";
	case CTL_UDP:           return "udp";
	}
	return "?";
}

static int
parse_path(const char *path, struct ctl_listener *l, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;

	if (path[0] == '\0') {
		snprintf(err, errlen, "empty unix socket path");
		return -1;
	}
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    strlen(path) >= sizeof(l->path)) {
		snprintf(err, errlen, "unix socket path longer than %zu bytes",
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(l->path, path, strlen(path) + 1);
	return 0;
}

/* "host", "host:port", "[v6]", "[v6]:port" */
static int
parse_hostport(const char *s, struct ctl_listener *l, char *err,
    size_t errlen)
{
	const char *colon, *end;
	size_t hlen;
	char *p;
	long port = CTL_DEFAULT_PORT;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "missing ']' after the IPv6 address");
			return -1;
		}
		end++;
		colon = *end == ':' ? end : NULL;
		if (*end && !colon) {
			snprintf(err, errlen, "junk after ']'");
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		end = colon ? colon : s + strlen(s);
	}
	hlen = (size_t)(end - s);
	if (hlen == 0) {
		snprintf(err, errlen, "missing host");
		return -1;
	}
	if (colon) {
		errno = 0;
		port = strtol(colon + 1, &p, 10);
		if (colon[1] == '\0' || *p || errno || port < 1 || port > 65535) {
			snprintf(err, errlen, "bad port '%s'", colon + 1);
			return -1;
		}
	}
	if (hlen >= sizeof(l->host)) {
		snprintf(err, errlen, "host name too long");
		return -1;
	}
	memcpy(l->host, s, hlen);
	l->host[hlen] = '\0';
	l->port = (int)port;
	return 0;
}

int
ctl_spec_parse(const char *spec, struct ctl_listener *l, char *err,
    size_t errlen)
{
	static const struct { const char *prefix; enum ctl_kind kind; } pfx[] = {
		{ "unixs:", CTL_UNIX_STREAM }, { "unixd:", CTL_UNIX_DGRAM },
		{ "unix:", CTL_UNIX_STREAM }, { "tcp:", CTL_TCP },
		{ "udp:", CTL_UDP },
	};
	const char *rest = NULL;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (strlen(spec) >= sizeof(l->spec)) {
		snprintf(err, errlen, "address longer than %zu bytes",
		    sizeof(l->spec) - 1);
		return -1;
	}
	memcpy(l->spec, spec, strlen(spec) + 1);
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		size_t n = strlen(pfx[i].prefix);

		if (strncasecmp(spec, pfx[i].prefix, n) == 0) {
			l->kind = pfx[i].kind;
			rest = spec + n;
			break;
		}
	}
	if (rest == NULL) {
		if (spec[0] != '/') {
			snprintf(err, errlen, "'%s': expected unix:/path, "
			    "unixd:/path, tcp:host:port or udp:host:port", spec);
			return -1;
		}
		l->kind = CTL_UNIX_STREAM;
		rest = spec;
	}
	if (l->kind == CTL_UNIX_STREAM || l->kind == CTL_UNIX_DGRAM)
		return parse_path(rest, l, err, errlen);
	return parse_hostport(rest, l, err, errlen);
}

/* --- binding ------------------------------------------------------------------ */

/*
 * Clears the way for binding a unix socket at path: a stale socket file
 * (no one answers) is removed; a live one or a non-socket is an error.
 */
static int
unix_take_path(const char *path, int type)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_err("ctl: stat %s", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_errx("ctl: %s exists and is not a socket; not replacing it",
		    path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1) {
		log_err("ctl: socket()");
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0)
		log_warnx("ctl: %s is in use by a running process (another "
		    "tandem or kamailio?); taking it over", path);
	if (unlink(path) == -1 && errno != ENOENT) {
		log_err("ctl: cannot remove the stale socket %s", path);
		return -1;
	}
	return 0;
}

static int
unix_mkdir_parent(const char *path)
{
	char *copy = strdup(path), *dir;
	int rc = 0;

	if (copy == NULL)
		return -1;
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err("ctl: cannot create the directory %s", dir);
		rc = -1;
	}
	free(copy);
	return rc;
}

static int
unix_open(struct ctl_listener *l, const struct ctl_perm *perm,
    int mkdir_parent)
{
	int type = l->kind == CTL_UNIX_STREAM ? SOCK_STREAM : SOCK_DGRAM;
	struct sockaddr_un sun;
	struct stat st;
	int fd = -1;

	if (mkdir_parent && unix_mkdir_parent(l->path) == -1)
		return -1;
	if (unix_take_path(l->path, type) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, l->path, strlen(l->path));
	if ((fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_err("ctl: socket() for %s", l->spec);
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_err("ctl: cannot bind the unix socket %s", l->path);
		goto fail;
	}
	l->created = 1;
	if (lstat(l->path, &st) == -1) {
		log_err("ctl: stat %s", l->path);
		goto fail;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	if (type == SOCK_STREAM && listen(fd, 64) == -1) {
		log_err("ctl: listen() on %s", l->path);
		goto fail;
	}
	if (chmod(l->path, perm->mode) == -1) {
		log_err("ctl: chmod %o %s", perm->mode, l->path);
		goto fail;
	}
	if ((perm->uid != (uid_t)-1 || perm->gid != (gid_t)-1) &&
	    chown(l->path, perm->uid, perm->gid) == -1) {
		log_err("ctl: chown %s", l->path);
		goto fail;
	}
	l->fd = fd;
	return 0;

fail:
	if (fd != -1)
		close(fd);
	if (l->created) {
		unlink(l->path);
		l->created = 0;
	}
	return -1;
}

static int
inet_open(struct ctl_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *err = NULL;

	if (sock_resolve(l->host, l->port, &ss, &len, &err) == -1) {
		log_errx("ctl: %s: %s", l->spec, err);
		return -1;
	}
	l->fd = l->kind == CTL_TCP ? sock_bind_tcp(&ss, len, 64) :
	    sock_bind_udp(&ss, len);
	if (l->fd == -1) {
		log_errx("ctl: cannot listen on %s", l->spec);
		return -1;
	}
	sock_cloexec(l->fd);
	return 0;
}

int
ctl_listener_open(struct ctl_listener *l, const struct ctl_perm *perm,
    int mkdir_parent)
{
	if (l->kind == CTL_UNIX_STREAM || l->kind == CTL_UNIX_DGRAM)
		return unix_open(l, perm, mkdir_parent);
	return inet_open(l);
}

void
ctl_listener_close(struct ctl_listener *l, int unlink_file)
{
	if (l->fd != -1) {
		close(l->fd);
		l->fd = -1;
	}
	if (unlink_file && l->created && l->path[0]) {
		struct stat st;

		if (lstat(l->path, &st) == 0 && (st.st_dev != l->dev ||
		    st.st_ino != l->ino))
			log_info("ctl: %s was replaced by another process; "
			    "leaving it", l->path);
		else if (unlink(l->path) == -1 && errno != ENOENT)
			log_err("ctl: cannot remove %s", l->path);
		l->created = 0;
	}
}
