/*
 * auth_nonce.c - nonce text, MACs and the nc table (see auth_nonce.h).
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/shm.h"
#include "auth_nonce.h"

#define NONCE_VER        0x10
#define NONCE_TRACKED    0x01
#define NONCE_HEAD       10         /* ver, checks, issued, nid      */
#define NONCE_MAC        16
#define NONCE_PLAIN      (NONCE_HEAD + NONCE_MAC)

static const char mac_label[] = "tandem-auth-nonce-1";
static const char bind_label[] = "tandem-auth-bind-1";

/* --- base64url without padding -------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t
b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	uint32_t v;

	for (size_t i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = b64[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return o;
}

static int
b64_val(unsigned char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

/* Decodes into out (cap bytes); the length, or -1 on a bad text. */
static int
b64_decode(const str_t *s, unsigned char *out, size_t cap)
{
	uint32_t acc = 0;
	size_t bits = 0, o = 0;
	int v;

	if (s->len % 4 == 1)
		return -1;
	for (size_t i = 0; i < s->len; i++) {
		if ((v = b64_val((unsigned char)s->s[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;      /* non-canonical: stray low bits */
	return (int)o;
}

/* --- MACs ---------------------------------------------------------------- */

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* HMAC-SHA256(key, label | data), first NONCE_MAC bytes.  0 or -1. */
static int
mac16(const struct auth_secret *k, const char *label, const unsigned char *d,
    size_t n, unsigned char *out)
{
	unsigned char buf[64 + NONCE_PLAIN + 32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t ll = strlen(label);

	if (ll + n > sizeof(buf))
		return -1;
	memcpy(buf, label, ll);
	memcpy(buf + ll, d, n);
	if (HMAC(EVP_sha256(), k->key, (int)k->len, buf, ll + n, md,
	    &mdlen) == NULL || mdlen < NONCE_MAC)
		return -1;
	memcpy(out, md, NONCE_MAC);
	return 0;
}

static int
hash_field(EVP_MD_CTX *ctx, const str_t *f)
{
	unsigned char len[4];

	put32(len, (uint32_t)f->len);
	if (EVP_DigestUpdate(ctx, len, 4) != 1)
		return -1;
	return f->len == 0 ? 0 : EVP_DigestUpdate(ctx, f->s, f->len) == 1 ?
	    0 : -1;
}

/* SHA-256 of the fields selected by checks.  0 or -1. */
static int
bind_digest(unsigned checks, const struct auth_bind *b, unsigned char *out)
{
	const str_t *f[4] = { &b->ruri, &b->callid, &b->fromtag, &b->srcip };
	EVP_MD_CTX *ctx = NULL;
	unsigned int n = 0;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto done;
	for (unsigned i = 0; i < 4; i++)
		if ((checks & (1u << i)) && hash_field(ctx, f[i]) != 0)
			goto done;
	if (EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32)
		rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
bind_mac(const struct auth_secret *k, const unsigned char *plain,
    unsigned checks, const struct auth_bind *b, unsigned char *out)
{
	unsigned char d[NONCE_PLAIN + 32];

	memcpy(d, plain, NONCE_PLAIN);
	if (bind_digest(checks, b, d + NONCE_PLAIN) != 0)
		return -1;
	return mac16(k, bind_label, d, sizeof(d), out);
}

/* Equal in time independent of the contents. */
static int
same(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return diff == 0;
}

/* --- nonces --------------------------------------------------------------- */

int
auth_nonce_make(const struct auth_secret *k, uint32_t now, uint32_t nid,
    unsigned checks, const struct auth_bind *b, char *out)
{
	unsigned char bin[AUTH_NONCE_BIN_MAX];
	size_t n = NONCE_PLAIN;

	checks &= AUTH_CHK_ALL;
	bin[0] = NONCE_VER | (nid != 0 ? NONCE_TRACKED : 0);
	bin[1] = (unsigned char)checks;
	put32(bin + 2, now);
	put32(bin + 6, nid);
	if (mac16(k, mac_label, bin, NONCE_HEAD, bin + NONCE_HEAD) != 0)
		return -1;
	if (checks != 0) {
		if (bind_mac(k, bin, checks, b, bin + NONCE_PLAIN) != 0)
			return -1;
		n += NONCE_MAC;
	}
	return (int)b64_encode(bin, n, out);
}

enum auth_nonce_rc
auth_nonce_check(const struct auth_secret *k, const str_t *nonce,
    uint32_t now, unsigned expire, unsigned drift, const struct auth_bind *b,
    struct auth_nonce_info *info)
{
	unsigned char bin[AUTH_NONCE_BIN_MAX], mac[NONCE_MAC];
	unsigned checks;
	uint32_t issued, nid;
	int n;

	if (nonce->len > AUTH_NONCE_TEXT_MAX ||
	    (n = b64_decode(nonce, bin, sizeof(bin))) < NONCE_PLAIN)
		return AUTH_NONCE_BAD;
	if ((bin[0] & ~NONCE_TRACKED) != NONCE_VER || bin[1] > AUTH_CHK_ALL)
		return AUTH_NONCE_BAD;
	checks = bin[1];
	if (n != (checks ? NONCE_PLAIN + NONCE_MAC : NONCE_PLAIN))
		return AUTH_NONCE_BAD;
	if (mac16(k, mac_label, bin, NONCE_HEAD, mac) != 0 ||
	    !same(mac, bin + NONCE_HEAD, NONCE_MAC))
		return AUTH_NONCE_BAD;
	issued = get32(bin + 2);
	nid = get32(bin + 6);
	if (((bin[0] & NONCE_TRACKED) != 0) != (nid != 0))
		return AUTH_NONCE_BAD;
	info->issued = issued;
	info->nid = nid;
	info->checks = checks;
	if (now > issued && now - issued > expire)
		return AUTH_NONCE_STALE;
	if (issued > now && issued - now > drift)
		return AUTH_NONCE_STALE;
	if (checks != 0 && (bind_mac(k, bin, checks, b, mac) != 0 ||
	    !same(mac, bin + NONCE_PLAIN, NONCE_MAC)))
		return AUTH_NONCE_STALE;
	return AUTH_NONCE_OK;
}

/* --- the nc table --------------------------------------------------------- */

#define NC_WORDS  ((AUTH_NC_MAX + 1) / 32)
#define NC_LOCKS  64u

struct nc_entry {
	uint32_t  nid;              /* 0: never used                    */
	uint32_t  otn_used;
	uint32_t  seen[NC_WORDS];   /* bit nc: that nc was accepted     */
};

struct auth_nc_table {
	uint32_t          mask;
	_Atomic uint32_t  last;     /* the last nid handed out          */
	struct lock_set  *locks;
	struct nc_entry   e[];
};

struct auth_nc_table *
auth_nc_create(unsigned order)
{
	struct auth_nc_table *t = NULL;
	size_t n;

	if (order < 4 || order > 24) {
		log_errx("auth: nonce table order %u out of range 4..24",
		    order);
		return NULL;
	}
	n = (size_t)1 << order;
	t = shm_calloc(1, sizeof(*t) + n * sizeof(t->e[0]));
	if (t == NULL) {
		log_errx("auth: no shared memory for %zu tracked nonces "
		    "(%zu bytes)", n, n * sizeof(t->e[0]));
		return NULL;
	}
	t->mask = (uint32_t)(n - 1);
	atomic_init(&t->last, 0);
	if ((t->locks = lock_set_alloc(n < NC_LOCKS ? (unsigned)n :
	    NC_LOCKS)) == NULL) {
		log_errx("auth: no shared memory for the nonce table locks");
		shm_free(t);
		return NULL;
	}
	return t;
}

void
auth_nc_destroy(struct auth_nc_table *t)
{
	if (t == NULL)
		return;
	lock_set_free(t->locks);
	shm_free(t);
}

uint32_t
auth_nc_new(struct auth_nc_table *t)
{
	uint32_t nid, slot;
	struct nc_entry *e;

	do
		nid = atomic_fetch_add(&t->last, 1) + 1;
	while (nid == 0);
	slot = nid & t->mask;
	e = &t->e[slot];
	lock_set_get(t->locks, slot);
	e->nid = nid;
	e->otn_used = 0;
	memset(e->seen, 0, sizeof(e->seen));
	lock_set_release(t->locks, slot);
	return nid;
}

enum auth_nc_rc
auth_nc_use(struct auth_nc_table *t, uint32_t nid, uint32_t nc)
{
	uint32_t slot = nid & t->mask, bit;
	struct nc_entry *e = &t->e[slot];
	enum auth_nc_rc rc;

	if (nc == 0 || nc > AUTH_NC_MAX)
		return AUTH_NC_RANGE;
	bit = 1u << (nc % 32);
	lock_set_get(t->locks, slot);
	if (nid == 0 || e->nid != nid) {
		rc = AUTH_NC_GONE;
	} else if (e->seen[nc / 32] & bit) {
		rc = AUTH_NC_REPLAY;
	} else {
		e->seen[nc / 32] |= bit;
		rc = AUTH_NC_OK;
	}
	lock_set_release(t->locks, slot);
	return rc;
}

enum auth_nc_rc
auth_otn_use(struct auth_nc_table *t, uint32_t nid)
{
	uint32_t slot = nid & t->mask;
	struct nc_entry *e = &t->e[slot];
	enum auth_nc_rc rc;

	lock_set_get(t->locks, slot);
	if (nid == 0 || e->nid != nid) {
		rc = AUTH_NC_GONE;
	} else if (e->otn_used) {
		rc = AUTH_NC_REPLAY;
	} else {
		e->otn_used = 1;
		rc = AUTH_NC_OK;
	}
	lock_set_release(t->locks, slot);
	return rc;
}
