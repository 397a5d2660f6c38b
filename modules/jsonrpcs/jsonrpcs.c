/*
 * jsonrpcs.c - the jsonrpcs module: Kamailio's JSON-RPC 2.0 server for
 * the RPC registry, over a FIFO (kamctl's default engine) and a unix or
 * UDP datagram socket, plus jsonrpc_exec() and $jsonrpl for the script.
 * This file holds the parameters, init and the exports; the protocol is
 * in jsonrpcs_json.c and jsonrpcs_rpc.c, the transports in
 * jsonrpcs_fifo.c and jsonrpcs_dgram.c.  See README.md.
 */
#include "config.h"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/globals.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "jsonrpcs_dgram.h"
#include "jsonrpcs_fifo.h"
#include "jsonrpcs_rpc.h"

/* Kamailio's run_dir default: relative names are taken from there */
#define JR_RUN_DIR     "/run/kamailio/"
#define JR_FIFO_DESC   "JSONRPCS FIFO"
#define JR_DGRAM_DESC  "JSONRPCS DATAGRAM"
#define JR_WORKERS_MAX 64
#define JR_SPEC_MAX    256

enum { JR_T_HTTP = 1, JR_T_FIFO = 2, JR_T_DGRAM = 4 };

/* Fixed buffers, no heap: parameters are set in every run, also by
 * `tandem -c`, which never calls destroy. */
static struct {
	int       pretty;
	int       transport;
	char      fifo_name[PATH_MAX];
	char     *reply_dir;
	char      dgram_socket[JR_SPEC_MAX];
	int       dgram_workers;
	int       dgram_timeout;
	/* resolved by init() */
	char      fifo_path[PATH_MAX];
	char      dgram_spec[JR_SPEC_MAX + sizeof(JR_RUN_DIR)];
	struct jsonrpcs_fifo_cfg   fifo;
	struct jsonrpcs_dgram_cfg  dgram;
} J = {
	.pretty = 1,
	.transport = JR_T_FIFO | JR_T_DGRAM,
	.fifo_name = "kamailio_rpc.fifo",
	.reply_dir = "/tmp/",
	.dgram_socket = "kamailio_rpc.sock",
	.dgram_workers = 1,
	.dgram_timeout = 2000,
	.fifo = { .mode = 0660, .uid = (uid_t)-1, .gid = (gid_t)-1 },
	.dgram = { .mode = 0660, .uid = (uid_t)-1, .gid = (gid_t)-1 },
};

/* --- parameters ------------------------------------------------------------ */

static int
jr_set_transport(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 0 || v->n > 7) {
		diag_error(d, "jsonrpcs: transport %lld: expected 0 (all that "
		    "can be enabled) or a sum of 1 (HTTP), 2 (FIFO) and 4 "
		    "(datagram)", v->n);
		return -1;
	}
	J.transport = (int)v->n;
	return 0;
}

static int
jr_set_pretty(const struct val *v, struct cfg_diag *d)
{
	(void)d;
	J.pretty = v->n != 0;
	return 0;
}

static int
jr_set_text(const struct val *v, struct cfg_diag *d, char *dst, size_t size,
    const char *what)
{
	if (v->s.len >= size || memchr(v->s.s, '\0', v->s.len) != NULL) {
		diag_error(d, "jsonrpcs: %s is too long", what);
		return -1;
	}
	memcpy(dst, v->s.s, v->s.len);
	dst[v->s.len] = '\0';
	return 0;
}

static int
jr_set_fifo_name(const struct val *v, struct cfg_diag *d)
{
	return jr_set_text(v, d, J.fifo_name, sizeof(J.fifo_name) -
	    sizeof(JR_RUN_DIR), "fifo_name");
}

static int
jr_set_dgram_socket(const struct val *v, struct cfg_diag *d)
{
	char err[160];

	if (jr_set_text(v, d, J.dgram_socket, sizeof(J.dgram_socket),
	    "dgram_socket") == -1)
		return -1;
	if (J.dgram_socket[0] != '\0' &&
	    jsonrpcs_dgram_check(J.dgram_socket, err, sizeof(err)) == -1) {
		diag_error(d, "jsonrpcs: dgram_socket: %s", err);
		return -1;
	}
	return 0;
}

/* "0660" and 0660 both reach here as the number 660 (the config language
 * has no octal literals): the decimal digits are read as octal, the way
 * chmod reads them.  0 is Kamailio's "not allowed": 0600 with a warning. */
