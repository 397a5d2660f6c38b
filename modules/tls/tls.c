/*
 * tls.c - the tls module: TLS for the connections of `listen=tls:...`
 * sockets and for outbound msrps: connections, on OpenSSL 3.  This file
 * holds the descriptor, the parameters and init / destroy; the work is
 * in tls_profile.c (settings and tls.cfg), tls_ctx.c (one SSL_CTX per
 * profile), tls_io.c (the core's hooks), tls_table.c (shared
 * summaries), tls_pv.c and tls_rpc.c.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "core/conn.h"
#include "core/globals.h"
#include "core/listen.h"
#include "core/module_api.h"
#include "core/route.h"
#include "core/tls_hooks.h"
#include "cfg/cfg.h"
#include "tls_ctx.h"
#include "tls_io.h"
#include "tls_profile.h"
#include "tls_pv.h"
#include "tls_rpc.h"
#include "tls_table.h"

#define TLS_PROFILE_MAX_BYTES   (1u << 20)
#define TLS_HANDSHAKE_MAX       3600

/* Private memory, set by the modparam setters (also under tandem -c). */
static struct {
	struct tls_settings  s;                 /* the module parameters  */
	struct tls_profiles  prof;              /* from `config`          */
	char                 cfg_dir[PATH_MAX]; /* of the main config     */
	int                  handshake_timeout; /* 0: tcp_connect_timeout */
	int                  send_close_notify; /* default 1           */
	int                  ready;             /* s initialised          */
} P;

static void
params_ready(void)
{
	if (!P.ready) {
		tls_settings_init(&P.s);
		P.send_close_notify = 1;
		P.ready = 1;
	}
}

/* Remembers the main config file's directory: relative file names are
 * taken from there, as Kamailio does. */
static void
note_cfg_dir(struct cfg_diag *d)
{
	char tmp[PATH_MAX];

	params_ready();
	if (P.cfg_dir[0] != '\0' || d == NULL || d->src == NULL ||
	    d->src->nfiles < 2)
		return;
	snprintf(tmp, sizeof(tmp), "%s", src_file_name(d->src, 1));
	snprintf(P.cfg_dir, sizeof(P.cfg_dir), "%s", dirname(tmp));
}

/* --- parameters ---------------------------------------------------------- */

static int
set_str(char **dst, const struct val *v, const char *name,
    struct cfg_diag *d)
{
	note_cfg_dir(d);
	if (v->s.len == 0 || memchr(v->s.s, '\0', v->s.len) != NULL) {
		diag_error(d, "tls: %s: empty value", name);
		return -1;
	}
	free(*dst);
	if ((*dst = strndup(v->s.s, v->s.len)) == NULL) {
		diag_error(d, "tls: %s: out of memory", name);
		return -1;
	}
	return 0;
}

#define STR_SETTER(field)                                                  \
	static int                                                         \
	tls_param_##field(const struct val *v, struct cfg_diag *d)        \
	{                                                                  \
		params_ready();                                            \
		return set_str(&P.s.field, v, #field, d);                  \
	}
STR_SETTER(certificate)
STR_SETTER(private_key)
STR_SETTER(ca_list)
STR_SETTER(crl)
STR_SETTER(cipher_list)
STR_SETTER(server_name)

static int
set_flag(int *dst, const struct val *v, const char *name, struct cfg_diag *d)
{
	params_ready();
	if (v->n != 0 && v->n != 1) {
		diag_error(d, "tls: %s must be 0 or 1, not %lld", name, v->n);
		return -1;
	}
	*dst = (int)v->n;
	return 0;
}

static int
tls_param_verify(const struct val *v, struct cfg_diag *d)
{
	return set_flag(&P.s.verify_certificate, v, "verify_certificate", d);
}

static int
tls_param_require(const struct val *v, struct cfg_diag *d)
{
	return set_flag(&P.s.require_certificate, v, "require_certificate", d);
}

static int
tls_param_close_notify(const struct val *v, struct cfg_diag *d)
{
	return set_flag(&P.send_close_notify, v, "send_close_notify", d);
}

static int
tls_param_depth(const struct val *v, struct cfg_diag *d)
{
	params_ready();
	if (v->n < 0 || v->n > TLS_VERIFY_DEPTH_MAX) {
		diag_error(d, "tls: verify_depth must be 0..%d, not %lld",
		    TLS_VERIFY_DEPTH_MAX, v->n);
		return -1;
	}
	P.s.verify_depth = (int)v->n;
	return 0;
}

static int
tls_param_method(const struct val *v, struct cfg_diag *d)
{
	const char *why = NULL;

	params_ready();
	if (tls_method_parse(v->s.s, v->s.len, &P.s.method, &why) < 0) {
		diag_error(d, "tls: tls_method '%.*s': %s", STR_FMT(&v->s),
		    why);
		return -1;
	}
	return 0;
}

static int
tls_param_handshake(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 1 || v->n > TLS_HANDSHAKE_MAX) {
		diag_error(d, "tls: handshake_timeout must be 1..%d seconds, "
		    "not %lld", TLS_HANDSHAKE_MAX, v->n);
		return -1;
	}
	P.handshake_timeout = (int)v->n;
	return 0;
}

/* Reads path whole (bounded).  The text (malloc'ed, *len set) or NULL
 * with err set. */
