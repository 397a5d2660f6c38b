/*
 * sip.h - the SIP view of a message.  This is the only part of Tandem that
 * includes libosip2.  The parse is done once, the first time a caller asks
 * for something; a message that does not parse gives -1 to every caller
 * (logged once).
 *
 * Returned str_t values point into the message buffer or the message
 * arena and are valid until msg_destroy().
 */
#ifndef TD_SIP_H
#define TD_SIP_H

#include "msg.h"
#include "str.h"

/* 0 when the message is (now) parsed, -1 when it is not SIP or broken. */
int  sip_parse(struct msg *m);
void sip_release(struct msg *m);

/* Request method / Request-URI / reply status and reason. 0 or -1. */
int  sip_method(struct msg *m, str_t *out);
int  sip_ruri(struct msg *m, str_t *out);
int  sip_status(struct msg *m, int *code);
int  sip_reason(struct msg *m, str_t *out);

/*
 * The body of header `name` (case-insensitive; compact forms such as "v"
 * for Via and "f" for From match too), occurrence idx: 0 the first, 1 the
 * second, ..., -1 the last.  Values of comma-separated headers are
 * returned as written on that header line.
 * Returns 1 found, 0 not present, -1 when the message does not parse.
 */
int  sip_header(struct msg *m, const str_t *name, int idx, str_t *out);
/* Number of header lines named `name`; -1 when the message does not parse. */
int  sip_header_count(struct msg *m, const str_t *name);

/* Common pieces: 0 or -1 (absent or not parseable). */
int  sip_call_id(struct msg *m, str_t *out);
int  sip_cseq(struct msg *m, str_t *num, str_t *method);
int  sip_from_uri(struct msg *m, str_t *out);
int  sip_to_uri(struct msg *m, str_t *out);
int  sip_from_tag(struct msg *m, str_t *out);
int  sip_to_tag(struct msg *m, str_t *out);
int  sip_user_agent(struct msg *m, str_t *out);
int  sip_body(struct msg *m, str_t *out);

/* Parts of a SIP URI text (sip:user@host:port;params). 0 or -1. */
int  sip_uri_user(struct msg *m, const str_t *uri, str_t *out);
int  sip_uri_host(struct msg *m, const str_t *uri, str_t *out);
int  sip_uri_port(struct msg *m, const str_t *uri, str_t *out);

/*
 * sip_check.c: the first of Via, From, To, Call-ID, CSeq that the framed
 * request [buf, buf + len) lacks (absent or with an empty value), as its
 * name; NULL when all are there.  Reads the raw header block only.
 */
const char *sip_missing_hdr(const char *buf, size_t len);

#endif
