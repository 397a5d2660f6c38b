/*
 * pv_shv.c - $shv(name): variables in shared memory, one value seen by
 * every process, and the pv.shvGet / pv.shvSet RPCs.
 *
 * The set of names is fixed before fork: the names the config uses and
 * those given with modparam("pv", "shvset", ...).  They are recorded in
 * private memory while the config is compiled (there is no shm then) and
 * the shared table is built in the module's init.  Like Kamailio, a
 * variable never assigned holds the integer 0; `$shv(x) = $null` makes it
 * null.  A value is read and written under one lock of a small set, and
 * a string is copied into shm (the old one freed after the swap).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/lock.h"
#include "core/log.h"
#include "core/rpc.h"
#include "core/shm.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

#define PV_SHV_LOCKS 16

/* A name, known before fork (private memory, inherited by every child). */
struct pv_shv_decl {
	char           *name;
	size_t          nlen;
	size_t          idx;        /* slot in the shared table            */
	struct val      init;       /* shvset value; init.s in init_buf    */
	char           *init_buf;
};

/* A value, in shm. */
struct pv_shv_slot {
	unsigned        flags;
	long long       n;
	char           *s;          /* shm, NUL-terminated                 */
	size_t          len;
};

/* Filled before fork; the pointers to shm are the same in every process. */
static struct {
	struct pv_shv_decl **decl;
	size_t               n, cap;
	struct pv_shv_slot  *slot;  /* shm: n slots                        */
	struct lock_set     *locks;
} shv;

static struct pv_shv_decl *
pv_shv_lookup(const str_t *name, int create)
{
	struct pv_shv_decl *e, **nd;

	for (size_t i = 0; i < shv.n; i++)
		if (shv.decl[i]->nlen == name->len &&
		    memcmp(shv.decl[i]->name, name->s, name->len) == 0)
			return shv.decl[i];
	/* no new name once the table is in shm */
	if (!create || shv.slot != NULL)
		return NULL;
	if (shv.n == shv.cap) {
		size_t cap = shv.cap ? shv.cap * 2 : 16;

		nd = xrealloc(shv.decl, cap * sizeof(*nd));
		if (nd == NULL)
			return NULL;
		shv.decl = nd;
		shv.cap = cap;
	}
	e = xcalloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->name = xstrndup(name->s, name->len);
	if (e->name == NULL) {
		free(e);
		return NULL;
	}
	e->nlen = name->len;
	e->idx = shv.n;
	val_set_int(&e->init, 0);
	shv.decl[shv.n++] = e;
	return e;
}

int
pv_shv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	str_t name = *inner;
	struct pv_shv_decl *e;

	pvt_trim(&name, 1, 1);
	if (name.len == 0) {
		diag_error(d, "$shv() needs a name");
		return -1;
	}
	if (str_chr(&name, '$') != NULL) {
		diag_error(d, "$shv(%.*s): the name of a $shv cannot hold a "
		    "pseudo-variable", STR_FMT(&name));
		return -1;
	}
	e = pv_shv_lookup(&name, 1);
	if (e == NULL) {
		diag_error(d, "$shv(%.*s): %s", STR_FMT(&name), shv.slot ?
		    "shared variables are fixed once the server runs"
		    : "out of memory");
		return -1;
	}
	*compiled = e;
	return 0;
}

int
pv_shv_param(const struct val *v, struct cfg_diag *d)
{
	struct pv_shv_decl *e;
	struct val init;
	str_t name;

	if (!(v->flags & VAL_STR)) {
		diag_error(d, "shvset: expected \"name=i:number\" or "
		    "\"name=s:text\"");
		return -1;
	}
	if (pv_nameval_parse(&v->s, &name, &init, d, "shvset") != 0)
		return -1;
	e = pv_shv_lookup(&name, 1);
	if (e == NULL) {
		diag_error(d, "shvset: cannot declare '%.*s'", STR_FMT(&name));
		return -1;
	}
	free(e->init_buf);
	e->init_buf = NULL;
	e->init = init;
	if (init.flags & VAL_STR) {
		e->init_buf = xstrndup(init.s.s, init.s.len);
		if (e->init_buf == NULL) {
			val_set_int(&e->init, 0);
			diag_error(d, "shvset: out of memory");
			return -1;
		}
		e->init.s = str_make(e->init_buf, init.s.len);
	}
	return 0;
}

