/*
 * msrp_parse.h - parsing of one complete MSRP frame (RFC 4975 §7, §9)
 * and of MSRP URIs.  Pure code: no module_api.h, no globals, so the unit
 * tests and the fuzzer link it directly.
 *
 * The core's framer has already found the frame's end (frame.h); this
 * parser takes the whole frame, start line to end-line, and slices it in
 * place: every str_t points into the caller's buffer.
 *
 *   MSRP a786hjs2 SEND\r\n                        <- start line
 *   To-Path: msrp://relay.example.com:2855/s.1;tcp msrp://bob.example.com:8888/9di4;tcp\r\n
 *   From-Path: msrp://alice.example.org:7777/iau39;tcp\r\n
 *   Message-ID: 87652491\r\n
 *   Byte-Range: 1-25/25\r\n
 *   Content-Type: text/plain\r\n
 *   \r\n
 *   Hey Bob, are you there?\r\n                    <- body (without the
 *   -------a786hjs2$\r\n                              CRLF before the end-line)
 *
 * A frame without body has no blank line: the end-line follows the last
 * header's CRLF directly.
 */
#ifndef TD_MSRP_PARSE_H
#define TD_MSRP_PARSE_H

#include <stddef.h>

#include "core/str.h"

#define MSRP_MAX_HDRS   64      /* header lines kept per frame        */
#define MSRP_MAX_PATH   16      /* URIs per To-Path / From-Path       */

/* RFC 4975 §9: MSRP-URI = msrp-scheme "://" authority
 *   ["/" session-id] ";" transport *( ";" URI-parameter )
 *   authority = [ userinfo "@" ] hostport ; host = hostname / IPv4 / "[" IPv6 "]" */
struct msrp_uri {
	str_t  buf;             /* the whole URI as written               */
	str_t  scheme;          /* "msrp" or "msrps" (case kept)          */
	str_t  userinfo;        /* before '@', may be empty               */
	str_t  user;            /* userinfo up to ':' (no password)       */
	str_t  host;            /* IPv6 WITH its brackets, as written     */
	str_t  port;            /* digits, may be empty                   */
	int    port_no;         /* 0 when absent                          */
	str_t  session;         /* after '/', may be empty                */
	str_t  transport;       /* "tcp" (or another token)               */
	str_t  params;          /* everything after ";transport", without
	                         * the leading ';', may be empty          */
	int    secure;          /* 1 for msrps                            */
};

enum msrp_hdr_type {
	MSRP_H_OTHER = 0,
	MSRP_H_TO_PATH,
	MSRP_H_FROM_PATH,
	MSRP_H_MESSAGE_ID,
	MSRP_H_BYTE_RANGE,
	MSRP_H_CONTENT_TYPE,
	MSRP_H_SUCCESS_REPORT,
	MSRP_H_FAILURE_REPORT,
	MSRP_H_STATUS,
	MSRP_H_EXPIRES,
	MSRP_H_USE_PATH,
	MSRP_H_AUTHORIZATION,
	MSRP_H_WWW_AUTHENTICATE,
	MSRP_H_MIN_EXPIRES,
	MSRP_H_MAX_EXPIRES,
};

struct msrp_hdr {
	enum msrp_hdr_type type;
	str_t  name;            /* as written                             */
	str_t  value;           /* trimmed                                */
	str_t  line;            /* the whole line including its CRLF      */
};

struct msrp_frame {
	str_t  buf;             /* the whole frame                        */
	str_t  first_line;      /* without CRLF                           */
	str_t  tid;             /* transaction id                         */
	int    is_reply;
	str_t  method;          /* requests: SEND, REPORT, AUTH, ...      */
	int    code;            /* replies: 3-digit status                */
	str_t  reason;          /* replies: comment, may be empty         */
	struct msrp_hdr hdrs[MSRP_MAX_HDRS];
	int    nhdrs;
	str_t  hdr_block;       /* all header lines (with CRLFs), no blank */
	int    has_body;
	str_t  body;            /* empty when has_body is 0               */
	char   flag;            /* end-line flag: '$', '+' or '#'         */
	str_t  end_line;        /* "-------tid$" (without CRLF)           */
	struct msrp_uri to[MSRP_MAX_PATH];
	int    nto;
	struct msrp_uri from[MSRP_MAX_PATH];
	int    nfrom;
	/* header indexes (-1 when absent) */
	int    h_to_path, h_from_path, h_message_id, h_byte_range, h_expires;
	/* Byte-Range, when present and valid: end/total -1 for '*' */
	long long br_start, br_end, br_total;
};

enum msrp_parse_rc {
	MSRP_PARSE_OK = 0,
	MSRP_PARSE_BAD,         /* tid and paths readable: answer 400     */
	MSRP_PARSE_FATAL,       /* cannot even be answered: close          */
};

/*
 * Parses the frame in buf[0..len).  On MSRP_PARSE_BAD and FATAL, *err
 * (if not NULL) gets a static description ("To-Path missing",
 * "bad Byte-Range", ...).  A BAD frame still has tid, is_reply, method
 * and, when they parsed, to/from filled, so a 400 can be addressed.
 *
 * Checks: start line "MSRP" SP tid SP (method | 3DIGIT [SP comment]),
 * tid = ALPHANUM 2*31(ALPHANUM / "." / "-" / "+" / "%" / "="); header
 * lines "Name: value" (name is a token; no NUL, CR or LF in values; no
 * folding); To-Path and From-Path present exactly once with 1..
 * MSRP_MAX_PATH valid URIs each (From-Path only one URI is NOT required:
 * relays add theirs); Byte-Range "start-end/total" with start >= 1,
 * end = '*' or >= start-1, total = '*' or a number; end-line
 * "-------" tid flag with flag in $+#, matching the start line's tid.
 */
enum msrp_parse_rc msrp_frame_parse(const char *buf, size_t len,
                                    struct msrp_frame *f, const char **err);

/* Parses one MSRP URI (the whole of s).  0, or -1 with *err set. */
int msrp_uri_parse(const str_t *s, struct msrp_uri *u, const char **err);

/* The first header of type t, or NULL. */
const struct msrp_hdr *msrp_frame_hdr(const struct msrp_frame *f,
                                      enum msrp_hdr_type t);
/* The first header named name (case-insensitive), or NULL. */
const struct msrp_hdr *msrp_frame_hdr_name(const struct msrp_frame *f,
                                           const str_t *name);

#endif
