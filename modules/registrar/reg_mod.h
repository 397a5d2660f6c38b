/*
 * reg_mod.h - the registrar module's configuration and the apis it
 * uses, shared by its glue files (registrar.c, reg_save.c,
 * reg_lookup.c).
 */
#ifndef TD_REG_MOD_H
#define TD_REG_MOD_H

#include "core/msg.h"
#include "core/str.h"
#include "modules/sl/sl_api.h"
#include "modules/usrloc/usrloc_api.h"

/* save() flags, as Kamailio's */
enum {
	REG_SAVE_MEMORY = 0x01,         /* memory only: always so here     */
	REG_SAVE_NOREPLY = 0x02,        /* the script sends the reply      */
	REG_SAVE_REPLACE = 0x04,        /* one contact per AOR: drop others */
	REG_SAVE_NORANGE = 0x08,        /* no expires range: none here     */
	REG_SAVE_ALL = 0x0f,
};

/* save() return codes (>0 success) */
enum {
	REG_RC_INSERTED = 1,            /* at least one new binding         */
	REG_RC_UPDATED = 2,             /* bindings refreshed               */
	REG_RC_DELETED = 3,             /* bindings removed (Expires 0, *)  */
	REG_RC_QUERY = 4,               /* no Contact: bindings listed      */
};

/* path_mode: what the reply to a REGISTER with Path does (Kamailio's) */
enum {
	REG_PATH_OFF = 0,               /* stored, never echoed              */
	REG_PATH_LAZY = 1,              /* echoed when Supported has "path" */
	REG_PATH_STRICT = 2,            /* 420 without Supported: path      */
};

struct reg_cfg {
	int   default_expires;
	int   min_expires;
	int   max_expires;
	int   max_contacts;
	int   default_q;                /* 0..1000 or -1 (no q)              */
	int   case_sensitive;
	int   min_expires_mode;         /* 1: 423 instead of raising         */
	int   retry_after;
	int   use_path;                 /* store Path, route by it (RFC 3327) */
	int   path_mode;                /* REG_PATH_*                         */
	int   method_filtering;         /* lookup() honours the Allow list    */
	char *realm_prefix;
	const struct usrloc_api *ul;
	const struct sl_api     *sl;
};

/* The module's configuration (set at config time, read-only after). */
const struct reg_cfg *reg_cfg(void);

/*
 * The location table a script function named in its first argument:
 * the name is static (checked by the fixup), registered with usrloc at
 * config time.  NULL when unknown (logged).
 */
struct ul_domain *reg_domain(struct msg *m, const void *arg);

/* save(table [, flags [, uri]]): >0 (REG_RC_*) or -1. */
int reg_save(struct msg *m, struct ul_domain *d, unsigned flags,
             const str_t *uri);
/* lookup(table [, uri]): 1 found, -1 none, -2 bindings exist but none
 * accepts the method (method_filtering), -3 internal error. */
int reg_lookup(struct msg *m, struct ul_domain *d, const str_t *uri);
/* registered(table [, uri]): 1 or -1. */
int reg_registered(struct msg *m, struct ul_domain *d, const str_t *uri);
/* unregister(table, uri): 1 when bindings were removed, -1 none/error. */
int reg_unregister(struct msg *m, struct ul_domain *d, const str_t *uri);

/* The AOR of uri (the R-URI when uri is NULL) in m's arena.  0 or -1. */
int reg_aor_of(struct msg *m, const str_t *uri, str_t *aor);

#endif
