/*
 * ul_rpc.c - the ul.* RPC methods of Kamailio 5.6's usrloc (dump,
 * lookup, rm, rm_contact, flush, add) with its reply shapes.  They run
 * in the process serving the request (ctl, mi_fifo) on the shared
 * tables; ul.db_* answer that there is no database.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "ul_mod.h"

#define UL_NOT_SET "[not set]"

struct ul_dump_ctx {
	struct rpc_call  *c;
	int               brief;
	long long         now;
};

static void
add_str_or_unset(struct rpc_call *c, const char *name, const str_t *s)
{
	if (s->len == 0)
		rpc_add_cstr(c, name, UL_NOT_SET);
	else
		rpc_add_str(c, name, s);
}

static void
add_contact(struct rpc_call *c, const struct ul_contact_info *ci,
    long long now)
{
	rpc_struct_begin(c, "Contact");
	rpc_add_str(c, "Address", &ci->c);
	if (ci->expires == 0)
		rpc_add_cstr(c, "Expires", "permanent");
	else
		rpc_add_int(c, "Expires", ci->expires - now);
	/* as Kamailio: an unset q is the integer -1 (kamcmd shows a
	 * negative BINRPC double as a huge unsigned number) */
	if (ci->q < 0)
		rpc_add_int(c, "Q", -1);
	else
		rpc_add_double(c, "Q", ci->q / 1000.0);
	rpc_add_str(c, "Call-ID", &ci->callid);
	rpc_add_int(c, "CSeq", ci->cseq);
	add_str_or_unset(c, "User-Agent", &ci->user_agent);
	add_str_or_unset(c, "Received", &ci->received);
	add_str_or_unset(c, "Path", &ci->path);
	rpc_add_int(c, "Flags", ci->flags);
	rpc_add_int(c, "CFlags", ci->cflags);
	add_str_or_unset(c, "Socket", &ci->sock);
	/* a signed 32-bit number as Kamailio shows it: -1 is every method */
	rpc_add_int(c, "Methods", (int32_t)ci->methods);
	add_str_or_unset(c, "Instance", &ci->instance);
	rpc_add_int(c, "Reg-Id", ci->reg_id);
	rpc_add_int(c, "Tcpconn-Id", ci->conn_id ? (long long)ci->conn_id :
	    -1);
	rpc_add_int(c, "Last-Modified", ci->last_modified);
	rpc_struct_end(c);
}

static void
add_contacts(struct rpc_call *c, const struct ul_contacts *cs, long long now)
{
	rpc_array_begin(c, "Contacts");
	for (int i = 0; i < cs->n; i++) {
		rpc_struct_begin(c, NULL);
		add_contact(c, &cs->v[i], now);
		rpc_struct_end(c);
	}
	rpc_array_end(c);
}

static void
dump_aor(void *ctx, const str_t *aor, const struct ul_contacts *cs)
{
	struct ul_dump_ctx *x = ctx;

	rpc_struct_begin(x->c, NULL);
	rpc_struct_begin(x->c, "Info");
	rpc_add_str(x->c, "AoR", aor);
	if (x->brief) {
		rpc_array_begin(x->c, "Contacts");
		for (int i = 0; i < cs->n; i++)
			rpc_add_str(x->c, NULL, &cs->v[i].c);
		rpc_array_end(x->c);
	} else {
		add_contacts(x->c, cs, x->now);
	}
	rpc_struct_end(x->c);
	rpc_struct_end(x->c);
}

