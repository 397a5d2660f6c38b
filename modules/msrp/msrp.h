/*
 * msrp.h - what the msrp module's files share: the per-message context
 * and the parameters.
 */
#ifndef TD_MSRP_H
#define TD_MSRP_H

#include <stdint.h>
#include <sys/socket.h>

#include "core/dispatch.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "core/stats.h"
#include "msrp_parse.h"

/* msrp_relay_flags / msrp_reply_flags bits */
enum {
	MSRP_F_NO_CONNECT = 1u << 0,    /* never open a new connection  */
	MSRP_F_CLOSE      = 1u << 1,    /* close the connection after it */
};

struct msrp_params {
	int     sipmsg;
	int     cmap_size;          /* power of two exponent, 0: no map   */
	int     timer_interval;     /* seconds                            */
	int     auth_min_expires;
	int     auth_max_expires;
	char   *use_path_addr;      /* host:port (msrp:// accepted), NULL */
	char   *event_callback;
	int     max_frame_size;     /* bytes, informative (core limit)    */
};

/* The frame being routed, its destination and flags.  One per process:
 * a process runs one message at a time and MSRP routes do not nest. */
struct msrp_ctx {
	struct msrp_frame        f;
	struct msg              *m;
	unsigned                 relay_flags;
	unsigned                 reply_flags;
	int                      have_dst;
	enum proto               dst_proto;
	struct sockaddr_storage  dst;
	uint64_t                 dst_conid;     /* 0: find by address   */
	uint32_t                 cmap_item;     /* for per-session stats */
	uint32_t                 cmap_hash;
	str_t                    sip;           /* the synthetic SIP text */
};

const struct msrp_params *msrp_params(void);

/* The MSRP context of m, or NULL (and a log line naming fn) when m is
 * not an MSRP frame. */
struct msrp_ctx *msrp_ctx_of(struct msg *m, const char *fn);

/* msrp_frame.c: the core's frame handler and the synthetic SIP view */
int  msrp_frame_in(struct msg *m, const struct frame_msg *fm);
int  msrp_sip_text(struct msg *m, str_t *out);

/* msrp_reply.c */
int  msrp_send_reply(struct msg *m, struct msrp_ctx *c, int code,
                     const str_t *reason, const str_t *hdrs);
int  msrp_uri_hostport_addr(const struct msrp_uri *u,
                            struct sockaddr_storage *ss);
/* "msrp://ip:port" / "msrps://..." of where m came from, in m's arena */
int  msrp_srcaddr(struct msg *m, str_t *out);
/* "tcp:ip:port" of the local socket m arrived on, in m's arena */
int  msrp_srcsock(struct msg *m, str_t *out);

/* msrp_relay.c */
int  msrp_relay(struct msg *m, struct msrp_ctx *c);
int  msrp_forward(struct msg *m, struct msrp_ctx *c, const str_t *tpath,
                  const str_t *fpath);
int  msrp_set_dst(struct msrp_ctx *c, const str_t *addr, const str_t *sock);

/* msrp_cmap.c */
int  msrp_cmap_init(void);
void msrp_cmap_destroy(void);
int  msrp_cmap_save(struct msg *m, struct msrp_ctx *c);
int  msrp_cmap_lookup(struct msg *m, struct msrp_ctx *c);
void msrp_cmap_count(uint32_t item, uint32_t hash, size_t bytes);
void msrp_cmap_timer(void *arg);
void msrp_cmap_conn_closed(uint64_t id, void *arg);
void msrp_rpc_cmaplist(struct rpc_call *c);
void msrp_rpc_cmapstats(struct rpc_call *c);

/* msrp_pv.c */
extern const struct pv_export msrp_pvs[];
extern const struct tr_export msrp_trs[];

/* statistics (msrp.c) */
struct msrp_stats {
	struct stat_var *frames_in, *relayed, *replies, *bad, *no_route;
};
const struct msrp_stats *msrp_stats(void);

#endif
