/*
 * usrloc.c - the usrloc module: the in-memory location service (user
 * location table) the registrar writes and lookup() reads.  This file
 * holds the descriptor, the parameters, the domain registry, the api
 * for other modules, the expiry timer and the statistics; the table is
 * in ul_table.c, the RPC methods in ul_rpc.c.
 *
 * Tandem keeps contacts in shared memory only (Kamailio's db_mode 0).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "core/stats.h"
#include "ul_mod.h"
#include "usrloc_api.h"

#define UL_TIMER_DEFAULT   60   /* seconds, as Kamailio */
#define UL_HASH_DEFAULT    10   /* 2^10 slots, as Kamailio */
#define UL_CSEQ_DELAY      20   /* seconds, as Kamailio */

static int ul_use_domain;
static int ul_timer_interval = UL_TIMER_DEFAULT;
static int ul_hash_size = UL_HASH_DEFAULT;
static int ul_cseq_delay = UL_CSEQ_DELAY;
static int ul_desc_time_order;
static int ul_timer_procs;

static struct ul_domain ul_domains[UL_MAX_DOMAINS];
static int ul_ndomains;
static int ul_initialized;

static struct stat_var *st_registered;
static struct {
	struct stat_var *users, *contacts, *expires;
} st_dom[UL_MAX_DOMAINS];

/* --- the domain registry ------------------------------------------------ */

int
ul_domain_count(void)
{
	return ul_ndomains;
}

struct ul_domain *
ul_domain_at(int i)
{
	return i >= 0 && i < ul_ndomains ? &ul_domains[i] : NULL;
}

struct ul_domain *
ul_domain_find(const str_t *name)
{
	for (int i = 0; i < ul_ndomains; i++)
		if (str_eq_cstr(name, ul_domains[i].name))
			return &ul_domains[i];
	return NULL;
}

int
ul_mod_use_domain(void)
{
	return ul_use_domain;
}

unsigned
ul_mod_hash_size(void)
{
	return 1u << ul_hash_size;
}

static struct ul_domain *
ul_register_domain(const char *name)
{
	str_t n = str_cstr(name);
	struct ul_domain *d;

	if (name == NULL || *name == '\0') {
		log_errx("usrloc: empty location table name");
		return NULL;
	}
	if ((d = ul_domain_find(&n)) != NULL)
		return d;
	/* the shm table of a late domain could not be seen by every process */
	if (ul_initialized) {
		log_errx("usrloc: table '%s' asked for after startup", name);
		return NULL;
	}
	if (ul_ndomains == UL_MAX_DOMAINS) {
		log_errx("usrloc: too many location tables (at most %d)",
		    UL_MAX_DOMAINS);
		return NULL;
	}
	d = &ul_domains[ul_ndomains];
	if ((d->name = strdup(name)) == NULL) {
		log_errx("usrloc: out of memory for table '%s'", name);
		return NULL;
	}
	d->t = NULL;
	ul_ndomains++;
	return d;
}

/* --- statistics --------------------------------------------------------- */

void
ul_stats_sync(void)
{
	long users = 0;

	for (int i = 0; i < ul_ndomains; i++) {
		struct ul_table *t = ul_domains[i].t;
		long u, c, x;

		if (t == NULL)
			continue;
		u = __atomic_load_n(&t->users, __ATOMIC_RELAXED);
		c = __atomic_load_n(&t->contacts, __ATOMIC_RELAXED);
		x = __atomic_load_n(&t->expired, __ATOMIC_RELAXED);
		users += u;
		if (st_dom[i].users != NULL) {
			stats_set(st_dom[i].users, u);
			stats_set(st_dom[i].contacts, c);
			stats_set(st_dom[i].expires, x);
		}
	}
	if (st_registered != NULL)
		stats_set(st_registered, users);
}

static int
ul_stats_init(void)
{
	char name[96];

	st_registered = stats_register("usrloc", "registered_users",
	    STAT_IS_GAUGE | STAT_NO_RESET);
	if (st_registered == NULL)
		return -1;
	for (int i = 0; i < ul_ndomains; i++) {
		snprintf(name, sizeof(name), "%s-users", ul_domains[i].name);
		st_dom[i].users = stats_register("usrloc", name,
		    STAT_IS_GAUGE | STAT_NO_RESET);
		snprintf(name, sizeof(name), "%s-contacts", ul_domains[i].name);
		st_dom[i].contacts = stats_register("usrloc", name,
		    STAT_IS_GAUGE | STAT_NO_RESET);
		snprintf(name, sizeof(name), "%s-expires", ul_domains[i].name);
		st_dom[i].expires = stats_register("usrloc", name,
		    STAT_NO_RESET);
		if (st_dom[i].users == NULL || st_dom[i].contacts == NULL ||
		    st_dom[i].expires == NULL)
			return -1;
	}
	return 0;
}

