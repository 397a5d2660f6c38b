/*
 * rr_route.c - Route header lists, the loose-routing decision and the
 * Record-Route text (see rr_route.h).  Pure: the unit test links it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/forward.h"
#include "modules/sl/sl_msg.h"
#include "rr_route.h"

/* --- reading Route values -------------------------------------------------- */

static int
rr_is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
rr_skip_lws(const char *p, const char *end)
{
	while (p < end && rr_is_lws(*p))
		p++;
	return p;
}

/* Past the quoted-string starting at p (on its '"'), or NULL. */
static const char *
rr_skip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

str_t
rr_uri_params(const str_t *uri)
{
	const char *s = uri->s, *end = uri->s + uri->len, *p, *q;

	if ((q = memchr(s, '?', uri->len)) != NULL)
		end = q;
	/* the host follows the last '@' (parameters cannot hold one, a
	 * user part may hold ';'); neither a host nor a port has a ';' */
	for (p = q = s; q < end; q++)
		if (*q == '@')
			p = q + 1;
	q = memchr(p, ';', (size_t)(end - p));
	return q ? str_make(q, (size_t)(end - q)) : str_make(end, 0);
}

str_t
rr_uri_user(const str_t *uri)
{
	const char *s = uri->s, *end = uri->s + uri->len, *q, *at = NULL;

	if ((q = memchr(s, '?', uri->len)) != NULL)
		end = q;
	if ((q = memchr(s, ':', (size_t)(end - s))) == NULL)
		return str_make(s, 0);
	for (s = q + 1, q = s; q < end; q++)
		if (*q == '@')
			at = q;
	return at ? str_make(s, (size_t)(at - s)) : str_make(s, 0);
}

int
rr_param_get(const str_t *params, const char *name, str_t *val)
{
	const char *p = params->s, *end = params->s + params->len;
	size_t nlen = strlen(name);

	while (p < end) {
		const char *n, *ne, *v;

		if (*p != ';') {
			p++;
			continue;
		}
		n = rr_skip_lws(p + 1, end);
		for (ne = n; ne < end && *ne != ';' && *ne != '=' &&
		    !rr_is_lws(*ne); ne++)
			;
		v = rr_skip_lws(ne, end);
		p = memchr(ne, ';', (size_t)(end - ne));
		p = p ? p : end;
		if ((size_t)(ne - n) != nlen || strncasecmp(n, name, nlen) != 0)
			continue;
		if (val != NULL) {
			*val = str_make(p, 0);
			if (v < end && *v == '=') {
				v = rr_skip_lws(v + 1, end);
				*val = str_make(v, (size_t)(p - v));
				str_trim(val);
			}
		}
		return 1;
	}
	return 0;
}

/*
 * One route-param from p: [display-name] "<" addr-spec ">" *(;param).
 * Sets r's value, uri and params and returns the end of the value (a
 * ',' or end), or NULL with *err.
 */
static const char *
rr_route_parse(const char *p, const char *end, struct rr_route *r,
    const char **err)
{
	const char *start = p, *q = p, *gt;
	struct fwd_uri fu;

	/* the display name: tokens or a quoted string before '<' */
	while (q < end && *q != '<' && *q != ',') {
		if (*q != '"')
			q++;
		else if ((q = rr_skip_quoted(q, end)) == NULL)
			goto unclosed;
	}
	if (q == end || *q != '<') {
		*err = q == start ? "empty Route value" :
		    "a Route value without '<' (RFC 3261 wants a name-addr)";
		return NULL;
	}
	if ((gt = memchr(q, '>', (size_t)(end - q))) == NULL) {
		*err = "a Route value without its closing '>'";
		return NULL;
	}
	r->uri = str_make(q + 1, (size_t)(gt - q - 1));
	str_trim(&r->uri);
	if (fwd_uri_parse(&r->uri, &fu, err) < 0)
		return NULL;
	r->params = rr_uri_params(&r->uri);
	/* the header's own parameters, up to the next value */
	q = gt + 1;
	while (q < end && *q != ',') {
		if (*q != '"')
			q++;
		else if ((q = rr_skip_quoted(q, end)) == NULL)
			goto unclosed;
	}
	r->value = str_make(start, (size_t)(q - start));
	str_trim(&r->value);
	return q;
unclosed:
	*err = "unclosed quote in a Route value";
	return NULL;
}

