/*
 * binrpc.h - BINRPC codec: the binary RPC encoding Kamailio's ctl module
 * and kamcmd speak.  Pure code: no core headers, no globals, no I/O, so
 * the ctl module, utils/tandemctl, the unit tests and the fuzzer all link
 * modules/ctl/binrpc.c directly.
 *
 * PACKET = header + body.  Multi-byte numbers are big endian.
 *
 *   byte 0     0xA1           magic 0xA (high nibble), version 1 (low)
 *   byte 1     TTTT LL CC     T: message type (0 request, 1 reply,
 *                                3 fault); LL + 1: bytes of body_len;
 *                                CC + 1: bytes of the cookie
 *   LL+1 bytes body_len       length of the body (header not included)
 *   CC+1 bytes cookie         chosen by the client, echoed in the reply
 *
 * BODY = a sequence of records.  A record starts with one byte:
 *
 *   bit 7      S              0: bits 6-4 are the value's length (0..7)
 *                             1: bits 6-4 are the length of a big-endian
 *                                length field that follows (1..4)
 *   bits 6-4   size
 *   bits 3-0   type           0 int, 1 str, 2 double, 3 struct,
 *                             4 array, 5 avp (struct member name), 6 bytes
 *
 *   int     minimal big-endian bytes; 0 bytes is 0; 4 bytes are read as
 *           a signed 32-bit value (-1 is ff ff ff ff), fewer as unsigned
 *   str     the text plus a terminating NUL, counted in the length
 *   bytes   like str, without the NUL
 *   double  an int holding value * 1000 (Kamailio's fixed point)
 *   struct  0x03, then (avp, value) pairs, then 0x83 (S bit + type)
 *   array   0x04, then values, then 0x84
 *   avp     a str-like name; legal only directly inside a struct, and
 *           always followed by the member's value (which may itself be a
 *           struct or an array)
 *
 * A request's body is the method name (str) followed by the arguments.
 * A reply's body is the values the method added, in order.  A fault's
 * body is an int code and a str message.
 *
 * Worked example: kamcmd asking "core.echo" with cookie 0x1234abcd,
 * then the reply carrying the string "hi":
 *
 *   a1 03 0c 12 34 ab cd           header: request, 1-byte len = 12,
 *                                          4-byte cookie
 *   91 0a "core.echo" 00           str with a 1-byte length field (10)
 *
 *   a1 13 04 12 34 ab cd           header: reply, len 4, same cookie
 *   31 "hi" 00                     str of 3 bytes
 *
 * and a struct { up: 42 } is   03  35 "up" 00  10 2a  83.
 */
#ifndef TD_BINRPC_H
#define TD_BINRPC_H

#include <stddef.h>
#include <stdint.h>

#define BINRPC_MAGIC_VERS   0xA1
#define BINRPC_HDR_MAX      10          /* 2 + 4-byte len + 4-byte cookie */
#define BINRPC_MAX_DEPTH    16          /* nesting of structs/arrays      */

enum binrpc_msg_type {
	BINRPC_REQ   = 0,
	BINRPC_REPLY = 1,
	BINRPC_FAULT = 3,
};

enum binrpc_type {
	BINRPC_T_INT    = 0,
	BINRPC_T_STR    = 1,
	BINRPC_T_DOUBLE = 2,
	BINRPC_T_STRUCT = 3,
	BINRPC_T_ARRAY  = 4,
	BINRPC_T_AVP    = 5,
	BINRPC_T_BYTES  = 6,
};

