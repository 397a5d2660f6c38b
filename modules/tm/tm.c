/*
 * tm - stateful SIP transactions: t_newtran(), t_reply(), t_relay(),
 * t_on_failure() and failure_route, t_check_trans(), t_release(),
 * t_set_fr(), the tm.* RPCs and the API of tm_api.h.  This file holds
 * the exports and the script glue; the transaction layer is in
 * tm_table.c (shm table), tm_uas.c (server side), tm_uac.c (client
 * side, timers, t_uac) and tm_relay.c (t_relay).
 */
#include "config.h"

#include <string.h>

#include "core/dispatch.h"
#include "cfg/resolve.h"
#include "core/module_api.h"
#include "core/msg_edit.h"
#include "core/route.h"
#include "core/xalloc.h"
#include "tm_cell.h"

#define TM_HASH_SIZE  1024
#define TM_TICK_MS    20

struct tm_conf tm_conf;
int tm_ext = -1;

/* modparams as written; converted to ms in init (see README: units) */
static int p_fr_timer = 30000, p_fr_inv_timer = 120000, p_wt_timer = 5000;
static int p_t1 = 500, p_t2 = 4000;
/* failure_reply_mode: Kamailio's choice among the branches' replies for
 * failure_route.  With one branch per transaction every mode picks the
 * same reply, so the value is checked and nothing more. */
static int
tm_set_frm(const struct val *v, struct cfg_diag *d)
{
	long long n;

	if (val_to_int(v, &n) < 0 || n < 0 || n > 3) {
		diag_error(d, "tm: failure_reply_mode is 0, 1, 2 or 3");
		return -1;
	}
	return 0;
}

/* t_on_failure() names seen in the config, checked in init */

extern const struct rpc_export tm_rpcs[];

/* --- per-message state --------------------------------------------------------- */

static void
tm_mstate_release(void *p)
{
	struct tm_mstate *st = p;
	struct tm_cell *c = st->cell;

	tm_precheck_done(st);
	if (c) {
		tm_lock(c->slot);
		c->refcnt--;
		/* a transaction the script made but neither answered nor
		 * relayed: kept for wt_timer to absorb retransmissions */
		if (!st->failure && c->status < 200 &&
		    !(c->flags & TM_F_BRANCH) && c->wt_at == 0)
			tm_wait(c);
		tm_unlock(c->slot);
	}
	xfree(st);
}

struct tm_mstate *
tm_mstate(struct msg *m, int create)
{
	struct tm_mstate *st = m->ext[tm_ext];

	if (st == NULL && create) {
		if ((st = xcalloc(1, sizeof(*st))) == NULL)
			return NULL;
		m->ext[tm_ext] = st;
	}
	return st;
}

void
tm_run_failure(struct tm_cell *c, const struct route_def *r, int code)
{
	struct tm_mstate *st;
	struct msg fm;

	/* the request as it came in; the R-URI as it was relayed */
	msg_init(&fm, c->req, c->req_len, &c->rcv);
	if (c->ruri) {
		str_t ru = str_cstr(c->ruri);

		msg_set_ruri(&fm, &ru);
	}
	if ((st = tm_mstate(&fm, 1)) == NULL) {
		msg_destroy(&fm);
		return;
	}
	tm_lock(c->slot);
	c->refcnt++;
	fm.flags = c->msg_flags;    /* setflag() of the request route */
	/* the request route's header edits go on in the new branch */
	if (c->edits != NULL && msg_edit_unpack(&fm, c->edits,
	    c->edits_len) < 0)
		log_errx("tm: failure_route: the request route's header "
		    "changes are lost");
	tm_unlock(c->slot);
	st->cell = c;
	st->failure = 1;
	log_dbg("tm: failure_route[%s] for a %d", r->name ? r->name : "",
	    code);
	route_run(&fm, r, RT_FAILURE);
	msg_destroy(&fm);
}

/* --- script functions ------------------------------------------------------------ */

static int
tm_code_ok(long long code)
{
	return code >= 100 && code <= 699;
}

