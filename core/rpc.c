#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "module_api.h"
#include "rpc.h"
#include "xalloc.h"

/*
 * The registry: kept sorted by name, so lookups (one per request) are a
 * binary search and system.listMethods reads it in order.  It is filled
 * while the config is resolved, before fork, and only read afterwards.
 */
struct rpc_entry {
	const struct rpc_export *exp;
	const char              *module;
};

static struct {
	struct rpc_entry *v;
	int               n, cap;
} reg;

#define RPC_NAME_MAX    64
#define RPC_DEPTH_MAX   32
#define RPC_REPLY_MAX   ((size_t)64 << 20)  /* bytes buffered per reply */
#define RPC_FAULT_MAX   512

/*
 * A call buffers its reply as a list of operations and hands it to the
 * writer only when the handler is done: a fault then replaces everything
 * (no writer ever sees half a reply followed by a fault), and a handler
 * that forgets to close a struct still yields a balanced reply.
 */
enum rpc_op_kind { OP_VALUE, OP_OPEN, OP_CLOSE };

#define OFF_NONE SIZE_MAX

struct rpc_op {
	enum rpc_op_kind kind;
	int              is_array;
	size_t           name;          /* offset in text, or OFF_NONE     */
	struct rpc_value v;             /* v.s.s unused: see text_off      */
	size_t           text_off;
};

struct rpc_call {
	const char      *method;
	int              argc;
	const str_t     *argv;
	struct rpc_op   *ops;
	size_t           nops, capops;
	char            *text;          /* names and string values         */
	size_t           ntext, captext;
	uint8_t          stack[RPC_DEPTH_MAX];  /* 1: array, 0: struct      */
	int              depth;
	int              failed;
	int              code;
	char             msg[RPC_FAULT_MAX];
};

/* --- the registry ------------------------------------------------------------ */

static int
rpc_name_ok(const char *name)
{
	size_t n = 0;

	for (const char *p = name; *p; p++, n++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-'))
			return 0;
	}
	return n > 0 && n <= RPC_NAME_MAX;
}