static void
ul_rpc_dump(struct rpc_call *c)
{
	struct ul_dump_ctx x = { .c = c, .now = ul_now() };
	struct arena a;
	str_t opt;

	if (rpc_arg_str_opt(c, 0, &opt)) {
		if (!str_eq_cstr(&opt, "brief")) {
			rpc_fault(c, 500, "Unknown option: %.*s", STR_FMT(&opt));
			return;
		}
		x.brief = 1;
	}
	arena_init(&a, 0);
	rpc_struct_begin(c, NULL);
	rpc_array_begin(c, "Domains");
	for (int i = 0; i < ul_domain_count(); i++) {
		struct ul_domain *d = ul_domain_at(i);
		long n = 0;

		if (d->t == NULL)
			continue;
		rpc_struct_begin(c, NULL);
		rpc_struct_begin(c, "Domain");
		rpc_add_cstr(c, "Domain", d->name);
		rpc_add_int(c, "Size", d->t->nslots);
		rpc_array_begin(c, "AoRs");
		n = ul_table_walk(d->t, &a, dump_aor, &x);
		rpc_array_end(c);
		rpc_struct_begin(c, "Stats");
		rpc_add_int(c, "Records", n < 0 ? 0 : n);
		rpc_add_int(c, "Contacts", __atomic_load_n(&d->t->contacts,
		    __ATOMIC_RELAXED));
		rpc_struct_end(c);
		rpc_struct_end(c);
		rpc_struct_end(c);
	}
	rpc_array_end(c);
	rpc_struct_end(c);
	arena_free(&a);
}

/*
 * The table (argument 0) and AOR (argument 1) of a call that needs
 * nargs arguments.  0, or -1 with a fault set.
 */
static int
ul_rpc_target(struct rpc_call *c, int nargs, struct ul_domain **d,
    str_t *aor)
{
	str_t name;

	if (rpc_arg_count(c) < nargs) {
		rpc_fault(c, 500, "Not enough parameters (table and AOR%s)",
		    nargs > 2 ? " and more" : "");
		return -1;
	}
	if (rpc_arg_str(c, 0, &name) == -1 || rpc_arg_str(c, 1, aor) == -1)
		return -1;
	if ((*d = ul_domain_find(&name)) == NULL || (*d)->t == NULL) {
		rpc_fault(c, 500, "Domain table not found");
		return -1;
	}
	if (ul_mod_use_domain() && str_chr(aor, '@') == NULL) {
		rpc_fault(c, 500, "Domain missing in AOR");
		return -1;
	}
	return 0;
}

static void
ul_rpc_lookup(struct rpc_call *c)
{
	struct ul_contacts cs;
	struct ul_domain *d;
	struct arena a;
	str_t aor;
	int rc;

	if (ul_rpc_target(c, 2, &d, &aor) == -1)
		return;
	arena_init(&a, 0);
	rc = ul_table_lookup(d->t, &aor, &a, &cs);
	if (rc == 1) {
		rpc_struct_begin(c, NULL);
		rpc_add_str(c, "AoR", &aor);
		add_contacts(c, &cs, ul_now());
		rpc_struct_end(c);
	} else if (rc == 0) {
		rpc_fault(c, 404, "AOR not found in location table");
	} else {
		rpc_fault(c, 500, "Out of memory");
	}
	arena_free(&a);
}

static void
ul_rpc_rm(struct rpc_call *c)
{
	struct ul_domain *d;
	str_t aor;

	if (ul_rpc_target(c, 2, &d, &aor) == -1)
		return;
	if (ul_table_delete_aor(d->t, &aor) == 0) {
		rpc_fault(c, 404, "AOR not found in location table");
		return;
	}
	ul_stats_sync();
	rpc_add_cstr(c, NULL, "ok");
}

static void
ul_rpc_rm_contact(struct rpc_call *c)
{
	struct ul_domain *d;
	str_t aor, contact;

	if (ul_rpc_target(c, 3, &d, &aor) == -1 ||
	    rpc_arg_str(c, 2, &contact) == -1)
		return;
	if (ul_table_delete_contact(d->t, &aor, &contact) == 0) {
		rpc_fault(c, 404, "Contact not found");
		return;
	}
	ul_stats_sync();
	rpc_add_cstr(c, NULL, "ok");
}

static void
ul_rpc_flush(struct rpc_call *c)
{
	for (int i = 0; i < ul_domain_count(); i++)
		if (ul_domain_at(i)->t != NULL)
			ul_table_flush(ul_domain_at(i)->t);
	ul_stats_sync();
	rpc_add_cstr(c, NULL, "ok");
}

/* "0.5" -> 500; 0 or -1. */
static int
ul_rpc_q(const str_t *s, int *q)
{
	char buf[32], *end;
	double v;

	if (s->len == 0 || s->len >= sizeof(buf))
		return -1;
	memcpy(buf, s->s, s->len);
	buf[s->len] = '\0';
	v = strtod(buf, &end);
	if (*end != '\0')
		return -1;
	if (v < 0) {
		*q = UL_Q_UNSET;
		return 0;
	}
	if (v > 1)
		return -1;
	*q = (int)(v * 1000 + 0.5);
	return 0;
}