/* Every function below returns BINRPC_OK (0) or one of these. */
enum binrpc_err {
	BINRPC_OK          = 0,
	BINRPC_E_MORE      = -1,    /* truncated: more bytes are needed      */
	BINRPC_E_MAGIC     = -2,    /* first byte is not 0xA1                */
	BINRPC_E_MSGTYPE   = -3,    /* message type not 0, 1 or 3            */
	BINRPC_E_TOOBIG    = -4,    /* body larger than the caller's limit   */
	BINRPC_E_TYPE      = -5,    /* unknown record type (7..15)           */
	BINRPC_E_LEN       = -6,    /* bad length field (S set with size 0
	                               on a scalar, or wider than 4 bytes)   */
	BINRPC_E_INT       = -7,    /* int or double wider than 4 bytes      */
	BINRPC_E_NUL       = -8,    /* str / avp name not NUL-terminated     */
	BINRPC_E_AVP       = -9,    /* avp outside a struct, or a struct
	                               member without its avp name           */
	BINRPC_E_END       = -10,   /* end marker that closes nothing / the
	                               wrong container, or a bad start tag   */
	BINRPC_E_DEPTH     = -11,   /* nesting deeper than BINRPC_MAX_DEPTH  */
	BINRPC_E_UNCLOSED  = -12,   /* body ends inside a struct/array/avp   */
	BINRPC_E_OVERFLOW  = -13,   /* encoder: output would exceed its max  */
	BINRPC_E_NOMEM     = -14,   /* encoder: malloc failed                */
	BINRPC_E_STATE     = -15,   /* encoder: close with nothing open, or
	                               finish with containers still open     */
	BINRPC_E_ARG       = -16,   /* bad argument (e.g. message type)      */
};

/* A static English message for an enum binrpc_err ("unknown error" for
 * anything else).  Never NULL. */
const char *binrpc_strerror(int err);

/* --- header ---------------------------------------------------------------- */

struct binrpc_hdr {
	int       type;         /* enum binrpc_msg_type                      */
	uint32_t  body_len;
	uint32_t  cookie;
	size_t    hdr_len;      /* bytes of header: the body starts there    */
};

/*
 * Parses the header at buf[0..len).  BINRPC_OK with *h filled (the whole
 * packet is h->hdr_len + h->body_len bytes), BINRPC_E_MORE when len is
 * too short to hold the header, BINRPC_E_MAGIC, BINRPC_E_MSGTYPE, or
 * BINRPC_E_TOOBIG when body_len > max_body (0: no limit).
 * Stream readers call it on what they have so far to learn the frame size.
 */
int binrpc_parse_hdr(const uint8_t *buf, size_t len, size_t max_body,
                     struct binrpc_hdr *h);

/* --- decoding a body --------------------------------------------------------- */

struct binrpc_val {
	int           type;     /* BINRPC_T_* (never AVP: see name)          */
	int           end;      /* 1: this closes the innermost container
	                           (type says which); no value              */
	const char   *name;     /* member name inside a struct, else NULL;
	                           points into the buffer, name_len bytes,
	                           NUL-terminated on the wire               */
	size_t        name_len;
	long long     i;        /* BINRPC_T_INT                              */
	double        d;        /* BINRPC_T_DOUBLE                           */
	const char   *s;        /* BINRPC_T_STR (NUL follows s[len]),        */
	size_t        len;      /*   BINRPC_T_BYTES; borrowed from the buffer */
};

struct binrpc_dec {
	const uint8_t *p, *end;
	int            err;         /* sticky: the first error returned     */
	int            depth;
	uint8_t        stack[BINRPC_MAX_DEPTH];     /* open container types */
};

/* Starts decoding a body (not the header) of len bytes.  The buffer must
 * outlive every binrpc_val read from it. */
void binrpc_dec_init(struct binrpc_dec *d, const uint8_t *body, size_t len);

/*
 * Reads the next value.  Returns 1 with *v filled, 0 at the end of a
 * well-formed body, or a negative enum binrpc_err (BINRPC_E_MORE when a
 * record runs past the end, BINRPC_E_UNCLOSED when the body ends inside a
 * container).  A struct member comes back as ONE value whose name is set
 * (the avp record and the value that follows are read together); a
 * member that is a struct or array comes back as its start (type STRUCT
 * or ARRAY, end = 0) with the name set.  Errors are sticky: after one,
 * every call returns it again.
 */
