/*
 * auth_nonce.h - stateless, verifiable nonces and the shared table that
 * remembers which nc values (nonce_count) or nonces (one_time_nonce)
 * were already accepted.
 *
 * A nonce is the unpadded base64url text of these bytes:
 *
 *    0     1       2..5        6..9     10..25       26..41
 *  +-----+--------+-----------+--------+------------+------------+
 *  | ver | checks | issued    | nid    | mac        | bind mac   |
 *  +-----+--------+-----------+--------+------------+------------+
 *   ver     0x10, | 0x01 when nid names an entry of the nc table
 *   checks  AUTH_CHK_* bits the nonce is bound to (0: no bind mac)
 *   issued  creation time, seconds since the epoch, big-endian
 *   nid     nonce id in the nc table (0 when untracked), big-endian
 *   mac     HMAC-SHA256(secret, "tandem-auth-nonce-1" | bytes 0..9),
 *           first 16 bytes: nobody without the secret makes a nonce or
 *           moves its time
 *   bind mac (only when checks != 0) HMAC-SHA256(secret,
 *           "tandem-auth-bind-1" | bytes 0..25 | SHA-256 of the bound
 *           fields, each as a 4-byte big-endian length and its bytes, in
 *           AUTH_CHK_* order), first 16 bytes
 *
 * Example: secret "s3cr3t", issued 1700000000 (0x6553f100), untracked,
 * no checks: bytes 10 00 65 53 f1 00 00 00 00 00, then the mac
 * 49 af 67 75 f3 8d f1 fb 9c d8 94 7b 33 40 c2 29, giving the text
 * "EABlU_EAAAAAAEmvZ3XzjfH7nNiUezNAwik" (35 characters; 56 with a bind
 * mac).
 *
 * A nonce that does not decode or whose mac is wrong is BAD (a forgery
 * or another server's); one that is too old, too far in the future or
 * whose bound fields changed is STALE: the client knows the password
 * and only needs a fresh nonce (stale=true).
 */
#ifndef TD_AUTH_NONCE_H
#define TD_AUTH_NONCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define AUTH_NONCE_BIN_MAX  42
#define AUTH_NONCE_TEXT_MAX 56      /* 4/3 of 42, no padding */
#define AUTH_SECRET_MAX     256

enum {
	AUTH_CHK_URI     = 1u << 0,     /* the Request-URI              */
	AUTH_CHK_CALLID  = 1u << 1,     /* the Call-ID                  */
	AUTH_CHK_FROMTAG = 1u << 2,     /* the From tag                 */
	AUTH_CHK_SRCIP   = 1u << 3,     /* the source IP address        */
	AUTH_CHK_ALL     = 0x0fu,
};

struct auth_secret {
	unsigned char  key[AUTH_SECRET_MAX];
	size_t         len;
};

/* The values the AUTH_CHK_* bits bind a nonce to. */
struct auth_bind {
	str_t  ruri;
	str_t  callid;
	str_t  fromtag;
	str_t  srcip;
};

struct auth_nonce_info {
	uint32_t  issued;
	uint32_t  nid;          /* 0: the nonce is not in the nc table */
	unsigned  checks;
};

enum auth_nonce_rc {
	AUTH_NONCE_OK = 0,
	AUTH_NONCE_BAD = -1,
	AUTH_NONCE_STALE = -2,
};

/*
 * Writes the nonce for (now, nid, checks over b) NUL-terminated to out
 * (AUTH_NONCE_TEXT_MAX + 1 bytes).  nid 0 is an untracked nonce.
 * Returns its length, or -1 when the MAC cannot be computed.
 */
int auth_nonce_make(const struct auth_secret *k, uint32_t now, uint32_t nid,
                    unsigned checks, const struct auth_bind *b, char *out);

/*
 * Verifies nonce at time now: valid for `expire` seconds after it was
 * issued and at most `drift` seconds before.  Fills *info when the
 * nonce decodes and its mac holds (also for STALE).
 */
enum auth_nonce_rc auth_nonce_check(const struct auth_secret *k,
    const str_t *nonce, uint32_t now, unsigned expire, unsigned drift,
    const struct auth_bind *b, struct auth_nonce_info *info);

/* --- the table of tracked nonces (shared memory) ------------------------- */

#define AUTH_NC_MAX 255     /* nc values above are stale, as in Kamailio */

struct auth_nc_table;

enum auth_nc_rc {
	AUTH_NC_OK = 0,         /* first use: now recorded              */
	AUTH_NC_REPLAY = 1,     /* this nc (or this one-time nonce) was
	                         * already accepted                     */
	AUTH_NC_GONE = 2,       /* the entry was reused for a newer nonce */
	AUTH_NC_RANGE = 3,      /* nc is 0 or above AUTH_NC_MAX         */
};

/*
 * A table of 2^order entries in shared memory (order 4..24), guarded by
 * a set of locks.  NULL when shared memory is short (logged).
 */
struct auth_nc_table *auth_nc_create(unsigned order);
void auth_nc_destroy(struct auth_nc_table *t);

/*
 * Reserves an entry for a new nonce and returns its nid (never 0).  The
 * table is a ring: the entry of the nonce issued 2^order nonces earlier
 * is recycled, and that nonce becomes AUTH_NC_GONE.
 */
uint32_t auth_nc_new(struct auth_nc_table *t);

/* Records that nc was accepted for nonce nid (nonce_count). */
enum auth_nc_rc auth_nc_use(struct auth_nc_table *t, uint32_t nid,
                            uint32_t nc);

/* Records that nonce nid was accepted once (one_time_nonce). */
enum auth_nc_rc auth_otn_use(struct auth_nc_table *t, uint32_t nid);

#endif