static int
tm_fix_code(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	long long n;
	int rc = arg_literal_int(a, &n);

	if (rc < 0)
		diag_error(d, "tm: status code \"%.*s\" is not a number",
		    STR_FMT(&a->text));
	else if (rc > 0 && !tm_code_ok(n))
		diag_error(d, "tm: status code %lld is out of range 100-699",
		    n);
	return rc < 0 || (rc > 0 && !tm_code_ok(n)) ? -1 : 0;
}

static int
w_t_newtran(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);

	(void)args;
	if (st == NULL)
		return -1;
	if (st->cell)
		return 1;
	return tm_trans_of(m, st);
}

static int
tm_api_reply(struct msg *m, int code, const str_t *reason)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	struct tm_cell *c;
	int rc;

	if (!tm_code_ok(code)) {
		log_errx("tm: t_reply: status code %d is out of range "
		    "100-699", code);
		return -1;
	}
	if (st == NULL)
		return -1;
	if (st->cell == NULL && (rc = tm_trans_of(m, st)) <= 0)
		return rc == 0 ? 1 : -1;  /* a retransmission: answered */
	c = st->cell;
	tm_lock(c->slot);
	c->msg_flags = m->flags;
	rc = tm_reply_own(c, code, reason);
	tm_unlock(c->slot);
	return rc;
}

static int
w_t_reply(struct msg *m, void *const *args)
{
	long long code;
	str_t reason;

	if (arg_int(m, args[0], &code) < 0 || !tm_code_ok(code)) {
		log_errx("t_reply(): bad status code (100-699 wanted)");
		return -1;
	}
	if (arg_str(m, args[1], &reason) < 0) {
		log_errx("t_reply(): cannot render the reason phrase");
		return -1;
	}
	return tm_api_reply(m, (int)code, &reason);
}

static int
w_t_relay(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	char uri[300];
	str_t host, port, to;
	long long pn;

	if (st == NULL)
		return -1;
	if (args[0] == NULL)
		return tm_relay(m, st);
	if (arg_str(m, args[0], &host) < 0 || host.len == 0 ||
	    host.len > 255) {
		log_errx("t_relay(): bad host");
		return -1;
	}
	if (args[1] == NULL) {
		pn = 5060;
	} else if (arg_str(m, args[1], &port) < 0 ||
	    str_to_ll(&port, &pn) < 0 || pn < 1 || pn > 65535) {
		log_errx("t_relay(): bad port");
		return -1;
	}
	to = str_make(uri, (size_t)snprintf(uri, sizeof(uri), "sip:%.*s:%lld",
	    STR_FMT(&host), pn));
	return tm_relay_to(m, st, &to);
}

/* A route named by a literal must exist: said at its line, at load. */
static int
tm_fix_route_kind(void **arg, struct cfg_diag *d, enum route_kind kind,
    const char *fn, const char *block)
{
	const struct arg *a = *arg;
	char name[128];
	str_t s;

	if (a->kind == ARG_K_FMT && fmt_is_static(a->fmt)) {
		s = fmt_static_text(a->fmt);
		snprintf(name, sizeof(name), "%.*s", STR_FMT(&s));
	} else if (a->kind == ARG_K_INT) {
		snprintf(name, sizeof(name), "%lld", a->n);
	} else {
		return 0;       /* a variable: checked when it runs */
	}
	if (cfg_route_defined(kind, name) == 0) {
		diag_error(d, "%s(\"%s\"): the config has no %s[%s]", fn,
		    name, block, name);
		return -1;
	}
	return 0;
}

static int
tm_fix_route(void **arg, struct cfg_diag *d)
{
	return tm_fix_route_kind(arg, d, R_FAILURE, "t_on_failure",
	    "failure_route");
}

static int
tm_fix_reply_route(void **arg, struct cfg_diag *d)
{
	return tm_fix_route_kind(arg, d, R_ONREPLY, "t_on_reply",
	    "onreply_route");
}

static int
tm_fix_branch_route(void **arg, struct cfg_diag *d)
{
	return tm_fix_route_kind(arg, d, R_BRANCH, "t_on_branch",
	    "branch_route");
}

