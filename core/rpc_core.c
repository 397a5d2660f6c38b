/*
 * rpc_core.c - the core's RPC methods (core.*, system.*), with the reply
 * shapes kamcmd prints for Kamailio's methods of the same name.  They run
 * in whichever process serves the request (ctl, mi_fifo) and read shared
 * state only through the subsystems' own accessors and locks.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "globals.h"
#include "log.h"
#include "module.h"
#include "proc.h"
#include "rpc.h"
#include "shm.h"
#include "sock.h"
#include "version.h"

/* When the config was compiled: the daemon's start, inherited by every
 * process through fork (core.uptime). */
static time_t rpc_started;

/* --- core.version / core.info / core.uptime ------------------------------------- */

static void
rpc_version(struct rpc_call *c)
{
	struct utsname u;
	char buf[256], os[64];
	size_t i;

	if (uname(&u) == -1) {
		rpc_add_cstr(c, NULL, version_string());
		return;
	}
	/* "tandem 0.1.0 (x86_64/linux)", as kamcmd shows Kamailio's */
	for (i = 0; i + 1 < sizeof(os) && u.sysname[i]; i++)
		os[i] = (char)tolower((unsigned char)u.sysname[i]);
	os[i] = '\0';
	snprintf(buf, sizeof(buf), "%s (%s/%s)", version_string(), u.machine,
	    os);
	rpc_add_cstr(c, NULL, buf);
}

static void
rpc_info(struct rpc_call *c)
{
	rpc_struct_begin(c, NULL);
	rpc_add_cstr(c, "version", version_string());
	rpc_add_cstr(c, "compiler",
#if defined(__clang__)
	    "clang " __clang_version__
#elif defined(__GNUC__)
	    "gcc " __VERSION__
#else
	    "unknown"
#endif
	    );
	rpc_add_cstr(c, "compiled", __DATE__ " " __TIME__);
	rpc_add_cstr(c, "flags", TD_BUILD_FLAGS);
	rpc_add_int(c, "module_abi", MOD_ABI_VERSION);
	rpc_struct_end(c);
}

/* ctime() without its newline. */
static void
rpc_add_time(struct rpc_call *c, const char *name, time_t t)
{
	char buf[64];
	struct tm tm;
	size_t n;

	if (localtime_r(&t, &tm) == NULL ||
	    (n = strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm)) == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	rpc_add_cstr(c, name, buf);
}

static void
rpc_uptime(struct rpc_call *c)
{
	time_t now = time(NULL);

	rpc_struct_begin(c, NULL);
	rpc_add_time(c, "now", now);
	rpc_add_time(c, "up_since", rpc_started);
	rpc_add_int(c, "uptime", (long long)(now - rpc_started));
	rpc_struct_end(c);
}

/* --- processes -------------------------------------------------------------------- */

/* The supervisor is not in the process table: handlers run in one of
 * its children (or, in tests and fork=no, in the supervisor itself). */
static pid_t
rpc_supervisor_pid(void)
{
	return proc_my_slot() >= 0 ? getppid() : getpid();
}

#define SUP_DESC "main process - supervisor"

static void
rpc_ps(struct rpc_call *c)
{
	rpc_add_int(c, NULL, rpc_supervisor_pid());
	rpc_add_cstr(c, NULL, SUP_DESC);
	for (int i = 0; i < proc_count(); i++) {
		const struct proc_info *p = proc_at(i);

		if (p->pid <= 0)
			continue;       /* between death and respawn */
		rpc_add_int(c, NULL, p->pid);
		rpc_add_cstr(c, NULL, p->desc);
	}
}

static void
rpc_psx_one(struct rpc_call *c, int idx, pid_t pid, const char *desc)
{
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "IDX", idx);
	rpc_add_int(c, "PID", pid);
	rpc_add_cstr(c, "DSC", desc);
	rpc_struct_end(c);
}

static void
rpc_psx(struct rpc_call *c)
{
	rpc_psx_one(c, 0, rpc_supervisor_pid(), SUP_DESC);
	for (int i = 0; i < proc_count(); i++) {
		const struct proc_info *p = proc_at(i);

		if (p->pid > 0)
			rpc_psx_one(c, i + 1, p->pid, p->desc);
	}
}

/* --- memory ------------------------------------------------------------------------ */

