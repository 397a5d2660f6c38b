/*
 * kex_flags.h - the three flag sets a script sees on a message: message
 * flags (setflag, in struct msg), script flags (setsflag) and branch
 * flags of branch 0 (setbflag), the last two kept per message in a
 * module slot of the message (msg_ext_register).
 */
#ifndef TD_KEX_FLAGS_H
#define TD_KEX_FLAGS_H

#include "core/msg.h"

#define KEX_FLAG_MAX 31         /* flags are 0..31 */

enum kex_flagset {
	KEX_FLAGS_MSG,          /* setflag()  */
	KEX_FLAGS_SCRIPT,       /* setsflag() */
	KEX_FLAGS_BRANCH,       /* setbflag() on branch 0 */
};

/* Reserves the message slot (module init, before fork).  0 or -1. */
int  kex_flags_init(void);

/* 1 when n is a valid flag index. */
int  kex_flag_valid(long long n);

/*
 * Set, reset or test flag n (valid) of set s on m.  kex_flag_set and
 * kex_flag_reset return 0, or -1 when the per-message storage could not
 * be made (logged); kex_flag_test returns 1 or 0.
 */
int  kex_flag_set(struct msg *m, enum kex_flagset s, int n);
int  kex_flag_reset(struct msg *m, enum kex_flagset s, int n);
int  kex_flag_test(struct msg *m, enum kex_flagset s, int n);

#endif
