/*
 * jsonrpcs_json.c - JSON parser, tree builders and writer (see
 * jsonrpcs_json.h).
 */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "jsonrpcs_json.h"

/* --- documents ------------------------------------------------------------ */

void
jsonrpcs_doc_init(struct jsonrpcs_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
}

void
jsonrpcs_doc_reset(struct jsonrpcs_doc *doc)
{
	doc->n = 0;
	doc->ntext = 0;
	doc->oom = 0;
}

void
jsonrpcs_doc_free(struct jsonrpcs_doc *doc)
{
	xfree(doc->v);
	xfree(doc->text);
	memset(doc, 0, sizeof(*doc));
}

/* Room for n more bytes (and a NUL) in the pool; 0 or -1. */
static int
pool_reserve(struct jsonrpcs_doc *doc, size_t n)
{
	size_t cap;
	char *nt;

	if (doc->oom)
		return -1;
	if (n < doc->captext - doc->ntext)
		return 0;
	if (n > ((size_t)1 << 40)) {
		doc->oom = 1;
		return -1;
	}
	cap = doc->captext ? doc->captext : 256;
	while (cap - doc->ntext <= n)
		cap *= 2;
	if ((nt = xrealloc(doc->text, cap)) == NULL) {
		doc->oom = 1;
		return -1;
	}
	doc->text = nt;
	doc->captext = cap;
	return 0;
}

/* Copies s into the pool; its offset, or JSONRPCS_NONE. */
static size_t
pool_add(struct jsonrpcs_doc *doc, const char *s, size_t n)
{
	size_t off = doc->ntext;

	if (pool_reserve(doc, n) == -1)
		return JSONRPCS_NONE;
	if (n)
		memcpy(doc->text + off, s, n);
	doc->text[off + n] = '\0';
	doc->ntext += n + 1;
	return off;
}

int
jsonrpcs_new(struct jsonrpcs_doc *doc, enum jsonrpcs_type t)
{
	struct jsonrpcs_node *nd;

	if (doc->oom)
		return -1;
	if (doc->n == doc->cap) {
		int cap = doc->cap ? doc->cap * 2 : 64;
		struct jsonrpcs_node *nv;

		if (doc->cap > INT_MAX / 4 || (nv = xrealloc(doc->v,
		    (size_t)cap * sizeof(*nv))) == NULL) {
			doc->oom = 1;
			return -1;
		}
		doc->v = nv;
		doc->cap = cap;
	}
	nd = &doc->v[doc->n];
	memset(nd, 0, sizeof(*nd));
	nd->type = t;
	nd->first = nd->last = nd->next = -1;
	nd->key = JSONRPCS_NONE;
	return doc->n++;
}

int
jsonrpcs_new_str(struct jsonrpcs_doc *doc, const char *s, size_t len)
{
	int i = jsonrpcs_new(doc, JSONRPCS_STRING);
	size_t off;

	if (i < 0 || (off = pool_add(doc, s, len)) == JSONRPCS_NONE)
		return -1;
	doc->v[i].s = off;
	doc->v[i].s_len = len;
	return i;
}

int
jsonrpcs_new_number(struct jsonrpcs_doc *doc, const char *text, size_t len)
{
	int i = jsonrpcs_new(doc, JSONRPCS_NUMBER);
	size_t off;

	if (i < 0 || (off = pool_add(doc, text, len)) == JSONRPCS_NONE)
		return -1;
	doc->v[i].s = off;
	doc->v[i].s_len = len;
	doc->v[i].d = strtod(doc->text + off, NULL);
	return i;
}

int
jsonrpcs_new_int(struct jsonrpcs_doc *doc, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	return jsonrpcs_new_number(doc, buf, (size_t)n);
}

/* The way Kamailio's JSON library prints a double, so that replies look
 * alike: integral values without a fraction, others with six digits. */