/* Index of name, or -(insertion point) - 1. */
static int
rpc_find(const char *name)
{
	int lo = 0, hi = reg.n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(reg.v[mid].exp->name, name);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

static int
rpc_register_one(const struct rpc_export *e, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	int at;

	if (!rpc_name_ok(e->name)) {
		diag_error_at(d, pos, "RPC method '%s' of module '%s': a name "
		    "is 1-%d letters, digits, '.', '_' or '-'", e->name, module,
		    RPC_NAME_MAX);
		return -1;
	}
	if (e->fn == NULL) {
		diag_error_at(d, pos, "RPC method '%s' of module '%s' has no "
		    "handler", e->name, module);
		return -1;
	}
	if (e->help == NULL || e->help[0] == '\0') {
		diag_error_at(d, pos, "RPC method '%s' of module '%s' has no "
		    "help text", e->name, module);
		return -1;
	}
	if ((at = rpc_find(e->name)) >= 0) {
		diag_error_at(d, pos, "RPC method '%s' is exported by both '%s' "
		    "and '%s'", e->name, reg.v[at].module, module);
		return -1;
	}
	at = -at - 1;
	if (reg.n == reg.cap) {
		int cap = reg.cap ? reg.cap * 2 : 64;
		struct rpc_entry *nv = xrealloc(reg.v, (size_t)cap * sizeof(*nv));

		if (nv == NULL) {
			diag_error_at(d, pos, "out of memory registering RPC "
			    "method '%s'", e->name);
			return -1;
		}
		reg.v = nv;
		reg.cap = cap;
	}
	memmove(&reg.v[at + 1], &reg.v[at],
	    (size_t)(reg.n - at) * sizeof(reg.v[0]));
	reg.v[at].exp = e;
	reg.v[at].module = module;
	reg.n++;
	return 0;
}

int
rpc_register_table(const struct rpc_export *tab, const char *module,
    struct cfg_diag *d, struct cfg_pos pos)
{
	int rc = 0;

	/* every entry is tried, so that every clash is reported */
	for (; tab && tab->name; tab++)
		if (rpc_register_one(tab, module, d, pos) == -1)
			rc = -1;
	return rc;
}

const struct rpc_export *
rpc_lookup(const char *name, const char **module)
{
	int at = name ? rpc_find(name) : -1;

	if (at < 0)
		return NULL;
	if (module)
		*module = reg.v[at].module;
	return reg.v[at].exp;
}

int
rpc_count(void)
{
	return reg.n;
}

const struct rpc_export *
rpc_at(int i, const char **module)
{
	if (i < 0 || i >= reg.n)
		return NULL;
	if (module)
		*module = reg.v[i].module;
	return reg.v[i].exp;
}

void
rpc_registry_reset(void)
{
	xfree(reg.v);
	memset(&reg, 0, sizeof(reg));
}

/* --- arguments --------------------------------------------------------------------- */

int
rpc_arg_count(struct rpc_call *c)
{
	return c->argc;
}

int
rpc_arg_str(struct rpc_call *c, int i, str_t *out)
{
	if (i < 0 || i >= c->argc) {
		rpc_fault(c, 400, "missing argument %d", i + 1);
		return -1;
	}
	*out = c->argv[i];
	return 0;
}

int
rpc_arg_int(struct rpc_call *c, int i, long long *out)
{
	str_t s;

	if (rpc_arg_str(c, i, &s) == -1)
		return -1;
	if (str_to_ll(&s, out) == -1) {
		rpc_fault(c, 400, "argument %d is not a number", i + 1);
		return -1;
	}
	return 0;
}

int
rpc_arg_str_opt(struct rpc_call *c, int i, str_t *out)
{
	if (i < 0 || i >= c->argc)
		return 0;
	*out = c->argv[i];
	return 1;
}

/* --- building the reply -------------------------------------------------------------- */

void
rpc_fault(struct rpc_call *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;         /* the first fault is the one that explains */
	c->failed = 1;
	c->code = code;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

int
rpc_failed(const struct rpc_call *c)
{
	return c->failed;
}

/* Copies n bytes into the text area; OFF_NONE on failure (fault set). */
static size_t
rpc_text(struct rpc_call *c, const char *s, size_t n)
{
	size_t off = c->ntext;

	if (n >= RPC_REPLY_MAX - c->ntext) {
		rpc_fault(c, 500, "reply of %s too large", c->method);
		return OFF_NONE;
	}
	if (c->ntext + n + 1 > c->captext) {
		size_t cap = c->captext ? c->captext : 1024;
		char *nt;

		while (cap < c->ntext + n + 1)
			cap *= 2;
		if ((nt = xrealloc(c->text, cap)) == NULL) {
			rpc_fault(c, 500, "out of memory");
			return OFF_NONE;
		}
		c->text = nt;
		c->captext = cap;
	}
	if (n)
		memcpy(c->text + off, s, n);
	c->text[off + n] = '\0';
	c->ntext += n + 1;
	return off;
}

/* Appends an op (NULL when the call failed or memory ran out). */
static struct rpc_op *
rpc_op_new(struct rpc_call *c, enum rpc_op_kind kind, const char *name)
{
	struct rpc_op *op;
	size_t noff = OFF_NONE;

	if (c->failed)
		return NULL;
	/* names exist only inside structs: arrays and the top level of a
	 * reply are anonymous lists, whatever the handler passed */
	if (kind != OP_CLOSE && c->depth > 0 && !c->stack[c->depth - 1] &&
	    (noff = rpc_text(c, name ? name : "", name ? strlen(name) : 0)) ==
	    OFF_NONE)
		return NULL;
	if (c->nops == c->capops) {
		size_t cap = c->capops ? c->capops * 2 : 64;
		struct rpc_op *nv = xrealloc(c->ops, cap * sizeof(*nv));

		if (nv == NULL) {
			rpc_fault(c, 500, "out of memory");
			return NULL;
		}
		c->ops = nv;
		c->capops = cap;
	}
	op = &c->ops[c->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->name = noff;
	op->text_off = OFF_NONE;
	return op;
}

static void
rpc_add_value(struct rpc_call *c, const char *name, enum rpc_vtype t,
    long long i, double d, const char *s, size_t len)
{
	struct rpc_op *op = rpc_op_new(c, OP_VALUE, name);

	if (op == NULL)
		return;
	op->v.type = t;
	op->v.i = i;
	op->v.d = d;
	if (t != RPC_STR)
		return;
	if (s == NULL)
		len = 0;
	op->text_off = rpc_text(c, s ? s : "", len);
	if (op->text_off == OFF_NONE) {
		c->nops--;      /* the fault replaces the reply anyway */
		return;
	}
	op->v.s.len = len;
}

void
rpc_add_int(struct rpc_call *c, const char *name, long long v)
{
	rpc_add_value(c, name, RPC_INT, v, 0, NULL, 0);
}

void
rpc_add_str(struct rpc_call *c, const char *name, const str_t *v)
{
	rpc_add_value(c, name, RPC_STR, 0, 0, v ? v->s : NULL,
	    v ? v->len : 0);
}

void
rpc_add_cstr(struct rpc_call *c, const char *name, const char *v)
{
	rpc_add_value(c, name, RPC_STR, 0, 0, v, v ? strlen(v) : 0);
}

void
rpc_add_double(struct rpc_call *c, const char *name, double v)
{
	rpc_add_value(c, name, RPC_DOUBLE, 0, v, NULL, 0);
}

void
rpc_add_val(struct rpc_call *c, const char *name, const struct val *v)
{
	if (v == NULL || val_is_null(v))
		rpc_add_cstr(c, name, "<null>");
	else if (v->flags & VAL_INT)
		rpc_add_int(c, name, v->n);
	else
		rpc_add_str(c, name, &v->s);
}

static void
rpc_open(struct rpc_call *c, const char *name, int is_array)
{
	struct rpc_op *op;

	if (c->failed)
		return;
	if (c->depth == RPC_DEPTH_MAX) {
		rpc_fault(c, 500, "reply of %s nested too deep", c->method);
		return;
	}
	if ((op = rpc_op_new(c, OP_OPEN, name)) == NULL)
		return;
	op->is_array = is_array;
	c->stack[c->depth++] = (uint8_t)is_array;
}

static void
rpc_close(struct rpc_call *c, int is_array)
{
	struct rpc_op *op;

	if (c->failed)
		return;
	if (c->depth == 0) {
		log_warnx("rpc %s: %s_end with nothing open; ignored",
		    c->method, is_array ? "rpc_array" : "rpc_struct");
		return;
	}
	if (c->stack[c->depth - 1] != is_array)
		log_warnx("rpc %s: %s_end closes the open %s", c->method,
		    is_array ? "rpc_array" : "rpc_struct",
		    is_array ? "struct" : "array");
	if ((op = rpc_op_new(c, OP_CLOSE, NULL)) == NULL)
		return;
	/* the writer is told what is really closed, not what was asked */
	op->is_array = c->stack[--c->depth];
}

void
rpc_struct_begin(struct rpc_call *c, const char *name)
{
	rpc_open(c, name, 0);
}

void
rpc_struct_end(struct rpc_call *c)
{
	rpc_close(c, 0);
}

void
rpc_array_begin(struct rpc_call *c, const char *name)
{
	rpc_open(c, name, 1);
}

void
rpc_array_end(struct rpc_call *c)
{
	rpc_close(c, 1);
}

/* --- running a call ----------------------------------------------------------------- */

static void
rpc_replay(const struct rpc_call *c, const struct rpc_writer *w, void *out)
{
	for (size_t i = 0; i < c->nops; i++) {
		const struct rpc_op *op = &c->ops[i];
		const char *name = op->name == OFF_NONE ? NULL :
		    c->text + op->name;
		struct rpc_value v;

		switch (op->kind) {
		case OP_VALUE:
			v = op->v;
			if (v.type == RPC_STR)
				v.s.s = c->text + op->text_off;
			w->value(out, name, &v);
			break;
		case OP_OPEN:
			w->open(out, name, op->is_array);
			break;
		case OP_CLOSE:
			w->close(out, op->is_array);
			break;
		}
	}
}

int
rpc_execute(const char *name, int argc, const str_t *argv,
    const struct rpc_writer *w, void *out)
{
	struct rpc_call c;
	const struct rpc_export *e;
	int rc;

	memset(&c, 0, sizeof(c));
	c.method = name ? name : "";
	c.argc = argc < 0 ? 0 : argc;
	c.argv = argv;
	if ((e = rpc_lookup(c.method, NULL)) == NULL)
		rpc_fault(&c, 500, "command %s not found", c.method);
	else
		e->fn(&c);
	if (!c.failed && c.depth > 0) {
		log_warnx("rpc %s: %d struct/array left open; closed",
		    c.method, c.depth);
		while (c.depth > 0 && !c.failed)
			rpc_close(&c, c.stack[c.depth - 1]);
	}
	w->begin(out);
	if (c.failed) {
		str_t msg = str_cstr(c.msg);

		w->fault(out, c.code, &msg);
	} else {
		rpc_replay(&c, w, out);
	}
	rc = w->end(out);
	xfree(c.ops);
	xfree(c.text);
	return rc;
}
