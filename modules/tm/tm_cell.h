/*
 * tm_cell.h - a transaction in shared memory and the hash table that
 * holds them (one lock per slot), shared by the parts of the tm module.
 *
 * A transaction has a server side (the request that came in: its copy,
 * where it came from, the last reply sent upstream) and at most one
 * client branch (the request sent downstream, its retransmissions, the
 * replies that came back).  A local transaction (t_uac) has only the
 * client side.  Every field is read and written with its slot's lock
 * held; `refcnt` keeps a cell alive while a process works on it without
 * the lock (a route that runs on it), and the timer frees a cell only
 * once its wait time passed and nothing refers to it.
 */
#ifndef TD_TM_CELL_H
#define TD_TM_CELL_H

#include <stdint.h>

#include "cfg/ast.h"
#include "core/forward.h"
#include "core/lock.h"
#include "core/msg.h"
#include "modules/maxfwd/maxfwd_api.h"
#include "tm_api.h"
#include "tm_msg.h"

enum {
	TM_F_LOCAL     = 1u << 0,   /* made by t_uac(): no server side      */
	TM_F_INVITE    = 1u << 1,
	TM_F_BRANCH    = 1u << 2,   /* a client branch was sent             */
	TM_F_CANCELED  = 1u << 3,   /* a CANCEL for it came in              */
	TM_F_FAILURE   = 1u << 4,   /* failure_route is running on it       */
	TM_F_CB_DONE   = 1u << 5,   /* the t_uac callback was called        */
	TM_F_FINAL_CB  = 1u << 6,   /* final-reply callbacks were called    */
};

struct tm_cell {
	struct tm_cell          *next, *prev;
	uint32_t                 slot;
	uint64_t                 id;
	int                      refcnt;
	unsigned                 flags;
	uint64_t                 created;       /* ms, monotonic            */

	/* the request (server side; for a local one, what was sent) */
	char                    *req;
	size_t                   req_len;
	unsigned                 msg_flags;     /* the script's flags       */
	unsigned                 fwd_flags;     /* MSG_FWD_* (force_rport..) */
	char                    *edits;         /* the script's header edits
	                                         * (msg_edit_pack), for the
	                                         * failure_route's branch   */
	size_t                   edits_len;
	struct tm_key            key;           /* points into req          */
	struct rcv_info          rcv;
	char                     to_tag[32];
	char                    *ruri;          /* the R-URI it was relayed
	                                         * with (NUL-ended) or NULL  */

	/* what went upstream */
	int                      status;        /* last code, 0 none        */
	char                    *rpl;
	size_t                   rpl_len;
	struct sockaddr_storage  rpl_dst;       /* UDP                      */
	uint64_t                 rpl_retr_at;   /* timer G, 0 off           */
	unsigned                 rpl_retr_int;
	uint64_t                 rpl_end_at;    /* timer H                  */

	/* the client branch */
	struct fwd_dest          dst;
	uint64_t                 conn_id;       /* TCP/TLS connection the
	                                         * branch went out on, 0 UDP */
	int                      fail_code;     /* the branch could not go
	                                         * out: fr ends it with this */
	unsigned                 bno;           /* branch number (0..15)    */
	char                    *out;
	size_t                   out_len;
	int                      uac_code;      /* last code received        */
	char                    *uac_rpl;       /* the final one, Via cut   */
	size_t                   uac_rpl_len;
	char                    *ack;
	size_t                   ack_len;
	uint64_t                 retr_at;       /* timers A/E, 0 off        */
	unsigned                 retr_int;
	uint64_t                 fr_at;         /* timers B/F (fr_timer)    */
	unsigned                 fr_ms, fr_inv_ms;
	const struct route_def  *on_reply;      /* onreply_route, or NULL   */
	const struct route_def  *on_failure;    /* inherited at fork: valid
	                                         * in every process         */

	tm_uac_cb                cb;
	uint64_t                 cb_param;

	uint64_t                 wt_at;         /* free after, 0 not yet    */
};

struct tm_pre;                  /* tm_precheck.c */

struct tm_slot {
	struct lock              lock;
	struct tm_cell          *head;
	unsigned                 n;
	struct tm_pre           *pre;   /* requests in a route right now   */
};

/* Counters in shm (tm.stats), updated with atomics. */
struct tm_stats {
	uint64_t current, total, total_local, waiting;
	uint64_t rpl_received, rpl_generated, rpl_sent, retransmissions;
	uint64_t timeouts, freed;
	uint64_t cls[7];                        /* [2] = 2xx ... [6] = 6xx  */
};

struct tm_table {
	unsigned                 size;
	uint64_t                 next_id;
	struct tm_stats          st;
	struct tm_slot           slots[];
};

/* The module's settings (ms), written before fork. */
struct tm_conf {
	unsigned fr_ms, fr_inv_ms, wt_ms, t1, t2;
};

extern struct tm_table *tm_tab;
extern struct tm_conf tm_conf;
extern int tm_ext;                          /* msg ext slot              */

#define TM_STAT_INC(f) __atomic_fetch_add(&tm_tab->st.f, 1, __ATOMIC_RELAXED)
#define TM_STAT_DEC(f) __atomic_fetch_sub(&tm_tab->st.f, 1, __ATOMIC_RELAXED)

/* tm_table.c */
int   tm_table_init(unsigned size);
uint64_t tm_now(void);
void  tm_lock(uint32_t slot);
void  tm_unlock(uint32_t slot);
/* A new cell holding a shm copy of buf (scanned into key when it is a
 * request).  Not linked.  NULL (logged). */
