/*
 * tm_rpc.c - tm.stats, tm.list and tm.t_uac_start.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "core/xalloc.h"
#include "modules/sl/sl_msg.h"
#include "tm_cell.h"

static long long
tm_st(const uint64_t *v)
{
	return (long long)__atomic_load_n(v, __ATOMIC_RELAXED);
}

static void
tm_rpc_stats(struct rpc_call *c)
{
	const struct tm_stats *s = &tm_tab->st;
	char name[8];

	rpc_struct_begin(c, NULL);
	rpc_add_int(c, "current", tm_st(&s->current));
	rpc_add_int(c, "waiting", tm_st(&s->waiting));
	rpc_add_int(c, "total", tm_st(&s->total));
	rpc_add_int(c, "total_local", tm_st(&s->total_local));
	rpc_add_int(c, "rpl_received", tm_st(&s->rpl_received));
	rpc_add_int(c, "rpl_generated", tm_st(&s->rpl_generated));
	rpc_add_int(c, "rpl_sent", tm_st(&s->rpl_sent));
	for (int i = 6; i >= 2; i--) {
		snprintf(name, sizeof(name), "%dxx", i);
		rpc_add_int(c, name, tm_st(&s->cls[i]));
	}
	rpc_add_int(c, "created", tm_st(&s->total));
	rpc_add_int(c, "freed", tm_st(&s->freed));
	rpc_add_int(c, "retransmissions", tm_st(&s->retransmissions));
	rpc_add_int(c, "timeouts", tm_st(&s->timeouts));
	rpc_struct_end(c);
}

/* One transaction's summary, copied under its slot lock. */
struct tm_row {
	char       method[32], callid[128], cseq[16], ruri[160];
	long long  id;
	int        status, uac_code, local, waiting;
	unsigned   slot;
	long long  age_ms;
};

static void
tm_copy(char *dst, size_t cap, const str_t *s)
{
	snprintf(dst, cap, "%.*s", (int)(s->len < cap ? s->len : cap - 1),
	    s->s ? s->s : "");
}

static void
tm_rpc_list(struct rpc_call *c)
{
	uint64_t now = tm_now();
	struct tm_row row;

	rpc_array_begin(c, NULL);
	for (uint32_t s = 0; s < tm_tab->size; s++) {
		struct tm_row *rows = NULL;
		int n = 0, cap = 0;

		tm_lock(s);
		for (struct tm_cell *t = tm_tab->slots[s].head; t;
		    t = t->next) {
			if (n == cap) {
				struct tm_row *nr = xrealloc(rows,
				    (size_t)(cap ? cap * 2 : 8) * sizeof(row));

				if (nr == NULL)
					break;
				rows = nr;
				cap = cap ? cap * 2 : 8;
			}
			memset(&rows[n], 0, sizeof(row));
			tm_copy(rows[n].method, sizeof(row.method),
			    &t->key.method);
			tm_copy(rows[n].callid, sizeof(row.callid),
			    &t->key.callid);
			tm_copy(rows[n].cseq, sizeof(row.cseq), &t->key.cseq_num);
			tm_copy(rows[n].ruri, sizeof(row.ruri), &t->key.ruri);
			rows[n].id = (long long)t->id;
			rows[n].slot = s;
			rows[n].status = t->status;
			rows[n].uac_code = t->uac_code;
			rows[n].local = !!(t->flags & TM_F_LOCAL);
			rows[n].waiting = t->wt_at != 0;
			rows[n].age_ms = (long long)(now - t->created);
			n++;
		}
		tm_unlock(s);
		for (int i = 0; i < n; i++) {
			rpc_struct_begin(c, NULL);
			rpc_add_int(c, "id", rows[i].id);
			rpc_add_int(c, "slot", rows[i].slot);
			rpc_add_cstr(c, "method", rows[i].method);
			rpc_add_cstr(c, "ruri", rows[i].ruri);
			rpc_add_cstr(c, "callid", rows[i].callid);
			rpc_add_cstr(c, "cseq", rows[i].cseq);
			rpc_add_int(c, "status", rows[i].status);
			rpc_add_int(c, "branch_status", rows[i].uac_code);
			rpc_add_int(c, "local", rows[i].local);
			rpc_add_int(c, "waiting", rows[i].waiting);
			rpc_add_int(c, "age_ms", rows[i].age_ms);
			rpc_struct_end(c);
		}
		xfree(rows);
	}
	rpc_array_end(c);
}

