/*
 * module_api.h - THE header a module includes.  It describes what a
 * module exports (struct module) and what the core offers it (logging,
 * values, arguments, pseudo-variables, formats, the message).
 *
 * A module exports exactly one symbol, `tandem_module`, written with
 * designated initialisers; the loader checks abi, name and the tables.
 */
#ifndef TD_MODULE_API_H
#define TD_MODULE_API_H

#include "cfg/diag.h"
#include "core/arg.h"
#include "core/conn_send.h"
#include "core/fmt.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/pv.h"
#include "core/shm.h"
#include "core/sip.h"
#include "core/str.h"
#include "core/timer.h"
#include "core/tr.h"
#include "core/val.h"

#define MOD_ABI_VERSION  2      /* bump on ANY change to the structs below */
#define MOD_MAX_ARGS     6

struct rpc_call;                /* core/rpc.h (RPC issue) */

/* --- who am I: replaces Kamailio's magic negative ranks ---------------- */
enum proc_role {
	PROC_ROLE_SUPERVISOR = 0,
	PROC_ROLE_TCP_WORKER,
	PROC_ROLE_UDP_RECEIVER,
	PROC_ROLE_TIMER,
	PROC_ROLE_MODULE,
};

struct proc_self {
	enum proc_role   role;
	int              index;
	const char      *desc;
};

/* --- script functions ---------------------------------------------------- */
enum {
	ARG_INT    = 1u << 0,   /* int literal or int-valued expression   */
	ARG_STR    = 1u << 1,   /* string; "$..." compiled once to a fmt  */
	ARG_PV     = 1u << 2,   /* writable pseudo-variable (destination) */
	ARG_REGEX  = 1u << 3,   /* compiled once (POSIX extended)         */
	ARG_OPT    = 1u << 8,   /* may be omitted: the handler gets NULL  */
	ARG_STATIC = 1u << 9,   /* literal only, no $ allowed             */
};

struct arg_spec {
	unsigned    flags;                          /* 0 ends the list */
	/* Runs after the core built *arg (a struct arg *); may replace it
	 * with the module's own structure.  0 or -1 (error in d). */
	int       (*fixup)(void **arg, struct cfg_diag *d);
	void      (*free_fixup)(void *arg);
};

/* Route types: where a function may be used. */
enum {
	RT_REQUEST = 1u << 0,   /* request_route, route {} and its subroutes */
	RT_REPLY   = 1u << 1,   /* reply_route, onreply_route[...]          */
	RT_FAILURE = 1u << 2,
	RT_BRANCH  = 1u << 3,
	RT_EVENT   = 1u << 4,   /* event_route[...]                         */
	RT_ONSEND  = 1u << 5,
	RT_ANY     = 0x3fu,
};

/* >0 true, <0 false, 0 ends the script (Kamailio semantics).
 * args[i] is what the core (then arg_spec.fixup) built; NULL if omitted. */
typedef int (*cmd_fn)(struct msg *m, void *const *args);

struct cmd_export {
	const char        *name;                    /* NULL ends the table */
	cmd_fn             fn;
	unsigned           routes;                  /* RT_* mask           */
	struct arg_spec    args[MOD_MAX_ARGS + 1];
};

/* --- modparam ------------------------------------------------------------ */
enum param_type { PARAM_INT = 1, PARAM_STR = 2 };

struct param_export {
	const char        *name;
	enum param_type    type;
	void              *var;     /* int * or char ** to store into, or NULL */
	/* used when var == NULL: repeatable or structured values.
	 * 0 or -1 (error reported in d). */
	int              (*set)(const struct val *v, struct cfg_diag *d);
};

/* --- extra processes ----------------------------------------------------- */
struct proc_export {
	const char  *desc;
	int          count;
	void       (*run)(const struct proc_self *self);   /* does not return */
};

/* --- RPC ---------------------------------------------------------------- */
struct rpc_export {
	const char  *name;
	void       (*fn)(struct rpc_call *c);
	const char  *args;
	const char  *help;
};

/* --- the descriptor ------------------------------------------------------ */
struct module {
	unsigned                     abi;
	const char                  *name;
	const char                  *version;
	const char *const           *depends;
	const struct cmd_export     *cmds;
	const struct param_export   *params;
	const struct pv_export      *pvs;
	const struct tr_export      *trs;
	const struct rpc_export     *rpcs;
	const struct proc_export    *procs;
	const void                  *api;
	unsigned                     api_version;
	int  (*init)(void);
	int  (*child_init)(const struct proc_self *self);
	void (*destroy)(void);
	/*
	 * Optional: frees what the modparam setters and fixups allocated,
	 * in every process that loaded the module, whether or not init ran
	 * (tandem -c, a refused config, a failed init).  Called once, just
	 * before the module is unloaded; must not touch shared memory.
	 */
	void (*unload)(void);
};

/* Another module's api struct, or NULL if not loaded / other version. */
const void *mod_api_get(const char *name, unsigned version);

#endif
