/*
 * ul_table.c - the location table in shared memory.
 *
 * A contact is one shm block (fixed fields, then its strings); a change
 * builds new blocks before taking the slot lock and swaps them in under
 * it, so a REGISTER either applies completely or not at all, and the
 * lock is held only for list work.  What is unlinked is freed after the
 * lock is released.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/shm.h"
#include "ul_table.h"

enum ul_field { UF_C, UF_RECEIVED, UF_PATH, UF_CALLID, UF_UA, UF_SOCK,
	UF_INSTANCE, UF_N };

struct ul_contact {
	struct ul_contact  *next;
	long long           expires;        /* 0 = never                  */
	long long           last_modified;
	int                 q, cseq, reg_id, proto;
	uint64_t            conn_id;
	unsigned            flags, cflags, methods;
	uint32_t            off[UF_N], len[UF_N];
	char                data[];
};

struct ul_record {
	struct ul_record   *next;
	uint32_t            hash;
	uint32_t            aor_len;
	struct ul_contact  *contacts;
	char                aor[];
};

/* --- the clock --------------------------------------------------------- */

static long long
ul_clock_wall(void)
{
	return (long long)time(NULL);
}

static ul_clock_fn ul_clock = ul_clock_wall;

void
ul_set_clock(ul_clock_fn fn)
{
	ul_clock = fn ? fn : ul_clock_wall;
}

long long
ul_now(void)
{
	return ul_clock();
}

/* --- helpers ------------------------------------------------------------ */

/* FNV-1a over the AOR. */
static uint32_t
ul_hash(const str_t *s)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < s->len; i++) {
		h ^= (unsigned char)s->s[i];
		h *= 16777619u;
	}
	return h;
}

static unsigned
ul_slot(const struct ul_table *t, uint32_t h)
{
	return h & (t->nslots - 1);
}

static str_t
uc_str(const struct ul_contact *c, enum ul_field f)
{
	return str_make(c->data + c->off[f], c->len[f]);
}

static int
uc_live(const struct ul_contact *c, long long now)
{
	return c->expires == 0 || c->expires > now;
}

static const str_t *
info_field(const struct ul_contact_info *ci, enum ul_field f)
{
	switch (f) {
	case UF_C:              return &ci->c;
	case UF_RECEIVED:       return &ci->received;
	case UF_PATH:           return &ci->path;
	case UF_CALLID:         return &ci->callid;
	case UF_UA:             return &ci->user_agent;
	case UF_SOCK:           return &ci->sock;
	default:                return &ci->instance;
	}
}

/* A new shm contact holding a copy of ci, or NULL (logged). */
static struct ul_contact *
uc_new(const struct ul_contact_info *ci, long long now)
{
	struct ul_contact *c;
	size_t total = 0, pos = 0;

	for (int f = 0; f < UF_N; f++)
		total += info_field(ci, (enum ul_field)f)->len + 1;
	if ((c = shm_malloc(sizeof(*c) + total)) == NULL) {
		log_errx("usrloc: out of shared memory for contact %.*s",
		    STR_FMT(&ci->c));
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	for (int f = 0; f < UF_N; f++) {
		const str_t *s = info_field(ci, (enum ul_field)f);

		c->off[f] = (uint32_t)pos;
		c->len[f] = (uint32_t)s->len;
		if (s->len > 0)
			memcpy(c->data + pos, s->s, s->len);
		c->data[pos + s->len] = '\0';
		pos += s->len + 1;
	}
	c->expires = ci->expires;
	c->last_modified = now;
	c->q = ci->q;
	c->cseq = ci->cseq;
	c->reg_id = ci->reg_id;
	c->proto = ci->proto;
	c->conn_id = ci->conn_id;
	c->flags = ci->flags;
	c->cflags = ci->cflags;
	c->methods = ci->methods;
	return c;
}

static void
uc_free_list(struct ul_contact *c)
{
	while (c != NULL) {
		struct ul_contact *next = c->next;

		shm_free(c);
		c = next;
	}
}

/* A copy of c in a.  0, or -1 (arena full). */
static int
uc_copy_out(const struct ul_contact *c, const str_t *aor, struct arena *a,
    struct ul_contact_info *out)
{
	memset(out, 0, sizeof(*out));
	for (int f = 0; f < UF_N; f++) {
		str_t s = uc_str(c, (enum ul_field)f);

		if (arena_str_dup(a, &s,
		    (str_t *)info_field(out, (enum ul_field)f)) != 0)
			return -1;
	}
	if (arena_str_dup(a, aor, &out->aor) != 0)
		return -1;
	out->expires = c->expires;
	out->last_modified = c->last_modified;
	out->q = c->q;
	out->cseq = c->cseq;
	out->reg_id = c->reg_id;
	out->proto = c->proto;
	out->conn_id = c->conn_id;
	out->flags = c->flags;
	out->cflags = c->cflags;
	out->methods = c->methods;
	return 0;
}

static int
info_cmp_time(const void *pa, const void *pb)
{
	const struct ul_contact_info *a = pa, *b = pb;

	if (a->last_modified != b->last_modified)
		return a->last_modified > b->last_modified ? -1 : 1;
	return 0;
}

static int
info_cmp(const void *pa, const void *pb)
{
	const struct ul_contact_info *a = pa, *b = pb;

	if (a->q != b->q)
		return a->q > b->q ? -1 : 1;
	if (a->last_modified != b->last_modified)
		return a->last_modified > b->last_modified ? -1 : 1;
	return 0;
}

void
ul_contacts_sort(struct ul_contact_info *v, int n, int time_only)
{
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), time_only ? info_cmp_time :
		    info_cmp);
}

