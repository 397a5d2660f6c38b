/*
 * tls_ctx.h - one OpenSSL SSL_CTX per profile, built in the supervisor
 * before fork (certificates, keys, CA list, CRL, method, ciphers,
 * verification), and the choice of one for a new connection: servers
 * by the connection's local address, clients by its remote address,
 * falling back to [server:default] / [client:default].
 */
#ifndef TD_TLS_CTX_H
#define TD_TLS_CTX_H

#include <openssl/ssl.h>
#include <sys/socket.h>

#include "tls_profile.h"

#define TLS_DEFAULT_VERIFY_DEPTH 9
#define TLS_DEFAULT_CERT_FILE    "cert.pem"

/*
 * Builds the contexts: the module parameters `params` are the base,
 * each profile of `prof` is laid over them; relative file names are
 * taken from cfg_dir.  Server contexts are built only when
 * with_servers (there is a tls listener).  0, or -1 after logging what
 * failed and naming the file.  Any earlier set is freed first.
 */
int  tls_ctx_build(const struct tls_settings *params,
                   const struct tls_profiles *prof, const char *cfg_dir,
                   int with_servers);
void tls_ctx_free_all(void);

/*
 * The context for a connection of role whose local (server) or remote
 * (client) address is addr, or NULL when there is none (no tls
 * listener).  *sni gets the client's server_name (or NULL) and *name
 * the profile ("[server:default]") for logs; both live as long as the
 * contexts.
 */
SSL_CTX *tls_ctx_pick(enum tls_role role, const struct sockaddr_storage *addr,
                      const char **sni, const char **name);

/* The drained OpenSSL error queue as text ("" when empty) into buf. */
const char *tls_ossl_error(char *buf, size_t n);

#endif
