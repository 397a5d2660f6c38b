/*
 * jsonrpcs_rpc.c - JSON-RPC 2.0 requests in, core/rpc.h methods run,
 * responses out (see jsonrpcs_rpc.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/module_api.h"
#include "core/rpc.h"
#include "jsonrpcs_rpc.h"

#define OUT_DEPTH_MAX  48       /* rpc.c nests at most 32 */

/* --- the writer: a handler's reply as a JSON tree -------------------------- */

struct out {
	struct jsonrpcs_doc *doc;
	int                  stack[OUT_DEPTH_MAX];  /* [0]: the top level */
	int                  depth;
	int                  broken;    /* nesting beyond OUT_DEPTH_MAX     */
	int                  fault;
	int                  code;
	char                 msg[JSONRPCS_TEXT_MAX];
};

static void
w_begin(void *arg)
{
	struct out *o = arg;

	/* the top-level values are gathered in an array: how many there
	 * are decides the shape of "result" only at the end */
	o->stack[0] = jsonrpcs_new(o->doc, JSONRPCS_ARRAY);
	o->depth = 0;
	o->fault = o->broken = 0;
}

static void
w_add(struct out *o, const char *name, int node)
{
	jsonrpcs_link(o->doc, o->stack[o->depth], name, name ? strlen(name) : 0,
	    node);
}

static void
w_value(void *arg, const char *name, const struct rpc_value *v)
{
	struct out *o = arg;

	switch (v->type) {
	case RPC_INT:
		w_add(o, name, jsonrpcs_new_int(o->doc, v->i));
		break;
	case RPC_DOUBLE:
		w_add(o, name, jsonrpcs_new_double(o->doc, v->d));
		break;
	case RPC_STR:
		w_add(o, name, jsonrpcs_new_str(o->doc, v->s.s, v->s.len));
		break;
	}
}

static void
w_open(void *arg, const char *name, int is_array)
{
	struct out *o = arg;
	int node;

	if (o->depth + 1 == OUT_DEPTH_MAX) {
		o->broken = 1;
		return;
	}
	node = jsonrpcs_new(o->doc, is_array ? JSONRPCS_ARRAY :
	    JSONRPCS_OBJECT);
	w_add(o, name, node);
	o->stack[++o->depth] = node;
}

static void
w_close(void *arg, int is_array)
{
	struct out *o = arg;

	(void)is_array;         /* rpc.c says what really closes: the top */
	if (o->depth > 0)
		o->depth--;
}

static void
w_fault(void *arg, int code, const str_t *msg)
{
	struct out *o = arg;

	o->fault = 1;
	o->code = code;
	snprintf(o->msg, sizeof(o->msg), "%.*s", STR_FMT(msg));
}

static int
w_end(void *arg)
{
	struct out *o = arg;

	return o->doc->oom || o->broken ? -1 : 0;
}

static const struct rpc_writer json_writer = {
	.begin = w_begin,
	.value = w_value,
	.open = w_open,
	.close = w_close,
	.fault = w_fault,
	.end = w_end,
};

/* --- responses ----------------------------------------------------------------- */

void
jsonrpcs_reply_init(struct jsonrpcs_reply *r)
{
	memset(r, 0, sizeof(*r));
	jsonrpcs_buf_init(&r->out);
	jsonrpcs_doc_init(&r->doc);
}

void
jsonrpcs_reply_free(struct jsonrpcs_reply *r)
{
	jsonrpcs_buf_free(&r->out);
	jsonrpcs_doc_free(&r->doc);
}

const char *
jsonrpcs_error_text(int code)
{
	switch (code) {
	case JSONRPCS_E_PARSE:    return "Parse Error";
	case JSONRPCS_E_REQUEST:  return "Invalid Request";
	case JSONRPCS_E_METHOD:   return "Method Not Found";
	case JSONRPCS_E_PARAMS:   return "Invalid Parameters";
	case JSONRPCS_E_INTERNAL: return "Internal Error";
	default:                  return "Execution Error";
	}
}