static int
jr_mode(const struct val *v, struct cfg_diag *d, unsigned *out,
    const char *what)
{
	long long n = v->n;
	unsigned mode = 0, shift = 0;

	if (n < 0) {
		diag_error(d, "jsonrpcs: %s must be an octal mode like 0660",
		    what);
		return -1;
	}
	for (; n > 0; n /= 10, shift += 3) {
		if (n % 10 > 7) {
			diag_error(d, "jsonrpcs: %s %lld is not octal (digits "
			    "0-7)", what, v->n);
			return -1;
		}
		mode |= (unsigned)(n % 10) << shift;
	}
	if (mode > 0777) {
		diag_error(d, "jsonrpcs: %s %lld is larger than 0777", what,
		    v->n);
		return -1;
	}
	if (mode == 0) {
		diag_warn(d, "jsonrpcs: %s 0 is not allowed; using 0600",
		    what);
		mode = 0600;
	}
	*out = mode;
	return 0;
}

static int
jr_set_fifo_mode(const struct val *v, struct cfg_diag *d)
{
	return jr_mode(v, d, &J.fifo.mode, "fifo_mode");
}

static int
jr_set_dgram_mode(const struct val *v, struct cfg_diag *d)
{
	return jr_mode(v, d, &J.dgram.mode, "dgram_mode");
}

/* A number, or a name looked up in the user / group database. */
static int
jr_id(const struct val *v, struct cfg_diag *d, int is_group, long *out,
    const char *what)
{
	char name[256], *end;
	long n;

	if (v->s.len == 0 || v->s.len >= sizeof(name))
		goto bad;
	snprintf(name, sizeof(name), "%.*s", STR_FMT(&v->s));
	n = strtol(name, &end, 10);
	if (*end == '\0' && n >= 0) {
		*out = n;
		return 0;
	}
	if (is_group) {
		struct group *g = getgrnam(name);

		if (g == NULL)
			goto bad;
		*out = (long)g->gr_gid;
	} else {
		struct passwd *p = getpwnam(name);

		if (p == NULL)
			goto bad;
		*out = (long)p->pw_uid;
	}
	return 0;

bad:
	diag_error(d, "jsonrpcs: %s: no such %s '%.*s'", what,
	    is_group ? "group" : "user", STR_FMT(&v->s));
	return -1;
}

static int
jr_set_fifo_user(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (jr_id(v, d, 0, &id, "fifo_user") == -1)
		return -1;
	J.fifo.uid = (uid_t)id;
	return 0;
}

static int
jr_set_fifo_group(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (jr_id(v, d, 1, &id, "fifo_group") == -1)
		return -1;
	J.fifo.gid = (gid_t)id;
	return 0;
}

static int
jr_set_dgram_user(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (jr_id(v, d, 0, &id, "dgram_user") == -1)
		return -1;
	J.dgram.uid = (uid_t)id;
	return 0;
}

static int
jr_set_dgram_group(const struct val *v, struct cfg_diag *d)
{
	long id;

	if (jr_id(v, d, 1, &id, "dgram_group") == -1)
		return -1;
	J.dgram.gid = (gid_t)id;
	return 0;
}

static int
jr_set_workers(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 1 || v->n > JR_WORKERS_MAX) {
		diag_error(d, "jsonrpcs: dgram_workers must be 1..%d",
		    JR_WORKERS_MAX);
		return -1;
	}
	J.dgram_workers = (int)v->n;
	return 0;
}

static int
jr_set_timeout(const struct val *v, struct cfg_diag *d)
{
	if (v->n < 1 || v->n > 60000) {
		diag_error(d, "jsonrpcs: dgram_timeout must be 1..60000 (ms)");
		return -1;
	}
	J.dgram_timeout = (int)v->n;
	return 0;
}

static const struct param_export jr_params[] = {
	{ "pretty_format", PARAM_INT, NULL, jr_set_pretty },
	{ "transport", PARAM_INT, NULL, jr_set_transport },
	{ "fifo_name", PARAM_STR, NULL, jr_set_fifo_name },
	{ "fifo_mode", PARAM_INT, NULL, jr_set_fifo_mode },
	{ "fifo_user", PARAM_STR, NULL, jr_set_fifo_user },
	{ "fifo_group", PARAM_STR, NULL, jr_set_fifo_group },
	{ "fifo_reply_dir", PARAM_STR, &J.reply_dir, NULL },
	{ "dgram_socket", PARAM_STR, NULL, jr_set_dgram_socket },
	{ "dgram_workers", PARAM_INT, NULL, jr_set_workers },
	{ "dgram_mode", PARAM_INT, NULL, jr_set_dgram_mode },
	{ "dgram_user", PARAM_STR, NULL, jr_set_dgram_user },
	{ "dgram_group", PARAM_STR, NULL, jr_set_dgram_group },
	{ "dgram_timeout", PARAM_INT, NULL, jr_set_timeout },
	{ NULL, 0, NULL, NULL }
};

