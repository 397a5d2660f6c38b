/*
 * kex_rpc.c - the statistics RPCs, with Kamailio's reply shapes:
 *
 *   stats.get_statistics all | group: | name ...
 *       one string per statistic, "group:name = value"
 *   stats.clear_statistics ...   "group:name = new (old)", then zeroed
 *   stats.reset_statistics ...   zeroed, no reply
 *   stats.fetch ...              struct { "group.name": "value" }
 *   stats.fetchn ...             struct { "group.name": value }
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/rpc.h"
#include "kex_rpc.h"
#include "kex_stats.h"

#define LINE_MAX_LEN 160

/* Runs fn over the statistics every argument selects.  0, or -1 with
 * the call failed. */
static int
for_each_arg(struct rpc_call *c, kex_stat_fn fn, const char *missing)
{
	int argc = rpc_arg_count(c);
	str_t sel;

	if (argc < 1) {
		rpc_fault(c, 400, "%s", missing);
		return -1;
	}
	kex_stats_shm_refresh();
	for (int i = 0; i < argc; i++) {
		if (rpc_arg_str(c, i, &sel) != 0)
			return -1;
		if (kex_stats_select(&sel, fn, c) < 0) {
			rpc_fault(c, 500, "out of memory");
			return -1;
		}
	}
	return 0;
}

static void
add_line(void *ctx, struct stat_var *v)
{
	char line[LINE_MAX_LEN];
	size_t n = kex_stats_line(v, stats_get(v), line, sizeof(line));
	str_t s = str_make(line, n);

	rpc_add_str(ctx, NULL, &s);
}

static void
rpc_get_statistics(struct rpc_call *c)
{
	for_each_arg(c, add_line, "Please provide which stats to retrieve");
}

static void
reset_one(void *ctx, struct stat_var *v)
{
	(void)kex_stats_clear(v);
}

static void
rpc_reset_statistics(struct rpc_call *c)
{
	for_each_arg(c, reset_one, "Please provide stats name");
}

static void
clear_one(void *ctx, struct stat_var *v)
{
	char line[LINE_MAX_LEN];
	int64_t old = kex_stats_clear(v);
	size_t n = kex_stats_line(v, stats_get(v), line, sizeof(line));
	str_t s;

	if (n < sizeof(line) - 1)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    " (%" PRId64 ")", old);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	s = str_make(line, n);
	rpc_add_str(ctx, NULL, &s);
}

static void
rpc_clear_statistics(struct rpc_call *c)
{
	for_each_arg(c, clear_one, "Please provide stats name");
}

static void
fetch_one(void *ctx, struct stat_var *v)
{
	char key[LINE_MAX_LEN], val[32];

	kex_stats_key(v, key, sizeof(key));
	snprintf(val, sizeof(val), "%" PRId64, stats_get(v));
	rpc_add_cstr(ctx, key, val);
}

static void
fetchn_one(void *ctx, struct stat_var *v)
{
	char key[LINE_MAX_LEN];

	kex_stats_key(v, key, sizeof(key));
	rpc_add_int(ctx, key, stats_get(v));
}

static void
rpc_fetch_as(struct rpc_call *c, kex_stat_fn fn)
{
	if (rpc_arg_count(c) < 1) {
		rpc_fault(c, 400, "Please provide which stats to retrieve");
		return;
	}
	rpc_struct_begin(c, NULL);
	if (for_each_arg(c, fn, "") == 0)
		rpc_struct_end(c);
}

static void
rpc_fetch(struct rpc_call *c)
{
	rpc_fetch_as(c, fetch_one);
}

static void
rpc_fetchn(struct rpc_call *c)
{
	rpc_fetch_as(c, fetchn_one);
}

const struct rpc_export kex_rpcs[] = {
	{ "stats.get_statistics", rpc_get_statistics,
	  "all | group: | [group:]name ...",
	  "get core and modules stats" },
	{ "stats.reset_statistics", rpc_reset_statistics,
	  "all | group: | [group:]name ...",
	  "reset core and modules stats (silent operation)" },
	{ "stats.clear_statistics", rpc_clear_statistics,
	  "all | group: | [group:]name ...",
	  "clear core and modules stats (verbose operation)" },
	{ "stats.fetch", rpc_fetch, "all | group: | [group:]name ...",
	  "fetch core and modules stats as string values" },
	{ "stats.fetchn", rpc_fetchn, "all | group: | [group:]name ...",
	  "fetch core and modules stats as number values" },
	{ NULL, NULL, NULL, NULL },
};
