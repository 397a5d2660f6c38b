/*
 * msrp_cmap.c - the connection map: sessions created by AUTH
 * (msrp_cmap_save) and found again by the session id of the first
 * To-Path URI (msrp_cmap_lookup).  A hash table in shared memory with
 * one lock per slot; entries expire (timer) and go away at once when
 * their connection closes (close hook).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/conn.h"
#include "core/sock.h"
#include "msrp.h"
#include "core/abuf.h"

struct cmap_item {
	struct cmap_item *next;
	uint32_t          hash;
	uint32_t          citemid;
	uint64_t          conid;
	time_t            expires;      /* absolute                    */
	unsigned          flags;
	uint64_t          frames, bytes;
	str_t             sessid;       /* all four point into data[]  */
	str_t             peer;
	str_t             addr;
	str_t             sock;
	char              data[];
};

struct cmap {
	unsigned          size;         /* slots, a power of two       */
	uint32_t          next_id;
	struct lock       id_lock;
	struct lock_set  *locks;
	struct cmap_item *slots[];
};

static struct cmap *map;

int
msrp_cmap_init(void)
{
	unsigned size = 1u << msrp_params()->cmap_size;

	map = shm_calloc(1, sizeof(*map) + size * sizeof(struct cmap_item *));
	if (map == NULL)
		return -1;
	map->size = size;
	map->next_id = 1;
	if (lock_init(&map->id_lock) < 0 ||
	    (map->locks = lock_set_alloc(size < 256 ? size : 256)) == NULL)
		return -1;
	return 0;
}

void
msrp_cmap_destroy(void)
{
	if (map == NULL)
		return;
	for (unsigned i = 0; i < map->size; i++) {
		struct cmap_item *it = map->slots[i], *n;

		for (; it; it = n) {
			n = it->next;
			shm_free(it);
		}
	}
	lock_set_free(map->locks);
	shm_free(map);
	map = NULL;
}

static uint32_t
hash_str(const str_t *s)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < s->len; i++)
		h = (h ^ (unsigned char)s->s[i]) * 16777619u;
	return h;
}

static struct cmap_item *
item_new(const str_t *sessid, const str_t *peer, const str_t *addr,
    const str_t *sock)
{
	size_t n = sessid->len + peer->len + addr->len + sock->len + 4;
	struct cmap_item *it = shm_malloc(sizeof(*it) + n);
	char *p;

	if (it == NULL)
		return NULL;
	memset(it, 0, sizeof(*it));
	p = it->data;
#define COPY(field, src) do { \
		memcpy(p, (src)->s, (src)->len); p[(src)->len] = '\0'; \
		it->field = str_make(p, (src)->len); p += (src)->len + 1; \
	} while (0)
	COPY(sessid, sessid);
	COPY(peer, peer);
	COPY(addr, addr);
	COPY(sock, sock);
#undef COPY
	return it;
}

/* A fresh session id: 96 random bits in hex (no guessing), unique. */
static void
new_sessid(char out[32])
{
	unsigned char r[12];
	static const char hex[] = "0123456789abcdef";

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)random();
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[24] = '\0';
}

/* Use-Path: msrp[s]://<use_path_addr or the receiving socket>/<sessid>;tcp */
static int
use_path(struct msg *m, const str_t *sessid, str_t *out)
{
	const char *upa = msrp_params()->use_path_addr;
	const char *scheme = m->rcv.proto == PROTO_TLS ? "msrps" : "msrp";
	char host[128], buf[384];
	int n;

	if (upa && *upa) {
		/* accept host:port and a full msrp(s):// URI alike */
		const char *s = strstr(upa, "://");

		snprintf(host, sizeof(host), "%s", s ? s + 3 : upa);
		host[strcspn(host, "/;")] = '\0';
	} else {
		sock_addr_text(&m->rcv.dst, host, sizeof(host));
	}
	n = snprintf(buf, sizeof(buf), "Use-Path: %s://%s/%.*s;tcp\r\n", scheme,
	    host, STR_FMT(sessid));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	out->s = arena_strndup(&m->arena, buf, (size_t)n);
	out->len = (size_t)n;
	return out->s ? 0 : -1;
}

static int
reply_423(struct msg *m, struct msrp_ctx *c, const char *hdr, int v)
{
	char buf[64];
	str_t reason = STR_LIT("Interval Out-of-Bounds"), h;

	h.len = (size_t)snprintf(buf, sizeof(buf), "%s: %d\r\n", hdr, v);
	h.s = buf;
	return msrp_send_reply(m, c, 423, &reason, &h);
}

