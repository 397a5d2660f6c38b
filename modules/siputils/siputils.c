/*
 * siputils.c - the siputils module: small SIP checks a routing script
 * needs everywhere (has_totag() before loose_route(), options_reply()
 * for keep-alive OPTIONS, URI parameter and E.164 tests, URI and AOR
 * comparison).  The URI work is in su_uri.c; this file holds the script
 * functions and the module's description.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/arg.h"
#include "core/log.h"
#include "core/module_api.h"
#include "modules/sl/sl_api.h"
#include "su_uri.h"

static char *opt_accept = "*/*";
static char *opt_accept_encoding = "";
static char *opt_accept_language = "en";
static char *opt_support = "";

static const struct sl_api *su_sl;

/* A string argument, or false (-1) with a log line naming fn. */
static int
su_arg(struct msg *m, const void *a, const char *fn, str_t *out)
{
	if (arg_str(m, a, out) < 0) {
		log_errx("%s: cannot evaluate its argument", fn);
		return -1;
	}
	return 0;
}

static int
w_has_totag(struct msg *m, void *const *args)
{
	str_t tag;

	(void)args;
	if (m->kind != MSG_SIP_REQUEST && m->kind != MSG_SIP_REPLY)
		return -1;
	return sip_to_tag(m, &tag) == 0 && tag.len > 0 ? 1 : -1;
}

static int
w_is_request(struct msg *m, void *const *args)
{
	(void)args;
	return m->kind == MSG_SIP_REQUEST ? 1 : -1;
}

static int
w_is_reply(struct msg *m, void *const *args)
{
	(void)args;
	return m->kind == MSG_SIP_REPLY ? 1 : -1;
}

/* The Request-URI as the script left it, parsed. */
static int
su_ruri(struct msg *m, const char *fn, str_t *text, struct su_uri *u)
{
	if (m->kind != MSG_SIP_REQUEST || msg_get_ruri(m, text) < 0) {
		log_errx("%s: not a request", fn);
		return -1;
	}
	if (su_uri_parse(text, u) < 0) {
		log_errx("%s: the Request-URI '%.*s' is not a SIP URI", fn,
		    STR_FMT(text));
		return -1;
	}
	return 0;
}

static int
w_uri_param(struct msg *m, void *const *args)
{
	str_t ru, name, want, got;
	struct su_uri u;

	if (su_arg(m, args[0], "uri_param()", &name) < 0 ||
	    (args[1] != NULL && su_arg(m, args[1], "uri_param()", &want) < 0) ||
	    su_ruri(m, "uri_param()", &ru, &u) < 0)
		return -1;
	if (su_param_find(&u.params, &name, &got) == 0)
		return -1;
	if (args[1] == NULL)
		return 1;
	return str_eq(&got, &want) ? 1 : -1;
}

static int
w_add_uri_param(struct msg *m, void *const *args)
{
	str_t ru, param, nu;
	char *buf;
	long n;

	if (su_arg(m, args[0], "add_uri_param()", &param) < 0)
		return -1;
	while (param.len > 0 && param.s[0] == ';') {
		param.s++;
		param.len--;
	}
	if (param.len == 0) {
		log_errx("add_uri_param(): empty parameter");
		return -1;
	}
	if (m->kind != MSG_SIP_REQUEST || msg_get_ruri(m, &ru) < 0)
		return -1;
	if ((buf = arena_alloc(&m->arena, ru.len + param.len + 2)) == NULL)
		return -1;
	if ((n = su_uri_add_param(&ru, &param, buf, ru.len + param.len +
	    2)) < 0) {
		log_errx("add_uri_param(): the Request-URI '%.*s' is not a "
		    "SIP URI", STR_FMT(&ru));
		return -1;
	}
	nu = str_make(buf, (size_t)n);
	return msg_set_ruri(m, &nu) == 0 ? 1 : -1;
}

static int
w_is_e164(struct msg *m, void *const *args)
{
	str_t s;

	if (su_arg(m, args[0], "is_e164()", &s) < 0)
		return -1;
	return su_is_e164(&s) ? 1 : -1;
}

static int
w_is_uri_user_e164(struct msg *m, void *const *args)
{
	struct su_uri u;
	str_t s;

	if (su_arg(m, args[0], "is_uri_user_e164()", &s) < 0)
		return -1;
	if (su_uri_parse(&s, &u) < 0) {
		log_errx("is_uri_user_e164(): '%.*s' is not a SIP URI",
		    STR_FMT(&s));
		return -1;
	}
	return su_is_e164(&u.user) ? 1 : -1;
}