/* The live contacts of r copied into a, sorted.  0 or -1. */
static int
rec_copy_out(const struct ul_table *t, const struct ul_record *r,
    long long now, struct arena *a, struct ul_contacts *out)
{
	const struct ul_contact *c;
	str_t aor;
	int n = 0;

	out->v = NULL;
	out->n = 0;
	if (r == NULL)
		return 0;
	for (c = r->contacts; c != NULL; c = c->next)
		n += uc_live(c, now);
	if (n == 0)
		return 0;
	if ((out->v = arena_alloc(a, sizeof(*out->v) * (size_t)n)) == NULL)
		return -1;
	aor = str_make(r->aor, r->aor_len);
	for (c = r->contacts; c != NULL; c = c->next) {
		if (!uc_live(c, now))
			continue;
		if (uc_copy_out(c, &aor, a, &out->v[out->n]) != 0)
			return -1;
		out->n++;
	}
	ul_contacts_sort(out->v, out->n, t->time_order);
	return 0;
}

static struct ul_record **
rec_find(struct ul_table *t, unsigned slot, const str_t *aor, uint32_t h)
{
	struct ul_record **pp;

	for (pp = &t->slots[slot]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && (*pp)->aor_len == aor->len &&
		    memcmp((*pp)->aor, aor->s, aor->len) == 0)
			return pp;
	return NULL;
}

static struct ul_contact **
uc_find(struct ul_record *r, const str_t *uri)
{
	struct ul_contact **pp;

	for (pp = &r->contacts; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->len[UF_C] == uri->len &&
		    memcmp((*pp)->data + (*pp)->off[UF_C], uri->s, uri->len) == 0)
			return pp;
	return NULL;
}

static void
gauge_add(long *g, long n)
{
	if (n != 0)
		__atomic_add_fetch(g, n, __ATOMIC_RELAXED);
}

/*
 * Moves r's expired contacts to *dead; returns how many.  Called with
 * the slot locked.
 */
static long
rec_drop_expired(struct ul_record *r, long long now, struct ul_contact **dead)
{
	struct ul_contact **pp = &r->contacts;
	long n = 0;

	while (*pp != NULL) {
		struct ul_contact *c = *pp;

		if (uc_live(c, now)) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = *dead;
		*dead = c;
		n++;
	}
	return n;
}

/* Unlinks r from its slot when it has no contacts left; 1 when it did.
 * The caller frees it after unlocking. */
static int
rec_unlink_if_empty(struct ul_table *t, struct ul_record **pp)
{
	if ((*pp)->contacts != NULL)
		return 0;
	*pp = (*pp)->next;
	gauge_add(&t->users, -1);
	return 1;
}