/* The route a t_on_*() argument names, or NULL (logged). */
static const struct route_def *
tm_route_arg(struct msg *m, const void *arg, enum route_kind kind,
    const char *fn, const char *block)
{
	const struct route_def *r;
	char name[128];
	str_t s;

	if (arg_str(m, arg, &s) < 0 || s.len >= sizeof(name))
		return NULL;
	memcpy(name, s.s, s.len);
	name[s.len] = '\0';
	if ((r = route_find(kind, name)) == NULL)
		log_errx("%s(): no %s[%s]", fn, block, name);
	return r;
}

static int
w_t_on_failure(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	const struct route_def *r;

	if (st == NULL || (r = tm_route_arg(m, args[0], R_FAILURE,
	    "t_on_failure", "failure_route")) == NULL)
		return -1;
	st->on_failure = r;
	return 1;
}

static int
w_t_on_reply(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	const struct route_def *r;

	if (st == NULL || (r = tm_route_arg(m, args[0], R_ONREPLY,
	    "t_on_reply", "onreply_route")) == NULL)
		return -1;
	st->on_reply = r;
	return 1;
}

static int
w_t_on_branch(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	const struct route_def *r;

	if (st == NULL || (r = tm_route_arg(m, args[0], R_BRANCH,
	    "t_on_branch", "branch_route")) == NULL)
		return -1;
	st->on_branch = r;
	return 1;
}

/* t_is_set("failure_route" | "onreply_route" | "branch_route") */
static int
w_t_is_set(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 0);
	str_t what;

	if (arg_str(m, args[0], &what) < 0)
		return -1;
	if (str_eq_cstr(&what, "failure_route"))
		return st && st->on_failure ? 1 : -1;
	if (str_eq_cstr(&what, "onreply_route"))
		return st && st->on_reply ? 1 : -1;
	if (str_eq_cstr(&what, "branch_route"))
		return st && st->on_branch ? 1 : -1;
	log_errx("t_is_set(): unknown target '%.*s' (failure_route, "
	    "onreply_route or branch_route)", STR_FMT(&what));
	return -1;
}

/* t_is_set()'s target, checked at load when it is a literal. */
static int
tm_fix_is_set(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	str_t s;

	if (a->kind != ARG_K_FMT || !fmt_is_static(a->fmt))
		return 0;
	s = fmt_static_text(a->fmt);
	if (str_eq_cstr(&s, "failure_route") ||
	    str_eq_cstr(&s, "onreply_route") ||
	    str_eq_cstr(&s, "branch_route"))
		return 0;
	diag_error(d, "t_is_set(\"%.*s\"): the target is failure_route, "
	    "onreply_route or branch_route", STR_FMT(&s));
	return -1;
}

int
tm_onreply(struct tm_cell *c, struct msg *m, uint32_t slot, uint64_t bid,
    int code)
{
	const struct route_def *r = c->on_reply;
	unsigned flags = m->flags, run = m->run;
	int dropped;

	/* the route sees the transaction's flags; it runs unlocked, with a
	 * reference that keeps the cell */
	m->flags = c->msg_flags;
	c->refcnt++;
	tm_unlock(slot);
	m->run = 0;
	route_run(m, r, RT_REPLY);
	dropped = (m->run & MSG_RUN_DROP) != 0;
	m->run = run;
	m->flags = flags;
	tm_lock(slot);
	c->refcnt--;
	if (dropped && code < 200) {
		tm_unlock(slot);
		return 0;
	}
	if (dropped)
		log_info("tm: onreply_route dropped a %d: a final reply is "
		    "relayed anyway", code);
	if (c->bno != (bid & 15) || !(c->flags & TM_F_BRANCH)) {
		tm_unlock(slot);
		return 0;
	}
	return 1;
}

int
tm_onbranch(struct msg *m, struct tm_mstate *st)
{
	const struct route_def *r = st->on_branch;
	unsigned run = m->run;
	int dropped;

	m->run = 0;
	route_run(m, r, RT_BRANCH);
	dropped = (m->run & MSG_RUN_DROP) != 0;
	m->run = run;
	if (dropped)
		log_info("tm: branch_route[%s] dropped the branch",
		    r->name ? r->name : "");
	return dropped ? 0 : 1;
}