static char *
slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = NULL;
	char *buf = NULL;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(TLS_PROFILE_MAX_BYTES + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n = fread(buf, 1, TLS_PROFILE_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "reading %s: %s", path, strerror(errno));
		goto fail;
	}
	if (n > TLS_PROFILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path,
		    TLS_PROFILE_MAX_BYTES);
		goto fail;
	}
	fclose(fp);
	*len = n;
	return buf;

fail:
	free(buf);
	fclose(fp);
	return NULL;
}

/* The profile file is parsed here, so `tandem -c` reports its errors
 * (file:line); its certificates are loaded by init. */
static int
tls_param_config(const struct val *v, struct cfg_diag *d)
{
	char path[PATH_MAX], name[PATH_MAX], err[PATH_MAX + 64];
	struct tls_perr perr;
	char *text = NULL;
	size_t len = 0;

	note_cfg_dir(d);
	snprintf(name, sizeof(name), "%.*s", STR_FMT(&v->s));
	if (v->s.len == 0 || tls_path_resolve(P.cfg_dir, name, path,
	    sizeof(path)) < 0) {
		diag_error(d, "tls: config: bad file name '%.*s'",
		    STR_FMT(&v->s));
		return -1;
	}
	if ((text = slurp(path, &len, err, sizeof(err))) == NULL) {
		diag_error(d, "tls: config: %s", err);
		return -1;
	}
	tls_profiles_free(&P.prof);
	if (tls_profile_parse(text, len, &P.prof, &perr) < 0) {
		diag_error(d, "tls: config: %s:%u: %s", path, perr.line,
		    perr.msg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static const struct param_export tls_params[] = {
	{ .name = "certificate", .type = PARAM_STR,
	  .set = tls_param_certificate },
	{ .name = "private_key", .type = PARAM_STR,
	  .set = tls_param_private_key },
	{ .name = "ca_list", .type = PARAM_STR, .set = tls_param_ca_list },
	{ .name = "crl", .type = PARAM_STR, .set = tls_param_crl },
	{ .name = "cipher_list", .type = PARAM_STR,
	  .set = tls_param_cipher_list },
	{ .name = "server_name", .type = PARAM_STR,
	  .set = tls_param_server_name },
	{ .name = "tls_method", .type = PARAM_STR, .set = tls_param_method },
	{ .name = "verify_certificate", .type = PARAM_INT,
	  .set = tls_param_verify },
	{ .name = "require_certificate", .type = PARAM_INT,
	  .set = tls_param_require },
	{ .name = "verify_depth", .type = PARAM_INT, .set = tls_param_depth },
	{ .name = "config", .type = PARAM_STR, .set = tls_param_config },
	{ .name = "handshake_timeout", .type = PARAM_INT,
	  .set = tls_param_handshake },
	{ .name = "send_close_notify", .type = PARAM_INT,
	  .set = tls_param_close_notify },
	{ .name = NULL },
};

static const struct cmd_export tls_cmds[] = {
	{ .name = "is_peer_verified", .fn = tls_is_peer_verified,
	  .routes = RT_REQUEST | RT_REPLY | RT_FAILURE | RT_BRANCH |
	  RT_EVENT },
	{ .name = NULL },
};

/* --- init ----------------------------------------------------------------- */

static int
have_tls_listener(void)
{
	for (int i = 0; i < listen_count(); i++)
		if (listen_at(i)->proto == PROTO_TLS)
			return 1;
	return 0;
}

static int
tls_init(void)
{
	struct cfg *cfg = route_get_cfg();
	int hs;

	params_ready();
	if (cfg && cfg->dir && cfg->dir[0])
		snprintf(P.cfg_dir, sizeof(P.cfg_dir), "%s", cfg->dir);
	if (!core_cfg.enable_tls) {
		log_warnx("tls: enable_tls is off: the module stays idle (set "
		    "enable_tls=yes to use tls listeners and msrps: hops)");
		return 0;
	}
	if (OPENSSL_init_ssl(0, NULL) != 1) {
		log_errx("tls: OpenSSL initialisation failed");
		return -1;
	}
	if (tls_ctx_build(&P.s, &P.prof, P.cfg_dir, have_tls_listener()) < 0)
		return -1;
	if (tls_table_init(conn_table_max()) < 0) {
		tls_ctx_free_all();
		return -1;
	}
	hs = P.handshake_timeout > 0 ? P.handshake_timeout :
	    core_cfg.tcp_connect_timeout > 0 ? core_cfg.tcp_connect_timeout :
	    10;
	if (tls_hooks_set(tls_io_hooks(hs, P.send_close_notify)) < 0) {
		tls_table_destroy();
		tls_ctx_free_all();
		return -1;
	}
	log_info("tls: %s, handshake timeout %d s", OpenSSL_version(
	    OPENSSL_VERSION), hs);
	return 0;
}

static void
tls_destroy(void)
{
	tls_hooks_set(NULL);
	tls_table_destroy();
	tls_ctx_free_all();
}

/* The parameters are private memory made by the setters, also under
 * `tandem -c` where destroy never runs: free them at unload. */
__attribute__((destructor)) static void
tls_unload(void)
{
	if (P.ready)
		tls_settings_free(&P.s);
	tls_profiles_free(&P.prof);
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "tls",
	.version = "1.0",
	.cmds = tls_cmds,
	.params = tls_params,
	.pvs = tls_pv_exports,
	.rpcs = tls_rpc_exports,
	.init = tls_init,
	.destroy = tls_destroy,
};