/* The values of one Route header line, appended to s. */
static int
rr_line_scan(const str_t *msg, const struct sl_hdr *h, size_t line_end,
    struct rr_set *s, const char **err, str_t *bad)
{
	const char *p = h->value.s, *end = h->value.s + h->value.len;
	struct rr_line *ln;

	*bad = h->value;
	if (s->nlines == RR_MAX_LINES) {
		*err = "too many Route header lines";
		return -1;
	}
	ln = &s->lines[s->nlines];
	ln->off = (size_t)(h->text.s - msg->s);
	ln->len = line_end - ln->off;
	ln->first = s->n;
	ln->n = 0;
	for (;;) {
		struct rr_route *r;

		p = rr_skip_lws(p, end);
		if (s->n == RR_MAX_ROUTES) {
			*err = "too many Route values";
			return -1;
		}
		r = &s->r[s->n];
		r->line = s->nlines;
		if ((p = rr_route_parse(p, end, r, err)) == NULL)
			return -1;
		s->n++;
		ln->n++;
		if (p == end)
			break;
		p++;                    /* the comma */
	}
	s->nlines++;
	return 0;
}

int
rr_set_scan(const str_t *msg, struct rr_set *s, const char **err,
    str_t *bad)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	const char *line;
	int rc;

	s->base = msg->s;
	s->n = 0;
	s->nlines = 0;
	s->eoh = msg->len;
	*bad = STR_NULL;
	if (sl_hdr_first(&it, msg) < 0) {
		*err = "no complete request line";
		return -1;
	}
	for (;;) {
		line = it.p;
		if ((rc = sl_hdr_next(&it, &h)) == 0)
			break;
		if (rc < 0) {
			*err = "a header line without a colon";
			return -1;
		}
		if (!str_caseeq_cstr(&h.name, "Route"))
			continue;
		if (rr_line_scan(msg, &h, (size_t)(it.p - msg->s), s, err,
		    bad) < 0)
			return -1;
	}
	s->eoh = (size_t)(line - msg->s);
	return 0;
}

/* --- the decision ---------------------------------------------------------- */

void
rr_plan_make(const struct rr_set *s, const str_t *ruri, int in_dialog,
    rr_mine_fn mine, void *ctx, struct rr_plan *p)
{
	int first = 0, last = s->n - 1, strict_prev = 0;
	const struct rr_route *next;

	memset(p, 0, sizeof(*p));
	p->rc = -1;
	if (s->n == 0)
		return;
	/* 16.4: our own URI as Request-URI in a dialog comes from a strict
	 * router; the target it replaced is the last Route.  (Outside a
	 * dialog a Request-URI of ours is a user of our domain.) */
	if (in_dialog && mine(ruri, ctx)) {
		strict_prev = 1;
		p->own = 1;
		p->own_params = rr_uri_params(ruri);
		p->new_ruri = s->r[last].uri;
		p->drop[last] = 1;
		last--;
	}
	if (first <= last && mine(&s->r[first].uri, ctx)) {
		if (!p->own) {
			p->own = 1;
			p->own_params = s->r[first].params;
		}
		p->drop[first++] = 1;
		/* double record-routing marks both of its URIs with r2 */
		if (first <= last && rr_param_get(&s->r[first - 1].params,
		    "r2", NULL) && mine(&s->r[first].uri, ctx))
			p->drop[first++] = 1;
	}
	if (first > last) {
		/* nothing left: the Request-URI is the target; outside a
		 * dialog a lone Route of ours says nothing (Kamailio: -3) */
		p->rc = strict_prev || in_dialog ? 1 : -3;
		return;
	}
	next = &s->r[first];
	p->rc = 1;
	if (rr_param_get(&next->params, "lr", NULL)) {
		p->new_duri = next->uri;
		return;
	}
	/* 16.6 step 6: a strict next hop gets the request by its
	 * Request-URI, the target going to the end of the Route set.
	 * After a strict previous hop the target is the last Route
	 * already: leave it there instead of moving it. */
	p->drop[first] = 1;
	if (strict_prev) {
		p->drop[s->n - 1] = 0;
		p->new_ruri = next->uri;
	} else {
		p->append = *ruri;
		p->new_ruri = next->uri;
	}
}

