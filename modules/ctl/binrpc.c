/*
 * binrpc.c - the BINRPC codec (wire format in binrpc.h).  Pure: no core
 * headers, no globals; every input is untrusted and bounded by its
 * length, never by a NUL.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binrpc.h"

#define TYPE_MAX      BINRPC_T_BYTES
#define END_FLAG      0x80u
#define ENC_DEFAULT   (1u << 20)

const char *
binrpc_strerror(int err)
{
	switch (err) {
	case BINRPC_OK:         return "no error";
	case BINRPC_E_MORE:     return "truncated packet";
	case BINRPC_E_MAGIC:    return "bad magic or version (not BINRPC 1)";
	case BINRPC_E_MSGTYPE:  return "unknown message type";
	case BINRPC_E_TOOBIG:   return "packet body too large";
	case BINRPC_E_TYPE:     return "unknown record type";
	case BINRPC_E_LEN:      return "bad record length field";
	case BINRPC_E_INT:      return "integer wider than 4 bytes";
	case BINRPC_E_NUL:      return "string not NUL-terminated";
	case BINRPC_E_AVP:      return "struct member without a name, or a "
	                            "name outside a struct";
	case BINRPC_E_END:      return "unbalanced struct/array marker";
	case BINRPC_E_DEPTH:    return "structs/arrays nested too deep";
	case BINRPC_E_UNCLOSED: return "body ends inside a struct or array";
	case BINRPC_E_OVERFLOW: return "reply too large";
	case BINRPC_E_NOMEM:    return "out of memory";
	case BINRPC_E_STATE:    return "unbalanced struct/array in the encoder";
	case BINRPC_E_ARG:      return "bad argument";
	default:                return "unknown error";
	}
}

/* Big-endian unsigned of n <= 4 bytes. */
static uint32_t
be_read(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | *p++;
	return v;
}

/* Bytes needed for v, at least `min`. */
static unsigned
be_len(uint32_t v, unsigned min)
{
	unsigned n = 0;

	for (; v; v >>= 8)
		n++;
	return n < min ? min : n;
}