static int
su_cmp(struct msg *m, void *const *args, const char *fn,
    int (*cmp)(const str_t *, const str_t *))
{
	str_t a, b;
	int rc;

	if (su_arg(m, args[0], fn, &a) < 0 || su_arg(m, args[1], fn, &b) < 0)
		return -1;
	if ((rc = cmp(&a, &b)) < 0) {
		log_errx("%s: '%.*s' or '%.*s' is not a SIP URI", fn,
		    STR_FMT(&a), STR_FMT(&b));
		return -1;
	}
	return rc ? 1 : -1;
}

static int
w_cmp_uri(struct msg *m, void *const *args)
{
	return su_cmp(m, args, "cmp_uri()", su_uri_cmp);
}

static int
w_cmp_aor(struct msg *m, void *const *args)
{
	return su_cmp(m, args, "cmp_aor()", su_aor_cmp);
}

/*
 * OPTIONS to the server itself (no user in the R-URI): 200 with what
 * it accepts, as Kamailio answers (the empty headers included, which
 * RFC 3261 20.2 and 20.37 allow).
 */
static int
w_options_reply(struct msg *m, void *const *args)
{
	char hdrs[1024];
	str_t method, ru, h, reason = STR_LIT("OK");
	struct su_uri u;
	int n;

	(void)args;
	if (m->kind != MSG_SIP_REQUEST || sip_method(m, &method) != 0 ||
	    !str_eq_cstr(&method, "OPTIONS")) {
		log_errx("options_reply(): the request is not an OPTIONS");
		return -1;
	}
	if (su_ruri(m, "options_reply()", &ru, &u) < 0)
		return -1;
	if (u.user.len > 0) {
		log_errx("options_reply(): the Request-URI has a user part; "
		    "not for this server");
		return -1;
	}
	n = snprintf(hdrs, sizeof(hdrs), "Accept: %s\r\nAccept-Encoding: "
	    "%s\r\nAccept-Language: %s\r\nSupported: %s\r\n", opt_accept,
	    opt_accept_encoding, opt_accept_language, opt_support);
	if (n < 0 || (size_t)n >= sizeof(hdrs)) {
		log_errx("options_reply(): the options_* parameters are too "
		    "long");
		return -1;
	}
	h = str_make(hdrs, (size_t)n);
	return su_sl->reply(m, 200, &reason, &h) == 1 ? 1 : -1;
}

#define SU_ANY (RT_REQUEST | RT_FAILURE | RT_BRANCH | RT_REPLY | RT_ONSEND)
#define SU_REQ (RT_REQUEST | RT_FAILURE | RT_BRANCH)

static const struct cmd_export su_cmds[] = {
	{ .name = "has_totag", .fn = w_has_totag, .routes = SU_ANY },
	{ .name = "is_request", .fn = w_is_request, .routes = RT_ANY },
	{ .name = "is_reply", .fn = w_is_reply, .routes = RT_ANY },
	{ .name = "uri_param", .fn = w_uri_param, .routes = SU_REQ,
	  .args = { { .flags = ARG_STR },
	            { .flags = ARG_STR | ARG_OPT } } },
	{ .name = "add_uri_param", .fn = w_add_uri_param, .routes = SU_REQ,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "is_e164", .fn = w_is_e164, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = "is_uri_user_e164", .fn = w_is_uri_user_e164,
	  .routes = RT_ANY, .args = { { .flags = ARG_STR } } },
	{ .name = "cmp_uri", .fn = w_cmp_uri, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR } } },
	{ .name = "cmp_aor", .fn = w_cmp_aor, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR } } },
	{ .name = "options_reply", .fn = w_options_reply,
	  .routes = RT_REQUEST },
	{ .name = NULL },
};

static const struct param_export su_params[] = {
	{ "options_accept", PARAM_STR, &opt_accept, NULL },
	{ "options_accept_encoding", PARAM_STR, &opt_accept_encoding, NULL },
	{ "options_accept_language", PARAM_STR, &opt_accept_language, NULL },
	{ "options_support", PARAM_STR, &opt_support, NULL },
	{ NULL, 0, NULL, NULL },
};

/* options_reply() answers through sl; like Kamailio, siputils does not
 * start without it (sl may be loaded after siputils). */
static int
su_init(void)
{
	if ((su_sl = mod_api_get("sl", SL_API_VERSION)) == NULL) {
		log_errx("siputils: needs the sl module for options_reply(): "
		    "loadmodule \"sl.so\"");
		return -1;
	}
	return 0;
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "siputils",
	.version = PACKAGE_VERSION,
	.cmds = su_cmds,
	.params = su_params,
	.init = su_init,
};
