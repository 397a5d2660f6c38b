/*
 * reg_reply.c - the registrar's reply header lines (RFC 3261 §10.3 step
 * 8: the 200 OK lists every current binding with its expires).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/abuf.h"
#include "reg_parse.h"
#include "reg_reply.h"

static void
reg_put_num(struct abuf *b, const char *fmt, long long v)
{
	char num[48];
	int n = snprintf(num, sizeof(num), fmt, v);

	abuf_put(b, num, (size_t)n);
}

int
reg_reply_contacts(const struct ul_contacts *cs, long long now,
    struct arena *a, str_t *out)
{
	struct abuf b = { .a = a };
	int first = 1;

	*out = STR_NULL;
	for (int i = 0; i < cs->n; i++) {
		const struct ul_contact_info *ci = &cs->v[i];
		char q[16];

		if (ci->expires != 0 && ci->expires <= now)
			continue;
		abuf_putcs(&b, first ? "Contact: <" : ", <");
		first = 0;
		abuf_puts(&b, &ci->c);
		abuf_putcs(&b, ">");
		/* a permanent binding (ul.add) has no expiry to tell */
		if (ci->expires != 0)
			reg_put_num(&b, ";expires=%lld", ci->expires - now);
		if (ci->q >= 0) {
			reg_print_q(ci->q, q, sizeof(q));
			abuf_putcs(&b, ";q=");
			abuf_putcs(&b, q);
		}
		if (ci->instance.len > 0) {
			abuf_putcs(&b, ";+sip.instance=");
			abuf_puts(&b, &ci->instance);
		}
		if (ci->reg_id > 0)
			reg_put_num(&b, ";reg-id=%lld", ci->reg_id);
		if (ci->received.len > 0) {
			abuf_putcs(&b, ";received=\"");
			abuf_puts(&b, &ci->received);
			abuf_putcs(&b, "\"");
		}
	}
	if (!first)
		abuf_putcs(&b, "\r\n");
	if (b.failed)
		return -1;
	if (!first)
		*out = str_make(b.p, b.len);
	return 0;
}

int
reg_reply_error_hdrs(const char *info, long long min_expires, int retry_after,
    struct arena *a, str_t *out)
{
	struct abuf b = { .a = a };

	*out = STR_NULL;
	if (info != NULL) {
		abuf_putcs(&b, "P-Registrar-Error: ");
		abuf_putcs(&b, info);
		abuf_putcs(&b, "\r\n");
	}
	if (min_expires > 0)
		reg_put_num(&b, "Min-Expires: %lld\r\n", min_expires);
	if (retry_after > 0)
		reg_put_num(&b, "Retry-After: %lld\r\n", retry_after);
	if (b.failed)
		return -1;
	if (b.len > 0)
		*out = str_make(b.p, b.len);
	return 0;
}

int
reg_reply_path_hdrs(const str_t *path, int unsupported, struct arena *a,
    str_t *out)
{
	struct abuf b = { .a = a };

	*out = STR_NULL;
	if (path->len == 0)
		return 0;
	if (unsupported)
		abuf_putcs(&b, "Unsupported: path\r\n");
	abuf_putcs(&b, "Path: ");
	abuf_puts(&b, path);
	abuf_putcs(&b, "\r\n");
	if (b.failed)
		return -1;
	*out = str_make(b.p, b.len);
	return 0;
}