/* Starts a response: resets r and its tree. */
static void
reply_reset(struct jsonrpcs_reply *r)
{
	jsonrpcs_doc_reset(&r->doc);
	r->out.len = 0;
	r->out.oom = 0;
	r->send = 0;
	r->code = 200;
	snprintf(r->text, sizeof(r->text), "OK");
}

/*
 * Writes the response: {"jsonrpc", "result" or "error", "id"}.  result
 * is a node of r->doc (ignored when msg is set: an error).  id is a node
 * of req, -1 for null, -2 for no "id" member at all.
 */
static int
respond(struct jsonrpcs_reply *r, int pretty, const struct jsonrpcs_doc *req,
    int id, int result, int code, const char *msg, const char *data)
{
	struct jsonrpcs_doc *d = &r->doc;
	int root = jsonrpcs_new(d, JSONRPCS_OBJECT);

	jsonrpcs_link(d, root, "jsonrpc", 7, jsonrpcs_new_str(d, "2.0", 3));
	if (msg != NULL) {
		int err = jsonrpcs_new(d, JSONRPCS_OBJECT);

		jsonrpcs_link(d, err, "code", 4, jsonrpcs_new_int(d, code));
		jsonrpcs_link(d, err, "message", 7,
		    jsonrpcs_new_str(d, msg, strlen(msg)));
		if (data != NULL)
			jsonrpcs_link(d, err, "data", 4,
			    jsonrpcs_new_str(d, data, strlen(data)));
		jsonrpcs_link(d, root, "error", 5, err);
		r->code = code;
		snprintf(r->text, sizeof(r->text), "%s", msg);
	} else {
		jsonrpcs_link(d, root, "result", 6, result);
	}
	if (id >= 0)
		jsonrpcs_link(d, root, "id", 2, jsonrpcs_copy(d, req, id));
	else if (id == -1)
		jsonrpcs_link(d, root, "id", 2, jsonrpcs_new(d, JSONRPCS_NULL));
	r->out.len = 0;
	if (d->oom || jsonrpcs_write(&r->out, d, root, pretty) == -1) {
		log_errx("jsonrpcs: out of memory writing a response");
		r->send = 0;
		return -1;
	}
	r->send = 1;
	return 0;
}

int
jsonrpcs_error_reply(struct jsonrpcs_reply *r, int pretty, int code,
    const char *data)
{
	reply_reset(r);
	return respond(r, pretty, NULL, -1, -1, code,
	    jsonrpcs_error_text(code), data);
}

/* --- requests -------------------------------------------------------------------- */

struct args {
	int    argc;
	str_t  argv[JSONRPCS_MAX_PARAMS];
	char   num[JSONRPCS_MAX_PARAMS][24];
};

/*
 * A number as the text a handler's rpc_arg_int() reads: integers in
 * their plain decimal form ("1e3" is "1000", "-0" is "0"); others as
 * they were written.
 */
static str_t
number_arg(const struct jsonrpcs_doc *req, int c, char *buf, size_t size)
{
	const struct jsonrpcs_node *n = &req->v[c];
	str_t text = str_make(req->text + n->s, n->s_len);
	long long ll;

	if (str_to_ll(&text, &ll) == 0) {
		snprintf(buf, size, "%lld", ll);
		return str_cstr(buf);
	}
	/* within 2^53 a double holds every integer exactly */
	if (n->d == floor(n->d) && fabs(n->d) <= 9007199254740992.0) {
		snprintf(buf, size, "%lld", (long long)n->d);
		return str_cstr(buf);
	}
	return text;
}

/* params (array or object: values in order, names ignored, as Kamailio
 * does) into string arguments; 0, or -1 with the reason in why. */
