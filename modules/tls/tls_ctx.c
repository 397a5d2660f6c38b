/*
 * tls_ctx.c - the SSL_CTX of each profile (see tls_ctx.h).
 *
 * Everything here runs once in the supervisor before fork; the workers
 * inherit the contexts read-only and make their SSL objects from them
 * (tls_io.c).  Session tickets are encrypted with a key made here, so
 * a client may resume on a connection another worker owns.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/log.h"
#include "core/sock.h"
#include "tls_ctx.h"

struct ctx_entry {
	enum tls_role            role;
	int                      is_default;
	struct sockaddr_storage  addr;
	SSL_CTX                 *ctx;
	char                    *sni;
	char                     name[96];
};

/* Module state: built before fork, read-only afterwards. */
static struct {
	struct ctx_entry  *v;
	size_t             n;
} C;

const char *
tls_ossl_error(char *buf, size_t n)
{
	unsigned long e, last = 0;
	char one[256];
	size_t used = 0;

	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		if (e == last)
			continue;
		last = e;
		ERR_error_string_n(e, one, sizeof(one));
		used += (size_t)snprintf(buf + used, used < n ? n - used : 0,
		    "%s%s", used ? "; " : "", one);
		if (used >= n)
			break;
	}
	return buf;
}

/* Encrypted keys would make OpenSSL prompt on the terminal: refuse. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* Resolves path into out and checks it can be read.  0 or -1 (logged). */
static int
file_ok(const char *name, const char *what, const char *dir, const char *path,
    char *out, size_t n)
{
	FILE *fp;

	if (tls_path_resolve(dir, path, out, n) < 0) {
		log_errx("tls: %s: %s file name too long: %s", name, what,
		    path);
		return -1;
	}
	if ((fp = fopen(out, "r")) == NULL) {
		log_errx("tls: %s: cannot read %s file %s: %s", name, what, out,
		    strerror(errno));
		return -1;
	}
	fclose(fp);
	return 0;
}

static int
load_cert_key(SSL_CTX *ctx, const struct tls_settings *s, const char *name,
    const char *dir)
{
	char cert[4096], key[4096], e[512];
	EVP_PKEY *pkey = NULL;
	FILE *fp;

	if (file_ok(name, "certificate", dir, s->certificate, cert,
	    sizeof(cert)) < 0 ||
	    file_ok(name, "private key", dir, s->private_key ? s->private_key :
	    s->certificate, key, sizeof(key)) < 0)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_errx("tls: %s: certificate file %s: not a usable PEM "
		    "certificate (%s)", name, cert,
		    tls_ossl_error(e, sizeof(e)));
		return -1;
	}
	if ((fp = fopen(key, "r")) != NULL) {
		pkey = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
		fclose(fp);
	}
	if (pkey == NULL) {
		log_errx("tls: %s: private key file %s: not a usable PEM key "
		    "(encrypted keys are not supported) (%s)", name, key,
		    tls_ossl_error(e, sizeof(e)));
		return -1;
	}
	/* OpenSSL compares the key with the certificate here */
	if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_errx("tls: %s: private key file %s does not match "
		    "certificate file %s (%s)", name, key, cert,
		    tls_ossl_error(e, sizeof(e)));
		EVP_PKEY_free(pkey);
		return -1;
	}
	EVP_PKEY_free(pkey);
	return 0;
}