/* --- removing values ------------------------------------------------------- */

static size_t
rr_at(const struct rr_set *s, const char *p)
{
	return (size_t)(p - s->base);
}

int
rr_set_cuts(const struct rr_set *s, const unsigned char *drop,
    struct rr_cut *cuts)
{
	int nc = 0;

	for (int l = 0; l < s->nlines; l++) {
		const struct rr_line *ln = &s->lines[l];
		int a = ln->first, z = ln->first + ln->n - 1, all = 1;

		for (int i = a; i <= z; i++)
			all &= drop[i] != 0;
		if (all) {
			cuts[nc].off = ln->off;
			cuts[nc++].len = ln->len;
			continue;
		}
		for (int i = a; i <= z; i++) {
			const str_t *v;
			int j = i;

			if (!drop[i])
				continue;
			while (j < z && drop[j + 1])
				j++;
			if (j < z) {
				/* the run and the comma after it, up to the
				 * value that stays */
				cuts[nc].off = rr_at(s, s->r[i].value.s);
				cuts[nc].len = rr_at(s, s->r[j + 1].value.s) -
				    cuts[nc].off;
			} else {
				/* the run ends the line: from the end of the
				 * value before it, comma included */
				v = &s->r[i - 1].value;
				cuts[nc].off = rr_at(s, v->s + v->len);
				v = &s->r[j].value;
				cuts[nc].len = rr_at(s, v->s + v->len) -
				    cuts[nc].off;
			}
			nc++;
			i = j;
		}
	}
	return nc;
}

/* --- building Record-Route -------------------------------------------------- */

int
rr_params_norm(const str_t *in, char *out, size_t outlen, size_t *len)
{
	size_t o = 0;

	*len = 0;
	if (in->len == 0)
		return 0;
	for (size_t i = 0; i < in->len; i++)
		if (strchr("\r\n<>, \t\"", in->s[i]) != NULL || in->s[i] == 0)
			return -1;
	if (in->s[0] != ';')
		out[o++] = ';';
	if (o + in->len >= outlen || (in->len == 1 && in->s[0] == ';'))
		return -1;
	memcpy(out + o, in->s, in->len);
	*len = o + in->len;
	return 0;
}

int
rr_local_uri(const str_t *user, const char *host, int port,
    const char *transport, char *buf, size_t len)
{
	int n, has_t = transport != NULL && transport[0] != '\0';
	size_t ulen = user ? user->len : 0;
	char pt[16] = "";

	if (port > 0)
		snprintf(pt, sizeof(pt), ":%d", port);
	n = snprintf(buf, len, "sip:%.*s%s%s%s%s%s", (int)ulen,
	    ulen ? user->s : "", ulen ? "@" : "", host, pt,
	    has_t ? ";transport=" : "", has_t ? transport : "");
	return n > 0 && (size_t)n < len ? n : -1;
}

static int
rr_has_scheme(const str_t *uri)
{
	return (uri->len >= 4 && strncasecmp(uri->s, "sip:", 4) == 0) ||
	    (uri->len >= 5 && strncasecmp(uri->s, "sips:", 5) == 0);
}

int
rr_hdr_build(const str_t *uri, int full_lr, const str_t *ftag,
    const str_t *params, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "Record-Route: <%s%.*s;lr%s%s%.*s%.*s>\r\n",
	    rr_has_scheme(uri) ? "" : "sip:", (int)uri->len, uri->s,
	    full_lr ? "=on" : "", ftag->len ? ";ftag=" : "",
	    (int)ftag->len, ftag->s, (int)params->len, params->s);
	return n > 0 && (size_t)n < len ? n : -1;
}

int
rr_text_ok(const str_t *s, const char *bad)
{
	if (s->len == 0)
		return 0;
	for (size_t i = 0; i < s->len; i++)
		if (s->s[i] == '\0' || strchr(bad, s->s[i]) != NULL)
			return 0;
	return 1;
}