static void
be_write(uint8_t *p, uint32_t v, unsigned n)
{
	while (n--) {
		p[n] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

/* --- header ------------------------------------------------------------------ */

int
binrpc_parse_hdr(const uint8_t *buf, size_t len, size_t max_body,
    struct binrpc_hdr *h)
{
	unsigned ll, cl, type;

	if (len < 1)
		return BINRPC_E_MORE;
	if (buf[0] != BINRPC_MAGIC_VERS)
		return BINRPC_E_MAGIC;
	if (len < 2)
		return BINRPC_E_MORE;
	type = buf[1] >> 4;
	if (type != BINRPC_REQ && type != BINRPC_REPLY && type != BINRPC_FAULT)
		return BINRPC_E_MSGTYPE;
	ll = ((buf[1] >> 2) & 3u) + 1;
	cl = (buf[1] & 3u) + 1;
	if (len < 2 + ll + cl)
		return BINRPC_E_MORE;
	h->type = (int)type;
	h->body_len = be_read(buf + 2, ll);
	h->cookie = be_read(buf + 2 + ll, cl);
	h->hdr_len = 2 + ll + cl;
	if (max_body && h->body_len > max_body)
		return BINRPC_E_TOOBIG;
	return BINRPC_OK;
}

/* --- decoding -------------------------------------------------------------------- */

/* One record as it is on the wire. */
struct rec {
	unsigned        type;
	int             tag;        /* struct/array marker              */
	int             end;        /*   ... closing                    */
	const uint8_t  *v;
	size_t          len;
};

void
binrpc_dec_init(struct binrpc_dec *d, const uint8_t *body, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->p = body;
	d->end = body + len;
}

/* Reads the record at d->p (which is before d->end). */
static int
dec_rec(struct binrpc_dec *d, struct rec *r)
{
	const uint8_t *p = d->p;
	unsigned b = *p++, size = (b >> 4) & 7u;
	size_t len;

	memset(r, 0, sizeof(*r));
	r->type = b & 0x0fu;
	if (r->type > TYPE_MAX)
		return BINRPC_E_TYPE;
	if (r->type == BINRPC_T_STRUCT || r->type == BINRPC_T_ARRAY) {
		/* a marker carries no value: only 0x0T and 0x8T exist */
		if ((b & 0x70u) != 0)
			return BINRPC_E_END;
		r->tag = 1;
		r->end = (b & END_FLAG) != 0;
		d->p = p;
		return BINRPC_OK;
	}
	if (b & END_FLAG) {
		if (size == 0 || size > 4)
			return BINRPC_E_LEN;
		if ((size_t)(d->end - p) < size)
			return BINRPC_E_MORE;
		len = be_read(p, size);
		p += size;
	} else {
		len = size;
	}
	if ((size_t)(d->end - p) < len)
		return BINRPC_E_MORE;
	r->v = p;
	r->len = len;
	d->p = p + len;
	return BINRPC_OK;
}

/* Text of a str/avp record: the length counts a final NUL. */
static int
rec_text(const struct rec *r, const char **s, size_t *len)
{
	if (r->len == 0) {             /* "null" string: read as empty */
		*s = "";
		*len = 0;
		return BINRPC_OK;
	}
	if (r->v[r->len - 1] != 0)
		return BINRPC_E_NUL;
	*s = (const char *)r->v;
	*len = r->len - 1;
	return BINRPC_OK;
}

static int
rec_int(const struct rec *r, long long *out)
{
	uint32_t u;

	if (r->len > 4)
		return BINRPC_E_INT;
	u = be_read(r->v, (unsigned)r->len);
	/* four bytes are a 32-bit two's complement; fewer are positive */
	*out = r->len == 4 ? (long long)(int32_t)u : (long long)u;
	return BINRPC_OK;
}

/* Fills v from a value record (not an avp); pushes a container start. */
static int
dec_value(struct binrpc_dec *d, const struct rec *r, struct binrpc_val *v)
{
	long long i;
	int rc = BINRPC_OK;

	v->type = (int)r->type;
	switch (r->type) {
	case BINRPC_T_INT:
		rc = rec_int(r, &v->i);
		break;
	case BINRPC_T_DOUBLE:
		if ((rc = rec_int(r, &i)) == BINRPC_OK)
			v->d = (double)i / 1000.0;
		break;
	case BINRPC_T_STR:
		rc = rec_text(r, &v->s, &v->len);
		break;
	case BINRPC_T_BYTES:
		v->s = r->len ? (const char *)r->v : "";
		v->len = r->len;
		break;
	case BINRPC_T_STRUCT:
	case BINRPC_T_ARRAY:
		if (d->depth == BINRPC_MAX_DEPTH)
			return BINRPC_E_DEPTH;
		d->stack[d->depth++] = (uint8_t)r->type;
		break;
	default:
		rc = BINRPC_E_AVP;
		break;
	}
	return rc;
}

/* Closes the innermost container with marker r. */
static int
dec_close(struct binrpc_dec *d, const struct rec *r, struct binrpc_val *v)
{
	if (d->depth == 0 || d->stack[d->depth - 1] != r->type)
		return BINRPC_E_END;
	d->depth--;
	v->type = (int)r->type;
	v->end = 1;
	return 1;
}

/* Inside a struct: an avp name and the value it names, or the end. */
static int
dec_member(struct binrpc_dec *d, const struct rec *r, struct binrpc_val *v)
{
	struct rec val;
	int rc;

	if (r->tag && r->end)
		return dec_close(d, r, v);
	if (r->type != BINRPC_T_AVP)
		return BINRPC_E_AVP;
	if ((rc = rec_text(r, &v->name, &v->name_len)) != BINRPC_OK)
		return rc;
	if (d->p == d->end)
		return BINRPC_E_UNCLOSED;
	if ((rc = dec_rec(d, &val)) != BINRPC_OK)
		return rc;
	if (val.type == BINRPC_T_AVP || (val.tag && val.end))
		return BINRPC_E_AVP;
	if ((rc = dec_value(d, &val, v)) != BINRPC_OK)
		return rc;
	return 1;
}

static int
dec_next(struct binrpc_dec *d, struct binrpc_val *v)
{
	struct rec r;
	int rc;

	memset(v, 0, sizeof(*v));
	if (d->p >= d->end)
		return d->depth ? BINRPC_E_UNCLOSED : 0;
	if ((rc = dec_rec(d, &r)) != BINRPC_OK)
		return rc;
	if (d->depth && d->stack[d->depth - 1] == BINRPC_T_STRUCT)
		return dec_member(d, &r, v);
	if (r.type == BINRPC_T_AVP)
		return BINRPC_E_AVP;
	if (r.tag && r.end)
		return dec_close(d, &r, v);
	if ((rc = dec_value(d, &r, v)) != BINRPC_OK)
		return rc;
	return 1;
}

int
binrpc_dec_next(struct binrpc_dec *d, struct binrpc_val *v)
{
	int rc;

	if (d->err)
		return d->err;
	rc = dec_next(d, v);
	if (rc < 0)
		d->err = rc;
	return rc;
}

int
binrpc_parse_fault(const uint8_t *body, size_t len, int *code,
    const char **msg, size_t *msg_len)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	int rc;

	binrpc_dec_init(&d, body, len);
	if ((rc = binrpc_dec_next(&d, &v)) < 0)
		return rc;
	if (rc == 0 || v.type != BINRPC_T_INT)
		return BINRPC_E_TYPE;
	*code = (int)v.i;
	*msg = "";
	*msg_len = 0;
	if ((rc = binrpc_dec_next(&d, &v)) < 0)
		return rc;
	if (rc == 0)
		return BINRPC_OK;
	if (v.type != BINRPC_T_STR && v.type != BINRPC_T_BYTES)
		return BINRPC_E_TYPE;
	*msg = v.s;
	*msg_len = v.len;
	return BINRPC_OK;
}

/* --- encoding ---------------------------------------------------------------------- */

int
binrpc_enc_init(struct binrpc_enc *e, size_t max_body)
{
	memset(e, 0, sizeof(*e));
	e->max_body = max_body ? max_body : ENC_DEFAULT;
	if (e->max_body > UINT32_MAX)
		e->max_body = UINT32_MAX;
	e->cap = BINRPC_HDR_MAX + 256;
	e->buf = malloc(e->cap);
	if (e->buf == NULL) {
		e->cap = 0;
		e->err = BINRPC_E_NOMEM;
		return BINRPC_E_NOMEM;
	}
	return BINRPC_OK;
}

void
binrpc_enc_reset(struct binrpc_enc *e)
{
	e->len = 0;
	e->depth = 0;
	e->err = e->buf ? BINRPC_OK : BINRPC_E_NOMEM;
}

void
binrpc_enc_free(struct binrpc_enc *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
	e->err = BINRPC_E_NOMEM;
}

/* Room for n more body bytes; NULL (error set) if not possible. */
static uint8_t *
enc_room(struct binrpc_enc *e, size_t n)
{
	size_t need, cap;
	uint8_t *nb;

	if (e->err)
		return NULL;
	if (n > e->max_body - e->len) {
		e->err = BINRPC_E_OVERFLOW;
		return NULL;
	}
	need = BINRPC_HDR_MAX + e->len + n;
	if (need > e->cap) {
		for (cap = e->cap; cap < need; cap *= 2)
			;
		if ((nb = realloc(e->buf, cap)) == NULL) {
			e->err = BINRPC_E_NOMEM;
			return NULL;
		}
		e->buf = nb;
		e->cap = cap;
	}
	return e->buf + BINRPC_HDR_MAX + e->len;
}

/* A str-like record: s (n bytes) plus a NUL when nul is set. */
static void
enc_text(struct binrpc_enc *e, unsigned type, const void *s, size_t n,
    int nul)
{
	size_t l = n + (nul ? 1 : 0);
	unsigned lb = 0;
	uint8_t *p;

	if (l > UINT32_MAX) {
		if (!e->err)
			e->err = BINRPC_E_OVERFLOW;
		return;
	}
	if (l >= 8)
		lb = be_len((uint32_t)l, 1);
	if ((p = enc_room(e, 1 + lb + l)) == NULL)
		return;
	if (lb) {
		*p++ = (uint8_t)(END_FLAG | (lb << 4) | type);
		be_write(p, (uint32_t)l, lb);
		p += lb;
	} else {
		*p++ = (uint8_t)((l << 4) | type);
	}
	if (n)
		memcpy(p, s, n);
	if (nul)
		p[n] = 0;
	e->len += 1 + lb + l;
}

static void
enc_int(struct binrpc_enc *e, unsigned type, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned n = be_len(u, 0);
	uint8_t *p;

	if ((p = enc_room(e, 1 + n)) == NULL)
		return;
	*p = (uint8_t)((n << 4) | type);
	be_write(p + 1, u, n);
	e->len += 1 + n;
}

/* The avp name that must precede a value inside a struct. */
static void
enc_name(struct binrpc_enc *e, const char *name)
{
	if (e->depth && e->stack[e->depth - 1] == BINRPC_T_STRUCT)
		enc_text(e, BINRPC_T_AVP, name ? name : "",
		    name ? strlen(name) : 0, 1);
}

void
binrpc_add_int(struct binrpc_enc *e, const char *name, long long v)
{
	char buf[32];

	if (v < INT32_MIN || v > INT32_MAX) {
		snprintf(buf, sizeof(buf), "%lld", v);
		binrpc_add_str(e, name, buf, strlen(buf));
		return;
	}
	enc_name(e, name);
	enc_int(e, BINRPC_T_INT, (int32_t)v);
}

void
binrpc_add_str(struct binrpc_enc *e, const char *name, const char *s,
    size_t len)
{
	enc_name(e, name);
	enc_text(e, BINRPC_T_STR, s, len, 1);
}

void
binrpc_add_bytes(struct binrpc_enc *e, const char *name, const void *s,
    size_t len)
{
	enc_name(e, name);
	enc_text(e, BINRPC_T_BYTES, s, len, 0);
}

void
binrpc_add_double(struct binrpc_enc *e, const char *name, double v)
{
	double fx = v * 1000.0;
	char buf[64];

	if (!isfinite(fx) || fx >= (double)INT32_MAX + 0.5 ||
	    fx <= (double)INT32_MIN - 0.5) {
		snprintf(buf, sizeof(buf), "%f", v);
		binrpc_add_str(e, name, buf, strlen(buf));
		return;
	}
	enc_name(e, name);
	/* rounded by hand: no libm for one call */
	enc_int(e, BINRPC_T_DOUBLE, (int32_t)(fx < 0 ? fx - 0.5 : fx + 0.5));
}

void
binrpc_open(struct binrpc_enc *e, const char *name, int type)
{
	uint8_t *p;

	if (e->err)
		return;
	if (type != BINRPC_T_STRUCT && type != BINRPC_T_ARRAY) {
		e->err = BINRPC_E_ARG;
		return;
	}
	if (e->depth == BINRPC_MAX_DEPTH) {
		e->err = BINRPC_E_DEPTH;
		return;
	}
	enc_name(e, name);
	if ((p = enc_room(e, 1)) == NULL)
		return;
	*p = (uint8_t)type;
	e->len++;
	e->stack[e->depth++] = (uint8_t)type;
}

void
binrpc_close(struct binrpc_enc *e)
{
	uint8_t *p;

	if (e->err)
		return;
	if (e->depth == 0) {
		e->err = BINRPC_E_STATE;
		return;
	}
	if ((p = enc_room(e, 1)) == NULL)
		return;
	*p = (uint8_t)(END_FLAG | e->stack[--e->depth]);
	e->len++;
}

void
binrpc_set_fault(struct binrpc_enc *e, int code, const char *msg,
    size_t len)
{
	binrpc_enc_reset(e);
	enc_int(e, BINRPC_T_INT, code);
	enc_text(e, BINRPC_T_STR, msg, len, 1);
}

int
binrpc_enc_finish(struct binrpc_enc *e, int msg_type, uint32_t cookie,
    const uint8_t **pkt, size_t *len)
{
	unsigned ll, cl, hl;
	uint8_t *h;

	if (e->err)
		return e->err;
	if (e->depth)
		return BINRPC_E_STATE;
	if (msg_type != BINRPC_REQ && msg_type != BINRPC_REPLY &&
	    msg_type != BINRPC_FAULT)
		return BINRPC_E_ARG;
	ll = be_len((uint32_t)e->len, 1);
	cl = be_len(cookie, 1);
	hl = 2 + ll + cl;
	h = e->buf + BINRPC_HDR_MAX - hl;
	h[0] = BINRPC_MAGIC_VERS;
	h[1] = (uint8_t)(((unsigned)msg_type << 4) | ((ll - 1) << 2) |
	    (cl - 1));
	be_write(h + 2, (uint32_t)e->len, ll);
	be_write(h + 2 + ll, cookie, cl);
	*pkt = h;
	*len = hl + e->len;
	return BINRPC_OK;
}

int
binrpc_build_request(struct binrpc_enc *e, uint32_t cookie,
    const char *method, int argc, const char *const *argv,
    const uint8_t **pkt, size_t *len)
{
	if (method == NULL || argc < 0 || (argc > 0 && argv == NULL))
		return BINRPC_E_ARG;
	binrpc_enc_reset(e);
	binrpc_add_str(e, NULL, method, strlen(method));
	for (int i = 0; i < argc; i++)
		binrpc_add_str(e, NULL, argv[i], strlen(argv[i]));
	return binrpc_enc_finish(e, BINRPC_REQ, cookie, pkt, len);
}
