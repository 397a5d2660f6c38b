/*
 * ctl.c - the ctl module: BINRPC (kamcmd's protocol) on unix, TCP and
 * UDP sockets, served by one "ctl handler" process.  This file holds the
 * exports, the parameter setters and the process entry; the sockets are
 * in ctl_sock.c, the loop in ctl_io.c, the protocol in binrpc*.c.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "ctl_io.h"
#include "ctl_sock.h"

#define CTL_PROC_DESC      "ctl handler"
#define CTL_DEFAULT_SPEC   "unix:/run/tandem/tandem_ctl"
#define CTL_MAX_LISTENERS  16
#define CTL_KB_MAX         16384        /* 16 MiB for a body */

/* Parameters (parsed before fork, in private memory) and, after init,
 * the bound sockets.  The supervisor and the ctl process each use their
 * copy; only the supervisor unlinks the socket files. */
static struct ctl_listener ctl_ls[CTL_MAX_LISTENERS];
static int ctl_nls;
static struct ctl_perm ctl_perm = { 0600, (uid_t)-1, (gid_t)-1 };
static int ctl_max_body_kb = 32;
static int ctl_struct_max_kb = 8;
static volatile int *ctl_nclients;       /* shm: for ctl.connections */

/* --- parameters ----------------------------------------------------------- */

static int
ctl_set_binrpc(const struct val *v, struct cfg_diag *d)
{
	char spec[512], err[160];

	if (ctl_nls == CTL_MAX_LISTENERS) {
		diag_error(d, "ctl: at most %d binrpc listeners",
		    CTL_MAX_LISTENERS);
		return -1;
	}
	if (v->s.len == 0 || v->s.len >= sizeof(spec)) {
		diag_error(d, "ctl: binrpc address empty or too long");
		return -1;
	}
	snprintf(spec, sizeof(spec), "%.*s", STR_FMT(&v->s));
	if (ctl_spec_parse(spec, &ctl_ls[ctl_nls], err, sizeof(err)) == -1) {
		diag_error(d, "ctl: bad binrpc address: %s", err);
		return -1;
	}
	for (int i = 0; i < ctl_nls; i++)
		if (strcmp(ctl_ls[i].spec, spec) == 0) {
			diag_error(d, "ctl: binrpc address '%s' given twice",
			    spec);
			return -1;
		}
	ctl_nls++;
	return 0;
}

/* "0600" and 0600 both reach here as the number 600 (the config language
 * has no octal literals), so the decimal digits are read as octal, the
 * way chmod reads them. */
static int
ctl_set_mode(const struct val *v, struct cfg_diag *d)
{
	long long n = v->n;
	unsigned mode = 0, shift = 0;

	if (n < 0) {
		diag_error(d, "ctl: mode must be an octal number like 0600");
		return -1;
	}
	for (; n > 0; n /= 10, shift += 3) {
		if (n % 10 > 7) {
			diag_error(d, "ctl: mode %lld is not octal (digits 0-7)",
			    v->n);
			return -1;
		}
		mode |= (unsigned)(n % 10) << shift;
	}
	if (mode > 07777) {
		diag_error(d, "ctl: mode %lld is larger than 7777", v->n);
		return -1;
	}
	ctl_perm.mode = mode;
	return 0;
}

/* A number, or a name looked up in the user / group database. */
static int
ctl_id(const str_t *s, int is_group, long *out)
{
	char name[256], *end;
	long n;

	if (s->len == 0 || s->len >= sizeof(name))
		return -1;
	snprintf(name, sizeof(name), "%.*s", STR_FMT(s));
	n = strtol(name, &end, 10);
	if (*end == '\0' && n >= 0) {
		*out = n;
		return 0;
	}
	if (is_group) {
		struct group *g = getgrnam(name);

		if (g == NULL)
			return -1;
		*out = (long)g->gr_gid;
	} else {
		struct passwd *p = getpwnam(name);

		if (p == NULL)
			return -1;
		*out = (long)p->pw_uid;
	}
	return 0;
}

static int
ctl_set_user(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (ctl_id(&v->s, 0, &id) == -1) {
		diag_error(d, "ctl: unknown user '%.*s'", STR_FMT(&v->s));
		return -1;
	}
	ctl_perm.uid = (uid_t)id;
	return 0;
}

static int
ctl_set_group(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (ctl_id(&v->s, 1, &id) == -1) {
		diag_error(d, "ctl: unknown group '%.*s'", STR_FMT(&v->s));
		return -1;
	}
	ctl_perm.gid = (gid_t)id;
	return 0;
}

static int
ctl_set_kb(const struct val *v, struct cfg_diag *d, int *var,
    const char *what)
{
	if (v->n < 1 || v->n > CTL_KB_MAX) {
		diag_error(d, "ctl: %s must be 1..%d (KB)", what, CTL_KB_MAX);
		return -1;
	}
	*var = (int)v->n;
	return 0;
}

static int
ctl_set_max_body(const struct val *v, struct cfg_diag *d)
{
	return ctl_set_kb(v, d, &ctl_max_body_kb, "binrpc_max_body_size");
}

