/*
 * tls_profile.c - the tls.cfg profile file and the settings it holds
 * (see tls_profile.h).  Pure: no I/O, no OpenSSL.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sock.h"
#include "core/str.h"
#include "tls_profile.h"

/* --- the building blocks ------------------------------------------------ */

static const struct {
	const char       *name;
	enum tls_method   m;
} methods[] = {
	{ "TLSv1.2+", TLS_M_12_PLUS }, { "TLSv1.2", TLS_M_12 },
	{ "TLSv1.3", TLS_M_13 },       { "TLSv1.3+", TLS_M_13_PLUS },
};

/* Kamailio's older methods: named so the error can say why. */
static const char *const old_methods[] = {
	"TLSv1", "TLSv1+", "TLSv1.0", "TLSv1.0+", "TLSv1.1", "TLSv1.1+",
	"SSLv2", "SSLv3", "SSLv23",
};

int
tls_method_parse(const char *s, size_t len, enum tls_method *out,
    const char **why)
{
	const char *dummy;
	size_t i;

	why = why ? why : &dummy;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == len &&
		    strncasecmp(s, methods[i].name, len) == 0) {
			*out = methods[i].m;
			return 0;
		}
	for (i = 0; i < sizeof(old_methods) / sizeof(old_methods[0]); i++)
		if (strlen(old_methods[i]) == len &&
		    strncasecmp(s, old_methods[i], len) == 0) {
			*why = "SSL, TLS 1.0 and TLS 1.1 are not supported "
			    "(RFC 8996): use TLSv1.2+";
			return -1;
		}
	*why = "unknown method (TLSv1.2+, TLSv1.2, TLSv1.3 or TLSv1.3+)";
	return -1;
}

const char *
tls_method_name(enum tls_method m)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "TLSv1.2+";
}