/* --- the api ------------------------------------------------------------ */

static int
api_use_domain(void)
{
	return ul_use_domain;
}

static struct ul_table *
api_table(struct ul_domain *d)
{
	if (d == NULL || d->t == NULL) {
		log_errx("usrloc: table '%s' is not initialised",
		    d ? d->name : "(none)");
		return NULL;
	}
	return d->t;
}

static int
api_lookup(struct ul_domain *d, const str_t *aor, struct arena *a,
    struct ul_contacts *out)
{
	struct ul_table *t = api_table(d);

	out->v = NULL;
	out->n = 0;
	return t ? ul_table_lookup(t, aor, a, out) : -1;
}

static enum ul_rc
api_update(struct ul_domain *d, const str_t *aor, const struct ul_change *ch,
    int n, const struct ul_update_opts *o, struct arena *a,
    struct ul_contacts *out)
{
	struct ul_table *t = api_table(d);
	struct ul_update_opts opts = *o;
	enum ul_rc rc;

	out->v = NULL;
	out->n = 0;
	if (t == NULL)
		return UL_ERROR;
	opts.cseq_delay = ul_cseq_delay;
	rc = ul_table_update(t, aor, ch, n, &opts, a, out);
	ul_stats_sync();
	return rc;
}

static int
api_delete_aor(struct ul_domain *d, const str_t *aor)
{
	struct ul_table *t = api_table(d);
	int n;

	if (t == NULL)
		return 0;
	n = ul_table_delete_aor(t, aor);
	ul_stats_sync();
	return n;
}

static int
api_delete_contact(struct ul_domain *d, const str_t *aor,
    const str_t *contact)
{
	struct ul_table *t = api_table(d);
	int n;

	if (t == NULL)
		return 0;
	n = ul_table_delete_contact(t, aor, contact);
	ul_stats_sync();
	return n;
}

static const struct usrloc_api ul_api = {
	.register_domain = ul_register_domain,
	.use_domain = api_use_domain,
	.lookup = api_lookup,
	.update = api_update,
	.delete_aor = api_delete_aor,
	.delete_contact = api_delete_contact,
};

/* --- parameters -------------------------------------------------------- */

static int
ul_param_db_mode(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0) {
		diag_error(d, "usrloc: db_mode %lld is not supported: Tandem's "
		    "usrloc keeps contacts in memory only (db_mode 0); "
		    "registrations are lost on restart", v->n);
		return -1;
	}
	return 0;
}

static int
ul_param_bool(const struct val *v, struct cfg_diag *d, const char *name,
    int *out)
{
	if (v->n != 0 && v->n != 1) {
		diag_error(d, "usrloc: %s must be 0 or 1, not %lld", name, v->n);
		return -1;
	}
	*out = (int)v->n;
	return 0;
}

static int
ul_param_use_domain(const struct val *v, struct cfg_diag *d)
{
	return ul_param_bool(v, d, "use_domain", &ul_use_domain);
}

static int
ul_param_desc_time_order(const struct val *v, struct cfg_diag *d)
{
	return ul_param_bool(v, d, "desc_time_order", &ul_desc_time_order);
}

static int
ul_param_timer(const struct val *v, struct cfg_diag *d)
{
	if (v->n <= 0 || v->n > 86400) {
		diag_error(d, "usrloc: timer_interval must be 1..86400 seconds, "
		    "not %lld", v->n);
		return -1;
	}
	ul_timer_interval = (int)v->n;
	return 0;
}

static int
ul_param_hash_size(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 1 || v->n > 20) {
		diag_error(d, "usrloc: hash_size is a power of two exponent, "
		    "1..20, not %lld", v->n);
		return -1;
	}
	ul_hash_size = (int)v->n;
	return 0;
}

static int
ul_param_cseq_delay(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 0 || v->n > 3600) {
		diag_error(d, "usrloc: cseq_delay must be 0..3600 seconds, "
		    "not %lld", v->n);
		return -1;
	}
	ul_cseq_delay = (int)v->n;
	return 0;
}

