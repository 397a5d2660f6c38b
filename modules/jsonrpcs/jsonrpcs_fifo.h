/*
 * jsonrpcs_fifo.h - JSON-RPC over a FIFO, the transport kamctl uses.
 *
 * Clients write JSON-RPC requests into the FIFO, one after another (no
 * separator is needed; a newline is usual).  Each request names, in its
 * "reply_name" member, a FIFO the client made in fifo_reply_dir; the
 * response is written there and that FIFO closed.  One process reads the
 * FIFO and serves the requests in order.
 *
 * Nothing a client does can hold that process for long: a request must
 * arrive whole (an unfinished one is dropped after JSONRPCS_FIFO_IDLE_MS
 * without new bytes), a reply FIFO must get a reader within
 * JSONRPCS_FIFO_OPEN_MS and take the reply within JSONRPCS_FIFO_WRITE_MS.
 */
#ifndef TD_JSONRPCS_FIFO_H
#define TD_JSONRPCS_FIFO_H

#include <stddef.h>
#include <sys/types.h>

#include "jsonrpcs_json.h"

#define JSONRPCS_FIFO_REQ_MAX    (1024 * 1024)  /* bytes in one request */
#define JSONRPCS_FIFO_IDLE_MS    3000
#define JSONRPCS_FIFO_OPEN_MS    2000
#define JSONRPCS_FIFO_WRITE_MS   5000
#define JSONRPCS_REPLY_NAME_MAX  128

struct jsonrpcs_fifo_cfg {
	const char  *path;
	unsigned     mode;
	uid_t        uid;           /* (uid_t)-1: leave as is */
	gid_t        gid;
	const char  *reply_dir;
	int          pretty;
};

/* Creates the FIFO (in the supervisor, before fork: a bad path stops
 * startup) and checks fifo_reply_dir.  mkdir_parent creates a missing
 * parent directory.  0, or -1 (logged). */
int  jsonrpcs_fifo_create(const struct jsonrpcs_fifo_cfg *cfg,
                          int mkdir_parent);
/* Removes the FIFO if it is still the one made by create(). */
void jsonrpcs_fifo_remove(void);
/* The process: serves until SIGTERM or the supervisor's death. */
void jsonrpcs_fifo_run(const struct jsonrpcs_fifo_cfg *cfg);

/* --- the request stream (pure; here for the unit tests) ------------------- */

enum {
	JSONRPCS_S_MORE = 0,    /* nothing complete yet                     */
	JSONRPCS_S_REQ,         /* a JSON value, parsed into the doc        */
	JSONRPCS_S_BAD,         /* bytes dropped: not JSON, or too large    */
};

struct jsonrpcs_stream {
	char    *buf;
	size_t   off, len, cap;     /* unread bytes are buf[off, len)   */
	size_t   max;               /* the largest request              */
	int      skip;              /* dropping up to the next newline  */
	char     err[128];
};

int   jsonrpcs_stream_init(struct jsonrpcs_stream *st, size_t max);
void  jsonrpcs_stream_free(struct jsonrpcs_stream *st);
/* Where to read into, and how much fits (never 0 after next() said
 * MORE). */
char *jsonrpcs_stream_room(struct jsonrpcs_stream *st, size_t *room);
void  jsonrpcs_stream_added(struct jsonrpcs_stream *st, size_t n);
/*
 * Takes the next request off the stream.  REQ: text and len are the
 * request's text, parsed into doc.  BAD: they are what was dropped
 * and st->err says why; after a syntax error the stream drops up to the
 * next newline, where a new request is expected.  The text is valid until
 * the next call.
 */
int   jsonrpcs_stream_next(struct jsonrpcs_stream *st,
                           struct jsonrpcs_doc *doc, const char **text,
                           size_t *len);
/* Bytes of an unfinished request (or 1 while dropping to a newline). */
size_t jsonrpcs_stream_pending(const struct jsonrpcs_stream *st);
/* Forgets them (the writer went away mid-request). */
void  jsonrpcs_stream_reset(struct jsonrpcs_stream *st);

/* A reply_name a request may use: 1-JSONRPCS_REPLY_NAME_MAX bytes, a
 * file name (no '/', not "." or ".."), no control characters. */
int   jsonrpcs_reply_name_ok(const char *name, size_t len);
/* The "reply_name" of a request that is not JSON, found by looking for
 * "reply_name" : "..." in its text, so that even a broken request gets
 * its Parse Error.  1 with the name in out, or 0. */
int   jsonrpcs_reply_name_scan(const char *text, size_t len, char *out,
                               size_t size);

#endif