/* The Expires asked for: its value, or -1 after answering 400/423. */
static long long
auth_expires(struct msg *m, struct msrp_ctx *c, int *rc)
{
	const struct msrp_params *P = msrp_params();
	const struct msrp_hdr *h = msrp_frame_hdr(&c->f, MSRP_H_EXPIRES);
	long long e;

	if (h == NULL)
		return P->auth_max_expires;
	if (str_to_ll(&h->value, &e) < 0 || e < 0) {
		str_t r = STR_LIT("Bad Request");

		msrp_send_reply(m, c, 400, &r, NULL);
		*rc = -2;
		return -1;
	}
	if (e < P->auth_min_expires) {
		reply_423(m, c, "Min-Expires", P->auth_min_expires);
		*rc = -3;
		return -1;
	}
	if (e > P->auth_max_expires) {
		reply_423(m, c, "Max-Expires", P->auth_max_expires);
		*rc = -4;
		return -1;
	}
	return e;
}

static unsigned
lock_idx(uint32_t hash)
{
	return (hash & (map->size - 1)) % map->locks->n;
}

/* The entry a previous AUTH of this connection and peer created. */
static struct cmap_item *
find_refresh(uint64_t conid, const str_t *peer, unsigned *slot)
{
	for (unsigned i = 0; i < map->size; i++) {
		struct cmap_item *it;

		lock_set_get(map->locks, i % map->locks->n);
		for (it = map->slots[i]; it; it = it->next)
			if (it->conid == conid && str_eq(&it->peer, peer))
				break;
		if (it) {
			*slot = i;
			return it;      /* returned locked */
		}
		lock_set_release(map->locks, i % map->locks->n);
	}
	return NULL;
}

static int
cmap_reply_200(struct msg *m, struct msrp_ctx *c, const str_t *sessid,
    long long expires)
{
	str_t up, reason = STR_LIT("OK"), hdrs;
	struct abuf b = { .a = &m->arena };
	char ex[48];

	if (use_path(m, sessid, &up) < 0)
		return -1;
	abuf_puts(&b, &up);
	abuf_put(&b, ex, (size_t)snprintf(ex, sizeof(ex), "Expires: %lld\r\n",
	    expires));
	if (b.failed)
		return -1;
	hdrs = str_make(b.p, b.len);
	return msrp_send_reply(m, c, 200, &reason, &hdrs);
}

int
msrp_cmap_save(struct msg *m, struct msrp_ctx *c)
{
	struct cmap_item *it;
	str_t peer, addr, sock, sessid;
	char sid[32];
	unsigned slot;
	long long expires;
	int rc = 1;

	if (map == NULL) {
		log_errx("msrp_cmap_save(): no connection map (cmap_size=0)");
		return -1;
	}
	if (c->f.is_reply || !str_eq_cstr(&c->f.method, "AUTH")) {
		log_errx("msrp_cmap_save(): only for AUTH requests");
		return -5;
	}
	if ((expires = auth_expires(m, c, &rc)) < 0)
		return rc;
	peer = c->f.from[0].buf;
	/* a second AUTH of the same client on the same connection
	 * refreshes its session instead of minting another */
	it = find_refresh(m->rcv.conn_id, &peer, &slot);
	if (it) {
		it->expires = time(NULL) + expires;
		sessid = str_make(sid, it->sessid.len);
		memcpy(sid, it->sessid.s, it->sessid.len);
		lock_set_release(map->locks, slot % map->locks->n);
		return cmap_reply_200(m, c, &sessid, expires) > 0 ? 1 : -1;
	}
	if (msrp_srcaddr(m, &addr) < 0 || msrp_srcsock(m, &sock) < 0)
		return -1;
	new_sessid(sid);
	sessid = str_make(sid, strlen(sid));
	it = item_new(&sessid, &peer, &addr, &sock);
	if (it == NULL) {
		str_t r = STR_LIT("Server Error");

		msrp_send_reply(m, c, 500, &r, NULL);
		return -1;
	}
	it->conid = m->rcv.conn_id;
	it->expires = time(NULL) + expires;
	it->hash = hash_str(&it->sessid);
	lock_get(&map->id_lock);
	it->citemid = map->next_id++;
	lock_release(&map->id_lock);
	slot = it->hash & (map->size - 1);
	lock_set_get(map->locks, lock_idx(it->hash));
	it->next = map->slots[slot];
	map->slots[slot] = it;
	lock_set_release(map->locks, lock_idx(it->hash));
	return cmap_reply_200(m, c, &it->sessid, expires) > 0 ? 1 : -1;
}