static int
ul_param_matching_mode(const struct val *v, struct cfg_diag *d)
{
	if (v->n != 0) {
		diag_error(d, "usrloc: matching_mode %lld is not supported; "
		    "contacts are matched by URI only (matching_mode 0)", v->n);
		return -1;
	}
	return 0;
}

/* A database URL means nothing without a database: accepted (configs
 * carry it for other modes) but said to be unused. */
static int
ul_param_db_url(const struct val *v, struct cfg_diag *d)
{
	diag_warn(d, "usrloc: db_url \"%.*s\" is not used: Tandem's usrloc "
	    "keeps contacts in memory only", STR_FMT(&v->s));
	return 0;
}

static int
ul_param_preload(const struct val *v, struct cfg_diag *d)
{
	char name[128];

	if (v->s.len == 0 || v->s.len >= sizeof(name)) {
		diag_error(d, "usrloc: preload: bad table name");
		return -1;
	}
	memcpy(name, v->s.s, v->s.len);
	name[v->s.len] = '\0';
	if (ul_register_domain(name) == NULL) {
		diag_error(d, "usrloc: preload: cannot add table '%s'", name);
		return -1;
	}
	return 0;
}

static const struct param_export ul_params[] = {
	{ .name = "db_mode", .type = PARAM_INT, .set = ul_param_db_mode },
	{ .name = "use_domain", .type = PARAM_INT,
	  .set = ul_param_use_domain },
	{ .name = "timer_interval", .type = PARAM_INT, .set = ul_param_timer },
	{ .name = "hash_size", .type = PARAM_INT, .set = ul_param_hash_size },
	{ .name = "cseq_delay", .type = PARAM_INT,
	  .set = ul_param_cseq_delay },
	{ .name = "desc_time_order", .type = PARAM_INT,
	  .set = ul_param_desc_time_order },
	{ .name = "matching_mode", .type = PARAM_INT,
	  .set = ul_param_matching_mode },
	{ .name = "timer_procs", .type = PARAM_INT, .var = &ul_timer_procs },
	{ .name = "db_url", .type = PARAM_STR, .set = ul_param_db_url },
	{ .name = "preload", .type = PARAM_STR, .set = ul_param_preload },
	{ .name = NULL },
};

/* --- init -------------------------------------------------------------- */

static void
ul_timer_tick(void *arg)
{
	(void)arg;
	for (int i = 0; i < ul_ndomains; i++) {
		long n;

		if (ul_domains[i].t == NULL)
			continue;
		n = ul_table_expire(ul_domains[i].t);
		if (n > 0)
			log_dbg("usrloc '%s': %ld expired contact%s removed",
			    ul_domains[i].name, n, n == 1 ? "" : "s");
	}
	ul_stats_sync();
}

static void
ul_destroy(void)
{
	for (int i = 0; i < ul_ndomains; i++) {
		ul_table_destroy(ul_domains[i].t);
		ul_domains[i].t = NULL;
	}
}

static int
ul_init(void)
{
	for (int i = 0; i < ul_ndomains; i++) {
		struct ul_table *t = ul_table_create(ul_domains[i].name,
		    (unsigned)ul_hash_size);

		if (t == NULL)
			goto fail;
		t->time_order = ul_desc_time_order;
		ul_domains[i].t = t;
	}
	if (ul_stats_init() == -1) {
		log_errx("usrloc: cannot register the statistics");
		goto fail;
	}
	if (timer_register("usrloc expiry", (unsigned)ul_timer_interval * 1000u,
	    ul_timer_tick, NULL) == -1) {
		log_errx("usrloc: cannot register the expiry timer");
		goto fail;
	}
	if (ul_timer_procs > 0)
		log_info("usrloc: timer_procs %d ignored: the core timer "
		    "process runs the expiry", ul_timer_procs);
	ul_initialized = 1;
	return 0;

fail:
	ul_destroy();
	return -1;
}

/* The names are private memory made at config time, also under
 * `tandem -c` where destroy never runs. */
__attribute__((destructor)) static void
ul_unload(void)
{
	for (int i = 0; i < ul_ndomains; i++) {
		free(ul_domains[i].name);
		ul_domains[i].name = NULL;
	}
	ul_ndomains = 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "usrloc",
	.version = PACKAGE_VERSION,
	.params = ul_params,
	.rpcs = ul_rpc_exports,
	.api = &ul_api,
	.api_version = USRLOC_API_VERSION,
	.init = ul_init,
	.destroy = ul_destroy,
};
