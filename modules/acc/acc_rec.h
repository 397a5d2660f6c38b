/*
 * acc_rec.h - an accounting record: what acc writes about one request,
 * built from the message (SIP, or the synthetic SIP view of an MSRP
 * frame) and written by acc_log.c or acc_db.c.  Also the extra fields
 * of log_extra / db_extra, the split of a script comment into code and
 * reason, and which records a transaction's final reply makes.
 *
 * No module state here: the Check suite links this file directly.
 */
#ifndef TD_ACC_REC_H
#define TD_ACC_REC_H

#include <time.h>

#include "cfg/diag.h"
#include "core/msg.h"
#include "core/str.h"

#define ACC_EXTRA_MAX   64      /* Kamailio's MAX_ACC_EXTRA            */
#define ACC_NAME_MAX    64      /* an extra's name, with its NUL       */

/* One "name=$pv" of log_extra or db_extra. */
struct acc_extra {
	char          name[ACC_NAME_MAX];
	struct fmt   *fmt;          /* exactly one PV reference            */
};

struct acc_extras {
	int               n;
	struct acc_extra  x[ACC_EXTRA_MAX];
};

/* The core fields, in Kamailio's order (log names / default columns). */
enum {
	ACC_METHOD = 0,     /* method      / method     */
	ACC_FROM_TAG,       /* from_tag    / from_tag   */
	ACC_TO_TAG,         /* to_tag      / to_tag     */
	ACC_CALLID,         /* call_id     / callid     */
	ACC_CODE,           /* code        / sip_code   */
	ACC_REASON,         /* reason      / sip_reason */
	ACC_NCORE,
};

struct acc_rec {
	time_t          ts;
	str_t           core[ACC_NCORE];        /* "" when absent          */
	int             nextra;
	str_t           extra[ACC_EXTRA_MAX];
	unsigned char   extra_null[ACC_EXTRA_MAX];  /* the PV had no value */
};

/*
 * Parses "name=$pv;name2=$pv2" (blanks around names and values are
 * allowed) into out, compiling each value, which must be exactly one
 * pseudo-variable.  what names the parameter in errors ("log_extra").
 * With sql_names, a name must be a plain SQL column name and appear
 * once.  0, or -1 with the error in d at pos (out is then empty).
 */
int  acc_extras_parse(const char *what, const str_t *spec, int sql_names,
                      struct acc_extras *out, struct cfg_diag *d,
                      struct cfg_pos pos);
void acc_extras_free(struct acc_extras *x);

/* 1 when name is a plain SQL name: [A-Za-z_][A-Za-z0-9_]*, < 64 bytes. */
int  acc_sql_name_ok(const char *name, size_t len);

/*
 * Kamailio's reading of an accounting comment: three leading digits are
 * the code and the rest, blanks skipped, the reason ("200 OK" -> "200",
 * "OK"; "404Gone" -> "404", "Gone"); otherwise the code is empty and the
 * whole comment is the reason.  code and reason point into comment.
 */
void acc_comment_split(const str_t *comment, str_t *code, str_t *reason);

/*
 * Fills the core fields of r for request m at time ts (no extras yet):
 * method, From tag, Call-ID from the message; the To tag is to_tag when
 * given (a reply's), else the request's own; code and reason as given
 * (NULL: empty).  0, or -1 when m has no SIP request view (a reply, a
 * request that does not parse, an MSRP frame without the msrp module's
 * sipmsg=1).
 */
int  acc_rec_build(struct msg *m, const str_t *code, const str_t *reason,
                   const str_t *to_tag, time_t ts, struct acc_rec *r);

/* Sets the extras of r to those of x evaluated on m (strings in m's
 * arena); an unset pseudo-variable is an empty, null field. */
void acc_rec_extras(struct msg *m, const struct acc_extras *x,
                    struct acc_rec *r);

/* --- a transaction's end ------------------------------------------------ */

/* The script flags acc looks at; -1 for a flag that is not set. */
struct acc_flags {
	int log, log_missed, failed, db, db_missed;
};

enum {
	ACC_T_LOG        = 1u << 0,     /* "transaction answered" line  */
	ACC_T_LOG_MISSED = 1u << 1,     /* "call missed" line           */
	ACC_T_DB         = 1u << 2,     /* row in db_table_acc          */
	ACC_T_DB_MISSED  = 1u << 3,     /* row in db_table_missed_calls */
};

/*
 * What a transaction whose request carried msg_flags makes when its
 * final reply `code` goes upstream (Kamailio 5.6): a 2xx is accounted
 * with log_flag / db_flag; a reply >= 300 too when failed_transaction_flag
 * is also set; a reply >= 300 to an INVITE is a missed call with
 * log_missed_flag / db_missed_flag.  A mask of ACC_T_*.
 */
unsigned acc_trans_what(const struct acc_flags *f, unsigned msg_flags,
                        int is_invite, int code);

#endif
