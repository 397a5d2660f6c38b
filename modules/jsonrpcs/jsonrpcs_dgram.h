/*
 * jsonrpcs_dgram.h - JSON-RPC over datagrams: a unix datagram socket or
 * a UDP socket.  One datagram holds one request; the response goes back
 * to the sender's address in one datagram (a unix client must bind its
 * socket to a path to get it).  dgram_workers processes read the same
 * socket.  A response that cannot be sent within dgram_timeout ms (the
 * client's queue is full) is dropped; one too large for a datagram is
 * replaced by an Internal Error response.
 */
#ifndef TD_JSONRPCS_DGRAM_H
#define TD_JSONRPCS_DGRAM_H

#include <stddef.h>
#include <sys/types.h>

#define JSONRPCS_DGRAM_REQ_MAX  65536       /* bytes in one request */
#define JSONRPCS_DGRAM_SNDBUF   (4 << 20)   /* asked for, not required */

struct jsonrpcs_dgram_cfg {
	const char  *spec;          /* "/path", "unix:/path", "udp:host:port" */
	unsigned     mode;          /* unix socket file                    */
	uid_t        uid;           /* (uid_t)-1: leave as is              */
	gid_t        gid;
	int          timeout_ms;
	int          pretty;
};

/*
 * Checks a dgram_socket value: 0, or -1 with the reason in err.  Done
 * when the parameter is set, so a bad value stops the config check.
 */
int  jsonrpcs_dgram_check(const char *spec, char *err, size_t errlen);
/* Binds the socket (in the supervisor, before fork).  mkdir_parent
 * creates a missing parent directory of a unix socket.  0, or -1
 * (logged). */
int  jsonrpcs_dgram_open(const struct jsonrpcs_dgram_cfg *cfg,
                         int mkdir_parent);
/* Closes the socket; unlink_file also removes the unix socket file (the
 * supervisor at exit) if it is still the one open() made. */
void jsonrpcs_dgram_close(int unlink_file);
/* A worker: serves until SIGTERM or the supervisor's death. */
void jsonrpcs_dgram_run(const struct jsonrpcs_dgram_cfg *cfg);

#endif