static struct ul_record *
rec_new(const str_t *aor, uint32_t h)
{
	struct ul_record *r = shm_malloc(sizeof(*r) + aor->len + 1);

	if (r == NULL) {
		log_errx("usrloc: out of shared memory for AOR %.*s",
		    STR_FMT(aor));
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->hash = h;
	r->aor_len = (uint32_t)aor->len;
	memcpy(r->aor, aor->s, aor->len);
	r->aor[aor->len] = '\0';
	return r;
}

/* --- life cycle --------------------------------------------------------- */

struct ul_table *
ul_table_create(const char *name, unsigned size_exp)
{
	struct ul_table *t = NULL;
	unsigned nlocks;

	if (size_exp > 20)
		size_exp = 20;
	if ((t = shm_calloc(1, sizeof(*t))) == NULL)
		goto fail;
	t->nslots = 1u << size_exp;
	nlocks = t->nslots < UL_MAX_LOCKS ? t->nslots : UL_MAX_LOCKS;
	if ((t->name = shm_strndup(name, strlen(name))) == NULL ||
	    (t->slots = shm_calloc(t->nslots, sizeof(*t->slots))) == NULL ||
	    (t->locks = lock_set_alloc(nlocks)) == NULL)
		goto fail;
	return t;

fail:
	log_errx("usrloc: out of shared memory for table '%s'", name);
	ul_table_destroy(t);
	return NULL;
}

void
ul_table_destroy(struct ul_table *t)
{
	if (t == NULL)
		return;
	if (t->slots != NULL) {
		ul_table_flush(t);
		shm_free(t->slots);
	}
	if (t->locks != NULL)
		lock_set_free(t->locks);
	shm_free(t->name);
	shm_free(t);
}

/* --- operations ------------------------------------------------------- */

int
ul_table_lookup(struct ul_table *t, const str_t *aor, struct arena *a,
    struct ul_contacts *out)
{
	uint32_t h = ul_hash(aor);
	unsigned slot = ul_slot(t, h);
	struct ul_record **pp;
	int rc;

	lock_set_get(t->locks, slot);
	pp = rec_find(t, slot, aor, h);
	rc = rec_copy_out(t, pp ? *pp : NULL, ul_now(), a, out);
	lock_set_release(t->locks, slot);
	if (rc != 0) {
		log_errx("usrloc: no memory to copy the contacts of %.*s",
		    STR_FMT(aor));
		return -1;
	}
	return out->n > 0;
}

/*
 * Checks the changes against r (may be NULL) without touching it:
 * UL_BAD_CSEQ, UL_TOO_MANY or UL_OK.  skip[i] is set for a retransmitted
 * change (same Call-ID and CSeq within cseq_delay) and for a change
 * overridden by a later one for the same URI.
 */
static enum ul_rc
update_check(struct ul_record *r, const struct ul_change *ch, int n,
    const struct ul_update_opts *o, long long now, unsigned char *skip)
{
	long count = 0;

	if (r != NULL && !o->replace_all)
		for (struct ul_contact *c = r->contacts; c; c = c->next)
			count += uc_live(c, now);
	for (int i = 0; i < n; i++) {
		const struct ul_contact_info *ci = &ch[i].info;
		struct ul_contact **cp = r ? uc_find(r, &ci->c) : NULL;
		struct ul_contact *c = cp && uc_live(*cp, now) ? *cp : NULL;
		int later = 0;

		for (int j = i + 1; j < n && !later; j++)
			later = str_eq(&ch[j].info.c, &ci->c);
		if (later) {
			skip[i] = 1;
			continue;
		}
		if (c != NULL && str_eq(&ci->callid,
		    &(str_t){ c->data + c->off[UF_CALLID],
		    c->len[UF_CALLID] })) {
			if (ci->cseq < c->cseq)
				return UL_BAD_CSEQ;
			if (ci->cseq == c->cseq) {
				if (now - c->last_modified > o->cseq_delay)
					return UL_BAD_CSEQ;
				skip[i] = 1;
			}
		}
		if (o->replace_all) {
			count += !ch[i].remove;
		} else if (c != NULL) {
			count -= ch[i].remove && !skip[i];
		} else {
			count += !ch[i].remove;
		}
	}
	if (o->max_contacts > 0 && count > o->max_contacts)
		return UL_TOO_MANY;
	return UL_OK;
}

/* Moves every contact of r not named by a change to *dead. */
static long
update_drop_others(struct ul_record *r, const struct ul_change *ch, int n,
    struct ul_contact **dead)
{
	struct ul_contact **pp = &r->contacts;
	long dropped = 0;

	while (*pp != NULL) {
		struct ul_contact *c = *pp;
		str_t uri = uc_str(c, UF_C);
		int named = 0;

		for (int i = 0; i < n && !named; i++)
			named = !ch[i].remove && str_eq(&ch[i].info.c, &uri);
		if (named) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = *dead;
		*dead = c;
		dropped++;
	}
	return dropped;
}

/* Swaps the prepared contacts in; returns the change in contacts. */
static long
update_apply(struct ul_record *r, const struct ul_change *ch, int n,
    const unsigned char *skip, struct ul_contact **fresh,
    struct ul_contact **dead)
{
	long delta = 0;

	for (int i = 0; i < n; i++) {
		struct ul_contact **cp;

		if (skip[i])
			continue;
		cp = uc_find(r, &ch[i].info.c);
		if (cp != NULL) {
			struct ul_contact *old = *cp;

			if (fresh[i] != NULL) {
				fresh[i]->next = old->next;
				*cp = fresh[i];
			} else {
				*cp = old->next;
				delta--;
			}
			old->next = *dead;
			*dead = old;
		} else if (fresh[i] != NULL) {
			fresh[i]->next = r->contacts;
			r->contacts = fresh[i];
			delta++;
		}
		fresh[i] = NULL;
	}
	return delta;
}

enum ul_rc
ul_table_update(struct ul_table *t, const str_t *aor,
    const struct ul_change *ch, int n, const struct ul_update_opts *o,
    struct arena *a, struct ul_contacts *out)
{
	uint32_t h = ul_hash(aor);
	unsigned slot = ul_slot(t, h);
	struct ul_contact **fresh = NULL, *dead = NULL;
	struct ul_record **pp, *r, *newrec = NULL, *gone = NULL;
	unsigned char *skip = NULL;
	long long now = ul_now();
	enum ul_rc rc = UL_ERROR;
	long delta;

	out->v = NULL;
	out->n = 0;
	if (n < 0 || (n > 0 && ((fresh = calloc((size_t)n,
	    sizeof(*fresh))) == NULL || (skip = calloc((size_t)n, 1)) == NULL)))
		goto done;
	for (int i = 0; i < n; i++)
		if (!ch[i].remove && (fresh[i] = uc_new(&ch[i].info, now)) ==
		    NULL)
			goto done;
	if ((newrec = rec_new(aor, h)) == NULL)
		goto done;

	lock_set_get(t->locks, slot);
	pp = rec_find(t, slot, aor, h);
	r = pp ? *pp : NULL;
	if (r != NULL) {
		long x = rec_drop_expired(r, now, &dead);

		gauge_add(&t->contacts, -x);
		gauge_add(&t->expired, x);
	}
	rc = update_check(r, ch, n, o, now, skip);
	if (rc == UL_OK) {
		if (r == NULL) {
			r = newrec;
			newrec = NULL;
			r->next = t->slots[slot];
			t->slots[slot] = r;
			pp = &t->slots[slot];
			gauge_add(&t->users, 1);
		}
		delta = o->replace_all ? -update_drop_others(r, ch, n, &dead) : 0;
		delta += update_apply(r, ch, n, skip, fresh, &dead);
		gauge_add(&t->contacts, delta);
	}
	if (rec_copy_out(t, r, now, a, out) != 0) {
		log_errx("usrloc: no memory to copy the contacts of %.*s",
		    STR_FMT(aor));
		rc = UL_ERROR;
	}
	if (r != NULL && pp != NULL && rec_unlink_if_empty(t, pp))
		gone = r;
	lock_set_release(t->locks, slot);

done:
	uc_free_list(dead);
	if (gone != NULL)
		shm_free(gone);
	shm_free(newrec);
	for (int i = 0; fresh != NULL && i < n; i++)
		shm_free(fresh[i]);
	free(fresh);
	free(skip);
	return rc;
}

int
ul_table_put(struct ul_table *t, const str_t *aor,
    const struct ul_contact_info *ci)
{
	struct ul_change ch = { .info = *ci };
	struct ul_update_opts o = { 0 };
	struct ul_contacts out;
	struct arena a;
	enum ul_rc rc;

	/* ul.add replaces whatever the binding had: no Call-ID check */
	arena_init(&a, 0);
	ul_table_delete_contact(t, aor, &ci->c);
	rc = ul_table_update(t, aor, &ch, 1, &o, &a, &out);
	arena_free(&a);
	return rc == UL_OK ? 0 : -1;
}

int
ul_table_delete_aor(struct ul_table *t, const str_t *aor)
{
	uint32_t h = ul_hash(aor);
	unsigned slot = ul_slot(t, h);
	struct ul_record **pp, *r = NULL;
	int n = 0;

	lock_set_get(t->locks, slot);
	if ((pp = rec_find(t, slot, aor, h)) != NULL) {
		r = *pp;
		*pp = r->next;
		gauge_add(&t->users, -1);
	}
	lock_set_release(t->locks, slot);
	if (r == NULL)
		return 0;
	for (struct ul_contact *c = r->contacts; c; c = c->next)
		n++;
	gauge_add(&t->contacts, -n);
	uc_free_list(r->contacts);
	shm_free(r);
	return n;
}

int
ul_table_delete_contact(struct ul_table *t, const str_t *aor,
    const str_t *contact)
{
	uint32_t h = ul_hash(aor);
	unsigned slot = ul_slot(t, h);
	struct ul_record **pp, *r, *gone = NULL;
	struct ul_contact **cp, *c = NULL;

	lock_set_get(t->locks, slot);
	if ((pp = rec_find(t, slot, aor, h)) != NULL &&
	    (cp = uc_find(r = *pp, contact)) != NULL) {
		c = *cp;
		*cp = c->next;
		c->next = NULL;
		gauge_add(&t->contacts, -1);
		if (rec_unlink_if_empty(t, pp))
			gone = r;
	}
	lock_set_release(t->locks, slot);
	shm_free(gone);
	uc_free_list(c);
	return c != NULL;
}

long
ul_table_expire(struct ul_table *t)
{
	long long now = ul_now();
	long total = 0;

	for (unsigned slot = 0; slot < t->nslots; slot++) {
		struct ul_record **pp, *gone = NULL;
		struct ul_contact *dead = NULL;

		/* an empty slot has nothing to lock for */
		if (__atomic_load_n(&t->slots[slot], __ATOMIC_RELAXED) == NULL)
			continue;
		lock_set_get(t->locks, slot);
		pp = &t->slots[slot];
		while (*pp != NULL) {
			struct ul_record *r = *pp;
			long x = rec_drop_expired(r, now, &dead);

			total += x;
			gauge_add(&t->contacts, -x);
			gauge_add(&t->expired, x);
			if (rec_unlink_if_empty(t, pp)) {
				r->next = gone;
				gone = r;
			} else {
				pp = &r->next;
			}
		}
		lock_set_release(t->locks, slot);
		uc_free_list(dead);
		while (gone != NULL) {
			struct ul_record *next = gone->next;

			shm_free(gone);
			gone = next;
		}
	}
	return total;
}

long
ul_table_flush(struct ul_table *t)
{
	long total = 0;

	for (unsigned slot = 0; slot < t->nslots; slot++) {
		struct ul_record *r;

		if (__atomic_load_n(&t->slots[slot], __ATOMIC_RELAXED) == NULL)
			continue;
		lock_set_get(t->locks, slot);
		r = t->slots[slot];
		t->slots[slot] = NULL;
		lock_set_release(t->locks, slot);
		while (r != NULL) {
			struct ul_record *next = r->next;
			long n = 0;

			for (struct ul_contact *c = r->contacts; c; c = c->next)
				n++;
			total += n;
			gauge_add(&t->contacts, -n);
			gauge_add(&t->users, -1);
			uc_free_list(r->contacts);
			shm_free(r);
			r = next;
		}
	}
	return total;
}

/* One AOR copied by ul_table_walk. */
struct ul_walk_item {
	struct ul_walk_item  *next;
	str_t                 aor;
	struct ul_contacts    cs;
};

long
ul_table_walk(struct ul_table *t, struct arena *a,
    void (*fn)(void *ctx, const str_t *aor, const struct ul_contacts *cs),
    void *ctx)
{
	long long now = ul_now();
	long visited = 0;

	for (unsigned slot = 0; slot < t->nslots; slot++) {
		struct ul_walk_item *head = NULL, **tail = &head;
		int failed = 0;

		if (__atomic_load_n(&t->slots[slot], __ATOMIC_RELAXED) == NULL)
			continue;
		lock_set_get(t->locks, slot);
		for (struct ul_record *r = t->slots[slot]; r && !failed;
		    r = r->next) {
			struct ul_walk_item *it = arena_alloc(a, sizeof(*it));
			str_t aor = str_make(r->aor, r->aor_len);

			failed = it == NULL || rec_copy_out(t, r, now, a,
			    &it->cs) != 0 || arena_str_dup(a, &aor,
			    &it->aor) != 0;
			if (failed || it->cs.n == 0)
				continue;
			it->next = NULL;
			*tail = it;
			tail = &it->next;
		}
		lock_set_release(t->locks, slot);
		if (failed) {
			log_errx("usrloc: no memory to copy table '%s'",
			    t->name);
			arena_reset(a);
			return -1;
		}
		for (struct ul_walk_item *it = head; it; it = it->next) {
			fn(ctx, &it->aor, &it->cs);
			visited++;
		}
		arena_reset(a);
	}
	return visited;
}
