/*
 * textopsx_edit.h - the message work of textopsx, apart from the script
 * glue in textopsx.c so that the unit tests can drive it on a struct msg:
 * msg_apply_changes() (the recorded header edits made the message
 * itself), remove_body() and keep_hf().
 *
 * remove_body() and keep_hf() record their changes with core/msg_edit.h
 * like textops' header functions do: the received text stays as it came
 * until msg_apply_changes() or the forwarder applies them.
 */
#ifndef TD_TEXTOPSX_EDIT_H
#define TD_TEXTOPSX_EDIT_H

#include <regex.h>

#include "core/msg.h"

/*
 * Makes m's recorded edits part of m itself: the edited text (in m's
 * arena) becomes m->buf, the parsed SIP view is dropped so that the next
 * read parses the new text, and the edit list is emptied.  The new text
 * must still be a SIP request with Via, From, To, Call-ID and CSeq;
 * otherwise m is left exactly as it was.  The caller checks that no one
 * else keeps pointers into the old text (tm's transaction).
 * 1 (also when there was nothing to apply), or -1 with *err set to a
 * static text.
 */
int txx_apply(struct msg *m, const char **err);

/*
 * Records the removal of m's body and a "Content-Length: 0" in place of
 * every Content-Length field (one added when there is none).  A request
 * without a body, or whose body is already removed, is left alone.
 * 1, or -1 with *err set.
 */
int txx_remove_body(struct msg *m, const char **err);

/*
 * Records the removal of every header field whose name neither is one
 * that keep_hf() always keeps (Via, From, To, Call-ID, CSeq,
 * Content-Length, Content-Type, Max-Forwards, Contact, Route,
 * Record-Route; compact forms too) nor matches re (NULL: none does).
 * re sees the name as written.  1, or -1 with *err set.
 */
int txx_keep_hf(struct msg *m, const regex_t *re, const char **err);

/* 1 when keep_hf() always keeps a field of this name, else 0. */
int txx_hf_always_kept(const str_t *name);

#endif