int
jsonrpcs_new_double(struct jsonrpcs_doc *doc, double v)
{
	char buf[64];
	int n;

	if (!isfinite(v))
		return jsonrpcs_new(doc, JSONRPCS_NULL);  /* JSON has no NaN */
	if (v == 0)
		n = snprintf(buf, sizeof(buf), "0");
	else if (fabs(floor(v) - v) <= DBL_EPSILON && fabs(v) < 1.0e60)
		n = snprintf(buf, sizeof(buf), "%.0f", v);
	else if (fabs(v) < 1.0e-6 || fabs(v) > 1.0e9)
		n = snprintf(buf, sizeof(buf), "%e", v);
	else
		n = snprintf(buf, sizeof(buf), "%f", v);
	return jsonrpcs_new_number(doc, buf, (size_t)n);
}

static int
link_off(struct jsonrpcs_doc *doc, int parent, size_t key, size_t key_len,
    int child)
{
	struct jsonrpcs_node *p;

	if (doc->oom || parent < 0 || child < 0)
		return -1;
	p = &doc->v[parent];
	if (p->type != JSONRPCS_ARRAY && p->type != JSONRPCS_OBJECT)
		return -1;
	if (p->type == JSONRPCS_OBJECT) {
		doc->v[child].key = key;
		doc->v[child].key_len = key_len;
	}
	if (p->last < 0)
		p->first = child;
	else
		doc->v[p->last].next = child;
	p->last = child;
	p->count++;
	return 0;
}

int
jsonrpcs_link(struct jsonrpcs_doc *doc, int parent, const char *key,
    size_t key_len, int child)
{
	size_t off = JSONRPCS_NONE;

	if (doc->oom || parent < 0 || child < 0)
		return -1;
	if (doc->v[parent].type == JSONRPCS_OBJECT &&
	    (off = pool_add(doc, key ? key : "", key ? key_len : 0)) ==
	    JSONRPCS_NONE)
		return -1;
	return link_off(doc, parent, off, key ? key_len : 0, child);
}

int
jsonrpcs_copy(struct jsonrpcs_doc *dst, const struct jsonrpcs_doc *src, int i)
{
	const struct jsonrpcs_node *n = &src->v[i];
	int j;

	switch (n->type) {
	case JSONRPCS_STRING:
		return jsonrpcs_new_str(dst, src->text + n->s, n->s_len);
	case JSONRPCS_NUMBER:
		return jsonrpcs_new_number(dst, src->text + n->s, n->s_len);
	case JSONRPCS_ARRAY:
	case JSONRPCS_OBJECT:
		if ((j = jsonrpcs_new(dst, n->type)) < 0)
			return -1;
		for (int c = n->first; c >= 0; c = src->v[c].next) {
			const char *key = jsonrpcs_key(src, c);

			if (jsonrpcs_link(dst, j, key, src->v[c].key_len,
			    jsonrpcs_copy(dst, src, c)) == -1)
				return -1;
		}
		return j;
	default:
		return jsonrpcs_new(dst, n->type);
	}
}

int
jsonrpcs_member(const struct jsonrpcs_doc *doc, int obj, const char *name)
{
	size_t len = strlen(name);

	if (obj < 0 || obj >= doc->n || doc->v[obj].type != JSONRPCS_OBJECT)
		return -1;
	for (int c = doc->v[obj].first; c >= 0; c = doc->v[c].next)
		if (doc->v[c].key_len == len &&
		    memcmp(doc->text + doc->v[c].key, name, len) == 0)
			return c;
	return -1;
}

/* --- parsing -------------------------------------------------------------- */

struct pctx {
	struct jsonrpcs_doc  *doc;
	const char           *s;
	size_t                len, pos;
	int                   final;    /* the input ends here for good */
	struct jsonrpcs_perr *err;
};

static int
p_fail(struct pctx *p, const char *msg)
{
	p->err->off = p->pos;
	p->err->msg = msg;
	return JSONRPCS_ERR;
}

/* Input ended inside a value. */
static int
p_end(struct pctx *p)
{
	if (p->final)
		return p_fail(p, "unexpected end of input");
	p->err->off = p->pos;
	p->err->msg = "incomplete";
	return JSONRPCS_MORE;
}

static int
p_nomem(struct pctx *p)
{
	p->err->off = p->pos;
	p->err->msg = "out of memory";
	return JSONRPCS_NOMEM;
}