/* Copies in into a slot's form; the string goes to shm.  0 or -1. */
static int
pv_shv_make(const struct val *in, struct pv_shv_slot *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = in->flags;
	out->n = (in->flags & VAL_INT) ? in->n : 0;
	if (!(in->flags & VAL_STR))
		return 0;
	out->s = shm_strndup(in->s.len ? in->s.s : "", in->s.len);
	if (out->s == NULL)
		return -1;
	out->len = in->s.len;
	return 0;
}

int
pv_shv_init(void)
{
	size_t n = shv.n ? shv.n : 1;

	if (shv.slot != NULL)
		return 0;
	shv.slot = shm_calloc(n, sizeof(*shv.slot));
	shv.locks = lock_set_alloc(PV_SHV_LOCKS);
	if (shv.slot == NULL || shv.locks == NULL) {
		log_errx("pv: no shared memory for %zu $shv variables", shv.n);
		goto fail;
	}
	for (size_t i = 0; i < shv.n; i++) {
		if (pv_shv_make(&shv.decl[i]->init, &shv.slot[i]) != 0) {
			log_errx("pv: no shared memory for $shv(%s)",
			    shv.decl[i]->name);
			goto fail;
		}
	}
	return 0;
fail:
	for (size_t i = 0; shv.slot != NULL && i < shv.n; i++)
		shm_free(shv.slot[i].s);
	shm_free(shv.slot);
	if (shv.locks != NULL)
		lock_set_free(shv.locks);
	shv.slot = NULL;
	shv.locks = NULL;
	return -1;
}

/* Reads slot i into out, its string copied into a.  0 or -1. */
static int
pv_shv_read(size_t i, struct arena *a, struct val *out)
{
	struct pv_shv_slot *sl = &shv.slot[i];
	int rc = 0;

	val_set_null(out);
	lock_set_get(shv.locks, (unsigned)i);
	out->flags = sl->flags;
	out->n = sl->n;
	if (sl->flags & VAL_STR) {
		out->s.s = arena_strndup(a, sl->s, sl->len);
		out->s.len = sl->len;
		rc = out->s.s ? 0 : -1;
	}
	lock_set_release(shv.locks, (unsigned)i);
	if (rc != 0)
		val_set_null(out);
	return rc;
}

/* Replaces slot i's value.  0 or -1 (shm exhausted: value unchanged). */
static int
pv_shv_write(size_t i, const struct val *in)
{
	struct pv_shv_slot nv, old;

	if (pv_shv_make(in, &nv) != 0)
		return -1;
	lock_set_get(shv.locks, (unsigned)i);
	old = shv.slot[i];
	shv.slot[i] = nv;
	lock_set_release(shv.locks, (unsigned)i);
	/* freed outside the lock: shm_free takes the allocator's lock */
	shm_free(old.s);
	return 0;
}

int
pv_shv_get(struct msg *m, void *compiled, struct val *out)
{
	struct pv_shv_decl *e = compiled;

	if (shv.slot == NULL || m == NULL) {
		val_set_null(out);
		if (shv.slot == NULL)
			log_errx("$shv(%s) read before shared memory exists",
			    e->name);
		return shv.slot == NULL ? -1 : 0;
	}
	if (pv_shv_read(e->idx, &m->arena, out) != 0) {
		log_errx("out of memory reading $shv(%s)", e->name);
		return -1;
	}
	return 0;
}

int
pv_shv_set(struct msg *m, void *compiled, const struct val *in)
{
	struct pv_shv_decl *e = compiled;

	if (shv.slot == NULL) {
		log_errx("$shv(%s) set before shared memory exists", e->name);
		return -1;
	}
	if (pv_shv_write(e->idx, in) != 0) {
		log_errx("out of shared memory assigning $shv(%s)", e->name);
		return -1;
	}
	return 0;
}