static void
rpc_shmmem(struct rpc_call *c)
{
	static const struct { const char *name; unsigned shift; } units[] = {
		{ "b", 0 }, { "k", 10 }, { "kb", 10 }, { "m", 20 },
		{ "mb", 20 }, { "g", 30 }, { "gb", 30 },
	};
	struct shm_stats st;
	unsigned shift = 0;
	str_t u;

	if (rpc_arg_str_opt(c, 0, &u)) {
		size_t i, n = sizeof(units) / sizeof(units[0]);

		for (i = 0; i < n && !str_caseeq_cstr(&u, units[i].name); i++)
			;
		if (i == n) {
			rpc_fault(c, 400, "unknown unit '%.*s' (b, k, m or g)",
			    STR_FMT(&u));
			return;
		}
		shift = units[i].shift;
	}
	if (!shm_ready()) {
		rpc_fault(c, 500, "shared memory is not set up");
		return;
	}
	shm_get_stats(&st);
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "total", (long long)(st.total >> shift));
	rpc_add_int(c, "free", (long long)(st.free >> shift));
	rpc_add_int(c, "used", (long long)(st.used >> shift));
	rpc_add_int(c, "real_used", (long long)(st.real_used >> shift));
	rpc_add_int(c, "max_used", (long long)(st.max_used >> shift));
	rpc_add_int(c, "fragments", (long long)st.fragments);
	rpc_add_int(c, "allocs", (long long)st.allocs);
	rpc_add_int(c, "failed", (long long)st.failed);
	rpc_struct_end(c);
}

/* --- connections ---------------------------------------------------------------------- */

struct tcp_count {
	unsigned all, tls;
};

static void
tcp_count_one(const struct conn_info *ci, void *arg)
{
	struct tcp_count *n = arg;

	n->all++;
	if (ci->proto == PROTO_TLS || ci->proto == PROTO_WSS)
		n->tls++;
}

static void
rpc_tcp_info(struct rpc_call *c)
{
	struct tcp_count n = { 0, 0 };
	int readers = 0;

	for (int i = 0; i < proc_count(); i++)
		readers += proc_at(i)->role == PROC_ROLE_TCP_WORKER;
	conn_foreach(tcp_count_one, &n);
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "readers", readers);
	rpc_add_int(c, "max_connections", conn_table_max());
	rpc_add_int(c, "max_tls_connections", conn_table_max());
	rpc_add_int(c, "opened_connections", n.all);
	rpc_add_int(c, "opened_tls_connections", n.tls);
	rpc_struct_end(c);
}

static const char *
conn_state_name(enum conn_state st)
{
	switch (st) {
	case CONN_CONNECTING:   return "CONN_CONNECT";
	case CONN_OPEN:         return "CONN_OK";
	case CONN_CLOSING:      return "CONN_EOF";
	default:                return "CONN_FREE";
	}
}

struct tcp_list_ctx {
	struct rpc_call *c;
	time_t           now;
};

/* One connection, Kamailio's fields first (ref_count aside), then ours.
 * Kamailio's src is the peer and dst the local end, whatever the
 * direction of the connection. */
static void
tcp_list_one(const struct conn_info *ci, void *arg)
{
	struct tcp_list_ctx *x = arg;
	struct rpc_call *c = x->c;
	const struct proc_info *owner = proc_at(ci->owner);
	long long idle = (long long)(x->now - ci->last_active);
	long long left = 0;
	char ip[64], type[8];
	size_t i;

	for (i = 0; i + 1 < sizeof(type) && proto_name(ci->proto)[i]; i++)
		type[i] = (char)toupper((unsigned char)proto_name(ci->proto)[i]);
	type[i] = '\0';
	if (core_cfg.tcp_connection_lifetime > 0) {
		left = core_cfg.tcp_connection_lifetime - idle;
		left = left < 0 ? 0 : left;
	}
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "id", (long long)ci->id);
	rpc_add_cstr(c, "type", type);
	rpc_add_cstr(c, "state", conn_state_name(ci->state));
	rpc_add_int(c, "timeout", left);
	rpc_add_int(c, "lifetime", core_cfg.tcp_connection_lifetime);
	rpc_add_cstr(c, "src_ip", sock_ip_text(&ci->remote, ip, sizeof(ip)));
	rpc_add_int(c, "src_port", sock_port(&ci->remote));
	rpc_add_cstr(c, "dst_ip", sock_ip_text(&ci->local, ip, sizeof(ip)));
	rpc_add_int(c, "dst_port", sock_port(&ci->local));
	rpc_add_cstr(c, "direction", ci->outbound ? "outbound" : "inbound");
	rpc_add_int(c, "owner_pid", owner ? ci->owner_pid : 0);
	rpc_add_cstr(c, "owner", owner ? owner->desc : "none");
	rpc_add_int(c, "age", (long long)(x->now - ci->created));
	rpc_add_int(c, "idle", idle);
	rpc_add_int(c, "bytes_in", (long long)ci->bytes_in);
	rpc_add_int(c, "bytes_out", (long long)ci->bytes_out);
	rpc_add_int(c, "msgs_in", (long long)ci->msgs_in);
	rpc_add_int(c, "msgs_out", (long long)ci->msgs_out);
	rpc_struct_end(c);
}