static void
p_ws(struct pctx *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' ||
	    p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	    p->s[p->pos] == '\r'))
		p->pos++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \u escape at s[pos] ('\\' 'u'); the code point, pos moved past it
 * (and past the low half of a surrogate pair). */
static int
p_uescape(struct pctx *p, size_t end, unsigned *cp)
{
	unsigned hi, lo;

	if (end - p->pos < 6 || hex4(p->s + p->pos + 2, &hi) == -1)
		return p_fail(p, "bad \\u escape");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return p_fail(p, "\\u escape: lone low surrogate");
	if (hi < 0xd800 || hi > 0xdbff) {
		p->pos += 6;
		*cp = hi;
		return JSONRPCS_OK;
	}
	if (end - p->pos < 12 || p->s[p->pos + 6] != '\\' ||
	    p->s[p->pos + 7] != 'u' || hex4(p->s + p->pos + 8, &lo) == -1 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return p_fail(p, "\\u escape: high surrogate without its low "
		    "half");
	p->pos += 12;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return JSONRPCS_OK;
}

/* The string at s[pos] == '"', decoded into the pool. */
static int
p_string(struct pctx *p, size_t *off, size_t *olen)
{
	size_t end, start = p->pos + 1;
	char *o;
	int rc;

	/* find the closing quote first: decoding needs at most that room */
	for (end = start; end < p->len && p->s[end] != '"'; end++)
		if (p->s[end] == '\\')
			end++;
	if (end >= p->len) {
		p->pos = p->len;
		return p_end(p);
	}
	if (pool_reserve(p->doc, end - start) == -1)
		return p_nomem(p);
	*off = p->doc->ntext;
	o = p->doc->text + *off;
	p->pos = start;
	while (p->pos < end) {
		char c = p->s[p->pos];
		unsigned cp;

		if (c != '\\') {
			*o++ = c;
			p->pos++;
			continue;
		}
		switch (p->s[p->pos + 1]) {
		case '"':  *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/':  *o++ = '/'; break;
		case 'b':  *o++ = '\b'; break;
		case 'f':  *o++ = '\f'; break;
		case 'n':  *o++ = '\n'; break;
		case 'r':  *o++ = '\r'; break;
		case 't':  *o++ = '\t'; break;
		case 'u':
			if ((rc = p_uescape(p, end, &cp)) != JSONRPCS_OK)
				return rc;
			o += put_utf8(o, cp);
			continue;
		default:
			return p_fail(p, "bad escape in a string");
		}
		p->pos += 2;
	}
	*olen = (size_t)(o - (p->doc->text + *off));
	*o = '\0';
	p->doc->ntext += *olen + 1;
	p->pos = end + 1;
	return JSONRPCS_OK;
}

static int
p_digits(struct pctx *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	if (p->pos == start)
		return p->pos == p->len ? p_end(p) :
		    p_fail(p, "bad number: digit expected");
	return JSONRPCS_OK;
}

static int
p_number(struct pctx *p, int *idx)
{
	size_t start = p->pos;
	int rc;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if ((rc = p_digits(p)) != JSONRPCS_OK)
		return rc;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if ((rc = p_digits(p)) != JSONRPCS_OK)
			return rc;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' ||
		    p->s[p->pos] == '-'))
			p->pos++;
		if ((rc = p_digits(p)) != JSONRPCS_OK)
			return rc;
	}
	/* "12" at the end of a stream may still become "123" */
	if (p->pos == p->len && !p->final)
		return p_end(p);
	*idx = jsonrpcs_new_number(p->doc, p->s + start, p->pos - start);
	return *idx < 0 ? p_nomem(p) : JSONRPCS_OK;
}

static int
p_literal(struct pctx *p, const char *word, enum jsonrpcs_type t, int *idx)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < n; i++, p->pos++) {
		if (p->pos == p->len)
			return p_end(p);
		if (p->s[p->pos] != word[i])
			return p_fail(p, "unexpected character");
	}
	*idx = jsonrpcs_new(p->doc, t);
	return *idx < 0 ? p_nomem(p) : JSONRPCS_OK;
}

static int p_value(struct pctx *p, int depth, int *idx);

