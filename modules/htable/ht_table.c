/*
 * ht_table.c - the shared-memory hash table behind $sht and friends.
 *
 * Writers build a new item outside the slot lock and swap it in under
 * the lock, so the lock is held only for pointer work; what is unlinked
 * is freed after the lock is released.  Everything that walks many
 * slots looks at an empty slot without locking it: a slot pointer is
 * read atomically and an empty slot has nothing to lock for.
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/shm.h"
#include "ht_table.h"

/* --- the clock --------------------------------------------------------- */

static long long
ht_clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* + 1: 0 is "never" for an expiry, so no time may be 0 */
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 1;
}

static ht_clock_fn ht_clock = ht_clock_monotonic;

void
ht_set_clock(ht_clock_fn fn)
{
	ht_clock = fn ? fn : ht_clock_monotonic;
}

long long
ht_now_ms(void)
{
	return ht_clock();
}

/* --- hashing and locking ----------------------------------------------- */

/* FNV-1a: cheap and spreads short, similar keys ("s.1.1", "s.1.2"). */
uint32_t
ht_hash(const str_t *key)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < key->len; i++) {
		h ^= (unsigned char)key->s[i];
		h *= 16777619u;
	}
	return h;
}

static unsigned
ht_slot_of(const struct ht_table *t, uint32_t h)
{
	return h & (t->nslots - 1);
}

/*
 * Who holds a lock, for the recursion check: the pid alone would let a
 * process that reuses the pid of one that died holding the lock believe
 * it holds it, so the pid is mixed with the moment the process first
 * asked (forked children ask again: their pid differs).
 */
static uint64_t
ht_self_token(void)
{
	static pid_t pid;
	static uint64_t token;
	pid_t me = getpid();

	if (me != pid || token == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		token = ((uint64_t)(uint32_t)me << 32) ^
		    ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
		if (token == 0)
			token = 1;
		pid = me;
	}
	return token;
}

/* Takes slot's lock; recursive within one process (sht_lock + $sht). */
static void
ht_slot_lock(struct ht_table *t, unsigned slot)
{
	unsigned i = slot % t->locks->n;
	struct ht_rlock *r = &t->rlocks[i];
	uint64_t me = ht_self_token();

	/* only this process ever stores its own token there */
	if (__atomic_load_n(&r->holder, __ATOMIC_RELAXED) == me) {
		r->depth++;
		return;
	}
	lock_set_get(t->locks, i);
	__atomic_store_n(&r->holder, me, __ATOMIC_RELAXED);
	r->depth = 1;
}

/* 0, or -1 when this process does not hold the lock. */
static int
ht_slot_unlock(struct ht_table *t, unsigned slot)
{
	unsigned i = slot % t->locks->n;
	struct ht_rlock *r = &t->rlocks[i];

	if (__atomic_load_n(&r->holder, __ATOMIC_RELAXED) !=
	    ht_self_token() || r->depth == 0)
		return -1;
	if (--r->depth > 0)
		return 0;
	__atomic_store_n(&r->holder, 0, __ATOMIC_RELAXED);
	lock_set_release(t->locks, i);
	return 0;
}

static struct ht_item *
ht_slot_head(const struct ht_table *t, unsigned slot)
{
	return __atomic_load_n(&t->slots[slot], __ATOMIC_ACQUIRE);
}

/* --- items ------------------------------------------------------------- */

static int
ht_live(const struct ht_item *it, long long now)
{
	return it->expire == 0 || it->expire > now;
}

static long long
ht_fresh_expire(const struct ht_table *t, long long now)
{
	return t->autoexpire ? now + (long long)t->autoexpire * 1000 : 0;
}

static str_t
ht_item_name(const struct ht_item *it)
{
	return str_make(it->data, it->name_len);
}

static str_t
ht_item_str(const struct ht_item *it)
{
	return str_make(it->data + it->name_len + 1, it->str_len);
}

