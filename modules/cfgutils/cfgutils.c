/*
 * cfgutils - utilities for the script: random decisions with a shared
 * probability, sleeping, global flags, named locks, running a route if
 * it exists, core_hash(), and memory summaries.  See README.md.
 *
 * The probability and the global flags live in shared memory, so a
 * change made by one process (or by RPC) holds for all of them.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgutils_lock.h"
#include "cfgutils_rpc.h"
#include "cfgutils_state.h"
#include "cfgutils_util.h"
#include "core/globals.h"
#include "core/module_api.h"
#include "core/route.h"

/* route_if_exists() may call itself through the routes it runs. */
#define CFGU_ROUTE_DEPTH_MAX 100
#define CFGU_ROUTE_NAME_MAX  256

static int cfgu_initial_prob = 10;
static int cfgu_lock_bits = 8;
static int cfgu_initial_gflags;

static int cfgu_ext = -1;               /* msg_ext slot: locks taken */
static int cfgu_route_depth;

/* --- parameters ----------------------------------------------------------- */

static int
cfgu_set_initial_prob(const struct val *v, struct cfg_diag *d)
{
	if (!cfgu_prob_valid(v->n)) {
		diag_error(d, "cfgutils: initial_probability must be 0..%d, "
		    "not %lld", CFGU_PROB_MAX, v->n);
		return -1;
	}
	cfgu_initial_prob = (int)v->n;
	return 0;
}

static int
cfgu_set_lock_size(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 0 || v->n > CFGU_LOCK_BITS_MAX) {
		diag_error(d, "cfgutils: lock_set_size is a power of two and "
		    "must be 0..%d, not %lld", CFGU_LOCK_BITS_MAX, v->n);
		return -1;
	}
	cfgu_lock_bits = (int)v->n;
	return 0;
}

static int
cfgu_set_hash_file(const struct val *v, struct cfg_diag *d)
{
	diag_error(d, "cfgutils: hash_file is not supported by Tandem "
	    "(the config-hash RPCs do not exist); remove this modparam");
	return -1;
}

static const struct param_export cfgu_params[] = {
	{ .name = "initial_probability", .type = PARAM_INT,
	  .set = cfgu_set_initial_prob },
	{ .name = "lock_set_size", .type = PARAM_INT,
	  .set = cfgu_set_lock_size },
	{ .name = "initial_gflags", .type = PARAM_INT,
	  .var = &cfgu_initial_gflags },
	{ .name = "hash_file", .type = PARAM_STR, .set = cfgu_set_hash_file },
	{ .name = NULL },
};

/* --- random events ------------------------------------------------------------ */

static int
w_rand_event(struct msg *m, void *const *args)
{
	return cfgu_rand_hit(cfgu_prob_get(), random(), (long)RAND_MAX + 1) ?
	    1 : -1;
}

static int
w_rand_set_prob(struct msg *m, void *const *args)
{
	long long p;

	if (arg_int(m, args[0], &p) != 0)
		return -1;
	if (!cfgu_prob_valid(p)) {
		log_errx("cfgutils: rand_set_prob(%lld): the probability is "
		    "0..%d", p, CFGU_PROB_MAX);
		return -1;
	}
	cfgu_prob_set((int)p);
	return 1;
}

static int
w_rand_reset_prob(struct msg *m, void *const *args)
{
	cfgu_prob_reset();
	return 1;
}

/* The probability as the return code; 0 % would end the script, so it
 * is returned as -1 (false). */
static int
w_rand_get_prob(struct msg *m, void *const *args)
{
	int p = cfgu_prob_get();

	return p > 0 ? p : -1;
}

/* Validates a probability at load time when it is a constant. */
static int
cfgu_fix_prob(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind == ARG_K_INT && !cfgu_prob_valid(a->n)) {
		diag_error(d, "cfgutils: the probability is 0..%d, not %lld",
		    CFGU_PROB_MAX, a->n);
		return -1;
	}
	return 0;
}

/* --- sleeping ------------------------------------------------------------------- */

/* Sleeps the whole time even when a signal interrupts. */
static int
cfgu_sleep(struct msg *m, const void *arg, long long unit, const char *fn)
{
	struct timespec ts;
	long long n;

	if (arg_int(m, arg, &n) != 0)
		return -1;
	if (n < 0 || n > 0x7fffffffLL) {
		log_errx("cfgutils: %s(%lld): not a valid duration", fn, n);
		return -1;
	}
	ts.tv_sec = (time_t)(n / unit);
	ts.tv_nsec = (long)((n % unit) * (1000000000LL / unit));
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 1;
}

static int
w_sleep(struct msg *m, void *const *args)
{
	return cfgu_sleep(m, args[0], 1, "sleep");
}

static int
w_usleep(struct msg *m, void *const *args)
{
	return cfgu_sleep(m, args[0], 1000000, "usleep");
}

/* --- memory summaries --------------------------------------------------------- */

