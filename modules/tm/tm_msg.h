/*
 * tm_msg.h - the message texts of the transaction layer, read and
 * written as bytes: the matching key of a request (RFC 3261 17.2.3 and
 * the RFC 2543 fallback), what a reply says, the forwarded request with
 * its own Via, the hop-by-hop ACK and CANCEL, a new request of t_uac().
 * Pure functions: no shared memory, no sockets, no globals.
 */
#ifndef TD_TM_MSG_H
#define TD_TM_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define TM_MAGIC       "z9hG4bK"
#define TM_BRANCH_PFX  "z9hG4bKtd"     /* branches this tm made        */
#define TM_BRANCH_MAX  48

/* What identifies a request's transaction; every str_t points into the
 * request text. */
struct tm_key {
	str_t   method;
	str_t   ruri;
	str_t   branch;         /* top Via branch; empty when absent        */
	int     rfc3261;        /* branch starts with the magic cookie      */
	str_t   via;            /* the top Via value (RFC 2543 matching)    */
	str_t   via_host;
	int     via_port;
	str_t   callid;
	str_t   cseq_num;
	str_t   cseq_method;
	str_t   from_tag;
	str_t   to_tag;         /* empty when To has none                   */
	long    max_fwd;        /* -1 when there is no Max-Forwards         */
};

/*
 * Reads the key of request req.  0, or -1 with *err set to a static
 * text (not a request, missing or malformed Via/From/To/Call-ID/CSeq).
 */
int tm_key_scan(const str_t *req, struct tm_key *k, const char **err);

/* The hash of k's transaction: ACK and CANCEL hash like the INVITE
 * they belong to (same branch, or same Call-ID and CSeq number). */
uint32_t tm_key_hash(const struct tm_key *k);

/*
 * 1 when request r belongs to the transaction whose request is t,
 * comparing r as method `as` (the INVITE an ACK or a CANCEL refers to
 * is looked up with as = "INVITE"; otherwise r's own method).
 */
int tm_key_match(const struct tm_key *t, const struct tm_key *r,
                 const str_t *as);

/* 1 when the method is m (case-sensitive, RFC 3261 7.1). */
int tm_is_method(const str_t *method, const char *m);

/* --- branches this tm makes --------------------------------------------------- */

/* Writes TM_BRANCH_PFX<slot hex>.<id hex> into buf (>= TM_BRANCH_MAX);
 * returns its length. */
size_t tm_branch_make(uint32_t slot, uint64_t id, char *buf);
/* 0 with slot and id when branch is one of ours, else -1. */
int    tm_branch_parse(const str_t *branch, uint32_t *slot, uint64_t *id);

/* --- replies ------------------------------------------------------------------ */

struct tm_rpl {
	int     code;
	str_t   branch;         /* of the top Via                           */
	str_t   cseq_num;
	str_t   cseq_method;
	str_t   to;             /* the To header field line (name: value)   */
	str_t   to_tag;
	str_t   via_cut;        /* bytes to delete to remove the top Via     */
};

/* 0, or -1 with *err set (not a reply, bad status, no Via or CSeq). */
int tm_rpl_scan(const str_t *rpl, struct tm_rpl *r, const char **err);

/*
 * What tm_rpl_scan() does not need but a reply must have to be relayed
 * (RFC 3261 8.1.1, 18.1.2: a malformed response is discarded): From and
 * To that parse, a non-empty Call-ID.  0, or -1 with *err set.
 */
int tm_rpl_check(const str_t *rpl, const char **err);

/* The reply without its top Via (what is relayed upstream), into buf of
 * cap bytes (rpl->len is always enough).  Length, or -1. */
long tm_rpl_strip_via(const str_t *rpl, const struct tm_rpl *r, char *buf,
                      size_t cap);

/* --- requests ------------------------------------------------------------------ */

/*
 * The request req forwarded: its request line with ruri (empty: keep),
 * `via` (a whole "Via: ...\r\n" line) before its first Via, and
 * Max-Forwards set to mf (mf < 0: left as it is; the header is added
 * when the request has none).  Returns the length written into buf (cap
 * >= req->len + ruri->len + via->len + 32 suffices), or -1.
 */
long tm_fwd_build(const str_t *req, const str_t *ruri, const str_t *via,
                  long mf, char *buf, size_t cap);

/* Where the request came from, as the receiving server marks it. */
struct tm_src {
	char    ip[46];         /* INET6_ADDRSTRLEN; "" when unknown        */
	int     port;
	int     force_rport;    /* force_rport(): add rport= when absent    */
};

/*
 * tm_fwd_build(), and the request's own top Via (the upstream hop) gets
 * received=src->ip when its sent-by host is not that address, and
 * rport=src->port when it has an empty rport (RFC 3261 18.2.1, RFC 3581
 * 4); src NULL: no change.  cap >= req->len + ruri->len + via->len + 128
 * suffices.
 */
long tm_fwd_build_src(const str_t *req, const str_t *ruri, const str_t *via,
                      long mf, const struct tm_src *src, char *buf,
                      size_t cap);

/*
 * The ACK of a non-2xx final reply to the INVITE fwd this tm sent
 * (RFC 3261 17.1.1.3): fwd's request line and top Via, its From,
 * Call-ID, Route lines and Max-Forwards, To from the reply (to_line,
 * "To: ..."), "CSeq: N ACK".  kind "ACK" or "CANCEL" (the CANCEL has
 * the request's To and no body, 9.1).  Length or -1; cap >= fwd->len +
 * to_line->len + 64 suffices.
 */
long tm_hop_build(const str_t *fwd, const char *kind, const str_t *to_line,
                  char *buf, size_t cap);

/* Everything t_uac() puts in a new request. */
struct tm_uac_text {
	str_t   method, ruri, from, to, hdrs, body;
	str_t   via;            /* the whole "Via: ...\r\n" line            */
	str_t   callid, from_tag;
	unsigned cseq;
};

/* Length, or -1 when it does not fit (cap >= sum of the parts + 256). */
long tm_uac_build(const struct tm_uac_text *u, char *buf, size_t cap);
size_t tm_uac_cap(const struct tm_uac_text *u);

/* --- timers -------------------------------------------------------------------- */

/* The next retransmission interval after `cur` ms (timers A/E/G):
 * doubled, capped at t2 for non-INVITE requests and for replies. */
unsigned tm_retr_next(unsigned cur, unsigned t2, int cap_at_t2);

/* The timer value a modparam gives, in ms: values below 100 are taken
 * as seconds (SER's unit), others as milliseconds. */
unsigned tm_param_ms(long v, int *was_seconds);

#endif
