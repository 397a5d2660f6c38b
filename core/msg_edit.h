/*
 * msg_edit.h - changes a route asks for in a request's header block,
 * applied when the request is forwarded.
 *
 * This is what Kamailio calls lumps, reduced to what header functions
 * need: text inserted at an offset of the received message, and byte
 * ranges removed from it.  The received bytes are never touched, so
 * $hdr(), sip_header() and the rest keep reading what arrived (as in
 * Kamailio); a forwarder (tm) asks for the edited text with
 * msg_edit_apply().  Callers keep edits inside the header block and on
 * whole header lines or whole header values, so the body and its
 * Content-Length stay right.
 */
#ifndef TD_MSG_EDIT_H
#define TD_MSG_EDIT_H

#include <stddef.h>

#include "arena.h"
#include "msg.h"
#include "str.h"

struct msg_edit {
	struct msg_edit *next;
	size_t           off;       /* offset in the received message      */
	size_t           del;       /* bytes removed at off; 0: an insert  */
	str_t            ins;       /* text inserted at off (in the arena) */
	unsigned         seq;       /* call order, for equal offsets       */
	int              tag;       /* the caller's mark (rr: its header)  */
};

/*
 * Inserts a copy of text before offset off (0 < off <= m->buf.len).
 * Inserts at the same offset come out in call order.  Returns the edit
 * (its ins and tag may be changed later by the caller), or NULL.
 */
struct msg_edit *msg_edit_insert(struct msg *m, size_t off,
                                 const str_t *text, int tag);
/* Removes [off, off + len).  Overlapping removals are merged.  0/-1. */
int  msg_edit_remove(struct msg *m, size_t off, size_t len);
/* Replaces the text of an insert (copied).  0 or -1. */
int  msg_edit_set_text(struct msg *m, struct msg_edit *e, const str_t *text);
/* Drops every insert with this tag; the number dropped. */
int  msg_edit_drop_tag(struct msg *m, int tag);
/* The first insert with this tag, or NULL. */
struct msg_edit *msg_edit_find_tag(const struct msg *m, int tag);
int  msg_edit_count(const struct msg *m);
/* 1 when [off, off + len) is already removed in whole. */
int  msg_edit_is_removed(const struct msg *m, size_t off, size_t len);

/*
 * base (m->buf.len bytes: the received message or a copy of it) with
 * m's edits applied, in arena a.  Without edits *out is base itself.
 * 0, or -1 (out of memory, or base of another length).
 */
int  msg_edit_apply(const struct msg *m, const str_t *base, struct arena *a,
                    str_t *out);

/*
 * The edits as one flat block (malloc'd, for a transaction to keep in
 * shared memory and give to the message its failure_route runs on), and
 * back.  pack: 0 with *blk and *len (NULL and 0 without edits), or -1.
 * unpack: adds the block's edits to m; 0 or -1 (a malformed block).
 */
int  msg_edit_pack(const struct msg *m, char **blk, size_t *len);
int  msg_edit_unpack(struct msg *m, const char *blk, size_t len);

#endif
