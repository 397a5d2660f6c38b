/*
 * rr.c - the rr module: Record-Route and routing by Route headers
 * (RFC 3261 16.4, 16.6, 16.12, 12.2.1.1) with Kamailio 5.6's script
 * surface.  This file holds the descriptor, the parameters, the
 * per-request state and the thin wrappers; the work is in rr_record.c,
 * rr_loose.c and the pure rr_route.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rr_mod.h"

struct rr_cfg rr_cfg = {
	.append_fromtag = 1,
	.enable_full_lr = 0,
	.enable_double_rr = 1,
	.add_username = 0,
	.ignore_user = NULL,
};

static int rr_ext = -1;

struct rr_state *
rr_state_get(struct msg *m, int create)
{
	struct rr_state *st;

	if (rr_ext < 0)
		return NULL;
	if ((st = m->ext[rr_ext]) != NULL || !create)
		return st;
	/* in the arena: it goes with the message */
	if ((st = arena_alloc(&m->arena, sizeof(*st))) == NULL) {
		log_errx("rr: out of memory");
		return NULL;
	}
	memset(st, 0, sizeof(*st));
	m->ext[rr_ext] = st;
	return st;
}

/* --- the script functions ---------------------------------------------- */

/* The string argument a, or -1 (logged) when it cannot be rendered. */
static int
rr_arg(struct msg *m, const void *a, const char *fn, str_t *out)
{
	if (arg_str(m, a, out) == 0)
		return 0;
	log_errx("rr: %s: cannot evaluate the argument", fn);
	return -1;
}

static int
w_record_route(struct msg *m, void *const *args)
{
	str_t p;

	if (args[0] == NULL)
		return rr_record(m, NULL);
	if (rr_arg(m, args[0], "record_route", &p) < 0)
		return -1;
	return rr_record(m, &p);
}

static int
w_record_route_preset(struct msg *m, void *const *args)
{
	str_t u, u2;

	if (rr_arg(m, args[0], "record_route_preset", &u) < 0 ||
	    (args[1] != NULL &&
	    rr_arg(m, args[1], "record_route_preset", &u2) < 0))
		return -1;
	return rr_record_preset(m, &u, args[1] != NULL ? &u2 : NULL);
}

static int
w_record_route_adv(struct msg *m, void *const *args)
{
	str_t a;

	if (rr_arg(m, args[0], "record_route_advertised_address", &a) < 0)
		return -1;
	return rr_record_adv(m, &a);
}

static int
w_add_rr_param(struct msg *m, void *const *args)
{
	str_t p;

	if (rr_arg(m, args[0], "add_rr_param", &p) < 0)
		return -1;
	return rr_add_param(m, &p);
}

static int
w_remove_record_route(struct msg *m, void *const *args)
{
	(void)args;
	return rr_remove(m);
}

static int
w_loose_route(struct msg *m, void *const *args)
{
	(void)args;
	return rr_loose_route(m);
}

static int
w_check_route_param(struct msg *m, void *const *args)
{
	return rr_check_param(m, arg_regex(args[0]));
}

/* "upstream" 1, "downstream" 0, else -1. */
static int
rr_dir_of(const str_t *s)
{
	if (str_caseeq_cstr(s, "upstream"))
		return 1;
	if (str_caseeq_cstr(s, "downstream"))
		return 0;
	return -1;
}

static int
w_is_direction(struct msg *m, void *const *args)
{
	str_t d;
	int up;

	if (rr_arg(m, args[0], "is_direction", &d) < 0)
		return -1;
	if ((up = rr_dir_of(&d)) < 0) {
		log_errx("rr: is_direction: '%.*s' is neither \"upstream\" "
		    "nor \"downstream\"", STR_FMT(&d));
		return -1;
	}
	return rr_is_direction(m, up);
}

/* A literal direction is checked when the config loads. */
static int
fix_direction(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;

	if (a->kind == ARG_K_FMT && fmt_is_static(a->fmt)) {
		str_t s = fmt_static_text(a->fmt);

		if (rr_dir_of(&s) < 0) {
			diag_error(d, "rr: is_direction(): \"%.*s\" is "
			    "neither \"upstream\" nor \"downstream\"",
			    STR_FMT(&s));
			return -1;
		}
	}
	return 0;
}

#define A_STR      { .flags = ARG_STR }
#define A_STR_OPT  { .flags = ARG_STR | ARG_OPT }