static int
p_container(struct pctx *p, int depth, int *idx)
{
	int is_obj = p->s[p->pos] == '{';
	char close = is_obj ? '}' : ']';
	int rc;

	if (depth >= JSONRPCS_DEPTH_MAX)
		return p_fail(p, "arrays or objects nested too deep");
	if ((*idx = jsonrpcs_new(p->doc, is_obj ? JSONRPCS_OBJECT :
	    JSONRPCS_ARRAY)) < 0)
		return p_nomem(p);
	p->pos++;
	p_ws(p);
	if (p->pos == p->len)
		return p_end(p);
	if (p->s[p->pos] == close) {
		p->pos++;
		return JSONRPCS_OK;
	}
	for (;;) {
		size_t koff = JSONRPCS_NONE, klen = 0;
		int child;

		if (is_obj) {
			if (p->s[p->pos] != '"')
				return p_fail(p, "member name expected");
			if ((rc = p_string(p, &koff, &klen)) != JSONRPCS_OK)
				return rc;
			p_ws(p);
			if (p->pos == p->len)
				return p_end(p);
			if (p->s[p->pos] != ':')
				return p_fail(p, "':' expected after a member "
				    "name");
			p->pos++;
		}
		if ((rc = p_value(p, depth + 1, &child)) != JSONRPCS_OK)
			return rc;
		if (link_off(p->doc, *idx, koff, klen, child) == -1)
			return p_nomem(p);
		p_ws(p);
		if (p->pos == p->len)
			return p_end(p);
		if (p->s[p->pos] == close) {
			p->pos++;
			return JSONRPCS_OK;
		}
		if (p->s[p->pos] != ',')
			return p_fail(p, is_obj ? "',' or '}' expected" :
			    "',' or ']' expected");
		p->pos++;
		p_ws(p);
		if (p->pos == p->len)
			return p_end(p);
	}
}