void
pv_shv_destroy(void)
{
	/* the shm region goes with the supervisor; only private data here */
	for (size_t i = 0; i < shv.n; i++) {
		free(shv.decl[i]->init_buf);
		free(shv.decl[i]->name);
		free(shv.decl[i]);
	}
	free(shv.decl);
	memset(&shv, 0, sizeof(shv));
}

/* --- RPC ------------------------------------------------------------------ */

static const struct pv_shv_decl *
pv_shv_by_name(const str_t *name)
{
	for (size_t i = 0; i < shv.n; i++)
		if (shv.decl[i]->nlen == name->len &&
		    memcmp(shv.decl[i]->name, name->s, name->len) == 0)
			return shv.decl[i];
	return NULL;
}

/* One variable as {name, type, value} (Kamailio's reply shape). */
static void
pv_shv_rpc_one(struct rpc_call *c, const char *member,
    const struct pv_shv_decl *e, struct arena *a)
{
	struct val v;

	rpc_struct_begin(c, member);
	rpc_add_cstr(c, "name", e->name);
	if (pv_shv_read(e->idx, a, &v) != 0) {
		rpc_add_cstr(c, "type", "error");
		rpc_add_cstr(c, "value", "out of memory");
	} else if (v.flags & VAL_STR) {
		rpc_add_cstr(c, "type", "string");
		rpc_add_str(c, "value", &v.s);
	} else if (v.flags & VAL_INT) {
		rpc_add_cstr(c, "type", "int");
		rpc_add_int(c, "value", v.n);
	} else {
		rpc_add_cstr(c, "type", "null");
		rpc_add_cstr(c, "value", "");
	}
	rpc_struct_end(c);
}

void
pv_shv_rpc_get(struct rpc_call *c)
{
	const struct pv_shv_decl *e;
	struct arena a;
	str_t name;

	if (shv.slot == NULL) {
		rpc_fault(c, 500, "Shared variables are not initialized");
		return;
	}
	arena_init(&a, 0);
	if (rpc_arg_str_opt(c, 0, &name) == 1) {
		e = pv_shv_by_name(&name);
		if (e == NULL)
			rpc_fault(c, 404, "Variable not found");
		else
			pv_shv_rpc_one(c, NULL, e, &a);
		arena_free(&a);
		return;
	}
	rpc_struct_begin(c, NULL);
	rpc_struct_begin(c, "items");
	for (size_t i = 0; i < shv.n; i++) {
		pv_shv_rpc_one(c, "shv", shv.decl[i], &a);
		arena_reset(&a);
	}
	rpc_struct_end(c);
	rpc_struct_end(c);
	arena_free(&a);
}

void
pv_shv_rpc_set(struct rpc_call *c)
{
	const struct pv_shv_decl *e;
	str_t name, type, text;
	struct val v;
	long long n;

	if (rpc_arg_count(c) < 2) {
		rpc_fault(c, 500, "Missing parameter type (Parameters: "
		    "varname type value)");
		return;
	}
	if (rpc_arg_str(c, 0, &name) != 0 || rpc_arg_str(c, 1, &type) != 0)
		return;
	if (rpc_arg_count(c) < 3) {
		rpc_fault(c, 500, "Missing parameter value (Parameters: "
		    "varname type value)");
		return;
	}
	if (rpc_arg_str(c, 2, &text) != 0)
		return;
	if (str_eq_cstr(&type, "int")) {
		if (pvt_int(text, &n) != 0) {
			rpc_fault(c, 500, "Missing integer parameter value "
			    "(Parameters: varname type value)");
			return;
		}
		val_set_int(&v, n);
	} else if (str_eq_cstr(&type, "str")) {
		val_set_str(&v, text);
	} else {
		rpc_fault(c, 500, "Unknown parameter type (Types: int or str)");
		return;
	}
	e = pv_shv_by_name(&name);
	if (e == NULL) {
		rpc_fault(c, 404, "Variable not found");
		return;
	}
	if (shv.slot == NULL || pv_shv_write(e->idx, &v) != 0)
		rpc_fault(c, 500, "Cannot set shared variable value");
}
