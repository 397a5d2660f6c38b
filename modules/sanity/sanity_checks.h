/*
 * sanity_checks.h - the sanity checks of a SIP message, read from its
 * text.
 *
 * Nothing here needs a parser library: the checks walk the raw header
 * lines (modules/sl/sl_msg.h), so a message that libosip2 refuses can
 * still be judged, and answered with a precise reply.  The code is
 * pure: no allocation, no logging, no module state; sanity.c holds the
 * script functions and sends the replies.
 *
 * The check numbers are Kamailio's (sanity module, 5.x), so
 * sanity_check("17895", "7") means the same thing in both.
 */
#ifndef TD_SANITY_CHECKS_H
#define TD_SANITY_CHECKS_H

#include <stddef.h>

#include "core/str.h"

/* msg_checks bits */
enum {
	SANITY_RURI_SIP_VERSION = 1u << 0,
	SANITY_RURI_SCHEME      = 1u << 1,
	SANITY_REQUIRED_HEADERS = 1u << 2,
	SANITY_VIA_SIP_VERSION  = 1u << 3,
	SANITY_VIA_PROTOCOL     = 1u << 4,
	SANITY_CSEQ_METHOD      = 1u << 5,
	SANITY_CSEQ_VALUE       = 1u << 6,
	SANITY_CL               = 1u << 7,
	SANITY_EXPIRES_VALUE    = 1u << 8,
	SANITY_PROXY_REQUIRE    = 1u << 9,
	SANITY_PARSE_URIS       = 1u << 10,
	SANITY_DIGEST           = 1u << 11,
	SANITY_DUPTAGS          = 1u << 12,
	SANITY_AUTHORIZATION    = 1u << 13,
	SANITY_VIA1_HEADER      = 1u << 14,
	SANITY_ALL              = (1u << 15) - 1,
};

/* Kamailio 5.6's default_checks: 1+2+4+32+64+128+256+512+2048. */
#define SANITY_DEFAULT_CHECKS 3047u

/* The checks that mean something for a reply (no Request-Line, no
 * request method, no credentials, nothing to answer). */
#define SANITY_REPLY_CHECKS (SANITY_REQUIRED_HEADERS | \
	SANITY_VIA_SIP_VERSION | SANITY_VIA_PROTOCOL | SANITY_CSEQ_VALUE | \
	SANITY_CL | SANITY_EXPIRES_VALUE | SANITY_PARSE_URIS | \
	SANITY_DUPTAGS | SANITY_VIA1_HEADER)

/* uri_checks bits: which URIs SANITY_PARSE_URIS reads */
enum {
	SANITY_URI_RURI    = 1u << 0,
	SANITY_URI_FROM    = 1u << 1,
	SANITY_URI_TO      = 1u << 2,
	SANITY_URI_CONTACT = 1u << 3,
	SANITY_URI_ALL     = (1u << 4) - 1,
};

#define SANITY_DEFAULT_URI_CHECKS 7u

/* What the checks read. */
struct sanity_in {
	str_t         text;         /* the whole message                    */
	int           is_reply;     /* a reply: only SANITY_REPLY_CHECKS    */
	str_t         ruri;         /* the Request-URI the script set;
	                             * STR_NULL: the Request-Line's          */
	const str_t  *supported;    /* the proxy_require extensions          */
	size_t        n_supported;
};

#define SANITY_UNSUP_MAX 256

/* Why a message failed. */
struct sanity_fail {
	unsigned      check;        /* the SANITY_* bit that failed          */
	int           code;         /* the reply's status; 0: no reply (a
	                             * reply could not be routed or built)   */
	const char   *reason;       /* its reason phrase (static)            */
	const char   *why;          /* for the log (static)                  */
	str_t         what;         /* the offending text, for the log (into
	                             * the message; may be empty)            */
	/* 420: the extensions not in proxy_require, ", "-separated (cut at
	 * a whole name when they do not fit) */
	char          unsup[SANITY_UNSUP_MAX];
	size_t        unsup_len;
};

/*
 * Runs the checks of msg_checks (SANITY_* bits) in increasing order and
 * stops at the first that fails; uri_checks (SANITY_URI_* bits) selects
 * the URIs of SANITY_PARSE_URIS.  For a reply only SANITY_REPLY_CHECKS
 * run, and the Request-URI is not read.
 * Returns 1 when every check passed, 0 when one failed (*f says which
 * and how to answer).
 */
int sanity_run(const struct sanity_in *in, unsigned msg_checks,
               unsigned uri_checks, struct sanity_fail *f);

/* The name of a check bit ("cseq value"), for logs. */
const char *sanity_check_name(unsigned check);

/*
 * Splits the proxy_require list ("foo, bar": comma-separated, blanks
 * around each name dropped) into out[0..cap).  Returns the number of
 * names, or -1 when a name is empty or not a token, or there are more
 * than cap.
 */
int sanity_split_extensions(const str_t *list, str_t *out, size_t cap);

#endif
