/*
 * msilo_text.h - the texts msilo sends, built without module state (the
 * unit tests link this file): the notification to a sender whose message
 * was stored, and the body and header lines of a stored message when it
 * is delivered.  Every builder writes into a caller's buffer and returns
 * the length written, or -1 when the buffer is too small.
 */
#ifndef TD_MSILO_TEXT_H
#define TD_MSILO_TEXT_H

#include <stddef.h>
#include <time.h>

#include "core/str.h"

/* The prefix is at most this long ("[Offline message - " ctime "] "). */
#define MSILO_DATE_PREFIX_MAX 64

/*
 * The notification body: "User [<owner>] is offline. The message will be
 * delivered when user goes online."  (SER's wording.)
 */
int msilo_notice_body(char *buf, size_t len, const str_t *owner);

/*
 * The body of a delivered message: with add_date, "[Offline message -
 * Thu Jan  1 00:00:00 1970] " (ctime of inc_time, local time) in front
 * of body, as Kamailio and SER do; else body alone.
 */
int msilo_offline_body(char *buf, size_t len, time_t inc, int add_date,
                       const str_t *body);

/*
 * The header lines of a delivered message, each CRLF-ended:
 * "Content-Type: <ctype>" (text/plain when ctype is empty), "Date: <the
 * time it was stored, RFC 1123 GMT>", then the stored extra headers
 * (a missing final CRLF is added).
 */
int msilo_delivery_hdrs(char *buf, size_t len, const str_t *ctype,
                        time_t inc, const str_t *extra);

/* "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n" for t. */
int msilo_date_hdr(char *buf, size_t len, time_t t);

/*
 * 1 when ctype is usable as a Content-Type value (token/token with
 * optional parameters, no CR/LF), else 0: a stored value goes into a
 * header line, so it must not be able to add lines of its own.
 */
int msilo_ctype_ok(const str_t *ctype);

#endif
