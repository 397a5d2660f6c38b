/*
 * tls_profile.h - the tls module's settings and the profile file
 * (Kamailio's tls.cfg format), parsed without side effects: no file is
 * opened and no OpenSSL object is made here, so the parser is unit
 * tested and fuzzed on its own.
 *
 * The file is a list of sections, each naming a role and an address:
 *
 *   # comment
 *   [server:default]           used when no other server profile matches
 *   method = TLSv1.2+
 *   certificate = /etc/tandem/cert.pem
 *   private_key = /etc/tandem/key.pem
 *
 *   [server:127.0.0.1:5061]    chosen by the connection's LOCAL address
 *   require_certificate = yes
 *
 *   [client:[::1]:5061]        chosen by the connection's REMOTE address
 *   verify_certificate = yes
 *   server_name = relay.example.org
 *
 * A line is a section header, `key = value` (the value may be quoted
 * with "..."; '#' outside quotes starts a comment), or blank.
 */
#ifndef TD_TLS_PROFILE_H
#define TD_TLS_PROFILE_H

#include <stddef.h>
#include <sys/socket.h>

enum tls_method {
	TLS_M_UNSET = 0,
	TLS_M_12_PLUS,          /* "TLSv1.2+": 1.2 and newer (default)   */
	TLS_M_12,               /* "TLSv1.2": 1.2 only                   */
	TLS_M_13,               /* "TLSv1.3": 1.3 only                   */
	TLS_M_13_PLUS,          /* "TLSv1.3+": 1.3 and newer             */
};

enum tls_role { TLS_SERVER = 0, TLS_CLIENT = 1 };

#define TLS_VERIFY_DEPTH_MAX 100

/* One set of settings; strings are malloc'ed or NULL, ints -1 = unset. */
struct tls_settings {
	enum tls_method  method;
	char            *certificate;
	char            *private_key;
	char            *ca_list;
	char            *crl;
	char            *cipher_list;
	char            *server_name;
	int              verify_certificate;
	int              require_certificate;
	int              verify_depth;
};

struct tls_profile {
	enum tls_role            role;
	int                      is_default;
	struct sockaddr_storage  addr;          /* when !is_default       */
	char                     domain[64];    /* "default", "1.2.3.4:5061" */
	unsigned                 line;          /* of the section header  */
	struct tls_settings      s;
};

struct tls_profiles {
	struct tls_profile  *v;
	size_t               n;
};

#define TLS_PERR_LEN 200

/* Where and why a profile file was refused. */
struct tls_perr {
	unsigned  line;                 /* 1-based                           */
	char      msg[TLS_PERR_LEN];
};

/*
 * Parses a whole profile file.  0 with *out filled (free it with
 * tls_profiles_free), or -1 with *err set and *out empty.
 */
int  tls_profile_parse(const char *text, size_t len, struct tls_profiles *out,
                       struct tls_perr *err);
void tls_profiles_free(struct tls_profiles *p);

/* The profile of role for addr (exact address and port), or NULL. */
const struct tls_profile *tls_profile_find(const struct tls_profiles *p,
                                           enum tls_role role,
                                           const struct sockaddr_storage *a);
/* The [role:default] profile, or NULL. */
const struct tls_profile *tls_profile_default(const struct tls_profiles *p,
                                              enum tls_role role);

/*
 * The building blocks, also used for the module parameters.  Each
 * returns 0, or -1 with a reason in why (which may be NULL).
 */
int  tls_method_parse(const char *s, size_t len, enum tls_method *out,
                      const char **why);
const char *tls_method_name(enum tls_method m);
/* yes/no, on/off, true/false, 1/0 (any case). */
int  tls_bool_parse(const char *s, size_t len, int *out);
/* "1.2.3.4:5061" or "[::1]:5061" (numeric only). */
int  tls_addr_parse(const char *s, size_t len, struct sockaddr_storage *out);

/* Settings: a copy (0 or -1 on allocation failure), a release, and
 * `over` laid on `base` (unset values of over taken from base). */
int  tls_settings_copy(struct tls_settings *dst,
                       const struct tls_settings *src);
void tls_settings_free(struct tls_settings *s);
int  tls_settings_merge(struct tls_settings *dst,
                        const struct tls_settings *over,
                        const struct tls_settings *base);
void tls_settings_init(struct tls_settings *s);

/*
 * A file name as Kamailio resolves it: absolute, or starting with '.'
 * (relative to the working directory) as written; anything else is
 * relative to dir (the main config file's directory; NULL or "" = as
 * written).  0, or -1 when it does not fit in n bytes.
 */
int  tls_path_resolve(const char *dir, const char *path, char *out, size_t n);

#endif
