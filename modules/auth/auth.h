/*
 * auth.h - what the auth module's files share: its configuration and
 * runtime state (one struct, owned by auth.c), the Kamailio return codes
 * and the message-level operations of auth_api.c.
 */
#ifndef TD_AUTH_H
#define TD_AUTH_H

#include "core/module_api.h"
#include "auth_challenge.h"
#include "auth_digest.h"
#include "auth_hdr.h"
#include "auth_nonce.h"
#include "modules/sl/sl_api.h"

/* Kamailio's auth_cfg_result_t: what the script sees in $rc. */
enum auth_result {
	AUTH_USER_MISMATCH = -8,    /* auth user differs from From/To user */
	AUTH_NONCE_REUSED = -6,     /* one-time nonce used again           */
	AUTH_NO_CREDENTIALS = -5,   /* no credentials for the realm        */
	AUTH_STALE_NONCE = -4,      /* expired, replayed nc, rebound       */
	AUTH_USER_UNKNOWN = -3,     /* (auth_db only; never returned here) */
	AUTH_INVALID_PASSWORD = -2, /* the response does not match         */
	AUTH_ERROR = -1,            /* malformed or unverifiable           */
	AUTH_OK = 1,
};

/* Challenge flags (www_challenge & co., auth_get_www_authenticate). */
enum {
	AUTH_CF_QOP_AUTH     = 1,
	AUTH_CF_QOP_AUTH_INT = 2,
	AUTH_CF_NO_500       = 4,
	AUTH_CF_STALE        = 16,
};

/* pv_*_authenticate flags. */
enum {
	AUTH_VF_HA1          = 1,
	AUTH_VF_CHAL_NOQOP   = 2,
	AUTH_VF_CHAL_AUTH    = 4,
	AUTH_VF_CHAL_AUTHINT = 8,
	AUTH_VF_CHAL_STALE   = 16,
};

struct auth_state {
	/* parameters (private memory, set before init) */
	int                     nonce_expire;
	int                     max_drift;
	int                     nonce_count;
	int                     one_time_nonce;
	enum auth_qop           qop;            /* the qop parameter     */
	enum auth_alg           alg;
	int                     alg_named;      /* algorithm= was set    */
	unsigned                chk_register;
	unsigned                chk_no_dlg;
	unsigned                chk_in_dlg;
	int                     use_domain;
	char                   *realm_prefix;   /* NULL: none            */
	unsigned                nc_order;
	unsigned                otn_order;
	/* runtime, made in init before fork */
	struct auth_secret      secret;
	struct auth_nc_table   *nc;             /* NULL: no tracking     */
	int                     ext_slot;
	struct pv_ref          *challenge_avp;  /* $avp(digest_challenge) */
	const struct sl_api    *sl;             /* replies, when loaded  */
	int                     avp_warned;
};

/* What the module remembers about a message (per-message slot). */
struct auth_msg {
	int  stale;         /* credentials held a stale nonce          */
	int  authorized;    /* credentials were verified               */
	int  proxy;         /* ... in Proxy-Authorization              */
	int  consumed;
};

/* --- auth_api.c ----------------------------------------------------------- */

/* The message's record, created when create != 0 (NULL on failure). */
struct auth_msg *auth_msg_get(struct auth_state *st, struct msg *m,
                              int create);

/* The realm argument with realm_prefix removed. */
str_t auth_realm(const struct auth_state *st, const str_t *realm);

/*
 * Verifies the credentials for realm in Authorization (proxy == 0) or
 * Proxy-Authorization against passwd (HA1 when flags & AUTH_VF_HA1),
 * with method (NULL or empty: the request's).  Returns an
 * enum auth_result; on AUTH_OK *cred (if not NULL) gets the credentials.
 */
int auth_verify(struct auth_state *st, struct msg *m, const str_t *realm,
                const str_t *passwd, unsigned flags, const str_t *method,
                int proxy, struct auth_cred *cred);

/* 1 when Authorization or Proxy-Authorization holds Digest credentials
 * for realm, else -1. */
int auth_has_credentials(struct auth_state *st, struct msg *m,
                         const str_t *realm);

/*
 * Builds the challenge header line for m in its arena: a fresh nonce
 * (bound and tracked as configured), qop, stale (asked, or because m's
 * credentials were stale), algorithm.  0, or -1 (logged).
 */
int auth_build_challenge(struct auth_state *st, struct msg *m,
                         const str_t *realm, enum auth_qop qop, int stale,
                         int proxy, str_t *out);

#endif
