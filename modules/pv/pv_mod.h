/*
 * pv_mod.h - what the files of the pv module share: the callbacks that
 * pv.c puts in its export tables, and the per-message context.  Nothing
 * here includes module_api.h, so the unit test links these files.
 */
#ifndef TD_PV_MOD_H
#define TD_PV_MOD_H

#include <sys/time.h>

#include "cfg/diag.h"
#include "core/msg.h"
#include "core/pv.h"
#include "core/tr.h"
#include "core/val.h"

struct rpc_call;

/* --- per-message context (pv_ctx.c) --------------------------------------- */

struct pv_avp;

struct pv_msgctx {
	struct pv_avp  *avps;       /* newest first                     */
	int             tv_set;     /* tv taken for this message        */
	struct timeval  tv;
};

/* Reserves the message slot; in init, before any message.  0 or -1. */
int  pv_ctx_init(void);
/* m's context, created on first use; NULL when m is NULL (no message)
 * or memory ran out (logged). */
struct pv_msgctx *pv_ctx(struct msg *m);
/* m's context if it has one already, else NULL. */
struct pv_msgctx *pv_ctx_peek(struct msg *m);

/* A copy of in whose string lives in a (values handed to the script
 * must survive the variable being overwritten).  0 or -1. */
int  pv_val_dup(struct arena *a, const struct val *in, struct val *out);

/*
 * "name=type:value" of the shvset and varset parameters: type 'i' (the
 * value must be an integer) or 's'.  *name and v borrow from in.
 * 0 or -1 (error in d).
 */
int  pv_nameval_parse(const str_t *in, str_t *name, struct val *v,
                      struct cfg_diag *d, const char *param);

/* --- $var (pv_var.c) -------------------------------------------------------- */
int  pv_var_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_var_get(struct msg *m, void *compiled, struct val *out);
int  pv_var_set(struct msg *m, void *compiled, const struct val *in);
int  pv_var_param(const struct val *v, struct cfg_diag *d);
void pv_var_destroy(void);

/* --- $shv (pv_shv.c) -------------------------------------------------------- */
int  pv_shv_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_shv_get(struct msg *m, void *compiled, struct val *out);
int  pv_shv_set(struct msg *m, void *compiled, const struct val *in);
int  pv_shv_param(const struct val *v, struct cfg_diag *d);
/* Builds the table in shm with every declared name.  0 or -1. */
int  pv_shv_init(void);
void pv_shv_destroy(void);
void pv_shv_rpc_get(struct rpc_call *c);
void pv_shv_rpc_set(struct rpc_call *c);

/* --- $avp (pv_avp.c) ---------------------------------------------------------- */
int  pv_avp_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_avp_get(struct msg *m, void *compiled, struct val *out);
int  pv_avp_get_idx(struct msg *m, void *compiled, int idx, struct val *out);
int  pv_avp_set(struct msg *m, void *compiled, const struct val *in);
void pv_avp_free(void *compiled);
/* Frees a message's list (the context release). */
void pv_avp_release(struct pv_avp *head);

/* --- time (pv_time.c) --------------------------------------------------------- */
int  pv_ts_get(struct msg *m, void *compiled, struct val *out);
int  pv_tv_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_tv_get(struct msg *m, void *compiled, struct val *out);
int  pv_time_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_time_get(struct msg *m, void *compiled, struct val *out);
int  pv_timef_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_timef_get(struct msg *m, void *compiled, struct val *out);
void pv_timef_free(void *compiled);

/* --- $au $ar $ad $env (pv_misc.c) ---------------------------------------------- */
int  pv_au_get(struct msg *m, void *compiled, struct val *out);
int  pv_ar_get(struct msg *m, void *compiled, struct val *out);
int  pv_ad_get(struct msg *m, void *compiled, struct val *out);
int  pv_env_parse(const str_t *inner, void **compiled, struct cfg_diag *d);
int  pv_env_get(struct msg *m, void *compiled, struct val *out);
void pv_env_free(void *compiled);

/* --- transformations (pv_tr.c) ------------------------------------------------- */
int  pv_tr_parse_s(const str_t *key, const str_t *args, void **compiled,
                   struct cfg_diag *d);
int  pv_tr_parse_uri(const str_t *key, const str_t *args, void **compiled,
                     struct cfg_diag *d);
int  pv_tr_parse_param(const str_t *key, const str_t *args, void **compiled,
                       struct cfg_diag *d);
int  pv_tr_apply(struct msg *m, void *compiled, struct val *v);
void pv_tr_free(void *compiled);

#endif
