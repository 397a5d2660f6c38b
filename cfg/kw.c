#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "kw.h"

enum kw_type {
	KW_INT,         /* int field                                    */
	KW_BOOL,        /* int field, yes/no/on/off/...                 */
	KW_STR,         /* char * field (strdup)                         */
	KW_SPECIAL,     /* handled by the function                       */
	KW_IGNORED,     /* Kamailio has it; no effect in Tandem (warned) */
};

struct kw_global {
	const char   *name;
	enum kw_type  type;
	size_t        off;          /* in struct core_cfg (INT/BOOL/STR)   */
	int         (*apply)(const struct top_item *it, struct core_cfg *c,
	                     struct cfg_diag *d);
};

#define F(f) offsetof(struct core_cfg, f)

static int apply_listen(const struct top_item *, struct core_cfg *,
                        struct cfg_diag *);
static int apply_alias(const struct top_item *, struct core_cfg *,
                       struct cfg_diag *);
static int apply_facility(const struct top_item *, struct core_cfg *,
                          struct cfg_diag *);
static int apply_dns(const struct top_item *, struct core_cfg *,
                     struct cfg_diag *);
static int apply_size(const struct top_item *, struct core_cfg *,
                      struct cfg_diag *);
static int apply_sctp(const struct top_item *, struct core_cfg *,
                      struct cfg_diag *);

/* sorted by name: looked up with bsearch */
static const struct kw_global globals[] = {
	{ "alias", KW_SPECIAL, 0, apply_alias },
	{ "async_workers", KW_IGNORED, 0, NULL },
	{ "auto_aliases", KW_BOOL, F(auto_aliases), NULL },
	{ "check_via", KW_BOOL, F(check_via), NULL },
	{ "children", KW_INT, F(children), NULL },
	{ "corelog", KW_IGNORED, 0, NULL },
	{ "debug", KW_INT, F(debug), NULL },
	{ "disable_tcp", KW_BOOL, F(disable_tcp), NULL },
	{ "dns", KW_SPECIAL, F(dns), apply_dns },
	{ "dns_try_ipv6", KW_IGNORED, 0, NULL },
	{ "dns_use_search_list", KW_IGNORED, 0, NULL },
	{ "enable_sctp", KW_SPECIAL, 0, apply_sctp },
	{ "enable_tls", KW_BOOL, F(enable_tls), NULL },
	{ "fork", KW_BOOL, F(fork), NULL },
	{ "gid", KW_STR, F(group), NULL },
	{ "group", KW_STR, F(group), NULL },
	{ "listen", KW_SPECIAL, 0, apply_listen },
	{ "log_facility", KW_SPECIAL, 0, apply_facility },
	{ "log_name", KW_STR, F(log_name), NULL },
	{ "log_prefix", KW_STR, F(log_prefix), NULL },
	{ "log_stderror", KW_BOOL, F(log_stderror), NULL },
	{ "max_msrp_frame_size", KW_SPECIAL, 0, apply_size },
	{ "max_sip_message_size", KW_SPECIAL, 0, apply_size },
	{ "max_while_loops", KW_INT, F(max_while_loops), NULL },
	{ "maxbuffer", KW_IGNORED, 0, NULL },
	{ "memdbg", KW_INT, F(memdbg), NULL },
	{ "memlog", KW_INT, F(memlog), NULL },
	{ "mhomed", KW_IGNORED, 0, NULL },
	{ "mpath", KW_STR, F(mpath), NULL },
	{ "port", KW_INT, F(port), NULL },
	{ "rev_dns", KW_SPECIAL, F(rev_dns), apply_dns },
	{ "server_header", KW_STR, F(server_header), NULL },
	{ "server_signature", KW_BOOL, F(server_signature), NULL },
	{ "sip_warning", KW_BOOL, F(sip_warning), NULL },
	{ "tcp_accept_aliases", KW_IGNORED, 0, NULL },
	{ "tcp_accept_no_cl", KW_BOOL, F(tcp_accept_no_cl), NULL },
	{ "tcp_children", KW_INT, F(tcp_children), NULL },
	{ "tcp_connect_timeout", KW_INT, F(tcp_connect_timeout), NULL },
	{ "tcp_connection_lifetime", KW_INT, F(tcp_connection_lifetime), NULL },
	{ "tcp_keepalive", KW_IGNORED, 0, NULL },
	{ "tcp_max_connections", KW_INT, F(tcp_max_connections), NULL },
	{ "tcp_send_timeout", KW_INT, F(tcp_send_timeout), NULL },
	{ "uid", KW_STR, F(user), NULL },
	{ "use_dns_cache", KW_IGNORED, 0, NULL },
	{ "user", KW_STR, F(user), NULL },
	{ "user_agent_header", KW_STR, F(user_agent_header), NULL },
};

