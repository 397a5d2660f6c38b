/*
 * corex_rpc.c - the corex.* RPCs (corex_rpc.h).
 *
 *   corex.list_sockets   one struct per listen socket: PROTO, NAME,
 *                        ADDRLIST { ADDR }, PORT, MCAST, MHOMED, VIRTUAL,
 *                        SOCKNAME, ADVERTISE
 *   corex.list_aliases   one struct per alias=: PROTO, ADDR, PORT
 *   corex.debug [level]  { debug } or, setting it, { old, new }
 *   corex.shm_summary    the shared memory summary, to the log
 *
 * They run in the ctl process, which inherited the listen sockets and
 * the parsed core parameters from the supervisor.
 */
#include "config.h"

#include <stdio.h>

#include "core/globals.h"
#include "core/listen.h"
#include "core/rpc.h"
#include "core/sock.h"
#include "corex_rpc.h"

const struct listen_spec *
corex_spec_of(int idx)
{
	const struct sock_info *si = listen_at(idx);
	int k = 0;

	if (si == NULL)
		return NULL;
	/* listen_open_all() opens them in config order, udp then tcp for
	 * an entry without a transport */
	for (int i = 0; i < core_cfg.nlisten; i++) {
		const struct listen_spec *ls = &core_cfg.listen[i];
		int n = ls->proto != PROTO_NONE || core_cfg.disable_tcp ? 1 : 2;

		if (idx < k + n) {
			if (ls->proto != PROTO_NONE && ls->proto != si->proto)
				return NULL;
			return ls;
		}
		k += n;
	}
	return NULL;
}

static void
corex_rpc_list_sockets(struct rpc_call *c)
{
	char ip[64];

	for (int i = 0; i < listen_count(); i++) {
		const struct sock_info *si = listen_at(i);
		const struct listen_spec *ls = corex_spec_of(i);

		sock_ip_text(&si->addr, ip, sizeof(ip));
		rpc_struct_begin(c, NULL);
		rpc_add_cstr(c, "PROTO", proto_name(si->proto));
		rpc_add_cstr(c, "NAME", ls && ls->host ? ls->host : ip);
		rpc_struct_begin(c, "ADDRLIST");
		rpc_add_cstr(c, "ADDR", ip);
		rpc_struct_end(c);
		rpc_add_int(c, "PORT", sock_port(&si->addr));
		/* none of these exist in Tandem: said as Kamailio says it */
		rpc_add_cstr(c, "MCAST", "no");
		rpc_add_cstr(c, "MHOMED", "no");
		rpc_add_cstr(c, "VIRTUAL", "no");
		rpc_add_cstr(c, "SOCKNAME", ls && ls->name ? ls->name : "-");
		rpc_add_cstr(c, "ADVERTISE",
		    si->adv_host[0] ? si->adv_host : "-");
		rpc_struct_end(c);
	}
}

static void
corex_rpc_list_aliases(struct rpc_call *c)
{
	for (int i = 0; i < core_cfg.nalias; i++) {
		const struct alias_spec *a = &core_cfg.alias[i];

		rpc_struct_begin(c, NULL);
		rpc_add_cstr(c, "PROTO", a->proto == PROTO_NONE ? "*" :
		    proto_name(a->proto));
		rpc_add_cstr(c, "ADDR", a->host);
		rpc_add_int(c, "PORT", a->port);
		rpc_struct_end(c);
	}
}

/* The levels core.debug accepts. */
#define COREX_DEBUG_MIN L_ALERT
#define COREX_DEBUG_MAX 9

static void
corex_rpc_debug(struct rpc_call *c)
{
	long long level;
	int old = log_get_level();

	if (rpc_arg_count(c) == 0) {
		rpc_struct_begin(c, NULL);
		rpc_add_int(c, "debug", old);
		rpc_struct_end(c);
		return;
	}
	if (rpc_arg_int(c, 0, &level) == -1)
		return;
	if (level < COREX_DEBUG_MIN || level > COREX_DEBUG_MAX) {
		rpc_fault(c, 400, "debug level %lld out of range (%d..%d)",
		    level, COREX_DEBUG_MIN, COREX_DEBUG_MAX);
		return;
	}
	/* the level lives in shm: every process follows at once */
	log_set_level((int)level);
	log_notice("debug level set to %lld over RPC (corex.debug)", level);
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "old", old);
	rpc_add_int(c, "new", level);
	rpc_struct_end(c);
}

static void
corex_rpc_shm_summary(struct rpc_call *c)
{
	struct shm_stats st;

	(void)c;
	shm_get_stats(&st);
	/* Kamailio dumps the summary to its log and replies nothing */
	log_notice("shm summary: total %zu, used %zu, real_used %zu, "
	    "max_used %zu, free %zu, fragments %zu, allocations %zu, "
	    "failed %zu", st.total, st.used, st.real_used, st.max_used,
	    st.free, st.fragments, st.allocs, st.failed);
}

const struct rpc_export corex_rpcs[] = {
	{ "corex.list_sockets", corex_rpc_list_sockets, NULL,
	    "Returns the sockets Tandem listens on." },
	{ "corex.list_aliases", corex_rpc_list_aliases, NULL,
	    "Returns the alias= host names that `myself` matches." },
	{ "corex.debug", corex_rpc_debug, "[level: int]",
	    "Returns the log level; with a level (-5..9) sets it in every "
	    "process first and returns the old and the new one." },
	{ "corex.shm_summary", corex_rpc_shm_summary, NULL,
	    "Writes the shared memory summary to the log." },
	{ NULL, NULL, NULL, NULL },
};