static void
cfgu_log_shm(void)
{
	struct shm_stats st;

	shm_get_stats(&st);
	log_at(core_cfg.memlog, "shm summary: total %zu, used %zu, "
	    "real_used %zu, max_used %zu, free %zu, fragments %zu, "
	    "allocations %zu, failed %zu", st.total, st.used, st.real_used,
	    st.max_used, st.free, st.fragments, st.allocs, st.failed);
}

static void
cfgu_log_pkg(void)
{
	struct mallinfo2 mi = mallinfo2();

	log_at(core_cfg.memlog, "pkg summary (pid %d): heap %zu, in use "
	    "%zu, free %zu, mmapped %zu (%zu regions)", (int)getpid(),
	    mi.arena, mi.uordblks, mi.fordblks, mi.hblkhd, mi.hblks);
}

static int
w_shm_summary(struct msg *m, void *const *args)
{
	if (log_enabled(core_cfg.memlog))
		cfgu_log_shm();
	return 1;
}

/* The summary, and a walk of the whole allocator checking it. */
static int
w_shm_status(struct msg *m, void *const *args)
{
	if (!log_enabled(core_cfg.memlog))
		return 1;
	cfgu_log_shm();
	if (shm_check() != 0)
		return -1;
	log_at(core_cfg.memlog, "shm status: every block and free list "
	    "is consistent");
	return 1;
}

static int
w_pkg_summary(struct msg *m, void *const *args)
{
	if (log_enabled(core_cfg.memlog))
		cfgu_log_pkg();
	return 1;
}

/* --- global flags ---------------------------------------------------------------- */

static int
cfgu_fix_flag(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind == ARG_K_INT && (a->n < 0 || a->n > CFGU_FLAG_MAX)) {
		diag_error(d, "cfgutils: flag %lld is out of range 0..%d",
		    a->n, CFGU_FLAG_MAX);
		return -1;
	}
	return 0;
}

/* The bit of a flag argument, or 0 (logged) when it is out of range. */
static unsigned
cfgu_flag_bit(struct msg *m, const void *arg, const char *fn)
{
	long long n;

	if (arg_int(m, arg, &n) != 0)
		return 0;
	if (n < 0 || n > CFGU_FLAG_MAX) {
		log_errx("cfgutils: %s(%lld): flag out of range 0..%d", fn, n,
		    CFGU_FLAG_MAX);
		return 0;
	}
	return 1u << n;
}

static int
w_set_gflag(struct msg *m, void *const *args)
{
	unsigned bit = cfgu_flag_bit(m, args[0], "set_gflag");

	if (bit == 0)
		return -1;
	cfgu_gflags_set(bit);
	return 1;
}

static int
w_reset_gflag(struct msg *m, void *const *args)
{
	unsigned bit = cfgu_flag_bit(m, args[0], "reset_gflag");

	if (bit == 0)
		return -1;
	cfgu_gflags_reset(bit);
	return 1;
}

static int
w_is_gflag(struct msg *m, void *const *args)
{
	unsigned bit = cfgu_flag_bit(m, args[0], "is_gflag");

	if (bit == 0)
		return -1;
	return (cfgu_gflags_get() & bit) ?
	    1 : -1;
}

/* --- locks ------------------------------------------------------------------------- */

/* Marks the message so that its end releases what it still holds. */
static char cfgu_ext_mark;

static void
cfgu_msg_done(void *data)
{
	int n;

	if (cfgu_lock_held() == 0)
		return;
	n = cfgu_lock_release_all();
	if (n > 0)
		log_warnx("cfgutils: %d lock%s still held when the message "
		    "was done: released (call unlock())", n, n == 1 ? "" : "s");
}

static int
cfgu_lock_op(struct msg *m, const void *arg, int op)
{
	str_t key;
	int rc;

	if (arg_str(m, arg, &key) != 0)
		return -1;
	if (op == 2)
		return cfgu_unlock(&key);
	rc = cfgu_lock(&key, op == 1);
	if (rc != CFGU_LOCK_TAKEN)
		return -1;
	if (cfgu_ext >= 0)
		m->ext[cfgu_ext] = &cfgu_ext_mark;
	return 1;
}

static int
w_lock(struct msg *m, void *const *args)
{
	return cfgu_lock_op(m, args[0], 0);
}

static int
w_trylock(struct msg *m, void *const *args)
{
	return cfgu_lock_op(m, args[0], 1);
}

static int
w_unlock(struct msg *m, void *const *args)
{
	return cfgu_lock_op(m, args[0], 2);
}

/* --- routes ------------------------------------------------------------------------- */

/* route[name] of the running config, or NULL. */
static const struct route_def *
cfgu_route(struct msg *m, const void *arg)
{
	char name[CFGU_ROUTE_NAME_MAX];
	str_t s;

	if (arg_str(m, arg, &s) != 0 || s.len == 0 || s.len >= sizeof(name))
		return NULL;
	memcpy(name, s.s, s.len);
	name[s.len] = '\0';
	return route_find(R_NAMED, name);
}