static int
load_ca_crl(SSL_CTX *ctx, const struct tls_settings *s, enum tls_role role,
    const char *name, const char *dir)
{
	char path[4096], e[512];

	if (s->ca_list) {
		if (file_ok(name, "ca_list", dir, s->ca_list, path,
		    sizeof(path)) < 0)
			return -1;
		if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1) {
			log_errx("tls: %s: ca_list file %s: no usable PEM "
			    "certificate (%s)", name, path,
			    tls_ossl_error(e, sizeof(e)));
			return -1;
		}
		if (role == TLS_SERVER) {
			STACK_OF(X509_NAME) *names;

			/* tells clients which CAs their certificate may
			 * come from */
			names = SSL_load_client_CA_file(path);
			if (names)
				SSL_CTX_set_client_CA_list(ctx, names);
		}
	}
	if (s->crl) {
		X509_STORE *st = SSL_CTX_get_cert_store(ctx);
		X509_LOOKUP *lu;

		if (file_ok(name, "crl", dir, s->crl, path, sizeof(path)) < 0)
			return -1;
		lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
		if (lu == NULL || X509_load_crl_file(lu, path,
		    X509_FILETYPE_PEM) <= 0) {
			log_errx("tls: %s: crl file %s: no usable PEM CRL (%s)",
			    name, path, tls_ossl_error(e, sizeof(e)));
			return -1;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	}
	return 0;
}

static void
set_versions(SSL_CTX *ctx, enum tls_method m)
{
	int min = TLS1_2_VERSION, max = 0;

	switch (m) {
	case TLS_M_12:
		max = TLS1_2_VERSION;
		break;
	case TLS_M_13:
		min = max = TLS1_3_VERSION;
		break;
	case TLS_M_13_PLUS:
		min = TLS1_3_VERSION;
		break;
	default:
		break;
	}
	SSL_CTX_set_min_proto_version(ctx, min);
	SSL_CTX_set_max_proto_version(ctx, max);
}

/*
 * Verification: a server asks for a client certificate when
 * verify_certificate or require_certificate is on, and refuses the
 * handshake without one when require_certificate is on; a client
 * checks the server's chain when verify_certificate is on.
 */
static void
set_verify(SSL_CTX *ctx, const struct tls_settings *s, enum tls_role role)
{
	int mode = SSL_VERIFY_NONE;

	if (role == TLS_SERVER) {
		if (s->verify_certificate > 0 || s->require_certificate > 0)
			mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
		if (s->require_certificate > 0)
			mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	} else if (s->verify_certificate > 0) {
		mode = SSL_VERIFY_PEER;
	}
	SSL_CTX_set_verify(ctx, mode, NULL);
	SSL_CTX_set_verify_depth(ctx, s->verify_depth >= 0 ? s->verify_depth :
	    TLS_DEFAULT_VERIFY_DEPTH);
}

