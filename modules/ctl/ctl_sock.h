/*
 * ctl_sock.h - the ctl module's listening sockets: parsing the `binrpc`
 * parameter, binding (in the supervisor, before fork, so a bad address
 * stops startup) and removing the unix socket files at exit.
 */
#ifndef TD_CTL_SOCK_H
#define TD_CTL_SOCK_H

#include <stddef.h>
#include <sys/types.h>

enum ctl_kind {
	CTL_UNIX_STREAM = 0,    /* "unix:" / "unixs:" / a bare path   */
	CTL_UNIX_DGRAM,         /* "unixd:"                           */
	CTL_TCP,                /* "tcp:host[:port]"                  */
	CTL_UDP,                /* "udp:host[:port]"                  */
};

#define CTL_DEFAULT_PORT 2049   /* Kamailio's, when tcp:/udp: has none */

#define CTL_SPEC_MAX  256
#define CTL_PATH_MAX  108           /* sizeof(sun_path)                  */

/* Fixed buffers, no heap: parameters are parsed in every run, also by
 * `tandem -c`, which never calls destroy. */
struct ctl_listener {
	enum ctl_kind  kind;
	char           spec[CTL_SPEC_MAX];  /* as written in the config    */
	char           path[CTL_PATH_MAX];  /* unix kinds, else ""         */
	char           host[CTL_SPEC_MAX];  /* tcp / udp, else ""          */
	int            port;
	int            fd;          /* -1 until opened                   */
	int            created;     /* we made the socket file           */
	dev_t          dev;         /* ... this one: removed at exit only */
	ino_t          ino;         /*   if no one replaced it since      */
};

/* "unix_stream", "unix_dgram", "tcp", "udp" */
const char *ctl_kind_name(enum ctl_kind k);

/*
 * Parses a binrpc address: "unix:/path", "unixs:/path", "unixd:/path",
 * "tcp:host:port", "udp:host:port" ("[v6]" hosts allowed, the port
 * defaults to 2049), or a bare "/path" (unix stream).  Fills l (fd = -1).
 * 0, or -1 with a message in err.
 */
int  ctl_spec_parse(const char *spec, struct ctl_listener *l, char *err,
                    size_t errlen);

/* Ownership and permissions applied to unix socket files. */
struct ctl_perm {
	unsigned  mode;
	uid_t     uid;              /* (uid_t)-1: leave as is            */
	gid_t     gid;
};

/*
 * Binds l.  A unix path whose file exists is taken over, as Kamailio
 * does: silently when no one answers on it (a stale socket left by a
 * crash), with a warning when a running process does (that process keeps
 * its socket but is no longer reachable by the path).  A file that is
 * not a socket is never replaced.  mkdir_parent creates a missing parent
 * directory (0755) first.  0, or -1 (logged, naming the address and the
 * cause).
 */
int  ctl_listener_open(struct ctl_listener *l, const struct ctl_perm *perm,
                       int mkdir_parent);
/* Closes the socket; unlinks the file when unlink_file is set (the
 * supervisor at exit, never a child) and the file is still the one we
 * created (not one another daemon put there since). */
void ctl_listener_close(struct ctl_listener *l, int unlink_file);

#endif