/* A new unlinked item in shm, or NULL (logged). */
static struct ht_item *
ht_item_new(const struct ht_table *t, const str_t *key, uint32_t h,
    const struct ht_value *v)
{
	size_t slen = v->type == HT_STR ? v->s.len : 0;
	struct ht_item *it;

	if (key->len >= UINT32_MAX || slen >= UINT32_MAX) {
		log_errx("htable '%s': key or value too long", t->name);
		return NULL;
	}
	it = shm_malloc(sizeof(*it) + key->len + 1 + slen + 1);
	if (it == NULL) {
		log_errx("htable '%s': no shared memory for key '%.*s'",
		    t->name, STR_FMT(key));
		return NULL;
	}
	memset(it, 0, sizeof(*it));
	it->hash = h;
	it->name_len = (uint32_t)key->len;
	it->str_len = (uint32_t)slen;
	it->type = v->type;
	it->n = v->type == HT_INT ? v->n : 0;
	if (key->len)
		memcpy(it->data, key->s, key->len);
	it->data[key->len] = '\0';
	if (slen)
		memcpy(it->data + key->len + 1, v->s.s, slen);
	it->data[key->len + 1 + slen] = '\0';
	return it;
}

static void
ht_free_list(struct ht_item *it)
{
	while (it != NULL) {
		struct ht_item *next = it->next;

		shm_free(it);
		it = next;
	}
}

/* The link that points to key's item in slot, or NULL.  Slot locked. */
static struct ht_item **
ht_find(struct ht_table *t, unsigned slot, const str_t *key, uint32_t h)
{
	for (struct ht_item **pp = &t->slots[slot]; *pp; pp = &(*pp)->next) {
		const struct ht_item *it = *pp;

		if (it->hash == h && it->name_len == key->len &&
		    memcmp(it->data, key->s, key->len) == 0)
			return pp;
	}
	return NULL;
}

/* Puts nit in place of *pp (or at the head of slot when pp is NULL). */
static void
ht_link(struct ht_table *t, unsigned slot, struct ht_item **pp,
    struct ht_item *nit)
{
	if (pp != NULL) {
		nit->next = (*pp)->next;
		__atomic_store_n(pp, nit, __ATOMIC_RELEASE);
	} else {
		nit->next = t->slots[slot];
		__atomic_store_n(&t->slots[slot], nit, __ATOMIC_RELEASE);
	}
}

int
ht_table_set(struct ht_table *t, const str_t *key, const struct ht_value *v)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item *nit, *old = NULL, **pp;
	long long now;

	nit = ht_item_new(t, key, h, v);
	if (nit == NULL)
		return -1;
	ht_slot_lock(t, slot);
	now = ht_now_ms();
	pp = ht_find(t, slot, key, h);
	if (pp != NULL)
		old = *pp;
	if (old != NULL && ht_live(old, now) && !t->updateexpire)
		nit->expire = old->expire;
	else
		nit->expire = ht_fresh_expire(t, now);
	ht_link(t, slot, pp, nit);
	ht_slot_unlock(t, slot);
	shm_free(old);
	return 0;
}

int
ht_table_get(struct ht_table *t, const str_t *key, struct arena *a,
    struct ht_value *out)
{
	return ht_table_get_ex(t, key, a, out, NULL);
}

int
ht_table_get_ex(struct ht_table *t, const str_t *key, struct arena *a,
    struct ht_value *out, long long *expire_in_ms)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item **pp;
	long long now;
	int rc = 0;

	out->type = HT_NONE;
	out->n = 0;
	out->s = STR_NULL;
	ht_slot_lock(t, slot);
	now = ht_now_ms();
	pp = ht_find(t, slot, key, h);
	if (pp != NULL && ht_live(*pp, now)) {
		const struct ht_item *it = *pp;

		rc = 1;
		if (expire_in_ms != NULL)
			*expire_in_ms = it->expire ? it->expire - now : 0;
		out->type = it->type;
		out->n = it->n;
		if (it->type == HT_STR) {
			str_t s = ht_item_str(it);

			out->s.s = arena_strndup(a, s.s, s.len);
			out->s.len = s.len;
			if (out->s.s == NULL) {
				out->type = HT_NONE;
				rc = -1;
			}
		}
	}
	ht_slot_unlock(t, slot);
	return rc;
}