static int
params_to_args(const struct jsonrpcs_doc *req, int params, struct args *a,
    char *why, size_t size)
{
	static const char *const what[] = {
		[JSONRPCS_NULL] = "null", [JSONRPCS_ARRAY] = "an array",
		[JSONRPCS_OBJECT] = "an object",
	};

	a->argc = 0;
	if (params < 0)
		return 0;
	for (int c = req->v[params].first; c >= 0; c = req->v[c].next) {
		const struct jsonrpcs_node *n = &req->v[c];
		str_t *arg = &a->argv[a->argc];

		if (a->argc == JSONRPCS_MAX_PARAMS) {
			snprintf(why, size, "more than %d parameters",
			    JSONRPCS_MAX_PARAMS);
			return -1;
		}
		switch (n->type) {
		case JSONRPCS_STRING:
			*arg = str_make(req->text + n->s, n->s_len);
			break;
		case JSONRPCS_NUMBER:
			*arg = number_arg(req, c, a->num[a->argc],
			    sizeof(a->num[0]));
			break;
		case JSONRPCS_TRUE:
			*arg = str_cstr("1");
			break;
		case JSONRPCS_FALSE:
			*arg = str_cstr("0");
			break;
		default:
			snprintf(why, size, "parameter %d is %s: only strings, "
			    "numbers and booleans are accepted", a->argc + 1,
			    what[n->type]);
			return -1;
		}
		a->argc++;
	}
	return 0;
}

static int
is_str(const struct jsonrpcs_doc *req, int i, const char *s)
{
	return i >= 0 && req->v[i].type == JSONRPCS_STRING &&
	    req->v[i].s_len == strlen(s) &&
	    memcmp(req->text + req->v[i].s, s, req->v[i].s_len) == 0;
}

static int
invalid(struct jsonrpcs_reply *r, int pretty, const struct jsonrpcs_doc *req,
    int id, const char *why)
{
	log_warnx("jsonrpcs: invalid request: %s", why);
	return respond(r, pretty, req, id, -1, JSONRPCS_E_REQUEST,
	    jsonrpcs_error_text(JSONRPCS_E_REQUEST), why);
}

/* Runs the method; the response (result or fault) into r. */
static int
run(struct jsonrpcs_reply *r, int pretty, const struct jsonrpcs_doc *req,
    int id, const char *method, const struct args *a)
{
	struct out o;
	int items, result;

	memset(&o, 0, sizeof(o));
	o.doc = &r->doc;
	if (rpc_execute(method, a->argc, a->argv, &json_writer, &o) == -1) {
		log_errx("jsonrpcs: %s: cannot build the reply (out of memory "
		    "or nested too deep)", method);
		jsonrpcs_doc_reset(&r->doc);
		return respond(r, pretty, req, id, -1, JSONRPCS_E_INTERNAL,
		    jsonrpcs_error_text(JSONRPCS_E_INTERNAL), NULL);
	}
	if (o.fault) {
		log_dbg("jsonrpcs: %s: fault %d %s", method, o.code, o.msg);
		return respond(r, pretty, req, id, -1, o.code, o.msg, NULL);
	}
	items = o.stack[0];
	switch (r->doc.v[items].count) {
	case 0:
		result = jsonrpcs_new(&r->doc, JSONRPCS_OBJECT);
		break;
	case 1:
		/* the one value itself: relinking it leaves the array unused */
		result = r->doc.v[items].first;
		break;
	default:
		result = items;
	}
	return respond(r, pretty, req, id, result, 0, NULL, NULL);
}

/* The method name as a C string; 0, or -1 when it cannot name one. */
static int
method_name(const struct jsonrpcs_doc *req, int m, char *buf)
{
	const struct jsonrpcs_node *n = &req->v[m];

	if (n->s_len == 0 || n->s_len > JSONRPCS_METHOD_MAX ||
	    memchr(req->text + n->s, '\0', n->s_len) != NULL)
		return -1;
	memcpy(buf, req->text + n->s, n->s_len + 1);
	return 0;
}

