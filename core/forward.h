/*
 * forward.h - where a SIP request goes and how its bytes get there.
 *
 * A SIP or SIPS URI is turned into a destination (transport, address,
 * the local listen socket it leaves from); bytes are sent to a
 * destination from any process: UDP from the chosen listen socket,
 * TCP/TLS on an existing connection to that address, or a new one when
 * the calling process may open connections (a TCP worker, fork=no).
 */
#ifndef TD_FORWARD_H
#define TD_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msg.h"
#include "str.h"

/* The parts of a SIP URI that decide where a request goes. */
struct fwd_uri {
	int          secure;        /* sips:                              */
	str_t        host;          /* without the brackets of IPv6        */
	int          port;          /* 0 when the URI has none             */
	enum proto   proto;         /* ;transport=, PROTO_NONE when absent */
};

/*
 * Parses sip:/sips: URIs (user part, password, parameters and headers
 * are skipped; a name-addr "<...>" is accepted).  0, or -1 with *err
 * set to a static text.  Pure: no lookups.
 */
int fwd_uri_parse(const str_t *uri, struct fwd_uri *out, const char **err);

/* The transport and port a parsed URI implies (RFC 3263 without DNS
 * NAPTR/SRV: udp unless transport= or sips, 5060 or 5061 for TLS). */
enum proto fwd_uri_proto(const struct fwd_uri *u);
int        fwd_uri_port(const struct fwd_uri *u);

struct fwd_dest {
	enum proto               proto;     /* PROTO_UDP, PROTO_TCP, PROTO_TLS */
	struct sockaddr_storage  to;
	int                      sock;      /* listen socket index, -1 none    */
};

/*
 * Resolves uri (numeric address, or getaddrinfo for a name) and picks
 * the local listen socket of the same transport and address family.
 * 0, or -1 with *err set (bad URI, unknown host, no socket for the
 * transport).
 */
int fwd_resolve(const str_t *uri, struct fwd_dest *d, const char **err);

/*
 * The destination of request m: its destination URI ($du, set by
 * lookup() or the script) when set, else its Request-URI (the new one
 * when the script changed it).  0 or -1 (*err set).
 */
int fwd_msg_dest(struct msg *m, struct fwd_dest *d, const char **err);

/* The host and port a Via of a request leaving from d carries. */
int fwd_via_addr(const struct fwd_dest *d, char *host, size_t hostlen,
                 int *port);

/* "UDP", "TCP", "TLS": the Via transport token. */
const char *fwd_proto_token(enum proto p);

enum fwd_rc {
	FWD_OK = 0,
	FWD_ERR_SEND = -1,          /* the socket refused (logged)           */
	FWD_ERR_NOCONN = -2,        /* no connection and this process cannot
	                             * open one (the caller answers 477/503) */
};

/*
 * Sends len bytes to d.  On TCP/TLS *conn_id (may be NULL) gets the
 * connection used.  FWD_OK, or a negative enum fwd_rc.
 */
int fwd_send(const struct fwd_dest *d, const char *buf, size_t len,
             uint64_t *conn_id);
/* fwd_send() with options: FWD_O_NO_CONNECT fails (FWD_ERR_NOCONN)
 * rather than open a connection; FWD_O_CLOSE closes the connection once
 * the bytes are written. */
enum { FWD_O_NO_CONNECT = 1u << 0, FWD_O_CLOSE = 1u << 1 };
int fwd_send_opt(const struct fwd_dest *d, const char *buf, size_t len,
                 uint64_t *conn_id, unsigned opt);

#endif
