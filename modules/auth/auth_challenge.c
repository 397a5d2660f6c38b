/*
 * auth_challenge.c - formats the WWW-Authenticate / Proxy-Authenticate
 * header line (see auth_challenge.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth_challenge.h"

/* A bounded writer: once full, it only counts. */
struct out {
	char   *p;
	size_t  cap;
	size_t  n;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->n + n < o->cap)
		memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* The realm as a quoted-string: '"' and '\' escaped.  -1 on a CTL. */
static int
put_quoted(struct out *o, const str_t *s)
{
	put(o, "\"", 1);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1;
		if (c == '"' || c == '\\')
			put(o, "\\", 1);
		put(o, s->s + i, 1);
	}
	put(o, "\"", 1);
	return 0;
}

int
auth_challenge_format(const struct auth_chal *c, char *out, size_t cap)
{
	struct out o = { .p = out, .cap = cap, .n = 0 };

	if (cap == 0)
		return -1;
	puts_(&o, c->proxy ? "Proxy-Authenticate: Digest realm=" :
	    "WWW-Authenticate: Digest realm=");
	if (put_quoted(&o, &c->realm) != 0)
		return -1;
	puts_(&o, ", nonce=\"");
	puts_(&o, c->nonce);
	puts_(&o, "\"");
	if (c->qop == AUTH_QOP_AUTH)
		puts_(&o, ", qop=\"auth\"");
	else if (c->qop == AUTH_QOP_AUTH_INT)
		puts_(&o, ", qop=\"auth-int\"");
	if (c->stale)
		puts_(&o, ", stale=true");
	if (c->algorithm != NULL) {
		puts_(&o, ", algorithm=");
		puts_(&o, c->algorithm);
	}
	puts_(&o, "\r\n");
	if (o.n >= cap)
		return -1;
	out[o.n] = '\0';
	return (int)o.n;
}