int
ht_table_del(struct ht_table *t, const str_t *key)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item *old = NULL, **pp;
	int live = 0;

	ht_slot_lock(t, slot);
	pp = ht_find(t, slot, key, h);
	if (pp != NULL) {
		old = *pp;
		live = ht_live(old, ht_now_ms());
		__atomic_store_n(pp, old->next, __ATOMIC_RELEASE);
	}
	ht_slot_unlock(t, slot);
	shm_free(old);
	return live;
}

/* ht_table_add on a missing or expired item: initval + delta. */
static enum ht_add_rc
ht_add_new(struct ht_table *t, unsigned slot, struct ht_item **pp,
    const str_t *key, uint32_t h, long long v, long long now,
    struct ht_item **old)
{
	struct ht_value iv = { .type = HT_INT, .n = v };
	struct ht_item *nit;

	if (pp != NULL && (*pp)->type == HT_INT) {
		(*pp)->n = v;
		(*pp)->expire = ht_fresh_expire(t, now);
		return HT_ADD_OK;
	}
	nit = ht_item_new(t, key, h, &iv);
	if (nit == NULL)
		return HT_ADD_NOMEM;
	nit->expire = ht_fresh_expire(t, now);
	if (pp != NULL)
		*old = *pp;
	ht_link(t, slot, pp, nit);
	return HT_ADD_OK;
}

enum ht_add_rc
ht_table_add(struct ht_table *t, const str_t *key, long long delta,
    long long *out)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item *it, *old = NULL, **pp;
	enum ht_add_rc rc;
	long long now;

	ht_slot_lock(t, slot);
	now = ht_now_ms();
	pp = ht_find(t, slot, key, h);
	it = pp ? *pp : NULL;
	if (it != NULL && ht_live(it, now)) {
		if (it->type != HT_INT) {
			rc = HT_ADD_NOTINT;
		} else {
			/* wraps like a machine integer instead of UB */
			it->n = (long long)((unsigned long long)it->n +
			    (unsigned long long)delta);
			if (t->updateexpire)
				it->expire = ht_fresh_expire(t, now);
			*out = it->n;
			rc = HT_ADD_OK;
		}
	} else if (!t->has_initval) {
		rc = HT_ADD_MISSING;
	} else {
		*out = (long long)((unsigned long long)t->initval +
		    (unsigned long long)delta);
		rc = ht_add_new(t, slot, pp, key, h, *out, now, &old);
	}
	ht_slot_unlock(t, slot);
	shm_free(old);
	return rc;
}

int
ht_table_get_expire(struct ht_table *t, const str_t *key, long long *secs)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item **pp;
	long long now;
	int rc = 0;

	*secs = 0;
	ht_slot_lock(t, slot);
	now = ht_now_ms();
	pp = ht_find(t, slot, key, h);
	if (pp != NULL && ht_live(*pp, now)) {
		rc = 1;
		if ((*pp)->expire != 0)
			*secs = ((*pp)->expire - now + 999) / 1000;
	}
	ht_slot_unlock(t, slot);
	return rc;
}

int
ht_table_set_expire(struct ht_table *t, const str_t *key, long long secs)
{
	uint32_t h = ht_hash(key);
	unsigned slot = ht_slot_of(t, h);
	struct ht_item **pp;
	long long now;
	int rc = 0;

	if (t->autoexpire == 0)
		return 0;
	if (secs < 0)
		secs = 0;
	if (secs > INT_MAX)
		secs = INT_MAX;
	ht_slot_lock(t, slot);
	now = ht_now_ms();
	pp = ht_find(t, slot, key, h);
	if (pp != NULL && ht_live(*pp, now)) {
		(*pp)->expire = secs ? now + secs * 1000 : 0;
		rc = 1;
	}
	ht_slot_unlock(t, slot);
	return rc;
}