/* --- jsonrpc_exec() and $jsonrpl ---------------------------------------------- */

/* The last jsonrpc_exec() of this process: what $jsonrpl reads. */
static struct {
	int                    done;
	struct jsonrpcs_reply  reply;
	struct jsonrpcs_doc    scratch;
} X;

static int
w_jsonrpc_exec(struct msg *m, void *const *args)
{
	str_t cmd;

	if (arg_str(m, args[0], &cmd) == -1) {
		log_errx("jsonrpc_exec: cannot evaluate the request");
		return -1;
	}
	if (!X.done) {
		jsonrpcs_reply_init(&X.reply);
		jsonrpcs_doc_init(&X.scratch);
		X.done = 1;
	}
	if (jsonrpcs_serve_text(cmd.s, cmd.len, J.pretty, 1, &X.scratch,
	    &X.reply) == -1) {
		log_errx("jsonrpc_exec: out of memory");
		return -1;
	}
	/* false for what is not JSON at all, as in Kamailio; an RPC fault
	 * is a response like another ($jsonrpl(code) tells) */
	return X.reply.code == JSONRPCS_E_PARSE ? -1 : 1;
}

enum { K_CODE = 1, K_TEXT, K_BODY };

static int
jr_pv_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	static const struct { const char *name; int key; } keys[] = {
		{ "code", K_CODE }, { "text", K_TEXT }, { "body", K_BODY },
	};

	for (size_t i = 0; inner && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (str_eq_cstr(inner, keys[i].name)) {
			*compiled = (void *)(uintptr_t)keys[i].key;
			return 0;
		}
	diag_error(d, "$jsonrpl: unknown key '%.*s' (code, text or body)",
	    inner ? (int)inner->len : 0, inner ? inner->s : "");
	return -1;
}

static int
jr_pv_get(struct msg *m, void *compiled, struct val *out)
{
	(void)m;
	if (!X.done) {
		val_set_null(out);
		return 0;
	}
	switch ((uintptr_t)compiled) {
	case K_CODE:
		val_set_int(out, X.reply.code);
		break;
	case K_TEXT:
		val_set_str(out, str_cstr(X.reply.text));
		break;
	default:
		val_set_str(out, str_make(X.reply.out.s ? X.reply.out.s : "",
		    X.reply.out.len));
		break;
	}
	return 0;
}

static const struct pv_export jr_pvs[] = {
	{ .name = "jsonrpl", .flags = PV_READ | PV_INNER, .parse = jr_pv_parse,
	  .get = jr_pv_get },
	{ .name = NULL },
};

static const struct cmd_export jr_cmds[] = {
	{ .name = "jsonrpc_exec", .fn = w_jsonrpc_exec, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = NULL },
};

/* --- RPC ------------------------------------------------------------------------ */

/* Kamailio's sample method: its parameters back, numbers as numbers. */
static void
rpc_jsonrpc_echo(struct rpc_call *c)
{
	for (int i = 0; i < rpc_arg_count(c); i++) {
		long long n;
		str_t s;

		if (rpc_arg_str(c, i, &s) == -1)
			return;
		if (str_to_ll(&s, &n) == 0)
			rpc_add_int(c, NULL, n);
		else
			rpc_add_str(c, NULL, &s);
	}
}

static const struct rpc_export jr_rpcs[] = {
	{ "jsonrpc.echo", rpc_jsonrpc_echo, "[value ...]",
	    "Sample echo command: returns its parameters." },
	{ NULL, NULL, NULL, NULL },
};

/* --- processes ------------------------------------------------------------------ */

static void
jr_fifo_run(const struct proc_self *self)
{
	(void)self;
	jsonrpcs_fifo_run(&J.fifo);
}

static void
jr_dgram_run(const struct proc_self *self)
{
	(void)self;
	jsonrpcs_dgram_run(&J.dgram);
}

/* The counts are set by init(), from transport and dgram_workers, before
 * the supervisor plans its children. */
static struct proc_export jr_procs[] = {
	{ JR_FIFO_DESC, 0, jr_fifo_run },
	{ JR_DGRAM_DESC, 0, jr_dgram_run },
	{ NULL, 0, NULL },
};

/* --- lifecycle ------------------------------------------------------------------- */

/* name, or run_dir/name when it is relative, into out: 1 when it was
 * relative, 0 when not, -1 when too long. */
