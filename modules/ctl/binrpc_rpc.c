/*
 * binrpc_rpc.c - BINRPC requests in, core/rpc.h methods run, BINRPC
 * replies out (see binrpc_rpc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "binrpc_rpc.h"
#include "core/rpc.h"

/* What each open container is on the wire. */
enum {
	K_STRUCT = 0,
	K_ARRAY,
	K_ARRAY_AS_STRUCT,      /* an array inside a struct (see header) */
};

int
binrpc_rpc_init(struct binrpc_rpc *r, size_t max_body, size_t struct_max)
{
	memset(r, 0, sizeof(*r));
	r->max_body = max_body;
	r->struct_max = struct_max;
	return binrpc_enc_init(&r->enc, max_body) == BINRPC_OK ? 0 : -1;
}

void
binrpc_rpc_free(struct binrpc_rpc *r)
{
	binrpc_enc_free(&r->enc);
}

/* --- the writer ------------------------------------------------------------- */

static void
w_begin(void *out)
{
	struct binrpc_rpc *r = out;

	binrpc_enc_reset(&r->enc);
	r->fault = r->too_big = 0;
	r->depth = 0;
}

/* The name a value gets: its index inside an array sent as a struct. */
static const char *
w_name(struct binrpc_rpc *r, const char *name, char *buf, size_t len)
{
	if (r->depth && r->kind[r->depth - 1] == K_ARRAY_AS_STRUCT) {
		snprintf(buf, len, "%ld", r->index[r->depth - 1]++);
		return buf;
	}
	return name;
}

static void
w_value(void *out, const char *name, const struct rpc_value *v)
{
	struct binrpc_rpc *r = out;
	char buf[24];

	name = w_name(r, name, buf, sizeof(buf));
	switch (v->type) {
	case RPC_INT:
		binrpc_add_int(&r->enc, name, v->i);
		break;
	case RPC_DOUBLE:
		binrpc_add_double(&r->enc, name, v->d);
		break;
	case RPC_STR:
		binrpc_add_str(&r->enc, name, v->s.s, v->s.len);
		break;
	}
}

static void
w_open(void *out, const char *name, int is_array)
{
	struct binrpc_rpc *r = out;
	int in_struct = r->depth && r->kind[r->depth - 1] != K_ARRAY;
	char buf[24];
	int kind;

	if (r->depth == BINRPC_MAX_DEPTH) {
		binrpc_open(&r->enc, NULL, BINRPC_T_STRUCT);    /* sets E_DEPTH */
		return;
	}
	name = w_name(r, name, buf, sizeof(buf));
	kind = !is_array ? K_STRUCT : in_struct ? K_ARRAY_AS_STRUCT : K_ARRAY;
	binrpc_open(&r->enc, name,
	    kind == K_ARRAY ? BINRPC_T_ARRAY : BINRPC_T_STRUCT);
	r->kind[r->depth] = (uint8_t)kind;
	r->index[r->depth] = 0;
	r->start[r->depth] = r->enc.len;
	r->depth++;
}

static void
w_close(void *out, int is_array)
{
	struct binrpc_rpc *r = out;

	(void)is_array;         /* rpc.c tells what really closes: the top */
	if (r->depth == 0)
		return;
	r->depth--;
	if (r->kind[r->depth] != K_ARRAY && r->struct_max &&
	    r->enc.len - r->start[r->depth] > r->struct_max)
		r->too_big = 1;
	binrpc_close(&r->enc);
}

static void
w_fault(void *out, int code, const str_t *msg)
{
	struct binrpc_rpc *r = out;

	r->fault = 1;
	binrpc_set_fault(&r->enc, code, msg->s, msg->len);
}

static void
fault_text(struct binrpc_rpc *r, int code, const char *msg)
{
	r->fault = 1;
	binrpc_set_fault(&r->enc, code, msg, strlen(msg));
}

/* Turns an encoding failure into a fault the client can read. */
static int
w_end(void *out)
{
	struct binrpc_rpc *r = out;
	char msg[96];
	int err = binrpc_enc_error(&r->enc);

	if (!r->fault && r->too_big) {
		snprintf(msg, sizeof(msg), "struct in reply too large (over "
		    "%zu bytes; see binrpc_struct_max_body_size)",
		    r->struct_max);
		fault_text(r, 500, msg);
	} else if (!r->fault && err == BINRPC_E_OVERFLOW) {
		snprintf(msg, sizeof(msg), "reply too large (over %zu bytes; "
		    "see binrpc_max_body_size)", r->max_body);
		fault_text(r, 500, msg);
	} else if (!r->fault && err != BINRPC_OK) {
		snprintf(msg, sizeof(msg), "cannot encode reply: %s",
		    binrpc_strerror(err));
		fault_text(r, 500, msg);
	}
	return 0;
}