/* --- many items -------------------------------------------------------- */

int
ht_match(const struct ht_match *mt, const str_t *subj)
{
	const str_t *p = &mt->s;

	switch (mt->op) {
	case HT_OP_RE:
		return regexec(mt->re, subj->s, 0, NULL, 0) == 0;
	case HT_OP_PREFIX:
		return subj->len >= p->len &&
		    memcmp(subj->s, p->s, p->len) == 0;
	case HT_OP_SUFFIX:
		return subj->len >= p->len &&
		    memcmp(subj->s + subj->len - p->len, p->s, p->len) == 0;
	case HT_OP_EQ:
		return str_eq(subj, p);
	case HT_OP_CONTAINS:
		if (p->len == 0)
			return 1;
		return subj->len >= p->len &&
		    memmem(subj->s, subj->len, p->s, p->len) != NULL;
	}
	return 0;
}

/* Does it (live or not) match on field f?  String values only. */
static int
ht_item_matches(const struct ht_item *it, enum ht_field f,
    const struct ht_match *mt)
{
	str_t s;

	if (mt == NULL)
		return 1;
	if (f == HT_NAME) {
		s = ht_item_name(it);
	} else {
		if (it->type != HT_STR)
			return 0;
		s = ht_item_str(it);
	}
	return ht_match(mt, &s);
}

long
ht_table_count(struct ht_table *t, enum ht_field f, const struct ht_match *mt)
{
	long n = 0;

	for (unsigned i = 0; i < t->nslots; i++) {
		long long now;

		if (ht_slot_head(t, i) == NULL)
			continue;
		ht_slot_lock(t, i);
		now = ht_now_ms();
		for (const struct ht_item *it = t->slots[i]; it; it = it->next)
			if (ht_live(it, now) && ht_item_matches(it, f, mt))
				n++;
		ht_slot_unlock(t, i);
	}
	return n;
}

/*
 * Unlinks from every slot the items that match (mt NULL: all;
 * expired_only: those past their expiry) and frees them after each
 * slot's unlock.  Returns how many were live.
 */
static long
ht_table_sweep(struct ht_table *t, enum ht_field f,
    const struct ht_match *mt, int expired_only)
{
	long n = 0;

	for (unsigned i = 0; i < t->nslots; i++) {
		struct ht_item *gone = NULL, **pp;
		long long now;

		if (ht_slot_head(t, i) == NULL)
			continue;
		ht_slot_lock(t, i);
		now = ht_now_ms();
		pp = &t->slots[i];
		while (*pp != NULL) {
			struct ht_item *it = *pp;
			int live = ht_live(it, now);

			if (expired_only ? live : !ht_item_matches(it, f, mt)) {
				pp = &it->next;
				continue;
			}
			__atomic_store_n(pp, it->next, __ATOMIC_RELEASE);
			it->next = gone;
			gone = it;
			n += expired_only ? 1 : live;
		}
		ht_slot_unlock(t, i);
		ht_free_list(gone);
	}
	return n;
}

long
ht_table_remove(struct ht_table *t, enum ht_field f,
    const struct ht_match *mt)
{
	return ht_table_sweep(t, f, mt, 0);
}

long
ht_table_reset(struct ht_table *t)
{
	return ht_table_sweep(t, HT_NAME, NULL, 0);
}

long
ht_table_expire(struct ht_table *t)
{
	return ht_table_sweep(t, HT_NAME, NULL, 1);
}

/* --- explicit locks ---------------------------------------------------- */

