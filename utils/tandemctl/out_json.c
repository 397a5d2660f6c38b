/*
 * out_json.c - prints a reply as JSON (RFC 8259), indented by two
 * spaces, in the shape of a JSON-RPC response without its envelope:
 *
 *   {                                   {
 *     "result": {                         "error": {
 *       "uptime": 4,                        "code": 500,
 *       "slots": [ ... ]                    "message": "command x not found"
 *     }                                   }
 *   }                                   }
 *
 * Strings are escaped; bytes that are not UTF-8 become U+FFFD, since JSON
 * text is Unicode and a consumer must be able to parse whatever the
 * server said.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "modules/ctl/binrpc.h"
#include "tandemctl.h"

struct jw {
	FILE   *fp;
	int     level;                          /* open containers      */
	uint8_t empty[BINRPC_MAX_DEPTH + 4];    /* 1: nothing in it yet */
	int     after_key;      /* 1: the next value follows a key      */
};

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return k;
}

static void
json_str(FILE *fp, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', fp);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k;

		switch (c) {
		case '"':  fputs("\\\"", fp); i++; continue;
		case '\\': fputs("\\\\", fp); i++; continue;
		case '\n': fputs("\\n", fp); i++; continue;
		case '\r': fputs("\\r", fp); i++; continue;
		case '\t': fputs("\\t", fp); i++; continue;
		case '\b': fputs("\\b", fp); i++; continue;
		case '\f': fputs("\\f", fp); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
			i++;
		} else if ((k = utf8_len(s + i, n - i)) == 0) {
			fputs("\\ufffd", fp);
			i++;
		} else {
			fwrite(s + i, 1, k, fp);
			i += k;
		}
	}
	fputc('"', fp);
}

static void
jw_indent(struct jw *w, int level)
{
	fputc('\n', w->fp);
	for (int i = 0; i < level; i++)
		fputs("  ", w->fp);
}

/* Starts an element of the innermost container: comma, line, key. */
static void
jw_elem(struct jw *w, const char *name, size_t name_len)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->empty[w->level])
		fputc(',', w->fp);
	w->empty[w->level] = 0;
	jw_indent(w, w->level);
	if (name != NULL) {
		json_str(w->fp, name, name_len);
		fputs(": ", w->fp);
	}
}

static void
jw_open(struct jw *w, int is_array)
{
	fputc(is_array ? '[' : '{', w->fp);
	w->empty[++w->level] = 1;
}

static void
jw_close(struct jw *w, int is_array)
{
	if (!w->empty[w->level])
		jw_indent(w, w->level - 1);
	w->level--;
	fputc(is_array ? ']' : '}', w->fp);
}

static int
jw_value(struct jw *w, const struct binrpc_val *v)
{
	if (v->end) {
		jw_close(w, v->type == BINRPC_T_ARRAY);
		return 0;
	}
	jw_elem(w, v->name, v->name_len);
	switch (v->type) {
	case BINRPC_T_INT:
		fprintf(w->fp, "%lld", v->i);
		break;
	case BINRPC_T_DOUBLE:
		if (isfinite(v->d))
			fprintf(w->fp, "%.15g", v->d);
		else
			fputs("null", w->fp);
		break;
	case BINRPC_T_STR:
	case BINRPC_T_BYTES:
		json_str(w->fp, v->s, v->len);
		break;
	case BINRPC_T_STRUCT:
	case BINRPC_T_ARRAY:
		jw_open(w, v->type == BINRPC_T_ARRAY);
		break;
	default:
		return -1;
	}
	return 0;
}

/* Top-level values in the body; -1 and err if it does not decode. */
static int
count_top(const uint8_t *body, size_t len, char *err, size_t errsz)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	int n = 0, rc;

	binrpc_dec_init(&d, body, len);
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		if (!v.end && binrpc_dec_depth(&d) ==
		    (v.type == BINRPC_T_STRUCT || v.type == BINRPC_T_ARRAY))
			n++;
		if (!v.end && v.type != BINRPC_T_INT &&
		    v.type != BINRPC_T_DOUBLE && v.type != BINRPC_T_STR &&
		    v.type != BINRPC_T_BYTES && v.type != BINRPC_T_STRUCT &&
		    v.type != BINRPC_T_ARRAY) {
			snprintf(err, errsz, "bad reply: value of type %d",
			    v.type);
			return -1;
		}
	}
	if (rc < 0) {
		snprintf(err, errsz, "bad reply: %s", binrpc_strerror(rc));
		return -1;
	}
	return n;
}

int
out_json_reply(FILE *fp, const uint8_t *body, size_t len, char *err,
    size_t errsz)
{
	struct jw w = { .fp = fp };
	struct binrpc_dec d;
	struct binrpc_val v;
	int n = count_top(body, len, err, errsz);

	if (n < 0)
		return -1;
	jw_open(&w, 0);
	jw_elem(&w, "result", 6);
	if (n == 0)
		fputs("null", fp);
	else if (n == 1)
		w.after_key = 1;
	else
		jw_open(&w, 1);
	binrpc_dec_init(&d, body, len);
	while (binrpc_dec_next(&d, &v) == 1)
		if (jw_value(&w, &v) == -1)
			return -1;      /* count_top saw them all: never */
	if (n > 1)
		jw_close(&w, 1);
	jw_close(&w, 0);
	fputc('\n', fp);
	return 0;
}

void
out_json_fault(FILE *fp, int code, const char *msg, size_t len)
{
	fprintf(fp, "{\n  \"error\": {\n    \"code\": %d,\n    \"message\": ",
	    code);
	json_str(fp, msg, len);
	fputs("\n  }\n}\n", fp);
}
