/*
 * tm_table.c - the transaction hash table in shared memory, its cells
 * and their lifetime (see tm_cell.h).
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/log.h"
#include "core/shm.h"
#include "tm_cell.h"

struct tm_table *tm_tab;

uint64_t
tm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
tm_table_init(unsigned size)
{
	size_t n = sizeof(*tm_tab) + size * sizeof(struct tm_slot);

	if ((tm_tab = shm_calloc(1, n)) == NULL) {
		log_errx("tm: no shared memory for the transaction table");
		return -1;
	}
	tm_tab->size = size;
	tm_tab->next_id = 1;
	for (unsigned i = 0; i < size; i++)
		if (lock_init(&tm_tab->slots[i].lock) < 0) {
			log_errx("tm: cannot initialise the slot locks");
			return -1;
		}
	return 0;
}

void
tm_lock(uint32_t slot)
{
	lock_get(&tm_tab->slots[slot % tm_tab->size].lock);
}

void
tm_unlock(uint32_t slot)
{
	lock_release(&tm_tab->slots[slot % tm_tab->size].lock);
}

static void
tm_tag_new(char *tag)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		/* no entropy yet: time and the id still make it unique */
		uint64_t t = tm_now() ^ (uint64_t)(uintptr_t)tag;

		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(t >> (8 * (i % 8))) ^
			    (unsigned char)i;
	}
	for (int i = 0; i < 16; i++) {
		tag[2 * i] = hex[rnd[i] >> 4];
		tag[2 * i + 1] = hex[rnd[i] & 0xf];
	}
}

uint64_t
tm_id_new(void)
{
	return __atomic_fetch_add(&tm_tab->next_id, 1, __ATOMIC_RELAXED);
}

struct tm_cell *
tm_cell_new(const char *buf, size_t len, const struct rcv_info *rcv,
    int local, uint64_t id)
{
	struct tm_cell *c;
	const char *err;
	str_t req;

	if ((c = shm_calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	if ((c->req = shm_malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(c->req, buf, len);
	c->req[len] = '\0';
	c->req_len = len;
	req = str_make(c->req, len);
	if (tm_key_scan(&req, &c->key, &err) < 0) {
		log_errx("tm: cannot make a transaction of the request: %s",
		    err);
		tm_cell_free(c);
		return NULL;
	}
	if (rcv)
		c->rcv = *rcv;
	c->flags = local ? TM_F_LOCAL : 0;
	if (tm_is_method(&c->key.method, "INVITE"))
		c->flags |= TM_F_INVITE;
	c->id = id ? id : tm_id_new();
	c->slot = local ? (uint32_t)(c->id % tm_tab->size) :
	    tm_key_hash(&c->key) % tm_tab->size;
	c->created = tm_now();
	c->fr_ms = tm_conf.fr_ms;
	c->fr_inv_ms = tm_conf.fr_inv_ms;
	tm_tag_new(c->to_tag);
	TM_STAT_INC(total);
	if (local)
		TM_STAT_INC(total_local);
	TM_STAT_INC(current);
	return c;
nomem:
	log_errx("tm: no shared memory for a transaction");
	if (c) {
		TM_STAT_INC(current);   /* tm_cell_free() counts it out */
		tm_cell_free(c);
	}
	return NULL;
}

void
tm_cell_free(struct tm_cell *c)
{
	if (c == NULL)
		return;
	shm_free(c->req);
	shm_free(c->edits);
	shm_free(c->ruri);
	shm_free(c->rpl);
	shm_free(c->out);
	shm_free(c->uac_rpl);
	shm_free(c->ack);
	shm_free(c);
	TM_STAT_DEC(current);
}

void
tm_link(struct tm_cell *c)
{
	struct tm_slot *s = &tm_tab->slots[c->slot];

	c->prev = NULL;
	c->next = s->head;
	if (s->head)
		s->head->prev = c;
	s->head = c;
	s->n++;
}

void
tm_unlink(struct tm_cell *c)
{
	struct tm_slot *s = &tm_tab->slots[c->slot];

	if (c->prev)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	s->n--;
}

struct tm_cell *
tm_find_req(uint32_t slot, const struct tm_key *k, const str_t *as)
{
	for (struct tm_cell *c = tm_tab->slots[slot].head; c; c = c->next)
		if (!(c->flags & TM_F_LOCAL) && tm_key_match(&c->key, k, as))
			return c;
	return NULL;
}

struct tm_cell *
tm_find_id(uint32_t slot, uint64_t id)
{
	if (slot >= tm_tab->size)
		return NULL;
	for (struct tm_cell *c = tm_tab->slots[slot].head; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

int
tm_shm_set(char **dst, size_t *dlen, const char *s, size_t n)
{
	char *p = shm_malloc(n + 1);

	if (p == NULL) {
		log_errx("tm: no shared memory for a message copy");
		return -1;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	shm_free(*dst);
	*dst = p;
	if (dlen)
		*dlen = n;
	return 0;
}

void
tm_wait(struct tm_cell *c)
{
	if (c->wt_at == 0)
		TM_STAT_INC(waiting);
	c->wt_at = tm_now() + tm_conf.wt_ms;
	c->retr_at = 0;
	c->fr_at = 0;
	c->rpl_retr_at = 0;
}

void
tm_unref(struct tm_cell *c)
{
	tm_lock(c->slot);
	c->refcnt--;
	tm_unlock(c->slot);
}
