/*
 * tandemctl.h - the reply printers of tandemctl.  Each renders a BINRPC
 * reply body (or a fault) to a stream; the caller prints nothing of a
 * reply that does not decode, so it renders into memory first.
 */
#ifndef TD_TANDEMCTL_H
#define TD_TANDEMCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * kamcmd's layout: one line per value, a struct as "{" ... "}" and an
 * array as "[" ... "]", members as "name: value", one tab per level.
 * 0, or -1 with the decoder's complaint in err.
 */
int  out_text_reply(FILE *fp, const uint8_t *body, size_t len, char *err,
                    size_t errsz);
/* "error: <code> - <message>" (kamcmd's words). */
void out_text_fault(FILE *fp, int code, const char *msg, size_t len);

/*
 * JSON: {"result": X} where X is null (no value), the one value the
 * method returned, or an array of them; structs are objects, arrays are
 * arrays, bytes that are not UTF-8 become U+FFFD.  0, or -1 with err.
 */
int  out_json_reply(FILE *fp, const uint8_t *body, size_t len, char *err,
                    size_t errsz);
/* {"error": {"code": <code>, "message": "<message>"}} */
void out_json_fault(FILE *fp, int code, const char *msg, size_t len);

#endif
