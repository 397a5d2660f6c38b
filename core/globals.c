#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "globals.h"
#include "log.h"

struct core_cfg core_cfg;

void
core_cfg_defaults(struct core_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->debug = L_WARN;
	c->children = 8;
	c->tcp_children = -1;
	c->log_stderror = 0;
	c->log_facility = LOG_DAEMON;
	c->fork = 1;
	c->auto_aliases = 1;
	c->tcp_connection_lifetime = 120;
	c->tcp_max_connections = 4096;
	c->tcp_connect_timeout = 10;
	c->tcp_send_timeout = 10;
	c->port = 5060;
	c->dns = 1;
	c->rev_dns = 0;
	c->check_via = 0;
	c->max_while_loops = 100;
	c->shm_mb = 64;
	c->sip_max_msg = 1L << 20;
	c->msrp_max_frame = 10L << 20;
	c->server_signature = 1;
	c->sip_warning = 0;
}

void
core_cfg_free(struct core_cfg *c)
{
	for (int i = 0; i < c->nlisten; i++) {
		free(c->listen[i].host);
		free(c->listen[i].adv_host);
		free(c->listen[i].name);
	}
	for (int i = 0; i < c->nalias; i++)
		free(c->alias[i].host);
	free(c->log_prefix);
	free(c->log_name);
	free(c->user);
	free(c->group);
	free(c->mpath);
	free(c->server_header);
	free(c->user_agent_header);
	core_cfg_defaults(c);
}
