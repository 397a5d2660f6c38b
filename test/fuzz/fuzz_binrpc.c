/*
 * fuzz_binrpc.c - libFuzzer target for the BINRPC codec
 * (modules/ctl/binrpc.c).
 *
 * The input is a packet (header + body) as a client would send it.  The
 * target parses the header, decodes the body (the whole input after the
 * header when the header's length disagrees) and re-encodes every value
 * it read.  Besides what the sanitizers catch, it aborts when
 *  - the decoder breaks its contract (a value outside the body, a depth
 *    outside 0..BINRPC_MAX_DEPTH, an end marker at depth 0, an error code
 *    that is not one of enum binrpc_err), or
 *  - a body that decoded cleanly does not decode to the same values once
 *    re-encoded (the encoder and decoder disagree).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/ctl/binrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALS 4096

struct seen {
	int        type, end;
	long long  i;
	double     d;
	size_t     len, name_len;
	uint64_t   hash;            /* of the string and the name */
};

static uint64_t
fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	while (n--)
		h = (h ^ *s++) * 1099511628211ull;
	return h;
}

static void
must(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_binrpc: %s\n", what);
		abort();
	}
}

static int
within(const void *p, size_t n, const uint8_t *body, size_t len)
{
	const uint8_t *q = p;

	return n == 0 || (q >= body && q + n <= body + len);
}

/* Decodes body into out[]; returns the count, or the error. */
static int
decode(const uint8_t *body, size_t len, struct seen *out, int *n)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	int rc;

	*n = 0;
	binrpc_dec_init(&d, body, len);
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		int depth = binrpc_dec_depth(&d);

		must(depth >= 0 && depth <= BINRPC_MAX_DEPTH, "depth out of range");
		must(v.type >= BINRPC_T_INT && v.type <= BINRPC_T_BYTES &&
		    v.type != BINRPC_T_AVP, "bad value type");
		if (v.type == BINRPC_T_STR || v.type == BINRPC_T_BYTES)
			must(within(v.s, v.len, body, len) || v.len == 0,
			    "string outside the body");
		if (v.type == BINRPC_T_STR && v.len)
			must(v.s[v.len] == '\0', "string without its NUL");
		if (v.name)
			must(within(v.name, v.name_len, body, len) ||
			    v.name_len == 0, "name outside the body");
		if (*n < MAX_VALS) {
			struct seen *s = &out[(*n)++];

			memset(s, 0, sizeof(*s));
			s->type = v.type;
			s->end = v.end;
			s->i = v.i;
			s->d = v.d;
			s->len = v.len;
			s->name_len = v.name ? v.name_len : 0;
			s->hash = fnv(v.s ? v.s : "", v.s ? v.len : 0, 14695981039346656037ull);
			s->hash = fnv(v.name ? v.name : "", s->name_len, s->hash);
		}
	}
	must(rc <= 0 && rc >= BINRPC_E_ARG, "unknown error code");
	must(strcmp(binrpc_strerror(rc), "unknown error") != 0,
	    "error without a message");
	/* errors are sticky */
	must(binrpc_dec_next(&d, &v) == rc, "error not sticky");
	return rc;
}

/* Re-encodes decoded values (names inside structs are kept). */
static int
reencode(const uint8_t *body, size_t len, struct binrpc_enc *e)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	char name[512];
	int rc;

	binrpc_dec_init(&d, body, len);
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		const char *nm = NULL;

		if (v.name) {
			snprintf(name, sizeof(name), "%.*s", (int)v.name_len, v.name);
			nm = name;
			if (strlen(name) != v.name_len)
				return -1;      /* a NUL inside the name: not comparable */
		}
		if (v.end) {
			binrpc_close(e);
			continue;
		}
		switch (v.type) {
		case BINRPC_T_INT:
			binrpc_add_int(e, nm, v.i);
			break;
		case BINRPC_T_DOUBLE:
			binrpc_add_double(e, nm, v.d);
			break;
		case BINRPC_T_STR:
			binrpc_add_str(e, nm, v.s, v.len);
			break;
		case BINRPC_T_BYTES:
			binrpc_add_bytes(e, nm, v.s, v.len);
			break;
		default:
			binrpc_open(e, nm, v.type);
			break;
		}
	}
	return rc;
}

static void
roundtrip(const uint8_t *body, size_t len, const struct seen *a, int na)
{
	static struct seen b[MAX_VALS];
	struct binrpc_enc e;
	struct binrpc_hdr h;
	const uint8_t *pkt;
	size_t plen;
	int nb;

	if (na >= MAX_VALS || binrpc_enc_init(&e, 0) != BINRPC_OK)
		return;
	if (reencode(body, len, &e) != 0 ||
	    binrpc_enc_finish(&e, BINRPC_REPLY, 7, &pkt, &plen) != BINRPC_OK) {
		binrpc_enc_free(&e);
		return;
	}
	must(binrpc_parse_hdr(pkt, plen, 0, &h) == BINRPC_OK &&
	    h.hdr_len + h.body_len == plen && h.cookie == 7,
	    "re-encoded header does not parse");
	must(decode(pkt + h.hdr_len, h.body_len, b, &nb) == 0,
	    "re-encoded body does not decode");
	must(nb == na, "re-encoded body has another number of values");
	for (int i = 0; i < na; i++) {
		must(a[i].type == b[i].type && a[i].end == b[i].end &&
		    a[i].len == b[i].len && a[i].name_len == b[i].name_len &&
		    a[i].hash == b[i].hash, "re-encoded value differs");
		if (a[i].type == BINRPC_T_INT)
			must(a[i].i == b[i].i, "re-encoded int differs");
		if (a[i].type == BINRPC_T_DOUBLE)
			must(a[i].d == b[i].d, "re-encoded double differs");
	}
	binrpc_enc_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen a[MAX_VALS];
	struct binrpc_hdr h;
	const uint8_t *body = data;
	size_t len = size;
	int rc, na;

	rc = binrpc_parse_hdr(data, size, 1u << 20, &h);
	if (rc == BINRPC_OK) {
		must(h.hdr_len >= 4 && h.hdr_len <= BINRPC_HDR_MAX,
		    "header length out of range");
		body = data + h.hdr_len;
		len = size - h.hdr_len;
		if (h.body_len < len)
			len = h.body_len;
	}
	if (decode(body, len, a, &na) == 0)
		roundtrip(body, len, a, na);
	return 0;
}