static int
w_t_check_trans(struct msg *m, void *const *args)
{
	static const str_t inv = STR_LIT("INVITE");
	struct tm_mstate *st = tm_mstate(m, 0);
	struct tm_cell *c;
	struct tm_key k;
	struct tm_rpl r;
	const char *err;
	uint32_t slot;
	uint64_t bid;
	int rc = -1;

	(void)args;
	if (st && st->cell)
		return 1;
	if (m->kind == MSG_SIP_REPLY) {
		if (tm_rpl_scan(&m->buf, &r, &err) < 0 ||
		    tm_branch_parse(&r.branch, &slot, &bid) < 0 ||
		    slot >= tm_tab->size)
			return -1;
		tm_lock(slot);
		rc = tm_find_id(slot, bid >> 4) ? 1 : -1;
		tm_unlock(slot);
		return rc;
	}
	if (m->kind != MSG_SIP_REQUEST || tm_key_scan(&m->buf, &k, &err) < 0)
		return -1;
	slot = tm_key_hash(&k) % tm_tab->size;
	tm_lock(slot);
	if (tm_is_method(&k.method, "CANCEL") ||
	    tm_is_method(&k.method, "ACK")) {
		rc = tm_find_req(slot, &k, &inv) ? 1 : -1;
	} else if ((c = tm_find_req(slot, &k, &k.method)) != NULL) {
		/* a retransmission: the last reply again, the script ends */
		if (c->rpl_len)
			tm_send_up(c, c->rpl, c->rpl_len);
		rc = 0;
	}
	tm_unlock(slot);
	return rc;
}

static int
w_t_release(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 0);
	struct tm_cell *c;

	(void)args;
	if (st == NULL || (c = st->cell) == NULL)
		return -1;
	tm_lock(c->slot);
	tm_wait(c);
	tm_unlock(c->slot);
	return 1;
}

static int
w_t_set_fr(struct msg *m, void *const *args)
{
	struct tm_mstate *st = tm_mstate(m, 1);
	long long inv, fr = 0;

	if (st == NULL || arg_int(m, args[0], &inv) < 0 || inv < 0 ||
	    (args[1] && (arg_int(m, args[1], &fr) < 0 || fr < 0))) {
		log_errx("t_set_fr(): bad timeout (ms wanted)");
		return -1;
	}
	st->fr_inv_ms = (unsigned)inv;
	st->fr_ms = (unsigned)fr;
	if (st->cell) {
		tm_lock(st->cell->slot);
		if (inv)
			st->cell->fr_inv_ms = (unsigned)inv;
		if (fr)
			st->cell->fr_ms = (unsigned)fr;
		tm_unlock(st->cell->slot);
	}
	return 1;
}

static const struct cmd_export tm_cmds[] = {
	{ .name = "t_newtran", .fn = w_t_newtran, .routes = RT_REQUEST },
	{ .name = "t_reply", .fn = w_t_reply,
	  .routes = RT_REQUEST | RT_FAILURE,
	  .args = { { .flags = ARG_INT | ARG_STR, .fixup = tm_fix_code },
	            { .flags = ARG_STR } } },
	{ .name = "t_relay", .fn = w_t_relay,
	  .routes = RT_REQUEST | RT_FAILURE,
	  .args = { { .flags = ARG_STR | ARG_OPT },
	            { .flags = ARG_INT | ARG_STR | ARG_OPT } } },
	{ .name = "t_on_failure", .fn = w_t_on_failure,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH,
	  .args = { { .flags = ARG_INT | ARG_STR, .fixup = tm_fix_route } } },
	{ .name = "t_on_reply", .fn = w_t_on_reply,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH,
	  .args = { { .flags = ARG_INT | ARG_STR,
	              .fixup = tm_fix_reply_route } } },
	{ .name = "t_on_branch", .fn = w_t_on_branch,
	  .routes = RT_REQUEST | RT_FAILURE,
	  .args = { { .flags = ARG_INT | ARG_STR,
	              .fixup = tm_fix_branch_route } } },
	{ .name = "t_is_set", .fn = w_t_is_set,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_REPLY,
	  .args = { { .flags = ARG_STR, .fixup = tm_fix_is_set } } },
	{ .name = "t_check_status", .fn = tm_w_check_status,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_REPLY,
	  .args = { { .flags = ARG_REGEX, .fixup = tm_fix_status_re,
	              .free_fixup = tm_free_status_re } } },
	{ .name = "t_is_canceled", .fn = tm_w_is_canceled,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_REPLY },
	{ .name = "t_check_trans", .fn = w_t_check_trans,
	  .routes = RT_REQUEST | RT_REPLY | RT_FAILURE | RT_BRANCH },
	{ .name = "t_release", .fn = w_t_release, .routes = RT_REQUEST },
	{ .name = "t_set_fr", .fn = w_t_set_fr,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH,
	  .args = { { .flags = ARG_INT },
	            { .flags = ARG_INT | ARG_OPT } } },
	{ .name = NULL },
};