int
jsonrpcs_serve(const struct jsonrpcs_doc *req, int pretty, int always_reply,
    struct jsonrpcs_reply *r)
{
	char method[JSONRPCS_METHOD_MAX + 1], why[160];
	int id, has_id, m, params, rc;
	struct args a;

	reply_reset(r);
	if (req->n == 0 || req->v[0].type != JSONRPCS_OBJECT)
		return invalid(r, pretty, req, -1, req->n &&
		    req->v[0].type == JSONRPCS_ARRAY ? "batch requests are "
		    "not supported" : "the request is not a JSON object");
	id = jsonrpcs_member(req, 0, "id");
	has_id = id >= 0;
	if (has_id && req->v[id].type != JSONRPCS_STRING &&
	    req->v[id].type != JSONRPCS_NUMBER &&
	    req->v[id].type != JSONRPCS_NULL)
		return invalid(r, pretty, req, -1, "\"id\" must be a string, a "
		    "number or null");
	/* a request that is not valid is answered even without an id (with
	 * id null); jsonrpc_exec's response to a notification has none */
	if (!has_id)
		id = always_reply ? -2 : -1;
	if (!is_str(req, jsonrpcs_member(req, 0, "jsonrpc"), "2.0"))
		return invalid(r, pretty, req, id, "\"jsonrpc\" must be "
		    "\"2.0\"");
	m = jsonrpcs_member(req, 0, "method");
	if (m < 0 || req->v[m].type != JSONRPCS_STRING)
		return invalid(r, pretty, req, id, "\"method\" must be a "
		    "string");
	params = jsonrpcs_member(req, 0, "params");
	if (params >= 0 && req->v[params].type != JSONRPCS_ARRAY &&
	    req->v[params].type != JSONRPCS_OBJECT)
		return invalid(r, pretty, req, id, "\"params\" must be an "
		    "array or an object");
	if (method_name(req, m, method) == -1 ||
	    rpc_lookup(method, NULL) == NULL) {
		log_warnx("jsonrpcs: method not found: \"%.*s\"",
		    (int)(req->v[m].s_len > 64 ? 64 : req->v[m].s_len),
		    jsonrpcs_str(req, m));
		rc = respond(r, pretty, req, id, -1, JSONRPCS_E_METHOD,
		    jsonrpcs_error_text(JSONRPCS_E_METHOD), NULL);
	} else if (params_to_args(req, params, &a, why, sizeof(why)) == -1) {
		log_warnx("jsonrpcs: %s: invalid parameters: %s", method, why);
		rc = respond(r, pretty, req, id, -1, JSONRPCS_E_PARAMS,
		    jsonrpcs_error_text(JSONRPCS_E_PARAMS), why);
	} else {
		rc = run(r, pretty, req, id, method, &a);
	}
	if (!has_id && !always_reply)
		r->send = 0;    /* a valid notification is never answered */
	return rc;
}

int
jsonrpcs_serve_text(const char *text, size_t len, int pretty,
    int always_reply, struct jsonrpcs_doc *scratch, struct jsonrpcs_reply *r)
{
	struct jsonrpcs_perr err;
	char why[128];

	switch (jsonrpcs_parse_all(scratch, text, len, &err)) {
	case JSONRPCS_OK:
		return jsonrpcs_serve(scratch, pretty, always_reply, r);
	case JSONRPCS_NOMEM:
		log_errx("jsonrpcs: out of memory parsing a request of %zu "
		    "bytes", len);
		return jsonrpcs_error_reply(r, pretty, JSONRPCS_E_INTERNAL,
		    "out of memory");
	default:
		snprintf(why, sizeof(why), "%s at byte %zu", err.msg, err.off);
		log_warnx("jsonrpcs: request of %zu bytes is not JSON: %s", len,
		    why);
		return jsonrpcs_error_reply(r, pretty, JSONRPCS_E_PARSE, why);
	}
}