static const struct cmd_export rr_cmds[] = {
	{ .name = "loose_route", .fn = w_loose_route, .routes = RT_REQUEST },
	{ .name = "record_route", .fn = w_record_route,
	  .routes = RT_REQUEST | RT_BRANCH | RT_FAILURE,
	  .args = { A_STR_OPT } },
	{ .name = "record_route_preset", .fn = w_record_route_preset,
	  .routes = RT_REQUEST | RT_BRANCH | RT_FAILURE,
	  .args = { A_STR, A_STR_OPT } },
	{ .name = "record_route_advertised_address",
	  .fn = w_record_route_adv,
	  .routes = RT_REQUEST | RT_BRANCH | RT_FAILURE, .args = { A_STR } },
	{ .name = "add_rr_param", .fn = w_add_rr_param,
	  .routes = RT_REQUEST | RT_BRANCH | RT_FAILURE, .args = { A_STR } },
	{ .name = "remove_record_route", .fn = w_remove_record_route,
	  .routes = RT_REQUEST | RT_FAILURE },
	{ .name = "check_route_param", .fn = w_check_route_param,
	  .routes = RT_REQUEST, .args = { { .flags = ARG_REGEX } } },
	{ .name = "is_direction", .fn = w_is_direction, .routes = RT_REQUEST,
	  .args = { { .flags = ARG_STR, .fixup = fix_direction } } },
	{ .name = NULL },
};

/* --- $route_uri ------------------------------------------------------------ */

static int
pv_route_uri(struct msg *m, void *compiled, struct val *out)
{
	(void)compiled;
	return rr_route_uri(m, out);
}

static const struct pv_export rr_pvs[] = {
	{ .name = "route_uri", .flags = PV_READ, .get = pv_route_uri },
	{ .name = NULL },
};

/* --- parameters ------------------------------------------------------------ */

static int
rr_flag(const struct val *v, struct cfg_diag *d, const char *name, int hi,
    int *out)
{
	if (v->n < 0 || v->n > hi) {
		diag_error(d, "rr: %s must be 0..%d, not %lld", name, hi, v->n);
		return -1;
	}
	*out = (int)v->n;
	return 0;
}

#define RR_FLAG_PARAM(fn, pname, hi, field)                              \
	static int fn(const struct val *v, struct cfg_diag *d)             \
	{                                                                  \
		return rr_flag(v, d, pname, hi, &rr_cfg.field);            \
	}

RR_FLAG_PARAM(p_append_fromtag, "append_fromtag", 1, append_fromtag)
RR_FLAG_PARAM(p_enable_full_lr, "enable_full_lr", 1, enable_full_lr)
RR_FLAG_PARAM(p_enable_double_rr, "enable_double_rr", 2, enable_double_rr)
RR_FLAG_PARAM(p_add_username, "add_username", 1, add_username)

static int
p_ignore_user(const struct val *v, struct cfg_diag *d)
{
	char *s = NULL;

	if (v->s.len > 0) {
		if ((s = malloc(v->s.len + 1)) == NULL) {
			diag_error(d, "rr: out of memory");
			return -1;
		}
		memcpy(s, v->s.s, v->s.len);
		s[v->s.len] = '\0';
	}
	free(rr_cfg.ignore_user);
	rr_cfg.ignore_user = s;
	return 0;
}

static const struct param_export rr_params[] = {
	{ .name = "append_fromtag", .type = PARAM_INT,
	  .set = p_append_fromtag },
	{ .name = "enable_full_lr", .type = PARAM_INT,
	  .set = p_enable_full_lr },
	{ .name = "enable_double_rr", .type = PARAM_INT,
	  .set = p_enable_double_rr },
	{ .name = "add_username", .type = PARAM_INT, .set = p_add_username },
	{ .name = "ignore_user", .type = PARAM_STR, .set = p_ignore_user },
	{ .name = NULL },
};

/* --- life cycle ------------------------------------------------------------- */

static int
rr_init(void)
{
	if ((rr_ext = msg_ext_register(NULL)) < 0) {
		log_errx("rr: no per-message data slot left");
		return -1;
	}
	return 0;
}

/* Private memory made at config time, also under `tandem -c`. */
__attribute__((destructor)) static void
rr_unload(void)
{
	free(rr_cfg.ignore_user);
	rr_cfg.ignore_user = NULL;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "rr",
	.version = PACKAGE_VERSION,
	.cmds = rr_cmds,
	.params = rr_params,
	.pvs = rr_pvs,
	.init = rr_init,
};
