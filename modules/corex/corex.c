/*
 * corex - a subset of Kamailio's corex: is_faked_msg(), file_read(),
 * file_write(), send_data(), is_socket_name() and the corex.* RPCs
 * (corex_rpc.c).  This file is the script glue; the file work is in
 * corex_file.c.
 */
#include "config.h"

#include <string.h>

#include "core/forward.h"
#include "core/globals.h"
#include "core/module_api.h"
#include "corex_file.h"
#include "corex_rpc.h"

/* How much of a script's text a log line quotes. */
#define COREX_SHOWN 128

/* --- is_faked_msg ------------------------------------------------------------ */

/*
 * Kamailio's faked message is the empty one its event routes run on
 * when no SIP message is at hand; Tandem's is a message of kind
 * MSG_NONE (event_route[htable:mod-init] and the like).  The request
 * tm gives failure_route is a copy of a real one, as in Kamailio, where
 * is_faked_msg() is false there too.
 */
static int
w_is_faked_msg(struct msg *m, void *const *args)
{
	(void)args;
	return m->kind == MSG_NONE ? 1 : -1;
}

/* --- file_read / file_write ---------------------------------------------------- */

/* A path argument, rendered NUL-terminated in m's arena.  NULL (logged)
 * when it cannot be a path. */
static const char *
corex_path(struct msg *m, const void *arg, const char *fn)
{
	str_t p;
	char *s;

	if (arg_str(m, arg, &p) < 0) {
		log_errx("%s: cannot render the path", fn);
		return NULL;
	}
	if (p.len == 0) {
		log_errx("%s: the path is empty", fn);
		return NULL;
	}
	if (memchr(p.s, '\0', p.len) != NULL) {
		log_errx("%s: the path \"%.*s...\" holds a NUL byte", fn,
		    (int)strlen(p.s), p.s);
		return NULL;
	}
	if ((s = arena_strndup(&m->arena, p.s, p.len)) == NULL)
		log_errx("%s: out of memory", fn);
	return s;
}

static int
w_file_read(struct msg *m, void *const *args)
{
	static const char fn[] = "file_read()";
	const char *path;
	struct val v;
	char err[160];
	str_t text;

	if ((path = corex_path(m, args[0], fn)) == NULL)
		return -1;
	if (corex_file_read(path, &m->arena, &text, err, sizeof(err)) < 0) {
		log_errx("%s: %.*s: %s", fn, COREX_SHOWN, path, err);
		return -1;
	}
	val_set_str(&v, text);
	if (pv_set(m, arg_pv(args[1]), &v) < 0) {
		log_errx("%s: %.*s: cannot set the variable", fn, COREX_SHOWN,
		    path);
		return -1;
	}
	return 1;
}

static int
w_file_write(struct msg *m, void *const *args)
{
	static const char fn[] = "file_write()";
	const char *path;
	char err[160];
	str_t text;

	if ((path = corex_path(m, args[0], fn)) == NULL)
		return -1;
	if (arg_str(m, args[1], &text) < 0) {
		log_errx("%s: %.*s: cannot render the content", fn,
		    COREX_SHOWN, path);
		return -1;
	}
	if (corex_file_write(path, &text, err, sizeof(err)) < 0) {
		log_errx("%s: %.*s: %s", fn, COREX_SHOWN, path, err);
		return -1;
	}
	return 1;
}

/* --- send_data ----------------------------------------------------------------- */

static int
w_send_data(struct msg *m, void *const *args)
{
	static const char fn[] = "send_data()";
	struct fwd_dest d;
	const char *err;
	str_t uri, data;
	int rc;

	if (arg_str(m, args[0], &uri) < 0 || arg_str(m, args[1], &data) < 0) {
		log_errx("%s: cannot render the arguments", fn);
		return -1;
	}
	if (fwd_resolve(&uri, &d, &err) < 0) {
		log_errx("%s: cannot send to \"%.*s\": %s", fn,
		    (int)(uri.len < COREX_SHOWN ? uri.len : COREX_SHOWN),
		    uri.s ? uri.s : "", err);
		return -1;
	}
	if (data.len == 0) {
		log_errx("%s: nothing to send to %.*s", fn, STR_FMT(&uri));
		return -1;
	}
	rc = fwd_send(&d, data.s, data.len, NULL);
	if (rc == FWD_OK)
		return 1;
	if (rc == FWD_ERR_NOCONN)
		log_errx("%s: no %s connection to %.*s, and this process "
		    "cannot open one", fn, proto_name(d.proto), STR_FMT(&uri));
	else
		log_errx("%s: sending %zu bytes to %.*s failed", fn, data.len,
		    STR_FMT(&uri));
	return -1;
}

/* --- is_socket_name ---------------------------------------------------------------- */

static int
w_is_socket_name(struct msg *m, void *const *args)
{
	str_t name;

	if (arg_str(m, args[0], &name) < 0) {
		log_errx("is_socket_name(): cannot render the name");
		return -1;
	}
	for (int i = 0; i < core_cfg.nlisten; i++)
		if (core_cfg.listen[i].name != NULL &&
		    str_eq_cstr(&name, core_cfg.listen[i].name))
			return 1;
	return -1;
}

/* --- exports --------------------------------------------------------------------- */

static const struct cmd_export corex_cmds[] = {
	{ .name = "is_faked_msg", .fn = w_is_faked_msg, .routes = RT_ANY },
	{ .name = "file_read", .fn = w_file_read, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_PV } } },
	{ .name = "file_write", .fn = w_file_write, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR } } },
	{ .name = "send_data", .fn = w_send_data, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR }, { .flags = ARG_STR } } },
	{ .name = "is_socket_name", .fn = w_is_socket_name, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = NULL },
};

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "corex",
	.version = PACKAGE_VERSION,
	.cmds = corex_cmds,
	.rpcs = corex_rpcs,
};
