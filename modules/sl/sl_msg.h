/*
 * sl_msg.h - a SIP request read as text, for the stateless reply: its
 * header lines, the top Via, the tags of From and To.
 *
 * The reply is built from the request's own bytes (RFC 3261 8.2.6 copies
 * Via, From, To, Call-ID and CSeq), so this reader needs no parser
 * library: a request that libosip2 refuses for some unrelated header can
 * still be answered (sl_reply_error() then says 400).
 *
 * Every str_t points into the request text; nothing is allocated.
 */
#ifndef TD_SL_MSG_H
#define TD_SL_MSG_H

#include "core/str.h"

enum sl_hdr_kind {
	SL_H_OTHER = 0,
	SL_H_VIA,
	SL_H_FROM,
	SL_H_TO,
	SL_H_CALLID,
	SL_H_CSEQ,
	SL_H_RR,                /* Record-Route */
};

/* One header field, possibly folded over several lines. */
struct sl_hdr {
	enum sl_hdr_kind  kind;
	str_t             name;     /* as written: "Via", "v"             */
	str_t             text;     /* name to end of value, no line end  */
	str_t             value;    /* after ':', blanks trimmed          */
};

struct sl_hdr_iter {
	const char       *p;
	const char       *end;
};

/*
 * Positions the iterator after the request line of msg.  Returns 0, or
 * -1 when msg has no complete first line.
 */
int sl_hdr_first(struct sl_hdr_iter *it, const str_t *msg);

/*
 * The next header field.  Returns 1 (h filled), 0 at the blank line that
 * ends the headers (or the end of the text), -1 on a line that is not a
 * header ("no colon").
 */
int sl_hdr_next(struct sl_hdr_iter *it, struct sl_hdr *h);

/* The first value of a Via header field (RFC 3261 20.42). */
struct sl_via {
	str_t        transport;     /* "UDP", "TCP", ...                   */
	str_t        host;          /* without the brackets of an IPv6 ref */
	int          port;          /* 0 when sent-by has no port          */
	str_t        branch;        /* STR_NULL when absent                */
	int          has_rport;
	str_t        rport;         /* its value; empty when given bare    */
	const char  *rport_end;     /* just after the "rport" name         */
	int          has_received;
	str_t        received;      /* its value (empty when bare)         */
	const char  *received_end;  /* just after the "received" name      */
	const char  *end;           /* end of the value's last parameter   */
};

/*
 * Parses the first Via value of a header value (a line may hold several,
 * comma-separated).  Returns 0, or -1 when it is not a Via value.
 */
int sl_via_parse(const str_t *value, struct sl_via *v);

/*
 * The tag parameter of a From/To value (name-addr or addr-spec: without
 * angle brackets the parameters after the URI are the header's own, RFC
 * 3261 20.10).  Returns 1 with *tag set, 0 when there is none, -1 when
 * the value is malformed (unbalanced '<' or quote).
 */
int sl_addr_tag(const str_t *value, str_t *tag);

/* What the reply needs from a request. */
struct sl_req {
	str_t           method;     /* from the request line               */
	struct sl_via   via;        /* the top Via                         */
	str_t           callid;
	str_t           cseq_num;
	str_t           from_tag;   /* STR_NULL when From has none         */
	int             to_has_tag;
	str_t           to_tag;
	int             force_rport;    /* force_rport(): as if the top Via
	                                 * had a bare rport (the caller sets
	                                 * it after sl_req_scan())           */
};

/*
 * Reads a request: method, top Via, Call-ID, CSeq, From and To tags.
 * Returns 0, or -1 with *err set to a static text naming what is
 * missing or malformed ("no Via header", "malformed To header", ...).
 */
int sl_req_scan(const str_t *req, struct sl_req *out, const char **err);

#endif
