/*
 * cfg_rpc_api.h - how a module exposes values an operator may read and
 * change at runtime with the cfg.* RPCs (Kamailio's "cfg framework"
 * groups, as cfg_rpc shows them).
 *
 * In its init (before fork), a module declares a group and a table of
 * variables:
 *
 *     static const struct cfg_rpc_var my_vars[] = {
 *         { .name = "timeout", .type = CFG_RPC_INT, .min = 1,
 *           .max = 3600, .ival = &shared->timeout,   // in shm
 *           .help = "seconds to wait" },
 *         { .name = NULL },
 *     };
 *     const struct cfg_rpc_api *cr =
 *         mod_api_get("cfg_rpc", CFG_RPC_API_VERSION);
 *     if (cr != NULL && cr->declare("mymod", my_vars) != 0)
 *         return -1;
 *
 * cfg_rpc is optional for such a module: without it, nothing is
 * exposed.  The RPCs run in the process serving the request (ctl), so a
 * value that can change must live in shared memory (or behind setters
 * that put it there): every process then sees the change at once.
 */
#ifndef TD_CFG_RPC_API_H
#define TD_CFG_RPC_API_H

#include <stddef.h>

#include "core/str.h"

#define CFG_RPC_API_VERSION 1

enum cfg_rpc_type {
	CFG_RPC_INT = 1,
	CFG_RPC_STR = 2,
};

enum {
	/* listed and readable; cfg.set* is refused with a fault saying so */
	CFG_RPC_READONLY = 1u << 0,
};

struct cfg_rpc_var {
	const char         *name;       /* NULL ends a table                */
	enum cfg_rpc_type   type;
	unsigned            flags;      /* CFG_RPC_*                        */
	/* integers: the accepted range; min == max == 0 accepts any int */
	long long           min, max;
	const char         *help;       /* one line, for cfg.help           */

	/* An integer is either an int in shared memory, read and written
	 * atomically, or a getter and a setter. */
	int                *ival;
	long long         (*get_int)(void);
	/* 0, or -1 when the value is refused (the setter logs why) */
	int               (*set_int)(long long v);

	/* A string: the getter writes at most size bytes (NUL included)
	 * to buf and returns the full length; the setter copies v. */
	size_t            (*get_str)(char *buf, size_t size);
	int               (*set_str)(const str_t *v);
};

struct cfg_rpc_api {
	/*
	 * Declares group with the variables of vars (kept by reference: a
	 * static table).  In init only, before fork.  0, or -1 (logged): a
	 * group declared twice, a bad name or type, an int without a
	 * getter, a writable ival outside shared memory.
	 */
	int (*declare)(const char *group, const struct cfg_rpc_var *vars);
};

#endif