static const struct param_export tm_params[] = {
	{ .name = "fr_timer", .type = PARAM_INT, .var = &p_fr_timer },
	{ .name = "fr_inv_timer", .type = PARAM_INT, .var = &p_fr_inv_timer },
	{ .name = "wt_timer", .type = PARAM_INT, .var = &p_wt_timer },
	{ .name = "retr_timer1", .type = PARAM_INT, .var = &p_t1 },
	{ .name = "retr_timer2", .type = PARAM_INT, .var = &p_t2 },
	{ .name = "failure_reply_mode", .type = PARAM_INT, .set = tm_set_frm },
	{ .name = NULL },
};

static const struct tm_api tm_api = {
	.t_uac = tm_uac,
	.t_reply = tm_api_reply,
	.register_final_cb = tm_final_register,
	.info = tm_api_info,
	.precheck = tm_api_precheck,
};

/* --- life cycle ------------------------------------------------------------------- */

/* A timer modparam in ms; the SER unit (seconds) below 100, said once. */
static int
tm_conf_ms(const char *name, int v, unsigned *out)
{
	int secs;

	if (v <= 0) {
		log_errx("tm: modparam %s must be positive (got %d)", name, v);
		return -1;
	}
	*out = tm_param_ms(v, &secs);
	if (secs)
		log_warnx("tm: modparam %s %d is below 100: read as seconds "
		    "(SER's unit), %u ms; Kamailio reads milliseconds: write "
		    "%u to say so", name, v, *out, *out);
	return 0;
}

static int
tm_init(void)
{
	if (tm_conf_ms("fr_timer", p_fr_timer, &tm_conf.fr_ms) < 0 ||
	    tm_conf_ms("fr_inv_timer", p_fr_inv_timer, &tm_conf.fr_inv_ms) < 0 ||
	    tm_conf_ms("wt_timer", p_wt_timer, &tm_conf.wt_ms) < 0)
		return -1;
	if (p_t1 < 10 || p_t2 < p_t1) {
		log_errx("tm: retr_timer1 must be >= 10 ms and retr_timer2 >= "
		    "retr_timer1 (got %d and %d)", p_t1, p_t2);
		return -1;
	}
	tm_conf.t1 = (unsigned)p_t1;
	tm_conf.t2 = (unsigned)p_t2;
	if ((tm_ext = msg_ext_register(tm_mstate_release)) < 0) {
		log_errx("tm: no per-message data slot left");
		return -1;
	}
	if (tm_table_init(TM_HASH_SIZE) < 0)
		return -1;
	if (dispatch_set_sip_hooks(tm_req_hook, tm_rpl_hook) < 0)
		return -1;
	/* optional: without maxfwd, Max-Forwards is decremented here */
	tm_maxfwd = mod_api_get("maxfwd", MAXFWD_API_VERSION);
	return timer_register("tm", TM_TICK_MS, tm_timer_tick, NULL);
}

static void
tm_destroy(void)
{
	dispatch_set_sip_hooks(NULL, NULL);
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "tm",
	.version = PACKAGE_VERSION,
	.cmds = tm_cmds,
	.params = tm_params,
	.rpcs = tm_rpcs,
	.api = &tm_api,
	.api_version = TM_API_VERSION,
	.init = tm_init,
	.destroy = tm_destroy,
};