static int
p_value(struct pctx *p, int depth, int *idx)
{
	size_t off, len;
	int rc;

	p_ws(p);
	if (p->pos == p->len)
		return p_end(p);
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return p_container(p, depth, idx);
	case '"':
		/* the node first, so that a root string is node 0 */
		if ((*idx = jsonrpcs_new(p->doc, JSONRPCS_STRING)) < 0)
			return p_nomem(p);
		if ((rc = p_string(p, &off, &len)) != JSONRPCS_OK)
			return rc;
		p->doc->v[*idx].s = off;
		p->doc->v[*idx].s_len = len;
		return JSONRPCS_OK;
	case 't':
		return p_literal(p, "true", JSONRPCS_TRUE, idx);
	case 'f':
		return p_literal(p, "false", JSONRPCS_FALSE, idx);
	case 'n':
		return p_literal(p, "null", JSONRPCS_NULL, idx);
	default:
		if (p->s[p->pos] == '-' ||
		    (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			return p_number(p, idx);
		return p_fail(p, "unexpected character");
	}
}

static int
parse(struct jsonrpcs_doc *doc, const char *s, size_t len, int final,
    size_t *used, struct jsonrpcs_perr *err)
{
	struct pctx p = { doc, s, len, 0, final, err };
	int idx, rc;

	jsonrpcs_doc_reset(doc);
	err->off = 0;
	err->msg = NULL;
	p_ws(&p);
	if (p.pos == len) {
		*used = len;
		if (final)
			return p_fail(&p, "no JSON value");
		err->msg = "empty";
		return JSONRPCS_MORE;
	}
	rc = p_value(&p, 0, &idx);
	*used = p.pos;
	return rc;
}

int
jsonrpcs_parse(struct jsonrpcs_doc *doc, const char *s, size_t len,
    size_t *used, struct jsonrpcs_perr *err)
{
	return parse(doc, s, len, 0, used, err);
}

int
jsonrpcs_parse_all(struct jsonrpcs_doc *doc, const char *s, size_t len,
    struct jsonrpcs_perr *err)
{
	struct pctx p = { doc, s, len, 0, 1, err };
	size_t used;
	int rc = parse(doc, s, len, 1, &used, err);

	if (rc != JSONRPCS_OK)
		return rc;
	p.pos = used;
	p_ws(&p);
	if (p.pos != len)
		return p_fail(&p, "more after the JSON value");
	return JSONRPCS_OK;
}

/* --- writing --------------------------------------------------------------------- */

void
jsonrpcs_buf_init(struct jsonrpcs_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
jsonrpcs_buf_free(struct jsonrpcs_buf *b)
{
	xfree(b->s);
	memset(b, 0, sizeof(*b));
}

void
jsonrpcs_buf_add(struct jsonrpcs_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (n >= b->cap - b->len || b->s == NULL) {
		size_t cap = b->cap ? b->cap : 1024;
		char *ns;

		while (cap - b->len <= n) {
			if (cap > ((size_t)1 << 40)) {
				b->oom = 1;
				return;
			}
			cap *= 2;
		}
		if ((ns = xrealloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_cstr(struct jsonrpcs_buf *b, const char *s)
{
	jsonrpcs_buf_add(b, s, strlen(s));
}

static void
buf_tabs(struct jsonrpcs_buf *b, int n)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

	while (n > 0) {
		int k = n < 16 ? n : 16;

		jsonrpcs_buf_add(b, tabs, (size_t)k);
		n -= k;
	}
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t k;

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

void
jsonrpcs_write_str(struct jsonrpcs_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	jsonrpcs_buf_add(b, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char u[8];
		size_t k;

		switch (c) {
		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			}
		}
		k = esc ? 0 : utf8_len(s + i, n - i);
		if (esc == NULL && k == 0)
			esc = "\\ufffd";
		if (esc == NULL) {
			i += k;
			run += k;
			continue;
		}
		/* plain bytes are copied in runs, not one by one */
		jsonrpcs_buf_add(b, str + i - run, run);
		run = 0;
		buf_cstr(b, esc);
		i++;
	}
	jsonrpcs_buf_add(b, str + i - run, run);
	jsonrpcs_buf_add(b, "\"", 1);
}

static void
write_node(struct jsonrpcs_buf *b, const struct jsonrpcs_doc *doc, int i,
    int pretty, int depth)
{
	const struct jsonrpcs_node *n = &doc->v[i];
	int c;

	switch (n->type) {
	case JSONRPCS_NULL:
		buf_cstr(b, "null");
		return;
	case JSONRPCS_FALSE:
		buf_cstr(b, "false");
		return;
	case JSONRPCS_TRUE:
		buf_cstr(b, "true");
		return;
	case JSONRPCS_NUMBER:
		jsonrpcs_buf_add(b, doc->text + n->s, n->s_len);
		return;
	case JSONRPCS_STRING:
		jsonrpcs_write_str(b, doc->text + n->s, n->s_len);
		return;
	case JSONRPCS_ARRAY:
		buf_cstr(b, "[");
		for (c = n->first; c >= 0; c = doc->v[c].next) {
			write_node(b, doc, c, pretty, depth + 1);
			if (doc->v[c].next >= 0)
				buf_cstr(b, pretty ? ", " : ",");
		}
		buf_cstr(b, "]");
		return;
	case JSONRPCS_OBJECT:
		buf_cstr(b, pretty ? "{\n" : "{");
		for (c = n->first; c >= 0; c = doc->v[c].next) {
			const struct jsonrpcs_node *m = &doc->v[c];

			if (pretty)
				buf_tabs(b, depth + 1);
			if (m->key == JSONRPCS_NONE)
				jsonrpcs_write_str(b, "", 0);
			else
				jsonrpcs_write_str(b, doc->text + m->key,
				    m->key_len);
			buf_cstr(b, pretty ? ":\t" : ":");
			write_node(b, doc, c, pretty, depth + 1);
			if (m->next >= 0)
				buf_cstr(b, ",");
			if (pretty)
				buf_cstr(b, "\n");
		}
		if (pretty)
			buf_tabs(b, depth);
		buf_cstr(b, "}");
		return;
	}
}

int
jsonrpcs_write(struct jsonrpcs_buf *b, const struct jsonrpcs_doc *doc, int i,
    int pretty)
{
	if (doc->oom || i < 0 || i >= doc->n)
		return -1;
	write_node(b, doc, i, pretty, 0);
	return b->oom ? -1 : 0;
}
