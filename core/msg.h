/*
 * msg.h - the message context: one SIP message or MSRP frame while the
 * routes run on it.  Parsing is lazy: the SIP parse (sip.c) happens the
 * first time something asks for a header.
 */
#ifndef TD_MSG_H
#define TD_MSG_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "arena.h"
#include "str.h"

struct msg_edit;

enum msg_kind {
	MSG_NONE = 0,           /* no message: startup event routes, tests */
	MSG_SIP_REQUEST,
	MSG_SIP_REPLY,
	MSG_MSRP,
};

enum proto {
	PROTO_NONE = 0,
	PROTO_UDP,
	PROTO_TCP,
	PROTO_TLS,
	PROTO_WS,
	PROTO_WSS,
	PROTO_SCTP,
};

/* Where the message came from and on which local socket. */
struct rcv_info {
	enum proto               proto;
	struct sockaddr_storage  src;
	struct sockaddr_storage  dst;       /* local address it arrived on */
	uint64_t                 conn_id;   /* 0 for UDP                   */
	int                      sock;      /* listen socket index, -1     */
};

/* Flags the script engine sets while running routes. */
enum {
	MSG_RUN_EXIT = 1u << 0,         /* exit; or a function returned 0  */
	MSG_RUN_DROP = 1u << 1,         /* drop;                           */
};

/* How replies to a request and the request itself leave (the core's
 * force_rport(), set_reply_close(), ...; sl and tm honour them). */
enum {
	MSG_FWD_FORCE_RPORT      = 1u << 0, /* as if the top Via had rport */
	MSG_FWD_REPLY_NO_CONNECT = 1u << 1, /* replies never open a conn.  */
	MSG_FWD_REPLY_CLOSE      = 1u << 2, /* close after the final reply */
	MSG_FWD_NO_CONNECT       = 1u << 3, /* forward on an open conn only */
	MSG_FWD_CLOSE            = 1u << 4, /* close after forwarding       */
};

#define MSG_EXT_MAX 16

struct msg {
	str_t            buf;           /* the raw message (not owned)     */
	enum msg_kind    kind;
	struct rcv_info  rcv;
	unsigned         flags;         /* script flags (setflag 0..31)    */
	unsigned         fwd_flags;     /* MSG_FWD_*: force_rport() ...     */
	unsigned         route_type;    /* RT_* of the route being run     */
	unsigned         run;           /* MSG_RUN_*                        */
	int              last_rc;       /* $rc / $retcode                   */
	struct arena     arena;         /* per-message values               */

	/* lazily parsed SIP view (sip.c); for MSRP the msrp module builds a
	 * synthetic SIP text on demand through sip_text(). */
	void            *sip;           /* osip_message_t *                 */
	int              sip_state;     /* 0 not yet, 1 parsed, -1 failed   */
	int            (*sip_text)(struct msg *m, str_t *out);
	void            *proto_ctx;     /* the MSRP frame, for the msrp module */

	/* what the script made of the request's destination (in the arena;
	 * len 0: unset): the new Request-URI ($ru, lookup(), seturi()) and
	 * the destination URI ($du: where to send, the R-URI unchanged) */
	str_t            new_uri;
	str_t            dst_uri;

	/* header changes for the forwarded copy (msg_edit.h), arena */
	struct msg_edit *edits;
	unsigned         edit_seq;

	/* per-message data of modules, released by msg_destroy() */
	void            *ext[MSG_EXT_MAX];
};

/* Prepares m for buf (not copied); kind is guessed by msg_classify(). */
void msg_init(struct msg *m, const char *buf, size_t len,
              const struct rcv_info *rcv);
/* Frees what the message acquired (parse, arena, module data). */
void msg_destroy(struct msg *m);

/* SIP request or reply by the first line; MSG_NONE if neither. */
enum msg_kind msg_classify(const char *buf, size_t len);

/*
 * Module per-message data: a module reserves a slot at init and gets a
 * callback to release the slot's data when the message is destroyed.
 * Returns the slot index, or -1 when all MSG_EXT_MAX are taken.
 */
int msg_ext_register(void (*release)(void *data));

/*
 * The Request-URI as the script left it: msg_set_ruri() copies uri into
 * the message (an empty uri reverts to the received one);
 * msg_get_ruri() gives the new one when set, else the request's own.
 * 0, or -1 (not a request, or out of memory).
 */
int  msg_set_ruri(struct msg *m, const str_t *uri);
int  msg_get_ruri(struct msg *m, str_t *out);
/* Replaces one part of the Request-URI: which is 'U' (user; empty
 * removes it), 'd' (host) or 'p' (port; empty removes it).  0 or -1. */
int  msg_set_ruri_part(struct msg *m, int which, const str_t *val);
/* The destination URI: set (copied; empty clears) 0/-1; get 1 when set,
 * 0 when not. */
int  msg_set_duri(struct msg *m, const str_t *uri);
int  msg_get_duri(struct msg *m, str_t *out);

const char *proto_name(enum proto p);   /* "udp", "tcp", ... */

#endif