static int
kw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct kw_global *)elem)->name);
}

int
kw_parse_bool(const struct top_value *v)
{
	static const char *yes[] = { "yes", "on", "true", "enable", "enabled" };
	static const char *no[] = { "no", "off", "false", "disable", "disabled" };

	if (v->is_int)
		return v->n == 0 ? 0 : v->n == 1 ? 1 : -1;
	for (size_t i = 0; i < 5; i++) {
		if (strcasecmp(v->s, yes[i]) == 0)
			return 1;
		if (strcasecmp(v->s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int
parse_port(const char *s, int *port)
{
	char *end;
	long v;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int
parse_proto(const char *s, size_t n, enum proto *p)
{
	static const struct { const char *n; enum proto p; } tab[] = {
		{ "udp", PROTO_UDP }, { "tcp", PROTO_TCP }, { "tls", PROTO_TLS },
		{ "ws", PROTO_WS }, { "wss", PROTO_WSS }, { "sctp", PROTO_SCTP },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].n) == n && strncasecmp(s, tab[i].n, n) == 0) {
			*p = tab[i].p;
			return 0;
		}
	return -1;
}

int
kw_parse_listen(const char *text, struct listen_spec *out, const char **err)
{
	const char *s = text, *c, *host, *hend;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	c = strchr(s, ':');
	if (c && s[0] != '[' && parse_proto(s, (size_t)(c - s), &out->proto) == 0)
		s = c + 1;
	host = s;
	if (*s == '[') {
		hend = strchr(s, ']');
		if (hend == NULL) {
			*err = "missing ']' in IPv6 address";
			return -1;
		}
		hend++;
	} else {
		hend = strchr(s, ':');
		if (hend == NULL)
			hend = s + strlen(s);
		else if (strchr(hend + 1, ':') != NULL) {
			*err = "IPv6 addresses must be written in brackets: [::1]:5060";
			return -1;
		}
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0) {
		*err = "missing host";
		return -1;
	}
	if (*hend == ':') {
		if (parse_port(hend + 1, &out->port) < 0) {
			*err = "port must be a number from 1 to 65535";
			return -1;
		}
	} else if (*hend != '\0') {
		*err = "unexpected text after the address";
		return -1;
	}
	for (size_t i = 0; i < hlen; i++) {
		unsigned char ch = (unsigned char)host[i];

		if (!(isalnum(ch) || strchr(".-_*[]:", ch))) {
			*err = "bad character in the host";
			return -1;
		}
	}
	out->host = strndup(host, hlen);
	if (out->host == NULL) {
		*err = "out of memory";
		return -1;
	}
	return 0;
}

static int
apply_listen(const struct top_item *it, struct core_cfg *c,
    struct cfg_diag *d)
{
	struct listen_spec ls;
	const char *err = NULL;
	char num[32];
	const char *text = it->val.s;

	if (it->val.is_int) {
		diag_error_at(d, it->val.pos, "listen: expected an address, "
		    "not a number");
		return -1;
	}
	if (c->nlisten == CORE_MAX_LISTEN) {
		diag_error_at(d, it->pos, "too many listen addresses (max %d)",
		    CORE_MAX_LISTEN);
		return -1;
	}
	if (kw_parse_listen(text, &ls, &err) < 0) {
		diag_error_at(d, it->val.pos, "listen: bad address '%s': %s",
		    text, err);
		return -1;
	}
	for (int i = 0; i + 1 < it->nextra; i += 2) {
		const struct top_value *k = &it->extra[i], *v = &it->extra[i + 1];

		if (strcmp(k->s, "name") == 0) {
			free(ls.name);
			ls.name = strdup(v->s);
			continue;
		}
		/* advertise host[:port] */
		struct listen_spec adv;
		struct top_value tmp;

		if (v->is_int) {
			snprintf(num, sizeof(num), "%lld", v->n);
			tmp = *v;
			tmp.s = num;
			v = &tmp;
		}
		if (kw_parse_listen(v->s, &adv, &err) < 0) {
			diag_error_at(d, v->pos, "advertise: bad address "
			    "'%s': %s", v->s, err);
			free(ls.host);
			free(ls.name);
			return -1;
		}
		free(ls.adv_host);
		ls.adv_host = adv.host;
		ls.adv_port = adv.port;
	}
	if (c->listen_from_cmdline) {
		free(ls.host);
		free(ls.adv_host);
		free(ls.name);
		return 0;
	}
	c->listen[c->nlisten++] = ls;
	return 0;
}

static int
apply_alias(const struct top_item *it, struct core_cfg *c,
    struct cfg_diag *d)
{
	struct listen_spec ls;
	const char *err = NULL;

	if (c->nalias == CORE_MAX_ALIAS) {
		diag_error_at(d, it->pos, "too many aliases (max %d)",
		    CORE_MAX_ALIAS);
		return -1;
	}
	if (it->val.is_int || kw_parse_listen(it->val.s, &ls, &err) < 0) {
		diag_error_at(d, it->val.pos, "alias: bad host '%s': %s",
		    it->val.s ? it->val.s : "", err ? err : "a number");
		return -1;
	}
	c->alias[c->nalias].proto = ls.proto;
	c->alias[c->nalias].host = ls.host;
	c->alias[c->nalias].port = ls.port;
	c->nalias++;
	return 0;
}

static int
apply_facility(const struct top_item *it, struct core_cfg *c,
    struct cfg_diag *d)
{
	int f = it->val.is_int ? -1 : log_facility_from_name(it->val.s);

	if (f < 0) {
		diag_error_at(d, it->val.pos, "log_facility: unknown facility "
		    "'%s' (LOG_DAEMON, LOG_LOCAL0..7, ...)",
		    it->val.s ? it->val.s : "");
		return -1;
	}
	c->log_facility = f;
	return 0;
}

static int
apply_dns(const struct top_item *it, struct core_cfg *c, struct cfg_diag *d)
{
	int b = kw_parse_bool(&it->val);

	if (b < 0) {
		diag_error_at(d, it->val.pos, "%s: expected on/off or yes/no",
		    it->name);
		return -1;
	}
	*(strcmp(it->name, "dns") == 0 ? &c->dns : &c->rev_dns) = b;
	return 0;
}

/* enable_sctp: Kamailio's default config says "no"; Tandem has no SCTP,
 * so only "no" is accepted. */
static int
apply_sctp(const struct top_item *it, struct core_cfg *c, struct cfg_diag *d)
{
	int b = kw_parse_bool(&it->val);

	(void)c;
	if (b < 0) {
		diag_error_at(d, it->val.pos, "%s: expected on/off or yes/no",
		    it->name);
		return -1;
	}
	if (b == 1) {
		diag_error_at(d, it->val.pos, "enable_sctp: Tandem has no SCTP "
		    "transport (only UDP, TCP and TLS)");
		return -1;
	}
	return 0;
}

/* max_sip_message_size / max_msrp_frame_size: bytes, 1 KiB .. 1 GiB */
static int
apply_size(const struct top_item *it, struct core_cfg *c, struct cfg_diag *d)
{
	if (!it->val.is_int || it->val.n < 1024 || it->val.n > (1LL << 30)) {
		diag_error_at(d, it->val.pos, "%s: expected a size in bytes "
		    "from 1024 to 1073741824", it->name);
		return -1;
	}
	if (it->name[4] == 's')
		c->sip_max_msg = (long)it->val.n;
	else
		c->msrp_max_frame = (long)it->val.n;
	return 0;
}

int
kw_apply_global(const struct top_item *it, struct core_cfg *c,
    struct cfg_diag *d)
{
	const struct kw_global *g;
	char *p = (char *)c;
	int b;

	g = bsearch(it->name, globals, sizeof(globals) / sizeof(globals[0]),
	    sizeof(globals[0]), kw_cmp);
	if (g == NULL) {
		diag_error_at(d, it->pos, "unknown global parameter '%s'",
		    it->name);
		return -1;
	}
	switch (g->type) {
	case KW_INT:
		if (!it->val.is_int) {
			diag_error_at(d, it->val.pos, "%s: expected a number, "
			    "found '%s'", it->name, it->val.s);
			return -1;
		}
		*(int *)(p + g->off) = (int)it->val.n;
		return 0;
	case KW_BOOL:
		if ((b = kw_parse_bool(&it->val)) < 0) {
			diag_error_at(d, it->val.pos, "%s: expected yes/no, "
			    "on/off or 1/0", it->name);
			return -1;
		}
		*(int *)(p + g->off) = b;
		return 0;
	case KW_STR: {
		char **dst = (char **)(p + g->off);

		free(*dst);
		*dst = strdup(it->val.s);
		return *dst ? 0 : -1;
	}
	case KW_SPECIAL:
		return g->apply(it, c, d);
	case KW_IGNORED:
		diag_warn_at(d, it->pos, "global parameter '%s' has no effect "
		    "in Tandem; ignored", it->name);
		return 0;
	}
	return -1;
}