static int
ctl_set_struct_max(const struct val *v, struct cfg_diag *d)
{
	return ctl_set_kb(v, d, &ctl_struct_max_kb,
	    "binrpc_struct_max_body_size");
}

static const struct param_export ctl_params[] = {
	{ .name = "binrpc", .type = PARAM_STR, .set = ctl_set_binrpc },
	{ .name = "mode", .type = PARAM_INT, .set = ctl_set_mode },
	{ .name = "user", .type = PARAM_STR, .set = ctl_set_user },
	{ .name = "group", .type = PARAM_STR, .set = ctl_set_group },
	{ .name = "binrpc_max_body_size", .type = PARAM_INT,
	  .set = ctl_set_max_body },
	{ .name = "binrpc_struct_max_body_size", .type = PARAM_INT,
	  .set = ctl_set_struct_max },
	{ .name = NULL },
};

/* --- RPC ----------------------------------------------------------------------- */

static void
rpc_ctl_listen(struct rpc_call *c)
{
	char buf[600];

	for (int i = 0; i < ctl_nls; i++) {
		const struct ctl_listener *l = &ctl_ls[i];

		if (l->path[0])
			snprintf(buf, sizeof(buf), "%s:%s", ctl_kind_name(l->kind),
			    l->path);
		else
			snprintf(buf, sizeof(buf), "%s:%s:%d",
			    ctl_kind_name(l->kind), l->host, l->port);
		rpc_add_cstr(c, NULL, buf);
	}
}

static void
rpc_ctl_connections(struct rpc_call *c)
{
	rpc_add_int(c, NULL, ctl_nclients ? *ctl_nclients : 0);
}

static const struct rpc_export ctl_rpcs[] = {
	{ "ctl.listen", rpc_ctl_listen, NULL,
	    "Lists the sockets the ctl module listens on." },
	{ "ctl.connections", rpc_ctl_connections, NULL,
	    "Returns the number of open stream connections to the ctl "
	    "module." },
	{ NULL, NULL, NULL, NULL },
};

/* --- process ------------------------------------------------------------------- */

static void
ctl_run(const struct proc_self *self)
{
	struct ctl_io_cfg cfg = {
		.ls = ctl_ls,
		.n = ctl_nls,
		.max_body = (size_t)ctl_max_body_kb << 10,
		.struct_max = (size_t)ctl_struct_max_kb << 10,
		.nclients = ctl_nclients,
	};

	(void)self;
	if (ctl_io_run(&cfg) == -1)
		_exit(2);       /* cannot serve at all: stop, do not respawn */
}

static const struct proc_export ctl_procs[] = {
	{ .desc = CTL_PROC_DESC, .count = 1, .run = ctl_run },
	{ .desc = NULL },
};

/* --- lifecycle ----------------------------------------------------------------- */

static void
ctl_close_all(int unlink_files)
{
	for (int i = 0; i < ctl_nls; i++)
		ctl_listener_close(&ctl_ls[i], unlink_files);
}

/* Closes, unlinks and forgets everything (exit, or a failed init: the
 * loader calls no destroy for a module whose init failed). */
static void
ctl_release(void)
{
	ctl_close_all(1);
	ctl_nls = 0;
	if (ctl_nclients) {
		shm_free((void *)ctl_nclients);
		ctl_nclients = NULL;
	}
}

static int
ctl_init(void)
{
	char err[160];
	int dflt = 0;

	if (ctl_nls == 0) {
		if (ctl_spec_parse(CTL_DEFAULT_SPEC, &ctl_ls[0], err,
		    sizeof(err)) == -1) {
			log_errx("ctl: default address: %s", err);
			return -1;
		}
		ctl_nls = 1;
		dflt = 1;
	}
	if ((ctl_nclients = shm_calloc(1, sizeof(*ctl_nclients))) == NULL) {
		log_errx("ctl: out of shared memory");
		ctl_release();
		return -1;
	}
	for (int i = 0; i < ctl_nls; i++) {
		/* /run/tandem may not exist yet: make it for the default */
		if (ctl_listener_open(&ctl_ls[i], &ctl_perm, dflt) == -1) {
			log_errx("ctl: cannot listen on '%s'; stopping",
			    ctl_ls[i].spec);
			ctl_release();
			return -1;
		}
		log_info("ctl: BINRPC on %s", ctl_ls[i].spec);
	}
	return 0;
}

/* Only the ctl process serves; every other one lets go of the sockets,
 * so a stuck worker never keeps a ctl address alive. */
static int
ctl_child_init(const struct proc_self *self)
{
	if (self->role != PROC_ROLE_MODULE || self->desc == NULL ||
	    strcmp(self->desc, CTL_PROC_DESC) != 0)
		ctl_close_all(0);
	return 0;
}

static void
ctl_destroy(void)
{
	ctl_release();
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "ctl",
	.version = PACKAGE_VERSION,
	.params = ctl_params,
	.rpcs = ctl_rpcs,
	.procs = ctl_procs,
	.init = ctl_init,
	.child_init = ctl_child_init,
	.destroy = ctl_destroy,
};
