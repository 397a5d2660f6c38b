/*
 * tls_io.c - one SSL object per connection, made and used only in the
 * worker that owns the connection (see tls_io.h).
 *
 * The core reads and writes through these hooks and never blocks: an
 * OpenSSL call that cannot progress becomes -1/EAGAIN with the
 * readiness it waits for.  The handshake runs inside the first reads
 * (server) or starts at once (client, so the ClientHello goes out even
 * when nothing is queued yet).  When it completes, the connection's
 * summary goes to the shared table for tls.list.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/log.h"
#include "core/sock.h"
#include "tls_ctx.h"
#include "tls_io.h"
#include "tls_table.h"

struct tls_conn {
	SSL                 *ssl;
	uint64_t             id;
	int                  is_server;
	int                  established;
	int                  broken;        /* fatal error: no close_notify */
	char                 peer[64];      /* remote address, for logs    */
	struct tls_summary   sum;
};

/* Set once in the module's init, before fork. */
static struct tls_hooks H;
static int send_close_notify;

static void
established_now(struct tls_conn *tc)
{
	X509 *cert;

	tc->established = 1;
	snprintf(tc->sum.version, sizeof(tc->sum.version), "%s",
	    SSL_get_version(tc->ssl));
	snprintf(tc->sum.cipher, sizeof(tc->sum.cipher), "%s",
	    SSL_get_cipher_name(tc->ssl));
	tc->sum.peer_cn[0] = '\0';
	tc->sum.verified = 0;
	cert = SSL_get1_peer_certificate(tc->ssl);
	if (cert != NULL) {
		X509_NAME *subj = X509_get_subject_name(cert);

		if (subj == NULL || X509_NAME_get_text_by_NID(subj,
		    NID_commonName, tc->sum.peer_cn,
		    (int)sizeof(tc->sum.peer_cn)) < 0)
			tc->sum.peer_cn[0] = '\0';
		tc->sum.verified = SSL_get_verify_result(tc->ssl) == X509_V_OK;
		X509_free(cert);
	}
	tc->sum.id = tc->id;
	tc->sum.is_server = tc->is_server;
	tc->sum.since = time(NULL);
	tls_table_put(&tc->sum);
	log_dbg("tls: conn %llu %s %s: %s %s, peer CN '%s' (%sverified)",
	    (unsigned long long)tc->id, tc->is_server ? "from" : "to",
	    tc->peer, tc->sum.version, tc->sum.cipher, tc->sum.peer_cn,
	    tc->sum.verified ? "" : "not ");
}

static void
check_established(struct tls_conn *tc)
{
	if (!tc->established && SSL_is_init_finished(tc->ssl))
		established_now(tc);
}

/* Logs why the connection failed: the handshake (with the certificate
 * verdict when there is one) or an established session. */
static void
log_failure(struct tls_conn *tc, int ssl_err, int sys_errno)
{
	long vr = SSL_get_verify_result(tc->ssl);
	char e[512];

	tls_ossl_error(e, sizeof(e));
	if (ssl_err == SSL_ERROR_SYSCALL) {
		log_dbg("tls: conn %llu %s %s: %s", (unsigned long long)tc->id,
		    tc->is_server ? "from" : "to", tc->peer, sys_errno ?
		    strerror(sys_errno) : "connection closed");
		return;
	}
	if (!tc->established)
		log_warnx("tls: conn %llu %s %s: handshake failed: %s%s%s",
		    (unsigned long long)tc->id, tc->is_server ? "from" : "to",
		    tc->peer, e[0] ? e : "protocol error", vr != X509_V_OK ?
		    "; certificate: " : "", vr != X509_V_OK ?
		    X509_verify_cert_error_string(vr) : "");
	else
		log_warnx("tls: conn %llu %s %s: TLS error: %s",
		    (unsigned long long)tc->id, tc->is_server ? "from" : "to",
		    tc->peer, e[0] ? e : "protocol error");
}

