/*
 * globals.h - the one mutable global: the core parameters as the config
 * (and the command line) set them.  Written before fork, read after.
 */
#ifndef TD_GLOBALS_H
#define TD_GLOBALS_H

#include "msg.h"

#define CORE_MAX_LISTEN 64
#define CORE_MAX_ALIAS  64

struct listen_spec {
	enum proto  proto;          /* PROTO_NONE: udp and tcp               */
	char       *host;           /* "127.0.0.1", "[::1]", "*", a name     */
	int         port;           /* 0: the `port=` value (default 5060)   */
	char       *adv_host;       /* advertise host, or NULL              */
	int         adv_port;
	char       *name;           /* listen=... name "x", or NULL          */
};

struct alias_spec {
	enum proto  proto;
	char       *host;
	int         port;           /* 0: any port                           */
};

struct core_cfg {
	int                 debug;
	int                 children;
	int                 tcp_children;       /* -1: same as children      */
	int                 log_stderror;
	int                 log_facility;
	char               *log_prefix;
	char               *log_name;
	int                 fork;
	int                 auto_aliases;
	int                 tcp_accept_no_cl;
	int                 tcp_connection_lifetime;    /* seconds           */
	int                 tcp_max_connections;
	int                 tcp_connect_timeout;
	int                 tcp_send_timeout;
	int                 enable_tls;
	int                 disable_tcp;
	int                 port;
	char               *user;
	char               *group;
	char               *mpath;
	int                 memdbg;
	int                 memlog;
	int                 check_via;
	int                 dns;
	int                 rev_dns;
	int                 max_while_loops;
	long                shm_mb;             /* -m                        */
	long                sip_max_msg;        /* bytes                     */
	long                msrp_max_frame;     /* bytes                     */
	char               *server_header;
	char               *user_agent_header;
	int                 server_signature;
	int                 sip_warning;
	struct listen_spec  listen[CORE_MAX_LISTEN];
	int                 nlisten;
	int                 listen_from_cmdline;    /* -l given: ignore cfg  */
	struct alias_spec   alias[CORE_MAX_ALIAS];
	int                 nalias;
};

extern struct core_cfg core_cfg;

/* Defaults (Kamailio's where it has one). */
void core_cfg_defaults(struct core_cfg *c);
/* Frees the strings and lists the config put there. */
void core_cfg_free(struct core_cfg *c);

#endif
