/*
 * rr_mod.h - what the files of the rr module share: the parameters,
 * the per-request state, and the work functions behind the script
 * functions (rr_record.c, rr_loose.c).
 */
#ifndef TD_RR_MOD_H
#define TD_RR_MOD_H

#include <regex.h>

#include "core/module_api.h"

/* The mark of our Record-Route inserts among a request's header edits
 * ("rr"); it survives into a failure_route's copy of the request. */
#define RR_EDIT_TAG 0x7272

struct rr_cfg {
	int     append_fromtag;
	int     enable_full_lr;
	int     enable_double_rr;
	int     add_username;
	char   *ignore_user;        /* NULL: none */
};

extern struct rr_cfg rr_cfg;

/* What rr remembers about one request while its routes run (arena). */
struct rr_state {
	str_t   params;         /* every add_rr_param() so far, ";a=1;b"  */
	int     loose_rc;       /* loose_route()'s result, 0: not run     */
	int     own;            /* it found a URI of ours ...             */
	str_t   own_params;     /* ... with these parameters              */
};

/* The request's state, made (zeroed) on first use when create.  NULL
 * when there is none yet, or out of memory (logged). */
struct rr_state *rr_state_get(struct msg *m, int create);

/* rr_record.c: 1 or -1, as the script functions return. */
int rr_record(struct msg *m, const str_t *params);
int rr_record_adv(struct msg *m, const str_t *addr);
int rr_record_preset(struct msg *m, const str_t *uri, const str_t *uri2);
int rr_add_param(struct msg *m, const str_t *param);
int rr_remove(struct msg *m);

/* rr_loose.c */
int rr_loose_route(struct msg *m);
int rr_check_param(struct msg *m, const regex_t *re);
int rr_is_direction(struct msg *m, int upstream);
int rr_route_uri(struct msg *m, struct val *out);

#endif
