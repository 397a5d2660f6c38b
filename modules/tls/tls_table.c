/*
 * tls_table.c - the shared summaries of established TLS connections
 * (see tls_table.h).  One lock guards the table: entries change twice
 * per connection and are read only by RPC, so there is no contention
 * worth a finer scheme.
 */
#include "config.h"

#include <string.h>

#include "core/conn.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/shm.h"
#include "tls_table.h"

struct tls_table {
	struct lock         lock;
	unsigned            max;
	struct tls_summary  e[];
};

/* Points into shm; set in init, before fork. */
static struct tls_table *T;

int
tls_table_init(unsigned max)
{
	if (T != NULL)
		return 0;
	T = shm_calloc(1, sizeof(*T) + (size_t)max * sizeof(T->e[0]));
	if (T == NULL) {
		log_errx("tls: no shared memory for %u connection summaries",
		    max);
		return -1;
	}
	if (lock_init(&T->lock) < 0) {
		shm_free(T);
		T = NULL;
		log_errx("tls: cannot initialise the summary table lock");
		return -1;
	}
	T->max = max;
	return 0;
}

void
tls_table_destroy(void)
{
	if (T == NULL)
		return;
	lock_destroy(&T->lock);
	shm_free(T);
	T = NULL;
}

void
tls_table_put(const struct tls_summary *s)
{
	unsigned i = conn_slot_of(s->id);

	if (T == NULL || i >= T->max)
		return;
	lock_get(&T->lock);
	T->e[i] = *s;
	lock_release(&T->lock);
}

void
tls_table_del(uint64_t id)
{
	unsigned i = conn_slot_of(id);

	if (T == NULL || i >= T->max)
		return;
	lock_get(&T->lock);
	if (T->e[i].id == id)
		memset(&T->e[i], 0, sizeof(T->e[i]));
	lock_release(&T->lock);
}

int
tls_table_get(uint64_t id, struct tls_summary *out)
{
	unsigned i = conn_slot_of(id);
	int rc = -1;

	if (T == NULL || id == 0 || i >= T->max)
		return -1;
	lock_get(&T->lock);
	if (T->e[i].id == id) {
		*out = T->e[i];
		rc = 0;
	}
	lock_release(&T->lock);
	return rc;
}

void
tls_table_foreach(void (*fn)(const struct tls_summary *s, void *arg),
    void *arg)
{
	struct tls_summary s;

	for (unsigned i = 0; T && i < T->max; i++) {
		/* unlocked peek: most slots are free */
		if (__atomic_load_n(&T->e[i].id, __ATOMIC_RELAXED) == 0)
			continue;
		lock_get(&T->lock);
		s = T->e[i];
		lock_release(&T->lock);
		if (s.id != 0)
			fn(&s, arg);
	}
}
