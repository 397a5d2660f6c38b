/*
 * ht_rpc.c - the htable.* RPC methods, with the reply shapes and texts
 * kamcmd prints for Kamailio 5.6's htable module.  They run in the
 * process serving the request (ctl, mi_fifo) on the shared tables.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "ht_reg.h"
#include "ht_rpc.h"

#define HT_NO_TABLE   "No such htable"
#define HT_OK_SET     "Ok. Key set to new value."

/* The table named by argument 0; NULL with a fault set. */
static struct ht_table *
ht_rpc_table(struct rpc_call *c, const char *missing)
{
	struct ht_table *t;
	str_t name;

	if (!rpc_arg_str_opt(c, 0, &name)) {
		rpc_fault(c, 500, "%s", missing);
		return NULL;
	}
	if ((t = ht_reg_lookup(&name)) == NULL)
		rpc_fault(c, 500, HT_NO_TABLE);
	return t;
}

/*
 * The table and key of arguments 0 and 1, checking that the call has
 * at least nargs arguments.  0, or -1 with a fault set.
 */
static int
ht_rpc_target(struct rpc_call *c, int nargs, const char *missing,
    struct ht_table **t, str_t *key)
{
	if (rpc_arg_count(c) < nargs) {
		rpc_fault(c, 500, "%s", missing);
		return -1;
	}
	if ((*t = ht_rpc_table(c, missing)) == NULL)
		return -1;
	return rpc_arg_str(c, 1, key);
}

/* Kamailio prints an expiry as local time, or NEVER. */
static void
ht_rpc_add_expire(struct rpc_call *c, long long in_ms)
{
	char buf[64];
	time_t when;
	struct tm tm;

	if (in_ms <= 0) {
		rpc_add_cstr(c, "expire", "NEVER");
		return;
	}
	when = time(NULL) + (time_t)((in_ms + 999) / 1000);
	if (localtime_r(&when, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		rpc_add_int(c, "expire", (long long)when);
		return;
	}
	rpc_add_cstr(c, "expire", buf);
}

static void
ht_rpc_get(struct rpc_call *c)
{
	struct ht_table *t;
	struct ht_value v;
	struct arena a;
	long long exp_ms = 0;
	str_t key;
	int rc;

	if (ht_rpc_target(c, 2, "Not enough parameters (htable name and key "
	    "name)", &t, &key) == -1)
		return;
	arena_init(&a, 0);
	rc = ht_table_get_ex(t, &key, &a, &v, &exp_ms);
	if (rc == 1) {
		rpc_struct_begin(c, NULL);
		rpc_struct_begin(c, "item");
		rpc_add_str(c, "name", &key);
		if (v.type == HT_STR)
			rpc_add_str(c, "value", &v.s);
		else
			rpc_add_int(c, "value", v.n);
		/* Kamailio's AVP flags: 2 marks a string value */
		rpc_add_int(c, "flags", v.type == HT_STR ? 2 : 0);
		ht_rpc_add_expire(c, exp_ms);
		rpc_struct_end(c);
		rpc_struct_end(c);
	} else if (rc == 0) {
		rpc_fault(c, 500, "Key name doesn't exist in htable.");
	} else {
		rpc_fault(c, 500, "out of memory");
	}
	arena_free(&a);
}

/* sets / seti / setxs / setxi: value in argument 2, expiry in 3. */
static void
ht_rpc_set(struct rpc_call *c, int is_int, int with_expire)
{
	struct ht_value v = { .type = is_int ? HT_INT : HT_STR };
	struct ht_table *t;
	long long secs = 0;
	str_t key;

	if (ht_rpc_target(c, with_expire ? 4 : 3, "Not enough parameters "
	    "(htable name, key name and value)", &t, &key) == -1)
		return;
	if (is_int ? rpc_arg_int(c, 2, &v.n) : rpc_arg_str(c, 2, &v.s))
		return;
	if (with_expire && rpc_arg_int(c, 3, &secs) == -1)
		return;
	if (secs < 0) {
		rpc_fault(c, 400, "the expire must be >= 0");
		return;
	}
	if (ht_table_set(t, &key, &v) == -1) {
		rpc_fault(c, 500, "Cannot set the key (no shared memory)");
		return;
	}
	if (with_expire)
		ht_table_set_expire(t, &key, secs);
	rpc_add_cstr(c, NULL, HT_OK_SET);
}

static void
ht_rpc_sets(struct rpc_call *c)
{
	ht_rpc_set(c, 0, 0);
}

static void
ht_rpc_seti(struct rpc_call *c)
{
	ht_rpc_set(c, 1, 0);
}

static void
ht_rpc_setxs(struct rpc_call *c)
{
	ht_rpc_set(c, 0, 1);
}

static void
ht_rpc_setxi(struct rpc_call *c)
{
	ht_rpc_set(c, 1, 1);
}

static void
ht_rpc_setex(struct rpc_call *c)
{
	struct ht_table *t;
	long long secs;
	str_t key;

	if (ht_rpc_target(c, 3, "Not enough parameters (htable name, item "
	    "name and expire)", &t, &key) == -1 ||
	    rpc_arg_int(c, 2, &secs) == -1)
		return;
	if (secs < 0) {
		rpc_fault(c, 400, "the expire must be >= 0");
		return;
	}
	/* like Kamailio: a missing item or a table without autoexpire is
	 * not an error */
	ht_table_set_expire(t, &key, secs);
	rpc_add_cstr(c, NULL, "Ok");
}

static void
ht_rpc_delete(struct rpc_call *c)
{
	struct ht_table *t;
	str_t key;

	if (ht_rpc_target(c, 2, "Not enough parameters (htable name & key "
	    "name)", &t, &key) == -1)
		return;
	if (ht_table_del(t, &key) == 0) {
		rpc_fault(c, 404, "Key not found in htable.");
		return;
	}
	rpc_add_cstr(c, NULL, "Ok. Key deleted.");
}

/* --- dump -------------------------------------------------------------- */

static void
ht_dump_slot_begin(void *ctx, unsigned slot, unsigned count)
{
	struct rpc_call *c = ctx;

	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "entry", slot);
	rpc_add_int(c, "size", count);
	rpc_array_begin(c, "slot");
}