static int
jr_resolve(const char *name, char *out, size_t size)
{
	const char *dir = name[0] == '/' ? "" : JR_RUN_DIR;
	size_t dl = strlen(dir), nl = strlen(name);

	if (dl + nl >= size) {
		log_errx("jsonrpcs: path %s%s is too long", dir, name);
		return -1;
	}
	memcpy(out, dir, dl);
	memcpy(out + dl, name, nl + 1);
	return dl > 0;
}

/* "unix:" prefix and relative paths of dgram_socket resolved. */
static int
jr_resolve_dgram(void)
{
	const char *s = J.dgram_socket;

	if (strncasecmp(s, "udp:", 4) == 0) {
		/* the setter checked it fits */
		memcpy(J.dgram_spec, s, strlen(s) + 1);
		return 0;
	}
	if (strncasecmp(s, "unix:", 5) == 0)
		s += 5;
	return jr_resolve(s, J.dgram_spec, sizeof(J.dgram_spec));
}

static int
jr_init(void)
{
	int fifo_on, dgram_on, rel;

	if (J.transport & JR_T_HTTP) {
		/* as Kamailio 5.6, which stops when xhttp is not loaded */
		log_errx("jsonrpcs: transport %d includes HTTP (1), which "
		    "needs the xhttp module; Tandem has none: use 2 (FIFO), "
		    "4 (datagram) or 6 (both)", J.transport);
		return -1;
	}
	if (!core_cfg.fork) {
		/* a FIFO nobody reads would hang its writers (kamctl) */
		log_warnx("jsonrpcs: fork=no: no process serves a FIFO or a "
		    "datagram socket; only jsonrpc_exec() works");
		return 0;
	}
	if (J.transport == 0) {
		fifo_on = J.fifo_name[0] != '\0';
		dgram_on = J.dgram_socket[0] != '\0';
	} else {
		fifo_on = (J.transport & JR_T_FIFO) != 0;
		dgram_on = (J.transport & JR_T_DGRAM) != 0;
	}
	if ((fifo_on && J.fifo_name[0] == '\0') ||
	    (dgram_on && J.dgram_socket[0] == '\0')) {
		log_errx("jsonrpcs: transport %d needs %s", J.transport,
		    fifo_on && J.fifo_name[0] == '\0' ? "fifo_name" :
		    "dgram_socket");
		return -1;
	}
	if (fifo_on) {
		if ((rel = jr_resolve(J.fifo_name, J.fifo_path,
		    sizeof(J.fifo_path))) == -1)
			return -1;
		J.fifo.path = J.fifo_path;
		J.fifo.reply_dir = J.reply_dir;
		J.fifo.pretty = J.pretty;
		/* /run/kamailio may not exist yet: made for relative names */
		if (jsonrpcs_fifo_create(&J.fifo, rel) == -1)
			return -1;
		log_info("jsonrpcs: JSON-RPC on the FIFO %s", J.fifo_path);
	}
	if (dgram_on) {
		if ((rel = jr_resolve_dgram()) == -1) {
			jsonrpcs_fifo_remove();
			return -1;
		}
		J.dgram.spec = J.dgram_spec;
		J.dgram.timeout_ms = J.dgram_timeout;
		J.dgram.pretty = J.pretty;
		if (jsonrpcs_dgram_open(&J.dgram, rel) == -1) {
			jsonrpcs_fifo_remove();
			return -1;
		}
		log_info("jsonrpcs: JSON-RPC on the datagram socket %s",
		    J.dgram_spec);
	}
	if (!fifo_on && !dgram_on)
		log_warnx("jsonrpcs: no transport enabled: only "
		    "jsonrpc_exec() works");
	jr_procs[0].count = fifo_on;
	jr_procs[1].count = dgram_on ? J.dgram_workers : 0;
	return 0;
}

/* Only the datagram workers keep the socket. */
static int
jr_child_init(const struct proc_self *self)
{
	if (self->role != PROC_ROLE_MODULE || self->desc == NULL ||
	    strcmp(self->desc, JR_DGRAM_DESC) != 0)
		jsonrpcs_dgram_close(0);
	return 0;
}

static void
jr_destroy(void)
{
	jsonrpcs_fifo_remove();
	jsonrpcs_dgram_close(1);
	if (X.done) {
		jsonrpcs_reply_free(&X.reply);
		jsonrpcs_doc_free(&X.scratch);
		X.done = 0;
	}
}

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "jsonrpcs",
	.version = PACKAGE_VERSION,
	.cmds = jr_cmds,
	.params = jr_params,
	.pvs = jr_pvs,
	.rpcs = jr_rpcs,
	.procs = jr_procs,
	.init = jr_init,
	.child_init = jr_child_init,
	.destroy = jr_destroy,
};
