/*
 * reg_reply.h - the header lines of the registrar's replies: the 200
 * OK's Contact list (every binding with its remaining expires) and the
 * error headers.  Pure: takes copies from usrloc, writes to an arena.
 */
#ifndef TD_REG_REPLY_H
#define TD_REG_REPLY_H

#include "core/arena.h"
#include "core/str.h"
#include "modules/usrloc/usrloc_api.h"

/*
 * "Contact: <uri>;expires=N[;q=Q][;+sip.instance=..][;reg-id=N]
 * [;received=\"..\"], <...>\r\n" for the live bindings of cs at time
 * now, into a (empty when there are none).  0, or -1 (arena full).
 */
int reg_reply_contacts(const struct ul_contacts *cs, long long now,
                       struct arena *a, str_t *out);

/*
 * The Path echo of RFC 3327 §5.3: "Path: <path>\r\n", preceded by
 * "Unsupported: path\r\n" when unsupported is set (the 420 of
 * path_mode 2).  Empty when path is.  0, or -1 (arena full).
 */
int reg_reply_path_hdrs(const str_t *path, int unsupported, struct arena *a,
                        str_t *out);

/* "P-Registrar-Error: info\r\n" plus, when min_expires > 0,
 * "Min-Expires: N\r\n", and when retry_after > 0, "Retry-After: N\r\n".
 * 0 or -1. */
int reg_reply_error_hdrs(const char *info, long long min_expires,
                         int retry_after, struct arena *a, str_t *out);

#endif
