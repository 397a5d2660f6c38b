/*
 * pv_cred.c - a small parser of digest credentials.  The auth module has
 * its own, complete one; this one only finds username and realm.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "pv_cred.h"

static int
pv_cred_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
pv_cred_tokchar(char c)
{
	return c > ' ' && c != ',' && c != '=' && c != '"' && c != 0x7f;
}

static void
pv_cred_skip(const str_t *h, size_t *i)
{
	while (*i < h->len && pv_cred_blank(h->s[*i]))
		(*i)++;
}

/* A token or quoted string at h[*i]; -1 on an unterminated quote. */
static int
pv_cred_value(const str_t *h, size_t *i, str_t *out)
{
	size_t start;

	if (*i < h->len && h->s[*i] == '"') {
		start = ++(*i);
		while (*i < h->len && h->s[*i] != '"')
			*i += (h->s[*i] == '\\' && *i + 1 < h->len) ? 2 : 1;
		if (*i >= h->len)
			return -1;
		*out = str_make(h->s + start, *i - start);
		(*i)++;
		return 0;
	}
	start = *i;
	while (*i < h->len && pv_cred_tokchar(h->s[*i]))
		(*i)++;
	*out = str_make(h->s + start, *i - start);
	return 0;
}

/* One "name = value" at h[*i]; -1 when malformed. */
static int
pv_cred_param(const str_t *h, size_t *i, str_t *name, str_t *val)
{
	size_t start = *i;

	while (*i < h->len && pv_cred_tokchar(h->s[*i]))
		(*i)++;
	*name = str_make(h->s + start, *i - start);
	pv_cred_skip(h, i);
	if (name->len == 0 || *i >= h->len || h->s[*i] != '=')
		return -1;
	(*i)++;
	pv_cred_skip(h, i);
	return pv_cred_value(h, i, val);
}

static int
pv_cred_is(const str_t *s, const char *name)
{
	return s->len == strlen(name) && strncasecmp(s->s, name, s->len) == 0;
}

int
pv_cred_parse(str_t hdr, struct pv_cred *c)
{
	size_t i = 0, start;
	str_t scheme, name, val;
	char *at;

	memset(c, 0, sizeof(*c));
	pv_cred_skip(&hdr, &i);
	start = i;
	while (i < hdr.len && !pv_cred_blank(hdr.s[i]))
		i++;
	scheme = str_make(hdr.s + start, i - start);
	if (!pv_cred_is(&scheme, "Digest"))
		return -1;
	for (;;) {
		pv_cred_skip(&hdr, &i);
		if (i >= hdr.len)
			break;
		if (pv_cred_param(&hdr, &i, &name, &val) != 0)
			return -1;
		if (pv_cred_is(&name, "username"))
			c->username = val;
		else if (pv_cred_is(&name, "realm"))
			c->realm = val;
		pv_cred_skip(&hdr, &i);
		if (i < hdr.len && hdr.s[i] != ',')
			return -1;
		i++;
	}
	if (c->username.s == NULL)
		return -1;
	c->user = c->username;
	c->domain = c->realm;
	at = memchr(c->username.s, '@', c->username.len);
	if (at != NULL) {
		c->user.len = (size_t)(at - c->username.s);
		c->domain = str_make(at + 1,
		    c->username.len - c->user.len - 1);
	}
	return 0;
}