int binrpc_dec_next(struct binrpc_dec *d, struct binrpc_val *v);

/* Reads a fault body (int code, str message).  BINRPC_OK with *code and
 * *msg / *msg_len (borrowed, NUL-terminated) set; a body without the
 * message gives msg "" (Kamailio sends both, others may not); anything
 * else is the decoder's error or BINRPC_E_TYPE. */
int binrpc_parse_fault(const uint8_t *body, size_t len, int *code,
                       const char **msg, size_t *msg_len);

/* Current nesting depth (0: top level). */
static inline int binrpc_dec_depth(const struct binrpc_dec *d)
{
	return d->depth;
}

/* --- encoding ------------------------------------------------------------------ */

/*
 * Builds one packet in a malloc'd buffer that grows up to max_body bytes
 * of body.  Errors are sticky: after one, every add is a no-op and
 * binrpc_enc_finish returns that error, so a writer can add without
 * checking each call.  Structs and arrays may nest (BINRPC_MAX_DEPTH).
 *
 * `name`: inside a struct it is the member name (NULL is sent as "");
 * everywhere else it is ignored, as BINRPC has no names there.
 */
struct binrpc_enc {
	uint8_t  *buf;          /* BINRPC_HDR_MAX bytes reserved, then body  */
	size_t    cap;
	size_t    len;          /* body bytes written                        */
	size_t    max_body;
	int       err;
	int       depth;
	uint8_t   stack[BINRPC_MAX_DEPTH];
};

/* BINRPC_OK or BINRPC_E_NOMEM.  max_body 0 means 1 MiB. */
int  binrpc_enc_init(struct binrpc_enc *e, size_t max_body);
/* Forgets the body (keeps the buffer) for the next packet. */
void binrpc_enc_reset(struct binrpc_enc *e);
void binrpc_enc_free(struct binrpc_enc *e);
static inline int binrpc_enc_error(const struct binrpc_enc *e)
{
	return e->err;
}

/* v is sent as an int when it fits 32 bits, otherwise as its decimal
 * text (a str), which is how kamcmd would print it anyway. */
void binrpc_add_int(struct binrpc_enc *e, const char *name, long long v);
void binrpc_add_str(struct binrpc_enc *e, const char *name,
                    const char *s, size_t len);
void binrpc_add_bytes(struct binrpc_enc *e, const char *name,
                      const void *s, size_t len);
/* fixed point, 3 decimals, |v| < 2^31 / 1000; else sent as text */
void binrpc_add_double(struct binrpc_enc *e, const char *name, double v);
/* type: BINRPC_T_STRUCT or BINRPC_T_ARRAY */
void binrpc_open(struct binrpc_enc *e, const char *name, int type);
/* closes the innermost open struct/array */
void binrpc_close(struct binrpc_enc *e);
/* Drops the body written so far and replaces it with a fault body
 * (code, message); open containers are forgotten.  Use with
 * BINRPC_FAULT in binrpc_enc_finish. */
void binrpc_set_fault(struct binrpc_enc *e, int code,
                      const char *msg, size_t len);

/*
 * Writes the header in front of the body.  On BINRPC_OK *pkt and *len are the
 * whole packet, valid until the next call on e.  Errors: the sticky one,
 * BINRPC_E_STATE (containers still open), BINRPC_E_ARG (bad type).
 */
int binrpc_enc_finish(struct binrpc_enc *e, int msg_type, uint32_t cookie,
                      const uint8_t **pkt, size_t *len);

/* Convenience for clients: a request packet for `method` with string
 * arguments (kamcmd sends numbers as ints: pass them through
 * binrpc_add_int yourself if you need that).  Same contract as
 * binrpc_enc_finish; e must be initialised. */
int binrpc_build_request(struct binrpc_enc *e, uint32_t cookie,
                         const char *method, int argc,
                         const char *const *argv,
                         const uint8_t **pkt, size_t *len);

#endif
