/*
 * tls_rpc.c - the tls.* RPC methods (see tls_rpc.h).
 */
#include "config.h"

#include <time.h>

#include "core/conn.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "core/sock.h"
#include "tls_rpc.h"
#include "tls_table.h"

struct list_ctx {
	struct rpc_call  *c;
	time_t            now;
};

/* One established connection: Kamailio's address fields (src is the
 * peer, dst the local end), then what the handshake settled. */
static void
list_one(const struct tls_summary *s, void *arg)
{
	struct list_ctx *x = arg;
	struct rpc_call *c = x->c;
	struct conn_info ci;
	char ip[64];

	/* a summary whose connection is gone (its worker died) is stale */
	if (conn_get(s->id, &ci) < 0 || ci.proto != PROTO_TLS)
		return;
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "id", (long long)s->id);
	rpc_add_cstr(c, "src_ip", sock_ip_text(&ci.remote, ip, sizeof(ip)));
	rpc_add_int(c, "src_port", sock_port(&ci.remote));
	rpc_add_cstr(c, "dst_ip", sock_ip_text(&ci.local, ip, sizeof(ip)));
	rpc_add_int(c, "dst_port", sock_port(&ci.local));
	rpc_add_cstr(c, "direction", s->is_server ? "inbound" : "outbound");
	rpc_add_cstr(c, "profile", s->profile);
	rpc_add_cstr(c, "version", s->version);
	rpc_add_cstr(c, "cipher", s->cipher);
	rpc_add_cstr(c, "peer_cn", s->peer_cn);
	rpc_add_int(c, "peer_verified", s->verified);
	rpc_add_int(c, "owner_pid", ci.owner_pid);
	rpc_add_int(c, "age", (long long)(x->now - ci.created));
	rpc_add_int(c, "idle", (long long)(x->now - ci.last_active));
	rpc_add_cstr(c, "state", "established");
	rpc_struct_end(c);
}

static void
rpc_tls_list(struct rpc_call *c)
{
	struct list_ctx x = { c, time(NULL) };

	tls_table_foreach(list_one, &x);
}

struct info_count {
	unsigned opened, established;
};

static void
count_conn(const struct conn_info *ci, void *arg)
{
	struct info_count *n = arg;

	if (ci->proto == PROTO_TLS && ci->state != CONN_CLOSING)
		n->opened++;
}

static void
count_summary(const struct tls_summary *s, void *arg)
{
	struct info_count *n = arg;
	struct conn_info ci;

	if (conn_get(s->id, &ci) == 0 && ci.proto == PROTO_TLS)
		n->established++;
}

static void
rpc_tls_info(struct rpc_call *c)
{
	struct info_count n = { 0, 0 };

	conn_foreach(count_conn, &n);
	tls_table_foreach(count_summary, &n);
	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "max_connections", conn_table_max());
	rpc_add_int(c, "opened_connections", n.opened);
	rpc_add_int(c, "established_connections", n.established);
	rpc_struct_end(c);
}

const struct rpc_export tls_rpc_exports[] = {
	{ .name = "tls.list", .fn = rpc_tls_list, .args = NULL,
	  .help = "Lists the established TLS connections: addresses, "
	  "profile, version, cipher, peer certificate CN and verdict." },
	{ .name = "tls.info", .fn = rpc_tls_info, .args = NULL,
	  .help = "Returns the TLS connection limit and the number of open "
	  "and established TLS connections." },
	{ .name = NULL },
};