static const struct rpc_writer binrpc_writer = {
	.begin = w_begin,
	.value = w_value,
	.open = w_open,
	.close = w_close,
	.fault = w_fault,
	.end = w_end,
};

/* --- requests ------------------------------------------------------------------ */

struct request {
	char   method[BINRPC_RPC_NAME_MAX];
	int    argc;
	str_t  argv[BINRPC_RPC_MAX_ARGS];
	char   num[BINRPC_RPC_MAX_ARGS][40];    /* numbers as text */
};

/* Numbers reach handlers as the text kamcmd's user typed. */
static void
number_text(char *buf, size_t len, const struct binrpc_val *v)
{
	char *end;

	if (v->type == BINRPC_T_INT) {
		snprintf(buf, len, "%lld", v->i);
		return;
	}
	snprintf(buf, len, "%.3f", v->d);
	end = buf + strlen(buf);
	while (end > buf && end[-1] == '0')
		*--end = '\0';
	if (end > buf && end[-1] == '.')
		end[-1] = '\0';
}

/* Fills q from the body; 0, or a fault message in err. */
static int
parse_request(const uint8_t *body, size_t len, struct request *q,
    char *err, size_t errlen)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	int rc;

	binrpc_dec_init(&d, body, len);
	if ((rc = binrpc_dec_next(&d, &v)) <= 0 ||
	    (v.type != BINRPC_T_STR && v.type != BINRPC_T_BYTES)) {
		snprintf(err, errlen, "bad request: %s", rc < 0 ?
		    binrpc_strerror(rc) : "no method name");
		return -1;
	}
	if (v.len == 0 || v.len >= sizeof(q->method) ||
	    memchr(v.s, '\0', v.len) != NULL) {
		snprintf(err, errlen, "bad request: invalid method name");
		return -1;
	}
	memcpy(q->method, v.s, v.len);
	q->method[v.len] = '\0';
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		if (q->argc == BINRPC_RPC_MAX_ARGS) {
			snprintf(err, errlen, "too many arguments (max %d)",
			    BINRPC_RPC_MAX_ARGS);
			return -1;
		}
		if (v.type == BINRPC_T_STRUCT || v.type == BINRPC_T_ARRAY ||
		    v.end) {
			snprintf(err, errlen, "argument %d: structs and arrays "
			    "are not supported", q->argc + 1);
			return -1;
		}
		if (v.type == BINRPC_T_INT || v.type == BINRPC_T_DOUBLE) {
			number_text(q->num[q->argc], sizeof(q->num[0]), &v);
			q->argv[q->argc] = str_cstr(q->num[q->argc]);
		} else {
			q->argv[q->argc] = str_make(v.s, v.len);
		}
		q->argc++;
	}
	if (rc < 0) {
		snprintf(err, errlen, "bad request: %s", binrpc_strerror(rc));
		return -1;
	}
	return 0;
}

static int
finish(struct binrpc_rpc *r, const uint8_t **reply, size_t *rlen)
{
	return binrpc_enc_finish(&r->enc, r->fault ? BINRPC_FAULT :
	    BINRPC_REPLY, r->cookie, reply, rlen) == BINRPC_OK ? 0 : -1;
}

int
binrpc_rpc_fault(struct binrpc_rpc *r, uint32_t cookie, int code,
    const char *msg, const uint8_t **reply, size_t *rlen)
{
	r->cookie = cookie;
	w_begin(r);
	fault_text(r, code, msg);
	return finish(r, reply, rlen);
}

int
binrpc_rpc_handle(struct binrpc_rpc *r, const uint8_t *pkt, size_t len,
    const uint8_t **reply, size_t *rlen)
{
	struct request q;
	struct binrpc_hdr h;
	char err[128];
	int rc;

	rc = binrpc_parse_hdr(pkt, len, r->max_body, &h);
	if (rc == BINRPC_E_TOOBIG)
		return binrpc_rpc_fault(r, h.cookie, 400, "request too large",
		    reply, rlen);
	if (rc != BINRPC_OK)
		return -1;
	if (h.hdr_len + h.body_len != len)
		return binrpc_rpc_fault(r, h.cookie, 400, "bad request: "
		    "length does not match the packet", reply, rlen);
	if (h.type != BINRPC_REQ)
		return binrpc_rpc_fault(r, h.cookie, 400, "bad request: not "
		    "a request", reply, rlen);
	memset(&q, 0, sizeof(q));
	if (parse_request(pkt + h.hdr_len, h.body_len, &q, err,
	    sizeof(err)) == -1)
		return binrpc_rpc_fault(r, h.cookie, 400, err, reply, rlen);
	r->cookie = h.cookie;
	rpc_execute(q.method, q.argc, q.argv, &binrpc_writer, r);
	if (finish(r, reply, rlen) == 0)
		return 0;
	/* only a fault that itself does not fit can get here */
	return binrpc_rpc_fault(r, h.cookie, 500, "cannot encode reply",
	    reply, rlen);
}
