/*
 * mi_text.h - the MI text format of Kamailio's (and OpenSER's) mi_fifo:
 * a request parser and a reply writer.  Pure code: no I/O, no globals,
 * no module_api.h, so the unit tests and the fuzzer link mi_text.c alone.
 *
 * REQUEST = first line, one argument per line, an empty line:
 *
 *   ':' method ':' reply_fifo LF
 *   argument LF                    (zero or more)
 *   LF
 *
 * A CR before any LF is ignored.  An argument wrapped in double quotes
 * loses them ("" is the empty string, "  x" keeps its blanks); any other
 * line is taken as it is.  reply_fifo is a file name under the reply
 * directory, or an absolute path.  Example, core.echo with two arguments
 * and the reply going to /tmp/reply_x:
 *
 *   :core.echo:reply_x\n
 *   hello\n
 *   "two words"\n
 *   \n
 *
 * REPLY = a status line, the reply tree, an empty line:
 *
 *   200 OK\n
 *   :: kamailio-compatible text\n            an unnamed value
 *   uptime:: 42\n                            a struct member
 *   slot::\n                                 a struct or array: its
 *   <indent>name:: x\n                       members one indent deeper
 *   \n
 *
 * A fault is "<code> <message>\n\n".  A LF or CR inside a value or a
 * message is written as the two characters \n or \r, so that a value can
 * never end the reply early.
 *
 * Malformed input (no leading ':', no method, no reply fifo, an
 * over-long line, a NUL byte, too many arguments or bytes) is reported
 * once and skipped: the parser drops the rest of the bad request, up to
 * its empty line or to the next line that starts with ':', whichever
 * comes first, and goes on with what follows.
 */
#ifndef TD_MI_TEXT_H
#define TD_MI_TEXT_H

#include <stddef.h>

#include "core/rpc.h"
#include "core/str.h"

#define MI_ARGS_MAX      32            /* arguments per request           */
#define MI_LINE_MAX      4096          /* bytes per line, without the LF  */
#define MI_REQ_MAX       65536         /* bytes per request               */
#define MI_METHOD_MAX    127
#define MI_REPLY_NAME_MAX 1023
#define MI_REPLY_MAX     ((size_t)4 << 20)   /* default reply size limit */

enum mi_rc {
	MI_BAD  = -1,   /* malformed request: *err says why; skip *used   */
	MI_MORE = 0,    /* no complete request yet: drop *used, read more */
	MI_REQ  = 1,    /* a request in *r, *used bytes long              */
};

/* A parsed request.  Every str_t points into the caller's buffer. */
struct mi_req {
	str_t  method;
	str_t  reply;
	int    argc;
	str_t  argv[MI_ARGS_MAX];
};

/* The parser's state between calls (what is being skipped). */
struct mi_parser {
	int    state;
	size_t line_max;
	size_t req_max;
	int    args_max;
};

/* Default limits (MI_LINE_MAX, MI_REQ_MAX, MI_ARGS_MAX), nothing skipped.
 * A caller may lower the limits after this; args_max stays <=
 * MI_ARGS_MAX and line_max < req_max. */
void mi_parser_init(struct mi_parser *p);

/*
 * Looks for one request at buf[0..len).  Returns:
 *   MI_REQ   *r filled; the request took *used bytes (the caller drops
 *            them after using *r, which points into buf);
 *   MI_MORE  no complete request: the caller drops *used bytes (blank
 *            lines, skipped garbage) and calls again with more input;
 *   MI_BAD   *err (static text) says what is wrong with the request at
 *            buf + *used; the parser now skips it: the caller drops *used
 *            bytes and calls again (with the same bytes that follow).
 * The caller's buffer must hold at least p->req_max bytes: a request
 * that does not fit is reported as MI_BAD ("request too large").
 */
int mi_parse(struct mi_parser *p, const char *buf, size_t len,
             struct mi_req *r, size_t *used, const char **err);

/* --- the reply ------------------------------------------------------------ */

struct mi_out {
	char       *buf;
	size_t      len, cap;
	size_t      max;        /* bytes; past it the reply becomes a fault  */
	const char *indent;
	int         depth;
	int         fault;      /* 1: the reply is a fault                   */
	int         overflow;   /* 1: the reply outgrew max                  */
	int         nomem;      /* 1: malloc failed                          */
};

/* max 0 means MI_REPLY_MAX; indent NULL means "\t".  The buffer grows on
 * demand; mi_out_free releases it. */
void mi_out_init(struct mi_out *o, size_t max, const char *indent);
void mi_out_free(struct mi_out *o);

/*
 * The rpc_writer that renders into a struct mi_out (the `out` of
 * rpc_execute).  Its end() returns 0 with o->buf / o->len holding the
 * whole reply (an over-large reply is replaced by "500 reply too
 * large"), or -1 when memory ran out (o->buf is then unusable).
 */
const struct rpc_writer *mi_out_writer(void);

#endif