int
tls_bool_parse(const char *s, size_t len, int *out)
{
	static const struct { const char *w; int v; } words[] = {
		{ "yes", 1 }, { "no", 0 }, { "on", 1 }, { "off", 0 },
		{ "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == len &&
		    strncasecmp(s, words[i].w, len) == 0) {
			*out = words[i].v;
			return 0;
		}
	return -1;
}

/* A decimal port 1..65535 made of digits only; -1 otherwise. */
static int
port_parse(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

int
tls_addr_parse(const char *s, size_t len, struct sockaddr_storage *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon;
	size_t hlen;
	int port;

	memset(out, 0, sizeof(*out));
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (rb == NULL || rb + 1 >= s + len || rb[1] != ':')
			return -1;
		hlen = (size_t)(rb - s - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		port = port_parse(rb + 2, (size_t)(s + len - rb - 2));
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;

		if (port < 0 || inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	colon = memchr(s, ':', len);
	if (colon == NULL || memchr(colon + 1, ':', (size_t)(s + len - colon -
	    1)) != NULL)
		return -1;      /* no port, or IPv6 without brackets */
	hlen = (size_t)(colon - s);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	port = port_parse(colon + 1, (size_t)(s + len - colon - 1));
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;

	if (port < 0 || inet_pton(AF_INET, host, &a4->sin_addr) != 1)
		return -1;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	return 0;
}

int
tls_path_resolve(const char *dir, const char *path, char *out, size_t n)
{
	int w;

	if (path[0] == '/' || path[0] == '.' || dir == NULL || dir[0] == '\0')
		w = snprintf(out, n, "%s", path);
	else
		w = snprintf(out, n, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", path);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* --- settings ------------------------------------------------------------- */

#define STR_FIELDS(X) X(certificate) X(private_key) X(ca_list) X(crl) \
	X(cipher_list) X(server_name)

void
tls_settings_init(struct tls_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->method = TLS_M_UNSET;
	s->verify_certificate = -1;
	s->require_certificate = -1;
	s->verify_depth = -1;
}

void
tls_settings_free(struct tls_settings *s)
{
#define FREE_F(f) free(s->f);
	STR_FIELDS(FREE_F)
#undef FREE_F
	tls_settings_init(s);
}

static int
dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (src && (*dst = strdup(src)) == NULL)
		return -1;
	return 0;
}

int
tls_settings_merge(struct tls_settings *dst, const struct tls_settings *over,
    const struct tls_settings *base)
{
	int rc = 0;

	tls_settings_init(dst);
#define MERGE_F(f) rc |= dup_or_null(&dst->f, over->f ? over->f : base->f);
	STR_FIELDS(MERGE_F)
#undef MERGE_F
	dst->method = over->method != TLS_M_UNSET ? over->method : base->method;
	dst->verify_certificate = over->verify_certificate >= 0 ?
	    over->verify_certificate : base->verify_certificate;
	dst->require_certificate = over->require_certificate >= 0 ?
	    over->require_certificate : base->require_certificate;
	dst->verify_depth = over->verify_depth >= 0 ? over->verify_depth :
	    base->verify_depth;
	if (rc != 0) {
		tls_settings_free(dst);
		return -1;
	}
	return 0;
}

int
tls_settings_copy(struct tls_settings *dst, const struct tls_settings *src)
{
	struct tls_settings none;

	tls_settings_init(&none);
	return tls_settings_merge(dst, src, &none);
}

/* --- the file ------------------------------------------------------------ */

enum key_type { K_STR, K_BOOL, K_DEPTH, K_METHOD, K_UNSUPPORTED };

static const struct key {
	const char    *name;
	enum key_type  type;
	size_t         off;
	int            slot;            /* aliases share a slot           */
} keys[] = {
	{ "method", K_METHOD, 0, 0 },
	{ "tls_method", K_METHOD, 0, 0 },
	{ "certificate", K_STR, offsetof(struct tls_settings, certificate), 1 },
	{ "private_key", K_STR, offsetof(struct tls_settings, private_key), 2 },
	{ "ca_list", K_STR, offsetof(struct tls_settings, ca_list), 3 },
	{ "crl", K_STR, offsetof(struct tls_settings, crl), 4 },
	{ "cipher_list", K_STR, offsetof(struct tls_settings, cipher_list), 5 },
	{ "server_name", K_STR, offsetof(struct tls_settings, server_name), 6 },
	{ "verify_certificate", K_BOOL,
	  offsetof(struct tls_settings, verify_certificate), 7 },
	{ "require_certificate", K_BOOL,
	  offsetof(struct tls_settings, require_certificate), 8 },
	{ "verify_depth", K_DEPTH, offsetof(struct tls_settings, verify_depth),
	  9 },
	{ "server_name_mode", K_UNSUPPORTED, 0, 10 },
	{ "server_id", K_UNSUPPORTED, 0, 11 },
};
#define NSLOTS 12

struct parser {
	struct tls_profiles  *out;
	struct tls_perr      *err;
	unsigned              line;
	struct tls_profile   *cur;
	unsigned              seen[NSLOTS];     /* line a key was set on  */
	char                 *scratch;          /* unquoted value         */
};

__attribute__((format(printf, 2, 3))) static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* The line without its comment ('#' outside quotes), trimmed. */
static str_t
strip_line(const char *s, size_t len)
{
	int quoted = 0;
	size_t i;
	str_t r;

	for (i = 0; i < len; i++) {
		if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
			quoted = !quoted;
		else if (s[i] == '#' && !quoted)
			break;
	}
	r = str_make(s, i);
	str_trim(&r);
	return r;
}

static int
section(struct parser *p, str_t in)
{
	struct tls_profile pr, *nv;
	str_t role, dom;
	char *colon;

	if (in.len < 2 || in.s[in.len - 1] != ']')
		return fail(p, "section header without a closing ']'");
	in = str_make(in.s + 1, in.len - 2);
	str_trim(&in);
	memset(&pr, 0, sizeof(pr));
	tls_settings_init(&pr.s);
	pr.line = p->line;
	if ((colon = str_chr(&in, ':')) == NULL)
		return fail(p, "section [%.*s]: expected [server:DOMAIN] or "
		    "[client:DOMAIN]", STR_FMT(&in));
	role = str_make(in.s, (size_t)(colon - in.s));
	dom = str_make(colon + 1, (size_t)(in.s + in.len - colon - 1));
	str_trim(&role);
	str_trim(&dom);
	if (str_caseeq_cstr(&role, "server"))
		pr.role = TLS_SERVER;
	else if (str_caseeq_cstr(&role, "client"))
		pr.role = TLS_CLIENT;
	else
		return fail(p, "section role '%.*s': expected server or "
		    "client", STR_FMT(&role));
	if (str_caseeq_cstr(&dom, "default"))
		pr.is_default = 1;
	else if (str_caseeq_cstr(&dom, "any"))
		return fail(p, "[%s:any] (profiles matched by SNI) is not "
		    "supported by Tandem", pr.role == TLS_SERVER ? "server" :
		    "client");
	else if (dom.len >= sizeof(pr.domain) ||
	    tls_addr_parse(dom.s, dom.len, &pr.addr) < 0)
		return fail(p, "section domain '%.*s': expected default or "
		    "IP:PORT ([IPv6]:PORT)", STR_FMT(&dom));
	snprintf(pr.domain, sizeof(pr.domain), "%.*s", STR_FMT(&dom));
	for (size_t i = 0; i < p->out->n; i++) {
		const struct tls_profile *o = &p->out->v[i];

		if (o->role == pr.role && o->is_default == pr.is_default &&
		    (pr.is_default || sock_addr_eq(&o->addr, &pr.addr)))
			return fail(p, "duplicate section [%s:%s] (first at "
			    "line %u)", pr.role == TLS_SERVER ? "server" :
			    "client", pr.domain, o->line);
	}
	nv = realloc(p->out->v, (p->out->n + 1) * sizeof(*nv));
	if (nv == NULL)
		return fail(p, "out of memory");
	p->out->v = nv;
	nv[p->out->n] = pr;
	p->cur = &nv[p->out->n++];
	memset(p->seen, 0, sizeof(p->seen));
	return 0;
}

/* Unquotes v into p->scratch if it is quoted.  0 or -1 (error set). */
static int
unquote(struct parser *p, str_t *v)
{
	size_t n = 0;

	if (v->len == 0 || v->s[0] != '"')
		return 0;
	for (size_t i = 1; i < v->len; i++) {
		char c = v->s[i];

		if (c == '\\' && i + 1 < v->len) {
			p->scratch[n++] = v->s[++i];
			continue;
		}
		if (c == '"') {
			if (i + 1 != v->len)
				return fail(p, "text after the closing quote");
			*v = str_make(p->scratch, n);
			return 0;
		}
		p->scratch[n++] = c;
	}
	return fail(p, "value without a closing quote");
}

static int
apply(struct parser *p, const struct key *k, str_t v)
{
	char *base = (char *)&p->cur->s;
	const char *why = NULL;
	int b;

	switch (k->type) {
	case K_STR:
		if ((*(char **)(base + k->off) = strndup(v.s, v.len)) == NULL)
			return fail(p, "out of memory");
		return 0;
	case K_BOOL:
		if (tls_bool_parse(v.s, v.len, &b) < 0)
			return fail(p, "%s: '%.*s' is not a boolean (yes/no, "
			    "on/off, true/false, 1/0)", k->name, STR_FMT(&v));
		*(int *)(base + k->off) = b;
		return 0;
	case K_DEPTH: {
		long long d;

		if (str_to_ll(&v, &d) < 0 || d < 0 || d > TLS_VERIFY_DEPTH_MAX)
			return fail(p, "%s: '%.*s' is not a number 0..%d",
			    k->name, STR_FMT(&v), TLS_VERIFY_DEPTH_MAX);
		*(int *)(base + k->off) = (int)d;
		return 0;
	}
	case K_METHOD:
		if (tls_method_parse(v.s, v.len, &p->cur->s.method, &why) < 0)
			return fail(p, "%s '%.*s': %s", k->name, STR_FMT(&v),
			    why);
		return 0;
	case K_UNSUPPORTED:
		break;
	}
	return fail(p, "'%s' is not supported by Tandem's tls module",
	    k->name);
}

static int
assignment(struct parser *p, str_t in)
{
	const struct key *k = NULL;
	char *eq = str_chr(&in, '=');
	str_t name, v;

	if (eq == NULL)
		return fail(p, "expected 'key = value' or a [section] header");
	name = str_make(in.s, (size_t)(eq - in.s));
	v = str_make(eq + 1, (size_t)(in.s + in.len - eq - 1));
	str_trim(&name);
	str_trim(&v);
	if (name.len == 0)
		return fail(p, "'=' without a key before it");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (str_caseeq_cstr(&name, keys[i].name))
			k = &keys[i];
	if (k == NULL)
		return fail(p, "unknown key '%.*s'", STR_FMT(&name));
	if (p->cur == NULL)
		return fail(p, "'%s' before the first [server:...] or "
		    "[client:...] section", k->name);
	if (p->seen[k->slot])
		return fail(p, "'%s' set twice in this section (first at line "
		    "%u)", k->name, p->seen[k->slot]);
	if (unquote(p, &v) < 0)
		return -1;
	if (v.len == 0)
		return fail(p, "%s: empty value", k->name);
	p->seen[k->slot] = p->line;
	return apply(p, k, v);
}

int
tls_profile_parse(const char *text, size_t len, struct tls_profiles *out,
    struct tls_perr *err)
{
	struct parser p = { .out = out, .err = err };
	const char *s = text, *end = text + len;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	err->line = 0;
	err->msg[0] = '\0';
	if ((p.scratch = malloc(len + 1)) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	while (rc == 0 && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		str_t ln;

		p.line++;
		ln = strip_line(s, (size_t)(e - s));
		s = nl ? nl + 1 : end;
		if (ln.len == 0)
			continue;
		if (memchr(ln.s, '\0', ln.len) != NULL)
			rc = fail(&p, "NUL byte in the line");
		else if (ln.s[0] == '[')
			rc = section(&p, ln);
		else
			rc = assignment(&p, ln);
	}
	free(p.scratch);
	if (rc != 0)
		tls_profiles_free(out);
	return rc;
}

void
tls_profiles_free(struct tls_profiles *p)
{
	for (size_t i = 0; i < p->n; i++)
		tls_settings_free(&p->v[i].s);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const struct tls_profile *
tls_profile_find(const struct tls_profiles *p, enum tls_role role,
    const struct sockaddr_storage *a)
{
	for (size_t i = 0; a && i < p->n; i++)
		if (p->v[i].role == role && !p->v[i].is_default &&
		    sock_addr_eq(&p->v[i].addr, a))
			return &p->v[i];
	return NULL;
}

const struct tls_profile *
tls_profile_default(const struct tls_profiles *p, enum tls_role role)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].role == role && p->v[i].is_default)
			return &p->v[i];
	return NULL;
}
