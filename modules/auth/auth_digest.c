/*
 * auth_digest.c - HA1 / HA2 / response for MD5 and SHA-256 (see
 * auth_digest.h), hashed with OpenSSL's EVP interface.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "auth_digest.h"

static const struct {
	const char *name;
	size_t      hex;
} algs[] = {
	[AUTH_ALG_MD5] = { "MD5", 32 },
	[AUTH_ALG_MD5_SESS] = { "MD5-sess", 32 },
	[AUTH_ALG_SHA256] = { "SHA-256", 64 },
	[AUTH_ALG_SHA256_SESS] = { "SHA-256-sess", 64 },
};

int
auth_alg_parse(const str_t *name, enum auth_alg *out)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (str_caseeq_cstr(name, algs[i].name)) {
			*out = (enum auth_alg)i;
			return 0;
		}
	}
	return -1;
}

const char *
auth_alg_name(enum auth_alg a)
{
	return algs[a].name;
}

size_t
auth_alg_hex_len(enum auth_alg a)
{
	return algs[a].hex;
}

enum auth_alg
auth_alg_base(enum auth_alg a)
{
	return a == AUTH_ALG_MD5_SESS ? AUTH_ALG_MD5 :
	    a == AUTH_ALG_SHA256_SESS ? AUTH_ALG_SHA256 : a;
}

static const EVP_MD *
alg_md(enum auth_alg a)
{
	return auth_alg_base(a) == AUTH_ALG_MD5 ? EVP_md5() : EVP_sha256();
}

static void
to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * H(p[0] ":" p[1] ":" ... p[n-1]) in hex.  The parts are hashed in
 * turn, so nothing is copied and no length limit applies.
 */
static int
hash_parts(enum auth_alg a, const str_t *p, size_t n, char *out)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestInit_ex(ctx, alg_md(a), NULL) != 1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1)
			goto fail;
		if (p[i].len > 0 &&
		    EVP_DigestUpdate(ctx, p[i].s, p[i].len) != 1)
			goto fail;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto fail;
	EVP_MD_CTX_free(ctx);
	to_hex(md, mdlen, out);
	return 0;

fail:
	EVP_MD_CTX_free(ctx);
	return -1;
}

int
auth_hash_hex(enum auth_alg a, const str_t *s, char *out)
{
	return hash_parts(a, s, 1, out);
}

/* A given HA1: hex of the right length, copied in lowercase. */
static int
copy_ha1(const struct auth_digest_in *in, char *out)
{
	size_t n = auth_alg_hex_len(in->alg);

	if (in->secret.len != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in->secret.s[i];

		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c | 0x20);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		out[i] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

static int
ha1(const struct auth_digest_in *in, char *out)
{
	str_t p[3];
	char base[AUTH_HEX_MAX + 1];

	if (in->secret_is_ha1) {
		if (copy_ha1(in, base) != 0)
			return -1;
	} else {
		p[0] = in->username;
		p[1] = in->realm;
		p[2] = in->secret;
		if (hash_parts(in->alg, p, 3, base) != 0)
			return -1;
	}
	if (in->alg != AUTH_ALG_MD5_SESS && in->alg != AUTH_ALG_SHA256_SESS) {
		memcpy(out, base, sizeof(base));
		return 0;
	}
	p[0] = str_cstr(base);
	p[1] = in->nonce;
	p[2] = in->cnonce;
	return hash_parts(in->alg, p, 3, out);
}

static int
ha2(const struct auth_digest_in *in, char *out)
{
	char hbody[AUTH_HEX_MAX + 1];
	str_t p[3] = { in->method, in->uri, STR_NULL };

	if (in->qop != AUTH_QOP_AUTH_INT)
		return hash_parts(in->alg, p, 2, out);
	if (auth_hash_hex(in->alg, &in->body, hbody) != 0)
		return -1;
	p[2] = str_cstr(hbody);
	return hash_parts(in->alg, p, 3, out);
}

int
auth_digest_response(const struct auth_digest_in *in, char *out)
{
	char h1[AUTH_HEX_MAX + 1], h2[AUTH_HEX_MAX + 1];
	str_t p[6];

	if (ha1(in, h1) != 0 || ha2(in, h2) != 0)
		return -1;
	p[0] = str_cstr(h1);
	p[1] = in->nonce;
	if (in->qop == AUTH_QOP_NONE) {
		p[2] = str_cstr(h2);
		return hash_parts(in->alg, p, 3, out);
	}
	p[2] = in->nc;
	p[3] = in->cnonce;
	p[4] = in->qop == AUTH_QOP_AUTH ? STR_LIT("auth") : STR_LIT("auth-int");
	p[5] = str_cstr(h2);
	return hash_parts(in->alg, p, 6, out);
}

int
auth_digest_equal(const str_t *got, const char *want)
{
	size_t n = strlen(want);
	unsigned diff;

	if (got->len != n)
		return 0;
	diff = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)got->s[i];

		/* fold A-F only: other bytes never equal a lowercase digit */
		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c | 0x20);
		diff |= (unsigned)(c ^ (unsigned char)want[i]);
	}
	return diff == 0;
}
