/*
 * cfg_rpc_delay.c - the list of prepared changes, in shared memory.
 */
#include "config.h"

#include <string.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/shm.h"
#include "cfg_rpc_delay.h"

struct pending {
	int                var;
	enum cfg_rpc_type  type;
	long long          i;
	char              *s;       /* shm copy, strings only */
	size_t             len;
};

struct delay_list {
	struct lock     lock;
	int             n;
	struct pending  v[CFG_RPC_DELAY_MAX];
};

static struct delay_list *dl;

int
cfg_rpc_delay_init(void)
{
	if ((dl = shm_calloc(1, sizeof(*dl))) == NULL)
		return -1;
	if (lock_init(&dl->lock) != 0) {
		shm_free(dl);
		dl = NULL;
		return -1;
	}
	return 0;
}

static void
drop_all(void)
{
	for (int i = 0; i < dl->n; i++)
		shm_free(dl->v[i].s);
	dl->n = 0;
}

void
cfg_rpc_delay_destroy(void)
{
	if (dl == NULL)
		return;
	drop_all();
	lock_destroy(&dl->lock);
	shm_free(dl);
	dl = NULL;
}

int
cfg_rpc_delay_add(int idx, const struct cfg_rpc_val *v)
{
	struct pending *p;
	char *s = NULL;

	if (dl == NULL)
		return -1;
	if (v->type == CFG_RPC_STR &&
	    (s = shm_strndup(v->s.s ? v->s.s : "", v->s.len)) == NULL)
		return -1;
	lock_get(&dl->lock);
	if (dl->n == CFG_RPC_DELAY_MAX) {
		lock_release(&dl->lock);
		shm_free(s);
		log_errx("cfg_rpc: %d changes are already prepared; commit or "
		    "roll them back first", CFG_RPC_DELAY_MAX);
		return -1;
	}
	p = &dl->v[dl->n++];
	p->var = idx;
	p->type = v->type;
	p->i = v->i;
	p->s = s;
	p->len = v->s.len;
	lock_release(&dl->lock);
	return 0;
}

static struct cfg_rpc_val
pending_val(const struct pending *p)
{
	struct cfg_rpc_val v = { .type = p->type, .i = p->i,
	    .s = str_make(p->s, p->len) };

	return v;
}

int
cfg_rpc_delay_each(void (*fn)(void *ctx, int idx,
    const struct cfg_rpc_val *v), void *ctx)
{
	int n;

	if (dl == NULL)
		return 0;
	lock_get(&dl->lock);
	for (int i = 0; i < dl->n; i++) {
		struct cfg_rpc_val v = pending_val(&dl->v[i]);

		fn(ctx, dl->v[i].var, &v);
	}
	n = dl->n;
	lock_release(&dl->lock);
	return n;
}

int
cfg_rpc_delay_commit(void)
{
	int rc = 0;

	if (dl == NULL)
		return 0;
	lock_get(&dl->lock);
	for (int i = 0; i < dl->n; i++) {
		struct cfg_rpc_val v = pending_val(&dl->v[i]);

		if (cfg_rpc_var_set(dl->v[i].var, &v) != CFG_RPC_OK)
			rc = -1;
	}
	drop_all();
	lock_release(&dl->lock);
	return rc;
}

void
cfg_rpc_delay_rollback(void)
{
	if (dl == NULL)
		return;
	lock_get(&dl->lock);
	drop_all();
	lock_release(&dl->lock);
}