static int
w_check_route_exists(struct msg *m, void *const *args)
{
	return cfgu_route(m, args[0]) ? 1 : -1;
}

/*
 * Runs the route on this message as the caller's route type and
 * returns what it returned; 0 (its exit or drop) ends the caller too.
 */
static int
w_route_if_exists(struct msg *m, void *const *args)
{
	const struct route_def *r = cfgu_route(m, args[0]);
	int rc;

	if (r == NULL)
		return -1;
	if (cfgu_route_depth >= CFGU_ROUTE_DEPTH_MAX) {
		log_errx("cfgutils: route_if_exists(%s): more than %d nested "
		    "calls, stopping", r->name, CFGU_ROUTE_DEPTH_MAX);
		return -1;
	}
	cfgu_route_depth++;
	rc = route_run(m, r, m->route_type);
	cfgu_route_depth--;
	return rc;
}

/* --- core_hash ----------------------------------------------------------------------- */

static int
w_core_hash(struct msg *m, void *const *args)
{
	str_t s1, s2;
	long long size, h;

	if (arg_str(m, args[0], &s1) != 0 || arg_str(m, args[1], &s2) != 0 ||
	    arg_int(m, args[2], &size) != 0)
		return -1;
	if ((h = cfgu_core_hash(&s1, &s2, size)) < 0) {
		log_errx("cfgutils: core_hash(): size %lld is more than %d "
		    "bits", size, CFGU_HASH_BITS_MAX);
		return -1;
	}
	return (int)h;
}

#define A_INT  { .flags = ARG_INT }
#define A_STR  { .flags = ARG_STR }
#define A_PROB { .flags = ARG_INT, .fixup = cfgu_fix_prob }
#define A_FLAG { .flags = ARG_INT, .fixup = cfgu_fix_flag }

static const struct cmd_export cfgu_cmds[] = {
	{ .name = "rand_event", .fn = w_rand_event, .routes = RT_ANY },
	{ .name = "rand_set_prob", .fn = w_rand_set_prob, .routes = RT_ANY,
	  .args = { A_PROB } },
	{ .name = "rand_reset_prob", .fn = w_rand_reset_prob,
	  .routes = RT_ANY },
	{ .name = "rand_get_prob", .fn = w_rand_get_prob, .routes = RT_ANY },
	{ .name = "sleep", .fn = w_sleep, .routes = RT_ANY, .args = { A_INT } },
	{ .name = "usleep", .fn = w_usleep, .routes = RT_ANY,
	  .args = { A_INT } },
	{ .name = "shm_summary", .fn = w_shm_summary, .routes = RT_ANY },
	{ .name = "shm_status", .fn = w_shm_status, .routes = RT_ANY },
	{ .name = "pkg_summary", .fn = w_pkg_summary, .routes = RT_ANY },
	{ .name = "pkg_status", .fn = w_pkg_summary, .routes = RT_ANY },
	{ .name = "set_gflag", .fn = w_set_gflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "reset_gflag", .fn = w_reset_gflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "is_gflag", .fn = w_is_gflag, .routes = RT_ANY,
	  .args = { A_FLAG } },
	{ .name = "lock", .fn = w_lock, .routes = RT_ANY, .args = { A_STR } },
	{ .name = "trylock", .fn = w_trylock, .routes = RT_ANY,
	  .args = { A_STR } },
	{ .name = "unlock", .fn = w_unlock, .routes = RT_ANY,
	  .args = { A_STR } },
	{ .name = "check_route_exists", .fn = w_check_route_exists,
	  .routes = RT_ANY, .args = { A_STR } },
	{ .name = "route_if_exists", .fn = w_route_if_exists,
	  .routes = RT_ANY, .args = { A_STR } },
	{ .name = "core_hash", .fn = w_core_hash, .routes = RT_ANY,
	  .args = { A_STR, A_STR, A_INT } },
	{ .name = NULL },
};

/* --- init ----------------------------------------------------------------------------- */

static int
cfgu_init(void)
{
	if (cfgu_state_init(cfgu_initial_prob,
	    (unsigned)cfgu_initial_gflags) != 0)
		return -1;
	if (cfgu_lock_init((unsigned)cfgu_lock_bits) != 0)
		goto fail;
	if ((cfgu_ext = msg_ext_register(cfgu_msg_done)) < 0) {
		log_errx("cfgutils: no per-message slot left (all %d taken)",
		    MSG_EXT_MAX);
		goto fail;
	}
	return 0;
fail:
	cfgu_lock_destroy();
	cfgu_state_destroy();
	return -1;
}

static void
cfgu_destroy(void)
{
	cfgu_lock_destroy();
	cfgu_state_destroy();
}

const struct module tandem_module = {
	.abi     = MOD_ABI_VERSION,
	.name    = "cfgutils",
	.version = PACKAGE_VERSION,
	.cmds    = cfgu_cmds,
	.params  = cfgu_params,
	.rpcs    = cfgu_rpcs,
	.init    = cfgu_init,
	.destroy = cfgu_destroy,
};