static SSL_CTX *
ctx_new(const struct tls_settings *s, enum tls_role role, const char *name,
    const char *dir)
{
	SSL_CTX *ctx = NULL;
	char e[512];

	ctx = SSL_CTX_new(role == TLS_SERVER ? TLS_server_method() :
	    TLS_client_method());
	if (ctx == NULL) {
		log_errx("tls: %s: SSL_CTX_new() failed (%s)", name,
		    tls_ossl_error(e, sizeof(e)));
		return NULL;
	}
	set_versions(ctx, s->method);
	/* no renegotiation (a CPU sink for a hostile peer), no compression
	 * (CRIME); a peer that closes TCP without close_notify is an end
	 * of stream: SIP and MSRP frame their own messages */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
	    (role == TLS_SERVER ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
	/* the worker retries a write with what is left of its queue, from
	 * another buffer (tcp_worker.c's write queue) */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	if (s->cipher_list && SSL_CTX_set_cipher_list(ctx, s->cipher_list)
	    != 1) {
		log_errx("tls: %s: cipher_list '%s' selects no usable cipher "
		    "(%s)", name, s->cipher_list, tls_ossl_error(e, sizeof(e)));
		goto fail;
	}
	if (s->certificate && load_cert_key(ctx, s, name, dir) < 0)
		goto fail;
	if (load_ca_crl(ctx, s, role, name, dir) < 0)
		goto fail;
	set_verify(ctx, s, role);
	if (s->verify_certificate > 0 && s->ca_list == NULL)
		log_warnx("tls: %s: verify_certificate is on but no ca_list is "
		    "set: every peer certificate will fail verification", name);
	if (role == TLS_SERVER) {
		static const unsigned char sid[] = "tandem-tls";

		SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	}
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Adds the context for one profile (prof NULL: the parameters alone). */
static int
add_entry(const struct tls_settings *params, const struct tls_profile *prof,
    enum tls_role role, const char *dir)
{
	struct tls_settings eff;
	struct ctx_entry *nv, *e;
	char a[64];

	if (tls_settings_merge(&eff, prof ? &prof->s : params, params) < 0) {
		log_errx("tls: out of memory");
		return -1;
	}
	if (role == TLS_SERVER && eff.certificate == NULL &&
	    (eff.certificate = strdup(TLS_DEFAULT_CERT_FILE)) == NULL)
		goto oom;
	if ((nv = realloc(C.v, (C.n + 1) * sizeof(*nv))) == NULL)
		goto oom;
	C.v = nv;
	e = &C.v[C.n];
	memset(e, 0, sizeof(*e));
	e->role = role;
	e->is_default = prof == NULL || prof->is_default;
	if (!e->is_default)
		e->addr = prof->addr;
	if (prof)
		snprintf(e->name, sizeof(e->name), "[%s:%s] (line %u)",
		    role == TLS_SERVER ? "server" : "client", e->is_default ?
		    "default" : sock_addr_text(&e->addr, a, sizeof(a)),
		    prof->line);
	else
		snprintf(e->name, sizeof(e->name), "[%s:default]",
		    role == TLS_SERVER ? "server" : "client");
	if (eff.server_name && (e->sni = strdup(eff.server_name)) == NULL)
		goto oom;
	if ((e->ctx = ctx_new(&eff, role, e->name, dir)) == NULL) {
		free(e->sni);
		tls_settings_free(&eff);
		return -1;
	}
	C.n++;
	log_dbg("tls: %s ready: %s, verify %s, require %s", e->name,
	    tls_method_name(eff.method == TLS_M_UNSET ? TLS_M_12_PLUS :
	    eff.method), eff.verify_certificate > 0 ? "on" : "off",
	    eff.require_certificate > 0 ? "on" : "off");
	tls_settings_free(&eff);
	return 0;

oom:
	log_errx("tls: out of memory");
	tls_settings_free(&eff);
	return -1;
}

int
tls_ctx_build(const struct tls_settings *params,
    const struct tls_profiles *prof, const char *cfg_dir, int with_servers)
{
	static const enum tls_role roles[] = { TLS_SERVER, TLS_CLIENT };

	tls_ctx_free_all();
	for (size_t r = 0; r < 2; r++) {
		enum tls_role role = roles[r];

		if (role == TLS_SERVER && !with_servers)
			continue;
		if (add_entry(params, tls_profile_default(prof, role), role,
		    cfg_dir) < 0)
			goto fail;
		for (size_t i = 0; i < prof->n; i++)
			if (prof->v[i].role == role && !prof->v[i].is_default &&
			    add_entry(params, &prof->v[i], role, cfg_dir) < 0)
				goto fail;
	}
	return 0;

fail:
	tls_ctx_free_all();
	return -1;
}

void
tls_ctx_free_all(void)
{
	for (size_t i = 0; i < C.n; i++) {
		SSL_CTX_free(C.v[i].ctx);
		free(C.v[i].sni);
	}
	free(C.v);
	C.v = NULL;
	C.n = 0;
}

SSL_CTX *
tls_ctx_pick(enum tls_role role, const struct sockaddr_storage *addr,
    const char **sni, const char **name)
{
	const struct ctx_entry *def = NULL, *hit = NULL;

	for (size_t i = 0; i < C.n && hit == NULL; i++) {
		const struct ctx_entry *e = &C.v[i];

		if (e->role != role)
			continue;
		if (e->is_default)
			def = e;
		else if (addr && sock_addr_eq(&e->addr, addr))
			hit = e;
	}
	hit = hit ? hit : def;
	if (hit == NULL)
		return NULL;
	*sni = hit->sni;
	*name = hit->name;
	return hit->ctx;
}