/* ul.add table AOR contact expires q path flags cflags methods */
static void
ul_rpc_add(struct rpc_call *c)
{
	struct ul_contact_info ci;
	long long expires, flags = 0, cflags = 0, methods = -1;
	struct ul_domain *d;
	str_t aor, q, path = STR_NULL;

	memset(&ci, 0, sizeof(ci));
	if (ul_rpc_target(c, 5, &d, &aor) == -1 ||
	    rpc_arg_str(c, 2, &ci.c) == -1 ||
	    rpc_arg_int(c, 3, &expires) == -1 || rpc_arg_str(c, 4, &q) == -1)
		return;
	if ((rpc_arg_count(c) > 5 && rpc_arg_str(c, 5, &path) == -1) ||
	    (rpc_arg_count(c) > 6 && rpc_arg_int(c, 6, &flags) == -1) ||
	    (rpc_arg_count(c) > 7 && rpc_arg_int(c, 7, &cflags) == -1) ||
	    (rpc_arg_count(c) > 8 && rpc_arg_int(c, 8, &methods) == -1))
		return;
	if (ci.c.len == 0 || expires < 0 || ul_rpc_q(&q, &ci.q) == -1) {
		rpc_fault(c, 500, "Invalid contact, expires or q value");
		return;
	}
	/* omitted or -1: every method, as a REGISTER without Allow */
	ci.methods = (unsigned)(uint32_t)methods;
	/* Kamailio: "0" or "." means no path */
	if (path.len == 1 && (path.s[0] == '0' || path.s[0] == '.'))
		path = STR_NULL;
	ci.path = path;
	ci.expires = expires == 0 ? 0 : ul_now() + expires;
	ci.callid = STR_LIT("dfjrewr12386fd6-343@kamailio.mi");
	ci.cseq = 1;
	ci.user_agent = STR_LIT("SIP Router MI Server");
	ci.flags = (unsigned)flags;
	ci.cflags = (unsigned)cflags;
	if (ul_table_put(d->t, &aor, &ci) == -1) {
		rpc_fault(c, 500, "Failed to insert the contact");
		return;
	}
	ul_stats_sync();
	rpc_add_cstr(c, NULL, "ok");
}

static void
ul_rpc_no_db(struct rpc_call *c)
{
	rpc_fault(c, 500, "no database: Tandem's usrloc keeps contacts in "
	    "memory only (db_mode 0)");
}

const struct rpc_export ul_rpc_exports[] = {
	{ .name = "ul.dump", .fn = ul_rpc_dump, .args = "[brief]",
	  .help = "Dump user location tables" },
	{ .name = "ul.lookup", .fn = ul_rpc_lookup, .args = "table AOR",
	  .help = "Lookup contacts in location table" },
	{ .name = "ul.rm", .fn = ul_rpc_rm, .args = "table AOR",
	  .help = "Delete AOR from location table" },
	{ .name = "ul.rm_contact", .fn = ul_rpc_rm_contact,
	  .args = "table AOR contact",
	  .help = "Delete a contact from an AOR record" },
	{ .name = "ul.flush", .fn = ul_rpc_flush, .args = "",
	  .help = "Remove every record from the location tables" },
	{ .name = "ul.add", .fn = ul_rpc_add,
	  .args = "table AOR contact expires q [path flags cflags methods]",
	  .help = "Add a new contact for an address of record (expires 0: "
	          "permanent)" },
	{ .name = "ul.db_users", .fn = ul_rpc_no_db, .args = "table",
	  .help = "Not available: no database (db_mode 0 only)" },
	{ .name = "ul.db_contacts", .fn = ul_rpc_no_db, .args = "table",
	  .help = "Not available: no database (db_mode 0 only)" },
	{ .name = "ul.db_expired_contacts", .fn = ul_rpc_no_db,
	  .args = "table",
	  .help = "Not available: no database (db_mode 0 only)" },
	{ .name = NULL },
};
