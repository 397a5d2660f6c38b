/*
 * maxfwd - the Max-Forwards header: mf_process_maxfwd_header() and
 * is_maxfwd_lt().  The received message is never rewritten: the value
 * the forwarded request must carry is recorded per message and offered
 * to the forwarding code through maxfwd_api.h.
 */
#include "config.h"

#include "core/module_api.h"
#include "maxfwd_api.h"
#include "mf_value.h"

#define MF_DEFAULT_LIMIT 70     /* Kamailio's default */
#define MF_VALUE_MAX     255    /* RFC 3261 20.22: 0-255 */

/* What was decided for one message (in its arena). */
struct mf_rec {
	int     value;
	int     added;
};

static int mf_limit = MF_DEFAULT_LIMIT;
static int mf_ext = -1;

static const str_t mf_name = STR_LIT("Max-Forwards");

static int
mf_set_limit(const struct val *v, struct cfg_diag *d)
{
	long long n;

	if (val_to_int(v, &n) < 0 || n < 1 || n > MF_LIMIT_MAX) {
		diag_error(d, "maxfwd: max_limit must be a number from 1 to %d",
		    MF_LIMIT_MAX);
		return -1;
	}
	mf_limit = (int)n;
	return 0;
}

static const struct param_export mf_params[] = {
	{ .name = "max_limit", .type = PARAM_INT, .set = mf_set_limit },
	{ .name = NULL },
};

/* A value written as a literal is checked when the config loads. */
static int
mf_fix_value(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind == ARG_K_INT && (a->n < 1 || a->n > MF_VALUE_MAX)) {
		diag_error(d, "maxfwd: %lld is not a Max-Forwards value "
		    "(1 to %d)", a->n, MF_VALUE_MAX);
		return -1;
	}
	return 0;
}

static int
mf_arg(struct msg *m, const void *arg, const char *fn, long long *out)
{
	if (arg_int(m, arg, out) < 0 || *out < 1 || *out > MF_VALUE_MAX) {
		log_errx("%s: the value must be a number from 1 to %d", fn,
		    MF_VALUE_MAX);
		return -1;
	}
	return 0;
}

static int
w_mf_process(struct msg *m, void *const *args)
{
	const char *fn = "mf_process_maxfwd_header()";
	struct mf_rec *rec = m->ext[mf_ext];
	long long add;
	str_t hv;
	int rc, out = 0, found;

	if (mf_arg(m, args[0], fn, &add) < 0)
		return MF_BAD;
	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("%s: the message is not a SIP request", fn);
		return MF_BAD;
	}
	if (rec != NULL) {
		/* a second call goes on from the first one's value */
		if (rec->value == 0)
			return MF_ZERO;
		rec->value = rec->value - 1 > mf_limit ? mf_limit :
		    rec->value - 1;
		return MF_DECREMENTED;
	}
	if ((found = sip_header(m, &mf_name, 0, &hv)) < 0) {
		log_errx("%s: the request does not parse", fn);
		return MF_BAD;
	}
	rc = mf_process(found ? &hv : NULL, (int)add, mf_limit, &out);
	if (rc == MF_BAD) {
		log_errx("%s: Max-Forwards value '%.*s' is not a number", fn,
		    STR_FMT(&hv));
		return MF_BAD;
	}
	if ((rec = arena_alloc(&m->arena, sizeof(*rec))) == NULL)
		return MF_BAD;
	rec->value = out;
	rec->added = rc == MF_ADDED;
	m->ext[mf_ext] = rec;
	return rc;
}

/*
 * 1 when the Max-Forwards value (as mf_process_maxfwd_header() left it,
 * else as received) is below max, -1 when not, -2 when the request has
 * none, -3 when it is not a number.
 */
static int
w_is_maxfwd_lt(struct msg *m, void *const *args)
{
	const struct mf_rec *rec = m->ext[mf_ext];
	long long max;
	str_t hv;
	int n, found;

	if (mf_arg(m, args[0], "is_maxfwd_lt()", &max) < 0)
		return -3;
	if (rec != NULL) {
		n = rec->value;
	} else {
		if (m->kind != MSG_SIP_REQUEST ||
		    (found = sip_header(m, &mf_name, 0, &hv)) < 0)
			return -3;
		if (found == 0)
			return -2;
		if (mf_parse(&hv, &n) < 0)
			return -3;
	}
	return n < max ? 1 : -1;
}

static const struct cmd_export mf_cmds[] = {
	{ .name = "mf_process_maxfwd_header", .fn = w_mf_process,
	  .routes = RT_REQUEST,
	  .args = { { .flags = ARG_INT, .fixup = mf_fix_value } } },
	{ .name = "is_maxfwd_lt", .fn = w_is_maxfwd_lt,
	  .routes = RT_REQUEST | RT_FAILURE | RT_BRANCH,
	  .args = { { .flags = ARG_INT, .fixup = mf_fix_value } } },
	{ .name = NULL },
};

static int
mf_api_fwd_value(struct msg *m, int *value, int *added)
{
	const struct mf_rec *rec = mf_ext >= 0 ? m->ext[mf_ext] : NULL;

	if (rec == NULL)
		return 0;
	*value = rec->value;
	*added = rec->added;
	return 1;
}

static const struct maxfwd_api mf_api = {
	.fwd_value = mf_api_fwd_value,
};

static int
mf_init(void)
{
	if ((mf_ext = msg_ext_register(NULL)) < 0) {
		log_errx("maxfwd: no per-message data slot left");
		return -1;
	}
	return 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "maxfwd",
	.version = PACKAGE_VERSION,
	.cmds = mf_cmds,
	.params = mf_params,
	.api = &mf_api,
	.api_version = MAXFWD_API_VERSION,
	.init = mf_init,
};