/* Maps the result r of an SSL call to the hooks' contract. */
static ssize_t
io_result(struct tls_conn *tc, int r, unsigned *want, int is_read,
    int sys_errno)
{
	int err = SSL_get_error(tc->ssl, r);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		*want = TLS_WANT_READ;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want = TLS_WANT_WRITE;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		/* close_notify from the peer (or a TCP end of stream) */
		ERR_clear_error();
		if (is_read)
			return 0;
		errno = EPIPE;
		return -1;
	case SSL_ERROR_SYSCALL:
		tc->broken = 1;
		log_failure(tc, err, sys_errno);
		errno = sys_errno ? sys_errno : ECONNRESET;
		return -1;
	default:
		tc->broken = 1;
		log_failure(tc, err, 0);
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
io_read(void *st, void *buf, size_t n, unsigned *want)
{
	struct tls_conn *tc = st;
	int r, sys;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(tc->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	sys = errno;
	check_established(tc);
	if (r > 0)
		return r;
	return io_result(tc, r, want, 1, sys);
}

static ssize_t
io_write(void *st, const void *buf, size_t n, unsigned *want)
{
	struct tls_conn *tc = st;
	int r, sys;

	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_write(tc->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	sys = errno;
	check_established(tc);
	if (r > 0)
		return r;
	return io_result(tc, r, want, 0, sys);
}

static int
io_established(void *st)
{
	struct tls_conn *tc = st;

	return tc->established;
}

static void
io_free(void *st)
{
	struct tls_conn *tc = st;

	if (tc == NULL)
		return;
	if (tc->established)
		tls_table_del(tc->id);
	if (send_close_notify && tc->established && !tc->broken) {
		/* one non-blocking attempt: the socket closes right after */
		ERR_clear_error();
		SSL_shutdown(tc->ssl);
	}
	SSL_free(tc->ssl);
	ERR_clear_error();
	free(tc);
}

/* Sends the ClientHello.  0, or -1 when the handshake failed at once. */
static int
client_start(struct tls_conn *tc)
{
	unsigned want = 0;
	int r, sys;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(tc->ssl);
	sys = errno;
	if (r == 1) {
		check_established(tc);
		return 0;
	}
	if (io_result(tc, r, &want, 1, sys) < 0 && errno == EAGAIN)
		return 0;
	return -1;
}

static void *
io_new(int fd, uint64_t id, int is_server,
    const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	const char *sni = NULL, *name = NULL;
	struct tls_conn *tc = NULL;
	SSL_CTX *ctx;
	char e[512];

	ctx = tls_ctx_pick(is_server ? TLS_SERVER : TLS_CLIENT,
	    is_server ? local : remote, &sni, &name);
	if ((tc = calloc(1, sizeof(*tc))) == NULL) {
		log_errx("tls: conn %llu: out of memory",
		    (unsigned long long)id);
		return NULL;
	}
	tc->id = id;
	tc->is_server = is_server;
	sock_addr_text(remote, tc->peer, sizeof(tc->peer));
	if (ctx == NULL) {
		log_errx("tls: conn %llu %s %s: no TLS %s profile (is there a "
		    "tls listener?)", (unsigned long long)id, is_server ?
		    "from" : "to", tc->peer, is_server ? "server" : "client");
		goto fail;
	}
	snprintf(tc->sum.profile, sizeof(tc->sum.profile), "%s", name);
	ERR_clear_error();
	if ((tc->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(tc->ssl, fd) != 1) {
		log_errx("tls: conn %llu: SSL setup failed (%s)",
		    (unsigned long long)id, tls_ossl_error(e, sizeof(e)));
		goto fail;
	}
	if (is_server) {
		SSL_set_accept_state(tc->ssl);
		return tc;
	}
	SSL_set_connect_state(tc->ssl);
	if (sni && SSL_set_tlsext_host_name(tc->ssl, sni) != 1) {
		log_errx("tls: conn %llu: server_name '%s' refused (%s)",
		    (unsigned long long)id, sni, tls_ossl_error(e, sizeof(e)));
		goto fail;
	}
	if (client_start(tc) < 0)
		goto fail;
	return tc;

fail:
	if (tc->ssl)
		SSL_free(tc->ssl);
	free(tc);
	return NULL;
}

const struct tls_hooks *
tls_io_hooks(int handshake_timeout, int close_notify)
{
	H.conn_new = io_new;
	H.conn_free = io_free;
	H.read = io_read;
	H.write = io_write;
	H.established = io_established;
	H.handshake_timeout = handshake_timeout;
	send_close_notify = close_notify;
	return &H;
}

int
tls_io_view(void *st, struct tls_conn_view *v)
{
	struct tls_conn *tc = st;

	if (tc == NULL || !tc->established)
		return -1;
	v->established = 1;
	v->version = tc->sum.version;
	v->cipher = tc->sum.cipher;
	v->peer_cn = tc->sum.peer_cn;
	v->verified = tc->sum.verified;
	return 0;
}