struct tm_cell *tm_cell_new(const char *buf, size_t len,
                            const struct rcv_info *rcv, int local,
                            uint64_t id);
/* A fresh transaction id (for a local request built before its cell). */
uint64_t tm_id_new(void);
void  tm_cell_free(struct tm_cell *c);
/* Slot locked by the caller. */
void  tm_link(struct tm_cell *c);
void  tm_unlink(struct tm_cell *c);
struct tm_cell *tm_find_req(uint32_t slot, const struct tm_key *k,
                            const str_t *as);
struct tm_cell *tm_find_id(uint32_t slot, uint64_t id);
/* Replaces *dst with a shm copy of s.  0 or -1. */
int   tm_shm_set(char **dst, size_t *dlen, const char *s, size_t n);
/* Puts c on its wait timer (slot locked). */
void  tm_wait(struct tm_cell *c);
/* Drops a reference taken outside the lock. */
void  tm_unref(struct tm_cell *c);

struct tm_mstate;

/* tm_uas.c: the server side */
int   tm_req_hook(struct msg *m);
/* Sends bytes upstream (the way the request came).  0 or -1. */
int   tm_send_up(struct tm_cell *c, const char *buf, size_t len);
/* Records and sends reply text upstream as the transaction's reply
 * (slot locked): timer G for a final INVITE reply over UDP when retr,
 * else the wait timer on a final one. */
/* tm_final.c: the final-reply callbacks (tm_api.h register_final_cb) */
int   tm_final_register(tm_final_cb cb);
void  tm_final_run(struct tm_cell *c, const char *buf, size_t len, int code);
int   tm_reply_up(struct tm_cell *c, const char *buf, size_t len, int code,
                  int retr);
/* The transaction of request m, made when it has none (referenced by
 * st->cell).  1, 0 when m retransmits the request of an existing one
 * (its last reply resent: the script should stop), -1 on error. */
int   tm_trans_of(struct msg *m, struct tm_mstate *st);
/* Builds and sends a reply of our own (slot locked). 1 or -1. */
int   tm_reply_own(struct tm_cell *c, int code, const str_t *reason);

/* tm_uac.c: the client side */
int   tm_rpl_hook(struct msg *m);
/* Sends c's branch (built in c->out) and arms its timers (slot locked).
 * FWD_OK or a negative enum fwd_rc. */
int   tm_branch_send(struct tm_cell *c);
/* Marks c's branch as sent but failed: the next timer tick ends it with
 * code (failure_route runs there), as if the next hop had answered so
 * (slot locked). */
void  tm_branch_fail_soon(struct tm_cell *c, int code);
/* The end of a branch without a reply it could relay as is: runs
 * failure_route or relays the best reply; calls the t_uac callback.
 * Called without the lock, with a reference held. */
void  tm_branch_final(struct tm_cell *c, int code);
void  tm_timer_tick(void *arg);
int   tm_uac(const struct tm_uac_req *r, tm_uac_cb cb, uint64_t param);

/* tm.c: the per-message state of the script functions */
struct tm_mstate {
	struct tm_cell          *cell;          /* referenced               */
	const struct route_def  *on_failure;
	const struct route_def  *on_reply;      /* t_on_reply()             */
	const struct route_def  *on_branch;     /* t_on_branch()            */
	unsigned                 fr_ms, fr_inv_ms;  /* t_set_fr, 0 default   */
	int                      failure;       /* in failure_route         */
	struct tm_pre           *pre;           /* t_precheck_trans() note  */
	uint32_t                 pre_slot;
};
struct tm_mstate *tm_mstate(struct msg *m, int create);
/*
 * Runs c's onreply_route on reply m; the slot is locked on entry.
 * 1: go on with the reply (the slot locked again, c still waiting for
 * branch bid); 0: done with it (the slot unlocked): a provisional reply
 * the script dropped, or a transaction that moved on meanwhile.
 */
int   tm_onreply(struct tm_cell *c, struct msg *m, uint32_t slot,
                 uint64_t bid, int code);
/* Runs the branch_route set by t_on_branch() on request m before it is
 * relayed (no lock held).  1 relay it, 0 the script dropped it. */
int   tm_onbranch(struct msg *m, struct tm_mstate *st);
/* tm_precheck.c: 1 when the same request is being routed by another
 * process, -1 otherwise (m is then noted until tm_precheck_done()). */
int   tm_precheck(struct msg *m, struct tm_mstate *st);
void  tm_precheck_done(struct tm_mstate *st);
/* tm_info.c */
int   tm_api_info(struct msg *m, struct tm_info *out);
int   tm_api_precheck(struct msg *m);
int   tm_w_check_status(struct msg *m, void *const *args);
int   tm_fix_status_re(void **arg, struct cfg_diag *d);
void  tm_free_status_re(void *p);
int   tm_w_is_canceled(struct msg *m, void *const *args);
/* Runs failure_route r on a message made from c's request (no lock
 * held, a reference held). */
void  tm_run_failure(struct tm_cell *c, const struct route_def *r,
                     int code);

/* tm_relay.c: t_relay() of m on its transaction (made when it has
 * none), to to_uri when given, else $du or the R-URI.  1, 0 (m was a
 * retransmission), -1. */
int   tm_relay(struct msg *m, struct tm_mstate *st);
unsigned tm_fwd_opt(unsigned fwd_flags);
int   tm_relay_to(struct msg *m, struct tm_mstate *st, const str_t *to_uri);
extern const struct maxfwd_api *tm_maxfwd;

#endif