/* The outcome of a tm.t_uac_start request, in the log. */
static void
tm_rpc_uac_done(int code, uint64_t param)
{
	log_info("tm: t_uac_start request %llu completed with %d",
	    (unsigned long long)param, code);
}

/* Takes the From and To lines out of hdrs (into pkg copies). */
static int
tm_split_hdrs(const str_t *hdrs, str_t *from, str_t *to, str_t *rest)
{
	char *buf = xmalloc(hdrs->len + 3);
	const char *p = hdrs->s, *end = hdrs->s + hdrs->len;
	size_t n = 0;

	if (buf == NULL)
		return -1;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *le = e ? e + 1 : end;
		str_t line = str_make(p, (size_t)(le - p)), name, val;
		const char *colon = memchr(p, ':', (size_t)(le - p));

		str_trim(&line);
		if (colon && line.len) {
			name = str_make(p, (size_t)(colon - p));
			str_trim(&name);
			val = str_make(colon + 1, (size_t)(le - colon - 1));
			str_trim(&val);
			if (str_caseeq_cstr(&name, "From") ||
			    str_caseeq_cstr(&name, "f")) {
				*from = val;
			} else if (str_caseeq_cstr(&name, "To") ||
			    str_caseeq_cstr(&name, "t")) {
				*to = val;
			} else {
				memcpy(buf + n, line.s, line.len);
				n += line.len;
				buf[n++] = '\r';
				buf[n++] = '\n';
			}
		}
		p = le;
	}
	*rest = str_make(buf, n);
	return 0;
}

static int
tm_rpc_opt(struct rpc_call *c, int i, str_t *out)
{
	*out = STR_NULL;
	if (rpc_arg_str_opt(c, i, out) != 1 || (out->len == 1 &&
	    out->s[0] == '.'))
		*out = STR_NULL;
	return 0;
}

/* tm.t_uac_start method ruri [nexthop [socket [headers [body]]]] */
static void
tm_rpc_uac_start(struct rpc_call *c)
{
	static uint64_t seq;
	struct tm_uac_req r;
	str_t sock, hdrs, from = STR_NULL, to = STR_NULL, rest = STR_NULL;
	uint64_t id;

	memset(&r, 0, sizeof(r));
	if (rpc_arg_str(c, 0, &r.method) < 0 || rpc_arg_str(c, 1, &r.ruri) < 0)
		return;
	tm_rpc_opt(c, 2, &r.next_hop);
	tm_rpc_opt(c, 3, &sock);
	tm_rpc_opt(c, 4, &hdrs);
	tm_rpc_opt(c, 5, &r.body);
	if (sock.len)
		log_warnx("tm.t_uac_start: the socket argument is ignored; "
		    "the listen socket follows the destination");
	if (hdrs.len && tm_split_hdrs(&hdrs, &from, &to, &rest) < 0) {
		rpc_fault(c, 500, "out of memory");
		return;
	}
	if (from.len == 0) {
		rpc_fault(c, 400, "the headers must hold a From header");
		xfree(rest.s);
		return;
	}
	r.from = from;
	r.to = to.len ? to : r.ruri;
	r.hdrs = rest;
	id = ++seq + ((uint64_t)getpid() << 32);
	if (tm_uac(&r, tm_rpc_uac_done, id) < 0) {
		rpc_fault(c, 500, "the request could not be sent");
	} else {
		rpc_struct_begin(c, NULL);
		rpc_add_int(c, "id", (long long)id);
		rpc_struct_end(c);
	}
	xfree(rest.s);
}

const struct rpc_export tm_rpcs[] = {
	{ .name = "tm.stats", .fn = tm_rpc_stats, .args = "",
	  .help = "Print transaction statistics." },
	{ .name = "tm.list", .fn = tm_rpc_list, .args = "",
	  .help = "List the transactions in memory." },
	{ .name = "tm.t_uac_start", .fn = tm_rpc_uac_start,
	  .args = "method ruri [nexthop [socket [headers [body]]]]",
	  .help = "Send a new non-INVITE request statefully; its outcome is "
	    "logged." },
	{ .name = NULL },
};