static void
rpc_tcp_list(struct rpc_call *c)
{
	struct tcp_list_ctx x = { c, time(NULL) };

	conn_foreach(tcp_list_one, &x);
}

/* --- misc --------------------------------------------------------------------------- */

static void
rpc_modules(struct rpc_call *c)
{
	for (int i = 0; i < mod_count(); i++)
		rpc_add_cstr(c, NULL, mod_at(i)->mod->name);
}

static void
rpc_echo(struct rpc_call *c)
{
	str_t s;

	for (int i = 0; i < rpc_arg_count(c); i++)
		if (rpc_arg_str(c, i, &s) == 0)
			rpc_add_str(c, NULL, &s);
}

#define DEBUG_MIN L_ALERT
#define DEBUG_MAX 9

static void
rpc_debug(struct rpc_call *c)
{
	long long level;

	if (rpc_arg_count(c) > 0) {
		if (rpc_arg_int(c, 0, &level) == -1)
			return;
		if (level < DEBUG_MIN || level > DEBUG_MAX) {
			rpc_fault(c, 400, "debug level %lld out of range "
			    "(%d..%d)", level, DEBUG_MIN, DEBUG_MAX);
			return;
		}
		/* the level lives in shm: every process follows at once */
		log_set_level((int)level);
		log_notice("debug level set to %lld over RPC", level);
	}
	rpc_add_int(c, NULL, log_get_level());
}

/* --- system.* ------------------------------------------------------------------------- */

static void
rpc_list_methods(struct rpc_call *c)
{
	for (int i = 0; i < rpc_count(); i++)
		rpc_add_cstr(c, NULL, rpc_at(i, NULL)->name);
}

/* The method named by argument 0, or NULL with a fault set. */
static const struct rpc_export *
rpc_method_arg(struct rpc_call *c)
{
	const struct rpc_export *e;
	char name[128];
	str_t s;

	if (rpc_arg_str(c, 0, &s) == -1)
		return NULL;
	snprintf(name, sizeof(name), "%.*s", STR_FMT(&s));
	if (s.len >= sizeof(name) || (e = rpc_lookup(name, NULL)) == NULL) {
		rpc_fault(c, 400, "command not found");
		return NULL;
	}
	return e;
}

static void
rpc_method_help(struct rpc_call *c)
{
	const struct rpc_export *e = rpc_method_arg(c);

	if (e != NULL)
		rpc_add_cstr(c, NULL, e->help);
}

static void
rpc_method_signature(struct rpc_call *c)
{
	const struct rpc_export *e = rpc_method_arg(c);

	if (e != NULL)
		rpc_add_cstr(c, NULL, e->args && e->args[0] ? e->args : "none");
}

static const struct rpc_export core_rpcs[] = {
	{ "core.version", rpc_version, NULL,
	    "Returns the version string of the server." },
	{ "core.info", rpc_info, NULL,
	    "Returns the version, compiler, build date and build flags." },
	{ "core.uptime", rpc_uptime, NULL,
	    "Returns the current time, the start time and the uptime in "
	    "seconds." },
	{ "core.ps", rpc_ps, NULL,
	    "Returns the description of running processes." },
	{ "core.psx", rpc_psx, NULL,
	    "Returns the index, pid and description of running processes, "
	    "one struct each." },
	{ "core.shmmem", rpc_shmmem, "[unit: b|k|m|g]",
	    "Returns shared memory statistics (optionally in k, m or g)." },
	{ "core.tcp_info", rpc_tcp_info, NULL,
	    "Returns TCP related info: workers, connection limit, open "
	    "connections." },
	{ "core.tcp_list", rpc_tcp_list, NULL,
	    "Returns every TCP/TLS connection: addresses, state, owner, "
	    "age and counters." },
	{ "core.modules", rpc_modules, NULL,
	    "Returns the names of the loaded modules." },
	{ "core.echo", rpc_echo, "[value ...]",
	    "Returns back its parameters." },
	{ "core.debug", rpc_debug, "[level: int]",
	    "Returns the log level; with a level (-5..9) sets it in every "
	    "process first." },
	{ "system.listMethods", rpc_list_methods, NULL,
	    "Lists all RPC methods supported by the server." },
	{ "system.methodHelp", rpc_method_help, "method: str",
	    "Returns the help text of an RPC method." },
	{ "system.methodSignature", rpc_method_signature, "method: str",
	    "Returns the arguments an RPC method takes." },
	{ NULL, NULL, NULL, NULL },
};

int
rpc_core_register(struct cfg_diag *d)
{
	struct cfg_pos none = { 0, 0, 0 };

	rpc_started = time(NULL);
	return rpc_register_table(core_rpcs, "core", d, none);
}
