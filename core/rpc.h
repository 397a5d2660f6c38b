/*
 * rpc.h - RPC methods: a registry (core and modules register methods
 * with a help text) and a typed reply builder.  Transports (the ctl
 * module's BINRPC, mi_fifo's MI text, tandemctl's JSON) implement one
 * rpc_writer each, so a handler is written once for all of them.
 *
 * A handler reads its arguments with rpc_arg_*(), builds its reply with
 * rpc_add_*() / rpc_struct_*() / rpc_array_*(), or fails with
 * rpc_fault().  Names are given inside structs; inside arrays the name
 * is NULL.  Handlers run in the process that serves the request (the ctl
 * process) and read shared state under its locks.
 */
#ifndef TD_RPC_H
#define TD_RPC_H

#include <stdarg.h>

#include "cfg/diag.h"
#include "str.h"
#include "val.h"

struct rpc_call;
struct rpc_export;      /* module_api.h */

/* --- for handlers ---------------------------------------------------------- */

/* Arguments are numbered from 0; fault messages count from 1
 * ("argument 2" is i == 1). */
/* Number of arguments the request carried. */
int  rpc_arg_count(struct rpc_call *c);
/* Argument i as a string / integer: 0, or -1 with a fault already set
 * ("missing argument", "argument 2 is not a number"). */
int  rpc_arg_str(struct rpc_call *c, int i, str_t *out);
int  rpc_arg_int(struct rpc_call *c, int i, long long *out);
/* Optional argument: 1 when present (and set), 0 when absent. */
int  rpc_arg_str_opt(struct rpc_call *c, int i, str_t *out);

void rpc_add_int(struct rpc_call *c, const char *name, long long v);
void rpc_add_str(struct rpc_call *c, const char *name, const str_t *v);
void rpc_add_cstr(struct rpc_call *c, const char *name, const char *v);
void rpc_add_double(struct rpc_call *c, const char *name, double v);
void rpc_add_val(struct rpc_call *c, const char *name, const struct val *v);
void rpc_struct_begin(struct rpc_call *c, const char *name);
void rpc_struct_end(struct rpc_call *c);
void rpc_array_begin(struct rpc_call *c, const char *name);
void rpc_array_end(struct rpc_call *c);
/* Fails the call: the reply becomes an error with code and message. */
void rpc_fault(struct rpc_call *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int  rpc_failed(const struct rpc_call *c);

/* --- for transports ----------------------------------------------------------- */

enum rpc_vtype { RPC_INT, RPC_STR, RPC_DOUBLE };

struct rpc_value {
	enum rpc_vtype  type;
	long long       i;
	double          d;
	str_t           s;
};

struct rpc_writer {
	void (*begin)(void *out);
	void (*value)(void *out, const char *name, const struct rpc_value *v);
	void (*open)(void *out, const char *name, int is_array);
	void (*close)(void *out, int is_array);
	void (*fault)(void *out, int code, const str_t *msg);
	int  (*end)(void *out);
};

/*
 * The writer's contract (rpc.c buffers the handler's reply to keep it):
 * begin, then either exactly one fault or a balanced sequence of
 * value/open/close, then end.  Names are given only inside structs
 * ("" for a member the handler left unnamed); at the top level and
 * inside arrays they are NULL.  close's is_array is what really closes.
 * Names and string values are valid only during the callback.
 */
/*
 * Runs method `name` with the given arguments (strings as received; a
 * handler converts them), writing the reply through w into out.
 * Unknown method: fault 500 "command X not found" (kamcmd's wording).
 * Returns what w->end returned.
 */
int rpc_execute(const char *name, int argc, const str_t *argv,
                const struct rpc_writer *w, void *out);

/* --- the registry --------------------------------------------------------------- */

/* Registers a NULL-terminated table; a name already registered is an
 * error naming both owners.  0 or -1. */
int  rpc_register_table(const struct rpc_export *tab, const char *module,
                        struct cfg_diag *d, struct cfg_pos pos);
const struct rpc_export *rpc_lookup(const char *name, const char **module);
int  rpc_count(void);
const struct rpc_export *rpc_at(int i, const char **module);
void rpc_registry_reset(void);
/* core.*, system.*, stats are the kex module's; 0 or -1 */
int  rpc_core_register(struct cfg_diag *d);

#endif
