#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "conn.h"
#include "lock.h"
#include "log.h"
#include "shm.h"
#include "sock.h"

#define ALIAS_BUCKETS 4096

struct conn_slot {
	struct conn_info  ci;
	uint32_t          seq;          /* odd while ci is being rewritten */
	uint32_t          gen;
	int32_t           next_free;
	int32_t           alias_next;   /* chain in the alias hash          */
	int32_t           alias_bucket; /* -1 when not hashed              */
};

struct conn_table {
	struct lock       lock;
	unsigned          max;
	unsigned          used;
	int32_t           free_head;
	int32_t           alias[ALIAS_BUCKETS];
	struct conn_slot  slots[];
};

static struct conn_table *tab;

/*
 * Every send looks its connection up (owner, state, address), from
 * every worker: a lookup under the table lock made that one lock the
 * busiest line of shared memory.  Readers use a per-slot sequence count
 * instead; writers still take the lock among themselves and bracket
 * each change with seq_begin()/seq_end().  The byte and message
 * counters are outside the bracket (conn_account()).
 */
static void
seq_begin(struct conn_slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
seq_end(struct conn_slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

#define SEQ_TRIES 64

int
conn_table_init(unsigned max)
{
	if (max == 0 || max >= CONN_ID_STRIDE) {
		log_errx("tcp_max_connections must be 1..%u", CONN_ID_STRIDE - 1);
		return -1;
	}
	tab = shm_calloc(1, sizeof(*tab) + (size_t)max * sizeof(struct conn_slot));
	if (tab == NULL)
		return -1;
	if (lock_init(&tab->lock) < 0)
		return -1;
	tab->max = max;
	for (unsigned i = 0; i < max; i++) {
		tab->slots[i].next_free = i + 1 < max ? (int32_t)(i + 1) : -1;
		tab->slots[i].alias_bucket = -1;
	}
	for (unsigned i = 0; i < ALIAS_BUCKETS; i++)
		tab->alias[i] = -1;
	tab->free_head = 0;
	return 0;
}

unsigned
conn_table_max(void)
{
	return tab ? tab->max : 0;
}

static unsigned
addr_hash(enum proto p, const struct sockaddr_storage *a)
{
	uint32_t h = 2166136261u ^ (uint32_t)p;
	const unsigned char *b;
	size_t n;

	if (a->ss_family == AF_INET6) {
		b = (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
		n = 16;
	} else {
		b = (const void *)&((const struct sockaddr_in *)a)->sin_addr;
		n = 4;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	h = (h ^ (uint32_t)sock_port(a)) * 16777619u;
	return h % ALIAS_BUCKETS;
}

static struct conn_slot *
slot_of(uint64_t id)
{
	unsigned i = conn_slot_of(id);

	if (tab == NULL || i >= tab->max || tab->slots[i].ci.id != id ||
	    tab->slots[i].ci.state == CONN_FREE)
		return NULL;
	return &tab->slots[i];
}

static void
alias_link(unsigned i)
{
	struct conn_slot *s = &tab->slots[i];
	unsigned b = addr_hash(s->ci.proto, &s->ci.remote);

	s->alias_bucket = (int32_t)b;
	s->alias_next = tab->alias[b];
	tab->alias[b] = (int32_t)i;
}

static void
alias_unlink(unsigned i)
{
	struct conn_slot *s = &tab->slots[i];
	int32_t *pp;

	if (s->alias_bucket < 0)
		return;
	for (pp = &tab->alias[s->alias_bucket]; *pp != -1;
	    pp = &tab->slots[*pp].alias_next)
		if (*pp == (int32_t)i) {
			*pp = s->alias_next;
			break;
		}
	s->alias_bucket = -1;
}

uint64_t
conn_add(enum proto p, int sock, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, int owner, int outbound)
{
	struct conn_slot *s;
	unsigned i;
	uint64_t id;

	lock_get(&tab->lock);
	if (tab->free_head < 0) {
		lock_release(&tab->lock);
		log_errx("connection table full (tcp_max_connections=%u)",
		    tab->max);
		return 0;
	}
	i = (unsigned)tab->free_head;
	s = &tab->slots[i];
	tab->free_head = s->next_free;
	s->gen++;
	id = (uint64_t)s->gen * CONN_ID_STRIDE + i;
	seq_begin(s);
	memset(&s->ci, 0, sizeof(s->ci));
	s->ci.id = id;
	s->ci.proto = p;
	s->ci.state = outbound ? CONN_CONNECTING : CONN_OPEN;
	s->ci.outbound = outbound;
	s->ci.owner = owner;
	s->ci.sock = sock;
	if (local)
		s->ci.local = *local;
	if (remote)
		s->ci.remote = *remote;
	s->ci.created = s->ci.last_active = time(NULL);
	seq_end(s);
	alias_link(i);
	tab->used++;
	lock_release(&tab->lock);
	return id;
}

int
conn_get(uint64_t id, struct conn_info *out)
{
	struct conn_slot *s;
	unsigned i = conn_slot_of(id);
	uint32_t q;

	if (tab == NULL || i >= tab->max)
		return -1;
	s = &tab->slots[i];
	for (int n = 0; n < SEQ_TRIES; n++) {
		q = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (q & 1)
			continue;
		memcpy(out, &s->ci, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != q)
			continue;
		return out->id == id && out->state != CONN_FREE ? 0 : -1;
	}
	/* a writer is slow, or died inside its bracket (its lock is robust:
	 * whoever takes it next owns a consistent table) */
	lock_get(&tab->lock);
	if (s->seq & 1)
		s->seq++;
	s = slot_of(id);
	if (s)
		*out = s->ci;
	lock_release(&tab->lock);
	return s ? 0 : -1;
}

uint64_t
conn_find_by_addr(enum proto p, const struct sockaddr_storage *remote)
{
	uint64_t id = 0;
	int32_t i;

	if (tab == NULL)
		return 0;
	lock_get(&tab->lock);
	for (i = tab->alias[addr_hash(p, remote)]; i != -1;
	    i = tab->slots[i].alias_next) {
		const struct conn_info *ci = &tab->slots[i].ci;

		if (ci->proto == p && ci->state != CONN_FREE &&
		    ci->state != CONN_CLOSING && sock_addr_eq(&ci->remote, remote)) {
			id = ci->id;
			break;
		}
	}
	lock_release(&tab->lock);
	return id;
}

int
conn_set_owner(uint64_t id, int owner, pid_t pid)
{
	struct conn_slot *s;

	lock_get(&tab->lock);
	s = slot_of(id);
	if (s) {
		seq_begin(s);
		s->ci.owner = owner;
		s->ci.owner_pid = pid;
		seq_end(s);
	}
	lock_release(&tab->lock);
	return s ? 0 : -1;
}

int
conn_set_state(uint64_t id, enum conn_state st)
{
	struct conn_slot *s;

	lock_get(&tab->lock);
	s = slot_of(id);
	if (s) {
		seq_begin(s);
		s->ci.state = st;
		seq_end(s);
	}
	lock_release(&tab->lock);
	return s ? 0 : -1;
}

/*
 * Only the owner accounts for a connection, and the slot cannot be
 * reused before the owner reports it closed: no lock on this hot path,
 * readers may see a counter a moment old.
 */
void
conn_account(uint64_t id, uint64_t bin, uint64_t bout, uint64_t min,
    uint64_t mout)
{
	unsigned i = conn_slot_of(id);
	struct conn_info *ci;

	if (tab == NULL || i >= tab->max)
		return;
	ci = &tab->slots[i].ci;
	if (__atomic_load_n(&ci->id, __ATOMIC_RELAXED) != id)
		return;
	/* one writer (the owner): plain loads and stores, no locked
	 * read-modify-write on a line other workers read */
#define CONN_ADD(f, v) if (v) __atomic_store_n(&ci->f, \
	__atomic_load_n(&ci->f, __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED)
	CONN_ADD(bytes_in, bin);
	CONN_ADD(bytes_out, bout);
	CONN_ADD(msgs_in, min);
	CONN_ADD(msgs_out, mout);
#undef CONN_ADD
	if (bin || min)
		__atomic_store_n(&ci->last_active, time(NULL), __ATOMIC_RELAXED);
}

int
conn_release(uint64_t id)
{
	struct conn_slot *s;
	unsigned i = conn_slot_of(id);

	lock_get(&tab->lock);
	s = slot_of(id);
	if (s) {
		alias_unlink(i);
		seq_begin(s);
		s->ci.state = CONN_FREE;
		seq_end(s);
		s->next_free = tab->free_head;
		tab->free_head = (int32_t)i;
		tab->used--;
	}
	lock_release(&tab->lock);
	return s ? 0 : -1;
}

void
conn_foreach(void (*fn)(const struct conn_info *ci, void *arg), void *arg)
{
	if (tab == NULL)
		return;
	for (unsigned i = 0; i < tab->max; i++) {
		struct conn_info ci;
		int used;

		lock_get(&tab->lock);
		used = tab->slots[i].ci.state != CONN_FREE;
		if (used)
			ci = tab->slots[i].ci;
		lock_release(&tab->lock);
		if (used)
			fn(&ci, arg);
	}
}

unsigned
conn_count(void)
{
	return tab ? tab->used : 0;
}

#define CLOSE_HOOKS_MAX 8

static struct {
	conn_close_fn fn;
	void         *arg;
} close_hooks[CLOSE_HOOKS_MAX];
static int nclose_hooks;

int
conn_on_close(conn_close_fn fn, void *arg)
{
	if (nclose_hooks == CLOSE_HOOKS_MAX) {
		log_errx("too many connection close hooks");
		return -1;
	}
	close_hooks[nclose_hooks].fn = fn;
	close_hooks[nclose_hooks].arg = arg;
	nclose_hooks++;
	return 0;
}

void
conn_run_close_hooks(uint64_t id)
{
	for (int i = 0; i < nclose_hooks; i++)
		close_hooks[i].fn(id, close_hooks[i].arg);
}
