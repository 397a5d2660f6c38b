/*
 * reg_reply.c - the registrar's reply header lines (RFC 3261 §10.3 step
 * 8: the 200 OK lists every current binding with its expires).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "reg_parse.h"
#include "reg_reply.h"

/* A growing text in an arena: doubled on demand, old copies abandoned
 * (the arena frees them with the message). */
struct rbuf {
	struct arena  *a;
	char          *s;
	size_t         len, cap;
	int            failed;
};

static void
rb_add(struct rbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *ns;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((ns = arena_alloc(b->a, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		if (b->len > 0)
			memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
rb_str(struct rbuf *b, const str_t *s)
{
	rb_add(b, s->s, s->len);
}

static void
rb_cstr(struct rbuf *b, const char *s)
{
	rb_add(b, s, strlen(s));
}

static void
rb_fmt(struct rbuf *b, const char *fmt, long long v)
{
	char num[48];
	int n = snprintf(num, sizeof(num), fmt, v);

	rb_add(b, num, (size_t)n);
}

int
reg_reply_contacts(const struct ul_contacts *cs, long long now,
    struct arena *a, str_t *out)
{
	struct rbuf b = { .a = a };
	int first = 1;

	*out = STR_NULL;
	for (int i = 0; i < cs->n; i++) {
		const struct ul_contact_info *ci = &cs->v[i];
		char q[16];

		if (ci->expires != 0 && ci->expires <= now)
			continue;
		rb_cstr(&b, first ? "Contact: <" : ", <");
		first = 0;
		rb_str(&b, &ci->c);
		rb_cstr(&b, ">");
		/* a permanent binding (ul.add) has no expiry to tell */
		if (ci->expires != 0)
			rb_fmt(&b, ";expires=%lld", ci->expires - now);
		if (ci->q >= 0) {
			reg_print_q(ci->q, q, sizeof(q));
			rb_cstr(&b, ";q=");
			rb_cstr(&b, q);
		}
		if (ci->instance.len > 0) {
			rb_cstr(&b, ";+sip.instance=");
			rb_str(&b, &ci->instance);
		}
		if (ci->reg_id > 0)
			rb_fmt(&b, ";reg-id=%lld", ci->reg_id);
		if (ci->received.len > 0) {
			rb_cstr(&b, ";received=\"");
			rb_str(&b, &ci->received);
			rb_cstr(&b, "\"");
		}
	}
	if (!first)
		rb_cstr(&b, "\r\n");
	if (b.failed)
		return -1;
	if (!first)
		*out = str_make(b.s, b.len);
	return 0;
}

int
reg_reply_error_hdrs(const char *info, long long min_expires, int retry_after,
    struct arena *a, str_t *out)
{
	struct rbuf b = { .a = a };

	*out = STR_NULL;
	if (info != NULL) {
		rb_cstr(&b, "P-Registrar-Error: ");
		rb_cstr(&b, info);
		rb_cstr(&b, "\r\n");
	}
	if (min_expires > 0)
		rb_fmt(&b, "Min-Expires: %lld\r\n", min_expires);
	if (retry_after > 0)
		rb_fmt(&b, "Retry-After: %lld\r\n", retry_after);
	if (b.failed)
		return -1;
	if (b.len > 0)
		*out = str_make(b.s, b.len);
	return 0;
}
