/*
 * rr_route.h - the pure parts of the rr module: the Route header fields
 * of a request read as a list with byte offsets, the decision RFC 3261
 * 16.4 and 16.6 step 6 make from that list (loose_route()), the byte
 * ranges that remove Route values, and the text of a Record-Route
 * header field.
 *
 * Nothing here touches a message context or the network: every str_t
 * points into the text it was given, so the unit test drives all of it
 * with literal requests.
 */
#ifndef TD_RR_ROUTE_H
#define TD_RR_ROUTE_H

#include <stddef.h>

#include "core/str.h"

#define RR_MAX_ROUTES 64        /* Route values a request may carry     */
#define RR_MAX_LINES  64        /* Route header lines                   */
#define RR_MAX_CUTS   (RR_MAX_ROUTES + 1)

/* One route-param (RFC 3261 20.34): name-addr *(SEMI rr-param). */
struct rr_route {
	str_t   value;      /* as written, from its '<' or display name   */
	str_t   uri;        /* the addr-spec between '<' and '>'          */
	str_t   params;     /* the URI's parameters with their leading ';'
	                     * (";lr;ftag=x"), empty when it has none      */
	int     line;       /* index in rr_set.lines                      */
};

/* One Route header line (a folded field counts as one line). */
struct rr_line {
	size_t  off;        /* offset of the line in the message          */
	size_t  len;        /* the line with its line end                 */
	int     first;      /* its first route in rr_set.r                */
	int     n;          /* the routes it holds                        */
};

struct rr_set {
	const char      *base;  /* the message text                        */
	struct rr_route  r[RR_MAX_ROUTES];
	int              n;
	struct rr_line   lines[RR_MAX_LINES];
	int              nlines;
	size_t           eoh;   /* offset of the blank line ending the headers */
};

/*
 * Reads every Route header of the request text msg, in order.  Returns
 * 0 (s->n may be 0), or -1 with *err set to a static text and *bad to
 * the offending header value (a value without '<', an unclosed '<', a
 * URI that is not sip:/sips: or has no host, an empty value, more than
 * RR_MAX_ROUTES values).
 */
int rr_set_scan(const str_t *msg, struct rr_set *s, const char **err,
                str_t *bad);

/*
 * The parameters of a SIP URI (uri without '<' '>'): from the first ';'
 * after the host, up to '?' or the end, with the leading ';'.  Empty
 * when there are none.
 */
str_t rr_uri_params(const str_t *uri);

/* The user part of a SIP URI (after the scheme, before the last '@'),
 * empty when it has none. */
str_t rr_uri_user(const str_t *uri);

/*
 * Parameter name (case-insensitive) in params (";a=1;lr").  1 with *val
 * set (empty for a bare name), 0 when absent.  val may be NULL.
 */
int rr_param_get(const str_t *params, const char *name, str_t *val);

/* What loose_route() makes of a request. */
struct rr_plan {
	int             rc;         /* 1 routed, -1 no Route, -3 only our own
	                             * Route in a request outside a dialog */
	str_t           new_ruri;   /* the Request-URI to set, or empty    */
	str_t           new_duri;   /* the destination URI to set, or empty */
	str_t           append;     /* a URI to add as the last Route      */
	int             own;        /* a URI of ours was found              */
	str_t           own_params; /* ... and its parameters               */
	unsigned char   drop[RR_MAX_ROUTES];    /* Route values to remove  */
};

/* Whether a URI is one of this proxy's addresses (expr_is_myself). */
typedef int (*rr_mine_fn)(const str_t *uri, void *ctx);

/*
 * The plan for a request with Route set s and Request-URI ruri;
 * in_dialog when its To has a tag.  RFC 3261 16.4: a Request-URI of
 * ours in a dialog was put there by a strict router, so the last Route
 * is the real target; our own top Route (and a second one of ours when
 * the first carries r2, double record-routing) is removed; then the
 * next Route decides (16.6 step 6): with ;lr it becomes the destination
 * URI, without it the Request-URI, the old Request-URI going to the end
 * of the Route set.
 */
void rr_plan_make(const struct rr_set *s, const str_t *ruri, int in_dialog,
                  rr_mine_fn mine, void *ctx, struct rr_plan *p);

/* A byte range of the message to remove. */
struct rr_cut {
	size_t  off;
	size_t  len;
};

/*
 * The ranges that remove the routes marked in drop: a whole line when
 * all its values go, else each value with one comma next to it.
 * Returns the number of ranges written to cuts (at most RR_MAX_CUTS).
 */
int rr_set_cuts(const struct rr_set *s, const unsigned char *drop,
                struct rr_cut *cuts);

/*
 * URI parameters for a Record-Route (record_route(";p"), add_rr_param)
 * normalised into out (";name=value", a ';' added in front when
 * missing).  -1 when the text could break the header (CR, LF, '<', '>',
 * ',', a blank) or does not fit.  An empty text gives an empty out.
 */
int rr_params_norm(const str_t *in, char *out, size_t outlen, size_t *len);

/*
 * The URI of a Record-Route for our own address:
 * "sip:[user@]host[:port][;transport=t]".  host already has the
 * brackets of an IPv6 reference (and may hold a port when port is 0);
 * transport NULL or "" for UDP.  The length, or
 * -1 when it does not fit.
 */
int rr_local_uri(const str_t *user, const char *host, int port,
                 const char *transport, char *buf, size_t len);

/*
 * The whole header line "Record-Route: <URI;lr[=on][;ftag=T]PARAMS>\r\n"
 * (uri gets "sip:" in front when it has no scheme).  ftag and params may
 * be empty.  The length, or -1 when it does not fit.
 */
int rr_hdr_build(const str_t *uri, int full_lr, const str_t *ftag,
                 const str_t *params, char *buf, size_t len);

/* 1 when s is not empty and holds none of the characters of bad (nor
 * NUL): text from a request or the script that goes into a header. */
int rr_text_ok(const str_t *s, const char *bad);

#endif
