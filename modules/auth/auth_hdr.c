/*
 * auth_hdr.c - the Digest credentials parser (see auth_hdr.h).
 */
#include "config.h"

#include <stdio.h>
#include <strings.h>

#include "auth_hdr.h"

static const char *const param_names[AUTH_P_COUNT] = {
	[AUTH_P_USERNAME] = "username",
	[AUTH_P_REALM] = "realm",
	[AUTH_P_NONCE] = "nonce",
	[AUTH_P_URI] = "uri",
	[AUTH_P_RESPONSE] = "response",
	[AUTH_P_ALGORITHM] = "algorithm",
	[AUTH_P_CNONCE] = "cnonce",
	[AUTH_P_OPAQUE] = "opaque",
	[AUTH_P_QOP] = "qop",
	[AUTH_P_NC] = "nc",
	[AUTH_P_USERHASH] = "userhash",
};

/* A parse in progress: the input, where we are, and where values go. */
struct hp {
	const char *s;
	size_t      len;
	size_t      pos;
	char       *out;            /* next free byte of the scratch       */
	char       *err;
};

const char *
auth_param_name(enum auth_param p)
{
	return (unsigned)p < AUTH_P_COUNT ? param_names[p] : "?";
}

/* RFC 7230 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static void
skip_blanks(struct hp *h)
{
	while (h->pos < h->len && is_blank((unsigned char)h->s[h->pos]))
		h->pos++;
}

/* Text from the wire shown in an error: short and printable. */
static void
printable(const str_t *v, char *buf, size_t cap)
{
	size_t n = v->len < cap - 1 ? v->len : cap - 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v->s[i];

		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	buf[n] = '\0';
}

static int
fail(struct hp *h, const char *fmt, const str_t *a)
{
	char txt[33];

	if (a != NULL) {
		printable(a, txt, sizeof(txt));
		snprintf(h->err, AUTH_HDR_ERR_LEN, fmt, txt);
	} else {
		snprintf(h->err, AUTH_HDR_ERR_LEN, fmt, (unsigned long)h->pos);
	}
	return AUTH_HDR_ERROR;
}

static str_t
token(struct hp *h)
{
	size_t start = h->pos;

	while (h->pos < h->len && is_tchar((unsigned char)h->s[h->pos]))
		h->pos++;
	return str_make(h->s + start, h->pos - start);
}

