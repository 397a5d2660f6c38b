/*
 * ctl_client.h - tandemctl's side of the ctl module: where the socket
 * is, how kamcmd types command-line arguments, and one BINRPC request /
 * reply exchange over a unix stream, TCP or UDP socket.
 */
#ifndef TD_CTL_CLIENT_H
#define TD_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "modules/ctl/binrpc.h"

#define CTL_DEFAULT_SOCKET  "unix:/run/tandem/tandem_ctl"
#define CTL_DEFAULT_PORT    "2049"          /* kamcmd's for tcp/udp    */
#define CTL_REPLY_MAX       ((size_t)64 << 20)

enum ctl_kind { CTL_UNIX, CTL_UNIXD, CTL_TCP, CTL_UDP };

struct ctl_addr {
	enum ctl_kind kind;
	char          path[108];    /* CTL_UNIX(D): sizeof(sun_path)       */
	char          host[256];    /* CTL_TCP / CTL_UDP                   */
	char          port[16];
};

/*
 * Parses a socket as kamcmd's -s takes it: "unix:/path" (also
 * "unixs:"), "unixd:/path" (datagram), "tcp:host[:port]",
 * "udp:host[:port]" (an IPv6 host in brackets, the port 2049 when
 * omitted), or a bare path.  0, or -1 with a message in err.
 */
int ctl_addr_parse(const char *spec, struct ctl_addr *a, char *err,
                   size_t errsz);

/*
 * kamcmd's argument typing: a decimal integer goes as an int, anything
 * else as a string; "s:" forces a string and "i:" an int (the prefix is
 * dropped).  Returns BINRPC_T_INT with *n set, BINRPC_T_STR with *s set
 * (pointing into arg), or -1 with a message in err ("i:" and no number).
 */
int ctl_arg_type(const char *arg, long long *n, const char **s, char *err,
                 size_t errsz);

/* The request packet for method and its typed arguments.  Same contract
 * as binrpc_enc_finish (e must be initialised); -1 and err on a bad
 * "i:" argument, another negative enum binrpc_err on encoder errors. */
int ctl_build_request(struct binrpc_enc *e, uint32_t cookie,
                      const char *method, int argc, char *const *argv,
                      const uint8_t **pkt, size_t *len, char *err,
                      size_t errsz);

struct ctl_reply {
	uint8_t       *buf;         /* the whole packet (malloc'd)         */
	size_t         len;
	int            type;        /* BINRPC_REPLY or BINRPC_FAULT        */
	const uint8_t *body;        /* inside buf                          */
	size_t         body_len;
};

/*
 * Sends one request packet and reads its reply (the one with the same
 * cookie), waiting at most timeout_ms in all.  A unix datagram
 * exchange binds a reply socket in $TMPDIR (or /tmp), removed after
 * the call, as kamcmd does.  0 with *r filled
 * (free it with ctl_reply_free), or -1 with a message in err: connection
 * refused, timeout, a reply that is not BINRPC.
 */
int  ctl_call(const struct ctl_addr *a, int timeout_ms, const uint8_t *pkt,
              size_t len, uint32_t cookie, struct ctl_reply *r, char *err,
              size_t errsz);
void ctl_reply_free(struct ctl_reply *r);

/* A cookie for the next request (not predictable, never reused soon). */
uint32_t ctl_cookie(void);

#endif