static void
ht_dump_item(void *ctx, const struct ht_item_view *it)
{
	struct rpc_call *c = ctx;

	rpc_struct_begin(c, NULL);
	rpc_add_str(c, "name", &it->name);
	if (it->value.type == HT_STR) {
		rpc_add_str(c, "value", &it->value.s);
		rpc_add_cstr(c, "type", "str");
	} else {
		rpc_add_int(c, "value", it->value.n);
		rpc_add_cstr(c, "type", "int");
	}
	rpc_struct_end(c);
}

static void
ht_dump_slot_end(void *ctx, unsigned slot)
{
	struct rpc_call *c = ctx;

	rpc_array_end(c);
	rpc_struct_end(c);
}

static void
ht_rpc_dump(struct rpc_call *c)
{
	static const struct ht_walk_ops ops = {
		.slot_begin = ht_dump_slot_begin,
		.item = ht_dump_item,
		.slot_end = ht_dump_slot_end,
	};
	struct ht_table *t = ht_rpc_table(c, "No htable name given");

	if (t != NULL)
		ht_table_walk(t, &ops, c);
}

static void
ht_rpc_flush(struct rpc_call *c)
{
	struct ht_table *t = ht_rpc_table(c, "No htable name given");

	if (t == NULL)
		return;
	ht_table_reset(t);
	rpc_add_cstr(c, NULL, "Ok. Htable flushed.");
}

/* --- tables ------------------------------------------------------------ */

/* Kamailio lists the most recently defined table first. */
static void
ht_rpc_list_tables(struct rpc_call *c)
{
	for (unsigned i = ht_reg_count(); i-- > 0;) {
		struct ht_table *t = ht_reg_table((int)i);

		if (t == NULL)
			continue;
		rpc_struct_begin(c, NULL);
		rpc_add_cstr(c, "name", t->name);
		rpc_add_cstr(c, "dbtable", "");
		rpc_add_int(c, "dbmode", 0);
		rpc_add_int(c, "expire", t->autoexpire);
		rpc_add_int(c, "updateexpire", t->updateexpire);
		rpc_add_int(c, "size", t->nslots);
		rpc_add_int(c, "dmqreplicate", 0);
		rpc_struct_end(c);
	}
}

static void
ht_rpc_stats(struct rpc_call *c)
{
	for (unsigned i = ht_reg_count(); i-- > 0;) {
		struct ht_table *t = ht_reg_table((int)i);
		struct ht_stats st;

		if (t == NULL)
			continue;
		ht_table_stats(t, &st);
		rpc_struct_begin(c, NULL);
		rpc_add_cstr(c, "name", t->name);
		rpc_add_int(c, "slots", st.slots);
		rpc_add_int(c, "all", st.all);
		rpc_add_int(c, "min", st.min);
		rpc_add_int(c, "max", st.max);
		rpc_struct_end(c);
	}
}

/* reload / store need a database, which Tandem does not have. */
static void
ht_rpc_no_db(struct rpc_call *c)
{
	rpc_fault(c, 500, "No htable db_url (Tandem has no database "
	    "support)");
}

const struct rpc_export ht_rpc_exports[] = {
	{ .name = "htable.get", .fn = ht_rpc_get, .args = "table key",
	  .help = "Get one key from a hash table." },
	{ .name = "htable.sets", .fn = ht_rpc_sets, .args = "table key value",
	  .help = "Set one key in a hash table to a string value." },
	{ .name = "htable.seti", .fn = ht_rpc_seti, .args = "table key int",
	  .help = "Set one key in a hash table to an integer value." },
	{ .name = "htable.setxs", .fn = ht_rpc_setxs,
	  .args = "table key value expire",
	  .help = "Set one key in a hash table to a string value and its "
	  "expire (seconds)." },
	{ .name = "htable.setxi", .fn = ht_rpc_setxi,
	  .args = "table key int expire",
	  .help = "Set one key in a hash table to an integer value and its "
	  "expire (seconds)." },
	{ .name = "htable.setex", .fn = ht_rpc_setex,
	  .args = "table key expire",
	  .help = "Set the expire (seconds) of one key in a hash table." },
	{ .name = "htable.delete", .fn = ht_rpc_delete, .args = "table key",
	  .help = "Delete one key from a hash table." },
	{ .name = "htable.dump", .fn = ht_rpc_dump, .args = "table",
	  .help = "Dump the contents of hash table." },
	{ .name = "htable.flush", .fn = ht_rpc_flush, .args = "table",
	  .help = "Flush hash table." },
	{ .name = "htable.listTables", .fn = ht_rpc_list_tables, .args = "",
	  .help = "List all htables." },
	{ .name = "htable.stats", .fn = ht_rpc_stats, .args = "",
	  .help = "Statistics about htables." },
	{ .name = "htable.reload", .fn = ht_rpc_no_db, .args = "table",
	  .help = "Reload hash table from database (not supported: no "
	  "database)." },
	{ .name = "htable.store", .fn = ht_rpc_no_db, .args = "table",
	  .help = "Store hash table to database (not supported: no "
	  "database)." },
	{ .name = NULL },
};