int
msrp_cmap_lookup(struct msg *m, struct msrp_ctx *c)
{
	const str_t *sid;
	struct cmap_item *it;
	uint32_t h;
	unsigned slot;
	time_t now = time(NULL);

	if (map == NULL) {
		log_errx("msrp_cmap_lookup(): no connection map (cmap_size=0)");
		return -1;
	}
	if (c->f.nto < 1 || c->f.to[0].session.len == 0)
		return -1;
	sid = &c->f.to[0].session;
	h = hash_str(sid);
	slot = h & (map->size - 1);
	lock_set_get(map->locks, lock_idx(h));
	for (it = map->slots[slot]; it; it = it->next)
		if (it->hash == h && str_eq(&it->sessid, sid) && it->expires > now)
			break;
	if (it == NULL) {
		lock_set_release(map->locks, lock_idx(h));
		return -1;
	}
	c->cmap_item = it->citemid;
	c->cmap_hash = it->hash;
	if (it->conid == m->rcv.conn_id) {
		/* the session's owner is sending: the frame goes the other
		 * way, to the next To-Path URI (RFC 4976 §7) */
		lock_set_release(map->locks, lock_idx(h));
		c->have_dst = 0;
		c->dst_conid = 0;
		return c->f.nto >= 2 ? 1 : -1;
	}
	c->dst_conid = it->conid;
	c->dst_proto = PROTO_TCP;
	lock_set_release(map->locks, lock_idx(h));
	{
		struct conn_info ci;

		if (conn_get(c->dst_conid, &ci) < 0)
			return -1;
		c->dst = ci.remote;
		c->dst_proto = ci.proto;
	}
	c->have_dst = 1;
	return 1;
}

void
msrp_cmap_count(uint32_t item, uint32_t hash, size_t bytes)
{
	unsigned slot;

	if (map == NULL)
		return;
	slot = hash & (map->size - 1);
	lock_set_get(map->locks, lock_idx(hash));
	for (struct cmap_item *it = map->slots[slot]; it; it = it->next)
		if (it->citemid == item) {
			it->frames++;
			it->bytes += bytes;
			break;
		}
	lock_set_release(map->locks, lock_idx(hash));
}

/* Removes the entries for which drop(it, arg) is true. */
static int
cmap_sweep(int (*drop)(const struct cmap_item *it, const void *arg),
    const void *arg)
{
	int n = 0;

	if (map == NULL)
		return 0;
	for (unsigned i = 0; i < map->size; i++) {
		struct cmap_item **pp, *it;

		lock_set_get(map->locks, i % map->locks->n);
		for (pp = &map->slots[i]; (it = *pp) != NULL;) {
			if (drop(it, arg)) {
				*pp = it->next;
				shm_free(it);
				n++;
			} else {
				pp = &it->next;
			}
		}
		lock_set_release(map->locks, i % map->locks->n);
	}
	return n;
}

static int
is_expired(const struct cmap_item *it, const void *arg)
{
	return it->expires <= *(const time_t *)arg;
}

static int
is_on_conn(const struct cmap_item *it, const void *arg)
{
	return it->conid == *(const uint64_t *)arg;
}

void
msrp_cmap_timer(void *arg)
{
	time_t now = time(NULL);
	int n = cmap_sweep(is_expired, &now);

	(void)arg;
	if (n)
		log_dbg("msrp: %d expired cmap entr%s removed", n, n == 1 ? "y" : "ies");
}

void
msrp_cmap_conn_closed(uint64_t id, void *arg)
{
	(void)arg;
	cmap_sweep(is_on_conn, &id);
}

/* --- RPC ------------------------------------------------------------------------ */

void
msrp_rpc_cmaplist(struct rpc_call *rc)
{
	time_t now = time(NULL);
	long long count = 0;

	if (map == NULL) {
		rpc_fault(rc, 500, "No Connections Map Table");
		return;
	}
	rpc_struct_begin(rc, NULL);
	rpc_add_int(rc, "MAP_SIZE", map->size);
	for (unsigned i = 0; i < map->size; i++) {
		lock_set_get(map->locks, i % map->locks->n);
		for (struct cmap_item *it = map->slots[i]; it; it = it->next) {
			rpc_struct_begin(rc, "ENTRY");
			rpc_add_int(rc, "CITEMID", it->citemid);
			rpc_add_str(rc, "SESSIONID", &it->sessid);
			rpc_add_str(rc, "PEER", &it->peer);
			rpc_add_str(rc, "ADDR", &it->addr);
			rpc_add_str(rc, "SOCK", &it->sock);
			rpc_add_int(rc, "EXPIRES", (long long)(it->expires - now));
			rpc_add_int(rc, "CONID", (long long)it->conid);
			rpc_add_int(rc, "FLAGS", it->flags);
			rpc_struct_end(rc);
			count++;
		}
		lock_set_release(map->locks, i % map->locks->n);
	}
	rpc_add_int(rc, "CONCOUNT", count);
	rpc_struct_end(rc);
}

void
msrp_rpc_cmapstats(struct rpc_call *rc)
{
	if (map == NULL) {
		rpc_fault(rc, 500, "No Connections Map Table");
		return;
	}
	rpc_array_begin(rc, NULL);
	for (unsigned i = 0; i < map->size; i++) {
		lock_set_get(map->locks, i % map->locks->n);
		for (struct cmap_item *it = map->slots[i]; it; it = it->next) {
			rpc_struct_begin(rc, NULL);
			rpc_add_str(rc, "SESSIONID", &it->sessid);
			rpc_add_int(rc, "FRAMES", (long long)it->frames);
			rpc_add_int(rc, "BYTES", (long long)it->bytes);
			rpc_struct_end(rc);
		}
		lock_set_release(map->locks, i % map->locks->n);
	}
	rpc_array_end(rc);
}