void
ht_table_lock_key(struct ht_table *t, const str_t *key)
{
	ht_slot_lock(t, ht_slot_of(t, ht_hash(key)));
}

int
ht_table_unlock_key(struct ht_table *t, const str_t *key)
{
	return ht_slot_unlock(t, ht_slot_of(t, ht_hash(key)));
}

/* --- walking ----------------------------------------------------------- */

void
ht_table_walk(struct ht_table *t, const struct ht_walk_ops *ops, void *ctx)
{
	for (unsigned i = 0; i < t->nslots; i++) {
		const struct ht_item *it;
		unsigned count = 0;
		long long now;

		if (ht_slot_head(t, i) == NULL)
			continue;
		ht_slot_lock(t, i);
		now = ht_now_ms();
		for (it = t->slots[i]; it; it = it->next)
			count += ht_live(it, now);
		if (count > 0 && ops->slot_begin)
			ops->slot_begin(ctx, i, count);
		for (it = t->slots[i]; count > 0 && it; it = it->next) {
			struct ht_item_view v;

			if (!ht_live(it, now))
				continue;
			v.name = ht_item_name(it);
			v.value.type = it->type;
			v.value.n = it->n;
			v.value.s = it->type == HT_STR ? ht_item_str(it) :
			    STR_NULL;
			v.expire_in_ms = it->expire ? it->expire - now : 0;
			ops->item(ctx, &v);
		}
		if (count > 0 && ops->slot_end)
			ops->slot_end(ctx, i);
		ht_slot_unlock(t, i);
	}
}

void
ht_table_stats(struct ht_table *t, struct ht_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->slots = t->nslots;
	st->min = UINT_MAX;
	for (unsigned i = 0; i < t->nslots; i++) {
		unsigned count = 0;
		long long now;

		if (ht_slot_head(t, i) != NULL) {
			ht_slot_lock(t, i);
			now = ht_now_ms();
			for (const struct ht_item *it = t->slots[i]; it;
			    it = it->next)
				count += ht_live(it, now);
			ht_slot_unlock(t, i);
		}
		st->all += count;
		if (count < st->min)
			st->min = count;
		if (count > st->max)
			st->max = count;
	}
}

/* --- life cycle -------------------------------------------------------- */

struct ht_table *
ht_table_create(const struct ht_spec *spec)
{
	struct ht_table *t = NULL;
	unsigned nlocks;

	t = shm_calloc(1, sizeof(*t));
	if (t == NULL)
		goto nomem;
	t->name = shm_strndup(spec->name, strlen(spec->name));
	t->size = spec->size;
	t->nslots = 1u << spec->size;
	t->autoexpire = spec->autoexpire;
	t->has_initval = spec->has_initval;
	t->initval = spec->initval;
	t->updateexpire = spec->updateexpire;
	nlocks = t->nslots < HT_MAX_LOCKS ? t->nslots : HT_MAX_LOCKS;
	t->slots = shm_calloc(t->nslots, sizeof(t->slots[0]));
	t->locks = t->slots ? lock_set_alloc(nlocks) : NULL;
	t->rlocks = shm_calloc(nlocks, sizeof(t->rlocks[0]));
	if (t->name == NULL || t->slots == NULL || t->locks == NULL ||
	    t->rlocks == NULL)
		goto nomem;
	return t;
nomem:
	log_errx("htable '%s': not enough shared memory for %u slots "
	    "(size=%u); raise shm_mem or lower size", spec->name,
	    1u << spec->size, spec->size);
	ht_table_destroy(t);
	return NULL;
}

void
ht_table_destroy(struct ht_table *t)
{
	if (t == NULL)
		return;
	if (t->slots != NULL) {
		for (unsigned i = 0; i < t->nslots; i++)
			ht_free_list(t->slots[i]);
		shm_free(t->slots);
	}
	lock_set_free(t->locks);
	shm_free(t->rlocks);
	shm_free(t->name);
	shm_free(t);
}