/* A quoted-string starting at the '"': its unescaped text to scratch. */
static int
quoted(struct hp *h, const str_t *name, str_t *val)
{
	char *start = h->out;
	unsigned char c;

	h->pos++;       /* the opening quote */
	while (h->pos < h->len) {
		c = (unsigned char)h->s[h->pos++];
		if (c == '"') {
			*val = str_make(start, (size_t)(h->out - start));
			return 0;
		}
		if (c == '\\') {
			if (h->pos == h->len)
				break;
			c = (unsigned char)h->s[h->pos++];
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(h, "control character in '%s'", name);
		*h->out++ = (char)c;
	}
	return fail(h, "unterminated quoted string in '%s'", name);
}

/* A bare value: everything up to a blank, ',' or '"'. */
static int
bare(struct hp *h, const str_t *name, str_t *val)
{
	size_t start = h->pos;
	unsigned char c;

	while (h->pos < h->len) {
		c = (unsigned char)h->s[h->pos];
		if (c <= 0x20 || c == 0x7f || c == ',' || c == '"')
			break;
		h->pos++;
	}
	if (h->pos == start)
		return fail(h, "missing value for '%s'", name);
	*val = str_make(h->s + start, h->pos - start);
	return 0;
}

static int
lookup(const str_t *name)
{
	for (int i = 0; i < AUTH_P_COUNT; i++)
		if (str_caseeq_cstr(name, param_names[i]))
			return i;
	return -1;
}

/* One name=value element; the position is at the name. */
static int
param(struct hp *h, struct auth_cred *c, int *ext_user)
{
	str_t name, val;
	int id;

	name = token(h);
	if (name.len == 0)
		return fail(h, "expected a parameter name at offset %lu", NULL);
	skip_blanks(h);
	if (h->pos == h->len || h->s[h->pos] != '=')
		return fail(h, "expected '=' after '%s'", &name);
	h->pos++;
	skip_blanks(h);
	if (h->pos < h->len && h->s[h->pos] == '"') {
		if (quoted(h, &name, &val) != 0)
			return AUTH_HDR_ERROR;
	} else if (bare(h, &name, &val) != 0) {
		return AUTH_HDR_ERROR;
	}
	skip_blanks(h);
	if (h->pos < h->len && h->s[h->pos] != ',')
		return fail(h, "expected ',' after the value of '%s'", &name);
	if (str_caseeq_cstr(&name, "username*")) {
		*ext_user = 1;
		return AUTH_HDR_OK;
	}
	if ((id = lookup(&name)) < 0)
		return AUTH_HDR_OK;     /* an extension parameter */
	if (c->v[id].s != NULL)
		return fail(h, "duplicate parameter '%s'", &name);
	c->v[id] = val;
	return AUTH_HDR_OK;
}

static int
check_hex(const str_t *v)
{
	for (size_t i = 0; i < v->len; i++)
		if (!is_hex((unsigned char)v->s[i]))
			return -1;
	return 0;
}

/* nc-value = 8LHEX */
static int
parse_nc(const str_t *v, uint32_t *out)
{
	uint32_t n = 0;

	if (v->len != 8 || check_hex(v) != 0)
		return -1;
	for (size_t i = 0; i < 8; i++) {
		unsigned char ch = (unsigned char)v->s[i];

		n = n << 4 | (uint32_t)(ch <= '9' ? ch - '0' :
		    (ch | 0x20) - 'a' + 10);
	}
	*out = n;
	return 0;
}

static int
check_qop(struct hp *h, struct auth_cred *c)
{
	const str_t *q = &c->v[AUTH_P_QOP];

	if (q->s == NULL) {
		if (c->v[AUTH_P_NC].s != NULL)
			return fail(h, "'%s' without qop", &STR_LIT("nc"));
		if (c->v[AUTH_P_CNONCE].s != NULL)
			return fail(h, "'%s' without qop", &STR_LIT("cnonce"));
		return AUTH_HDR_OK;
	}
	if (str_caseeq_cstr(q, "auth"))
		c->qop = AUTH_QOP_AUTH;
	else if (str_caseeq_cstr(q, "auth-int"))
		c->qop = AUTH_QOP_AUTH_INT;
	else
		return fail(h, "unknown qop '%s'", q);
	if (c->v[AUTH_P_NC].s == NULL)
		return fail(h, "qop without '%s'", &STR_LIT("nc"));
	if (c->v[AUTH_P_CNONCE].s == NULL)
		return fail(h, "qop without '%s'", &STR_LIT("cnonce"));
	if (parse_nc(&c->v[AUTH_P_NC], &c->nc) != 0)
		return fail(h, "bad nc '%s' (want 8 hex digits)",
		    &c->v[AUTH_P_NC]);
	return AUTH_HDR_OK;
}

/* What every response must carry, and in a usable form. */
static int
check_fields(struct hp *h, struct auth_cred *c, int ext_user)
{
	static const enum auth_param required[] = {
		AUTH_P_USERNAME, AUTH_P_REALM, AUTH_P_NONCE, AUTH_P_URI,
		AUTH_P_RESPONSE,
	};

	if (ext_user && c->v[AUTH_P_USERNAME].s == NULL)
		return fail(h, "%s (RFC 7616 extended notation) is not "
		    "supported", &STR_LIT("username*"));
	if (ext_user)
		return fail(h, "both username and %s given",
		    &STR_LIT("username*"));
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		str_t n = str_cstr(param_names[required[i]]);

		if (c->v[required[i]].s == NULL)
			return fail(h, "missing parameter '%s'", &n);
		if (c->v[required[i]].len == 0 && required[i] != AUTH_P_REALM)
			return fail(h, "empty parameter '%s'", &n);
	}
	if (check_hex(&c->v[AUTH_P_RESPONSE]) != 0)
		return fail(h, "%s is not hexadecimal", &STR_LIT("response"));
	return check_qop(h, c);
}

int
auth_hdr_parse(const char *s, size_t len, char *scratch,
    struct auth_cred *c, char *err)
{
	struct hp h = { .s = s, .len = len, .out = scratch, .err = err };
	str_t scheme;
	int ext_user = 0;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	skip_blanks(&h);
	if (h.pos == h.len)
		return fail(&h, "empty credentials%s", &STR_LIT(""));
	scheme = token(&h);
	if (scheme.len == 0)
		return fail(&h, "no authentication scheme%s", &STR_LIT(""));
	if (!str_caseeq_cstr(&scheme, "Digest"))
		return AUTH_HDR_OTHER_SCHEME;
	if (h.pos < h.len && !is_blank((unsigned char)h.s[h.pos]))
		return fail(&h, "expected a blank after '%s'", &scheme);
	for (;;) {
		skip_blanks(&h);
		while (h.pos < h.len && h.s[h.pos] == ',') {
			h.pos++;
			skip_blanks(&h);
		}
		if (h.pos == h.len)
			break;
		if (param(&h, c, &ext_user) != AUTH_HDR_OK)
			return AUTH_HDR_ERROR;
	}
	return check_fields(&h, c, ext_user);
}
